/*
 * The eligibility judge (domain.md §3–§4). Pure: every number comes from the rule rows, every
 * fact from the caller. Each requirement is checked on its own and every failure is listed,
 * so a candidate sees the whole way to the certificate, not one hurdle at a time.
 */
#include "eligibility_judge.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* snprintf that cuts long text on purpose (messages fit their fields; a cut is cosmetic) */
static void sfmt(char *, size_t, const char *, ...) __attribute__((format(printf, 3, 4)));

static void
sfmt(char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, cap, fmt, ap);
	va_end(ap);
}

static const char *const EDU_CODES[EDU_N] = { "none", "high_school", "associate", "bachelor",
	"master", "doctor" };
static const char *const EDU_NAMES[EDU_N] = { "无", "高中/中专", "大专", "本科", "硕士", "博士" };

enum edu
edu_parse(const char *s)
{
	for (int i = 0; i < EDU_N; i++)
		if (s != NULL && strcmp(s, EDU_CODES[i]) == 0)
			return (enum edu)i;
	return EDU_NONE;
}

const char *
edu_name(enum edu e)
{
	return e >= 0 && e < EDU_N ? EDU_NAMES[e] : "无";
}

enum lvl
lvl_parse(const char *s)
{
	if (s == NULL)
		return LVL_NONE;
	if (strcmp(s, "junior") == 0)
		return LVL_JUNIOR;
	if (strcmp(s, "intermediate") == 0)
		return LVL_INTERMEDIATE;
	if (strcmp(s, "senior") == 0)
		return LVL_SENIOR;
	return LVL_NONE;
}

const char *
lvl_name(enum lvl l)
{
	switch (l) {
	case LVL_JUNIOR: return "初级";
	case LVL_INTERMEDIATE: return "中级";
	case LVL_SENIOR: return "高级";
	default: return "";
	}
}

const struct level_rule *
level_rule_for(const struct level_rule *r, size_t n, struct ymd on)
{
	const struct level_rule *best = NULL;
	for (size_t i = 0; i < n; i++)
		if (ymd_cmp(r[i].effective_from, on) <= 0 &&
		    (best == NULL || ymd_cmp(r[i].effective_from, best->effective_from) > 0))
			best = &r[i];
	return best;
}

bool
panel_passes(const struct level_rule *r, int experts, int sum_x100, int pass_votes)
{
	if (experts <= 0 || r->vote_den <= 0)
		return false;
	return (int64_t)sum_x100 >= (int64_t)r->pass[PART_DEFENCE] * 100 * experts &&
	    (int64_t)pass_votes * r->vote_den >= (int64_t)r->vote_num * experts;
}

int
months_between(struct ymd a, struct ymd b)
{
	int m = (b.y - a.y) * 12 + (b.m - a.m);
	if (b.d < a.d)
		m--;
	return m < 0 ? 0 : m;
}

/* Months of tech-transfer work up to `on`, overlapping periods counted once. */
static int
work_months(const struct person_facts *p, struct ymd on)
{
	struct { struct ymd a, b; } v[JUDGE_MAX_WORK];
	size_t n = 0;
	for (size_t i = 0; i < p->nwork && i < JUDGE_MAX_WORK; i++) {
		struct ymd a = p->work[i].from, b = p->work[i].open ? on : p->work[i].to;
		if (ymd_cmp(b, on) > 0)
			b = on;
		if (ymd_cmp(a, b) >= 0)
			continue;
		/* insertion sort by start: a handful of periods */
		size_t j = n++;
		while (j > 0 && ymd_cmp(v[j - 1].a, a) > 0) {
			v[j] = v[j - 1];
			j--;
		}
		v[j].a = a;
		v[j].b = b;
	}
	int months = 0;
	for (size_t i = 0; i < n;) {
		struct ymd a = v[i].a, b = v[i].b;
		size_t j = i + 1;
		for (; j < n && ymd_cmp(v[j].a, b) <= 0; j++)
			if (ymd_cmp(v[j].b, b) > 0)
				b = v[j].b;
		months += months_between(a, b);
		i = j;
	}
	return months;
}

static void
fmt_x(char *buf, size_t cap, int64_t v, int scale)
{
	/* v / scale with up to two decimals, trailing zeros dropped: 104 (x2) → "52", 10450 → "104.5" */
	int64_t whole = v / scale, frac = v % scale;
	if (frac < 0)
		frac = -frac;
	if (frac == 0) {
		sfmt(buf, cap, "%lld", (long long)whole);
		return;
	}
	int64_t hundredths = frac * 100 / scale;
	if (hundredths % 10 == 0)
		sfmt(buf, cap, "%lld.%lld", (long long)whole, (long long)(hundredths / 10));
	else
		sfmt(buf, cap, "%lld.%02lld", (long long)whole, (long long)hundredths);
}

