#include "batches.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../db/audit.h"
#include "catalogue.h"
#include "contact.h"
#include "csvin.h"
#include "date.h"
#include "idnumber.h"
#include "ledger_years.h"
#include "text.h"
#include "trainees.h"

struct rowerr {
	uint32_t row, seq;
	char col[24];
	const char *code, *msg;
};

_Static_assert(sizeof(((struct batch_row *)0)->enc) == ID_ENC_BYTES, "batch_row.enc");

struct run {
	struct db *db;
	const struct tm_keys *keys;
	const struct batch_req *in;
	int64_t run_id;
	int pos[COL__MAX];
	bool header_ok;
	const char *fatal;              /* an error that ends the upload (header, db) */
	char fatal_col[64];
	size_t rows, bad_rows;
	struct rowerr *errs;
	size_t nerr, errcap, errors_total;
	struct batch_row *chunk;
	size_t nchunk;
	struct bdirect *direct;         /* hours in atomic mode: no staging (batch_direct.c) */
	size_t direct_bad;
	crypto_hash_sha256_state sha;
	struct ymd today;
};

/* zh-CN messages of the row codes found by the set checks. */
static const struct { const char *code, *msg; } sql_msgs[] = {
	{ "person_unknown", "该身份证号未在平台登记，请先上传花名册" },
	{ "name_mismatch", "姓名与平台登记的信息不一致" },
	{ "course_unknown", "课程代码不存在" },
	{ "course_level_not_at_base", "该课程的等级不在本基地的培训范围内" },
	{ "level_not_at_base", "该等级不在本基地的培训范围内" },
	{ "row_duplicate", "与文件中前面的一行重复" },
	{ "hours_over_daily_cap", "同一学员同一天的学时超过每日上限" },
};

static const char *
sql_msg(const char *code)
{
	for (size_t i = 0; i < sizeof(sql_msgs) / sizeof(sql_msgs[0]); i++)
		if (strcmp(sql_msgs[i].code, code) == 0)
			return sql_msgs[i].msg;
	return "无效";
}

static void
add_err(struct run *r, size_t row, const char *col, const char *code, const char *msg)
{
	r->errors_total++;
	if (r->nerr == TM_MAX_BATCH_ERRORS_KEPT)
		return;
	if (r->nerr == r->errcap) {
		size_t cap = r->errcap ? r->errcap * 2 : 64;
		if (cap > TM_MAX_BATCH_ERRORS_KEPT)
			cap = TM_MAX_BATCH_ERRORS_KEPT;
		struct rowerr *n = realloc(r->errs, cap * sizeof(*n));
		if (n == NULL)
			return;
		r->errs = n;
		r->errcap = cap;
	}
	struct rowerr *e = &r->errs[r->nerr];
	e->row = (uint32_t)row;
	e->seq = (uint32_t)r->nerr;
	snprintf(e->col, sizeof(e->col), "%s", col);
	e->code = code;
	e->msg = msg;
	r->nerr++;
}

/* A field of the row by column, trimmed; NULL when absent or empty. */
static const char *
field(struct run *r, const char *const *f, const size_t *lens, size_t n, enum batch_col c,
    char *buf, size_t cap)
{
	int i = r->pos[c];
	if (i < 0 || (size_t)i >= n)
		return NULL;
	const char *s = f[i];
	size_t l = lens[i];
	while (l > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		l--;
	}
	while (l > 0 && (s[l - 1] == ' ' || s[l - 1] == '\t'))
		l--;
	if (l == 0 || l >= cap)
		return l == 0 ? NULL : "";
	memcpy(buf, s, l);
	buf[l] = '\0';
	return buf;
}

/* Excel writes dates as 2025-03-09 or 2025/3/9: accept both, store ISO. */
static bool
parse_day(const char *s, char out[11], struct ymd today)
{
	int y, m, d;
	char sep1, sep2, extra;
	struct ymd v;
	if (sscanf(s, "%4d%c%2d%c%2d%c", &y, &sep1, &m, &sep2, &d, &extra) != 5 || sep1 != sep2 ||
	    (sep1 != '-' && sep1 != '/'))
		return false;
	v = (struct ymd){ y, m, d };
	if (y < 1990 || !ymd_valid(v) || ymd_cmp(v, today) > 0)
		return false;
	ymd_format(v, out);
	return true;
}

static bool
parse_hours(const char *s, int64_t *x2)
{
	char *end;
	if (s[0] < '0' || s[0] > '9')
		return false;
	double h = strtod(s, &end);
	if (*end != '\0' || h <= 0 || h > 24)
		return false;
	double twice = h * 2;
	if (twice != (double)(int64_t)twice)
		return false;
	*x2 = (int64_t)twice;
	return true;
}

static bool
parse_score(const char *s, char out[12])
{
	size_t n = strlen(s), dot = strcspn(s, ".");
	if (n == 0 || n > 6 || strspn(s, "0123456789.") != n || dot == 0 ||
	    (dot < n && (n - dot - 1 == 0 || n - dot - 1 > 2 || strchr(s + dot + 1, '.'))))
		return false;
	double v = strtod(s, NULL);
	if (v < 0 || v > 100)
		return false;
	snprintf(out, 12, "%s", s);
	return true;
}

static const char *
level_norm(const char *s)
{
	if (!strcmp(s, "junior") || !strcmp(s, "初级")) return "junior";
	if (!strcmp(s, "intermediate") || !strcmp(s, "中级")) return "intermediate";
	if (!strcmp(s, "senior") || !strcmp(s, "高级")) return "senior";
	return NULL;
}

static enum db_rc flush(struct run *);

