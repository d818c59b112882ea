#include "verify.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../courses/mask.h"
#include "fedverify.h"
#include "issue.h"
#include "keystore.h"
#include "snapshot.h"

static const char *const codes[] = { "valid", "expired", "suspended", "revoked", "unknown",
	"forged", "superseded", "status_unavailable" };
static const char *const zh[] = { "有效", "已过期", "已暂停", "已撤销", "未找到",
	"伪造或被篡改", "已更新", "状态暂不可查" };

const char *
vstatus_code(enum vstatus s)
{
	return (unsigned)s < sizeof(codes) / sizeof(codes[0]) ? codes[s] : "forged";
}

const char *
vstatus_zh(enum vstatus s)
{
	return (unsigned)s < sizeof(zh) / sizeof(zh[0]) ? zh[s] : zh[VS_FORGED];
}

static const char *
level_name(char letter)
{
	return letter == 'J' ? "junior" : letter == 'I' ? "intermediate" : letter == 'S' ?
	    "senior" : "";
}

/* The registry row of a serial, filling what the page shows; sets status from it. */
static enum db_rc
lookup(struct db *d, const struct tm_config *cfg, const char *serial, struct verify_result *v,
    const struct cert_claims *claims)
{
	char name[200], status[16], level[16], issued[11], expires[11], key_id[CERT_KEY_ID_MAX + 1];
	unsigned char sig[SIG_BYTES];
	struct db_val k[] = { DBV_STR(serial) };
	struct db_out o[] = { DBO_I64(), DBO_STR(name), DBO_STR(status), DBO_I64(), DBO_I64(),
		DBO_STR(v->base), DBO_STR(level), DBO_STR(issued), DBO_STR(expires), DBO_STR(key_id),
		DBO_BLOB(sig) };
	enum db_rc rc = db_row(d, "SELECT c.id, c.holder_name, c.status, c.rev,"
	    " c.expires_on < UTC_DATE(), COALESCE(b.name, ''), c.level, c.issued_on, c.expires_on,"
	    " c.key_id, c.signature FROM certificates c LEFT JOIN bases b ON b.id = c.base_id"
	    " WHERE c.serial = ?", k, 1, o, 11);
	if (rc == DB_NOROW) {
		v->status = VS_UNKNOWN;
		v->base[0] = '\0';
		return DB_OK;
	}
	if (rc != DB_OK)
		return rc;
	v->cert_id = o[0].i;
	v->current_rev = (unsigned)o[3].i;
	if (mask_name(name, strlen(name), v->holder, sizeof(v->holder)) < 0)
		v->holder[0] = '\0';
	if (claims == NULL) {           /* typed serial: the registry's own values */
		snprintf(v->level, sizeof(v->level), "%s", level);
		snprintf(v->issued, sizeof(v->issued), "%s", issued);
		snprintf(v->expires, sizeof(v->expires), "%s", expires);
		v->rev = v->current_rev;
	} else if (claims->rev > v->current_rev) {
		/* genuinely signed, but not a revision this registry holds */
		v->status = VS_UNKNOWN;
		v->cert_id = 0;
		return DB_OK;
	} else {
		unsigned char h[HOLDER_HASH_BYTES];
		if (holder_hash(name, h) < 0 || memcmp(h, claims->holder, sizeof(h)) != 0)
			v->holder[0] = '\0';    /* never show a name the signature does not cover */
	}
	if (strcmp(status, "revoked") == 0)
		v->status = VS_REVOKED;
	else if (strcmp(status, "suspended") == 0)
		v->status = VS_SUSPENDED;
	else if (claims != NULL && claims->rev < v->current_rev) {
		struct cert_claims cur;
		memset(&cur, 0, sizeof(cur));
		v->status = VS_SUPERSEDED;
		snprintf(cur.serial, sizeof(cur.serial), "%s", serial);
		cur.rev = v->current_rev;
		cur.level = level_letter(level);
		snprintf(cur.key_id, sizeof(cur.key_id), "%s", key_id);
		if (holder_hash(name, cur.holder) < 0 || !ymd_parse_str(issued, &cur.issued) ||
		    !ymd_parse_str(expires, &cur.expires) ||
		    verify_url(cfg->node_base_url, &cur, sig, v->current_url,
		    sizeof(v->current_url)) < 0)
			v->current_url[0] = '\0';
	} else if (claims != NULL) {
		struct ymd today = ymd_today_utc();
		v->status = ymd_cmp(claims->expires, today) < 0 ? VS_EXPIRED : VS_VALID;
	} else
		v->status = o[4].i ? VS_EXPIRED : VS_VALID;
	return DB_OK;
}

