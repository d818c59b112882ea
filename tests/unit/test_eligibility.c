/*
 * courses/eligibility_judge: the eligibility decision on tables of cases, no database.
 * Rules are the DEFAULT rows of db/migrations/0005_assessment.sql (domain.md §3–§4).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "courses/eligibility_judge.h"

static struct ymd
ymd(int y, int m, int d)
{
	return (struct ymd){ y, m, d };
}

static const struct ymd ON = { 2026, 6, 1 };

static struct level_rule
rule(enum lvl l)
{
	struct level_rule r;
	memset(&r, 0, sizeof r);
	r.effective_from = ymd(2020, 1, 1);
	for (int e = 0; e < EDU_N; e++)
		r.work_years[e] = -1;
	r.integrity_years = 3;
	r.pass[PART_WRITTEN] = r.pass[PART_CASE] = r.pass[PART_DEFENCE] = 60;
	r.panel_min = 5;
	r.vote_num = 2;
	r.vote_den = 3;
	r.valid_months = 24;
	switch (l) {
	case LVL_JUNIOR:
		r.min_education = EDU_ASSOCIATE;
		r.hours_x2 = 96;
		r.all_compulsory = true;
		r.parts = PARTS_BIT(PART_WRITTEN);
		break;
	case LVL_INTERMEDIATE:
		r.min_education = EDU_ASSOCIATE;
		r.work_years[EDU_ASSOCIATE] = 5;
		r.work_years[EDU_BACHELOR] = r.work_years[EDU_MASTER] = r.work_years[EDU_DOCTOR] = 3;
		r.prior_level = LVL_JUNIOR;
		r.prior_years = 2;
		r.prior_or_work = true;
		r.hours_x2 = 128;
		r.practical_x2 = 32;
		r.deals_count = 2;
		r.deals_amount = 1000000;
		r.case_reports = 1;
		r.parts = PARTS_BIT(PART_WRITTEN) | PARTS_BIT(PART_CASE);
		break;
	default:
		r.min_education = EDU_BACHELOR;
		r.work_years[EDU_BACHELOR] = 5;
		r.work_years[EDU_MASTER] = r.work_years[EDU_DOCTOR] = 3;
		r.prior_level = LVL_INTERMEDIATE;
		r.prior_years = 3;
		r.hours_x2 = 160;
		r.practical_x2 = 48;
		r.deals_count = 5;
		r.deals_lead_only = true;
		r.deals_amount = 5000000;
		r.case_reports = 1;
		r.other_works = 1;
		r.parts = PARTS_BIT(PART_WRITTEN) | PARTS_BIT(PART_CASE) | PARTS_BIT(PART_DEFENCE);
		break;
	}
	return r;
}

static void
score(struct person_facts *f, enum part p, struct ymd on, int x100)
{
	struct part_result *x = &f->results[f->nresults++];
	memset(x, 0, sizeof *x);
	x->part = p;
	x->on = on;
	x->score_x100 = x100;
}

static void
panel(struct person_facts *f, struct ymd on, int experts, int sum_x100, int votes)
{
	struct part_result *x = &f->results[f->nresults++];
	memset(x, 0, sizeof *x);
	x->part = PART_DEFENCE;
	x->on = on;
	x->experts = experts;
	x->sum_x100 = sum_x100;
	x->pass_votes = votes;
}

/* A person who meets every requirement of the level on ON. */
static struct person_facts
ok_facts(enum lvl l)
{
	struct person_facts f;
	memset(&f, 0, sizeof f);
	f.education = EDU_MASTER;
	f.work[0] = (struct work_period){ ymd(2015, 1, 1), ymd(2015, 1, 1), true };
	f.nwork = 1;
	f.has_prior = true;
	f.prior_since = ymd(2018, 1, 1);
	f.hours_x2 = 200;
	f.practical_x2 = 60;
	f.deals_all = f.deals_lead = 6;
	f.amount_contract = f.amount_received = 6000000;
	f.case_reports = 1;
	f.other_works = 1;
	score(&f, PART_WRITTEN, ymd(2026, 1, 10), 7500);
	if (l != LVL_JUNIOR)
		score(&f, PART_CASE, ymd(2026, 1, 10), 8000);
	if (l == LVL_SENIOR)
		panel(&f, ymd(2026, 3, 1), 5, 5 * 7000, 5);
	return f;
}

static bool
has(const struct eligibility *e, const char *code)
{
	for (size_t i = 0; i < e->n; i++)
		if (strcmp(e->unmet[i].code, code) == 0)
			return true;
	return false;
}

