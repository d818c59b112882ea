#ifndef TM_EVIDENCE_H
#define TM_EVIDENCE_H
#include <jansson.h>
#include <stdint.h>

#include "../db/db.h"
#include "date.h"

/*
 * Evidence a trainee declares for eligibility (education, tech-transfer work, deals per
 * domain.md §9, written works) and a reviewer verifies or rejects with a reason. Only
 * verified items count. Error codes of fcgi/errors.c, or NULL on success.
 */
#define EVIDENCE_KINDS "education|work|deal|writing"
#define DEGREE_CHOICES "high_school|associate|bachelor|master|doctor"
#define CONTRACT_TYPES "development|transfer|licensing|consulting|service"
#define WRITING_KINDS "case_report|publication|policy_report|standard"
#define TM_MAX_EVIDENCE 500        /* items of one person read for a decision or a list */

/* Fields arrive validated for their kind; NULL where the kind has none. */
struct evidence_in {
	const char *kind, *title, *degree, *started_on, *on_date, *contract_type, *deal_role,
	    *contract_amount, *received_amount, *registration_no, *writing_kind;
};
const char *evidence_declare(struct db *, int64_t actor, const char *remote, int64_t person_id,
    const struct evidence_in *, json_t **out);
/* A person's items (person_id > 0), or every pending item of everyone (person_id 0). */
const char *evidence_list(struct db *, int64_t person_id, json_t *out);
/* pending → verified | rejected (reason required for rejected); "evidence_reviewed" otherwise. */
const char *evidence_review(struct db *, int64_t actor, const char *remote, int64_t id,
    const char *status, const char *reason, json_t **out);

struct person_facts;
/* Verified education, work, deals and works dated on or before `on`. Only reads. */
const char *evidence_facts(struct db *, int64_t person_id, struct ymd on, struct person_facts *);

#endif
