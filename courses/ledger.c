#include "ledger.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct ce_rule *
ce_rule_for(const struct ce_rule *r, size_t n, struct ymd on)
{
	const struct ce_rule *best = NULL;
	for (size_t i = 0; i < n; i++)
		if (ymd_cmp(r[i].effective_from, on) <= 0 &&
		    (best == NULL || ymd_cmp(r[i].effective_from, best->effective_from) > 0))
			best = &r[i];
	return best;
}

/* Net hours of one day in the three credit buckets, in crediting order. */
enum { B_PROF, B_COMPULSORY, B_GENERAL, NBUCKETS };

static int
bucket(const struct ledger_entry *e)
{
	if (e->subject == SUBJ_PROFESSIONAL)
		return B_PROF;
	return e->compulsory ? B_COMPULSORY : B_GENERAL;
}

static int
cmp_entry_day(const void *a, const void *b)
{
	const struct ledger_entry *x = *(const struct ledger_entry *const *)a;
	const struct ledger_entry *y = *(const struct ledger_entry *const *)b;
	return ymd_cmp(x->on, y->on);
}

int
ledger_year(const struct ledger_entry *e, size_t n, const struct ce_rule *rules, size_t nr,
    int year, struct ledger_year *out)
{
	const struct ledger_entry **day;
	size_t nd = 0;

	memset(out, 0, sizeof(*out));
	out->year = year;
	if (ce_rule_for(rules, nr, (struct ymd){ year, 12, 31 }) == NULL)
		return -1;
	day = malloc((n ? n : 1) * sizeof(*day));
	if (day == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (e[i].on.y == year)
			day[nd++] = &e[i];
	qsort(day, nd, sizeof(*day), cmp_entry_day);

	for (size_t i = 0; i < nd;) {
		int net[NBUCKETS] = { 0 };
		size_t j = i;
		for (; j < nd && ymd_cmp(day[j]->on, day[i]->on) == 0; j++)
			net[bucket(day[j])] += day[j]->hours_x2;
		const struct ce_rule *dr = ce_rule_for(rules, nr, day[i]->on);
		int room = dr ? dr->daily_cap_x2 : 0;
		for (int b = 0; b < NBUCKETS; b++) {
			int h = net[b] > 0 ? net[b] : 0;   /* a day cannot go below zero */
			int credit = h < room ? h : room;
			room -= credit;
			out->capped_x2 += h - credit;
			out->total_x2 += credit;
			if (b == B_PROF)
				out->professional_x2 += credit;
			else {
				out->general_x2 += credit;
				if (b == B_COMPULSORY)
					out->compulsory_x2 += credit;
			}
		}
		i = j;
	}
	free(day);
	return ledger_judge(out, rules, nr);
}

int
ledger_judge(struct ledger_year *out, const struct ce_rule *rules, size_t nr)
{
	const struct ce_rule *yr = ce_rule_for(rules, nr, (struct ymd){ out->year, 12, 31 });
	if (yr == NULL)
		return -1;
	out->required_x2 = yr->annual_x2;
	/* Rounded up to a half-hour: 2/3 of 90 is 60; 2/3 of 91 is 60.67 → 61 (x2 122 → ceil). */
	long num = (long)yr->annual_x2 * yr->prof_num;
	out->required_prof_x2 = (int)((num + yr->prof_den - 1) / yr->prof_den);
	out->missing_x2 = out->required_x2 > out->total_x2 ? out->required_x2 - out->total_x2 : 0;
	out->missing_prof_x2 = out->required_prof_x2 > out->professional_x2 ?
	    out->required_prof_x2 - out->professional_x2 : 0;
	/* Professional hours missing also raise the total missing: general ones cannot fill them. */
	int general_room = out->required_x2 - out->required_prof_x2;
	int usable = out->professional_x2 + (out->general_x2 < general_room ? out->general_x2 :
	    general_room);
	if (out->required_x2 - usable > out->missing_x2)
		out->missing_x2 = out->required_x2 - usable;
	out->met = out->missing_x2 == 0 && out->missing_prof_x2 == 0;
	return 0;
}

void
hours_text(int x2, char *buf, size_t cap)
{
	if (x2 % 2 == 0)
		snprintf(buf, cap, "%d", x2 / 2);
	else
		snprintf(buf, cap, "%s%d.5", x2 < 0 && x2 / 2 == 0 ? "-" : "", x2 / 2);
}

void
ledger_message(const struct ledger_year *y, char *buf, size_t cap)
{
	char a[16], b[16];
	if (y->met) {
		snprintf(buf, cap, "已达标");
		return;
	}
	hours_text(y->missing_x2, a, sizeof(a));
	hours_text(y->missing_prof_x2, b, sizeof(b));
	if (y->missing_prof_x2 > 0)
		snprintf(buf, cap, "还差 %s 学时，其中专业科目还差 %s 学时", a, b);
	else
		snprintf(buf, cap, "还差 %s 学时", a);
}
