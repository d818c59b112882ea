#include "keystore.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../courses/date.h"
#include "keysig.h"

static void
key_path(const struct tm_config *cfg, const char *id, char *out, size_t cap)
{
	snprintf(out, cap, "%s/sign-%s.key", cfg->keys_dir, id);
}

/* Writes a fresh seed to a new file (never overwrites); fills pk. */
static int
write_seed(const char *path, unsigned char pk[SIG_PK_BYTES], char *err, size_t errlen)
{
	unsigned char seed[crypto_sign_SEEDBYTES], sk[SIG_SK_BYTES];
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	randombytes_buf(seed, sizeof(seed));
	crypto_sign_seed_keypair(pk, sk, seed);
	ssize_t w = write(fd, seed, sizeof(seed));
	sodium_memzero(seed, sizeof(seed));
	sodium_memzero(sk, sizeof(sk));
	if (w != (ssize_t)sizeof(seed) || fsync(fd) < 0 || close(fd) < 0) {
		snprintf(err, errlen, "%s: write failed", path);
		unlink(path);
		return -1;
	}
	return 0;
}

static int
read_seed(const char *path, unsigned char sk[SIG_SK_BYTES])
{
	unsigned char seed[crypto_sign_SEEDBYTES], pk[SIG_PK_BYTES];
	struct stat sb;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = -1;
	if (fstat(fd, &sb) == 0 && (sb.st_mode & 077) == 0 && sb.st_size == (off_t)sizeof(seed))
		n = read(fd, seed, sizeof(seed));
	close(fd);
	if (n != (ssize_t)sizeof(seed))
		return -1;
	crypto_sign_seed_keypair(pk, sk, seed);
	sodium_memzero(seed, sizeof(seed));
	return 0;
}

static enum db_rc
insert_key(struct db *d, const char *id, const unsigned char pk[SIG_PK_BYTES], const char *from)
{
	struct db_val v[] = { DBV_STR(id), DBV_BLOB(pk, SIG_PK_BYTES), DBV_STR(from) };
	return db_exec(d, "INSERT INTO signing_keys (key_id, public_key, valid_from) VALUES (?, ?, ?)",
	    v, 3, NULL, NULL);
}

int
signkey_ensure(struct db *d, const struct tm_config *cfg, char *err, size_t errlen)
{
	struct db_out o[] = { DBO_I64() };
	char id[CERT_KEY_ID_MAX + 1], path[1200];
	unsigned char pk[SIG_PK_BYTES];

	if (db_row(d, "SELECT COUNT(*) FROM signing_keys", NULL, 0, o, 1) != DB_OK) {
		snprintf(err, errlen, "cannot read signing_keys");
		return -1;
	}
	if (o[0].i > 0)
		return 0;
	snprintf(id, sizeof(id), "%s1", cfg->node_code);
	key_path(cfg, id, path, sizeof(path));
	if (write_seed(path, pk, err, errlen) < 0)
		return -1;
	if (insert_key(d, id, pk, SIGNKEY_FIRST_FROM) != DB_OK) {
		unlink(path);
		snprintf(err, errlen, "cannot store the public key of %s", id);
		return -1;
	}
	return 1;
}

int
signkey_rotate(struct db *d, const struct tm_config *cfg, const char *from,
    char new_id[CERT_KEY_ID_MAX + 1], char *err, size_t errlen)
{
	char day[11], path[1200];
	struct ymd f;
	unsigned char pk[SIG_PK_BYTES];
	struct db_out o[] = { DBO_I64(), DBO_I64() };

	if (from == NULL) {
		ymd_format(ymd_today_utc(), day);
		from = day;
	}
	if (!ymd_parse_str(from, &f)) {
		snprintf(err, errlen, "bad date %s", from);
		return -1;
	}
	if (db_begin(d) != DB_OK)
		goto dberr;
	/* numbers after the node code; the newest open key must start before `from` */
	if (db_row(d, "SELECT COALESCE(MAX(CAST(SUBSTRING(key_id, ?) AS UNSIGNED)), 0),"
	    " COALESCE(MAX(valid_from >= ?), 0) FROM signing_keys FOR UPDATE",
	    (struct db_val[]){ DBV_I64((int64_t)strlen(cfg->node_code) + 1), DBV_STR(from) }, 2,
	    o, 2) != DB_OK) {
		db_rollback(d);
		goto dberr;
	}
	if (o[1].i) {
		db_rollback(d);
		snprintf(err, errlen, "a key already starts on or after %s", from);
		return -1;
	}
	if (snprintf(new_id, CERT_KEY_ID_MAX + 1, "%s%lld", cfg->node_code,
	    (long long)o[0].i + 1) > CERT_KEY_ID_MAX || !cert_key_id_valid(new_id)) {
		db_rollback(d);
		snprintf(err, errlen, "key ids exhausted");
		return -1;
	}
	key_path(cfg, new_id, path, sizeof(path));
	if (write_seed(path, pk, err, errlen) < 0) {
		db_rollback(d);
		return -1;
	}
	/*
	 * The old windows close ON `from`, not the day before: an old key may already have
	 * signed certificates dated `from` (today, by default), and they must stay genuine for
	 * every verifier. The new key signs from `from` on (signkey_for takes the newest key).
	 */
	if (db_exec(d, "UPDATE signing_keys SET valid_until = ?"
	    " WHERE valid_until IS NULL OR valid_until > ?",
	    (struct db_val[]){ DBV_STR(from), DBV_STR(from) }, 2, NULL, NULL) != DB_OK ||
	    insert_key(d, new_id, pk, from) != DB_OK || db_commit(d) != DB_OK) {
		db_rollback(d);
		unlink(path);
		goto dberr;
	}
	return 0;
dberr:
	snprintf(err, errlen, "database error during rotation");
	return -1;
}

