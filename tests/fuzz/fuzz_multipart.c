/*
 * The streaming multipart/form-data reader (fcgi/multipart.c) against a whole-buffer
 * reference of the same grammar. Input: the Content-Type header up to the first '\n', then
 * the body; "\xff" c k in the body stands for c repeated k * 257 + 1 times, so parts and
 * delimiters cross the reader's 64 KiB buffer. The body reaches the reader as FastCGI gives
 * it (FCGX_GetStr: all that was asked for until the end) or, for one input in four, in
 * short pieces of a size taken from the input's length.
 * Invariants: mp_init accepts exactly a usable boundary; parts, their names, file names and
 * bytes (read with output buffers of 509, 4096 and 65536 bytes, and through mp_value) are those of
 * the reference; a malformed body ends in -1 the same way, whatever the read sizes.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fcgi/multipart.h"
#include "fuzz.h"

/* A few of the reader's 64 KiB buffers: enough to cross them. */
#define BODY_MAX 300000u

struct src {
	const char *p;
	size_t n, off;
	size_t piece;               /* most bytes one read gives; 0: all that was asked */
};

static long
body_read(struct request *req, char *buf, size_t cap)
{
	struct src *s = req->fcgx;
	size_t k = s->n - s->off < cap ? s->n - s->off : cap;
	if (s->piece != 0 && k > s->piece)
		k = s->piece;
	memcpy(buf, s->p + s->off, k);
	s->off += k;
	return (long)k;
}

/* What one pass saw: the results of mp_next and each part's name, file name and bytes. */
struct seen {
	char *log;
	size_t len, cap;
};

static void
put(struct seen *s, const void *p, size_t n)
{
	if (n == 0)
		return;         /* an empty part's log is still NULL: memcpy must not see it */
	if (s->len + n > s->cap) {
		s->cap = (s->len + n) * 2 + 256;
		s->log = realloc(s->log, s->cap);
		CHECK(s->log != NULL);
	}
	memcpy(s->log + s->len, p, n);
	s->len += n;
}

static void
put_int(struct seen *s, long v)
{
	put(s, &v, sizeof(v));
}

static void
put_str(struct seen *s, const char *str)
{
	put_int(s, (long)strlen(str));
	put(s, str, strlen(str));
}

static int
boundary_of(const char *ct, char *b)
{
	const char *p = strcasestr(ct, "boundary=");
	if (p == NULL)
		return -1;
	p += 9;
	size_t n;
	if (*p == '"') {
		p++;
		n = strcspn(p, "\"");
	} else
		n = strcspn(p, "; \t");
	if (n == 0 || n > 70)
		return -1;
	memcpy(b, p, n);
	b[n] = '\0';
	return 0;
}

/* The multipart.c spelling of a part header parameter (key="value", after start, ' ' or ';'). */
static void
ref_param(const char *h, const char *key, char *out, size_t cap)
{
	size_t kl = strlen(key), hl = strlen(h);
	out[0] = '\0';
	for (size_t i = 0; i + kl <= hl; i++) {
		if (strncasecmp(h + i, key, kl) != 0)
			continue;
		if ((i == 0 || h[i - 1] == ' ' || h[i - 1] == ';') && h[i + kl] == '=' &&
		    h[i + kl + 1] == '"') {
			const char *v = h + i + kl + 2;
			size_t n = strcspn(v, "\"");
			if (n > cap - 1)
				n = cap - 1;
			memcpy(out, v, n);
			out[n] = '\0';
			return;
		}
	}
}

/* The reference: the whole body in memory; mode picks how each part is read (as in pass()). */
static void
reference(const char *ct, const char *body, size_t n, int mode, size_t vcap, struct seen *s)
{
	char b[80], delim[80];
	if (boundary_of(ct, b) < 0) {
		put_int(s, -100);
		return;
	}
	size_t dl = (size_t)snprintf(delim, sizeof(delim), "\r\n--%s", b);
	static char all[BODY_MAX + 2];
	memcpy(all, "\r\n", 2);
	memcpy(all + 2, body, n);
	size_t len = n + 2, cur = 0;
	for (;;) {
		const char *d = memmem(all + cur, len - cur, delim, dl);
		if (d == NULL) {
			put_int(s, -1);
			break;
		}
		size_t p = (size_t)(d - all) + dl;
		if (len - p < 2) {
			put_int(s, -1);
			break;
		}
		if (memcmp(all + p, "--", 2) == 0) {
			put_int(s, 0);
			break;
		}
		if (memcmp(all + p, "\r\n", 2) != 0) {
			put_int(s, -1);
			break;
		}
		p += 2;
		size_t win = len - p < MP_MAX_HEADER ? len - p : MP_MAX_HEADER;
		const char *e = memmem(all + p, win, "\r\n\r\n", 4);
		if (e == NULL) {
			put_int(s, -1);
			break;
		}
		size_t hl = (size_t)(e - (all + p));
		char *h = malloc(hl + 1), name[64], file[256];
		memcpy(h, all + p, hl);
		h[hl] = '\0';
		ref_param(h, "name", name, sizeof(name));
		ref_param(h, "filename", file, sizeof(file));
		free(h);
		if (name[0] == '\0') {
			put_int(s, -1);
			break;
		}
		put_int(s, 1);
		put_str(s, name);
		put_str(s, file);
		cur = p + hl + 4;
		const char *next = memmem(all + cur, len - cur, delim, dl);
		size_t plen = next ? (size_t)(next - (all + cur)) : len - cur;
		/* a part's bytes count only when it ended at a delimiter and fitted */
		if (mode == 3) {
			bool ok = next != NULL && plen <= vcap - 1;
			put_int(s, ok ? 0 : -1);
			/* mp_value gives a C string: a NUL inside ends the value (the csrf
			 * token then just fails to match) */
			if (ok)
				put(s, all + cur, strnlen(all + cur, plen));
			if (next == NULL) {
				put_int(s, -1);   /* the next mp_next finds the truncation */
				break;
			}
		} else {
			put_int(s, next ? 0 : -1);
			if (next == NULL)
				break;
			put(s, all + cur, plen);
		}
		cur = (size_t)(next - all);
	}
}

