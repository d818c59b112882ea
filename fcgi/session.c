#include "session.h"

#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../courses/trainees.h"
#include "epoch.h"
#include "limits.h"

#define B64_TOKEN_LEN sodium_base64_ENCODED_LEN(TM_SESSION_TOKEN_BYTES, \
    sodium_base64_VARIANT_URLSAFE_NO_PADDING)

enum role
role_from_name(const char *n)
{
	if (strcmp(n, "trainee") == 0) return ROLE_TRAINEE;
	if (strcmp(n, "base_operator") == 0) return ROLE_BASE;
	if (strcmp(n, "reviewer") == 0) return ROLE_REVIEWER;
	if (strcmp(n, "admin") == 0) return ROLE_ADMIN;
	return ROLE_NONE;
}

static void
token_hash(const char *tok, unsigned char out[32])
{
	crypto_generichash(out, 32, (const unsigned char *)tok, strlen(tok), NULL, 0);
}

/* A well-formed token is exactly what we issue: base64url of TM_SESSION_TOKEN_BYTES. */
static bool
token_shape_ok(const char *t)
{
	if (t == NULL || strlen(t) != B64_TOKEN_LEN - 1)
		return false;
	for (const char *p = t; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			return false;
	return true;
}

static char *
new_token(struct request *req)
{
	unsigned char raw[TM_SESSION_TOKEN_BYTES];
	char *out = arena_alloc(req->a, B64_TOKEN_LEN);
	randombytes_buf(raw, sizeof(raw));
	if (out != NULL)
		sodium_bin2base64(out, B64_TOKEN_LEN, raw, sizeof(raw),
		    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return out;
}

void
session_epoch_bump(void)
{
	host_epoch_bump(EPOCH_SESSIONS);
}

/*
 * Sessions this worker has read: a direct-mapped table indexed by the token hash (already
 * uniformly random), so a lookup is one slot and a colliding session simply replaces the
 * other. Only live sessions are kept; an unknown token always goes to the database.
 */
struct cached_session {
	unsigned char h[32];
	bool used;
	int64_t user_id, person_id, base_id;
	enum role role;
	int64_t expires;            /* the session's expires_at, Unix time */
	struct timespec read_at;    /* CLOCK_MONOTONIC when it was read from the database */
	char name[204];
};

static struct cached_session cache[TM_SESSION_CACHE_SLOTS];
static uint64_t cache_epoch;

static struct cached_session *
cache_slot(const unsigned char h[32])
{
	uint32_t k;
	memcpy(&k, h, sizeof(k));
	return &cache[k % TM_SESSION_CACHE_SLOTS];
}

/* The epoch now, after dropping everything cached under an older one. */
static uint64_t
cache_sync(void)
{
	uint64_t e = host_epoch(EPOCH_SESSIONS);
	if (e != cache_epoch) {
		for (size_t i = 0; i < TM_SESSION_CACHE_SLOTS; i++)
			cache[i].used = false;
		cache_epoch = e;
	}
	return e;
}

static bool
cache_fresh(const struct cached_session *c, unsigned ttl)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec - c->read_at.tv_sec < (time_t)ttl && (int64_t)time(NULL) < c->expires;
}

static void
session_fill(struct request *req, const char *tok, int64_t uid, int64_t pid, int64_t bid,
    enum role role, const char *name)
{
	req->user_id = uid;
	req->person_id = pid;
	req->base_id = bid;
	req->role = role;
	req->user_name = arena_strdup(req->a, name);
	req->session_token = tok;
	req->csrf_seed = tok;
}

/*
 * Moves the idle deadline to idle seconds from now when it lags by a minute or more (or
 * lies further out: idle_minutes was lowered): one UPDATE per session per minute at
 * most, on the reads that miss the cache. Best effort: a failed move costs the user at
 * most a minute of idle time, so it never fails the request.
 */
static void
idle_touch(struct request *req, const unsigned char h[32], int64_t idle, int64_t left)
{
	if (idle == 0 || (left >= idle - TM_SESSION_IDLE_TOUCH_SECONDS && left <= idle))
		return;
	struct db_val v[] = { DBV_I64(idle), DBV_BLOB(h, 32) };
	(void)db_exec(req->w->db, "UPDATE sessions SET idle_until = NOW() + INTERVAL ? SECOND"
	    " WHERE token_hash = ?", v, DB_N(v), NULL, NULL);
}

const char *
session_cookie(const struct request *req)
{
	return resp_cookies_secure(req) ? "__Host-tm_session" : "tm_session";
}

const char *
csrf_cookie(const struct request *req)
{
	return resp_cookies_secure(req) ? "__Host-tm_csrf" : "tm_csrf";
}

enum db_rc
session_load(struct request *req)
{
	const char *tok = kv_get(&req->cookies, session_cookie(req));
	const char *anon = kv_get(&req->cookies, csrf_cookie(req));
	char role[16], name[204];
	unsigned char h[32];

	if (token_shape_ok(anon))
		req->csrf_seed = anon;
	if (!token_shape_ok(tok))
		return DB_OK;
	token_hash(tok, h);

	/* Read the epoch before the database: a logout that lands after it empties the cache. */
	unsigned ttl = req->w->cfg->session_cache_seconds;
	bool caching = host_epochs_mapped() && ttl > 0;
	uint64_t epoch = caching ? cache_sync() : 0;
	struct cached_session *c = caching ? cache_slot(h) : NULL;
	if (c != NULL && c->used && sodium_memcmp(c->h, h, sizeof(h)) == 0) {
		if (cache_fresh(c, ttl)) {
			session_fill(req, tok, c->user_id, c->person_id, c->base_id, c->role, c->name);
			return DB_OK;
		}
		c->used = false;
	}

	int64_t idle = (int64_t)req->w->cfg->session_idle_minutes * 60;
	struct db_val v[] = { DBV_BLOB(h, sizeof(h)), DBV_I64(idle) };
	struct db_out o[] = { DBO_I64(), DBO_STR(role), DBO_STR(name), DBO_I64(), DBO_I64(),
		DBO_I64(), DBO_I64() };
	enum db_rc rc = db_row(req->w->db, "SELECT s.user_id, u.role, u.display_name,"
	    " COALESCE(u.person_id, 0), COALESCE(u.base_id, 0), UNIX_TIMESTAMP(s.expires_at),"
	    " COALESCE(TIMESTAMPDIFF(SECOND, NOW(), s.idle_until), -1)"
	    " FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?"
	    " AND s.expires_at > NOW() AND (? = 0 OR s.idle_until IS NULL OR s.idle_until > NOW())"
	    " AND u.status = 'active'", v, DB_N(v), o, DB_N(o));
	if (rc == DB_NOROW)
		return DB_OK;
	if (rc != DB_OK)
		return rc;
	idle_touch(req, h, idle, o[6].i);
	session_fill(req, tok, o[0].i, o[3].i, o[4].i, role_from_name(role), name);
	if (c != NULL && epoch == cache_epoch) {
		memcpy(c->h, h, sizeof(h));
		c->user_id = o[0].i;
		c->person_id = o[3].i;
		c->base_id = o[4].i;
		c->role = req->role;
		c->expires = o[5].i;
		clock_gettime(CLOCK_MONOTONIC, &c->read_at);
		memcpy(c->name, name, sizeof(c->name));
		c->used = true;
	}
	return DB_OK;
}

enum db_rc
session_create(struct request *req, struct response *r, int64_t user_id)
{
	char *tok = new_token(req);
	unsigned char h[32];
	if (tok == NULL)
		return DB_ERR;
	token_hash(tok, h);
	int64_t idle = (int64_t)req->w->cfg->session_idle_minutes * 60;
	struct db_val v[] = {
		DBV_BLOB(h, sizeof(h)), DBV_I64(user_id), DBV_I64(TM_SESSION_TTL_SECONDS),
		idle > 0 ? DBV_I64(idle) : DBV_NULL,
		req->remote_addr ? DBV_STR(req->remote_addr) : DBV_NULL,
	};
	enum db_rc rc = db_exec(req->w->db, "INSERT INTO sessions (token_hash, user_id, expires_at,"
	    " idle_until, remote_addr) VALUES (?, ?, NOW() + INTERVAL ? SECOND,"
	    " NOW() + INTERVAL ? SECOND, ?)", v, DB_N(v), NULL, NULL);
	if (rc != DB_OK)
		return rc;
	/* Ended sessions of this user go now; the table does not grow with logins. */
	struct db_val u[] = { DBV_I64(user_id) };
	(void)db_exec(req->w->db, "DELETE FROM sessions WHERE user_id = ? AND (expires_at <= NOW()"
	    " OR idle_until <= NOW())", u, 1, NULL, NULL);
	resp_cookie(req, r, session_cookie(req), tok, TM_SESSION_TTL_SECONDS);
	req->session_token = tok;
	req->csrf_seed = tok;
	req->user_id = user_id;
	return DB_OK;
}

enum db_rc
session_destroy(struct request *req, struct response *r)
{
	enum db_rc rc = DB_OK;
	if (req->session_token != NULL) {
		unsigned char h[32];
		token_hash(req->session_token, h);
		struct db_val v[] = { DBV_BLOB(h, sizeof(h)) };
		rc = db_exec(req->w->db, "DELETE FROM sessions WHERE token_hash = ?", v, 1, NULL, NULL);
		/* Before the answer leaves: no worker of this host may serve the token after it. */
		session_epoch_bump();
	}
	resp_cookie(req, r, session_cookie(req), "", 0);
	req->session_token = NULL;
	req->user_id = 0;
	req->csrf_seed = kv_get(&req->cookies, csrf_cookie(req));
	if (!token_shape_ok(req->csrf_seed))
		req->csrf_seed = NULL;
	return rc;
}

static const char *
token_for(struct request *req, const char *seed)
{
	unsigned char mac[32];
	char *out = arena_alloc(req->a, sodium_base64_ENCODED_LEN(32,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING));
	if (out == NULL)
		return NULL;
	crypto_generichash_state st;
	crypto_generichash_init(&st, req->w->keys.csrf, sizeof(req->w->keys.csrf), sizeof(mac));
	crypto_generichash_update(&st, (const unsigned char *)"csrf", 5);
	crypto_generichash_update(&st, (const unsigned char *)seed, strlen(seed));
	crypto_generichash_final(&st, mac, sizeof(mac));
	sodium_bin2base64(out, sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING),
	    mac, sizeof(mac), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return out;
}

const char *
csrf_token(struct request *req)
{
	if (req->csrf_seed == NULL) {
		char *c = new_token(req);
		if (c == NULL)
			return NULL;
		req->csrf_cookie = c;
		req->csrf_seed = c;
		req->set_csrf_cookie = true;
	}
	return token_for(req, req->csrf_seed);
}

bool
csrf_needed(const char *ct)
{
	return *ct == '\0' || strcmp(ct, "application/x-www-form-urlencoded") == 0 ||
	    strcmp(ct, "multipart/form-data") == 0 || strcmp(ct, "text/plain") == 0;
}

bool
csrf_check(struct request *req)
{
	const char *given = kv_get(&req->fields, "csrf");
	if (given == NULL)
		given = req->csrf_header;
	if (given == NULL || req->csrf_seed == NULL)
		return false;
	const char *want = token_for(req, req->csrf_seed);
	if (want == NULL)
		return false;
	size_t n = strlen(want);
	return strlen(given) == n && sodium_memcmp(given, want, n) == 0;
}
