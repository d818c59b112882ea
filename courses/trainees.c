#include "trainees.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "../db/audit.h"

/* argon2id at libsodium's INTERACTIVE cost: ~0.1 s and 64 MiB per hash on this class of box. */
#define PW_OPS crypto_pwhash_OPSLIMIT_INTERACTIVE
#define PW_MEM crypto_pwhash_MEMLIMIT_INTERACTIVE

_Static_assert(ID_ENC_BYTES == crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + 18,
    "ID_ENC_BYTES must match libsodium's secretbox layout");

void
id_encrypt(const struct tm_keys *k, const char id18[18], unsigned char out[ID_ENC_BYTES])
{
	randombytes_buf(out, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(out + crypto_secretbox_NONCEBYTES, (const unsigned char *)id18, 18,
	    out, k->id_enc);
}

void
blind_hash(const struct tm_keys *k, const char *domain, const char *s, size_t n,
    unsigned char out[32])
{
	crypto_generichash_state st;
	crypto_generichash_init(&st, k->blind, sizeof(k->blind), 32);
	crypto_generichash_update(&st, (const unsigned char *)domain, strlen(domain) + 1);
	crypto_generichash_update(&st, (const unsigned char *)s, n);
	crypto_generichash_final(&st, out, 32);
}

struct reg_tx {
	const struct account_new *in;
	const char *pw_hash;
	unsigned char id_enc[ID_ENC_BYTES];
	unsigned char id_blind[32];
	int64_t user_id, person_id;
};

static enum db_rc
register_tx(struct db *d, void *arg)
{
	struct reg_tx *t = arg;
	const struct account_new *in = t->in;
	uint64_t pid = 0, uid = 0;
	enum db_rc rc;

	if (in->id_number != NULL) {
		struct db_val pv[] = {
			DBV_STR(in->name), DBV_BLOB(t->id_enc, sizeof(t->id_enc)),
			DBV_BLOB(t->id_blind, sizeof(t->id_blind)),
			in->phone ? DBV_STR(in->phone) : DBV_NULL,
			in->email ? DBV_STR(in->email) : DBV_NULL,
			DBV_STR(in->employer ? in->employer : ""),
		};
		rc = db_exec(d, "INSERT INTO persons (name, id_enc, id_blind, phone, email, employer)"
		    " VALUES (?, ?, ?, ?, ?, ?)", pv, DB_N(pv), NULL, &pid);
		if (rc != DB_OK)
			return rc;
	}
	struct db_val uv[] = {
		DBV_STR(in->role), DBV_STR(in->name),
		in->email ? DBV_STR(in->email) : DBV_NULL,
		in->phone ? DBV_STR(in->phone) : DBV_NULL,
		DBV_STR(t->pw_hash),
		pid ? DBV_I64((int64_t)pid) : DBV_NULL,
		in->base_id ? DBV_I64(in->base_id) : DBV_NULL,
	};
	rc = db_exec(d, "INSERT INTO users (role, display_name, email, phone, pw_hash, person_id,"
	    " base_id) VALUES (?, ?, ?, ?, ?, ?, ?)", uv, DB_N(uv), NULL, &uid);
	if (rc != DB_OK)
		return rc;

	char oid[24];
	snprintf(oid, sizeof(oid), "%llu", (unsigned long long)uid);
	json_t *after = json_pack("{s:s, s:I, s:b}", "role", in->role, "person_id", (json_int_t)pid,
	    "has_email", in->email != NULL);
	struct audit_entry e = {
		.actor_user_id = (int64_t)uid, .action = "account.register", .object_type = "user",
		.object_id = oid, .after = after, .remote_addr = in->remote_addr,
	};
	rc = after ? audit_record(d, &e) : DB_ERR;
	json_decref(after);
	t->user_id = (int64_t)uid;
	t->person_id = (int64_t)pid;
	return rc;
}

enum reg_rc
account_register(struct db *d, const struct tm_keys *k, const struct account_new *in,
    int64_t *user_id, int64_t *person_id)
{
	char pw_hash[crypto_pwhash_STRBYTES];
	struct reg_tx t = { .in = in, .pw_hash = pw_hash };

	if (crypto_pwhash_str_alg(pw_hash, in->password, strlen(in->password), PW_OPS, PW_MEM,
	    crypto_pwhash_ALG_ARGON2ID13) != 0)
		return REG_ERR;
	if (in->id_number != NULL) {
		id_encrypt(k, in->id_number, t.id_enc);
		blind_hash(k, "id", in->id_number, 18, t.id_blind);
	}
	enum db_rc rc = db_tx(d, register_tx, &t);
	sodium_memzero(pw_hash, sizeof(pw_hash));
	switch (rc) {
	case DB_OK:
		*user_id = t.user_id;
		*person_id = t.person_id;
		return REG_OK;
	case DB_DUP:
		if (strcmp(db_dup_key(d), "uq_persons_id_blind") == 0)
			return REG_ID_TAKEN;
		if (strcmp(db_dup_key(d), "uq_users_email") == 0)
			return REG_EMAIL_TAKEN;
		if (strcmp(db_dup_key(d), "uq_users_phone") == 0)
			return REG_PHONE_TAKEN;
		return REG_ERR;
	case DB_GONE:
		return REG_GONE;
	default:
		return REG_ERR;
	}
}

/* A hash of a random password, so unknown logins cost one real verification. */
static const char *
dummy_hash(void)
{
	static char h[crypto_pwhash_STRBYTES];
	if (h[0] == '\0') {
		char pw[32];
		randombytes_buf(pw, sizeof(pw));
		if (crypto_pwhash_str_alg(h, pw, sizeof(pw), PW_OPS, PW_MEM,
		    crypto_pwhash_ALG_ARGON2ID13) != 0)
			h[0] = '\0';
	}
	return h;
}

static enum auth_rc
auth_rc_of(enum db_rc rc)
{
	return rc == DB_GONE ? AUTH_GONE : AUTH_ERR;
}

enum auth_rc
account_login(struct db *d, const struct tm_keys *k, const char *login, const char *password,
    unsigned max_failures, unsigned window_seconds, int64_t *user_id)
{
	char norm[256], hash[crypto_pwhash_STRBYTES] = "", status[16] = "";
	unsigned char lh[32];
	size_t n = strlen(login);
	enum db_rc rc;

	if (n == 0 || n >= sizeof(norm))
		return AUTH_BAD;
	for (size_t i = 0; i <= n; i++)
		norm[i] = (char)((login[i] >= 'A' && login[i] <= 'Z') ? login[i] + 32 : login[i]);
	blind_hash(k, "login", norm, n, lh);

	struct db_val hv[] = { DBV_BLOB(lh, sizeof(lh)), DBV_I64(window_seconds) };
	struct db_out fo[] = { DBO_I64() };
	rc = db_row(d, "SELECT failures FROM login_failures WHERE login_hash = ?"
	    " AND window_start > NOW() - INTERVAL ? SECOND", hv, 2, fo, 1);
	if (rc != DB_OK && rc != DB_NOROW)
		return auth_rc_of(rc);
	if (rc == DB_OK && fo[0].i >= (int64_t)max_failures)
		return AUTH_THROTTLED;

	struct db_val lv[] = { DBV_STR(norm) };
	struct db_out uo[] = { DBO_I64(), DBO_STR(hash), DBO_STR(status) };
	rc = db_row(d, strchr(norm, '@') ?
	    "SELECT id, pw_hash, status FROM users WHERE email = ?" :
	    "SELECT id, pw_hash, status FROM users WHERE phone = ?", lv, 1, uo, 3);
	if (rc != DB_OK && rc != DB_NOROW)
		return auth_rc_of(rc);
	bool found = rc == DB_OK && strcmp(status, "active") == 0;
	bool ok = crypto_pwhash_str_verify(found ? hash : dummy_hash(), password,
	    strlen(password)) == 0 && found;

	if (!ok) {
		/* Failures count per window; a failure after the window opens a new one. */
		rc = db_exec(d, "INSERT INTO login_failures (login_hash, window_start, failures)"
		    " VALUES (?, NOW(), 1) ON DUPLICATE KEY UPDATE"
		    " failures = IF(window_start > NOW() - INTERVAL ? SECOND, failures + 1, 1),"
		    " window_start = IF(failures = 1, NOW(), window_start)", hv, 2, NULL, NULL);
		return rc == DB_OK ? AUTH_BAD : auth_rc_of(rc);
	}
	rc = db_exec(d, "DELETE FROM login_failures WHERE login_hash = ?", hv, 1, NULL, NULL);
	if (rc != DB_OK)
		return auth_rc_of(rc);
	*user_id = uo[0].i;
	return AUTH_OK;
}

enum db_rc
account_get(struct db *d, const struct tm_keys *k, int64_t user_id, struct account *a)
{
	unsigned char enc[ID_ENC_BYTES + 8];
	struct db_val v[] = { DBV_I64(user_id) };
	struct db_out o[] = {
		DBO_I64(), DBO_STR(a->role), DBO_STR(a->name), DBO_STR(a->email), DBO_STR(a->phone),
		DBO_STR(a->employer), DBO_BLOB(enc),
	};
	memset(a, 0, sizeof(*a));
	enum db_rc rc = db_row(d, "SELECT u.person_id, u.role, u.display_name, COALESCE(u.email, ''),"
	    " COALESCE(u.phone, ''), COALESCE(p.employer, ''), p.id_enc FROM users u"
	    " LEFT JOIN persons p ON p.id = u.person_id WHERE u.id = ? AND u.status = 'active'",
	    v, DB_N(v), o, DB_N(o));
	if (rc != DB_OK)
		return rc;
	a->user_id = user_id;
	a->person_id = o[0].is_null ? 0 : o[0].i;
	if (!o[6].is_null) {
		if (o[6].len != ID_ENC_BYTES ||
		    crypto_secretbox_open_easy((unsigned char *)a->id_number,
		    enc + crypto_secretbox_NONCEBYTES, ID_ENC_BYTES - crypto_secretbox_NONCEBYTES,
		    enc, k->id_enc) != 0) {
			fprintf(stderr, "tmcred: person of user %lld: ID number does not decrypt\n",
			    (long long)user_id);
			return DB_ERR;
		}
		a->id_number[18] = '\0';
	}
	return DB_OK;
}

enum db_rc
person_by_id_number(struct db *d, const struct tm_keys *k, const char *id18, int64_t *person_id)
{
	unsigned char h[32];
	blind_hash(k, "id", id18, 18, h);
	struct db_val v[] = { DBV_BLOB(h, sizeof(h)) };
	struct db_out o[] = { DBO_I64() };
	enum db_rc rc = db_row(d, "SELECT id FROM persons WHERE id_blind = ?", v, 1, o, 1);
	if (rc == DB_OK)
		*person_id = o[0].i;
	return rc;
}
