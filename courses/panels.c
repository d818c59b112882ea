#include "panels.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../db/audit.h"
#include "catalogue.h"
#include "eligibility_judge.h"
#include "level_rules.h"
#include "scores.h"

static void
bad(json_t *errors, const char *field, const char *code, const char *msg)
{
	json_array_append_new(errors, json_pack("{s:s, s:s, s:s}", "field", field, "code", code,
	    "message", msg));
}

static bool
parse_id(const char *s, int64_t *out)
{
	int64_t v = 0;
	if (s == NULL || *s == '\0' || strlen(s) > 18 || s[0] == '0')
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return true;
}

/* Is the expert conflicted with the candidate? DB_NOROW: the expert is unknown. */
static enum db_rc
conflicted(struct db *d, int64_t expert, int64_t candidate, bool *yes)
{
	struct db_val v[] = { DBV_I64(candidate), DBV_I64(candidate), DBV_I64(candidate),
		DBV_I64(candidate), DBV_I64(expert), DBV_I64(candidate) };
	struct db_out o[] = { DBO_I64() };
	/* self, same employer, or tied to a base where the candidate trained or sat an exam */
	enum db_rc rc = db_row(d, "SELECT e.id = c.id OR (e.employer <> '' AND e.employer = c.employer)"
	    " OR EXISTS (SELECT 1 FROM bases b WHERE b.name = e.employer AND (b.id IN"
	    "  (SELECT base_id FROM training_records WHERE person_id = ?) OR b.id IN"
	    "  (SELECT base_id FROM exam_results WHERE person_id = ?)))"
	    " OR EXISTS (SELECT 1 FROM users u WHERE u.person_id = e.id AND u.base_id IS NOT NULL AND"
	    "  (u.base_id IN (SELECT base_id FROM training_records WHERE person_id = ?) OR"
	    "   u.base_id IN (SELECT base_id FROM exam_results WHERE person_id = ?)))"
	    " FROM persons e JOIN persons c WHERE e.id = ? AND c.id = ?", v, DB_N(v), o, 1);
	*yes = rc == DB_OK && o[0].i != 0;
	return rc;
}

struct rec_tx {
	const struct panel_in *in;
	int64_t actor, id;
	const char *remote, *why;
	int64_t ids[TM_MAX_PANEL];
	int x100[TM_MAX_PANEL];
};

static enum db_rc
rec_tx(struct db *d, void *arg)
{
	struct rec_tx *t = arg;
	const struct panel_in *in = t->in;
	enum db_rc rc;
	uint64_t id = 0;

	t->why = NULL;
	if (in->supersedes) {
		char lv[16];
		struct db_val k[] = { DBV_I64(in->supersedes) };
		struct db_out o[] = { DBO_I64(), DBO_STR(lv), DBO_I64() };
		rc = db_row(d, "SELECT person_id, level, EXISTS (SELECT 1 FROM defence_panels s"
		    " WHERE s.supersedes_id = p.id) FROM defence_panels p WHERE p.id = ? FOR UPDATE",
		    k, 1, o, 3);
		if (rc == DB_NOROW || (rc == DB_OK && (o[0].i != in->person_id ||
		    strcmp(lv, in->level) != 0))) {
			t->why = "panel_not_found";
			return DB_ERR;
		}
		if (rc != DB_OK)
			return rc;
		if (o[2].i) {
			t->why = "panel_superseded";
			return DB_ERR;
		}
	}
	struct db_val v[] = { DBV_I64(in->person_id), DBV_STR(in->level), DBV_STR(in->held_on),
		in->supersedes ? DBV_I64(in->supersedes) : DBV_NULL,
		in->supersedes ? DBV_STR(in->reason) : DBV_NULL, DBV_I64(t->actor) };
	rc = db_exec(d, "INSERT INTO defence_panels (person_id, level, held_on, supersedes_id,"
	    " supersede_reason, recorded_by) VALUES (?, ?, ?, ?, ?, ?)", v, DB_N(v), NULL, &id);
	if (rc == DB_DUP) {
		t->why = "panel_superseded";
		return DB_ERR;
	}
	if (rc != DB_OK)
		return rc;
	t->id = (int64_t)id;
	json_t *after = json_pack("{s:I, s:s, s:s, s:I, s:s?}", "person_id",
	    (json_int_t)in->person_id, "level", in->level, "held_on", in->held_on,
	    "supersedes", (json_int_t)in->supersedes, "reason", in->supersedes ? in->reason : NULL);
	rc = audit_id(d, t->actor, "panel.record", "defence_panel", t->id, after, t->remote);
	json_decref(after);
	for (size_t i = 0; rc == DB_OK && i < in->nexperts; i++) {
		char sc[24];
		snprintf(sc, sizeof(sc), "%d.%02d", t->x100[i] / 100, t->x100[i] % 100);
		struct db_val ev[] = { DBV_I64(t->id), DBV_I64(t->ids[i]), DBV_STR(sc),
			DBV_STR(in->experts[i].vote) };
		rc = db_exec(d, "INSERT INTO panel_experts (panel_id, expert_person_id, score, vote)"
		    " VALUES (?, ?, ?, ?)", ev, DB_N(ev), NULL, NULL);
		if (rc != DB_OK)
			break;
		/* one audit row per expert: who recorded which expert's score and vote */
		json_t *ea = json_pack("{s:I, s:I, s:s, s:s}", "panel_id", (json_int_t)t->id,
		    "expert_person_id", (json_int_t)t->ids[i], "score", sc, "vote", in->experts[i].vote);
		rc = audit_id(d, t->actor, "panel.expert", "defence_panel", t->id, ea, t->remote);
		json_decref(ea);
	}
	return rc;
}

