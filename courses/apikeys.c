#include "apikeys.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "../db/audit.h"
#include "catalogue.h"
#include "trainees.h"

#define PREFIX_LEN 8
#define SECRET_BYTES 32

static void
key_hash(const struct tm_keys *k, const char *text, unsigned char out[32])
{
	blind_hash(k, "apikey", text, strlen(text), out);
}

const char *
apikey_create(struct db *d, const struct tm_keys *k, int64_t actor, const char *remote,
    const char *base_code, const char *scopes, const char *label, int expires_days, char *text,
    json_t **out)
{
	static const char alphabet[] = "abcdefghijkmnpqrstuvwxyz23456789";
	char prefix[PREFIX_LEN + 1], secret[64];
	unsigned char raw[SECRET_BYTES], h[32];

	for (int i = 0; i < PREFIX_LEN; i++)
		prefix[i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
	prefix[PREFIX_LEN] = '\0';
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(secret, sizeof(secret), raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
	snprintf(text, APIKEY_TEXT_MAX, "tmk_%s_%s", prefix, secret);
	sodium_memzero(secret, sizeof(secret));
	key_hash(k, text, h);

	struct db_val bv[] = { DBV_STR(base_code) };
	struct db_out bo[] = { DBO_I64() };
	enum db_rc rc = db_row(d, "SELECT id FROM bases WHERE code = ? AND status = 'active'",
	    bv, 1, bo, 1);
	if (rc == DB_NOROW)
		return "base_not_found";
	if (rc != DB_OK)
		return db_code(rc);
	/* scopes arrive as "a|b"; MariaDB's SET wants "a,b" */
	char set[64];
	snprintf(set, sizeof(set), "%s", scopes);
	for (char *p = set; *p; p++)
		if (*p == '|')
			*p = ',';
	struct db_val v[] = { DBV_I64(bo[0].i), DBV_STR(prefix), DBV_BLOB(h, sizeof(h)), DBV_STR(set),
		DBV_STR(label ? label : ""), DBV_I64(expires_days), DBV_I64(expires_days),
		DBV_I64(actor) };
	if ((rc = db_exec(d, "INSERT INTO api_keys (base_id, prefix, key_hash, scopes, label,"
	    " expires_at, created_by) VALUES (?, ?, ?, ?, ?,"
	    " IF(? > 0, NOW() + INTERVAL ? DAY, NULL), ?)", v, DB_N(v), NULL, NULL)) != DB_OK)
		return db_code(rc);
	json_t *after = json_pack("{s:s, s:s, s:s}", "base", base_code, "prefix", prefix, "scopes",
	    set);
	struct audit_entry e = { .actor_user_id = actor, .action = "apikey.create",
		.object_type = "api_key", .object_id = prefix, .after = after, .remote_addr = remote };
	rc = audit_record(d, &e);
	json_decref(after);
	if (rc != DB_OK)
		return db_code(rc);
	*out = json_pack("{s:s, s:s, s:s, s:s}", "key", text, "prefix", prefix, "base_code",
	    base_code, "scopes", set);
	return NULL;
}

const char *
apikey_revoke(struct db *d, int64_t actor, const char *remote, const char *prefix)
{
	uint64_t n = 0;
	struct db_val v[] = { DBV_STR(prefix) };
	enum db_rc rc = db_exec(d, "UPDATE api_keys SET revoked_at = NOW() WHERE prefix = ?"
	    " AND revoked_at IS NULL", v, 1, &n, NULL);
	if (rc != DB_OK)
		return db_code(rc);
	if (n == 0)
		return "api_key_not_found";
	struct audit_entry e = { .actor_user_id = actor, .action = "apikey.revoke",
		.object_type = "api_key", .object_id = prefix, .remote_addr = remote };
	rc = audit_record(d, &e);
	return rc == DB_OK ? NULL : db_code(rc);
}

const char *
apikeys_list(struct db *d, json_t *out)
{
	char prefix[12], base[20], scopes[64], label[404], expires[24], revoked[24], created[32];
	struct db_out o[] = { DBO_STR(prefix), DBO_STR(base), DBO_STR(scopes), DBO_STR(label),
		DBO_STR(expires), DBO_STR(revoked), DBO_STR(created) };
	struct db_iter it;
	enum db_rc rc = db_iter_start(d, &it, "SELECT k.prefix, b.code, k.scopes, k.label,"
	    " COALESCE(k.expires_at, ''), COALESCE(k.revoked_at, ''),"
	    " DATE_FORMAT(k.created_at, '%Y-%m-%d %H:%i') FROM api_keys k"
	    " JOIN bases b ON b.id = k.base_id ORDER BY k.id DESC LIMIT 500", NULL, 0, o, DB_N(o));
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK)
		json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?, s:s}",
		    "prefix", prefix, "base_code", base, "scopes", scopes, "label", label,
		    "expires_at", expires[0] ? expires : NULL, "revoked_at", revoked[0] ? revoked : NULL,
		    "created_at", created));
	db_iter_end(&it);
	return rc == DB_NOROW ? NULL : db_code(rc);
}

const char *
apikey_check(struct db *d, const struct tm_keys *k, const char *header, struct apikey_auth *a)
{
	unsigned char h[32], stored[32];
	char prefix[PREFIX_LEN + 1];
	const char *text;

	memset(a, 0, sizeof(*a));
	if (header == NULL || strncmp(header, "Bearer ", 7) != 0)
		return "api_key_invalid";
	text = header + 7;
	if (strlen(text) >= APIKEY_TEXT_MAX || strncmp(text, "tmk_", 4) != 0 ||
	    strlen(text) < 4 + PREFIX_LEN + 2 || text[4 + PREFIX_LEN] != '_')
		return "api_key_invalid";
	memcpy(prefix, text + 4, PREFIX_LEN);
	prefix[PREFIX_LEN] = '\0';
	key_hash(k, text, h);

	struct db_val v[] = { DBV_STR(prefix) };
	struct db_out o[] = { DBO_I64(), DBO_I64(), DBO_BLOB(stored), DBO_STR(a->scopes), DBO_I64(),
		DBO_I64(), DBO_STR(a->base_code) };
	enum db_rc rc = db_row(d, "SELECT k.id, k.base_id, k.key_hash, k.scopes,"
	    " k.revoked_at IS NOT NULL, k.expires_at IS NOT NULL AND k.expires_at <= NOW(), b.code"
	    " FROM api_keys k JOIN bases b ON b.id = k.base_id WHERE k.prefix = ?", v, 1, o, DB_N(o));
	if (rc == DB_NOROW)
		return "api_key_invalid";
	if (rc != DB_OK)
		return db_code(rc);
	if (o[2].len != sizeof(h) || sodium_memcmp(h, stored, sizeof(h)) != 0)
		return "api_key_invalid";
	if (o[4].i)
		return "api_key_revoked";
	if (o[5].i)
		return "api_key_expired";
	a->key_id = o[0].i;
	a->base_id = o[1].i;
	return NULL;
}

bool
apikey_has_scope(const struct apikey_auth *a, const char *scope)
{
	size_t n = strlen(scope);
	for (const char *p = a->scopes; *p;) {
		size_t l = strcspn(p, ",");
		if (l == n && memcmp(p, scope, n) == 0)
			return true;
		p += l + (p[l] == ',');
	}
	return false;
}
