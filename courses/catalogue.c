#include "catalogue.h"

#include <stdio.h>
#include <string.h>

#include "../db/audit.h"
#include "date.h"
#include "names.h"

const char *
db_code(enum db_rc rc)
{
	return rc == DB_GONE ? "db_unavailable" : rc == DB_RETRY ? "db_busy" : "internal_error";
}

json_t *
json_hours(int64_t x2)
{
	if (x2 % 2 == 0)
		return json_integer(x2 / 2);
	return json_real((double)x2 / 2.0);
}

#define COURSE_COLS "c.code, c.title, c.level, c.module, c.hours_x2, c.practical, c.compulsory, c.subject"

struct course_row {
	char code[20], title[404], level[16], module[8], subject[16];
	struct db_out o[8];
};

static void
course_row_init(struct course_row *r)
{
	struct db_out o[] = { DBO_STR(r->code), DBO_STR(r->title), DBO_STR(r->level),
		DBO_STR(r->module), DBO_I64(), DBO_I64(), DBO_I64(), DBO_STR(r->subject) };
	memcpy(r->o, o, sizeof(o));
}

static json_t *
course_json(const struct course_row *r)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:b, s:b, s:s, s:s}",
	    "code", r->code, "title", r->title, "level", r->level, "level_name", level_name(r->level),
	    "module", r->module, "module_name", module_name(r->module),
	    "hours", json_hours(r->o[4].i), "practical", r->o[5].i != 0,
	    "compulsory", r->o[6].i != 0, "subject", r->subject, "subject_name",
	    subject_name(r->subject));
}

const char *
catalogue_list(struct db *d, const char *level, const char *module, json_t *out)
{
	struct course_row r;
	struct db_iter it;
	struct db_val v[] = { level ? DBV_STR(level) : DBV_NULL, level ? DBV_STR(level) : DBV_NULL,
		module ? DBV_STR(module) : DBV_NULL, module ? DBV_STR(module) : DBV_NULL };
	enum db_rc rc;

	course_row_init(&r);
	rc = db_iter_start(d, &it, "SELECT " COURSE_COLS " FROM courses c"
	    " WHERE (? IS NULL OR c.level = ?) AND (? IS NULL OR c.module = ?)"
	    " ORDER BY FIELD(c.level, 'junior', 'intermediate', 'senior'), c.code",
	    v, DB_N(v), r.o, DB_N(r.o));
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK)
		json_array_append_new(out, course_json(&r));
	db_iter_end(&it);
	return rc == DB_NOROW ? NULL : db_code(rc);
}

const char *
course_get(struct db *d, const char *code, int64_t person_id, json_t **out)
{
	struct course_row r;
	char id_s[24];
	struct db_val v[] = { DBV_STR(code) };
	enum db_rc rc;

	course_row_init(&r);
	struct db_out o[9];
	memcpy(o, r.o, sizeof(r.o));
	o[8] = DBO_STR(id_s);
	rc = db_row(d, "SELECT " COURSE_COLS ", c.id FROM courses c WHERE c.code = ?", v, 1, o, 9);
	if (rc == DB_NOROW)
		return "course_not_found";
	if (rc != DB_OK)
		return db_code(rc);
	memcpy(r.o, o, sizeof(r.o));
	json_t *course = course_json(&r), *offs = json_array();

	char bcode[20], bname[404], region[132], starts[12], ends[12], status[16], mine[16];
	struct db_out oo[] = { DBO_I64(), DBO_STR(bcode), DBO_STR(bname), DBO_STR(region),
		DBO_STR(starts), DBO_STR(ends), DBO_I64(), DBO_I64(), DBO_STR(status), DBO_STR(mine),
		DBO_I64() };
	struct db_val ov[] = { DBV_I64(person_id), DBV_STR(id_s) };
	struct db_iter it;
	rc = db_iter_start(d, &it, "SELECT o.id, b.code, b.name, b.region, o.starts_on, o.ends_on,"
	    " o.capacity, o.enrolled, o.status, COALESCE(e.status, ''), o.starts_on > UTC_DATE()"
	    " FROM offerings o JOIN bases b ON b.id = o.base_id"
	    " LEFT JOIN enrolments e ON e.offering_id = o.id AND e.person_id = ?"
	    " WHERE o.course_id = ? ORDER BY o.starts_on, o.id", ov, DB_N(ov), oo, DB_N(oo));
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK) {
		int64_t left = oo[6].i - oo[7].i;
		bool open = strcmp(status, "open") == 0 && oo[10].i != 0;
		json_array_append_new(offs, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s,"
		    " s:b, s:b, s:b}", "id", (json_int_t)oo[0].i, "base_code", bcode, "base_name", bname,
		    "region", region, "starts_on", starts, "ends_on", ends, "capacity",
		    (json_int_t)oo[6].i, "seats_left", (json_int_t)left, "status", status,
		    "enrollable", open && left > 0 && strcmp(mine, "enrolled") != 0,
		    "enrolled", strcmp(mine, "enrolled") == 0,
		    "withdrawable", open && strcmp(mine, "enrolled") == 0));
	}
	db_iter_end(&it);
	if (rc != DB_NOROW) {
		json_decref(course);
		json_decref(offs);
		return db_code(rc);
	}
	json_object_set_new(course, "offerings", offs);
	*out = course;
	return NULL;
}

