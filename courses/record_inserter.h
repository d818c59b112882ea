#ifndef TM_RECORD_INSERTER_H
#define TM_RECORD_INSERTER_H
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "../db/db.h"
#include "batches.h"

/* One chunk's rows for training_records, column by column, owning their values. */
struct rec_rows {
	int64_t person[TM_BATCH_CHUNK], course[TM_BATCH_CHUNK], base[TM_BATCH_CHUNK],
	    hours[TM_BATCH_CHUNK], comp[TM_BATCH_CHUNK], batch[TM_BATCH_CHUNK], actor[TM_BATCH_CHUNK];
	const char *day[TM_BATCH_CHUNK], *subject[TM_BATCH_CHUNK], *ref[TM_BATCH_CHUNK],
	    *key[TM_BATCH_CHUNK];
	unsigned long lday[TM_BATCH_CHUNK], lsub[TM_BATCH_CHUNK], lref[TM_BATCH_CHUNK],
	    lkey[TM_BATCH_CHUNK];
	bool noactor[TM_BATCH_CHUNK];
	char days[TM_BATCH_CHUNK][11];
	unsigned char keys[TM_BATCH_CHUNK][32];
	size_t k;
};

/*
 * The direct upload's INSERTs (courses/batch_direct.c) on a helper thread: chunk k's INSERT
 * runs while the worker reads, decodes, hashes and checks chunk k + 1, so the server's work
 * and the worker's overlap instead of adding up. The connection is the helper's from a
 * submit until the next sync; every other use of it waits in rec_inserter_sync first.
 * Zero-initialised; the thread starts with the first buffer asked for.
 */
struct rec_inserter {
	struct db *db;
	pthread_t th;
	bool up, quit;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct rec_rows *job;       /* handed over, not done yet; NULL when idle */
	enum db_rc rc;              /* the first failed INSERT's, until a sync reports it */
	struct rec_rows *buf[2];
	int next;
	uint64_t stored;            /* rows inserted; read it after a sync */
};

/* The buffer to fill next (the other may still be in flight); NULL when no thread. */
struct rec_rows *rec_inserter_buffer(struct rec_inserter *, struct db *);
/* Waits for the INSERT in flight, then hands rows over; that INSERT's error instead. */
enum db_rc rec_inserter_submit(struct rec_inserter *, struct rec_rows *);
/* Waits for the INSERT in flight; its error, if it failed (reported once). */
enum db_rc rec_inserter_sync(struct rec_inserter *);
/* Waits, ends the thread and frees the buffers. */
void	 rec_inserter_stop(struct rec_inserter *);

#endif
