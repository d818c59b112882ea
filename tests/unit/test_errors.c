/* fcgi/errors: the table of client-visible errors. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "courses/text.h"
#include "fcgi/errors.h"

struct known_case {
	char code[32];
	int status;
};

ParameterizedTestParameters(errors, known_codes)
{
	static struct known_case cases[] = {
		{ "internal_error", 500 },
		{ "bad_request", 400 },
		{ "invalid_form", 400 },
		{ "invalid_json", 400 },
		{ "invalid_utf8", 400 },
		{ "unauthorized", 401 },
		{ "invalid_credentials", 401 },
		{ "forbidden", 403 },
		{ "csrf_invalid", 403 },
		{ "not_found", 404 },
		{ "method_not_allowed", 405 },
		{ "id_number_taken", 409 },
		{ "payload_too_large", 413 },
		{ "unsupported_media_type", 415 },
		{ "validation_failed", 422 },
		{ "login_throttled", 429 },
		{ "db_unavailable", 503 },
	};
	return cr_make_param_array(struct known_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct known_case *c, errors, known_codes)
{
	const struct err_def *e = err_lookup(c->code);
	cr_assert_not_null(e);
	cr_assert_str_eq(e->code, c->code);
	cr_assert_eq(e->status, c->status, "%s: %d", c->code, e->status);
	cr_assert_gt(strlen(e->message), 0);
}

Test(errors, unknown_maps_to_internal_error)
{
	const char *unknown[] = { "", "no_such_code", "NOT_FOUND", "not_found ", "not_foun",
		"not_found_x", "<script>" };
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		const struct err_def *e = err_lookup(unknown[i]);
		cr_assert_not_null(e);
		cr_assert_str_eq(e->code, "internal_error", "'%s'", unknown[i]);
		cr_assert_eq(e->status, 500);
		/* the unknown code itself is never echoed */
		if (unknown[i][0])
			cr_assert_null(strstr(e->message, unknown[i]));
	}
}

static bool
snake_case(const char *s)
{
	if (!(*s >= 'a' && *s <= 'z'))
		return false;
	for (const char *p = s; *p; p++) {
		bool ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_';
		if (!ok || (p[0] == '_' && (p[1] == '_' || p[1] == '\0')))
			return false;
	}
	return true;
}

Test(errors, snake_case_helper)
{
	cr_assert(snake_case("a_b2"));
	cr_assert_not(snake_case("A_b"));
	cr_assert_not(snake_case("a__b"));
	cr_assert_not(snake_case("a_"));
	cr_assert_not(snake_case("_a"));
	cr_assert_not(snake_case("a-b"));
	cr_assert_not(snake_case(""));
}

Test(errors, table_entries_well_formed)
{
	unsigned n = 0;
	const struct err_def *t = err_table(&n);
	cr_assert_not_null(t);
	cr_assert_geq(n, 17);
	for (unsigned i = 0; i < n; i++) {
		cr_assert_not_null(t[i].code, "entry %u", i);
		cr_assert_not_null(t[i].message, "entry %u", i);
		cr_assert(snake_case(t[i].code), "'%s' is not snake_case", t[i].code);
		cr_assert(t[i].status >= 400 && t[i].status <= 599, "%s: status %d", t[i].code,
		    t[i].status);
		cr_assert_gt(strlen(t[i].message), 0, "%s: empty message", t[i].code);
		cr_assert(utf8_valid(t[i].message, strlen(t[i].message)), "%s: message not UTF-8",
		    t[i].code);
		/* messages are shown as text: nothing that needs escaping in JSON or HTML */
		cr_assert_null(strpbrk(t[i].message, "<>\"\\&"), "%s: message has markup", t[i].code);
		for (unsigned j = 0; j < i; j++)
			cr_assert_str_neq(t[i].code, t[j].code, "duplicate code %s", t[i].code);
		/* lookup finds each entry itself */
		cr_assert_eq(err_lookup(t[i].code), &t[i], "%s", t[i].code);
	}
}

Test(errors, internal_error_is_in_the_table)
{
	unsigned n = 0;
	const struct err_def *t = err_table(&n);
	bool found = false;
	for (unsigned i = 0; i < n; i++)
		if (strcmp(t[i].code, "internal_error") == 0)
			found = t[i].status == 500;
	cr_assert(found);
}
