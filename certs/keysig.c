#include "keysig.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define B64_PK_LEN sodium_base64_ENCODED_LEN(SIG_PK_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING)
#define B64_SIG_LEN sodium_base64_ENCODED_LEN(SIG_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING)

/* A line value must not be able to start another line. */
static int
line_safe(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

int
keyset_canonical(const struct keyset *ks, char *buf, size_t cap)
{
	size_t order[KEYSET_KEYS_MAX], len;
	int n;

	if (ks->n == 0 || ks->n > KEYSET_KEYS_MAX || !line_safe(ks->name) ||
	    !line_safe(ks->base_url) || !line_safe(ks->node))
		return -1;
	/* insertion sort of at most KEYSET_KEYS_MAX ids: the JSON's order must not matter */
	for (size_t i = 0; i < ks->n; i++) {
		size_t j = i;
		for (; j > 0 && strcmp(ks->keys[order[j - 1]].id, ks->keys[i].id) > 0; j--)
			order[j] = order[j - 1];
		order[j] = i;
	}
	n = snprintf(buf, cap, KEYSET_CANON_FIRST "\nnode=%s\nname=%s\nbase_url=%s\n", ks->node,
	    ks->name, ks->base_url);
	if (n < 0 || (size_t)n >= cap)
		return -1;
	len = (size_t)n;
	for (size_t i = 0; i < ks->n; i++) {
		const struct cert_key *k = &ks->keys[order[i]];
		char pk[B64_PK_LEN], from[11], until[11] = "-";
		if (!cert_key_id_valid(k->id))
			return -1;
		sodium_bin2base64(pk, sizeof(pk), k->pk, SIG_PK_BYTES,
		    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		ymd_format(k->valid_from, from);
		if (k->has_until)
			ymd_format(k->valid_until, until);
		n = snprintf(buf + len, cap - len, "key=%s %s %s %s\n", k->id, pk, from, until);
		if (n < 0 || (size_t)n >= cap - len)
			return -1;
		len += (size_t)n;
	}
	return (int)len;
}

int
keyset_fingerprint(const struct keyset *ks, char out[KEYSET_FP_HEX + 1])
{
	char canon[KEYSET_CANON_MAX];
	unsigned char h[crypto_hash_sha256_BYTES];
	int n = keyset_canonical(ks, canon, sizeof(canon));
	if (n < 0)
		return -1;
	crypto_hash_sha256(h, (const unsigned char *)canon, (unsigned long long)n);
	sodium_bin2hex(out, KEYSET_FP_HEX + 1, h, sizeof(h));
	return 0;
}

int
keyset_fp_valid(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f') ||
		    (s[n] >= 'A' && s[n] <= 'F')))
			return 0;
	return n == KEYSET_FP_HEX;
}

int
keyset_sign(const struct keyset *ks, const char *key_id, const unsigned char sk[SIG_SK_BYTES],
    struct keyset_sig *out)
{
	char canon[KEYSET_CANON_MAX];
	int n = keyset_canonical(ks, canon, sizeof(canon));
	if (n < 0 || !cert_key_id_valid(key_id))
		return -1;
	snprintf(out->key_id, sizeof(out->key_id), "%s", key_id);
	return crypto_sign_detached(out->sig, NULL, (const unsigned char *)canon,
	    (unsigned long long)n, sk) == 0 ? 0 : -1;
}

