#include "pdf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- output buffer ---- */

struct sink {
	unsigned char *p;
	size_t         len, cap;
};

static cairo_status_t
sink_write(void *closure, const unsigned char *data, unsigned int n)
{
	struct sink *s = closure;
	if (s->len + n > s->cap) {
		size_t cap = s->cap ? s->cap : 64 * 1024;
		unsigned char *p;
		while (cap < s->len + n)
			cap *= 2;
		if ((p = realloc(s->p, cap)) == NULL)
			return CAIRO_STATUS_WRITE_ERROR;
		s->p = p;
		s->cap = cap;
	}
	memcpy(s->p + s->len, data, n);
	s->len += n;
	return CAIRO_STATUS_SUCCESS;
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

/* ---- glyphs as Type 3 fonts ---- */

/*
 * Why not pango_cairo_show_layout: cairo embeds a font as a subset of its CFF table, and for
 * Noto CJK (a 20 MB CFF per face) it copies and parses the whole table for every document and
 * face: 10-17 ms per face per PDF, and 60-900 KB of subset each (bench/render.md). Instead the
 * layout is shaped by pango as usual and its glyphs are shown through a cairo *user* font
 * whose glyphs are the real font's outlines, drawn once per glyph and process (cairo caches
 * them): the PDF gets a small Type 3 font of exactly the glyphs used, as vector paths, with a
 * ToUnicode map from the clusters, so the text still reads back (pdftotext, copy and paste).
 */
static const cairo_user_data_key_t real_face_key;

/* Outlines come from the real face at 1000 units per em, then scaled to the em square, so
 * FreeType's 26.6 fixed point costs 1/64000 em of precision rather than 1/64. */
static void
real_font_at_em(cairo_scaled_font_t *sf, cairo_t *cr)
{
	cairo_font_options_t *fo = cairo_font_options_create();
	cairo_font_face_t *real = cairo_font_face_get_user_data(cairo_scaled_font_get_font_face(sf),
	    &real_face_key);
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	cairo_set_font_options(cr, fo);
	cairo_font_options_destroy(fo);
	cairo_set_font_face(cr, real);
	cairo_scale(cr, 0.001, 0.001);
	cairo_set_font_size(cr, 1000);
}

static cairo_status_t
t3_init(cairo_scaled_font_t *sf, cairo_t *cr, cairo_font_extents_t *ext)
{
	real_font_at_em(sf, cr);
	cairo_font_extents(cr, ext);        /* in the 1000-unit space: back to the em square */
	ext->ascent /= 1000;
	ext->descent /= 1000;
	ext->height /= 1000;
	ext->max_x_advance /= 1000;
	ext->max_y_advance /= 1000;
	return cairo_status(cr);
}

static cairo_status_t
t3_render(cairo_scaled_font_t *sf, unsigned long glyph, cairo_t *cr, cairo_text_extents_t *ext)
{
	cairo_glyph_t g = { glyph, 0, 0 };

	/* PANGO_GLYPH_EMPTY and PANGO_GLYPH_UNKNOWN_FLAG glyphs are not font glyphs: draw nothing */
	if (glyph >= PANGO_GLYPH_EMPTY) {
		memset(ext, 0, sizeof(*ext));
		return CAIRO_STATUS_SUCCESS;
	}
	real_font_at_em(sf, cr);
	cairo_glyph_extents(cr, &g, 1, ext);
	ext->x_bearing /= 1000;
	ext->y_bearing /= 1000;
	ext->width /= 1000;
	ext->height /= 1000;
	ext->x_advance /= 1000;
	ext->y_advance /= 1000;
	cairo_glyph_path(cr, &g, 1);
	cairo_fill(cr);
	return cairo_status(cr);
}

#define T3_FACES_MAX 8          /* faces a document uses: serif, serif bold, a fallback or two */
static _Thread_local struct {
	cairo_font_face_t *real, *user;
} tl_faces[T3_FACES_MAX];

/* The user face standing for a real (FreeType) face, made once per thread and face. */
static cairo_font_face_t *
t3_face(cairo_font_face_t *real)
{
	int i;
	for (i = 0; i < T3_FACES_MAX && tl_faces[i].real != NULL; i++)
		if (tl_faces[i].real == real)
			return tl_faces[i].user;
	if (i == T3_FACES_MAX)
		return NULL;
	cairo_font_face_t *u = cairo_user_font_face_create();
	cairo_user_font_face_set_init_func(u, t3_init);
	cairo_user_font_face_set_render_glyph_func(u, t3_render);
	if (cairo_font_face_set_user_data(u, &real_face_key, cairo_font_face_reference(real),
	    (cairo_destroy_func_t)cairo_font_face_destroy) != CAIRO_STATUS_SUCCESS) {
		cairo_font_face_destroy(real);
		cairo_font_face_destroy(u);
		return NULL;
	}
	tl_faces[i].real = real;
	tl_faces[i].user = u;
	return u;
}

/*
 * One shaped run: its glyphs at their positions, with the clusters that map them to text.
 * 0, -1 when cairo failed, -2 for a character that no font can show.
 */
static int
t3_run(cairo_t *cr, const char *text, PangoGlyphItem *run, double x, double y)
{
	PangoGlyphString *gs = run->glyphs;
	cairo_scaled_font_t *real_sf = pango_cairo_font_get_scaled_font(PANGO_CAIRO_FONT(run->item->analysis.font));
	cairo_matrix_t fm, ctm;
	cairo_font_options_t *fo;
	cairo_scaled_font_t *sf;
	cairo_font_face_t *uf;
	cairo_glyph_t *glyphs;
	cairo_text_cluster_t *cl;
	int n = gs->num_glyphs, nc = 0, rc = -1;
	double gx = x;

	if (real_sf == NULL || n == 0)
		return n == 0 ? 0 : -1;
	if ((uf = t3_face(cairo_scaled_font_get_font_face(real_sf))) == NULL)
		return -1;
	glyphs = g_new(cairo_glyph_t, n);
	cl = g_new(cairo_text_cluster_t, n);
	for (int i = 0; i < n; i++) {
		PangoGlyphInfo *gi = &gs->glyphs[i];
		/* a character no installed font has: refuse rather than print a blank or a box */
		if (gi->glyph & PANGO_GLYPH_UNKNOWN_FLAG) {
			g_free(glyphs);
			g_free(cl);
			return -2;
		}
		glyphs[i].index = gi->glyph;
		glyphs[i].x = gx + (double)gi->geometry.x_offset / PANGO_SCALE;
		glyphs[i].y = y + (double)gi->geometry.y_offset / PANGO_SCALE;
		gx += (double)gi->geometry.width / PANGO_SCALE;
		/* left-to-right text: a new cluster wherever the glyph's text offset moves on */
		if (i == 0 || gs->log_clusters[i] != gs->log_clusters[i - 1]) {
			cl[nc].num_glyphs = 0;
			cl[nc].num_bytes = 0;
			nc++;
		}
		cl[nc - 1].num_glyphs++;
	}
	/* bytes of each cluster: up to the next cluster's start, the last up to the item's end */
	for (int i = 0, c = 0; i < n; c++) {
		int start = gs->log_clusters[i], j = i + cl[c].num_glyphs;
		int end = j < n ? gs->log_clusters[j] : run->item->length;
		cl[c].num_bytes = end - start;
		i = j;
	}
	cairo_scaled_font_get_font_matrix(real_sf, &fm);
	cairo_scaled_font_get_ctm(real_sf, &ctm);
	fo = cairo_font_options_create();
	cairo_scaled_font_get_font_options(real_sf, fo);
	sf = cairo_scaled_font_create(uf, &fm, &ctm, fo);
	cairo_font_options_destroy(fo);
	if (cairo_scaled_font_status(sf) == CAIRO_STATUS_SUCCESS) {
		cairo_set_scaled_font(cr, sf);
		cairo_show_text_glyphs(cr, text + run->item->offset, run->item->length, glyphs, n,
		    cl, nc, 0);
		rc = cairo_status(cr) == CAIRO_STATUS_SUCCESS ? 0 : -1;
	}
	cairo_scaled_font_destroy(sf);
	g_free(glyphs);
	g_free(cl);
	return rc;
}

/* What pango_cairo_show_layout does, with the glyphs shown through Type 3 faces (as t3_run). */
static int
t3_show_layout(cairo_t *cr, PangoLayout *l, double x, double y)
{
	PangoLayoutIter *it = pango_layout_get_iter(l);
	const char *text = pango_layout_get_text(l);
	int rc = 0;

	do {
		PangoLayoutRun *run = pango_layout_iter_get_run_readonly(it);
		PangoRectangle logical;
		if (run == NULL)
			continue;       /* end of a line */
		pango_layout_iter_get_run_extents(it, NULL, &logical);
		double bx = x + (double)logical.x / PANGO_SCALE;
		double by = y + (double)pango_layout_iter_get_baseline(it) / PANGO_SCALE;
		int r = t3_run(cr, text, run, bx, by);
		if (r < rc)
			rc = r;
	} while (pango_layout_iter_next_run(it));
	pango_layout_iter_free(it);
	return rc;
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
	cairo_t      *cr;
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
		cairo_set_source_rgb(pg->cr, st->rgb[0], st->rgb[1], st->rgb[2]);
		cairo_move_to(pg->cr, x, y);
		int r = t3_show_layout(pg->cr, l, x, y);
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
	double m = size / (q->width + 2 * QR_QUIET);
	cairo_t *cr = pg->cr;

	cairo_save(cr);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_rectangle(cr, x, y, size, size);
	cairo_fill(cr);
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
	for (int r = 0; r < q->width; r++) {
		const unsigned char *row = q->dark + (size_t)r * (size_t)q->width;
		for (int c = 0, n; c < q->width; c += n) {
			n = 1;
			if (!row[c])
				continue;
			while (c + n < q->width && row[c + n])
				n++;
			cairo_rectangle(cr, x + (c + QR_QUIET) * m, y + (r + QR_QUIET) * m, n * m, m);
		}
	}
	cairo_fill(cr);
	cairo_restore(cr);
	return m;
}

/* ---- page furniture ---- */

/* A double frame: a strong outer line in red and a fine gold line inside it, corner marks. */
static void
frame(struct page *pg)
{
	cairo_t *cr = pg->cr;
	double o = 10 * MM, i = 12.5 * MM, k = 7 * MM;

	cairo_save(cr);
	cairo_set_source_rgb(cr, RED[0], RED[1], RED[2]);
	cairo_set_line_width(cr, 2.4);
	cairo_rectangle(cr, o, o, PAGE_W - 2 * o, PAGE_H - 2 * o);
	cairo_stroke(cr);
	cairo_set_source_rgb(cr, GOLD[0], GOLD[1], GOLD[2]);
	cairo_set_line_width(cr, 0.8);
	cairo_rectangle(cr, i, i, PAGE_W - 2 * i, PAGE_H - 2 * i);
	cairo_stroke(cr);
	/* small squares in the inner corners */
	cairo_set_line_width(cr, 0.8);
	const double cx[2] = { i, PAGE_W - i }, cy[2] = { i, PAGE_H - i };
	for (int a = 0; a < 2; a++)
		for (int b = 0; b < 2; b++) {
			double sx = a ? -1 : 1, sy = b ? -1 : 1;
			cairo_move_to(cr, cx[a] + sx * k, cy[b]);
			cairo_line_to(cr, cx[a] + sx * k, cy[b] + sy * k);
			cairo_line_to(cr, cx[a], cy[b] + sy * k);
			cairo_stroke(cr);
		}
	cairo_restore(cr);
}

/* A short centred rule with a diamond in the middle, under a title. */
static void
ornament(struct page *pg, double y, double half)
{
	cairo_t *cr = pg->cr;
	double cx = PAGE_W / 2, d = 3.2;

	cairo_save(cr);
	cairo_set_source_rgb(cr, GOLD[0], GOLD[1], GOLD[2]);
	cairo_set_line_width(cr, 0.9);
	cairo_move_to(cr, cx - half, y);
	cairo_line_to(cr, cx - 3 * d, y);
	cairo_move_to(cr, cx + 3 * d, y);
	cairo_line_to(cr, cx + half, y);
	cairo_stroke(cr);
	cairo_move_to(cr, cx, y - d);
	cairo_line_to(cr, cx + d, y);
	cairo_line_to(cr, cx, y + d);
	cairo_line_to(cr, cx - d, y);
	cairo_close_path(cr);
	cairo_fill(cr);
	cairo_restore(cr);
}

static void
hline(struct page *pg, double x0, double x1, double y, double width, const double *rgb)
{
	cairo_save(pg->cr);
	cairo_set_source_rgb(pg->cr, rgb[0], rgb[1], rgb[2]);
	cairo_set_line_width(pg->cr, width);
	cairo_move_to(pg->cr, x0, y);
	cairo_line_to(pg->cr, x1, y);
	cairo_stroke(pg->cr);
	cairo_restore(pg->cr);
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
verify_block(struct page *pg, const struct qr_code *q, const char *link, const char *how)
{
	static const struct style head = { SANS, 1, 10.5, RED, PANGO_ALIGN_LEFT, 0.05, 0, 0 };
	static const struct style howto = { SANS, 0, 9, INK, PANGO_ALIGN_LEFT, 0, 0, 0 };
	static const struct style url = { MONO, 0, 5.6, GREY, PANGO_ALIGN_LEFT, 0, 0, 1 };
	double left = 24 * MM, right = PAGE_W - 24 * MM;
	double top = FOOT_TOP + 6 * MM, tx = left + FOOT_QR + 5 * MM, y, m;
	char site[VERIFY_SITE_MAX], line[VERIFY_SITE_MAX + 64];

	hline(pg, left, right, FOOT_TOP, 0.5, GOLD);
	m = draw_qr(pg, q, left, top, FOOT_QR);
	y = top + QR_QUIET * m;
	y += text(pg, &head, "验证方法", tx, y, right - tx) + 3;
	y += text(pg, &howto, how, tx, y, right - tx) + 3;
	link_site(link, site, sizeof(site));
	snprintf(line, sizeof(line), "查询网址：%s（无法扫描时输入编号查询）", site);
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
	struct sink sink = { 0 };
	struct qr_code q;
	cairo_surface_t *surf;
	struct page pg;
	enum pdf_err rc = PDF_ERENDER;

	if (qr_encode(link, strlen(link), &q) != QR_OK)
		return PDF_EQR;
	if ((pg.pc = pango_ctx()) == NULL)
		return PDF_ERENDER;
	surf = cairo_pdf_surface_create_for_stream(sink_write, &sink, PAGE_W, PAGE_H);
	if (cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS)
		goto out;
	cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_TITLE, title);
	cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_CREATOR, "tmcred");
	pg.cr = cairo_create(surf);
	pg.failed = 0;
	pango_cairo_update_context(pg.cr, pg.pc);
	if (draw(&pg, doc, &q) < 0) {
		rc = PDF_EINVAL;
	} else if (pg.failed == 2) {
		rc = PDF_EGLYPH;
	} else if (!pg.failed) {
		cairo_show_page(pg.cr);
		if (cairo_status(pg.cr) == CAIRO_STATUS_SUCCESS)
			rc = PDF_OK;
	}
	cairo_destroy(pg.cr);
	cairo_surface_finish(surf);
	if (rc == PDF_OK && cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS)
		rc = PDF_ERENDER;
out:
	cairo_surface_destroy(surf);
	if (rc != PDF_OK) {
		free(sink.p);
		return rc;
	}
	*out = sink.p;
	*len = sink.len;
	return PDF_OK;
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
	    "及等级与日期；二维码带数字签名，涂改过的证书无法通过验证。");
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
	    "可附于职称申报材料，不是能力等级证书。");
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