enum db_rc
keyset_read(struct db *d, const struct tm_config *cfg, struct keyset *ks)
{
	struct db_iter it;
	char id[CERT_KEY_ID_MAX + 1], from[11], until[11];
	unsigned char pk[SIG_PK_BYTES];
	struct db_out o[] = { DBO_STR(id), DBO_BLOB(pk), DBO_STR(from), DBO_STR(until) };
	enum db_rc rc;

	memset(ks, 0, sizeof(*ks));
	snprintf(ks->node, sizeof(ks->node), "%s", cfg->node_code);
	snprintf(ks->name, sizeof(ks->name), "%s", cfg->node_name);
	snprintf(ks->base_url, sizeof(ks->base_url), "%s", cfg->node_base_url);
	for (char *p = ks->base_url; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	rc = db_iter_start(d, &it, "SELECT key_id, public_key, valid_from, valid_until"
	    " FROM signing_keys ORDER BY valid_from, key_id", NULL, 0, o, 4);
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK) {
		if (ks->n == KEYSET_KEYS_MAX || o[1].len != SIG_PK_BYTES)
			continue;
		struct cert_key *k = &ks->keys[ks->n];
		snprintf(k->id, sizeof(k->id), "%s", id);
		memcpy(k->pk, pk, SIG_PK_BYTES);
		if (!ymd_parse_str(from, &k->valid_from))
			continue;
		k->has_until = !o[3].is_null && ymd_parse_str(until, &k->valid_until);
		ks->n++;
	}
	db_iter_end(&it);
	return rc == DB_NOROW ? DB_OK : rc;
}

static struct keyset cache;
static time_t cache_at, miss_at;
static int cache_ok;

const struct keyset *
keyset_cached(struct db *d, const struct tm_config *cfg, const char *want_id)
{
	time_t now = time(NULL);
	int stale = !cache_ok || now - cache_at >= KEYSET_CACHE_SECONDS;
	if (!stale && want_id != NULL && keyset_find(&cache, want_id) == NULL &&
	    now - miss_at >= KEYSET_MISS_SECONDS) {
		miss_at = now;
		stale = 1;
	}
	if (stale) {
		static struct keyset fresh;
		if (keyset_read(d, cfg, &fresh) == DB_OK) {
			cache = fresh;
			cache_ok = 1;
			cache_at = now;
		}
	}
	return cache_ok ? &cache : NULL;
}

enum db_rc
signkey_for_tx(struct db *d, const struct tm_config *cfg, struct ymd day,
    char key_id[CERT_KEY_ID_MAX + 1], unsigned char sk[SIG_SK_BYTES])
{
	static struct keyset ks;
	char path[1200];
	enum db_rc rc = keyset_read(d, cfg, &ks);
	if (rc != DB_OK)
		return rc == DB_NOROW ? DB_ERR : rc;
	for (size_t i = ks.n; i-- > 0;) {
		if (!cert_key_covers(&ks.keys[i], day))
			continue;
		key_path(cfg, ks.keys[i].id, path, sizeof(path));
		if (read_seed(path, sk) == 0) {
			unsigned char pk[SIG_PK_BYTES];
			crypto_sign_ed25519_sk_to_pk(pk, sk);
			if (memcmp(pk, ks.keys[i].pk, SIG_PK_BYTES) != 0) {
				sodium_memzero(sk, SIG_SK_BYTES);
				continue;   /* a file that does not match its published key never signs */
			}
			snprintf(key_id, CERT_KEY_ID_MAX + 1, "%s", ks.keys[i].id);
			return DB_OK;
		}
	}
	return DB_NOROW;
}

int
signkey_for(struct db *d, const struct tm_config *cfg, struct ymd day,
    char key_id[CERT_KEY_ID_MAX + 1], unsigned char sk[SIG_SK_BYTES], char *err, size_t errlen)
{
	enum db_rc rc = signkey_for_tx(d, cfg, day, key_id, sk);
	if (rc == DB_OK)
		return 0;
	snprintf(err, errlen, rc == DB_NOROW ? "no signing key covers that date" :
	    "cannot read signing keys");
	return -1;
}

json_t *
keyset_published(struct db *d, const struct tm_config *cfg)
{
	static json_t *doc;
	static char doc_fp[KEYSET_FP_HEX + 1];
	static struct keyset_sigs sigs;
	char fp[KEYSET_FP_HEX + 1], path[1200];
	const struct keyset *ks = keyset_cached(d, cfg, NULL);

	if (ks == NULL || keyset_fingerprint(ks, fp) < 0)
		return doc != NULL ? json_incref(doc) : NULL;
	if (doc != NULL && strcmp(fp, doc_fp) == 0)
		return json_incref(doc);
	memset(&sigs, 0, sizeof(sigs));
	for (size_t i = 0; i < ks->n; i++) {
		unsigned char sk[SIG_SK_BYTES], pk[SIG_PK_BYTES];
		key_path(cfg, ks->keys[i].id, path, sizeof(path));
		if (read_seed(path, sk) < 0)
			continue;
		crypto_sign_ed25519_sk_to_pk(pk, sk);
		if (memcmp(pk, ks->keys[i].pk, SIG_PK_BYTES) == 0 &&
		    keyset_sign(ks, ks->keys[i].id, sk, &sigs.s[sigs.n]) == 0)
			sigs.n++;
		sodium_memzero(sk, sizeof(sk));
	}
	json_t *fresh = keyset_signed_json(ks, &sigs);
	if (fresh == NULL)
		return doc != NULL ? json_incref(doc) : NULL;
	json_decref(doc);
	doc = fresh;
	memcpy(doc_fp, fp, sizeof(doc_fp));
	return json_incref(doc);
}
