#include "parse.h"

#include <ctype.h>
#include <string.h>

#include "../courses/text.h"
#include "limits.h"

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

/* Percent-decodes s[0..n) into a fresh arena string. */
static enum parse_rc
decode(struct arena *a, const char *s, size_t n, size_t max, const char **out, size_t *outlen)
{
	char *d = arena_alloc(a, n + 1);
	size_t w = 0;

	if (d == NULL)
		return PARSE_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '+')
			c = ' ';
		else if (c == '%') {
			int hi, lo;
			if (i + 2 >= n || (hi = hexval((unsigned char)s[i + 1])) < 0 ||
			    (lo = hexval((unsigned char)s[i + 2])) < 0)
				return PARSE_EMALFORMED;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		}
		d[w++] = (char)c;
	}
	d[w] = '\0';
	if (w > max)
		return PARSE_ELIMIT;
	if (!utf8_valid(d, w))
		return PARSE_EUTF8;
	*out = d;
	*outlen = w;
	return PARSE_OK;
}

static enum parse_rc
kv_push(struct arena *a, struct kvlist *l, size_t max)
{
	if (l->n >= max)
		return PARSE_ELIMIT;
	if (l->v == NULL) {
		l->v = arena_alloc(a, sizeof(struct kv) * max);
		if (l->v == NULL)
			return PARSE_ENOMEM;
	}
	l->n++;
	return PARSE_OK;
}

enum parse_rc
parse_urlencoded(struct arena *a, const char *s, size_t n, struct kvlist *out)
{
	enum parse_rc rc;
	size_t i = 0;

	out->v = NULL;
	out->n = 0;
	while (i < n) {
		const char *amp = memchr(s + i, '&', n - i);
		size_t end = amp ? (size_t)(amp - s) : n;
		if (end > i) {
			const char *eq = memchr(s + i, '=', end - i);
			size_t kend = eq ? (size_t)(eq - s) : end;
			struct kv *kv;
			if ((rc = kv_push(a, out, TM_MAX_FIELDS)) != PARSE_OK)
				return rc;
			kv = &out->v[out->n - 1];
			if ((rc = decode(a, s + i, kend - i, TM_MAX_FIELD_NAME, &kv->key, &kv->klen)) != PARSE_OK)
				return rc;
			if (eq) {
				rc = decode(a, eq + 1, end - kend - 1, TM_MAX_FIELD_VALUE, &kv->val, &kv->vlen);
				if (rc != PARSE_OK)
					return rc;
			} else {
				kv->val = "";
				kv->vlen = 0;
			}
			if (kv->klen == 0)
				return PARSE_EMALFORMED;
		}
		i = end + 1;
	}
	return PARSE_OK;
}

enum parse_rc
parse_cookies(struct arena *a, const char *s, size_t n, struct kvlist *out)
{
	enum parse_rc rc;
	size_t i = 0;

	out->v = NULL;
	out->n = 0;
	if (n > TM_MAX_COOKIE_HEADER)
		return PARSE_ELIMIT;
	while (i < n) {
		const char *semi = memchr(s + i, ';', n - i);
		size_t end = semi ? (size_t)(semi - s) : n;
		size_t b = i, e = end;
		while (b < e && (s[b] == ' ' || s[b] == '\t'))
			b++;
		while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t'))
			e--;
		const char *eq = memchr(s + b, '=', e - b);
		/* A pair without '=' or with an empty name is ignored, as browsers do. */
		if (eq != NULL && eq > s + b) {
			size_t kl = (size_t)(eq - (s + b)), vb = (size_t)(eq - s) + 1;
			if (vb + 1 < e && s[vb] == '"' && s[e - 1] == '"') {
				vb++;
				e--;
			}
			if ((rc = kv_push(a, out, TM_MAX_COOKIES)) != PARSE_OK)
				return rc;
			struct kv *kv = &out->v[out->n - 1];
			kv->key = arena_strndup(a, s + b, kl);
			kv->val = arena_strndup(a, s + vb, e - vb);
			if (kv->key == NULL || kv->val == NULL)
				return PARSE_ENOMEM;
			kv->klen = kl;
			kv->vlen = e - vb;
		}
		i = end + 1;
	}
	return PARSE_OK;
}

const struct kv *
kv_find(const struct kvlist *l, const char *key)
{
	size_t kl = strlen(key);
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].klen == kl && memcmp(l->v[i].key, key, kl) == 0)
			return &l->v[i];
	return NULL;
}

const char *
kv_get(const struct kvlist *l, const char *key)
{
	const struct kv *kv = kv_find(l, key);
	return kv ? kv->val : NULL;
}

bool
parse_u64(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		uint64_t d = (uint64_t)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

const char *
media_type(struct arena *a, const char *ct)
{
	if (ct == NULL)
		return "";
	size_t n = strcspn(ct, ";");
	while (n > 0 && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
		n--;
	while (n > 0 && (*ct == ' ' || *ct == '\t')) {
		ct++;
		n--;
	}
	char *m = arena_strndup(a, ct, n);
	if (m == NULL)
		return "";
	for (char *p = m; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return m;
}
