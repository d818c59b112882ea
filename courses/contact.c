#include "contact.h"

#include <ctype.h>
#include <string.h>



bool
contact_phone_valid(const char *s, size_t n)
{
	if (n != 11 || s[0] != '1' || s[1] < '3' || s[1] > '9')
		return false;
	for (size_t i = 2; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static bool
local_char(unsigned char c)
{
	/* c != 0: strchr finds the terminator itself, which would let an embedded NUL through. */
	return isalnum(c) || (c != 0 && strchr("!#$%&*+-/=?^_{|}~.", c) != NULL);
}

bool
contact_email_valid(const char *s, size_t n, char *out, size_t cap)
{
	if (n < 3 || n > CONTACT_EMAIL_MAX || n + 1 > cap)
		return false;
	const char *at = memchr(s, '@', n);
	if (at == NULL || at == s || at == s + n - 1 || memchr(at + 1, '@', n - (size_t)(at - s) - 1))
		return false;
	size_t ll = (size_t)(at - s);
	if (ll > 64 || s[0] == '.' || s[ll - 1] == '.')
		return false;
	for (size_t i = 0; i < ll; i++) {
		if (!local_char((unsigned char)s[i]) || (s[i] == '.' && s[i + 1] == '.'))
			return false;
	}
	const char *d = at + 1;
	size_t dl = n - ll - 1, label = 0;
	bool dot = false;
	for (size_t i = 0; i < dl; i++) {
		unsigned char c = (unsigned char)d[i];
		if (c == '.') {
			if (label == 0 || d[i - 1] == '-')   /* RFC 1123: labels end alphanumeric */
				return false;
			label = 0;
			dot = true;
		} else if (isalnum(c) || (c == '-' && label > 0)) {
			if (++label > 63)
				return false;
		} else
			return false;
	}
	if (!dot || label == 0 || d[dl - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[n] = '\0';
	return true;
}
