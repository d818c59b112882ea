#ifndef TM_FIELDS_H
#define TM_FIELDS_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "request.h"

/*
 * Declarative input schema per endpoint (kcgi's habit): a handler lists its fields, the
 * validator checks all of them and reports every bad one, and the handler reads only the
 * validated, normalised values.
 */
enum field_kind {
	F_NAME,        /* a person's name, ≤ max code points */
	F_TEXT,        /* one line of printable text, ≤ max code points */
	F_ID_NUMBER,   /* 居民身份证号, normalised to 18 chars with upper-case X */
	F_PHONE,       /* mainland mobile */
	F_EMAIL,       /* normalised to lower case */
	F_PASSWORD,    /* a new one: TM_MIN..TM_MAX_PASSWORD_CHARS code points, any characters */
	F_PASSWORD_GIVEN, /* at login: 1..TM_MAX_PASSWORD_BYTES bytes (older, shorter ones still work) */
	F_LOGIN,       /* e-mail or mobile number, as typed (≤ 254 bytes) */
	F_DATE,        /* YYYY-MM-DD, a real date */
	F_HOURS,       /* 学时 > 0 in steps of 0.5, ≤ max half-hours; normalised to half-hours ("9" = 4.5) */
	F_CODE,        /* upper-case code: A-Z 0-9 '-', 2..max bytes (course, base codes) */
	F_UINT,        /* decimal 1..max, no sign or leading zero */
	F_CHOICE,      /* one of the '|'-separated words in choices */
};

struct field_spec {
	const char *name;
	enum field_kind kind;
	bool required;
	size_t max;    /* code points for F_NAME/F_TEXT, bytes for F_CODE, value for F_UINT/F_HOURS */
	const char *choices;   /* F_CHOICE: "junior|intermediate|senior" */
};

/*
 * Validates req->fields against specs. out[i] receives the normalised value of specs[i]
 * (NULL when absent and optional). Each failure is appended to errors as
 * {"field","code","message"}. Returns the number of failures.
 */
size_t	 fields_validate(struct request *, const struct field_spec *, size_t n, const char **out,
	    json_t *errors);

#endif
