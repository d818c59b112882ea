#ifndef TM_SNAPSHOT_H
#define TM_SNAPSHOT_H
#include <stdbool.h>
#include <stdint.h>

#include "../db/db.h"
#include "signature.h"

/*
 * A worker's copy of the registry, so that a genuine QR link is answered without Ed25519 and
 * without the database (issue 7's stretch goal; bench/verify.md "Proposals"). Per certificate:
 * status, current revision, expiry, base, masked holder and a BLAKE2b-128 digest of the exact
 * signed payload and signature of the current revision. A link whose (serial, rev) is held
 * and whose digest matches was signed by this node: its answer comes from memory. A held
 * (serial, rev) with another digest is forged (this node signs each (serial, rev) once, and
 * libsodium refuses non-canonical signatures), also without Ed25519. Anything else (a serial
 * issued or renewed since the last refresh, an older revision) takes the full path.
 *
 * Freshness: snap_sync() re-reads the rows changed since the last refresh when the caller's
 * epoch moved (a change made through this host: exact) or SNAP_REFRESH_SECONDS passed (a
 * change made elsewhere: another host, SQL). Each refresh reads the rows whose updated_at is
 * at most SNAP_OVERLAP_SECONDS older than the database's clock at the previous refresh: a
 * transaction's updated_at is taken before it commits, so a certificate transaction (a few
 * milliseconds) is seen even if it commits after that read. A full reload every
 * SNAP_FULL_SECONDS bounds anything slower (or a Galera node's clock skew).
 */
#define SNAP_REFRESH_SECONDS 2
#define SNAP_OVERLAP_SECONDS 10
#define SNAP_FULL_SECONDS 900
#define SNAP_MAX_CERTS 4000000u         /* about 110 bytes each */
#define SNAP_MAX_BASES 4096u

struct snap_hit {
	int64_t  cert_id;
	char     status;                    /* 'v'alid, 's'uspended, 'r'evoked */
	char     holder[64];                /* masked */
	const char *base;                   /* "" when none; valid until the next snap_sync */
};

/* Brings the snapshot up to date (see above). DB trouble keeps the old one (returns it). */
enum db_rc snap_sync(struct db *, uint64_t epoch);

/*
 * 1: the link is this node's current revision (hit filled); 0: forged (a held serial and
 * revision with another digest); -1: not decidable from memory (take the full path).
 */
int	 snap_check(const struct cert_claims *, const unsigned char sig[SIG_BYTES], struct snap_hit *);

#endif
