/*
 * Admin: training bases, offerings, training-record entries and reversals. Every change is
 * audited by the domain functions in the same transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../courses/catalogue.h"
#include "../../courses/names.h"
#include "../../courses/records.h"
#include "../../courses/trainees.h"
#include "../fields.h"
#include "../limits.h"
#include "handlers.h"

#define MAX_RECORD_HOURS_X2 200u   /* one entry: 100 学时; the daily cap bounds it further */

static json_t *
typed(struct request *req, const struct field_spec *f, size_t n)
{
	json_t *v = json_object();
	for (size_t i = 0; i < n; i++) {
		const char *s = kv_get(&req->fields, f[i].name);
		if (s != NULL)
			json_object_set_new(v, f[i].name, json_string(s));
	}
	return v;
}

/* After a change: JSON with the object, or back to the admin page for the HTML face. */
static void
done(struct request *req, struct response *r, int status, json_t *obj, const char *back)
{
	if (!req->api) {
		json_decref(obj);
		resp_redirect(req, r, back);
		return;
	}
	resp_view(r, status, obj, NULL);
}

void
h_bases(struct request *req, struct response *r)
{
	json_t *list = json_array();
	const char *why = bases_list(req->w->db, list);
	if (why != NULL) {
		json_decref(list);
		resp_error(req, r, why, NULL);
		return;
	}
	resp_view(r, 200, json_pack("{s:s, s:o, s:{}, s:{}}", "page_title", "培养基地管理", "bases", list,
	    "values", "errors"), "admin_bases");
}

void
h_base_save(struct request *req, struct response *r)
{
	static const struct field_spec f[] = {
		{ "code", F_CODE, true, 16, NULL },
		{ "name", F_TEXT, true, 100, NULL },
		{ "region", F_TEXT, true, 32, NULL },
		{ "status", F_CHOICE, false, 0, "active|suspended|closed" },
	};
	const char *v[4];
	bool create = req->nparams == 0;
	json_t *errors = json_array(), *out = NULL;

	if (!create) {
		/* The code comes from the URL; a body may repeat it but not change it. */
		struct kv *kv = (struct kv *)kv_find(&req->fields, "code");
		if (kv == NULL) {
			struct kvlist l = req->fields;
			struct kv *nv = arena_alloc(req->a, sizeof(struct kv) * (l.n + 1));
			if (nv == NULL) {
				json_decref(errors);
				resp_error(req, r, "internal_error", NULL);
				return;
			}
			if (l.n)
				memcpy(nv, l.v, sizeof(struct kv) * l.n);
			nv[l.n] = (struct kv){ "code", req->params[0], 4, strlen(req->params[0]) };
			req->fields.v = nv;
			req->fields.n = l.n + 1;
		} else if (strcmp(kv->val, req->params[0]) != 0) {
			json_array_append_new(errors, field_error("code", "code_mismatch",
			    "基地编码不能修改"));
			form_fail(req, r, "admin_bases", "培养基地管理", "validation_failed", errors,
			    typed(req, f, 4));
			return;
		}
	}
	if (fields_validate(req, f, 4, v, errors) > 0) {
		form_fail(req, r, "admin_bases", "培养基地管理", "validation_failed", errors,
		    typed(req, f, 4));
		return;
	}
	json_decref(errors);
	struct base_in in = { v[0], v[1], v[2], v[3] };
	const char *why = base_save(req->w->db, req->user_id, req->remote_addr, &in, create, &out);
	if (why != NULL) {
		resp_error(req, r, why, NULL);
		return;
	}
	done(req, r, create ? 201 : 200, out, "/admin/bases");
}

void
h_offerings(struct request *req, struct response *r)
{
	json_t *list = json_array();
	const char *why = offerings_list(req->w->db, list);
	if (why != NULL) {
		json_decref(list);
		resp_error(req, r, why, NULL);
		return;
	}
	resp_view(r, 200, json_pack("{s:s, s:o, s:{}, s:{}}", "page_title", "班次管理", "offerings", list,
	    "values", "errors"), "admin_offerings");
}

