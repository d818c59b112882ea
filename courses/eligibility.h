#ifndef TM_ELIGIBILITY_H
#define TM_ELIGIBILITY_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "../db/db.h"
#include "date.h"

/*
 * The assessment decision that certificates consume: is this person eligible for this level's
 * certificate on this date, and if not, every reason why (never only the first).
 *
 * Levels are the strings "junior", "intermediate", "senior" everywhere (API, SQL ENUMs).
 */
#define ELIG_UNMET_MAX 32       /* more requirements than any level has */
#define ELIG_CODE_MAX 40
#define ELIG_VALUE_MAX 48
#define ELIG_MESSAGE_MAX 240    /* zh-CN UTF-8, NUL-terminated */

struct unmet {
	char code[ELIG_CODE_MAX];         /* stable, e.g. "training_hours_short" */
	char required[ELIG_VALUE_MAX];    /* e.g. "64" */
	char actual[ELIG_VALUE_MAX];      /* e.g. "52" */
	char message[ELIG_MESSAGE_MAX];   /* e.g. "需要 64 学时，已完成 52 学时" */
};

struct eligibility {
	int eligible;                     /* 1 iff n == 0 and the rules were found */
	size_t n;
	struct unmet unmet[ELIG_UNMET_MAX];
};

/*
 * Reads the person's facts, records and assessments and the rules in force on `on`, and
 * judges. Only reads: it may run inside the caller's transaction (certificate issue calls it
 * there, so the decision and the certificate are one snapshot) and never begins, commits or
 * rolls back. Returns NULL (out filled) or an error code of fcgi/errors.c: "not_found" for an
 * unknown person, "bad_level", "db_unavailable", "db_busy", "internal_error".
 */
const char *eligible(struct db *, int64_t person_id, const char *level, struct ymd on,
    struct eligibility *out);

/* {"level", "eligible", "unmet": [{"code","required","actual","message"}]} (the API's shape). */
json_t	*eligibility_json(const char *level, const struct eligibility *);

/*
 * The same decision as a checklist for pages and reviewers: the JSON of eligibility_json plus
 * "checklist": every requirement of the rule in force, each {"requirement","met","code",
 * "message"}, and "rules_from" (the version's effective_from). Only reads.
 */
const char *eligibility_checklist(struct db *, int64_t person_id, const char *level, struct ymd on,
    json_t **out);

/* What eligible() reads, for callers that judge themselves (eligibility_judge.h types). */
struct level_rule;
struct person_facts;
const char *eligibility_facts(struct db *, int64_t person_id, int level, struct ymd on,
    struct level_rule *rules, size_t *nrules, struct person_facts *);

#endif
