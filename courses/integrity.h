#ifndef TM_INTEGRITY_H
#define TM_INTEGRITY_H
#include <jansson.h>
#include <stdint.h>

#include "../db/db.h"
#include "date.h"

/*
 * 诚信 (integrity) events: an admin opens one for a person and later closes it. An event
 * open at any time within the rule's integrity_years before a date bars eligibility.
 */
/* opened_on must not be in the future; audited as integrity.open. */
const char *integrity_open(struct db *, int64_t actor, const char *remote, int64_t person_id,
    const char *opened_on, const char *kind, const char *note, json_t *errors, json_t **out);
/* closed_on ≥ opened_on and not in the future; "integrity_closed" (409) when already closed. */
const char *integrity_close(struct db *, int64_t actor, const char *remote, int64_t id,
    const char *closed_on, json_t *errors, json_t **out);
const char *integrity_list(struct db *, int64_t person_id, json_t *out);

struct person_facts;
const char *integrity_facts(struct db *, int64_t person_id, struct ymd on, struct person_facts *);

#endif
