#include "pdf.h"

#include <cairo.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdfw.h"
#include "qr.h"

_Static_assert(PDF_LINK_MAX == QR_TEXT_MAX, "a printable link is a QR-encodable link");

/* A4 portrait in PostScript points (1 pt = 1/72 in); 1 mm = 72 / 25.4 pt. */
#define MM (72.0 / 25.4)
#define PAGE_W (210.0 * MM)
#define PAGE_H (297.0 * MM)

/* One colour per role, as RGB 0..1: a dark seal red for the frame and titles, ink for text. */
static const double RED[3] = { 0.55, 0.09, 0.07 };
static const double GOLD[3] = { 0.72, 0.56, 0.24 };
static const double INK[3] = { 0.10, 0.10, 0.10 };
static const double GREY[3] = { 0.38, 0.38, 0.38 };

#define SERIF "Noto Serif CJK SC"
#define SANS "Noto Sans CJK SC"
#define MONO "Noto Sans Mono CJK SC"

const char *
pdf_err_code(enum pdf_err e)
{
	switch (e) {
	case PDF_OK:
		return "ok";
	case PDF_EINVAL:
		return "pdf_invalid";
	case PDF_EQR:
		return "pdf_qr";
	case PDF_ERENDER:
		return "pdf_failed";
	case PDF_EGLYPH:
		return "pdf_glyph";
	}
	return "pdf_failed";
}

void
pdf_date_zh(struct ymd d, char *buf, size_t cap)
{
	snprintf(buf, cap, "%d年%d月%d日", d.y, d.m, d.d);
}

/* ---- input checks ---- */

/* 1..max code points of UTF-8 with no control character (a newline would break a line). */
static int
field_ok(const char *s, size_t max_chars)
{
	const char *p;
	size_t n = 0;

	if (s == NULL || *s == '\0' || strlen(s) > 4 * max_chars ||
	    !g_utf8_validate(s, -1, NULL))
		return 0;
	for (p = s; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		if (g_unichar_iscntrl(c) || c == 0x2028 || c == 0x2029 || ++n > max_chars)
			return 0;
	}
	return 1;
}

static int
opt_field_ok(const char *s, size_t max_chars)
{
	return s == NULL || *s == '\0' || field_ok(s, max_chars);
}

static int
date_ok(struct ymd d)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (d.y % 4 == 0 && d.y % 100 != 0) || d.y % 400 == 0;
	if (d.y < 2000 || d.y > 9999 || d.m < 1 || d.m > 12 || d.d < 1)
		return 0;
	return d.d <= mdays[d.m - 1] + (d.m == 2 && leap);
}

static int
date_before(struct ymd a, struct ymd b)
{
	return a.y != b.y ? a.y < b.y : a.m != b.m ? a.m < b.m : a.d < b.d;
}

static const char *
level_name(char level)
{
	switch (level) {
	case 'J':
		return "初级技术经理人";
	case 'I':
		return "中级技术经理人";
	case 'S':
		return "高级技术经理人";
	}
	return NULL;
}

/* Half-hours as 学时 text: 180 → "90", 121 → "60.5" (the ledger's convention). */
static void
hours(int x2, char *buf, size_t cap)
{
	if (x2 < 0) {
		snprintf(buf, cap, "-%d%s", -x2 / 2, (-x2 % 2) ? ".5" : "");
		return;
	}
	snprintf(buf, cap, "%d%s", x2 / 2, (x2 % 2) ? ".5" : "");
}

/* ---- text ---- */

/*
 * The pango context of this thread, kept for the life of the process: creating the font map
 * runs fontconfig's configuration and font scan, milliseconds that a per-document setup would
 * pay again every time. Metrics unhinted, as befits a vector PDF.
 */
static _Thread_local PangoContext *tl_ctx;

static PangoContext *
pango_ctx(void)
{
	cairo_font_options_t *fo;

	if (tl_ctx != NULL)
		return tl_ctx;
	PangoFontMap *fm = pango_cairo_font_map_get_default();     /* per thread, owned by pango */
	if (fm == NULL || (tl_ctx = pango_font_map_create_context(fm)) == NULL)
		return NULL;
	fo = cairo_font_options_create();
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	pango_cairo_context_set_font_options(tl_ctx, fo);
	cairo_font_options_destroy(fo);
	pango_context_set_language(tl_ctx, pango_language_from_string("zh-cn"));
	return tl_ctx;
}

