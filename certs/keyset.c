#include "keyset.h"

#include <sodium.h>
#include <string.h>

#include "../courses/date.h"

static int
node_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < SERIAL_NODE_MIN || n > SERIAL_NODE_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 'A' || s[i] > 'Z')
			return 0;
	return 1;
}

/* A required string member no longer than cap - 1 bytes, copied into out. */
static int
str_member(json_t *o, const char *k, char *out, size_t cap)
{
	json_t *v = json_object_get(o, k);
	if (!json_is_string(v) || json_string_length(v) >= cap)
		return -1;
	memcpy(out, json_string_value(v), json_string_length(v) + 1);
	return strlen(out) == json_string_length(v) ? 0 : -1;   /* no embedded NUL */
}

static int
date_member(json_t *o, const char *k, struct ymd *out)
{
	char buf[11];
	return str_member(o, k, buf, sizeof(buf)) == 0 && ymd_parse_str(buf, out) ? 0 : -1;
}

static const char *
parse_key(json_t *k, struct cert_key *out)
{
	char alg[16], pk[64];
	size_t pklen;

	if (!json_is_object(k))
		return "key is not an object";
	if (str_member(k, "id", out->id, sizeof(out->id)) < 0 || !cert_key_id_valid(out->id))
		return "bad key id";
	if (str_member(k, "alg", alg, sizeof(alg)) < 0 || strcmp(alg, "Ed25519") != 0)
		return "alg must be Ed25519";
	if (str_member(k, "public_key", pk, sizeof(pk)) < 0 ||
	    sodium_base642bin(out->pk, sizeof(out->pk), pk, strlen(pk), NULL, &pklen, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 || pklen != SIG_PK_BYTES)
		return "public_key must be 32 bytes of unpadded base64url";
	if (date_member(k, "valid_from", &out->valid_from) < 0)
		return "bad valid_from";
	json_t *until = json_object_get(k, "valid_until");
	out->has_until = until != NULL && !json_is_null(until);
	if (out->has_until) {
		if (date_member(k, "valid_until", &out->valid_until) < 0)
			return "bad valid_until";
		if (ymd_cmp(out->valid_until, out->valid_from) < 0)
			return "valid_until before valid_from";
	}
	return NULL;
}

int
keyset_parse(const char *json, size_t len, struct keyset *ks, const char **why)
{
	static const char *dummy;
	char format[sizeof(KEYSET_FORMAT) + 1];
	json_error_t jerr;
	const char *err = NULL;
	json_t *root = NULL, *keys;

	if (why == NULL)
		why = &dummy;
	memset(ks, 0, sizeof(*ks));
	if (json == NULL || len == 0 || len > KEYSET_JSON_MAX) {
		*why = "empty or larger than KEYSET_JSON_MAX";
		return -1;
	}
	if ((root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr)) == NULL ||
	    !json_is_object(root))
		err = "not a JSON object";
	else if (str_member(root, "format", format, sizeof(format)) < 0 ||
	    strcmp(format, KEYSET_FORMAT) != 0)
		err = "format is not " KEYSET_FORMAT;
	else if (str_member(root, "node", ks->node, sizeof(ks->node)) < 0 || !node_ok(ks->node))
		err = "node must be 2-4 letters A-Z";
	else if (str_member(root, "base_url", ks->base_url, sizeof(ks->base_url)) < 0 ||
	    !verify_base_valid(ks->base_url))
		err = "bad base_url";
	else if (json_object_get(root, "name") != NULL &&
	    str_member(root, "name", ks->name, sizeof(ks->name)) < 0)
		err = "bad name";
	else if (!json_is_array(keys = json_object_get(root, "keys")) ||
	    json_array_size(keys) == 0 || json_array_size(keys) > KEYSET_KEYS_MAX)
		err = "keys must be an array of 1..KEYSET_KEYS_MAX keys";
	else {
		for (size_t i = 0; err == NULL && i < json_array_size(keys); i++) {
			struct cert_key *k = &ks->keys[i];
			if ((err = parse_key(json_array_get(keys, i), k)) == NULL &&
			    keyset_find(ks, k->id) != NULL)
				err = "duplicate key id";
			ks->n = i + 1;
		}
	}
	json_decref(root);
	if (err != NULL) {
		memset(ks, 0, sizeof(*ks));
		*why = err;
		return -1;
	}
	/* upper-case base, as links are written */
	for (char *p = ks->base_url; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	return 0;
}

json_t *
keyset_to_json(const struct keyset *ks)
{
	json_t *keys = json_array();
	for (size_t i = 0; keys != NULL && i < ks->n; i++) {
		const struct cert_key *k = &ks->keys[i];
		char pk[sodium_base64_ENCODED_LEN(SIG_PK_BYTES,
		    sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
		char from[11], until[11];
		sodium_bin2base64(pk, sizeof(pk), k->pk, SIG_PK_BYTES,
		    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		ymd_format(k->valid_from, from);
		if (k->has_until)
			ymd_format(k->valid_until, until);
		json_array_append_new(keys, json_pack("{s:s, s:s, s:s, s:s, s:o}", "id", k->id,
		    "alg", "Ed25519", "public_key", pk, "valid_from", from, "valid_until",
		    k->has_until ? json_string(until) : json_null()));
	}
	if (keys == NULL)
		return NULL;
	return json_pack("{s:s, s:s, s:s, s:s, s:o}", "format", KEYSET_FORMAT, "node", ks->node,
	    "name", ks->name, "base_url", ks->base_url, "keys", keys);
}

const struct cert_key *
keyset_find(const struct keyset *ks, const char *id)
{
	for (size_t i = 0; i < ks->n; i++)
		if (strcmp(ks->keys[i].id, id) == 0)
			return &ks->keys[i];
	return NULL;
}

int
cert_key_covers(const struct cert_key *k, struct ymd d)
{
	return ymd_cmp(d, k->valid_from) >= 0 && (!k->has_until || ymd_cmp(d, k->valid_until) <= 0);
}

enum cert_check
key_check(const struct keyset *ks, const char *node, const char *key_id, struct ymd issued,
    const char *payload, size_t len, const unsigned char sig[SIG_BYTES])
{
	if (strcmp(node, ks->node) != 0)
		return CHECK_OTHER_NODE;
	const struct cert_key *k = keyset_find(ks, key_id);
	if (k == NULL)
		return CHECK_UNKNOWN_KEY;
	/* the signature first: a window answer must not tell a forger which key ids exist */
	if (crypto_sign_verify_detached(sig, (const unsigned char *)payload,
	    (unsigned long long)len, k->pk) != 0)
		return CHECK_FORGED;
	if (!cert_key_covers(k, issued))
		return CHECK_KEY_WINDOW;
	return CHECK_GENUINE;
}

enum cert_check
cert_check(const struct keyset *ks, const struct verify_link *l)
{
	const struct cert_claims *c = &l->claims;
	struct serial s;
	char p[SIG_PAYLOAD_MAX];
	int n;

	if (!cert_claims_valid(c) || serial_parse(c->serial, strlen(c->serial), &s) != SERIAL_OK ||
	    (n = sig_payload(c, p, sizeof(p))) < 0)
		return CHECK_FORGED;
	return key_check(ks, s.node, c->key_id, c->issued, p, (size_t)n, l->sig);
}

const char *
cert_check_code(enum cert_check c)
{
	switch (c) {
	case CHECK_GENUINE:     return "genuine";
	case CHECK_FORGED:      return "forged";
	case CHECK_UNKNOWN_KEY: return "unknown_key";
	case CHECK_KEY_WINDOW:  return "key_window";
	case CHECK_OTHER_NODE:  return "other_node";
	}
	return "forged";
}
