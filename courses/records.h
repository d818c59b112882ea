#ifndef TM_RECORDS_H
#define TM_RECORDS_H
#include <jansson.h>
#include <stdint.h>

#include "../db/db.h"

/*
 * Training records (append-only: a correction is a reversing entry with a reason) and the
 * credit ledger built from them. Error codes of fcgi/errors.c, or NULL on success.
 */
struct record_in {
	int64_t person_id;
	const char *course_code;
	const char *base_code;      /* may be NULL (admin entry without a base) */
	int hours_x2;
	const char *completed_on;   /* YYYY-MM-DD, not in the future */
	const char *source;         /* "admin", "batch" */
	const char *source_ref;     /* batch id, or NULL */
};

const char *record_add(struct db *, int64_t actor, const char *remote, const struct record_in *,
    int64_t *record_id);
const char *record_reverse(struct db *, int64_t actor, const char *remote, int64_t record_id,
    const char *reason, int64_t *reversal_id);
/* Credits every trainee enrolled in the offering with the course's hours, spread over the
 * offering's days within the daily cap; a second call credits nobody twice. */
const char *offering_complete(struct db *, int64_t actor, const char *remote, int64_t offering_id,
    json_t **out);

/* Every record of a person, newest first, appended to out. */
const char *records_list(struct db *, int64_t person_id, json_t *out);
/* The ledger for `year` with the 3-year rolling view ending that year. */
const char *credits_year(struct db *, int64_t person_id, int year, json_t **out);
/* Statement for from..to (≤ TM_MAX_STATEMENT_YEARS years): every entry, per-year totals. */
const char *credits_statement(struct db *, int64_t person_id, int from, int to, json_t **out);
/* The same per-year figures as structs, out[0] for `from` (to - from + 1 of them). */
struct ledger_year;
const char *credits_years(struct db *, int64_t person_id, int from, int to,
    struct ledger_year *out);

#define TM_MAX_STATEMENT_YEARS 10
#define TM_MAX_OFFERING_SEATS 2000    /* capacity of one offering; completion credits them in one go */
#define TM_MAX_LEDGER_ENTRIES 20000   /* one person, the whole span asked for */

#endif
