#include "progress.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../courses/catalogue.h"
#include "../db/audit.h"

/* ------------------------------------------------------------------------------- rule */

static enum db_rc
rule_read(struct db *d, struct prog_rule *r, const char *lock)
{
	char from[11], to[11], dl[11], st[40], node[5];
	struct db_out o[] = { DBO_I64(), DBO_STR(from), DBO_STR(to), DBO_I64(), DBO_STR(dl),
		DBO_STR(st), DBO_STR(node) };
	char sql[200];
	snprintf(sql, sizeof(sql), "SELECT version, window_from, window_to, goal, deadline,"
	    " statuses, COALESCE(node, '') FROM progress_rules ORDER BY version DESC LIMIT 1%s", lock);
	enum db_rc rc = db_row(d, sql, NULL, 0, o, 7);
	if (rc != DB_OK)
		return rc;
	memset(r, 0, sizeof(*r));
	r->version = (int)o[0].i;
	r->goal = (long)o[3].i;
	if (!ymd_parse_str(from, &r->from) || !ymd_parse_str(to, &r->to) ||
	    !ymd_parse_str(dl, &r->deadline))
		return DB_ERR;
	/* SET values come back comma-separated in declaration order */
	r->valid_counts = strstr(st, "valid") != NULL;
	r->suspended_counts = strstr(st, "suspended") != NULL;
	snprintf(r->node, sizeof(r->node), "%s", node);
	return DB_OK;
}

enum db_rc
progress_rule(struct db *d, struct prog_rule *r)
{
	return rule_read(d, r, "");
}

/*
 * The rule row locked: shared by every certificate transaction, exclusive by a rebuild, so a
 * rebuild sees no change half-counted and none slips past it.
 */
enum db_rc
progress_rule_lock(struct db *d, struct prog_rule *r, bool exclusive)
{
	return rule_read(d, r, exclusive ? " FOR UPDATE" : " LOCK IN SHARE MODE");
}

/* ------------------------------------------------------------------- keeping it exact */

static bool
person_of_row(const struct db_out *o, const char *first, struct prog_person *p)
{
	memset(p, 0, sizeof(*p));
	p->counted = true;
	p->base_id = o[1].i;
	p->levels = (unsigned)o[2].i;
	p->level_base[0] = o[3].i;
	p->level_base[1] = o[4].i;
	p->level_base[2] = o[5].i;
	return ymd_parse_str(first, &p->first_on);
}

/* The certificates of a person, at most one per level (uq_certificates_person_level). */
enum db_rc
progress_person_certs(struct db *d, int64_t person_id, struct prog_cert c[3], size_t *n, bool lock)
{
	struct prog_cert x;
	char level[16], first[11];
	struct db_iter it;
	struct db_val k[] = { DBV_I64(person_id) };
	struct db_out o[] = { DBO_I64(), DBO_STR(x.serial), DBO_STR(level), DBO_STR(x.status),
		DBO_STR(first), DBO_I64() };
	enum db_rc rc = db_iter_start(d, &it, lock ?
	    "SELECT id, serial, level, status, first_issued_on, COALESCE(base_id, 0) FROM certificates"
	    " WHERE person_id = ? LOCK IN SHARE MODE" :
	    "SELECT id, serial, level, status, first_issued_on, COALESCE(base_id, 0) FROM certificates"
	    " WHERE person_id = ?", k, 1, o, 6);
	*n = 0;
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK) {
		if (*n == 3) {
			rc = DB_ERR;
			break;
		}
		x.id = o[0].i;
		x.level = prog_level_letter(level);
		x.base_id = o[5].i;
		if (!ymd_parse_str(first, &x.first_on)) {
			rc = DB_ERR;
			break;
		}
		c[(*n)++] = x;
	}
	db_iter_end(&it);
	return rc == DB_NOROW ? DB_OK : rc;
}

