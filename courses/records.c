#include "records.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../db/audit.h"
#include "catalogue.h"
#include "date.h"
#include "ledger.h"
#include "ledger_years.h"
#include "names.h"

#define MAX_RULES 64

#define REFUSE(why_, code) do { *(why_) = (code); return DB_ERR; } while (0)

static const char *
audit_rec(struct db *d, int64_t actor, const char *remote, const char *action, int64_t id,
    json_t *after)
{
	return audit_id(d, actor, action, "training_record", id, after, remote) == DB_OK ? NULL :
	    "internal_error";
}

/* Hours already recorded for the person on that day, and the cap in force on it. */
static enum db_rc
day_room(struct db *d, int64_t person_id, const char *day, int64_t *used, int64_t *cap)
{
	struct db_val v[] = { DBV_I64(person_id), DBV_STR(day) };
	struct db_out o[] = { DBO_I64() };
	enum db_rc rc = db_row(d, "SELECT COALESCE(SUM(hours_x2), 0) FROM training_records"
	    " WHERE person_id = ? AND completed_on = ?", v, 2, o, 1);
	if (rc != DB_OK)
		return rc;
	*used = o[0].i;
	struct db_val r[] = { DBV_STR(day) };
	rc = db_row(d, "SELECT daily_cap_x2 FROM ce_rules WHERE region = 'SH' AND effective_from <= ?"
	    " ORDER BY effective_from DESC LIMIT 1", r, 1, o, 1);
	*cap = rc == DB_OK ? o[0].i : 0;
	return rc == DB_NOROW ? DB_OK : rc;
}

struct add_tx {
	const struct record_in *in;
	int64_t actor, id;
	const char *remote, *why;
};

static enum db_rc
add_tx(struct db *d, void *arg)
{
	struct add_tx *t = arg;
	const struct record_in *in = t->in;
	char subject[16];
	int64_t used, cap, base_id = 0;
	enum db_rc rc;

	t->why = NULL;
	struct db_val c[] = { DBV_STR(in->course_code) };
	struct db_out co[] = { DBO_I64(), DBO_STR(subject), DBO_I64() };
	rc = db_row(d, "SELECT id, subject, compulsory FROM courses WHERE code = ?", c, 1, co, 3);
	if (rc == DB_NOROW)
		REFUSE(&t->why, "course_unknown");
	if (rc != DB_OK)
		return rc;
	if (in->base_code != NULL) {
		struct db_val b[] = { DBV_STR(in->base_code) };
		struct db_out bo[] = { DBO_I64() };
		rc = db_row(d, "SELECT id FROM bases WHERE code = ?", b, 1, bo, 1);
		if (rc == DB_NOROW)
			REFUSE(&t->why, "base_not_found");
		if (rc != DB_OK)
			return rc;
		base_id = bo[0].i;
	}
	/* Lock the person's row so two entries for one day cannot both pass the cap check. */
	struct db_val p[] = { DBV_I64(in->person_id) };
	struct db_out po[] = { DBO_I64() };
	rc = db_row(d, "SELECT id FROM persons WHERE id = ? FOR UPDATE", p, 1, po, 1);
	if (rc == DB_NOROW)
		REFUSE(&t->why, "person_not_found");
	if (rc != DB_OK)
		return rc;
	if ((rc = day_room(d, in->person_id, in->completed_on, &used, &cap)) != DB_OK)
		return rc;
	if (used + in->hours_x2 > cap)
		REFUSE(&t->why, "hours_over_daily_cap");

	struct db_val v[] = { DBV_I64(in->person_id), DBV_I64(co[0].i),
		base_id ? DBV_I64(base_id) : DBV_NULL, DBV_I64(in->hours_x2), DBV_STR(in->completed_on),
		DBV_STR(subject), DBV_I64(co[2].i), DBV_STR(in->source),
		in->source_ref ? DBV_STR(in->source_ref) : DBV_NULL, DBV_I64(t->actor) };
	uint64_t id;
	rc = db_exec(d, "INSERT INTO training_records (person_id, course_id, base_id, hours_x2,"
	    " completed_on, subject, compulsory, source, source_ref, created_by)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", v, DB_N(v), NULL, &id);
	if (rc != DB_OK)
		return rc;
	t->id = (int64_t)id;
	struct ymd on;
	if (!ymd_parse_str(in->completed_on, &on))
		return DB_ERR;
	if ((rc = ledger_years_refresh(d, in->person_id, on.y)) != DB_OK)
		return rc;
	json_t *after = json_pack("{s:I, s:s, s:s?, s:I, s:s, s:s}", "person_id",
	    (json_int_t)in->person_id, "course", in->course_code, "base", in->base_code,
	    "hours_x2", (json_int_t)in->hours_x2, "completed_on", in->completed_on, "source",
	    in->source);
	t->why = audit_rec(d, t->actor, t->remote, "record.create", t->id, after);
	json_decref(after);
	return t->why ? DB_ERR : DB_OK;
}