int
keyset_sigs_parse(const char *json, size_t len, struct keyset_sigs *out)
{
	json_t *root, *a;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (len > KEYSET_JSON_MAX || (root = json_loadb(json, len, JSON_REJECT_DUPLICATES, NULL)) == NULL)
		return -1;
	a = json_object_get(root, "signatures");
	if (a != NULL && (!json_is_array(a) || json_array_size(a) > KEYSET_KEYS_MAX))
		rc = -1;
	for (size_t i = 0; rc == 0 && a != NULL && i < json_array_size(a); i++) {
		json_t *e = json_array_get(a, i);
		const char *id = json_string_value(json_object_get(e, "key"));
		const char *alg = json_string_value(json_object_get(e, "alg"));
		const char *sig = json_string_value(json_object_get(e, "sig"));
		size_t sl = 0;
		struct keyset_sig *s = &out->s[out->n];
		if (id == NULL || alg == NULL || sig == NULL || strcmp(alg, "Ed25519") != 0 ||
		    !cert_key_id_valid(id) || sodium_base642bin(s->sig, sizeof(s->sig), sig,
		    strlen(sig), NULL, &sl, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
		    sl != SIG_BYTES) {
			rc = -1;
			break;
		}
		snprintf(s->key_id, sizeof(s->key_id), "%s", id);
		out->n++;
	}
	json_decref(root);
	if (rc < 0)
		memset(out, 0, sizeof(*out));
	return rc;
}

json_t *
keyset_signed_json(const struct keyset *ks, const struct keyset_sigs *sigs)
{
	char fp[KEYSET_FP_HEX + 1];
	json_t *o = keyset_to_json(ks), *a = json_array();
	if (o == NULL || a == NULL || keyset_fingerprint(ks, fp) < 0) {
		json_decref(o);
		json_decref(a);
		return NULL;
	}
	for (size_t i = 0; sigs != NULL && i < sigs->n; i++) {
		char b64[B64_SIG_LEN];
		sodium_bin2base64(b64, sizeof(b64), sigs->s[i].sig, SIG_BYTES,
		    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		json_array_append_new(a, json_pack("{s:s, s:s, s:s}", "key", sigs->s[i].key_id,
		    "alg", "Ed25519", "sig", b64));
	}
	json_object_set_new(o, "fingerprint", json_string(fp));
	json_object_set_new(o, "signatures", a);
	return o;
}

int
keyset_endorsed(const struct keyset *trusted, const struct keyset *fresh,
    const struct keyset_sigs *sigs, char signer[CERT_KEY_ID_MAX + 1])
{
	char canon[KEYSET_CANON_MAX];
	int n = keyset_canonical(fresh, canon, sizeof(canon));
	if (n < 0)
		return 0;
	for (size_t i = 0; i < sigs->n; i++) {
		const struct cert_key *k = keyset_find(trusted, sigs->s[i].key_id);
		if (k == NULL)
			continue;
		if (crypto_sign_verify_detached(sigs->s[i].sig, (const unsigned char *)canon,
		    (unsigned long long)n, k->pk) == 0) {
			snprintf(signer, CERT_KEY_ID_MAX + 1, "%s", k->id);
			return 1;
		}
	}
	return 0;
}

enum keyset_update
keyset_update_check(const struct keyset *trusted, const struct keyset *fresh,
    const struct keyset_sigs *sigs, char signer[CERT_KEY_ID_MAX + 1])
{
	char a[KEYSET_FP_HEX + 1], b[KEYSET_FP_HEX + 1];
	signer[0] = '\0';
	if (strcmp(trusted->node, fresh->node) != 0)
		return KU_NODE_CHANGED;
	if (keyset_fingerprint(trusted, a) == 0 && keyset_fingerprint(fresh, b) == 0 &&
	    strcmp(a, b) == 0)
		return KU_SAME;
	return keyset_endorsed(trusted, fresh, sigs, signer) ? KU_ROTATED : KU_UNSIGNED;
}

const char *
keyset_update_code(enum keyset_update u)
{
	switch (u) {
	case KU_SAME:         return "same";
	case KU_ROTATED:      return "rotated";
	case KU_UNSIGNED:     return "unsigned_rotation";
	case KU_NODE_CHANGED: return "node_changed";
	}
	return "unsigned_rotation";
}

int
trust_parse(const char *json, size_t len, struct keyset *sets, size_t cap, size_t *n,
    const char **why)
{
	json_t *root, *a;
	const char *format;
	*n = 0;
	*why = NULL;
	if (len > TRUST_JSON_MAX || (root = json_loadb(json, len, JSON_REJECT_DUPLICATES, NULL)) == NULL) {
		*why = "not JSON (or larger than TRUST_JSON_MAX)";
		return -1;
	}
	format = json_string_value(json_object_get(root, "format"));
	a = json_object_get(root, "keysets");
	if (format == NULL || strcmp(format, TRUST_FORMAT) != 0)
		*why = "format is not " TRUST_FORMAT;
	else if (!json_is_array(a) || json_array_size(a) == 0 || json_array_size(a) > cap)
		*why = "keysets must be an array of 1..PEERS_TRUST_MAX key sets";
	for (size_t i = 0; *why == NULL && i < json_array_size(a); i++) {
		json_t *e = json_array_get(a, i);
		const char *stated = json_string_value(json_object_get(e, "fingerprint"));
		char *text = json_dumps(e, JSON_COMPACT), fp[KEYSET_FP_HEX + 1];
		if (text == NULL || keyset_parse(text, strlen(text), &sets[i], why) < 0)
			*why = *why ? *why : "bad key set";
		else if (keyset_fingerprint(&sets[i], fp) < 0 || stated == NULL ||
		    strcasecmp(stated, fp) != 0)
			*why = "a key set's fingerprint does not match its keys";
		else {
			for (size_t j = 0; j < i; j++)
				if (strcmp(sets[j].node, sets[i].node) == 0)
					*why = "two key sets for one node";
		}
		free(text);
		*n = i + 1;
	}
	json_decref(root);
	if (*why != NULL) {
		*n = 0;
		return -1;
	}
	return 0;
}
