#include "issue.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../courses/catalogue.h"
#include "../db/audit.h"
#include "keystore.h"
#include "progress.h"
#include "signature.h"

#define COLS "c.id, c.serial, c.person_id, c.level, c.holder_name, c.rev, c.first_issued_on," \
	" c.issued_on, c.expires_on, c.key_id, c.signature, c.status, COALESCE(c.status_reason, '')," \
	" c.expires_on < UTC_DATE(), COALESCE(b.name, ''), COALESCE(c.torch_filing_no, '')" \
	" FROM certificates c LEFT JOIN bases b ON b.id = c.base_id"

/* One certificate as stored, in the column order of COLS. */
struct cert_row {
	char serial[SERIAL_MAX + 1], level[16], holder[200], first[11], issued[11], expires[11];
	char key_id[CERT_KEY_ID_MAX + 1], status[16], reason[CERT_REASON_MAX * 4 + 1];
	char base[400], filing[CERT_FILING_MAX + 1];
	unsigned char sig[SIG_BYTES];
	struct db_out o[16];
};

static void
row_bind(struct cert_row *r)
{
	struct db_out o[16] = { DBO_I64(), DBO_STR(r->serial), DBO_I64(), DBO_STR(r->level),
		DBO_STR(r->holder), DBO_I64(), DBO_STR(r->first), DBO_STR(r->issued),
		DBO_STR(r->expires), DBO_STR(r->key_id), DBO_BLOB(r->sig), DBO_STR(r->status),
		DBO_STR(r->reason), DBO_I64(), DBO_STR(r->base), DBO_STR(r->filing) };
	memcpy(r->o, o, sizeof(o));
}

static enum db_rc
row_by_serial(struct db *d, const char *serial, struct cert_row *r, bool lock)
{
	struct db_val k[] = { DBV_STR(serial) };
	row_bind(r);
	return db_row(d, lock ? "SELECT " COLS " WHERE c.serial = ? FOR UPDATE" :
	    "SELECT " COLS " WHERE c.serial = ?", k, 1, r->o, 16);
}

char
level_letter(const char *level)
{
	return !strcmp(level, "junior") ? 'J' : !strcmp(level, "intermediate") ? 'I' :
	    !strcmp(level, "senior") ? 'S' : 0;
}

const char *
level_zh(const char *level)
{
	return !strcmp(level, "junior") ? "初级" : !strcmp(level, "intermediate") ? "中级" :
	    !strcmp(level, "senior") ? "高级" : "";
}

static int
claims_of(const char *serial, unsigned rev, const char *level, const char *holder,
    const char *issued, const char *expires, const char *key_id, struct cert_claims *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->serial, sizeof(c->serial), "%s", serial);
	c->rev = rev;
	c->level = level_letter(level);
	snprintf(c->key_id, sizeof(c->key_id), "%s", key_id);
	if (holder_hash(holder, c->holder) < 0 || !ymd_parse_str(issued, &c->issued) ||
	    !ymd_parse_str(expires, &c->expires))
		return -1;
	return cert_claims_valid(c) ? 0 : -1;
}

/* Status as a verifier reads it: expiry is computed, never stored. */
static const char *
effective_status(const struct cert_row *r)
{
	if (strcmp(r->status, "valid") == 0 && r->o[13].i)
		return "expired";
	return r->status;
}

static json_t *
row_view(const struct tm_config *cfg, const struct cert_row *r)
{
	struct cert_claims c;
	char url[VERIFY_URL_MAX + 1] = "";
	if (claims_of(r->serial, (unsigned)r->o[5].i, r->level, r->holder, r->issued, r->expires,
	    r->key_id, &c) == 0)
		verify_url(cfg->node_base_url, &c, r->sig, url, sizeof(url));
	const char *st = effective_status(r);
	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s}",
	    "serial", r->serial, "level", r->level, "level_name", level_zh(r->level),
	    "holder", r->holder, "rev", (json_int_t)r->o[5].i, "first_issued_on", r->first,
	    "issued_on", r->issued, "expires_on", r->expires, "status", st,
	    "status_reason", r->reason, "base", r->base, "key_id", r->key_id, "url", url,
	    "torch_filing_no", r->filing[0] ? r->filing : NULL, "status_name",
	    !strcmp(st, "valid") ? "有效" : !strcmp(st, "expired") ? "已过期" :
	    !strcmp(st, "suspended") ? "已暂停" : "已撤销");
}

