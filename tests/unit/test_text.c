/* courses/text: strict UTF-8, printable text, person names. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "courses/text.h"

struct bytes_case {
	unsigned char b[8];
	size_t n;
	bool ok;
	char what[40];
};

#define B(...) { __VA_ARGS__ }, sizeof((unsigned char[]){ __VA_ARGS__ })

ParameterizedTestParameters(utf8, classes)
{
	static struct bytes_case cases[] = {
		{ B('a', 'b', 'c'), true, "ascii" },
		{ B(0x7f), true, "U+007F" },
		{ B(0xc2, 0x80), true, "U+0080 smallest 2-byte" },
		{ B(0xc3, 0xa9), true, "e acute" },
		{ B(0xdf, 0xbf), true, "U+07FF largest 2-byte" },
		{ B(0xe0, 0xa0, 0x80), true, "U+0800 smallest 3-byte" },
		{ B(0xe4, 0xb8, 0xad), true, "CJK" },
		{ B(0xed, 0x9f, 0xbf), true, "U+D7FF before surrogates" },
		{ B(0xee, 0x80, 0x80), true, "U+E000 after surrogates" },
		{ B(0xef, 0xbf, 0xbf), true, "U+FFFF" },
		{ B(0xf0, 0x90, 0x80, 0x80), true, "U+10000 smallest 4-byte" },
		{ B(0xf0, 0x9f, 0x98, 0x80), true, "emoji" },
		{ B(0xf4, 0x8f, 0xbf, 0xbf), true, "U+10FFFF" },
		{ B(0x00), false, "NUL" },
		{ B('a', 0x00, 'b'), false, "embedded NUL" },
		{ B(0x80), false, "lone continuation 80" },
		{ B(0xbf), false, "lone continuation bf" },
		{ B('a', 0x80), false, "continuation after ascii" },
		{ B(0xc0, 0x80), false, "overlong NUL" },
		{ B(0xc0, 0xaf), false, "overlong slash" },
		{ B(0xc1, 0xbf), false, "overlong 2-byte c1" },
		{ B(0xe0, 0x80, 0x80), false, "overlong 3-byte" },
		{ B(0xe0, 0x9f, 0xbf), false, "overlong 3-byte max" },
		{ B(0xf0, 0x80, 0x80, 0x80), false, "overlong 4-byte" },
		{ B(0xf0, 0x8f, 0xbf, 0xbf), false, "overlong 4-byte max" },
		{ B(0xed, 0xa0, 0x80), false, "surrogate D800" },
		{ B(0xed, 0xbf, 0xbf), false, "surrogate DFFF" },
		{ B(0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80), false, "CESU surrogate pair" },
		{ B(0xf4, 0x90, 0x80, 0x80), false, "U+110000" },
		{ B(0xf5, 0x80, 0x80, 0x80), false, "lead f5" },
		{ B(0xf8, 0x88, 0x80, 0x80, 0x80), false, "5-byte form" },
		{ B(0xfe), false, "fe" },
		{ B(0xff), false, "ff" },
		{ B(0xc3), false, "truncated 2-byte" },
		{ B(0xe4, 0xb8), false, "truncated 3-byte" },
		{ B(0xf0, 0x9f, 0x98), false, "truncated 4-byte" },
		{ B(0xc3, 0x41), false, "bad continuation 2-byte" },
		{ B(0xe4, 0x41, 0xad), false, "bad continuation 3-byte mid" },
		{ B(0xe4, 0xb8, 0x41), false, "bad continuation 3-byte end" },
		{ B(0xf0, 0x9f, 0x98, 0xc0), false, "bad continuation 4-byte" },
		{ B(0xe4, 0xb8, 0xad, 0xad), false, "extra continuation" },
	};
	return cr_make_param_array(struct bytes_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct bytes_case *c, utf8, classes)
{
	cr_assert_eq(utf8_valid((const char *)c->b, c->n), c->ok, "%s", c->what);
	/* the same bytes inside valid text keep their verdict */
	char buf[32];
	memcpy(buf, "ab", 2);
	memcpy(buf + 2, c->b, c->n);
	memcpy(buf + 2 + c->n, "cd", 2);
	cr_assert_eq(utf8_valid(buf, c->n + 4), c->ok, "%s (embedded)", c->what);
	cr_assert_eq(text_printable(buf, c->n + 4, false), c->ok && c->b[0] != 0x7f &&
	    !(c->b[0] == 0xc2 && c->b[1] < 0xa0), "%s (printable)", c->what);
}

Test(utf8, empty_is_valid)
{
	cr_assert(utf8_valid("", 0));
	cr_assert(utf8_valid(NULL, 0));
}

Test(utf8, length_bounds_the_read)
{
	/* "中" cut short by the length is refused even though the bytes continue */
	cr_assert_not(utf8_valid("\xe4\xb8\xad", 2));
	cr_assert(utf8_valid("\xe4\xb8\xad", 3));
}

