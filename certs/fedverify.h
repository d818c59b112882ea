#ifndef TM_FEDVERIFY_H
#define TM_FEDVERIFY_H

#include "../db/config.h"
#include "../db/db.h"
#include "verify.h"

/*
 * Verification of another node's certificate (certs/README.md "Federation"). The serial's
 * node must be on the trust list: the signature is checked offline against that peer's
 * pinned keys (cert_check, as for our own), then the live status is asked of the peer
 * (GET <peer>/api/v1/verify/<serial>?s=<token>) and cached per worker for
 * [federation] status_cache_seconds. A peer that does not answer gives VS_STATUS_UNAVAILABLE
 * (never valid, never forged); a node not on the list gives VS_UNKNOWN with peer_trusted
 * false. A key id the pinned set lacks makes one refetch of the peer's key set (at most every
 * FED_KEY_RETRY_SECONDS per peer and worker), so a signed rotation is seen without an admin.
 */
#define FED_STATUS_CACHE_MAX 256       /* entries per worker */
#define FED_STATUS_FAIL_SECONDS 10     /* a failed status fetch is remembered this long at most */
#define FED_STATUS_MAX 16384           /* bytes of a peer's verify answer */
#define FED_KEY_RETRY_SECONDS 60

enum db_rc fed_verify_link(struct db *, const struct tm_config *, const struct verify_link *,
    struct verify_result *);

#endif
