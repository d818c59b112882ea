#include "scores.h"

#include <stdio.h>
#include <string.h>

#include "../db/audit.h"
#include "catalogue.h"
#include "eligibility_judge.h"

bool
score_parse(const char *s, int *x100)
{
	int whole = 0, frac = 0, nd = 0;
	const char *p = s;
	if (s == NULL || *s == '\0' || strlen(s) > 6)
		return false;
	for (; *p >= '0' && *p <= '9'; p++)
		whole = whole * 10 + (*p - '0');
	if (p == s || (p - s > 1 && s[0] == '0'))
		return false;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9' && nd < 2; p++, nd++)
			frac = frac * 10 + (*p - '0');
		if (nd == 0)
			return false;
		if (nd == 1)
			frac *= 10;
	}
	if (*p != '\0')
		return false;
	int v = whole * 100 + frac;
	if (whole > 100 || v > 10000)
		return false;
	*x100 = v;
	return true;
}

static void
bad(json_t *errors, const char *field, const char *code, const char *msg)
{
	json_array_append_new(errors, json_pack("{s:s, s:s, s:s}", "field", field, "code", code,
	    "message", msg));
}

bool
assessment_date_ok(struct db *d, int64_t person_id, const char *field, const char *date,
    json_t *errors, const char **why)
{
	char reg[12];
	struct db_val v[] = { DBV_STR(date), DBV_I64(person_id) };
	struct db_out o[] = { DBO_I64(), DBO_I64(), DBO_STR(reg) };
	enum db_rc rc = db_row(d, "SELECT ? > UTC_DATE(), ? < DATE(created_at), DATE(created_at)"
	    " FROM persons WHERE id = ?", (struct db_val[]){ v[0], v[0], v[1] }, 3, o, 3);
	*why = NULL;
	if (rc != DB_OK) {
		*why = rc == DB_NOROW ? "person_not_found" : db_code(rc);
		return false;
	}
	if (o[0].i) {
		bad(errors, field, "date_in_future", "评价日期不能晚于今天");
		return false;
	}
	if (o[1].i) {
		char msg[120];
		snprintf(msg, sizeof(msg), "评价日期不能早于该学员的注册日期（%s）", reg);
		bad(errors, field, "date_before_registration", msg);
		return false;
	}
	return true;
}

struct enter_tx {
	int64_t actor, person_id, id;
	const char *remote, *level, *part, *score, *on;
};

static enum db_rc
enter_tx(struct db *d, void *arg)
{
	struct enter_tx *t = arg;
	uint64_t id = 0;
	struct db_val v[] = { DBV_I64(t->person_id), DBV_STR(t->level), DBV_STR(t->part),
		DBV_STR(t->score), DBV_STR(t->on), DBV_I64(t->actor) };
	enum db_rc rc = db_exec(d, "INSERT INTO assessment_scores (person_id, level, part, score,"
	    " assessed_on, entered_by) VALUES (?, ?, ?, ?, ?, ?)", v, DB_N(v), NULL, &id);
	if (rc != DB_OK)
		return rc;
	t->id = (int64_t)id;
	json_t *after = json_pack("{s:I, s:s, s:s, s:s, s:s}", "person_id", (json_int_t)t->person_id,
	    "level", t->level, "part", t->part, "score", t->score, "assessed_on", t->on);
	rc = audit_id(d, t->actor, "score.enter", "assessment_score", t->id, after, t->remote);
	json_decref(after);
	return rc;
}