/* Checks one data row in C; a good one joins the chunk. */
static void
take_row(struct run *r, size_t row, const char *const *f, const size_t *lens, size_t n)
{
	char b[TM_MAX_BATCH_FIELD + 1], canon[19];
	struct batch_row *s = &r->chunk[r->nchunk];
	size_t before = r->errors_total;
	const char *v;

	r->rows++;
	memset(s, 0, sizeof(*s));
	s->row_no = (int64_t)row;
	v = field(r, f, lens, n, COL_ID_NUMBER, b, sizeof(b));
	if (v == NULL)
		add_err(r, row, "id_number", "required", "请填写身份证号");
	else {
		enum id_err e = id_validate(v, strlen(v), r->today, canon);
		if (e != ID_OK)
			add_err(r, row, "id_number", id_err_code(e), id_err_message(e));
		else {
			blind_hash(r->keys, "id", canon, 18, s->blind);
			if (r->in->kind == BK_ROSTER) {
				id_encrypt(r->keys, canon, s->enc);
				s->has_enc = true;
			}
			sodium_memzero(canon, sizeof(canon));
		}
	}
	v = field(r, f, lens, n, COL_NAME, b, sizeof(b));
	if (v == NULL)
		add_err(r, row, "name", "required", "请填写姓名");
	else if (!text_person_name(v, strlen(v), 50))
		add_err(r, row, "name", "name_invalid", "姓名无效");
	else
		snprintf(s->name, sizeof(s->name), "%s", v);

	switch (r->in->kind) {
	case BK_ROSTER:
		if ((v = field(r, f, lens, n, COL_PHONE, b, sizeof(b))) != NULL) {
			if (!contact_phone_valid(v, strlen(v)))
				add_err(r, row, "phone", "phone_invalid", "手机号无效");
			else
				snprintf(s->phone, sizeof(s->phone), "%s", v);
		}
		if ((v = field(r, f, lens, n, COL_EMAIL, b, sizeof(b))) != NULL &&
		    !contact_email_valid(v, strlen(v), s->email, sizeof(s->email)))
			add_err(r, row, "email", "email_invalid", "邮箱格式不正确");
		if ((v = field(r, f, lens, n, COL_EMPLOYER, b, sizeof(b))) != NULL) {
			if (utf8_chars(v, strlen(v)) > 100 || !text_printable(v, strlen(v), false))
				add_err(r, row, "employer", "text_invalid", "工作单位过长或含无效字符");
			else
				snprintf(s->employer, sizeof(s->employer), "%s", v);
		}
		break;
	case BK_HOURS:
		if ((v = field(r, f, lens, n, COL_COURSE_CODE, b, sizeof(b))) == NULL)
			add_err(r, row, "course_code", "required", "请填写课程代码");
		else if (strlen(v) > 16 || strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-") != strlen(v))
			add_err(r, row, "course_code", "course_unknown", "课程代码不存在");
		else
			for (size_t i = 0; i <= strlen(v); i++)
				s->course[i] = (char)((v[i] >= 'a' && v[i] <= 'z') ? v[i] - 32 : v[i]);
		if ((v = field(r, f, lens, n, COL_HOURS, b, sizeof(b))) == NULL)
			add_err(r, row, "hours", "required", "请填写学时");
		else if (!parse_hours(v, &s->hours_x2))
			add_err(r, row, "hours", "hours_invalid", "学时须为正数，且为 0.5 的整数倍");
		else
			s->has_hours = true;
		if ((v = field(r, f, lens, n, COL_COMPLETED_ON, b, sizeof(b))) == NULL)
			add_err(r, row, "completed_on", "required", "请填写完成日期");
		else if (!parse_day(v, s->day, r->today))
			add_err(r, row, "completed_on", "date_invalid",
			    "完成日期应为 YYYY-MM-DD 的真实日期，且不晚于今天");
		break;
	case BK_EXAMS: {
		const char *lv = NULL;
		if ((v = field(r, f, lens, n, COL_LEVEL, b, sizeof(b))) == NULL)
			add_err(r, row, "level", "required", "请填写等级");
		else if ((lv = level_norm(v)) == NULL)
			add_err(r, row, "level", "level_invalid", "等级须为 初级/中级/高级");
		else
			snprintf(s->level, sizeof(s->level), "%s", lv);
		if ((v = field(r, f, lens, n, COL_EXAM_SCORE, b, sizeof(b))) == NULL)
			add_err(r, row, "exam_score", "required", "请填写笔试成绩");
		else if (!parse_score(v, s->exam))
			add_err(r, row, "exam_score", "score_invalid", "成绩须为 0 到 100 之间的数，最多两位小数");
		if ((v = field(r, f, lens, n, COL_CASE_SCORE, b, sizeof(b))) != NULL) {
			if (!parse_score(v, s->cas))
				add_err(r, row, "case_score", "score_invalid",
				    "成绩须为 0 到 100 之间的数，最多两位小数");
		} else if (lv != NULL && strcmp(lv, "junior") != 0)
			add_err(r, row, "case_score", "required", "中级和高级须填写案例分析成绩");
		if ((v = field(r, f, lens, n, COL_ASSESSED_ON, b, sizeof(b))) == NULL)
			add_err(r, row, "assessed_on", "required", "请填写考核日期");
		else if (!parse_day(v, s->day, r->today))
			add_err(r, row, "assessed_on", "date_invalid",
			    "考核日期应为 YYYY-MM-DD 的真实日期，且不晚于今天");
		break;
	}
	default:
		break;
	}
	if (n > (size_t)COL__MAX + 8)
		add_err(r, row, "", "too_many_columns", "列数多于表头");
	if (r->errors_total != before) {
		r->bad_rows++;
		return;
	}
	if (++r->nchunk == TM_BATCH_CHUNK)
		(void)flush(r);   /* a failure is kept in r->fatal and ends the upload */
}

static const char *const *
strs(const char **a, size_t n, unsigned long *lens)
{
	for (size_t i = 0; i < n; i++)
		lens[i] = a[i] ? strlen(a[i]) : 0;
	return a;
}

static void
direct_err(void *ctx, size_t row, const char *col, const char *code)
{
	add_err(ctx, row, col, code, sql_msg(code));
}

/* Array-binds the chunk into batch_rows, or checks and stores it directly. */
static enum db_rc
flush(struct run *r)
{
	size_t n = r->nchunk;
	enum db_rc rc = DB_OK;
	if (n == 0)
		return DB_OK;
	if (r->direct != NULL) {
		rc = bdirect_chunk(r->direct, r->chunk, n, r->errors_total == 0, &r->direct_bad);
		r->nchunk = 0;
		/* DUP: the same rows committed meanwhile by a concurrent upload; a retry finds
		 * them stored and counts them unchanged. */
		if (rc != DB_OK && r->fatal == NULL)
			r->fatal = rc == DB_DUP || rc == DB_RETRY ? "batch_retry" : db_code(rc);
		return rc;
	}
	int64_t *run = malloc(n * sizeof(int64_t)), *rowno = malloc(n * sizeof(int64_t));
	int64_t *hours = malloc(n * sizeof(int64_t));
	bool *nohours = malloc(n * sizeof(bool));
	const char **p[11];
	unsigned long *l[11];
	for (int c = 0; c < 11; c++) {
		p[c] = calloc(n, sizeof(char *));
		l[c] = calloc(n, sizeof(unsigned long));
		if (p[c] == NULL || l[c] == NULL)
			rc = DB_ERR;
	}
	if (!run || !rowno || !hours || !nohours)
		rc = DB_ERR;
	for (size_t i = 0; rc == DB_OK && i < n; i++) {
		struct batch_row *s = &r->chunk[i];
		run[i] = r->run_id;
		rowno[i] = s->row_no;
		hours[i] = s->hours_x2;
		nohours[i] = !s->has_hours;
		p[0][i] = (const char *)s->blind;
		p[1][i] = s->has_enc ? (const char *)s->enc : NULL;
		p[2][i] = s->name;
		p[3][i] = s->phone[0] ? s->phone : NULL;
		p[4][i] = s->email[0] ? s->email : NULL;
		p[5][i] = s->employer[0] ? s->employer : NULL;
		p[6][i] = s->course[0] ? s->course : NULL;
		p[7][i] = s->day[0] ? s->day : NULL;
		p[8][i] = s->level[0] ? s->level : NULL;
		p[9][i] = s->exam[0] ? s->exam : NULL;
		p[10][i] = s->cas[0] ? s->cas : NULL;
	}
	if (rc == DB_OK) {
		for (int c = 2; c < 11; c++)
			strs(p[c], n, l[c]);
		for (size_t i = 0; i < n; i++) {
			l[0][i] = 32;
			l[1][i] = p[1][i] ? ID_ENC_BYTES : 0;
		}
		struct db_bulk_col cols[] = {
			{ DB_T_I64, run, NULL, NULL }, { DB_T_I64, rowno, NULL, NULL },
			{ DB_T_BLOB, p[0], l[0], NULL }, { DB_T_BLOB, p[1], l[1], NULL },
			{ DB_T_STR, p[2], l[2], NULL }, { DB_T_STR, p[3], l[3], NULL },
			{ DB_T_STR, p[4], l[4], NULL }, { DB_T_STR, p[5], l[5], NULL },
			{ DB_T_STR, p[6], l[6], NULL }, { DB_T_I64, hours, NULL, nohours },
			{ DB_T_STR, p[7], l[7], NULL }, { DB_T_STR, p[8], l[8], NULL },
			{ DB_T_STR, p[9], l[9], NULL }, { DB_T_STR, p[10], l[10], NULL },
		};
		rc = db_exec_bulk(r->db, "INSERT INTO batch_rows (run, row_no, id_blind, id_enc, name,"
		    " phone, email, employer, course_code, hours_x2, day, level, exam_score, case_score)"
		    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", cols, DB_N(cols), n, NULL);
	}
	for (int c = 0; c < 11; c++) {
		free(p[c]);
		free(l[c]);
	}
	free(run);
	free(rowno);
	free(hours);
	free(nohours);
	r->nchunk = 0;
	if (rc != DB_OK && r->fatal == NULL)
		r->fatal = db_code(rc);
	return rc;
}

static int
on_csv_row(void *ctx, size_t row, const char *const *f, const size_t *lens, size_t n)
{
	struct run *r = ctx;
	if (row == 0) {
		const char *code = NULL;
		if (batch_header_map(r->in->kind, f, lens, n, r->pos, &code, r->fatal_col,
		    sizeof(r->fatal_col)) < 0) {
			r->fatal = code;
			return 1;
		}
		r->header_ok = true;
		return 0;
	}
	take_row(r, row, f, lens, n);
	return r->fatal != NULL;
}

/* The set checks, per kind: each marks bad rows in batch_rows with a code and column. */
static enum db_rc
set_checks(struct run *r, const char *levels)
{
	struct db_val run1[] = { DBV_I64(r->run_id) };
	struct db_val run2[] = { DBV_I64(r->run_id), DBV_I64(r->run_id) };
	struct db_val lv[] = { DBV_STR(levels), DBV_I64(r->run_id) };
	struct db_val base_run[] = { DBV_I64(r->in->base_id), DBV_I64(r->run_id) };
	enum db_rc rc;

#define RUN(sql, v) do { if ((rc = db_exec(r->db, sql, v, DB_N(v), NULL, NULL)) != DB_OK) return rc; } while (0)
	if (r->in->kind == BK_ROSTER) {
		RUN("UPDATE batch_rows b JOIN (SELECT id_blind, MIN(row_no) AS first FROM batch_rows"
		    " WHERE run = ? GROUP BY id_blind HAVING COUNT(*) > 1) d ON d.id_blind = b.id_blind"
		    " SET b.err = 'row_duplicate', b.err_col = 'id_number'"
		    " WHERE b.run = ? AND b.row_no > d.first", run2);
		RUN("UPDATE batch_rows b JOIN persons p ON p.id_blind = b.id_blind"
		    " SET b.seen = IF(BINARY p.name = BINARY b.name, 1, 0),"
		    " b.err = IF(BINARY p.name = BINARY b.name, b.err, 'name_mismatch'),"
		    " b.err_col = IF(BINARY p.name = BINARY b.name, b.err_col, 'name')"
		    " WHERE b.run = ? AND b.err IS NULL", run1);
		return DB_OK;
	}
	/*
	 * Lock the file's registered persons before anything reads them (an UPDATE joining
	 * persons takes shared locks, and two uploads upgrading theirs would deadlock): a
	 * concurrent upload or admin entry for the same person then waits, and the daily cap
	 * holds across them (as in batch_direct.c and records.c).
	 */
	struct db_out lo[] = { DBO_I64() };
	if (r->in->kind == BK_HOURS && (rc = db_row(r->db, "SELECT COUNT(*) FROM batch_rows b"
	    " JOIN persons p ON p.id_blind = b.id_blind WHERE b.run = ? FOR UPDATE", run1, 1, lo,
	    1)) != DB_OK)
		return rc;
	RUN("UPDATE batch_rows b LEFT JOIN persons p ON p.id_blind = b.id_blind"
	    " SET b.err = IF(p.id IS NULL, 'person_unknown', 'name_mismatch'),"
	    " b.err_col = IF(p.id IS NULL, 'id_number', 'name')"
	    " WHERE b.run = ? AND b.err IS NULL AND (p.id IS NULL OR BINARY p.name <> BINARY b.name)",
	    run1);
	if (r->in->kind == BK_EXAMS) {
		RUN("UPDATE batch_rows b SET b.err = 'level_not_at_base', b.err_col = 'level'"
		    " WHERE NOT FIND_IN_SET(b.level, ?) AND b.run = ? AND b.err IS NULL", lv);
		RUN("UPDATE batch_rows b JOIN (SELECT id_blind, level, day, MIN(row_no) AS first"
		    " FROM batch_rows WHERE run = ? GROUP BY id_blind, level, day HAVING COUNT(*) > 1) d"
		    " ON d.id_blind = b.id_blind AND d.level = b.level AND d.day = b.day"
		    " SET b.err = 'row_duplicate', b.err_col = '' WHERE b.run = ? AND b.row_no > d.first"
		    " AND b.err IS NULL", run2);
		RUN("UPDATE batch_rows b JOIN persons p ON p.id_blind = b.id_blind JOIN exam_results e"
		    " ON e.person_id = p.id AND e.level = b.level AND e.assessed_on = b.day"
		    " AND e.base_id = ? SET b.seen = 1 WHERE b.run = ? AND b.err IS NULL", base_run);
		return DB_OK;
	}
	RUN("UPDATE batch_rows b LEFT JOIN courses c ON c.code = b.course_code"
	    " SET b.err = IF(c.id IS NULL, 'course_unknown', 'course_level_not_at_base'),"
	    " b.err_col = 'course_code'"
	    " WHERE (c.id IS NULL OR NOT FIND_IN_SET(c.level, ?)) AND b.run = ? AND b.err IS NULL", lv);
	RUN("UPDATE batch_rows b JOIN (SELECT id_blind, course_code, day, MIN(row_no) AS first"
	    " FROM batch_rows WHERE run = ? GROUP BY id_blind, course_code, day HAVING COUNT(*) > 1) d"
	    " ON d.id_blind = b.id_blind AND d.course_code = b.course_code AND d.day = b.day"
	    " SET b.err = 'row_duplicate', b.err_col = '' WHERE b.run = ? AND b.row_no > d.first"
	    " AND b.err IS NULL", run2);
	RUN("UPDATE batch_rows b JOIN persons p ON p.id_blind = b.id_blind"
	    " JOIN courses c ON c.code = b.course_code JOIN training_records t ON t.natural_key ="
	    " UNHEX(SHA2(CONCAT_WS('|', ?, p.id, c.id, b.day, b.hours_x2), 256))"
	    " SET b.seen = 1 WHERE b.run = ? AND b.err IS NULL", base_run);
	/* A day's hours: what this file adds (new rows only) plus what is already recorded. */
	struct db_val cap[] = { DBV_I64(r->run_id), DBV_I64(r->run_id) };
	RUN("UPDATE batch_rows b JOIN (SELECT x.id_blind, x.day, SUM(x.hours_x2) AS h FROM batch_rows x"
	    " WHERE x.run = ? AND x.err IS NULL AND x.seen = 0 GROUP BY x.id_blind, x.day) s"
	    " ON s.id_blind = b.id_blind AND s.day = b.day JOIN persons p ON p.id_blind = b.id_blind"
	    " SET b.err = 'hours_over_daily_cap', b.err_col = 'hours'"
	    " WHERE b.run = ? AND b.err IS NULL AND b.seen = 0 AND s.h + (SELECT COALESCE(SUM(t.hours_x2), 0)"
	    " FROM training_records t WHERE t.person_id = p.id AND t.completed_on = b.day) >"
	    " COALESCE((SELECT cr.daily_cap_x2 FROM ce_rules cr WHERE cr.region = 'SH'"
	    " AND cr.effective_from <= b.day ORDER BY cr.effective_from DESC LIMIT 1), 0)", cap);
#undef RUN
	return DB_OK;
}

static enum db_rc
collect_sql_errors(struct run *r, size_t *bad)
{
	char col[40], code[56];
	struct db_val v[] = { DBV_I64(r->run_id) };
	struct db_out o[] = { DBO_I64(), DBO_STR(col), DBO_STR(code) };
	struct db_iter it;
	enum db_rc rc = db_iter_start(r->db, &it, "SELECT row_no, COALESCE(err_col, ''), err"
	    " FROM batch_rows WHERE run = ? AND err IS NOT NULL ORDER BY row_no", v, 1, o, 3);
	*bad = 0;
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK) {
		(*bad)++;
		/* the code must outlive this buffer: take the table's own string */
		const char *stable = NULL;
		for (size_t i = 0; i < sizeof(sql_msgs) / sizeof(sql_msgs[0]); i++)
			if (strcmp(sql_msgs[i].code, code) == 0)
				stable = sql_msgs[i].code;
		add_err(r, (size_t)o[0].i, col, stable ? stable : "invalid", sql_msg(code));
	}
	db_iter_end(&it);
	return rc == DB_NOROW ? DB_OK : rc;
}

static int
err_cmp(const void *a, const void *b)
{
	const struct rowerr *x = a, *y = b;
	if (x->row != y->row)
		return x->row < y->row ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Moves the good rows to their table; *stored = rows actually inserted. */
static enum db_rc
store(struct run *r, int64_t batch_id, uint64_t *stored)
{
	char ref[24];
	snprintf(ref, sizeof(ref), "%lld", (long long)batch_id);
	if (r->in->kind == BK_ROSTER) {
		struct db_val v[] = { DBV_I64(r->run_id) };
		return db_exec(r->db, "INSERT INTO persons (name, id_enc, id_blind, phone, email, employer)"
		    " SELECT name, id_enc, id_blind, phone, email, COALESCE(employer, '') FROM batch_rows"
		    " WHERE run = ? AND err IS NULL AND seen = 0", v, 1, stored, NULL);
	}
	if (r->in->kind == BK_EXAMS) {
		struct db_val v[] = { DBV_I64(r->in->base_id), DBV_I64(batch_id), DBV_I64(r->run_id) };
		return db_exec(r->db, "INSERT INTO exam_results (person_id, base_id, level, exam_score,"
		    " case_score, assessed_on, batch_id) SELECT p.id, ?, b.level, b.exam_score,"
		    " b.case_score, b.day, ? FROM batch_rows b JOIN persons p ON p.id_blind = b.id_blind"
		    " WHERE b.run = ? AND b.err IS NULL AND b.seen = 0", v, 3, stored, NULL);
	}
	struct db_val v[] = { DBV_I64(r->in->base_id), DBV_STR(ref), DBV_I64(r->in->base_id),
		DBV_I64(batch_id), r->in->actor_user_id ? DBV_I64(r->in->actor_user_id) : DBV_NULL,
		DBV_I64(r->run_id) };
	enum db_rc rc = db_exec(r->db, "INSERT INTO training_records (person_id, course_id, base_id,"
	    " hours_x2, completed_on, subject, compulsory, source, source_ref, natural_key, batch_id,"
	    " created_by) SELECT p.id, c.id, ?, b.hours_x2, b.day, c.subject, c.compulsory, 'batch', ?,"
	    " UNHEX(SHA2(CONCAT_WS('|', ?, p.id, c.id, b.day, b.hours_x2), 256)), ?, ?"
	    " FROM batch_rows b JOIN persons p ON p.id_blind = b.id_blind"
	    " JOIN courses c ON c.code = b.course_code WHERE b.run = ? AND b.err IS NULL AND b.seen = 0",
	    v, DB_N(v), stored, NULL);
	if (rc != DB_OK || *stored == 0)
		return rc;
	/* Every year of the file's persons, recomputed (ledger_years.h); their rows were locked
	 * by the set checks. */
	struct db_val rv[] = { DBV_I64(r->run_id) };
	return db_exec(r->db, LEDGER_YEARS_SUMS " WHERE person_id IN (SELECT p.id FROM batch_rows b"
	    " JOIN persons p ON p.id_blind = b.id_blind WHERE b.run = ? AND b.err IS NULL"
	    " AND b.seen = 0)" LEDGER_YEARS_SET, rv, 1, NULL, NULL);
}

static enum db_rc
save_errors(struct run *r, int64_t batch_id)
{
	for (size_t off = 0; off < r->nerr; off += TM_BATCH_CHUNK) {
		size_t n = r->nerr - off < TM_BATCH_CHUNK ? r->nerr - off : TM_BATCH_CHUNK;
		int64_t bid[TM_BATCH_CHUNK], seq[TM_BATCH_CHUNK], row[TM_BATCH_CHUNK];
		const char *col[TM_BATCH_CHUNK], *code[TM_BATCH_CHUNK], *msg[TM_BATCH_CHUNK];
		unsigned long lc[TM_BATCH_CHUNK], lk[TM_BATCH_CHUNK], lm[TM_BATCH_CHUNK];
		for (size_t i = 0; i < n; i++) {
			struct rowerr *e = &r->errs[off + i];
			bid[i] = batch_id;
			seq[i] = (int64_t)(off + i);
			row[i] = e->row;
			col[i] = e->col;
			code[i] = e->code;
			msg[i] = e->msg;
			lc[i] = strlen(col[i]);
			lk[i] = strlen(code[i]);
			lm[i] = strlen(msg[i]);
		}
		struct db_bulk_col cols[] = {
			{ DB_T_I64, bid, NULL, NULL }, { DB_T_I64, seq, NULL, NULL },
			{ DB_T_I64, row, NULL, NULL }, { DB_T_STR, col, lc, NULL },
			{ DB_T_STR, code, lk, NULL }, { DB_T_STR, msg, lm, NULL },
		};
		enum db_rc rc = db_exec_bulk(r->db, "INSERT INTO batch_errors (batch_id, seq, row_no, col,"
		    " code, message) VALUES (?, ?, ?, ?, ?, ?)", cols, DB_N(cols), n, NULL);
		if (rc != DB_OK)
			return rc;
	}
	return DB_OK;
}

static json_t *
report(int64_t id, const struct batch_req *in, const char *status, size_t rows, size_t accepted,
    size_t rejected, size_t unchanged, size_t errors_total, json_t *errors)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:o}", "batch_id",
	    (json_int_t)id, "kind", batch_kind_name(in->kind), "mode", in->partial ? "partial" :
	    "atomic", "status", status, "rows", (json_int_t)rows, "accepted", (json_int_t)accepted,
	    "rejected", (json_int_t)rejected, "unchanged", (json_int_t)unchanged, "errors_total",
	    (json_int_t)errors_total, "errors", errors);
}

