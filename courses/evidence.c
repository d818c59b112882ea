#include "evidence.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../db/audit.h"
#include "catalogue.h"
#include "eligibility_judge.h"

#define EV_COLS "e.id, e.person_id, p.name, e.kind, e.title, COALESCE(e.degree, '')," \
	" COALESCE(e.started_on, ''), COALESCE(e.on_date, ''), COALESCE(e.contract_type, '')," \
	" COALESCE(e.deal_role, ''), COALESCE(e.contract_amount, ''), COALESCE(e.received_amount, '')," \
	" COALESCE(e.registration_no, ''), COALESCE(e.writing_kind, ''), e.status," \
	" COALESCE(e.review_reason, ''), e.created_at"

struct ev_row {
	char name[204], kind[16], title[808], degree[16], started[12], on[12], ctype[16], role[16],
	    camount[24], ramount[24], regno[132], wkind[16], status[12], reason[808], created[32];
	struct db_out o[17];
};

static void
ev_init(struct ev_row *r)
{
	struct db_out o[] = { DBO_I64(), DBO_I64(), DBO_STR(r->name), DBO_STR(r->kind),
		DBO_STR(r->title), DBO_STR(r->degree), DBO_STR(r->started), DBO_STR(r->on),
		DBO_STR(r->ctype), DBO_STR(r->role), DBO_STR(r->camount), DBO_STR(r->ramount),
		DBO_STR(r->regno), DBO_STR(r->wkind), DBO_STR(r->status), DBO_STR(r->reason),
		DBO_STR(r->created) };
	memcpy(r->o, o, sizeof(o));
}

static json_t *
ev_json(const struct ev_row *r)
{
	json_t *o = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)r->o[0].i,
	    "person_id", (json_int_t)r->o[1].i, "person_name", r->name, "kind", r->kind, "title",
	    r->title, "status", r->status, "created_at", r->created);
	struct { const char *k, *v; } opt[] = { { "degree", r->degree }, { "started_on", r->started },
		{ "on_date", r->on }, { "contract_type", r->ctype }, { "deal_role", r->role },
		{ "contract_amount", r->camount }, { "received_amount", r->ramount },
		{ "registration_no", r->regno }, { "writing_kind", r->wkind },
		{ "review_reason", r->reason } };
	for (size_t i = 0; i < sizeof(opt) / sizeof(opt[0]); i++)
		if (opt[i].v[0])
			json_object_set_new(o, opt[i].k, json_string(opt[i].v));
	json_object_set_new(o, "pending", json_boolean(strcmp(r->status, "pending") == 0));
	return o;
}

static const char *
ev_get(struct db *d, int64_t id, json_t **out)
{
	struct ev_row r;
	struct db_val v[] = { DBV_I64(id) };
	ev_init(&r);
	enum db_rc rc = db_row(d, "SELECT " EV_COLS " FROM evidence e JOIN persons p ON p.id = e.person_id"
	    " WHERE e.id = ?", v, 1, r.o, DB_N(r.o));
	if (rc == DB_NOROW)
		return "evidence_not_found";
	if (rc != DB_OK)
		return db_code(rc);
	*out = ev_json(&r);
	return NULL;
}

static struct db_val
opt(const char *s)
{
	return s ? DBV_STR(s) : DBV_NULL;
}

struct decl_tx {
	int64_t actor, person_id, id;
	const char *remote;
	const struct evidence_in *in;
};

static enum db_rc
decl_tx(struct db *d, void *arg)
{
	struct decl_tx *t = arg;
	const struct evidence_in *in = t->in;
	uint64_t id = 0;
	struct db_val v[] = { DBV_I64(t->person_id), DBV_STR(in->kind), DBV_STR(in->title),
		opt(in->degree), opt(in->started_on), opt(in->on_date), opt(in->contract_type),
		opt(in->deal_role), opt(in->contract_amount), opt(in->received_amount),
		opt(in->registration_no), opt(in->writing_kind) };
	enum db_rc rc = db_exec(d, "INSERT INTO evidence (person_id, kind, title, degree, started_on,"
	    " on_date, contract_type, deal_role, contract_amount, received_amount, registration_no,"
	    " writing_kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", v, DB_N(v), NULL, &id);
	if (rc != DB_OK)
		return rc;
	t->id = (int64_t)id;
	json_t *after = json_pack("{s:s, s:s}", "kind", in->kind, "title", in->title);
	rc = audit_id(d, t->actor, "evidence.declare", "evidence", t->id, after, t->remote);
	json_decref(after);
	return rc;
}

const char *
evidence_declare(struct db *d, int64_t actor, const char *remote, int64_t person_id,
    const struct evidence_in *in, json_t **out)
{
	struct decl_tx t = { actor, person_id, 0, remote, in };
	enum db_rc rc = db_tx(d, decl_tx, &t);
	if (rc != DB_OK)
		return db_code(rc);
	return ev_get(d, t.id, out);
}