static void
pass(const char *ct, const char *body, size_t n, size_t piece, int mode, size_t vcap,
    struct seen *s)
{
	/* 509 crosses everything at odd offsets; the handlers read 4096 (skipping) and 64 KiB
	 * (the file) at a time. */
	static const size_t caps[] = { 509, 4096, 65536 };
	struct request req;
	struct src src = { body, n, 0, piece };
	/*
	 * The reader and its output buffer are allocated once: a fresh 64 KiB pair per pass made
	 * the allocator map and zero new pages eight times per input, most of the run's time.
	 * mp_init sets every field the reader relies on.
	 */
	static struct mp *m;
	static char *buf;
	if (m == NULL) {
		m = malloc(sizeof(*m));
		buf = malloc(65536);
		CHECK(m != NULL && buf != NULL);
	}
	memset(&req, 0, sizeof(req));
	req.body_read = body_read;
	req.fcgx = &src;
	if (mp_init(m, &req, ct) < 0) {
		put_int(s, -100);
		return;
	}
	static struct seen part;   /* grows to a whole part once, not per input */
	part.len = 0;
	for (;;) {
		int r = mp_next(m);
		put_int(s, r);
		if (r != 1)
			break;
		CHECK(m->name[0] != '\0' && strlen(m->name) < sizeof(m->name));
		put_str(s, m->name);
		put_str(s, m->filename);
		if (mode == 3) {
			char *v = malloc(vcap);
			int vr = mp_value(m, v, vcap);
			CHECK(vr == 0 || vr == -1);
			put_int(s, vr);
			if (vr == 0) {
				CHECK(strlen(v) <= vcap - 1);
				put(s, v, strlen(v));
			}
			free(v);
			continue;
		}
		long k;
		while ((k = mp_read(m, buf, caps[mode])) > 0) {
			CHECK((size_t)k <= caps[mode]);
			put(&part, buf, (size_t)k);
		}
		CHECK(k == 0 || k == -1);
		put_int(s, k);
		if (k < 0)
			break;
		put(s, part.log, part.len);
		part.len = 0;
	}
}

/*
 * "\xff" c k → c repeated k * 257 + 1 times; NULL when the body would pass BODY_MAX. Into
 * one buffer for the whole run: fresh 300 KB blocks per input cost more page faults than the
 * reader's work. The reader never sees this buffer (body_read copies within n).
 */
static char *
expand(const uint8_t *d, size_t n, size_t *out_n)
{
	static char o[BODY_MAX + 1];
	size_t w = 0;
	for (size_t i = 0; i < n; i++) {
		size_t reps = 1;
		unsigned char c = d[i];
		if (c == 0xff && i + 2 < n) {
			c = d[i + 1];
			reps = (size_t)d[i + 2] * 257 + 1;
			i += 2;
		}
		if (w + reps > BODY_MAX)
			return NULL;
		memset(o + w, c, reps);
		w += reps;
	}
	*out_n = w;
	return o;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	if (nl == NULL || nl - data > 200)
		return 0;
	char ct[201];
	memcpy(ct, data, (size_t)(nl - data));
	ct[nl - data] = '\0';
	if (strlen(ct) != (size_t)(nl - data))
		return 0;
	size_t n;
	char *body = expand(nl + 1, size - (size_t)(nl - data) - 1, &n);
	if (body == NULL)
		return 0;
	/* the value buffer of mp_value: as the upload form's csrf field (128) or smaller */
	size_t vcap = 2 + (size_t)(size % 127);
	size_t piece = size % 4 == 0 ? 1 + size % 509 : 0;

	struct seen ref[4], got[4];
	memset(ref, 0, sizeof(ref));
	memset(got, 0, sizeof(got));
	for (int mode = 0; mode < 4; mode++) {
		reference(ct, body, n, mode, vcap, &ref[mode]);
		pass(ct, body, n, piece, mode, vcap, &got[mode]);
		CHECK(ref[mode].len == got[mode].len);
		CHECK(memcmp(ref[mode].log, got[mode].log, ref[mode].len) == 0);
		free(ref[mode].log);
		free(got[mode].log);
	}
	return 0;
}
