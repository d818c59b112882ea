/*
 * Progress toward the 3,000-manager goal: the public page with its chart, the JSON and CSV,
 * a base's own contribution, and the admin's baseline. The counts come from certs/progress.c;
 * this file only caches, presents and draws them.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../certs/progress.h"
#include "../../courses/apikeys.h"
#include "../answer_cache.h"
#include "../epoch.h"
#include "../fields.h"
#include "../limits.h"
#include "handlers.h"

/*
 * The view and its JSON text are kept per worker (one slot). They are dropped when the host's
 * certificate epoch moves (every certificate change and baseline entry made through this host
 * bumps it, so those show at once) and after TM_PROGRESS_CACHE_MS otherwise (changes made on
 * another host or by tmcred-ctl). The database figures themselves are always exact.
 */
static struct answer_slot slot[1];
static struct answer_cache cache = { slot, 1, EPOCH_CERTS };

/*
 * *view: the progress view, a reference the caller must drop and must not change (it may be
 * the kept one). *kept: the slot holding it and its JSON text, or NULL when nothing could be
 * kept (a process without host epochs).
 */
static const char *
current(struct request *req, json_t **view, const struct answer_slot **kept)
{
	uint64_t e;
	*kept = answer_get(&cache, 0, 0, TM_PROGRESS_CACHE_MS, &e);
	if (*kept != NULL) {
		*view = json_incref((*kept)->view);
		return NULL;
	}
	const char *why = progress_view(req->w->db, ymd_today_utc(), view);
	if (why != NULL)
		return why;
	*kept = answer_put(&cache, 0, 0, e, *view, TM_PROGRESS_CACHE_MS);
	return NULL;
}

/* ------------------------------------------------------------------------------ chart */

/* Plot area of the chart, in SVG user units (the SVG scales to the page width). */
#define CH_W 480.0
#define CH_H 300.0
#define CH_L 46.0
#define CH_R 14.0
#define CH_T 18.0
#define CH_B 30.0

