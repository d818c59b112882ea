/*
 * keyset_parse (certs/keyset.c), the key set a verifier (and later a federating peer)
 * downloads. Invariants: a refused document has a reason and leaves the set empty; an
 * accepted one holds 1..KEYSET_KEYS_MAX keys with distinct valid ids, a valid node and base,
 * windows with from <= until; keyset_to_json reads back to the identical set; and cert_check
 * of a fixed genuine link (node SH, key SH1, issued 2026-03-01) gives exactly the answer the
 * set implies: other_node, unknown_key, forged (SH1 is another key), key_window or genuine.
 */
#include <stdlib.h>

#include "fuzz_sign.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct keyset ks, again;
	const char *why = NULL;

	fz_sign_init();
	int rc = keyset_parse((const char *)data, size, &ks, &why);
	CHECK(rc == 0 || rc == -1);
	if (rc != 0) {
		CHECK(why != NULL && why[0] != '\0');
		CHECK(ks.n == 0 && ks.node[0] == '\0');
		return 0;
	}
	CHECK(ks.n >= 1 && ks.n <= KEYSET_KEYS_MAX);
	CHECK(verify_base_valid(ks.base_url));
	CHECK(strlen(ks.node) >= SERIAL_NODE_MIN && strlen(ks.node) <= SERIAL_NODE_MAX);
	for (size_t i = 0; i < ks.n; i++) {
		const struct cert_key *k = &ks.keys[i];
		CHECK(cert_key_id_valid(k->id));
		CHECK(keyset_find(&ks, k->id) == k);
		CHECK(ymd_valid(k->valid_from));
		if (k->has_until)
			CHECK(ymd_valid(k->valid_until) && ymd_cmp(k->valid_from, k->valid_until) <= 0);
		CHECK(cert_key_covers(k, k->valid_from));
	}

	/* round trip */
	json_t *j = keyset_to_json(&ks);
	CHECK(j != NULL);
	char *text = json_dumps(j, JSON_COMPACT);
	CHECK(text != NULL);
	CHECK(keyset_parse(text, strlen(text), &again, &why) == 0);
	CHECK(memcmp(&ks, &again, sizeof(ks)) == 0);
	free(text);
	json_decref(j);

	/* the one decision, against what the set says */
	struct verify_link l;
	memset(&l, 0, sizeof(l));
	l.claims = fz_claims;
	memcpy(l.sig, fz_sig, SIG_BYTES);
	const struct cert_key *k = keyset_find(&ks, "SH1");
	enum cert_check want = strcmp(ks.node, "SH") != 0 ? CHECK_OTHER_NODE :
	    k == NULL ? CHECK_UNKNOWN_KEY :
	    memcmp(k->pk, fz_pk, SIG_PK_BYTES) != 0 ? CHECK_FORGED :
	    !cert_key_covers(k, fz_claims.issued) ? CHECK_KEY_WINDOW : CHECK_GENUINE;
	CHECK(cert_check(&ks, &l) == want);
	/* one bit of the signature flipped: never genuine */
	l.sig[size % SIG_BYTES] ^= (unsigned char)(1u << (size % 8));
	CHECK(cert_check(&ks, &l) != CHECK_GENUINE);
	return 0;
}