/* ------------------------------------------------------------------------------ issue */

struct issue_tx {
	const struct tm_config *cfg;
	const struct cert_issue_in *in;
	int64_t actor;
	const char *remote, *why;
	struct eligibility *elig;
	char serial[SERIAL_MAX + 1];
};

#define REFUSE(t, code) do { (t)->why = (code); return DB_ERR; } while (0)

static enum db_rc
issue_tx(struct db *d, void *arg)
{
	struct issue_tx *t = arg;
	const struct cert_issue_in *in = t->in;
	char name[200], day[11], expires[11], key_id[CERT_KEY_ID_MAX + 1];
	unsigned char sk[SIG_SK_BYTES], sig[SIG_BYTES];
	struct cert_claims c;
	enum db_rc rc;
	int64_t cid = 0;

	t->why = NULL;
	ymd_format(in->issued_on, day);
	/* the person row serialises two issues for one person; the unique key backs it up */
	struct db_val pv[] = { DBV_I64(in->person_id) };
	struct db_out po[] = { DBO_STR(name) };
	rc = db_row(d, "SELECT name FROM persons WHERE id = ? FOR UPDATE", pv, 1, po, 1);
	if (rc == DB_NOROW)
		REFUSE(t, "person_not_found");
	if (rc != DB_OK)
		return rc;
	struct db_val lv[] = { DBV_I64(in->person_id), DBV_STR(in->level) };
	struct db_out lo[] = { DBO_I64() };
	rc = db_row(d, "SELECT COUNT(*) FROM certificates WHERE person_id = ? AND level = ?",
	    lv, 2, lo, 1);
	if (rc != DB_OK)
		return rc;
	if (lo[0].i > 0)
		REFUSE(t, "certificate_exists");
	if (!in->import) {
		const char *why = eligible(d, in->person_id, in->level, in->issued_on, t->elig);
		if (why != NULL)
			REFUSE(t, why);
		if (!t->elig->eligible)
			REFUSE(t, "not_eligible");
	}

	struct db_val ev[] = { DBV_STR(day), DBV_STR(day) };
	struct db_out eo[] = { DBO_STR(expires) };
	rc = db_row(d, "SELECT DATE_SUB(DATE_ADD(?, INTERVAL validity_months MONTH), INTERVAL 1 DAY)"
	    " FROM cert_rules WHERE effective_from <= ? ORDER BY effective_from DESC LIMIT 1",
	    ev, 2, eo, 1);
	if (rc == DB_NOROW)
		REFUSE(t, "no_cert_rule");
	if (rc != DB_OK)
		return rc;

	/* gap-free: the counter row stays locked until this transaction ends */
	struct db_val sv[] = { DBV_STR(t->cfg->node_code), DBV_I64(in->issued_on.y),
		DBV_STR(in->level) };
	struct db_out so[] = { DBO_I64() };
	if ((rc = db_exec(d, "INSERT INTO serial_counters (node, year, level, last_seq)"
	    " VALUES (?, ?, ?, 1) ON DUPLICATE KEY UPDATE last_seq = last_seq + 1", sv, 3, NULL,
	    NULL)) != DB_OK ||
	    (rc = db_row(d, "SELECT last_seq FROM serial_counters WHERE node = ? AND year = ?"
	    " AND level = ?", sv, 3, so, 1)) != DB_OK)
		return rc;
	if (so[0].i < 1 || so[0].i > SERIAL_SEQ_MAX)
		REFUSE(t, "serials_exhausted");
	if (serial_format(t->cfg->node_code, in->issued_on.y, level_letter(in->level),
	    (unsigned)so[0].i, t->serial) < 0)
		REFUSE(t, "internal_error");

	if ((rc = signkey_for_tx(d, t->cfg, in->issued_on, key_id, sk)) == DB_NOROW)
		REFUSE(t, "no_signing_key");
	if (rc != DB_OK)
		return rc;
	if (claims_of(t->serial, 1, in->level, name, day, expires, key_id, &c) < 0 ||
	    sig_sign(&c, sk, sig) < 0) {
		sodium_memzero(sk, sizeof(sk));
		REFUSE(t, "internal_error");
	}
	sodium_memzero(sk, sizeof(sk));

	/* the issuing base: where the person's latest assessment or training at this level was */
	struct db_val bv[] = { DBV_I64(in->person_id), DBV_STR(in->level), DBV_I64(in->person_id),
		DBV_STR(in->level) };
	struct db_out bo[] = { DBO_I64() };
	rc = db_row(d, "SELECT base_id FROM ("
	    " SELECT base_id, assessed_on AS at FROM exam_results WHERE person_id = ? AND level = ?"
	    " UNION ALL SELECT r.base_id, r.completed_on FROM training_records r"
	    " JOIN courses k ON k.id = r.course_id WHERE r.person_id = ? AND k.level = ?"
	    " AND r.base_id IS NOT NULL) x ORDER BY at DESC LIMIT 1", bv, 4, bo, 1);
	if (rc != DB_OK && rc != DB_NOROW)
		return rc;
	struct db_val base = in->import && in->base_id > 0 ? DBV_I64(in->base_id) :
	    rc == DB_OK ? DBV_I64(bo[0].i) : DBV_NULL;

	struct db_val iv[] = { DBV_STR(t->serial), DBV_I64(in->person_id), DBV_STR(in->level), base,
		DBV_STR(name), DBV_STR(day), DBV_STR(day), DBV_STR(expires), DBV_STR(key_id),
		DBV_BLOB(sig, SIG_BYTES),
		in->torch_filing_no ? DBV_STR(in->torch_filing_no) : DBV_NULL };
	rc = db_exec(d, "INSERT INTO certificates (serial, person_id, level, base_id, holder_name,"
	    " first_issued_on, issued_on, expires_on, key_id, signature, torch_filing_no)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", iv, 11, NULL, (uint64_t *)&cid);
	/*
	 * The serial taken: on one server the counter row's lock makes that impossible, but on
	 * Galera another node's issue can be applied here between our counter update and this
	 * INSERT, before our transaction learns it was aborted. Its number is spent, ours is not:
	 * start again (db_tx) rather than tell the client the certificate exists.
	 */
	if (rc == DB_DUP && strcmp(db_dup_key(d), "uq_certificates_serial") == 0)
		return DB_RETRY;
	if (rc == DB_DUP)
		REFUSE(t, "certificate_exists");
	if (rc != DB_OK)
		return rc;
	struct db_val rv[] = { DBV_I64(cid), DBV_STR(day), DBV_STR(expires), DBV_STR(key_id),
		DBV_BLOB(sig, SIG_BYTES) };
	struct db_val hv[] = { DBV_I64(in->person_id), DBV_STR(in->level), DBV_STR(day),
		DBV_STR(t->serial) };
	if ((rc = db_exec(d, "INSERT INTO certificate_revisions (certificate_id, rev, issued_on,"
	    " expires_on, key_id, signature) VALUES (?, 1, ?, ?, ?, ?)", rv, 5, NULL, NULL)) != DB_OK ||
	    (rc = db_exec(d, "INSERT INTO person_levels (person_id, level, held_since, source,"
	    " certificate_serial) VALUES (?, ?, ?, 'certificate', ?)", hv, 4, NULL, NULL)) != DB_OK ||
	    (rc = progress_sync_person(d, in->person_id)) != DB_OK)
		return rc;
	json_t *after = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:b}", "serial", t->serial,
	    "person_id", (json_int_t)in->person_id, "level", in->level, "issued_on", day,
	    "expires_on", expires, "key_id", key_id, "import", in->import);
	rc = audit_id(d, t->actor, in->import ? "certificate.import" : "certificate.issue",
	    "certificate", cid, after, t->remote);
	json_decref(after);
	return rc;
}