/* The answer from the signed claims and the snapshot: no Ed25519, no database. */
static void
from_snapshot(const struct cert_claims *c, const struct snap_hit *h, struct verify_result *v)
{
	v->from_signature = true;
	v->cert_id = h->cert_id;
	snprintf(v->level, sizeof(v->level), "%s", level_name(c->level));
	ymd_format(c->issued, v->issued);
	ymd_format(c->expires, v->expires);
	v->rev = v->current_rev = c->rev;
	snprintf(v->holder, sizeof(v->holder), "%s", h->holder);
	snprintf(v->base, sizeof(v->base), "%s", h->base);
	if (h->status == 'r')
		v->status = VS_REVOKED;
	else if (h->status == 's')
		v->status = VS_SUSPENDED;
	else
		v->status = ymd_cmp(c->expires, ymd_today_utc()) < 0 ? VS_EXPIRED : VS_VALID;
}

enum db_rc
cert_verify_link(struct db *d, const struct tm_config *cfg, const char *path, size_t len,
    uint64_t epoch, struct verify_result *v)
{
	struct verify_link l;
	struct snap_hit hit;
	memset(v, 0, sizeof(*v));
	v->status = VS_FORGED;
	/* a scanned code has no typing errors: any malformed part reads as forged */
	if (verify_path_parse(path, len, &l) != VURL_OK)
		return DB_OK;
	snprintf(v->serial, sizeof(v->serial), "%s", l.claims.serial);
	(void)snap_sync(d, epoch);      /* on trouble the snapshot stops answering: full path */
	switch (snap_check(&l.claims, l.sig, &hit)) {
	case 0:
		return DB_OK;           /* forged */
	case 1:
		from_snapshot(&l.claims, &hit, v);
		return DB_OK;
	}
	const struct keyset *ks = keyset_cached(d, cfg, l.claims.key_id);
	if (ks == NULL)
		return DB_GONE;
	enum cert_check c = cert_check(ks, &l);
	if (c == CHECK_OTHER_NODE)
		return fed_verify_link(d, cfg, &l, v);
	if (c != CHECK_GENUINE)
		return DB_OK;
	v->from_signature = true;
	snprintf(v->level, sizeof(v->level), "%s", level_name(l.claims.level));
	ymd_format(l.claims.issued, v->issued);
	ymd_format(l.claims.expires, v->expires);
	v->rev = l.claims.rev;
	return lookup(d, cfg, l.claims.serial, v, &l.claims);
}

enum db_rc
cert_verify_serial(struct db *d, const struct tm_config *cfg, const char *serial, size_t len,
    struct verify_result *v)
{
	struct serial s;
	memset(v, 0, sizeof(*v));
	v->status = VS_UNKNOWN;
	if ((v->serial_err = serial_parse(serial, len, &s)) != SERIAL_OK)
		return DB_OK;
	snprintf(v->serial, sizeof(v->serial), "%s", s.text);
	return lookup(d, cfg, s.text, v, NULL);
}

static struct {
	int64_t id[VERIFY_LOG_MAX];
	char at[VERIFY_LOG_MAX][20];
	time_t first;
	size_t n;
} vlog;

enum db_rc
cert_verified_flush(struct db *d, bool force)
{
	const char *at[VERIFY_LOG_MAX];
	unsigned long len[VERIFY_LOG_MAX];
	if (vlog.n == 0 || (!force && vlog.n < VERIFY_LOG_MAX &&
	    time(NULL) - vlog.first < VERIFY_LOG_SECONDS))
		return DB_OK;
	for (size_t i = 0; i < vlog.n; i++) {
		at[i] = vlog.at[i];
		len[i] = 19;
	}
	struct db_bulk_col cols[] = { { DB_T_I64, vlog.id, NULL, NULL },
		{ DB_T_STR, at, len, NULL } };
	enum db_rc rc = db_exec_bulk(d, "INSERT INTO certificate_verifications (certificate_id, at)"
	    " VALUES (?, ?)", cols, 2, vlog.n, NULL);
	/* a count is not worth a retry loop: on failure the times are dropped, never re-sent twice */
	vlog.n = 0;
	return rc;
}

void
cert_verified(struct db *d, int64_t cert_id)
{
	time_t now = time(NULL);
	struct tm tm;
	if (vlog.n == VERIFY_LOG_MAX)
		(void)cert_verified_flush(d, true);
	if (vlog.n == 0)
		vlog.first = now;
	gmtime_r(&now, &tm);
	strftime(vlog.at[vlog.n], sizeof(vlog.at[0]), "%Y-%m-%d %H:%M:%S", &tm);
	vlog.id[vlog.n++] = cert_id;
}
