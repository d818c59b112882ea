/*
 * A peer's signed progress summary as federation reads it (summary_parse in certs/summary.c,
 * branch federation). Invariants: a refused document has a reason; an accepted one has counts
 * >= 0, months strictly increasing, person hashes sorted and distinct; summary_to_json reads
 * back to the same canonical bytes and signature; a summary re-signed with the fixed SH1 key
 * verifies against node SH's key set when it names SH, and one flipped signature bit or one
 * changed count does not.
 */
#include <stdlib.h>

#include "certs/summary.h"
#include "fuzz_sign.h"

#define CANON_CAP 32768

static struct keyset ks;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct summary s, t;
	const char *why = NULL;
	static char c1[CANON_CAP], c2[CANON_CAP];

	fz_sign_init();
	if (ks.n == 0) {
		memcpy(ks.node, "SH", 3);
		memcpy(ks.base_url, "HTTPS://SH.TMCRED.CN", 21);
		ks.n = 1;
		memcpy(ks.keys[0].id, "SH1", 4);
		memcpy(ks.keys[0].pk, fz_pk, SIG_PK_BYTES);
		ks.keys[0].valid_from = (struct ymd){ 2000, 1, 1 };
	}
	if (summary_parse((const char *)data, size, &s, &why) != 0) {
		CHECK(why != NULL && why[0]);
		summary_free(&s);
		return 0;
	}
	CHECK(s.certified >= 0 && s.level[0] >= 0 && s.level[1] >= 0 && s.level[2] >= 0);
	CHECK(s.nmonths <= SUMMARY_MONTHS_MAX && s.npersons <= SUMMARY_PERSONS_MAX);
	for (size_t i = 0; i < s.nmonths; i++) {
		CHECK(s.month[i].n >= 0 && s.month[i].m >= 1 && s.month[i].m <= 12);
		if (i)
			CHECK(s.month[i].y * 12 + s.month[i].m > s.month[i - 1].y * 12 + s.month[i - 1].m);
	}
	for (size_t i = 1; i < s.npersons; i++)
		CHECK(memcmp(s.persons[i - 1], s.persons[i], REGION_HASH_BYTES) < 0);
	int l1 = summary_canonical(&s, c1, sizeof(c1));
	if (l1 >= 0) {
		json_t *j = summary_to_json(&s);
		CHECK(j != NULL);
		char *text = json_dumps(j, JSON_COMPACT);
		CHECK(text != NULL);
		CHECK(summary_parse(text, strlen(text), &t, &why) == 0);
		int l2 = summary_canonical(&t, c2, sizeof(c2));
		CHECK(l2 == l1 && memcmp(c1, c2, (size_t)l1) == 0);
		CHECK(memcmp(s.sig, t.sig, SIG_BYTES) == 0);
		CHECK((summary_verify(&s, &ks) == 0) == (summary_verify(&t, &ks) == 0));
		summary_free(&t);
		free(text);
		json_decref(j);

		CHECK(summary_sign(&s, "SH1", fz_sk) == 0);
		int ok = summary_verify(&s, &ks) == 0;
		/* genuine exactly when it names SH and SH1's window covers its date */
		CHECK(ok == (strcmp(s.node, "SH") == 0 && cert_key_covers(&ks.keys[0], s.as_of)));
		if (ok) {
			s.sig[size % SIG_BYTES] ^= (unsigned char)(1u << (size % 8));
			CHECK(summary_verify(&s, &ks) != 0);
			s.sig[size % SIG_BYTES] ^= (unsigned char)(1u << (size % 8));
			s.certified++;
			CHECK(summary_verify(&s, &ks) != 0);
		}
	}
	summary_free(&s);
	return 0;
}
