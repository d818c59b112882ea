#include "peers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../courses/catalogue.h"
#include "../db/audit.h"
#include "fedsummary.h"

struct fetch_opts
peer_fetch_opts(const struct tm_config *cfg, size_t max)
{
	return (struct fetch_opts){ cfg->fed_connect_timeout_ms, cfg->fed_timeout_ms, max };
}

void
peer_event(struct db *d, const char *code, const char *url, const char *kind, const char *outcome,
    const char *detail)
{
	char det[256];
	snprintf(det, sizeof(det), "%s", detail ? detail : "");
	struct db_val v[] = { code && *code ? DBV_STR(code) : DBV_NULL, DBV_STR(url), DBV_STR(kind),
		DBV_STR(outcome), DBV_STR(det) };
	(void)db_exec(d, "INSERT INTO peer_events (peer_code, url, kind, outcome, detail)"
	    " VALUES (?, ?, ?, ?, ?)", v, DB_N(v), NULL, NULL);
}

/* A URL we fetch from: a link base (http or https, host[:port][/path], no trailing '/'). */
static int
url_normal(const char *in, char out[VERIFY_BASE_MAX + 1])
{
	size_t n = strlen(in);
	while (n > 0 && in[n - 1] == '/')
		n--;
	if (n == 0 || n > VERIFY_BASE_MAX)
		return -1;
	memcpy(out, in, n);
	out[n] = '\0';
	/* scheme and host are case-insensitive; stored in lower case, as typed into a browser */
	for (char *p = out; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return verify_base_valid(out) ? 0 : -1;
}

/*
 * GET <url>/.well-known/tmcred-keys.json and parse it. NULL, or the error code; detail gets
 * a short English reason for the event log.
 */
static const char *
fetch_keyset(const struct tm_config *cfg, const char *url, struct keyset *ks,
    struct keyset_sigs *sigs, char fp[KEYSET_FP_HEX + 1], char *detail, size_t dcap)
{
	char full[VERIFY_BASE_MAX + sizeof(PEER_KEYSET_PATH)], *body;
	size_t len;
	long status;
	const char *why = NULL;
	struct fetch_opts o = peer_fetch_opts(cfg, KEYSET_JSON_MAX);

	snprintf(full, sizeof(full), "%s%s", url, PEER_KEYSET_PATH);
	enum fetch_err e = fetch_get(full, &o, &body, &len, &status);
	if (e != FETCH_OK) {
		if (status != 0)
			snprintf(detail, dcap, "GET %s: %s (HTTP %ld)", PEER_KEYSET_PATH,
			    fetch_err_code(e), status);
		else
			snprintf(detail, dcap, "GET %s: %s", PEER_KEYSET_PATH, fetch_err_code(e));
		return fetch_err_code(e);
	}
	if (keyset_parse(body, len, ks, &why) < 0 || keyset_sigs_parse(body, len, sigs) < 0 ||
	    keyset_fingerprint(ks, fp) < 0) {
		snprintf(detail, dcap, "not a signed key set: %s", why ? why : "bad signatures");
		free(body);
		return "peer_garbage";
	}
	free(body);
	return NULL;
}

static json_t *
peer_view(const struct peer *p)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:I}", "code", p->code, "name", p->name, "url",
	    p->url, "fingerprint", p->fingerprint, "keys", (json_int_t)p->ks.n);
}

struct add_ctx {
	const struct peer *p;
	const char *keyset_text;
	int64_t actor;
	const char *remote;
};

static enum db_rc
add_tx(struct db *d, void *arg)
{
	struct add_ctx *c = arg;
	uint64_t id = 0;
	struct db_val v[] = { DBV_STR(c->p->code), DBV_STR(c->p->name), DBV_STR(c->p->url),
		DBV_STR(c->p->fingerprint), DBV_STR(c->keyset_text),
		c->actor > 0 ? DBV_I64(c->actor) : DBV_NULL };
	enum db_rc rc = db_exec(d, "INSERT INTO peers (code, name, url, fingerprint, keyset, added_by,"
	    " checked_at) VALUES (?, ?, ?, ?, ?, ?, CURRENT_TIMESTAMP(6))", v, DB_N(v), NULL, &id);
	if (rc != DB_OK)
		return rc;
	json_t *after = peer_view(c->p);
	struct audit_entry e = { .actor_user_id = c->actor, .action = "peer.add",
		.object_type = "peer", .object_id = c->p->code, .after = after,
		.remote_addr = c->remote };
	rc = audit_record(d, &e);
	json_decref(after);
	return rc;
}

