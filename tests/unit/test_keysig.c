/*
 * certs/keysig: a key set's canonical bytes, its fingerprint, its signatures and the rotation
 * decision a peer makes on a refetched set.
 */
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "certs/keysig.h"

static unsigned char pk1[32], sk1[64], pk2[32], sk2[64], pk3[32], sk3[64];
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
	memset(seed, 3, sizeof(seed));
	crypto_sign_seed_keypair(pk3, sk3, seed);
	sodium_bin2base64(pk1_b64, sizeof(pk1_b64), pk1, 32, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_bin2base64(pk2_b64, sizeof(pk2_b64), pk2, 32, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

TestSuite(keysig, .init = setup);

static struct keyset
one_key(void)
{
	struct keyset ks;
	memset(&ks, 0, sizeof(ks));
	strcpy(ks.node, "JS");
	strcpy(ks.name, "江苏");
	strcpy(ks.base_url, "HTTP://127.0.0.1:8081");
	ks.n = 1;
	strcpy(ks.keys[0].id, "JS1");
	memcpy(ks.keys[0].pk, pk1, 32);
	ks.keys[0].valid_from = (struct ymd){ 2020, 1, 1 };
	return ks;
}

/* JS1 closed on 2026-07-01, JS2 (key 2) open from that day; listed newest first. */
static struct keyset
rotated(void)
{
	struct keyset ks = one_key();
	ks.n = 2;
	ks.keys[1] = ks.keys[0];
	ks.keys[1].has_until = 1;
	ks.keys[1].valid_until = (struct ymd){ 2026, 7, 1 };
	strcpy(ks.keys[0].id, "JS2");
	memcpy(ks.keys[0].pk, pk2, 32);
	ks.keys[0].valid_from = (struct ymd){ 2026, 7, 1 };
	return ks;
}

Test(keysig, canonical_bytes_are_exact_and_sorted_by_key_id)
{
	char buf[KEYSET_CANON_MAX], want[KEYSET_CANON_MAX];
	struct keyset ks = rotated();
	int n = keyset_canonical(&ks, buf, sizeof(buf));
	snprintf(want, sizeof(want), "tmcred-keyset-v1\nnode=JS\nname=江苏\nbase_url=HTTP://127.0.0.1:8081\n"
	    "key=JS1 %s 2020-01-01 2026-07-01\nkey=JS2 %s 2026-07-01 -\n", pk1_b64, pk2_b64);
	cr_assert_eq(n, (int)strlen(want));
	cr_assert_str_eq(buf, want);
}

Test(keysig, fingerprint_is_sha256_hex_of_the_canonical_bytes)
{
	char want[KEYSET_CANON_MAX], fp[KEYSET_FP_HEX + 1], hex[65];
	unsigned char h[32];
	struct keyset ks = one_key();
	snprintf(want, sizeof(want), "tmcred-keyset-v1\nnode=JS\nname=江苏\nbase_url=HTTP://127.0.0.1:8081\n"
	    "key=JS1 %s 2020-01-01 -\n", pk1_b64);
	crypto_hash_sha256(h, (const unsigned char *)want, strlen(want));
	sodium_bin2hex(hex, sizeof(hex), h, 32);
	cr_assert_eq(keyset_fingerprint(&ks, fp), 0);
	cr_assert_str_eq(fp, hex);
	cr_assert(keyset_fp_valid(fp));
	fp[63] = 'g';
	cr_assert_not(keyset_fp_valid(fp));
	fp[63] = '\0';
	cr_assert_not(keyset_fp_valid(fp));
}

Test(keysig, every_field_changes_the_fingerprint)
{
	char a[65], b[65];
	struct keyset ks = rotated(), t;
	cr_assert_eq(keyset_fingerprint(&ks, a), 0);
	t = ks; t.name[0] ^= 1;                        cr_assert_eq(keyset_fingerprint(&t, b), 0); cr_assert_str_neq(a, b);
	t = ks; strcpy(t.base_url, "HTTP://127.0.0.1:8082"); keyset_fingerprint(&t, b); cr_assert_str_neq(a, b);
	t = ks; t.keys[1].valid_until.d = 2;           keyset_fingerprint(&t, b); cr_assert_str_neq(a, b);
	t = ks; t.keys[0].has_until = 1; t.keys[0].valid_until = (struct ymd){ 2030, 1, 1 };
	keyset_fingerprint(&t, b); cr_assert_str_neq(a, b);
	t = ks; t.keys[0].pk[5] ^= 1;                  keyset_fingerprint(&t, b); cr_assert_str_neq(a, b);
	/* order of the keys in the document does not matter */
	t = ks; t.keys[0] = ks.keys[1]; t.keys[1] = ks.keys[0];
	keyset_fingerprint(&t, b); cr_assert_str_eq(a, b);
	/* a line break in the name could forge a key line: refused */
	t = ks; strcpy(t.name, "x\nkey=JS9");
	cr_assert_eq(keyset_fingerprint(&t, b), -1);
}

Test(keysig, signed_document_round_trips)
{
	struct keyset ks = rotated(), back;
	struct keyset_sigs sigs = { 0 }, got;
	char signer[9];
	cr_assert_eq(keyset_sign(&ks, "JS1", sk1, &sigs.s[0]), 0);
	cr_assert_eq(keyset_sign(&ks, "JS2", sk2, &sigs.s[1]), 0);
	sigs.n = 2;
	json_t *doc = keyset_signed_json(&ks, &sigs);
	char *text = json_dumps(doc, JSON_COMPACT);
	cr_assert_eq(keyset_parse(text, strlen(text), &back, NULL), 0);
	cr_assert_eq(keyset_sigs_parse(text, strlen(text), &got), 0);
	cr_assert_eq(got.n, 2);
	struct keyset old = one_key();
	cr_assert(keyset_endorsed(&old, &back, &got, signer));
	cr_assert_str_eq(signer, "JS1");
	free(text);
	json_decref(doc);
}

Test(keysig, rotation_needs_a_trusted_signature)
{
	struct keyset old = one_key(), fresh = rotated();
	struct keyset_sigs sigs = { 0 };
	char signer[9];

	cr_assert_eq(keyset_update_check(&old, &old, &sigs, signer), KU_SAME);
	/* unsigned */
	cr_assert_eq(keyset_update_check(&old, &fresh, &sigs, signer), KU_UNSIGNED);
	/* signed only by the new key: peers do not trust it yet */
	keyset_sign(&fresh, "JS2", sk2, &sigs.s[0]);
	sigs.n = 1;
	cr_assert_eq(keyset_update_check(&old, &fresh, &sigs, signer), KU_UNSIGNED);
	/* a signature by a stranger under the trusted id */
	keyset_sign(&fresh, "JS1", sk3, &sigs.s[1]);
	sigs.n = 2;
	cr_assert_eq(keyset_update_check(&old, &fresh, &sigs, signer), KU_UNSIGNED);
	/* the trusted key's signature over another set does not carry over */
	struct keyset other = fresh;
	other.keys[0].valid_from.d = 2;
	keyset_sign(&other, "JS1", sk1, &sigs.s[2]);
	sigs.n = 3;
	cr_assert_eq(keyset_update_check(&old, &fresh, &sigs, signer), KU_UNSIGNED);
	/* endorsed by the trusted key */
	keyset_sign(&fresh, "JS1", sk1, &sigs.s[3]);
	sigs.n = 4;
	cr_assert_eq(keyset_update_check(&old, &fresh, &sigs, signer), KU_ROTATED);
	cr_assert_str_eq(signer, "JS1");
	/* never another node code, even signed */
	strcpy(fresh.node, "ZJ");
	cr_assert_eq(keyset_update_check(&old, &fresh, &sigs, signer), KU_NODE_CHANGED);
}

Test(keysig, malformed_signatures_are_refused)
{
	struct keyset_sigs s;
	const char *bad[] = {
		"{\"signatures\":{}}",
		"{\"signatures\":[{\"key\":\"JS1\",\"alg\":\"RSA\",\"sig\":\"AA\"}]}",
		"{\"signatures\":[{\"key\":\"js 1\",\"alg\":\"Ed25519\",\"sig\":\"AA\"}]}",
		"{\"signatures\":[{\"key\":\"JS1\",\"alg\":\"Ed25519\",\"sig\":\"AAAA\"}]}",
		"not json",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(keyset_sigs_parse(bad[i], strlen(bad[i]), &s), -1, "%s", bad[i]);
	cr_assert_eq(keyset_sigs_parse("{}", 2, &s), 0);
	cr_assert_eq(s.n, 0);
}
