/*
 * Evidence: a trainee declares education, work, deals and written works (/me/evidence);
 * a reviewer verifies or rejects each pending item with a reason (/review/evidence).
 */
#include <stdio.h>
#include <string.h>

#include "../../courses/date.h"
#include "../../courses/evidence.h"
#include "../fields.h"
#include "handlers.h"

static bool
money_ok(const char *s)
{
	size_t n = strlen(s), w = strspn(s, "0123456789");
	if (w == 0 || w > 12 || (w > 1 && s[0] == '0'))
		return false;
	if (w == n)
		return true;
	return s[w] == '.' && n - w - 1 >= 1 && n - w - 1 <= 2 &&
	    strspn(s + w + 1, "0123456789") == n - w - 1;
}

static void
bad(json_t *errors, const char *field, const char *code, const char *msg)
{
	json_array_append_new(errors, json_pack("{s:s, s:s, s:s}", "field", field, "code", code,
	    "message", msg));
}

static json_t *
typed(struct request *req)
{
	static const char *const names[] = { "kind", "title", "degree", "started_on", "on_date",
		"contract_type", "deal_role", "contract_amount", "received_amount", "registration_no",
		"writing_kind" };
	json_t *v = json_object();
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *s = kv_get(&req->fields, names[i]);
		if (s != NULL)
			json_object_set_new(v, names[i], json_string(s));
	}
	return v;
}

static const char *
my_list(struct request *req, json_t **out)
{
	json_t *list = json_array();
	const char *why = evidence_list(req->w->db, req->person_id, list);
	if (why != NULL) {
		json_decref(list);
		return why;
	}
	*out = list;
	return NULL;
}

void
h_my_evidence(struct request *req, struct response *r)
{
	json_t *list = NULL;
	if (req->person_id <= 0) {
		resp_error(req, r, "forbidden", NULL);
		return;
	}
	const char *why = my_list(req, &list);
	if (why != NULL) {
		resp_error(req, r, why, NULL);
		return;
	}
	resp_view(r, 200, json_pack("{s:s, s:o, s:{}, s:{}}", "page_title", "我的资格材料", "evidence",
	    list, "values", "errors"), "evidence");
}

