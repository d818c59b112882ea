/* courses/batch_columns: batch kinds and header rows mapped to columns. */
#include <criterion/criterion.h>
#include <string.h>

#include "courses/batch_columns.h"

#define MAXN 16

struct mapped {
	int rc;
	int pos[COL__MAX];
	const char *code;
	char name[64];
};

/* Maps a NULL-terminated list of names (lengths from strlen). */
static struct mapped
map_list(enum batch_kind k, const char *const *list)
{
	struct mapped m;
	size_t lens[MAXN], n = 0;
	memset(&m, 0, sizeof(m));
	memset(m.name, 'Q', sizeof(m.name));
	while (list[n] != NULL) {
		lens[n] = strlen(list[n]);
		n++;
	}
	m.rc = batch_header_map(k, list, lens, n, m.pos, &m.code, m.name, sizeof(m.name));
	return m;
}

#define MAP(kind, ...) map_list(kind, (const char *const[]){ __VA_ARGS__, NULL })

static void
assert_ok(const struct mapped *m, const int want[COL__MAX])
{
	cr_assert_eq(m->rc, 0, "rc %d code %s name '%s'", m->rc, m->code ? m->code : "-", m->name);
	for (int c = 0; c < COL__MAX; c++)
		cr_assert_eq(m->pos[c], want[c], "%s at %d, want %d", batch_col_name(c), m->pos[c],
		    want[c]);
}

static void
assert_fail(const struct mapped *m, const char *code, const char *name)
{
	cr_assert_eq(m->rc, -1);
	cr_assert_not_null(m->code);
	cr_assert_str_eq(m->code, code);
	cr_assert_str_eq(m->name, name);
}

/* all -1 but the listed (column, position) pairs */
static void
want_init(int w[COL__MAX])
{
	for (int c = 0; c < COL__MAX; c++)
		w[c] = -1;
}

Test(batch_kind, parse_and_name)
{
	cr_assert_eq(batch_kind_parse("roster"), BK_ROSTER);
	cr_assert_eq(batch_kind_parse("hours"), BK_HOURS);
	cr_assert_eq(batch_kind_parse("exams"), BK_EXAMS);
	cr_assert_eq(batch_kind_parse("Roster"), -1);
	cr_assert_eq(batch_kind_parse("roster "), -1);
	cr_assert_eq(batch_kind_parse("exam"), -1);
	cr_assert_eq(batch_kind_parse(""), -1);
	cr_assert_eq(batch_kind_parse(NULL), -1);
	for (int k = 0; k < BK__MAX; k++)
		cr_assert_eq(batch_kind_parse(batch_kind_name(k)), k);
}

Test(batch_col, names)
{
	static const char *const want[COL__MAX] = {
		"id_number", "name", "phone", "email", "employer", "course_code", "hours",
		"completed_on", "level", "exam_score", "case_score", "assessed_on",
	};
	for (int c = 0; c < COL__MAX; c++)
		cr_assert_str_eq(batch_col_name(c), want[c]);
}

/* ---- roster ---- */

Test(roster, english)
{
	int w[COL__MAX];
	want_init(w);
	w[COL_ID_NUMBER] = 0, w[COL_NAME] = 1, w[COL_PHONE] = 2, w[COL_EMAIL] = 3,
	w[COL_EMPLOYER] = 4;
	struct mapped m = MAP(BK_ROSTER, "id_number", "name", "phone", "email", "employer");
	assert_ok(&m, w);
	cr_assert_null(m.code);
	cr_assert_str_eq(m.name, "");
}

Test(roster, chinese_every_synonym)
{
	static const char *const ids[] = { "身份证号", "身份证号码", "证件号码" };
	static const char *const phones[] = { "手机", "手机号", "手机号码" };
	static const char *const emails[] = { "邮箱", "电子邮箱" };
	static const char *const emps[] = { "工作单位", "单位" };
	int w[COL__MAX];
	want_init(w);
	w[COL_ID_NUMBER] = 0, w[COL_NAME] = 1, w[COL_PHONE] = 2, w[COL_EMAIL] = 3,
	w[COL_EMPLOYER] = 4;
	for (size_t a = 0; a < 3; a++)
		for (size_t b = 0; b < 3; b++)
			for (size_t c = 0; c < 2; c++)
				for (size_t d = 0; d < 2; d++) {
					struct mapped m = MAP(BK_ROSTER, ids[a], "姓名", phones[b],
					    emails[c], emps[d]);
					assert_ok(&m, w);
				}
}