struct style {
	const char   *family;
	int           bold;
	double        size;             /* pt */
	const double *rgb;
	PangoAlignment align;
	double        spacing;          /* extra letter spacing, in em */
	double        min_size;         /* > 0: one line, shrunk down to this size to fit */
	int           wrap_char;        /* wrap anywhere (links), not at word boundaries */
};

struct page {
	struct pdfw  *w;
	PangoContext *pc;
	int           failed;           /* 1: a run could not be shown, 2: a glyph is missing */
};

static PangoLayout *
layout_for(struct page *pg, const struct style *st, double size, const char *text, double w)
{
	PangoLayout *l = pango_layout_new(pg->pc);
	PangoFontDescription *fd = pango_font_description_new();
	pango_font_description_set_family(fd, st->family);
	pango_font_description_set_weight(fd, st->bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
	pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
	pango_layout_set_font_description(l, fd);
	pango_font_description_free(fd);
	PangoAttrList *al = pango_attr_list_new();
	/* pango ≥ 1.44 adds a hyphen where it breaks a word: a printed link must not gain one */
	pango_attr_list_insert(al, pango_attr_insert_hyphens_new(FALSE));
	if (st->spacing > 0)
		pango_attr_list_insert(al,
		    pango_attr_letter_spacing_new((int)(st->spacing * size * PANGO_SCALE)));
	pango_layout_set_attributes(l, al);
	pango_attr_list_unref(al);
	pango_layout_set_text(l, text, -1);
	pango_layout_set_alignment(l, st->align);
	if (st->min_size <= 0) {
		pango_layout_set_width(l, (int)(w * PANGO_SCALE));
		pango_layout_set_wrap(l, st->wrap_char ? PANGO_WRAP_CHAR : PANGO_WRAP_WORD_CHAR);
	}
	return l;
}

/*
 * Lays text out in a box of width w at (x, y), draws it when `draw`, and returns the height
 * it takes. A one-line style shrinks until the text fits (then, still too long, wraps);
 * others wrap.
 */
static double
text_box(struct page *pg, const struct style *st, const char *s, double x, double y, double w,
    int draw)
{
	PangoLayout *l;
	double size = st->size;
	int lw, lh;

	l = layout_for(pg, st, size, s, w);
	if (st->min_size > 0) {
		pango_layout_get_size(l, &lw, &lh);
		while ((double)lw / PANGO_SCALE > w && size > st->min_size) {
			g_object_unref(l);
			size = size * 0.92 < st->min_size ? st->min_size : size * 0.92;
			l = layout_for(pg, st, size, s, w);
			pango_layout_get_size(l, &lw, &lh);
		}
		pango_layout_set_width(l, (int)(w * PANGO_SCALE));
		pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	}
	pango_layout_get_size(l, &lw, &lh);
	if (draw) {
		pdfw_fill_rgb(pg->w, st->rgb);
		int r = pdfw_layout(pg->w, l, x, y);
		if (r < 0 && (pg->failed == 0 || r == -2))
			pg->failed = -r;
	}
	g_object_unref(l);
	return (double)lh / PANGO_SCALE;
}

static double
text(struct page *pg, const struct style *st, const char *s, double x, double y, double w)
{
	return text_box(pg, st, s, x, y, w, 1);
}

static double
text_height(struct page *pg, const struct style *st, const char *s, double w)
{
	return text_box(pg, st, s, 0, 0, w, 0);
}

/* ---- QR as vector rectangles ---- */

/*
 * The dark modules as one path of horizontal runs, filled once: a single fill leaves no
 * hairline seams between modules in viewers, and printers get exact edges. `size` includes
 * the quiet zone, which is left unpainted on white paper; returns the module size.
 */
static double
draw_qr(struct page *pg, const struct qr_code *q, double x, double y, double size)
{
	static const double white[3] = { 1, 1, 1 }, black[3] = { 0, 0, 0 };
	double m = size / (q->width + 2 * QR_QUIET);

	pdfw_fill_rgb(pg->w, white);
	pdfw_rect(pg->w, x, y, size, size);
	pdfw_fill(pg->w);
	pdfw_fill_rgb(pg->w, black);
	for (int r = 0; r < q->width; r++) {
		const unsigned char *row = q->dark + (size_t)r * (size_t)q->width;
		for (int c = 0, n; c < q->width; c += n) {
			n = 1;
			if (!row[c])
				continue;
			while (c + n < q->width && row[c + n])
				n++;
			pdfw_rect(pg->w, x + (c + QR_QUIET) * m, y + (r + QR_QUIET) * m, n * m, m);
		}
	}
	pdfw_fill(pg->w);
	return m;
}

/* ---- page furniture ---- */

/* A double frame: a strong outer line in red and a fine gold line inside it, corner marks. */
static void
frame(struct page *pg)
{
	struct pdfw *w = pg->w;
	double o = 10 * MM, i = 12.5 * MM, k = 7 * MM;

	pdfw_stroke_rgb(w, RED);
	pdfw_line_width(w, 2.4);
	pdfw_rect(w, o, o, PAGE_W - 2 * o, PAGE_H - 2 * o);
	pdfw_stroke(w);
	pdfw_stroke_rgb(w, GOLD);
	pdfw_line_width(w, 0.8);
	pdfw_rect(w, i, i, PAGE_W - 2 * i, PAGE_H - 2 * i);
	pdfw_stroke(w);
	/* small squares in the inner corners */
	const double cx[2] = { i, PAGE_W - i }, cy[2] = { i, PAGE_H - i };
	for (int a = 0; a < 2; a++)
		for (int b = 0; b < 2; b++) {
			double sx = a ? -1 : 1, sy = b ? -1 : 1;
			pdfw_move(w, cx[a] + sx * k, cy[b]);
			pdfw_line(w, cx[a] + sx * k, cy[b] + sy * k);
			pdfw_line(w, cx[a], cy[b] + sy * k);
			pdfw_stroke(w);
		}
}

/* A short centred rule with a diamond in the middle, under a title. */
static void
ornament(struct page *pg, double y, double half)
{
	struct pdfw *w = pg->w;
	double cx = PAGE_W / 2, d = 3.2;

	pdfw_stroke_rgb(w, GOLD);
	pdfw_line_width(w, 0.9);
	pdfw_move(w, cx - half, y);
	pdfw_line(w, cx - 3 * d, y);
	pdfw_move(w, cx + 3 * d, y);
	pdfw_line(w, cx + half, y);
	pdfw_stroke(w);
	pdfw_fill_rgb(w, GOLD);
	pdfw_move(w, cx, y - d);
	pdfw_line(w, cx + d, y);
	pdfw_line(w, cx, y + d);
	pdfw_line(w, cx - d, y);
	pdfw_close(w);
	pdfw_fill(w);
}

static void
hline(struct page *pg, double x0, double x1, double y, double width, const double *rgb)
{
	pdfw_stroke_rgb(pg->w, rgb);
	pdfw_line_width(pg->w, width);
	pdfw_move(pg->w, x0, y);
	pdfw_line(pg->w, x1, y);
	pdfw_stroke(pg->w);
}

/* The link's base for people: "HTTPS://SH.TMCRED.CN/V/..." → "https://sh.tmcred.cn". */
#define VERIFY_SITE_MAX 96
static void
link_site(const char *link, char *out, size_t cap)
{
	const char *v = strstr(link, "/V/");
	size_t n = v ? (size_t)(v - link) : strlen(link);
	if (n >= cap)
		n = cap - 1;
	for (size_t i = 0; i < n; i++)
		out[i] = g_ascii_tolower(link[i]);
	out[n] = '\0';
}

/* Top of the verification block (a gold rule, then the code): what the page body stays above. */
#define FOOT_QR (34 * MM)                       /* code with quiet zone: ~0.6 mm modules at v8 */
#define FOOT_TOP (PAGE_H - 24 * MM - 14 - FOOT_QR - 6 * MM)

/*
 * The verification block at the foot of a page: the QR code on the left, what it is for to
 * its right (a heading, `how`, then the site to type a serial into), and the link itself under
 * it across the width, small, for when the code cannot be scanned.
 */
static void
verify_block(struct page *pg, const struct qr_code *q, const char *link, const char *how,
    const char *unscannable)
{
	static const struct style head = { SANS, 1, 10.5, RED, PANGO_ALIGN_LEFT, 0.05, 0, 0 };
	static const struct style howto = { SANS, 0, 9, INK, PANGO_ALIGN_LEFT, 0, 0, 0 };
	static const struct style url = { MONO, 0, 5.6, GREY, PANGO_ALIGN_LEFT, 0, 0, 1 };
	double left = 24 * MM, right = PAGE_W - 24 * MM;
	double top = FOOT_TOP + 6 * MM, tx = left + FOOT_QR + 5 * MM, y, m;
	char site[VERIFY_SITE_MAX], line[VERIFY_SITE_MAX + 160];

	hline(pg, left, right, FOOT_TOP, 0.5, GOLD);
	m = draw_qr(pg, q, left, top, FOOT_QR);
	y = top + QR_QUIET * m;
	y += text(pg, &head, "验证方法", tx, y, right - tx) + 3;
	y += text(pg, &howto, how, tx, y, right - tx) + 3;
	link_site(link, site, sizeof(site));
	snprintf(line, sizeof(line), "查询网址：%s（%s）", site, unscannable);
	y += text(pg, &howto, line, tx, y, right - tx) + 3;
	text(pg, &howto, "离线核验：用 tmcred-verify 命令和平台公布的公钥核验签名，无需联网。", tx, y,
	    right - tx);
	text(pg, &url, link, left + QR_QUIET * m, top + FOOT_QR + 1, right - left - QR_QUIET * m);
}

/* ---- rendering scaffold ---- */

/* Draws a document's page; -1 when its content does not fit the page. */
typedef int (*draw_fn)(struct page *, const void *doc, const struct qr_code *);

static enum pdf_err
render(const char *title, const char *link, draw_fn draw, const void *doc, unsigned char **out,
    size_t *len)
{
	struct qr_code q;
	struct page pg;
	enum pdf_err rc = PDF_ERENDER;

	if (qr_encode(link, strlen(link), &q) != QR_OK)
		return PDF_EQR;
	if ((pg.pc = pango_ctx()) == NULL || (pg.w = pdfw_new(PAGE_W, PAGE_H)) == NULL)
		return PDF_ERENDER;
	pg.failed = 0;
	if (draw(&pg, doc, &q) < 0)
		rc = PDF_EINVAL;
	else if (pg.failed == 2)
		rc = PDF_EGLYPH;
	else if (!pg.failed && pdfw_finish(pg.w, title, out, len) == 0)
		rc = PDF_OK;
	pdfw_free(pg.w);
	return rc;
}

/* ---- the certificate ---- */

static int
draw_certificate(struct page *pg, const void *arg, const struct qr_code *q)
{
	const struct cert_doc *d = arg;
	static const struct style en = { SANS, 0, 8.5, GREY, PANGO_ALIGN_CENTER, 0.25, 0, 0 };
	static const struct style title = { SERIF, 1, 31, RED, PANGO_ALIGN_CENTER, 0.12, 20, 0 };
	static const struct style lead = { SERIF, 0, 14, INK, PANGO_ALIGN_CENTER, 0.1, 0, 0 };
	static const struct style name = { SERIF, 1, 34, INK, PANGO_ALIGN_CENTER, 0, 16, 0 };
	static const struct style name_spaced = { SERIF, 1, 34, INK, PANGO_ALIGN_CENTER, 0.35, 16, 0 };
	static const struct style level = { SERIF, 1, 25, RED, PANGO_ALIGN_CENTER, 0.1, 0, 0 };
	static const struct style label = { SANS, 0, 10.5, GREY, PANGO_ALIGN_RIGHT, 0.05, 0, 0 };
	static const struct style value = { SERIF, 0, 12, INK, PANGO_ALIGN_LEFT, 0, 0, 0 };
	static const struct style value_mono = { MONO, 0, 12, INK, PANGO_ALIGN_LEFT, 0, 0, 0 };
	static const struct style sign = { SERIF, 0, 13, INK, PANGO_ALIGN_CENTER, 0.02, 0, 0 };
	double cw = PAGE_W - 2 * 30 * MM, cx = 30 * MM, y;
	char issued[32], expires[32], span[80], rev[32];

	frame(pg);
	y = 30 * MM;
	y += text(pg, &en, "TECHNOLOGY MANAGER COMPETENCY CERTIFICATE", cx, y, cw) + 5;
	y += text(pg, &title, "技术经理人能力等级证书", cx, y, cw);
	ornament(pg, y + 9, 42 * MM);
	y += 13 * MM;

	/* The statement, centred: who, and what level. */
	y += text(pg, &lead, "兹证明", cx, y, cw) + 12;
	/* A short name is spaced out as on diplomas (张 三); longer ones are set tight. */
	y += text(pg, g_utf8_strlen(d->holder_name, -1) <= 3 ? &name_spaced : &name,
	    d->holder_name, cx, y, cw) + 12;
	y += text(pg, &lead, "经培训与能力评价，达到", cx, y, cw) + 10;
	y += text(pg, &level, level_name(d->level), cx, y, cw) + 10;
	y += text(pg, &lead, "能力等级要求，特发此证。", cx, y, cw);

	/* The particulars, as a two-column table centred on the page. */
	y += 11 * MM;
	pdf_date_zh(d->issued_on, issued, sizeof(issued));
	pdf_date_zh(d->expires_on, expires, sizeof(expires));
	snprintf(span, sizeof(span), "%s 至 %s", issued, expires);
	snprintf(rev, sizeof(rev), "第 %u 版", d->rev);
	const struct {
		const char         *label, *value;
		const struct style *st;
	} rows[] = {
		{ "证书编号", d->serial, &value_mono },
		{ "证书版本", rev, &value },
		{ "有效期限", span, &value },
		{ "发证节点", d->node_name, &value },
		{ "火炬中心备案号", d->filing_no, &value_mono },
	};
	double lx = 36 * MM, lw = 36 * MM, vx = lx + lw + 6 * MM, vw = PAGE_W - 36 * MM - vx;
	hline(pg, lx, PAGE_W - 36 * MM, y - 5 * MM, 0.5, GOLD);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (rows[i].value == NULL || rows[i].value[0] == '\0')
			continue;
		text(pg, &label, rows[i].label, lx, y + 1.2, lw);
		y += text(pg, rows[i].st, rows[i].value, vx, y, vw) + 7;
	}

	/*
	 * Who issues it and when, bottom right as on a signed paper certificate: the base's name
	 * over the date, centred on each other. It stands on the verification block, or lower
	 * down the table when that is long; the limits of pdf.h make the longest inputs fit
	 * (tests/render/run.sh renders them), and a page that would not fit is refused.
	 */
	double sw = 112 * MM, sx = PAGE_W - 26 * MM - sw, sh, sy;
	sh = text_height(pg, &sign, d->base_name, sw) + 6 + text_height(pg, &sign, issued, sw);
	sy = FOOT_TOP - 12 * MM - sh;
	if (sy < y + 5 * MM)
		sy = y + 5 * MM;
	if (sy + sh > FOOT_TOP - 3 * MM)
		return -1;
	sy += text(pg, &sign, d->base_name, sx, sy, sw) + 6;
	text(pg, &sign, issued, sx, sy, sw);

	verify_block(pg, q, d->link,
	    "用手机扫描左侧二维码，可查看本证书的当前状态（有效、已过期、已暂停、已撤销或已更新）"
	    "及等级与日期；二维码带数字签名，涂改过的证书无法通过验证。",
	    "无法扫描时输入编号查询");
	return 0;
}

