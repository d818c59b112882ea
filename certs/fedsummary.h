#ifndef TM_FEDSUMMARY_H
#define TM_FEDSUMMARY_H
#include <jansson.h>

#include "../db/config.h"
#include "../db/db.h"
#include "../db/keys.h"
#include "peers.h"
#include "summary.h"

/*
 * This node's signed summary and the region's totals (certs/README.md "Federation").
 * The counts come from certs/progress.h (progress_node_json); the person hashes from
 * progress_each_counted_person, each counted person's ID number decrypted and hashed under
 * the regional key ([federation] regional_key_file; without it the summary carries
 * "double_count": null and the region can only add).
 */
#define FED_SUMMARY_PATH "/api/v1/federation/summary"

/* GET /api/v1/federation/summary: the document, signed by the key that signs today. */
const char *fed_summary_own(struct db *, const struct tm_config *, const struct tm_keys *,
    json_t **out);
/*
 * Pulls one peer's summary, verifies it against the peer's pinned keys and stores it. NULL
 * when stored (or unchanged), else an error code; *outcome: "ok", "same" or the code.
 */
const char *fed_pull_summary(struct db *, const struct tm_config *, const struct peer *,
    const char **outcome);
/* GET /api/v1/progress/region: this node plus every peer's latest stored summary. */
const char *fed_region(struct db *, const struct tm_config *, const struct tm_keys *,
    json_t **out);

#endif
