#include "qrread.h"

#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zbar.h>

const char *
qrread_err_message(enum qrread_err e)
{
	switch (e) {
	case QRREAD_OK:
		return "ok";
	case QRREAD_EPNG:
		return "not a readable PNG image (or larger than the limits)";
	case QRREAD_ENONE:
		return "no QR code found in the image";
	case QRREAD_EMANY:
		return "more than one QR code in the image";
	case QRREAD_ETOOLONG:
		return "the QR code holds too much text";
	case QRREAD_ENOMEM:
		return "out of memory";
	}
	return "?";
}

/*
 * Decodes to 8-bit gray, one byte per pixel (*pix malloc'ed), with libpng's simplified API:
 * whatever the PNG holds (palette, RGB, 16-bit, 1-bit, alpha) comes out as gray, transparent
 * pixels composed over white paper.
 */
static enum qrread_err
png_gray8(const unsigned char *data, size_t len, unsigned char **pix, unsigned *w, unsigned *h)
{
	png_image im;
	png_color white = { 255, 255, 255 };
	unsigned char *buf;

	memset(&im, 0, sizeof(im));
	im.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_memory(&im, data, len))
		return QRREAD_EPNG;
	if (im.width == 0 || im.height == 0 || im.width > QRREAD_PIXELS_MAX ||
	    im.height > QRREAD_PIXELS_MAX) {
		png_image_free(&im);
		return QRREAD_EPNG;
	}
	im.format = PNG_FORMAT_GRAY;
	if ((buf = malloc(PNG_IMAGE_SIZE(im))) == NULL) {
		png_image_free(&im);
		return QRREAD_ENOMEM;
	}
	if (!png_image_finish_read(&im, &white, buf, 0, NULL)) {
		png_image_free(&im);
		free(buf);
		return QRREAD_EPNG;
	}
	*pix = buf;
	*w = im.width;
	*h = im.height;
	return QRREAD_OK;
}

enum qrread_err
qr_read_png(const unsigned char *data, size_t len, char *out, size_t cap, size_t *outlen)
{
	zbar_image_scanner_t *sc = NULL;
	zbar_image_t *zi = NULL;
	const zbar_symbol_t *sym;
	unsigned char *pix = NULL;
	unsigned w = 0, h = 0;
	enum qrread_err rc;
	int found = 0;

	if (data == NULL || out == NULL || cap == 0 || len > QRREAD_PNG_MAX)
		return QRREAD_EPNG;
	if ((rc = png_gray8(data, len, &pix, &w, &h)) != QRREAD_OK)
		return rc;
	rc = QRREAD_ENOMEM;
	if ((sc = zbar_image_scanner_create()) == NULL || (zi = zbar_image_create()) == NULL)
		goto done;
	/* QR only: a barcode of another kind is never a verification link. */
	zbar_image_scanner_set_config(sc, 0, ZBAR_CFG_ENABLE, 0);
	zbar_image_scanner_set_config(sc, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
	/* The bytes as encoded: no guessing of a text encoding (SJIS, ...). */
	zbar_image_scanner_set_config(sc, ZBAR_QRCODE, ZBAR_CFG_BINARY, 1);
	zbar_image_set_format(zi, zbar_fourcc('Y', '8', '0', '0'));
	zbar_image_set_size(zi, w, h);
	zbar_image_set_data(zi, pix, (unsigned long)w * h, NULL);
	if (zbar_scan_image(sc, zi) < 0)
		goto done;
	rc = QRREAD_ENONE;
	for (sym = zbar_image_first_symbol(zi); sym != NULL; sym = zbar_symbol_next(sym)) {
		if (zbar_symbol_get_type(sym) != ZBAR_QRCODE)
			continue;
		if (found++) {
			rc = QRREAD_EMANY;
			goto done;
		}
		unsigned n = zbar_symbol_get_data_length(sym);
		if (n >= cap || n >= QRREAD_TEXT_MAX) {
			rc = QRREAD_ETOOLONG;
			goto done;
		}
		memcpy(out, zbar_symbol_get_data(sym), n);
		out[n] = '\0';
		if (outlen)
			*outlen = n;
		rc = QRREAD_OK;
	}
done:
	if (zi)
		zbar_image_destroy(zi);
	if (sc)
		zbar_image_scanner_destroy(sc);
	free(pix);
	return rc;
}

enum qrread_err
qr_read_png_file(const char *path, char *out, size_t cap, size_t *outlen)
{
	FILE *f;
	unsigned char *buf;
	size_t n;
	enum qrread_err rc;

	if ((f = fopen(path, "rb")) == NULL)
		return QRREAD_EPNG;
	if ((buf = malloc(QRREAD_PNG_MAX + 1)) == NULL) {
		fclose(f);
		return QRREAD_ENOMEM;
	}
	n = fread(buf, 1, QRREAD_PNG_MAX + 1, f);
	rc = ferror(f) || n > QRREAD_PNG_MAX ? QRREAD_EPNG : qr_read_png(buf, n, out, cap, outlen);
	fclose(f);
	free(buf);
	return rc;
}