void
h_evidence_declare(struct request *req, struct response *r)
{
	static const struct field_spec common[] = {
		{ "kind", F_CHOICE, true, 0, EVIDENCE_KINDS },
		{ "title", F_TEXT, true, 200, NULL },
	};
	const char *c[2];
	json_t *errors = json_array(), *out = NULL;
	struct evidence_in in = { 0 };

	if (req->person_id <= 0) {
		json_decref(errors);
		resp_error(req, r, "forbidden", NULL);
		return;
	}
	if (fields_validate(req, common, 2, c, errors) > 0) {
		form_fail(req, r, "evidence", "我的资格材料", "validation_failed", errors, typed(req));
		return;
	}
	in.kind = c[0];
	in.title = c[1];
	const char *kind = c[0];
	if (strcmp(kind, "education") == 0) {
		static const struct field_spec f[] = {
			{ "degree", F_CHOICE, true, 0, DEGREE_CHOICES },
			{ "on_date", F_DATE, true, 0, NULL },
		};
		const char *v[2];
		fields_validate(req, f, 2, v, errors);
		in.degree = v[0];
		in.on_date = v[1];
	} else if (strcmp(kind, "work") == 0) {
		static const struct field_spec f[] = {
			{ "started_on", F_DATE, true, 0, NULL },
			{ "on_date", F_DATE, false, 0, NULL },
		};
		const char *v[2];
		fields_validate(req, f, 2, v, errors);
		in.started_on = v[0];
		in.on_date = v[1];
		if (v[0] && v[1] && strcmp(v[1], v[0]) < 0)
			bad(errors, "on_date", "dates_invalid", "离职日期不能早于入职日期");
	} else if (strcmp(kind, "deal") == 0) {
		static const struct field_spec f[] = {
			{ "contract_type", F_CHOICE, true, 0, CONTRACT_TYPES },
			{ "deal_role", F_CHOICE, true, 0, "lead|participant" },
			{ "contract_amount", F_TEXT, true, 20, NULL },
			{ "received_amount", F_TEXT, true, 20, NULL },
			{ "registration_no", F_TEXT, true, 32, NULL },
			{ "on_date", F_DATE, true, 0, NULL },
		};
		const char *v[6];
		fields_validate(req, f, 6, v, errors);
		in.contract_type = v[0];
		in.deal_role = v[1];
		in.contract_amount = v[2];
		in.received_amount = v[3];
		in.registration_no = v[4];
		in.on_date = v[5];
		if (v[2] && !money_ok(v[2]))
			bad(errors, "contract_amount", "amount_invalid", "金额须为非负数（元，最多两位小数）");
		if (v[3] && !money_ok(v[3]))
			bad(errors, "received_amount", "amount_invalid", "金额须为非负数（元，最多两位小数）");
	} else {
		static const struct field_spec f[] = {
			{ "writing_kind", F_CHOICE, true, 0, "case_report|publication|policy_report|standard" },
			{ "on_date", F_DATE, true, 0, NULL },
		};
		const char *v[2];
		fields_validate(req, f, 2, v, errors);
		in.writing_kind = v[0];
		in.on_date = v[1];
	}
	char today[11];
	ymd_format(ymd_today_utc(), today);
	if (in.on_date && strcmp(in.on_date, today) > 0)
		bad(errors, "on_date", "date_in_future", "日期不能晚于今天");
	if (in.started_on && strcmp(in.started_on, today) > 0)
		bad(errors, "started_on", "date_in_future", "日期不能晚于今天");
	if (json_array_size(errors) > 0) {
		form_fail(req, r, "evidence", "我的资格材料", "validation_failed", errors, typed(req));
		return;
	}
	json_decref(errors);
	const char *why = evidence_declare(req->w->db, req->user_id, req->remote_addr, req->person_id,
	    &in, &out);
	if (why != NULL) {
		resp_error(req, r, why, NULL);
		return;
	}
	if (!req->api) {
		json_decref(out);
		resp_redirect(req, r, "/me/evidence");
		return;
	}
	resp_view(r, 201, out, NULL);
}

void
h_evidence_pending(struct request *req, struct response *r)
{
	json_t *list = json_array();
	const char *why = evidence_list(req->w->db, 0, list);
	if (why != NULL) {
		json_decref(list);
		resp_error(req, r, why, NULL);
		return;
	}
	resp_view(r, 200, json_pack("{s:s, s:o}", "page_title", "资格材料审核", "evidence", list),
	    "review_evidence");
}

void
h_evidence_review(struct request *req, struct response *r)
{
	static const struct field_spec f[] = {
		{ "status", F_CHOICE, true, 0, "verified|rejected" },
		{ "reason", F_TEXT, false, 200, NULL },
	};
	const char *v[2];
	json_t *errors = json_array(), *out = NULL;
	int64_t id = param_id(req, 0);
	fields_validate(req, f, 2, v, errors);
	if (v[0] && strcmp(v[0], "rejected") == 0 && v[1] == NULL)
		bad(errors, "reason", "reason_required", "驳回须说明原因");
	if (json_array_size(errors) > 0) {
		resp_error(req, r, "validation_failed", errors);
		return;
	}
	json_decref(errors);
	const char *why = id ? evidence_review(req->w->db, req->user_id, req->remote_addr, id, v[0],
	    v[1], &out) : "evidence_not_found";
	if (why != NULL) {
		resp_error(req, r, why, NULL);
		return;
	}
	if (!req->api) {
		json_decref(out);
		resp_redirect(req, r, "/review/evidence");
		return;
	}
	resp_view(r, 200, out, NULL);
}
