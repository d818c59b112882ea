/*
 * Test helper for tests/render/run.sh: renders sample certificates, statements and QR images
 * with the library code (certs/), and signs sample claims with a throwaway key. Not installed.
 *
 *   cert-sample cert OUT.pdf NAME LEVEL BASE [FILING [NODE]]   certificate; prints its link
 *   cert-sample statement OUT.pdf NAME                   credit statement; prints its link
 *   cert-sample png URL OUT.png SCALE | svg URL OUT.svg SCALE
 *   cert-sample keyset OUT.json SKFILE [KEYID [VALID_FROM]]
 *                                       a fresh key: the key set (node SH, base
 *                                       HTTPS://SH.TMCRED.CN) and the secret key (64 bytes, 0600)
 *   cert-sample sign SKFILE KEYID NAME LEVEL [ISSUED]   prints the link of signed sample claims
 *
 * The documents' links are signed by the key with seed 00 01 .. 1f (tests/unit/test_signature.c),
 * or by the key in the file $CERT_SAMPLE_SK (id SH1) when that is set.
 */
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "certs/keyset.h"
#include "certs/pdf.h"
#include "certs/qr.h"
#include "certs/serial.h"
#include "certs/signature.h"

static int
write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (f == NULL || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
		perror(path);
		return -1;
	}
	return 0;
}

static void
demo_key(unsigned char pk[SIG_PK_BYTES], unsigned char sk[SIG_SK_BYTES])
{
	unsigned char seed[32];
	for (int i = 0; i < 32; i++)
		seed[i] = (unsigned char)i;
	crypto_sign_seed_keypair(pk, sk, seed);
}

/* Signs the claims for name/level with the demo key; writes the link into url. */
static int
sample_link(const char *name, char level, struct cert_claims *c, char *url, size_t cap)
{
	unsigned char pk[SIG_PK_BYTES], sk[SIG_SK_BYTES], sig[SIG_BYTES];

	memset(c, 0, sizeof(*c));
	if (serial_format("SH", 2026, level, 123, c->serial) < 0)
		return -1;
	c->rev = 1;
	c->level = level;
	c->issued = (struct ymd){ 2026, 3, 1 };
	c->expires = (struct ymd){ 2029, 2, 28 };
	strcpy(c->key_id, "SH1");
	demo_key(pk, sk);
	if (getenv("CERT_SAMPLE_SK") != NULL) {
		FILE *f = fopen(getenv("CERT_SAMPLE_SK"), "rb");
		size_t n = f ? fread(sk, 1, SIG_SK_BYTES, f) : 0;
		if (f)
			fclose(f);
		if (n != SIG_SK_BYTES)
			return -1;
	}
	if (holder_hash(name, c->holder) < 0 || sig_sign(c, sk, sig) < 0 ||
	    verify_url("HTTPS://SH.TMCRED.CN", c, sig, url, cap) < 0)
		return -1;
	return 0;
}