Test(roster, required_only_mixed_order_upper_case)
{
	int w[COL__MAX];
	want_init(w);
	w[COL_NAME] = 0, w[COL_ID_NUMBER] = 1;
	struct mapped m = MAP(BK_ROSTER, "NAME", "ID_Number");
	assert_ok(&m, w);
	want_init(w);
	w[COL_EMAIL] = 0, w[COL_NAME] = 1, w[COL_ID_NUMBER] = 2;
	m = MAP(BK_ROSTER, "Email", "姓名", "id_NUMBER");
	assert_ok(&m, w);
}

Test(roster, spaces_trimmed)
{
	int w[COL__MAX];
	want_init(w);
	w[COL_ID_NUMBER] = 0, w[COL_NAME] = 1, w[COL_PHONE] = 2, w[COL_EMPLOYER] = 3;
	/* ASCII spaces and tabs, U+3000 ideographic spaces, U+00A0 */
	struct mapped m = MAP(BK_ROSTER, "  身份证号 ", "\xe3\x80\x80姓名\xe3\x80\x80\xe3\x80\x80",
	    "\t phone\t", "\xc2\xa0 工作单位 \xe3\x80\x80");
	assert_ok(&m, w);
	/* spaces inside a name are not removed */
	m = MAP(BK_ROSTER, "身份证号", "姓 名");
	assert_fail(&m, "column_unknown", "姓 名");
	m = MAP(BK_ROSTER, "id number", "name");
	assert_fail(&m, "column_unknown", "id number");
}

Test(roster, unnamed_columns_ignored)
{
	int w[COL__MAX];
	want_init(w);
	w[COL_ID_NUMBER] = 0, w[COL_NAME] = 2;
	struct mapped m = MAP(BK_ROSTER, "身份证号", "", "姓名", " ", "\xe3\x80\x80");
	assert_ok(&m, w);
}

Test(roster, unknown)
{
	struct mapped m = MAP(BK_ROSTER, "身份证号", "姓名", "性别");
	assert_fail(&m, "column_unknown", "性别");
	/* a known column of another kind */
	m = MAP(BK_ROSTER, "身份证号", "姓名", " 学时 ");
	assert_fail(&m, "column_unknown", "学时");
	m = MAP(BK_ROSTER, "id_number", "name", "hours");
	assert_fail(&m, "column_unknown", "hours");
	/* Chinese synonyms match exactly only; English names never partially */
	m = MAP(BK_ROSTER, "身份证", "姓名");
	assert_fail(&m, "column_unknown", "身份证");
	m = MAP(BK_ROSTER, "id_numbers", "name");
	assert_fail(&m, "column_unknown", "id_numbers");
	m = MAP(BK_ROSTER, "id_numbe", "name");
	assert_fail(&m, "column_unknown", "id_numbe");
	/* the first offending column is reported, before any missing one */
	m = MAP(BK_ROSTER, "foo", "bar");
	assert_fail(&m, "column_unknown", "foo");
}

Test(roster, duplicate)
{
	struct mapped m = MAP(BK_ROSTER, "id_number", "姓名", "身份证号");
	assert_fail(&m, "column_duplicate", "身份证号");
	m = MAP(BK_ROSTER, "身份证号码", "name", "证件号码");
	assert_fail(&m, "column_duplicate", "证件号码");
	m = MAP(BK_ROSTER, "name", "id_number", "NAME ");
	assert_fail(&m, "column_duplicate", "NAME");
	m = MAP(BK_ROSTER, "手机", "身份证号", "姓名", "Phone");
	assert_fail(&m, "column_duplicate", "Phone");
}