const char *
peer_add(struct db *d, const struct tm_config *cfg, int64_t actor, const char *remote,
    const char *url_in, const char *pin, json_t **out)
{
	struct peer p;
	struct keyset_sigs sigs;
	char detail[256], pin_l[KEYSET_FP_HEX + 1];

	*out = NULL;
	memset(&p, 0, sizeof(p));
	if (url_normal(url_in, p.url) < 0)
		return "peer_url_invalid";
	if (!keyset_fp_valid(pin))
		return "peer_fingerprint_invalid";
	for (size_t i = 0; i <= KEYSET_FP_HEX; i++)
		pin_l[i] = (char)(pin[i] >= 'A' && pin[i] <= 'F' ? pin[i] - 'A' + 'a' : pin[i]);
	const char *why = fetch_keyset(cfg, p.url, &p.ks, &sigs, p.fingerprint, detail,
	    sizeof(detail));
	if (why != NULL) {
		peer_event(d, NULL, p.url, "keyset", why, detail);
		return why;
	}
	if (strcmp(p.fingerprint, pin_l) != 0) {
		snprintf(detail, sizeof(detail), "pinned %.16s..., the node serves %.16s...", pin_l,
		    p.fingerprint);
		peer_event(d, p.ks.node, p.url, "keyset", "peer_pin_mismatch", detail);
		return "peer_pin_mismatch";
	}
	if (strcmp(p.ks.node, cfg->node_code) == 0) {
		peer_event(d, p.ks.node, p.url, "keyset", "peer_is_self", "the node's own code");
		return "peer_is_self";
	}
	snprintf(p.code, sizeof(p.code), "%s", p.ks.node);
	snprintf(p.name, sizeof(p.name), "%s", p.ks.name[0] ? p.ks.name : p.ks.node);
	json_t *doc = keyset_to_json(&p.ks);
	char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	if (text == NULL)
		return "internal_error";
	struct add_ctx c = { &p, text, actor, remote };
	enum db_rc rc = db_tx(d, add_tx, &c);
	free(text);
	if (rc == DB_DUP)
		return "peer_exists";
	if (rc != DB_OK)
		return db_code(rc);
	peer_event(d, p.code, p.url, "keyset", "ok", "pinned");
	*out = peer_view(&p);
	return NULL;
}

struct rm_ctx {
	const char *code;
	int64_t actor;
	const char *remote;
};

static enum db_rc
rm_tx(struct db *d, void *arg)
{
	struct rm_ctx *c = arg;
	char url[VERIFY_BASE_MAX + 1], fp[KEYSET_FP_HEX + 1], name[KEYSET_NAME_MAX * 4 + 1];
	struct db_val k[] = { DBV_STR(c->code) };
	struct db_out o[] = { DBO_STR(url), DBO_STR(fp), DBO_STR(name) };
	enum db_rc rc = db_row(d, "SELECT url, fingerprint, name FROM peers WHERE code = ? FOR UPDATE",
	    k, 1, o, 3);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_exec(d, "DELETE FROM peers WHERE code = ?", k, 1, NULL, NULL)) != DB_OK)
		return rc;
	json_t *before = json_pack("{s:s, s:s, s:s, s:s}", "code", c->code, "name", name, "url", url,
	    "fingerprint", fp);
	struct audit_entry e = { .actor_user_id = c->actor, .action = "peer.remove",
		.object_type = "peer", .object_id = c->code, .before = before,
		.remote_addr = c->remote };
	rc = audit_record(d, &e);
	json_decref(before);
	return rc;
}

const char *
peer_remove(struct db *d, int64_t actor, const char *remote, const char *code)
{
	struct rm_ctx c = { code, actor, remote };
	if (strlen(code) > SERIAL_NODE_MAX)
		return "peer_not_found";
	enum db_rc rc = db_tx(d, rm_tx, &c);
	if (rc == DB_NOROW)
		return "peer_not_found";
	return rc == DB_OK ? NULL : db_code(rc);
}