static const char *
panel_get(struct db *d, int64_t id, json_t **out);

const char *
panel_record(struct db *d, int64_t actor, const char *remote, const struct panel_in *in,
    json_t *errors, json_t **out)
{
	struct rec_tx t;
	char f[48];
	const char *why = NULL;
	size_t before = json_array_size(errors);

	memset(&t, 0, sizeof t);
	*out = NULL;
	enum lvl l = lvl_parse(in->level);
	struct level_rule rules[JUDGE_MAX_RULES];
	size_t nrules = 0;
	struct ymd held;
	if (l == LVL_NONE)
		return "bad_level";
	if ((why = level_rules_load(d, l, rules, JUDGE_MAX_RULES, &nrules)) != NULL)
		return why;
	const struct level_rule *r = ymd_parse_str(in->held_on, &held) ?
	    level_rule_for(rules, nrules, held) : NULL;
	if (!assessment_date_ok(d, in->person_id, "held_on", in->held_on, errors, &why) && why)
		return why;
	if (r == NULL && json_array_size(errors) == before)
		bad(errors, "held_on", "no_rules", "该日期没有生效的评价规则");
	else if (r != NULL && !(r->parts & PARTS_BIT(PART_DEFENCE)))
		bad(errors, "level", "no_defence", "该等级的评价不含答辩");
	size_t need = r ? (size_t)r->panel_min : 5;
	if (in->nexperts < need) {
		char msg[120];
		snprintf(msg, sizeof(msg), "答辩专家不少于 %zu 人，当前 %zu 人", need, in->nexperts);
		bad(errors, "experts", "panel_too_small", msg);
	}
	if (in->nexperts > TM_MAX_PANEL) {
		bad(errors, "experts", "panel_too_large", "答辩专家人数过多");
		return "validation_failed";
	}
	for (size_t i = 0; i < in->nexperts; i++) {
		const struct panel_expert_in *e = &in->experts[i];
		snprintf(f, sizeof(f), "experts[%zu].person_id", i);
		if (!parse_id(e->person_id, &t.ids[i])) {
			bad(errors, f, "expert_invalid", "专家须为人员记录编号");
			continue;
		}
		bool dup = false;
		for (size_t k = 0; k < i; k++)
			dup |= t.ids[k] == t.ids[i];
		if (dup) {
			bad(errors, f, "expert_duplicate", "同一专家不能重复出现在答辩组中");
			continue;
		}
		bool conf = false;
		enum db_rc rc = conflicted(d, t.ids[i], in->person_id, &conf);
		if (rc == DB_NOROW)
			bad(errors, f, "expert_unknown", "该专家不存在");
		else if (rc != DB_OK)
			return db_code(rc);
		else if (conf)
			bad(errors, f, "expert_conflict", "该专家与候选人存在利益冲突（本人、同一单位或候选人所在培养基地）");
		snprintf(f, sizeof(f), "experts[%zu].score", i);
		bool has_score = e->score != NULL && *e->score != '\0';
		if (!has_score)
			bad(errors, f, "score_missing", "每位专家须同时给出评分和表决（有表决无评分）");
		else if (!score_parse(e->score, &t.x100[i]))
			bad(errors, f, "score_invalid", "评分须为 0 到 100 之间的数字（最多两位小数）");
		snprintf(f, sizeof(f), "experts[%zu].vote", i);
		if (e->vote == NULL || (strcmp(e->vote, "pass") && strcmp(e->vote, "fail")))
			bad(errors, f, "vote_invalid", "表决须为 pass（通过）或 fail（不通过）");
	}
	if (in->supersedes && (in->reason == NULL || *in->reason == '\0'))
		bad(errors, "supersede_reason", "reason_required", "替代已记录的答辩结果须说明原因");
	if (json_array_size(errors) > before)
		return "validation_failed";
	t.in = in;
	t.actor = actor;
	t.remote = remote;
	enum db_rc rc = db_tx(d, rec_tx, &t);
	if (rc != DB_OK)
		return t.why ? t.why : db_code(rc);
	return panel_get(d, t.id, out);
}

