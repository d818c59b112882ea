#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../courses/catalogue.h"
#include "../../courses/enrolment.h"
#include "../../courses/names.h"
#include "../fields.h"
#include "handlers.h"

void
h_courses(struct request *req, struct response *r)
{
	bool bad = false;
	const char *level = query_choice(req, "level", LEVEL_CHOICES, &bad);
	const char *module = query_choice(req, "module", MODULE_CHOICES, &bad);
	if (bad) {
		resp_error(req, r, "validation_failed", json_pack("[{s:s, s:s, s:s}]", "field",
		    "level/module", "code", "choice_invalid", "message",
		    "等级须为 junior/intermediate/senior，模块须为 PUB/POL/PRA/ADV"));
		return;
	}
	json_t *list = json_array();
	const char *why = catalogue_list(req->w->db, level, module, list);
	if (why != NULL) {
		json_decref(list);
		resp_error(req, r, why, NULL);
		return;
	}
	/* Filter links for the page: each level and module, the current one marked. */
	json_t *levels = json_array(), *modules = json_array();
	static const char *lv[] = { "junior", "intermediate", "senior" };
	static const char *md[] = { "PUB", "POL", "PRA", "ADV" };
	for (size_t i = 0; i < 3; i++)
		json_array_append_new(levels, json_pack("{s:s, s:s, s:b}", "value", lv[i], "name",
		    level_name(lv[i]), "current", level && strcmp(level, lv[i]) == 0));
	for (size_t i = 0; i < 4; i++)
		json_array_append_new(modules, json_pack("{s:s, s:s, s:b, s:s?}", "value", md[i],
		    "name", module_name(md[i]), "current", module && strcmp(module, md[i]) == 0,
		    "level", level));
	resp_view(r, 200, json_pack("{s:s, s:o, s:I, s:o, s:o, s:s?, s:s?}", "page_title", "课程目录",
	    "courses", list, "count", (json_int_t)json_array_size(list), "levels", levels,
	    "modules", modules, "level", level, "module", module), "courses");
}

void
h_course(struct request *req, struct response *r)
{
	json_t *c = NULL;
	const char *why = course_get(req->w->db, req->params[0], req->person_id, &c);
	if (why != NULL) {
		resp_error(req, r, why, NULL);
		return;
	}
	const char *done = kv_get(&req->query, "done");
	json_object_set(c, "page_title", json_object_get(c, "title"));
	if (done != NULL && (strcmp(done, "enrolled") == 0 || strcmp(done, "withdrawn") == 0))
		json_object_set_new(c, "notice", json_string(strcmp(done, "enrolled") == 0 ?
		    "报名成功" : "已退出该班次"));
	json_object_set_new(c, "logged_in", json_boolean(req->user_id > 0));
	json_object_set_new(c, "trainee", json_boolean(req->person_id > 0));
	resp_view(r, 200, c, "course");
}

static const struct field_spec enrol_fields[] = {
	{ "offering_id", F_UINT, true, 0x7fffffff, NULL },
};

static void
enrol_answer(struct request *req, struct response *r, const char *why, const char *course,
    int64_t oid, bool withdrawing)
{
	if (why != NULL) {
		resp_error(req, r, why, NULL);
		return;
	}
	if (!req->api) {
		char loc[96];
		snprintf(loc, sizeof(loc), "/courses/%s?done=%s", course,
		    withdrawing ? "withdrawn" : "enrolled");
		resp_redirect(req, r, loc);
		return;
	}
	resp_view(r, withdrawing ? 200 : 201, json_pack("{s:I, s:s, s:s}", "offering_id",
	    (json_int_t)oid, "course_code", course, "status", withdrawing ? "withdrawn" : "enrolled"),
	    NULL);
}

void
h_enrol(struct request *req, struct response *r)
{
	const char *v[1];
	char course[20] = "";
	json_t *errors = json_array();
	if (fields_validate(req, enrol_fields, 1, v, errors) > 0) {
		resp_error(req, r, "validation_failed", errors);
		return;
	}
	json_decref(errors);
	int64_t oid = strtoll(v[0], NULL, 10);
	const char *why = enrol(req->w->db, req->user_id, req->person_id, oid, req->remote_addr,
	    course, sizeof(course));
	enrol_answer(req, r, why, course, oid, false);
}

void
h_withdraw(struct request *req, struct response *r)
{
	char course[20] = "";
	int64_t oid = param_id(req, 0);
	const char *why = oid ? withdraw(req->w->db, req->user_id, req->person_id, oid,
	    req->remote_addr, course, sizeof(course)) : "offering_not_found";
	enrol_answer(req, r, why, course, oid, true);
}
