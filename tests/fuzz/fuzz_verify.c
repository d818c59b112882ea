/*
 * What a QR link reader decides: verify_url_parse / verify_path_parse of the input, then
 * cert_check against a key set of node SH with the fixed key SH1 (valid from 2000-01-01).
 * Invariants: a link is genuine only when its claims and signature are exactly the ones
 * the key signed; re-signing the parsed claims with the key makes them genuine (when the
 * claims name SH and SH1), and the URL written for them parses back to the same claims;
 * flipping any bit of that signature makes them forged.
 */
#include <stdbool.h>

#include "fuzz_sign.h"

static struct keyset ks;

/* Field by field: the structs have padding that the parsers need not clear. */
static bool
claims_eq(const struct cert_claims *a, const struct cert_claims *b)
{
	return strcmp(a->serial, b->serial) == 0 && a->rev == b->rev && a->level == b->level &&
	    memcmp(a->holder, b->holder, HOLDER_HASH_BYTES) == 0 && ymd_cmp(a->issued, b->issued) == 0 &&
	    ymd_cmp(a->expires, b->expires) == 0 && strcmp(a->key_id, b->key_id) == 0;
}

static void
set_init(void)
{
	if (ks.n)
		return;
	memcpy(ks.node, "SH", 3);
	memcpy(ks.base_url, "HTTPS://SH.TMCRED.CN", 21);
	ks.n = 1;
	memcpy(ks.keys[0].id, "SH1", 4);
	memcpy(ks.keys[0].pk, fz_pk, SIG_PK_BYTES);
	ks.keys[0].valid_from = (struct ymd){ 2000, 1, 1 };
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct verify_link l, back;
	if (size < 1)
		return 0;
	fz_sign_init();
	set_init();
	const char *s = (const char *)data + 1;
	size_t n = size - 1;
	enum vurl_err e = data[0] & 1 ? verify_url_parse(s, n, &l) : verify_path_parse(s, n, &l);
	if (e != VURL_OK)
		return 0;
	CHECK(cert_claims_valid(&l.claims));
	enum cert_check c = cert_check(&ks, &l);
	if (c == CHECK_GENUINE) {
		CHECK(claims_eq(&l.claims, &fz_claims));
		CHECK(memcmp(l.sig, fz_sig, SIG_BYTES) == 0);
	}
	if (strncmp(l.claims.serial, "TM-SH-", 6) != 0)
		CHECK(c == CHECK_OTHER_NODE);

	/* sign what was parsed: genuine for SH/SH1, and the URL reads back */
	CHECK(sig_sign(&l.claims, fz_sk, l.sig) == 0);
	c = cert_check(&ks, &l);
	if (strncmp(l.claims.serial, "TM-SH-", 6) == 0 && strcmp(l.claims.key_id, "SH1") == 0)
		CHECK(c == CHECK_GENUINE);
	else
		CHECK(c == CHECK_OTHER_NODE || c == CHECK_UNKNOWN_KEY);
	char url[VERIFY_URL_MAX + 1];
	int k = verify_url(ks.base_url, &l.claims, l.sig, url, sizeof(url));
	CHECK(k > 0);
	CHECK(verify_url_parse(url, (size_t)k, &back) == VURL_OK);
	CHECK(claims_eq(&back.claims, &l.claims));
	CHECK(memcmp(back.sig, l.sig, SIG_BYTES) == 0);
	CHECK(strcmp(back.base, ks.base_url) == 0);
	if (c == CHECK_GENUINE) {
		back.sig[data[0] % SIG_BYTES] ^= (unsigned char)(1u << (size % 8));
		CHECK(cert_check(&ks, &back) == CHECK_FORGED);
		/* the claims changed under the same signature: forged too */
		l.claims.rev = l.claims.rev % CERT_REV_MAX + 1;
		CHECK(cert_check(&ks, &l) == CHECK_FORGED);
	}
	return 0;
}