static double
nice_step(double max)
{
	double raw = max / 5, p = pow(10, floor(log10(raw))), m = raw / p;
	return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

/*
 * The chart as numbers for the template (fcgi/templates/progress.html draws it as inline SVG,
 * so every text in it goes through the escaping renderer): cumulative persons by month with
 * the baseline under them, the goal line, and the projection to the deadline.
 */
static json_t *
chart(json_t *v)
{
	json_t *months = json_object_get(v, "by_month"), *pj = json_object_get(v, "projection");
	long goal = (long)json_integer_value(json_object_get(v, "goal"));
	long base = (long)json_integer_value(json_object_get(json_object_get(v, "baseline"),
	    "number"));
	long proj = (long)json_integer_value(json_object_get(v, "projected_on_deadline"));
	long total = (long)json_integer_value(json_object_get(v, "total"));
	const char *from = json_string_value(json_object_get(json_object_get(v, "rule"),
	    "window_from"));
	const char *dl = json_string_value(json_object_get(v, "deadline"));
	int y0 = atoi(from), m0 = atoi(from + 5), y1 = atoi(dl), m1 = atoi(dl + 5);
	int span = (y1 * 12 + m1) - (y0 * 12 + m0) + 1;
	if (span < 1)
		span = 1;
	double top = goal > proj ? goal : proj;
	if (total > top)
		top = total;
	double step = nice_step(top * 1.08), ymax = ceil(top * 1.08 / step) * step;
	double pw = CH_W - CH_L - CH_R, ph = CH_H - CH_T - CH_B;
#define X(i) (CH_L + pw * (double)(i) / span)
#define Y(n) (CH_T + ph * (1 - (double)(n) / ymax))

	json_t *grid = json_array(), *years = json_array();
	for (double g = 0; g <= ymax + 0.5; g += step)
		json_array_append_new(grid, json_pack("{s:f, s:f, s:I}", "y", round(Y(g) * 10) / 10,
		    "ty", round(Y(g) * 10) / 10 + 4, "label", (json_int_t)g));
	for (int i = 0; i < span; i++)
		if ((m0 - 1 + i) % 12 == 0 || i == 0)
			json_array_append_new(years, json_pack("{s:f, s:f, s:i}", "x",
			    round(X(i) * 10) / 10, "tx", round(X(i) * 10) / 10 + 3, "label",
			    y0 + (m0 - 1 + i) / 12));

	/* the line: from the window's start (baseline only) to the end of each month so far */
	char *pts = NULL;
	size_t plen = 0;
	FILE *f = open_memstream(&pts, &plen);
	size_t i, n = json_array_size(months);
	json_t *e;
	double lx = X(0), ly = Y(base);
	if (f == NULL)
		return NULL;
	fprintf(f, "%.1f,%.1f", lx, ly);
	json_array_foreach(months, i, e) {
		lx = X(i + 1);
		ly = Y(base + json_integer_value(json_object_get(e, "cumulative")));
		fprintf(f, " %.1f,%.1f", lx, ly);
	}
	fclose(f);
	char area[64];
	snprintf(area, sizeof(area), " %.1f,%.1f %.1f,%.1f", lx, Y(0), X(0), Y(0));
	json_t *c = json_pack("{s:f, s:f, s:s, s:s+, s:o, s:o, s:f, s:f, s:f, s:f, s:f, s:f, s:I,"
	    " s:I, s:f}",
	    "w", CH_W, "h", CH_H, "line", pts, "area", pts, area, "grid", grid, "years", years,
	    "x0", CH_L, "x1", CH_W - CH_R, "y0", Y(0), "goal_y", Y(goal), "goal_ty", Y(goal) - 5,
	    "now_x", lx, "goal", (json_int_t)goal, "now", (json_int_t)total, "now_y", ly);
	free(pts);
	if (c == NULL)
		return NULL;
	/* under the point, to its left: the projection leaves it to the right and up */
	json_object_set_new(c, "now_tx", json_real(lx - 6 > CH_L + 90 ? lx - 6 : CH_L + 90));
	json_object_set_new(c, "now_ty", json_real(ly + 22 < Y(0) - 4 ? ly + 22 : ly - 10));
	if (base > 0)
		json_object_set_new(c, "base_band", json_pack("{s:f, s:f, s:f, s:f, s:I, s:f, s:f}",
		    "x", X(0), "y", Y(base), "w", lx - X(0), "h", Y(0) - Y(base), "n",
		    (json_int_t)base, "tx", X(0) + 6, "ty", Y(0) - 8));
	/* the projection: from the last full month at the fitted pace to the deadline */
	if (json_is_number(json_object_get(pj, "pace_per_month")) && n >= 2) {
		long last_full = (long)json_integer_value(json_object_get(json_array_get(months,
		    n - 2), "cumulative"));
		json_t *p = json_pack("{s:f, s:f, s:f, s:f, s:f, s:f, s:I}", "x1", X(n - 1), "y1",
		    Y(base + last_full), "x2", X(span), "y2", Y(proj), "tx", X(span) - 4, "ty",
		    Y(proj) + (Y(proj) < Y(goal) + 14 && Y(proj) > Y(goal) - 14 ? 16 : -6),
		    "n", (json_int_t)proj);
		json_object_set_new(c, "proj_line", p);
	}
	json_object_set_new(c, "deadline_x", json_real(X(span)));
#undef X
#undef Y
	return c;
}

/* Sentences and numbers the page shows, formatted once here. */
static void
page_texts(json_t *v)
{
	json_t *pj = json_object_get(v, "projection");
	char s[400];
	long goal = (long)json_integer_value(json_object_get(v, "goal"));
	long total = (long)json_integer_value(json_object_get(v, "total"));
	json_object_set_new(v, "percent", json_real(goal ? round(1000.0 * total / goal) / 10 : 0));
	json_object_set_new(v, "progress_value", json_integer(total < goal ? total : goal));
	json_t *pace = json_object_get(pj, "pace_per_month");
	json_t *need = json_object_get(pj, "pace_needed_per_month");
	const char *when = json_string_value(json_object_get(pj, "goal_reached_month"));
	if (json_is_true(json_object_get(pj, "reached")))
		snprintf(s, sizeof(s), "已达到目标（%ld 人）。", goal);
	else if (!json_is_number(pace))
		snprintf(s, sizeof(s), "完整月份不足两个，暂不预测。");
	else if (when != NULL)
		snprintf(s, sizeof(s), "按最近 %d 个月的速度（每月约 %.1f 人），预计 %.4s 年 %s 月达到 %ld 人。",
		    (int)json_integer_value(json_object_get(pj, "fit_months")), json_number_value(pace),
		    when, when[5] == '0' ? when + 6 : when + 5, goal);
	else
		snprintf(s, sizeof(s), "按最近 %d 个月的速度（每月约 %.1f 人），无法达到目标。",
		    (int)json_integer_value(json_object_get(pj, "fit_months")), json_number_value(pace));
	json_object_set_new(v, "projection_text", json_string(s));
	json_object_set_new(v, "on_track", json_boolean(json_is_true(json_object_get(pj,
	    "on_track"))));
	if (json_is_number(need) && !json_is_true(json_object_get(pj, "reached"))) {
		snprintf(s, sizeof(s), "%.1f", json_number_value(need));
		json_object_set_new(v, "pace_needed_text", json_string(s));
	}
	if (json_is_number(pace)) {
		snprintf(s, sizeof(s), "%.1f", json_number_value(pace));
		json_object_set_new(v, "pace_text", json_string(s));
	}
	/* the month table newest first: the latest months are what people look for */
	json_t *rev = json_array(), *months = json_object_get(v, "by_month");
	for (size_t i = json_array_size(months); i-- > 0;)
		json_array_append(rev, json_array_get(months, i));
	json_object_set_new(v, "months_desc", rev);
	static const char *const lv[] = { "junior", "intermediate", "senior" };
	static const char *const zh[] = { "初级", "中级", "高级" };
	json_t *levels = json_array();
	for (int k = 0; k < 3; k++)
		json_array_append_new(levels, json_pack("{s:s, s:O, s:O}", "name", zh[k], "holding",
		    json_object_get(json_object_get(v, "by_level"), lv[k]), "highest",
		    json_object_get(json_object_get(v, "by_highest_level"), lv[k])));
	json_object_set_new(v, "levels", levels);
}

void
h_progress(struct request *req, struct response *r)
{
	json_t *view;
	const struct answer_slot *kept;
	const char *why = current(req, &view, &kept);
	if (why != NULL) {
		resp_error(req, r, why, NULL);
		return;
	}
	if (req->api && kept != NULL) {
		r->status = 200;
		r->raw = kept->json;      /* the slot outlives this request's answer */
		r->raw_len = kept->json_len;
		r->content_type = "application/json; charset=utf-8";
		json_decref(view);
		return;
	}
	if (req->api) {
		resp_view(r, 200, view, NULL);
		return;
	}
	json_t *v = json_deep_copy(view);
	json_decref(view);
	if (v == NULL) {
		resp_error(req, r, "internal_error", NULL);
		return;
	}
	page_texts(v);
	json_object_set_new(v, "chart", chart(v));
	json_object_set_new(v, "page_title", json_string("技术经理人培养目标进度"));
	resp_view(r, 200, v, "progress");
}

void
h_progress_csv(struct request *req, struct response *r)
{
	size_t len = 0;
	json_t *view = NULL;
	const struct answer_slot *kept;
	const char *why = current(req, &view, &kept);
	char *csv = why ? NULL : progress_csv(view, &len);
	json_decref(view);
	char *copy = csv ? arena_strndup(req->a, csv, len) : NULL;
	free(csv);
	if (copy == NULL) {
		resp_error(req, r, why ? why : "internal_error", NULL);
		return;
	}
	r->status = 200;
	r->raw = copy;
	r->raw_len = len;
	r->content_type = "text/csv; charset=utf-8";
	resp_header(req, r, "Content-Disposition: attachment; filename=\"tmcred-progress.csv\"");
}

/* A base's own contribution: its operator (or API key with read scope), or an admin by ?base=. */
void
h_progress_base(struct request *req, struct response *r)
{
	const char *code = NULL;
	int64_t id = 0;
	json_t *v = NULL;
	if (req->role & ROLE_ADMIN) {
		code = kv_get(&req->query, "base");
		if (code == NULL || *code == '\0') {
			resp_error(req, r, "validation_failed", json_pack("[{s:s, s:s, s:s}]", "field",
			    "base", "code", "base_required", "message", "请给出培养基地编码（base）"));
			return;
		}
	} else if (req->base_id > 0) {
		if (req->via_key && !apikey_has_scope(&req->key, "read")) {
			resp_error(req, r, "scope_missing", NULL);
			return;
		}
		id = req->base_id;
	} else {
		resp_error(req, r, "forbidden", NULL);
		return;
	}
	const char *why = progress_base_view(req->w->db, id, code, ymd_today_utc(), &v);
	if (why != NULL) {
		resp_error(req, r, why, NULL);
		return;
	}
	json_t *rev = json_array(), *months = json_object_get(v, "by_month");
	if (!req->api) {
		for (size_t i = json_array_size(months); i-- > 0;)
			json_array_append(rev, json_array_get(months, i));
		json_object_set_new(v, "months_desc", rev);
		json_object_set_new(v, "page_title", json_string("本基地培养进度"));
	} else
		json_decref(rev);
	resp_view(r, 200, v, "progress_base");
}

/* ---------------------------------------------------------------------------- baseline */

static json_t *
admin_view(struct request *req, json_t *values, json_t *errors, const char **why)
{
	json_t *view;
	const struct answer_slot *kept;
	*why = current(req, &view, &kept);
	if (*why != NULL)
		return NULL;
	json_t *v = json_pack("{s:s, s:O, s:I, s:O, s:o, s:o}", "page_title", "培养目标进度：基线",
	    "baseline", json_object_get(view, "baseline"), "certified",
	    json_integer_value(json_object_get(view, "certified")), "rule",
	    json_object_get(view, "rule"), "values", values ? values : json_object(),
	    "errors", errors ? errors : json_object());
	json_decref(view);
	return v;
}

void
h_progress_admin(struct request *req, struct response *r)
{
	const char *why;
	json_t *v = admin_view(req, NULL, NULL, &why);
	if (v == NULL) {
		resp_error(req, r, why, NULL);
		return;
	}
	resp_view(r, 200, v, "admin_progress");
}

void
h_progress_baseline(struct request *req, struct response *r)
{
	static const struct field_spec f[] = {
		{ "number", F_UINT, true, PROGRESS_BASELINE_MAX, NULL },
		{ "as_of", F_DATE, true, 0, NULL },
		{ "source", F_TEXT, true, PROGRESS_SOURCE_MAX, NULL },
	};
	const char *v[3];
	json_t *errors = json_array();
	const char *num = kv_get(&req->fields, "number");
	bool zero = num != NULL && strcmp(num, "0") == 0;   /* 0 clears it; F_UINT starts at 1 */
	size_t bad = fields_validate(req, f, 3, v, errors);
	if (zero && bad > 0) {
		/* drop the number's own error: "0" is allowed here */
		json_t *kept = json_array(), *e;
		size_t i;
		json_array_foreach(errors, i, e)
			if (strcmp(json_string_value(json_object_get(e, "field")), "number") != 0)
				json_array_append(kept, e);
		json_decref(errors);
		errors = kept;
		bad = json_array_size(kept);
		v[0] = "0";
	}
	struct ymd on = { 0, 0, 0 };
	if (bad == 0 && (!ymd_parse_str(v[1], &on) || ymd_cmp(on, ymd_today_utc()) > 0)) {
		json_array_append_new(errors, field_error("as_of", "baseline_date_future",
		    "基线日期不能晚于今天"));
		bad++;
	}
	if (bad > 0) {
		json_t *vals = json_object();
		for (size_t i = 0; i < 3; i++) {
			const char *s = kv_get(&req->fields, f[i].name);
			if (s != NULL)
				json_object_set_new(vals, f[i].name, json_string(s));
		}
		if (req->api) {
			json_decref(vals);
			resp_error(req, r, "validation_failed", errors);
			return;
		}
		const char *why;
		json_t *ev = json_object(), *e;
		size_t i;
		json_array_foreach(errors, i, e)
			json_object_set(ev, json_string_value(json_object_get(e, "field")),
			    json_object_get(e, "message"));
		json_decref(errors);
		json_t *page = admin_view(req, vals, ev, &why);
		if (page == NULL) {
			resp_error(req, r, why, NULL);
			return;
		}
		json_object_set_new(page, "form_error", json_string("提交的信息有误，请按提示修改"));
		resp_view(r, 422, page, "admin_progress");
		return;
	}
	json_decref(errors);
	const char *why = progress_baseline_set(req->w->db, req->user_id, req->remote_addr,
	    strtol(v[0], NULL, 10), on, v[2]);
	if (why != NULL) {
		resp_error(req, r, why, NULL);
		return;
	}
	host_epoch_bump(EPOCH_CERTS);      /* every worker's cached progress re-reads */
	if (!req->api) {
		resp_redirect(req, r, "/admin/progress");
		return;
	}
	json_t *view;
	const struct answer_slot *kept;
	if ((why = current(req, &view, &kept)) != NULL) {
		resp_error(req, r, why, NULL);
		return;
	}
	resp_view(r, 200, json_pack("{s:O, s:O}", "baseline", json_object_get(view, "baseline"),
	    "total", json_object_get(view, "total")), NULL);
	json_decref(view);
}
