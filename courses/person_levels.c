#include "person_levels.h"

#include <string.h>

#include "../db/audit.h"
#include "catalogue.h"

struct decl_tx {
	int64_t actor, person_id, id;
	const char *remote, *level, *since, *why;
};

static enum db_rc
decl_tx(struct db *d, void *arg)
{
	struct decl_tx *t = arg;
	uint64_t id = 0;
	struct db_val v[] = { DBV_STR(t->level), DBV_STR(t->since), DBV_I64(t->person_id) };
	t->why = NULL;
	enum db_rc rc = db_exec(d, "INSERT INTO person_levels (person_id, level, held_since, source)"
	    " SELECT id, ?, ?, 'declared' FROM persons WHERE id = ?", v, 3, NULL, &id);
	if (rc != DB_OK)
		return rc;
	if (id == 0) {
		t->why = "person_not_found";
		return DB_ERR;
	}
	t->id = (int64_t)id;
	json_t *after = json_pack("{s:I, s:s, s:s, s:s}", "person_id", (json_int_t)t->person_id,
	    "level", t->level, "held_since", t->since, "source", "declared");
	rc = audit_id(d, t->actor, "person_level.declare", "person_level", t->id, after, t->remote);
	json_decref(after);
	return rc;
}

const char *
person_level_declare(struct db *d, int64_t actor, const char *remote, int64_t person_id,
    const char *level, const char *held_since, json_t *errors, json_t **out)
{
	struct db_val v[] = { DBV_STR(held_since) };
	struct db_out o[] = { DBO_I64() };
	enum db_rc rc = db_row(d, "SELECT ? > UTC_DATE()", v, 1, o, 1);
	if (rc != DB_OK)
		return db_code(rc);
	if (o[0].i) {
		json_array_append_new(errors, json_pack("{s:s, s:s, s:s}", "field", "held_since", "code",
		    "date_in_future", "message", "日期不能晚于今天"));
		return "validation_failed";
	}
	struct decl_tx t = { actor, person_id, 0, remote, level, held_since, NULL };
	rc = db_tx(d, decl_tx, &t);
	if (rc != DB_OK)
		return t.why ? t.why : db_code(rc);
	*out = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)t.id, "person_id",
	    (json_int_t)person_id, "level", level, "held_since", held_since, "source", "declared",
	    "status", "active");
	return NULL;
}

const char *
experts_list(struct db *d, json_t *out)
{
	char name[204], employer[404], field[404];
	struct db_val v[] = { DBV_I64(TM_MAX_EXPERTS) };
	struct db_out o[] = { DBO_I64(), DBO_STR(name), DBO_STR(employer), DBO_STR(field) };
	struct db_iter it;
	enum db_rc rc = db_iter_start(d, &it, "SELECT p.id, p.name, p.employer, e.field FROM experts e"
	    " JOIN persons p ON p.id = e.person_id ORDER BY p.id LIMIT ?", v, 1, o, DB_N(o));
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK)
		json_array_append_new(out, json_pack("{s:I, s:s, s:s, s:s}", "person_id",
		    (json_int_t)o[0].i, "name", name, "employer", employer, "field", field));
	db_iter_end(&it);
	return rc == DB_NOROW ? NULL : db_code(rc);
}
