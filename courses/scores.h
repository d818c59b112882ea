#ifndef TM_SCORES_H
#define TM_SCORES_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "../db/db.h"
#include "date.h"

/*
 * Assessment scores: written exam and case analysis, 0–100 with up to two decimals. They
 * come from the bases' exams uploads (exam_results) or a reviewer's entry
 * (assessment_scores, append-only). The defence part is a panel (panels.h).
 */

/* "0".."100" with at most two decimals ("59.5", "100.00") → hundredths. */
bool	 score_parse(const char *, int *x100);

/*
 * Checks an assessment date for a person: not in the future (UTC), not before the person
 * registered (persons.created_at). Appends {"field","code","message"} to errors and returns
 * false when it is refused; "not_found" in *why for an unknown person, db codes likewise.
 */
bool	 assessment_date_ok(struct db *, int64_t person_id, const char *field, const char *date,
	    json_t *errors, const char **why);

/* A reviewer's score. Bad values → "validation_failed" with errors; audited as score.enter. */
const char *score_enter(struct db *, int64_t actor, const char *remote, int64_t person_id,
    const char *level, const char *part, const char *score, const char *assessed_on,
    json_t *errors, json_t **out);
/* Every score of a person (both sources), newest first. */
const char *scores_list(struct db *, int64_t person_id, json_t *out);

struct person_facts;
/* The person's written and case scores for the level dated on or before `on` (the latest). */
const char *scores_facts(struct db *, int64_t person_id, const char *level, struct ymd on,
    struct person_facts *);

#endif
