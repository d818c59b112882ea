#ifndef TM_PDFW_H
#define TM_PDFW_H
#include <pango/pango.h>
#include <stddef.h>

/*
 * A minimal one-page PDF writer for certs/pdf.c: paths in RGB, and pango layouts as text in
 * Type 3 fonts whose glyph programs (the real outlines) are built and deflated once per
 * thread, face and glyph, then copied into every document. cairo's PDF surface writes and
 * compresses every glyph program again for each document, which was 80 % of a certificate's
 * cost (bench/render.md). Text keeps a ToUnicode map from pango's clusters, so it extracts.
 *
 * Coordinates are PostScript points from the top-left corner, y downwards (as in cairo).
 * Functions that can fail set a sticky error; pdfw_finish reports it.
 */
struct pdfw;

struct pdfw *pdfw_new(double width, double height);
void	 pdfw_free(struct pdfw *);

void	 pdfw_fill_rgb(struct pdfw *, const double rgb[3]);
void	 pdfw_stroke_rgb(struct pdfw *, const double rgb[3]);
void	 pdfw_line_width(struct pdfw *, double);
void	 pdfw_move(struct pdfw *, double x, double y);
void	 pdfw_line(struct pdfw *, double x, double y);
void	 pdfw_rect(struct pdfw *, double x, double y, double w, double h);
void	 pdfw_close(struct pdfw *);
void	 pdfw_stroke(struct pdfw *);
void	 pdfw_fill(struct pdfw *);

/*
 * Shows a layout with its top-left corner at (x, y) in the current fill colour. Returns 0,
 * -1 on failure, -2 for a character that no font has (it would print blank).
 */
int	 pdfw_layout(struct pdfw *, PangoLayout *, double x, double y);

/* The document (malloc'ed) with its title in the Info dictionary; 0 or -1. */
int	 pdfw_finish(struct pdfw *, const char *title, unsigned char **out, size_t *len);

#endif
