/*
 * certs/progress_rule: who counts toward the 3,000-manager goal (domain.md §1, DEFAULT rule:
 * distinct persons, valid or expired, not revoked, first issued in 2024-01-01..2027-12-31),
 * what each counted person adds to the counters, and the projection.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "certs/progress_rule.h"

static const struct prog_rule RULE = {
	.version = 1, .from = { 2024, 1, 1 }, .to = { 2027, 12, 31 },
	.deadline = { 2027, 12, 31 }, .goal = 3000, .valid_counts = true,
	.suspended_counts = false, .node = "",
};

static struct prog_cert
cert(int64_t id, char level, const char *status, int y, int m, int d, int64_t base)
{
	struct prog_cert c = { .level = level, .first_on = { y, m, d }, .base_id = base, .id = id };
	snprintf(c.status, sizeof(c.status), "%s", status);
	snprintf(c.serial, sizeof(c.serial), "TM-SH-%04d-%c-%06lld-X", y, level, (long long)id);
	return c;
}

/* The counter moves of a change, as "dim/k:+1" strings joined by spaces. */
static void
moves(const struct prog_person *a, const struct prog_person *b, char *out, size_t cap)
{
	struct prog_key k[2 * PROG_KEYS_MAX];
	int s[2 * PROG_KEYS_MAX];
	size_t n = prog_delta(a, b, k, s), len = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(out + len, cap - len, "%s%s/%s:%+d", i ? " " : "", k[i].dim,
		    k[i].k, s[i]);
}

Test(progress_rule, same_person_two_levels_counts_once_overall_once_per_level)
{
	struct prog_cert c[] = { cert(1, 'J', "valid", 2024, 5, 10, 7),
		cert(2, 'I', "valid", 2025, 9, 1, 8) };
	struct prog_person p;
	struct prog_key k[PROG_KEYS_MAX];
	prog_person_of(&RULE, c, 2, &p);
	cr_assert(p.counted);
	cr_assert_eq(p.levels, PROG_J | PROG_I);
	cr_assert_eq(p.first_on.y, 2024);
	cr_assert_eq(p.first_on.m, 5);
	cr_assert_eq(p.base_id, 7, "attributed to the base of the first certificate");
	size_t n = prog_keys(&p, k);
	int total = 0, level = 0, is = 0, month = 0, base = 0, top = 0;
	for (size_t i = 0; i < n; i++) {
		total += !strcmp(k[i].dim, "total");
		level += !strcmp(k[i].dim, "level");
		is += !strcmp(k[i].dim, "is");
		month += !strcmp(k[i].dim, "month");
		base += !strcmp(k[i].dim, "base");
		if (!strcmp(k[i].dim, "top")) {
			top++;
			cr_assert_str_eq(k[i].k, "intermediate");
		}
	}
	cr_assert_eq(total, 1);
	cr_assert_eq(level, 2, "once in each level's breakdown");
	cr_assert_eq(is, 1);
	cr_assert_eq(month, 1);
	cr_assert_eq(base, 1);
	cr_assert_eq(top, 1);

	/* moving up: the intermediate certificate issued later changes level/is/top, not total */
	struct prog_person before;
	prog_person_of(&RULE, c, 1, &before);
	char buf[512];
	moves(&before, &p, buf, sizeof(buf));
	cr_assert_str_eq(buf, "base_level/8:intermediate:+1 is/:+1 level/intermediate:+1"
	    " top/intermediate:+1 top/junior:-1");
}

Test(progress_rule, revoked_then_reinstated)
{
	struct prog_cert c = cert(1, 'J', "valid", 2025, 3, 3, 1);
	struct prog_person valid, revoked, suspended, back;
	prog_person_of(&RULE, &c, 1, &valid);
	snprintf(c.status, sizeof(c.status), "revoked");
	prog_person_of(&RULE, &c, 1, &revoked);
	cr_assert(valid.counted);
	cr_assert_not(revoked.counted);
	/* revoke is final in tmcred; the reinstated state is suspended -> valid */
	snprintf(c.status, sizeof(c.status), "suspended");
	prog_person_of(&RULE, &c, 1, &suspended);
	cr_assert_not(suspended.counted, "DEFAULT rule: a suspended certificate does not count");
	snprintf(c.status, sizeof(c.status), "valid");
	prog_person_of(&RULE, &c, 1, &back);
	cr_assert(prog_person_equal(&valid, &back));
	char buf[512];
	moves(&valid, &suspended, buf, sizeof(buf));
	cr_assert(strstr(buf, "total/:-1") != NULL, "%s", buf);
	moves(&suspended, &back, buf, sizeof(buf));
	cr_assert(strstr(buf, "total/:+1") != NULL, "%s", buf);
	moves(&valid, &back, buf, sizeof(buf));
	cr_assert_str_eq(buf, "", "revoke + reinstate round trip leaves every counter");

	/* a rule that counts suspended certificates */
	struct prog_rule r = RULE;
	r.suspended_counts = true;
	prog_person_of(&r, &c, 1, &back);
	snprintf(c.status, sizeof(c.status), "suspended");
	prog_person_of(&r, &c, 1, &suspended);
	cr_assert(suspended.counted);
}