/* One INSERT for all the counter moves of a change (at most 2 * PROG_KEYS_MAX rows). */
enum db_rc
progress_apply_delta(struct db *d, int version, const struct prog_key *keys, const int *sign, size_t n)
{
	char sql[128 + 2 * PROG_KEYS_MAX * 16];
	struct db_val v[2 * PROG_KEYS_MAX * 4];
	size_t len;
	if (n == 0)
		return DB_OK;
	len = (size_t)snprintf(sql, sizeof(sql),
	    "INSERT INTO progress_counts (rule_version, dim, k, n) VALUES ");
	for (size_t i = 0; i < n; i++) {
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, "%s(?, ?, ?, ?)", i ? ", " : "");
		v[4 * i] = DBV_I64(version);
		v[4 * i + 1] = DBV_STR(keys[i].dim);
		v[4 * i + 2] = DBV_STR(keys[i].k);
		v[4 * i + 3] = DBV_I64(sign[i]);
	}
	snprintf(sql + len, sizeof(sql) - len, " ON DUPLICATE KEY UPDATE n = n + VALUES(n)");
	return db_exec(d, sql, v, 4 * n, NULL, NULL);
}

enum db_rc
progress_sync_person(struct db *d, int64_t person_id)
{
	struct prog_rule rule;
	struct prog_cert c[3];
	struct prog_person old, now;
	struct prog_key keys[2 * PROG_KEYS_MAX];
	int sign[2 * PROG_KEYS_MAX];
	char first[11], when[11];
	size_t n;
	enum db_rc rc = progress_rule_lock(d, &rule, false);
	if (rc == DB_NOROW)
		return DB_OK;            /* no rule, nothing counts */
	if (rc != DB_OK)
		return rc;

	/* one person at a time: two changes of one person's certificates never interleave */
	struct db_val pk[] = { DBV_I64(person_id) };
	struct db_out po[] = { DBO_I64() };
	if ((rc = db_row(d, "SELECT id FROM persons WHERE id = ? FOR UPDATE", pk, 1, po, 1)) != DB_OK)
		return rc;
	if ((rc = progress_person_certs(d, person_id, c, &n, true)) != DB_OK)
		return rc;
	prog_person_of(&rule, c, n, &now);

	struct db_val k[] = { DBV_I64(rule.version), DBV_I64(person_id) };
	struct db_out o[] = { DBO_STR(first), DBO_I64(), DBO_I64(), DBO_I64(), DBO_I64(),
		DBO_I64() };
	rc = db_row(d, "SELECT first_on, base_id, levels, base_j, base_i, base_s FROM"
	    " progress_persons WHERE rule_version = ? AND person_id = ? FOR UPDATE", k, 2, o, 6);
	if (rc == DB_NOROW)
		memset(&old, 0, sizeof(old));
	else if (rc != DB_OK)
		return rc;
	else if (!person_of_row(o, first, &old))
		return DB_ERR;
	if (prog_person_equal(&old, &now))
		return DB_OK;

	size_t nd = prog_delta(&old, &now, keys, sign);
	if ((rc = progress_apply_delta(d, rule.version, keys, sign, nd)) != DB_OK)
		return rc;
	if (!now.counted)
		return db_exec(d, "DELETE FROM progress_persons WHERE rule_version = ? AND"
		    " person_id = ?", k, 2, NULL, NULL);
	ymd_format(now.first_on, when);
	struct db_val w[] = { DBV_I64(rule.version), DBV_I64(person_id), DBV_STR(when),
		DBV_I64(now.base_id), DBV_I64(now.levels), DBV_I64(now.level_base[0]),
		DBV_I64(now.level_base[1]), DBV_I64(now.level_base[2]) };
	return db_exec(d, "REPLACE INTO progress_persons (rule_version, person_id, first_on,"
	    " base_id, levels, base_j, base_i, base_s) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", w, 8,
	    NULL, NULL);
}

/* ------------------------------------------------------------------------------ reading */

static int
month_index(struct ymd d)
{
	return d.y * 12 + d.m - 1;
}

static void
month_text(int mi, char buf[16])
{
	snprintf(buf, 16, "%04d-%02d", mi / 12 % 10000, mi % 12 + 1);
}

static int
month_parse(const char *s)
{
	struct ymd d;
	char buf[11];
	snprintf(buf, sizeof(buf), "%.7s-01", s);
	return ymd_parse_str(buf, &d) ? month_index(d) : -1;
}