const char *
cert_issue(struct db *d, const struct tm_config *cfg, int64_t actor, const char *remote,
    const struct cert_issue_in *in, json_t **out, struct eligibility *elig)
{
	struct issue_tx t = { .cfg = cfg, .in = in, .actor = actor, .remote = remote, .elig = elig };
	*out = NULL;
	memset(elig, 0, sizeof(*elig));
	if (level_letter(in->level) == 0)
		return "bad_level";
	if (in->torch_filing_no != NULL && strcmp(in->level, "junior") == 0)
		return "filing_not_for_junior";
	enum db_rc rc = db_tx(d, issue_tx, &t);
	if (rc != DB_OK)
		return t.why ? t.why : db_code(rc);
	return cert_get(d, cfg, t.serial, out);
}

const char *
cert_issue_batch(struct db *d, const struct tm_config *cfg, int64_t actor, const char *remote,
    const char *level, int64_t after, int max, json_t **out)
{
	static int64_t ids[CERT_BATCH_MAX];
	struct db_iter it;
	struct db_val v[] = { DBV_STR(level), DBV_I64(after), DBV_I64(max + 1) };
	struct db_out o[] = { DBO_I64() };
	size_t n = 0;
	enum db_rc rc;

	*out = NULL;
	if (level_letter(level) == 0)
		return "bad_level";
	if (max < 1 || max > CERT_BATCH_MAX)
		max = CERT_BATCH_MAX;
	v[2] = DBV_I64(max + 1);
	/* one more than max tells whether candidates remain */
	rc = db_iter_start(d, &it, "SELECT DISTINCT e.person_id FROM exam_results e"
	    " LEFT JOIN certificates c ON c.person_id = e.person_id AND c.level = e.level"
	    " WHERE e.level = ? AND c.id IS NULL AND e.person_id > ? ORDER BY e.person_id LIMIT ?",
	    v, 3, o, 1);
	bool more = false;
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK) {
		if (n == (size_t)max)
			more = true;
		else
			ids[n++] = o[0].i;
	}
	db_iter_end(&it);
	if (rc != DB_NOROW)
		return db_code(rc);

	json_t *serials = json_array(), *refused = json_object();
	int issued = 0, not_eligible = 0;
	struct eligibility *e = malloc(sizeof(*e));
	if (e == NULL || serials == NULL || refused == NULL) {
		free(e);
		json_decref(serials);
		json_decref(refused);
		return "internal_error";
	}
	for (size_t i = 0; i < n; i++) {
		json_t *c = NULL;
		struct cert_issue_in in = { .person_id = ids[i], .level = level,
			.issued_on = ymd_today_utc() };
		const char *why = cert_issue(d, cfg, actor, remote, &in, &c, e);
		if (why == NULL) {
			issued++;
			json_array_append(serials, json_object_get(c, "serial"));
		} else if (strcmp(why, "not_eligible") == 0 || strcmp(why, "certificate_exists") == 0) {
			not_eligible++;
			for (size_t k = 0; k < e->n; k++) {
				json_int_t seen = json_integer_value(json_object_get(refused,
				    e->unmet[k].code));
				json_object_set_new(refused, e->unmet[k].code, json_integer(seen + 1));
			}
		} else {
			json_decref(c);
			json_decref(serials);
			json_decref(refused);
			free(e);
			return why;   /* the database is in trouble: stop, the caller retries */
		}
		json_decref(c);
	}
	free(e);
	*out = json_pack("{s:s, s:i, s:i, s:o, s:o, s:o}", "level", level, "issued", issued,
	    "not_eligible", not_eligible, "unmet_counts", refused, "serials", serials, "next_after",
	    more && n > 0 ? json_integer(ids[n - 1]) : json_null());
	return NULL;
}

