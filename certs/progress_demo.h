#ifndef TM_PROGRESS_DEMO_H
#define TM_PROGRESS_DEMO_H
#include <stdint.h>

#include "../db/config.h"
#include "../db/db.h"
#include "../db/keys.h"

/*
 * tmcred-ctl demo: certificate holders spread over 2024 to today across the demo bases, and a
 * baseline, so /progress shows a believable picture. Every certificate goes through the real
 * issue and lifecycle paths (counters exact). 0 or -1.
 */
int	 progress_demo(struct db *, const struct tm_config *, const struct tm_keys *,
	    int64_t admin_id);

#endif