Test(utf8, chars)
{
	cr_assert_eq(utf8_chars("", 0), 0);
	cr_assert_eq(utf8_chars("abc", 3), 3);
	cr_assert_eq(utf8_chars("中文abc", strlen("中文abc")), 5);
	cr_assert_eq(utf8_chars("阿依·买买提", strlen("阿依·买买提")), 6);
	cr_assert_eq(utf8_chars("😀é", strlen("😀é")), 2);
}

/* ---- printable ---- */

struct print_case {
	char in[24];
	bool ok, ok_nl;   /* without / with allow_newline */
};

ParameterizedTestParameters(text, printable)
{
	static struct print_case cases[] = {
		{ "plain text", true, true },
		{ "中文，标点。", true, true },
		{ "a\tb", false, true },
		{ "a\nb", false, true },
		{ "a\r\nb", false, true },
		{ "a\x01z", false, false },
		{ "\x1b[31m", false, false },
		{ "a\x1f", false, false },
		{ "a\x7f", false, false },                 /* DEL */
		{ "a\xc2\x80", false, false },             /* C1 U+0080 */
		{ "a\xc2\x85", false, false },             /* NEL */
		{ "a\xc2\x9f", false, false },             /* U+009F */
		{ "a\xc2\xa0z", true, true },              /* NBSP is printable */
		{ "a\xe2\x80\xaa", false, false },         /* U+202A LRE */
		{ "a\xe2\x80\xab", false, false },         /* U+202B RLE */
		{ "a\xe2\x80\xac", false, false },         /* U+202C PDF */
		{ "a\xe2\x80\xad", false, false },         /* U+202D LRO */
		{ "a\xe2\x80\xae", false, false },         /* U+202E RLO */
		{ "a\xe2\x81\xa6", false, false },         /* U+2066 LRI */
		{ "a\xe2\x81\xa7", false, false },         /* U+2067 RLI */
		{ "a\xe2\x81\xa8", false, false },         /* U+2068 FSI */
		{ "a\xe2\x81\xa9", false, false },         /* U+2069 PDI */
		{ "a\xe2\x80\xa9z", true, true },          /* U+2029 is not an override */
		{ "a\xe2\x81\xa5z", true, true },          /* U+2065 just below the isolates */
		{ "a\xff", false, false },
		{ "\xed\xa0\x80", false, false },
	};
	return cr_make_param_array(struct print_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct print_case *c, text, printable)
{
	cr_assert_eq(text_printable(c->in, strlen(c->in), false), c->ok, "'%s'", c->in);
	cr_assert_eq(text_printable(c->in, strlen(c->in), true), c->ok_nl, "'%s' nl", c->in);
}

Test(text, printable_refuses_nul)
{
	cr_assert_not(text_printable("a\0b", 3, false));
	cr_assert_not(text_printable("a\0b", 3, true));
	cr_assert(text_printable("", 0, false));
}

/* ---- person names ---- */

struct name_case {
	char in[48];
	size_t max;
	bool ok;
};

ParameterizedTestParameters(text, person_name)
{
	static struct name_case cases[] = {
		{ "张三", 50, true },
		{ "阿依·买买提", 50, true },
		{ "John Smith", 50, true },
		{ "张", 1, true },
		{ "张三", 1, false },
		{ "", 50, false },
		{ " 张三", 50, false },
		{ "张三 ", 50, false },
		{ " ", 50, false },
		{ "张\t三", 50, false },
		{ "张\n三", 50, false },
		{ "张\xe2\x80\xae三", 50, false },
		{ "\xe4\xb8", 50, false },
		{ "abc", 3, true },
		{ "abcd", 3, false },
		{ "中文字", 3, true },               /* 9 bytes but 3 characters */
		{ "中文字符", 3, false },
	};
	return cr_make_param_array(struct name_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct name_case *c, text, person_name)
{
	cr_assert_eq(text_person_name(c->in, strlen(c->in), c->max), c->ok, "'%s' max %zu",
	    c->in, c->max);
}

Test(text, person_name_counts_code_points)
{
	char buf[4 * 64];
	size_t n = 0;
	for (int i = 0; i < 50; i++) {
		memcpy(buf + n, "华", 3);
		n += 3;
	}
	/* 50 Chinese characters = 150 bytes: within a 50-character limit */
	cr_assert(text_person_name(buf, n, 50));
	memcpy(buf + n, "华", 3);
	cr_assert_not(text_person_name(buf, n + 3, 50), "51 characters accepted");
	/* 50 ASCII + 1 Chinese */
	memset(buf, 'a', 50);
	cr_assert(text_person_name(buf, 50, 50));
	memcpy(buf + 50, "华", 3);
	cr_assert_not(text_person_name(buf, 53, 50));
}
