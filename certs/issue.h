#ifndef TM_ISSUE_H
#define TM_ISSUE_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "../courses/eligibility.h"
#include "../db/config.h"
#include "../db/db.h"

/*
 * A certificate's life: issue (only when eligible(), in one transaction with its serial,
 * signature and audit row), suspend, reinstate, revoke (final), renew (a new revision and
 * signature when the continuing-education rule is met), and the holder's and admin's views.
 * Functions return NULL or an error code of fcgi/errors.c.
 */
struct cert_issue_in {
	int64_t     person_id;
	const char *level;             /* "junior" | "intermediate" | "senior" */
	struct ymd  issued_on;         /* today, except for imports */
	bool        import;            /* tmcred-ctl import of a certificate issued before tmcred:
	                                  no eligibility check, issued_on may be in the past */
	const char *torch_filing_no;   /* optional, 中/高 only */
	int64_t     base_id;           /* import only: the issuing base when known (0 = from the
	                                  person's latest assessment or training at the level) */
};

/*
 * Issues, or refuses: "not_eligible" fills *elig with every unmet requirement,
 * "certificate_exists" when the person already holds this level. *out (new reference) is the
 * admin view of the new certificate, with its QR link ("url").
 */
const char *cert_issue(struct db *, const struct tm_config *, int64_t actor, const char *remote,
    const struct cert_issue_in *, json_t **out, struct eligibility *elig);

/*
 * Batch issue for a level: every candidate (a person with an assessment result at the level
 * and no certificate of it), in person order after `after`, at most `max` of them, each in its
 * own transaction (flat cost per certificate, memory bounded by max). The eligible get a
 * certificate; the others are counted with their first unmet codes. *out: {"issued": n,
 * "not_eligible": n, "serials": [...], "next_after": id or null when no candidate is left}.
 */
#define CERT_BATCH_MAX 500
const char *cert_issue_batch(struct db *, const struct tm_config *, int64_t actor,
    const char *remote, const char *level, int64_t after, int max, json_t **out);

enum cert_action { CERT_SUSPEND, CERT_REINSTATE, CERT_REVOKE };
const char *cert_set_status(struct db *, int64_t actor, const char *remote, const char *serial,
    enum cert_action, const char *reason, json_t **out);

/*
 * An integrity event (诚信) was opened for the person: every valid certificate of theirs is
 * suspended, each audited with the event named in the reason. Revocation stays an admin's
 * decision (POST .../revoke), and so does reinstatement after the event is closed. Appends
 * the suspended serials to `serials`.
 */
const char *certs_suspend_for_integrity(struct db *, int64_t actor, const char *remote,
    int64_t person_id, int64_t event_id, json_t *serials);

/* Renewal (domain.md §5): "renewal_not_met" with details in *details (new reference). */
const char *cert_renew(struct db *, const struct tm_config *, int64_t actor, const char *remote,
    const char *serial, json_t **out, json_t **details);

/* Sets the 火炬中心 filing number of a 中/高 certificate (not signed: filled in later). */
const char *cert_set_filing(struct db *, int64_t actor, const char *remote, const char *serial,
    const char *filing_no);

/* The admin view of one certificate (with its current link), or "certificate_not_found". */
const char *cert_get(struct db *, const struct tm_config *, const char *serial, json_t **out);
/* A holder's certificates with links, status and verification count and times. */
const char *certs_of_person(struct db *, const struct tm_config *, int64_t person_id,
    json_t *out);
/* The serial of a person's certificate of a level, for routes that name the holder. */
const char *cert_owner(struct db *, const char *serial, int64_t *person_id);

/* Validity limits of what an admin may type. */
#define CERT_REASON_MAX 200          /* code points */
#define CERT_FILING_MAX 40           /* bytes */
#define CERT_VERIFY_TIMES_SHOWN 20   /* latest verification times on the holder's page */
#define TM_STR_(x) #x
#define TM_STR(x) TM_STR_(x)

/* "J", "I", "S" (0 for anything else) and 初级/中级/高级 of a level name. */
char	 level_letter(const char *level);
const char *level_zh(const char *level);

#endif
