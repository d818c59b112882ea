#include "pdfw.h"

#include <cairo.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define PDFW_FACES_MAX 32       /* faces cached per thread: serif, bold, sans, fallbacks, ... */
#define PDFW_FONTS_MAX 32       /* Type 3 fonts per document (256 codes each) */
#define PDFW_CACHE_MAX (16u << 20) /* bytes of cached glyph programs per thread (~10k glyphs) */

/* ---- growing buffer ---- */

struct buf {
	char  *p;
	size_t len, cap;
	int    err;
};

static void
add(struct buf *b, const void *s, size_t n)
{
	if (b->err)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *p;
		while (cap < b->len + n)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL) {
			b->err = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void
adds(struct buf *b, const char *s)
{
	add(b, s, strlen(s));
}

static void
addf(struct buf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		b->err = 1;
	else
		add(b, tmp, (size_t)n);
}

/* A number with at most 2 decimals and a trailing space, without printf (hot path). */
static void
num(struct buf *b, double v)
{
	char s[32], *e = s + sizeof(s), *p = e;
	long long q;
	int neg;

	if (!isfinite(v) || fabs(v) > 1e12) {
		b->err = 1;
		return;
	}
	q = llround(v * 100);
	neg = q < 0;
	if (neg)
		q = -q;
	*--p = ' ';
	if (q % 100) {
		int f = (int)(q % 100);
		if (f % 10)
			*--p = (char)('0' + f % 10);
		*--p = (char)('0' + f / 10);
		*--p = '.';
	}
	q /= 100;
	do {
		*--p = (char)('0' + q % 10);
		q /= 10;
	} while (q);
	if (neg)
		*--p = '-';
	add(b, p, (size_t)(e - p));
}

/* ---- glyph programs, once per thread, face and glyph ---- */

struct glyph {
	double         wx;              /* advance, 1000 units per em */
	unsigned char *z;               /* deflated glyph program */
	size_t         zlen;
};

static _Thread_local struct {
	cairo_font_face_t *face;        /* referenced: never freed, so its address is never reused */
	GHashTable        *glyphs;      /* glyph id + 1 → struct glyph */
} tl_faces[PDFW_FACES_MAX];
static _Thread_local cairo_t *tl_scratch;
static _Thread_local size_t tl_cache_bytes;

static void
glyph_free(void *p)
{
	struct glyph *g = p;
	free(g->z);
	free(g);
}

static int
face_slot(cairo_font_face_t *face)
{
	int i;
	for (i = 0; i < PDFW_FACES_MAX && tl_faces[i].face != NULL; i++)
		if (tl_faces[i].face == face)
			return i;
	if (i == PDFW_FACES_MAX)
		return -1;
	tl_faces[i].glyphs = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, glyph_free);
	tl_faces[i].face = cairo_font_face_reference(face);
	return i;
}

/*
 * The glyph's Type 3 program: "wx 0 llx lly urx ury d1" then its outline, y up, at 1000 units
 * per em (outlines loaded at size 1000, unhinted), filled with the non-zero rule as TrueType
 * and CFF outlines are meant.
 */
