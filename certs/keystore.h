#ifndef TM_KEYSTORE_H
#define TM_KEYSTORE_H
#include <stddef.h>

#include "../db/config.h"
#include "../db/db.h"
#include "keyset.h"

/*
 * This node's Ed25519 signing keys. Private halves are 32-byte seeds in files
 * <keys dir>/sign-<KEY ID>.key (mode 0600), never in the database; public halves and validity
 * windows are rows of signing_keys, published as the key set.
 */
#define SIGNKEY_FIRST_FROM "2020-01-01"   /* the first key also covers certificates imported
                                            from before tmcred (the programme began in 2020) */

/* Creates this node's first key (<NODE>1) when signing_keys is empty. 1 created, 0 none, -1. */
int	 signkey_ensure(struct db *, const struct tm_config *, char *err, size_t errlen);
/*
 * Rotation: a new key <NODE><n+1> signs from `from` (today when NULL) on; every open key's
 * window is closed on that day (one day of overlap: what an old key signed that day stays
 * genuine). The file is written first, removed again if the
 * database refuses. Writes the new key id into new_id. 0 or -1.
 */
int	 signkey_rotate(struct db *, const struct tm_config *, const char *from,
	    char new_id[CERT_KEY_ID_MAX + 1], char *err, size_t errlen);

/* Reads the node's key set (every key, with its window) from the database. */
enum db_rc keyset_read(struct db *, const struct tm_config *, struct keyset *);

/*
 * The key set a worker verifies with, cached: re-read when older than KEYSET_CACHE_SECONDS,
 * or (at most every KEYSET_MISS_SECONDS) when a link names a key id the cache lacks, so a
 * rotation is seen within seconds and a flood of forged key ids cannot hammer the database.
 * NULL only when it was never read and the database is unavailable.
 */
#define KEYSET_CACHE_SECONDS 5
#define KEYSET_MISS_SECONDS 5
const struct keyset *keyset_cached(struct db *, const struct tm_config *, const char *want_id);

/*
 * The key that signs a certificate issued on `day`: the newest key whose window covers it and
 * whose private file exists. Fills key_id and the 64-byte libsodium secret key (wipe after
 * use). 0, or -1 with err ("no signing key").
 */
int	 signkey_for(struct db *, const struct tm_config *, struct ymd day,
	    char key_id[CERT_KEY_ID_MAX + 1], unsigned char sk[SIG_SK_BYTES], char *err,
	    size_t errlen);
/*
 * The same inside a transaction: DB_OK, DB_NOROW when no key covers the day, or the database's
 * error as is, so that a transaction aborted under it (a Galera conflict: 1213 on the next
 * statement) is retried by db_tx instead of reading "no signing key".
 */
enum db_rc signkey_for_tx(struct db *, const struct tm_config *, struct ymd day,
	    char key_id[CERT_KEY_ID_MAX + 1], unsigned char sk[SIG_SK_BYTES]);

/*
 * The published key set document (certs/keysig.h, GET /.well-known/tmcred-keys.json): the
 * cached key set with its fingerprint, signed by every key of the set whose private file this
 * host holds (closed windows included: a rotation is endorsed by the key peers already trust).
 * Rebuilt only when the fingerprint changes. New reference; NULL when never readable.
 */
json_t	*keyset_published(struct db *, const struct tm_config *);

#endif
