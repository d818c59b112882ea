/* courses/csvin: streaming CSV reader, encodings (UTF-8 ± BOM, GB18030), limits, errors. */
#include <criterion/criterion.h>
#include <iconv.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "courses/csvin.h"

/* ---- helpers ---- */

/* Rows serialized as "N:f1|f2\n" with \n, \r, | and \ escaped, for comparison. */
struct coll {
	char *s;
	size_t len, cap;
	size_t calls;
	size_t stop_at;      /* return non-zero at this call (1-based); 0 = never */
	size_t max_n;
};

static void
put(struct coll *c, const char *s, size_t n)
{
	if (c->len + n + 1 > c->cap) {
		c->cap = (c->len + n + 1) * 2;
		c->s = realloc(c->s, c->cap);
		cr_assert_not_null(c->s);
	}
	memcpy(c->s + c->len, s, n);
	c->len += n;
	c->s[c->len] = '\0';
}

static int
collect(void *ctx, size_t row, const char *const *f, const size_t *lens, size_t n)
{
	struct coll *c = ctx;
	char num[32];
	int w = snprintf(num, sizeof(num), "%zu:", row);
	put(c, num, (size_t)w);
	for (size_t i = 0; i < n; i++) {
		cr_assert_eq(strlen(f[i]), lens[i], "field not NUL-terminated at its length");
		if (i > 0)
			put(c, "|", 1);
		for (size_t k = 0; k < lens[i]; k++) {
			char ch = f[i][k];
			if (ch == '\n')
				put(c, "\\n", 2);
			else if (ch == '\r')
				put(c, "\\r", 2);
			else if (ch == '|' || ch == '\\') {
				put(c, "\\", 1);
				put(c, &ch, 1);
			} else
				put(c, &ch, 1);
		}
	}
	put(c, "\n", 1);
	if (n > c->max_n)
		c->max_n = n;
	c->calls++;
	return c->stop_at != 0 && c->calls == c->stop_at;
}

static const struct csvin_limits BIG = { 4096, 64, 100000 };

struct result {
	enum csvin_err err;
	char enc[16];
	size_t rows;
	struct coll c;
};

static void
result_free(struct result *r)
{
	free(r->c.s);
}

/*
 * Feeds in[0..n) in pieces: chunk 0 = all at once, else chunk bytes at a time; split, when
 * not (size_t)-1, overrides with exactly two pieces at that offset. Returns the first error
 * (feed stops there) or finish's.
 */
static struct result
run_ex(const char *in, size_t n, const struct csvin_limits *lim, size_t chunk, size_t split,
    size_t stop_at)
{
	struct result r;
	memset(&r, 0, sizeof(r));
	r.c.stop_at = stop_at;
	put(&r.c, "", 0);
	struct csvin *p = csvin_new(lim, collect, &r.c);
	cr_assert_not_null(p);
	enum csvin_err e = CSVIN_OK;
	if (split != (size_t)-1) {
		e = csvin_feed(p, in, split);
		if (e == CSVIN_OK)
			e = csvin_feed(p, in + split, n - split);
	} else if (chunk == 0)
		e = csvin_feed(p, in, n);
	else
		for (size_t i = 0; i < n && e == CSVIN_OK; i += chunk)
			e = csvin_feed(p, in + i, n - i < chunk ? n - i : chunk);
	if (e == CSVIN_OK)
		e = csvin_finish(p);
	else
		cr_assert_eq(csvin_finish(p), e, "finish after an error returns it again");
	r.err = e;
	snprintf(r.enc, sizeof(r.enc), "%s", csvin_encoding(p));
	r.rows = csvin_rows(p);
	csvin_free(p);
	return r;
}

static struct result
run(const char *in, size_t n, size_t chunk)
{
	return run_ex(in, n, &BIG, chunk, (size_t)-1, 0);
}

#define S(lit) (lit), (sizeof(lit) - 1)

static void
expect(const char *in, size_t n, enum csvin_err err, const char *enc, const char *rows)
{
	struct result r = run(in, n, 0);
	cr_assert_eq(r.err, err, "err %s, want %s (rows so far: %s)", csvin_err_code(r.err),
	    csvin_err_code(err), r.c.s);
	if (enc != NULL)
		cr_assert_str_eq(r.enc, enc);
	if (rows != NULL)
		cr_assert_str_eq(r.c.s, rows);
	/* the same byte by byte */
	struct result b = run(in, n, 1);
	cr_assert_eq(b.err, r.err, "byte by byte: %s vs %s", csvin_err_code(b.err),
	    csvin_err_code(r.err));
	cr_assert_str_eq(b.c.s, r.c.s, "byte by byte");
	cr_assert_str_eq(b.enc, r.enc);
	result_free(&r);
	result_free(&b);
}

