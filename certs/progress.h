#ifndef TM_PROGRESS_H
#define TM_PROGRESS_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../db/db.h"
#include "progress_rule.h"

/*
 * Progress toward the 3,000-manager goal (issue 8, domain.md §1), kept exact in the database:
 * progress_persons (one row per counted person) and progress_counts (counter rows) under the
 * rule version in force (progress_rules, highest version). Every transaction that changes a
 * certificate calls progress_sync_person() before it commits, so the counts follow issue,
 * import, suspend, reinstate, revoke and renewal exactly; expiry never changes them (valid
 * and expired count alike by a CHECK on the rule). Readers read a handful of rows.
 * Functions returning const char * return NULL or an error code of fcgi/errors.c.
 */

/* The rule in force; DB_NOROW when progress_rules is empty. */
enum db_rc progress_rule(struct db *, struct prog_rule *);

/* The same, with the rule row locked: shared (certificate changes) or exclusive (rebuild). */
enum db_rc progress_rule_lock(struct db *, struct prog_rule *, bool exclusive);

/*
 * Inside the caller's transaction, after it changed a certificate of person_id: recomputes
 * the person from their certificates (at most one per level; the person row is locked) and
 * moves the counters by the difference. DB_RETRY etc. as db_exec.
 */
enum db_rc progress_sync_person(struct db *, int64_t person_id);

/*
 * This node's counts under the rule in force, shaped like GET /api/v1/progress's "node" part
 * (certified, certified_intermediate_senior, by_level, by_highest_level, by_month [{month:
 * "YYYY-MM", new:N, cumulative:N}], rule_version, as_of). The contract of the federation
 * branch: keep the signature. 0 or -1. Caller owns *out.
 */
int	 progress_node_json(struct db *db, json_t **out);

/*
 * Calls fn(ctx, person_id) for every person counted toward the goal on this node, in person
 * order; stops and returns fn's value if non-zero. 0, fn's value, or -1 on a database error.
 * Federation contract: keep the signature.
 */
int	 progress_each_counted_person(struct db *db, int (*fn)(void *ctx, long long person_id),
	    void *ctx);

/*
 * GET /api/v1/progress: goal, baseline, node counts, breakdowns by level, base and region, the
 * monthly series and the projection, as of `today` (UTC). Caller owns *out.
 */
const char *progress_view(struct db *, struct ymd today, json_t **out);

/* One base's own contribution (its persons, by level and month), for its operator. */
const char *progress_base_view(struct db *, int64_t base_id, struct ymd today, json_t **out);

/* The monthly series and the breakdowns of a progress_view as CSV: UTF-8 with BOM, CRLF. */
char	*progress_csv(json_t *view, size_t *len);

/* Internals shared with progress_check.c. */
enum db_rc progress_person_certs(struct db *, int64_t person_id, struct prog_cert c[3], size_t *n,
    bool lock);
enum db_rc progress_apply_delta(struct db *, int version, const struct prog_key *, const int *sign,
    size_t n);

/* The admin's baseline: number, date, source note; audited. */
#define PROGRESS_BASELINE_MAX 1000000
#define PROGRESS_SOURCE_MAX 200      /* code points */
const char *progress_baseline_set(struct db *, int64_t actor, const char *remote, long number,
    struct ymd as_of, const char *source);

/*
 * tmcred-ctl progress-check: recounts everything from the certificates (one consistent
 * snapshot) and compares with the kept rows; prints every difference to `report`. Returns the
 * number of differences, or -1 on a database error. With rebuild, the kept rows are replaced by
 * the recount in one transaction instead (after a bulk load or a new rule version).
 */
long	 progress_check(struct db *, bool rebuild, FILE *report);

#endif
