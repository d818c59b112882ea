/*
 * certs/qr: encode at level M, PNG and SVG output, limits. Every PNG is decoded back in-process
 * with libzbar (certs/qrread.c) and must give exactly the input text; the SVG path is parsed
 * back into modules and must equal the encoder's modules.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certs/qr.h"
#include "certs/qrread.h"

/* The demo link of certs/README.md: 213 characters, all QR-alphanumeric. */
#define LINK213 "HTTPS://SH.TMCRED.CN/V/TM-SH-2026-J-000123-J/" \
	"AEASKVBJTMXX6MYQDXN3H5Y3ATFRAQCAVQAQKRSEL5YMXNUGKIHIC4EKGSG33IACONZL4PBJLI" \
	"4PZ6SQWQH27SIHRAPSX7W7O3CIT7N2XZW7QHBOETKXJDEC75WYXTYNHD5JMJJITPKD4NCJDKVJ3UCQLUMNE" \
	"HTBYMAVGSBR"

static void
roundtrip_png(const char *text, int scale)
{
	unsigned char *png = NULL;
	size_t len = 0, got = 0;
	char back[QRREAD_TEXT_MAX];

	cr_assert_eq(qr_png_text(text, strlen(text), scale, &png, &len), QR_OK);
	cr_assert_gt(len, 60);
	cr_assert_eq(memcmp(png, "\x89PNG\r\n\x1a\n", 8), 0);
	cr_assert_eq(qr_read_png(png, len, back, sizeof(back), &got), QRREAD_OK,
	    "zbar read nothing at scale %d", scale);
	cr_assert_eq(got, strlen(text));
	cr_assert_str_eq(back, text);
	free(png);
}

Test(qr, link_is_version_8_alphanumeric)
{
	struct qr_code c;
	cr_assert_eq(strlen(LINK213), 213);
	cr_assert_eq(qr_encode(LINK213, 213, &c), QR_OK);
	/* 8-bit mode would need version 10 (capacity 213 at M); alphanumeric fits version 8 (221). */
	cr_assert_eq(c.version, 8);
	cr_assert_eq(c.width, 49);
}

Test(qr, lower_case_is_bigger_and_kept_as_is)
{
	char lower[214];
	struct qr_code c;
	for (size_t i = 0; i <= 213; i++)
		lower[i] = (char)((LINK213[i] >= 'A' && LINK213[i] <= 'Z') ? LINK213[i] + 32 :
		    LINK213[i]);
	cr_assert_eq(qr_encode(lower, 213, &c), QR_OK);
	cr_assert_eq(c.version, 10, "8-bit mode: version %d", c.version);
	roundtrip_png(lower, 4);        /* case-sensitive: decodes to the lower-case text */
}

Test(qr, png_roundtrip_scales)
{
	for (int s = 1; s <= 8; s++)
		if (s != 1)             /* 1 px per module is below what zbar can sample */
			roundtrip_png(LINK213, s);
	roundtrip_png(LINK213, QR_SCALE_MAX);
	roundtrip_png("HTTPS://SH.TMCRED.CN", 4);
	roundtrip_png("A", 4);
}

Test(qr, png_geometry)
{
	unsigned char *png = NULL;
	size_t len = 0;
	cr_assert_eq(qr_png_text(LINK213, 213, 4, &png, &len), QR_OK);
	/* IHDR: width and height (49 + 8) × 4 = 228, bit depth 1, colour type 0 (gray) */
	cr_assert_eq(memcmp(png + 12, "IHDR", 4), 0);
	unsigned w = (unsigned)png[16] << 24 | png[17] << 16 | png[18] << 8 | png[19];
	unsigned h = (unsigned)png[20] << 24 | png[21] << 16 | png[22] << 8 | png[23];
	cr_assert_eq(w, 228);
	cr_assert_eq(h, 228);
	cr_assert_eq(png[24], 1);
	cr_assert_eq(png[25], 0);
	free(png);
}

