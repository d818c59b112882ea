#include "statement_store.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "../courses/catalogue.h"   /* json_hours, db_code */
#include "../courses/ledger.h"
#include "../courses/mask.h"
#include "../courses/records.h"
#include "../db/audit.h"
#include "keystore.h"
#include "qr.h"

_Static_assert(STMT_YEARS_MAX <= TM_MAX_STATEMENT_YEARS, "a signed statement is a ledger statement");

json_t *
stmt_years_json(const struct stmt_claims *c)
{
	json_t *a = json_array();
	for (unsigned i = 0; i < c->n_years; i++) {
		const struct stmt_year *y = &c->years[i];
		json_array_append_new(a, json_pack("{s:i, s:o, s:o, s:o, s:o, s:o, s:o, s:b}", "year",
		    y->year, "total", json_hours(y->total_x2), "professional",
		    json_hours(y->professional_x2), "general", json_hours(y->general_x2), "compulsory",
		    json_hours(y->compulsory_x2), "required", json_hours(y->required_x2),
		    "required_professional", json_hours(y->required_prof_x2), "met", y->met));
	}
	return a;
}

/* The signed figures of one ledger year. */
static void
year_claim(const struct ledger_year *ly, struct stmt_year *y)
{
	y->year = ly->year;
	y->professional_x2 = ly->professional_x2 > 0 ? (unsigned)ly->professional_x2 : 0;
	y->general_x2 = ly->general_x2 > 0 ? (unsigned)ly->general_x2 : 0;
	y->total_x2 = y->professional_x2 + y->general_x2;
	y->compulsory_x2 = ly->compulsory_x2 > 0 ? (unsigned)ly->compulsory_x2 : 0;
	y->required_x2 = ly->required_x2 > 0 ? (unsigned)ly->required_x2 : 0;
	y->required_prof_x2 = ly->required_prof_x2 > 0 ? (unsigned)ly->required_prof_x2 : 0;
	y->met = ly->met;
}

/* The ledger's figures now, as the claims of a statement for from..to would carry them. */
static const char *
current_years(struct db *d, int64_t pid, int from, int to, struct stmt_claims *c)
{
	struct ledger_year ly[STMT_YEARS_MAX];
	const char *why = credits_years(d, pid, from, to, ly);
	if (why != NULL)
		return why;
	c->n_years = (unsigned)(to - from + 1);
	for (unsigned i = 0; i < c->n_years; i++)
		year_claim(&ly[i], &c->years[i]);
	return NULL;
}

static bool
same_years(const struct stmt_claims *a, const struct stmt_claims *b)
{
	if (a->n_years != b->n_years)
		return false;
	for (unsigned i = 0; i < a->n_years; i++) {
		const struct stmt_year *x = &a->years[i], *y = &b->years[i];
		if (x->year != y->year || x->total_x2 != y->total_x2 ||
		    x->professional_x2 != y->professional_x2 || x->general_x2 != y->general_x2 ||
		    x->compulsory_x2 != y->compulsory_x2 || x->required_x2 != y->required_x2 ||
		    x->required_prof_x2 != y->required_prof_x2 || x->met != y->met)
			return false;
	}
	return true;
}

/* ------------------------------------------------------------------------------ issue */

struct issue_tx {
	const struct tm_config *cfg;
	int64_t actor, pid;
	const char *remote;
	int from, to;
	const char *why;
	bool created;
	char no[STMT_NO_MAX + 1];
};

#define REFUSE(t, code) do { (t)->why = (code); return DB_ERR; } while (0)

/* Claims back from a stored link: it carries exactly what was signed. */
static int
claims_of_link(const char *link, struct stmt_claims *c, unsigned char sig[SIG_BYTES])
{
	struct stmt_link l;
	if (stmt_url_parse(link, strlen(link), &l) != VURL_OK)
		return -1;
	*c = l.claims;
	memcpy(sig, l.sig, SIG_BYTES);
	return 0;
}

