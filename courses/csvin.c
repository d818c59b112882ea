#include "csvin.h"

#include <csv.h>
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * Layers, each fed only what the one before has fully accepted, so that the first error in
 * byte order wins whatever the chunking (feeding byte by byte equals feeding all at once,
 * rows delivered before an error included):
 *
 *   bytes → start (UTF-16/32 BOM?) → decoder (undecided run / UTF-8 validator / GB18030
 *   iconv; NUL bytes refused) → emit (complete UTF-8 characters; U+FEFF) → libcsv → rows
 *
 * libcsv buffers one field in entry_buf and grows it through realloc_func. The buffer is
 * allocated once at max_field + FIELD_SLACK bytes (blk_size) and field_realloc refuses any
 * growth, so a long field makes csv_parse fail with CSV_ENOMEM while entry_buf is set:
 * that is CSVIN_EFIELD, at a byte position that does not depend on the chunking. The slack
 * covers what libcsv buffers but does not deliver (the closing quote, trailing spaces of an
 * unquoted field, the NUL); fields that still come out longer than max_field are refused in
 * on_field. libcsv trims spaces and tabs around unquoted fields (its default).
 *
 * Choices the header leaves open:
 *   - a NUL byte anywhere is CSVIN_EUTF16 (not only in the first chunk, so that the result
 *     does not depend on the chunking), or CSVIN_EENCODING when it cuts a multibyte character;
 *   - libcsv runs strict: a quote inside an unquoted field or text after a closing quote is
 *     CSVIN_EQUOTE too, like an unterminated quote at the end;
 *   - the first non-ASCII run is judged on at most RUN_MAX bytes; a run ending inside a
 *     character is not UTF-8;
 *   - a U+FEFF as the very first character is a BOM in GB18030 as well (84 31 95 33);
 *   - a record of empty fields still counts its fields against max_columns.
 */

#define FIELD_SLACK 16
#define RUN_MAX     64      /* bytes of the first non-ASCII run judged as UTF-8 */
#define SLICE       4096    /* bytes per csv_parse call, so a stop takes effect soon */
#define GB_IN       1024    /* GB18030 bytes per iconv call */
#define GB_OUT      (GB_IN * 4 + 16)

enum enc { ENC_START, ENC_UNDECIDED, ENC_UTF8, ENC_GB };

/* Incremental strict UTF-8 (Unicode Table 3-7): bytes still needed, range of the next. */
struct u8 {
	unsigned need;
	unsigned char lo, hi;
};

struct csvin {
	struct csvin_limits lim;
	csvin_row_fn fn;
	void *ctx;
	struct csv_parser p;
	bool p_init;
	enum csvin_err err;
	bool finished;

	enum enc enc;
	unsigned char head[3];          /* ENC_START: the first bytes, for the BOMs */
	size_t nhead;
	unsigned char run[RUN_MAX];     /* ENC_UNDECIDED: the non-ASCII run so far */
	size_t nrun;
	struct u8 runv;
	struct u8 v;                    /* ENC_UTF8 */
	unsigned char tail[4];          /* ENC_UTF8: an incomplete character */
	size_t ntail;                   /* ENC_UTF8 and ENC_GB: bytes held back */
	iconv_t cd;                     /* ENC_GB */
	char gbin[GB_IN];               /* ENC_GB: held-back tail, then the next bytes */
	char gbout[GB_OUT];

	bool started;                   /* bytes reached libcsv */
	bool bom_seen;

	/* the record being assembled */
	char *buf;
	size_t buflen, bufcap;
	size_t *offs, *lens;
	const char **ptrs;
	size_t nf, fcap;
	bool nonempty;
	bool have_header;
	size_t rows;
};

static void dispatch(struct csvin *, const unsigned char *, size_t);

/* ---- libcsv side ---- */

static void *
field_realloc(void *ptr, size_t size)
{
	/* The entry buffer is allocated once, at its full size; growth is refused. */
	if (ptr != NULL)
		return NULL;
	return malloc(size);
}

