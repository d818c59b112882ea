/* fcgi/jsonbody: JSON request bodies that must be objects. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcgi/jsonbody.h"
#include "fcgi/limits.h"

static struct arena A;
static json_t *ROOT;     /* root of the last successful parse(); fields point into it */

static void
setup(void)
{
	arena_init(&A, TM_MAX_ARENA_BYTES);
}

static void
teardown(void)
{
	json_decref(ROOT);
	arena_free(&A);
}

TestSuite(jsonbody, .init = setup, .fini = teardown);

/* Parses s; on success checks the root is an object and keeps it alive in ROOT (the field
 * keys and string values point into it) until the next parse or the end of the test. */
static enum parse_rc
parse_len(const char *s, size_t n, struct kvlist *f)
{
	json_t *root = (json_t *)0x1;
	enum parse_rc rc = parse_json_body(&A, s, n, &root, f);
	json_decref(ROOT);
	ROOT = NULL;
	if (rc == PARSE_OK) {
		cr_assert(json_is_object(root));
		for (size_t i = 0; i < f->n; i++) {
			cr_assert_eq(strlen(f->v[i].key), f->v[i].klen);
			cr_assert_eq(f->v[i].val[f->v[i].vlen], '\0');
		}
		ROOT = root;
	} else
		cr_assert_null(root, "root set on failure");
	return rc;
}

static enum parse_rc
parse(const char *s, struct kvlist *f)
{
	return parse_len(s, strlen(s), f);
}

Test(jsonbody, scalar_fields)
{
	const char *s = "{\"s\":\"str\",\"i\":42,\"neg\":-7,\"r\":1.5,\"t\":true,\"f\":false,"
	    "\"n\":null,\"a\":[1,2],\"o\":{\"x\":1},\"u\":\"\\u4e2d\\u6587\",\"e\":\"\"}";
	json_t *root;
	struct kvlist f;
	cr_assert_eq(parse_json_body(&A, s, strlen(s), &root, &f), PARSE_OK);
	cr_assert_not_null(root);
	cr_assert_eq(f.n, 8, "%zu fields", f.n);
	cr_assert_str_eq(kv_get(&f, "s"), "str");
	cr_assert_str_eq(kv_get(&f, "i"), "42");
	cr_assert_str_eq(kv_get(&f, "neg"), "-7");
	cr_assert_str_eq(kv_get(&f, "r"), "1.5");
	cr_assert_str_eq(kv_get(&f, "t"), "true");
	cr_assert_str_eq(kv_get(&f, "f"), "false");
	cr_assert_str_eq(kv_get(&f, "u"), "中文");
	cr_assert_str_eq(kv_get(&f, "e"), "");
	cr_assert_eq(kv_find(&f, "e")->vlen, 0);
	cr_assert_eq(kv_find(&f, "u")->vlen, 6);
	cr_assert_null(kv_get(&f, "n"), "null became a field");
	cr_assert_null(kv_get(&f, "a"), "array became a field");
	cr_assert_null(kv_get(&f, "o"), "object became a field");
	/* the root keeps the containers */
	cr_assert(json_is_array(json_object_get(root, "a")));
	cr_assert(json_is_null(json_object_get(root, "n")));
	json_decref(root);
}

Test(jsonbody, empty_object_and_whitespace)
{
	struct kvlist f;
	cr_assert_eq(parse("{}", &f), PARSE_OK);
	cr_assert_eq(f.n, 0);
	cr_assert_eq(parse(" \n\t{ \"a\" : \"b\" }\r\n ", &f), PARSE_OK);
	cr_assert_eq(f.n, 1);
}

Test(jsonbody, integers_in_json_spelling)
{
	struct kvlist f;
	cr_assert_eq(parse("{\"a\":0,\"b\":9223372036854775807,\"c\":-9223372036854775808}", &f),
	    PARSE_OK);
	cr_assert_str_eq(kv_get(&f, "a"), "0");
	cr_assert_str_eq(kv_get(&f, "b"), "9223372036854775807");
	cr_assert_str_eq(kv_get(&f, "c"), "-9223372036854775808");
	cr_assert_eq(parse("{\"a\":9223372036854775808}", &f), PARSE_EMALFORMED);
}

Test(jsonbody, reals_in_json_spelling)
{
	/* Header: "numbers in their JSON spelling". 0.1 and 2.3 have no exact double; the
	 * field text must still be what the client sent, or "2.3" hours fail validation. */
	struct kvlist f;
	cr_assert_eq(parse("{\"a\":0.5,\"b\":-2.25,\"c\":0.1,\"d\":2.3}", &f), PARSE_OK);
	cr_assert_str_eq(kv_get(&f, "a"), "0.5");
	cr_assert_str_eq(kv_get(&f, "b"), "-2.25");
	cr_assert_str_eq(kv_get(&f, "c"), "0.1");
	cr_assert_str_eq(kv_get(&f, "d"), "2.3");
}

