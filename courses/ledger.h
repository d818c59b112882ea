#ifndef TM_LEDGER_H
#define TM_LEDGER_H
#include <stdbool.h>
#include <stddef.h>

#include "date.h"

/*
 * The continuing-education credit ledger (domain.md §7): pure arithmetic over entries and
 * rules, no database. Hours are half-hours (x2) throughout so 0.5 学时 add exactly.
 */
struct ce_rule {
	struct ymd effective_from;
	int annual_x2;          /* required per calendar year (DEFAULT 90 学时 → 180) */
	int prof_num, prof_den; /* professional share of annual (DEFAULT 2/3) */
	int daily_cap_x2;       /* at most this much counts per calendar day (DEFAULT 8 → 16) */
	int minutes_per_hour;   /* length of one 学时 (DEFAULT 45) */
	bool carry_over;        /* DEFAULT no: reported, not applied (see ledger.c) */
};

enum subject { SUBJ_PROFESSIONAL, SUBJ_GENERAL };

struct ledger_entry {
	struct ymd on;
	int hours_x2;           /* negative for a reversing entry */
	enum subject subject;
	bool compulsory;        /* 必修 (meaningful for 公需) */
};

struct ledger_year {
	int year;
	int total_x2, professional_x2, general_x2, compulsory_x2;
	int capped_x2;          /* hours over a day's cap, not counted */
	int required_x2, required_prof_x2;
	int missing_x2, missing_prof_x2;
	bool met;
};

/* The rule in force on a date (latest effective_from ≤ date), or NULL. rules in any order. */
const struct ce_rule *ce_rule_for(const struct ce_rule *, size_t, struct ymd);

/*
 * Summarises one calendar year. Entries of a day are netted per (subject, compulsory) —
 * a reversal cancels what it reverses — then credited professional first, then compulsory
 * general, then other general, until that day's cap (the rule in force that day); the rest
 * is `capped`. The requirement is the rule in force on 31 December of the year; the
 * professional part is annual × num / den rounded up to a half-hour. "met" needs both the
 * total and the professional part: general hours never make up for professional ones.
 * Returns -1 when no rule covers the year.
 */
int	 ledger_year(const struct ledger_entry *, size_t, const struct ce_rule *, size_t, int year,
	    struct ledger_year *out);

/*
 * Judges a year whose totals (total, professional, general, compulsory, capped) are
 * already summed: sets the requirement from the rule in force on 31 December, the missing
 * hours and "met" exactly as ledger_year does. -1 when no rule covers the year.
 */
int	 ledger_judge(struct ledger_year *, const struct ce_rule *, size_t);

/* "已达标" or "还差 X 学时，其中专业科目还差 Y 学时" (zh-CN) into buf. */
void	 ledger_message(const struct ledger_year *, char *buf, size_t cap);

/* Formats half-hours as 学时 text: 180 → "90", 121 → "60.5". */
void	 hours_text(int x2, char *buf, size_t cap);

#endif