/* Room for need bytes in the record buffer, doubling. */
static bool
grow_buf(struct csvin *r, size_t need)
{
	if (need <= r->bufcap)
		return true;
	size_t n = r->bufcap ? r->bufcap : 256;
	while (n < need)
		n = n > SIZE_MAX / 2 ? need : n * 2;
	char *q = realloc(r->buf, n);
	if (q == NULL)
		return false;
	r->buf = q;
	r->bufcap = n;
	return true;
}

static void
on_field(void *s, size_t len, void *data)
{
	struct csvin *r = data;
	if (r->err != CSVIN_OK)
		return;
	if (r->nf >= r->lim.max_columns) {
		r->err = CSVIN_ECOLUMNS;
		return;
	}
	if (len > r->lim.max_field) {
		r->err = CSVIN_EFIELD;
		return;
	}
	if (r->nf == r->fcap) {
		size_t c = r->fcap < 8 ? 8 : r->fcap * 2;
		if (c > r->lim.max_columns)
			c = r->lim.max_columns;
		size_t *o = reallocarray(r->offs, c, sizeof(size_t));
		if (o != NULL)
			r->offs = o;
		size_t *l = reallocarray(r->lens, c, sizeof(size_t));
		if (l != NULL)
			r->lens = l;
		const char **q = reallocarray(r->ptrs, c, sizeof(char *));
		if (q != NULL)
			r->ptrs = q;
		if (o == NULL || l == NULL || q == NULL) {
			r->err = CSVIN_ENOMEM;
			return;
		}
		r->fcap = c;
	}
	if (!grow_buf(r, r->buflen + len + 1)) {
		r->err = CSVIN_ENOMEM;
		return;
	}
	if (len > 0)
		memcpy(r->buf + r->buflen, s, len);
	r->buf[r->buflen + len] = '\0';
	r->offs[r->nf] = r->buflen;
	r->lens[r->nf] = len;
	r->buflen += len + 1;
	r->nf++;
	if (len > 0)
		r->nonempty = true;
}

static void
on_row(int c, void *data)
{
	struct csvin *r = data;
	size_t n = r->nf, row;
	bool nonempty = r->nonempty;
	(void)c;
	r->nf = 0;
	r->buflen = 0;
	r->nonempty = false;
	if (r->err != CSVIN_OK || !nonempty)
		return;
	if (!r->have_header) {
		row = 0;
		r->have_header = true;
	} else {
		if (r->rows >= r->lim.max_rows) {
			r->err = CSVIN_EROWS;
			return;
		}
		row = ++r->rows;
	}
	for (size_t i = 0; i < n; i++)
		r->ptrs[i] = r->buf + r->offs[i];
	if (r->fn(r->ctx, row, r->ptrs, r->lens, n) != 0)
		r->err = CSVIN_ESTOP;
}

static enum csvin_err
csv_status(struct csvin *r)
{
	switch (csv_error(&r->p)) {
	case CSV_EPARSE:
		return CSVIN_EQUOTE;
	case CSV_ENOMEM:
		/* With the buffer allocated, only our refusal to grow it fails. */
		return r->p.entry_buf != NULL ? CSVIN_EFIELD : CSVIN_ENOMEM;
	case CSV_ETOOBIG:
		return CSVIN_EFIELD;
	default:
		return CSVIN_ENOMEM;
	}
}

/* Complete UTF-8 characters to libcsv. */
static void
parse(struct csvin *r, const char *s, size_t n)
{
	while (n > 0 && r->err == CSVIN_OK) {
		size_t k = n < SLICE ? n : SLICE;
		size_t done = csv_parse(&r->p, s, k, on_field, on_row, r);
		r->started = true;
		if (r->err != CSVIN_OK)
			return;
		if (done < k || csv_error(&r->p) != CSV_SUCCESS) {
			r->err = csv_status(r);
			return;
		}
		s += k;
		n -= k;
	}
}

/* Complete UTF-8 characters from a decoder: a U+FEFF is the BOM at the very start, else an
 * error. */
