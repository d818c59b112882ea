/*
 * certs/summary: the signed progress summary (canonical bytes, signature, strict reader) and
 * the regional arithmetic that counts a person certified at several nodes once.
 */
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "certs/summary.h"

static unsigned char pk[32], sk[64], pk2[32], sk2[64];

static void
setup(void)
{
	unsigned char seed[32];
	cr_assert_geq(sodium_init(), 0);
	memset(seed, 7, sizeof(seed));
	crypto_sign_seed_keypair(pk, sk, seed);
	memset(seed, 8, sizeof(seed));
	crypto_sign_seed_keypair(pk2, sk2, seed);
}

TestSuite(summary, .init = setup);

static struct keyset
js_keys(void)
{
	struct keyset ks;
	memset(&ks, 0, sizeof(ks));
	strcpy(ks.node, "JS");
	strcpy(ks.base_url, "HTTP://127.0.0.1:8081");
	ks.n = 1;
	strcpy(ks.keys[0].id, "JS1");
	memcpy(ks.keys[0].pk, pk, 32);
	ks.keys[0].valid_from = (struct ymd){ 2020, 1, 1 };
	return ks;
}

/* A node with n persons whose hashes are bytes {tag[i]} repeated. */
static void
make(struct summary *s, const char *node, const unsigned char *tags, size_t n)
{
	memset(s, 0, sizeof(*s));
	strcpy(s->node, node);
	s->as_of = (struct ymd){ 2026, 11, 27 };
	strcpy(s->rule, "1");
	s->certified = (int64_t)n;
	s->level[0] = (int64_t)n;
	s->nmonths = 2;
	s->month[0] = (struct summary_month){ 2026, 10, 1 };
	s->month[1] = (struct summary_month){ 2026, 11, (int64_t)n - 1 };
	s->has_persons = true;
	s->persons = malloc(n ? n * REGION_HASH_BYTES : 1);
	for (size_t i = 0; i < n; i++)
		memset(s->persons[i], tags[i], REGION_HASH_BYTES);
	s->npersons = n;
	summary_sort_persons(s);
}

Test(summary, person_hash_is_keyed_blake2b_truncated)
{
	unsigned char key[32], h[REGION_HASH_BYTES], h2[REGION_HASH_BYTES];
	char hex[33];
	for (int i = 0; i < 32; i++)
		key[i] = (unsigned char)i;
	region_person_hash(key, "11010519491231002X", h);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	/* python3: hashlib.blake2b(b"tmcred-region-v1\0" + id, key=bytes(range(32)), digest_size=32) */
	cr_assert_str_eq(hex, "907788cbc9db164f1744752d832402fb");
	key[0] ^= 1;
	region_person_hash(key, "11010519491231002X", h2);
	cr_assert_neq(memcmp(h, h2, sizeof(h)), 0, "another region key, another hash");
}

Test(summary, canonical_bytes_are_exact)
{
	struct summary s;
	unsigned char t[] = { 2, 1 };
	char buf[4096], want[1024], dig[65];
	unsigned char h[32];
	make(&s, "JS", t, 2);
	strcpy(s.key_id, "JS1");
	crypto_hash_sha256(h, (const unsigned char *)s.persons, 2 * REGION_HASH_BYTES);
	sodium_bin2hex(dig, sizeof(dig), h, 32);
	snprintf(want, sizeof(want), "tmcred-summary-v1\nnode=JS\nas_of=2026-11-27\nrule=1\ncertified=2\n"
	    "level=junior 2\nlevel=intermediate 0\nlevel=senior 0\nmonth=2026-10 1\nmonth=2026-11 1\n"
	    "persons=tmcred-region-v1 2 %s\nkey=JS1\n", dig);
	cr_assert_eq(summary_canonical(&s, buf, sizeof(buf)), (int)strlen(want));
	cr_assert_str_eq(buf, want);
	cr_assert_eq(s.persons[0][0], 1, "sorted");
	s.has_persons = false;
	summary_canonical(&s, buf, sizeof(buf));
	cr_assert(strstr(buf, "\npersons=-\n") != NULL);
	summary_free(&s);
}

