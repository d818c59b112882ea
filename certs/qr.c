#include "qr.h"

#include <errno.h>
#include <png.h>
#include <qrencode.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

_Static_assert(QR_WIDTH_MAX == 57, "version 10 is 57 modules wide");

const char *
qr_err_code(enum qr_err e)
{
	switch (e) {
	case QR_OK:
		return "ok";
	case QR_EINVAL:
		return "qr_invalid";
	case QR_ETOOLONG:
		return "qr_too_long";
	case QR_ENOMEM:
		return "qr_failed";
	}
	return "qr_failed";
}

enum qr_err
qr_encode(const char *text, size_t len, struct qr_code *out)
{
	char buf[QR_TEXT_MAX + 1];
	QRcode *q;
	enum qr_err rc = QR_OK;

	if (text == NULL || out == NULL || len == 0 || memchr(text, '\0', len) != NULL)
		return QR_EINVAL;
	if (len > QR_TEXT_MAX)
		return QR_ETOOLONG;
	memcpy(buf, text, len);
	buf[len] = '\0';
	/*
	 * QRcode_encodeString splits the text into numeric, alphanumeric and 8-bit segments as
	 * they pay off; casesensitive=1 keeps the text as given (0 would upper-case it, changing
	 * what a lower-case text decodes to). The hint only matters for Kanji, which we never want.
	 */
	q = QRcode_encodeString(buf, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (q == NULL)
		return errno == ERANGE ? QR_ETOOLONG : QR_ENOMEM;
	if (q->version < 1 || q->version > QR_VERSION_MAX || q->width != 17 + 4 * q->version) {
		rc = q->version > QR_VERSION_MAX ? QR_ETOOLONG : QR_ENOMEM;
		goto out;
	}
	out->version = q->version;
	out->width = q->width;
	for (int i = 0; i < q->width * q->width; i++)
		out->dark[i] = q->data[i] & 1;
out:
	QRcode_free(q);
	return rc;
}

/* ---- PNG into a growing memory buffer ---- */

struct membuf {
	unsigned char *p;
	size_t         len, cap;
	int            failed;
};

static void
membuf_write(png_structp png, png_bytep data, size_t n)
{
	struct membuf *b = png_get_io_ptr(png);
	if (b->failed)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		unsigned char *p;
		while (cap < b->len + n)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL) {
			b->failed = 1;
			png_error(png, "out of memory");
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

static void
membuf_flush(png_structp png)
{
	(void)png;
}

/* One packed 1-bit row per pixel line: bit 7 of byte 0 is the leftmost pixel, 1 = white. */
static void
png_row(const struct qr_code *c, int y, int scale, unsigned char *row, size_t rowbytes)
{
	int W = c->width + 2 * QR_QUIET;
	memset(row, 0xff, rowbytes);
	if (y < QR_QUIET || y >= QR_QUIET + c->width)
		return;
	const unsigned char *m = c->dark + (size_t)(y - QR_QUIET) * (size_t)c->width;
	for (int x = QR_QUIET; x < W - QR_QUIET; x++) {
		if (!m[x - QR_QUIET])
			continue;
		for (int px = x * scale; px < (x + 1) * scale; px++)
			row[px >> 3] &= (unsigned char)~(0x80u >> (px & 7));
	}
}

enum qr_err
qr_png(const struct qr_code *c, int scale, unsigned char **out, size_t *len)
{
	png_structp png = NULL;
	png_infop info = NULL;
	/* volatile: changed between setjmp and a possible longjmp back into this frame */
	struct membuf buf = { 0 };
	unsigned char row[(QR_WIDTH_MAX + 2 * QR_QUIET) * QR_SCALE_MAX / 8 + 1];
	unsigned char *volatile rowp = row;
	volatile enum qr_err rc = QR_ENOMEM;
	int W, px;
	size_t rowbytes;

	if (c == NULL || out == NULL || len == NULL || scale < 1 || scale > QR_SCALE_MAX ||
	    c->width < 21 || c->width > QR_WIDTH_MAX)
		return QR_EINVAL;
	W = c->width + 2 * QR_QUIET;
	px = W * scale;
	rowbytes = ((size_t)px + 7) / 8;

	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	if (png == NULL)
		return QR_ENOMEM;
	info = png_create_info_struct(png);
	if (info == NULL)
		goto done;
	if (setjmp(png_jmpbuf(png)))
		goto done;
	png_set_write_fn(png, &buf, membuf_write, membuf_flush);
	png_set_IHDR(png, info, (png_uint_32)px, (png_uint_32)px, 1, PNG_COLOR_TYPE_GRAY,
	    PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	/*
	 * Rows repeat `scale` times and are mostly runs: filter "none", the fastest deflate level
	 * and a small deflate state (4 KiB window, memLevel 4: less to allocate and clear per
	 * image) give ~750 bytes for the demo link at scale 4, smaller than the defaults, in a
	 * fraction of the time (bench/render.md).
	 */
	png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_NONE);
	png_set_compression_level(png, Z_BEST_SPEED);
	png_set_compression_window_bits(png, 12);
	png_set_compression_mem_level(png, 4);
	png_write_info(png, info);
	for (int y = 0; y < W; y++) {
		png_row(c, y, scale, rowp, rowbytes);
		for (int k = 0; k < scale; k++)
			png_write_row(png, rowp);
	}
	png_write_end(png, info);
	if (!buf.failed)
		rc = QR_OK;
done:
	png_destroy_write_struct(&png, info ? &info : NULL);
	if (rc != QR_OK) {
		free(buf.p);
		return rc;
	}
	*out = buf.p;
	*len = buf.len;
	return QR_OK;
}

/* ---- SVG ---- */

enum qr_err
qr_svg(const struct qr_code *c, int scale, char **out, size_t *len)
{
	/* Worst case: a run per module pair, each "M57 56h1v1h-1z" ≤ 16 bytes, plus the frame. */
	size_t cap = 512 + (size_t)(QR_WIDTH_MAX * QR_WIDTH_MAX / 2 + QR_WIDTH_MAX) * 20;
	char *s, *p;
	int W, n;

	if (c == NULL || out == NULL || len == NULL || scale < 1 || scale > QR_SCALE_MAX ||
	    c->width < 21 || c->width > QR_WIDTH_MAX)
		return QR_EINVAL;
	if ((s = malloc(cap)) == NULL)
		return QR_ENOMEM;
	W = c->width + 2 * QR_QUIET;
	p = s;
	p += sprintf(p, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" viewBox=\"0 0 %d %d\" "
	    "width=\"%d\" height=\"%d\" shape-rendering=\"crispEdges\">\n"
	    "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n<path fill=\"#000\" d=\"",
	    W, W, W * scale, W * scale, W, W);
	for (int y = 0; y < c->width; y++) {
		const unsigned char *m = c->dark + (size_t)y * (size_t)c->width;
		for (int x = 0; x < c->width; x += n) {
			n = 1;
			if (!m[x])
				continue;
			while (x + n < c->width && m[x + n])
				n++;
			p += sprintf(p, "M%d %dh%dv1h-%dz", x + QR_QUIET, y + QR_QUIET, n, n);
		}
	}
	p += sprintf(p, "\"/>\n</svg>\n");
	*out = s;
	*len = (size_t)(p - s);
	return QR_OK;
}

enum qr_err
qr_png_text(const char *text, size_t len, int scale, unsigned char **out, size_t *outlen)
{
	struct qr_code c;
	enum qr_err e;

	if (scale < 1 || scale > QR_SCALE_MAX)
		return QR_EINVAL;
	if ((e = qr_encode(text, len, &c)) != QR_OK)
		return e;
	return qr_png(&c, scale, out, outlen);
}

enum qr_err
qr_svg_text(const char *text, size_t len, int scale, char **out, size_t *outlen)
{
	struct qr_code c;
	enum qr_err e;

	if (scale < 1 || scale > QR_SCALE_MAX)
		return QR_EINVAL;
	if ((e = qr_encode(text, len, &c)) != QR_OK)
		return e;
	return qr_svg(&c, scale, out, outlen);
}
