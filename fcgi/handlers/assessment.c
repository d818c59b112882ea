/*
 * Assessment: eligibility (trainee and reviewer views), level rules (admin), scores and
 * defence panels (reviewer), integrity events (admin). Domain work is in courses/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../certs/issue.h"
#include "../../courses/catalogue.h"
#include "../../courses/date.h"
#include "../../courses/eligibility.h"
#include "../../courses/eligibility_judge.h"
#include "../../courses/evidence.h"
#include "../../courses/integrity.h"
#include "../../courses/level_rules.h"
#include "../../courses/names.h"
#include "../../courses/panels.h"
#include "../../courses/person_levels.h"
#include "../../courses/scores.h"
#include "../epoch.h"
#include "../fields.h"
#include "handlers.h"

#define TM_MAX_QUEUE 100           /* candidates judged for one queue page */

static const char *const ALL_LEVELS[] = { "junior", "intermediate", "senior" };

/* After a change: JSON with the object, or back to a page for the HTML face. */
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

static void
fail_fields(struct request *req, struct response *r, const char *why, json_t *errors)
{
	if (json_array_size(errors) > 0 && strcmp(why, "validation_failed") == 0) {
		resp_error(req, r, why, errors);
		return;
	}
	json_decref(errors);
	resp_error(req, r, why, NULL);
}

/* The three checklists of a person on a date. */
static const char *
checklists(struct request *req, int64_t person_id, struct ymd on, json_t **out)
{
	json_t *levels = json_array();
	for (size_t i = 0; i < 3; i++) {
		json_t *c = NULL;
		const char *why = eligibility_checklist(req->w->db, person_id, ALL_LEVELS[i], on, &c);
		if (why != NULL) {
			json_decref(levels);
			return why;
		}
		json_array_append_new(levels, c);
	}
	*out = levels;
	return NULL;
}

void
h_my_eligibility(struct request *req, struct response *r)
{
	bool bad = false;
	const char *level = query_choice(req, "level", LEVEL_CHOICES, &bad);
	struct ymd today = ymd_today_utc();
	if (req->person_id <= 0) {
		resp_error(req, r, "forbidden", NULL);
		return;
	}
	if (bad || (req->api && level == NULL)) {
		resp_error(req, r, "bad_level", NULL);
		return;
	}
	if (req->api) {
		struct eligibility e;
		const char *why = eligible(req->w->db, req->person_id, level, today, &e);
		if (why != NULL) {
			resp_error(req, r, why, NULL);
			return;
		}
		resp_view(r, 200, eligibility_json(level, &e), NULL);
		return;
	}
	json_t *levels = NULL;
	const char *why = checklists(req, req->person_id, today, &levels);
	if (why != NULL) {
		resp_error(req, r, why, NULL);
		return;
	}
	char d[11];
	ymd_format(today, d);
	resp_view(r, 200, json_pack("{s:s, s:o, s:s}", "page_title", "申请资格自查", "levels", levels,
	    "on", d), "eligibility");
}

/* ------------------------------------------------------------------ level rules (admin) */

void
h_level_rules(struct request *req, struct response *r)
{
	json_t *list = json_array();
	const char *why = level_rules_list(req->w->db, list);
	if (why != NULL) {
		json_decref(list);
		resp_error(req, r, why, NULL);
		return;
	}
	json_t *fields = json_array();
	for (size_t i = 0; i < LR_NCOLS; i++)
		json_array_append_new(fields, json_string(lr_col_name(i)));
	resp_view(r, 200, json_pack("{s:s, s:o, s:o}", "page_title", "评价规则管理", "rules", list,
	    "fields", fields), "admin_level_rules");
}