enum pdf_err
pdf_certificate(const struct cert_doc *d, unsigned char **out, size_t *len)
{
	char title[128];

	if (d == NULL || out == NULL || len == NULL || level_name(d->level) == NULL ||
	    !field_ok(d->holder_name, PDF_NAME_MAX) || !field_ok(d->serial, PDF_FIELD_MAX) ||
	    d->rev < 1 || d->rev > 255 || !date_ok(d->issued_on) || !date_ok(d->expires_on) ||
	    !date_before(d->issued_on, d->expires_on) || !field_ok(d->base_name, PDF_BASE_MAX) ||
	    !field_ok(d->node_name, PDF_FIELD_MAX) || !opt_field_ok(d->filing_no, PDF_FIELD_MAX) ||
	    !field_ok(d->link, PDF_LINK_MAX))
		return PDF_EINVAL;
	snprintf(title, sizeof(title), "技术经理人能力等级证书 %s", d->serial);
	return render(title, d->link, draw_certificate, d, out, len);
}

/* ---- the credit statement ---- */

static int
draw_statement(struct page *pg, const void *arg, const struct qr_code *q)
{
	const struct statement_doc *d = arg;
	static const struct style en = { SANS, 0, 8.5, GREY, PANGO_ALIGN_CENTER, 0.25, 0, 0 };
	static const struct style title = { SERIF, 1, 26, RED, PANGO_ALIGN_CENTER, 0.12, 0, 0 };
	static const struct style body = { SERIF, 0, 11.5, INK, PANGO_ALIGN_LEFT, 0, 0, 0 };
	static const struct style lbl = { SANS, 0, 10.5, GREY, PANGO_ALIGN_LEFT, 0, 0, 0 };
	static const struct style who = { SERIF, 1, 16, INK, PANGO_ALIGN_LEFT, 0.1, 9, 0 };
	static const struct style th = { SANS, 1, 10, INK, PANGO_ALIGN_CENTER, 0, 0, 0 };
	static const struct style td = { SERIF, 0, 11, INK, PANGO_ALIGN_CENTER, 0, 0, 0 };
	static const struct style td_yes = { SANS, 1, 10.5, INK, PANGO_ALIGN_CENTER, 0, 0, 0 };
	static const struct style td_no = { SANS, 1, 10.5, RED, PANGO_ALIGN_CENTER, 0, 0, 0 };
	static const struct style note = { SANS, 0, 9, GREY, PANGO_ALIGN_LEFT, 0, 0, 0 };
	static const struct style right = { SERIF, 0, 11.5, INK, PANGO_ALIGN_RIGHT, 0, 0, 0 };
	double left = 24 * MM, cw = PAGE_W - 48 * MM, y;
	char buf[4 * PDF_BASE_MAX + 32], a[16], b[16], date[32];

	frame(pg);
	y = 30 * MM;
	y += text(pg, &en, "CONTINUING EDUCATION HOURS STATEMENT", left, y, cw) + 5;
	y += text(pg, &title, "继续教育学时证明", left, y, cw);
	ornament(pg, y + 9, 38 * MM);
	y += 26;

	text(pg, &lbl, "姓名", left, y + 4, 14 * MM);
	text(pg, &who, d->holder_name, left + 14 * MM, y, cw / 2 - 14 * MM);
	if (d->doc_no && d->doc_no[0]) {
		snprintf(buf, sizeof(buf), "证明编号　%s", d->doc_no);
		text(pg, &right, buf, left + cw / 2, y + 4, cw / 2);
	}
	y += 30;
	y += text(pg, &body,
	    "下表为持证人在本平台继续教育学时台账中按年度（公历年）记录的学时。每年须总学时与专业科目学时"
	    "同时达到要求方为达标；公需科目学时不能抵补专业科目学时。", left, y, cw) + 14;

	/* The table: year, total, professional, general, of which compulsory, required, met. */
	static const char *const head[] = { "年度", "总学时", "专业科目", "公需科目", "其中必修",
		"年度要求", "是否达标" };
	static const double colw[] = { 0.11, 0.13, 0.13, 0.13, 0.13, 0.23, 0.14 };
	double x, rowh = 24;
	hline(pg, left, left + cw, y, 1.2, INK);
	x = left;
	for (size_t c = 0; c < 7; c++) {
		text(pg, &th, head[c], x, y + 6, colw[c] * cw);
		x += colw[c] * cw;
	}
	y += rowh;
	hline(pg, left, left + cw, y, 0.6, INK);
	for (size_t r = 0; r < d->n_years; r++) {
		const struct ledger_year *ly = &d->years[r];
		char cell[7][64];
		snprintf(cell[0], sizeof(cell[0]), "%d", ly->year);
		hours(ly->total_x2, cell[1], sizeof(cell[1]));
		hours(ly->professional_x2, cell[2], sizeof(cell[2]));
		hours(ly->general_x2, cell[3], sizeof(cell[3]));
		hours(ly->compulsory_x2, cell[4], sizeof(cell[4]));
		hours(ly->required_x2, a, sizeof(a));
		hours(ly->required_prof_x2, b, sizeof(b));
		snprintf(cell[5], sizeof(cell[5]), "%s（专业 %s）", a, b);
		snprintf(cell[6], sizeof(cell[6]), "%s", ly->met ? "达标" : "未达标");
		x = left;
		for (size_t c = 0; c < 7; c++) {
			text(pg, c == 6 ? (ly->met ? &td_yes : &td_no) : &td, cell[c], x, y + 5,
			    colw[c] * cw);
			x += colw[c] * cw;
		}
		y += rowh;
		hline(pg, left, left + cw, y, r + 1 == d->n_years ? 1.2 : 0.3,
		    r + 1 == d->n_years ? INK : GREY);
	}
	y += 6;
	y += text(pg, &note, "单位：学时。年度要求按当年 12 月 31 日有效的规则：总学时（其中专业科目学时）。",
	    left, y, cw) + 16 * MM;

	/* Who issues it, and when, on the right as a signature block. */
	snprintf(buf, sizeof(buf), "出具单位：%s", d->issuer);
	y += text(pg, &right, buf, left, y, cw) + 6;
	pdf_date_zh(d->issued_on, date, sizeof(date));
	snprintf(buf, sizeof(buf), "出具日期：%s", date);
	text(pg, &right, buf, left, y, cw);

	verify_block(pg, q, d->link,
	    "用手机扫描左侧二维码，可核对本证明由平台签发、内容未被改动。本证明是学时记录，"
	    "可附于职称申报材料，不是能力等级证书。",
	    "无法扫描时在浏览器中输入下方的完整链接");
	return 0;
}

