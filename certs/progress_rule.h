#ifndef TM_PROGRESS_RULE_H
#define TM_PROGRESS_RULE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../courses/date.h"

/*
 * The goal-progress counting rule as pure functions (no database, no allocation), so the
 * edge cases are unit-tested: who counts, what each counted person adds to the counters, and
 * the projection. certs/progress.c applies them inside every certificate transaction.
 */

/* A rule version (table progress_rules). */
struct prog_rule {
	int version;
	struct ymd from, to, deadline;   /* window of first issue; the goal's date */
	long goal;
	bool valid_counts;               /* 'valid' and 'expired' (in or out together) */
	bool suspended_counts;
	char node[5];                    /* "" = this registry's own certificates, any serial */
};

/* One certificate of a person, as stored (expiry is never stored, see 0006). */
struct prog_cert {
	char level;                      /* 'J', 'I', 'S' */
	char status[12];                 /* "valid" | "suspended" | "revoked" */
	struct ymd first_on;             /* first_issued_on: renewals keep it */
	int64_t base_id;                 /* 0 = none recorded */
	int64_t id;                      /* ties of first_on go to the older certificate */
	char serial[24];
};

#define PROG_J 1u
#define PROG_I 2u
#define PROG_S 4u

/* What one person contributes; counted == false means nothing. */
struct prog_person {
	bool counted;
	struct ymd first_on;             /* earliest first issue among counted certificates */
	int64_t base_id;                 /* base of that certificate */
	unsigned levels;                 /* PROG_J | PROG_I | PROG_S of counted certificates */
	int64_t level_base[3];           /* base of each counted level's certificate */
};

/* A counter row: dim and key of progress_counts. */
struct prog_key {
	char dim[13];
	char k[33];
};
#define PROG_KEYS_MAX 12

bool	 prog_cert_counts(const struct prog_rule *, const struct prog_cert *);
/* The person under the rule from all their certificates (at most one per level). */
void	 prog_person_of(const struct prog_rule *, const struct prog_cert *, size_t n,
	    struct prog_person *);
/* The counter rows a person adds 1 to (none when not counted); returns how many. */
size_t	 prog_keys(const struct prog_person *, struct prog_key out[PROG_KEYS_MAX]);
/*
 * The counter changes from old to new: keys[i] moves by sign[i] (+1/-1); keys both hold are
 * left out. Sorted by (dim, k) so concurrent transactions lock counter rows in one order.
 */
size_t	 prog_delta(const struct prog_person *old, const struct prog_person *now,
	    struct prog_key keys[2 * PROG_KEYS_MAX], int sign[2 * PROG_KEYS_MAX]);
bool	 prog_person_equal(const struct prog_person *, const struct prog_person *);

/* "junior"... of a level letter, and back (0 for anything else). */
const char *prog_level_name(char letter);
char	 prog_level_letter(const char *name);

/*
 * Projection. Months are indices y * 12 + (m - 1). The pace is the slope of the least-squares
 * line through the cumulative counts of the last PROG_FIT_MONTHS full months (fewer at the
 * start of the window, at least 2), carried forward from the last full month's count to the
 * end of the deadline's month.
 */
#define PROG_FIT_MONTHS 6
struct prog_projection {
	bool has_pace;                   /* enough full months to fit a line */
	int fit_months;                  /* how many the fit used */
	double pace;                     /* persons per month (may be <= 0) */
	long projected;                  /* on the deadline, baseline included */
	bool reached;                    /* the goal is already met (baseline included) */
	bool reaches;                    /* reached or reached by the deadline at the pace */
	int goal_month;                  /* month index when reached at the pace; -1 = never */
	bool on_track;                   /* projected >= goal */
	double pace_needed;              /* persons per month from now to the deadline's month */
	int months_left;                 /* current month .. deadline month, inclusive */
};
/*
 * cum[i] = cumulative count (without baseline) at the end of month first + i, for i in
 * 0..n-1, where month first + n - 1 is the current (partial) month; total = cum[n-1].
 */
void	 prog_project(const long *cum, size_t n, int first, int deadline_month, long goal,
	    long baseline, struct prog_projection *);

/* Least-squares slope of y over x = 0..n-1 (0 when n < 2). */
double	 prog_slope(const long *y, size_t n);

#endif
