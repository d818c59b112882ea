#ifndef TM_BATCH_COLUMNS_H
#define TM_BATCH_COLUMNS_H
#include <stddef.h>

/*
 * The columns of each batch kind and the header names a base may use for them: the
 * English name or a documented Chinese one, in any order (docs: README "Batch uploads").
 */
enum batch_kind { BK_ROSTER, BK_HOURS, BK_EXAMS, BK__MAX };

enum batch_col {
	COL_ID_NUMBER, COL_NAME, COL_PHONE, COL_EMAIL, COL_EMPLOYER,
	COL_COURSE_CODE, COL_HOURS, COL_COMPLETED_ON,
	COL_LEVEL, COL_EXAM_SCORE, COL_CASE_SCORE, COL_ASSESSED_ON,
	COL__MAX
};

/* "roster" → BK_ROSTER; -1 for anything else. */
int	 batch_kind_parse(const char *);
const char *batch_kind_name(enum batch_kind);
/* English column name ("id_number"). */
const char *batch_col_name(enum batch_col);

/*
 * Maps a header row to columns. Names are trimmed of spaces; English names match
 * case-insensitively; Chinese synonyms exactly (身份证号, 身份证号码, 证件号码, 姓名, 手机,
 * 手机号, 手机号码, 邮箱, 电子邮箱, 工作单位, 单位, 课程代码, 课程编号, 学时, 完成日期, 等级,
 * 笔试成绩, 案例分析成绩, 考核日期).
 * On success fills pos[COL__MAX] with the field index of each column (-1 when absent)
 * and returns 0. Otherwise returns -1 with a stable code in *code ("column_unknown",
 * "column_duplicate", "column_missing", "header_empty") and the offending column's name
 * (as given, or the English name for a missing one) in name (cap bytes).
 * Required: roster id_number, name; hours id_number, name, course_code, hours,
 * completed_on; exams id_number, name, level, exam_score, assessed_on (case_score optional:
 * required for intermediate and senior rows, checked per row). Optional: roster phone,
 * email, employer.
 */
int	 batch_header_map(enum batch_kind, const char *const *names, const size_t *lens, size_t n,
	    int pos[COL__MAX], const char **code, char *name, size_t cap);

#endif