static json_t *
errors_json(const struct rowerr *e, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n && i < TM_MAX_BATCH_ERRORS_SHOWN; i++)
		json_array_append_new(a, json_pack("{s:I, s:s, s:s, s:s}", "row", (json_int_t)e[i].row,
		    "column", e[i].col, "code", e[i].code, "message", e[i].msg));
	return a;
}

/* Reads the JSON body whole (bounded) and feeds its rows through the same checks. */
static const char *
read_json(struct run *r, batch_reader rd, void *rctx)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	long got;
	const char *why = NULL;

	if (buf == NULL)
		return "internal_error";
	while ((got = rd(rctx, buf + len, cap - len)) > 0) {
		crypto_hash_sha256_update(&r->sha, (unsigned char *)buf + len, (size_t)got);
		len += (size_t)got;
		if (len == cap) {
			if (cap >= TM_MAX_BATCH_JSON_BYTES) {
				free(buf);
				return "payload_too_large";
			}
			char *nb = realloc(buf, cap * 2);
			if (nb == NULL) {
				free(buf);
				return "internal_error";
			}
			buf = nb;
			cap *= 2;
		}
	}
	if (got < 0) {
		free(buf);
		return "bad_request";
	}
	if (!utf8_valid(buf, len)) {
		free(buf);
		return "invalid_utf8";
	}
	json_error_t jerr;
	json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	free(buf);
	json_t *rows = root ? json_object_get(root, "rows") : NULL;
	if (!json_is_array(rows)) {
		json_decref(root);
		return "invalid_json";
	}
	if (json_array_size(rows) > TM_MAX_BATCH_ROWS) {
		json_decref(root);
		return "batch_too_many_rows";
	}
	for (int c = 0; c < COL__MAX; c++)
		r->pos[c] = c;
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		const char *f[COL__MAX];
		size_t l[COL__MAX];
		char num[COL__MAX][32];
		for (int c = 0; c < COL__MAX; c++) {
			json_t *v = json_is_object(row) ? json_object_get(row, batch_col_name(c)) : NULL;
			f[c] = "";
			if (json_is_string(v))
				f[c] = json_string_value(v);
			else if (json_is_integer(v)) {
				snprintf(num[c], sizeof(num[c]), "%lld", (long long)json_integer_value(v));
				f[c] = num[c];
			} else if (json_is_real(v)) {
				snprintf(num[c], sizeof(num[c]), "%g", json_real_value(v));
				f[c] = num[c];
			}
			l[c] = strlen(f[c]);
		}
		if (!json_is_object(row)) {
			r->rows++;
			r->bad_rows++;
			add_err(r, i + 1, "", "row_not_object", "每一行须为 JSON 对象");
			continue;
		}
		take_row(r, i + 1, f, l, COL__MAX);
		if (r->fatal != NULL)
			break;
	}
	json_decref(root);
	return why;
}

