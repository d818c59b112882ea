#ifndef TM_PARSE_H
#define TM_PARSE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"

/*
 * Parsers of request pieces. Pure functions of (buffer, length): no FastCGI, no database,
 * so each is unit-tested and fuzzed directly. Results live in the caller's arena.
 */
enum parse_rc {
	PARSE_OK = 0,
	PARSE_EMALFORMED,   /* bad percent escape, missing '=' in a cookie, ... */
	PARSE_EUTF8,        /* a decoded name or value is not valid UTF-8 */
	PARSE_ELIMIT,       /* too many fields, or one too long */
	PARSE_ENOMEM,
};

struct kv {
	const char *key;
	const char *val;     /* NUL-terminated; vlen excludes the NUL */
	size_t klen, vlen;
};

struct kvlist {
	struct kv *v;
	size_t n;
};

/* application/x-www-form-urlencoded and query strings: '&'-separated, '+' is a space. */
enum parse_rc parse_urlencoded(struct arena *, const char *, size_t, struct kvlist *);
/* Cookie header: "a=1; b=2". Values are taken verbatim (no decoding); bad pairs are skipped. */
enum parse_rc parse_cookies(struct arena *, const char *, size_t, struct kvlist *);

/* The first value of `key`, or NULL. */
const struct kv *kv_find(const struct kvlist *, const char *key);
const char *kv_get(const struct kvlist *, const char *key);

/*
 * Strict unsigned decimal: no sign, no spaces, no leading zeros (but "0"), no overflow,
 * value <= max. Returns false on anything else.
 */
bool	 parse_u64(const char *, size_t, uint64_t max, uint64_t *out);

/* Media type of a Content-Type header, lower-cased without parameters ("application/json"). */
const char *media_type(struct arena *, const char *content_type);

#endif
