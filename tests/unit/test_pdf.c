/*
 * certs/pdf: input checks, and that a rendered document is a PDF. What it says and whether its
 * QR code scans is checked on the rendered page by tests/render/run.sh (pdftotext, pdftoppm,
 * zbarimg), which needs poppler.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certs/pdf.h"

#define LINK "HTTPS://SH.TMCRED.CN/V/TM-SH-2026-J-000123-J/" \
	"AEASKVBJTMXX6MYQDXN3H5Y3ATFRAQCAVQAQKRSEL5YMXNUGKIHIC4EKGSG33IACONZL4PBJLI" \
	"4PZ6SQWQH27SIHRAPSX7W7O3CIT7N2XZW7QHBOETKXJDEC75WYXTYNHD5JMJJITPKD4NCJDKVJ3UCQLUMNE" \
	"HTBYMAVGSBR"

static struct cert_doc
doc(void)
{
	return (struct cert_doc){
		.holder_name = "张三", .level = 'I', .serial = "TM-SH-2026-I-000123-Z", .rev = 1,
		.issued_on = { 2026, 3, 1 }, .expires_on = { 2029, 2, 28 },
		.base_name = "上海技术交易所国家技术转移人才培养基地", .node_name = "上海（SH）",
		.filing_no = NULL, .link = LINK,
	};
}

/*
 * The file's structure, as a strict reader checks it: header, startxref pointing at the xref
 * table, and every in-use xref entry pointing at "<n> 0 obj" (certs/pdfw.c writes it all).
 */
static void
assert_pdf(const unsigned char *p, size_t len)
{
	const char *sx;
	size_t xref, off;
	int first, count;

	cr_assert_gt(len, 1000);
	cr_assert_eq(memcmp(p, "%PDF-", 5), 0);
	cr_assert(memmem(p + len - 16, 16, "%%EOF", 5) != NULL);
	sx = memmem(p + len - 64, 64, "startxref\n", 10);
	cr_assert(sx != NULL);
	cr_assert_eq(sscanf(sx + 10, "%zu", &xref), 1);
	cr_assert_lt(xref, len);
	cr_assert_eq(memcmp(p + xref, "xref\n", 5), 0);
	cr_assert_eq(sscanf((const char *)p + xref + 5, "%d %d", &first, &count), 2);
	cr_assert_eq(first, 0);
	cr_assert_gt(count, 5);
	const char *e = strchr((const char *)p + xref + 5, '\n') + 1 + 20;   /* entry 1 */
	for (int n = 1; n < count; n++, e += 20) {
		char want[24];
		cr_assert_eq(sscanf(e, "%zu", &off), 1);
		cr_assert_eq(memcmp(e + 10, " 00000 n \n", 10), 0, "xref entry %d", n);
		snprintf(want, sizeof(want), "%d 0 obj\n", n);
		cr_assert_lt(off, len);
		cr_assert_eq(memcmp(p + off, want, strlen(want)), 0, "object %d at %zu", n, off);
	}
}

Test(pdf, certificate_renders)
{
	cr_assert_eq(pdf_warm(), 0);
	struct cert_doc d = doc();
	unsigned char *out = NULL;
	size_t len = 0;
	cr_assert_eq(pdf_certificate(&d, &out, &len), PDF_OK);
	assert_pdf(out, len);
	free(out);
	/* twice in one process: the cached pango context is reused */
	d.filing_no = "GJHJ-2026-000042";
	cr_assert_eq(pdf_certificate(&d, &out, &len), PDF_OK);
	assert_pdf(out, len);
	free(out);
}