static const struct unmet *
get(const struct eligibility *e, const char *code)
{
	for (size_t i = 0; i < e->n; i++)
		if (strcmp(e->unmet[i].code, code) == 0)
			return &e->unmet[i];
	cr_assert_fail("no unmet %s", code);
	return NULL;
}

static void
run(enum lvl l, const struct person_facts *f, struct eligibility *e)
{
	struct level_rule r = rule(l);
	judge(&r, 1, l, ON, f, e);
}

Test(judge, baseline_eligible_every_level)
{
	for (enum lvl l = LVL_JUNIOR; l <= LVL_SENIOR; l++) {
		struct person_facts f = ok_facts(l);
		struct eligibility e;
		run(l, &f, &e);
		cr_assert(e.eligible, "level %d: %zu unmet, first %s", l, e.n, e.n ? e.unmet[0].code : "");
		cr_assert_eq(e.n, 0);
	}
}

/* Each requirement failing alone: exactly that code, nothing else. */
struct alone { enum lvl level; const char *code; void (*spoil)(struct person_facts *); };

static void no_edu(struct person_facts *f) { f->education = EDU_HIGH_SCHOOL; }
static void few_hours(struct person_facts *f) { f->hours_x2 = 90; }
static void few_practical(struct person_facts *f) { f->practical_x2 = 10; }
static void compulsory(struct person_facts *f)
{
	f->compulsory_missing = 2;
	snprintf(f->missing_codes, sizeof(f->missing_codes), "J-PUB-01, J-POL-01");
}
static void no_deals(struct person_facts *f)
{
	f->deals_all = f->deals_lead = 1;
	f->amount_contract = f->amount_received = 300000;
}
static void no_case_report(struct person_facts *f) { f->case_reports = 0; }
static void no_work_item(struct person_facts *f) { f->other_works = 0; }
static void integrity(struct person_facts *f)
{
	f->events[0] = (struct integrity_event){ ymd(2025, 1, 1), ymd(2025, 1, 1), true };
	f->nevents = 1;
}
static void no_prior_senior(struct person_facts *f) { f->has_prior = false; }
static void short_work_senior(struct person_facts *f)
{
	f->work[0] = (struct work_period){ ymd(2025, 1, 1), ymd(2025, 1, 1), true };
}
static void
drop(struct person_facts *f, enum part p)
{
	size_t k = 0;
	for (size_t i = 0; i < f->nresults; i++)
		if (f->results[i].part != p)
			f->results[k++] = f->results[i];
	f->nresults = k;
}
static void no_written(struct person_facts *f) { drop(f, PART_WRITTEN); }
static void failed_case(struct person_facts *f)
{
	drop(f, PART_CASE);
	score(f, PART_CASE, ymd(2026, 2, 1), 5200);
}
static void failed_defence(struct person_facts *f)
{
	drop(f, PART_DEFENCE);
	panel(f, ymd(2026, 3, 1), 5, 5 * 5500, 2);
}

Test(judge, each_requirement_failing_alone)
{
	static const struct alone cases[] = {
		{ LVL_JUNIOR, "education_below", no_edu },
		{ LVL_JUNIOR, "training_hours_short", few_hours },
		{ LVL_JUNIOR, "compulsory_course_missing", compulsory },
		{ LVL_JUNIOR, "integrity_event", integrity },
		{ LVL_JUNIOR, "written_exam_missing", no_written },
		{ LVL_INTERMEDIATE, "practical_hours_short", few_practical },
		{ LVL_INTERMEDIATE, "deals_short", no_deals },
		{ LVL_INTERMEDIATE, "case_report_missing", no_case_report },
		{ LVL_INTERMEDIATE, "case_analysis_failed", failed_case },
		{ LVL_SENIOR, "prior_level_short", no_prior_senior },
		{ LVL_SENIOR, "work_years_short", short_work_senior },
		{ LVL_SENIOR, "written_work_missing", no_work_item },
		{ LVL_SENIOR, "defence_failed", failed_defence },
		{ LVL_SENIOR, "deals_short", no_deals },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct person_facts f = ok_facts(cases[i].level);
		struct eligibility e;
		cases[i].spoil(&f);
		run(cases[i].level, &f, &e);
		cr_assert(!e.eligible, "%s: should not be eligible", cases[i].code);
		cr_assert_eq(e.n, 1, "%s: %zu unmet (first %s)", cases[i].code, e.n, e.unmet[0].code);
		cr_assert_str_eq(e.unmet[0].code, cases[i].code);
		cr_assert(e.unmet[0].message[0] != '\0');
	}
}

