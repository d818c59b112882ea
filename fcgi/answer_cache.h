#ifndef TM_ANSWER_CACHE_H
#define TM_ANSWER_CACHE_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "epoch.h"

/*
 * Answers a worker computed and may give again: the view (for the HTML face) and its JSON
 * text (the API face, byte for byte what resp_render would write). A slot is good while
 * its host epoch has not moved since before the answer was read, and for ttl_ms at most:
 * exact for changes made through this host (they bump the epoch before their answer
 * leaves), bounded by ttl_ms for changes made on another host or in SQL.
 * Direct-mapped by key: a colliding answer replaces the other, so memory is bounded by
 * the slot count the owner gives.
 */
struct answer_slot {
	bool used;
	int64_t k1, k2;
	uint64_t epoch;
	struct timespec at;         /* CLOCK_MONOTONIC when it was read */
	json_t *view;
	char *json;
	size_t json_len;
};

struct answer_cache {
	struct answer_slot *slots;
	size_t nslots;
	enum host_epoch epoch;
};

/*
 * The slot holding a good answer for (k1, k2), or NULL. *epoch_now is the epoch read
 * before any database read that may follow, for answer_put. Nothing is cached in a
 * process that never mapped the host epochs (tools, tests) or when ttl_ms is 0.
 */
const struct answer_slot *answer_get(struct answer_cache *, int64_t k1, int64_t k2,
	    unsigned ttl_ms, uint64_t *epoch_now);
/*
 * Keeps a copy of view (the caller keeps its own) and its JSON text, unless the epoch moved
 * since epoch_then: the slot that keeps it, or NULL. Failing to keep it is never an error:
 * the next request reads again.
 */
const struct answer_slot *answer_put(struct answer_cache *, int64_t k1, int64_t k2, uint64_t epoch_then,
	    json_t *view, unsigned ttl_ms);

#endif