void
h_level_rule_add(struct request *req, struct response *r)
{
	static const struct field_spec f[] = {
		{ "level", F_CHOICE, true, 0, LEVEL_CHOICES },
		{ "effective_from", F_DATE, true, 0, NULL },
		{ "note", F_TEXT, false, 200, NULL },
	};
	const char *v[3], *vals[LR_NCOLS];
	json_t *errors = json_array(), *out = NULL;
	fields_validate(req, f, 3, v, errors);
	for (size_t i = 0; i < LR_NCOLS; i++) {
		const char *s = kv_get(&req->fields, lr_col_name(i));
		/* an empty form input means "as before"; "none" clears a nullable setting */
		vals[i] = s != NULL && *s != '\0' ? s : NULL;
	}
	if (json_array_size(errors) > 0) {
		resp_error(req, r, "validation_failed", errors);
		return;
	}
	const char *why = level_rule_add(req->w->db, req->user_id, req->remote_addr, v[0], v[1], v[2],
	    vals, errors, &out);
	if (why != NULL) {
		fail_fields(req, r, why, errors);
		return;
	}
	json_decref(errors);
	done(req, r, 201, out, "/admin/level-rules");
}

/* ------------------------------------------------------------------ reviewer */

void
h_candidates(struct request *req, struct response *r)
{
	bool bad = false;
	const char *level = query_choice(req, "level", LEVEL_CHOICES, &bad);
	if (bad) {
		resp_error(req, r, "bad_level", NULL);
		return;
	}
	if (level == NULL)
		level = "junior";
	/* a reviewer looking for someone: an exact name narrows the queue */
	const char *name_q = kv_get(&req->query, "name");
	if (name_q != NULL && *name_q == '\0')
		name_q = NULL;
	/* candidates: anyone with training, scores or a panel at the level */
	int64_t ids[TM_MAX_QUEUE];
	size_t n = 0;
	struct db_val nq = name_q ? DBV_STR(name_q) : DBV_NULL;
	struct db_val v[] = { nq, nq, DBV_STR(level), DBV_STR(level), DBV_STR(level), DBV_STR(level),
		DBV_I64(TM_MAX_QUEUE) };
	struct db_out o[] = { DBO_I64() };
	struct db_iter it;
	enum db_rc rc = db_iter_start(req->w->db, &it, "SELECT p.id FROM persons p WHERE (? IS NULL OR p.name = ?) AND ("
	    " EXISTS (SELECT 1 FROM training_records t JOIN courses c ON c.id = t.course_id"
	    "  WHERE t.person_id = p.id AND c.level = ?)"
	    " OR EXISTS (SELECT 1 FROM exam_results x WHERE x.person_id = p.id AND x.level = ?)"
	    " OR EXISTS (SELECT 1 FROM assessment_scores s WHERE s.person_id = p.id AND s.level = ?)"
	    " OR EXISTS (SELECT 1 FROM defence_panels d WHERE d.person_id = p.id AND d.level = ?))"
	    " ORDER BY p.id DESC LIMIT ?", v, DB_N(v), o, 1);
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK)
		ids[n++] = o[0].i;
	db_iter_end(&it);
	if (rc != DB_NOROW) {
		db_fail(req, r, rc);
		return;
	}
	json_t *list = json_array();
	struct ymd today = ymd_today_utc();
	for (size_t i = 0; i < n; i++) {
		json_t *c = NULL;
		char name[204], employer[404];
		struct db_val pv[] = { DBV_I64(ids[i]) };
		struct db_out po[] = { DBO_STR(name), DBO_STR(employer) };
		const char *why = db_row(req->w->db, "SELECT name, employer FROM persons WHERE id = ?", pv,
		    1, po, 2) == DB_OK ? eligibility_checklist(req->w->db, ids[i], level, today, &c) :
		    "internal_error";
		if (why != NULL) {
			json_decref(list);
			resp_error(req, r, why, NULL);
			return;
		}
		json_object_set_new(c, "person_id", json_integer(ids[i]));
		json_object_set_new(c, "name", json_string(name));
		json_object_set_new(c, "employer", json_string(employer));
		json_object_set_new(c, "unmet_count", json_integer((json_int_t)json_array_size(
		    json_object_get(c, "unmet"))));
		json_array_append_new(list, c);
	}
	json_t *tabs = json_array();
	for (size_t i = 0; i < 3; i++)
		json_array_append_new(tabs, json_pack("{s:s, s:s, s:b}", "level", ALL_LEVELS[i], "name",
		    level_name(ALL_LEVELS[i]), "current", strcmp(level, ALL_LEVELS[i]) == 0));
	resp_view(r, 200, json_pack("{s:s, s:s, s:s, s:o, s:o, s:s}", "page_title", "候选人队列", "level",
	    level, "level_name", level_name(level), "candidates", list, "tabs", tabs, "name",
	    name_q ? name_q : ""),
	    "review_candidates");
}