const char *
peer_refresh_keys(struct db *d, const struct tm_config *cfg, const struct peer *p,
    const char **outcome)
{
	static struct keyset fresh;
	struct keyset_sigs sigs;
	char detail[256], signer[CERT_KEY_ID_MAX + 1], fp[KEYSET_FP_HEX + 1];
	struct db_val id[] = { DBV_I64(p->id) };

	const char *why = fetch_keyset(cfg, p->url, &fresh, &sigs, fp, detail, sizeof(detail));
	if (why != NULL) {
		peer_event(d, p->code, p->url, "keyset", why, detail);
		*outcome = why;
		return why;
	}
	enum keyset_update u = keyset_update_check(&p->ks, &fresh, &sigs, signer);
	switch (u) {
	case KU_SAME:
		(void)db_exec(d, "UPDATE peers SET checked_at = CURRENT_TIMESTAMP(6) WHERE id = ?", id, 1,
		    NULL, NULL);
		*outcome = "same";
		return NULL;
	case KU_NODE_CHANGED:
		snprintf(detail, sizeof(detail), "the key set names node %s", fresh.node);
		peer_event(d, p->code, p->url, "keyset", "peer_node_changed", detail);
		*outcome = "peer_node_changed";
		return *outcome;
	case KU_UNSIGNED:
		snprintf(detail, sizeof(detail), "new fingerprint %.16s... not signed by a trusted key",
		    fp);
		peer_event(d, p->code, p->url, "keyset", "peer_unsigned_rotation", detail);
		*outcome = "peer_unsigned_rotation";
		return *outcome;
	case KU_ROTATED:
		break;
	}
	json_t *doc = keyset_to_json(&fresh);
	char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	if (text == NULL)
		return "internal_error";
	uint64_t n = 0;
	/* only over the set we judged against: a concurrent rotation wins, this one is dropped */
	struct db_val v[] = { DBV_STR(fp), DBV_STR(text), DBV_STR(signer),
		DBV_STR(fresh.name[0] ? fresh.name : fresh.node), DBV_I64(p->id), DBV_STR(p->fingerprint) };
	enum db_rc rc = db_begin(d);
	if (rc == DB_OK)
		rc = db_exec(d, "UPDATE peers SET fingerprint = ?, keyset = ?, keyset_signed_by = ?,"
		    " name = ?, keyset_at = CURRENT_TIMESTAMP(6), checked_at = CURRENT_TIMESTAMP(6)"
		    " WHERE id = ? AND fingerprint = ?", v, DB_N(v), &n, NULL);
	if (rc == DB_OK && n == 1) {
		json_t *before = json_pack("{s:s}", "fingerprint", p->fingerprint);
		json_t *after = json_pack("{s:s, s:s}", "fingerprint", fp, "signed_by", signer);
		struct audit_entry e = { .action = "peer.rotate", .object_type = "peer",
			.object_id = p->code, .before = before, .after = after };
		rc = audit_record(d, &e);
		json_decref(before);
		json_decref(after);
	}
	if (rc == DB_OK)
		rc = db_commit(d);
	else
		db_rollback(d);
	free(text);
	if (rc != DB_OK)
		return db_code(rc);
	snprintf(detail, sizeof(detail), "new fingerprint %.16s..., signed by %s", fp, signer);
	peer_event(d, p->code, p->url, "keyset", "rotated", detail);
	*outcome = "rotated";
	return NULL;
}

enum db_rc
peers_read(struct db *d, struct peer *out, size_t cap, size_t *n)
{
	static char text[KEYSET_JSON_MAX + 1];
	struct peer p;
	struct db_iter it;
	struct db_out o[] = { DBO_I64(), DBO_STR(p.code), DBO_STR(p.name), DBO_STR(p.url),
		DBO_STR(p.fingerprint), DBO_STR(text) };
	enum db_rc rc;

	*n = 0;
	memset(&p, 0, sizeof(p));
	rc = db_iter_start(d, &it, "SELECT id, code, name, url, fingerprint, keyset FROM peers"
	    " ORDER BY code", NULL, 0, o, DB_N(o));
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK) {
		p.id = o[0].i;
		if (*n == cap || keyset_parse(text, strlen(text), &p.ks, NULL) < 0)
			continue;   /* stored only after parsing: cannot happen short of manual SQL */
		out[(*n)++] = p;
	}
	db_iter_end(&it);
	return rc == DB_NOROW ? DB_OK : rc;
}

static struct peer cache[PEERS_MAX];
static size_t ncache;
static time_t cache_at;
static int cache_ok;

const struct peer *
peer_cached(struct db *d, const char *code)
{
	time_t now = time(NULL);
	if (!cache_ok || now - cache_at >= PEERS_CACHE_SECONDS) {
		static struct peer fresh[PEERS_MAX];
		size_t n;
		if (peers_read(d, fresh, PEERS_MAX, &n) == DB_OK) {
			memcpy(cache, fresh, n * sizeof(fresh[0]));
			ncache = n;
			cache_ok = 1;
			cache_at = now;
		}
	}
	for (size_t i = 0; i < ncache; i++)
		if (strcmp(cache[i].code, code) == 0)
			return &cache[i];
	return NULL;
}