/* UTF-8 → GB18030 with iconv; the caller frees. */
static char *
to_gb(const char *utf8, size_t *outlen)
{
	iconv_t cd = iconv_open("GB18030", "UTF-8");
	cr_assert(cd != (iconv_t)-1);
	size_t il = strlen(utf8), ol = il * 2 + 8;
	char *out = malloc(ol), *ip = (char *)utf8, *op = out;
	cr_assert_neq(iconv(cd, &ip, &il, &op, &ol), (size_t)-1);
	iconv_close(cd);
	*outlen = (size_t)(op - out);
	return out;
}

/* Splits at every offset and byte by byte: all equal to feeding everything at once. */
static void
check_chunking(const char *in, size_t n)
{
	struct result whole = run(in, n, 0);
	for (size_t k = 0; k <= n; k++) {
		struct result r = run_ex(in, n, &BIG, 0, k, 0);
		cr_assert_eq(r.err, whole.err, "split at %zu: %s vs %s", k, csvin_err_code(r.err),
		    csvin_err_code(whole.err));
		cr_assert_str_eq(r.c.s, whole.c.s, "split at %zu", k);
		cr_assert_str_eq(r.enc, whole.enc, "split at %zu", k);
		result_free(&r);
	}
	for (size_t chunk = 1; chunk <= 7; chunk++) {
		struct result r = run(in, n, chunk);
		cr_assert_eq(r.err, whole.err, "chunk %zu", chunk);
		cr_assert_str_eq(r.c.s, whole.c.s, "chunk %zu", chunk);
		result_free(&r);
	}
	result_free(&whole);
}

/* ---- encodings ---- */

#define HDR_UTF8 "身份证号,姓名,手机"
#define ROWS_WANT "0:身份证号|姓名|手机\n1:11010519491231002X|张三|13800138000\n2:110105194912310029|李四·阿|\n"

Test(csvin, utf8_without_bom)
{
	expect(S(HDR_UTF8 "\n11010519491231002X,张三,13800138000\n110105194912310029,李四·阿,\n"),
	    CSVIN_OK, "UTF-8", ROWS_WANT);
}

Test(csvin, utf8_with_bom)
{
	expect(S("\xef\xbb\xbf" HDR_UTF8 "\r\n11010519491231002X,张三,13800138000\r\n"
	    "110105194912310029,李四·阿,\r\n"), CSVIN_OK, "UTF-8", ROWS_WANT);
}

Test(csvin, bom_decides_utf8_even_for_ascii)
{
	expect(S("\xef\xbb\xbfid_number,name\n1,x\n"), CSVIN_OK, "UTF-8", "0:id_number|name\n1:1|x\n");
	/* a BOM only */
	expect(S("\xef\xbb\xbf"), CSVIN_OK, "UTF-8", "");
}

Test(csvin, ascii_stays_undecided)
{
	struct result r = run(S("id_number,name\n1,x\n"), 0);
	cr_assert_eq(r.err, CSVIN_OK);
	cr_assert_str_eq(r.enc, "");
	cr_assert_str_eq(r.c.s, "0:id_number|name\n1:1|x\n");
	cr_assert_eq(r.rows, 1);
	result_free(&r);
}

Test(csvin, gbk_literal_header)
{
	/* 身份证号,姓名 in GBK, then an ASCII row */
	expect(S("\xc9\xed\xb7\xdd\xd6\xa4\xba\xc5,\xd0\xd5\xc3\xfb\r\n1,x\r\n"), CSVIN_OK, "GB18030",
	    "0:身份证号|姓名\n1:1|x\n");
}

Test(csvin, gb18030_converted)
{
	size_t n;
	char *gb = to_gb(HDR_UTF8 "\r\n11010519491231002X,张三,13800138000\r\n"
	    "110105194912310029,李四·阿,\r\n", &n);
	expect(gb, n, CSVIN_OK, "GB18030", ROWS_WANT);
	free(gb);
	/* four-byte GB18030 sequences (outside GBK): 𠀀 U+20000 and € */
	gb = to_gb("姓名\n𠀀€,x\n", &n);
	expect(gb, n, CSVIN_OK, "GB18030", "0:姓名\n1:𠀀€|x\n");
	free(gb);
}