void
h_candidate(struct request *req, struct response *r)
{
	int64_t pid = param_id(req, 0);
	char name[204], employer[404], created[32];
	struct db_val pv[] = { DBV_I64(pid) };
	struct db_out po[] = { DBO_STR(name), DBO_STR(employer), DBO_STR(created) };
	enum db_rc rc = db_row(req->w->db, "SELECT name, employer, DATE(created_at) FROM persons"
	    " WHERE id = ?", pv, 1, po, 3);
	if (rc == DB_NOROW || pid == 0) {
		resp_error(req, r, "not_found", NULL);
		return;
	}
	if (rc != DB_OK) {
		db_fail(req, r, rc);
		return;
	}
	json_t *levels = NULL, *ev = json_array(), *sc = json_array(), *pn = json_array(),
	    *ie = json_array();
	const char *why = checklists(req, pid, ymd_today_utc(), &levels);
	if (why == NULL)
		why = evidence_list(req->w->db, pid, ev);
	if (why == NULL)
		why = scores_list(req->w->db, pid, sc);
	if (why == NULL)
		why = panels_list(req->w->db, pid, pn);
	if (why == NULL)
		why = integrity_list(req->w->db, pid, ie);
	if (why != NULL) {
		json_decref(levels);
		json_decref(ev);
		json_decref(sc);
		json_decref(pn);
		json_decref(ie);
		resp_error(req, r, why, NULL);
		return;
	}
	json_t *pool = json_array();
	if ((why = experts_list(req->w->db, pool)) != NULL) {
		json_decref(pool);
		json_decref(levels);
		json_decref(ev);
		json_decref(sc);
		json_decref(pn);
		json_decref(ie);
		resp_error(req, r, why, NULL);
		return;
	}
	json_t *slots = json_array();
	for (int i = 1; i <= 7; i++)
		json_array_append_new(slots, json_pack("{s:i}", "n", i));
	resp_view(r, 200, json_pack("{s:s, s:I, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
	    "page_title", "候选人评价", "person_id", (json_int_t)pid, "name", name, "employer", employer,
	    "registered_on", created, "levels", levels, "evidence", ev, "scores", sc, "panels", pn,
	    "integrity_events", ie, "expert_slots", slots, "experts", pool), "review_candidate");
}

void
h_score_enter(struct request *req, struct response *r)
{
	static const struct field_spec f[] = {
		{ "person_id", F_UINT, true, INT64_MAX, NULL },
		{ "level", F_CHOICE, true, 0, LEVEL_CHOICES },
		{ "part", F_CHOICE, true, 0, "written|case" },
		{ "score", F_TEXT, true, 10, NULL },
		{ "assessed_on", F_DATE, true, 0, NULL },
	};
	const char *v[5];
	json_t *errors = json_array(), *out = NULL;
	if (fields_validate(req, f, 5, v, errors) > 0) {
		/* a score that is not text at all (a JSON number is text here) still names its field */
		resp_error(req, r, "validation_failed", errors);
		return;
	}
	int64_t pid = strtoll(v[0], NULL, 10);
	const char *why = score_enter(req->w->db, req->user_id, req->remote_addr, pid, v[1], v[2], v[3],
	    v[4], errors, &out);
	if (why != NULL) {
		fail_fields(req, r, why, errors);
		return;
	}
	json_decref(errors);
	char back[64];
	snprintf(back, sizeof(back), "/review/candidates/%lld", (long long)pid);
	done(req, r, 201, out, back);
}

