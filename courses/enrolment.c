#include "enrolment.h"

#include <stdio.h>
#include <string.h>

#include "../db/audit.h"
#include "catalogue.h"

struct enrol_tx {
	int64_t user_id, person_id, offering_id;
	const char *remote, *why;
	bool withdraw;
	char course[20];
};

#define REFUSE(t, code) do { (t)->why = (code); return DB_ERR; } while (0)

/* The trainee has enough hours at the level below, when the level needs them. */
static enum db_rc
level_open(struct db *d, struct enrol_tx *t, const char *level)
{
	char req_level[16];
	struct db_val lv[] = { DBV_STR(level) };
	struct db_out lo[] = { DBO_STR(req_level), DBO_I64() };
	enum db_rc rc = db_row(d, "SELECT requires_level, requires_hours_x2 FROM level_access"
	    " WHERE level = ? AND effective_from <= UTC_DATE() ORDER BY effective_from DESC LIMIT 1",
	    lv, 1, lo, 2);
	if (rc == DB_NOROW)
		return DB_OK;
	if (rc != DB_OK)
		return rc;
	struct db_val hv[] = { DBV_I64(t->person_id), DBV_STR(req_level) };
	struct db_out ho[] = { DBO_I64() };
	rc = db_row(d, "SELECT COALESCE(SUM(r.hours_x2), 0) FROM training_records r"
	    " JOIN courses c ON c.id = r.course_id WHERE r.person_id = ? AND c.level = ?",
	    hv, 2, ho, 1);
	if (rc != DB_OK)
		return rc;
	if (ho[0].i < lo[1].i)
		REFUSE(t, "level_not_open");
	return DB_OK;
}

static enum db_rc
enrol_tx(struct db *d, void *arg)
{
	struct enrol_tx *t = arg;
	char status[16], level[16], mine[16] = "";
	struct db_val k[] = { DBV_I64(t->offering_id) };
	struct db_out o[] = { DBO_STR(status), DBO_I64(), DBO_STR(level), DBO_STR(t->course) };
	enum db_rc rc;

	t->why = NULL;
	rc = db_row(d, "SELECT o.status, o.starts_on > UTC_DATE(), c.level, c.code FROM offerings o"
	    " JOIN courses c ON c.id = o.course_id WHERE o.id = ?", k, 1, o, 4);
	if (rc == DB_NOROW)
		REFUSE(t, "offering_not_found");
	if (rc != DB_OK)
		return rc;
	if (strcmp(status, "open") != 0)
		REFUSE(t, "offering_cancelled");
	if (o[1].i == 0)
		REFUSE(t, "offering_started");

	struct db_val ek[] = { DBV_I64(t->offering_id), DBV_I64(t->person_id) };
	struct db_out eo[] = { DBO_STR(mine) };
	rc = db_row(d, "SELECT status FROM enrolments WHERE offering_id = ? AND person_id = ?"
	    " FOR UPDATE", ek, 2, eo, 1);
	if (rc != DB_OK && rc != DB_NOROW)
		return rc;
	bool exists = rc == DB_OK;
	bool enrolled = exists && strcmp(mine, "enrolled") == 0;

	if (!t->withdraw) {
		if (enrolled)
			REFUSE(t, "already_enrolled");
		if ((rc = level_open(d, t, level)) != DB_OK)
			return rc;
		uint64_t n = 0;
		rc = db_exec(d, "UPDATE offerings SET enrolled = enrolled + 1"
		    " WHERE id = ? AND enrolled < capacity", k, 1, &n, NULL);
		if (rc != DB_OK)
			return rc;
		if (n == 0)
			REFUSE(t, "offering_full");
		rc = exists ?
		    db_exec(d, "UPDATE enrolments SET status = 'enrolled', updated_at = NOW(6)"
		    " WHERE offering_id = ? AND person_id = ?", ek, 2, NULL, NULL) :
		    db_exec(d, "INSERT INTO enrolments (offering_id, person_id) VALUES (?, ?)",
		    ek, 2, NULL, NULL);
		if (rc == DB_DUP)
			REFUSE(t, "already_enrolled");
	} else {
		if (!enrolled)
			REFUSE(t, "not_enrolled");
		rc = db_exec(d, "UPDATE enrolments SET status = 'withdrawn', updated_at = NOW(6)"
		    " WHERE offering_id = ? AND person_id = ?", ek, 2, NULL, NULL);
		if (rc == DB_OK)
			rc = db_exec(d, "UPDATE offerings SET enrolled = enrolled - 1 WHERE id = ?",
			    k, 1, NULL, NULL);
	}
	if (rc != DB_OK)
		return rc;

	json_t *after = json_pack("{s:I, s:s}", "person_id", (json_int_t)t->person_id, "status",
	    t->withdraw ? "withdrawn" : "enrolled");
	rc = audit_id(d, t->user_id, t->withdraw ? "enrolment.withdraw" : "enrolment.create",
	    "offering", t->offering_id, after, t->remote);
	json_decref(after);
	return rc;
}

static const char *
run(struct db *d, struct enrol_tx *t, char *course, size_t cap)
{
	if (t->person_id <= 0)
		return "forbidden";   /* staff accounts have no person to enrol */
	enum db_rc rc = db_tx(d, enrol_tx, t);
	snprintf(course, cap, "%s", t->course);
	if (rc != DB_OK)
		return t->why ? t->why : db_code(rc);
	return NULL;
}

const char *
enrol(struct db *d, int64_t uid, int64_t pid, int64_t oid, const char *remote, char *course,
    size_t cap)
{
	struct enrol_tx t = { .user_id = uid, .person_id = pid, .offering_id = oid, .remote = remote };
	return run(d, &t, course, cap);
}

const char *
withdraw(struct db *d, int64_t uid, int64_t pid, int64_t oid, const char *remote, char *course,
    size_t cap)
{
	struct enrol_tx t = { .user_id = uid, .person_id = pid, .offering_id = oid, .remote = remote,
		.withdraw = true };
	return run(d, &t, course, cap);
}
