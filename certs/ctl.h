#ifndef TM_CERTS_CTL_H
#define TM_CERTS_CTL_H
#include <stdint.h>

#include "../db/config.h"
#include "../db/db.h"
#include "../db/keys.h"

/*
 * tmcred-ctl's certificate commands:
 *   signkey                      create this node's first signing key if it has none
 *   signkey-rotate [YYYY-MM-DD]  a new key signs from that day (default today) on
 *   cert-import PERSON LEVEL YYYY-MM-DD
 *                                record a certificate issued before tmcred (no eligibility
 *                                check; audited as an import) and print its serial and link
 *   cert-import-many LEVEL YYYY-MM-DD < person ids, one per line (bulk imports, benchmarks)
 *   progress-check [--rebuild]   recount the goal's progress from the certificates and compare
 *                                with the kept counters: exit 0 when equal, 1 on any difference
 *                                (each printed), 3 on a database error; --rebuild replaces the
 *                                kept rows by the recount (after a bulk load or a new rule)
 *   progress-json                this node's counts, as GET /api/v1/progress's "node"
 * Returns the exit status, or -1 when cmd is not one of them.
 */
int	 certs_ctl(const struct tm_config *, const char *cmd, int argc, char **argv);

/*
 * Demo certificates: the demo trainee's junior certificate (issued through eligible(), like
 * any other) and three more holders whose certificates are expired, suspended and revoked.
 * Prints DEMO_CERT_SERIAL, DEMO_CERT_URL, DEMO_CERT_URL_EXPIRED, DEMO_CERT_URL_SUSPENDED and
 * DEMO_CERT_URL_REVOKED as shell lines. 0 or -1.
 */
int	 certs_demo(struct db *, const struct tm_config *, const struct tm_keys *, int64_t admin_id,
	    int64_t trainee_person_id);

#endif