void
h_offering_save(struct request *req, struct response *r)
{
	bool create = req->nparams == 0;
	const struct field_spec f[] = {
		{ "course_code", F_CODE, create, 16, NULL },
		{ "base_code", F_CODE, create, 16, NULL },
		{ "starts_on", F_DATE, true, 0, NULL },
		{ "ends_on", F_DATE, true, 0, NULL },
		{ "capacity", F_UINT, true, TM_MAX_OFFERING_SEATS, NULL },
		{ "status", F_CHOICE, false, 0, "open|cancelled" },
	};
	const char *v[6];
	json_t *errors = json_array(), *out = NULL;

	if (!create && param_id(req, 0) == 0) {
		json_decref(errors);
		resp_error(req, r, "offering_not_found", NULL);
		return;
	}
	if (fields_validate(req, f, 6, v, errors) > 0) {
		form_fail(req, r, "admin_offerings", "班次管理", "validation_failed", errors,
		    typed(req, f, 6));
		return;
	}
	json_decref(errors);
	struct offering_in in = { .id = create ? 0 : param_id(req, 0), .course_code = v[0],
		.base_code = v[1], .starts_on = v[2], .ends_on = v[3], .status = v[5],
		.capacity = strtoll(v[4], NULL, 10) };
	const char *why = offering_save(req->w->db, req->user_id, req->remote_addr, &in, &out);
	if (why != NULL) {
		resp_error(req, r, why, NULL);
		return;
	}
	done(req, r, create ? 201 : 200, out, "/admin/offerings");
}

void
h_offering_complete(struct request *req, struct response *r)
{
	json_t *out = NULL;
	int64_t id = param_id(req, 0);
	const char *why = id ? offering_complete(req->w->db, req->user_id, req->remote_addr, id, &out)
	    : "offering_not_found";
	if (why != NULL) {
		resp_error(req, r, why, NULL);
		return;
	}
	done(req, r, 200, out, "/admin/offerings");
}

void
h_record_create(struct request *req, struct response *r)
{
	static const struct field_spec f[] = {
		{ "id_number", F_ID_NUMBER, true, 0, NULL },
		{ "course_code", F_CODE, true, 16, NULL },
		{ "hours", F_HOURS, true, MAX_RECORD_HOURS_X2, NULL },
		{ "completed_on", F_DATE, true, 0, NULL },
		{ "base_code", F_CODE, false, 16, NULL },
	};
	const char *v[5];
	json_t *errors = json_array();
	int64_t pid = 0, rid = 0;

	if (fields_validate(req, f, 5, v, errors) > 0) {
		resp_error(req, r, "validation_failed", errors);
		return;
	}
	json_decref(errors);
	enum db_rc rc = person_by_id_number(req->w->db, &req->w->keys, v[0], &pid);
	if (rc != DB_OK) {
		resp_error(req, r, rc == DB_NOROW ? "person_not_found" : db_code(rc), NULL);
		return;
	}
	struct record_in in = { .person_id = pid, .course_code = v[1], .base_code = v[4],
		.hours_x2 = atoi(v[2]), .completed_on = v[3], .source = "admin" };
	const char *why = record_add(req->w->db, req->user_id, req->remote_addr, &in, &rid);
	if (why != NULL) {
		resp_error(req, r, why, NULL);
		return;
	}
	resp_view(r, 201, json_pack("{s:I, s:I, s:s, s:o, s:s}", "id", (json_int_t)rid,
	    "person_id", (json_int_t)pid, "course_code", v[1], "hours", json_hours(in.hours_x2),
	    "completed_on", v[3]), NULL);
}

void
h_record_reverse(struct request *req, struct response *r)
{
	static const struct field_spec f[] = {
		{ "reason", F_TEXT, true, 200, NULL },
	};
	const char *v[1];
	json_t *errors = json_array();
	int64_t rev = 0, id = param_id(req, 0);

	if (fields_validate(req, f, 1, v, errors) > 0) {
		resp_error(req, r, "validation_failed", errors);
		return;
	}
	json_decref(errors);
	const char *why = id ? record_reverse(req->w->db, req->user_id, req->remote_addr, id, v[0],
	    &rev) : "record_not_found";
	if (why != NULL) {
		resp_error(req, r, why, NULL);
		return;
	}
	resp_view(r, 201, json_pack("{s:I, s:I, s:s}", "id", (json_int_t)rev, "reverses",
	    (json_int_t)id, "reason", v[0]), NULL);
}
