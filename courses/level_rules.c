#include "level_rules.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../db/audit.h"
#include "catalogue.h"
#include "date.h"

/* snprintf that cuts long text on purpose (messages fit their fields; a cut is cosmetic) */
static void sfmt(char *, size_t, const char *, ...) __attribute__((format(printf, 3, 4)));

static void
sfmt(char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, cap, fmt, ap);
	va_end(ap);
}

enum col_kind {
	C_INT,        /* 0..max */
	C_INT_NULL,   /* 0..max, or "none" → NULL */
	C_HOURS,      /* 学时 in steps of 0.5, stored as half-hours */
	C_ENUM,       /* one of choices */
	C_ENUM_NULL,  /* one of choices, or "none" → NULL */
	C_SET,        /* comma-separated subset of choices, at least one */
	C_BOOL,       /* 0 or 1 */
};

static const struct lr_col {
	const char *name;     /* API field */
	const char *column;   /* SQL column */
	enum col_kind kind;
	long long max;
	const char *choices;
} COLS[LR_NCOLS] = {
	{ "min_education", "min_education", C_ENUM, 0, "none|high_school|associate|bachelor|master|doctor" },
	{ "work_years_associate", "work_years_associate", C_INT_NULL, 50, NULL },
	{ "work_years_bachelor", "work_years_bachelor", C_INT_NULL, 50, NULL },
	{ "work_years_master", "work_years_master", C_INT_NULL, 50, NULL },
	{ "work_years_doctor", "work_years_doctor", C_INT_NULL, 50, NULL },
	{ "prior_level", "prior_level", C_ENUM_NULL, 0, "junior|intermediate|senior" },
	{ "prior_years", "prior_years", C_INT, 50, NULL },
	{ "prior_or_work", "prior_or_work", C_BOOL, 1, NULL },
	{ "hours", "hours_x2", C_HOURS, 2000, NULL },
	{ "practical_hours", "practical_x2", C_HOURS, 2000, NULL },
	{ "all_compulsory", "all_compulsory", C_BOOL, 1, NULL },
	{ "deals_count", "deals_count", C_INT, 1000, NULL },
	{ "deals_role", "deals_role", C_ENUM, 0, "lead|participant" },
	{ "deals_amount", "deals_amount", C_INT, 100000000000LL, NULL },
	{ "deals_amount_basis", "deals_amount_basis", C_ENUM, 0, "contract|received" },
	{ "case_reports", "case_reports", C_INT, 20, NULL },
	{ "other_works", "other_works", C_INT, 20, NULL },
	{ "integrity_years", "integrity_years", C_INT, 20, NULL },
	{ "parts", "parts", C_SET, 0, "written|case|defence" },
	{ "pass_written", "pass_written", C_INT, 100, NULL },
	{ "pass_case", "pass_case", C_INT, 100, NULL },
	{ "pass_defence", "pass_defence", C_INT, 100, NULL },
	{ "panel_min", "panel_min", C_INT, 50, NULL },
	{ "panel_vote_num", "panel_vote_num", C_INT, 50, NULL },
	{ "panel_vote_den", "panel_vote_den", C_INT, 50, NULL },
	{ "valid_months", "valid_months", C_INT, 600, NULL },
};

#define NREAL LR_NCOLS

const char *
lr_col_name(size_t i)
{
	return i < NREAL ? COLS[i].name : "";
}

#define SEL_COLS "id, level, effective_from, min_education, work_years_associate," \
	" work_years_bachelor, work_years_master, work_years_doctor, prior_level, prior_years," \
	" prior_or_work, hours_x2, practical_x2, all_compulsory, deals_count, deals_role, deals_amount," \
	" deals_amount_basis, case_reports, other_works, integrity_years, parts, pass_written," \
	" pass_case, pass_defence, panel_min, panel_vote_num, panel_vote_den, valid_months," \
	" COALESCE(note, ''), created_at"

/* One row as text: [0] id, [1] level, [2] effective_from, [3 + i] COLS[i], note, created_at. */
struct lr_row {
	char v[NREAL + 5][64];
	char note[808];
	bool null[NREAL + 5];
	struct db_out o[NREAL + 5];
};

static void
row_init(struct lr_row *r)
{
	for (size_t i = 0; i < NREAL + 5; i++)
		r->o[i] = (struct db_out){ .t = DB_T_STR, .buf = r->v[i], .cap = sizeof(r->v[i]) };
	r->o[NREAL + 3] = (struct db_out){ .t = DB_T_STR, .buf = r->note, .cap = sizeof(r->note) };
}

