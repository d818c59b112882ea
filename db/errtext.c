#include "errtext.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

/* Words after which MariaDB quotes a name, not a value. */
static bool
names_follow(const char *msg, const char *quote)
{
	static const char *const words[] = { "column", "key", "table", "constraint", "database",
		"in" };
	const char *e = quote;
	while (e > msg && e[-1] == ' ')
		e--;
	const char *b = e;
	while (b > msg && ((b[-1] >= 'a' && b[-1] <= 'z') || (b[-1] >= 'A' && b[-1] <= 'Z')))
		b--;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if ((size_t)(e - b) == strlen(words[i]) && strncasecmp(b, words[i], (size_t)(e - b)) == 0)
			return true;
	return false;
}

/*
 * Where a quoted value ends: MariaDB does not escape quotes inside it ("entry 'O'Brien'"),
 * so the closing quote is the first one followed by the end or by what comes after values.
 */
static const char *
value_end(const char *open)
{
	static const char *const next[] = { " for ", " at ", " in ", " to ", ",", ")", ";", ":" };
	for (const char *q = strchr(open + 1, '\''); q != NULL; q = strchr(q + 1, '\'')) {
		if (q[1] == '\0')
			return q;
		for (size_t i = 0; i < sizeof(next) / sizeof(next[0]); i++)
			if (strncmp(q + 1, next[i], strlen(next[i])) == 0)
				return q;
	}
	return NULL;
}

static void
put(char *out, size_t cap, size_t *w, const char *s, size_t n)
{
	while (n-- > 0 && *w + 1 < cap)
		out[(*w)++] = *s++;
}

void
db_errtext_redact(const char *msg, char *out, size_t cap)
{
	size_t w = 0;
	if (cap == 0)
		return;
	for (const char *p = msg; *p != '\0';) {
		/* "doesn't": a quote right after a letter or digit opens nothing */
		bool apostrophe = p > msg && ((p[-1] >= 'a' && p[-1] <= 'z') ||
		    (p[-1] >= 'A' && p[-1] <= 'Z') || (p[-1] >= '0' && p[-1] <= '9'));
		if (*p != '\'' || apostrophe) {
			put(out, cap, &w, p++, 1);
			continue;
		}
		/* An unterminated run (a cut message) runs to the end. */
		bool name = names_follow(msg, p);
		const char *end = name ? strchr(p + 1, '\'') : value_end(p);
		size_t n = end != NULL ? (size_t)(end - p) + 1 : strlen(p);
		if (name)
			put(out, cap, &w, p, n);
		else
			put(out, cap, &w, "'\xe2\x80\xa6'", 5);
		p += n;
	}
	out[w] = '\0';
}