Test(csvin, first_run_decides)
{
	/* C3 A9 is valid UTF-8 (é) but D6 D0 is not: the run is GB18030 (茅中) */
	expect(S("\xc3\xa9\xd6\xd0\n"), CSVIN_OK, "GB18030", "0:茅中\n");
	/* é alone: UTF-8 */
	expect(S("a\xc3\xa9,b\n"), CSVIN_OK, "UTF-8", "0:aé|b\n");
	/* a valid run longer than the look-ahead stays UTF-8 */
	expect(S("名字名字名字名字名字名字名字名字名字名字名字名字名字名字名字名字名字名字名字名字名字名字名字\n"),
	    CSVIN_OK, "UTF-8", NULL);
	/* C9 ED is not UTF-8, so GB18030 (身); then B7 0A is not GB18030 either */
	expect(S("\xc9\xed\xb7\n"), CSVIN_EENCODING, "GB18030", "");
	/* a run ending mid-character is not UTF-8: E4 B8 is GBK 涓 */
	expect(S("\xe4\xb8\n"), CSVIN_OK, "GB18030", "0:涓\n");
}

Test(csvin, crlf_and_lf_equal)
{
	struct result a = run(S("a,b\n1,2\n\"x\",\"y\"\n"), 0);
	struct result b = run(S("a,b\r\n1,2\r\n\"x\",\"y\"\r\n"), 0);
	cr_assert_eq(a.err, CSVIN_OK);
	cr_assert_eq(b.err, CSVIN_OK);
	cr_assert_str_eq(a.c.s, "0:a|b\n1:1|2\n2:x|y\n");
	cr_assert_str_eq(b.c.s, a.c.s);
	result_free(&a);
	result_free(&b);
}

Test(csvin, quoted_fields)
{
	expect(S("a,b,c,d\r\n\"1,5\",\"say \"\"hi\"\"\",\"line1\nline2\",\"\"\r\n"
	    "\"\"\"\",\"a\r\nb\",plain,\"  padded  \"\r\n"), CSVIN_OK, "",
	    "0:a|b|c|d\n1:1,5|say \"hi\"|line1\\nline2|\n2:\"|a\\r\\nb|plain|  padded  \n");
}

Test(csvin, unquoted_fields_are_trimmed)
{
	expect(S(" a , b\t,c\n"), CSVIN_OK, "", "0:a|b|c\n");
}

/* ---- chunking ---- */

Test(csvin, utf8_split_everywhere)
{
	check_chunking(S("\xef\xbb\xbf" "身份证号,姓名\r\n11010519491231002X,\"张三,\"\"阿\"\"\"\r\n"
	    "1,𠀀😀\r\n"));
	check_chunking(S("a,b\n中,文\n"));
}

Test(csvin, gb18030_split_everywhere)
{
	size_t n;
	char *gb = to_gb("身份证号,姓名\r\n11010519491231002X,\"张三,\"\"阿\"\"\"\r\n1,𠀀€\r\n", &n);
	check_chunking(gb, n);
	free(gb);
}

Test(csvin, errors_split_everywhere)
{
	check_chunking(S("a,b\n\xe4\xb8\xad,\xe4\xb8\n"));         /* truncated UTF-8 */
	check_chunking(S("a,b\n\xe4\xb8\xad,\xe4\x41\xad\n"));     /* bad continuation */
	check_chunking(S("a,b\n\xd6\xd0,\x81\x20\n"));             /* bad GB18030 */
	check_chunking(S("a,b\n\xd6\xd0,\xd6\0\n"));               /* NUL inside GB char */
	check_chunking(S("a,b\n1,\xef\xbb\xbf\n"));                /* BOM in data */
	check_chunking(S("a,b\n1,\"2\n"));                         /* unterminated quote */
	check_chunking(S("\xff\xfe" "a\0"));                       /* UTF-16 LE */
}

