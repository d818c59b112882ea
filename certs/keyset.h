#ifndef TM_KEYSET_H
#define TM_KEYSET_H
#include <jansson.h>
#include <stddef.h>

#include "signature.h"

/*
 * A node's published signing keys (GET /.well-known/tmcred-keys.json) and the one decision
 * every verifier makes with them: is this link's signature genuine? The server, the offline
 * `tmcred-verify` and (later) a federating peer all call cert_check(): no second copy.
 *
 * The JSON (certs/README.md "Key set"):
 *
 *   {"format":"tmcred-keys-v1","node":"SH","name":"上海","base_url":"HTTPS://SH.TMCRED.CN",
 *    "keys":[{"id":"SH1","alg":"Ed25519","public_key":"<base64url, no padding, 32 bytes>",
 *             "valid_from":"2026-01-01","valid_until":"2028-12-31"|null}, ...]}
 *
 * A key may sign certificates whose `issued` date lies in [valid_from, valid_until]
 * (valid_until null = open). Rotation on day D closes the old key's window on D and opens the
 * new one's on D, so the old key still verifies what it signed and signs nothing after D.
 */
#define KEYSET_KEYS_MAX 32
#define KEYSET_JSON_MAX 16384           /* bytes of a key set document */
#define KEYSET_NAME_MAX 64              /* bytes of the node's display name (UTF-8) */
#define KEYSET_FORMAT "tmcred-keys-v1"

struct cert_key {
	char          id[CERT_KEY_ID_MAX + 1];
	unsigned char pk[SIG_PK_BYTES];
	struct ymd    valid_from;
	struct ymd    valid_until;           /* meaningful only when has_until */
	int           has_until;
};

struct keyset {
	char            node[SERIAL_NODE_MAX + 1];
	char            name[KEYSET_NAME_MAX + 1];
	char            base_url[VERIFY_BASE_MAX + 1];
	size_t          n;
	struct cert_key keys[KEYSET_KEYS_MAX];
};

/*
 * Parses a key set document (strict: the format string, a valid node and base URL, 1..KEYS_MAX
 * keys with distinct valid ids, alg "Ed25519", 32-byte keys, real dates with from <= until).
 * Returns 0, or -1 with a short English reason in *why (static string).
 */
int	 keyset_parse(const char *json, size_t len, struct keyset *, const char **why);

/* The document keyset_parse reads back (new reference; NULL only when out of memory). */
json_t	*keyset_to_json(const struct keyset *);

/* The key with this id, or NULL. */
const struct cert_key *keyset_find(const struct keyset *, const char *id);

/* 1 when the date lies inside the key's window. */
int	 cert_key_covers(const struct cert_key *, struct ymd);

enum cert_check {
	CHECK_GENUINE = 0,      /* signed by a key of the set that was valid on `issued` */
	CHECK_FORGED,           /* the signature does not verify, or the claims are invalid */
	CHECK_UNKNOWN_KEY,      /* no key with the claims' key id: forged, or another node's */
	CHECK_KEY_WINDOW,       /* a real key, but `issued` is outside its window: forged */
	CHECK_OTHER_NODE,       /* the serial names another node than the set's */
};

/*
 * The verification every reader of a QR link performs, before any database: the serial's node
 * must be the set's, the key must exist and cover the issue date, and the Ed25519 signature
 * must verify over the canonical payload. Needs sodium_init().
 */
enum cert_check cert_check(const struct keyset *, const struct verify_link *);
/*
 * The same decision for any signed document of this node (certificates, credit statements):
 * node, key, signature over the payload bytes, then the key's window on the issue date.
 */
enum cert_check key_check(const struct keyset *, const char *node, const char *key_id,
    struct ymd issued, const char *payload, size_t len, const unsigned char sig[SIG_BYTES]);
/* Stable code ("genuine", "forged", "unknown_key", "key_window", "other_node"). */
const char *cert_check_code(enum cert_check);

#endif
