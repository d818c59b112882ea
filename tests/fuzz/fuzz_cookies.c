/*
 * parse_cookies and media_type. Invariants: the header limit is enforced; accepted cookies
 * have a non-empty name without '=', ';' or leading blanks, values without ';', both
 * NUL-terminated at their length and copied from the input; media_type gives a lower-case
 * token without parameters or surrounding blanks.
 */
#include <stdlib.h>
#include <string.h>

#include "fcgi/limits.h"
#include "fcgi/parse.h"
#include "fuzz.h"

static bool
blank(char c)
{
	return c == ' ' || c == '\t';
}

static void
check_media_type(struct arena *a, const uint8_t *data, size_t size)
{
	char *ct = malloc(size + 1);
	memcpy(ct, data, size);
	ct[size] = '\0';
	const char *m = media_type(a, ct);
	size_t ml = strlen(m), semi = strcspn(ct, ";");
	CHECK(ml <= semi);
	CHECK(strchr(m, ';') == NULL);
	if (ml > 0) {
		CHECK(!blank(m[0]) && !blank(m[ml - 1]));
		/* it is a lower-cased substring of the part before ';' */
		bool found = false;
		for (size_t i = 0; i + ml <= semi && !found; i++) {
			found = true;
			for (size_t k = 0; k < ml && found; k++) {
				char c = ct[i + k];
				if (c >= 'A' && c <= 'Z')
					c = (char)(c - 'A' + 'a');
				found = c == m[k];
			}
		}
		CHECK(found);
	}
	for (size_t i = 0; i < ml; i++)
		CHECK(!(m[i] >= 'A' && m[i] <= 'Z'));
	CHECK(media_type(a, NULL)[0] == '\0');
	free(ct);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	struct kvlist l;
	const char *s = (const char *)data;

	arena_init(&a, 1024u * 1024u);
	enum parse_rc rc = parse_cookies(&a, s, size, &l);
	if (size > TM_MAX_COOKIE_HEADER)
		CHECK(rc == PARSE_ELIMIT);
	CHECK(rc == PARSE_OK || rc == PARSE_ELIMIT);
	if (rc == PARSE_OK) {
		size_t pairs_with_name = 0;
		CHECK(l.n <= TM_MAX_COOKIES);
		for (size_t i = 0; i < l.n; i++) {
			const struct kv *kv = &l.v[i];
			CHECK(kv->klen >= 1);
			CHECK(kv->klen + kv->vlen < size);
			CHECK(kv->key[kv->klen] == '\0' && kv->val[kv->vlen] == '\0');
			CHECK(memchr(kv->key, '=', kv->klen) == NULL);
			CHECK(memchr(kv->key, ';', kv->klen) == NULL);
			CHECK(memchr(kv->val, ';', kv->vlen) == NULL);
			CHECK(!blank(kv->key[0]));
			/* name and value are copied from the input */
			CHECK(memmem(s, size, kv->key, kv->klen) != NULL);
			if (kv->vlen > 0)
				CHECK(memmem(s, size, kv->val, kv->vlen) != NULL);
			const struct kv *f = kv_find(&l, kv->key);
			/* a name with a NUL byte inside is only found up to its first NUL */
			if (strlen(kv->key) == kv->klen)
				CHECK(f != NULL && f <= kv);
		}
		/* every ';'-separated piece with a non-empty name before '=' became a cookie */
		size_t i = 0;
		while (i <= size) {
			const char *semi = i < size ? memchr(s + i, ';', size - i) : NULL;
			size_t end = semi ? (size_t)(semi - s) : size;
			size_t b = i;
			while (b < end && blank(s[b]))
				b++;
			const char *eq = b < end ? memchr(s + b, '=', end - b) : NULL;
			if (eq != NULL && eq > s + b)
				pairs_with_name++;
			if (semi == NULL)
				break;
			i = end + 1;
		}
		CHECK(pairs_with_name == l.n);
	}
	check_media_type(&a, data, size < 512 ? size : 512);
	arena_free(&a);
	return 0;
}