Test(csvin, byte_at_a_time_equals_whole)
{
	static const char *const inputs[] = {
		"\xef\xbb\xbf身份证号,姓名\r\n1,\"多\n行\"\r\n\r\n",
		"a,b,c\n,,\n1,2,3",
		"\xc9\xed\xb7\xdd\xd6\xa4\xba\xc5,\xd0\xd5\xc3\xfb\n1,2\n",
		"x\n\"unterminated",
		"a,b\n\"q\"x,1\n",
	};
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		struct result w = run(inputs[i], strlen(inputs[i]), 0);
		struct result b = run(inputs[i], strlen(inputs[i]), 1);
		cr_assert_eq(w.err, b.err, "input %zu", i);
		cr_assert_str_eq(w.c.s, b.c.s, "input %zu", i);
		cr_assert_str_eq(w.enc, b.enc, "input %zu", i);
		result_free(&w);
		result_free(&b);
	}
}

/* ---- records ---- */

Test(csvin, empty_records_skipped)
{
	struct result r = run(S("a,b\n\n1,2\n,\n\r\n , \n\"\",\"\"\n3,\n\n\n\r\n\r\n"), 0);
	cr_assert_eq(r.err, CSVIN_OK);
	cr_assert_str_eq(r.c.s, "0:a|b\n1:1|2\n2:3|\n");
	cr_assert_eq(r.rows, 2);
	result_free(&r);
	/* blank lines before the header: the first non-empty record is row 0 */
	expect(S("\n,,,\nh\nv\n"), CSVIN_OK, "", "0:h\n1:v\n");
	expect(S(""), CSVIN_OK, "", "");
	expect(S("\n\r\n,,\n"), CSVIN_OK, "", "");
}

Test(csvin, no_final_newline)
{
	expect(S("a,b\n1,2"), CSVIN_OK, "", "0:a|b\n1:1|2\n");
	expect(S("a,b\n1,\"2\""), CSVIN_OK, "", "0:a|b\n1:1|2\n");
	expect(S("a,b\n1,"), CSVIN_OK, "", "0:a|b\n1:1|\n");
	expect(S("a,b\r\n1,张"), CSVIN_OK, "UTF-8", "0:a|b\n1:1|张\n");
}

Test(csvin, unterminated_quote)
{
	expect(S("a,b\n1,\"2\n"), CSVIN_EQUOTE, "", "0:a|b\n");
	expect(S("a,b\n1,\"2"), CSVIN_EQUOTE, "", "0:a|b\n");
	/* stray quotes (strict): inside an unquoted field, text after a closing quote */
	expect(S("a,b\n1,2\"3\n"), CSVIN_EQUOTE, "", "0:a|b\n");
	expect(S("a,b\n\"1\"x,2\n"), CSVIN_EQUOTE, "", "0:a|b\n");
}

/* ---- limits ---- */