const char *
score_enter(struct db *d, int64_t actor, const char *remote, int64_t person_id, const char *level,
    const char *part, const char *score, const char *assessed_on, json_t *errors, json_t **out)
{
	int x100;
	const char *why = NULL;
	bool ok = true;
	if (!score_parse(score, &x100)) {
		bad(errors, "score", "score_invalid", "成绩须为 0 到 100 之间的数字（最多两位小数）");
		ok = false;
	}
	if (!assessment_date_ok(d, person_id, "assessed_on", assessed_on, errors, &why))
		ok = false;
	if (why != NULL)
		return why;
	if (!ok)
		return "validation_failed";
	char canon[24];
	snprintf(canon, sizeof(canon), "%d.%02d", x100 / 100, x100 % 100);
	struct enter_tx t = { actor, person_id, 0, remote, level, part, canon, assessed_on };
	enum db_rc rc = db_tx(d, enter_tx, &t);
	if (rc != DB_OK)
		return db_code(rc);
	*out = json_pack("{s:I, s:I, s:s, s:s, s:f, s:s, s:s}", "id", (json_int_t)t.id, "person_id",
	    (json_int_t)person_id, "level", level, "part", part, "score", x100 / 100.0,
	    "assessed_on", assessed_on, "source", "reviewer");
	return NULL;
}

#define SCORES_SQL(extra) \
	"SELECT level, part, CAST(ROUND(score * 100) AS SIGNED), assessed_on, src FROM (" \
	" SELECT level, 'written' AS part, exam_score AS score, assessed_on, 'base' AS src" \
	"  FROM exam_results WHERE person_id = ?" extra \
	" UNION ALL SELECT level, 'case', case_score, assessed_on, 'base' FROM exam_results" \
	"  WHERE person_id = ? AND case_score IS NOT NULL" extra \
	" UNION ALL SELECT level, part, score, assessed_on, 'reviewer' FROM assessment_scores" \
	"  WHERE person_id = ?" extra \
	") s ORDER BY assessed_on DESC LIMIT ?"

const char *
scores_list(struct db *d, int64_t person_id, json_t *out)
{
	char level[16], part[16], on[12], src[16];
	struct db_val v[] = { DBV_I64(person_id), DBV_I64(person_id), DBV_I64(person_id),
		DBV_I64(JUDGE_MAX_RESULTS * PART_N) };
	struct db_out o[] = { DBO_STR(level), DBO_STR(part), DBO_I64(), DBO_STR(on), DBO_STR(src) };
	struct db_iter it;
	enum db_rc rc = db_iter_start(d, &it, SCORES_SQL(""), v, DB_N(v), o, DB_N(o));
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK)
		json_array_append_new(out, json_pack("{s:s, s:s, s:f, s:s, s:s}", "level", level,
		    "part", part, "score", o[2].i / 100.0, "assessed_on", on, "source", src));
	db_iter_end(&it);
	return rc == DB_NOROW ? NULL : db_code(rc);
}

const char *
scores_facts(struct db *d, int64_t person_id, const char *level, struct ymd on,
    struct person_facts *f)
{
	char lv[16], part[16], day[12], src[16], ons[11];
	ymd_format(on, ons);
	struct db_val v[] = { DBV_I64(person_id), DBV_STR(level), DBV_STR(ons), DBV_I64(person_id),
		DBV_STR(level), DBV_STR(ons), DBV_I64(person_id), DBV_STR(level), DBV_STR(ons),
		DBV_I64(JUDGE_MAX_RESULTS * 2) };
	struct db_out o[] = { DBO_STR(lv), DBO_STR(part), DBO_I64(), DBO_STR(day), DBO_STR(src) };
	struct db_iter it;
	enum db_rc rc = db_iter_start(d, &it, SCORES_SQL(" AND level = ? AND assessed_on <= ?"), v,
	    DB_N(v), o, DB_N(o));
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK) {
		if (f->nresults >= sizeof(f->results) / sizeof(f->results[0]))
			continue;
		struct part_result *x = &f->results[f->nresults++];
		memset(x, 0, sizeof *x);
		x->part = strcmp(part, "case") == 0 ? PART_CASE : PART_WRITTEN;
		ymd_parse_str(day, &x->on);
		x->score_x100 = (int)o[2].i;
	}
	db_iter_end(&it);
	return rc == DB_NOROW ? NULL : db_code(rc);
}