static void
months_text(char *buf, size_t cap, int months)
{
	/* years with one decimal, rounded down: 18 months → "1.5" */
	int tenths = months * 10 / 12;
	if (tenths % 10 == 0)
		sfmt(buf, cap, "%d", tenths / 10);
	else
		sfmt(buf, cap, "%d.%d", tenths / 10, tenths % 10);
}

static void
wan(char *buf, size_t cap, int64_t yuan)
{
	fmt_x(buf, cap, yuan / 100, 100);   /* 万元 with two decimals: whole 百元 */
}

static void add(struct eligibility *, const char *code, const char *required, const char *actual,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
add(struct eligibility *out, const char *code, const char *required, const char *actual,
    const char *fmt, ...)
{
	if (out->n >= ELIG_UNMET_MAX)
		return;
	struct unmet *u = &out->unmet[out->n++];
	va_list ap;
	sfmt(u->code, sizeof(u->code), "%s", code);
	sfmt(u->required, sizeof(u->required), "%s", required);
	sfmt(u->actual, sizeof(u->actual), "%s", actual);
	va_start(ap, fmt);
	vsnprintf(u->message, sizeof(u->message), fmt, ap);
	va_end(ap);
}

/* The experience path's years for this education: its own, else the nearest higher one. */
static int
work_years_for(const struct level_rule *r, enum edu e, enum edu *as)
{
	for (int i = e; i < EDU_N; i++)
		if (r->work_years[i] >= 0) {
			*as = (enum edu)i;
			return r->work_years[i];
		}
	*as = EDU_NONE;
	return -1;
}

static bool
has_work_path(const struct level_rule *r)
{
	for (int i = 0; i < EDU_N; i++)
		if (r->work_years[i] > 0)
			return true;
	return false;
}

static void
judge_experience(const struct level_rule *r, enum lvl level, struct ymd on,
    const struct person_facts *p, struct eligibility *out)
{
	(void)level;
	bool work_req = has_work_path(r), prior_req = r->prior_level != LVL_NONE;
	enum edu as = EDU_NONE;
	int wy = work_req ? work_years_for(r, p->education, &as) : 0;
	int wm = work_req ? work_months(p, on) : 0;
	bool work_ok = !work_req || (wy >= 0 && wm >= wy * 12);
	int held = p->has_prior ? months_between(p->prior_since, on) : 0;
	bool prior_ok = !prior_req || (p->has_prior && ymd_cmp(p->prior_since, on) <= 0 &&
	    held >= r->prior_years * 12);
	const char *either = r->prior_or_work && prior_req && work_req ? "（两项满足其一即可）" : "";

	if (r->prior_or_work && (prior_ok || work_ok))
		return;
	if (!prior_ok) {
		char req[ELIG_VALUE_MAX], act[ELIG_VALUE_MAX];
		sfmt(req, sizeof(req), "%d", r->prior_years);
		if (!p->has_prior || ymd_cmp(p->prior_since, on) > 0)
			add(out, "prior_level_short", req, "无", "需要持有%s资格满 %d 年，尚未持有%s资格%s",
			    lvl_name(r->prior_level), r->prior_years, lvl_name(r->prior_level), either);
		else {
			months_text(act, sizeof(act), held);
			add(out, "prior_level_short", req, act, "需要持有%s资格满 %d 年，已持有 %s 年%s",
			    lvl_name(r->prior_level), r->prior_years, act, either);
		}
	}
	if (!work_ok) {
		char req[ELIG_VALUE_MAX], act[ELIG_VALUE_MAX];
		months_text(act, sizeof(act), wm);
		if (wy < 0) {
			/* no path for any education at or above the person's: name the lowest one */
			wy = work_years_for(r, EDU_NONE, &as);
		}
		sfmt(req, sizeof(req), "%d", wy);
		add(out, "work_years_short", req, act, "需要技术转移从业经历 %d 年（%s学历），已有 %s 年%s",
		    wy, edu_name(as), act, either);
	}
}

static void
judge_training(const struct level_rule *r, const struct person_facts *p, struct eligibility *out)
{
	char req[ELIG_VALUE_MAX], act[ELIG_VALUE_MAX];
	if (p->hours_x2 < r->hours_x2) {
		fmt_x(req, sizeof(req), r->hours_x2, 2);
		fmt_x(act, sizeof(act), p->hours_x2 < 0 ? 0 : p->hours_x2, 2);
		add(out, "training_hours_short", req, act, "需要 %s 学时，已完成 %s 学时", req, act);
	}
	if (p->practical_x2 < r->practical_x2) {
		fmt_x(req, sizeof(req), r->practical_x2, 2);
		fmt_x(act, sizeof(act), p->practical_x2 < 0 ? 0 : p->practical_x2, 2);
		add(out, "practical_hours_short", req, act, "需要实训 %s 学时，已完成 %s 学时", req, act);
	}
	if (r->all_compulsory && p->compulsory_missing > 0) {
		sfmt(act, sizeof(act), "%s", p->missing_codes);
		add(out, "compulsory_course_missing", "全部必修课程", act,
		    "尚有 %zu 门必修课程未完成：%s", p->compulsory_missing, p->missing_codes);
	}
}

static void
judge_deals(const struct level_rule *r, const struct person_facts *p, struct eligibility *out)
{
	if (r->deals_count == 0 && r->deals_amount == 0)
		return;
	int count = r->deals_lead_only ? p->deals_lead : p->deals_all;
	int64_t amount = r->amount_received ? p->amount_received : p->amount_contract;
	bool by_count = r->deals_count > 0 && count >= r->deals_count;
	bool by_amount = r->deals_amount > 0 && amount >= r->deals_amount;
	if (by_count || by_amount)
		return;
	char req[ELIG_VALUE_MAX], act[ELIG_VALUE_MAX], rw[24], aw[24];
	const char *role = r->deals_lead_only ? "主持" : "参与";
	const char *basis = r->amount_received ? "到账" : "合同";
	wan(rw, sizeof(rw), r->deals_amount);
	wan(aw, sizeof(aw), amount);
	if (r->deals_count > 0 && r->deals_amount > 0) {
		sfmt(req, sizeof(req), "%d 项或 %s 万元", r->deals_count, rw);
		sfmt(act, sizeof(act), "%d 项，%s 万元", count, aw);
		add(out, "deals_short", req, act, "需要%s完成技术合同 %d 项，或累计%s金额 %s 万元；"
		    "已有 %d 项，%s 万元", role, r->deals_count, basis, rw, count, aw);
	} else if (r->deals_count > 0) {
		sfmt(req, sizeof(req), "%d", r->deals_count);
		sfmt(act, sizeof(act), "%d", count);
		add(out, "deals_short", req, act, "需要%s完成技术合同 %d 项，已有 %d 项", role,
		    r->deals_count, count);
	} else {
		add(out, "deals_short", rw, aw, "需要累计技术合同%s金额 %s 万元，已有 %s 万元", basis, rw,
		    aw);
	}
}

static void
judge_works(const struct level_rule *r, const struct person_facts *p, struct eligibility *out)
{
	char req[ELIG_VALUE_MAX], act[ELIG_VALUE_MAX];
	if (p->case_reports < r->case_reports) {
		sfmt(req, sizeof(req), "%d", r->case_reports);
		sfmt(act, sizeof(act), "%d", p->case_reports);
		add(out, "case_report_missing", req, act, "需要案例报告 %d 篇（经审核），已有 %d 篇",
		    r->case_reports, p->case_reports);
	}
	if (p->other_works < r->other_works) {
		sfmt(req, sizeof(req), "%d", r->other_works);
		sfmt(act, sizeof(act), "%d", p->other_works);
		add(out, "written_work_missing", req, act,
		    "需要论文、政策研究报告或标准 %d 项（经审核），已有 %d 项", r->other_works,
		    p->other_works);
	}
}

static void
judge_integrity(const struct level_rule *r, struct ymd on, const struct person_facts *p,
    struct eligibility *out)
{
	struct ymd from = { on.y - r->integrity_years, on.m, on.d };
	if (from.m == 2 && from.d == 29 && !ymd_valid(from))
		from.d = 28;
	int n = 0;
	for (size_t i = 0; i < p->nevents && i < JUDGE_MAX_EVENTS; i++) {
		const struct integrity_event *e = &p->events[i];
		if (ymd_cmp(e->opened, on) > 0)
			continue;
		if (e->open || ymd_cmp(e->closed, from) >= 0)
			n++;
	}
	if (n > 0) {
		char act[ELIG_VALUE_MAX];
		sfmt(act, sizeof(act), "%d", n);
		add(out, "integrity_event", "0", act, "近 %d 年内有 %d 项诚信事件（失信记录），"
		    "须无诚信事件方可申请", r->integrity_years, n);
	}
}

static const char *const PART_CODE[PART_N] = { "written_exam", "case_analysis", "defence" };
static const char *const PART_NAME[PART_N] = { "笔试", "案例分析", "答辩" };

static bool
result_passes(const struct level_rule *rules, size_t nrules, const struct part_result *x)
{
	const struct level_rule *r = level_rule_for(rules, nrules, x->on);
	if (r == NULL)
		return false;
	if (x->part == PART_DEFENCE)
		return panel_passes(r, x->experts, x->sum_x100, x->pass_votes);
	return x->score_x100 >= r->pass[x->part] * 100;
}

static void
judge_part(const struct level_rule *rules, size_t nrules, const struct level_rule *r,
    enum part part, struct ymd on, const struct person_facts *p, struct eligibility *out)
{
	const struct part_result *latest_valid = NULL, *expired_pass = NULL;
	for (size_t i = 0; i < p->nresults; i++) {
		const struct part_result *x = &p->results[i];
		if (x->part != part || ymd_cmp(x->on, on) > 0)
			continue;
		bool valid = months_between(x->on, on) < r->valid_months;
		bool pass = result_passes(rules, nrules, x);
		if (valid && pass)
			return;
		if (valid && (latest_valid == NULL || ymd_cmp(x->on, latest_valid->on) >= 0))
			latest_valid = x;
		if (!valid && pass)
			expired_pass = x;
	}
	char code[ELIG_CODE_MAX], req[ELIG_VALUE_MAX], act[ELIG_VALUE_MAX], sc[16];
	sfmt(req, sizeof(req), "%d", r->pass[part]);
	if (latest_valid != NULL) {
		sfmt(code, sizeof(code), "%s_failed", PART_CODE[part]);
		if (part == PART_DEFENCE) {
			int n = latest_valid->experts;
			fmt_x(sc, sizeof(sc), n > 0 ? latest_valid->sum_x100 / n : 0, 100);
			sfmt(req, sizeof(req), "%d 且 %d/%d 票", r->pass[part], r->vote_num, r->vote_den);
			sfmt(act, sizeof(act), "%s，%d/%d 票", sc, latest_valid->pass_votes, n);
			add(out, code, req, act, "答辩未通过：平均分 %s，通过票 %d/%d"
			    "（需平均分不低于 %d 且至少 %d/%d 专家投通过票）", sc,
			    latest_valid->pass_votes, n, r->pass[part], r->vote_num, r->vote_den);
		} else {
			fmt_x(act, sizeof(act), latest_valid->score_x100, 100);
			add(out, code, req, act, "%s未通过：最近一次成绩 %s 分，合格线 %d 分", PART_NAME[part],
			    act, r->pass[part]);
		}
	} else if (expired_pass != NULL) {
		char d[11];
		ymd_format(expired_pass->on, d);
		sfmt(code, sizeof(code), "%s_expired", PART_CODE[part]);
		add(out, code, req, d, "%s合格成绩（%s）已超过 %d 个月有效期，须重新参加", PART_NAME[part], d,
		    r->valid_months);
	} else {
		sfmt(code, sizeof(code), "%s_missing", PART_CODE[part]);
		add(out, code, req, "无", "尚无%s成绩（合格线 %d 分）", PART_NAME[part], r->pass[part]);
	}
}

void
judge(const struct level_rule *rules, size_t nrules, enum lvl level, struct ymd on,
    const struct person_facts *p, struct eligibility *out)
{
	memset(out, 0, sizeof *out);
	const struct level_rule *r = level_rule_for(rules, nrules, on);
	if (r == NULL) {
		char d[11];
		ymd_format(on, d);
		add(out, "no_rules", "规则", d, "%s尚无在 %s 生效的评价规则", lvl_name(level), d);
		return;
	}
	if (p->education < r->min_education)
		add(out, "education_below", edu_name(r->min_education), edu_name(p->education),
		    "最低学历要求为%s（经审核），当前为%s", edu_name(r->min_education),
		    p->education == EDU_NONE ? "无已审核学历" : edu_name(p->education));
	judge_experience(r, level, on, p, out);
	judge_training(r, p, out);
	judge_deals(r, p, out);
	judge_works(r, p, out);
	judge_integrity(r, on, p, out);
	for (int part = 0; part < PART_N; part++)
		if (r->parts & PARTS_BIT(part))
			judge_part(rules, nrules, r, (enum part)part, on, p, out);
	out->eligible = out->n == 0;
}
