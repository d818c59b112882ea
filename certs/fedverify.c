#include "fedverify.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fetch.h"
#include "peers.h"

struct status_ent {
	char          serial[SERIAL_MAX + 1];
	unsigned      rev;
	enum vstatus  status;
	char          why[32];
	char          holder[64];
	char          base[400];
	time_t        at, until;
};

static struct status_ent scache[FED_STATUS_CACHE_MAX];

static const char *
level_name(char letter)
{
	return letter == 'J' ? "junior" : letter == 'I' ? "intermediate" : letter == 'S' ?
	    "senior" : "";
}

/* The statuses a peer may report for a certificate whose signature we checked ourselves. */
static int
peer_status(const char *s, enum vstatus *out)
{
	static const struct { const char *code; enum vstatus v; } ok[] = {
		{ "valid", VS_VALID }, { "expired", VS_EXPIRED }, { "suspended", VS_SUSPENDED },
		{ "revoked", VS_REVOKED }, { "superseded", VS_SUPERSEDED }, { "unknown", VS_UNKNOWN },
	};
	for (size_t i = 0; s != NULL && i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strcmp(s, ok[i].code) == 0) {
			*out = ok[i].v;
			return 0;
		}
	return -1;
}

/* Copies a short peer-supplied display string if it is one (templates escape it). */
static void
copy_text(json_t *o, const char *k, char *dst, size_t cap)
{
	const char *s = json_string_value(json_object_get(o, k));
	dst[0] = '\0';
	if (s != NULL && strlen(s) < cap)
		snprintf(dst, cap, "%s", s);
}

static struct status_ent *
cache_slot(const struct cert_claims *c, time_t now, int *hit)
{
	struct status_ent *oldest = &scache[0];
	for (size_t i = 0; i < FED_STATUS_CACHE_MAX; i++) {
		struct status_ent *e = &scache[i];
		if (e->serial[0] && e->rev == c->rev && strcmp(e->serial, c->serial) == 0) {
			*hit = now < e->until;
			return e;
		}
		if (e->at < oldest->at)
			oldest = e;
	}
	*hit = 0;
	return oldest;
}

static void
ask_peer(struct db *d, const struct tm_config *cfg, const struct peer *p,
    const struct verify_link *l, struct status_ent *e, time_t now)
{
	char tok[VERIFY_TOKEN_MAX + 1], url[VERIFY_BASE_MAX + 32 + SERIAL_MAX + VERIFY_TOKEN_MAX];
	char *body = NULL;
	size_t len;
	long http;
	struct fetch_opts o = peer_fetch_opts(cfg, FED_STATUS_MAX);
	const char *why = NULL;
	json_t *root = NULL;

	memset(e, 0, sizeof(*e));
	snprintf(e->serial, sizeof(e->serial), "%s", l->claims.serial);
	e->rev = l->claims.rev;
	e->at = now;
	if (verify_token(&l->claims, l->sig, tok, sizeof(tok)) < 0)
		why = "peer_failed";
	else {
		snprintf(url, sizeof(url), "%s/api/v1/verify/%s?s=%s", p->url, l->claims.serial, tok);
		enum fetch_err fe = fetch_get(url, &o, &body, &len, &http);
		if (fe != FETCH_OK)
			why = fetch_err_code(fe);
		else if ((root = json_loadb(body, len, 0, NULL)) == NULL ||
		    peer_status(json_string_value(json_object_get(root, "status")), &e->status) < 0)
			why = "peer_garbage";
	}
	if (why != NULL) {
		char detail[96];
		e->status = VS_STATUS_UNAVAILABLE;
		snprintf(e->why, sizeof(e->why), "%s", why);
		e->until = now + (cfg->fed_status_cache_seconds < FED_STATUS_FAIL_SECONDS ?
		    cfg->fed_status_cache_seconds : FED_STATUS_FAIL_SECONDS);
		snprintf(detail, sizeof(detail), "status of %s", l->claims.serial);
		peer_event(d, p->code, p->url, "status", why, detail);
	} else {
		copy_text(root, "holder", e->holder, sizeof(e->holder));
		copy_text(root, "base", e->base, sizeof(e->base));
		e->until = now + cfg->fed_status_cache_seconds;
	}
	json_decref(root);
	free(body);
}

/* A key id the pinned set lacks: one refetch (rotation rules apply), rate-limited per peer. */
static const struct peer *
retry_keys(struct db *d, const struct tm_config *cfg, const struct peer *p)
{
	static struct { char code[SERIAL_NODE_MAX + 1]; time_t at; } tried[PEERS_MAX];
	time_t now = time(NULL);
	size_t i = 0;
	const char *outcome;
	for (; i < PEERS_MAX && tried[i].code[0] && strcmp(tried[i].code, p->code) != 0; i++)
		;
	if (i == PEERS_MAX)
		i = 0;
	if (tried[i].code[0] && now - tried[i].at < FED_KEY_RETRY_SECONDS)
		return p;
	snprintf(tried[i].code, sizeof(tried[i].code), "%s", p->code);
	tried[i].at = now;
	char code[SERIAL_NODE_MAX + 1];
	snprintf(code, sizeof(code), "%s", p->code);
	if (peer_refresh_keys(d, cfg, p, &outcome) == NULL && strcmp(outcome, "rotated") == 0) {
		peer_cache_drop();
		const struct peer *q = peer_cached(d, code);
		return q ? q : p;
	}
	return p;
}

enum db_rc
fed_verify_link(struct db *d, const struct tm_config *cfg, const struct verify_link *l,
    struct verify_result *v)
{
	struct serial s;
	int hit;
	time_t now = time(NULL);

	v->status = VS_FORGED;
	if (serial_parse(l->claims.serial, strlen(l->claims.serial), &s) != SERIAL_OK)
		return DB_OK;
	snprintf(v->peer, sizeof(v->peer), "%s", s.node);
	const struct peer *p = peer_cached(d, s.node);
	if (p == NULL && !peer_cache_loaded())
		return DB_GONE;             /* the trust list cannot be read: 503, not "untrusted" */
	if (p == NULL) {
		v->status = VS_UNKNOWN;     /* not from a node this one trusts */
		return DB_OK;
	}
	v->peer_trusted = true;
	snprintf(v->peer_name, sizeof(v->peer_name), "%s", p->name);
	enum cert_check c = cert_check(&p->ks, l);
	if (c == CHECK_UNKNOWN_KEY) {
		p = retry_keys(d, cfg, p);
		c = cert_check(&p->ks, l);
	}
	if (c != CHECK_GENUINE)
		return DB_OK;               /* forged: not signed by the peer's pinned keys */
	v->from_signature = true;
	snprintf(v->level, sizeof(v->level), "%s", level_name(l->claims.level));
	ymd_format(l->claims.issued, v->issued);
	ymd_format(l->claims.expires, v->expires);
	v->rev = v->current_rev = l->claims.rev;
	struct status_ent *e = cache_slot(&l->claims, now, &hit);
	if (!hit)
		ask_peer(d, cfg, p, l, e, now);
	v->status = e->status;
	snprintf(v->peer_why, sizeof(v->peer_why), "%s", e->why);
	snprintf(v->holder, sizeof(v->holder), "%s", e->holder);
	snprintf(v->base, sizeof(v->base), "%s", e->base);
	/* the peer may know it expired; the signed dates say so too */
	if (v->status == VS_VALID && ymd_cmp(l->claims.expires, ymd_today_utc()) < 0)
		v->status = VS_EXPIRED;
	return DB_OK;
}