static void
emit(struct csvin *r, const char *s, size_t n)
{
	while (n > 0 && r->err == CSVIN_OK) {
		const char *b = memmem(s, n, "\xef\xbb\xbf", 3);
		size_t k = b ? (size_t)(b - s) : n;
		parse(r, s, k);
		if (b == NULL || r->err != CSVIN_OK)
			return;
		if (r->started || r->bom_seen) {
			r->err = CSVIN_EBOM;
			return;
		}
		r->bom_seen = true;
		s = b + 3;
		n -= k + 3;
	}
}

/* ---- decoders ---- */

/* 0: invalid, 1: a character ends here, 2: more bytes needed. */
static int
u8_step(struct u8 *v, unsigned char b)
{
	if (v->need == 0) {
		v->lo = 0x80;
		v->hi = 0xbf;
		if (b < 0x80)
			return 1;
		if (b >= 0xc2 && b <= 0xdf)
			v->need = 1;
		else if (b == 0xe0) {
			v->need = 2;
			v->lo = 0xa0;
		} else if ((b >= 0xe1 && b <= 0xec) || b == 0xee || b == 0xef)
			v->need = 2;
		else if (b == 0xed) {
			v->need = 2;
			v->hi = 0x9f;
		} else if (b == 0xf0) {
			v->need = 3;
			v->lo = 0x90;
		} else if (b >= 0xf1 && b <= 0xf3)
			v->need = 3;
		else if (b == 0xf4) {
			v->need = 3;
			v->hi = 0x8f;
		} else
			return 0;
		return 2;
	}
	if (b < v->lo || b > v->hi)
		return 0;
	v->lo = 0x80;
	v->hi = 0xbf;
	return --v->need > 0 ? 2 : 1;
}

static void
utf8_process(struct csvin *r, const unsigned char *s, size_t n)
{
	size_t i = 0;

	/* first complete the character held back from the previous call */
	while (r->ntail > 0 && i < n) {
		if (u8_step(&r->v, s[i]) == 0) {
			r->err = CSVIN_EENCODING;
			return;
		}
		r->tail[r->ntail++] = s[i++];
		if (r->v.need == 0) {
			size_t t = r->ntail;
			r->ntail = 0;
			emit(r, (const char *)r->tail, t);
			if (r->err != CSVIN_OK)
				return;
		}
	}

	size_t start = i, cstart = i;
	for (; i < n; i++) {
		if (r->v.need == 0) {
			cstart = i;
			if (s[i] == 0) {
				emit(r, (const char *)s + start, i - start);
				if (r->err == CSVIN_OK)
					r->err = CSVIN_EUTF16;
				return;
			}
		}
		if (u8_step(&r->v, s[i]) == 0) {
			emit(r, (const char *)s + start, cstart - start);
			if (r->err == CSVIN_OK)
				r->err = CSVIN_EENCODING;
			return;
		}
	}
	if (r->v.need > 0) {
		emit(r, (const char *)s + start, cstart - start);
		memcpy(r->tail + r->ntail, s + cstart, n - cstart);
		r->ntail += n - cstart;
	} else
		emit(r, (const char *)s + start, n - start);
}

/* Converts gbin[0..len): what iconv cannot finish yet stays at the front of gbin. */
static void
gb_convert(struct csvin *r, size_t len)
{
	char *ip = r->gbin;
	size_t il = len;
	r->ntail = 0;
	while (il > 0) {
		char *op = r->gbout;
		size_t ol = sizeof(r->gbout);
		size_t rc = iconv(r->cd, &ip, &il, &op, &ol);
		int e = errno;
		emit(r, r->gbout, (size_t)(op - r->gbout));
		if (r->err != CSVIN_OK || rc != (size_t)-1)
			return;
		if (e == E2BIG)
			continue;
		if (e == EINVAL) {
			memmove(r->gbin, ip, il);
			r->ntail = il;
			return;
		}
		r->err = CSVIN_EENCODING;
		return;
	}
}