Test(progress_rule, revoking_the_first_certificate_moves_the_month_and_base)
{
	struct prog_cert c[] = { cert(1, 'J', "revoked", 2024, 2, 1, 3),
		cert(2, 'I', "valid", 2026, 4, 30, 4) };
	struct prog_person p;
	prog_person_of(&RULE, c, 2, &p);
	cr_assert(p.counted);
	cr_assert_eq(p.first_on.y, 2026);
	cr_assert_eq(p.first_on.m, 4);
	cr_assert_eq(p.base_id, 4);
	cr_assert_eq(p.levels, PROG_I);
}

Test(progress_rule, expired_counts_like_valid)
{
	/* expiry is never stored: an expired certificate reads status "valid" with a past expiry,
	   and the rule keeps valid and expired together, so the calendar cannot move the count */
	struct prog_cert c = cert(1, 'S', "valid", 2024, 1, 1, 1);
	struct prog_person p;
	prog_person_of(&RULE, &c, 1, &p);
	cr_assert(p.counted);
	struct prog_rule none = RULE;
	none.valid_counts = false;
	prog_person_of(&none, &c, 1, &p);
	cr_assert_not(p.counted);
}

Test(progress_rule, window_edges)
{
	struct prog_person p;
	struct prog_cert c;
	c = cert(1, 'J', "valid", 2023, 12, 31, 1);
	prog_person_of(&RULE, &c, 1, &p);
	cr_assert_not(p.counted, "one day before the window");
	c = cert(1, 'J', "valid", 2024, 1, 1, 1);
	prog_person_of(&RULE, &c, 1, &p);
	cr_assert(p.counted, "first day of the window");
	c = cert(1, 'J', "valid", 2027, 12, 31, 1);
	prog_person_of(&RULE, &c, 1, &p);
	cr_assert(p.counted, "last day of the window");
	c = cert(1, 'J', "valid", 2028, 1, 1, 1);
	prog_person_of(&RULE, &c, 1, &p);
	cr_assert_not(p.counted, "one day after the window");
	/* certified before the window, moved up inside it: counts from the later certificate */
	struct prog_cert two[] = { cert(1, 'J', "valid", 2022, 6, 1, 1),
		cert(2, 'I', "valid", 2024, 3, 1, 2) };
	prog_person_of(&RULE, two, 2, &p);
	cr_assert(p.counted);
	cr_assert_eq(p.levels, PROG_I);
	cr_assert_eq(p.first_on.m, 3);
}

Test(progress_rule, node_filter)
{
	struct prog_rule r = RULE;
	struct prog_person p;
	struct prog_cert c = cert(1, 'J', "valid", 2025, 1, 1, 1);
	snprintf(r.node, sizeof(r.node), "SH");
	prog_person_of(&r, &c, 1, &p);
	cr_assert(p.counted);
	snprintf(c.serial, sizeof(c.serial), "TM-SHX-2025-J-000001-X");
	prog_person_of(&r, &c, 1, &p);
	cr_assert_not(p.counted, "a node whose code only starts with SH is another node");
	snprintf(c.serial, sizeof(c.serial), "TM-JS-2025-J-000001-X");
	prog_person_of(&r, &c, 1, &p);
	cr_assert_not(p.counted);
}

Test(progress_rule, ties_go_to_the_older_certificate)
{
	struct prog_cert c[] = { cert(9, 'I', "valid", 2025, 1, 1, 2),
		cert(5, 'J', "valid", 2025, 1, 1, 1) };
	struct prog_person p;
	prog_person_of(&RULE, c, 2, &p);
	cr_assert_eq(p.base_id, 1);
}

Test(progress_rule, delta_is_sorted_and_complete)
{
	struct prog_person none = { 0 }, p;
	struct prog_cert c = cert(1, 'J', "valid", 2025, 7, 1, 3);
	prog_person_of(&RULE, &c, 1, &p);
	char buf[512];
	moves(&none, &p, buf, sizeof(buf));
	cr_assert_str_eq(buf, "base/3:+1 base_level/3:junior:+1 base_month/3:2025-07:+1"
	    " level/junior:+1 month/2025-07:+1 top/junior:+1 total/:+1");
	moves(&p, &none, buf, sizeof(buf));
	cr_assert_str_eq(buf, "base/3:-1 base_level/3:junior:-1 base_month/3:2025-07:-1"
	    " level/junior:-1 month/2025-07:-1 top/junior:-1 total/:-1");
}