void
h_panel_record(struct request *req, struct response *r)
{
	static const struct field_spec f[] = {
		{ "person_id", F_UINT, true, INT64_MAX, NULL },
		{ "level", F_CHOICE, false, 0, LEVEL_CHOICES },
		{ "held_on", F_DATE, true, 0, NULL },
		{ "supersedes", F_UINT, false, INT64_MAX, NULL },
		{ "supersede_reason", F_TEXT, false, 200, NULL },
	};
	const char *v[5];
	struct panel_expert_in ex[TM_MAX_PANEL + 1];
	size_t n = 0;
	char (*num)[24] = arena_alloc(req->a, sizeof(char[24]) * (TM_MAX_PANEL + 1) * 2);
	json_t *errors = json_array(), *out = NULL;

	if (num == NULL) {
		json_decref(errors);
		resp_error(req, r, "internal_error", NULL);
		return;
	}
	fields_validate(req, f, 5, v, errors);
	json_t *arr = req->json ? json_object_get(req->json, "experts") : NULL;
	if (req->json != NULL) {
		if (!json_is_array(arr))
			json_array_append_new(errors, json_pack("{s:s, s:s, s:s}", "field", "experts", "code",
			    "panel_too_small", "message", "须给出答辩专家列表（experts 数组）"));
		size_t i;
		json_t *e;
		json_array_foreach(arr, i, e) {
			if (n > TM_MAX_PANEL)
				break;
			json_t *p = json_object_get(e, "person_id"), *s = json_object_get(e, "score"),
			    *vo = json_object_get(e, "vote");
			struct panel_expert_in *x = &ex[n];
			memset(x, 0, sizeof *x);
			if (json_is_integer(p)) {
				snprintf(num[2 * n], 24, "%lld", (long long)json_integer_value(p));
				x->person_id = num[2 * n];
			} else if (json_is_string(p))
				x->person_id = json_string_value(p);
			if (json_is_integer(s) || json_is_real(s)) {
				/* shortest spelling of the number; score_parse checks range and decimals */
				if (json_is_integer(s))
					snprintf(num[2 * n + 1], 24, "%lld", (long long)json_integer_value(s));
				else
					snprintf(num[2 * n + 1], 24, "%.15g", json_real_value(s));
				x->score = num[2 * n + 1];
			} else if (json_is_string(s))
				x->score = json_string_value(s);
			x->vote = json_is_string(vo) ? json_string_value(vo) : NULL;
			n++;
		}
	} else {
		/* the form: expert_1..7 with score_N and vote_N; empty rows are left out */
		for (int i = 1; i <= 7; i++) {
			char k[32];
			snprintf(k, sizeof(k), "expert_%d", i);
			const char *p = kv_get(&req->fields, k);
			snprintf(k, sizeof(k), "score_%d", i);
			const char *s = kv_get(&req->fields, k);
			snprintf(k, sizeof(k), "vote_%d", i);
			const char *vo = kv_get(&req->fields, k);
			if ((p == NULL || !*p) && (s == NULL || !*s) && (vo == NULL || !*vo))
				continue;
			ex[n++] = (struct panel_expert_in){ p, s && *s ? s : NULL, vo && *vo ? vo : NULL };
		}
	}
	if (json_array_size(errors) > 0) {
		resp_error(req, r, "validation_failed", errors);
		return;
	}
	struct panel_in in = { .person_id = strtoll(v[0], NULL, 10), .level = v[1] ? v[1] : "senior",
		.held_on = v[2], .experts = ex, .nexperts = n,
		.supersedes = v[3] ? strtoll(v[3], NULL, 10) : 0, .reason = v[4] };
	const char *why = panel_record(req->w->db, req->user_id, req->remote_addr, &in, errors, &out);
	if (why != NULL) {
		fail_fields(req, r, why, errors);
		return;
	}
	json_decref(errors);
	char back[64];
	snprintf(back, sizeof(back), "/review/candidates/%lld", (long long)in.person_id);
	done(req, r, 201, out, back);
}