static const char *
read_csv(struct run *r, batch_reader rd, void *rctx, char *enc, size_t enclen)
{
	struct csvin_limits lim = { TM_MAX_BATCH_FIELD, TM_MAX_BATCH_COLUMNS, TM_MAX_BATCH_ROWS };
	struct csvin *c = csvin_new(&lim, on_csv_row, r);
	char buf[65536];
	long got;
	enum csvin_err e = CSVIN_OK;
	size_t total = 0;

	if (c == NULL)
		return "internal_error";
	while (e == CSVIN_OK && (got = rd(rctx, buf, sizeof(buf))) > 0) {
		total += (size_t)got;
		crypto_hash_sha256_update(&r->sha, (unsigned char *)buf, (size_t)got);
		e = csvin_feed(c, buf, (size_t)got);
	}
	if (e == CSVIN_OK && got < 0)
		r->fatal = "bad_request";
	if (e == CSVIN_OK && r->fatal == NULL)
		e = csvin_finish(c);
	snprintf(enc, enclen, "%s", csvin_encoding(c));
	csvin_free(c);
	if (r->fatal != NULL)
		return r->fatal;
	if (e != CSVIN_OK)
		return csvin_err_code(e);
	if (total == 0)
		return "batch_empty";
	if (!r->header_ok)
		return "header_empty";
	return NULL;
}