/* Today's statement of the same years and figures, if any: its number into t->no. */
static enum db_rc
find_same(struct db *d, struct issue_tx *t, const char *day, const struct stmt_claims *now)
{
	char no[STMT_NO_MAX + 1], link[STMT_URL_MAX + 1];
	unsigned char sig[SIG_BYTES];
	struct stmt_claims c;
	struct db_val v[] = { DBV_I64(t->pid), DBV_I64(t->from), DBV_I64(t->to), DBV_STR(day) };
	struct db_out o[] = { DBO_STR(no), DBO_STR(link) };
	enum db_rc rc = db_row(d, "SELECT doc_no, link FROM credit_statements WHERE person_id = ?"
	    " AND from_year = ? AND to_year = ? AND issued_on = ? ORDER BY id DESC LIMIT 1", v, 4,
	    o, 2);
	if (rc != DB_OK)
		return rc;
	if (claims_of_link(link, &c, sig) < 0 || !same_years(&c, now) ||
	    memcmp(c.holder, now->holder, HOLDER_HASH_BYTES) != 0)
		return DB_NOROW;
	memcpy(t->no, no, sizeof(t->no));
	return DB_OK;
}

static enum db_rc
issue_tx(struct db *d, void *arg)
{
	struct issue_tx *t = arg;
	struct ymd today = ymd_today_utc();
	char name[200], day[11], err[128], link[STMT_URL_MAX + 1], payload[STMT_PAYLOAD_MAX];
	unsigned char sk[SIG_SK_BYTES], sig[SIG_BYTES];
	struct stmt_claims c;
	enum db_rc rc;
	int64_t sid = 0;
	int plen;

	t->why = NULL;
	t->created = false;
	ymd_format(today, day);
	memset(&c, 0, sizeof(c));
	c.issued = today;
	/* the person row serialises one person's statements: the daily count and reuse hold */
	struct db_val pv[] = { DBV_I64(t->pid) };
	struct db_out po[] = { DBO_STR(name) };
	rc = db_row(d, "SELECT name FROM persons WHERE id = ? FOR UPDATE", pv, 1, po, 1);
	if (rc == DB_NOROW)
		REFUSE(t, "person_not_found");
	if (rc != DB_OK)
		return rc;
	const char *why = current_years(d, t->pid, t->from, t->to, &c);
	if (why != NULL)
		REFUSE(t, why);
	if (holder_hash(name, c.holder) < 0)
		REFUSE(t, "internal_error");

	rc = find_same(d, t, day, &c);
	if (rc == DB_OK)
		return DB_OK;
	if (rc != DB_NOROW)
		return rc;
	struct db_val cv[] = { DBV_I64(t->pid), DBV_STR(day) };
	struct db_out co[] = { DBO_I64() };
	if ((rc = db_row(d, "SELECT COUNT(*) FROM credit_statements WHERE person_id = ?"
	    " AND issued_on = ?", cv, 2, co, 1)) != DB_OK)
		return rc;
	if (co[0].i >= STMT_PER_DAY_MAX)
		REFUSE(t, "statement_daily_limit");

	/* gap-free: the counter row stays locked until this transaction ends */
	struct db_val sv[] = { DBV_STR(t->cfg->node_code), DBV_I64(today.y) };
	struct db_out so[] = { DBO_I64() };
	if ((rc = db_exec(d, "INSERT INTO statement_counters (node, year, last_seq) VALUES (?, ?, 1)"
	    " ON DUPLICATE KEY UPDATE last_seq = last_seq + 1", sv, 2, NULL, NULL)) != DB_OK ||
	    (rc = db_row(d, "SELECT last_seq FROM statement_counters WHERE node = ? AND year = ?",
	    sv, 2, so, 1)) != DB_OK)
		return rc;
	if (so[0].i < 1 || so[0].i > SERIAL_SEQ_MAX)
		REFUSE(t, "statements_exhausted");
	if (stmt_no_format(t->cfg->node_code, today.y, (unsigned)so[0].i, c.no) < 0)
		REFUSE(t, "internal_error");
	if (signkey_for(d, t->cfg, today, c.key_id, sk, err, sizeof(err)) < 0)
		REFUSE(t, "no_signing_key");
	int signed_ok = stmt_sign(&c, sk, sig);
	sodium_memzero(sk, sizeof(sk));
	if (signed_ok < 0 || (plen = stmt_payload(&c, payload, sizeof(payload))) < 0 ||
	    stmt_url(t->cfg->node_base_url, &c, sig, link, sizeof(link)) < 0)
		REFUSE(t, "internal_error");
	/* the printed code must stay readable: a long node URL leaves room for fewer years */
	if (strlen(link) > QR_TEXT_MAX)
		REFUSE(t, "statement_link_too_long");

	struct db_val iv[] = { DBV_STR(c.no), DBV_I64(t->pid), DBV_STR(name), DBV_I64(t->from),
		DBV_I64(t->to), DBV_STR(day), DBV_STR(c.key_id), DBV_BLOB(payload, (size_t)plen),
		DBV_BLOB(sig, SIG_BYTES), DBV_STR(link) };
	rc = db_exec(d, "INSERT INTO credit_statements (doc_no, person_id, holder_name, from_year,"
	    " to_year, issued_on, key_id, payload, signature, link) VALUES (?, ?, ?, ?, ?, ?, ?, ?,"
	    " ?, ?)", iv, 10, NULL, (uint64_t *)&sid);
	if (rc != DB_OK)
		return rc;
	json_t *after = json_pack("{s:s, s:I, s:i, s:i, s:s, s:s}", "no", c.no, "person_id",
	    (json_int_t)t->pid, "from", t->from, "to", t->to, "issued_on", day, "key_id", c.key_id);
	rc = audit_id(d, t->actor, "statement.issue", "credit_statement", sid, after, t->remote);
	json_decref(after);
	if (rc != DB_OK)
		return rc;
	memcpy(t->no, c.no, sizeof(t->no));
	t->created = true;
	return DB_OK;
}

