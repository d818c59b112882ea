#include "text.h"

#include <stdint.h>

/* Length of the sequence starting at s[i] and its code point, or 0 when malformed. */
static size_t
utf8_decode(const unsigned char *s, size_t n, size_t i, uint32_t *cp)
{
	unsigned char c = s[i];
	size_t len;
	uint32_t v, min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xc2 && c <= 0xdf) {
		len = 2; v = c & 0x1f; min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3; v = c & 0x0f; min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4; v = c & 0x07; min = 0x10000;
	} else
		return 0;
	if (n - i < len)
		return 0;
	for (size_t k = 1; k < len; k++) {
		if ((s[i + k] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i + k] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

bool
utf8_valid(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t l = utf8_decode(u, n, i, &cp);
		if (l == 0 || cp == 0)
			return false;
		i += l;
	}
	return true;
}

size_t
utf8_chars(const char *s, size_t n)
{
	size_t count = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			count++;
	return count;
}

bool
text_printable(const char *s, size_t n, bool allow_newline)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t l = utf8_decode(u, n, i, &cp);
		if (l == 0 || cp == 0)
			return false;
		if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
			if (!(allow_newline && (cp == '\n' || cp == '\r' || cp == '\t')))
				return false;
		}
		/* Bidi overrides let a name display as something it is not. */
		if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
			return false;
		i += l;
	}
	return true;
}

bool
text_person_name(const char *s, size_t n, size_t max_chars)
{
	if (n == 0 || !text_printable(s, n, false))
		return false;
	if (s[0] == ' ' || s[n - 1] == ' ')
		return false;
	size_t c = utf8_chars(s, n);
	return c >= 1 && c <= max_chars;
}
