/*
 * fcgi/multipart: the streaming reader, over a body handed out in pieces as FastCGI would.
 * The fuzzer (tests/fuzz/fuzz_multipart.c) compares it with a reference on random bodies;
 * these pin the cases that matter to the upload page by name.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "fcgi/multipart.h"

struct src {
	const char *p;
	size_t n, off, piece;       /* piece: most bytes one body_read gives (0: all asked) */
};

static long
body_read(struct request *req, char *buf, size_t cap)
{
	struct src *s = req->fcgx;
	size_t k = s->n - s->off;
	if (k > cap)
		k = cap;
	if (s->piece != 0 && k > s->piece)
		k = s->piece;
	memcpy(buf, s->p + s->off, k);
	s->off += k;
	return (long)k;
}

static struct request R;
static struct src S;
static struct mp M;

static void
open_body(const char *body, size_t n, size_t piece)
{
	S = (struct src){ body, n, 0, piece };
	memset(&R, 0, sizeof(R));
	R.body_read = body_read;
	R.fcgx = &S;
	cr_assert_eq(mp_init(&M, &R, "multipart/form-data; boundary=XyZ"), 0);
}

/* A body with a csrf field and a file part of n bytes (a pattern with no delimiter in it). */
static char *
body_with_file(size_t n, size_t *len, bool closed)
{
	const char *head = "--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\ntok\r\n"
	    "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\n";
	const char *tail = closed ? "\r\n--XyZ--\r\n" : "";
	size_t hl = strlen(head), tl = strlen(tail);
	char *b = malloc(hl + n + tl);
	memcpy(b, head, hl);
	for (size_t i = 0; i < n; i++)
		b[hl + i] = (char)('a' + i % 23);
	memcpy(b + hl + n, tail, tl);
	*len = hl + n + tl;
	return b;
}

/* Reads the file part with reads of at most cap bytes; checks every byte. */
static long
read_file_part(size_t n, size_t cap)
{
	char v[128];
	cr_assert_eq(mp_next(&M), 1);
	cr_assert_str_eq(M.name, "csrf");
	cr_assert_eq(mp_value(&M, v, sizeof(v)), 0);
	cr_assert_str_eq(v, "tok");
	cr_assert_eq(mp_next(&M), 1);
	cr_assert_str_eq(M.name, "file");
	cr_assert_str_eq(M.filename, "a.csv");
	char *out = malloc(cap);
	size_t got = 0;
	long k;
	while ((k = mp_read(&M, out, cap)) > 0) {
		cr_assert_leq((size_t)k, cap);
		for (long i = 0; i < k; i++)
			cr_assert_eq(out[i], (char)('a' + (got + (size_t)i) % 23), "byte %zu",
			    got + (size_t)i);
		got += (size_t)k;
	}
	free(out);
	if (k == 0)
		cr_assert_eq(got, n);
	return k;
}

/* Part sizes around the 64 KiB window and the delimiter's length, read in many sizes. */
Test(multipart, every_byte_of_a_big_part_whatever_the_read_size)
{
	static const size_t sizes[] = { 0, 1, 8, 9, MP_BUF - 9, MP_BUF, MP_BUF + 1, 3 * MP_BUF + 5 };
	static const size_t caps[] = { 1, 7, 509, 4096, 65536 };
	static const size_t pieces[] = { 0, 1000, 3 };
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		for (size_t j = 0; j < sizeof(caps) / sizeof(caps[0]); j++)
			for (size_t p = 0; p < sizeof(pieces) / sizeof(pieces[0]); p++) {
				if (caps[j] < 8 && sizes[i] > MP_BUF)
					continue;       /* same path as 509, thousands of times slower */
				size_t len;
				char *b = body_with_file(sizes[i], &len, true);
				open_body(b, len, pieces[p]);
				cr_assert_eq(read_file_part(sizes[i], caps[j]), 0,
				    "part %zu, reads of %zu, pieces of %zu", sizes[i], caps[j], pieces[p]);
				cr_assert_eq(mp_next(&M), 0);
				free(b);
			}
}

Test(multipart, a_body_without_its_closing_delimiter_is_an_error)
{
	size_t len;
	char *b = body_with_file(2 * MP_BUF, &len, false);
	open_body(b, len, 0);
	cr_assert_eq(read_file_part(2 * MP_BUF, 4096), -1);
	cr_assert_eq(mp_read(&M, (char[8]){ 0 }, 8), -1);
	free(b);
}

/* A delimiter look-alike inside the data ("\r\n--XyZ" without the rest) stays data. */
Test(multipart, a_near_delimiter_in_the_data_is_data)
{
	const char *body = "--XyZ\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\n"
	    "one\r\n--XyQ two\r\n--Xy\r\n--XyZ--\r\n";
	open_body(body, strlen(body), 5);
	cr_assert_eq(mp_next(&M), 1);
	char out[64];
	size_t got = 0;
	long k;
	while ((k = mp_read(&M, out + got, 2)) > 0)
		got += (size_t)k;
	cr_assert_eq(k, 0);
	cr_assert_eq(got, strlen("one\r\n--XyQ two\r\n--Xy"));
	cr_assert_eq(memcmp(out, "one\r\n--XyQ two\r\n--Xy", got), 0);
	cr_assert_eq(mp_next(&M), 0);
}