Test(summary, signed_document_round_trips_and_tampering_is_caught)
{
	struct summary s, back;
	unsigned char t[] = { 5, 9, 3 };
	struct keyset ks = js_keys();
	const char *why;
	make(&s, "JS", t, 3);
	cr_assert_eq(summary_sign(&s, "JS1", sk), 0);
	json_t *doc = summary_to_json(&s);
	char *text = json_dumps(doc, JSON_COMPACT);
	cr_assert_eq(summary_parse(text, strlen(text), &back, &why), 0, "%s", why ? why : "");
	cr_assert_eq(summary_verify(&back, &ks), 0);
	summary_free(&back);

	/* a count changed after signing */
	json_object_set_new(json_object_get(doc, "by_level"), "senior", json_integer(1));
	free(text);
	text = json_dumps(doc, JSON_COMPACT);
	cr_assert_eq(summary_parse(text, strlen(text), &back, &why), 0);
	cr_assert_eq(summary_verify(&back, &ks), -1, "a tampered count must not verify");
	summary_free(&back);

	/* signed by a key that is not the node's */
	cr_assert_eq(summary_sign(&s, "JS1", sk2), 0);
	json_decref(doc);
	doc = summary_to_json(&s);
	free(text);
	text = json_dumps(doc, JSON_COMPACT);
	summary_parse(text, strlen(text), &back, &why);
	cr_assert_eq(summary_verify(&back, &ks), -1);
	summary_free(&back);

	/* another node's summary under this node's key set */
	summary_sign(&s, "JS1", sk);
	strcpy(s.node, "ZJ");
	cr_assert_eq(summary_verify(&s, &ks), -1);
	strcpy(s.node, "JS");
	/* a key whose window does not cover as_of */
	ks.keys[0].has_until = 1;
	ks.keys[0].valid_until = (struct ymd){ 2026, 1, 1 };
	cr_assert_eq(summary_verify(&s, &ks), -1);
	free(text);
	json_decref(doc);
	summary_free(&s);
}

Test(summary, strict_reader_refuses_inconsistent_documents)
{
	struct summary s, back;
	unsigned char t[] = { 5, 9, 3 };
	const char *why;
	make(&s, "JS", t, 3);
	summary_sign(&s, "JS1", sk);
	json_t *doc = summary_to_json(&s);
	const char *cases[] = { "count", "order", "month", "format", "hex" };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *d = json_deep_copy(doc);
		json_t *persons = json_object_get(json_object_get(d, "double_count"), "persons");
		if (i == 0)
			json_object_set_new(d, "certified", json_integer(4));
		else if (i == 1) {
			json_t *first = json_incref(json_array_get(persons, 0));
			json_array_remove(persons, 0);
			json_array_append_new(persons, first);
		} else if (i == 2)
			json_array_append_new(json_object_get(d, "by_month"),
			    json_pack("{s:s, s:i}", "month", "2026-01", "new", 1));
		else if (i == 3)
			json_object_set_new(d, "format", json_string("tmcred-summary-v2"));
		else
			json_array_set_new(persons, 0, json_string("zz"));
		char *text = json_dumps(d, JSON_COMPACT);
		cr_assert_eq(summary_parse(text, strlen(text), &back, &why), -1, "case %s", cases[i]);
		summary_free(&back);
		free(text);
		json_decref(d);
	}
	cr_assert_eq(summary_parse("[]", 2, &back, &why), -1);
	json_decref(doc);
	summary_free(&s);
}

Test(summary, region_counts_each_person_once)
{
	struct summary a, b, c;
	unsigned char ta[] = { 1, 2, 3 }, tb[] = { 3, 4 }, tc[] = { 4, 5, 1 };
	int64_t shared[4];
	struct region_total t;
	make(&a, "SH", ta, 3);
	make(&b, "JS", tb, 2);
	make(&c, "ZJ", tc, 3);
	const struct summary *all[] = { &a, &b, &c };
	cr_assert_eq(region_merge(all, 3, &t, shared), 0);
	cr_assert(t.exact);
	cr_assert_eq(t.sum, 8);
	cr_assert_eq(t.total, 5, "persons 1..5");
	cr_assert_eq(t.double_counted, 3, "1 (SH+ZJ), 3 (SH+JS), 4 (JS+ZJ)");
	cr_assert_eq(shared[0], 2);
	cr_assert_eq(shared[1], 2);
	cr_assert_eq(shared[2], 2);
	/* a person at three nodes counts once: the sum has it three times */
	unsigned char td[] = { 1, 3, 4 };
	struct summary d;
	make(&d, "AH", td, 3);
	const struct summary *four[] = { &a, &b, &c, &d };
	region_merge(four, 4, &t, shared);
	cr_assert_eq(t.sum, 11);
	cr_assert_eq(t.total, 5);
	/* one node without hashes: the region can only add */
	c.has_persons = false;
	region_merge(all, 3, &t, shared);
	cr_assert_not(t.exact);
	cr_assert_eq(t.total, 8);
	summary_free(&a);
	summary_free(&b);
	summary_free(&c);
	summary_free(&d);
}