Test(roster, missing)
{
	struct mapped m = MAP(BK_ROSTER, "姓名", "手机");
	assert_fail(&m, "column_missing", "id_number");
	m = MAP(BK_ROSTER, "身份证号", "phone");
	assert_fail(&m, "column_missing", "name");
}

/* ---- hours ---- */

Test(hours, english_and_chinese)
{
	int w[COL__MAX];
	want_init(w);
	w[COL_ID_NUMBER] = 0, w[COL_NAME] = 1, w[COL_COURSE_CODE] = 2, w[COL_HOURS] = 3,
	w[COL_COMPLETED_ON] = 4;
	struct mapped m = MAP(BK_HOURS, "id_number", "name", "course_code", "hours",
	    "completed_on");
	assert_ok(&m, w);
	m = MAP(BK_HOURS, "身份证号", "姓名", "课程代码", "学时", "完成日期");
	assert_ok(&m, w);
	m = MAP(BK_HOURS, "证件号码", "姓名", "课程编号", "学时", "完成日期");
	assert_ok(&m, w);
}

Test(hours, mixed_order_upper_case_spaces)
{
	int w[COL__MAX];
	want_init(w);
	w[COL_COMPLETED_ON] = 0, w[COL_HOURS] = 1, w[COL_NAME] = 2, w[COL_COURSE_CODE] = 3,
	w[COL_ID_NUMBER] = 4;
	struct mapped m = MAP(BK_HOURS, " COMPLETED_ON", "学时", "\xe3\x80\x80姓名", "Course_Code ",
	    "身份证号码");
	assert_ok(&m, w);
}

Test(hours, unknown_duplicate_missing)
{
	struct mapped m = MAP(BK_HOURS, "身份证号", "姓名", "课程代码", "学时", "完成日期", "手机");
	assert_fail(&m, "column_unknown", "手机");
	m = MAP(BK_HOURS, "身份证号", "姓名", "课程代码", "学时", "完成日期", "course_code");
	assert_fail(&m, "column_duplicate", "course_code");
	m = MAP(BK_HOURS, "身份证号", "姓名", "课程代码", "学时", "hours");
	assert_fail(&m, "column_duplicate", "hours");
	m = MAP(BK_HOURS, "身份证号", "姓名", "课程代码", "完成日期");
	assert_fail(&m, "column_missing", "hours");
	m = MAP(BK_HOURS, "身份证号", "姓名", "学时", "完成日期");
	assert_fail(&m, "column_missing", "course_code");
	m = MAP(BK_HOURS, "身份证号", "姓名", "课程代码", "学时");
	assert_fail(&m, "column_missing", "completed_on");
}

/* ---- exams ---- */

Test(exams, english_and_chinese)
{
	int w[COL__MAX];
	want_init(w);
	w[COL_ID_NUMBER] = 0, w[COL_NAME] = 1, w[COL_LEVEL] = 2, w[COL_EXAM_SCORE] = 3,
	w[COL_CASE_SCORE] = 4, w[COL_ASSESSED_ON] = 5;
	struct mapped m = MAP(BK_EXAMS, "id_number", "name", "level", "exam_score", "case_score",
	    "assessed_on");
	assert_ok(&m, w);
	m = MAP(BK_EXAMS, "身份证号", "姓名", "等级", "笔试成绩", "案例分析成绩", "考核日期");
	assert_ok(&m, w);
}

Test(exams, case_score_optional)
{
	int w[COL__MAX];
	want_init(w);
	w[COL_ASSESSED_ON] = 0, w[COL_LEVEL] = 1, w[COL_ID_NUMBER] = 2, w[COL_EXAM_SCORE] = 3,
	w[COL_NAME] = 4;
	struct mapped m = MAP(BK_EXAMS, "考核日期", "LEVEL", "身份证号", " Exam_Score ", "姓名");
	assert_ok(&m, w);
}

