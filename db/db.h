#ifndef TM_DB_H
#define TM_DB_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "config.h"

/*
 * One MariaDB connection per worker, opened after fork. Every statement with data goes
 * through a prepared statement, cached per connection by its SQL text and re-prepared after
 * a reconnect. A lost connection (2006/2013) is reconnected at the next request boundary by
 * db_ready(), never silently in the middle of a request (../shared/STACK.md §2).
 */
enum db_rc {
	DB_OK = 0,
	DB_NOROW,     /* db_row found nothing */
	DB_DUP,       /* 1062 duplicate key; db_dup_key() names the key */
	DB_RETRY,     /* 1213 deadlock / Galera conflict, 1205 lock wait timeout */
	DB_GONE,      /* the connection is lost; reconnect at the next request */
	DB_ERR,       /* anything else (logged, never shown to clients) */
};

enum db_type { DB_T_NULL, DB_T_STR, DB_T_BLOB, DB_T_I64 };

/* A parameter. Strings and blobs are borrowed for the duration of the call. */
struct db_val {
	enum db_type t;
	const void *p;
	size_t len;
	int64_t i;
};
#define DBV_STR(s)	((struct db_val){ .t = DB_T_STR, .p = (s), .len = strlen(s) })
#define DBV_STRN(s, n)	((struct db_val){ .t = DB_T_STR, .p = (s), .len = (n) })
#define DBV_BLOB(b, n)	((struct db_val){ .t = DB_T_BLOB, .p = (b), .len = (n) })
#define DBV_I64(v)	((struct db_val){ .t = DB_T_I64, .i = (v) })
#define DBV_NULL	((struct db_val){ .t = DB_T_NULL })

/*
 * A result column. DB_T_STR writes a NUL-terminated string (cap counts the NUL), DB_T_BLOB
 * raw bytes; a value longer than cap makes the call fail with DB_ERR (buffers are sized
 * from the schema, so truncation is a bug, not data).
 */
struct db_out {
	enum db_type t;
	void *buf;
	size_t cap;
	size_t len;
	int64_t i;
	bool is_null;
};
#define DBO_STR(b)	((struct db_out){ .t = DB_T_STR, .buf = (b), .cap = sizeof(b) })
#define DBO_BLOB(b)	((struct db_out){ .t = DB_T_BLOB, .buf = (b), .cap = sizeof(b) })
#define DBO_I64()	((struct db_out){ .t = DB_T_I64 })

#define DB_N(a)		(sizeof(a) / sizeof((a)[0]))

struct db;

/* Allocates the handle; does not connect yet. Caller frees with db_free. */
struct db *db_new(const struct tm_config *);
void	 db_free(struct db *);

/* Connects if needed (or pings after a long idle); DB_OK or DB_GONE. Call per request. */
enum db_rc db_ready(struct db *);
/* Pings the server now; DB_OK or DB_GONE (then the next db_ready reconnects). */
enum db_rc db_ping(struct db *);
bool	 db_connected(const struct db *);

enum db_rc db_exec(struct db *, const char *sql, const struct db_val *, size_t,
    uint64_t *affected, uint64_t *insert_id);
/* First row of the result into out; DB_NOROW when there is none. */
enum db_rc db_row(struct db *, const char *sql, const struct db_val *, size_t,
    struct db_out *, size_t);

/*
 * Row iteration: db_iter_start runs the query, each db_iter_next fills out (DB_OK) until
 * DB_NOROW; db_iter_end must follow in every case.
 */
struct db_iter {
	struct db *db;
	void *st;
	struct db_out *out;
	size_t nout;
};
enum db_rc db_iter_start(struct db *, struct db_iter *, const char *sql, const struct db_val *,
    size_t, struct db_out *, size_t);
enum db_rc db_iter_next(struct db_iter *);
void	 db_iter_end(struct db_iter *);

/*
 * Runs fn inside a transaction, retrying the whole of it (TM_DB_TX_RETRIES times, jittered
 * back-off) on DB_RETRY. fn must start from scratch each time: no state kept across tries.
 * fn's non-OK result rolls back and is returned as is.
 */
enum db_rc db_tx(struct db *, enum db_rc (*fn)(struct db *, void *), void *arg);

/*
 * Array binding (MariaDB bulk execute): nrows rows in one round trip. Column-wise: for
 * DB_T_STR/DB_T_BLOB, data is `const char **` (NULL entry = SQL NULL) with lens[];
 * for DB_T_I64, data is `const int64_t *` and null (optional) marks NULL rows.
 * A failing row fails the whole call (10.11 gives no per-row status), so callers insert
 * only validated rows. ../shared/STACK.md §2.
 */
struct db_bulk_col {
	enum db_type t;
	const void *data;
	const unsigned long *lens;
	const bool *null;
};
enum db_rc db_exec_bulk(struct db *, const char *sql, const struct db_bulk_col *, size_t ncols,
    size_t nrows, uint64_t *affected);

/*
 * A transaction the caller drives itself, for work that cannot be replayed by db_tx (a
 * streamed upload is read once). DB_RETRY from any step means: roll back, tell the client
 * to retry.
 */
enum db_rc db_begin(struct db *);
enum db_rc db_commit(struct db *);
void	 db_rollback(struct db *);

/* The key named by the last DB_DUP ("uq_users_email"), "" otherwise. */
const char *db_dup_key(const struct db *);
/* Raw text statement for DDL (migrations) only; never with data. */
enum db_rc db_ddl(struct db *, const char *sql, size_t len);

#endif