const char *
record_add(struct db *d, int64_t actor, const char *remote, const struct record_in *in,
    int64_t *record_id)
{
	struct ymd on;
	if (!ymd_parse_str(in->completed_on, &on))
		return "date_invalid";
	if (ymd_cmp(on, ymd_today_utc()) > 0)
		return "date_in_future";
	if (in->hours_x2 <= 0)
		return "hours_invalid";
	struct add_tx t = { .in = in, .actor = actor, .remote = remote };
	enum db_rc rc = db_tx(d, add_tx, &t);
	if (rc != DB_OK)
		return t.why ? t.why : db_code(rc);
	*record_id = t.id;
	return NULL;
}

struct rev_tx {
	int64_t actor, id, rev_id;
	const char *reason, *remote, *why;
};

static enum db_rc
rev_tx(struct db *d, void *arg)
{
	struct rev_tx *t = arg;
	struct db_val k[] = { DBV_I64(t->id) };
	struct db_out o[] = { DBO_I64(), DBO_I64(), DBO_I64() };
	enum db_rc rc;

	t->why = NULL;
	/* The person's row too: every writer of a person's records holds it (ledger_years.h). */
	rc = db_row(d, "SELECT r.hours_x2, r.person_id, YEAR(r.completed_on) FROM training_records r"
	    " JOIN persons p ON p.id = r.person_id WHERE r.id = ? FOR UPDATE", k, 1, o, DB_N(o));
	if (rc == DB_NOROW)
		REFUSE(&t->why, "record_not_found");
	if (rc != DB_OK)
		return rc;
	if (o[0].i < 0)
		REFUSE(&t->why, "record_not_reversible");
	/* The reversal copies the entry (same day, course, base, subject) with negated hours. */
	struct db_val v[] = { DBV_STR(t->reason), DBV_I64(t->actor), DBV_I64(t->id) };
	uint64_t id;
	rc = db_exec(d, "INSERT INTO training_records (person_id, course_id, base_id, offering_id,"
	    " hours_x2, completed_on, subject, compulsory, source, source_ref, reverses_id, reason,"
	    " created_by) SELECT person_id, course_id, base_id, offering_id, -hours_x2, completed_on,"
	    " subject, compulsory, 'admin', source_ref, id, ?, ? FROM training_records WHERE id = ?",
	    v, 3, NULL, &id);
	if (rc == DB_DUP)
		REFUSE(&t->why, "already_reversed");
	if (rc != DB_OK)
		return rc;
	t->rev_id = (int64_t)id;
	if ((rc = ledger_years_refresh(d, o[1].i, (int)o[2].i)) != DB_OK)
		return rc;
	json_t *after = json_pack("{s:I, s:s}", "reverses", (json_int_t)t->id, "reason", t->reason);
	t->why = audit_rec(d, t->actor, t->remote, "record.reverse", t->rev_id, after);
	json_decref(after);
	return t->why ? DB_ERR : DB_OK;
}

const char *
record_reverse(struct db *d, int64_t actor, const char *remote, int64_t id, const char *reason,
    int64_t *rev_id)
{
	struct rev_tx t = { .actor = actor, .id = id, .reason = reason, .remote = remote };
	enum db_rc rc = db_tx(d, rev_tx, &t);
	if (rc != DB_OK)
		return t.why ? t.why : db_code(rc);
	*rev_id = t.rev_id;
	return NULL;
}

struct complete_tx {
	int64_t actor, offering_id;
	const char *remote, *why;
	int credited;
};