/* ------------------------------------------------------------------------- lifecycle */

struct status_tx {
	int64_t actor;
	const char *remote, *serial, *reason, *why;
	enum cert_action action;
};

static enum db_rc
status_tx(struct db *d, void *arg)
{
	struct status_tx *t = arg;
	struct cert_row r;
	static const char *const names[] = { "suspend", "reinstate", "revoke" };
	static const char *const to[] = { "suspended", "valid", "revoked" };
	enum db_rc rc;

	t->why = NULL;
	rc = row_by_serial(d, t->serial, &r, true);
	if (rc == DB_NOROW)
		REFUSE(t, "certificate_not_found");
	if (rc != DB_OK)
		return rc;
	if (strcmp(r.status, "revoked") == 0)
		REFUSE(t, t->action == CERT_REVOKE ? "certificate_already_revoked" :
		    "certificate_revoked");
	if (t->action == CERT_SUSPEND && strcmp(r.status, "suspended") == 0)
		REFUSE(t, "certificate_already_suspended");
	if (t->action == CERT_REINSTATE && strcmp(r.status, "suspended") != 0)
		REFUSE(t, "certificate_not_suspended");

	struct db_val v[] = { DBV_STR(to[t->action]), DBV_STR(t->reason), DBV_I64(r.o[0].i) };
	rc = db_exec(d, "UPDATE certificates SET status = ?, status_reason = ?,"
	    " status_changed_at = NOW(6) WHERE id = ?", v, 3, NULL, NULL);
	if (rc == DB_OK && t->action == CERT_REVOKE) {
		struct db_val pv[] = { DBV_STR(r.serial) };
		rc = db_exec(d, "UPDATE person_levels SET status = 'withdrawn'"
		    " WHERE certificate_serial = ?", pv, 1, NULL, NULL);
	}
	if (rc == DB_OK)
		rc = progress_sync_person(d, r.o[2].i);     /* the goal's count follows the status */
	if (rc != DB_OK)
		return rc;
	json_t *after = json_pack("{s:s, s:s, s:s, s:s}", "serial", r.serial, "from", r.status,
	    "to", to[t->action], "reason", t->reason);
	char action[40];
	snprintf(action, sizeof(action), "certificate.%s", names[t->action]);
	rc = audit_id(d, t->actor, action, "certificate", r.o[0].i, after, t->remote);
	json_decref(after);
	return rc;
}