static struct glyph *
glyph_make(cairo_font_face_t *face, unsigned long gid)
{
	struct buf b = { 0 };
	struct glyph *g;
	cairo_text_extents_t e;
	cairo_glyph_t cg = { gid, 0, 0 };
	cairo_path_t *path;
	uLongf zlen;

	if (tl_scratch == NULL) {
		cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_A8, 1, 1);
		cairo_font_options_t *fo = cairo_font_options_create();
		tl_scratch = cairo_create(s);
		cairo_surface_destroy(s);
		cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
		cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
		cairo_set_font_options(tl_scratch, fo);
		cairo_font_options_destroy(fo);
	}
	cairo_set_font_face(tl_scratch, face);
	cairo_set_font_size(tl_scratch, 1000);
	cairo_glyph_extents(tl_scratch, &cg, 1, &e);
	cairo_new_path(tl_scratch);
	cairo_glyph_path(tl_scratch, &cg, 1);
	path = cairo_copy_path(tl_scratch);
	cairo_new_path(tl_scratch);
	if (cairo_status(tl_scratch) != CAIRO_STATUS_SUCCESS || path->status != CAIRO_STATUS_SUCCESS) {
		cairo_path_destroy(path);
		return NULL;
	}
	num(&b, e.x_advance);
	adds(&b, "0 ");
	num(&b, e.x_bearing);
	num(&b, -(e.y_bearing + e.height));
	num(&b, e.x_bearing + e.width);
	num(&b, -e.y_bearing);
	adds(&b, "d1\n");
	for (int i = 0; i < path->num_data; i += path->data[i].header.length) {
		cairo_path_data_t *d = &path->data[i];
		switch (d->header.type) {
		case CAIRO_PATH_MOVE_TO:
			num(&b, d[1].point.x);
			num(&b, -d[1].point.y);
			adds(&b, "m\n");
			break;
		case CAIRO_PATH_LINE_TO:
			num(&b, d[1].point.x);
			num(&b, -d[1].point.y);
			adds(&b, "l\n");
			break;
		case CAIRO_PATH_CURVE_TO:
			for (int k = 1; k <= 3; k++) {
				num(&b, d[k].point.x);
				num(&b, -d[k].point.y);
			}
			adds(&b, "c\n");
			break;
		case CAIRO_PATH_CLOSE_PATH:
			adds(&b, "h\n");
			break;
		}
	}
	if (path->num_data > 0)
		adds(&b, "f\n");
	cairo_path_destroy(path);
	if (b.err || (g = calloc(1, sizeof(*g))) == NULL) {
		free(b.p);
		return NULL;
	}
	g->wx = e.x_advance;
	zlen = compressBound(b.len);
	if ((g->z = malloc(zlen)) == NULL ||
	    compress2(g->z, &zlen, (const Bytef *)b.p, b.len, Z_BEST_COMPRESSION) != Z_OK) {
		free(b.p);
		glyph_free(g);
		return NULL;
	}
	g->zlen = zlen;
	free(b.p);
	return g;
}

static struct glyph *
glyph_get(int slot, unsigned long gid)
{
	void *key = GUINT_TO_POINTER((guint)gid + 1);
	struct glyph *g = g_hash_table_lookup(tl_faces[slot].glyphs, key);
	if (g == NULL && (g = glyph_make(tl_faces[slot].face, gid)) != NULL) {
		g_hash_table_insert(tl_faces[slot].glyphs, key, g);
		tl_cache_bytes += g->zlen + sizeof(*g);
	}
	return g;
}

/* ---- the document ---- */

/* A Type 3 font of this document: up to 256 glyphs of one face, codes in order of first use. */
struct dfont {
	int            slot;
	int            n;
	unsigned long  gid[256];
	struct glyph  *g[256];
	char          *text[256];       /* UTF-8 the glyph stands for (ToUnicode), or NULL */
};

struct pdfw {
	double        w, h;
	struct buf    content;
	struct dfont *fonts[PDFW_FONTS_MAX];
	int           nfonts;
	int           err;
};