/* The counters of a rule, by dim, as one JSON object {dim: {k: n}} (a few dozen rows). */
static enum db_rc
read_counts(struct db *d, int version, const char *only_base, json_t *into)
{
	char dim[13], key[33];
	struct db_iter it;
	struct db_val v[] = { DBV_I64(version) };
	struct db_out o[] = { DBO_STR(dim), DBO_STR(key), DBO_I64() };
	enum db_rc rc;
	if (only_base == NULL)
		rc = db_iter_start(d, &it, "SELECT dim, k, n FROM progress_counts WHERE rule_version = ?"
		    " AND dim IN ('total', 'is', 'level', 'top', 'month', 'base')", v, 1, o, 3);
	else {
		char like[40];
		snprintf(like, sizeof(like), "%s:%%", only_base);
		struct db_val bv[] = { DBV_I64(version), DBV_STR(only_base), DBV_STR(like) };
		rc = db_iter_start(d, &it, "SELECT dim, k, n FROM progress_counts WHERE rule_version = ?"
		    " AND ((dim = 'base' AND k = ?) OR (dim IN ('base_level', 'base_month') AND k LIKE ?))",
		    bv, 3, o, 3);
	}
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK) {
		json_t *m = json_object_get(into, dim);
		if (m == NULL)
			json_object_set_new(into, dim, m = json_object());
		json_object_set_new(m, key, json_integer(o[2].i));
	}
	db_iter_end(&it);
	return rc == DB_NOROW ? DB_OK : rc;
}

static json_int_t
count_of(json_t *counts, const char *dim, const char *k)
{
	return json_integer_value(json_object_get(json_object_get(counts, dim), k));
}

static json_t *
levels_json(json_t *m, const char *prefix)
{
	static const char *const names[] = { "junior", "intermediate", "senior" };
	json_t *o = json_object();
	char k[48];
	for (int i = 0; i < 3; i++) {
		snprintf(k, sizeof(k), "%s%s", prefix, names[i]);
		json_object_set_new(o, names[i], json_integer(json_integer_value(
		    json_object_get(m, k))));
	}
	return o;
}

/* First and last month of the series: the window's start to the current month (or window end). */
static void
series_bounds(const struct prog_rule *r, struct ymd today, int *first, int *last)
{
	*first = month_index(r->from);
	*last = month_index(today);
	if (*last > month_index(r->to))
		*last = month_index(r->to);
	if (*last < *first)
		*last = *first;
}

/* [{month, new, cumulative}] over the series bounds from {"YYYY-MM": n} (prefix-stripped keys). */
static json_t *
series_json(json_t *months, const char *prefix, int first, int last, long *cum_out)
{
	json_t *a = json_array();
	long cum = 0;
	size_t pl = strlen(prefix);
	const char *key;
	json_t *val;
	/* months before the window cannot be counted; a rule change is rebuilt, so none exist */
	json_object_foreach(months, key, val) {
		if (strncmp(key, prefix, pl) != 0)
			continue;
		int mi = month_parse(key + pl);
		if (mi >= 0 && mi < first)
			cum += (long)json_integer_value(val);
	}
	for (int mi = first; mi <= last; mi++) {
		char m[16], k[48];
		month_text(mi, m);
		snprintf(k, sizeof(k), "%s%s", prefix, m);
		long n = (long)json_integer_value(json_object_get(months, k));
		cum += n;
		if (cum_out)
			cum_out[mi - first] = cum;
		json_array_append_new(a, json_pack("{s:s, s:I, s:I}", "month", m, "new",
		    (json_int_t)n, "cumulative", (json_int_t)cum));
	}
	return a;
}

static void
utc_now(char buf[21])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The node object from the rule and its counters. */
static json_t *
node_json(const struct prog_rule *rule, json_t *counts, struct ymd today, long *cum,
    int *first, int *last)
{
	char asof[21];
	utc_now(asof);
	series_bounds(rule, today, first, last);
	json_t *series = series_json(json_object_get(counts, "month"), "", *first, *last, cum);
	return json_pack("{s:I, s:I, s:o, s:o, s:o, s:i, s:s}",
	    "certified", count_of(counts, "total", ""),
	    "certified_intermediate_senior", count_of(counts, "is", ""),
	    "by_level", levels_json(json_object_get(counts, "level"), ""),
	    "by_highest_level", levels_json(json_object_get(counts, "top"), ""),
	    "by_month", series, "rule_version", rule->version, "as_of", asof);
}