static enum db_rc
complete_tx(struct db *d, void *arg)
{
	struct complete_tx *t = arg;
	char starts[12], ends[12], subject[16];
	struct db_val k[] = { DBV_I64(t->offering_id) };
	struct db_out o[] = { DBO_STR(starts), DBO_STR(ends), DBO_I64(), DBO_I64(), DBO_I64(),
		DBO_STR(subject), DBO_I64() };
	enum db_rc rc;
	struct ymd s, e;

	t->why = NULL;
	t->credited = 0;
	rc = db_row(d, "SELECT o.starts_on, o.ends_on, o.course_id, o.base_id, c.hours_x2, c.subject,"
	    " c.compulsory FROM offerings o JOIN courses c ON c.id = o.course_id WHERE o.id = ?"
	    " FOR UPDATE", k, 1, o, DB_N(o));
	if (rc == DB_NOROW)
		REFUSE(&t->why, "offering_not_found");
	if (rc != DB_OK)
		return rc;
	if (!ymd_parse_str(starts, &s) || !ymd_parse_str(ends, &e) ||
	    ymd_cmp(e, ymd_today_utc()) > 0)
		REFUSE(&t->why, "offering_not_finished");

	/* Enrolled persons without a record from this offering yet. */
	int64_t persons[TM_MAX_OFFERING_SEATS];
	size_t np = 0;
	struct db_out po[] = { DBO_I64() };
	struct db_iter it;
	rc = db_iter_start(d, &it, "SELECT e.person_id FROM enrolments e WHERE e.offering_id = ?"
	    " AND e.status = 'enrolled' AND NOT EXISTS (SELECT 1 FROM training_records r"
	    " WHERE r.offering_id = e.offering_id AND r.person_id = e.person_id)", k, 1, po, 1);
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK && np < TM_MAX_OFFERING_SEATS)
		persons[np++] = po[0].i;
	db_iter_end(&it);
	if (rc != DB_NOROW && rc != DB_OK)
		return rc;

	for (size_t i = 0; i < np; i++) {
		int64_t left = o[4].i;
		struct ymd day = s;
		/* The person's row first, as every writer of their records (ledger_years.h): the
		 * day_room sums and ledger_years stay theirs until the commit. */
		struct db_val pv[] = { DBV_I64(persons[i]) };
		struct db_out pl[] = { DBO_I64() };
		if ((rc = db_row(d, "SELECT id FROM persons WHERE id = ? FOR UPDATE", pv, 1, pl, 1))
		    != DB_OK)
			return rc == DB_NOROW ? DB_ERR : rc;
		/* Spread the course's hours over its days, each within the day's remaining cap. */
		while (left > 0 && ymd_cmp(day, e) <= 0) {
			char ds[11];
			int64_t used, cap;
			ymd_format(day, ds);
			if ((rc = day_room(d, persons[i], ds, &used, &cap)) != DB_OK)
				return rc;
			int64_t h = cap - used < left ? cap - used : left;
			if (h > 0) {
				struct db_val v[] = { DBV_I64(persons[i]), DBV_I64(o[2].i), DBV_I64(o[3].i),
					DBV_I64(t->offering_id), DBV_I64(h), DBV_STR(ds), DBV_STR(subject),
					DBV_I64(o[6].i), DBV_I64(t->actor) };
				rc = db_exec(d, "INSERT INTO training_records (person_id, course_id, base_id,"
				    " offering_id, hours_x2, completed_on, subject, compulsory, source,"
				    " created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'offering', ?)",
				    v, DB_N(v), NULL, NULL);
				if (rc != DB_OK)
					return rc;
				left -= h;
			}
			/* next calendar day */
			day.d++;
			if (!ymd_valid(day)) {
				day.d = 1;
				if (++day.m > 12) {
					day.m = 1;
					day.y++;
				}
			}
		}
		for (int y = s.y; y <= e.y; y++)
			if ((rc = ledger_years_refresh(d, persons[i], y)) != DB_OK)
				return rc;
		t->credited++;
	}
	json_t *after = json_pack("{s:i}", "credited", t->credited);
	t->why = audit_rec(d, t->actor, t->remote, "offering.complete", t->offering_id, after);
	json_decref(after);
	return t->why ? DB_ERR : DB_OK;
}