static const char *
row_val(const struct lr_row *r, size_t i)
{
	return r->o[3 + i].is_null ? NULL : r->v[3 + i];
}

static int
num(const char *s)
{
	return s == NULL ? -1 : atoi(s);
}

static void
row_rule(const struct lr_row *r, struct level_rule *x)
{
	memset(x, 0, sizeof *x);
	ymd_parse_str(r->v[2], &x->effective_from);
	x->min_education = edu_parse(row_val(r, 0));
	for (int e = 0; e < EDU_N; e++)
		x->work_years[e] = -1;
	x->work_years[EDU_ASSOCIATE] = num(row_val(r, 1));
	x->work_years[EDU_BACHELOR] = num(row_val(r, 2));
	x->work_years[EDU_MASTER] = num(row_val(r, 3));
	x->work_years[EDU_DOCTOR] = num(row_val(r, 4));
	x->prior_level = lvl_parse(row_val(r, 5));
	x->prior_years = num(row_val(r, 6));
	x->prior_or_work = num(row_val(r, 7)) == 1;
	x->hours_x2 = num(row_val(r, 8));
	x->practical_x2 = num(row_val(r, 9));
	x->all_compulsory = num(row_val(r, 10)) == 1;
	x->deals_count = num(row_val(r, 11));
	x->deals_lead_only = strcmp(row_val(r, 12), "lead") == 0;
	x->deals_amount = strtoll(row_val(r, 13), NULL, 10);
	x->amount_received = strcmp(row_val(r, 14), "received") == 0;
	x->case_reports = num(row_val(r, 15));
	x->other_works = num(row_val(r, 16));
	x->integrity_years = num(row_val(r, 17));
	const char *parts = row_val(r, 18);
	x->parts = (strstr(parts, "written") ? PARTS_BIT(PART_WRITTEN) : 0) |
	    (strstr(parts, "case") ? PARTS_BIT(PART_CASE) : 0) |
	    (strstr(parts, "defence") ? PARTS_BIT(PART_DEFENCE) : 0);
	x->pass[PART_WRITTEN] = num(row_val(r, 19));
	x->pass[PART_CASE] = num(row_val(r, 20));
	x->pass[PART_DEFENCE] = num(row_val(r, 21));
	x->panel_min = num(row_val(r, 22));
	x->vote_num = num(row_val(r, 23));
	x->vote_den = num(row_val(r, 24));
	x->valid_months = num(row_val(r, 25));
}

const char *
level_rules_load(struct db *d, enum lvl level, struct level_rule *out, size_t cap, size_t *n)
{
	static const char *const names[] = { "", "junior", "intermediate", "senior" };
	struct lr_row r;
	struct db_iter it;
	struct db_val v[] = { DBV_STR(names[level]) };
	enum db_rc rc;

	*n = 0;
	row_init(&r);
	rc = db_iter_start(d, &it, "SELECT " SEL_COLS " FROM level_rules WHERE level = ?"
	    " ORDER BY effective_from DESC", v, 1, r.o, DB_N(r.o));
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK)
		if (*n < cap)   /* the newest versions: older ones cannot be in force on any later date */
			row_rule(&r, &out[(*n)++]);
	db_iter_end(&it);
	return rc == DB_NOROW ? NULL : db_code(rc);
}

static json_t *
row_json(const struct lr_row *r)
{
	json_t *o = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)strtoll(r->v[0], NULL, 10),
	    "level", r->v[1], "effective_from", r->v[2]);
	for (size_t i = 0; i < NREAL; i++) {
		const char *s = row_val(r, i);
		json_t *j;
		if (s == NULL)
			j = json_null();
		else if (COLS[i].kind == C_HOURS)
			j = json_hours(strtoll(s, NULL, 10));
		else if (COLS[i].kind == C_BOOL)
			j = json_boolean(atoi(s) != 0);
		else if (COLS[i].kind == C_INT || COLS[i].kind == C_INT_NULL)
			j = json_integer(strtoll(s, NULL, 10));
		else
			j = json_string(s);
		json_object_set_new(o, COLS[i].name, j);
	}
	json_object_set_new(o, "note", json_string(r->note));
	json_object_set_new(o, "created_at", json_string(r->v[NREAL + 4]));
	return o;
}

const char *
level_rules_list(struct db *d, json_t *out)
{
	struct lr_row r;
	struct db_iter it;
	enum db_rc rc;

	row_init(&r);
	rc = db_iter_start(d, &it, "SELECT " SEL_COLS " FROM level_rules"
	    " ORDER BY FIELD(level, 'junior', 'intermediate', 'senior'), effective_from DESC", NULL, 0,
	    r.o, DB_N(r.o));
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK)
		json_array_append_new(out, row_json(&r));
	db_iter_end(&it);
	return rc == DB_NOROW ? NULL : db_code(rc);
}