/* For header errors: which column, as details of the error answer. */
static json_t *
header_details(const struct run *r, const char *code)
{
	if (code == NULL || strncmp(code, "column_", 7) != 0)
		return NULL;
	return json_pack("[{s:s, s:s, s:s}]", "column", r->fatal_col, "code", code, "message",
	    strcmp(code, "column_unknown") == 0 ? "无法识别的列名" :
	    strcmp(code, "column_duplicate") == 0 ? "列名重复" : "缺少必需的列");
}

/* An Idempotency-Key seen before: the same bytes get the first answer, others a conflict. */
static const char *
replay(struct db *d, const struct batch_req *in, int64_t id, const unsigned char *stored,
    const unsigned char *sha, json_t **answer, int *status)
{
	if (sodium_memcmp(stored, sha, 32) != 0)
		return "batch_conflict";
	*status = 200;
	return batch_get(d, in->base_id, id, answer);
}

static enum db_rc
find_key(struct db *d, const struct batch_req *in, int64_t *id, unsigned char sha[32])
{
	struct db_val v[] = { DBV_I64(in->base_id), DBV_STR(in->idem_key) };
	struct db_out o[] = { DBO_I64(), DBO_BLOB(*(unsigned char (*)[32])sha) };
	enum db_rc rc = db_row(d, "SELECT id, content_sha256 FROM upload_batches WHERE base_id = ?"
	    " AND idempotency_key = ?", v, 2, o, 2);
	*id = o[0].i;
	return rc;
}