/* A fresh Ed25519 key: its key set (one key from valid_from, open-ended) and its secret key. */
static int
make_keyset(const char *json_path, const char *sk_path, const char *id, const char *from)
{
	struct keyset ks;
	unsigned char sk[SIG_SK_BYTES];
	char *js;
	int fd, rc = -1;

	memset(&ks, 0, sizeof(ks));
	strcpy(ks.node, "SH");
	strcpy(ks.name, "上海");
	strcpy(ks.base_url, "HTTPS://SH.TMCRED.CN");
	ks.n = 1;
	snprintf(ks.keys[0].id, sizeof(ks.keys[0].id), "%s", id);
	if (!ymd_parse_str(from, &ks.keys[0].valid_from))
		return -1;
	crypto_sign_keypair(ks.keys[0].pk, sk);
	json_t *j = keyset_to_json(&ks);
	if (j == NULL || (js = json_dumps(j, JSON_INDENT(1))) == NULL)
		return -1;
	json_decref(j);
	if (write_file(json_path, js, strlen(js)) == 0 &&
	    (fd = open(sk_path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) >= 0) {
		rc = write(fd, sk, sizeof(sk)) == (ssize_t)sizeof(sk) && close(fd) == 0 ? 0 : -1;
	}
	free(js);
	sodium_memzero(sk, sizeof(sk));
	return rc;
}

/* Signs sample claims (serial TM-SH-<year>-<level>-000123, 3 years) with the key in sk_path. */
static int
sign_sample(const char *sk_path, const char *id, const char *name, char level, const char *issued,
    char *url, size_t cap)
{
	unsigned char sk[SIG_SK_BYTES], sig[SIG_BYTES];
	struct cert_claims c;
	FILE *f = fopen(sk_path, "rb");
	int ok;

	if (f == NULL)
		return -1;
	ok = fread(sk, 1, sizeof(sk), f) == sizeof(sk);
	fclose(f);
	memset(&c, 0, sizeof(c));
	c.rev = 1;
	c.level = level;
	snprintf(c.key_id, sizeof(c.key_id), "%s", id);
	if (!ok || !ymd_parse_str(issued, &c.issued))
		return -1;
	c.expires = (struct ymd){ c.issued.y + 3, c.issued.m, c.issued.d == 29 ? 28 : c.issued.d };
	if (serial_format("SH", c.issued.y, level, 123, c.serial) < 0 ||
	    holder_hash(name, c.holder) < 0 || sig_sign(&c, sk, sig) < 0 ||
	    verify_url("HTTPS://SH.TMCRED.CN", &c, sig, url, cap) < 0)
		return -1;
	return 0;
}

int
main(int argc, char **argv)
{
	unsigned char *out = NULL;
	size_t len = 0;
	char url[VERIFY_URL_MAX + 1];
	struct cert_claims c;

	if (sodium_init() < 0)
		return 1;
	if (argc >= 6 && strcmp(argv[1], "cert") == 0) {
		char level = argv[4][0];
		if (sample_link(argv[3], level, &c, url, sizeof(url)) < 0) {
			fprintf(stderr, "cannot sign the sample claims\n");
			return 1;
		}
		struct cert_doc d = {
			.holder_name = argv[3], .level = level, .serial = c.serial, .rev = c.rev,
			.issued_on = c.issued, .expires_on = c.expires, .base_name = argv[5],
			.node_name = argc > 7 ? argv[7] : "上海（SH）",
			.filing_no = argc > 6 && argv[6][0] ? argv[6] : NULL, .link = url,
		};
		enum pdf_err e = pdf_certificate(&d, &out, &len);
		if (e != PDF_OK) {
			fprintf(stderr, "pdf_certificate: %s\n", pdf_err_code(e));
			return 1;
		}
	} else if (argc == 4 && strcmp(argv[1], "statement") == 0) {
		struct ledger_year ys[3] = {
			{ .year = 2024, .total_x2 = 190, .professional_x2 = 130, .general_x2 = 60,
			  .compulsory_x2 = 20, .required_x2 = 180, .required_prof_x2 = 120, .met = true },
			{ .year = 2025, .total_x2 = 181, .professional_x2 = 121, .general_x2 = 60,
			  .compulsory_x2 = 24, .required_x2 = 180, .required_prof_x2 = 120, .met = true },
			{ .year = 2026, .total_x2 = 101, .professional_x2 = 41, .general_x2 = 60,
			  .compulsory_x2 = 20, .required_x2 = 180, .required_prof_x2 = 120, .met = false },
		};
		if (sample_link(argv[3], 'J', &c, url, sizeof(url)) < 0)
			return 1;
		struct statement_doc s = {
			.holder_name = argv[3], .doc_no = "ST-SH-2026-000001", .years = ys, .n_years = 3,
			.issued_on = { 2026, 11, 27 }, .issuer = "上海（SH）", .link = url,
		};
		enum pdf_err e = pdf_statement(&s, &out, &len);
		if (e != PDF_OK) {
			fprintf(stderr, "pdf_statement: %s\n", pdf_err_code(e));
			return 1;
		}
	} else if (argc == 5 && (strcmp(argv[1], "png") == 0 || strcmp(argv[1], "svg") == 0)) {
		enum qr_err e;
		int scale = atoi(argv[4]);
		snprintf(url, sizeof(url), "%s", argv[2]);
		if (argv[1][0] == 'p')
			e = qr_png_text(argv[2], strlen(argv[2]), scale, &out, &len);
		else
			e = qr_svg_text(argv[2], strlen(argv[2]), scale, (char **)&out, &len);
		if (e != QR_OK) {
			fprintf(stderr, "%s\n", qr_err_code(e));
			return 1;
		}
	} else if (argc >= 4 && strcmp(argv[1], "keyset") == 0) {
		return make_keyset(argv[2], argv[3], argc > 4 ? argv[4] : "SH1",
		    argc > 5 ? argv[5] : "2026-01-01") == 0 ? 0 : 1;
	} else if (argc >= 6 && strcmp(argv[1], "sign") == 0) {
		if (sign_sample(argv[2], argv[3], argv[4], argv[5][0], argc > 6 ? argv[6] : "2026-03-01",
		    url, sizeof(url)) < 0) {
			fprintf(stderr, "cannot sign\n");
			return 1;
		}
		printf("%s\n", url);
		return 0;
	} else {
		fprintf(stderr, "usage: see the comment at the top of tests/render/cert_sample.c\n");
		return 2;
	}
	if (write_file(argv[2][0] == 'H' || argv[2][0] == 'h' ? argv[3] : argv[2], out, len) < 0)
		return 1;
	free(out);
	printf("%s\n", url);
	return 0;
}