Test(jsonbody, escapes_decoded)
{
	struct kvlist f;
	cr_assert_eq(parse("{\"q\":\"a\\\"b\\\\c\\/d\\n\",\"emoji\":\"\\ud83d\\ude00\"}", &f),
	    PARSE_OK);
	cr_assert_str_eq(kv_get(&f, "q"), "a\"b\\c/d\n");
	cr_assert_str_eq(kv_get(&f, "emoji"), "\xf0\x9f\x98\x80");
}

struct bad_case {
	char in[64];
	size_t len;            /* 0: strlen */
	enum parse_rc rc;
	char what[32];
};

ParameterizedTestParameters(jsonbody, refused)
{
	static struct bad_case cases[] = {
		{ "", 0, PARSE_EMALFORMED, "empty" },
		{ "   ", 0, PARSE_EMALFORMED, "blank" },
		{ "[]", 0, PARSE_EMALFORMED, "array root" },
		{ "[{\"a\":1}]", 0, PARSE_EMALFORMED, "array of objects" },
		{ "\"str\"", 0, PARSE_EMALFORMED, "string root" },
		{ "42", 0, PARSE_EMALFORMED, "number root" },
		{ "true", 0, PARSE_EMALFORMED, "true root" },
		{ "null", 0, PARSE_EMALFORMED, "null root" },
		{ "{", 0, PARSE_EMALFORMED, "unterminated" },
		{ "{\"a\":1", 0, PARSE_EMALFORMED, "unterminated 2" },
		{ "{\"a\":1,}", 0, PARSE_EMALFORMED, "trailing comma" },
		{ "{'a':1}", 0, PARSE_EMALFORMED, "single quotes" },
		{ "{a:1}", 0, PARSE_EMALFORMED, "bare key" },
		{ "{\"a\":01}", 0, PARSE_EMALFORMED, "leading zero" },
		{ "{\"a\":NaN}", 0, PARSE_EMALFORMED, "NaN" },
		{ "{\"a\":1}{}", 0, PARSE_EMALFORMED, "trailing object" },
		{ "{\"a\":1} x", 0, PARSE_EMALFORMED, "trailing garbage" },
		{ "{\"a\":1,\"a\":2}", 0, PARSE_EMALFORMED, "duplicate key" },
		{ "{\"a\":1,\"b\":{},\"a\":null}", 0, PARSE_EMALFORMED, "duplicate key later" },
		{ "{\"a\":\"\\u0000\"}", 0, PARSE_EMALFORMED, "escaped NUL" },
		{ "{\"\\u0000\":1}", 0, PARSE_EMALFORMED, "escaped NUL key" },
		{ "{\"a\":\"\\ud800\"}", 0, PARSE_EMALFORMED, "lone surrogate escape" },
		{ "{\"a\":\"\\x41\"}", 0, PARSE_EMALFORMED, "bad escape" },
		{ "{\"a\":\"tab\there\"}", 0, PARSE_EMALFORMED, "raw control char" },
		{ "{\"a\":\"\xff\"}", 0, PARSE_EUTF8, "ff" },
		{ "{\"a\":\"\xc0\x80\"}", 0, PARSE_EUTF8, "overlong NUL" },
		{ "{\"a\":\"\xed\xa0\x80\"}", 0, PARSE_EUTF8, "raw surrogate" },
		{ "{\"a\":\"\xe4\xb8\"}", 0, PARSE_EUTF8, "truncated" },
		{ "{\"\xff\":1}", 0, PARSE_EUTF8, "bad key" },
		{ "[\"\xff\"]", 0, PARSE_EUTF8, "utf8 checked first" },
		{ "{\"a\":1}\0", 8, PARSE_EUTF8, "raw NUL after body" },
		{ "{\"a\":\"x\0y\"}", 11, PARSE_EUTF8, "raw NUL in string" },
	};
	return cr_make_param_array(struct bad_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct bad_case *c, jsonbody, refused)
{
	struct kvlist f;
	size_t n = c->len ? c->len : strlen(c->in);
	enum parse_rc rc = parse_len(c->in, n, &f);
	cr_assert_eq(rc, c->rc, "%s: rc %d", c->what, rc);
	cr_assert_eq(f.n, 0, "%s: fields left on failure", c->what);
}

/* {"a":[[...]]} with total nesting `depth` (the object counts as 1). */
static char *
nested(size_t depth)
{
	char *s = malloc(depth * 2 + 16);
	size_t w = 0;
	w += (size_t)sprintf(s, "{\"a\":");
	for (size_t i = 1; i < depth; i++)
		s[w++] = '[';
	s[w++] = '1';
	for (size_t i = 1; i < depth; i++)
		s[w++] = ']';
	s[w++] = '}';
	s[w] = '\0';
	return s;
}

Test(jsonbody, depth_limit_arrays)
{
	struct kvlist f;
	char *s;
	s = nested(TM_MAX_JSON_DEPTH - 1);
	cr_assert_eq(parse(s, &f), PARSE_OK);
	free(s);
	s = nested(TM_MAX_JSON_DEPTH);
	cr_assert_eq(parse(s, &f), PARSE_OK, "%s", s);
	free(s);
	s = nested(TM_MAX_JSON_DEPTH + 1);
	cr_assert_eq(parse(s, &f), PARSE_EMALFORMED, "%s", s);
	free(s);
	s = nested(5000);
	cr_assert_eq(parse(s, &f), PARSE_EMALFORMED);
	free(s);
}

Test(jsonbody, depth_limit_objects)
{
	/* {"a":{"a":...1...}} */
	struct kvlist f;
	for (size_t depth = TM_MAX_JSON_DEPTH - 1; depth <= TM_MAX_JSON_DEPTH + 1; depth++) {
		char buf[512];
		size_t w = 0;
		for (size_t i = 0; i < depth; i++)
			w += (size_t)sprintf(buf + w, "{\"a\":");
		buf[w++] = '1';
		for (size_t i = 0; i < depth; i++)
			buf[w++] = '}';
		buf[w] = '\0';
		cr_assert_eq(parse(buf, &f), depth <= TM_MAX_JSON_DEPTH ? PARSE_OK : PARSE_EMALFORMED,
		    "depth %zu", depth);
	}
}

Test(jsonbody, brackets_inside_strings_do_not_count)
{
	struct kvlist f;
	char buf[256];
	size_t w = (size_t)sprintf(buf, "{\"a\":\"");
	for (int i = 0; i < 40; i++)
		buf[w++] = '[';
	w += (size_t)sprintf(buf + w, "\\\"{{{{{{{{{{{{{{{{{{{{\",\"b\":\"\\\\\",\"c\":1}");
	buf[w] = '\0';
	cr_assert_eq(parse(buf, &f), PARSE_OK, "%s", buf);
	cr_assert_eq(f.n, 3);
	cr_assert_str_eq(kv_get(&f, "b"), "\\");
	cr_assert_str_eq(kv_get(&f, "c"), "1");
}

Test(jsonbody, depth_limit_not_fooled_by_escaped_backslash)
{
	/* "\\" ends the string: the 17 brackets after it are structure */
	struct kvlist f;
	char buf[256];
	size_t w = (size_t)sprintf(buf, "{\"s\":\"\\\\\",\"a\":");
	for (int i = 0; i < 17; i++)
		buf[w++] = '[';
	for (int i = 0; i < 17; i++)
		buf[w++] = ']';
	buf[w++] = '}';
	buf[w] = '\0';
	cr_assert_eq(parse(buf, &f), PARSE_EMALFORMED, "%s", buf);
}

static char *
object_with_fields(size_t n)
{
	char *s = malloc(n * 16 + 4);
	size_t w = 0;
	s[w++] = '{';
	for (size_t i = 0; i < n; i++)
		w += (size_t)sprintf(s + w, "%s\"k%zu\":%zu", i ? "," : "", i, i);
	s[w++] = '}';
	s[w] = '\0';
	return s;
}

Test(jsonbody, max_fields)
{
	struct kvlist f;
	char *s;
	s = object_with_fields(TM_MAX_FIELDS - 1);
	cr_assert_eq(parse(s, &f), PARSE_OK);
	cr_assert_eq(f.n, TM_MAX_FIELDS - 1);
	free(s);
	s = object_with_fields(TM_MAX_FIELDS);
	cr_assert_eq(parse(s, &f), PARSE_OK);
	cr_assert_eq(f.n, TM_MAX_FIELDS);
	cr_assert_str_eq(kv_get(&f, "k63"), "63");
	free(s);
	s = object_with_fields(TM_MAX_FIELDS + 1);
	cr_assert_eq(parse(s, &f), PARSE_ELIMIT);
	free(s);
}

static enum parse_rc
one_string(size_t klen, size_t vlen)
{
	char *s = malloc(klen + vlen + 16);
	size_t w = 0;
	s[w++] = '{';
	s[w++] = '"';
	memset(s + w, 'k', klen);
	w += klen;
	memcpy(s + w, "\":\"", 3);
	w += 3;
	memset(s + w, 'v', vlen);
	w += vlen;
	memcpy(s + w, "\"}", 3);
	struct kvlist f;
	enum parse_rc rc = parse(s, &f);
	free(s);
	return rc;
}

Test(jsonbody, max_field_name_and_value)
{
	cr_assert_eq(one_string(TM_MAX_FIELD_NAME - 1, 1), PARSE_OK);
	cr_assert_eq(one_string(TM_MAX_FIELD_NAME, 1), PARSE_OK);
	cr_assert_eq(one_string(TM_MAX_FIELD_NAME + 1, 1), PARSE_ELIMIT);
	cr_assert_eq(one_string(1, TM_MAX_FIELD_VALUE - 1), PARSE_OK);
	cr_assert_eq(one_string(1, TM_MAX_FIELD_VALUE), PARSE_OK);
	cr_assert_eq(one_string(1, TM_MAX_FIELD_VALUE + 1), PARSE_ELIMIT);
}

Test(jsonbody, arena_exhaustion_is_enomem)
{
	struct arena small;
	struct kvlist f;
	json_t *root;
	arena_init(&small, 16);
	const char *s = "{\"a\":1,\"b\":2}";
	cr_assert_eq(parse_json_body(&small, s, strlen(s), &root, &f), PARSE_ENOMEM);
	cr_assert_null(root);
	arena_free(&small);
}