Test(exams, unknown_duplicate_missing)
{
	struct mapped m = MAP(BK_EXAMS, "身份证号", "姓名", "等级", "笔试成绩", "考核日期", "完成日期");
	assert_fail(&m, "column_unknown", "完成日期");
	m = MAP(BK_EXAMS, "身份证号", "姓名", "等级", "笔试成绩", "考核日期", "employer");
	assert_fail(&m, "column_unknown", "employer");
	m = MAP(BK_EXAMS, "身份证号", "姓名", "case_score", "等级", "笔试成绩", "案例分析成绩");
	assert_fail(&m, "column_duplicate", "案例分析成绩");
	m = MAP(BK_EXAMS, "身份证号", "姓名", "等级", "案例分析成绩", "考核日期");
	assert_fail(&m, "column_missing", "exam_score");
	m = MAP(BK_EXAMS, "身份证号", "姓名", "笔试成绩", "考核日期");
	assert_fail(&m, "column_missing", "level");
	m = MAP(BK_EXAMS, "身份证号", "姓名", "等级", "笔试成绩");
	assert_fail(&m, "column_missing", "assessed_on");
	m = MAP(BK_EXAMS, "name", "等级", "笔试成绩", "考核日期");
	assert_fail(&m, "column_missing", "id_number");
}

/* ---- edge cases ---- */

Test(header, empty)
{
	struct mapped m;
	memset(&m, 0, sizeof(m));
	const char *none[1] = { NULL };
	m.rc = batch_header_map(BK_ROSTER, none, NULL, 0, m.pos, &m.code, m.name, sizeof(m.name));
	assert_fail(&m, "header_empty", "");
	for (int c = 0; c < COL__MAX; c++)
		cr_assert_eq(m.pos[c], -1);
	m = MAP(BK_HOURS, "", " ", "\xe3\x80\x80");
	assert_fail(&m, "header_empty", "");
}

Test(header, lengths_not_strlen)
{
	/* lens rule: the names need not be NUL-terminated at their length */
	const char *names[] = { "身份证号XYZ", "nameXYZ" };
	size_t lens[] = { strlen("身份证号"), 4 };
	int pos[COL__MAX];
	const char *code = "untouched";
	char name[8];
	cr_assert_eq(batch_header_map(BK_ROSTER, names, lens, 2, pos, &code, name, sizeof(name)), 0);
	cr_assert_eq(pos[COL_ID_NUMBER], 0);
	cr_assert_eq(pos[COL_NAME], 1);
	/* lens NULL: strlen */
	const char *names2[] = { "name", "id_number" };
	cr_assert_eq(batch_header_map(BK_ROSTER, names2, NULL, 2, pos, &code, name, sizeof(name)), 0);
	cr_assert_eq(pos[COL_NAME], 0);
}

Test(header, name_cut_to_cap_at_character_boundary)
{
	const char *names[] = { "身份证号", "姓名", "案例分析成绩" };
	int pos[COL__MAX];
	const char *code = NULL;
	char name[8];
	memset(name, 'Q', sizeof(name));
	/* 案例分析成绩 is 18 bytes: 7 bytes of room hold 案例 (6) */
	cr_assert_eq(batch_header_map(BK_ROSTER, names, NULL, 3, pos, &code, name, 7), -1);
	cr_assert_str_eq(code, "column_unknown");
	cr_assert_str_eq(name, "案例");
	cr_assert_eq(name[7], 'Q');
	/* cap 0 and a NULL name are fine */
	cr_assert_eq(batch_header_map(BK_ROSTER, names, NULL, 3, pos, &code, NULL, 0), -1);
	cr_assert_str_eq(code, "column_unknown");
	/* missing: the English name, cut too */
	const char *n2[] = { "身份证号" };
	cr_assert_eq(batch_header_map(BK_ROSTER, n2, NULL, 1, pos, &code, name, 3), -1);
	cr_assert_str_eq(code, "column_missing");
	cr_assert_str_eq(name, "na");
}

Test(header, bad_kind)
{
	const char *names[] = { "身份证号", "姓名" };
	int pos[COL__MAX];
	const char *code = NULL;
	char name[8];
	cr_assert_eq(batch_header_map((enum batch_kind)BK__MAX, names, NULL, 2, pos, &code, name,
	    sizeof(name)), -1);
	cr_assert_not_null(code);
}