struct pdfw *
pdfw_new(double width, double height)
{
	struct pdfw *w;

	/*
	 * A long-lived worker prints ever more distinct characters (names): past the bound, start
	 * the cache again. Only here, between documents: a document holds pointers into it.
	 */
	if (tl_cache_bytes > PDFW_CACHE_MAX) {
		for (int i = 0; i < PDFW_FACES_MAX && tl_faces[i].face != NULL; i++)
			g_hash_table_remove_all(tl_faces[i].glyphs);
		tl_cache_bytes = 0;
	}
	/*
	 * Rare characters bring fallback faces: when every slot has been taken, forget them all
	 * (a page itself never needs that many faces).
	 */
	if (tl_faces[PDFW_FACES_MAX - 1].face != NULL) {
		for (int i = 0; i < PDFW_FACES_MAX; i++) {
			g_hash_table_destroy(tl_faces[i].glyphs);
			cairo_font_face_destroy(tl_faces[i].face);
			tl_faces[i].glyphs = NULL;
			tl_faces[i].face = NULL;
		}
		tl_cache_bytes = 0;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->w = width;
	w->h = height;
	/* y downwards from the top-left corner, as the layout code thinks */
	adds(&w->content, "1 0 0 -1 0 ");
	num(&w->content, height);
	adds(&w->content, "cm\n");
	return w;
}

void
pdfw_free(struct pdfw *w)
{
	if (w == NULL)
		return;
	for (int i = 0; i < w->nfonts; i++) {
		for (int c = 0; c < w->fonts[i]->n; c++)
			free(w->fonts[i]->text[c]);
		free(w->fonts[i]);
	}
	free(w->content.p);
	free(w);
}

static void
rgb(struct pdfw *w, const double c[3], const char *op)
{
	for (int i = 0; i < 3; i++)
		num(&w->content, c[i]);
	adds(&w->content, op);
}

void pdfw_fill_rgb(struct pdfw *w, const double c[3]) { rgb(w, c, "rg\n"); }
void pdfw_stroke_rgb(struct pdfw *w, const double c[3]) { rgb(w, c, "RG\n"); }

void
pdfw_line_width(struct pdfw *w, double lw)
{
	num(&w->content, lw);
	adds(&w->content, "w\n");
}

void
pdfw_move(struct pdfw *w, double x, double y)
{
	num(&w->content, x);
	num(&w->content, y);
	adds(&w->content, "m\n");
}

void
pdfw_line(struct pdfw *w, double x, double y)
{
	num(&w->content, x);
	num(&w->content, y);
	adds(&w->content, "l\n");
}

void
pdfw_rect(struct pdfw *w, double x, double y, double rw, double rh)
{
	num(&w->content, x);
	num(&w->content, y);
	num(&w->content, rw);
	num(&w->content, rh);
	adds(&w->content, "re\n");
}

void pdfw_close(struct pdfw *w) { adds(&w->content, "h\n"); }
void pdfw_stroke(struct pdfw *w) { adds(&w->content, "S\n"); }
void pdfw_fill(struct pdfw *w) { adds(&w->content, "f\n"); }

/* The (font, code) of a glyph in this document, adding it on first use; -1 when full. */
static int
code_for(struct pdfw *w, int slot, unsigned long gid, int *font)
{
	struct glyph *g;
	int i;

	for (i = 0; i < w->nfonts; i++) {
		struct dfont *f = w->fonts[i];
		if (f->slot != slot)
			continue;
		for (int c = 0; c < f->n; c++)
			if (f->gid[c] == gid) {
				*font = i;
				return c;
			}
	}
	if ((g = glyph_get(slot, gid)) == NULL)
		return -1;
	for (i = w->nfonts - 1; i >= 0; i--)
		if (w->fonts[i]->slot == slot && w->fonts[i]->n < 256)
			break;
	if (i < 0) {
		if (w->nfonts == PDFW_FONTS_MAX || (w->fonts[w->nfonts] = calloc(1,
		    sizeof(struct dfont))) == NULL)
			return -1;
		i = w->nfonts++;
		w->fonts[i]->slot = slot;
	}
	struct dfont *f = w->fonts[i];
	f->gid[f->n] = gid;
	f->g[f->n] = g;
	*font = i;
	return f->n++;
}

int
pdfw_layout(struct pdfw *w, PangoLayout *l, double x, double y)
{
	PangoLayoutIter *it = pango_layout_get_iter(l);
	const char *text = pango_layout_get_text(l);
	struct buf *b = &w->content;
	int rc = 0, cur = -1;

	adds(b, "BT\n");
	do {
		PangoLayoutRun *run = pango_layout_iter_get_run_readonly(it);
		PangoRectangle logical;
		if (run == NULL)
			continue;       /* end of a line */
		pango_layout_iter_get_run_extents(it, NULL, &logical);
		double gx = x + (double)logical.x / PANGO_SCALE;
		double by = y + (double)pango_layout_iter_get_baseline(it) / PANGO_SCALE;
		cairo_scaled_font_t *sf = pango_cairo_font_get_scaled_font(
		    PANGO_CAIRO_FONT(run->item->analysis.font));
		cairo_matrix_t fm;
		int slot;
		if (sf == NULL || (slot = face_slot(cairo_scaled_font_get_font_face(sf))) < 0) {
			rc = -1;
			break;
		}
		cairo_scaled_font_get_font_matrix(sf, &fm);
		PangoGlyphString *gs = run->glyphs;
		for (int i = 0; i < gs->num_glyphs; i++) {
			PangoGlyphInfo *gi = &gs->glyphs[i];
			double px = gx + (double)gi->geometry.x_offset / PANGO_SCALE;
			double py = by + (double)gi->geometry.y_offset / PANGO_SCALE;
			int font, code;
			gx += (double)gi->geometry.width / PANGO_SCALE;
			if (gi->glyph & PANGO_GLYPH_UNKNOWN_FLAG) {
				rc = -2;        /* a character no font has: refuse, never print a blank */
				goto out;
			}
			if (gi->glyph == PANGO_GLYPH_EMPTY)
				continue;
			if ((code = code_for(w, slot, gi->glyph, &font)) < 0) {
				rc = -1;
				goto out;
			}
			/* the text of the glyph's cluster, on the cluster's first glyph (ToUnicode) */
			struct dfont *f = w->fonts[font];
			if (f->text[code] == NULL &&
			    (i == 0 || gs->log_clusters[i] != gs->log_clusters[i - 1])) {
				int j = i + 1, start = gs->log_clusters[i], end;
				while (j < gs->num_glyphs && gs->log_clusters[j] == start)
					j++;
				end = j < gs->num_glyphs ? gs->log_clusters[j] : run->item->length;
				if (end > start)
					f->text[code] = g_strndup(text + run->item->offset + start,
					    (gsize)(end - start));
			}
			if (font != cur) {
				addf(b, "/F%d 1 Tf\n", font);
				cur = font;
			}
			num(b, fm.xx);
			num(b, fm.yx);
			num(b, fm.xy);
			num(b, -fm.yy);
			num(b, px);
			num(b, py);
			addf(b, "Tm <%02x> Tj\n", code);
		}
	} while (pango_layout_iter_next_run(it));
out:
	adds(b, "ET\n");
	pango_layout_iter_free(it);
	return rc;
}

/* ---- writing the file ---- */

static void
obj_start(struct buf *b, size_t *off, int n)
{
	off[n] = b->len;
	addf(b, "%d 0 obj\n", n);
}

/* UTF-8 → UTF-16BE hex digits (what ToUnicode and the Info title want). */
static void
utf16hex(struct buf *b, const char *s)
{
	for (const char *p = s; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		if (c >= 0x10000) {
			c -= 0x10000;
			addf(b, "%04X%04X", 0xD800 + (c >> 10), 0xDC00 + (c & 0x3FF));
		} else {
			addf(b, "%04X", c);
		}
	}
}

static void
tounicode(struct buf *cm, const struct dfont *f)
{
	int n = 0;
	adds(cm, "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
	    "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
	    "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
	    "1 begincodespacerange\n<00> <FF>\nendcodespacerange\n");
	for (int c = 0; c < f->n; c++) {
		if (f->text[c] == NULL)
			continue;
		if (n % 100 == 0) {
			int left = 0;
			for (int k = c; k < f->n; k++)
				left += f->text[k] != NULL;
			if (n)
				adds(cm, "endbfchar\n");
			addf(cm, "%d beginbfchar\n", left < 100 ? left : 100);
		}
		addf(cm, "<%02X> <", c);
		utf16hex(cm, f->text[c]);
		adds(cm, ">\n");
		n++;
	}
	if (n)
		adds(cm, "endbfchar\n");
	adds(cm, "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
}

/* A stream object from bytes already deflated. */
static void
stream_z(struct buf *b, const void *z, size_t zlen)
{
	addf(b, "<< /Length %zu /Filter /FlateDecode >>\nstream\n", zlen);
	add(b, z, zlen);
	adds(b, "\nendstream\nendobj\n");
}

static int
stream_deflate(struct buf *b, const struct buf *src, int level)
{
	uLongf zlen = compressBound(src->len);
	unsigned char *z = malloc(zlen);
	if (z == NULL || compress2(z, &zlen, (const Bytef *)src->p, src->len, level) != Z_OK) {
		free(z);
		return -1;
	}
	stream_z(b, z, zlen);
	free(z);
	return 0;
}

int
pdfw_finish(struct pdfw *w, const char *title, unsigned char **out, size_t *len)
{
	struct buf b = { 0 };
	size_t *off;
	int nobj = 5, next, rc = -1;

	if (w->content.err || w->err)
		return -1;
	/* 1 catalog, 2 pages, 3 page, 4 content, 5 info; per font: dict, ToUnicode, glyphs */
	for (int i = 0; i < w->nfonts; i++)
		nobj += 2 + w->fonts[i]->n;
	if ((off = calloc((size_t)nobj + 1, sizeof(*off))) == NULL)
		return -1;
	adds(&b, "%PDF-1.5\n%\xe2\xe3\xcf\xd3\n");
	obj_start(&b, off, 1);
	adds(&b, "<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
	obj_start(&b, off, 2);
	adds(&b, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n");
	obj_start(&b, off, 3);
	adds(&b, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ");
	num(&b, w->w);
	num(&b, w->h);
	adds(&b, "] /Contents 4 0 R /Resources << /Font <<");
	next = 6;
	for (int i = 0; i < w->nfonts; i++) {
		addf(&b, " /F%d %d 0 R", i, next);
		next += 2 + w->fonts[i]->n;
	}
	adds(&b, " >> >> >>\nendobj\n");
	obj_start(&b, off, 4);
	if (stream_deflate(&b, &w->content, Z_DEFAULT_COMPRESSION) < 0)
		goto out;
	obj_start(&b, off, 5);
	adds(&b, "<< /Creator (tmcred) /Producer (tmcred certs/pdfw.c) /Title <FEFF");
	utf16hex(&b, title);
	adds(&b, "> >>\nendobj\n");
	next = 6;
	for (int i = 0; i < w->nfonts; i++) {
		struct dfont *f = w->fonts[i];
		struct buf cm = { 0 };
		int fo = next, tu = next + 1, g0 = next + 2;
		obj_start(&b, off, fo);
		adds(&b, "<< /Type /Font /Subtype /Type3 /FontBBox [0 0 0 0]"
		    " /FontMatrix [0.001 0 0 0.001 0 0] /Resources << >>\n/CharProcs <<");
		for (int c = 0; c < f->n; c++)
			addf(&b, " /g%d %d 0 R", c, g0 + c);
		adds(&b, " >>\n/Encoding << /Type /Encoding /Differences [0");
		for (int c = 0; c < f->n; c++)
			addf(&b, " /g%d", c);
		addf(&b, "] >>\n/FirstChar 0 /LastChar %d /Widths [", f->n - 1);
		for (int c = 0; c < f->n; c++)
			num(&b, f->g[c]->wx);
		addf(&b, "]\n/ToUnicode %d 0 R >>\nendobj\n", tu);
		obj_start(&b, off, tu);
		tounicode(&cm, f);
		if (cm.err || stream_deflate(&b, &cm, Z_DEFAULT_COMPRESSION) < 0) {
			free(cm.p);
			goto out;
		}
		free(cm.p);
		for (int c = 0; c < f->n; c++) {
			obj_start(&b, off, g0 + c);
			stream_z(&b, f->g[c]->z, f->g[c]->zlen);
		}
		next = g0 + f->n;
	}
	size_t xref = b.len;
	addf(&b, "xref\n0 %d\n0000000000 65535 f \n", nobj + 1);
	for (int i = 1; i <= nobj; i++)
		addf(&b, "%010zu 00000 n \n", off[i]);
	addf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info 5 0 R >>\nstartxref\n%zu\n%%%%EOF\n",
	    nobj + 1, xref);
	if (!b.err) {
		*out = (unsigned char *)b.p;
		*len = b.len;
		b.p = NULL;
		rc = 0;
	}
out:
	free(b.p);
	free(off);
	return rc;
}