const char *
offering_complete(struct db *d, int64_t actor, const char *remote, int64_t offering_id,
    json_t **out)
{
	struct complete_tx t = { .actor = actor, .offering_id = offering_id, .remote = remote };
	enum db_rc rc = db_tx(d, complete_tx, &t);
	if (rc != DB_OK)
		return t.why ? t.why : db_code(rc);
	*out = json_pack("{s:I, s:i}", "offering_id", (json_int_t)offering_id, "credited",
	    t.credited);
	return NULL;
}

const char *
records_list(struct db *d, int64_t person_id, json_t *out)
{
	char on[12], code[20], title[404], level[16], base[404], subject[16], source[16], reason[804];
	struct db_out o[] = { DBO_I64(), DBO_STR(on), DBO_STR(code), DBO_STR(title), DBO_STR(level),
		DBO_STR(base), DBO_I64(), DBO_STR(subject), DBO_I64(), DBO_STR(source), DBO_I64(),
		DBO_STR(reason) };
	struct db_val v[] = { DBV_I64(person_id) };
	struct db_iter it;
	enum db_rc rc = db_iter_start(d, &it, "SELECT r.id, r.completed_on, c.code, c.title, c.level,"
	    " COALESCE(b.name, ''), r.hours_x2, r.subject, r.compulsory, r.source,"
	    " COALESCE(r.reverses_id, 0), COALESCE(r.reason, '') FROM training_records r"
	    " JOIN courses c ON c.id = r.course_id LEFT JOIN bases b ON b.id = r.base_id"
	    " WHERE r.person_id = ? ORDER BY r.completed_on DESC, r.id DESC LIMIT 20000",
	    v, 1, o, DB_N(o));
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK) {
		json_t *r = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:b, s:s}",
		    "id", (json_int_t)o[0].i, "completed_on", on, "course_code", code, "course_title",
		    title, "level", level, "level_name", level_name(level), "base", base,
		    "hours", json_hours(o[6].i), "subject", subject, "subject_name",
		    subject_name(subject), "compulsory", o[8].i != 0, "source", source);
		if (o[10].i > 0) {
			json_object_set_new(r, "reverses", json_integer(o[10].i));
			json_object_set_new(r, "reason", json_string(reason));
		}
		json_array_append_new(out, r);
	}
	db_iter_end(&it);
	return rc == DB_NOROW ? NULL : db_code(rc);
}

static enum db_rc
load_rules(struct db *d, struct ce_rule *r, size_t *n)
{
	char from[12];
	struct db_out o[] = { DBO_STR(from), DBO_I64(), DBO_I64(), DBO_I64(), DBO_I64(), DBO_I64(),
		DBO_I64() };
	struct db_iter it;
	enum db_rc rc = db_iter_start(d, &it, "SELECT effective_from, annual_hours_x2,"
	    " professional_num, professional_den, daily_cap_x2, minutes_per_hour, carry_over"
	    " FROM ce_rules WHERE region = 'SH' ORDER BY effective_from", NULL, 0, o, DB_N(o));
	*n = 0;
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK && *n < MAX_RULES) {
		struct ce_rule *x = &r[(*n)++];
		if (!ymd_parse_str(from, &x->effective_from) || o[3].i <= 0) {
			(*n)--;
			continue;
		}
		x->annual_x2 = (int)o[1].i;
		x->prof_num = (int)o[2].i;
		x->prof_den = (int)o[3].i;
		x->daily_cap_x2 = (int)o[4].i;
		x->minutes_per_hour = (int)o[5].i;
		x->carry_over = o[6].i != 0;
	}
	db_iter_end(&it);
	return rc == DB_NOROW ? DB_OK : rc;
}