static void
drain_hash(struct run *r, batch_reader rd, void *rctx)
{
	char buf[65536];
	long got;
	while ((got = rd(rctx, buf, sizeof(buf))) > 0)
		crypto_hash_sha256_update(&r->sha, (unsigned char *)buf, (size_t)got);
}

const char *
batch_run(struct db *d, const struct tm_keys *k, const struct batch_req *in, batch_reader rd,
    void *rctx, json_t **answer, int *status)
{
	struct run r = { .db = d, .keys = k, .in = in, .today = ymd_today_utc() };
	unsigned char sha[32], stored[32];
	char levels[64], enc[16] = "";
	const char *why = NULL;
	int64_t prior = 0, batch_id = 0, claimed = 0;
	uint64_t stored_rows = 0;
	size_t sql_bad = 0;
	enum db_rc rc;

	crypto_hash_sha256_init(&r.sha);
	struct db_val bv[] = { DBV_I64(in->base_id) };
	struct db_out bo[] = { DBO_STR(levels) };
	if ((rc = db_row(d, "SELECT levels FROM bases WHERE id = ? AND status = 'active'", bv, 1,
	    bo, 1)) != DB_OK)
		return rc == DB_NOROW ? "base_not_found" : db_code(rc);
	if (in->idem_key != NULL) {
		rc = find_key(d, in, &prior, stored);
		if (rc == DB_OK) {
			drain_hash(&r, rd, rctx);
			crypto_hash_sha256_final(&r.sha, sha);
			return replay(d, in, prior, stored, sha, answer, status);
		}
		if (rc != DB_NOROW)
			return db_code(rc);
	}
	r.chunk = malloc(TM_BATCH_CHUNK * sizeof(struct batch_row));
	if (r.chunk == NULL)
		return "internal_error";
	randombytes_buf(&r.run_id, sizeof(r.run_id));
	r.run_id &= INT64_MAX;
	for (int c = 0; c < COL__MAX; c++)
		r.pos[c] = -1;

	if ((rc = db_begin(d)) != DB_OK) {
		why = db_code(rc);
		goto out;
	}
	bool direct = in->kind == BK_HOURS && !in->partial;
	if (in->idem_key != NULL || direct) {
		/*
		 * Claim the key first (and, storing directly, the batch id the rows carry): a
		 * concurrent request with the same key waits here on the unique index instead of
		 * doing the work twice, then replays our answer.
		 */
		unsigned char zero[32] = { 0 };
		struct db_val pv[] = { DBV_I64(in->base_id), DBV_STR(batch_kind_name(in->kind)),
			DBV_STR(in->partial ? "partial" : "atomic"),
			in->idem_key ? DBV_STR(in->idem_key) : DBV_NULL, DBV_BLOB(zero, 32),
			in->api_key_id ? DBV_I64(in->api_key_id) : DBV_NULL,
			in->actor_user_id ? DBV_I64(in->actor_user_id) : DBV_NULL };
		uint64_t pid = 0;
		rc = db_exec(d, "INSERT INTO upload_batches (base_id, kind, mode, idempotency_key,"
		    " content_sha256, status, rows_total, accepted, rejected, unchanged, errors_total,"
		    " api_key_id, created_by) VALUES (?, ?, ?, ?, ?, 'accepted', 0, 0, 0, 0, 0, ?, ?)",
		    pv, DB_N(pv), NULL, &pid);
		if (rc == DB_DUP) {
			db_rollback(d);
			drain_hash(&r, rd, rctx);
			crypto_hash_sha256_final(&r.sha, sha);
			why = find_key(d, in, &prior, stored) == DB_OK ?
			    replay(d, in, prior, stored, sha, answer, status) : "batch_retry";
			goto out;
		}
		if (rc != DB_OK) {
			db_rollback(d);
			why = rc == DB_RETRY ? "batch_retry" : db_code(rc);
			goto out;
		}
		claimed = (int64_t)pid;
	}
	if (direct) {
		struct bdirect_cfg cfg = { in->base_id, claimed, in->actor_user_id, levels, direct_err,
			&r };
		if ((r.direct = bdirect_new(d, &cfg, &rc)) == NULL) {
			db_rollback(d);
			why = rc == DB_RETRY ? "batch_retry" : db_code(rc);
			goto out;
		}
	}
	why = in->json ? read_json(&r, rd, rctx) : read_csv(&r, rd, rctx, enc, sizeof(enc));
	if (in->json)
		snprintf(enc, sizeof(enc), "UTF-8");
	bool flushed = why == NULL && r.fatal == NULL && flush(&r) == DB_OK;
	/* The direct path's last INSERT may still run: nothing else uses the connection first. */
	if (r.direct != NULL && (rc = bdirect_sync(r.direct)) != DB_OK) {
		flushed = false;
		if (r.fatal == NULL)
			r.fatal = rc == DB_DUP || rc == DB_RETRY ? "batch_retry" : db_code(rc);
	}
	rc = DB_OK;
	if (flushed) {
		if (r.direct != NULL) {
			rc = bdirect_finish(r.direct, r.errors_total == 0, &r.direct_bad, &stored_rows);
			sql_bad = r.direct_bad;
		} else if ((rc = set_checks(&r, levels)) == DB_OK)
			rc = collect_sql_errors(&r, &sql_bad);
	}
	if (why == NULL)
		why = r.fatal;
	if (why == NULL && rc != DB_OK)
		why = rc == DB_RETRY ? "batch_retry" : db_code(rc);
	if (why != NULL) {
		db_rollback(d);
		drain_hash(&r, rd, rctx);
		*answer = header_details(&r, why);
		goto out;
	}
	crypto_hash_sha256_final(&r.sha, sha);
	qsort(r.errs, r.nerr, sizeof(*r.errs), err_cmp);
	size_t rejected = r.bad_rows + sql_bad;
	bool reject_all = !in->partial && rejected > 0;
	if (reject_all) {
		db_rollback(d);   /* nothing of the rows stays; the report is stored below */
		stored_rows = 0;
	}
	if (reject_all && (rc = db_begin(d)) != DB_OK) {
		why = db_code(rc);
		goto out;
	}
	const char *st = reject_all ? "rejected" : rejected > 0 ? "partial" : "accepted";
	struct db_val iv[] = { DBV_I64(in->base_id), DBV_STR(batch_kind_name(in->kind)),
		DBV_STR(in->partial ? "partial" : "atomic"),
		in->idem_key ? DBV_STR(in->idem_key) : DBV_NULL, DBV_BLOB(sha, 32), DBV_STR(enc),
		DBV_STR(st), DBV_I64((int64_t)r.rows), DBV_I64((int64_t)rejected),
		DBV_I64((int64_t)r.errors_total),
		in->api_key_id ? DBV_I64(in->api_key_id) : DBV_NULL,
		in->actor_user_id ? DBV_I64(in->actor_user_id) : DBV_NULL };
	uint64_t bid = (uint64_t)claimed;
	if (claimed && !reject_all) {
		struct db_val cv[] = { DBV_BLOB(sha, 32), DBV_STR(enc), DBV_STR(st),
			DBV_I64((int64_t)r.rows), DBV_I64((int64_t)rejected),
			DBV_I64((int64_t)r.errors_total), DBV_I64(claimed) };
		rc = db_exec(d, "UPDATE upload_batches SET content_sha256 = ?, encoding = ?, status = ?,"
		    " rows_total = ?, rejected = ?, errors_total = ? WHERE id = ?", cv, DB_N(cv),
		    NULL, NULL);
	} else
		rc = db_exec(d, "INSERT INTO upload_batches (base_id, kind, mode, idempotency_key,"
		    " content_sha256, encoding, status, rows_total, accepted, rejected, unchanged,"
		    " errors_total, api_key_id, created_by)"
		    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, 0, ?, ?, ?)", iv, DB_N(iv), NULL, &bid);
	if (rc == DB_DUP && in->idem_key != NULL) {
		/* The same key committed meanwhile by a concurrent request. */
		db_rollback(d);
		if (find_key(d, in, &prior, stored) == DB_OK)
			why = replay(d, in, prior, stored, sha, answer, status);
		else
			why = "batch_retry";
		goto out;
	}
	batch_id = (int64_t)bid;
	if (rc == DB_OK && !reject_all && r.direct == NULL) {
		rc = store(&r, batch_id, &stored_rows);
		/* The same rows committed meanwhile by a concurrent upload: a retry finds them
		 * stored and counts them unchanged. */
		if (rc == DB_DUP)
			rc = DB_RETRY;
	}
	size_t valid = r.rows - rejected;
	size_t unchanged = reject_all ? 0 : valid - (size_t)stored_rows;
	if (rc == DB_OK) {
		struct db_val uv[] = { DBV_I64((int64_t)stored_rows), DBV_I64((int64_t)unchanged),
			DBV_I64(batch_id) };
		rc = db_exec(d, "UPDATE upload_batches SET accepted = ?, unchanged = ? WHERE id = ?",
		    uv, 3, NULL, NULL);
	}
	if (rc == DB_OK)
		rc = save_errors(&r, batch_id);
	if (rc == DB_OK && !reject_all && r.direct == NULL) {
		struct db_val dv[] = { DBV_I64(r.run_id) };
		rc = db_exec(d, "DELETE FROM batch_rows WHERE run = ?", dv, 1, NULL, NULL);
	}
	if (rc == DB_OK) {
		json_t *after = json_pack("{s:s, s:s, s:I, s:I, s:I}", "kind",
		    batch_kind_name(in->kind), "status", st, "rows", (json_int_t)r.rows, "accepted",
		    (json_int_t)stored_rows, "rejected", (json_int_t)rejected);
		rc = audit_id(d, in->actor_user_id, "batch.upload", "batch", batch_id, after, in->remote);
		json_decref(after);
	}
	if (rc == DB_OK)
		rc = db_commit(d);
	if (rc != DB_OK) {
		db_rollback(d);
		why = rc == DB_RETRY ? "batch_retry" : db_code(rc);
		goto out;
	}
	*answer = report(batch_id, in, st, r.rows, (size_t)stored_rows, rejected, unchanged,
	    r.errors_total, errors_json(r.errs, r.nerr));
	*status = reject_all ? 422 : 201;
out:
	bdirect_free(r.direct);
	free(r.chunk);
	free(r.errs);
	return why;
}