Test(judge, training_message_names_both_numbers)
{
	struct person_facts f = ok_facts(LVL_INTERMEDIATE);
	struct eligibility e;
	f.hours_x2 = 104;
	run(LVL_INTERMEDIATE, &f, &e);
	const struct unmet *u = get(&e, "training_hours_short");
	cr_assert_str_eq(u->required, "64");
	cr_assert_str_eq(u->actual, "52");
	cr_assert_str_eq(u->message, "需要 64 学时，已完成 52 学时");
}

Test(judge, everything_failing_lists_every_reason)
{
	struct person_facts f;
	struct eligibility e;
	memset(&f, 0, sizeof f);
	integrity(&f);
	run(LVL_SENIOR, &f, &e);
	static const char *const want[] = { "education_below", "prior_level_short",
		"work_years_short", "training_hours_short", "practical_hours_short", "deals_short",
		"case_report_missing", "written_work_missing", "integrity_event",
		"written_exam_missing", "case_analysis_missing", "defence_missing" };
	cr_assert(!e.eligible);
	cr_assert_eq(e.n, sizeof(want) / sizeof(want[0]), "got %zu reasons", e.n);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_assert(has(&e, want[i]), "missing %s", want[i]);
}

Test(judge, intermediate_prior_level_or_experience)
{
	/* either path is enough; neither lists both */
	struct person_facts f = ok_facts(LVL_INTERMEDIATE);
	struct eligibility e;
	f.has_prior = false;
	run(LVL_INTERMEDIATE, &f, &e);
	cr_assert(e.eligible, "experience path alone should do");
	f = ok_facts(LVL_INTERMEDIATE);
	f.nwork = 0;
	run(LVL_INTERMEDIATE, &f, &e);
	cr_assert(e.eligible, "prior level alone should do");
	f.has_prior = true;
	f.prior_since = ymd(2025, 12, 1);
	run(LVL_INTERMEDIATE, &f, &e);
	cr_assert(has(&e, "prior_level_short") && has(&e, "work_years_short") && e.n == 2);
	cr_assert_str_eq(get(&e, "prior_level_short")->actual, "0.5");
}

Test(judge, written_pass_mark_boundary)
{
	struct person_facts f = ok_facts(LVL_JUNIOR);
	struct eligibility e;
	drop(&f, PART_WRITTEN);
	score(&f, PART_WRITTEN, ymd(2026, 1, 10), 6000);
	run(LVL_JUNIOR, &f, &e);
	cr_assert(e.eligible, "exactly 60 passes");
	drop(&f, PART_WRITTEN);
	score(&f, PART_WRITTEN, ymd(2026, 1, 10), 5999);
	run(LVL_JUNIOR, &f, &e);
	cr_assert(has(&e, "written_exam_failed"));
	cr_assert_str_eq(get(&e, "written_exam_failed")->actual, "59.99");
}

Test(judge, panel_boundaries)
{
	struct level_rule r = rule(LVL_SENIOR);
	cr_assert(panel_passes(&r, 6, 6 * 6000, 4), "4 of 6 is exactly 2/3: pass");
	cr_assert(!panel_passes(&r, 6, 6 * 6000, 3), "3 of 6: fail");
	cr_assert(!panel_passes(&r, 5, 5 * 9000, 3), "3 of 5 < 2/3: fail");
	cr_assert(panel_passes(&r, 5, 5 * 9000, 4), "4 of 5: pass");
	cr_assert(panel_passes(&r, 5, 5 * 6000, 5), "mean exactly 60: pass");
	cr_assert(!panel_passes(&r, 5, 5 * 6000 - 1, 5), "mean just under 60: fail");
	cr_assert(!panel_passes(&r, 0, 0, 0), "no experts: fail");

	struct person_facts f = ok_facts(LVL_SENIOR);
	struct eligibility e;
	drop(&f, PART_DEFENCE);
	panel(&f, ymd(2026, 3, 1), 5, 5 * 8000, 3);
	run(LVL_SENIOR, &f, &e);
	cr_assert(has(&e, "defence_failed") && e.n == 1, "3 of 5 votes fails at 2/3");
	drop(&f, PART_DEFENCE);
	panel(&f, ymd(2026, 3, 1), 6, 6 * 6000, 4);
	run(LVL_SENIOR, &f, &e);
	cr_assert(e.eligible, "4 of 6 votes and mean 60 pass");
}

