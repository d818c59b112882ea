#ifndef TM_STATEMENT_H
#define TM_STATEMENT_H
#include <stdbool.h>
#include <stddef.h>

#include "signature.h"

/*
 * The signed credit statement (继续教育学时证明): a document of its own type, signed by the same
 * node keys as certificates and verified on the same path (<BASE>/V/<NO>/<TOKEN>, the verify
 * API, tmcred-verify), but never mistakable for a certificate: its number starts with "CS-",
 * its payload with "tmcred-stmt-v1". What it attests is each year's totals and whether the
 * continuing-education rule of that year was met — what a title (职称) application asks for —
 * so a verifier with only the link and the public keys can read and check the figures.
 * Pure functions, no database, no allocation (certs/README.md "Credit statements").
 *
 * Number: CS-<node>-<yyyy>-<6 digits>-<check>, e.g. CS-SH-2026-000042-7; the check character
 * is ISO 7064 MOD 37-2 (serial_check_char) over "CS" node year digits.
 *
 * Payload (ASCII, one "name=value\n" per line, fixed order; hours as half-hours):
 *
 *   tmcred-stmt-v1\n no=CS-SH-2026-000042-7\n holder=<64 lower-case hex>\n issued=2026-11-27\n
 *   year=2024 total_x2=185 professional_x2=129 general_x2=56 compulsory_x2=12
 *     required_x2=180 required_professional_x2=120 met=1\n          (one line, one space apart)
 *   ... one line per year, consecutive, oldest first ...
 *   key=SH1\n
 */
#define STMT_NO_MIN 19                  /* 2-letter node */
#define STMT_NO_MAX 21                  /* 4-letter node */
#define STMT_YEARS_MAX 5                /* years on one signed statement (title rules ask for 3-5) */
#define STMT_HOURS_X2_MAX 32767         /* one year's half-hours fit 15 bits (8/day: 5,856) */
#define STMT_PAYLOAD_MAX 1024           /* longest payload is 836 bytes (+ NUL) */

/*
 * Token: version, issued, first year, n, n × year rows, holder, signature, key id. A row is
 * professional, general, compulsory, required, required professional (16 bits each, met in the
 * top bit of the last): the total is their sum, so it does not travel.
 */
#define STMT_TOKEN_VERSION 1
#define STMT_ROW_BYTES 10
#define STMT_TOKEN_FIXED (5 + HOLDER_HASH_BYTES + SIG_BYTES)
#define STMT_TOKEN_BYTES_MAX (STMT_TOKEN_FIXED + STMT_YEARS_MAX * STMT_ROW_BYTES + CERT_KEY_ID_MAX)
#define STMT_TOKEN_MAX ((8 * STMT_TOKEN_BYTES_MAX + 4) / 5)
#define STMT_URL_MAX (VERIFY_BASE_MAX + 3 + STMT_NO_MAX + 1 + STMT_TOKEN_MAX)

struct stmt_year {
	int      year;
	unsigned total_x2, professional_x2, general_x2, compulsory_x2;
	unsigned required_x2, required_prof_x2;
	bool     met;
};

/* Everything the signature covers. */
struct stmt_claims {
	char             no[STMT_NO_MAX + 1];           /* canonical number */
	unsigned char    holder[HOLDER_HASH_BYTES];     /* holder_hash() of the name */
	struct ymd       issued;
	unsigned         n_years;                       /* 1..STMT_YEARS_MAX */
	struct stmt_year years[STMT_YEARS_MAX];         /* consecutive, oldest first */
	char             key_id[CERT_KEY_ID_MAX + 1];
};

/* A parsed number: its node and year (the year a statement was numbered in). */
struct stmt_no {
	char     text[STMT_NO_MAX + 1];
	char     node[SERIAL_NODE_MAX + 1];
	int      year;
	unsigned seq;
};

/* Writes CS-<node>-<year>-<seq>-<check>. Returns its length, or -1 for bad parts. */
int	 stmt_no_format(const char *node, int year, unsigned seq, char out[STMT_NO_MAX + 1]);
/*
 * Strict parse (lower case accepted and upper-cased; nothing else). SERIAL_OK, or the serial
 * error of the same kind (format, node, year, sequence, checksum) so the messages are shared.
 */
enum serial_err stmt_no_parse(const char *s, size_t len, struct stmt_no *out);
/* 1 when s starts with "CS-" in any case: the link or typed text names a statement. */
int	 stmt_no_like(const char *s, size_t len);

/*
 * 1 when the claims can be signed: canonical number, issued in range and in or after the
 * number's year, 1..STMT_YEARS_MAX consecutive years, none after the issue year, half-hours
 * in range with total = professional + general, compulsory <= general, the professional
 * requirement <= the total one, a valid key id.
 */
int	 stmt_claims_valid(const struct stmt_claims *);
/* The canonical payload, NUL-terminated: its length, or -1 (invalid claims, short buffer). */
int	 stmt_payload(const struct stmt_claims *, char *buf, size_t cap);
int	 stmt_sign(const struct stmt_claims *, const unsigned char sk[SIG_SK_BYTES],
	    unsigned char sig[SIG_BYTES]);
/* 0 when sig is pk's signature over the claims' payload, -1 otherwise. */
int	 stmt_verify(const struct stmt_claims *, const unsigned char sig[SIG_BYTES],
	    const unsigned char pk[SIG_PK_BYTES]);

/* Token of a link (base32): its length, or -1. Parse: 0, or -1 when malformed or out of range. */
int	 stmt_token(const struct stmt_claims *, const unsigned char sig[SIG_BYTES], char *out,
	    size_t cap);
int	 stmt_token_parse(const struct stmt_no *, const char *tok, size_t len,
	    struct stmt_claims *out, unsigned char sig[SIG_BYTES]);

/*
 * <BASE>/V/<NO>/<TOKEN>, upper case: its length, or -1. The printed QR code holds at most
 * QR_TEXT_MAX (311) characters: five years fit with a base of up to 41 characters and a
 * 3-character key id; the issuer checks the length (statement_link_too_long).
 */
int	 stmt_url(const char *base_url, const struct stmt_claims *, const unsigned char sig[SIG_BYTES],
	    char *out, size_t cap);

struct stmt_link {
	char               base[VERIFY_BASE_MAX + 1];   /* "" after stmt_path_parse */
	struct stmt_claims claims;
	unsigned char      sig[SIG_BYTES];
	enum serial_err    no_err;
};
/* "/V/<NO>/<TOKEN>" (any case), or a whole link; the same strictness as verify_path_parse. */
enum vurl_err stmt_path_parse(const char *path, size_t len, struct stmt_link *out);
enum vurl_err stmt_url_parse(const char *url, size_t len, struct stmt_link *out);

#endif