const char *
cert_set_status(struct db *d, int64_t actor, const char *remote, const char *serial,
    enum cert_action action, const char *reason, json_t **out)
{
	struct status_tx t = { .actor = actor, .remote = remote, .serial = serial,
		.reason = reason, .action = action };
	*out = NULL;
	enum db_rc rc = db_tx(d, status_tx, &t);
	if (rc != DB_OK)
		return t.why ? t.why : db_code(rc);
	return NULL;
}

const char *
certs_suspend_for_integrity(struct db *d, int64_t actor, const char *remote, int64_t person_id,
    int64_t event_id, json_t *serials)
{
	char serial[SERIAL_MAX + 1], reason[96];
	struct db_iter it;
	struct db_val k[] = { DBV_I64(person_id) };
	struct db_out o[] = { DBO_STR(serial) };
	json_t *todo = json_array();
	enum db_rc rc = db_iter_start(d, &it, "SELECT serial FROM certificates WHERE person_id = ?"
	    " AND status = 'valid' ORDER BY id", k, 1, o, 1);
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK)
		json_array_append_new(todo, json_string(serial));
	db_iter_end(&it);
	if (rc != DB_NOROW) {
		json_decref(todo);
		return db_code(rc);
	}
	snprintf(reason, sizeof(reason), "诚信事件 #%lld 调查中", (long long)event_id);
	for (size_t i = 0; i < json_array_size(todo); i++) {
		const char *s = json_string_value(json_array_get(todo, i));
		json_t *out = NULL;
		const char *why = cert_set_status(d, actor, remote, s, CERT_SUSPEND, reason, &out);
		json_decref(out);
		if (why != NULL && strcmp(why, "certificate_already_suspended") != 0 &&
		    strcmp(why, "certificate_revoked") != 0) {
			json_decref(todo);
			return why;
		}
		if (why == NULL)
			json_array_append_new(serials, json_string(s));
	}
	json_decref(todo);
	return NULL;
}