static void
gb_process(struct csvin *r, const unsigned char *s, size_t n)
{
	while (n > 0 && r->err == CSVIN_OK) {
		size_t room = sizeof(r->gbin) - r->ntail;
		size_t k = n < room ? n : room;
		const unsigned char *z = memchr(s, 0, k);
		if (z != NULL)
			k = (size_t)(z - s);
		memcpy(r->gbin + r->ntail, s, k);
		s += k;
		n -= k;
		gb_convert(r, r->ntail + k);
		if (r->err == CSVIN_OK && z != NULL)
			r->err = r->ntail > 0 ? CSVIN_EENCODING : CSVIN_EUTF16;
	}
}

static void
decide(struct csvin *r, enum enc enc)
{
	size_t n = r->nrun;
	r->enc = enc;
	r->nrun = 0;
	if (enc == ENC_GB) {
		r->cd = iconv_open("UTF-8", "GB18030");
		if (r->cd == (iconv_t)-1) {
			r->err = CSVIN_ENOMEM;
			return;
		}
	}
	dispatch(r, r->run, n);
}

/* ASCII passes; the first non-ASCII run decides: valid UTF-8 (complete when the run ends,
 * or RUN_MAX bytes of it) → UTF-8, else GB18030. */
static void
undecided_process(struct csvin *r, const unsigned char *s, size_t n)
{
	while (n > 0 && r->err == CSVIN_OK) {
		if (r->nrun == 0) {
			size_t k = 0;
			while (k < n && s[k] != 0 && s[k] < 0x80)
				k++;
			emit(r, (const char *)s, k);
			s += k;
			n -= k;
			if (n == 0 || r->err != CSVIN_OK)
				return;
			if (s[0] == 0) {
				r->err = CSVIN_EUTF16;
				return;
			}
		}
		unsigned char b = s[0];
		if (b < 0x80) {
			decide(r, r->runv.need == 0 ? ENC_UTF8 : ENC_GB);
			break;
		}
		r->run[r->nrun++] = b;
		s++;
		n--;
		if (u8_step(&r->runv, b) == 0) {
			decide(r, ENC_GB);
			break;
		}
		if (r->nrun == RUN_MAX) {
			decide(r, ENC_UTF8);
			break;
		}
	}
	if (r->err == CSVIN_OK && n > 0)
		dispatch(r, s, n);
}

static void
dispatch(struct csvin *r, const unsigned char *s, size_t n)
{
	if (r->err != CSVIN_OK || n == 0)
		return;
	switch (r->enc) {
	case ENC_UNDECIDED:
		undecided_process(r, s, n);
		break;
	case ENC_UTF8:
		utf8_process(r, s, n);
		break;
	case ENC_GB:
		gb_process(r, s, n);
		break;
	case ENC_START:
		break;
	}
}

/* The first (up to) three bytes: UTF-16/32 BOM refused, UTF-8 BOM decides. */
static void
start_resolve(struct csvin *r)
{
	const unsigned char *h = r->head;
	if (r->nhead >= 2 && ((h[0] == 0xff && h[1] == 0xfe) || (h[0] == 0xfe && h[1] == 0xff))) {
		r->err = CSVIN_EUTF16;
		return;
	}
	if (r->nhead == 3 && h[0] == 0xef && h[1] == 0xbb && h[2] == 0xbf)
		r->enc = ENC_UTF8;
	else
		r->enc = ENC_UNDECIDED;
	dispatch(r, r->head, r->nhead);
}

/* ---- API ---- */

