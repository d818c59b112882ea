#ifndef TM_BATCH_DIRECT_H
#define TM_BATCH_DIRECT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../db/db.h"

/*
 * Hours in atomic mode, checked in C one chunk at a time and array-bound straight into
 * training_records, inside the upload's transaction. Atomic mode throws the whole batch away
 * on any bad row, so the rows need no staging table: a chunk is stored while every row so far
 * is good, and the caller rolls back if a later row (or the daily cap over the whole file)
 * turns out bad. The checks and their order are those of the staging path (batches.c
 * set_checks): registered person, same name, course known and at the base's level, duplicate
 * in the file, already stored (natural key: "unchanged"), daily cap including stored hours.
 *
 * Per chunk, for the persons not seen before in this upload: one IN query on persons.id_blind,
 * FOR UPDATE (an admin entry or another upload for the same person then waits, so two writers
 * cannot both pass the daily cap; the lock holds until the commit) and one query of the first
 * and last day of their stored rows. Course codes are looked up once per upload. The stored
 * sum of a (person, day) is read once, with one (person_id, completed_on) IN query per chunk,
 * and only for days inside the person's span; natural keys are looked up (one IN query) only
 * for rows whose person had rows on that day, since no other row can be "unchanged".
 * File-wide state: the persons, the duplicates set, the per-(person, day) sums and the
 * per-(person, year) ledger sums, each bounded by the rows (TM_MAX_BATCH_ROWS).
 */

/* A row that passed the C checks (formats), as batches.c reads it. */
struct batch_row {
	int64_t row_no, hours_x2;
	unsigned char blind[32];
	unsigned char enc[58];      /* ID_ENC_BYTES: roster only */
	bool has_enc, has_hours;
	char name[204], phone[12], email[256], employer[404], course[20], day[11], level[16];
	char exam[12], cas[12];
};

/* Reports a row's error; code is a static string (the set-check codes of batches.c). */
typedef void (*bdirect_err)(void *ctx, size_t row, const char *col, const char *code);

struct bdirect_cfg {
	int64_t base_id, batch_id, actor_user_id;   /* actor 0: NULL created_by */
	const char *levels;                         /* the base's levels, "junior,senior" */
	bdirect_err err;
	void *ctx;
};

struct bdirect;

/* Reads the cap rules; NULL on a database error (*rc says which) or no memory. */
struct bdirect *bdirect_new(struct db *, const struct bdirect_cfg *, enum db_rc *rc);
void	 bdirect_free(struct bdirect *);

/*
 * Checks n rows (n <= TM_BATCH_CHUNK) and, when store and no row so far was bad, inserts
 * the good new ones (the INSERT may still be running on return: bdirect_sync). *bad counts
 * rows reported bad here.
 */
enum db_rc bdirect_chunk(struct bdirect *, const struct batch_row *, size_t n, bool store,
    size_t *bad);
/*
 * The daily cap over the whole file (reports its rows); when store and nothing was bad,
 * the per-year ledger sums of the stored rows. *stored: rows inserted.
 */
enum db_rc bdirect_finish(struct bdirect *, bool store, size_t *bad, uint64_t *stored);
/*
 * A chunk's INSERT may still run on the upload's connection when bdirect_chunk returns (a
 * helper thread, see batch_direct.c): before any other use of that connection, wait for it.
 * Its error, if it failed (bdirect_chunk and bdirect_finish wait and report it themselves).
 */
enum db_rc bdirect_sync(struct bdirect *);
/* Whether some row was bad (then nothing more is inserted). */
bool	 bdirect_failed(const struct bdirect *);

#endif
