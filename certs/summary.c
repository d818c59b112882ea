#include "summary.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const level_names[3] = { "junior", "intermediate", "senior" };

void
region_person_hash(const unsigned char key[REGION_KEY_BYTES], const char id18[18],
    unsigned char out[REGION_HASH_BYTES])
{
	unsigned char full[crypto_generichash_BYTES];
	crypto_generichash_state st;
	crypto_generichash_init(&st, key, REGION_KEY_BYTES, sizeof(full));
	crypto_generichash_update(&st, (const unsigned char *)REGION_SCHEME, sizeof(REGION_SCHEME));
	crypto_generichash_update(&st, (const unsigned char *)id18, 18);
	crypto_generichash_final(&st, full, sizeof(full));
	memcpy(out, full, REGION_HASH_BYTES);
}

static int
cmp_hash(const void *a, const void *b)
{
	return memcmp(a, b, REGION_HASH_BYTES);
}

void
summary_sort_persons(struct summary *s)
{
	size_t w = 0;
	if (s->npersons == 0)
		return;
	qsort(s->persons, s->npersons, REGION_HASH_BYTES, cmp_hash);
	for (size_t i = 0; i < s->npersons; i++)
		if (w == 0 || memcmp(s->persons[w - 1], s->persons[i], REGION_HASH_BYTES) != 0)
			memmove(s->persons[w++], s->persons[i], REGION_HASH_BYTES);
	s->npersons = w;
}

#define APPEND(...) do { \
	int n_ = snprintf(buf + len, cap - len, __VA_ARGS__); \
	if (n_ < 0 || (size_t)n_ >= cap - len) \
		return -1; \
	len += (size_t)n_; \
} while (0)

int
summary_canonical(const struct summary *s, char *buf, size_t cap)
{
	size_t len = 0;
	char d[11];
	if (!ymd_valid(s->as_of) || s->nmonths > SUMMARY_MONTHS_MAX || !cert_key_id_valid(s->key_id))
		return -1;
	for (const char *p = s->rule; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    *p == '.' || *p == '-'))
			return -1;
	ymd_format(s->as_of, d);
	APPEND(SUMMARY_FORMAT "\nnode=%s\nas_of=%s\nrule=%s\ncertified=%lld\n", s->node, d, s->rule,
	    (long long)s->certified);
	for (int i = 0; i < 3; i++)
		APPEND("level=%s %lld\n", level_names[i], (long long)s->level[i]);
	for (size_t i = 0; i < s->nmonths; i++)
		APPEND("month=%04d-%02d %lld\n", s->month[i].y, s->month[i].m, (long long)s->month[i].n);
	if (s->has_persons) {
		unsigned char h[crypto_hash_sha256_BYTES];
		char hex[2 * sizeof(h) + 1];
		crypto_hash_sha256(h, s->npersons ? (const unsigned char *)s->persons : (const unsigned char *)"",
		    (unsigned long long)s->npersons * REGION_HASH_BYTES);
		sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
		APPEND("persons=" REGION_SCHEME " %zu %s\n", s->npersons, hex);
	} else
		APPEND("persons=-\n");
	APPEND("key=%s\n", s->key_id);
	return (int)len;
}

/* month lines: 600 × 24 bytes + the rest */
#define SUMMARY_CANON_MAX 16384

int
summary_sign(struct summary *s, const char *key_id, const unsigned char sk[SIG_SK_BYTES])
{
	char canon[SUMMARY_CANON_MAX];
	snprintf(s->key_id, sizeof(s->key_id), "%s", key_id);
	int n = summary_canonical(s, canon, sizeof(canon));
	if (n < 0)
		return -1;
	return crypto_sign_detached(s->sig, NULL, (const unsigned char *)canon,
	    (unsigned long long)n, sk) == 0 ? 0 : -1;
}

int
summary_verify(const struct summary *s, const struct keyset *ks)
{
	char canon[SUMMARY_CANON_MAX];
	const struct cert_key *k;
	int n;
	if (strcmp(s->node, ks->node) != 0 || (k = keyset_find(ks, s->key_id)) == NULL ||
	    !cert_key_covers(k, s->as_of) || (n = summary_canonical(s, canon, sizeof(canon))) < 0)
		return -1;
	return crypto_sign_verify_detached(s->sig, (const unsigned char *)canon,
	    (unsigned long long)n, k->pk) == 0 ? 0 : -1;
}

int
summary_digest(const struct summary *s, unsigned char out[32])
{
	char canon[SUMMARY_CANON_MAX];
	int n = summary_canonical(s, canon, sizeof(canon));
	if (n < 0)
		return -1;
	crypto_hash_sha256(out, (const unsigned char *)canon, (unsigned long long)n);
	return 0;
}

