#ifndef TM_VERIFY_H
#define TM_VERIFY_H
#include <stdbool.h>
#include <stdint.h>

#include "../db/config.h"
#include "../db/db.h"
#include "keyset.h"
#include "signature.h"

/*
 * What an employer learns from a QR link or a typed serial. A link's signature is checked
 * against the cached key set first (cert_check), so a forged or altered code is refused
 * without touching the database; only a genuine one is looked up for its status.
 */
enum vstatus {
	VS_VALID, VS_EXPIRED, VS_SUSPENDED, VS_REVOKED, VS_UNKNOWN, VS_FORGED, VS_SUPERSEDED,
	VS_STATUS_UNAVAILABLE,  /* a peer's genuine certificate whose node did not answer */
};

struct verify_result {
	enum vstatus status;
	enum serial_err serial_err;      /* typed lookup: why the serial is malformed */
	bool from_signature;             /* level and dates come from the signed payload */
	int64_t cert_id;                 /* 0 unless the database knows the certificate */
	char serial[SERIAL_MAX + 1];
	char level[16];                  /* "junior", ... ("" when unknown) */
	char holder[64];                 /* masked: 张*三 */
	char base[400];
	char issued[11], expires[11];
	unsigned rev, current_rev;
	char current_url[VERIFY_URL_MAX + 1];   /* superseded: the current revision's link */
	/* another node's certificate (certs/fedverify.h) */
	char peer[SERIAL_NODE_MAX + 1];          /* the serial's node, "" for this node's */
	char peer_name[KEYSET_NAME_MAX + 1];
	bool peer_trusted;                       /* on the trust list: signature checked offline */
	char peer_why[32];                       /* status_unavailable: peer_down, peer_timeout, ... */
};

/*
 * A QR link's path, "/V/<SERIAL>/<TOKEN>" (any case). DB_OK, or the database's trouble.
 * epoch: the host's certificate epoch (bumped after every issue and status change made on
 * this host), so the worker's registry snapshot (certs/snapshot.h) is never stale for them.
 */
enum db_rc cert_verify_link(struct db *, const struct tm_config *, const char *path, size_t len,
    uint64_t epoch, struct verify_result *);
/*
 * A typed serial, no signature: the registry's answer. serial_err != SERIAL_OK (status
 * VS_UNKNOWN) when the serial is malformed, before any database access.
 */
enum db_rc cert_verify_serial(struct db *, const struct tm_config *, const char *serial,
    size_t len, struct verify_result *);

/*
 * Records when a known certificate was verified (time only). The times are buffered per
 * worker and written in one multi-row INSERT when VERIFY_LOG_MAX are waiting or the oldest
 * has waited VERIFY_LOG_SECONDS, checked after every response (cert_verified_flush), so a
 * verification never waits for a disk flush. Bound: a holder sees a verification within
 * VERIFY_LOG_SECONDS of the worker's next request, and at the latest when it exits. A worker
 * killed by SIGKILL loses at most VERIFY_LOG_MAX times (a count, never a status).
 */
#define VERIFY_LOG_MAX 64
#define VERIFY_LOG_SECONDS 2
void	 cert_verified(struct db *, int64_t cert_id);
/* Writes the buffered times when due (or now, when force). */
enum db_rc cert_verified_flush(struct db *, bool force);

const char *vstatus_code(enum vstatus);     /* "valid", "expired", ... */
const char *vstatus_zh(enum vstatus);       /* 有效, 已过期, ... */

#endif
