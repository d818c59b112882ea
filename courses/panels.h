#ifndef TM_PANELS_H
#define TM_PANELS_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "../db/db.h"
#include "date.h"

/*
 * Defence (答辩) panels: at least the rule's panel_min experts, each a persons record with
 * no conflict of interest (not the candidate, not from the candidate's employer or from a
 * base where the candidate trained or sat an exam). Each expert's score and vote is stored
 * and audited separately. A recorded panel is never edited: a new panel supersedes it,
 * with a reason. Result = mean ≥ pass mark AND pass votes ≥ num/den (the rules in force on
 * the day the panel sat).
 */
#define TM_MAX_PANEL 15            /* experts on one panel */

struct panel_expert_in {
	const char *person_id, *score, *vote;   /* as received; NULL when absent */
};

struct panel_in {
	int64_t person_id;
	const char *level, *held_on;
	const struct panel_expert_in *experts;
	size_t nexperts;
	int64_t supersedes;            /* 0 = a first panel */
	const char *reason;            /* required with supersedes */
};

/*
 * Validates everything (appending {"field","code","message"} to errors → "validation_failed",
 * nothing stored) and records the panel. "panel_not_found", "panel_superseded" (409) for a
 * bad supersedes.
 */
const char *panel_record(struct db *, int64_t actor, const char *remote, const struct panel_in *,
    json_t *errors, json_t **out);
/* A person's panels with their experts and results, newest first. */
const char *panels_list(struct db *, int64_t person_id, json_t *out);

struct person_facts;
/* The person's panels for the level held on or before `on`, superseded ones left out. */
const char *panels_facts(struct db *, int64_t person_id, const char *level, struct ymd on,
    struct person_facts *);

#endif