static void
bad(json_t *errors, const char *field, const char *code, const char *msg)
{
	json_array_append_new(errors, json_pack("{s:s, s:s, s:s}", "field", field, "code", code,
	    "message", msg));
}

static bool
in_choices(const char *v, size_t n, const char *choices)
{
	for (const char *c = choices; *c;) {
		size_t l = strcspn(c, "|");
		if (l == n && memcmp(c, v, n) == 0)
			return true;
		c += l + (c[l] == '|');
	}
	return false;
}

static bool
parse_int(const char *s, long long max, long long *out)
{
	if (*s == '\0' || strlen(s) > 12 || (s[0] == '0' && s[1] != '\0'))
		return false;
	long long v = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (*p - '0');
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

/* Checks one value; on success writes its SQL text into buf (or sets *is_null). */
static bool
col_value(const struct lr_col *c, const char *s, char *buf, size_t cap, bool *is_null, json_t *errors)
{
	long long v;
	char msg[120];
	*is_null = false;
	switch (c->kind) {
	case C_INT_NULL:
	case C_ENUM_NULL:
		if (strcmp(s, "none") == 0 || *s == '\0') {
			*is_null = true;
			return true;
		}
		if (c->kind == C_ENUM_NULL)
			goto choice;
		/* fall through */
	case C_INT:
	case C_BOOL:
		if (!parse_int(s, c->max, &v)) {
			sfmt(msg, sizeof(msg), "须为 0 到 %lld 的整数", c->max);
			bad(errors, c->name, "value_invalid", msg);
			return false;
		}
		sfmt(buf, cap, "%lld", v);
		return true;
	case C_HOURS: {
		const char *dot = strchr(s, '.');
		char whole[16];
		size_t wl = dot ? (size_t)(dot - s) : strlen(s);
		int half = 0;
		if (wl == 0 || wl >= sizeof(whole) || (dot && strcmp(dot, ".5") && strcmp(dot, ".0"))) {
			bad(errors, c->name, "hours_invalid", "学时须为 0.5 的整数倍");
			return false;
		}
		memcpy(whole, s, wl);
		whole[wl] = '\0';
		half = dot != NULL && dot[1] == '5';
		if (!parse_int(whole, c->max / 2, &v)) {
			bad(errors, c->name, "hours_invalid", "学时须为 0.5 的整数倍，且不超过 1000");
			return false;
		}
		sfmt(buf, cap, "%lld", v * 2 + half);
		return true;
	}
	case C_ENUM:
	choice:
		if (!in_choices(s, strlen(s), c->choices)) {
			sfmt(msg, sizeof(msg), "须为以下之一：%s", c->choices);
			bad(errors, c->name, "value_invalid", msg);
			return false;
		}
		sfmt(buf, cap, "%s", s);
		return true;
	case C_SET: {
		size_t n = 0;
		for (const char *p = s; *p;) {
			size_t l = strcspn(p, ",");
			if (l == 0 || !in_choices(p, l, c->choices)) {
				bad(errors, c->name, "value_invalid", "须为 written、case、defence 中的一项或多项，以逗号分隔");
				return false;
			}
			n++;
			p += l + (p[l] == ',');
		}
		if (n == 0) {
			bad(errors, c->name, "value_invalid", "至少需要一个评价环节");
			return false;
		}
		sfmt(buf, cap, "%s", s);
		return true;
	}
	}
	return false;
}

struct add_tx {
	const char *level, *from, *note;
	const char *const *vals;
	int64_t actor, id;
	const char *remote;
	json_t *errors;
	const char *why;
	char text[NREAL][64];
	bool null[NREAL];
};

static enum db_rc
add_tx(struct db *d, void *arg)
{
	struct add_tx *t = arg;
	struct lr_row r;
	enum db_rc rc;

	t->why = NULL;
	row_init(&r);
	/* The newest version, locked: two admins adding at once are serialised here. */
	struct db_val k[] = { DBV_STR(t->level) };
	rc = db_row(d, "SELECT " SEL_COLS " FROM level_rules WHERE level = ?"
	    " ORDER BY effective_from DESC LIMIT 1 FOR UPDATE", k, 1, r.o, DB_N(r.o));
	if (rc != DB_OK && rc != DB_NOROW)
		return rc;
	bool have_prev = rc == DB_OK;
	if (have_prev && strcmp(t->from, r.v[2]) <= 0) {
		char msg[160];
		sfmt(msg, sizeof(msg), "生效日期须晚于该等级已有的最新版本（%s 起）；规则只能新增版本，"
		    "不能覆盖或插入到已有版本之间", r.v[2]);
		bad(t->errors, "effective_from", "rule_overlap", msg);
		t->why = "validation_failed";
		return DB_ERR;
	}
	for (size_t i = 0; i < NREAL; i++) {
		if (t->vals[i] != NULL)
			continue;   /* checked before the transaction */
		if (!have_prev) {
			bad(t->errors, COLS[i].name, "required", "该等级尚无规则版本，须填写全部字段");
			t->why = "validation_failed";
			continue;
		}
		t->null[i] = r.o[3 + i].is_null;
		sfmt(t->text[i], sizeof(t->text[i]), "%s", r.v[3 + i]);
	}
	if (t->why != NULL)
		return DB_ERR;
	struct db_val v[NREAL + 4];
	v[0] = DBV_STR(t->level);
	v[1] = DBV_STR(t->from);
	for (size_t i = 0; i < NREAL; i++)
		v[2 + i] = t->null[i] ? DBV_NULL : DBV_STR(t->text[i]);
	v[NREAL + 2] = t->note ? DBV_STR(t->note) : DBV_NULL;
	v[NREAL + 3] = DBV_I64(t->actor);
	uint64_t id = 0;
	rc = db_exec(d, "INSERT INTO level_rules (level, effective_from, min_education,"
	    " work_years_associate, work_years_bachelor, work_years_master, work_years_doctor,"
	    " prior_level, prior_years, prior_or_work, hours_x2, practical_x2, all_compulsory,"
	    " deals_count, deals_role, deals_amount, deals_amount_basis, case_reports, other_works,"
	    " integrity_years, parts, pass_written, pass_case, pass_defence, panel_min, panel_vote_num,"
	    " panel_vote_den, valid_months, note, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
	    " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", v, DB_N(v), NULL, &id);
	if (rc == DB_DUP) {
		bad(t->errors, "effective_from", "rule_overlap", "该等级在此生效日期已有规则版本");
		t->why = "validation_failed";
		return DB_ERR;
	}
	if (rc != DB_OK)
		return rc;
	t->id = (int64_t)id;
	row_init(&r);
	struct db_val iv[] = { DBV_I64(t->id) };
	rc = db_row(d, "SELECT " SEL_COLS " FROM level_rules WHERE id = ?", iv, 1, r.o, DB_N(r.o));
	if (rc != DB_OK)
		return rc == DB_NOROW ? DB_ERR : rc;
	json_t *after = row_json(&r);
	rc = audit_id(d, t->actor, "level_rule.create", "level_rule", t->id, after, t->remote);
	json_decref(after);
	return rc;
}

const char *
level_rule_add(struct db *d, int64_t actor, const char *remote, const char *level,
    const char *effective_from, const char *note, const char *const vals[LR_NCOLS],
    json_t *errors, json_t **out)
{
	struct add_tx t;
	*out = NULL;
	memset(&t, 0, sizeof t);
	t.level = level;
	t.from = effective_from;
	t.note = note;
	t.vals = vals;
	t.actor = actor;
	t.remote = remote;
	t.errors = errors;
	size_t before = json_array_size(errors);
	for (size_t i = 0; i < NREAL; i++)
		if (vals[i] != NULL)
			col_value(&COLS[i], vals[i], t.text[i], sizeof(t.text[i]), &t.null[i], errors);
	/* Cross-field sense: a vote share above one and an empty panel cannot be met. */
	if (vals[23] && vals[24] && atoi(vals[23]) > atoi(vals[24]))
		bad(errors, "panel_vote_num", "value_invalid", "通过票比例的分子不能大于分母");
	if (vals[24] && strcmp(vals[24], "0") == 0)
		bad(errors, "panel_vote_den", "value_invalid", "通过票比例的分母须大于 0");
	if (vals[22] && strcmp(vals[22], "0") == 0)
		bad(errors, "panel_min", "value_invalid", "答辩专家人数须大于 0");
	if (json_array_size(errors) > before)
		return "validation_failed";
	enum db_rc rc = db_tx(d, add_tx, &t);
	if (rc != DB_OK)
		return t.why ? t.why : db_code(rc);
	json_t *list = json_array();
	const char *why = level_rules_list(d, list);
	if (why != NULL) {
		json_decref(list);
		return why;
	}
	size_t i;
	json_t *x;
	json_array_foreach(list, i, x)
		if (json_integer_value(json_object_get(x, "id")) == t.id) {
			*out = json_incref(x);
			break;
		}
	json_decref(list);
	return *out ? NULL : "internal_error";
}
