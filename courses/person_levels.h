#ifndef TM_PERSON_LEVELS_H
#define TM_PERSON_LEVELS_H
#include <jansson.h>
#include <stdint.h>

#include "../db/db.h"

/*
 * The levels a person holds (person_levels). Certificates insert 'certificate' rows in their
 * own transaction; an admin enters 'declared' rows for levels held before tmcred. Eligibility
 * reads "prior level held for N years" from the active rows.
 */
/* held_since not in the future, not before 1990. Audited as person_level.declare. */
const char *person_level_declare(struct db *, int64_t actor, const char *remote,
    int64_t person_id, const char *level, const char *held_since, json_t *errors, json_t **out);
/* The expert pool (experts joined with persons), for panel entry. */
const char *experts_list(struct db *, json_t *out);

#define TM_MAX_EXPERTS 500

#endif
