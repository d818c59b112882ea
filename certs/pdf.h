#ifndef TM_PDF_H
#define TM_PDF_H
#include <stddef.h>

#include "../courses/date.h"    /* struct ymd */
#include "../courses/ledger.h"  /* struct ledger_year: the rows of the credit statement */

/*
 * Printable documents, A4 portrait, written into memory: the certificate and the signed credit
 * statement (继续教育学时证明). pango lays the text out (Noto CJK from Debian's fonts-noto-cjk,
 * through cairo font faces); certs/pdfw.c writes the PDF, the glyphs as Type 3 fonts whose
 * programs are built once per process (a cairo PDF surface rewrote them for every document:
 * 5x slower, bench/render.md). The QR code is drawn as vector rectangles (crisp at any printer
 * resolution) from the same encoder as the PNG/SVG (certs/qr.h). Layout: certs/README.md
 * "Printable certificate".
 *
 * Input is validated (UTF-8, lengths, dates, level) and refused rather than cut: a document
 * never silently drops part of a name. Within the limits below every field fits its page
 * (long names shrink, long base names wrap); PDF_EINVAL also covers a page that would not. The font map and pango context are created once per
 * thread and kept (fontconfig's setup is most of the cost of a first document).
 */
#define PDF_NAME_MAX 32         /* holder name, code points (long transliterated names fit) */
#define PDF_BASE_MAX 64         /* base name, statement issuer: code points (wrap to 2-3 lines) */
#define PDF_FIELD_MAX 32        /* serial, node, filing number, document number: code points */
#define PDF_LINK_MAX 311        /* = QR_TEXT_MAX */
#define PDF_YEARS_MAX 10        /* rows of a credit statement (one page) */

enum pdf_err {
	PDF_OK = 0,
	PDF_EINVAL,             /* a field missing, too long, not UTF-8, a bad level or date */
	PDF_EQR,                /* the link cannot be a QR code (too long for version 10) */
	PDF_ERENDER,            /* cairo or pango failed, or out of memory */
	PDF_EGLYPH,             /* a character that no installed font has (it would print blank) */
};

/* Stable code ("pdf_invalid", ...; "ok") per result. */
const char *pdf_err_code(enum pdf_err);

/* The certificate. Strings are UTF-8, NUL-terminated; only filing_no may be NULL or "". */
struct cert_doc {
	const char *holder_name;        /* full name as stored, 1..PDF_NAME_MAX code points */
	char        level;              /* 'J' 初级, 'I' 中级, 'S' 高级 */
	const char *serial;             /* canonical serial */
	unsigned    rev;                /* 1..255 */
	struct ymd  issued_on, expires_on;
	const char *base_name;          /* the issuing training base, 1..PDF_BASE_MAX */
	const char *node_name;          /* the issuing node, e.g. "上海（SH）" */
	const char *filing_no;          /* 火炬中心 filing number (中/高 only), NULL or "" if none */
	const char *link;               /* the QR link, verify_url() */
};

/* The signed credit statement (继续教育学时证明), one row per calendar year. */
struct statement_doc {
	const char              *holder_name;   /* 1..PDF_NAME_MAX code points */
	const char              *doc_no;        /* statement number/id shown on it, NULL or "" if none */
	const struct ledger_year *years;        /* 1..PDF_YEARS_MAX rows, in the order to print */
	size_t                   n_years;
	struct ymd               issued_on;
	const char              *issuer;        /* who issues it (node or base), ..PDF_BASE_MAX */
	const char              *link;          /* its QR link (the lead's verification URL) */
};

/*
 * Renders the document into *out (malloc'ed, the caller frees it) of *len bytes.
 * On error *out and *len are untouched.
 */
enum pdf_err pdf_certificate(const struct cert_doc *, unsigned char **out, size_t *len);
enum pdf_err pdf_statement(const struct statement_doc *, unsigned char **out, size_t *len);

/*
 * Optional: sets up fontconfig, the font map and the glyph caches by rendering one sample
 * certificate into a discarded buffer (~0.1-0.3 s), so that a worker's first real PDF is as
 * fast as the next ones. Call it in each worker process after fork (the caches are per
 * process and thread). Returns 0, or -1 when rendering fails (fonts missing).
 */
int	 pdf_warm(void);

/* "2026年12月31日" into buf (at least 24 bytes: 4 + 3 + 2 + 3 + 2 + 3 + NUL = 20). */
void	 pdf_date_zh(struct ymd, char *buf, size_t cap);

#endif
