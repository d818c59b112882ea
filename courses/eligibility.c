/*
 * eligible(): gathers a person's facts as of a date and hands them to the pure judge
 * (eligibility_judge.c). Only SELECTs, so it can run inside the certificate-issue
 * transaction and see the same snapshot as the issue.
 */
#include "eligibility.h"

#include <stdio.h>
#include <string.h>

#include "catalogue.h"
#include "eligibility_judge.h"
#include "evidence.h"
#include "integrity.h"
#include "level_rules.h"
#include "panels.h"
#include "scores.h"

static const char *const LEVELS[] = { "", "junior", "intermediate", "senior" };

/* Hours at a base that teaches the level, in the level's catalogue, up to `on`. */
static const char *
training_facts(struct db *d, int64_t pid, enum lvl l, const char *on, struct person_facts *f)
{
	struct db_val v[] = { DBV_I64(pid), DBV_STR(LEVELS[l]), DBV_STR(on) };
	struct db_out o[] = { DBO_I64(), DBO_I64() };
	enum db_rc rc = db_row(d, "SELECT COALESCE(SUM(t.hours_x2), 0),"
	    " COALESCE(SUM(IF(c.practical = 1, t.hours_x2, 0)), 0)"
	    " FROM training_records t JOIN courses c ON c.id = t.course_id"
	    " JOIN bases b ON b.id = t.base_id"
	    " WHERE t.person_id = ? AND c.level = ? AND FIND_IN_SET(c.level, b.levels) > 0"
	    " AND t.completed_on <= ?", v, DB_N(v), o, DB_N(o));
	if (rc != DB_OK)
		return db_code(rc);
	f->hours_x2 = (int)o[0].i;
	f->practical_x2 = (int)o[1].i;

	/* A compulsory course counts once its net hours reach the course's hours. */
	char code[20];
	struct db_val cv[] = { DBV_I64(pid), DBV_STR(on), DBV_STR(LEVELS[l]) };
	struct db_out co[] = { DBO_STR(code), DBO_I64() };
	struct db_iter it;
	rc = db_iter_start(d, &it, "SELECT c.code, COALESCE(SUM(t.hours_x2), 0) >= c.hours_x2"
	    " FROM courses c LEFT JOIN (training_records t JOIN bases b ON b.id = t.base_id)"
	    " ON t.course_id = c.id AND t.person_id = ? AND t.completed_on <= ?"
	    " AND FIND_IN_SET(c.level, b.levels) > 0"
	    " WHERE c.level = ? AND c.compulsory = 1 GROUP BY c.id, c.code, c.hours_x2 ORDER BY c.code",
	    cv, DB_N(cv), co, DB_N(co));
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK) {
		if (co[1].i)
			continue;
		size_t used = strlen(f->missing_codes), need = strlen(code) + (used ? 2 : 0);
		if (used + need < sizeof(f->missing_codes) - 4)
			snprintf(f->missing_codes + used, sizeof(f->missing_codes) - used, "%s%s",
			    used ? ", " : "", code);
		else if (f->missing_codes[used - 1] != '.')
			snprintf(f->missing_codes + used, sizeof(f->missing_codes) - used, "...");
		f->compulsory_missing++;
	}
	db_iter_end(&it);
	return rc == DB_NOROW ? NULL : db_code(rc);
}

/* The rule's prior level, held (active) since the earliest such row. */
static const char *
prior_facts(struct db *d, int64_t pid, enum lvl prior, const char *on, struct person_facts *f)
{
	char since[12];
	struct db_val v[] = { DBV_I64(pid), DBV_STR(LEVELS[prior]), DBV_STR(on) };
	struct db_out o[] = { DBO_STR(since) };
	enum db_rc rc = db_row(d, "SELECT MIN(held_since) FROM person_levels WHERE person_id = ?"
	    " AND level = ? AND status = 'active' AND held_since <= ?", v, DB_N(v), o, 1);
	if (rc != DB_OK)
		return db_code(rc);
	f->has_prior = !o[0].is_null && ymd_parse_str(since, &f->prior_since);
	return NULL;
}

