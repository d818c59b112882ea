#include "integrity.h"

#include <stdio.h>
#include <string.h>

#include "../db/audit.h"
#include "catalogue.h"
#include "eligibility_judge.h"

static void
bad(json_t *errors, const char *field, const char *code, const char *msg)
{
	json_array_append_new(errors, json_pack("{s:s, s:s, s:s}", "field", field, "code", code,
	    "message", msg));
}

#define EV_SQL "SELECT id, person_id, opened_on, COALESCE(closed_on, ''), kind, COALESCE(note, '')" \
	" FROM integrity_events"

struct ie_row {
	char opened[12], closed[12], kind[132], note[808];
	struct db_out o[6];
};

static void
ie_init(struct ie_row *r)
{
	struct db_out o[] = { DBO_I64(), DBO_I64(), DBO_STR(r->opened), DBO_STR(r->closed),
		DBO_STR(r->kind), DBO_STR(r->note) };
	memcpy(r->o, o, sizeof(o));
}

static json_t *
ie_json(const struct ie_row *r)
{
	return json_pack("{s:I, s:I, s:s, s:s?, s:s, s:s, s:b}", "id", (json_int_t)r->o[0].i,
	    "person_id", (json_int_t)r->o[1].i, "opened_on", r->opened, "closed_on",
	    r->closed[0] ? r->closed : NULL, "kind", r->kind, "note", r->note, "open",
	    r->closed[0] == '\0');
}

static const char *
ie_get(struct db *d, int64_t id, json_t **out)
{
	struct ie_row r;
	struct db_val v[] = { DBV_I64(id) };
	ie_init(&r);
	enum db_rc rc = db_row(d, EV_SQL " WHERE id = ?", v, 1, r.o, DB_N(r.o));
	if (rc == DB_NOROW)
		return "integrity_not_found";
	if (rc != DB_OK)
		return db_code(rc);
	*out = ie_json(&r);
	return NULL;
}

static bool
not_future(struct db *d, const char *day, bool *future)
{
	struct db_val v[] = { DBV_STR(day) };
	struct db_out o[] = { DBO_I64() };
	enum db_rc rc = db_row(d, "SELECT ? > UTC_DATE()", v, 1, o, 1);
	*future = rc == DB_OK && o[0].i;
	return rc == DB_OK;
}

struct open_tx {
	int64_t actor, person_id, id;
	const char *remote, *on, *kind, *note, *why;
};

static enum db_rc
open_tx(struct db *d, void *arg)
{
	struct open_tx *t = arg;
	uint64_t id = 0;
	struct db_val v[] = { DBV_I64(t->person_id), DBV_STR(t->on), DBV_STR(t->kind),
		t->note ? DBV_STR(t->note) : DBV_NULL, DBV_I64(t->actor) };
	enum db_rc rc = db_exec(d, "INSERT INTO integrity_events (person_id, opened_on, kind, note,"
	    " created_by) SELECT id, ?, ?, ?, ? FROM persons WHERE id = ?",
	    (struct db_val[]){ v[1], v[2], v[3], v[4], v[0] }, 5, NULL, &id);
	if (rc != DB_OK)
		return rc;
	if (id == 0) {
		t->why = "person_not_found";
		return DB_ERR;
	}
	t->id = (int64_t)id;
	json_t *after = json_pack("{s:I, s:s, s:s}", "person_id", (json_int_t)t->person_id,
	    "opened_on", t->on, "kind", t->kind);
	rc = audit_id(d, t->actor, "integrity.open", "integrity_event", t->id, after, t->remote);
	json_decref(after);
	return rc;
}

const char *
integrity_open(struct db *d, int64_t actor, const char *remote, int64_t person_id,
    const char *opened_on, const char *kind, const char *note, json_t *errors, json_t **out)
{
	bool future;
	if (!not_future(d, opened_on, &future))
		return "db_unavailable";
	if (future) {
		bad(errors, "opened_on", "date_in_future", "日期不能晚于今天");
		return "validation_failed";
	}
	struct open_tx t = { actor, person_id, 0, remote, opened_on, kind, note, NULL };
	enum db_rc rc = db_tx(d, open_tx, &t);
	if (rc != DB_OK)
		return t.why ? t.why : db_code(rc);
	return ie_get(d, t.id, out);
}

