#include "batch_columns.h"

#include <limits.h>
#include <stdbool.h>
#include <string.h>

static const char *const kind_names[BK__MAX] = {
	[BK_ROSTER] = "roster",
	[BK_HOURS] = "hours",
	[BK_EXAMS] = "exams",
};

static const struct {
	const char *en;
	const char *zh[4];      /* NULL-terminated */
} cols[COL__MAX] = {
	[COL_ID_NUMBER] = { "id_number", { "身份证号", "身份证号码", "证件号码", NULL } },
	[COL_NAME] = { "name", { "姓名", NULL } },
	[COL_PHONE] = { "phone", { "手机", "手机号", "手机号码", NULL } },
	[COL_EMAIL] = { "email", { "邮箱", "电子邮箱", NULL } },
	[COL_EMPLOYER] = { "employer", { "工作单位", "单位", NULL } },
	[COL_COURSE_CODE] = { "course_code", { "课程代码", "课程编号", NULL } },
	[COL_HOURS] = { "hours", { "学时", NULL } },
	[COL_COMPLETED_ON] = { "completed_on", { "完成日期", NULL } },
	[COL_LEVEL] = { "level", { "等级", NULL } },
	[COL_EXAM_SCORE] = { "exam_score", { "笔试成绩", NULL } },
	[COL_CASE_SCORE] = { "case_score", { "案例分析成绩", NULL } },
	[COL_ASSESSED_ON] = { "assessed_on", { "考核日期", NULL } },
};

/* Per kind: 0 not allowed, 1 optional, 2 required. */
enum { NO, OPT, REQ };
static const unsigned char allowed[BK__MAX][COL__MAX] = {
	[BK_ROSTER] = {
		[COL_ID_NUMBER] = REQ, [COL_NAME] = REQ,
		[COL_PHONE] = OPT, [COL_EMAIL] = OPT, [COL_EMPLOYER] = OPT,
	},
	[BK_HOURS] = {
		[COL_ID_NUMBER] = REQ, [COL_NAME] = REQ, [COL_COURSE_CODE] = REQ,
		[COL_HOURS] = REQ, [COL_COMPLETED_ON] = REQ,
	},
	[BK_EXAMS] = {
		[COL_ID_NUMBER] = REQ, [COL_NAME] = REQ, [COL_LEVEL] = REQ,
		[COL_EXAM_SCORE] = REQ, [COL_CASE_SCORE] = OPT, [COL_ASSESSED_ON] = REQ,
	},
};

int
batch_kind_parse(const char *s)
{
	if (s == NULL)
		return -1;
	for (int k = 0; k < BK__MAX; k++)
		if (strcmp(s, kind_names[k]) == 0)
			return k;
	return -1;
}

const char *
batch_kind_name(enum batch_kind k)
{
	return (unsigned)k < BK__MAX ? kind_names[k] : "";
}

const char *
batch_col_name(enum batch_col c)
{
	return (unsigned)c < COL__MAX ? cols[c].en : "";
}

/* Length of the space at s[0..n): ASCII space or tab, U+00A0, U+3000; 0 if none. */
static size_t
space_at(const char *s, size_t n)
{
	if (n >= 1 && (s[0] == ' ' || s[0] == '\t'))
		return 1;
	if (n >= 2 && memcmp(s, "\xc2\xa0", 2) == 0)
		return 2;
	if (n >= 3 && memcmp(s, "\xe3\x80\x80", 3) == 0)
		return 3;
	return 0;
}

/* Same, ending at s[n). */
static size_t
space_before(const char *s, size_t n)
{
	if (n >= 1 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		return 1;
	if (n >= 2 && memcmp(s + n - 2, "\xc2\xa0", 2) == 0)
		return 2;
	if (n >= 3 && memcmp(s + n - 3, "\xe3\x80\x80", 3) == 0)
		return 3;
	return 0;
}

static void
trim(const char **s, size_t *n)
{
	size_t k;
	while ((k = space_at(*s, *n)) > 0) {
		*s += k;
		*n -= k;
	}
	while ((k = space_before(*s, *n)) > 0)
		*n -= k;
}

static bool
ascii_case_eq(const char *a, size_t n, const char *b)
{
	size_t i = 0;
	for (; i < n && b[i] != '\0'; i++) {
		unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x - 'A' + 'a');
		if (x != y)
			return false;
	}
	return i == n && b[i] == '\0';
}

/* The column a trimmed header name stands for, or -1. */
static int
lookup(const char *s, size_t n)
{
	for (int c = 0; c < COL__MAX; c++) {
		if (ascii_case_eq(s, n, cols[c].en))
			return c;
		for (size_t k = 0; cols[c].zh[k] != NULL; k++)
			if (strlen(cols[c].zh[k]) == n && memcmp(s, cols[c].zh[k], n) == 0)
				return c;
	}
	return -1;
}

/* Copies s[0..n) into name, cut at a UTF-8 character boundary to fit cap. */
static void
copy_name(char *name, size_t cap, const char *s, size_t n)
{
	if (name == NULL || cap == 0)
		return;
	if (n > cap - 1) {
		n = cap - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(name, s, n);
	name[n] = '\0';
}

static int
fail(const char **code, const char *what, char *name, size_t cap, const char *s, size_t n)
{
	if (code != NULL)
		*code = what;
	copy_name(name, cap, s, n);
	return -1;
}

int
batch_header_map(enum batch_kind kind, const char *const *names, const size_t *lens, size_t n,
    int pos[COL__MAX], const char **code, char *name, size_t cap)
{
	bool any = false;

	for (int c = 0; c < COL__MAX; c++)
		pos[c] = -1;
	if (code != NULL)
		*code = NULL;
	copy_name(name, cap, "", 0);
	if ((unsigned)kind >= BK__MAX)
		return fail(code, "column_unknown", name, cap, "", 0);

	for (size_t i = 0; i < n; i++) {
		const char *s = names[i];
		size_t len = lens != NULL ? lens[i] : strlen(s);
		trim(&s, &len);
		/* an unnamed column (Excel's used range, a spacer) maps to nothing */
		if (len == 0)
			continue;
		any = true;
		int c = lookup(s, len);
		if (c < 0 || allowed[kind][c] == NO)
			return fail(code, "column_unknown", name, cap, s, len);
		if (pos[c] >= 0)
			return fail(code, "column_duplicate", name, cap, s, len);
		if (i > INT_MAX)
			return fail(code, "column_unknown", name, cap, s, len);
		pos[c] = (int)i;
	}
	if (!any)
		return fail(code, "header_empty", name, cap, "", 0);
	for (int c = 0; c < COL__MAX; c++)
		if (allowed[kind][c] == REQ && pos[c] < 0)
			return fail(code, "column_missing", name, cap, cols[c].en, strlen(cols[c].en));
	return 0;
}