static const char *
audit_change(struct db *d, int64_t actor, const char *remote, const char *action,
    const char *type, const char *id, json_t *before, json_t *after)
{
	struct audit_entry e = { .actor_user_id = actor, .action = action, .object_type = type,
		.object_id = id, .before = before, .after = after, .remote_addr = remote };
	enum db_rc rc = audit_record(d, &e);
	return rc == DB_OK ? NULL : db_code(rc);
}

struct base_tx {
	const struct base_in *in;
	bool create;
	int64_t actor;
	const char *remote;
	const char *why;
};

static enum db_rc
base_tx(struct db *d, void *arg)
{
	struct base_tx *t = arg;
	const struct base_in *in = t->in;
	char name[404], region[132], status[16];
	json_t *before = NULL;
	enum db_rc rc;

	t->why = NULL;
	if (!t->create) {
		struct db_val k[] = { DBV_STR(in->code) };
		struct db_out o[] = { DBO_STR(name), DBO_STR(region), DBO_STR(status) };
		rc = db_row(d, "SELECT name, region, status FROM bases WHERE code = ? FOR UPDATE",
		    k, 1, o, 3);
		if (rc == DB_NOROW) {
			t->why = "base_not_found";
			return DB_ERR;
		}
		if (rc != DB_OK)
			return rc;
		before = json_pack("{s:s, s:s, s:s}", "name", name, "region", region, "status", status);
		struct db_val u[] = { DBV_STR(in->name), DBV_STR(in->region),
			DBV_STR(in->status ? in->status : status), DBV_STR(in->code) };
		rc = db_exec(d, "UPDATE bases SET name = ?, region = ?, status = ? WHERE code = ?",
		    u, 4, NULL, NULL);
	} else {
		struct db_val u[] = { DBV_STR(in->code), DBV_STR(in->name), DBV_STR(in->region),
			DBV_STR(in->status ? in->status : "active") };
		rc = db_exec(d, "INSERT INTO bases (code, name, region, status) VALUES (?, ?, ?, ?)",
		    u, 4, NULL, NULL);
		if (rc == DB_DUP)
			t->why = "base_code_taken";
	}
	if (rc == DB_OK) {
		json_t *after = json_pack("{s:s, s:s, s:s}", "name", in->name, "region", in->region,
		    "status", in->status ? in->status : (t->create ? "active" : status));
		t->why = audit_change(d, t->actor, t->remote, t->create ? "base.create" : "base.update",
		    "base", in->code, before, after);
		json_decref(after);
		if (t->why != NULL)
			rc = DB_ERR;
	}
	json_decref(before);
	return rc;
}

const char *
base_save(struct db *d, int64_t actor, const char *remote, const struct base_in *in, bool create,
    json_t **out)
{
	struct base_tx t = { in, create, actor, remote, NULL };
	enum db_rc rc = db_tx(d, base_tx, &t);
	if (rc != DB_OK)
		return t.why ? t.why : db_code(rc);
	*out = json_pack("{s:s, s:s, s:s, s:s}", "code", in->code, "name", in->name, "region",
	    in->region, "status", in->status ? in->status : "active");
	return NULL;
}

const char *
bases_list(struct db *d, json_t *out)
{
	char code[20], name[404], region[132], status[16];
	struct db_out o[] = { DBO_STR(code), DBO_STR(name), DBO_STR(region), DBO_STR(status) };
	struct db_iter it;
	enum db_rc rc = db_iter_start(d, &it, "SELECT code, name, region, status FROM bases"
	    " ORDER BY code", NULL, 0, o, 4);
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK)
		json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s}", "code", code, "name", name,
		    "region", region, "status", status));
	db_iter_end(&it);
	return rc == DB_NOROW ? NULL : db_code(rc);
}

struct offering_tx {
	const struct offering_in *in;
	int64_t actor, id;
	const char *remote, *why;
};

