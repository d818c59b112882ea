/*
 * courses/ledger: the continuing-education credit ledger of domain.md §7c
 * (rule selection, the ⅔ professional rule, the per-day cap, reversals, messages).
 * Hours are half-hours (x2) throughout.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

#include "courses/ledger.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define MAXE 256

/* DEFAULT rule: 90 学时 a year, 2/3 professional, 8 学时 a day, 45 minutes, no carry-over. */
static struct ce_rule
rule(int y, int m, int d, int annual_x2, int cap_x2)
{
	return (struct ce_rule){ { y, m, d }, annual_x2, 2, 3, cap_x2, 45, false };
}

static const struct ce_rule DEFAULT_RULES[] = {
	{ { 2020, 1, 1 }, 180, 2, 3, 16, 45, false },
};

static struct ymd
ymd(int y, int m, int d)
{
	return (struct ymd){ y, m, d };
}

static void
add(struct ledger_entry *v, size_t *n, struct ymd on, int x2, enum subject s, bool compulsory)
{
	cr_assert_lt(*n, MAXE, "bad test input: too many entries");
	v[(*n)++] = (struct ledger_entry){ on, x2, s, compulsory };
}

/* The date of day-of-year `doy` (1-based) of a non-leap year. */
static struct ymd
day_of(int y, int doy)
{
	static const int ml[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int m = 0;
	cr_assert(doy >= 1 && doy <= 365, "bad test input: day %d", doy);
	while (doy > ml[m])
		doy -= ml[m++];
	return ymd(y, m + 1, doy);
}

/*
 * Adds total_x2 of one kind in chunks of at most 8 学时, one chunk a day starting at day-of-year
 * *doy (advanced past the days used), so the daily cap never bites.
 */
static void
spread(struct ledger_entry *v, size_t *n, int y, int *doy, int total_x2, enum subject s,
    bool compulsory)
{
	while (total_x2 > 0) {
		int c = total_x2 < 16 ? total_x2 : 16;
		add(v, n, day_of(y, (*doy)++), c, s, compulsory);
		total_x2 -= c;
	}
}

static struct ledger_year
summarise(const struct ledger_entry *v, size_t n, int year)
{
	struct ledger_year out;
	memset(&out, 0x5a, sizeof(out));
	cr_assert_eq(ledger_year(v, n, DEFAULT_RULES, NELEM(DEFAULT_RULES), year, &out), 0);
	cr_assert_eq(out.year, year);
	return out;
}

/* ---- ce_rule_for ---- */

Test(ledger, rule_for_latest_effective_from_in_any_order)
{
	const struct ce_rule base[3] = {
		rule(2020, 1, 1, 180, 16), rule(2023, 3, 15, 160, 14), rule(2025, 7, 1, 144, 12),
	};
	static const int perms[6][3] = {
		{ 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 }, { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 },
	};
	static const struct {
		struct ymd on;
		int want;   /* index into base, -1 for NULL */
	} q[] = {
		{ { 1999, 12, 31 }, -1 }, { { 2019, 12, 31 }, -1 },
		{ { 2020, 1, 1 }, 0 }, { { 2020, 6, 1 }, 0 }, { { 2023, 3, 14 }, 0 },
		{ { 2023, 3, 15 }, 1 }, { { 2023, 12, 31 }, 1 }, { { 2025, 6, 30 }, 1 },
		{ { 2025, 7, 1 }, 2 }, { { 2025, 7, 2 }, 2 }, { { 2099, 1, 1 }, 2 },
	};
	for (size_t p = 0; p < NELEM(perms); p++) {
		struct ce_rule r[3];
		for (int i = 0; i < 3; i++)
			r[i] = base[perms[p][i]];
		for (size_t k = 0; k < NELEM(q); k++) {
			const struct ce_rule *got = ce_rule_for(r, 3, q[k].on);
			if (q[k].want < 0) {
				cr_assert_null(got, "perm %zu, %04d-%02d-%02d", p, q[k].on.y, q[k].on.m,
				    q[k].on.d);
				continue;
			}
			cr_assert_not_null(got, "perm %zu, %04d-%02d-%02d", p, q[k].on.y, q[k].on.m,
			    q[k].on.d);
			cr_assert(got >= r && got < r + 3, "pointer not into the array");
			cr_assert_eq(memcmp(&got->effective_from, &base[q[k].want].effective_from,
			    sizeof(struct ymd)), 0, "perm %zu, %04d-%02d-%02d: got rule from %04d-%02d-%02d",
			    p, q[k].on.y, q[k].on.m, q[k].on.d, got->effective_from.y,
			    got->effective_from.m, got->effective_from.d);
			cr_assert_eq(got->annual_x2, base[q[k].want].annual_x2);
		}
	}
}

Test(ledger, rule_for_empty_and_single)
{
	const struct ce_rule one = rule(2025, 7, 1, 180, 16);
	cr_assert_null(ce_rule_for(NULL, 0, ymd(2025, 7, 1)));
	cr_assert_null(ce_rule_for(&one, 1, ymd(2025, 6, 30)));
	cr_assert_eq(ce_rule_for(&one, 1, ymd(2025, 7, 1)), &one);
	/* month and day compare, not just year */
	cr_assert_null(ce_rule_for(&one, 1, ymd(2025, 1, 31)));
	cr_assert_eq(ce_rule_for(&one, 1, ymd(2026, 1, 1)), &one);
}

/* ---- the ⅔ professional rule ---- */

struct share_case {
	int prof_x2, gen_x2;
	bool met;
	int missing_x2, missing_prof_x2;
};

ParameterizedTestParameters(ledger, two_thirds_rule)
{
	static struct share_case cases[] = {
		{ 120, 60, true, 0, 0 },      /* 60 + 30: exactly met */
		{ 119, 61, false, 1, 1 },     /* 59.5 + 30.5: total 90 but professional short */
		{ 0, 180, false, 120, 120 },  /* 90 general only */
		{ 200, 0, true, 0, 0 },       /* 100 professional */
		{ 180, 0, true, 0, 0 },       /* 90 professional */
		{ 120, 59, false, 1, 0 },     /* 60 + 29.5 */
		{ 120, 100, true, 0, 0 },     /* general beyond 30 is fine when professional is met */
		{ 100, 100, false, 20, 20 },  /* 50 + 50: 100 in all, but 10 professional missing */
		{ 60, 120, false, 60, 60 },   /* 30 + 60 */
		{ 0, 0, false, 180, 120 },
		{ 179, 0, false, 1, 0 },      /* 89.5 professional */
	};
	return cr_make_param_array(struct share_case, cases, NELEM(cases));
}

ParameterizedTest(struct share_case *c, ledger, two_thirds_rule)
{
	struct ledger_entry v[MAXE];
	size_t n = 0;
	int doy = 1;
	spread(v, &n, 2025, &doy, c->prof_x2, SUBJ_PROFESSIONAL, false);
	spread(v, &n, 2025, &doy, c->gen_x2, SUBJ_GENERAL, false);
	struct ledger_year y = summarise(v, n, 2025);
	cr_assert_eq(y.required_x2, 180);
	cr_assert_eq(y.required_prof_x2, 120);
	cr_assert_eq(y.professional_x2, c->prof_x2);
	cr_assert_eq(y.general_x2, c->gen_x2);
	cr_assert_eq(y.total_x2, c->prof_x2 + c->gen_x2);
	cr_assert_eq(y.capped_x2, 0);
	cr_assert_eq(y.met, c->met, "prof %d gen %d", c->prof_x2, c->gen_x2);
	cr_assert_eq(y.missing_x2, c->missing_x2, "prof %d gen %d: missing %d", c->prof_x2,
	    c->gen_x2, y.missing_x2);
	cr_assert_eq(y.missing_prof_x2, c->missing_prof_x2, "prof %d gen %d: missing_prof %d",
	    c->prof_x2, c->gen_x2, y.missing_prof_x2);
}

/* ---- required professional part rounds up to a half-hour ---- */

struct req_case {
	int annual_x2, num, den;
	int want_prof_x2;
};

ParameterizedTestParameters(ledger, required_prof_rounding)
{
	static struct req_case cases[] = {
		{ 180, 2, 3, 120 },   /* 90 → 60 */
		{ 182, 2, 3, 122 },   /* 91 → 60.67 → 61 */
		{ 181, 2, 3, 121 },   /* 90.5 → 60.33 → 60.5 */
		{ 184, 2, 3, 123 },   /* 92 → 61.33 → 61.5 */
		{ 144, 2, 3, 96 },    /* 72 → 48 */
		{ 100, 1, 3, 34 },    /* 50 → 16.67 → 17 */
		{ 180, 1, 1, 180 },
		{ 180, 0, 1, 0 },
	};
	return cr_make_param_array(struct req_case, cases, NELEM(cases));
}

ParameterizedTest(struct req_case *c, ledger, required_prof_rounding)
{
	struct ce_rule r = rule(2020, 1, 1, c->annual_x2, 16);
	r.prof_num = c->num;
	r.prof_den = c->den;
	struct ledger_year y;
	cr_assert_eq(ledger_year(NULL, 0, &r, 1, 2025, &y), 0);
	cr_assert_eq(y.required_x2, c->annual_x2);
	cr_assert_eq(y.required_prof_x2, c->want_prof_x2, "annual %d x %d/%d: got %d",
	    c->annual_x2, c->num, c->den, y.required_prof_x2);
	cr_assert_eq(y.missing_x2, c->annual_x2);
	cr_assert_eq(y.missing_prof_x2, c->want_prof_x2);
}

Test(ledger, annual_91_needs_61_professional)
{
	const struct ce_rule r = rule(2020, 1, 1, 182, 16);
	struct ledger_entry v[MAXE];
	struct ledger_year y;
	size_t n = 0;
	int doy = 1;

	/* 60.5 professional + 30.5 general = 91 but professional short by 0.5 */
	spread(v, &n, 2025, &doy, 121, SUBJ_PROFESSIONAL, false);
	spread(v, &n, 2025, &doy, 61, SUBJ_GENERAL, false);
	cr_assert_eq(ledger_year(v, n, &r, 1, 2025, &y), 0);
	cr_assert_eq(y.total_x2, 182);
	cr_assert_not(y.met);
	cr_assert_eq(y.missing_prof_x2, 1);
	cr_assert_eq(y.missing_x2, 1);

	/* 61 professional + 30 general */
	n = 0;
	doy = 1;
	spread(v, &n, 2025, &doy, 122, SUBJ_PROFESSIONAL, false);
	spread(v, &n, 2025, &doy, 60, SUBJ_GENERAL, false);
	cr_assert_eq(ledger_year(v, n, &r, 1, 2025, &y), 0);
	cr_assert(y.met);
	cr_assert_eq(y.missing_x2, 0);
	cr_assert_eq(y.missing_prof_x2, 0);
}

/* ---- half-hours add exactly ---- */

Test(ledger, halves_add_exactly)
{
	struct ledger_entry v[MAXE];
	size_t n = 0;
	/* 0.5 + 0.5 + 0.5 on one day, 0.5 on another: 2 学时 */
	add(v, &n, ymd(2025, 3, 1), 1, SUBJ_PROFESSIONAL, false);
	add(v, &n, ymd(2025, 3, 1), 1, SUBJ_PROFESSIONAL, false);
	add(v, &n, ymd(2025, 3, 1), 1, SUBJ_PROFESSIONAL, false);
	add(v, &n, ymd(2025, 3, 2), 1, SUBJ_GENERAL, true);
	struct ledger_year y = summarise(v, n, 2025);
	cr_assert_eq(y.professional_x2, 3);
	cr_assert_eq(y.general_x2, 1);
	cr_assert_eq(y.compulsory_x2, 1);
	cr_assert_eq(y.total_x2, 4);
	cr_assert_eq(y.missing_x2, 176);
	cr_assert_eq(y.missing_prof_x2, 117);

	/* 180 entries of 0.5 professional, 16 to a day: exactly 90, nothing capped, met */
	n = 0;
	for (int k = 0; k < 180; k++)
		add(v, &n, day_of(2025, 10 + k / 16), 1, SUBJ_PROFESSIONAL, false);
	y = summarise(v, n, 2025);
	cr_assert_eq(y.professional_x2, 180);
	cr_assert_eq(y.total_x2, 180);
	cr_assert_eq(y.capped_x2, 0);
	cr_assert_eq(y.missing_x2, 0);
	cr_assert_eq(y.missing_prof_x2, 0);
	cr_assert(y.met);

	/* 17 halves on one day: the 17th is capped */
	n = 0;
	for (int k = 0; k < 17; k++)
		add(v, &n, ymd(2025, 11, 11), 1, SUBJ_GENERAL, false);
	y = summarise(v, n, 2025);
	cr_assert_eq(y.general_x2, 16);
	cr_assert_eq(y.capped_x2, 1);
}

/* ---- per-day cap ---- */

Test(ledger, daily_cap_ten_on_one_day)
{
	struct ledger_entry v[MAXE];
	size_t n = 0;
	add(v, &n, ymd(2025, 4, 10), 20, SUBJ_PROFESSIONAL, false);
	struct ledger_year y = summarise(v, n, 2025);
	cr_assert_eq(y.total_x2, 16);
	cr_assert_eq(y.professional_x2, 16);
	cr_assert_eq(y.capped_x2, 4);
}

Test(ledger, daily_cap_exactly_eight_and_split_entries)
{
	struct ledger_entry v[MAXE];
	size_t n = 0;
	add(v, &n, ymd(2025, 4, 10), 16, SUBJ_PROFESSIONAL, false);
	struct ledger_year y = summarise(v, n, 2025);
	cr_assert_eq(y.total_x2, 16);
	cr_assert_eq(y.capped_x2, 0);

	/* the cap is per day, not per entry: 5 + 5 on one day → 8 */
	n = 0;
	add(v, &n, ymd(2025, 4, 10), 10, SUBJ_PROFESSIONAL, false);
	add(v, &n, ymd(2025, 4, 10), 10, SUBJ_PROFESSIONAL, false);
	y = summarise(v, n, 2025);
	cr_assert_eq(y.total_x2, 16);
	cr_assert_eq(y.capped_x2, 4);

	/* 8.5 on one day → 0.5 capped */
	n = 0;
	add(v, &n, ymd(2025, 4, 10), 17, SUBJ_GENERAL, false);
	y = summarise(v, n, 2025);
	cr_assert_eq(y.total_x2, 16);
	cr_assert_eq(y.general_x2, 16);
	cr_assert_eq(y.capped_x2, 1);
}

Test(ledger, daily_cap_crediting_order)
{
	struct ledger_entry v[MAXE];
	size_t n = 0;
	struct ledger_year y;

	/* other general 4, compulsory 3, professional 5 (input order reversed) → 5 + 3 + 0 */
	add(v, &n, ymd(2025, 5, 6), 8, SUBJ_GENERAL, false);
	add(v, &n, ymd(2025, 5, 6), 6, SUBJ_GENERAL, true);
	add(v, &n, ymd(2025, 5, 6), 10, SUBJ_PROFESSIONAL, false);
	y = summarise(v, n, 2025);
	cr_assert_eq(y.professional_x2, 10);
	cr_assert_eq(y.compulsory_x2, 6);
	cr_assert_eq(y.general_x2, 6);
	cr_assert_eq(y.total_x2, 16);
	cr_assert_eq(y.capped_x2, 8);

	/* other general 3, compulsory 6 → 6 compulsory + 2 other, 1 capped */
	n = 0;
	add(v, &n, ymd(2025, 5, 6), 6, SUBJ_GENERAL, false);
	add(v, &n, ymd(2025, 5, 6), 12, SUBJ_GENERAL, true);
	y = summarise(v, n, 2025);
	cr_assert_eq(y.professional_x2, 0);
	cr_assert_eq(y.compulsory_x2, 12);
	cr_assert_eq(y.general_x2, 16);
	cr_assert_eq(y.capped_x2, 2);

	/* professional 7.5, compulsory 2 → 7.5 + 0.5 */
	n = 0;
	add(v, &n, ymd(2025, 5, 6), 4, SUBJ_GENERAL, true);
	add(v, &n, ymd(2025, 5, 6), 15, SUBJ_PROFESSIONAL, false);
	y = summarise(v, n, 2025);
	cr_assert_eq(y.professional_x2, 15);
	cr_assert_eq(y.compulsory_x2, 1);
	cr_assert_eq(y.general_x2, 1);
	cr_assert_eq(y.capped_x2, 3);

	/* professional 10 fills the day: general gets nothing */
	n = 0;
	add(v, &n, ymd(2025, 5, 6), 6, SUBJ_GENERAL, true);
	add(v, &n, ymd(2025, 5, 6), 2, SUBJ_GENERAL, false);
	add(v, &n, ymd(2025, 5, 6), 20, SUBJ_PROFESSIONAL, false);
	y = summarise(v, n, 2025);
	cr_assert_eq(y.professional_x2, 16);
	cr_assert_eq(y.general_x2, 0);
	cr_assert_eq(y.compulsory_x2, 0);
	cr_assert_eq(y.capped_x2, 12);
}

Test(ledger, daily_cap_is_per_day)
{
	struct ledger_entry v[MAXE];
	size_t n = 0;
	/* two days of 8, entries interleaved across the days */
	add(v, &n, ymd(2025, 6, 2), 8, SUBJ_PROFESSIONAL, false);
	add(v, &n, ymd(2025, 6, 1), 16, SUBJ_PROFESSIONAL, false);
	add(v, &n, ymd(2025, 6, 2), 8, SUBJ_PROFESSIONAL, false);
	struct ledger_year y = summarise(v, n, 2025);
	cr_assert_eq(y.total_x2, 32);
	cr_assert_eq(y.capped_x2, 0);

	/* the same day's entries far apart in the input still share one cap */
	n = 0;
	add(v, &n, ymd(2025, 6, 1), 10, SUBJ_PROFESSIONAL, false);
	add(v, &n, ymd(2025, 6, 3), 16, SUBJ_GENERAL, false);
	add(v, &n, ymd(2025, 5, 31), 2, SUBJ_GENERAL, true);
	add(v, &n, ymd(2025, 6, 1), 10, SUBJ_PROFESSIONAL, false);
	y = summarise(v, n, 2025);
	cr_assert_eq(y.professional_x2, 16);
	cr_assert_eq(y.general_x2, 18);
	cr_assert_eq(y.total_x2, 34);
	cr_assert_eq(y.capped_x2, 4);

	/* two days of 10 → 16, 4 capped; same day in another month is another day */
	n = 0;
	add(v, &n, ymd(2025, 6, 1), 20, SUBJ_PROFESSIONAL, false);
	add(v, &n, ymd(2025, 7, 1), 20, SUBJ_GENERAL, false);
	y = summarise(v, n, 2025);
	cr_assert_eq(y.professional_x2, 16);
	cr_assert_eq(y.general_x2, 16);
	cr_assert_eq(y.total_x2, 32);
	cr_assert_eq(y.capped_x2, 8);
}

/* ---- reversals ---- */

Test(ledger, reversal_same_day_cancels)
{
	struct ledger_entry v[MAXE];
	size_t n = 0;
	struct ledger_year y;

	add(v, &n, ymd(2025, 8, 8), 8, SUBJ_PROFESSIONAL, false);
	add(v, &n, ymd(2025, 8, 8), -8, SUBJ_PROFESSIONAL, false);
	y = summarise(v, n, 2025);
	cr_assert_eq(y.total_x2, 0);
	cr_assert_eq(y.professional_x2, 0);
	cr_assert_eq(y.capped_x2, 0);
	cr_assert_eq(y.missing_x2, 180);

	/* netted before the cap: 10 − 2 = 8, nothing capped */
	n = 0;
	add(v, &n, ymd(2025, 8, 8), 20, SUBJ_PROFESSIONAL, false);
	add(v, &n, ymd(2025, 8, 8), -4, SUBJ_PROFESSIONAL, false);
	y = summarise(v, n, 2025);
	cr_assert_eq(y.professional_x2, 16);
	cr_assert_eq(y.capped_x2, 0);

	/* reversing a compulsory general entry leaves the other general one alone */
	n = 0;
	add(v, &n, ymd(2025, 8, 8), 6, SUBJ_GENERAL, true);
	add(v, &n, ymd(2025, 8, 8), 6, SUBJ_GENERAL, false);
	add(v, &n, ymd(2025, 8, 8), -6, SUBJ_GENERAL, true);
	y = summarise(v, n, 2025);
	cr_assert_eq(y.compulsory_x2, 0);
	cr_assert_eq(y.general_x2, 6);
	cr_assert_eq(y.total_x2, 6);

	/* a reversal far from its entry in the input, with another day between them */
	n = 0;
	add(v, &n, ymd(2025, 8, 8), 16, SUBJ_PROFESSIONAL, false);
	add(v, &n, ymd(2025, 8, 9), 16, SUBJ_PROFESSIONAL, false);
	add(v, &n, ymd(2025, 8, 8), -16, SUBJ_PROFESSIONAL, false);
	y = summarise(v, n, 2025);
	cr_assert_eq(y.professional_x2, 16);
	cr_assert_eq(y.capped_x2, 0);

	/* the reversal listed first still cancels, and the freed cap goes to the next bucket */
	n = 0;
	add(v, &n, ymd(2025, 8, 8), -16, SUBJ_PROFESSIONAL, false);
	add(v, &n, ymd(2025, 8, 8), 10, SUBJ_GENERAL, false);
	add(v, &n, ymd(2025, 8, 8), 16, SUBJ_PROFESSIONAL, false);
	y = summarise(v, n, 2025);
	cr_assert_eq(y.professional_x2, 0);
	cr_assert_eq(y.general_x2, 10);
	cr_assert_eq(y.capped_x2, 0);
}

Test(ledger, day_never_below_zero)
{
	struct ledger_entry v[MAXE];
	size_t n = 0;
	struct ledger_year y;

	/* a lone reversal on a day does not eat into other days */
	add(v, &n, ymd(2025, 9, 1), -8, SUBJ_PROFESSIONAL, false);
	add(v, &n, ymd(2025, 9, 2), 16, SUBJ_PROFESSIONAL, false);
	y = summarise(v, n, 2025);
	cr_assert_eq(y.professional_x2, 16);
	cr_assert_eq(y.total_x2, 16);
	cr_assert_eq(y.capped_x2, 0);

	/* over-reversal on one day: 4 − 6 counts as 0, not −2 */
	n = 0;
	add(v, &n, ymd(2025, 9, 1), 8, SUBJ_GENERAL, true);
	add(v, &n, ymd(2025, 9, 1), -12, SUBJ_GENERAL, true);
	add(v, &n, ymd(2025, 9, 3), 6, SUBJ_GENERAL, true);
	y = summarise(v, n, 2025);
	cr_assert_eq(y.compulsory_x2, 6);
	cr_assert_eq(y.general_x2, 6);
	cr_assert_eq(y.total_x2, 6);
	cr_assert_eq(y.capped_x2, 0);

	/* only reversals: everything zero, nothing negative */
	n = 0;
	add(v, &n, ymd(2025, 9, 1), -8, SUBJ_PROFESSIONAL, false);
	add(v, &n, ymd(2025, 9, 1), -8, SUBJ_GENERAL, false);
	add(v, &n, ymd(2025, 9, 1), -8, SUBJ_GENERAL, true);
	y = summarise(v, n, 2025);
	cr_assert_eq(y.total_x2, 0);
	cr_assert_eq(y.professional_x2, 0);
	cr_assert_eq(y.general_x2, 0);
	cr_assert_eq(y.compulsory_x2, 0);
	cr_assert_eq(y.capped_x2, 0);
	cr_assert_eq(y.missing_x2, 180);
	cr_assert_eq(y.missing_prof_x2, 120);
}

/* ---- years ---- */

Test(ledger, other_years_ignored)
{
	struct ledger_entry v[MAXE];
	size_t n = 0;
	add(v, &n, ymd(2024, 12, 31), 16, SUBJ_PROFESSIONAL, false);
	add(v, &n, ymd(2025, 1, 1), 4, SUBJ_PROFESSIONAL, false);
	add(v, &n, ymd(2026, 1, 1), 16, SUBJ_GENERAL, false);
	add(v, &n, ymd(2025, 12, 31), 2, SUBJ_GENERAL, false);
	add(v, &n, ymd(2024, 6, 1), 16, SUBJ_GENERAL, false);
	struct ledger_year y = summarise(v, n, 2025);
	cr_assert_eq(y.professional_x2, 4);
	cr_assert_eq(y.general_x2, 2);
	cr_assert_eq(y.total_x2, 6);

	y = summarise(v, n, 2024);
	cr_assert_eq(y.professional_x2, 16);
	cr_assert_eq(y.general_x2, 16);
	cr_assert_eq(y.total_x2, 32);

	y = summarise(v, n, 2026);
	cr_assert_eq(y.professional_x2, 0);
	cr_assert_eq(y.general_x2, 16);
}

Test(ledger, rule_change_mid_year)
{
	const struct ce_rule rules[] = {
		rule(2025, 7, 1, 144, 12),      /* listed first on purpose */
		rule(2020, 1, 1, 180, 16),
	};
	struct ledger_entry v[MAXE];
	struct ledger_year y;
	size_t n = 0;

	add(v, &n, ymd(2025, 6, 30), 20, SUBJ_PROFESSIONAL, false);  /* cap 8 → 8, 2 capped */
	add(v, &n, ymd(2025, 7, 1), 20, SUBJ_PROFESSIONAL, false);   /* cap 6 → 6, 4 capped */
	add(v, &n, ymd(2025, 7, 2), 14, SUBJ_GENERAL, false);        /* cap 6 → 6, 1 capped */
	add(v, &n, ymd(2025, 1, 2), 14, SUBJ_GENERAL, true);         /* cap 8 → 7 */
	cr_assert_eq(ledger_year(v, n, rules, NELEM(rules), 2025, &y), 0);
	cr_assert_eq(y.professional_x2, 16 + 12);
	cr_assert_eq(y.general_x2, 12 + 14);
	cr_assert_eq(y.compulsory_x2, 14);
	cr_assert_eq(y.total_x2, 54);
	cr_assert_eq(y.capped_x2, 4 + 8 + 2);
	/* requirement from the rule in force on 31 December: 72, of which 48 professional */
	cr_assert_eq(y.required_x2, 144);
	cr_assert_eq(y.required_prof_x2, 96);
	cr_assert_eq(y.missing_prof_x2, 96 - 28);
	cr_assert_eq(y.missing_x2, 144 - 54);

	/* the year before is under the old rule throughout */
	n = 0;
	add(v, &n, ymd(2024, 7, 1), 20, SUBJ_PROFESSIONAL, false);
	cr_assert_eq(ledger_year(v, n, rules, NELEM(rules), 2024, &y), 0);
	cr_assert_eq(y.required_x2, 180);
	cr_assert_eq(y.required_prof_x2, 120);
	cr_assert_eq(y.professional_x2, 16);
	cr_assert_eq(y.capped_x2, 4);
}

Test(ledger, requirement_is_the_rule_on_31_december)
{
	const struct ce_rule rules[] = {
		rule(2020, 1, 1, 180, 16),
		rule(2025, 12, 31, 144, 16),
		rule(2026, 1, 1, 100, 16),
	};
	struct ledger_year y;
	cr_assert_eq(ledger_year(NULL, 0, rules, NELEM(rules), 2025, &y), 0);
	cr_assert_eq(y.required_x2, 144);
	cr_assert_eq(y.required_prof_x2, 96);
	cr_assert_eq(ledger_year(NULL, 0, rules, NELEM(rules), 2024, &y), 0);
	cr_assert_eq(y.required_x2, 180);
	cr_assert_eq(ledger_year(NULL, 0, rules, NELEM(rules), 2026, &y), 0);
	cr_assert_eq(y.required_x2, 100);
}

Test(ledger, no_rule_for_year)
{
	const struct ce_rule later = rule(2026, 1, 1, 180, 16);
	struct ledger_entry v[MAXE];
	struct ledger_year y;
	size_t n = 0;
	add(v, &n, ymd(2025, 3, 3), 16, SUBJ_PROFESSIONAL, false);
	cr_assert_eq(ledger_year(v, n, &later, 1, 2025, &y), -1);
	cr_assert_eq(ledger_year(v, n, NULL, 0, 2025, &y), -1);
	cr_assert_eq(ledger_year(v, n, &later, 1, 2026, &y), 0);
}

Test(ledger, year_without_entries)
{
	struct ledger_year y;
	cr_assert_eq(ledger_year(NULL, 0, DEFAULT_RULES, NELEM(DEFAULT_RULES), 2025, &y), 0);
	cr_assert_eq(y.total_x2, 0);
	cr_assert_eq(y.professional_x2, 0);
	cr_assert_eq(y.general_x2, 0);
	cr_assert_eq(y.compulsory_x2, 0);
	cr_assert_eq(y.capped_x2, 0);
	cr_assert_eq(y.required_x2, 180);
	cr_assert_eq(y.required_prof_x2, 120);
	cr_assert_eq(y.missing_x2, 180);
	cr_assert_eq(y.missing_prof_x2, 120);
	cr_assert_not(y.met);

	/* entries only in other years: same result */
	struct ledger_entry v[MAXE];
	size_t n = 0;
	add(v, &n, ymd(2024, 5, 5), 16, SUBJ_PROFESSIONAL, false);
	y = summarise(v, n, 2025);
	cr_assert_eq(y.total_x2, 0);
	cr_assert_eq(y.missing_x2, 180);
	cr_assert_eq(y.missing_prof_x2, 120);
	cr_assert_not(y.met);
}

/* ---- messages ---- */

static void
message_for(int prof_x2, int gen_x2, char *buf, size_t cap)
{
	struct ledger_entry v[MAXE];
	size_t n = 0;
	int doy = 1;
	spread(v, &n, 2025, &doy, prof_x2, SUBJ_PROFESSIONAL, false);
	spread(v, &n, 2025, &doy, gen_x2, SUBJ_GENERAL, false);
	struct ledger_year y = summarise(v, n, 2025);
	ledger_message(&y, buf, cap);
}

Test(ledger, messages)
{
	char buf[128];
	message_for(120, 60, buf, sizeof(buf));
	cr_assert_str_eq(buf, "已达标");
	message_for(200, 0, buf, sizeof(buf));
	cr_assert_str_eq(buf, "已达标");
	message_for(60, 120, buf, sizeof(buf));          /* 30 + 60 */
	cr_assert_str_eq(buf, "还差 30 学时，其中专业科目还差 30 学时");
	message_for(120, 59, buf, sizeof(buf));          /* 60 + 29.5 */
	cr_assert_str_eq(buf, "还差 0.5 学时");
	message_for(119, 61, buf, sizeof(buf));          /* 59.5 + 30.5 */
	cr_assert_str_eq(buf, "还差 0.5 学时，其中专业科目还差 0.5 学时");
	message_for(0, 180, buf, sizeof(buf));           /* 90 general */
	cr_assert_str_eq(buf, "还差 60 学时，其中专业科目还差 60 学时");
	message_for(0, 0, buf, sizeof(buf));
	cr_assert_str_eq(buf, "还差 90 学时，其中专业科目还差 60 学时");
}

Test(ledger, message_respects_buffer_size)
{
	struct ledger_year y = { .year = 2025, .required_x2 = 180, .required_prof_x2 = 120,
		.missing_x2 = 180, .missing_prof_x2 = 120, .met = false };
	char buf[16];
	memset(buf, '#', sizeof(buf));
	ledger_message(&y, buf, 8);
	cr_assert_eq(buf[8], '#', "wrote past cap");
	cr_assert_eq(strnlen(buf, 8), 7, "not NUL-terminated within cap");
	cr_assert_eq(strncmp(buf, "还差 ", 7), 0);

	/* the shorter form, without a professional part */
	y.missing_x2 = 1;
	y.missing_prof_x2 = 0;
	memset(buf, '#', sizeof(buf));
	ledger_message(&y, buf, 8);
	cr_assert_eq(buf[8], '#', "wrote past cap");
	cr_assert_eq(strnlen(buf, 8), 7, "not NUL-terminated within cap");
	cr_assert_eq(strncmp(buf, "还差 ", 7), 0);
}

/* ---- hours_text ---- */

struct hours_case {
	int x2;
	char want[16];
};

ParameterizedTestParameters(ledger, hours_text)
{
	static struct hours_case cases[] = {
		{ 0, "0" }, { 1, "0.5" }, { 2, "1" }, { 3, "1.5" }, { 180, "90" },
		{ 121, "60.5" }, { 119, "59.5" }, { -1, "-0.5" }, { -2, "-1" }, { -3, "-1.5" },
		{ -121, "-60.5" },
	};
	return cr_make_param_array(struct hours_case, cases, NELEM(cases));
}

ParameterizedTest(struct hours_case *c, ledger, hours_text)
{
	char buf[32];
	memset(buf, '#', sizeof(buf));
	hours_text(c->x2, buf, sizeof(buf));
	cr_assert_str_eq(buf, c->want, "x2 %d: got '%s'", c->x2, buf);
}