struct csvin *
csvin_new(const struct csvin_limits *lim, csvin_row_fn fn, void *ctx)
{
	if (lim == NULL || fn == NULL || lim->max_field > SIZE_MAX / 2)
		return NULL;
	struct csvin *r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	r->lim = *lim;
	r->fn = fn;
	r->ctx = ctx;
	r->cd = (iconv_t)-1;
	r->enc = ENC_START;
	if (csv_init(&r->p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
		free(r);
		return NULL;
	}
	r->p_init = true;
	csv_set_realloc_func(&r->p, field_realloc);
	csv_set_blk_size(&r->p, lim->max_field + FIELD_SLACK);
	return r;
}

enum csvin_err
csvin_feed(struct csvin *r, const char *data, size_t n)
{
	const unsigned char *s = (const unsigned char *)data;
	if (r->err != CSVIN_OK || r->finished || n == 0)
		return r->err;
	if (r->enc == ENC_START) {
		while (n > 0 && r->nhead < sizeof(r->head)) {
			r->head[r->nhead++] = *s++;
			n--;
		}
		if (r->nhead < sizeof(r->head))
			return CSVIN_OK;
		start_resolve(r);
	}
	dispatch(r, s, n);
	return r->err;
}

enum csvin_err
csvin_finish(struct csvin *r)
{
	if (r->err != CSVIN_OK || r->finished)
		return r->err;
	r->finished = true;
	if (r->enc == ENC_START)
		start_resolve(r);
	if (r->err == CSVIN_OK && r->enc == ENC_UNDECIDED && r->nrun > 0)
		decide(r, r->runv.need == 0 ? ENC_UTF8 : ENC_GB);
	if (r->err == CSVIN_OK && r->ntail > 0)
		r->err = CSVIN_EENCODING;
	if (r->err == CSVIN_OK && csv_fini(&r->p, on_field, on_row, r) != 0 && r->err == CSVIN_OK)
		r->err = CSVIN_EQUOTE;
	return r->err;
}

void
csvin_free(struct csvin *r)
{
	if (r == NULL)
		return;
	if (r->p_init)
		csv_free(&r->p);
	if (r->cd != (iconv_t)-1)
		iconv_close(r->cd);
	free(r->buf);
	free(r->offs);
	free(r->lens);
	free(r->ptrs);
	free(r);
}

const char *
csvin_encoding(const struct csvin *r)
{
	switch (r->enc) {
	case ENC_UTF8:
		return "UTF-8";
	case ENC_GB:
		return "GB18030";
	default:
		return "";
	}
}

size_t
csvin_rows(const struct csvin *r)
{
	return r->rows;
}

const char *
csvin_err_code(enum csvin_err e)
{
	switch (e) {
	case CSVIN_OK:        return "ok";
	case CSVIN_EUTF16:    return "csv_encoding_utf16";
	case CSVIN_EENCODING: return "csv_encoding_invalid";
	case CSVIN_EQUOTE:    return "csv_unterminated_quote";
	case CSVIN_EFIELD:    return "csv_field_too_long";
	case CSVIN_ECOLUMNS:  return "csv_too_many_columns";
	case CSVIN_EROWS:     return "csv_too_many_rows";
	case CSVIN_EBOM:      return "csv_bom_in_data";
	case CSVIN_ENOMEM:    return "csv_out_of_memory";
	case CSVIN_ESTOP:     return "csv_stopped";
	}
	return "csv_error";
}

const char *
csvin_err_message(enum csvin_err e)
{
	switch (e) {
	case CSVIN_OK:
		return "成功";
	case CSVIN_EUTF16:
		return "文件是 UTF-16（Excel 的“Unicode 文本”）格式，无法读取。请在 Excel 中用“另存为”"
		    "选择“CSV UTF-8(逗号分隔)”或“CSV (逗号分隔)”后重新上传。";
	case CSVIN_EENCODING:
		return "文件编码无法识别：既不是 UTF-8 也不是 GB18030/GBK。请在 Excel 中用“另存为”"
		    "选择“CSV UTF-8(逗号分隔)”后重新上传。";
	case CSVIN_EQUOTE:
		return "文件中的引号不配对：有未闭合的引号，或引号出现在未加引号的单元格中间。"
		    "请检查含有英文双引号的单元格。";
	case CSVIN_EFIELD:
		return "有单元格的内容过长。";
	case CSVIN_ECOLUMNS:
		return "有一行的列数超过上限。";
	case CSVIN_EROWS:
		return "数据行数超过上限，请拆分为多个文件分别上传。";
	case CSVIN_EBOM:
		return "文件中间出现了字节顺序标记（BOM），可能是把两个文件直接拼接在了一起。"
		    "请在 Excel 中重新另存后上传。";
	case CSVIN_ENOMEM:
		return "服务器内存不足，请稍后重试。";
	case CSVIN_ESTOP:
		return "读取已中止。";
	}
	return "CSV 文件读取失败。";
}