static enum db_rc
offering_tx(struct db *d, void *arg)
{
	struct offering_tx *t = arg;
	const struct offering_in *in = t->in;
	enum db_rc rc;
	uint64_t id = 0;
	char idtxt[24];
	json_t *before = NULL;

	t->why = NULL;
	if (in->id == 0) {
		struct db_out o[] = { DBO_I64() };
		struct db_val c[] = { DBV_STR(in->course_code) };
		int64_t course_id, base_id;
		rc = db_row(d, "SELECT id FROM courses WHERE code = ?", c, 1, o, 1);
		if (rc == DB_NOROW)
			t->why = "course_not_found";
		if (rc != DB_OK)
			return t->why ? DB_ERR : rc;
		course_id = o[0].i;
		struct db_val b[] = { DBV_STR(in->base_code) };
		rc = db_row(d, "SELECT id FROM bases WHERE code = ? AND status = 'active'", b, 1, o, 1);
		if (rc == DB_NOROW)
			t->why = "base_not_found";
		if (rc != DB_OK)
			return t->why ? DB_ERR : rc;
		base_id = o[0].i;
		struct db_val v[] = { DBV_I64(course_id), DBV_I64(base_id), DBV_STR(in->starts_on),
			DBV_STR(in->ends_on), DBV_I64(in->capacity) };
		rc = db_exec(d, "INSERT INTO offerings (course_id, base_id, starts_on, ends_on, capacity)"
		    " VALUES (?, ?, ?, ?, ?)", v, 5, NULL, &id);
		if (rc != DB_OK)
			return rc;
	} else {
		char starts[12], ends[12], status[16];
		struct db_out o[] = { DBO_STR(starts), DBO_STR(ends), DBO_I64(), DBO_I64(),
			DBO_STR(status) };
		struct db_val k[] = { DBV_I64(in->id) };
		rc = db_row(d, "SELECT starts_on, ends_on, capacity, enrolled, status FROM offerings"
		    " WHERE id = ? FOR UPDATE", k, 1, o, 5);
		if (rc == DB_NOROW)
			t->why = "offering_not_found";
		if (rc != DB_OK)
			return t->why ? DB_ERR : rc;
		if (in->capacity < o[3].i) {
			t->why = "capacity_below_enrolled";
			return DB_ERR;
		}
		before = json_pack("{s:s, s:s, s:I, s:s}", "starts_on", starts, "ends_on", ends,
		    "capacity", (json_int_t)o[2].i, "status", status);
		struct db_val v[] = { DBV_STR(in->starts_on), DBV_STR(in->ends_on),
			DBV_I64(in->capacity), DBV_STR(in->status ? in->status : status), DBV_I64(in->id) };
		rc = db_exec(d, "UPDATE offerings SET starts_on = ?, ends_on = ?, capacity = ?,"
		    " status = ? WHERE id = ?", v, 5, NULL, NULL);
		if (rc != DB_OK) {
			json_decref(before);
			return rc;
		}
		id = (uint64_t)in->id;
	}
	t->id = (int64_t)id;
	snprintf(idtxt, sizeof(idtxt), "%llu", (unsigned long long)id);
	json_t *after = json_pack("{s:s?, s:s?, s:s, s:s, s:I, s:s?}", "course", in->course_code,
	    "base", in->base_code, "starts_on", in->starts_on, "ends_on", in->ends_on,
	    "capacity", (json_int_t)in->capacity, "status", in->status);
	t->why = audit_change(d, t->actor, t->remote, in->id ? "offering.update" : "offering.create",
	    "offering", idtxt, before, after);
	json_decref(before);
	json_decref(after);
	return t->why ? DB_ERR : DB_OK;
}

const char *
offering_save(struct db *d, int64_t actor, const char *remote, const struct offering_in *in,
    json_t **out)
{
	struct ymd s, e;
	if (!ymd_parse_str(in->starts_on, &s) || !ymd_parse_str(in->ends_on, &e) ||
	    ymd_cmp(e, s) < 0)
		return "dates_invalid";
	struct offering_tx t = { .in = in, .actor = actor, .remote = remote };
	enum db_rc rc = db_tx(d, offering_tx, &t);
	if (rc != DB_OK)
		return t.why ? t.why : db_code(rc);
	*out = json_pack("{s:I, s:s, s:s, s:I}", "id", (json_int_t)t.id, "starts_on", in->starts_on,
	    "ends_on", in->ends_on, "capacity", (json_int_t)in->capacity);
	return NULL;
}

const char *
offerings_list(struct db *d, json_t *out)
{
	char ccode[20], title[404], bcode[20], bname[404], starts[12], ends[12], status[16];
	struct db_out o[] = { DBO_I64(), DBO_STR(ccode), DBO_STR(title), DBO_STR(bcode),
		DBO_STR(bname), DBO_STR(starts), DBO_STR(ends), DBO_I64(), DBO_I64(), DBO_STR(status) };
	struct db_iter it;
	enum db_rc rc = db_iter_start(d, &it, "SELECT o.id, c.code, c.title, b.code, b.name,"
	    " o.starts_on, o.ends_on, o.capacity, o.enrolled, o.status FROM offerings o"
	    " JOIN courses c ON c.id = o.course_id JOIN bases b ON b.id = o.base_id"
	    " ORDER BY o.starts_on DESC, o.id DESC LIMIT 500", NULL, 0, o, DB_N(o));
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK)
		json_array_append_new(out, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s}",
		    "id", (json_int_t)o[0].i, "course_code", ccode, "course_title", title,
		    "base_code", bcode, "base_name", bname, "starts_on", starts, "ends_on", ends,
		    "capacity", (json_int_t)o[7].i, "enrolled", (json_int_t)o[8].i, "status", status));
	db_iter_end(&it);
	return rc == DB_NOROW ? NULL : db_code(rc);
}