Test(pdf, certificate_refuses_bad_input)
{
	unsigned char *out = NULL;
	size_t len = 0;
	struct cert_doc d;
	char longname[4 * PDF_NAME_MAX + 8];

#define REFUSED(stmt, want) do { d = doc(); stmt; \
	cr_assert_eq(pdf_certificate(&d, &out, &len), want, #stmt); cr_assert_null(out); } while (0)
	REFUSED(d.holder_name = "", PDF_EINVAL);
	REFUSED(d.holder_name = NULL, PDF_EINVAL);
	REFUSED(d.holder_name = "张\n三", PDF_EINVAL);
	REFUSED(d.holder_name = "\xe5\xbc", PDF_EINVAL);           /* truncated UTF-8 */
	REFUSED(d.level = 'X', PDF_EINVAL);
	REFUSED(d.rev = 0, PDF_EINVAL);
	REFUSED(d.rev = 256, PDF_EINVAL);
	REFUSED(d.issued_on = ((struct ymd){ 2026, 2, 30 }), PDF_EINVAL);
	REFUSED(d.expires_on = d.issued_on, PDF_EINVAL);
	REFUSED(d.base_name = "", PDF_EINVAL);
	REFUSED(d.node_name = NULL, PDF_EINVAL);
	REFUSED(d.link = NULL, PDF_EINVAL);
	/* a private-use character no font has would print blank: refused */
	REFUSED(d.holder_name = "\xee\x80\x80张", PDF_EGLYPH);
	/* a link that needs a QR version above 10 */
	static char biglink[PDF_LINK_MAX + 1];
	memset(biglink, 'a', 250);
	REFUSED(d.link = biglink, PDF_EQR);
	/* PDF_NAME_MAX code points pass, one more is refused (not cut) */
	longname[0] = '\0';
	for (int i = 0; i < PDF_NAME_MAX; i++)
		strcat(longname, "张");
	d = doc();
	d.holder_name = longname;
	cr_assert_eq(pdf_certificate(&d, &out, &len), PDF_OK);
	free(out);
	out = NULL;
	strcat(longname, "张");
	REFUSED(d.holder_name = longname, PDF_EINVAL);
#undef REFUSED
	cr_assert_str_eq(pdf_err_code(PDF_EINVAL), "pdf_invalid");
	cr_assert_str_eq(pdf_err_code(PDF_EGLYPH), "pdf_glyph");
	/* a rare character outside the BMP that the fonts do have is fine */
	d = doc();
	d.holder_name = "𠮷野";
	cr_assert_eq(pdf_certificate(&d, &out, &len), PDF_OK);
	free(out);
}

Test(pdf, statement_renders_and_checks)
{
	struct ledger_year ys[2] = {
		{ .year = 2025, .total_x2 = 190, .professional_x2 = 130, .general_x2 = 60,
		  .compulsory_x2 = 20, .required_x2 = 180, .required_prof_x2 = 120, .met = true },
		{ .year = 2026, .total_x2 = 101, .professional_x2 = 41, .general_x2 = 60,
		  .compulsory_x2 = 20, .required_x2 = 180, .required_prof_x2 = 120, .met = false },
	};
	struct statement_doc s = {
		.holder_name = "张三", .doc_no = "ST-SH-2026-000001", .years = ys, .n_years = 2,
		.issued_on = { 2026, 11, 27 }, .issuer = "上海（SH）", .link = LINK,
	};
	unsigned char *out = NULL;
	size_t len = 0;
	cr_assert_eq(pdf_statement(&s, &out, &len), PDF_OK);
	assert_pdf(out, len);
	free(out);
	out = NULL;
	s.n_years = 0;
	cr_assert_eq(pdf_statement(&s, &out, &len), PDF_EINVAL);
	s.n_years = PDF_YEARS_MAX + 1;
	cr_assert_eq(pdf_statement(&s, &out, &len), PDF_EINVAL);
	s.n_years = 2;
	ys[1].total_x2 = -1;
	cr_assert_eq(pdf_statement(&s, &out, &len), PDF_EINVAL);
	cr_assert_null(out);
}

Test(pdf, date_zh)
{
	char b[24];
	pdf_date_zh((struct ymd){ 2026, 3, 1 }, b, sizeof(b));
	cr_assert_str_eq(b, "2026年3月1日");
	pdf_date_zh((struct ymd){ 2029, 12, 31 }, b, sizeof(b));
	cr_assert_str_eq(b, "2029年12月31日");
}