/* --------------------------------------------------------------------------- renewal */

struct renew_tx {
	const struct tm_config *cfg;
	int64_t actor;
	const char *remote, *serial, *why;
	json_t *details;
};

static enum db_rc
renew_tx(struct db *d, void *arg)
{
	struct renew_tx *t = arg;
	struct cert_row r;
	char today[11], issued[11], expires[11], key_id[CERT_KEY_ID_MAX + 1];
	unsigned char sk[SIG_SK_BYTES], sig[SIG_BYTES];
	struct cert_claims c;
	enum db_rc rc;

	t->why = NULL;
	json_decref(t->details);
	t->details = NULL;
	rc = row_by_serial(d, t->serial, &r, true);
	if (rc == DB_NOROW)
		REFUSE(t, "certificate_not_found");
	if (rc != DB_OK)
		return rc;
	if (strcmp(r.status, "revoked") == 0)
		REFUSE(t, "certificate_revoked");
	if (strcmp(r.status, "suspended") == 0)
		REFUSE(t, "certificate_suspended");
	if (r.o[5].i >= CERT_REV_MAX)
		REFUSE(t, "internal_error");
	struct db_val pv[] = { DBV_I64(r.o[2].i) };
	struct db_out po[] = { DBO_I64() };
	if ((rc = db_row(d, "SELECT COUNT(*) FROM integrity_events WHERE person_id = ?"
	    " AND closed_on IS NULL", pv, 1, po, 1)) != DB_OK)
		return rc;
	if (po[0].i > 0)
		REFUSE(t, "renewal_integrity_open");

	/* continuing education inside the current revision's window (domain.md §5) */
	struct db_out ro[] = { DBO_I64(), DBO_I64(), DBO_I64(), DBO_I64() };
	rc = db_row(d, "SELECT renew_hours_x2, renew_professional_num, renew_professional_den,"
	    " validity_months FROM cert_rules WHERE effective_from <= UTC_DATE()"
	    " ORDER BY effective_from DESC LIMIT 1", NULL, 0, ro, 4);
	if (rc == DB_NOROW)
		REFUSE(t, "no_cert_rule");
	if (rc != DB_OK)
		return rc;
	struct db_val hv[] = { DBV_I64(r.o[2].i), DBV_STR(r.issued), DBV_STR(r.expires) };
	struct db_out ho[] = { DBO_I64(), DBO_I64() };
	rc = db_row(d, "SELECT COALESCE(SUM(IF(subject = 'professional', hours_x2, 0)), 0),"
	    " COALESCE(SUM(hours_x2), 0) FROM training_records"
	    " WHERE person_id = ? AND completed_on BETWEEN ? AND ?", hv, 3, ho, 2);
	if (rc != DB_OK)
		return rc;
	int64_t prof = ho[0].i, total = ho[1].i;
	bool hours_ok = total >= ro[0].i;
	bool share_ok = total > 0 && prof * ro[2].i >= total * ro[1].i;
	if (!hours_ok || !share_ok) {
		t->details = json_pack("{s:s, s:s, s:f, s:f, s:f, s:s}", "window_from", r.issued,
		    "window_to", r.expires, "required_hours", ro[0].i / 2.0,
		    "hours", total / 2.0, "professional_hours", prof / 2.0,
		    "professional_share_required", ro[1].i == 2 && ro[2].i == 3 ? "2/3" : "rule");
		REFUSE(t, "renewal_not_met");
	}

	/* the new window: from today; it extends the old one when renewed before expiry */
	struct db_out do_[] = { DBO_STR(today), DBO_STR(expires) };
	struct db_val dv[] = { DBV_STR(r.expires), DBV_I64(ro[3].i) };
	rc = db_row(d, "SELECT UTC_DATE(), DATE_SUB(DATE_ADD(GREATEST(DATE_ADD(?, INTERVAL 1 DAY),"
	    " UTC_DATE()), INTERVAL ? MONTH), INTERVAL 1 DAY)", dv, 2, do_, 2);
	if (rc != DB_OK)
		return rc;
	snprintf(issued, sizeof(issued), "%s", today);
	struct ymd iy;
	unsigned rev = (unsigned)r.o[5].i + 1;
	if (!ymd_parse_str(issued, &iy) ||
	    (rc = signkey_for_tx(d, t->cfg, iy, key_id, sk)) == DB_NOROW)
		REFUSE(t, "no_signing_key");
	if (rc != DB_OK)
		return rc;
	if (claims_of(r.serial, rev, r.level, r.holder, issued, expires, key_id, &c) < 0 ||
	    sig_sign(&c, sk, sig) < 0) {
		sodium_memzero(sk, sizeof(sk));
		REFUSE(t, "internal_error");
	}
	sodium_memzero(sk, sizeof(sk));
	struct db_val uv[] = { DBV_I64(rev), DBV_STR(issued), DBV_STR(expires), DBV_STR(key_id),
		DBV_BLOB(sig, SIG_BYTES), DBV_I64(r.o[0].i) };
	struct db_val rv[] = { DBV_I64(r.o[0].i), DBV_I64(rev), DBV_STR(issued), DBV_STR(expires),
		DBV_STR(key_id), DBV_BLOB(sig, SIG_BYTES) };
	if ((rc = db_exec(d, "UPDATE certificates SET rev = ?, issued_on = ?, expires_on = ?,"
	    " key_id = ?, signature = ? WHERE id = ?", uv, 6, NULL, NULL)) != DB_OK ||
	    (rc = db_exec(d, "INSERT INTO certificate_revisions (certificate_id, rev, issued_on,"
	    " expires_on, key_id, signature) VALUES (?, ?, ?, ?, ?, ?)", rv, 6, NULL, NULL)) != DB_OK ||
	    (rc = progress_sync_person(d, r.o[2].i)) != DB_OK)
		return rc;
	json_t *after = json_pack("{s:s, s:I, s:s, s:s, s:f}", "serial", r.serial, "rev",
	    (json_int_t)rev, "issued_on", issued, "expires_on", expires, "hours", total / 2.0);
	rc = audit_id(d, t->actor, "certificate.renew", "certificate", r.o[0].i, after, t->remote);
	json_decref(after);
	return rc;
}

