#ifndef TM_CSVIN_H
#define TM_CSVIN_H
#include <stdbool.h>
#include <stddef.h>

/*
 * Streaming CSV reader for training bases' uploads, as Excel writes them: UTF-8 with or
 * without BOM, or GB18030/GBK; CRLF or LF; RFC 4180 quoting (embedded commas, quotes "",
 * newlines). Bytes are fed as they arrive; memory stays bounded by the limits whatever the
 * body size. Fields reach the row callback as UTF-8.
 *
 * Encoding: a UTF-8 BOM means UTF-8; a UTF-16/32 BOM (or NUL bytes in the first chunk)
 * is refused (CSVIN_EUTF16). Otherwise ASCII passes through undecided; at the first
 * non-ASCII run the reader decides: valid UTF-8 → UTF-8, else GB18030 (iconv). After that,
 * bytes invalid in the chosen encoding → CSVIN_EENCODING.
 */
enum csvin_err {
	CSVIN_OK = 0,
	CSVIN_EUTF16,          /* UTF-16/UTF-32 input: Excel's "Unicode text"; say so */
	CSVIN_EENCODING,       /* neither valid UTF-8 nor valid GB18030 */
	CSVIN_EQUOTE,          /* unterminated quoted field at the end of input */
	CSVIN_EFIELD,          /* a field longer than max_field bytes */
	CSVIN_ECOLUMNS,        /* a row with more than max_columns fields */
	CSVIN_EROWS,           /* more than max_rows data rows */
	CSVIN_EBOM,            /* U+FEFF inside the data (a second file pasted in?) */
	CSVIN_ENOMEM,
	CSVIN_ESTOP,           /* the row callback returned non-zero */
};

struct csvin_limits {
	size_t max_field;      /* bytes of one field after conversion to UTF-8 */
	size_t max_columns;
	size_t max_rows;       /* data rows, header excluded */
};

/*
 * Called once per record: row 0 is the header, data rows count from 1. Records whose
 * fields are all empty (trailing blank lines, ",,,") are skipped and not counted.
 * fields[i] is NUL-terminated UTF-8 (lens[i] excludes the NUL), valid until the callback
 * returns. Return 0 to go on, non-zero to stop (then feed/finish return CSVIN_ESTOP).
 */
typedef int (*csvin_row_fn)(void *ctx, size_t row, const char *const *fields,
    const size_t *lens, size_t n);

struct csvin;

struct csvin *csvin_new(const struct csvin_limits *, csvin_row_fn, void *ctx);
enum csvin_err csvin_feed(struct csvin *, const char *, size_t);
/* Ends the input: flushes the last record (with or without a final newline). */
enum csvin_err csvin_finish(struct csvin *);
void	 csvin_free(struct csvin *);

/* "UTF-8", "GB18030", or "" while undecided (pure ASCII so far). */
const char *csvin_encoding(const struct csvin *);
/* Data rows delivered so far (header excluded). */
size_t	 csvin_rows(const struct csvin *);
/* Stable code ("csv_encoding_utf16", ...) and zh-CN message of an error. */
const char *csvin_err_code(enum csvin_err);
const char *csvin_err_message(enum csvin_err);

#endif
