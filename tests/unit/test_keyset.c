/*
 * certs/keyset: the published key set document and cert_check(), the one decision every
 * verifier (server, tmcred-verify, peers) makes before any database.
 */
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "certs/keyset.h"

static unsigned char pk1[32], sk1[64], pk2[32], sk2[64];
static char pk1_b64[64], pk2_b64[64];

static void
setup(void)
{
	unsigned char seed[32];
	cr_assert_geq(sodium_init(), 0);
	memset(seed, 1, sizeof(seed));
	crypto_sign_seed_keypair(pk1, sk1, seed);
	memset(seed, 2, sizeof(seed));
	crypto_sign_seed_keypair(pk2, sk2, seed);
	sodium_bin2base64(pk1_b64, sizeof(pk1_b64), pk1, 32, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_bin2base64(pk2_b64, sizeof(pk2_b64), pk2, 32, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

TestSuite(keyset, .init = setup);

/* Two keys: SH1 signed 2026-01-01..2026-06-30, SH2 from 2026-07-01 on. */
static void
two_keys(char *buf, size_t cap)
{
	snprintf(buf, cap, "{\"format\":\"tmcred-keys-v1\",\"node\":\"SH\",\"name\":\"上海\","
	    "\"base_url\":\"https://sh.tmcred.cn\",\"keys\":["
	    "{\"id\":\"SH1\",\"alg\":\"Ed25519\",\"public_key\":\"%s\",\"valid_from\":\"2026-01-01\","
	    "\"valid_until\":\"2026-06-30\"},"
	    "{\"id\":\"SH2\",\"alg\":\"Ed25519\",\"public_key\":\"%s\",\"valid_from\":\"2026-07-01\","
	    "\"valid_until\":null}]}", pk1_b64, pk2_b64);
}

static struct verify_link
link_for(const char *serial, const char *key, struct ymd issued, const unsigned char *sk)
{
	struct verify_link l;
	memset(&l, 0, sizeof(l));
	snprintf(l.claims.serial, sizeof(l.claims.serial), "%s", serial);
	l.claims.rev = 1;
	l.claims.level = 'J';
	holder_hash("张三", l.claims.holder);
	l.claims.issued = issued;
	l.claims.expires = (struct ymd){ issued.y + 3, issued.m, issued.d - 1 > 0 ? issued.d - 1 : 1 };
	snprintf(l.claims.key_id, sizeof(l.claims.key_id), "%s", key);
	cr_assert_eq(sig_sign(&l.claims, sk, l.sig), 0);
	return l;
}

/* A valid serial of node SH, level J (check character computed by serial_format). */
static void
serial_sh(char out[SERIAL_MAX + 1], const char *node)
{
	cr_assert_gt(serial_format(node, 2026, 'J', 123, out), 0);
}

Test(keyset, parse_and_round_trip)
{
	char doc[2048];
	struct keyset ks, again;
	const char *why = NULL;
	two_keys(doc, sizeof(doc));
	cr_assert_eq(keyset_parse(doc, strlen(doc), &ks, &why), 0, "%s", why);
	cr_assert_str_eq(ks.node, "SH");
	cr_assert_str_eq(ks.base_url, "HTTPS://SH.TMCRED.CN");
	cr_assert_str_eq(ks.name, "上海");
	cr_assert_eq(ks.n, 2);
	cr_assert_eq(memcmp(ks.keys[1].pk, pk2, 32), 0);
	cr_assert_eq(ks.keys[1].has_until, 0);

	json_t *j = keyset_to_json(&ks);
	char *text = json_dumps(j, JSON_COMPACT);
	cr_assert_eq(keyset_parse(text, strlen(text), &again, &why), 0, "%s", why);
	cr_assert_eq(memcmp(&ks, &again, sizeof(ks)), 0);
	free(text);
	json_decref(j);
}

Test(keyset, refuses_bad_documents)
{
	static const char *bad[] = {
		"", "[]", "{}", "not json",
		"{\"format\":\"x\",\"node\":\"SH\",\"base_url\":\"HTTPS://A.B\",\"keys\":[]}",
		"{\"format\":\"tmcred-keys-v1\",\"node\":\"S\",\"base_url\":\"HTTPS://A.B\",\"keys\":[]}",
		"{\"format\":\"tmcred-keys-v1\",\"node\":\"SH\",\"base_url\":\"ftp://a\",\"keys\":[]}",
		"{\"format\":\"tmcred-keys-v1\",\"node\":\"SH\",\"base_url\":\"HTTPS://A.B\",\"keys\":[]}",
		"{\"format\":\"tmcred-keys-v1\",\"node\":\"SH\",\"base_url\":\"HTTPS://A.B\",\"keys\":"
		    "[{\"id\":\"SH1\",\"alg\":\"RSA\",\"public_key\":\"AA\",\"valid_from\":\"2026-01-01\"}]}",
		"{\"format\":\"tmcred-keys-v1\",\"node\":\"SH\",\"base_url\":\"HTTPS://A.B\",\"keys\":"
		    "[{\"id\":\"SH1\",\"alg\":\"Ed25519\",\"public_key\":\"AA\",\"valid_from\":\"2026-01-01\"}]}",
		"{\"format\":\"tmcred-keys-v1\",\"format\":\"tmcred-keys-v1\",\"node\":\"SH\"}",
	};
	struct keyset ks;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *why = NULL;
		cr_assert_eq(keyset_parse(bad[i], strlen(bad[i]), &ks, &why), -1, "case %zu", i);
		cr_assert_not_null(why);
		cr_assert_eq(ks.n, 0);
	}
	/* a bad window, a duplicate id, a lower-case id */
	char doc[2048];
	const char *tmpl = "{\"format\":\"tmcred-keys-v1\",\"node\":\"SH\",\"base_url\":\"HTTPS://A.B\","
	    "\"keys\":[{\"id\":\"%s\",\"alg\":\"Ed25519\",\"public_key\":\"%s\",\"valid_from\":\"2026-05-01\","
	    "\"valid_until\":\"%s\"}%s]}";
	char dup[256];
	snprintf(dup, sizeof(dup), ",{\"id\":\"SH1\",\"alg\":\"Ed25519\",\"public_key\":\"%s\","
	    "\"valid_from\":\"2026-01-01\",\"valid_until\":null}", pk2_b64);
	snprintf(doc, sizeof(doc), tmpl, "SH1", pk1_b64, "2026-04-30", "");
	cr_assert_eq(keyset_parse(doc, strlen(doc), &ks, NULL), -1);
	snprintf(doc, sizeof(doc), tmpl, "SH1", pk1_b64, "2026-05-01", dup);
	cr_assert_eq(keyset_parse(doc, strlen(doc), &ks, NULL), -1);
	snprintf(doc, sizeof(doc), tmpl, "sh1", pk1_b64, "2026-05-01", "");
	cr_assert_eq(keyset_parse(doc, strlen(doc), &ks, NULL), -1);
	snprintf(doc, sizeof(doc), tmpl, "SH1", pk1_b64, "2026-05-01", "");
	cr_assert_eq(keyset_parse(doc, strlen(doc), &ks, NULL), 0);
}

Test(keyset, check_outcomes)
{
	char doc[2048], ser[SERIAL_MAX + 1], other[SERIAL_MAX + 1];
	struct keyset ks;
	two_keys(doc, sizeof(doc));
	cr_assert_eq(keyset_parse(doc, strlen(doc), &ks, NULL), 0);
	serial_sh(ser, "SH");
	serial_sh(other, "JS");

	struct verify_link l = link_for(ser, "SH1", (struct ymd){ 2026, 3, 1 }, sk1);
	cr_assert_eq(cert_check(&ks, &l), CHECK_GENUINE);
	/* rotation: the old key still verifies what it signed; the new one signs from July */
	l = link_for(ser, "SH2", (struct ymd){ 2026, 8, 1 }, sk2);
	cr_assert_eq(cert_check(&ks, &l), CHECK_GENUINE);
	/* the old key after its window, the new one before its window */
	l = link_for(ser, "SH1", (struct ymd){ 2026, 7, 1 }, sk1);
	cr_assert_eq(cert_check(&ks, &l), CHECK_KEY_WINDOW);
	l = link_for(ser, "SH2", (struct ymd){ 2026, 6, 30 }, sk2);
	cr_assert_eq(cert_check(&ks, &l), CHECK_KEY_WINDOW);
	/* a key id that is not in the set; the wrong key for an id */
	l = link_for(ser, "SH9", (struct ymd){ 2026, 3, 1 }, sk1);
	cr_assert_eq(cert_check(&ks, &l), CHECK_UNKNOWN_KEY);
	l = link_for(ser, "SH1", (struct ymd){ 2026, 3, 1 }, sk2);
	cr_assert_eq(cert_check(&ks, &l), CHECK_FORGED);
	/* another node's serial */
	l = link_for(other, "SH1", (struct ymd){ 2026, 3, 1 }, sk1);
	cr_assert_eq(cert_check(&ks, &l), CHECK_OTHER_NODE);
	/* any flipped bit of the signature or change of a claim */
	l = link_for(ser, "SH1", (struct ymd){ 2026, 3, 1 }, sk1);
	for (int i = 0; i < 64 * 8; i++) {
		struct verify_link m = l;
		m.sig[i / 8] ^= (unsigned char)(1u << (i % 8));
		cr_assert_eq(cert_check(&ks, &m), CHECK_FORGED, "bit %d", i);
	}
	struct verify_link m = l;
	m.claims.rev = 2;
	cr_assert_eq(cert_check(&ks, &m), CHECK_FORGED);
	m = l;
	m.claims.expires.y += 1;
	cr_assert_eq(cert_check(&ks, &m), CHECK_FORGED);
	m = l;
	m.claims.holder[0] ^= 1;
	cr_assert_eq(cert_check(&ks, &m), CHECK_FORGED);
	cr_assert_str_eq(cert_check_code(CHECK_KEY_WINDOW), "key_window");
}