const char *
eligibility_facts(struct db *d, int64_t person_id, int level, struct ymd on,
    struct level_rule *rules, size_t *nrules, struct person_facts *f)
{
	enum lvl l = (enum lvl)level;
	char ons[11];
	const char *why;
	if (l < LVL_JUNIOR || l > LVL_SENIOR)
		return "bad_level";
	ymd_format(on, ons);
	memset(f, 0, sizeof *f);

	struct db_val pv[] = { DBV_I64(person_id) };
	struct db_out po[] = { DBO_I64() };
	enum db_rc rc = db_row(d, "SELECT id FROM persons WHERE id = ?", pv, 1, po, 1);
	if (rc == DB_NOROW)
		return "not_found";
	if (rc != DB_OK)
		return db_code(rc);
	if ((why = level_rules_load(d, l, rules, JUDGE_MAX_RULES, nrules)) != NULL)
		return why;
	const struct level_rule *r = level_rule_for(rules, *nrules, on);
	if ((why = evidence_facts(d, person_id, on, f)) != NULL ||
	    (why = training_facts(d, person_id, l, ons, f)) != NULL ||
	    (r && r->prior_level != LVL_NONE &&
	     (why = prior_facts(d, person_id, r->prior_level, ons, f)) != NULL) ||
	    (why = integrity_facts(d, person_id, on, f)) != NULL ||
	    (why = scores_facts(d, person_id, LEVELS[l], on, f)) != NULL ||
	    (why = panels_facts(d, person_id, LEVELS[l], on, f)) != NULL)
		return why;
	return NULL;
}

const char *
eligible(struct db *d, int64_t person_id, const char *level, struct ymd on,
    struct eligibility *out)
{
	enum lvl l = lvl_parse(level);
	struct level_rule rules[JUDGE_MAX_RULES];
	struct person_facts f;
	size_t n = 0;

	if (l == LVL_NONE)
		return "bad_level";
	memset(out, 0, sizeof *out);
	const char *why = eligibility_facts(d, person_id, l, on, rules, &n, &f);
	if (why != NULL)
		return why;
	judge(rules, n, l, on, &f, out);
	return NULL;
}

json_t *
eligibility_json(const char *level, const struct eligibility *e)
{
	json_t *unmet = json_array();
	for (size_t i = 0; i < e->n; i++)
		json_array_append_new(unmet, json_pack("{s:s, s:s, s:s, s:s}", "code", e->unmet[i].code,
		    "required", e->unmet[i].required, "actual", e->unmet[i].actual, "message",
		    e->unmet[i].message));
	return json_pack("{s:s, s:b, s:o}", "level", level, "eligible", e->eligible, "unmet", unmet);
}

/* Which checklist line an unmet code belongs to. */
static const char *
requirement_of(const char *code)
{
	static const char *const keys[] = { "education", "prior_level", "work_years",
		"training_hours", "practical_hours", "compulsory_course", "deals", "case_report",
		"written_work", "integrity", "written_exam", "case_analysis", "defence", "no_rules" };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strncmp(code, keys[i], strlen(keys[i])) == 0)
			return keys[i];
	return code;
}