Test(judge, rule_version_changes_on_a_date)
{
	/* from 2026-03-01 junior needs 60 学时 instead of 48: 52 学时 is enough before, not after */
	struct level_rule v[2] = { rule(LVL_JUNIOR), rule(LVL_JUNIOR) };
	v[1].effective_from = ymd(2026, 3, 1);
	v[1].hours_x2 = 120;
	struct person_facts f = ok_facts(LVL_JUNIOR);
	struct eligibility e;
	f.hours_x2 = 104;
	judge(v, 2, LVL_JUNIOR, ymd(2026, 2, 28), &f, &e);
	cr_assert(e.eligible, "eligible under the old version");
	judge(v, 2, LVL_JUNIOR, ymd(2026, 3, 1), &f, &e);
	cr_assert(!e.eligible);
	cr_assert_str_eq(get(&e, "training_hours_short")->required, "60");
	/* the pass mark of the assessment date applies, not the one of the decision date */
	v[1].pass[PART_WRITTEN] = 80;
	judge(v, 2, LVL_JUNIOR, ymd(2026, 3, 1), &f, &e);
	cr_assert(!has(&e, "written_exam_failed"), "a 75 sat under the 60 mark stays a pass");
	/* before any version: no rules */
	judge(v, 2, LVL_JUNIOR, ymd(2019, 12, 31), &f, &e);
	cr_assert(has(&e, "no_rules") && !e.eligible);
}

Test(judge, passed_part_expires)
{
	/* written passed 2024-01-10, valid 24 months: fine on 2026-01-09, expired on 2026-01-10 */
	struct person_facts f = ok_facts(LVL_INTERMEDIATE);
	struct level_rule r = rule(LVL_INTERMEDIATE);
	struct eligibility e;
	drop(&f, PART_WRITTEN);
	drop(&f, PART_CASE);
	score(&f, PART_WRITTEN, ymd(2024, 1, 10), 7000);
	score(&f, PART_CASE, ymd(2025, 6, 1), 7000);
	judge(&r, 1, LVL_INTERMEDIATE, ymd(2026, 1, 9), &f, &e);
	cr_assert(e.eligible, "still valid the day before");
	judge(&r, 1, LVL_INTERMEDIATE, ymd(2026, 1, 10), &f, &e);
	cr_assert(has(&e, "written_exam_expired") && e.n == 1, "only the expired part is resat");
	/* a later failed resit is reported as failed */
	score(&f, PART_WRITTEN, ymd(2026, 1, 10), 4000);
	judge(&r, 1, LVL_INTERMEDIATE, ymd(2026, 1, 10), &f, &e);
	cr_assert(has(&e, "written_exam_failed") && e.n == 1);
}

Test(judge, integrity_window)
{
	struct person_facts f = ok_facts(LVL_JUNIOR);
	struct eligibility e;
	/* closed more than 3 years before: does not bar */
	f.events[0] = (struct integrity_event){ ymd(2020, 1, 1), ymd(2023, 5, 31), false };
	f.nevents = 1;
	run(LVL_JUNIOR, &f, &e);
	cr_assert(e.eligible);
	f.events[0].closed = ymd(2023, 6, 1);
	run(LVL_JUNIOR, &f, &e);
	cr_assert(has(&e, "integrity_event"));
}

Test(judge, deals_by_amount_or_count)
{
	struct person_facts f = ok_facts(LVL_INTERMEDIATE);
	struct eligibility e;
	f.deals_all = 0;
	f.amount_contract = 1000000;
	run(LVL_INTERMEDIATE, &f, &e);
	cr_assert(e.eligible, "100 万元 is enough without a count");
	f.amount_contract = 999999;
	run(LVL_INTERMEDIATE, &f, &e);
	cr_assert(has(&e, "deals_short"));
	cr_assert_str_eq(get(&e, "deals_short")->required, "2 项或 100 万元");
	/* senior counts only deals led */
	f = ok_facts(LVL_SENIOR);
	f.deals_lead = 4;
	f.amount_contract = 0;
	run(LVL_SENIOR, &f, &e);
	cr_assert(has(&e, "deals_short"));
}

Test(judge, work_periods_overlap_once)
{
	struct person_facts f = ok_facts(LVL_SENIOR);
	struct eligibility e;
	f.education = EDU_BACHELOR;   /* needs 5 years */
	f.work[0] = (struct work_period){ ymd(2022, 1, 1), ymd(2025, 1, 1), false };
	f.work[1] = (struct work_period){ ymd(2023, 1, 1), ymd(2026, 6, 1), true };
	f.nwork = 2;
	run(LVL_SENIOR, &f, &e);
	cr_assert(has(&e, "work_years_short"), "2022-01..2026-06 is 4.4 years");
	cr_assert_str_eq(get(&e, "work_years_short")->actual, "4.4");
	f.work[0].from = ymd(2021, 6, 1);
	run(LVL_SENIOR, &f, &e);
	cr_assert(e.eligible);
}