/* Entries of the years from..to; json_entries (optional) receives them for a statement. */
static enum db_rc
load_entries(struct db *d, int64_t pid, int from, int to, struct ledger_entry **out, size_t *n,
    json_t *json_entries)
{
	char on[12], subject[16], code[20], title[404], base[404];
	char lo[11], hi[11];
	ymd_format((struct ymd){ from, 1, 1 }, lo);
	ymd_format((struct ymd){ to, 12, 31 }, hi);
	struct db_val v[] = { DBV_I64(pid), DBV_STR(lo), DBV_STR(hi) };
	struct db_out o[] = { DBO_STR(on), DBO_I64(), DBO_STR(subject), DBO_I64(), DBO_STR(code),
		DBO_STR(title), DBO_STR(base), DBO_I64(), DBO_I64() };
	struct db_iter it;
	size_t cap = 256;
	struct ledger_entry *e = malloc(cap * sizeof(*e));
	enum db_rc rc;

	*n = 0;
	if (e == NULL)
		return DB_ERR;
	rc = db_iter_start(d, &it, "SELECT r.completed_on, r.hours_x2, r.subject, r.compulsory,"
	    " c.code, c.title, COALESCE(b.name, ''), r.id, COALESCE(r.reverses_id, 0)"
	    " FROM training_records r JOIN courses c ON c.id = r.course_id"
	    " LEFT JOIN bases b ON b.id = r.base_id"
	    " WHERE r.person_id = ? AND r.completed_on BETWEEN ? AND ?"
	    " ORDER BY r.completed_on, r.id", v, 3, o, DB_N(o));
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK) {
		if (*n == TM_MAX_LEDGER_ENTRIES) {
			rc = DB_ERR;
			break;
		}
		if (*n == cap) {
			struct ledger_entry *ne = realloc(e, 2 * cap * sizeof(*e));
			if (ne == NULL) {
				rc = DB_ERR;
				break;
			}
			e = ne;
			cap *= 2;
		}
		struct ledger_entry *x = &e[(*n)++];
		ymd_parse_str(on, &x->on);
		x->hours_x2 = (int)o[1].i;
		x->subject = strcmp(subject, "professional") == 0 ? SUBJ_PROFESSIONAL : SUBJ_GENERAL;
		x->compulsory = o[3].i != 0;
		if (json_entries != NULL) {
			json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:s, s:b}", "id",
			    (json_int_t)o[7].i, "completed_on", on, "course_code", code, "course_title",
			    title, "base", base, "hours", json_hours(o[1].i), "subject_name",
			    subject_name(subject), "compulsory", o[3].i != 0);
			if (o[8].i > 0)
				json_object_set_new(j, "reverses", json_integer(o[8].i));
			json_array_append_new(json_entries, j);
		}
	}
	db_iter_end(&it);
	if (rc != DB_NOROW) {
		free(e);
		return rc == DB_OK ? DB_ERR : rc;
	}
	*out = e;
	return DB_OK;
}

static json_t *
year_json(const struct ledger_year *y)
{
	char msg[128];
	ledger_message(y, msg, sizeof(msg));
	return json_pack("{s:i, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:b, s:s}",
	    "year", y->year, "total", json_hours(y->total_x2), "professional",
	    json_hours(y->professional_x2), "general", json_hours(y->general_x2), "compulsory",
	    json_hours(y->compulsory_x2), "capped", json_hours(y->capped_x2), "required",
	    json_hours(y->required_x2), "required_professional", json_hours(y->required_prof_x2),
	    "missing", json_hours(y->missing_x2), "missing_professional",
	    json_hours(y->missing_prof_x2), "professional_share_met", y->missing_prof_x2 == 0,
	    "met", y->met, "message", msg);
}

/* Per-year summaries for from..to into years[] (and each[], when given); sums into *sum. */
static const char *
summarise(struct db *d, int64_t pid, int from, int to, json_t *years, struct ledger_year *sum,
    json_t *entries, struct ledger_year *each)
{
	struct ce_rule rules[MAX_RULES];
	size_t nr, ne;
	struct ledger_entry *e = NULL;
	enum db_rc rc;

	if ((rc = load_rules(d, rules, &nr)) != DB_OK)
		return db_code(rc);
	if ((rc = load_entries(d, pid, from, to, &e, &ne, entries)) != DB_OK)
		return db_code(rc);
	memset(sum, 0, sizeof(*sum));
	for (int y = from; y <= to; y++) {
		struct ledger_year ly;
		if (ledger_year(e, ne, rules, nr, y, &ly) < 0) {
			free(e);
			return "no_ce_rule";
		}
		json_array_append_new(years, year_json(&ly));
		if (each != NULL)
			each[y - from] = ly;
		sum->total_x2 += ly.total_x2;
		sum->professional_x2 += ly.professional_x2;
		sum->general_x2 += ly.general_x2;
		sum->compulsory_x2 += ly.compulsory_x2;
	}
	free(e);
	return NULL;
}

