#include "mask.h"

#include <string.h>

#include "text.h"

#define MIDDOT "\xc2\xb7"   /* U+00B7, the separator in transliterated minority names */

static int
fail(char *out, size_t cap)
{
	if (cap > 0)
		out[0] = '\0';
	return -1;
}

/* Byte length of the UTF-8 sequence that starts with c (1 for stray bytes). */
static size_t
seqlen(unsigned char c)
{
	if (c >= 0xf0) return 4;
	if (c >= 0xe0) return 3;
	if (c >= 0xc0) return 2;
	return 1;
}

/* Masks one ·-free part: keep the first (and, from 3 characters, the last) character. */
static int
mask_part(const char *s, size_t n, char *out, size_t cap, size_t *w)
{
	size_t starts[256], nc = 0;
	for (size_t i = 0; i < n; i += seqlen((unsigned char)s[i])) {
		if (nc == 256)
			return -1;
		starts[nc++] = i;
	}
	for (size_t k = 0; k < nc; k++) {
		size_t end = k + 1 < nc ? starts[k + 1] : n;
		int keep = k == 0 || (k == nc - 1 && nc >= 3);
		const char *src = keep ? s + starts[k] : "*";
		size_t l = keep ? end - starts[k] : 1;
		if (end > n || *w + l + 1 > cap)
			return -1;
		memcpy(out + *w, src, l);
		*w += l;
	}
	return 0;
}

int
mask_name(const char *name, size_t len, char *out, size_t cap)
{
	size_t w = 0, i = 0;
	if (len == 0 || cap == 0 || !utf8_valid(name, len))
		return fail(out, cap);
	while (i <= len) {
		const char *dot = memmem(name + i, len - i, MIDDOT, 2);
		size_t end = dot ? (size_t)(dot - name) : len;
		if (end > i && mask_part(name + i, end - i, out, cap, &w) < 0)
			return fail(out, cap);
		if (dot == NULL)
			break;
		if (w + 3 > cap)
			return fail(out, cap);
		memcpy(out + w, MIDDOT, 2);
		w += 2;
		i = end + 2;
	}
	out[w] = '\0';
	return 0;
}

/* Keeps `head` leading and `tail` trailing bytes, stars in between. */
static int
keep_ends(const char *s, size_t len, size_t head, size_t tail, char *out, size_t cap)
{
	if (len < head + tail || len + 1 > cap)
		return fail(out, cap);
	memcpy(out, s, head);
	memset(out + head, '*', len - head - tail);
	memcpy(out + len - tail, s + len - tail, tail);
	out[len] = '\0';
	return 0;
}

int
mask_id_number(const char *id, size_t len, char *out, size_t cap)
{
	if (len != 18 && len != 15)
		return fail(out, cap);
	return keep_ends(id, len, 4, 4, out, cap);
}

int
mask_phone(const char *phone, size_t len, char *out, size_t cap)
{
	if (len != 11)
		return fail(out, cap);
	return keep_ends(phone, len, 3, 4, out, cap);
}

int
mask_email(const char *email, size_t len, char *out, size_t cap)
{
	const char *at = memchr(email, '@', len);
	if (at == NULL || at == email)
		return fail(out, cap);
	size_t dom = len - (size_t)(at - email);
	size_t first = seqlen((unsigned char)email[0]);
	if (first > (size_t)(at - email) || first + 2 + dom + 1 > cap)
		return fail(out, cap);
	memcpy(out, email, first);
	memcpy(out + first, "**", 2);
	memcpy(out + first + 2, at, dom);
	out[first + 2 + dom] = '\0';
	return 0;
}
