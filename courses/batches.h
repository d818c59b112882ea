#ifndef TM_BATCHES_H
#define TM_BATCHES_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "../db/db.h"
#include "../db/keys.h"
#include "batch_columns.h"
#include "batch_direct.h"

/*
 * Training-base uploads (../shared/API.md "Training bases"). A batch is read once, as it
 * arrives: CSV through csvin (bounded memory) or a JSON {"rows":[...]} body; each row is
 * checked in C (formats), array-bound into batch_rows, checked again with set queries
 * (registered person and name, course at the base's level, duplicates in the file, the
 * daily cap, rows already stored), and moved to its table, all in one transaction.
 * atomic: any bad row rejects the whole batch (its report is still stored); partial: good
 * rows are stored. Hours in atomic mode skip the staging table: batch_direct.h. Rows already stored are counted "unchanged", never stored twice.
 */
#define TM_MAX_BATCH_ROWS 200000u          /* data rows in one upload */
#define TM_MAX_BATCH_COLUMNS 32u
#define TM_MAX_BATCH_FIELD 1024u           /* bytes of one field (UTF-8) */
#define TM_MAX_BATCH_BYTES (64u << 20)     /* one upload body; nginx allows this on the upload routes */
#define TM_MAX_BATCH_JSON_BYTES (16u << 20) /* JSON is parsed whole: a smaller cap */
#define TM_MAX_BATCH_ERRORS_KEPT 10000u    /* stored per batch and in errors.csv */
#define TM_MAX_BATCH_ERRORS_SHOWN 1000u    /* in the JSON answer; errors_total counts all */
#define TM_BATCH_CHUNK 1000u               /* rows per array-bound insert */

struct batch_req {
	int64_t base_id, actor_user_id, api_key_id;
	enum batch_kind kind;
	bool partial;
	bool json;                  /* application/json, else CSV */
	const char *idem_key;       /* Idempotency-Key, or NULL */
	const char *remote;
};

/* Reads up to cap bytes of the body: > 0 bytes, 0 at its end, -1 on a read error. */
typedef long (*batch_reader)(void *ctx, char *buf, size_t cap);

/*
 * Runs one upload. On NULL, *answer is the report and *status its HTTP status (201 new,
 * 200 replay of an Idempotency-Key, 422 rejected in atomic mode). Otherwise the error code
 * to answer with ("batch_conflict", "csv_encoding_utf16", "db_unavailable", ...), and
 * *answer may then hold the error's details (e.g. which column is unknown) or NULL.
 */
const char *batch_run(struct db *, const struct tm_keys *, const struct batch_req *, batch_reader,
    void *rctx, json_t **answer, int *status);
/* The stored report of a batch of this base (404 batch_not_found for another base's). */
const char *batch_get(struct db *, int64_t base_id, int64_t batch_id, json_t **answer);
/* Errors as CSV text (UTF-8 with BOM): *csv is malloc'd, the caller frees it. */
const char *batch_errors_csv(struct db *, int64_t base_id, int64_t batch_id, char **csv,
    size_t *len);
const char *batches_list(struct db *, int64_t base_id, json_t *out);

#endif