#define PANEL_SQL "SELECT p.id, p.person_id, p.level, p.held_on, COALESCE(p.supersedes_id, 0)," \
	" COALESCE(p.supersede_reason, ''), EXISTS (SELECT 1 FROM defence_panels s" \
	" WHERE s.supersedes_id = p.id), p.created_at FROM defence_panels p"

struct panel_row {
	char level[16], held[12], reason[808], created[32];
	struct db_out o[8];
};

static void
panel_init(struct panel_row *r)
{
	struct db_out o[] = { DBO_I64(), DBO_I64(), DBO_STR(r->level), DBO_STR(r->held), DBO_I64(),
		DBO_STR(r->reason), DBO_I64(), DBO_STR(r->created) };
	memcpy(r->o, o, sizeof(o));
}

/* The panel with its experts and its result under the rules of its day. */
static const char *
panel_json(struct db *d, const struct panel_row *r, json_t **out)
{
	char name[204], employer[404], vote[8];
	struct db_val v[] = { DBV_I64(r->o[0].i) };
	struct db_out o[] = { DBO_I64(), DBO_STR(name), DBO_STR(employer), DBO_I64(), DBO_STR(vote) };
	struct db_iter it;
	json_t *experts = json_array();
	int n = 0, sum = 0, votes = 0;
	enum db_rc rc = db_iter_start(d, &it, "SELECT e.expert_person_id, p.name, p.employer,"
	    " CAST(ROUND(e.score * 100) AS SIGNED), e.vote FROM panel_experts e"
	    " JOIN persons p ON p.id = e.expert_person_id WHERE e.panel_id = ? ORDER BY p.id",
	    v, 1, o, DB_N(o));
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK) {
		n++;
		sum += (int)o[3].i;
		votes += strcmp(vote, "pass") == 0;
		json_array_append_new(experts, json_pack("{s:I, s:s, s:s, s:f, s:s}", "person_id",
		    (json_int_t)o[0].i, "name", name, "employer", employer, "score", o[3].i / 100.0,
		    "vote", vote));
	}
	db_iter_end(&it);
	if (rc != DB_NOROW) {
		json_decref(experts);
		return db_code(rc);
	}
	struct level_rule rules[JUDGE_MAX_RULES];
	size_t nrules = 0;
	struct ymd held;
	const char *why = level_rules_load(d, lvl_parse(r->level), rules, JUDGE_MAX_RULES, &nrules);
	if (why != NULL) {
		json_decref(experts);
		return why;
	}
	ymd_parse_str(r->held, &held);
	const struct level_rule *rule = level_rule_for(rules, nrules, held);
	bool pass = rule && panel_passes(rule, n, sum, votes);
	*out = json_pack("{s:I, s:I, s:s, s:s, s:o, s:i, s:f, s:i, s:s, s:b, s:s}", "id",
	    (json_int_t)r->o[0].i, "person_id", (json_int_t)r->o[1].i, "level", r->level, "held_on",
	    r->held, "experts", experts, "expert_count", n, "mean", n ? (double)sum / n / 100.0 : 0.0,
	    "pass_votes", votes, "result", pass ? "pass" : "fail", "superseded", r->o[6].i != 0,
	    "recorded_at", r->created);
	if (r->o[4].i) {
		json_object_set_new(*out, "supersedes", json_integer(r->o[4].i));
		json_object_set_new(*out, "supersede_reason", json_string(r->reason));
	}
	return NULL;
}