const char *
batch_get(struct db *d, int64_t base_id, int64_t batch_id, json_t **answer)
{
	char kind[16], mode[16], status[16];
	struct db_val v[] = { DBV_I64(batch_id), DBV_I64(base_id) };
	struct db_out o[] = { DBO_STR(kind), DBO_STR(mode), DBO_STR(status), DBO_I64(), DBO_I64(),
		DBO_I64(), DBO_I64(), DBO_I64() };
	enum db_rc rc = db_row(d, "SELECT kind, mode, status, rows_total, accepted, rejected,"
	    " unchanged, errors_total FROM upload_batches WHERE id = ? AND base_id = ?", v, 2, o,
	    DB_N(o));
	if (rc == DB_NOROW)
		return "batch_not_found";
	if (rc != DB_OK)
		return db_code(rc);
	json_t *errors = json_array();
	char col[40], code[56], msg[804];
	struct db_out eo[] = { DBO_I64(), DBO_STR(col), DBO_STR(code), DBO_STR(msg) };
	struct db_val ev[] = { DBV_I64(batch_id), DBV_I64(TM_MAX_BATCH_ERRORS_SHOWN) };
	struct db_iter it;
	rc = db_iter_start(d, &it, "SELECT row_no, col, code, message FROM batch_errors"
	    " WHERE batch_id = ? ORDER BY seq LIMIT ?", ev, 2, eo, 4);
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK)
		json_array_append_new(errors, json_pack("{s:I, s:s, s:s, s:s}", "row",
		    (json_int_t)eo[0].i, "column", col, "code", code, "message", msg));
	db_iter_end(&it);
	if (rc != DB_NOROW) {
		json_decref(errors);
		return db_code(rc);
	}
	*answer = json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:o}", "batch_id",
	    (json_int_t)batch_id, "kind", kind, "mode", mode, "status", status, "rows",
	    (json_int_t)o[3].i, "accepted", (json_int_t)o[4].i, "rejected", (json_int_t)o[5].i,
	    "unchanged", (json_int_t)o[6].i, "errors_total", (json_int_t)o[7].i, "errors", errors);
	return NULL;
}

