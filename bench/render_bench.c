/*
 * bench/render.sh's program: certificates rendered per second on one core, single-threaded,
 * with references measured in the same run:
 *
 *   sign        sig_sign (Ed25519 over the canonical payload) alone        reference
 *   qrencode    libqrencode on the 213-character link alone                reference
 *   png         qr_png of an encoded code alone (scale 4)                  attribution
 *   sign_png    claims → sig_sign → verify_url → qr_encode → qr_png        target ≥ 2,500/s
 *   svg         qr_encode → qr_svg                                          for context
 *   pdf_empty   an A4 cairo PDF with the frame and no text                 reference
 *   pdf         pdf_certificate (pango text, Noto CJK subset, vector QR)   target ≥ 60/s
 *   statement   pdf_statement with 3 years                                  for context
 *
 * Each measurement runs until SECONDS (default 3) have passed or MAX iterations are done,
 * whichever comes first (every loop is bounded), after a warm-up of 1/10 of that. Prints one
 * line per measurement: name, iterations, wall seconds, per CPU-second of this thread, µs of CPU
 * each, and per wall second. The CPU-time rate is the "per core" figure: on a shared box the
 * pinned core also runs other processes, which wall time would count against us.
 *
 *   render_bench [SECONDS [MAX]]
 */
#include <cairo-pdf.h>
#include <qrencode.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "certs/pdf.h"
#include "certs/qr.h"
#include "certs/serial.h"
#include "certs/signature.h"

static double secs = 3;
static long max_iter = 200000;
static unsigned char pk[SIG_PK_BYTES], sk[SIG_SK_BYTES];
static volatile size_t sink;            /* keeps results alive */