struct close_tx {
	int64_t actor, id;
	const char *remote, *on, *why;
	json_t *errors;
};

static enum db_rc
close_tx(struct db *d, void *arg)
{
	struct close_tx *t = arg;
	char opened[12], closed[12];
	struct db_val k[] = { DBV_I64(t->id) };
	struct db_out o[] = { DBO_STR(opened), DBO_STR(closed) };
	t->why = NULL;
	enum db_rc rc = db_row(d, "SELECT opened_on, COALESCE(closed_on, '') FROM integrity_events"
	    " WHERE id = ? FOR UPDATE", k, 1, o, 2);
	if (rc == DB_NOROW) {
		t->why = "integrity_not_found";
		return DB_ERR;
	}
	if (rc != DB_OK)
		return rc;
	if (closed[0]) {
		t->why = "integrity_closed";
		return DB_ERR;
	}
	if (strcmp(t->on, opened) < 0) {
		bad(t->errors, "closed_on", "dates_invalid", "结束日期不能早于开始日期");
		t->why = "validation_failed";
		return DB_ERR;
	}
	struct db_val v[] = { DBV_STR(t->on), DBV_I64(t->actor), DBV_I64(t->id) };
	rc = db_exec(d, "UPDATE integrity_events SET closed_on = ?, closed_by = ? WHERE id = ?", v, 3,
	    NULL, NULL);
	if (rc != DB_OK)
		return rc;
	json_t *after = json_pack("{s:s}", "closed_on", t->on);
	rc = audit_id(d, t->actor, "integrity.close", "integrity_event", t->id, after, t->remote);
	json_decref(after);
	return rc;
}

const char *
integrity_close(struct db *d, int64_t actor, const char *remote, int64_t id,
    const char *closed_on, json_t *errors, json_t **out)
{
	bool future;
	if (!not_future(d, closed_on, &future))
		return "db_unavailable";
	if (future) {
		bad(errors, "closed_on", "date_in_future", "日期不能晚于今天");
		return "validation_failed";
	}
	struct close_tx t = { actor, id, remote, closed_on, NULL, errors };
	enum db_rc rc = db_tx(d, close_tx, &t);
	if (rc != DB_OK)
		return t.why ? t.why : db_code(rc);
	return ie_get(d, id, out);
}

const char *
integrity_list(struct db *d, int64_t person_id, json_t *out)
{
	struct ie_row r;
	struct db_iter it;
	struct db_val v[] = { DBV_I64(person_id), DBV_I64(JUDGE_MAX_EVENTS) };
	ie_init(&r);
	enum db_rc rc = db_iter_start(d, &it, EV_SQL " WHERE person_id = ? ORDER BY opened_on DESC"
	    " LIMIT ?", v, 2, r.o, DB_N(r.o));
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK)
		json_array_append_new(out, ie_json(&r));
	db_iter_end(&it);
	return rc == DB_NOROW ? NULL : db_code(rc);
}

const char *
integrity_facts(struct db *d, int64_t person_id, struct ymd on, struct person_facts *f)
{
	struct ie_row r;
	struct db_iter it;
	char ons[11];
	ymd_format(on, ons);
	struct db_val v[] = { DBV_I64(person_id), DBV_STR(ons), DBV_I64(JUDGE_MAX_EVENTS) };
	ie_init(&r);
	enum db_rc rc = db_iter_start(d, &it, EV_SQL " WHERE person_id = ? AND opened_on <= ?"
	    " ORDER BY opened_on DESC LIMIT ?", v, 3, r.o, DB_N(r.o));
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK) {
		struct integrity_event *e = &f->events[f->nevents++];
		ymd_parse_str(r.opened, &e->opened);
		e->open = r.closed[0] == '\0' || !ymd_parse_str(r.closed, &e->closed);
	}
	db_iter_end(&it);
	return rc == DB_NOROW ? NULL : db_code(rc);
}
