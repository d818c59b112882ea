#ifndef TM_KEYSIG_H
#define TM_KEYSIG_H
#include <jansson.h>
#include <stddef.h>

#include "keyset.h"

/*
 * A key set's canonical bytes, its fingerprint and its signatures (certs/README.md
 * "Federation"): what lets a peer pin a node's keys out of band and accept a rotation only
 * when a key it already trusts endorses the new set. Pure functions; the signing ones need
 * sodium_init().
 *
 * Canonical bytes (UTF-8, one LF after every line, no trailing NUL, keys sorted by id):
 *
 *   tmcred-keyset-v1
 *   node=SH
 *   name=上海
 *   base_url=HTTPS://SH.TMCRED.CN
 *   key=SH1 <public key, base64url, no padding> 2020-01-01 2026-07-01
 *   key=SH2 <public key> 2026-07-01 -            ("-": an open window)
 *
 * Fingerprint: the lower-case hex SHA-256 of those bytes (64 characters). Everything a
 * verifier relies on is inside: a changed window, name or base needs a signature too.
 */
#define KEYSET_CANON_MAX 4096
#define KEYSET_FP_HEX 64
#define KEYSET_CANON_FIRST "tmcred-keyset-v1"
/* A trust list file (tmcred-ctl trust-export, tmcred-verify --trust): {"format",
   "exported_by","keysets":[<published key set documents>]}; each set's "fingerprint" is
   recomputed by the reader, a set whose stated fingerprint differs is refused. */
#define TRUST_FORMAT "tmcred-trust-v1"
#define TRUST_JSON_MAX (KEYSET_JSON_MAX * (PEERS_TRUST_MAX + 1))
#define PEERS_TRUST_MAX 64

struct keyset_sig {
	char          key_id[CERT_KEY_ID_MAX + 1];
	unsigned char sig[SIG_BYTES];
};

struct keyset_sigs {
	size_t            n;
	struct keyset_sig s[KEYSET_KEYS_MAX];
};

/* The canonical bytes into buf (NUL-terminated); their length, or -1 (bad name, short buf). */
int	 keyset_canonical(const struct keyset *, char *buf, size_t cap);
/* Hex SHA-256 of the canonical bytes into out[KEYSET_FP_HEX + 1]. 0 or -1. */
int	 keyset_fingerprint(const struct keyset *, char out[KEYSET_FP_HEX + 1]);
/* 1 when s is 64 hex digits (either case); the pin an admin types. */
int	 keyset_fp_valid(const char *s);

/* Signs the canonical bytes with sk under key_id. 0 or -1. */
int	 keyset_sign(const struct keyset *, const char *key_id, const unsigned char sk[SIG_SK_BYTES],
	    struct keyset_sig *out);

/*
 * The "signatures" member of a key set document: [{"key","alg":"Ed25519","sig":<base64url>}].
 * A missing member is an empty list; anything malformed is -1.
 */
int	 keyset_sigs_parse(const char *json, size_t len, struct keyset_sigs *);
/* The published document: keyset_to_json + "fingerprint" + "signatures". New reference. */
json_t	*keyset_signed_json(const struct keyset *, const struct keyset_sigs *);

/*
 * 1 when one of sigs is made by a key of `trusted` (same id and public key, any window) over
 * fresh's canonical bytes; the endorsing key id is copied to signer. 0 otherwise.
 */
int	 keyset_endorsed(const struct keyset *trusted, const struct keyset *fresh,
	    const struct keyset_sigs *, char signer[CERT_KEY_ID_MAX + 1]);

/* What a refetched key set means for a pinned peer. */
enum keyset_update {
	KU_SAME = 0,        /* the pinned fingerprint: nothing changes */
	KU_ROTATED,         /* another set, endorsed by a trusted key: accept and re-pin */
	KU_UNSIGNED,        /* another set, not endorsed by any trusted key: reject */
	KU_NODE_CHANGED,    /* another node code: reject (a peer never changes its code) */
};
/*
 * A trust list file: every key set in it parsed (keyset_parse) and its stated fingerprint
 * checked against the recomputed one. 0, or -1 with a short English reason in *why.
 */
int	 trust_parse(const char *json, size_t len, struct keyset *sets, size_t cap, size_t *n,
	    const char **why);

enum keyset_update keyset_update_check(const struct keyset *trusted, const struct keyset *fresh,
    const struct keyset_sigs *, char signer[CERT_KEY_ID_MAX + 1]);
const char *keyset_update_code(enum keyset_update);

#endif
