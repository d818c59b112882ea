#ifndef TM_LEVEL_RULES_H
#define TM_LEVEL_RULES_H
#include <jansson.h>
#include <stddef.h>

#include "../db/db.h"
#include "eligibility_judge.h"

/*
 * level_rules: one row per version of a level's rules (domain.md §3–§4). A new version is
 * added with a later effective_from; settings it does not name are copied from the version
 * before it. Nothing is overwritten (triggers refuse UPDATE and DELETE).
 */

/* The settable columns, in the order of lr_col_name(); API fields carry these names. */
#define LR_NCOLS 26
const char *lr_col_name(size_t i);

/* Every version of one level (any order) into out; *n receives the count. Only reads. */
const char *level_rules_load(struct db *, enum lvl, struct level_rule *out, size_t cap, size_t *n);
/* Every version of every level, newest first per level, as JSON objects. */
const char *level_rules_list(struct db *, json_t *out);

/*
 * Adds a version. vals[i] is the text for column lr_col_name(i) or NULL (copy the previous
 * version's). Bad values and an effective_from not after every existing version of the
 * level ("rule_overlap") are appended to errors as {"field","code","message"}, and the
 * result is "validation_failed" with nothing stored. Audited as level_rule.create.
 */
const char *level_rule_add(struct db *, int64_t actor, const char *remote, const char *level,
    const char *effective_from, const char *note, const char *const vals[LR_NCOLS],
    json_t *errors, json_t **out);

#endif