/* Parses the SVG's single path back into a module grid; checks the frame around it. */
Test(qr, svg_modules_match)
{
	struct qr_code c;
	char *svg = NULL, *p, *end;
	size_t len = 0, dark = 0, drawn = 0;
	static unsigned char grid[QR_WIDTH_MAX + 8][QR_WIDTH_MAX + 8];

	cr_assert_eq(qr_encode(LINK213, 213, &c), QR_OK);
	cr_assert_eq(qr_svg(&c, 5, &svg, &len), QR_OK);
	cr_assert_eq(strlen(svg), len);
	cr_assert(strstr(svg, "viewBox=\"0 0 57 57\"") != NULL);
	cr_assert(strstr(svg, "width=\"285\" height=\"285\"") != NULL);
	cr_assert(strstr(svg, "shape-rendering=\"crispEdges\"") != NULL);
	cr_assert(strncmp(svg, "<?xml ", 6) == 0);
	cr_assert(strcmp(svg + len - 7, "</svg>\n") == 0);
	/* exactly one path, one rect */
	p = strstr(svg, "<path");
	cr_assert(p != NULL && strstr(p + 1, "<path") == NULL);
	p = strstr(p, " d=\"");
	cr_assert(p != NULL);
	p += 4;
	end = strchr(p, '"');
	cr_assert(end != NULL && strcmp(end, "\"/>\n</svg>\n") == 0);
	memset(grid, 0, sizeof(grid));
	while (p < end) {
		int x, y, n, n2, used;
		cr_assert_eq(sscanf(p, "M%d %dh%dv1h-%dz%n", &x, &y, &n, &n2, &used), 4, "at %.20s", p);
		cr_assert_eq(n, n2);
		cr_assert(x >= QR_QUIET && y >= QR_QUIET && n >= 1 && x + n <= QR_QUIET + c.width &&
		    y < QR_QUIET + c.width, "run out of the symbol");
		for (int i = 0; i < n; i++) {
			cr_assert_eq(grid[y][x + i], 0, "module drawn twice");
			grid[y][x + i] = 1;
			drawn++;
		}
		p += used;
	}
	for (int y = 0; y < c.width; y++)
		for (int x = 0; x < c.width; x++) {
			dark += c.dark[y * c.width + x];
			cr_assert_eq(grid[y + QR_QUIET][x + QR_QUIET], c.dark[y * c.width + x]);
		}
	cr_assert_eq(drawn, dark);
	cr_assert_gt(dark, 49 * 49 / 3);
	free(svg);
}

Test(qr, limits)
{
	static char big[QR_TEXT_MAX + 2];
	struct qr_code c;
	unsigned char *png = NULL;
	char *svg = NULL;
	size_t len = 0;

	/* version 10 alphanumeric holds 311 characters at M: exactly the limit */
	memset(big, 'A', QR_TEXT_MAX);
	cr_assert_eq(qr_encode(big, QR_TEXT_MAX, &c), QR_OK);
	cr_assert_eq(c.version, 10);
	big[QR_TEXT_MAX] = 'A';
	cr_assert_eq(qr_encode(big, QR_TEXT_MAX + 1, &c), QR_ETOOLONG);
	/* 8-bit text: 213 bytes is version 10, 214 needs version 11 */
	memset(big, 'a', 214);
	cr_assert_eq(qr_encode(big, 213, &c), QR_OK);
	cr_assert_eq(c.version, 10);
	cr_assert_eq(qr_encode(big, 214, &c), QR_ETOOLONG);
	cr_assert_eq(qr_encode("", 0, &c), QR_EINVAL);
	cr_assert_eq(qr_encode(NULL, 3, &c), QR_EINVAL);
	cr_assert_eq(qr_encode("A\0B", 3, &c), QR_EINVAL);
	cr_assert_eq(qr_png_text("A", 1, 0, &png, &len), QR_EINVAL);
	cr_assert_eq(qr_png_text("A", 1, QR_SCALE_MAX + 1, &png, &len), QR_EINVAL);
	cr_assert_eq(qr_svg_text("A", 1, 0, &svg, &len), QR_EINVAL);
	cr_assert_eq(qr_png_text(big, 214, 4, &png, &len), QR_ETOOLONG);
	cr_assert_null(png);
	cr_assert_null(svg);
	cr_assert_str_eq(qr_err_code(QR_ETOOLONG), "qr_too_long");
}

Test(qrread, refuses_non_png_and_empty_images)
{
	char out[QRREAD_TEXT_MAX];
	unsigned char *png = NULL;
	size_t len = 0;
	struct qr_code c;

	cr_assert_eq(qr_read_png((const unsigned char *)"not a png", 9, out, sizeof(out), NULL),
	    QRREAD_EPNG);
	cr_assert_eq(qr_encode(LINK213, 213, &c), QR_OK);
	cr_assert_eq(qr_png(&c, 4, &png, &len), QR_OK);
	/* truncated */
	cr_assert_eq(qr_read_png(png, len / 2, out, sizeof(out), NULL), QRREAD_EPNG);
	/* all white: a valid PNG without a code */
	memset(c.dark, 0, sizeof(c.dark));
	free(png);
	cr_assert_eq(qr_png(&c, 4, &png, &len), QR_OK);
	cr_assert_eq(qr_read_png(png, len, out, sizeof(out), NULL), QRREAD_ENONE);
	free(png);
	cr_assert_eq(qr_read_png_file("/nonexistent.png", out, sizeof(out), NULL), QRREAD_EPNG);
}
