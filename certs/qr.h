#ifndef TM_QR_H
#define TM_QR_H
#include <stddef.h>

/*
 * QR codes of verification links (STACK.md §3, certs/README.md "QR image"): libqrencode at
 * error-correction level M, written as PNG (libpng, 1-bit grayscale, into memory) or SVG (one
 * <path> of the dark modules). The text is encoded exactly as given (case-sensitive); an
 * upper-case link from verify_url() is all QR-alphanumeric, so libqrencode's segmenter puts it
 * in alphanumeric mode: the 213-character demo link is version 8 (49 modules).
 *
 * No global state of our own; libqrencode and libpng are thread-safe as Debian builds them.
 */
#define QR_TEXT_MAX 311         /* alphanumeric capacity of version 10 at level M */
#define QR_VERSION_MAX 10       /* 57 modules: at 30 mm printed, 0.46 mm per module */
#define QR_QUIET 4              /* quiet zone on each side, in modules (ISO/IEC 18004) */
#define QR_SCALE_MAX 32         /* pixels per module in a PNG: 65 × 32 = 2,080 px at most */
#define QR_WIDTH_MAX (17 + 4 * QR_VERSION_MAX)

enum qr_err {
	QR_OK = 0,
	QR_EINVAL,              /* NULL or empty text, a NUL inside, a scale outside 1..QR_SCALE_MAX */
	QR_ETOOLONG,            /* longer than QR_TEXT_MAX, or needs a version above QR_VERSION_MAX */
	QR_ENOMEM,              /* out of memory, or libqrencode/libpng failed */
};

/* A QR symbol without its quiet zone: width × width modules, dark[y * width + x] is 0 or 1. */
struct qr_code {
	int            version;         /* 1..QR_VERSION_MAX */
	int            width;           /* 17 + 4 × version */
	unsigned char  dark[QR_WIDTH_MAX * QR_WIDTH_MAX];
};

/* Stable code ("qr_too_long", ...; "ok") per result. */
const char *qr_err_code(enum qr_err);

/* Encodes len bytes of text (no NUL inside) at level M into *out. */
enum qr_err qr_encode(const char *text, size_t len, struct qr_code *out);

/*
 * PNG of the code with the quiet zone: (width + 2 × QR_QUIET) × scale pixels square, 1-bit
 * grayscale (0 = dark). *out is malloc'ed (the caller frees it), *len its size.
 */
enum qr_err qr_png(const struct qr_code *, int scale, unsigned char **out, size_t *len);

/*
 * SVG of the code with the quiet zone: viewBox in modules (0 0 W W, W = width + 2 × QR_QUIET),
 * width/height attributes of W × scale px, a white background <rect> and one <path> of the dark
 * modules (one "M x y h n v1 h-n z" per horizontal run), shape-rendering="crispEdges".
 * *out is malloc'ed and NUL-terminated (the caller frees it), *len its length.
 */
enum qr_err qr_svg(const struct qr_code *, int scale, char **out, size_t *len);

/* Both at once from a text: encode, then PNG or SVG (what the HTTP handlers call). */
enum qr_err qr_png_text(const char *text, size_t len, int scale, unsigned char **out,
	    size_t *outlen);
enum qr_err qr_svg_text(const char *text, size_t len, int scale, char **out, size_t *outlen);

#endif
