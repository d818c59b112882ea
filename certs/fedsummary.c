#include "fedsummary.h"

#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../courses/catalogue.h"
#include "../courses/trainees.h"
#include "keystore.h"
#include "progress.h"

/* 1 with the key, 0 when none is configured or the file is absent, -1 when it is unusable. */
static int
regional_key(const struct tm_config *cfg, unsigned char key[REGION_KEY_BYTES])
{
	struct stat sb;
	int fd, ok = -1;
	if (cfg->fed_regional_key_file[0] == '\0')
		return 0;
	if ((fd = open(cfg->fed_regional_key_file, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	if (fstat(fd, &sb) == 0 && (sb.st_mode & 077) == 0 && sb.st_size == REGION_KEY_BYTES &&
	    read(fd, key, REGION_KEY_BYTES) == REGION_KEY_BYTES)
		ok = 1;
	close(fd);
	if (ok < 0)
		fprintf(stderr, "tmcred: %s: not a 32-byte file of mode 0600; no person hashes\n",
		    cfg->fed_regional_key_file);
	return ok;
}

struct ids_ctx {
	int64_t *ids;
	size_t n, cap;
};

/* progress_each_counted_person's callback: collects the counted persons' ids. */
static int
collect_id(void *arg, long long person_id)
{
	struct ids_ctx *c = arg;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 1024;
		void *p = cap <= SUMMARY_PERSONS_MAX ? realloc(c->ids, cap * sizeof(int64_t)) : NULL;
		if (p == NULL)
			return -1;
		c->ids = p;
		c->cap = cap;
	}
	c->ids[c->n++] = person_id;
	return 0;
}

#define HASH_CHUNK 100   /* ids per SELECT: one round trip per hundred persons */

/* Decrypts each person's ID number and hashes it under the regional key into s->persons. */
static int
hash_persons(struct db *d, const struct tm_keys *keys, const unsigned char *rkey,
    const struct ids_ctx *ids, struct summary *s)
{
	static char sql[64 + 3 * HASH_CHUNK];
	unsigned char enc[ID_ENC_BYTES];
	char id[19];
	struct db_val v[HASH_CHUNK];
	struct db_out o[] = { DBO_BLOB(enc) };
	struct db_iter it;

	if (sql[0] == '\0') {
		size_t len = (size_t)snprintf(sql, sizeof(sql), "SELECT id_enc FROM persons WHERE id IN (?");
		for (size_t i = 1; i < HASH_CHUNK; i++)
			len += (size_t)snprintf(sql + len, sizeof(sql) - len, ",?");
		snprintf(sql + len, sizeof(sql) - len, ")");
	}
	if (ids->n > 0 && (s->persons = malloc(ids->n * REGION_HASH_BYTES)) == NULL)
		return -1;
	for (size_t at = 0; at < ids->n; at += HASH_CHUNK) {
		/* a short last chunk repeats its last id: IN () ignores the duplicates */
		for (size_t i = 0; i < HASH_CHUNK; i++)
			v[i] = DBV_I64(ids->ids[at + i < ids->n ? at + i : ids->n - 1]);
		enum db_rc rc = db_iter_start(d, &it, sql, v, HASH_CHUNK, o, 1);
		while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK) {
			if (o[0].len != ID_ENC_BYTES || s->npersons == ids->n ||
			    crypto_secretbox_open_easy((unsigned char *)id, enc + crypto_secretbox_NONCEBYTES,
			    ID_ENC_BYTES - crypto_secretbox_NONCEBYTES, enc, keys->id_enc) != 0) {
				rc = DB_ERR;
				break;
			}
			region_person_hash(rkey, id, s->persons[s->npersons++]);
		}
		db_iter_end(&it);
		sodium_memzero(id, sizeof(id));
		if (rc != DB_NOROW)
			return -1;
	}
	return 0;
}

/* This node's summary, unsigned (key_id and sig left empty). */
static const char *
own_summary(struct db *d, const struct tm_config *cfg, const struct tm_keys *keys,
    struct summary *s)
{
	json_t *node = NULL, *lv, *m;
	unsigned char rkey[REGION_KEY_BYTES];
	size_t i;

	memset(s, 0, sizeof(*s));
	if (progress_node_json(d, &node) < 0)
		return "db_unavailable";
	snprintf(s->node, sizeof(s->node), "%s", cfg->node_code);
	s->as_of = ymd_today_utc();
	snprintf(s->rule, sizeof(s->rule), "%lld",
	    (long long)json_integer_value(json_object_get(node, "rule_version")));
	s->certified = json_integer_value(json_object_get(node, "certified"));
	lv = json_object_get(node, "by_level");
	s->level[0] = json_integer_value(json_object_get(lv, "junior"));
	s->level[1] = json_integer_value(json_object_get(lv, "intermediate"));
	s->level[2] = json_integer_value(json_object_get(lv, "senior"));
	json_array_foreach(json_object_get(node, "by_month"), i, m) {
		const char *ms = json_string_value(json_object_get(m, "month"));
		int y, mo;
		if (s->nmonths == SUMMARY_MONTHS_MAX || ms == NULL || sscanf(ms, "%4d-%2d", &y, &mo) != 2)
			continue;
		s->month[s->nmonths++] = (struct summary_month){ y, mo,
			json_integer_value(json_object_get(m, "new")) };
	}
	json_decref(node);
	int rk = regional_key(cfg, rkey);
	if (rk > 0) {
		struct ids_ctx ids = { NULL, 0, 0 };
		s->has_persons = true;
		int r = progress_each_counted_person(d, collect_id, &ids);
		if (r == 0)
			r = hash_persons(d, keys, rkey, &ids, s);
		free(ids.ids);
		sodium_memzero(rkey, sizeof(rkey));
		if (r != 0) {
			summary_free(s);
			return "db_unavailable";
		}
		summary_sort_persons(s);
		/* the hashes are the persons: the count must be theirs, or peers refuse it */
		s->certified = (int64_t)s->npersons;
	}
	return NULL;
}

const char *
fed_summary_own(struct db *d, const struct tm_config *cfg, const struct tm_keys *keys,
    json_t **out)
{
	static struct summary s;
	unsigned char sk[SIG_SK_BYTES];
	char key_id[CERT_KEY_ID_MAX + 1], err[128];
	const char *why;

	*out = NULL;
	if ((why = own_summary(d, cfg, keys, &s)) != NULL)
		return why;
	if (signkey_for(d, cfg, s.as_of, key_id, sk, err, sizeof(err)) < 0) {
		summary_free(&s);
		return "no_signing_key";
	}
	int rc = summary_sign(&s, key_id, sk);
	sodium_memzero(sk, sizeof(sk));
	if (rc == 0)
		*out = summary_to_json(&s);
	summary_free(&s);
	return *out ? NULL : "internal_error";
}

const char *
fed_pull_summary(struct db *d, const struct tm_config *cfg, const struct peer *p,
    const char **outcome)
{
	static struct summary s;
	char url[VERIFY_BASE_MAX + sizeof(FED_SUMMARY_PATH)], *body = NULL, detail[256];
	size_t len;
	long http;
	const char *why = NULL, *reason = NULL;
	struct fetch_opts o = peer_fetch_opts(cfg, SUMMARY_JSON_MAX);
	unsigned char digest[32];

	snprintf(url, sizeof(url), "%s%s", p->url, FED_SUMMARY_PATH);
	enum fetch_err fe = fetch_get(url, &o, &body, &len, &http);
	detail[0] = '\0';
	if (fe != FETCH_OK) {
		why = fetch_err_code(fe);
		if (http != 0)
			snprintf(detail, sizeof(detail), "HTTP %ld", http);
	} else if (summary_parse(body, len, &s, &reason) < 0) {
		why = "summary_invalid";
		snprintf(detail, sizeof(detail), "%s", reason);
	} else if (summary_verify(&s, &p->ks) < 0) {
		why = "summary_bad_signature";
		snprintf(detail, sizeof(detail), "key %s, as of %04d-%02d-%02d", s.key_id, s.as_of.y,
		    s.as_of.m, s.as_of.d);
	} else if (summary_digest(&s, digest) < 0)
		why = "summary_invalid";
	if (why != NULL) {
		summary_free(&s);
		free(body);
		peer_event(d, p->code, p->url, "summary", why, detail);
		*outcome = why;
		return why;
	}
	char asof[11];
	ymd_format(s.as_of, asof);
	struct db_val v[] = { DBV_I64(p->id), DBV_STR(asof), DBV_STR(s.rule), DBV_I64(s.certified),
		DBV_STR(s.key_id), DBV_BLOB(s.sig, SIG_BYTES), DBV_BLOB(digest, 32), DBV_STRN(body, len) };
	enum db_rc rc = db_exec(d, "INSERT INTO peer_summaries (peer_id, as_of, rule_version,"
	    " certified, key_id, signature, digest, document) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", v,
	    DB_N(v), NULL, NULL);
	summary_free(&s);
	free(body);
	if (rc == DB_DUP) {
		/* the same content again: the stored row stands; mark it the latest seen */
		struct db_val k[] = { DBV_I64(p->id), DBV_BLOB(digest, 32) };
		(void)db_exec(d, "UPDATE peer_summaries SET fetched_at = CURRENT_TIMESTAMP(6)"
		    " WHERE peer_id = ? AND digest = ?", k, 2, NULL, NULL);
		*outcome = "same";
		return NULL;
	}
	if (rc != DB_OK) {
		*outcome = db_code(rc);
		return *outcome;
	}
	snprintf(detail, sizeof(detail), "as of %s, %lld certified", asof, (long long)v[3].i);
	peer_event(d, p->code, p->url, "summary", "ok", detail);
	*outcome = "ok";
	return NULL;
}

const char *
fed_region(struct db *d, const struct tm_config *cfg, const struct tm_keys *keys, json_t **out)
{
	static struct summary own, peer[PEERS_MAX];
	static char code[PEERS_MAX][SERIAL_NODE_MAX + 1], name[PEERS_MAX][KEYSET_NAME_MAX * 4 + 1],
	    fetched[PEERS_MAX][20];
	const struct summary *all[PEERS_REGION_MAX];
	int64_t shared[PEERS_REGION_MAX];
	struct region_total t;
	size_t np = 0;
	const char *why = own_summary(d, cfg, keys, &own);
	if (why != NULL)
		return why;

	char c[SERIAL_NODE_MAX + 1], nm[KEYSET_NAME_MAX * 4 + 1], at[20];
	char *doc = malloc(SUMMARY_JSON_MAX + 1);
	struct db_iter it;
	struct db_out o[] = { DBO_STR(c), DBO_STR(nm), DBO_STR(at),
		{ .t = DB_T_STR, .buf = doc, .cap = SUMMARY_JSON_MAX + 1 } };
	enum db_rc rc = doc ? db_iter_start(d, &it, "SELECT p.code, p.name,"
	    " DATE_FORMAT(s.fetched_at, '%Y-%m-%d %H:%i:%s'), s.document FROM peers p"
	    " JOIN peer_summaries s ON s.id = (SELECT id FROM peer_summaries WHERE peer_id = p.id"
	    " ORDER BY fetched_at DESC, id DESC LIMIT 1) ORDER BY p.code", NULL, 0, o, DB_N(o)) : DB_ERR;
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK) {
		const char *reason;
		if (np == PEERS_MAX || summary_parse(doc, o[3].len, &peer[np], &reason) < 0) {
			summary_free(&peer[np]);
			continue;   /* stored only after verification: cannot happen short of manual SQL */
		}
		snprintf(code[np], sizeof(code[np]), "%s", c);
		snprintf(name[np], sizeof(name[np]), "%s", nm);
		snprintf(fetched[np], sizeof(fetched[np]), "%s", at);
		np++;
	}
	if (doc != NULL)
		db_iter_end(&it);
	free(doc);
	if (rc != DB_NOROW) {
		summary_free(&own);
		for (size_t i = 0; i < np; i++)
			summary_free(&peer[i]);
		return db_code(rc);
	}
	all[0] = &own;
	for (size_t i = 0; i < np; i++)
		all[i + 1] = &peer[i];
	region_merge(all, np + 1, &t, shared);
	json_t *nodes = json_array();
	for (size_t i = 0; i <= np; i++) {
		const struct summary *s = all[i];
		char d10[11];
		ymd_format(s->as_of, d10);
		/* the node's share of the region's distinct persons, its double counts excluded
		   evenly is not knowable: the share is of the sum, and `shared` says how many are
		   also counted elsewhere */
		double share = t.sum > 0 ? 100.0 * (double)s->certified / (double)t.sum : 0.0;
		json_t *n = json_pack("{s:s, s:s, s:I, s:{s:I, s:I, s:I}, s:s, s:s, s:f, s:b, s:b}",
		    "code", i == 0 ? cfg->node_code : code[i - 1],
		    "name", i == 0 ? cfg->node_name : name[i - 1],
		    "certified", (json_int_t)s->certified, "by_level", "junior", (json_int_t)s->level[0],
		    "intermediate", (json_int_t)s->level[1], "senior", (json_int_t)s->level[2],
		    "as_of", d10, "rule_version", s->rule, "share_percent",
		    (double)((long long)(share * 10 + 0.5)) / 10.0, "own", i == 0,
		    "has_persons", s->has_persons);
		if (t.exact)
			json_object_set_new(n, "shared", json_integer(shared[i]));
		if (i > 0)
			json_object_set_new(n, "fetched_at", json_string(fetched[i - 1]));
		json_array_append_new(nodes, n);
	}
	*out = json_pack("{s:I, s:I, s:I, s:b, s:s, s:o}", "total", (json_int_t)t.total, "sum",
	    (json_int_t)t.sum, "double_counted", (json_int_t)t.double_counted, "exact", t.exact,
	    "scheme", REGION_SCHEME, "nodes", nodes);
	summary_free(&own);
	for (size_t i = 0; i < np; i++)
		summary_free(&peer[i]);
	return *out ? NULL : "internal_error";
}