Test(progress_projection, slope_of_a_line)
{
	long y[] = { 100, 150, 200, 250, 300, 350 };
	cr_assert_float_eq(prog_slope(y, 6), 50.0, 1e-9);
	long flat[] = { 7, 7, 7 };
	cr_assert_float_eq(prog_slope(flat, 3), 0.0, 1e-9);
	cr_assert_float_eq(prog_slope(y, 1), 0.0, 1e-9);
}

static int
mi(int y, int m)
{
	return y * 12 + m - 1;
}

Test(progress_projection, synthetic_series)
{
	/* 2024-01 .. 2026-11 (35 months, the last one partial): 40 a month, then a current
	   month with 15 so far */
	long cum[35];
	for (int i = 0; i < 34; i++)
		cum[i] = 40L * (i + 1);
	cum[34] = cum[33] + 15;
	struct prog_projection p;
	prog_project(cum, 35, mi(2024, 1), mi(2027, 12), 3000, 0, &p);
	cr_assert(p.has_pace);
	cr_assert_eq(p.fit_months, 6);
	cr_assert_float_eq(p.pace, 40.0, 1e-9);
	/* last full month 2026-10 has 1360; 14 months to 2027-12: 1360 + 560 = 1920 */
	cr_assert_eq(p.projected, 1920);
	cr_assert_not(p.on_track);
	cr_assert_not(p.reached);
	/* (3000 - 1360) / 40 = 41 months after 2026-10 -> 2030-03 */
	cr_assert_eq(p.goal_month, mi(2030, 3));
	cr_assert_not(p.reaches);
	cr_assert_eq(p.months_left, 14, "2026-11 .. 2027-12");
	cr_assert_float_eq(p.pace_needed, (3000.0 - 1375) / 14, 1e-9);

	/* the baseline is added once: 1,100 people certified before tmcred */
	prog_project(cum, 35, mi(2024, 1), mi(2027, 12), 3000, 1100, &p);
	cr_assert_eq(p.projected, 1920 + 1100);
	cr_assert(p.on_track);
	cr_assert_float_eq(p.pace_needed, (3000.0 - 1375 - 1100) / 14, 1e-9);
	/* (3000 - 1100 - 1360) / 40 = 13.5 -> 14 months after 2026-10 = 2027-12 */
	cr_assert_eq(p.goal_month, mi(2027, 12));
	cr_assert(p.reaches);
}

Test(progress_projection, uses_only_the_last_six_full_months)
{
	/* fast start (100/month for a year), then 10/month: the pace is the recent one */
	long cum[20];
	long c = 0;
	for (int i = 0; i < 20; i++) {
		c += i < 12 ? 100 : 10;
		cum[i] = c;
	}
	struct prog_projection p;
	prog_project(cum, 20, mi(2024, 1), mi(2027, 12), 3000, 0, &p);
	cr_assert_float_eq(p.pace, 10.0, 1e-9);
}

Test(progress_projection, too_early_and_already_reached)
{
	long one[] = { 5 };
	struct prog_projection p;
	prog_project(one, 1, mi(2024, 1), mi(2027, 12), 3000, 0, &p);
	cr_assert_not(p.has_pace);
	cr_assert_eq(p.goal_month, -1);
	cr_assert_eq(p.projected, 5);
	long two[] = { 5, 9, 12 };
	prog_project(two, 3, mi(2024, 1), mi(2027, 12), 3000, 0, &p);
	cr_assert(p.has_pace);
	cr_assert_eq(p.fit_months, 2);
	cr_assert_float_eq(p.pace, 4.0, 1e-9);
	long done[] = { 1000, 2000, 3100 };
	prog_project(done, 3, mi(2024, 1), mi(2027, 12), 3000, 0, &p);
	cr_assert(p.reached);
	cr_assert(p.on_track);
	cr_assert_float_eq(p.pace_needed, 0.0, 1e-9);
	/* falling pace (revocations): never below today's count, no goal date */
	long down[] = { 100, 90, 80, 70 };
	prog_project(down, 4, mi(2024, 1), mi(2027, 12), 3000, 0, &p);
	cr_assert_eq(p.projected, 70);
	cr_assert_eq(p.goal_month, -1);
	cr_assert_not(p.on_track);
}
