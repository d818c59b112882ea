#ifndef TM_TEXT_H
#define TM_TEXT_H
#include <stdbool.h>
#include <stddef.h>

/* Strict UTF-8 (RFC 3629): no overlongs, no surrogates, nothing above U+10FFFF, no NUL. */
bool	 utf8_valid(const char *, size_t);
/* Code points in valid UTF-8. */
size_t	 utf8_chars(const char *, size_t);
/* Valid UTF-8 without C0/C1 control characters (tab and newline excepted when allowed). */
bool	 text_printable(const char *, size_t, bool allow_newline);
/* A person's name: 1..max code points, printable, no leading/trailing space. */
bool	 text_person_name(const char *, size_t, size_t max_chars);

#endif
