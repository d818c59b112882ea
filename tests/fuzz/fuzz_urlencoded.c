/*
 * parse_urlencoded (and parse_u64 on every value). Invariants: accepted pairs respect the
 * limits, are NUL-terminated, valid UTF-8, and survive a re-encode/re-parse round trip;
 * parse_u64 accepts only the canonical decimal spelling of the value it returns.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "courses/text.h"
#include "fcgi/limits.h"
#include "fcgi/parse.h"
#include "fuzz.h"

static void
encode(struct sbuf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~')
			sbuf_putc(b, (char)c);
		else if (c == ' ')
			sbuf_putc(b, '+');
		else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };
			sbuf_put(b, e, 3);
		}
	}
}

static void
check_u64(const char *s, size_t n)
{
	uint64_t v = 0;
	uint64_t max = n > 0 ? (uint64_t)(unsigned char)s[0] * 1000003u : UINT64_MAX;
	if (parse_u64(s, n, UINT64_MAX, &v)) {
		char buf[32];
		int l = snprintf(buf, sizeof(buf), "%" PRIu64, v);
		CHECK((size_t)l == n && memcmp(buf, s, n) == 0);
		uint64_t w = 0;
		CHECK(parse_u64(s, n, max, &w) == (v <= max));
	} else {
		/* a refused string is never the canonical spelling of a number */
		bool digits = n > 0 && n <= 20;
		for (size_t i = 0; i < n && digits; i++)
			digits = s[i] >= '0' && s[i] <= '9';
		if (digits && (n == 1 || s[0] != '0'))
			CHECK(n == 20 && memcmp(s, "18446744073709551615", 20) > 0);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	struct kvlist l, again;
	const char *s = (const char *)data;

	arena_init(&a, 4u * 1024u * 1024u);
	enum parse_rc rc = parse_urlencoded(&a, s, size, &l);
	CHECK(rc == PARSE_OK || rc == PARSE_EMALFORMED || rc == PARSE_EUTF8 || rc == PARSE_ELIMIT);
	if (rc == PARSE_OK) {
		struct sbuf b;
		CHECK(l.n <= TM_MAX_FIELDS);
		sbuf_init(&b, &a);
		for (size_t i = 0; i < l.n; i++) {
			const struct kv *kv = &l.v[i];
			CHECK(kv->klen >= 1 && kv->klen <= TM_MAX_FIELD_NAME);
			CHECK(kv->vlen <= TM_MAX_FIELD_VALUE);
			CHECK(kv->key[kv->klen] == '\0' && kv->val[kv->vlen] == '\0');
			CHECK(strlen(kv->key) == kv->klen && strlen(kv->val) == kv->vlen);
			CHECK(utf8_valid(kv->key, kv->klen) && utf8_valid(kv->val, kv->vlen));
			CHECK(ref_utf8_valid((const unsigned char *)kv->val, kv->vlen));
			/* kv_find returns the first pair with this key */
			const struct kv *f = kv_find(&l, kv->key);
			CHECK(f != NULL && f <= kv && f->klen == kv->klen);
			CHECK(memcmp(f->key, kv->key, kv->klen) == 0);
			check_u64(kv->val, kv->vlen);
			if (i)
				sbuf_putc(&b, '&');
			encode(&b, kv->key, kv->klen);
			sbuf_putc(&b, '=');
			encode(&b, kv->val, kv->vlen);
		}
		CHECK(!b.oom);
		CHECK(parse_urlencoded(&a, sbuf_cstr(&b), b.len, &again) == PARSE_OK);
		CHECK(again.n == l.n);
		for (size_t i = 0; i < l.n; i++) {
			CHECK(again.v[i].klen == l.v[i].klen && again.v[i].vlen == l.v[i].vlen);
			CHECK(memcmp(again.v[i].key, l.v[i].key, l.v[i].klen) == 0);
			CHECK(memcmp(again.v[i].val, l.v[i].val, l.v[i].vlen) == 0);
		}
	}
	check_u64(s, size);
	arena_free(&a);
	return 0;
}
