#ifndef TM_LEDGER_YEARS_H
#define TM_LEDGER_YEARS_H
#include <stdint.h>

#include "../db/db.h"

/*
 * ledger_years (migration 0004): per person and calendar year, the sums /me/credits reads
 * instead of every entry. Kept in C since migration 0013 dropped the row trigger: every writer
 * of training_records recomputes the (person, year) rows it touched from training_records, in
 * the same transaction and after locking the person's row (so no other writer of that person
 * runs between the sum and the commit). A recomputed row is right whatever the row held
 * before, so an earlier drift does not survive the person's next record.
 */

/* "INSERT … SELECT sums FROM training_records" + a WHERE of the caller + LEDGER_YEARS_SET. */
#define LEDGER_YEARS_SUMS "INSERT INTO ledger_years (person_id, year, professional_x2," \
	" general_x2, compulsory_x2) SELECT person_id, YEAR(completed_on)," \
	" SUM(IF(subject = 'professional', hours_x2, 0)), SUM(IF(subject = 'general', hours_x2, 0))," \
	" SUM(IF(subject = 'general' AND compulsory = 1, hours_x2, 0)) FROM training_records"
#define LEDGER_YEARS_SET " GROUP BY person_id, YEAR(completed_on) ON DUPLICATE KEY UPDATE" \
	" professional_x2 = VALUES(professional_x2), general_x2 = VALUES(general_x2)," \
	" compulsory_x2 = VALUES(compulsory_x2)"

/* One person's year (nothing when the person has no record that year). */
enum db_rc ledger_years_refresh(struct db *, int64_t person_id, int year);

#endif
