#ifndef TM_SIGNATURE_H
#define TM_SIGNATURE_H
#include <stddef.h>

#include "serial.h"
#include "../courses/date.h"    /* struct ymd only: no function of courses/ is called */

/*
 * What a certificate's Ed25519 signature covers, and how the signature travels in a QR code
 * (DESIGN.md "Certificates and verification", STACK.md §3 and §7). Pure functions, no
 * database, no allocation. The functions that hash or sign need sodium_init() to have run
 * (the caller's job, once, before any thread or fork); the others use no libsodium state.
 *
 * Signed payload (certs/README.md has the byte-exact layout): a versioned ASCII text, one
 * "name=value\n" per line in a fixed order, never JSON:
 *
 *   tmcred-cert-v1\n serial=TM-SH-2026-J-000123-J\n rev=1\n level=J\n
 *   holder=<64 lower-case hex>\n issued=2026-03-01\n expires=2029-02-28\n key=SH1\n
 *
 * QR link: <BASE>/V/<SERIAL>/<TOKEN>, all upper case and inside the QR alphanumeric set, where
 * TOKEN is base32 of the claims that are not in the serial plus the signature, so a verifier
 * with only the link and the public keys can check it (no database, no network).
 */
#define HOLDER_HASH_BYTES 32
#define SIG_BYTES 64                    /* crypto_sign_BYTES */
#define SIG_PK_BYTES 32                 /* crypto_sign_PUBLICKEYBYTES */
#define SIG_SK_BYTES 64                 /* crypto_sign_SECRETKEYBYTES */
#define SIG_B32_LEN 103                 /* 64 bytes in unpadded base32 */
#define CERT_KEY_ID_MAX 8               /* key ids: 1..8 of 0-9 A-Z '-' */
#define CERT_REV_MAX 255                /* revision: 1 at issue, +1 per renewal */
#define CERT_YEAR_MIN 2000              /* issued/expires from 2000-01-01 ... */
#define CERT_YEAR_MAX 2150              /* ... to 2150-12-31 (days since 2000 fit 16 bits) */
#define SIG_PAYLOAD_MAX 192             /* longest payload is 184 bytes (+ NUL) */

/* Token: version, rev, issued, expires, holder, signature, key id (README.md "Token"). */
#define VERIFY_TOKEN_VERSION 1
#define VERIFY_TOKEN_FIXED 102          /* bytes before the key id */
#define VERIFY_TOKEN_MIN 165            /* base32 chars for a 1-character key id */
#define VERIFY_TOKEN_MAX 176            /* base32 chars for an 8-character key id */
#define VERIFY_BASE_MAX 64              /* "HTTPS://SH.TMCRED.CN" is 20 */
#define VERIFY_URL_MAX (VERIFY_BASE_MAX + 3 + SERIAL_MAX + 1 + VERIFY_TOKEN_MAX)

/* Everything the signature covers. All strings NUL-terminated, canonical (upper case). */
struct cert_claims {
	char          serial[SERIAL_MAX + 1];   /* as serial_format() writes it */
	unsigned      rev;                      /* 1..CERT_REV_MAX */
	char          level;                    /* 'J', 'I' or 'S': must be the serial's level */
	unsigned char holder[HOLDER_HASH_BYTES]; /* holder_hash() of the name */
	struct ymd    issued, expires;          /* issued < expires, both in 2000..2150 */
	char          key_id[CERT_KEY_ID_MAX + 1];
};

/*
 * BLAKE2b-256 of "tmcred-holder-v1" NUL followed by the name's UTF-8 bytes exactly as stored
 * (no Unicode normalisation, no trimming: the caller hashes the stored, already validated
 * name, which the trainee module keeps in NFC). Returns 0, or -1 for a NULL or empty name.
 */
int	 holder_hash(const char *name_utf8, unsigned char out[HOLDER_HASH_BYTES]);

/* 1 when id is 1..CERT_KEY_ID_MAX characters of 0-9 A-Z '-' (so no '=', newline, space). */
int	 cert_key_id_valid(const char *id);

/*
 * 1 when the claims can be signed: canonical serial, rev in range, level equal to the
 * serial's, real dates in range with issued < expires, a valid key id.
 */
int	 cert_claims_valid(const struct cert_claims *);

/*
 * Writes the canonical payload into buf and NUL-terminates it. Returns its length (without
 * the NUL, at most SIG_PAYLOAD_MAX - 1), or -1 when the claims are invalid or cap is too
 * small (buf is then untouched).
 */
int	 sig_payload(const struct cert_claims *, char *buf, size_t cap);

/* Ed25519 detached signature of the payload. 0, or -1 when the claims are invalid. */
int	 sig_sign(const struct cert_claims *, const unsigned char sk[SIG_SK_BYTES],
	    unsigned char sig[SIG_BYTES]);
/* 0 when sig is pk's signature of the claims' payload; -1 otherwise (also for bad claims). */
int	 sig_verify(const struct cert_claims *, const unsigned char sig[SIG_BYTES],
	    const unsigned char pk[SIG_PK_BYTES]);

/*
 * RFC 4648 base32 (A-Z 2-7), upper case, no padding. b32_encode writes b32_len(n) characters
 * and a NUL. b32_decode is strict: len must be exactly b32_len(n); lower case is accepted;
 * padding '=', any other character and non-zero unused trailing bits are refused, so every
 * byte string has exactly one accepted text (up to case). Returns 0 or -1.
 */