static double
clock_s(clockid_t id)
{
	struct timespec t;
	clock_gettime(id, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double
now(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

static double
cpu(void)
{
	return clock_s(CLOCK_THREAD_CPUTIME_ID);
}

static struct cert_claims
claims(unsigned i)
{
	struct cert_claims c;
	memset(&c, 0, sizeof(c));
	serial_format("SH", 2026, "JIS"[i % 3], 1 + i % 999999, c.serial);
	c.rev = 1;
	c.level = "JIS"[i % 3];
	holder_hash("张三", c.holder);
	c.holder[0] = (unsigned char)i;         /* a different holder each time */
	c.issued = (struct ymd){ 2026, 3, 1 };
	c.expires = (struct ymd){ 2029, 2, 28 };
	strcpy(c.key_id, "SH1");
	return c;
}

static char link213[VERIFY_URL_MAX + 1];

static int
op_sign(unsigned i)
{
	struct cert_claims c = claims(i);
	unsigned char sig[SIG_BYTES];
	if (sig_sign(&c, sk, sig) != 0)
		return -1;
	sink += sig[0];
	return 0;
}

static int
op_qrencode(unsigned i)
{
	(void)i;
	QRcode *q = QRcode_encodeString(link213, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (q == NULL)
		return -1;
	sink += (size_t)q->width;
	QRcode_free(q);
	return 0;
}

static int scale = 4;
static struct qr_code code213;

static int
op_png(unsigned i)
{
	unsigned char *png;
	size_t len;
	(void)i;
	if (qr_png(&code213, 4, &png, &len) != QR_OK)
		return -1;
	sink += len;
	free(png);
	return 0;
}

static int
op_sign_png(unsigned i)
{
	struct cert_claims c = claims(i);
	unsigned char sig[SIG_BYTES], *png;
	char url[VERIFY_URL_MAX + 1];
	size_t len;
	int n;
	if (sig_sign(&c, sk, sig) != 0 ||
	    (n = verify_url("HTTPS://SH.TMCRED.CN", &c, sig, url, sizeof(url))) < 0 ||
	    qr_png_text(url, (size_t)n, scale, &png, &len) != QR_OK)
		return -1;
	sink += len;
	free(png);
	return 0;
}

static int
op_svg(unsigned i)
{
	(void)i;
	char *svg;
	size_t len;
	if (qr_svg_text(link213, strlen(link213), 4, &svg, &len) != QR_OK)
		return -1;
	sink += len;
	free(svg);
	return 0;
}

static cairo_status_t
count_write(void *closure, const unsigned char *data, unsigned int n)
{
	(void)data;
	*(size_t *)closure += n;
	return CAIRO_STATUS_SUCCESS;
}

static int
op_pdf_empty(unsigned i)
{
	(void)i;
	size_t n = 0;
	cairo_surface_t *s = cairo_pdf_surface_create_for_stream(count_write, &n, 595.28, 841.89);
	cairo_t *cr = cairo_create(s);
	cairo_set_line_width(cr, 2.4);
	cairo_rectangle(cr, 28, 28, 539, 785);
	cairo_stroke(cr);
	cairo_show_page(cr);
	cairo_destroy(cr);
	cairo_surface_finish(s);
	cairo_surface_destroy(s);
	sink += n;
	return 0;
}

static int
op_pdf(unsigned i)
{
	struct cert_claims c = claims(i);
	unsigned char sig[SIG_BYTES], *pdf;
	char url[VERIFY_URL_MAX + 1];
	size_t len;
	if (sig_sign(&c, sk, sig) != 0 ||
	    verify_url("HTTPS://SH.TMCRED.CN", &c, sig, url, sizeof(url)) < 0)
		return -1;
	struct cert_doc d = {
		.holder_name = (i & 1) ? "张三" : "欧阳晓明", .level = c.level, .serial = c.serial,
		.rev = 1, .issued_on = c.issued, .expires_on = c.expires,
		.base_name = "上海技术交易所国家技术转移人才培养基地", .node_name = "上海（SH）",
		.filing_no = c.level == 'J' ? NULL : "GJHJ-2026-000042", .link = url,
	};
	if (pdf_certificate(&d, &pdf, &len) != PDF_OK)
		return -1;
	sink += len;
	free(pdf);
	return 0;
}

static int
op_statement(unsigned i)
{
	struct ledger_year ys[3] = {
		{ .year = 2024, .total_x2 = 190, .professional_x2 = 130, .general_x2 = 60,
		  .compulsory_x2 = 20, .required_x2 = 180, .required_prof_x2 = 120, .met = true },
		{ .year = 2025, .total_x2 = 181, .professional_x2 = 121, .general_x2 = 60,
		  .compulsory_x2 = 24, .required_x2 = 180, .required_prof_x2 = 120, .met = true },
		{ .year = 2026, .total_x2 = 101 + (int)(i % 50), .professional_x2 = 41,
		  .general_x2 = 60, .compulsory_x2 = 20, .required_x2 = 180,
		  .required_prof_x2 = 120, .met = false },
	};
	struct statement_doc s = {
		.holder_name = "李小明", .doc_no = "ST-SH-2026-000001", .years = ys, .n_years = 3,
		.issued_on = { 2026, 11, 27 }, .issuer = "上海（SH）", .link = link213,
	};
	unsigned char *pdf;
	size_t len;
	if (pdf_statement(&s, &pdf, &len) != PDF_OK)
		return -1;
	sink += len;
	free(pdf);
	return 0;
}

static double
measure(const char *name, int (*op)(unsigned))
{
	double t0, t, dt, c0, dc;
	long n = 0;

	/* warm-up: caches, font map, allocator */
	for (t0 = now(); n < max_iter / 10 + 1 && now() - t0 < secs / 10; n++)
		if (op((unsigned)n) != 0) {
			fprintf(stderr, "%s failed\n", name);
			exit(1);
		}
	n = 0;
	t0 = now();
	c0 = cpu();
	do {
		for (int k = 0; k < 16 && n < max_iter; k++, n++)
			if (op((unsigned)n) != 0) {
				fprintf(stderr, "%s failed\n", name);
				exit(1);
			}
		t = now();
	} while (t - t0 < secs && n < max_iter);
	dt = t - t0;
	dc = cpu() - c0;
	printf("%-12s %8ld %7.3f s %10.1f /s %9.1f us %10.1f /wall-s\n", name, n, dt, n / dc,
	    dc / n * 1e6, n / dt);
	fflush(stdout);
	return n / dc;
}

int
main(int argc, char **argv)
{
	unsigned char sig[SIG_BYTES], seed[32] = { 0 };
	struct cert_claims c;
	double first_pdf;

	if (argc > 1)
		secs = atof(argv[1]);
	if (argc > 2)
		max_iter = atol(argv[2]);
	if (secs <= 0 || secs > 60 || max_iter < 1 || max_iter > 10000000) {
		fprintf(stderr, "usage: render_bench [SECONDS (0..60] [MAX (1..1e7)]]\n");
		return 2;
	}
	if (sodium_init() < 0)
		return 1;
	crypto_sign_seed_keypair(pk, sk, seed);
	c = claims(0);
	sig_sign(&c, sk, sig);
	if (verify_url("HTTPS://SH.TMCRED.CN", &c, sig, link213, sizeof(link213)) != 213)
		return 1;

	/* the first PDF of a process pays fontconfig's setup once */
	double t0 = now();
	if (op_pdf(0) != 0)
		return 1;
	first_pdf = now() - t0;
	printf("%-12s %8d %7.3f s %10s    %9.1f us %10s\n", "pdf_first", 1, first_pdf, "-",
	    first_pdf * 1e6, "-");

	measure("sign", op_sign);
	measure("qrencode", op_qrencode);
	if (qr_encode(link213, strlen(link213), &code213) != QR_OK)
		return 1;
	measure("png", op_png);
	measure("sign_png", op_sign_png);
	scale = 8;
	measure("sign_png8", op_sign_png);
	measure("svg", op_svg);
	measure("pdf_empty", op_pdf_empty);
	measure("pdf", op_pdf);
	measure("statement", op_statement);
	return sink == 0;
}
