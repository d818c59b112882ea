#include <string.h>

#include "../../courses/date.h"
#include "../../courses/records.h"
#include "../answer_cache.h"
#include "../limits.h"
#include "handlers.h"

/*
 * A trainee's ledger answers, per worker, for [credits] cache_seconds (fcgi/answer_cache.h):
 * a page and the calls it makes, or a trainee refreshing it, read the database once. Every
 * write served by this host (a base's upload, an admin's entry or correction) moves
 * EPOCH_WRITES and so shows at once; hours and rules changed on another host or in SQL show
 * within cache_seconds.
 */
static struct answer_slot credit_slots[TM_CREDITS_CACHE_SLOTS];
static struct answer_cache credit_answers = {
	credit_slots, TM_CREDITS_CACHE_SLOTS, EPOCH_WRITES
};

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
	unsigned ttl_ms = req->w->cfg->credits_cache_seconds * 1000u;
	uint64_t epoch;
	const struct answer_slot *s = answer_get(&credit_answers, req->person_id, year, ttl_ms,
	    &epoch);
	if (s != NULL && req->api) {
		char *body = arena_strndup(req->a, s->json, s->json_len);
		if (body != NULL) {
			r->status = 200;
			r->raw = body;
			r->raw_len = s->json_len;
			r->content_type = "application/json; charset=utf-8";
			return;
		}
	}
	if (s != NULL && (v = json_deep_copy(s->view)) != NULL) {
		resp_view(r, 200, v, "credits");
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
	(void)answer_put(&credit_answers, req->person_id, year, epoch, v, ttl_ms);
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
