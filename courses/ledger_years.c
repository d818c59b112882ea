#include "ledger_years.h"

#include <stdio.h>

enum db_rc
ledger_years_refresh(struct db *d, int64_t person_id, int year)
{
	char from[12], to[12];
	snprintf(from, sizeof(from), "%04d-01-01", year);
	snprintf(to, sizeof(to), "%04d-12-31", year);
	/* a date range, not YEAR(completed_on) = ?: the (person_id, completed_on) index serves it */
	struct db_val v[] = { DBV_I64(person_id), DBV_STR(from), DBV_STR(to) };
	return db_exec(d, LEDGER_YEARS_SUMS " WHERE person_id = ? AND completed_on BETWEEN ? AND ?"
	    LEDGER_YEARS_SET, v, DB_N(v), NULL, NULL);
}