int
progress_node_json(struct db *d, json_t **out)
{
	struct prog_rule rule;
	int first, last;
	*out = NULL;
	if (progress_rule(d, &rule) != DB_OK)
		return -1;
	json_t *counts = json_object();
	if (read_counts(d, rule.version, NULL, counts) != DB_OK) {
		json_decref(counts);
		return -1;
	}
	*out = node_json(&rule, counts, ymd_today_utc(), NULL, &first, &last);
	json_decref(counts);
	return *out ? 0 : -1;
}

int
progress_each_counted_person(struct db *d, int (*fn)(void *ctx, long long person_id), void *ctx)
{
	struct prog_rule rule;
	struct db_iter it;
	int64_t after = 0;
	/* in pages, so a long federation walk holds no result set and memory stays bounded */
	for (;;) {
		if (progress_rule(d, &rule) != DB_OK)
			return -1;
		struct db_val v[] = { DBV_I64(rule.version), DBV_I64(after) };
		struct db_out o[] = { DBO_I64() };
		int64_t ids[1000];
		size_t n = 0;
		enum db_rc rc = db_iter_start(d, &it, "SELECT person_id FROM progress_persons WHERE"
		    " rule_version = ? AND person_id > ? ORDER BY person_id LIMIT 1000", v, 2, o, 1);
		while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK)
			ids[n++] = o[0].i;
		db_iter_end(&it);
		if (rc != DB_NOROW)
			return -1;
		for (size_t i = 0; i < n; i++) {
			int r = fn(ctx, (long long)ids[i]);
			if (r != 0)
				return r;
		}
		if (n < 1000)
			return 0;
		after = ids[n - 1];
	}
}

/* ---------------------------------------------------------------------------- the view */

static json_t *
projection_json(const struct prog_projection *p, int first, long goal)
{
	char gm[16] = "";
	json_t *o = json_pack("{s:s, s:i, s:I, s:b, s:b, s:b, s:i}",
	    "method", "最近6个完整月累计人数的最小二乘直线斜率作为月增速，自最近一个完整月末外推至截止月末",
	    "fit_months", p->fit_months, "projected_on_deadline", (json_int_t)p->projected,
	    "on_track", p->on_track, "reached", p->reached, "reaches_by_deadline", p->reaches,
	    "months_left", p->months_left);
	json_object_set_new(o, "pace_per_month", p->has_pace ?
	    json_real(round(p->pace * 10) / 10) : json_null());
	json_object_set_new(o, "pace_needed_per_month", isfinite(p->pace_needed) ?
	    json_real(ceil(p->pace_needed * 10) / 10) : json_null());
	if (p->goal_month >= 0) {
		month_text(p->goal_month, gm);
		/* the last day of that month: the goal is met by then at the pace */
		struct ymd e = { p->goal_month / 12, p->goal_month % 12 + 1, 28 };
		static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
		e.d = mdays[e.m - 1] + (e.m == 2 && (e.y % 4 == 0 && (e.y % 100 || e.y % 400 == 0)));
		char day[11];
		ymd_format(e, day);
		json_object_set_new(o, "goal_reached_on", json_string(day));
		json_object_set_new(o, "goal_reached_month", json_string(gm));
	} else {
		json_object_set_new(o, "goal_reached_on", json_null());
		json_object_set_new(o, "goal_reached_month", json_null());
	}
	(void)first;
	(void)goal;
	return o;
}

static const char *
baseline_json(struct db *d, json_t **out)
{
	char asof[11], src[PROGRESS_SOURCE_MAX * 4 + 1];
	struct db_out o[] = { DBO_I64(), DBO_STR(asof), DBO_STR(src) };
	enum db_rc rc = db_row(d, "SELECT number, as_of, source FROM progress_baselines"
	    " ORDER BY id DESC LIMIT 1", NULL, 0, o, 3);
	if (rc == DB_NOROW) {
		*out = json_pack("{s:i, s:n, s:s}", "number", 0, "as_of", "source", "");
		return NULL;
	}
	if (rc != DB_OK)
		return db_code(rc);
	*out = json_pack("{s:I, s:s, s:s}", "number", (json_int_t)o[0].i, "as_of", asof,
	    "source", src);
	return NULL;
}