const char *
cert_renew(struct db *d, const struct tm_config *cfg, int64_t actor, const char *remote,
    const char *serial, json_t **out, json_t **details)
{
	struct renew_tx t = { .cfg = cfg, .actor = actor, .remote = remote, .serial = serial };
	*out = NULL;
	*details = NULL;
	enum db_rc rc = db_tx(d, renew_tx, &t);
	if (rc != DB_OK) {
		*details = t.details;
		return t.why ? t.why : db_code(rc);
	}
	json_decref(t.details);
	return cert_get(d, cfg, serial, out);
}

struct filing_tx {
	int64_t actor, id;
	const char *remote, *serial, *filing_no;
};

static enum db_rc
filing_tx(struct db *d, void *arg)
{
	struct filing_tx *t = arg;
	struct db_val v[] = { DBV_STR(t->filing_no), DBV_I64(t->id) };
	enum db_rc rc = db_exec(d, "UPDATE certificates SET torch_filing_no = ? WHERE id = ?", v, 2,
	    NULL, NULL);
	if (rc != DB_OK)
		return rc;
	json_t *after = json_pack("{s:s, s:s}", "serial", t->serial, "torch_filing_no",
	    t->filing_no);
	rc = audit_id(d, t->actor, "certificate.filing", "certificate", t->id, after, t->remote);
	json_decref(after);
	return rc;
}