/*
 * The rules as this worker last read them, with the ce_rules_version they were read at
 * (migration 0008: bumped by triggers on every change to ce_rules). -1: none read yet.
 */
static struct ce_rule rules_cache[MAX_RULES];
static size_t rules_cached;
static int64_t rules_cached_version = -1;

/* Re-reads the rules with the version they belong to (one snapshot). */
static enum db_rc
reload_rules(struct db *d)
{
	struct db_out o[] = { DBO_I64(), DBO_I64(), DBO_I64(), DBO_I64(), DBO_I64(), DBO_I64(),
		DBO_I64(), DBO_I64() };
	struct db_iter it;
	int64_t version = -1;
	size_t n = 0;
	enum db_rc rc = db_iter_start(d, &it, "SELECT v.version, YEAR(r.effective_from) * 10000 +"
	    " MONTH(r.effective_from) * 100 + DAY(r.effective_from), r.annual_hours_x2,"
	    " r.professional_num, r.professional_den, r.daily_cap_x2, r.minutes_per_hour,"
	    " r.carry_over FROM ce_rules_version v JOIN ce_rules r ON r.region = 'SH'"
	    " WHERE v.id = 1", NULL, 0, o, DB_N(o));
	rules_cached_version = -1;
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK) {
		if (n == MAX_RULES) {
			rc = DB_ERR;   /* more rules than MAX_RULES: refuse rather than judge by some */
			break;
		}
		version = o[0].i;
		if (o[4].i <= 0)
			continue;
		struct ce_rule *x = &rules_cache[n++];
		x->effective_from = (struct ymd){ (int)(o[1].i / 10000), (int)(o[1].i / 100 % 100),
		    (int)(o[1].i % 100) };
		x->annual_x2 = (int)o[2].i;
		x->prof_num = (int)o[3].i;
		x->prof_den = (int)o[4].i;
		x->daily_cap_x2 = (int)o[5].i;
		x->minutes_per_hour = (int)o[6].i;
		x->carry_over = o[7].i != 0;
	}
	db_iter_end(&it);
	if (rc != DB_NOROW)
		return rc == DB_OK ? DB_ERR : rc;
	rules_cached = n;
	rules_cached_version = version;   /* no rules at all: -1, read again next time */
	return DB_OK;
}

/*
 * The years from..to from ledger_years (kept by every writer, ledger_years.h) and the rules'
 * version, in one statement: one round trip whatever the history. The rules themselves are
 * read again only when that version differs from the one cached, so an admin's change to
 * ce_rules counts from the next request on, on every worker and every host.
 */
static const char *
summarise_totals(struct db *d, int64_t pid, int from, int to, json_t *years,
    struct ledger_year *sum, const struct ce_rule **rule_now)
{
	struct ledger_year y[TM_MAX_STATEMENT_YEARS];
	int n = to - from + 1;
	int64_t version = -1;
	enum db_rc rc;

