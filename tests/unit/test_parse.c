/* fcgi/parse: form bodies, query strings, cookies, integers, media types. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "courses/text.h"
#include "fcgi/limits.h"
#include "fcgi/parse.h"

static struct arena A;

static void
setup(void)
{
	arena_init(&A, TM_MAX_ARENA_BYTES);
}

static void
teardown(void)
{
	arena_free(&A);
}

TestSuite(urlencoded, .init = setup, .fini = teardown);
TestSuite(cookies, .init = setup, .fini = teardown);
TestSuite(u64, .init = setup, .fini = teardown);
TestSuite(media_type, .init = setup, .fini = teardown);

static enum parse_rc
urlenc(const char *s, struct kvlist *l)
{
	return parse_urlencoded(&A, s, strlen(s), l);
}

/* Every parsed pair is NUL-terminated at its length and valid UTF-8. */
static void
check_pairs(const struct kvlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		cr_assert_eq(l->v[i].key[l->v[i].klen], '\0');
		cr_assert_eq(l->v[i].val[l->v[i].vlen], '\0');
		cr_assert_eq(strlen(l->v[i].val), l->v[i].vlen);
		cr_assert(utf8_valid(l->v[i].key, l->v[i].klen));
		cr_assert(utf8_valid(l->v[i].val, l->v[i].vlen));
	}
}

/* ---- urlencoded: one key, its decoded value, or an error ---- */

struct ue_case {
	char in[48];
	enum parse_rc rc;
	size_t n;          /* pairs on PARSE_OK */
	char key[16];      /* first pair */
	char val[32];
};