/* Bases with code, name and region, by id (a few dozen rows). */
static const char *
bases_json(struct db *d, json_t *into)
{
	char id[24], code[17], name[401], region[129];
	struct db_iter it;
	struct db_out o[] = { DBO_I64(), DBO_STR(code), DBO_STR(name), DBO_STR(region) };
	enum db_rc rc = db_iter_start(d, &it, "SELECT id, code, name, region FROM bases", NULL, 0, o,
	    4);
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK) {
		snprintf(id, sizeof(id), "%lld", (long long)o[0].i);
		json_object_set_new(into, id, json_pack("{s:s, s:s, s:s}", "code", code, "name", name,
		    "region", region));
	}
	db_iter_end(&it);
	return rc == DB_NOROW ? NULL : db_code(rc);
}

static int
by_count_desc(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "certified"));
	json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "certified"));
	return x < y ? 1 : x > y ? -1 : 0;
}

static json_t *
sorted(json_t *arr)
{
	size_t n = json_array_size(arr);
	json_t **v = calloc(n ? n : 1, sizeof(*v));
	json_t *out = json_array();
	for (size_t i = 0; v && i < n; i++)
		v[i] = json_array_get(arr, i);
	if (v)
		qsort(v, n, sizeof(*v), by_count_desc);
	for (size_t i = 0; v && i < n; i++)
		json_array_append(out, v[i]);
	free(v);
	json_decref(arr);
	return out;
}

const char *
progress_view(struct db *d, struct ymd today, json_t **out)
{
	struct prog_rule rule;
	struct prog_projection pj;
	int first, last;
	const char *why;
	json_t *baseline = NULL, *bases = json_object(), *counts = json_object();
	enum db_rc rc;

	*out = NULL;
	if ((rc = progress_rule(d, &rule)) != DB_OK) {
		json_decref(bases);
		json_decref(counts);
		return rc == DB_NOROW ? "progress_no_rule" : db_code(rc);
	}
	if ((rc = read_counts(d, rule.version, NULL, counts)) != DB_OK ||
	    (why = baseline_json(d, &baseline)) != NULL || (why = bases_json(d, bases)) != NULL) {
		json_decref(bases);
		json_decref(counts);
		return rc != DB_OK ? db_code(rc) : why;
	}
	int span = month_index(rule.to) - month_index(rule.from) + 1;
	long *cum = calloc((size_t)(span > 0 ? span : 1) + 1, sizeof(long));
	json_t *node = cum ? node_json(&rule, counts, today, cum, &first, &last) : NULL;
	if (node == NULL) {
		free(cum);
		json_decref(bases);
		json_decref(counts);
		json_decref(baseline);
		return "internal_error";
	}
	long certified = (long)count_of(counts, "total", "");
	long base_n = (long)json_integer_value(json_object_get(baseline, "number"));
	/* the current month is the series' last unless the window is over */
	int now = month_index(today);
	size_t n = (size_t)(last - first + 1);
	if (now > last) {
		/* after the window: every month is full, the pace is of its last six */
		cum[n] = cum[n - 1];
		n++;
	}
	prog_project(cum, n, first, month_index(rule.deadline), rule.goal, base_n, &pj);
	free(cum);

	/* by base (first counted certificate's base) and by region summed from them */
	json_t *by_base = json_array(), *regions = json_object();
	const char *key;
	json_t *val;
	json_object_foreach(json_object_get(counts, "base"), key, val) {
		json_t *b = json_object_get(bases, key);
		json_int_t c = json_integer_value(val);
		if (c == 0)
			continue;
		const char *region = b ? json_string_value(json_object_get(b, "region")) : "未记录";
		json_array_append_new(by_base, json_pack("{s:s, s:s, s:s, s:I}",
		    "code", b ? json_string_value(json_object_get(b, "code")) : "",
		    "name", b ? json_string_value(json_object_get(b, "name")) : "未记录培养基地",
		    "region", region, "certified", c));
		json_t *r = json_object_get(regions, region);
		json_object_set_new(regions, region, json_integer(json_integer_value(r) + c));
	}
	json_t *by_region = json_array();
	json_object_foreach(regions, key, val)
		json_array_append_new(by_region, json_pack("{s:s, s:O}", "region", key, "certified",
		    val));
	json_decref(regions);
	by_base = sorted(by_base);
	by_region = sorted(by_region);

	char from[11], to[11], dl[11];
	ymd_format(rule.from, from);
	ymd_format(rule.to, to);
	ymd_format(rule.deadline, dl);
	json_t *statuses = json_array();
	if (rule.valid_counts) {
		json_array_append_new(statuses, json_string("valid"));
		json_array_append_new(statuses, json_string("expired"));
	}
	if (rule.suspended_counts)
		json_array_append_new(statuses, json_string("suspended"));
	*out = json_pack("{s:I, s:s, s:I, s:O, s:O, s:O, s:I, s:o, s:o, s:O, s:o, s:o, s:I, s:o,"
	    " s:o, s:o, s:o}",
	    "goal", (json_int_t)rule.goal, "deadline", dl,
	    "certified", (json_int_t)certified,
	    "certified_intermediate_senior", json_object_get(node, "certified_intermediate_senior"),
	    "by_level", json_object_get(node, "by_level"),
	    "by_highest_level", json_object_get(node, "by_highest_level"),
	    "total", (json_int_t)(certified + base_n),
	    "baseline", baseline, "by_base", by_base,
	    "by_month", json_object_get(node, "by_month"),
	    "by_region", by_region,
	    "projection", projection_json(&pj, first, rule.goal),
	    "projected_on_deadline", (json_int_t)pj.projected,
	    "rule", json_pack("{s:i, s:s, s:s, s:o, s:s?, s:s}", "version", rule.version,
	        "window_from", from, "window_to", to, "statuses", statuses,
	        "node", rule.node[0] ? rule.node : NULL, "counts",
	        "distinct persons holding at least one counted certificate"),
	    "node", node,
	    "peers", json_array(),
	    "as_of", json_incref(json_object_get(node, "as_of")));
	json_decref(bases);
	json_decref(counts);
	return *out ? NULL : "internal_error";
}