	if (n < 1 || n > TM_MAX_STATEMENT_YEARS)
		return "statement_range_invalid";
	memset(y, 0, sizeof(y));
	for (int i = 0; i < n; i++)
		y[i].year = from + i;
	struct db_val v[] = { DBV_I64(pid), DBV_I64(from), DBV_I64(to) };
	struct db_out o[] = { DBO_I64(), DBO_I64(), DBO_I64(), DBO_I64(), DBO_I64() };
	struct db_iter it;
	rc = db_iter_start(d, &it, "SELECT v.version, COALESCE(y.year, 0), COALESCE(y.professional_x2, 0),"
	    " COALESCE(y.general_x2, 0), COALESCE(y.compulsory_x2, 0) FROM ce_rules_version v"
	    " LEFT JOIN ledger_years y ON y.person_id = ? AND y.year BETWEEN ? AND ?"
	    " WHERE v.id = 1", v, 3, o, DB_N(o));
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK) {
		version = o[0].i;
		int i = (int)o[1].i - from;
		if (i < 0 || i >= n)
			continue;
		/* a year's sums never go below zero, as a day's do not in the pure ledger */
		y[i].professional_x2 = o[2].i > 0 ? (int)o[2].i : 0;
		y[i].general_x2 = o[3].i > 0 ? (int)o[3].i : 0;
		y[i].compulsory_x2 = o[4].i > 0 ? (int)o[4].i : 0;
		y[i].total_x2 = y[i].professional_x2 + y[i].general_x2;
	}
	db_iter_end(&it);
	if (rc != DB_NOROW)
		return db_code(rc == DB_OK ? DB_ERR : rc);
	if (version < 0) {
		/* Without its one row (migration 0008) every year would read as empty: refuse. */
		fprintf(stderr, "tmcred: ce_rules_version has no row 1\n");
		return db_code(DB_ERR);
	}
	/* Rules newer than the sums just read are fine; older ones never are. */
	if (version != rules_cached_version) {
		if ((rc = reload_rules(d)) != DB_OK)
			return db_code(rc);
	}
	memset(sum, 0, sizeof(*sum));
	for (int i = 0; i < n; i++) {
		if (ledger_judge(&y[i], rules_cache, rules_cached) < 0)
			return "no_ce_rule";
		json_array_append_new(years, year_json(&y[i]));
		sum->total_x2 += y[i].total_x2;
		sum->professional_x2 += y[i].professional_x2;
		sum->general_x2 += y[i].general_x2;
		sum->compulsory_x2 += y[i].compulsory_x2;
	}
	*rule_now = ce_rule_for(rules_cache, rules_cached, (struct ymd){ to, 12, 31 });
	return NULL;
}

const char *
credits_year(struct db *d, int64_t pid, int year, json_t **out)
{
	json_t *years = json_array();
	struct ledger_year sum;
	const struct ce_rule *rule = NULL;
	const char *why = summarise_totals(d, pid, year - 2, year, years, &sum, &rule);
	if (why != NULL) {
		json_decref(years);
		return why;
	}
	json_t *me = json_deep_copy(json_array_get(years, 2));
	char from[11];
	ymd_format(rule->effective_from, from);
	json_object_set_new(me, "rule", json_pack("{s:s, s:o, s:i, s:i, s:o, s:i}",
	    "effective_from", from, "annual", json_hours(rule->annual_x2), "professional_num",
	    rule->prof_num, "professional_den", rule->prof_den, "daily_cap",
	    json_hours(rule->daily_cap_x2), "minutes_per_hour", rule->minutes_per_hour));
	json_object_set_new(me, "rolling", json_pack("{s:i, s:i, s:o, s:o, s:o, s:o, s:o}",
	    "from", year - 2, "to", year, "total", json_hours(sum.total_x2), "professional",
	    json_hours(sum.professional_x2), "general", json_hours(sum.general_x2), "compulsory",
	    json_hours(sum.compulsory_x2), "years", years));
	*out = me;
	return NULL;
}

const char *
credits_statement(struct db *d, int64_t pid, int from, int to, json_t **out)
{
	if (from > to || to - from + 1 > TM_MAX_STATEMENT_YEARS || from < 1990 || to > 9999)
		return "statement_range_invalid";
	json_t *years = json_array(), *entries = json_array();
	struct ledger_year sum;
	const char *why = summarise(d, pid, from, to, years, &sum, entries, NULL);
	if (why != NULL) {
		json_decref(years);
		json_decref(entries);
		return why;
	}
	*out = json_pack("{s:i, s:i, s:o, s:o, s:o, s:o, s:o, s:o}", "from", from, "to", to,
	    "years", years, "entries", entries, "total", json_hours(sum.total_x2),
	    "professional", json_hours(sum.professional_x2), "general", json_hours(sum.general_x2),
	    "compulsory", json_hours(sum.compulsory_x2));
	return NULL;
}

const char *
credits_years(struct db *d, int64_t pid, int from, int to, struct ledger_year *out)
{
	if (from > to || to - from + 1 > TM_MAX_STATEMENT_YEARS || from < 1990 || to > 9999)
		return "statement_range_invalid";
	json_t *years = json_array(), *entries = json_array();
	struct ledger_year sum;
	const char *why = summarise(d, pid, from, to, years, &sum, entries, out);
	json_decref(years);
	json_decref(entries);
	return why;
}