Test(csvin, field_limit_boundaries)
{
	struct csvin_limits lim = { 8, 10, 10 };
	const char *ok[] = { "h\n12345678\n", "h\n\"12345678\"\n", "h\n\"1234567\"\"\"\n",
		"h\n12345678      \n", "h\n12345678", "h\n\"12345678\"" };
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		for (size_t chunk = 0; chunk <= 1; chunk++) {
			struct result r = run_ex(ok[i], strlen(ok[i]), &lim, chunk, (size_t)-1, 0);
			cr_assert_eq(r.err, CSVIN_OK, "'%s': %s", ok[i], csvin_err_code(r.err));
			cr_assert_eq(r.rows, 1);
			result_free(&r);
		}
	const char *bad[] = { "h\n123456789\n", "h\n\"123456789\"\n", "h\n123456789",
		"h\n\"12345678\"\"\"\n" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		for (size_t chunk = 0; chunk <= 1; chunk++) {
			struct result r = run_ex(bad[i], strlen(bad[i]), &lim, chunk, (size_t)-1, 0);
			cr_assert_eq(r.err, CSVIN_EFIELD, "'%s': %s", bad[i], csvin_err_code(r.err));
			cr_assert_str_eq(r.c.s, "0:h\n");
			result_free(&r);
		}
}

Test(csvin, field_limit_counts_utf8_bytes)
{
	/* 张三丰: 6 bytes in GBK, 9 in UTF-8 */
	size_t n;
	char *gb = to_gb("h\n张三丰\n", &n);
	struct csvin_limits lim = { 8, 10, 10 };
	struct result r = run_ex(gb, n, &lim, 0, (size_t)-1, 0);
	cr_assert_eq(r.err, CSVIN_EFIELD);
	result_free(&r);
	lim.max_field = 9;
	r = run_ex(gb, n, &lim, 0, (size_t)-1, 0);
	cr_assert_eq(r.err, CSVIN_OK);
	cr_assert_str_eq(r.c.s, "0:h\n1:张三丰\n");
	result_free(&r);
	free(gb);
}

/* Feeds a 10 MB field in 64 KB chunks: refused early, without the memory growing. */
static void
huge_field(const char *prefix, char fill)
{
	static char chunk[64 * 1024];
	struct csvin_limits lim = { 1024, 16, 100 };
	struct coll c;
	memset(&c, 0, sizeof(c));
	memset(chunk, fill, sizeof(chunk));
	struct csvin *p = csvin_new(&lim, collect, &c);
	cr_assert_not_null(p);
	struct mallinfo2 before = mallinfo2();
	enum csvin_err e = csvin_feed(p, prefix, strlen(prefix));
	size_t fed = 0, peak = 0;
	while (e == CSVIN_OK && fed < 10u * 1024 * 1024) {
		e = csvin_feed(p, chunk, sizeof(chunk));
		fed += sizeof(chunk);
		struct mallinfo2 now = mallinfo2();
		if (now.uordblks > before.uordblks && now.uordblks - before.uordblks > peak)
			peak = now.uordblks - before.uordblks;
	}
	cr_assert_eq(e, CSVIN_EFIELD, "%s", csvin_err_code(e));
	cr_assert_eq(fed, sizeof(chunk), "refused in the first chunk, not after %zu bytes", fed);
	cr_assert_lt(peak, 256 * 1024, "heap grew by %zu bytes", peak);
	cr_assert_eq(csvin_finish(p), CSVIN_EFIELD);
	csvin_free(p);
	free(c.s);
}

Test(csvin, ten_megabyte_field_refused)
{
	huge_field("a,b\n", 'x');
	huge_field("a,b\n1,\"", 'x');
	huge_field("a,b\n1,\"", '\n');   /* a quoted field of newlines */
	huge_field("a,b\n1,x", ' ');     /* trailing spaces libcsv would trim count while buffered */
}

static void
columns_case(size_t n, enum csvin_err want, bool in_header)
{
	struct csvin_limits lim = { 64, 5, 10 };
	char in[256] = "";
	if (!in_header)
		strcat(in, "a,b\n");
	for (size_t i = 0; i < n; i++)
		strcat(in, i ? ",x" : "x");
	strcat(in, "\n");
	for (size_t chunk = 0; chunk <= 1; chunk++) {
		struct result r = run_ex(in, strlen(in), &lim, chunk, (size_t)-1, 0);
		cr_assert_eq(r.err, want, "%zu columns: %s", n, csvin_err_code(r.err));
		if (want == CSVIN_OK)
			cr_assert_eq(r.c.max_n, n);
		result_free(&r);
	}
}

Test(csvin, column_limit_boundaries)
{
	columns_case(4, CSVIN_OK, false);
	columns_case(5, CSVIN_OK, false);
	columns_case(6, CSVIN_ECOLUMNS, false);
	columns_case(4, CSVIN_OK, true);
	columns_case(5, CSVIN_OK, true);
	columns_case(6, CSVIN_ECOLUMNS, true);
	/* empty trailing fields count too */
	struct csvin_limits lim = { 64, 5, 10 };
	struct result r = run_ex(S("a,b,,,,\n"), &lim, 0, (size_t)-1, 0);
	cr_assert_eq(r.err, CSVIN_ECOLUMNS);
	result_free(&r);
}

static void
rows_case(size_t data_rows, enum csvin_err want)
{
	struct csvin_limits lim = { 64, 5, 3 };
	char in[256] = "h1,h2\n";
	for (size_t i = 0; i < data_rows; i++)
		strcat(in, "v,w\n\n,\n");      /* blank records do not count */
	for (size_t chunk = 0; chunk <= 1; chunk++) {
		struct result r = run_ex(in, strlen(in), &lim, chunk, (size_t)-1, 0);
		cr_assert_eq(r.err, want, "%zu rows: %s", data_rows, csvin_err_code(r.err));
		cr_assert_eq(r.rows, data_rows > 3 ? 3 : data_rows);
		cr_assert_eq(r.c.calls, 1 + (data_rows > 3 ? 3 : data_rows));
		result_free(&r);
	}
}

Test(csvin, row_limit_boundaries)
{
	rows_case(2, CSVIN_OK);
	rows_case(3, CSVIN_OK);
	rows_case(4, CSVIN_EROWS);
	/* the last row without a newline is counted at finish */
	struct csvin_limits lim = { 64, 5, 1 };
	struct result r = run_ex(S("h\n1\n2"), &lim, 0, (size_t)-1, 0);
	cr_assert_eq(r.err, CSVIN_EROWS);
	result_free(&r);
}

/* ---- refused encodings ---- */

Test(csvin, utf16_and_utf32)
{
	expect(S("\xff\xfe" "i\0d\0,\0n\0\r\0\n\0"), CSVIN_EUTF16, "", "");      /* LE, BOM */
	expect(S("\xfe\xff" "\0i\0d\0,\0n\0\r\0\n"), CSVIN_EUTF16, "", "");      /* BE, BOM */
	expect(S("i\0d\0,\0n\0\r\0\n\0"), CSVIN_EUTF16, "", "");                 /* LE, no BOM */
	expect(S("\0i\0d\0,\0n\0\r\0\n"), CSVIN_EUTF16, "", "");                 /* BE, no BOM */
	expect(S("\xff\xfe\0\0i\0\0\0"), CSVIN_EUTF16, "", "");                  /* UTF-32 LE */
	expect(S("\0\0\xfe\xff\0\0\0i"), CSVIN_EUTF16, "", "");                  /* UTF-32 BE */
	/* 身份 in UTF-16 LE without BOM: valid GB18030 bytes, but the comma brings a NUL */
	expect(S("\xab\x8e\xfd\x4e,\0"), CSVIN_EUTF16, "GB18030", "");
	expect(S("\xff\xfe"), CSVIN_EUTF16, "", "");
	/* a NUL later in ASCII data */
	expect(S("a,b\n1,2\0\n"), CSVIN_EUTF16, "", "0:a|b\n");
	expect(S("a,b\n中,2\0\n"), CSVIN_EUTF16, "UTF-8", "0:a|b\n");
	const char *m = csvin_err_message(CSVIN_EUTF16);
	cr_assert_not_null(strstr(m, "CSV UTF-8"));
	cr_assert_not_null(strstr(m, "CSV (逗号分隔)"));
}

Test(csvin, invalid_bytes)
{
	expect(S("\x80"), CSVIN_EENCODING, "GB18030", "");
	expect(S("\x80\n"), CSVIN_EENCODING, "GB18030", "");
	expect(S("\xff"), CSVIN_EENCODING, "GB18030", "");
	expect(S("a,b\n\xff,1\n"), CSVIN_EENCODING, "GB18030", "0:a|b\n");
	expect(S("a,b\n1,x\xfe\xff\n"), CSVIN_EENCODING, "GB18030", "0:a|b\n");
	/* UTF-8 decided, then GBK bytes */
	expect(S("姓名\n\xd6\xd0\n"), CSVIN_EENCODING, "UTF-8", "0:姓名\n");
	/* UTF-8 decided, then overlong, surrogate, above U+10FFFF, truncated at the end */
	expect(S("姓名\n\xc0\xaf\n"), CSVIN_EENCODING, "UTF-8", "0:姓名\n");
	expect(S("姓名\n\xed\xa0\x80\n"), CSVIN_EENCODING, "UTF-8", "0:姓名\n");
	expect(S("姓名\n\xf4\x90\x80\x80\n"), CSVIN_EENCODING, "UTF-8", "0:姓名\n");
	expect(S("姓名\n\xe5\xa7"), CSVIN_EENCODING, "UTF-8", "0:姓名\n");
	/* GB18030 decided, then invalid or truncated GB18030 */
	expect(S("\xd0\xd5\xc3\xfb\n\x81\x20\n"), CSVIN_EENCODING, "GB18030", "0:姓名\n");
	expect(S("\xd0\xd5\xc3\xfb\n\x80\n"), CSVIN_EENCODING, "GB18030", "0:姓名\n");
	expect(S("\xd0\xd5\xc3\xfb\n\xd0"), CSVIN_EENCODING, "GB18030", "0:姓名\n");
	expect(S("\xd0\xd5\xc3\xfb\n\x81\x30\x81"), CSVIN_EENCODING, "GB18030", "0:姓名\n");
	/* a NUL cutting a GB18030 or UTF-8 character is an encoding error, not UTF-16 */
	expect(S("\xd0\xd5\xc3\xfb\n\xd6\0\n"), CSVIN_EENCODING, "GB18030", "0:姓名\n");
	expect(S("姓名\n\xe5\0\n"), CSVIN_EENCODING, "UTF-8", "0:姓名\n");
}

Test(csvin, bom_in_the_middle)
{
	expect(S("a,b\n\xef\xbb\xbf" "1,2\n"), CSVIN_EBOM, "UTF-8", "0:a|b\n");
	expect(S("\xef\xbb\xbf\xef\xbb\xbf" "a\n"), CSVIN_EBOM, "UTF-8", "");
	expect(S("\xef\xbb\xbf" "a,b\n1,2\n\xef\xbb\xbf" "a,b\n"), CSVIN_EBOM, "UTF-8",
	    "0:a|b\n1:1|2\n");
	/* U+FEFF from GB18030 (84 31 95 33): the very first character is a BOM, later an error */
	expect(S("\x84\x31\x95\x33\xd0\xd5\xc3\xfb\n"), CSVIN_OK, "GB18030", "0:姓名\n");
	expect(S("\xd0\xd5\xc3\xfb\n\x84\x31\x95\x33\n"), CSVIN_EBOM, "GB18030", "0:姓名\n");
}

Test(csvin, callback_stops)
{
	struct result r = run_ex(S("h\n1\n2\n3\n"), &BIG, 0, (size_t)-1, 2);
	cr_assert_eq(r.err, CSVIN_ESTOP);
	cr_assert_str_eq(r.c.s, "0:h\n1:1\n");
	cr_assert_eq(r.rows, 1);
	result_free(&r);
	/* stopping at the header, byte by byte */
	r = run_ex(S("h\n1\n2\n3\n"), &BIG, 1, (size_t)-1, 1);
	cr_assert_eq(r.err, CSVIN_ESTOP);
	cr_assert_str_eq(r.c.s, "0:h\n");
	cr_assert_eq(r.rows, 0);
	result_free(&r);
	/* the last row, delivered by finish */
	r = run_ex(S("h\n1\n2"), &BIG, 0, (size_t)-1, 3);
	cr_assert_eq(r.err, CSVIN_ESTOP);
	cr_assert_eq(r.rows, 2);
	result_free(&r);
}

Test(csvin, feed_after_error_is_sticky)
{
	struct coll c;
	memset(&c, 0, sizeof(c));
	struct csvin *p = csvin_new(&BIG, collect, &c);
	cr_assert_eq(csvin_feed(p, S("a\n\xff\n")), CSVIN_EENCODING);
	cr_assert_eq(csvin_feed(p, S("b\n")), CSVIN_EENCODING);
	cr_assert_eq(csvin_finish(p), CSVIN_EENCODING);
	cr_assert_eq(c.calls, 1);
	csvin_free(p);
	free(c.s);
}

Test(csvin, new_refuses_bad_arguments)
{
	cr_assert_null(csvin_new(NULL, collect, NULL));
	cr_assert_null(csvin_new(&BIG, NULL, NULL));
	csvin_free(NULL);
}

Test(csvin, codes_and_messages)
{
	static const struct {
		enum csvin_err e;
		const char *code;
	} want[] = {
		{ CSVIN_OK, "ok" },
		{ CSVIN_EUTF16, "csv_encoding_utf16" },
		{ CSVIN_EENCODING, "csv_encoding_invalid" },
		{ CSVIN_EQUOTE, "csv_unterminated_quote" },
		{ CSVIN_EFIELD, "csv_field_too_long" },
		{ CSVIN_ECOLUMNS, "csv_too_many_columns" },
		{ CSVIN_EROWS, "csv_too_many_rows" },
		{ CSVIN_EBOM, "csv_bom_in_data" },
		{ CSVIN_ENOMEM, "csv_out_of_memory" },
		{ CSVIN_ESTOP, "csv_stopped" },
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		cr_assert_str_eq(csvin_err_code(want[i].e), want[i].code);
		const char *m = csvin_err_message(want[i].e);
		cr_assert(m != NULL && m[0] != '\0');
	}
	cr_assert_str_eq(csvin_err_code((enum csvin_err)99), "csv_error");
	cr_assert_str_neq(csvin_err_message((enum csvin_err)99), "");
}