size_t	 b32_len(size_t n);
void	 b32_encode(const unsigned char *in, size_t n, char *out);
int	 b32_decode(const char *s, size_t len, unsigned char *out, size_t n);

/* A bare signature as 103 base32 characters (+ NUL), and back (strict, as b32_decode). */
void	 sig_to_base32(const unsigned char sig[SIG_BYTES], char out[SIG_B32_LEN + 1]);
int	 sig_from_base32(const char *s, size_t len, unsigned char sig[SIG_BYTES]);

/*
 * The token of a link: base32 of version, rev, issued, expires, holder, sig, key id
 * (165..176 characters). verify_token writes it NUL-terminated and returns its length, or -1
 * for invalid claims or a short buffer. verify_token_parse rebuilds the claims from a parsed
 * serial and a token (lower case accepted): 0, or -1 when the token is malformed or its
 * fields are out of range. A parsed token is only a claim: check it with sig_verify().
 */
int	 verify_token(const struct cert_claims *, const unsigned char sig[SIG_BYTES], char *out,
	    size_t cap);
int	 verify_token_parse(const struct serial *, const char *tok, size_t len,
	    struct cert_claims *out, unsigned char sig[SIG_BYTES]);

/* A parsed link. serial_err tells a typing error in the serial (VURL_ESERIAL) apart. */
struct verify_link {
	char               base[VERIFY_BASE_MAX + 1];  /* "" after verify_path_parse */
	struct cert_claims claims;
	unsigned char      sig[SIG_BYTES];
	enum serial_err    serial_err;
};

enum vurl_err {
	VURL_OK = 0,
	VURL_EFORMAT,           /* not <BASE>/V/<SERIAL>/<TOKEN> */
	VURL_EBASE,             /* the base is not an HTTP(S) URL in the QR alphanumeric set */
	VURL_ESERIAL,           /* the serial is malformed (see serial_err) */
	VURL_ETOKEN,            /* the token is malformed: read it as forged */
};

/* Stable code ("verify_url_token", ...; "ok") and zh-CN message per result. */
const char *vurl_err_code(enum vurl_err);
const char *vurl_err_message(enum vurl_err);

/*
 * 1 when base (NUL-terminated) is usable as a link base: "HTTP://" or "HTTPS://" (any case)
 * then a non-empty host[:port][/path] of A-Z a-z 0-9 . - : / with no empty path segment and
 * no trailing '/', at most VERIFY_BASE_MAX bytes.
 */
int	 verify_base_valid(const char *base);

/*
 * The QR link <BASE>/V/<SERIAL>/<TOKEN>, upper-cased, NUL-terminated into out. Returns its
 * length (at most VERIFY_URL_MAX), or -1 for an invalid base or claims or a short buffer.
 * "HTTPS://SH.TMCRED.CN" with a 2-letter node and a 3-character key id gives 213 characters:
 * QR version 8 at level M (alphanumeric capacity 221), see certs/README.md.
 */
int	 verify_url(const char *base_url, const struct cert_claims *,
	    const unsigned char sig[SIG_BYTES], char *out, size_t cap);

/*
 * verify_path_parse takes the path part, "/V/<SERIAL>/<TOKEN>" ('v' or 'V'), as the server
 * sees it; verify_url_parse takes a whole link and also fills base (upper-cased). Both accept
 * lower case anywhere and refuse anything else that verify_url would not write (a query, a
 * fragment, percent-encoding, a trailing '/'). On VURL_OK the claims are canonical; the
 * signature still has to be checked with sig_verify() against the key named by claims.key_id.
 */
enum vurl_err verify_path_parse(const char *path, size_t len, struct verify_link *out);
enum vurl_err verify_url_parse(const char *url, size_t len, struct verify_link *out);

/*
 * Shared with the credit statement (certs/statement.c), which travels on the same link form.
 * Dates: cert_date_ok for a real date in CERT_YEAR_MIN..MAX; cert_days counts days from
 * 2000-01-01 (valid dates only), cert_date inverts it.
 */
int	 cert_date_ok(struct ymd);
int	 cert_date_before(struct ymd, struct ymd);
long	 cert_days(struct ymd);
struct ymd cert_date(long days);
/* The holder hash as 64 lower-case hex digits (+ NUL), as the payloads write it. */
void	 holder_hex(const unsigned char h[HOLDER_HASH_BYTES], char out[2 * HOLDER_HASH_BYTES + 1]);
/* <BASE>/V/<ID>/<TOKEN> with the base upper-cased: its length, or -1 (bad base, short buffer). */
int	 verify_link_join(const char *base, const char *id, const char *tok, char *out, size_t cap);
/* "/V/<ID>/<TOKEN>" (V in any case): 0 with the ID's length (the token follows it and a '/'), or -1. */
int	 verify_path_split(const char *path, size_t len, size_t *id_len);
/* Finds where a whole link's path "/V/..." starts (*base_len) and checks the base. */
enum vurl_err verify_url_split(const char *url, size_t len, size_t *base_len);
/* The first bl bytes of url, upper-cased, as a base. */
void	 verify_base_copy(const char *url, size_t bl, char out[VERIFY_BASE_MAX + 1]);

#endif
