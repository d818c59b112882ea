/*
 * PLACEHOLDER until the assessment work lands (issue 6): every known level is eligible.
 * The assessment branch replaces this file with the real engine.
 */
#include <string.h>

#include "eligibility.h"

const char *
eligible(struct db *db, int64_t person_id, const char *level, struct ymd on,
    struct eligibility *out)
{
	(void)db; (void)person_id; (void)on;
	if (level == NULL || (strcmp(level, "junior") && strcmp(level, "intermediate") &&
	    strcmp(level, "senior")))
		return "bad_level";
	memset(out, 0, sizeof *out);
	out->eligible = 1;
	return NULL;
}