const char *
eligibility_checklist(struct db *d, int64_t person_id, const char *level, struct ymd on,
    json_t **out)
{
	enum lvl l = lvl_parse(level);
	struct level_rule rules[JUDGE_MAX_RULES];
	struct person_facts f;
	struct eligibility e;
	size_t n = 0;
	char buf[160];

	if (l == LVL_NONE)
		return "bad_level";
	const char *why = eligibility_facts(d, person_id, l, on, rules, &n, &f);
	if (why != NULL)
		return why;
	judge(rules, n, l, on, &f, &e);
	const struct level_rule *r = level_rule_for(rules, n, on);
	json_t *items = json_array();
	struct { const char *key; bool applies; } req[] = {
		{ "education", r != NULL },
		{ "prior_level", r && r->prior_level != LVL_NONE },
		{ "work_years", r && (r->work_years[EDU_ASSOCIATE] > 0 || r->work_years[EDU_BACHELOR] > 0 ||
		    r->work_years[EDU_MASTER] > 0 || r->work_years[EDU_DOCTOR] > 0) },
		{ "training_hours", r && r->hours_x2 > 0 },
		{ "practical_hours", r && r->practical_x2 > 0 },
		{ "compulsory_course", r && r->all_compulsory },
		{ "deals", r && (r->deals_count > 0 || r->deals_amount > 0) },
		{ "case_report", r && r->case_reports > 0 },
		{ "written_work", r && r->other_works > 0 },
		{ "integrity", r != NULL },
		{ "written_exam", r && (r->parts & PARTS_BIT(PART_WRITTEN)) },
		{ "case_analysis", r && (r->parts & PARTS_BIT(PART_CASE)) },
		{ "defence", r && (r->parts & PARTS_BIT(PART_DEFENCE)) },
		{ "no_rules", r == NULL },
	};
	for (size_t i = 0; i < sizeof(req) / sizeof(req[0]); i++) {
		if (!req[i].applies)
			continue;
		const char *msg = NULL, *code = NULL;
		for (size_t k = 0; k < e.n; k++)
			if (strcmp(requirement_of(e.unmet[k].code), req[i].key) == 0) {
				msg = e.unmet[k].message;
				code = e.unmet[k].code;
				break;
			}
		if (msg == NULL && r != NULL) {
			/* met: say what was asked */
			switch (i) {
			case 0: snprintf(buf, sizeof(buf), "学历：%s及以上", edu_name(r->min_education)); break;
			case 1: snprintf(buf, sizeof(buf), "持有%s资格满 %d 年%s", lvl_name(r->prior_level),
			    r->prior_years, r->prior_or_work ? "（或从业经历）" : ""); break;
			case 2: snprintf(buf, sizeof(buf), "技术转移从业经历%s", r->prior_or_work ?
			    "（或持有前一等级资格）" : ""); break;
			case 3: snprintf(buf, sizeof(buf), "培训学时不少于 %d%s 学时", r->hours_x2 / 2,
			    r->hours_x2 % 2 ? ".5" : ""); break;
			case 4: snprintf(buf, sizeof(buf), "实训学时不少于 %d%s 学时", r->practical_x2 / 2,
			    r->practical_x2 % 2 ? ".5" : ""); break;
			case 5: snprintf(buf, sizeof(buf), "完成全部必修课程"); break;
			case 6: snprintf(buf, sizeof(buf), "技术合同业绩"); break;
			case 7: snprintf(buf, sizeof(buf), "案例报告 %d 篇", r->case_reports); break;
			case 8: snprintf(buf, sizeof(buf), "论文、政策研究报告或标准 %d 项", r->other_works); break;
			case 9: snprintf(buf, sizeof(buf), "近 %d 年无诚信事件", r->integrity_years); break;
			case 10: snprintf(buf, sizeof(buf), "笔试合格（%d 分）", r->pass[PART_WRITTEN]); break;
			case 11: snprintf(buf, sizeof(buf), "案例分析合格（%d 分）", r->pass[PART_CASE]); break;
			case 12: snprintf(buf, sizeof(buf), "答辩通过"); break;
			default: buf[0] = '\0';
			}
			msg = buf;
		}
		json_array_append_new(items, json_pack("{s:s, s:b, s:s, s:s}", "requirement", req[i].key,
		    "met", code == NULL, "code", code ? code : "", "message", msg ? msg : ""));
	}
	json_t *o = eligibility_json(level, &e);
	json_object_set_new(o, "level_name", json_string(lvl_name(l)));
	json_object_set_new(o, "checklist", items);
	if (r != NULL) {
		char ef[11];
		ymd_format(r->effective_from, ef);
		json_object_set_new(o, "rules_from", json_string(ef));
	}
	*out = o;
	return NULL;
}