const char *
progress_base_view(struct db *d, int64_t base_id, struct ymd today, json_t **out)
{
	struct prog_rule rule;
	char id[24], code[17], name[401], region[129], prefix[32];
	int first, last;
	enum db_rc rc;
	*out = NULL;
	struct db_val bv[] = { DBV_I64(base_id) };
	struct db_out bo[] = { DBO_STR(code), DBO_STR(name), DBO_STR(region) };
	if ((rc = db_row(d, "SELECT code, name, region FROM bases WHERE id = ?", bv, 1, bo, 3))
	    != DB_OK)
		return rc == DB_NOROW ? "base_not_found" : db_code(rc);
	if ((rc = progress_rule(d, &rule)) != DB_OK)
		return rc == DB_NOROW ? "progress_no_rule" : db_code(rc);
	snprintf(id, sizeof(id), "%lld", (long long)base_id);
	json_t *counts = json_object();
	if ((rc = read_counts(d, rule.version, id, counts)) != DB_OK) {
		json_decref(counts);
		return db_code(rc);
	}
	json_t *node = json_object();
	if ((rc = read_counts(d, rule.version, NULL, node)) != DB_OK) {
		json_decref(counts);
		json_decref(node);
		return db_code(rc);
	}
	series_bounds(&rule, today, &first, &last);
	snprintf(prefix, sizeof(prefix), "%s:", id);
	json_int_t mine = count_of(counts, "base", id), all = count_of(node, "total", "");
	*out = json_pack("{s:{s:s, s:s, s:s}, s:I, s:o, s:o, s:I, s:f, s:i}",
	    "base", "code", code, "name", name, "region", region,
	    "certified", mine,
	    "by_level", levels_json(json_object_get(counts, "base_level"), prefix),
	    "by_month", series_json(json_object_get(counts, "base_month"), prefix, first, last, NULL),
	    "node_certified", all,
	    "share_percent", all ? round(1000.0 * (double)mine / (double)all) / 10 : 0.0,
	    "rule_version", rule.version);
	json_decref(counts);
	json_decref(node);
	return *out ? NULL : "internal_error";
}
