#ifndef TM_ELIGIBILITY_JUDGE_H
#define TM_ELIGIBILITY_JUDGE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "date.h"
#include "eligibility.h"

/*
 * The eligibility judge: pure arithmetic over a person's facts and the level's rule
 * versions, no database (eligibility.c gathers the facts). Scores are hundredths
 * (DECIMAL(5,2) × 100), hours half-hours, amounts whole 元.
 */

enum edu { EDU_NONE, EDU_HIGH_SCHOOL, EDU_ASSOCIATE, EDU_BACHELOR, EDU_MASTER, EDU_DOCTOR, EDU_N };
enum lvl { LVL_NONE, LVL_JUNIOR, LVL_INTERMEDIATE, LVL_SENIOR };
enum part { PART_WRITTEN, PART_CASE, PART_DEFENCE, PART_N };

#define PARTS_BIT(p) (1u << (p))
#define JUDGE_MAX_RULES 64        /* versions of one level's rules */
#define JUDGE_MAX_RESULTS 64      /* scores of one part read per judgement (the latest) */
#define JUDGE_MAX_EVENTS 32       /* integrity events of one person */
#define JUDGE_MAX_WORK 32         /* verified work periods */
#define JUDGE_MAX_MISSING 16      /* compulsory courses named in one message */

/* One version of a level's rules (a level_rules row). */
struct level_rule {
	struct ymd effective_from;
	enum edu min_education;
	int work_years[EDU_N];       /* by highest education; -1 = that education has no experience path */
	enum lvl prior_level;        /* LVL_NONE: no prior level asked */
	int prior_years;
	bool prior_or_work;          /* prior level OR the experience path suffices */
	int hours_x2, practical_x2;
	bool all_compulsory;
	int deals_count;
	bool deals_lead_only;        /* count only deals led (主持) */
	int64_t deals_amount;        /* 元; 0 = no amount path */
	bool amount_received;        /* count received amounts instead of contract amounts */
	int case_reports, other_works;
	int integrity_years;
	unsigned parts;              /* PARTS_BIT(PART_WRITTEN) | ... */
	int pass[PART_N];            /* pass mark 0..100 */
	int panel_min, vote_num, vote_den;
	int valid_months;
};

struct work_period { struct ymd from, to; bool open; };   /* open: still there */
struct integrity_event { struct ymd opened, closed; bool open; };
/* One score of one part (written, case: a score; defence: a panel's figures). */
struct part_result {
	enum part part;
	struct ymd on;
	int score_x100;              /* written/case; defence: the panel mean (informative) */
	int experts, sum_x100, pass_votes;   /* defence only */
};

struct person_facts {
	enum edu education;          /* highest verified, EDU_NONE if none */
	struct work_period work[JUDGE_MAX_WORK];
	size_t nwork;
	bool has_prior;              /* holds the rule's prior level (active) */
	struct ymd prior_since;
	int hours_x2, practical_x2;  /* at a base, in the level's catalogue, up to the date */
	size_t compulsory_missing;   /* compulsory courses of the level not completed */
	char missing_codes[ELIG_VALUE_MAX];   /* their codes, comma-separated (may be cut) */
	int deals_lead, deals_all;
	int64_t amount_contract, amount_received;
	int case_reports, other_works;
	struct integrity_event events[JUDGE_MAX_EVENTS];
	size_t nevents;
	struct part_result results[JUDGE_MAX_RESULTS * PART_N];
	size_t nresults;
};

/* The version in force on a date (latest effective_from ≤ on), or NULL. Any order. */
const struct level_rule *level_rule_for(const struct level_rule *, size_t, struct ymd on);

/*
 * A defence panel passes iff mean ≥ pass mark AND pass votes ≥ num/den of the experts.
 * Integer arithmetic: sum_x100 ≥ pass × 100 × experts, votes × den ≥ num × experts.
 */
bool	 panel_passes(const struct level_rule *, int experts, int sum_x100, int pass_votes);

/* Whole months from a to b (b ≥ a), counting a month only once the day is reached. */
int	 months_between(struct ymd a, struct ymd b);

/*
 * Judges `level` on `on`: the rule in force that day sets the requirements; each score is
 * judged by the pass mark in force on its own date and counts for rule.valid_months.
 * Fills out with EVERY unmet requirement (codes in courses/README-assessment.md).
 * No rule in force → one unmet "no_rules". Never fails.
 */
void	 judge(const struct level_rule *, size_t, enum lvl level, struct ymd on,
	    const struct person_facts *, struct eligibility *out);

enum edu edu_parse(const char *);
enum lvl lvl_parse(const char *);
const char *edu_name(enum edu);      /* 大专 ... */
const char *lvl_name(enum lvl);      /* 初级 ... */

#endif
