#include "multipart.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

int
mp_init(struct mp *m, struct request *req, const char *ct)
{
	const char *b = ct ? strcasestr(ct, "boundary=") : NULL;
	memset(m, 0, sizeof(*m));
	m->req = req;
	if (b == NULL)
		return -1;
	b += 9;
	size_t n;
	if (*b == '"') {
		b++;
		n = strcspn(b, "\"");
	} else
		n = strcspn(b, "; \t");
	if (n == 0 || n > 70)   /* RFC 2046: at most 70 characters */
		return -1;
	m->dlen = (size_t)snprintf(m->delim, sizeof(m->delim), "\r\n--%.*s", (int)n, b);
	/* The body starts with "--boundary": pretend a CRLF came before it. */
	memcpy(m->buf, "\r\n", 2);
	m->len = 2;
	m->at_delim = false;
	return 0;
}

/*
 * Tops the buffer up, to full or to the body's end; keeps unread bytes. A body_read may
 * give less than asked (FCGX_GetStr does not, other sources may): the loop makes the
 * reader see the same windows either way.
 */
static int
fill(struct mp *m)
{
	if (m->pos > 0) {
		memmove(m->buf, m->buf + m->pos, m->len - m->pos);
		m->len -= m->pos;
		m->pos = 0;
	}
	while (!m->eof && m->len < MP_BUF) {
		long n = m->req->body_read(m->req, m->buf + m->len, MP_BUF - m->len);
		if (n < 0) {
			m->failed = true;
			return -1;
		}
		if (n == 0)
			m->eof = true;
		m->len += (size_t)n;
	}
	return 0;
}

long
mp_read(struct mp *m, char *out, size_t cap)
{
	if (m->at_delim || m->finished || m->failed)
		return m->failed ? -1 : 0;
	if (m->len - m->pos < m->dlen + 4 && fill(m) < 0)
		return -1;
	/*
	 * A search's answer holds until its bytes are read: without this, small reads of a big
	 * part searched the same window again each time (quadratic in the window).
	 */
	if (m->clear == 0) {
		char *start = m->buf + m->pos;
		size_t avail = m->len - m->pos;
		char *d = memmem(start, avail, m->delim, m->dlen);
		if (d != NULL) {
			if (d == start) {
				m->at_delim = true;
				return 0;
			}
			m->clear = (size_t)(d - start);
		} else {
			if (m->eof) {   /* no closing delimiter: truncated body */
				m->failed = true;
				return -1;
			}
			/* The tail might be the start of the delimiter: keep it for the next round. */
			if (avail <= m->dlen) {
				if (fill(m) < 0)
					return -1;
				return mp_read(m, out, cap);
			}
			m->clear = avail - m->dlen;
		}
	}
	size_t take = m->clear;
	if (take > cap)
		take = cap;
	memcpy(out, m->buf + m->pos, take);
	m->pos += take;
	m->clear -= take;
	return (long)take;
}

static void
header_param(const char *h, const char *key, char *out, size_t cap)
{
	const char *p = h;
	size_t kl = strlen(key);
	out[0] = '\0';
	while ((p = strcasestr(p, key)) != NULL) {
		if ((p == h || p[-1] == ' ' || p[-1] == ';') && p[kl] == '=' && p[kl + 1] == '"') {
			const char *v = p + kl + 2;
			size_t n = strcspn(v, "\"");
			snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), v);
			return;
		}
		p += kl;
	}
}

int
mp_next(struct mp *m)
{
	char sink[4096];
	long n;
	/* Skip what is left of the current part. */
	while ((n = mp_read(m, sink, sizeof(sink))) > 0)
		;
	if (n < 0 || m->finished)
		return n < 0 ? -1 : 0;
	/*
	 * Top up only when short: fill moves the unread bytes to the front, and doing that for
	 * every part made a body of many tiny parts cost a window's move per part.
	 */
	if (m->len - m->pos < m->dlen + 4 && fill(m) < 0)
		return -1;
	if (m->len - m->pos < m->dlen + 2)
		return -1;
	m->pos += m->dlen;
	m->at_delim = false;
	if (memcmp(m->buf + m->pos, "--", 2) == 0) {
		m->finished = true;
		return 0;
	}
	if (memcmp(m->buf + m->pos, "\r\n", 2) != 0)
		return -1;
	m->pos += 2;
	/* Part headers, up to the blank line. */
	if (m->len - m->pos < MP_MAX_HEADER && fill(m) < 0)
		return -1;
	char *start = m->buf + m->pos;
	size_t avail = m->len - m->pos;
	char *end = memmem(start, avail < MP_MAX_HEADER ? avail : MP_MAX_HEADER, "\r\n\r\n", 4);
	if (end == NULL)
		return -1;
	char hdr[MP_MAX_HEADER + 1];
	memcpy(hdr, start, (size_t)(end - start));
	hdr[end - start] = '\0';
	m->pos += (size_t)(end - start) + 4;
	header_param(hdr, "name", m->name, sizeof(m->name));
	header_param(hdr, "filename", m->filename, sizeof(m->filename));
	return m->name[0] ? 1 : -1;
}

int
mp_value(struct mp *m, char *buf, size_t cap)
{
	size_t len = 0;
	long n;
	while ((n = mp_read(m, buf + len, cap - 1 - len)) > 0) {
		len += (size_t)n;
		if (len == cap - 1) {
			char extra;
			if (mp_read(m, &extra, 1) != 0)
				return -1;
			break;
		}
	}
	if (n < 0)
		return -1;
	buf[len] = '\0';
	return 0;
}