const char *
evidence_list(struct db *d, int64_t person_id, json_t *out)
{
	struct ev_row r;
	struct db_iter it;
	struct db_val v[] = { DBV_I64(person_id), DBV_I64(person_id), DBV_I64(TM_MAX_EVIDENCE) };
	ev_init(&r);
	enum db_rc rc = db_iter_start(d, &it, "SELECT " EV_COLS " FROM evidence e"
	    " JOIN persons p ON p.id = e.person_id"
	    " WHERE (? = 0 AND e.status = 'pending') OR e.person_id = ? ORDER BY e.id LIMIT ?",
	    v, DB_N(v), r.o, DB_N(r.o));
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK)
		json_array_append_new(out, ev_json(&r));
	db_iter_end(&it);
	return rc == DB_NOROW ? NULL : db_code(rc);
}

struct review_tx {
	int64_t actor, id;
	const char *remote, *status, *reason, *why;
};

static enum db_rc
review_tx(struct db *d, void *arg)
{
	struct review_tx *t = arg;
	char status[12];
	struct db_val k[] = { DBV_I64(t->id) };
	struct db_out o[] = { DBO_STR(status) };
	t->why = NULL;
	enum db_rc rc = db_row(d, "SELECT status FROM evidence WHERE id = ? FOR UPDATE", k, 1, o, 1);
	if (rc == DB_NOROW) {
		t->why = "evidence_not_found";
		return DB_ERR;
	}
	if (rc != DB_OK)
		return rc;
	if (strcmp(status, "pending") != 0) {
		t->why = "evidence_reviewed";
		return DB_ERR;
	}
	struct db_val v[] = { DBV_STR(t->status), opt(t->reason), DBV_I64(t->actor), DBV_I64(t->id) };
	rc = db_exec(d, "UPDATE evidence SET status = ?, review_reason = ?, reviewed_by = ?,"
	    " reviewed_at = UTC_TIMESTAMP() WHERE id = ?", v, DB_N(v), NULL, NULL);
	if (rc != DB_OK)
		return rc;
	json_t *after = json_pack("{s:s, s:s?}", "status", t->status, "reason", t->reason);
	rc = audit_id(d, t->actor, "evidence.review", "evidence", t->id, after, t->remote);
	json_decref(after);
	return rc;
}

const char *
evidence_review(struct db *d, int64_t actor, const char *remote, int64_t id, const char *status,
    const char *reason, json_t **out)
{
	struct review_tx t = { actor, id, remote, status, reason, NULL };
	enum db_rc rc = db_tx(d, review_tx, &t);
	if (rc != DB_OK)
		return t.why ? t.why : db_code(rc);
	return ev_get(d, id, out);
}

const char *
evidence_facts(struct db *d, int64_t person_id, struct ymd on, struct person_facts *f)
{
	char ons[11], kind[16], degree[16], started[12], ended[12], role[16], wkind[16];
	ymd_format(on, ons);
	struct db_val v[] = { DBV_I64(person_id), DBV_STR(ons), DBV_I64(TM_MAX_EVIDENCE) };
	struct db_out o[] = { DBO_STR(kind), DBO_STR(degree), DBO_STR(started), DBO_STR(ended),
		DBO_STR(role), DBO_I64(), DBO_I64(), DBO_STR(wkind) };
	struct db_iter it;
	/* work counts from its start; everything else from its own date */
	enum db_rc rc = db_iter_start(d, &it, "SELECT kind, COALESCE(degree, ''),"
	    " COALESCE(started_on, ''), COALESCE(on_date, ''), COALESCE(deal_role, ''),"
	    " CAST(FLOOR(COALESCE(contract_amount, 0)) AS SIGNED),"
	    " CAST(FLOOR(COALESCE(received_amount, 0)) AS SIGNED), COALESCE(writing_kind, '')"
	    " FROM evidence WHERE person_id = ? AND status = 'verified'"
	    " AND COALESCE(IF(kind = 'work', started_on, on_date), '1000-01-01') <= ?"
	    " ORDER BY id LIMIT ?", v, DB_N(v), o, DB_N(o));
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK) {
		if (strcmp(kind, "education") == 0) {
			enum edu e = edu_parse(degree);
			if (e > f->education)
				f->education = e;
		} else if (strcmp(kind, "work") == 0) {
			if (f->nwork < JUDGE_MAX_WORK) {
				struct work_period *w = &f->work[f->nwork++];
				ymd_parse_str(started, &w->from);
				w->open = ended[0] == '\0' || !ymd_parse_str(ended, &w->to);
			}
		} else if (strcmp(kind, "deal") == 0) {
			f->deals_all++;
			f->deals_lead += strcmp(role, "lead") == 0;
			f->amount_contract += o[5].i;
			f->amount_received += o[6].i;
		} else if (strcmp(wkind, "case_report") == 0)
			f->case_reports++;
		else
			f->other_works++;
	}
	db_iter_end(&it);
	return rc == DB_NOROW ? NULL : db_code(rc);
}
