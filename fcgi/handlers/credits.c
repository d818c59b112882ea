#include <string.h>

#include "../../courses/date.h"
#include "../../courses/records.h"
#include "handlers.h"

/* Trainee pages need a person behind the login; staff accounts have none. */
static bool
need_person(struct request *req, struct response *r)
{
	if (req->person_id > 0)
		return true;
	resp_error(req, r, "forbidden", NULL);
	return false;
}

void
h_my_records(struct request *req, struct response *r)
{
	if (!need_person(req, r))
		return;
	json_t *list = json_array();
	const char *why = records_list(req->w->db, req->person_id, list);
	if (why != NULL) {
		json_decref(list);
		resp_error(req, r, why, NULL);
		return;
	}
	resp_view(r, 200, json_pack("{s:s, s:o, s:I}", "page_title", "我的培训记录", "records", list,
	    "count", (json_int_t)json_array_size(list)), "records");
}

void
h_my_credits(struct request *req, struct response *r)
{
	bool bad = false;
	int year = query_year(req, "year", ymd_today_utc().y, &bad);
	json_t *v = NULL;
	if (!need_person(req, r))
		return;
	if (bad) {
		resp_error(req, r, "validation_failed", json_pack("[{s:s, s:s, s:s}]", "field", "year",
		    "code", "year_invalid", "message", "年份须为 1990 至 9999 之间的整数"));
		return;
	}
	const char *why = credits_year(req->w->db, req->person_id, year, &v);
	if (why != NULL) {
		resp_error(req, r, why, NULL);
		return;
	}
	json_object_set_new(v, "page_title", json_string("继续教育学时"));
	json_object_set_new(v, "prev_year", json_integer(year - 1));
	json_object_set_new(v, "next_year", json_integer(year + 1));
	resp_view(r, 200, v, "credits");
}

void
h_my_statement(struct request *req, struct response *r)
{
	bool bad = false;
	int now = ymd_today_utc().y;
	int to = query_year(req, "to", now, &bad);
	int from = query_year(req, "from", to - 2, &bad);
	json_t *v = NULL;
	if (!need_person(req, r))
		return;
	if (bad) {
		resp_error(req, r, "statement_range_invalid", NULL);
		return;
	}
	const char *why = credits_statement(req->w->db, req->person_id, from, to, &v);
	if (why != NULL) {
		resp_error(req, r, why, NULL);
		return;
	}
	json_object_set_new(v, "page_title", json_string("继续教育学时证明"));
	json_object_set_new(v, "name", json_string(req->user_name ? req->user_name : ""));
	resp_view(r, 200, v, "statement");
}