enum pdf_err
pdf_statement(const struct statement_doc *d, unsigned char **out, size_t *len)
{
	char title[96];

	if (d == NULL || out == NULL || len == NULL || !field_ok(d->holder_name, PDF_NAME_MAX) ||
	    !opt_field_ok(d->doc_no, PDF_FIELD_MAX) || d->years == NULL || d->n_years < 1 ||
	    d->n_years > PDF_YEARS_MAX || !date_ok(d->issued_on) ||
	    !field_ok(d->issuer, PDF_BASE_MAX) || !field_ok(d->link, PDF_LINK_MAX))
		return PDF_EINVAL;
	for (size_t i = 0; i < d->n_years; i++) {
		const struct ledger_year *y = &d->years[i];
		/* Hours are shown as they are; only values that could not come from a ledger fail. */
		if (y->year < 2000 || y->year > 9999 || y->total_x2 < 0 || y->professional_x2 < 0 ||
		    y->general_x2 < 0 || y->compulsory_x2 < 0 || y->required_x2 < 0 ||
		    y->required_prof_x2 < 0 || y->total_x2 > 2 * 100000 || y->required_x2 > 2 * 100000)
			return PDF_EINVAL;
	}
	snprintf(title, sizeof(title), "继续教育学时证明 %s", d->holder_name);
	return render(title, d->link, draw_statement, d, out, len);
}

int
pdf_warm(void)
{
	static const char link[] = "HTTPS://SH.TMCRED.CN/V/TM-SH-2026-J-000001-0/WARMUP";
	const struct cert_doc d = {
		.holder_name = "张三", .level = 'J', .serial = "TM-SH-2026-J-000001-0", .rev = 1,
		.issued_on = { 2026, 1, 1 }, .expires_on = { 2029, 1, 1 },
		.base_name = "培训基地", .node_name = "上海（SH）", .filing_no = NULL, .link = link,
	};
	unsigned char *out;
	size_t len;

	if (pdf_certificate(&d, &out, &len) != PDF_OK)
		return -1;
	free(out);
	return 0;
}
