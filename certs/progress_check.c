/*
 * tmcred-ctl progress-check: the from-scratch recount. It reads every certificate (not the
 * counters), applies the pure rule of progress_rule.c person by person, and compares the
 * result with progress_persons and progress_counts row by row. Run nightly; any difference
 * means a certificate change bypassed progress_sync_person() and is a bug to chase.
 */
#include <stdlib.h>
#include <string.h>

#include "progress.h"

struct kept {
	int64_t pid;
	struct prog_person p;
};

static int
kept_cmp(const void *a, const void *b)
{
	const struct kept *x = a, *y = b;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* A growing array of persons; false when memory runs out. */
struct persons {
	struct kept *v;
	size_t n, cap;
};

static bool
persons_add(struct persons *s, int64_t pid, const struct prog_person *p)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 4096;
		struct kept *v = realloc(s->v, cap * sizeof(*v));
		if (v == NULL)
			return false;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n].pid = pid;
	s->v[s->n++].p = *p;
	return true;
}

static void
count_add(json_t *m, const struct prog_key *k, long by)
{
	char name[48];
	snprintf(name, sizeof(name), "%s\t%s", k->dim, k->k);
	json_object_set_new(m, name, json_integer(json_integer_value(json_object_get(m, name)) + by));
}

/* The recount: persons in person order and the counters they add up to. */
static enum db_rc
recount(struct db *d, const struct prog_rule *rule, struct persons *out, json_t *counts)
{
	struct prog_cert x, c[3];
	char level[16], first[11];
	struct db_iter it;
	struct db_out o[] = { DBO_I64(), DBO_I64(), DBO_STR(x.serial), DBO_STR(level),
		DBO_STR(x.status), DBO_STR(first), DBO_I64() };
	size_t n = 0;
	int64_t cur = 0;
	enum db_rc rc = db_iter_start(d, &it, "SELECT person_id, id, serial, level, status,"
	    " first_issued_on, COALESCE(base_id, 0) FROM certificates ORDER BY person_id, id",
	    NULL, 0, o, 7);
	for (;;) {
		bool end = rc != DB_OK || (rc = db_iter_next(&it)) != DB_OK;
		if (end || (n > 0 && o[0].i != cur)) {
			struct prog_person p;
			struct prog_key k[PROG_KEYS_MAX];
			prog_person_of(rule, c, n, &p);
			if (p.counted) {
				size_t nk = prog_keys(&p, k);
				for (size_t i = 0; i < nk; i++)
					count_add(counts, &k[i], 1);
				if (!persons_add(out, cur, &p)) {
					rc = DB_ERR;
					break;
				}
			}
			n = 0;
		}
		if (end)
			break;
		cur = o[0].i;
		if (n == 3 || !ymd_parse_str(first, &x.first_on)) {
			rc = DB_ERR;      /* the unique (person, level) key makes 4 impossible */
			break;
		}
		x.id = o[1].i;
		x.level = prog_level_letter(level);
		x.base_id = o[6].i;
		c[n++] = x;
	}
	db_iter_end(&it);
	return rc == DB_NOROW ? DB_OK : rc;
}

static enum db_rc
kept_rows(struct db *d, int version, struct persons *out, json_t *counts)
{
	char first[11], dim[13], key[33];
	struct db_iter it;
	struct db_val v[] = { DBV_I64(version) };
	struct db_out o[] = { DBO_I64(), DBO_STR(first), DBO_I64(), DBO_I64(), DBO_I64(),
		DBO_I64(), DBO_I64() };
	enum db_rc rc = db_iter_start(d, &it, "SELECT person_id, first_on, base_id, levels, base_j,"
	    " base_i, base_s FROM progress_persons WHERE rule_version = ? ORDER BY person_id", v, 1,
	    o, 7);
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK) {
		struct prog_person p = { .counted = true, .base_id = o[2].i,
			.levels = (unsigned)o[3].i, .level_base = { o[4].i, o[5].i, o[6].i } };
		if (!ymd_parse_str(first, &p.first_on) || !persons_add(out, o[0].i, &p)) {
			rc = DB_ERR;
			break;
		}
	}
	db_iter_end(&it);
	if (rc != DB_NOROW)
		return rc;
	struct db_out co[] = { DBO_STR(dim), DBO_STR(key), DBO_I64() };
	rc = db_iter_start(d, &it, "SELECT dim, k, n FROM progress_counts WHERE rule_version = ?",
	    v, 1, co, 3);
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK) {
		struct prog_key k;
		snprintf(k.dim, sizeof(k.dim), "%s", dim);
		snprintf(k.k, sizeof(k.k), "%s", key);
		if (co[2].i != 0)
			count_add(counts, &k, co[2].i);
	}
	db_iter_end(&it);
	return rc == DB_NOROW ? DB_OK : rc;
}

