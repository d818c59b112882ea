#ifndef TM_QRREAD_H
#define TM_QRREAD_H
#include <stddef.h>

/*
 * Reads the QR code in a PNG image (libpng → 8-bit gray → libzbar): what `tmcred-verify --png`
 * and the QR round-trip tests use. The server never calls it (so it does not link libzbar).
 * Not thread-safe beyond what libzbar is: one call at a time per process is the use here.
 */
#define QRREAD_PNG_MAX (16u << 20)      /* bytes of PNG accepted */
#define QRREAD_PIXELS_MAX 8192          /* width and height of the image, each */
#define QRREAD_TEXT_MAX 1024            /* decoded text, bytes (a link is at most 267) */

enum qrread_err {
	QRREAD_OK = 0,
	QRREAD_EPNG,            /* not a PNG, corrupt, or larger than the limits */
	QRREAD_ENONE,           /* no QR code found */
	QRREAD_EMANY,           /* more than one QR code: refuse to guess which one is meant */
	QRREAD_ETOOLONG,        /* decoded text of QRREAD_TEXT_MAX bytes or more */
	QRREAD_ENOMEM,
};

const char *qrread_err_message(enum qrread_err);

/*
 * Decodes the single QR code of a PNG held in memory. On QRREAD_OK, out holds the text
 * NUL-terminated (cap ≥ QRREAD_TEXT_MAX is always enough) and *outlen its length.
 */
enum qrread_err qr_read_png(const unsigned char *png, size_t len, char *out, size_t cap,
	    size_t *outlen);

/* The same for a file (read whole, at most QRREAD_PNG_MAX bytes). */
enum qrread_err qr_read_png_file(const char *path, char *out, size_t cap, size_t *outlen);

#endif
