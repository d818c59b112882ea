/*
 * csvin: every input is read three ways (all at once, byte by byte, in chunks of a size
 * taken from the input's length) under small and under roomy limits. All three must agree
 * on the error, the encoding and the rows delivered; every delivered row must respect the
 * limits and hold valid UTF-8 fields without NUL or U+FEFF; valid UTF-8 input must never be
 * refused for its encoding. Invariants are checked with __builtin_trap() through CHECK.
 */
#include <stdlib.h>
#include <string.h>

#include "courses/csvin.h"
#include "fuzz.h"

struct out {
	const struct csvin_limits *lim;
	char *s;
	size_t len, cap;
	size_t next_row;
};

static void
put(struct out *o, const void *p, size_t n)
{
	if (o->len + n > o->cap) {
		size_t c = (o->len + n) * 2 + 64;
		char *q = realloc(o->s, c);
		CHECK(q != NULL);
		o->s = q;
		o->cap = c;
	}
	memcpy(o->s + o->len, p, n);
	o->len += n;
}

static int
on_row(void *ctx, size_t row, const char *const *f, const size_t *lens, size_t n)
{
	struct out *o = ctx;
	bool nonempty = false;
	CHECK(row == o->next_row);
	o->next_row++;
	CHECK(row <= o->lim->max_rows);
	CHECK(n >= 1 && n <= o->lim->max_columns);
	put(o, &row, sizeof(row));
	put(o, &n, sizeof(n));
	for (size_t i = 0; i < n; i++) {
		CHECK(lens[i] <= o->lim->max_field);
		CHECK(f[i][lens[i]] == '\0');
		CHECK(ref_utf8_valid((const unsigned char *)f[i], lens[i]));
		CHECK(memmem(f[i], lens[i], "\xef\xbb\xbf", 3) == NULL);
		nonempty |= lens[i] > 0;
		put(o, &lens[i], sizeof(lens[i]));
		put(o, f[i], lens[i]);
	}
	CHECK(nonempty);
	return 0;
}

struct res {
	enum csvin_err err;
	const char *enc;
	size_t rows;
	struct out o;
};

static struct res
read_csv(const uint8_t *data, size_t size, const struct csvin_limits *lim, size_t chunk)
{
	struct res r;
	memset(&r, 0, sizeof(r));
	r.o.lim = lim;
	struct csvin *p = csvin_new(lim, on_row, &r.o);
	CHECK(p != NULL);
	enum csvin_err e = CSVIN_OK;
	for (size_t i = 0; i < size && e == CSVIN_OK; i += chunk)
		e = csvin_feed(p, (const char *)data + i, size - i < chunk ? size - i : chunk);
	if (e == CSVIN_OK)
		e = csvin_finish(p);
	else
		CHECK(csvin_finish(p) == e);
	r.err = e;
	r.enc = csvin_encoding(p);
	r.rows = csvin_rows(p);
	CHECK(r.rows <= lim->max_rows);
	CHECK(r.o.next_row == 0 || r.rows == r.o.next_row - 1);
	CHECK(csvin_err_code(e)[0] != '\0' && csvin_err_message(e)[0] != '\0');
	csvin_free(p);
	return r;
}

static void
same(const struct res *a, const struct res *b)
{
	CHECK(a->err == b->err);
	CHECK(strcmp(a->enc, b->enc) == 0);
	CHECK(a->rows == b->rows);
	CHECK(a->o.len == b->o.len);
	CHECK(a->o.len == 0 || memcmp(a->o.s, b->o.s, a->o.len) == 0);
}

static void
check(const uint8_t *data, size_t size, const struct csvin_limits *lim)
{
	struct res whole = read_csv(data, size, lim, size ? size : 1);
	struct res bytes = read_csv(data, size, lim, 1);
	struct res chunks = read_csv(data, size, lim, size % 7 + 2);
	same(&whole, &bytes);
	same(&whole, &chunks);

	if (memchr(data, 0, size) != NULL)
		CHECK(whole.err != CSVIN_OK);
	/* valid UTF-8 with no U+FEFF but a leading BOM is never refused for its encoding */
	const uint8_t *body = data;
	size_t n = size;
	if (n >= 3 && memcmp(body, "\xef\xbb\xbf", 3) == 0) {
		body += 3;
		n -= 3;
	}
	if (ref_utf8_valid(body, n) && memmem(body, n, "\xef\xbb\xbf", 3) == NULL) {
		CHECK(whole.err != CSVIN_EUTF16 && whole.err != CSVIN_EENCODING &&
		    whole.err != CSVIN_EBOM);
		bool ascii = true;
		for (size_t i = 0; i < size; i++)
			ascii &= data[i] < 0x80;
		/* (an error may come before the first non-ASCII byte is reached) */
		if (whole.err == CSVIN_OK)
			CHECK(strcmp(whole.enc, ascii ? "" : "UTF-8") == 0);
		else
			CHECK(strcmp(whole.enc, "GB18030") != 0);
	}
	free(whole.o.s);
	free(bytes.o.s);
	free(chunks.o.s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct csvin_limits small = { 12, 4, 5 };
	static const struct csvin_limits roomy = { 4096, 256, 100000 };
	check(data, size, &small);
	check(data, size, &roomy);
	return 0;
}