static long
compare(const struct persons *want, const struct persons *have, json_t *wc, json_t *hc,
    FILE *report)
{
	long diff = 0;
	size_t i = 0, j = 0;
	while (i < want->n || j < have->n) {
		int c = i == want->n ? 1 : j == have->n ? -1 :
		    kept_cmp(&want->v[i], &have->v[j]);
		if (c == 0 && prog_person_equal(&want->v[i].p, &have->v[j].p)) {
			i++;
			j++;
			continue;
		}
		diff++;
		if (c == 0) {
			fprintf(report, "person %lld: kept row differs from the recount\n",
			    (long long)want->v[i].pid);
			i++;
			j++;
		} else if (c < 0)
			fprintf(report, "person %lld: counted by the recount, no kept row\n",
			    (long long)want->v[i++].pid);
		else
			fprintf(report, "person %lld: kept row, not counted by the recount\n",
			    (long long)have->v[j++].pid);
	}
	const char *key;
	json_t *val;
	json_object_foreach(wc, key, val) {
		json_int_t h = json_integer_value(json_object_get(hc, key));
		if (h != json_integer_value(val)) {
			diff++;
			fprintf(report, "counter %s: kept %lld, recount %lld\n", key, (long long)h,
			    (long long)json_integer_value(val));
		}
	}
	json_object_foreach(hc, key, val)
		if (json_object_get(wc, key) == NULL) {
			diff++;
			fprintf(report, "counter %s: kept %lld, recount 0\n", key,
			    (long long)json_integer_value(val));
		}
	return diff;
}

/* Replaces the kept rows of the rule by the recount (inside the caller's transaction). */
static enum db_rc
store(struct db *d, int version, const struct persons *want, json_t *wc)
{
	struct db_val v[] = { DBV_I64(version) };
	enum db_rc rc;
	if ((rc = db_exec(d, "DELETE FROM progress_persons WHERE rule_version = ?", v, 1, NULL,
	    NULL)) != DB_OK || (rc = db_exec(d, "DELETE FROM progress_counts WHERE rule_version = ?",
	    v, 1, NULL, NULL)) != DB_OK)
		return rc;
	for (size_t i = 0; i < want->n; i++) {
		const struct kept *k = &want->v[i];
		char first[11];
		ymd_format(k->p.first_on, first);
		struct db_val w[] = { DBV_I64(version), DBV_I64(k->pid), DBV_STR(first),
			DBV_I64(k->p.base_id), DBV_I64(k->p.levels), DBV_I64(k->p.level_base[0]),
			DBV_I64(k->p.level_base[1]), DBV_I64(k->p.level_base[2]) };
		if ((rc = db_exec(d, "INSERT INTO progress_persons (rule_version, person_id, first_on,"
		    " base_id, levels, base_j, base_i, base_s) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", w, 8,
		    NULL, NULL)) != DB_OK)
			return rc;
	}
	const char *key;
	json_t *val;
	json_object_foreach(wc, key, val) {
		const char *tab = strchr(key, '\t');
		char dim[13];
		snprintf(dim, sizeof(dim), "%.*s", (int)(tab - key), key);
		struct db_val w[] = { DBV_I64(version), DBV_STR(dim), DBV_STR(tab + 1),
			DBV_I64(json_integer_value(val)) };
		if ((rc = db_exec(d, "INSERT INTO progress_counts (rule_version, dim, k, n)"
		    " VALUES (?, ?, ?, ?)", w, 4, NULL, NULL)) != DB_OK)
			return rc;
	}
	return DB_OK;
}

long
progress_check(struct db *d, bool rebuild, FILE *report)
{
	static const char snap[] = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ";
	static const char start[] = "START TRANSACTION WITH CONSISTENT SNAPSHOT";
	struct prog_rule rule;
	struct persons want = { 0 }, have = { 0 };
	json_t *wc = json_object(), *hc = json_object();
	long diff = -1;
	enum db_rc rc;

	/*
	 * The check reads one consistent snapshot (no locks: issuing goes on meanwhile). A rebuild
	 * takes the rule row exclusively, so every certificate transaction waits for it.
	 */
	if (rebuild)
		rc = db_begin(d);
	else if ((rc = db_ddl(d, snap, sizeof(snap) - 1)) == DB_OK)
		rc = db_ddl(d, start, sizeof(start) - 1);
	if (rc != DB_OK)
		goto out;
	if ((rc = progress_rule_lock(d, &rule, rebuild)) != DB_OK) {
		fprintf(report, "progress-check: no progress rule\n");
		db_rollback(d);
		goto out;
	}
	if ((rc = recount(d, &rule, &want, wc)) != DB_OK ||
	    (rc = kept_rows(d, rule.version, &have, hc)) != DB_OK) {
		db_rollback(d);
		goto out;
	}
	diff = compare(&want, &have, wc, hc, report);
	if (!rebuild) {
		db_rollback(d);
		goto out;
	}
	if ((rc = store(d, rule.version, &want, wc)) != DB_OK || (rc = db_commit(d)) != DB_OK) {
		db_rollback(d);
		diff = -1;
		goto out;
	}
	fprintf(report, "progress-check: rebuilt rule %d: %zu persons counted\n", rule.version,
	    want.n);
out:
	if (diff >= 0 && !rebuild)
		fprintf(report, "progress-check: rule %d, %zu persons counted, %ld difference(s)\n",
		    rule.version, want.n, diff);
	free(want.v);
	free(have.v);
	json_decref(wc);
	json_decref(hc);
	return diff;
}