const char *
cert_set_filing(struct db *d, int64_t actor, const char *remote, const char *serial,
    const char *filing_no)
{
	struct cert_row r;
	enum db_rc rc = row_by_serial(d, serial, &r, false);
	if (rc == DB_NOROW)
		return "certificate_not_found";
	if (rc != DB_OK)
		return db_code(rc);
	if (strcmp(r.level, "junior") == 0)
		return "filing_not_for_junior";
	/* in db_tx like every other write: a Galera conflict at COMMIT is retried */
	struct filing_tx t = { actor, r.o[0].i, remote, serial, filing_no };
	rc = db_tx(d, filing_tx, &t);
	return rc == DB_OK ? NULL : db_code(rc);
}

/* ------------------------------------------------------------------------------ views */

const char *
cert_get(struct db *d, const struct tm_config *cfg, const char *serial, json_t **out)
{
	struct cert_row r;
	enum db_rc rc = row_by_serial(d, serial, &r, false);
	*out = NULL;
	if (rc == DB_NOROW)
		return "certificate_not_found";
	if (rc != DB_OK)
		return db_code(rc);
	*out = row_view(cfg, &r);
	return *out ? NULL : "internal_error";
}

const char *
cert_owner(struct db *d, const char *serial, int64_t *person_id)
{
	struct db_val k[] = { DBV_STR(serial) };
	struct db_out o[] = { DBO_I64() };
	enum db_rc rc = db_row(d, "SELECT person_id FROM certificates WHERE serial = ?", k, 1, o, 1);
	if (rc == DB_NOROW)
		return "certificate_not_found";
	if (rc != DB_OK)
		return db_code(rc);
	*person_id = o[0].i;
	return NULL;
}

const char *
certs_of_person(struct db *d, const struct tm_config *cfg, int64_t person_id, json_t *out)
{
	struct cert_row r;
	struct db_iter it;
	struct db_val k[] = { DBV_I64(person_id) };
	enum db_rc rc;
	row_bind(&r);
	rc = db_iter_start(d, &it, "SELECT " COLS " WHERE c.person_id = ? ORDER BY c.id", k, 1,
	    r.o, 16);
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK)
		json_array_append_new(out, row_view(cfg, &r));
	db_iter_end(&it);
	if (rc != DB_NOROW)
		return db_code(rc);

	/* how often and when each was verified: times only, nothing about who asked */
	for (size_t i = 0; i < json_array_size(out); i++) {
		json_t *v = json_array_get(out, i), *times = json_array();
		char at[20];
		struct db_val sv[] = { DBV_STR(json_string_value(json_object_get(v, "serial"))) };
		struct db_out co[] = { DBO_I64() }, to[] = { DBO_STR(at) };
		if ((rc = db_row(d, "SELECT COUNT(*) FROM certificate_verifications x JOIN certificates c"
		    " ON c.id = x.certificate_id WHERE c.serial = ?", sv, 1, co, 1)) != DB_OK) {
			json_decref(times);
			return db_code(rc);
		}
		rc = db_iter_start(d, &it, "SELECT DATE_FORMAT(x.at, '%Y-%m-%d %H:%i') FROM"
		    " certificate_verifications x JOIN certificates c ON c.id = x.certificate_id"
		    " WHERE c.serial = ? ORDER BY x.at DESC, x.id DESC LIMIT " 
		    TM_STR(CERT_VERIFY_TIMES_SHOWN), sv, 1, to, 1);
		while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK)
			json_array_append_new(times, json_string(at));
		db_iter_end(&it);
		json_object_set_new(v, "verify_count", json_integer(co[0].i));
		json_object_set_new(v, "verified_at", times);
		if (rc != DB_NOROW)
			return db_code(rc);
	}
	return NULL;
}
