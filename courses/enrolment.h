#ifndef TM_ENROLMENT_H
#define TM_ENROLMENT_H
#include <stddef.h>
#include <stdint.h>

#include "../db/db.h"

/*
 * Enrolment in an offering. Seats are taken by a conditional UPDATE of the offering row
 * (enrolled < capacity) inside the transaction, so of two trainees racing for the last seat
 * exactly one commits; a duplicate is refused by the unique (offering, person) key.
 * Both return an error code of fcgi/errors.c or NULL; course_code (≥ 20 bytes) receives the
 * offering's course for the page to return to.
 */
const char *enrol(struct db *, int64_t user_id, int64_t person_id, int64_t offering_id,
    const char *remote, char *course_code, size_t cap);
const char *withdraw(struct db *, int64_t user_id, int64_t person_id, int64_t offering_id,
    const char *remote, char *course_code, size_t cap);

#endif