json_t *
summary_to_json(const struct summary *s)
{
	char d[11], b64[sodium_base64_ENCODED_LEN(SIG_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
	json_t *months = json_array(), *dc = json_null();
	ymd_format(s->as_of, d);
	for (size_t i = 0; i < s->nmonths; i++) {
		char m[16];
		snprintf(m, sizeof(m), "%04d-%02d", s->month[i].y % 10000, s->month[i].m % 100);
		json_array_append_new(months, json_pack("{s:s, s:I}", "month", m, "new",
		    (json_int_t)s->month[i].n));
	}
	if (s->has_persons) {
		json_t *a = json_array();
		for (size_t i = 0; i < s->npersons; i++) {
			char hex[2 * REGION_HASH_BYTES + 1];
			sodium_bin2hex(hex, sizeof(hex), s->persons[i], REGION_HASH_BYTES);
			json_array_append_new(a, json_string(hex));
		}
		json_decref(dc);
		dc = json_pack("{s:s, s:o}", "scheme", REGION_SCHEME, "persons", a);
	}
	sodium_bin2base64(b64, sizeof(b64), s->sig, SIG_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:{s:I, s:I, s:I}, s:o, s:o, s:s, s:s, s:s}",
	    "format", SUMMARY_FORMAT, "node", s->node, "as_of", d, "rule_version", s->rule,
	    "certified", (json_int_t)s->certified, "by_level", "junior", (json_int_t)s->level[0],
	    "intermediate", (json_int_t)s->level[1], "senior", (json_int_t)s->level[2],
	    "by_month", months, "double_count", dc, "key", s->key_id, "alg", "Ed25519",
	    "signature", b64);
}

static int
count_of(json_t *v, int64_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > 100000000)
		return -1;
	*out = json_integer_value(v);
	return 0;
}

static const char *
parse_persons(json_t *dc, struct summary *s)
{
	json_t *a = json_object_get(dc, "persons");
	const char *scheme = json_string_value(json_object_get(dc, "scheme"));
	if (scheme == NULL || strcmp(scheme, REGION_SCHEME) != 0)
		return "double_count.scheme is not " REGION_SCHEME;
	if (!json_is_array(a) || json_array_size(a) > SUMMARY_PERSONS_MAX)
		return "double_count.persons must be an array of at most SUMMARY_PERSONS_MAX";
	s->has_persons = true;
	if (json_array_size(a) > 0 &&
	    (s->persons = malloc(json_array_size(a) * REGION_HASH_BYTES)) == NULL)
		return "out of memory";
	for (size_t i = 0; i < json_array_size(a); i++) {
		const char *h = json_string_value(json_array_get(a, i));
		size_t bl = 0;
		if (h == NULL || strlen(h) != 2 * REGION_HASH_BYTES ||
		    sodium_hex2bin(s->persons[i], REGION_HASH_BYTES, h, strlen(h), NULL, &bl, NULL) != 0 ||
		    bl != REGION_HASH_BYTES)
			return "a person hash is not 32 hex digits";
		for (const char *p = h; *p; p++)
			if (*p >= 'A' && *p <= 'F')
				return "person hashes are lower-case hex";
		s->npersons = i + 1;
		if (i > 0 && memcmp(s->persons[i - 1], s->persons[i], REGION_HASH_BYTES) >= 0)
			return "person hashes must be sorted and distinct";
	}
	if ((int64_t)s->npersons != s->certified)
		return "certified differs from the number of person hashes";
	return NULL;
}