static const char *
panel_get(struct db *d, int64_t id, json_t **out)
{
	struct panel_row r;
	struct db_val v[] = { DBV_I64(id) };
	panel_init(&r);
	enum db_rc rc = db_row(d, PANEL_SQL " WHERE p.id = ?", v, 1, r.o, DB_N(r.o));
	if (rc == DB_NOROW)
		return "panel_not_found";
	if (rc != DB_OK)
		return db_code(rc);
	return panel_json(d, &r, out);
}

const char *
panels_list(struct db *d, int64_t person_id, json_t *out)
{
	struct panel_row r;
	struct db_val v[] = { DBV_I64(person_id) };
	struct db_iter it;
	int64_t ids[32];
	size_t n = 0;
	panel_init(&r);
	/* ids first: panel_json runs its own queries, which cannot interleave with this one */
	enum db_rc rc = db_iter_start(d, &it, "SELECT id FROM defence_panels WHERE person_id = ?"
	    " ORDER BY held_on DESC, id DESC LIMIT 32", v, 1, r.o, 1);
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK)
		ids[n++] = r.o[0].i;
	db_iter_end(&it);
	if (rc != DB_NOROW)
		return db_code(rc);
	for (size_t i = 0; i < n; i++) {
		json_t *p = NULL;
		const char *why = panel_get(d, ids[i], &p);
		if (why != NULL)
			return why;
		json_array_append_new(out, p);
	}
	return NULL;
}

const char *
panels_facts(struct db *d, int64_t person_id, const char *level, struct ymd on,
    struct person_facts *f)
{
	char held[12], ons[11];
	ymd_format(on, ons);
	struct db_val v[] = { DBV_I64(person_id), DBV_STR(level), DBV_STR(ons),
		DBV_I64(JUDGE_MAX_RESULTS) };
	struct db_out o[] = { DBO_STR(held), DBO_I64(), DBO_I64(), DBO_I64() };
	struct db_iter it;
	enum db_rc rc = db_iter_start(d, &it, "SELECT p.held_on, COUNT(*),"
	    " CAST(SUM(ROUND(e.score * 100)) AS SIGNED), CAST(SUM(e.vote = 'pass') AS SIGNED)"
	    " FROM defence_panels p JOIN panel_experts e ON e.panel_id = p.id"
	    " WHERE p.person_id = ? AND p.level = ? AND p.held_on <= ?"
	    " AND NOT EXISTS (SELECT 1 FROM defence_panels s WHERE s.supersedes_id = p.id)"
	    " GROUP BY p.id, p.held_on ORDER BY p.held_on DESC LIMIT ?", v, DB_N(v), o, DB_N(o));
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK) {
		if (f->nresults >= sizeof(f->results) / sizeof(f->results[0]))
			continue;
		struct part_result *x = &f->results[f->nresults++];
		memset(x, 0, sizeof *x);
		x->part = PART_DEFENCE;
		ymd_parse_str(held, &x->on);
		x->experts = (int)o[1].i;
		x->sum_x100 = (int)o[2].i;
		x->pass_votes = (int)o[3].i;
		x->score_x100 = x->experts ? x->sum_x100 / x->experts : 0;
	}
	db_iter_end(&it);
	return rc == DB_NOROW ? NULL : db_code(rc);
}
