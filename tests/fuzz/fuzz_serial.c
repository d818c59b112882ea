/*
 * The public-facing parsers of certs/: serial_parse (typed serials), verify_url_parse /
 * verify_path_parse (scanned links), base32 and verify_token_parse (the `s` parameter).
 * The first byte picks the target; the rest is the input.
 *
 *   0: serial_parse against an independent reference of certs/README.md (same result code;
 *      an accepted serial is the upper-cased input, re-formats to itself and satisfies
 *      Σ value·2^k ≡ 1 (mod 37) with its check character).
 *   1: verify_url_parse: an accepted link is exactly what verify_url writes for the parsed
 *      claims (the upper-cased input), and verify_path_parse agrees on its path.
 *   2: b32_decode / sig_from_base32 / verify_token_parse: whatever is accepted re-encodes to
 *      the upper-cased input (one text per value, so a changed character is a changed value).
 *
 * Nothing here signs or verifies, so libsodium needs no initialisation.
 */
#include <string.h>

#include "certs/serial.h"
#include "certs/signature.h"
#include "fuzz.h"

static const char A37[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*";

static void
upcase(const char *in, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		out[i] = (in[i] >= 'a' && in[i] <= 'z') ? (char)(in[i] - 32) : in[i];
	out[n] = '\0';
}

static bool
all_of(const char *s, size_t n, const char *lo_hi_pairs)
{
	for (size_t i = 0; i < n; i++) {
		bool in = false;
		for (const char *p = lo_hi_pairs; p[0] && p[1]; p += 2)
			in |= s[i] >= p[0] && s[i] <= p[1];
		if (!in)
			return false;
	}
	return true;
}

/* Σ value(cᵢ)·2^(n-1-i) over data + check ≡ 1 (mod 37): the pure-system check equation. */
static bool
ref_check_ok(const char *data, size_t n, char check)
{
	unsigned sum = 0;
	const char *p = strchr(A37, check);
	if (check == '\0' || p == NULL)
		return false;
	sum = (unsigned)(p - A37);
	unsigned w = 2;
	for (size_t i = n; i-- > 0;) {
		const char *q = strchr(A37, data[i]);
		if (data[i] == '\0' || q == NULL || data[i] == '*')
			return false;
		sum = (sum + (unsigned)(q - A37) * w) % 37;
		w = w * 2 % 37;
	}
	return sum == 1;
}

static enum serial_err
ref_serial(const char *in, size_t n, char canon[SERIAL_MAX + 1])
{
	if (n < 21 || n > 23)
		return SERIAL_EFORMAT;
	upcase(in, n, canon);
	/* the dash positions, exactly five */
	size_t dash[8], nd = 0;
	for (size_t i = 0; i < n; i++)
		if (canon[i] == '-') {
			if (nd == 5)
				return SERIAL_EFORMAT;
			dash[nd++] = i;
		}
	if (nd != 5 || dash[0] != 2 || canon[0] != 'T' || canon[1] != 'M')
		return SERIAL_EFORMAT;
	size_t nodelen = dash[1] - dash[0] - 1, ylen = dash[2] - dash[1] - 1,
	    llen = dash[3] - dash[2] - 1, qlen = dash[4] - dash[3] - 1, clen = n - dash[4] - 1;
	const char *node = canon + dash[0] + 1, *yr = canon + dash[1] + 1,
	    *lv = canon + dash[2] + 1, *sq = canon + dash[3] + 1;
	if (nodelen < 2 || nodelen > 4 || !all_of(node, nodelen, "AZ"))
		return SERIAL_ENODE;
	if (ylen != 4 || !all_of(yr, 4, "09"))
		return SERIAL_EYEAR;
	int y = (yr[0] - '0') * 1000 + (yr[1] - '0') * 100 + (yr[2] - '0') * 10 + (yr[3] - '0');
	if (y < 2000 || y > 2099)
		return SERIAL_EYEAR;
	if (llen != 1 || strchr("JIS", lv[0]) == NULL || lv[0] == '\0')
		return SERIAL_ELEVEL;
	if (qlen != 6 || !all_of(sq, 6, "09") || memcmp(sq, "000000", 6) == 0)
		return SERIAL_ESEQUENCE;
	if (clen != 1)
		return SERIAL_EFORMAT;
	char data[16];
	size_t k = 0;
	memcpy(data + k, node, nodelen);
	k += nodelen;
	memcpy(data + k, yr, 4);
	k += 4;
	data[k++] = lv[0];
	memcpy(data + k, sq, 6);
	k += 6;
	if (!ref_check_ok(data, k, canon[n - 1]))
		return SERIAL_ECHECKSUM;
	return SERIAL_OK;
}

static void
target_serial(const char *s, size_t n)
{
	struct serial out, again;
	char canon[SERIAL_MAX + 1], fmt[SERIAL_MAX + 1];
	enum serial_err rc = serial_parse(s, n, &out);
	enum serial_err want = ref_serial(s, n, canon);
	CHECK(rc == want);
	CHECK(serial_err_code(rc)[0] != '\0' && serial_err_message(rc)[0] != '\0');
	if (rc != SERIAL_OK)
		return;
	CHECK(strlen(out.text) == n && strcmp(out.text, canon) == 0);
	CHECK(serial_format(out.node, out.year, out.level, out.seq, fmt) == (int)n);
	CHECK(strcmp(fmt, out.text) == 0);
	CHECK(serial_parse(out.text, n, &again) == SERIAL_OK && strcmp(again.text, out.text) == 0);
	CHECK(out.check == out.text[n - 1]);

	/* serial_check_char on the raw input too, when it is a plain check-input string */
	if (n <= 16 && all_of(s, n, "09AZ"))
		CHECK(ref_check_ok(s, n, serial_check_char(s, n)));
}

static void
target_url(const char *s, size_t n)
{
	struct verify_link l, p;
	char up[512], url[VERIFY_URL_MAX + 1];
	enum vurl_err e = verify_url_parse(s, n, &l);
	CHECK(e >= VURL_OK && e <= VURL_ETOKEN);
	CHECK(vurl_err_code(e)[0] != '\0' && vurl_err_message(e)[0] != '\0');
	if (e == VURL_ESERIAL)
		CHECK(l.serial_err != SERIAL_OK);
	if (e != VURL_OK)
		return;
	CHECK(n <= VERIFY_URL_MAX);
	CHECK(cert_claims_valid(&l.claims));
	upcase(s, n, up);
	int k = verify_url(l.base, &l.claims, l.sig, url, sizeof(url));
	CHECK(k == (int)n && memcmp(url, up, n) == 0);
	size_t bl = strlen(l.base);
	CHECK(verify_path_parse(s + bl, n - bl, &p) == VURL_OK);
	CHECK(memcmp(p.sig, l.sig, SIG_BYTES) == 0);
	CHECK(strcmp(p.claims.serial, l.claims.serial) == 0 && p.claims.rev == l.claims.rev);
}

static void
target_base32(const char *s, size_t n)
{
	unsigned char buf[128], sig[SIG_BYTES];
	char up[256], enc[256];
	if (n > 200)
		return;
	upcase(s, n, up);
	/* every length that is b32_len of some byte count */
	size_t bytes = n * 5 / 8;
	if (b32_decode(s, n, buf, bytes) == 0) {
		CHECK(b32_len(bytes) == n);
		b32_encode(buf, bytes, enc);
		CHECK(strcmp(enc, up) == 0);
	}
	if (sig_from_base32(s, n, sig) == 0) {
		CHECK(n == SIG_B32_LEN);
		sig_to_base32(sig, enc);
		CHECK(strcmp(enc, up) == 0);
	}
	struct serial ser;
	struct cert_claims c;
	CHECK(serial_parse("TM-SH-2026-J-000123-J", 21, &ser) == SERIAL_OK);
	if (verify_token_parse(&ser, s, n, &c, sig) == 0) {
		CHECK(cert_claims_valid(&c));
		CHECK(verify_token(&c, sig, enc, sizeof(enc)) == (int)n);
		CHECK(strcmp(enc, up) == 0);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *s = (const char *)data + 1;
	size_t n = size - 1;
	switch (data[0] % 3) {
	case 0: target_serial(s, n); break;
	case 1: target_url(s, n); break;
	default: target_base32(s, n); break;
	}
	return 0;
}