/* One CSV field, quoted when it needs to be (RFC 4180). */
static void
csv_field(char **buf, size_t *len, size_t *cap, const char *s)
{
	size_t need = *len + 2 * strlen(s) + 4;
	if (need > *cap) {
		size_t nc = *cap * 2 > need ? *cap * 2 : need;
		char *nb = realloc(*buf, nc);
		if (nb == NULL)
			return;
		*buf = nb;
		*cap = nc;
	}
	bool quote = strpbrk(s, ",\"\r\n") != NULL;
	if (quote)
		(*buf)[(*len)++] = '"';
	for (; *s; s++) {
		if (*s == '"')
			(*buf)[(*len)++] = '"';
		(*buf)[(*len)++] = *s;
	}
	if (quote)
		(*buf)[(*len)++] = '"';
}

const char *
batch_errors_csv(struct db *d, int64_t base_id, int64_t batch_id, char **csv, size_t *len)
{
	struct db_val v[] = { DBV_I64(batch_id), DBV_I64(base_id) };
	struct db_out o[] = { DBO_I64() };
	enum db_rc rc = db_row(d, "SELECT id FROM upload_batches WHERE id = ? AND base_id = ?", v, 2,
	    o, 1);
	if (rc == DB_NOROW)
		return "batch_not_found";
	if (rc != DB_OK)
		return db_code(rc);
	size_t cap = 4096, n = 0;
	char *b = malloc(cap);
	if (b == NULL)
		return "internal_error";
	static const char head[] = "\xef\xbb\xbf" "行号,列,错误代码,说明\r\n";
	memcpy(b, head, sizeof(head) - 1);
	n = sizeof(head) - 1;
	char col[40], code[56], msg[804], rowno[24];
	struct db_out eo[] = { DBO_I64(), DBO_STR(col), DBO_STR(code), DBO_STR(msg) };
	struct db_val ev[] = { DBV_I64(batch_id) };
	struct db_iter it;
	rc = db_iter_start(d, &it, "SELECT row_no, col, code, message FROM batch_errors"
	    " WHERE batch_id = ? ORDER BY seq", ev, 1, eo, 4);
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK) {
		snprintf(rowno, sizeof(rowno), "%lld", (long long)eo[0].i);
		const char *fs[] = { rowno, col, code, msg };
		for (int i = 0; i < 4; i++) {
			csv_field(&b, &n, &cap, fs[i]);
			if (n + 3 > cap) {
				char *nb = realloc(b, cap * 2);
				if (nb == NULL)
					break;
				b = nb;
				cap *= 2;
			}
			if (i < 3)
				b[n++] = ',';
		}
		b[n++] = '\r';
		b[n++] = '\n';
	}
	db_iter_end(&it);
	if (rc != DB_NOROW) {
		free(b);
		return db_code(rc);
	}
	*csv = b;
	*len = n;
	return NULL;
}

const char *
batches_list(struct db *d, int64_t base_id, json_t *out)
{
	char kind[16], mode[16], status[16], at[32];
	struct db_out o[] = { DBO_I64(), DBO_STR(kind), DBO_STR(mode), DBO_STR(status), DBO_I64(),
		DBO_I64(), DBO_I64(), DBO_I64(), DBO_STR(at) };
	struct db_val v[] = { DBV_I64(base_id) };
	struct db_iter it;
	enum db_rc rc = db_iter_start(d, &it, "SELECT id, kind, mode, status, rows_total, accepted,"
	    " rejected, unchanged, DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:%s') FROM upload_batches"
	    " WHERE base_id = ? ORDER BY id DESC LIMIT 200", v, 1, o, DB_N(o));
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK)
		json_array_append_new(out, json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:s}",
		    "batch_id", (json_int_t)o[0].i, "kind", kind, "mode", mode, "status", status,
		    "rows", (json_int_t)o[4].i, "accepted", (json_int_t)o[5].i, "rejected",
		    (json_int_t)o[6].i, "unchanged", (json_int_t)o[7].i, "created_at", at));
	db_iter_end(&it);
	return rc == DB_NOROW ? NULL : db_code(rc);
}
