/*
 * A peer's key set as federation reads it (certs/keysig.c, branch federation): byte 0 picks
 * the "signatures" member reader, the trust list reader, or a key set whose canonical bytes,
 * fingerprint and endorsement are checked. Invariants: refused input yields nothing and a
 * reason; a key set's canonical bytes and fingerprint survive keyset_signed_json and a new
 * parse; a set signed with a key of the trusted set is endorsed (and "rotated" or "same"), one
 * flipped signature bit is not; another node is "node_changed" whatever the signatures.
 */
#include <stdlib.h>

#include "certs/keysig.h"
#include "fuzz_sign.h"

static struct keyset trusted;

static void
trusted_init(void)
{
	if (trusted.n)
		return;
	memcpy(trusted.node, "SH", 3);
	memcpy(trusted.base_url, "HTTPS://SH.TMCRED.CN", 21);
	trusted.n = 1;
	memcpy(trusted.keys[0].id, "SH1", 4);
	memcpy(trusted.keys[0].pk, fz_pk, SIG_PK_BYTES);
	trusted.keys[0].valid_from = (struct ymd){ 2000, 1, 1 };
}

static void
sigs_target(const char *s, size_t n)
{
	struct keyset_sigs sg;
	if (keyset_sigs_parse(s, n, &sg) != 0) {
		CHECK(sg.n == 0);
		return;
	}
	CHECK(sg.n <= KEYSET_KEYS_MAX);
	for (size_t i = 0; i < sg.n; i++)
		CHECK(cert_key_id_valid(sg.s[i].key_id));
	/* nobody but fz_sk signs for SH1: the fuzzer's signatures endorse nothing */
	char signer[CERT_KEY_ID_MAX + 1];
	struct keyset fresh = trusted;
	memcpy(fresh.name, "x", 2);
	CHECK(!keyset_endorsed(&trusted, &fresh, &sg, signer));
}

static void
trust_target(const char *s, size_t n)
{
	static struct keyset sets[PEERS_TRUST_MAX];
	size_t k = 99;
	const char *why = NULL;
	if (trust_parse(s, n, sets, PEERS_TRUST_MAX, &k, &why) != 0) {
		CHECK(why != NULL && why[0] && k == 0);
		return;
	}
	CHECK(k >= 1 && k <= PEERS_TRUST_MAX);
	for (size_t i = 0; i < k; i++) {
		char fp[KEYSET_FP_HEX + 1];
		CHECK(keyset_fingerprint(&sets[i], fp) == 0 && keyset_fp_valid(fp));
		for (size_t j = 0; j < i; j++)
			CHECK(strcmp(sets[i].node, sets[j].node) != 0);
	}
}

static void
set_target(const char *s, size_t n, unsigned flip)
{
	struct keyset ks, again;
	const char *why = NULL;
	char c1[KEYSET_CANON_MAX], c2[KEYSET_CANON_MAX], fp[KEYSET_FP_HEX + 1], signer[16];
	if (keyset_parse(s, n, &ks, &why) != 0)
		return;
	int l1 = keyset_canonical(&ks, c1, sizeof(c1));
	if (l1 < 0)
		return;   /* e.g. a name with a line break: no canonical bytes, never endorsed */
	CHECK((size_t)l1 == strlen(c1) && strncmp(c1, KEYSET_CANON_FIRST "\n", 17) == 0);
	CHECK(keyset_fingerprint(&ks, fp) == 0 && keyset_fp_valid(fp) && strlen(fp) == 64);
	unsigned char h[32];
	char hex[65];
	crypto_hash_sha256(h, (const unsigned char *)c1, (unsigned long long)l1);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	CHECK(strcmp(hex, fp) == 0);

	struct keyset_sigs sg = { 0 };
	CHECK(keyset_sign(&ks, "SH1", fz_sk, &sg.s[0]) == 0);
	sg.n = 1;
	json_t *doc = keyset_signed_json(&ks, &sg);
	CHECK(doc != NULL);
	char *text = json_dumps(doc, JSON_COMPACT);
	CHECK(text != NULL);
	struct keyset_sigs back;
	CHECK(keyset_parse(text, strlen(text), &again, &why) == 0);
	CHECK(keyset_sigs_parse(text, strlen(text), &back) == 0 && back.n == 1);
	int l2 = keyset_canonical(&again, c2, sizeof(c2));
	CHECK(l2 == l1 && memcmp(c1, c2, (size_t)l1) == 0);
	CHECK(keyset_endorsed(&trusted, &again, &back, signer) && strcmp(signer, "SH1") == 0);
	enum keyset_update u = keyset_update_check(&trusted, &again, &back, signer);
	if (strcmp(again.node, "SH") != 0)
		CHECK(u == KU_NODE_CHANGED);
	else
		CHECK(u == KU_SAME || u == KU_ROTATED);
	back.s[0].sig[flip % SIG_BYTES] ^= (unsigned char)(1u << (flip % 8));
	CHECK(!keyset_endorsed(&trusted, &again, &back, signer));
	u = keyset_update_check(&trusted, &again, &back, signer);
	CHECK(u != KU_ROTATED);
	free(text);
	json_decref(doc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	fz_sign_init();
	trusted_init();
	const char *s = (const char *)data + 1;
	switch (data[0] % 3) {
	case 0: sigs_target(s, size - 1); break;
	case 1: trust_target(s, size - 1); break;
	default: set_target(s, size - 1, data[0]); break;
	}
	return 0;
}