/* ------------------------------------------------------------------ integrity (admin) */

void
h_integrity_open(struct request *req, struct response *r)
{
	static const struct field_spec f[] = {
		{ "person_id", F_UINT, true, INT64_MAX, NULL },
		{ "opened_on", F_DATE, true, 0, NULL },
		{ "kind", F_TEXT, true, 32, NULL },
		{ "note", F_TEXT, false, 200, NULL },
	};
	const char *v[4];
	json_t *errors = json_array(), *out = NULL;
	if (fields_validate(req, f, 4, v, errors) > 0) {
		resp_error(req, r, "validation_failed", errors);
		return;
	}
	const char *why = integrity_open(req->w->db, req->user_id, req->remote_addr,
	    strtoll(v[0], NULL, 10), v[1], v[2], v[3], errors, &out);
	if (why != NULL) {
		fail_fields(req, r, why, errors);
		return;
	}
	json_decref(errors);
	/* the event drives the certificates: every valid one of the person is suspended */
	json_t *suspended = json_array();
	why = certs_suspend_for_integrity(req->w->db, req->user_id, req->remote_addr,
	    strtoll(v[0], NULL, 10), json_integer_value(json_object_get(out, "id")), suspended);
	if (json_array_size(suspended) > 0)
		host_epoch_bump(EPOCH_CERTS);
	json_object_set_new(out, "suspended_certificates", suspended);
	if (why != NULL) {
		json_decref(out);
		resp_error(req, r, why, NULL);
		return;
	}
	resp_view(r, 201, out, NULL);
}

void
h_integrity_close(struct request *req, struct response *r)
{
	static const struct field_spec f[] = {
		{ "closed_on", F_DATE, true, 0, NULL },
	};
	const char *v[1];
	json_t *errors = json_array(), *out = NULL;
	int64_t id = param_id(req, 0);
	if (fields_validate(req, f, 1, v, errors) > 0) {
		resp_error(req, r, "validation_failed", errors);
		return;
	}
	const char *why = id ? integrity_close(req->w->db, req->user_id, req->remote_addr, id, v[0],
	    errors, &out) : "integrity_not_found";
	if (why != NULL) {
		fail_fields(req, r, why, errors);
		return;
	}
	json_decref(errors);
	resp_view(r, 200, out, NULL);
}

void
h_person_level_declare(struct request *req, struct response *r)
{
	static const struct field_spec f[] = {
		{ "person_id", F_UINT, true, INT64_MAX, NULL },
		{ "level", F_CHOICE, true, 0, LEVEL_CHOICES },
		{ "held_since", F_DATE, true, 0, NULL },
	};
	const char *v[3];
	json_t *errors = json_array(), *out = NULL;
	if (fields_validate(req, f, 3, v, errors) > 0) {
		resp_error(req, r, "validation_failed", errors);
		return;
	}
	const char *why = person_level_declare(req->w->db, req->user_id, req->remote_addr,
	    strtoll(v[0], NULL, 10), v[1], v[2], errors, &out);
	if (why != NULL) {
		fail_fields(req, r, why, errors);
		return;
	}
	json_decref(errors);
	resp_view(r, 201, out, NULL);
}

void
h_experts(struct request *req, struct response *r)
{
	json_t *list = json_array();
	const char *why = experts_list(req->w->db, list);
	if (why != NULL) {
		json_decref(list);
		resp_error(req, r, why, NULL);
		return;
	}
	resp_view(r, 200, json_pack("{s:o}", "experts", list), NULL);
}
