#ifndef TM_STATEMENT_STORE_H
#define TM_STATEMENT_STORE_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "../db/config.h"
#include "../db/db.h"
#include "statement.h"
#include "verify.h"

/*
 * Signed credit statements in the database (migration 0012): issue one for a trainee's
 * ledger, read it back (view, PDF data), and verify a link. Functions return NULL or an
 * error code of fcgi/errors.c.
 */
#define STMT_PER_DAY_MAX 20     /* statements one person may have signed per day */

/*
 * Signs the person's figures for from..to (1..STMT_YEARS_MAX years, none after this year)
 * in one transaction with its number and audit row. When a statement of the same person,
 * years and figures was already signed today, that one is returned (*created = false), so a
 * double click does not use numbers. *out: the statement's view (stmt_get's shape).
 */
const char *stmt_issue(struct db *, const struct tm_config *, int64_t actor, const char *remote,
    int64_t person_id, int from, int to, json_t **out, bool *created);

/*
 * One statement: {"no","holder","from","to","issued_on","key_id","url","years":[...]},
 * and its holder's person id in *owner (the caller decides who may read it).
 */
const char *stmt_get(struct db *, const char *no, json_t **out, int64_t *owner);
/* The person's statements, newest first, appended to out (at most STMT_LIST_MAX). */
#define STMT_LIST_MAX 200
const char *stmts_of_person(struct db *, int64_t person_id, json_t *out);

/* What a verifier learns from a statement link. */
struct stmt_result {
	enum vstatus       status;          /* VS_VALID, VS_UNKNOWN (genuine but not on record), VS_FORGED */
	struct stmt_claims claims;          /* the signed figures (status != VS_FORGED) */
	char               holder[64];      /* masked name (VS_VALID) */
	bool               changed_since;   /* the records of those years were corrected after signing */
};

/* "/V/CS-.../<TOKEN>" (any case): signature against the key set, then the record. */
enum db_rc stmt_verify_link(struct db *, const struct tm_config *, const char *path, size_t len,
    struct stmt_result *);

/* The signed years as a view: [{year, total, professional, general, required, met}]. */
json_t	*stmt_years_json(const struct stmt_claims *);

#endif