int
summary_parse(const char *json, size_t len, struct summary *s, const char **why)
{
	json_t *root = NULL, *lv, *months = NULL, *dc;
	const char *err = NULL, *str;
	size_t sl = 0;

	memset(s, 0, sizeof(*s));
	*why = NULL;
	if (len == 0 || len > SUMMARY_JSON_MAX ||
	    (root = json_loadb(json, len, JSON_REJECT_DUPLICATES, NULL)) == NULL || !json_is_object(root)) {
		*why = "not a JSON object";
		json_decref(root);
		return -1;
	}
	str = json_string_value(json_object_get(root, "format"));
	if (str == NULL || strcmp(str, SUMMARY_FORMAT) != 0)
		err = "format is not " SUMMARY_FORMAT;
	else if ((str = json_string_value(json_object_get(root, "node"))) == NULL ||
	    strlen(str) < SERIAL_NODE_MIN || strlen(str) > SERIAL_NODE_MAX ||
	    strspn(str, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != strlen(str))
		err = "bad node";
	else if (snprintf(s->node, sizeof(s->node), "%s", str) < 0 ||
	    (str = json_string_value(json_object_get(root, "as_of"))) == NULL ||
	    strlen(str) != 10 || !ymd_parse_str(str, &s->as_of))
		err = "bad as_of";
	else if ((str = json_string_value(json_object_get(root, "rule_version"))) == NULL ||
	    strlen(str) == 0 || strlen(str) > SUMMARY_RULE_MAX)
		err = "bad rule_version";
	else if (snprintf(s->rule, sizeof(s->rule), "%s", str) < 0 ||
	    count_of(json_object_get(root, "certified"), &s->certified) < 0)
		err = "bad certified";
	else if (!json_is_object(lv = json_object_get(root, "by_level")) ||
	    count_of(json_object_get(lv, "junior"), &s->level[0]) < 0 ||
	    count_of(json_object_get(lv, "intermediate"), &s->level[1]) < 0 ||
	    count_of(json_object_get(lv, "senior"), &s->level[2]) < 0)
		err = "bad by_level";
	else if (!json_is_array(months = json_object_get(root, "by_month")) ||
	    json_array_size(months) > SUMMARY_MONTHS_MAX)
		err = "bad by_month";
	for (size_t i = 0; err == NULL && i < json_array_size(months); i++) {
		json_t *m = json_array_get(months, i);
		const char *ms = json_string_value(json_object_get(m, "month"));
		struct summary_month *sm = &s->month[i];
		struct ymd d;
		char buf[11];
		if (ms == NULL || strlen(ms) != 7 || snprintf(buf, sizeof(buf), "%s-01", ms) < 0 ||
		    !ymd_parse_str(buf, &d) || count_of(json_object_get(m, "new"), &sm->n) < 0)
			err = "bad by_month entry";
		else {
			sm->y = d.y;
			sm->m = d.m;
			s->nmonths = i + 1;
			if (i > 0 && (sm->y * 12 + sm->m) <= (s->month[i - 1].y * 12 + s->month[i - 1].m))
				err = "by_month must be strictly increasing";
		}
	}
	if (err == NULL) {
		dc = json_object_get(root, "double_count");
		if (dc != NULL && !json_is_null(dc))
			err = json_is_object(dc) ? parse_persons(dc, s) : "bad double_count";
	}
	if (err == NULL && ((str = json_string_value(json_object_get(root, "key"))) == NULL ||
	    !cert_key_id_valid(str)))
		err = "bad key";
	else if (err == NULL) {
		snprintf(s->key_id, sizeof(s->key_id), "%s", str);
		str = json_string_value(json_object_get(root, "signature"));
		if (str == NULL || sodium_base642bin(s->sig, sizeof(s->sig), str, strlen(str), NULL, &sl,
		    NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 || sl != SIG_BYTES)
			err = "bad signature encoding";
	}
	json_decref(root);
	*why = err;
	return err ? -1 : 0;
}

void
summary_free(struct summary *s)
{
	free(s->persons);
	s->persons = NULL;
	s->npersons = 0;
}

int
region_merge(const struct summary *const *s, size_t n, struct region_total *t,
    int64_t *shared)
{
	size_t pos[PEERS_REGION_MAX];
	memset(t, 0, sizeof(*t));
	if (n > PEERS_REGION_MAX)
		return -1;
	t->exact = n > 0;
	for (size_t i = 0; i < n; i++) {
		t->sum += s[i]->certified;
		shared[i] = 0;
		pos[i] = 0;
		if (!s[i]->has_persons)
			t->exact = false;
	}
	if (!t->exact) {
		t->total = t->sum;
		return 0;
	}
	/* k-way merge of sorted, distinct lists: each distinct hash counted once */
	for (;;) {
		const unsigned char *min = NULL;
		size_t holders = 0;
		for (size_t i = 0; i < n; i++)
			if (pos[i] < s[i]->npersons &&
			    (min == NULL || memcmp(s[i]->persons[pos[i]], min, REGION_HASH_BYTES) < 0))
				min = s[i]->persons[pos[i]];
		if (min == NULL)
			break;
		unsigned char cur[REGION_HASH_BYTES];
		memcpy(cur, min, sizeof(cur));
		for (size_t i = 0; i < n; i++)
			if (pos[i] < s[i]->npersons && memcmp(s[i]->persons[pos[i]], cur, sizeof(cur)) == 0)
				holders++;
		for (size_t i = 0; i < n; i++)
			if (pos[i] < s[i]->npersons && memcmp(s[i]->persons[pos[i]], cur, sizeof(cur)) == 0) {
				if (holders > 1)
					shared[i]++;
				pos[i]++;
			}
		t->total++;
	}
	t->double_counted = t->sum - t->total;
	return 0;
}