ParameterizedTestParameters(urlencoded, cases)
{
	static struct ue_case cases[] = {
		{ "", PARSE_OK, 0, "", "" },
		{ "&", PARSE_OK, 0, "", "" },
		{ "&&&", PARSE_OK, 0, "", "" },
		{ "a=1", PARSE_OK, 1, "a", "1" },
		{ "a=1&b=2", PARSE_OK, 2, "a", "1" },
		{ "&a=1&&", PARSE_OK, 1, "a", "1" },
		{ "a", PARSE_OK, 1, "a", "" },
		{ "a=", PARSE_OK, 1, "a", "" },
		{ "a=b=c", PARSE_OK, 1, "a", "b=c" },
		{ "q=a+b", PARSE_OK, 1, "q", "a b" },
		{ "q=a%20b", PARSE_OK, 1, "q", "a b" },
		{ "q=a%2Bb", PARSE_OK, 1, "q", "a+b" },
		{ "q=a%2bb", PARSE_OK, 1, "q", "a+b" },
		{ "q=%26%3D", PARSE_OK, 1, "q", "&=" },
		{ "q=%E4%B8%AD%e6%96%87", PARSE_OK, 1, "q", "中文" },
		{ "q=中文", PARSE_OK, 1, "q", "中文" },
		{ "a%5Bb%5D=1", PARSE_OK, 1, "a[b]", "1" },
		{ "first+name=x", PARSE_OK, 1, "first name", "x" },
		{ "q=%25", PARSE_OK, 1, "q", "%" },
		{ "q=100%", PARSE_EMALFORMED, 0, "", "" },
		{ "q=%", PARSE_EMALFORMED, 0, "", "" },
		{ "q=%4", PARSE_EMALFORMED, 0, "", "" },
		{ "q=%4&r=1", PARSE_EMALFORMED, 0, "", "" },
		{ "q=%zz", PARSE_EMALFORMED, 0, "", "" },
		{ "q=%g0", PARSE_EMALFORMED, 0, "", "" },
		{ "q=%0g", PARSE_EMALFORMED, 0, "", "" },
		{ "%zz=1", PARSE_EMALFORMED, 0, "", "" },
		{ "%", PARSE_EMALFORMED, 0, "", "" },
		{ "=1", PARSE_EMALFORMED, 0, "", "" },
		{ "=", PARSE_EMALFORMED, 0, "", "" },
		{ "a=1&=2", PARSE_EMALFORMED, 0, "", "" },
		{ "q=%ff", PARSE_EUTF8, 0, "", "" },
		{ "%ff=1", PARSE_EUTF8, 0, "", "" },
		{ "q=%C0%80", PARSE_EUTF8, 0, "", "" },
		{ "q=%ED%A0%80", PARSE_EUTF8, 0, "", "" },
		{ "q=%E4%B8", PARSE_EUTF8, 0, "", "" },
		{ "q=%00", PARSE_EUTF8, 0, "", "" },
		{ "q=\xff", PARSE_EUTF8, 0, "", "" },
	};
	return cr_make_param_array(struct ue_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct ue_case *c, urlencoded, cases)
{
	struct kvlist l;
	enum parse_rc rc = urlenc(c->in, &l);
	cr_assert_eq(rc, c->rc, "'%s': rc %d", c->in, rc);
	if (rc != PARSE_OK)
		return;
	cr_assert_eq(l.n, c->n, "'%s': %zu pairs", c->in, l.n);
	check_pairs(&l);
	if (c->n > 0) {
		cr_assert_str_eq(l.v[0].key, c->key);
		cr_assert_eq(l.v[0].klen, strlen(c->key));
		cr_assert_str_eq(l.v[0].val, c->val);
		cr_assert_str_eq(kv_get(&l, c->key), c->val);
	}
}

Test(urlencoded, several_pairs_in_order)
{
	struct kvlist l;
	cr_assert_eq(urlenc("name=%E5%BC%A0%E4%B8%89&email=a%40b.cn&empty=&flag", &l), PARSE_OK);
	cr_assert_eq(l.n, 4);
	check_pairs(&l);
	cr_assert_str_eq(kv_get(&l, "name"), "张三");
	cr_assert_str_eq(kv_get(&l, "email"), "a@b.cn");
	cr_assert_str_eq(kv_get(&l, "empty"), "");
	cr_assert_str_eq(kv_get(&l, "flag"), "");
	cr_assert_null(kv_get(&l, "missing"));
	cr_assert_null(kv_get(&l, "nam"));
	cr_assert_null(kv_get(&l, "names"));
	cr_assert_null(kv_get(&l, ""));
	cr_assert_str_eq(l.v[1].key, "email");
}

Test(urlencoded, repeated_key_first_wins)
{
	struct kvlist l;
	cr_assert_eq(urlenc("a=1&b=x&a=2&a=3", &l), PARSE_OK);
	cr_assert_eq(l.n, 4);
	cr_assert_str_eq(kv_get(&l, "a"), "1");
	const struct kv *kv = kv_find(&l, "a");
	cr_assert_eq(kv, &l.v[0]);
	cr_assert_eq(kv->vlen, 1);
	cr_assert_null(kv_find(&l, "c"));
}

Test(urlencoded, length_bounds_the_input)
{
	struct kvlist l;
	cr_assert_eq(parse_urlencoded(&A, "a=12&b=3", 3, &l), PARSE_OK);
	cr_assert_eq(l.n, 1);
	cr_assert_str_eq(kv_get(&l, "a"), "1");
	/* a '%' escape may not read past the given length */
	cr_assert_eq(parse_urlencoded(&A, "a=%41", 4, &l), PARSE_EMALFORMED);
}

Test(urlencoded, kv_get_on_empty_list)
{
	struct kvlist l = { NULL, 0 };
	cr_assert_null(kv_get(&l, "a"));
	cr_assert_null(kv_find(&l, "a"));
}

/* ---- urlencoded limits ---- */

static char *
fields(size_t n)
{
	char *s = malloc(n * 12 + 1);
	size_t w = 0;
	for (size_t i = 0; i < n; i++)
		w += (size_t)sprintf(s + w, "%sk%zu=v", i ? "&" : "", i);
	s[w] = '\0';
	return s;
}

Test(urlencoded, max_fields)
{
	struct kvlist l;
	char *s;
	s = fields(TM_MAX_FIELDS - 1);
	cr_assert_eq(urlenc(s, &l), PARSE_OK);
	cr_assert_eq(l.n, TM_MAX_FIELDS - 1);
	free(s);
	s = fields(TM_MAX_FIELDS);
	cr_assert_eq(urlenc(s, &l), PARSE_OK);
	cr_assert_eq(l.n, TM_MAX_FIELDS);
	char last[16];
	snprintf(last, sizeof(last), "k%u", TM_MAX_FIELDS - 1);
	cr_assert_str_eq(kv_get(&l, last), "v");
	free(s);
	s = fields(TM_MAX_FIELDS + 1);
	cr_assert_eq(urlenc(s, &l), PARSE_ELIMIT);
	free(s);
	s = fields(1000);
	cr_assert_eq(urlenc(s, &l), PARSE_ELIMIT);
	free(s);
}

Test(urlencoded, empty_segments_do_not_count)
{
	struct kvlist l;
	char *s = fields(TM_MAX_FIELDS);
	char *t = malloc(strlen(s) + 200);
	memset(t, '&', 100);
	strcpy(t + 100, s);
	strcat(t, "&&&&&");
	cr_assert_eq(urlenc(t, &l), PARSE_OK);
	cr_assert_eq(l.n, TM_MAX_FIELDS);
	free(s);
	free(t);
}

static enum parse_rc
one_pair(size_t klen, size_t vlen, const char *kunit, const char *vunit)
{
	size_t ku = strlen(kunit), vu = strlen(vunit);
	char *s = malloc(klen * ku + vlen * vu + 2);
	size_t w = 0;
	for (size_t i = 0; i < klen; i++, w += ku)
		memcpy(s + w, kunit, ku);
	s[w++] = '=';
	for (size_t i = 0; i < vlen; i++, w += vu)
		memcpy(s + w, vunit, vu);
	struct kvlist l;
	enum parse_rc rc = parse_urlencoded(&A, s, w, &l);
	if (rc == PARSE_OK) {
		cr_assert_eq(l.n, 1);
		cr_assert_eq(l.v[0].klen, klen);
		cr_assert_eq(l.v[0].vlen, vlen);
	}
	free(s);
	return rc;
}

Test(urlencoded, max_field_name)
{
	cr_assert_eq(one_pair(TM_MAX_FIELD_NAME - 1, 1, "k", "v"), PARSE_OK);
	cr_assert_eq(one_pair(TM_MAX_FIELD_NAME, 1, "k", "v"), PARSE_OK);
	cr_assert_eq(one_pair(TM_MAX_FIELD_NAME + 1, 1, "k", "v"), PARSE_ELIMIT);
	/* the limit is on decoded bytes: %41 counts as one */
	cr_assert_eq(one_pair(TM_MAX_FIELD_NAME, 1, "%41", "v"), PARSE_OK);
	cr_assert_eq(one_pair(TM_MAX_FIELD_NAME + 1, 1, "%41", "v"), PARSE_ELIMIT);
}

Test(urlencoded, max_field_value)
{
	cr_assert_eq(one_pair(1, TM_MAX_FIELD_VALUE - 1, "k", "v"), PARSE_OK);
	cr_assert_eq(one_pair(1, TM_MAX_FIELD_VALUE, "k", "v"), PARSE_OK);
	cr_assert_eq(one_pair(1, TM_MAX_FIELD_VALUE + 1, "k", "v"), PARSE_ELIMIT);
	cr_assert_eq(one_pair(1, TM_MAX_FIELD_VALUE, "k", "%20"), PARSE_OK);
	cr_assert_eq(one_pair(1, TM_MAX_FIELD_VALUE + 1, "k", "+"), PARSE_ELIMIT);
}

Test(urlencoded, arena_exhaustion_is_enomem)
{
	struct arena small;
	struct kvlist l;
	arena_init(&small, 512);
	char *s = fields(10);
	enum parse_rc rc = parse_urlencoded(&small, s, strlen(s), &l);
	cr_assert_eq(rc, PARSE_ENOMEM, "rc %d", rc);
	free(s);
	arena_free(&small);
}

/* ---- cookies ---- */

static enum parse_rc
cookies(const char *s, struct kvlist *l)
{
	return parse_cookies(&A, s, strlen(s), l);
}

struct ck_case {
	char in[64];
	size_t n;
	char key[16];   /* a key that must be present, "" for none */
	char val[24];
};

ParameterizedTestParameters(cookies, cases)
{
	static struct ck_case cases[] = {
		{ "", 0, "", "" },
		{ ";", 0, "", "" },
		{ " ; ;; ", 0, "", "" },
		{ "a=1", 1, "a", "1" },
		{ "a=1; b=2", 2, "b", "2" },
		{ "a=1;b=2", 2, "b", "2" },
		{ "  a=1  ;   b=2  ", 2, "b", "2" },
		{ "\ta=1\t;\tb=x y\t", 2, "b", "x y" },
		{ "sid=\"quoted\"", 1, "sid", "quoted" },
		{ "sid=\"\"", 1, "sid", "" },
		{ "sid=\"", 1, "sid", "\"" },
		{ "sid=\"half", 1, "sid", "\"half" },
		{ "sid=a=b", 1, "sid", "a=b" },
		{ "sid=", 1, "sid", "" },
		{ "sid=%41+b", 1, "sid", "%41+b" },      /* verbatim, not decoded */
		{ "novalue; b=2", 1, "b", "2" },         /* pair without '=' skipped */
		{ "=x; b=2", 1, "b", "2" },              /* empty name skipped */
		{ " =x;b=2", 1, "b", "2" },
		{ "a=1; a=2", 2, "a", "1" },             /* first wins */
		{ "a=1;;;b=2;", 2, "a", "1" },
	};
	return cr_make_param_array(struct ck_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct ck_case *c, cookies, cases)
{
	struct kvlist l;
	cr_assert_eq(cookies(c->in, &l), PARSE_OK, "'%s'", c->in);
	cr_assert_eq(l.n, c->n, "'%s': %zu cookies", c->in, l.n);
	for (size_t i = 0; i < l.n; i++) {
		cr_assert_eq(l.v[i].key[l.v[i].klen], '\0');
		cr_assert_eq(l.v[i].val[l.v[i].vlen], '\0');
		cr_assert_gt(l.v[i].klen, 0);
	}
	if (c->key[0])
		cr_assert_str_eq(kv_get(&l, c->key), c->val, "'%s'", c->in);
}

Test(cookies, typical_header)
{
	struct kvlist l;
	cr_assert_eq(cookies("tm_session=abcDEF123_-; tm_csrf=xyz; _ga=GA1.2.3.4", &l), PARSE_OK);
	cr_assert_eq(l.n, 3);
	cr_assert_str_eq(kv_get(&l, "tm_session"), "abcDEF123_-");
	cr_assert_str_eq(kv_get(&l, "tm_csrf"), "xyz");
	cr_assert_str_eq(kv_get(&l, "_ga"), "GA1.2.3.4");
	cr_assert_null(kv_get(&l, "tm"));
}

static char *
cookie_header(size_t n)
{
	char *s = malloc(n * 16 + 1);
	size_t w = 0;
	for (size_t i = 0; i < n; i++)
		w += (size_t)sprintf(s + w, "%sc%zu=v", i ? "; " : "", i);
	s[w] = '\0';
	return s;
}

Test(cookies, max_cookies)
{
	struct kvlist l;
	char *s;
	s = cookie_header(TM_MAX_COOKIES - 1);
	cr_assert_eq(cookies(s, &l), PARSE_OK);
	cr_assert_eq(l.n, TM_MAX_COOKIES - 1);
	free(s);
	s = cookie_header(TM_MAX_COOKIES);
	cr_assert_eq(cookies(s, &l), PARSE_OK);
	cr_assert_eq(l.n, TM_MAX_COOKIES);
	free(s);
	s = cookie_header(TM_MAX_COOKIES + 1);
	cr_assert_eq(cookies(s, &l), PARSE_ELIMIT);
	free(s);
}

static enum parse_rc
header_of_len(size_t n, struct kvlist *l)
{
	char *s = malloc(n + 1);
	memcpy(s, "sid=", 4);
	memset(s + 4, 'x', n - 4);
	s[n] = '\0';
	enum parse_rc rc = parse_cookies(&A, s, n, l);
	free(s);
	return rc;
}

Test(cookies, max_header)
{
	struct kvlist l;
	cr_assert_eq(header_of_len(TM_MAX_COOKIE_HEADER - 1, &l), PARSE_OK);
	cr_assert_eq(l.v[0].vlen, TM_MAX_COOKIE_HEADER - 5);
	cr_assert_eq(header_of_len(TM_MAX_COOKIE_HEADER, &l), PARSE_OK);
	cr_assert_eq(l.v[0].vlen, TM_MAX_COOKIE_HEADER - 4);
	cr_assert_eq(header_of_len(TM_MAX_COOKIE_HEADER + 1, &l), PARSE_ELIMIT);
	cr_assert_eq(l.n, 0);
}

/* ---- parse_u64 ---- */

struct u64_case {
	char in[32];
	uint64_t max;
	bool ok;
	uint64_t want;
};

ParameterizedTestParameters(u64, cases)
{
	static struct u64_case cases[] = {
		{ "", UINT64_MAX, false, 0 },
		{ "0", UINT64_MAX, true, 0 },
		{ "7", UINT64_MAX, true, 7 },
		{ "10", UINT64_MAX, true, 10 },
		{ "1234567890", UINT64_MAX, true, 1234567890 },
		{ "00", UINT64_MAX, false, 0 },
		{ "01", UINT64_MAX, false, 0 },
		{ "000000000000000000001", UINT64_MAX, false, 0 },
		{ "-1", UINT64_MAX, false, 0 },
		{ "-0", UINT64_MAX, false, 0 },
		{ "+1", UINT64_MAX, false, 0 },
		{ " 1", UINT64_MAX, false, 0 },
		{ "1 ", UINT64_MAX, false, 0 },
		{ "1a", UINT64_MAX, false, 0 },
		{ "0x10", UINT64_MAX, false, 0 },
		{ "1.0", UINT64_MAX, false, 0 },
		{ "1e3", UINT64_MAX, false, 0 },
		{ "18446744073709551615", UINT64_MAX, true, UINT64_MAX },
		{ "18446744073709551614", UINT64_MAX, true, UINT64_MAX - 1 },
		{ "18446744073709551616", UINT64_MAX, false, 0 },
		{ "18446744073709551620", UINT64_MAX, false, 0 },
		{ "19999999999999999999", UINT64_MAX, false, 0 },
		{ "99999999999999999999", UINT64_MAX, false, 0 },
		{ "100000000000000000000", UINT64_MAX, false, 0 },
		{ "10", 10, true, 10 },
		{ "11", 10, false, 0 },
		{ "0", 0, true, 0 },
		{ "1", 0, false, 0 },
		{ "4294967295", 4294967295u, true, 4294967295u },
		{ "4294967296", 4294967295u, false, 0 },
	};
	return cr_make_param_array(struct u64_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct u64_case *c, u64, cases)
{
	uint64_t v = 4242;
	bool ok = parse_u64(c->in, strlen(c->in), c->max, &v);
	cr_assert_eq(ok, c->ok, "'%s' max %llu", c->in, (unsigned long long)c->max);
	if (ok)
		cr_assert_eq(v, c->want, "'%s' -> %llu", c->in, (unsigned long long)v);
	else
		cr_assert_eq(v, 4242, "'%s': out written on failure", c->in);
}

Test(u64, uses_length_not_nul)
{
	uint64_t v = 0;
	cr_assert(parse_u64("123abc", 3, UINT64_MAX, &v));
	cr_assert_eq(v, 123);
	cr_assert(parse_u64("05", 1, UINT64_MAX, &v));
	cr_assert_eq(v, 0);
	cr_assert_not(parse_u64("1\0", 2, UINT64_MAX, &v));
}

/* ---- media_type ---- */

struct mt_case {
	char in[64];
	char want[40];
};

ParameterizedTestParameters(media_type, cases)
{
	static struct mt_case cases[] = {
		{ "application/json", "application/json" },
		{ "Application/JSON", "application/json" },
		{ "application/json; charset=UTF-8", "application/json" },
		{ "application/json;charset=utf-8", "application/json" },
		{ "  text/html  ; q=1", "text/html" },
		{ "\tTEXT/HTML\t", "text/html" },
		{ "application/x-www-form-urlencoded", "application/x-www-form-urlencoded" },
		{ "multipart/form-data; boundary=----X", "multipart/form-data" },
		{ "", "" },
		{ "   ", "" },
		{ ";charset=utf-8", "" },
		{ " ; x", "" },
	};
	return cr_make_param_array(struct mt_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct mt_case *c, media_type, cases)
{
	const char *m = media_type(&A, c->in);
	cr_assert_not_null(m);
	cr_assert_str_eq(m, c->want, "'%s'", c->in);
}

Test(media_type, null_is_empty)
{
	const char *m = media_type(&A, NULL);
	cr_assert_not_null(m);
	cr_assert_str_eq(m, "");
}

Test(media_type, does_not_modify_input)
{
	char ct[] = "Application/JSON; charset=UTF-8";
	cr_assert_str_eq(media_type(&A, ct), "application/json");
	cr_assert_str_eq(ct, "Application/JSON; charset=UTF-8");
}