int
peer_cache_loaded(void)
{
	return cache_ok;
}

void
peer_cache_drop(void)
{
	cache_ok = 0;
}

const char *
peers_json(struct db *d, json_t *peers, json_t *events)
{
	char code[SERIAL_NODE_MAX + 1], name[KEYSET_NAME_MAX * 4 + 1], url[VERIFY_BASE_MAX + 1],
	    fp[KEYSET_FP_HEX + 1], added[27], keyset_at[27], checked[27], as_of[11], signer[9];
	struct db_iter it;
	struct db_out o[] = { DBO_STR(code), DBO_STR(name), DBO_STR(url), DBO_STR(fp),
		DBO_STR(added), DBO_STR(keyset_at), DBO_STR(checked), DBO_STR(signer), DBO_STR(as_of),
		DBO_I64() };
	enum db_rc rc = db_iter_start(d, &it, "SELECT p.code, p.name, p.url, p.fingerprint,"
	    " DATE_FORMAT(p.added_at, '%Y-%m-%d %H:%i:%s'), DATE_FORMAT(p.keyset_at, '%Y-%m-%d %H:%i:%s'),"
	    " COALESCE(DATE_FORMAT(p.checked_at, '%Y-%m-%d %H:%i:%s'), ''), COALESCE(p.keyset_signed_by, ''),"
	    " COALESCE(DATE_FORMAT(s.as_of, '%Y-%m-%d'), ''), COALESCE(s.certified, -1)"
	    " FROM peers p LEFT JOIN peer_summaries s ON s.id = (SELECT MAX(id) FROM peer_summaries"
	    " WHERE peer_id = p.id) ORDER BY p.code", NULL, 0, o, DB_N(o));
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK) {
		json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "code", code, "name",
		    name, "url", url, "fingerprint", fp, "added_at", added, "keyset_at", keyset_at,
		    "checked_at", checked, "signed_by", signer);
		if (o[9].i >= 0) {
			json_object_set_new(p, "summary_as_of", json_string(as_of));
			json_object_set_new(p, "summary_certified", json_integer(o[9].i));
		}
		json_array_append_new(peers, p);
	}
	db_iter_end(&it);
	if (rc != DB_NOROW)
		return db_code(rc);
	char at[27], kind[8], outcome[33], detail[256], ecode[SERIAL_NODE_MAX + 1];
	struct db_out eo[] = { DBO_STR(at), DBO_STR(ecode), DBO_STR(url), DBO_STR(kind),
		DBO_STR(outcome), DBO_STR(detail) };
	struct db_val lim[] = { DBV_I64(PEER_EVENTS_SHOWN) };
	rc = db_iter_start(d, &it, "SELECT DATE_FORMAT(at, '%Y-%m-%d %H:%i:%s'), COALESCE(peer_code, ''),"
	    " url, kind, outcome, detail FROM peer_events ORDER BY id DESC LIMIT ?", lim, 1, eo,
	    DB_N(eo));
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK)
		json_array_append_new(events, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "at", at,
		    "peer", ecode, "url", url, "kind", kind, "outcome", outcome, "detail", detail,
		    "failed", strcmp(outcome, "ok") != 0 && strcmp(outcome, "rotated") != 0 &&
		    strcmp(outcome, "same") != 0));
	db_iter_end(&it);
	return rc == DB_NOROW ? NULL : db_code(rc);
}

const char *
federation_pull(struct db *d, const struct tm_config *cfg, json_t *result)
{
	static struct peer list[PEERS_MAX];
	size_t n;
	enum db_rc rc = peers_read(d, list, PEERS_MAX, &n);
	if (rc != DB_OK)
		return db_code(rc);
	for (size_t i = 0; i < n; i++) {
		const char *outcome = "";
		const char *sout = "-";
		/* a key set that cannot be had leaves the stored one: summaries still verify */
		(void)peer_refresh_keys(d, cfg, &list[i], &outcome);
		if (strcmp(outcome, "rotated") == 0) {
			size_t m;
			static struct peer again[PEERS_MAX];
			if (peers_read(d, again, PEERS_MAX, &m) == DB_OK)
				for (size_t j = 0; j < m; j++)
					if (again[j].id == list[i].id)
						list[i] = again[j];
		}
		(void)fed_pull_summary(d, cfg, &list[i], &sout);
		json_array_append_new(result, json_pack("{s:s, s:s, s:s}", "code", list[i].code,
		    "keyset", outcome, "summary", sout));
	}
	peer_cache_drop();
	return NULL;
}