const char *
stmt_issue(struct db *d, const struct tm_config *cfg, int64_t actor, const char *remote,
    int64_t pid, int from, int to, json_t **out, bool *created)
{
	struct issue_tx t = { .cfg = cfg, .actor = actor, .pid = pid, .remote = remote,
		.from = from, .to = to };
	int64_t owner = 0;
	*out = NULL;
	*created = false;
	if (from > to || to - from + 1 > STMT_YEARS_MAX || from < CERT_YEAR_MIN ||
	    to > ymd_today_utc().y)
		return "statement_years_invalid";
	enum db_rc rc = db_tx(d, issue_tx, &t);
	if (rc != DB_OK)
		return t.why ? t.why : db_code(rc);
	*created = t.created;
	return stmt_get(d, t.no, out, &owner);
}

/* ------------------------------------------------------------------------------ reading */

const char *
stmt_get(struct db *d, const char *no, json_t **out, int64_t *owner)
{
	struct stmt_no sn;
	char name[200], link[STMT_URL_MAX + 1], issued[11];
	struct stmt_claims c;
	unsigned char sig[SIG_BYTES];

	*out = NULL;
	*owner = 0;
	if (no == NULL || stmt_no_parse(no, strlen(no), &sn) != SERIAL_OK)
		return "statement_not_found";
	struct db_val v[] = { DBV_STR(sn.text) };
	struct db_out o[] = { DBO_I64(), DBO_STR(name), DBO_STR(link), DBO_I64(), DBO_I64(),
		DBO_STR(issued) };
	enum db_rc rc = db_row(d, "SELECT person_id, holder_name, link, from_year, to_year,"
	    " DATE_FORMAT(issued_on, '%Y-%m-%d') FROM credit_statements WHERE doc_no = ?", v, 1,
	    o, DB_N(o));
	if (rc == DB_NOROW)
		return "statement_not_found";
	if (rc != DB_OK)
		return db_code(rc);
	if (claims_of_link(link, &c, sig) < 0)
		return "internal_error";
	*owner = o[0].i;
	*out = json_pack("{s:s, s:s, s:I, s:I, s:s, s:s, s:s, s:o}", "no", sn.text, "holder", name,
	    "from", (json_int_t)o[3].i, "to", (json_int_t)o[4].i, "issued_on", issued, "key_id",
	    c.key_id, "url", link, "years", stmt_years_json(&c));
	return *out ? NULL : "internal_error";
}

