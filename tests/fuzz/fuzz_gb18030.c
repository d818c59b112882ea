/*
 * The encoding path of uploads (courses/csvin.c): a CSV built from the input's code points
 * (every field quoted, so commas, quotes and line breaks travel inside fields), written as
 * UTF-8, as UTF-8 with a BOM and, through glibc's iconv, as GB18030 (what Excel's "CSV" gives
 * on a Chinese Windows), each fed in uneven chunks. Invariants: all three deliver exactly the
 * fields that were written (blank records skipped), GB18030 is detected whenever its first
 * non-ASCII run is not UTF-8, and the encoding reported is the one written.
 */
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "courses/csvin.h"
#include "fuzz.h"

struct buf {
	char *p;
	size_t n, cap;
};

static void
put(struct buf *b, const void *p, size_t n)
{
	if (n == 0)
		return;
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		CHECK(b->p != NULL);
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void
put_cp(struct buf *b, unsigned cp)
{
	unsigned char u[4];
	size_t n;
	if (cp < 0x80) {
		u[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (unsigned char)(0xc0 | cp >> 6);
		u[1] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (unsigned char)(0xe0 | cp >> 12);
		u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (unsigned char)(0xf0 | cp >> 18);
		u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	put(b, u, n);
}

/* The expected rows: each row as (nfields, then per field its length and bytes). */
struct expect {
	struct buf rows;
	size_t nrows;
};

struct got {
	struct buf rows;
	size_t nrows;
};

static int
on_row(void *ctx, size_t row, const char *const *f, const size_t *lens, size_t n)
{
	struct got *g = ctx;
	CHECK(row == g->nrows);
	g->nrows++;
	put(&g->rows, &n, sizeof(n));
	for (size_t i = 0; i < n; i++) {
		put(&g->rows, &lens[i], sizeof(lens[i]));
		put(&g->rows, f[i], lens[i]);
	}
	return 0;
}

static void
feed(const char *p, size_t n, size_t chunk, struct got *g, const char *enc)
{
	static const struct csvin_limits lim = { 1 << 16, 256, 100000 };
	struct csvin *c = csvin_new(&lim, on_row, g);
	CHECK(c != NULL);
	for (size_t i = 0; i < n; i += chunk)
		CHECK(csvin_feed(c, p + i, n - i < chunk ? n - i : chunk) == CSVIN_OK);
	CHECK(csvin_finish(c) == CSVIN_OK);
	CHECK(strcmp(csvin_encoding(c), enc) == 0);
	csvin_free(c);
}

static char *
convert(const char *to, const char *from, const char *in, size_t n, size_t *outn)
{
	iconv_t cd = iconv_open(to, from);
	CHECK(cd != (iconv_t)-1);
	size_t cap = n * 4 + 16;
	char *out = malloc(cap), *ip = (char *)in, *op = out;
	size_t il = n, ol = cap;
	size_t rc = iconv(cd, &ip, &il, &op, &ol);
	iconv_close(cd);
	if (rc == (size_t)-1) {
		free(out);
		return NULL;
	}
	*outn = cap - ol;
	return out;
}

/* 1 when s is a (possibly cut) prefix of valid UTF-8. */
static int
utf8_prefix(const unsigned char *s, size_t n)
{
	for (size_t cut = 0; cut < 4 && cut <= n; cut++)
		if (ref_utf8_valid(s, n - cut))
			return 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 3000)
		return 0;
	struct buf csv = { 0 }, field = { 0 };
	struct expect ex = { 0 };
	size_t nf = 0, nonempty = 0;
	struct buf rec = { 0 };   /* the current record's expected fields */

	/* code points → fields (quoted) → records */
	for (size_t i = 1, last = 0; !last; i += 3) {
		int end_field = 0, end_rec = 0;
		if (i + 3 > size)   /* the end closes the last field and record */
			end_field = end_rec = last = 1;
		else {
			unsigned v = (unsigned)data[i] << 16 | (unsigned)data[i + 1] << 8 | data[i + 2];
			unsigned cp;
			switch (data[i] >> 6) {
			case 0: cp = data[i + 2] & 0x7f; break;
			case 1: cp = 0x4e00 + (v & 0xffff) % 20992; break;
			case 2: cp = 0x80 + (v & 0xffff) % 0xff80; break;
			default: cp = 0x10000 + v % 0x100000; break;
			}
			if (cp == 0 || cp == ',')
				end_field = 1;
			else if (cp == 0x1e)
				end_field = end_rec = 1;
			else if ((cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfeff)
				continue;
			else
				put_cp(&field, cp);
		}
		if (!end_field)
			continue;
		put(&csv, nf ? ",\"" : "\"", nf ? 2 : 1);
		for (size_t k = 0; k < field.n; k++)
			put(&csv, field.p[k] == '"' ? "\"\"" : &field.p[k], field.p[k] == '"' ? 2 : 1);
		put(&csv, "\"", 1);
		put(&rec, &field.n, sizeof(field.n));
		put(&rec, field.p, field.n);
		nonempty += field.n > 0;
		nf++;
		field.n = 0;
		if (end_rec) {
			put(&csv, "\r\n", 2);
			if (nonempty) {
				put(&ex.rows, &nf, sizeof(nf));
				put(&ex.rows, rec.p, rec.n);
				ex.nrows++;
			}
			rec.n = 0;
			nf = nonempty = 0;
		}
	}
	free(field.p);
	free(rec.p);
	if (nf > 256 || csv.n == 0 || ex.nrows > 100001) {
		free(csv.p);
		free(ex.rows.p);
		return 0;
	}
	/* records over 256 fields are refused by the limits: skipped above only for the last */
	size_t chunk = data[0] % 13 + 1;
	bool ascii = true;
	for (size_t i = 0; i < csv.n; i++)
		ascii &= (unsigned char)csv.p[i] < 0x80;

	struct got g = { 0 };
	/* every record here has at most (size / 3) fields; 256 is never exceeded below 771 bytes */
	if (size / 3 + 1 <= 256) {
		feed(csv.p, csv.n, chunk, &g, ascii ? "" : "UTF-8");
		CHECK(g.nrows == ex.nrows && g.rows.n == ex.rows.n);
		CHECK(g.rows.n == 0 || memcmp(g.rows.p, ex.rows.p, g.rows.n) == 0);
		free(g.rows.p);

		struct buf bom = { 0 };
		put(&bom, "\xef\xbb\xbf", 3);
		put(&bom, csv.p, csv.n);
		memset(&g, 0, sizeof(g));
		feed(bom.p, bom.n, chunk, &g, "UTF-8");
		CHECK(g.nrows == ex.nrows && g.rows.n == ex.rows.n);
		CHECK(g.rows.n == 0 || memcmp(g.rows.p, ex.rows.p, g.rows.n) == 0);
		free(g.rows.p);
		free(bom.p);

		size_t gn, back_n;
		char *gb = convert("GB18030", "UTF-8", csv.p, csv.n, &gn);
		char *back = gb ? convert("UTF-8", "GB18030", gb, gn, &back_n) : NULL;
		/* only text glibc maps both ways (it does for all but a few private-use points) */
		if (back != NULL && back_n == csv.n && memcmp(back, csv.p, csv.n) == 0 && !ascii) {
			size_t k = 0;
			while ((unsigned char)gb[k] < 0x80)
				k++;
			size_t run = 0;
			while (k + run < gn && (unsigned char)gb[k + run] >= 0x80)
				run++;
			if (!utf8_prefix((const unsigned char *)gb + k, run < 64 ? run : 64)) {
				memset(&g, 0, sizeof(g));
				feed(gb, gn, chunk, &g, "GB18030");
				CHECK(g.nrows == ex.nrows && g.rows.n == ex.rows.n);
				CHECK(g.rows.n == 0 || memcmp(g.rows.p, ex.rows.p, g.rows.n) == 0);
				free(g.rows.p);
			}
		}
		free(gb);
		free(back);
	}
	free(csv.p);
	free(ex.rows.p);
	return 0;
}