const char *
stmts_of_person(struct db *d, int64_t pid, json_t *out)
{
	char no[STMT_NO_MAX + 1], issued[11];
	struct db_val v[] = { DBV_I64(pid), DBV_I64(STMT_LIST_MAX) };
	struct db_out o[] = { DBO_STR(no), DBO_I64(), DBO_I64(), DBO_STR(issued) };
	struct db_iter it;
	enum db_rc rc = db_iter_start(d, &it, "SELECT doc_no, from_year, to_year,"
	    " DATE_FORMAT(issued_on, '%Y-%m-%d') FROM credit_statements WHERE person_id = ?"
	    " ORDER BY id DESC LIMIT ?", v, 2, o, DB_N(o));
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK)
		json_array_append_new(out, json_pack("{s:s, s:I, s:I, s:s}", "no", no, "from",
		    (json_int_t)o[1].i, "to", (json_int_t)o[2].i, "issued_on", issued));
	db_iter_end(&it);
	return rc == DB_NOROW ? NULL : db_code(rc == DB_OK ? DB_ERR : rc);
}

/* --------------------------------------------------------------------------- verification */

enum db_rc
stmt_verify_link(struct db *d, const struct tm_config *cfg, const char *path, size_t len,
    struct stmt_result *v)
{
	struct stmt_link l;
	char p[STMT_PAYLOAD_MAX], name[200];
	unsigned char sig[SIG_BYTES];
	int n;

	memset(v, 0, sizeof(*v));
	v->status = VS_FORGED;
	/* a scanned code has no typing errors: any malformed part reads as forged */
	if (stmt_path_parse(path, len, &l) != VURL_OK ||
	    (n = stmt_payload(&l.claims, p, sizeof(p))) < 0)
		return DB_OK;
	struct stmt_no sn;
	if (stmt_no_parse(l.claims.no, strlen(l.claims.no), &sn) != SERIAL_OK)
		return DB_OK;
	const struct keyset *ks = keyset_cached(d, cfg, l.claims.key_id);
	if (ks == NULL)
		return DB_GONE;
	enum cert_check chk = key_check(ks, sn.node, l.claims.key_id, l.claims.issued, p,
	    (size_t)n, l.sig);
	if (chk == CHECK_OTHER_NODE) {
		v->status = VS_UNKNOWN;     /* a peer's statement: federation (issue 9) */
		return DB_OK;
	}
	if (chk != CHECK_GENUINE)
		return DB_OK;
	v->claims = l.claims;
	v->status = VS_UNKNOWN;

	struct db_val kv[] = { DBV_STR(sn.text) };
	struct db_out o[] = { DBO_I64(), DBO_STR(name), DBO_BLOB(sig), DBO_I64(), DBO_I64() };
	enum db_rc rc = db_row(d, "SELECT person_id, holder_name, signature, from_year, to_year"
	    " FROM credit_statements WHERE doc_no = ?", kv, 1, o, DB_N(o));
	if (rc == DB_NOROW)
		return DB_OK;
	if (rc != DB_OK)
		return rc;
	/* Ed25519 is deterministic: the record's signature is the link's, or the link is not ours */
	if (o[2].len != SIG_BYTES || sodium_memcmp(sig, l.sig, SIG_BYTES) != 0)
		return DB_OK;
	v->status = VS_VALID;
	if (mask_name(name, strlen(name), v->holder, sizeof(v->holder)) < 0)
		v->holder[0] = '\0';
	struct stmt_claims now = l.claims;
	/* a failure to recompute is not the verifier's problem: the signed figures stand */
	if (current_years(d, o[0].i, (int)o[3].i, (int)o[4].i, &now) == NULL)
		v->changed_since = !same_years(&now, &l.claims);
	return DB_OK;
}
