#include "db.h"

#include <errno.h>
#include <mysql.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "errtext.h"

#define STMT_CACHE 128          /* mirrors TM_DB_STMT_CACHE */
#define TX_RETRIES 8            /* mirrors TM_DB_TX_RETRIES */
#define IDLE_PING_SECONDS 300   /* below MariaDB's wait_timeout (28800 s) by far */
#define MAX_PARAMS 32
#define MAX_LIST_PARAMS 4096    /* an IN list of one upload chunk's keys; binds on the heap */

struct stmt_slot {
	const char *sql;
	MYSQL_STMT *st;
};

struct db {
	const struct tm_config *cfg;
	MYSQL *m;
	bool broken;
	time_t last_used;
	struct stmt_slot cache[STMT_CACHE];
	size_t ncache;
	char dup_key[64];
};

static void
cache_clear(struct db *d)
{
	for (size_t i = 0; i < d->ncache; i++)
		mysql_stmt_close(d->cache[i].st);
	d->ncache = 0;
}

static void
disconnect(struct db *d)
{
	cache_clear(d);
	if (d->m != NULL)
		mysql_close(d->m);
	d->m = NULL;
	d->broken = false;
}

struct db *
db_new(const struct tm_config *cfg)
{
	struct db *d = calloc(1, sizeof(*d));
	if (d != NULL)
		d->cfg = cfg;
	return d;
}

void
db_free(struct db *d)
{
	if (d == NULL)
		return;
	disconnect(d);
	free(d);
}

static enum db_rc
connect_now(struct db *d)
{
	const struct tm_config *c = d->cfg;
	/*
	 * Reads wait up to 120 s: a 100k-row upload's set statements can take tens of seconds
	 * on a loaded box, and a worker that gave up would leave MariaDB running the statement
	 * while the client retries into its locks. Web requests are bounded by nginx (30 s).
	 */
	unsigned int ct = 3, rt = 120, wt = 30;
	const char *init = "SET time_zone='+00:00', sql_mode='STRICT_ALL_TABLES,NO_ZERO_DATE,"
	    "NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'";

	disconnect(d);
	if ((d->m = mysql_init(NULL)) == NULL)
		return DB_GONE;
	mysql_optionsv(d->m, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
	mysql_optionsv(d->m, MYSQL_OPT_READ_TIMEOUT, &rt);
	mysql_optionsv(d->m, MYSQL_OPT_WRITE_TIMEOUT, &wt);
	mysql_optionsv(d->m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_optionsv(d->m, MYSQL_INIT_COMMAND, init);
	if (mysql_real_connect(d->m, c->db_host[0] ? c->db_host : NULL, c->db_user,
	    c->db_password, c->db_name, c->db_port, c->db_host[0] ? NULL : c->db_socket, 0) == NULL) {
		fprintf(stderr, "tmcred: db connect failed: %u %s\n", mysql_errno(d->m),
		    mysql_error(d->m));
		mysql_close(d->m);
		d->m = NULL;
		return DB_GONE;
	}
	d->last_used = time(NULL);
	return DB_OK;
}

bool
db_connected(const struct db *d)
{
	return d->m != NULL && !d->broken;
}

enum db_rc
db_ready(struct db *d)
{
	if (d->m == NULL || d->broken)
		return connect_now(d);
	if (time(NULL) - d->last_used > IDLE_PING_SECONDS && mysql_ping(d->m) != 0)
		return connect_now(d);
	return DB_OK;
}

enum db_rc
db_ping(struct db *d)
{
	if (d->m == NULL || d->broken || mysql_ping(d->m) != 0) {
		d->broken = true;
		return DB_GONE;
	}
	d->last_used = time(NULL);
	return DB_OK;
}

/* Maps a server/client error number to a result; logs what clients must never see. */
static enum db_rc
classify(struct db *d, unsigned no, const char *msg, const char *sql)
{
	switch (no) {
	case 1062: {
		/* "Duplicate entry '<value>' for key '<name>'": keep only the key, the value may be PII. */
		const char *k = strstr(msg, "for key '");
		d->dup_key[0] = '\0';
		if (k != NULL) {
			k += 9;
			size_t n = strcspn(k, "'");
			const char *dot = memchr(k, '.', n);   /* 10.5+: 'table.key' */
			if (dot != NULL) {
				n -= (size_t)(dot + 1 - k);
				k = dot + 1;
			}
			snprintf(d->dup_key, sizeof(d->dup_key), "%.*s", (int)n, k);
		}
		return DB_DUP;
	}
	case 1213: case 1205:
	/* 1467: InnoDB reports a deadlock met while taking the auto-increment lock this way;
	 * 1206: the lock table is full (a large transaction meets another): try again later. */
	case 1467: case 1206:
	/*
	 * 1180 "Got error ... during COMMIT": on Galera the write-set could not be replicated
	 * (e.g. "Not connected to Primary Component" for the moment of a view change when a
	 * node leaves or joins). The transaction is rolled back everywhere, so it is retried
	 * like a certification conflict.
	 */
	case 1180:
		return DB_RETRY;
	/* 2014 "commands out of sync": the protocol state is unknown, so start afresh. */
	case 2002: case 2003: case 2006: case 2013: case 2014: case 2055: case 1927: case 4031:
	case 1053:
	/*
	 * 1047 "WSREP has not yet prepared node for application use": a Galera node that is
	 * shutting down, joining or cut off from the primary component. Nothing on it can run
	 * until it is synced again: treat it like a lost server (503, reconnect per request).
	 */
	case 1047:
		d->broken = true;
		fprintf(stderr, "tmcred: db connection lost (%u)\n", no);
		return DB_GONE;
	default: {
		char safe[256];
		db_errtext_redact(msg, safe, sizeof(safe));
		fprintf(stderr, "tmcred: db error %u: %s [%.80s]\n", no, safe, sql);
		return DB_ERR;
	}
	}
}

static enum db_rc
stmt_err(struct db *d, MYSQL_STMT *st, const char *sql)
{
	/* An error met while reading rows (a deadlock found after the column list was sent)
	 * can be left on the connection only: read it there, so it is still a DB_RETRY. */
	if (mysql_stmt_errno(st) == 0 && d->m != NULL && mysql_errno(d->m) != 0)
		return classify(d, mysql_errno(d->m), mysql_error(d->m), sql);
	return classify(d, mysql_stmt_errno(st), mysql_stmt_error(st), sql);
}

static enum db_rc
get_stmt(struct db *d, const char *sql, MYSQL_STMT **out)
{
	if (d->m == NULL || d->broken)
		return DB_GONE;
	for (size_t i = 0; i < d->ncache; i++)
		if (d->cache[i].sql == sql || strcmp(d->cache[i].sql, sql) == 0) {
			*out = d->cache[i].st;
			return DB_OK;
		}
	MYSQL_STMT *st = mysql_stmt_init(d->m);
	if (st == NULL)
		return classify(d, mysql_errno(d->m), mysql_error(d->m), sql);
	if (mysql_stmt_prepare(st, sql, strlen(sql)) != 0) {
		enum db_rc rc = stmt_err(d, st, sql);
		mysql_stmt_close(st);
		return rc;
	}
	if (d->ncache == STMT_CACHE) {
		/* Statements are static SQL, so this only happens if a new one is added; evict the oldest. */
		mysql_stmt_close(d->cache[0].st);
		memmove(d->cache, d->cache + 1, (STMT_CACHE - 1) * sizeof(d->cache[0]));
		d->ncache--;
	}
	d->cache[d->ncache++] = (struct stmt_slot){ sql, st };
	*out = st;
	return DB_OK;
}

static enum db_rc
bind_and_exec(struct db *d, const char *sql, const struct db_val *p, size_t np, MYSQL_STMT **stp)
{
	MYSQL_BIND small[MAX_PARAMS], *b = small;
	my_bool isnull = 1;
	MYSQL_STMT *st = NULL;
	enum db_rc rc;

	if (np > MAX_LIST_PARAMS)
		return DB_ERR;
	if ((rc = get_stmt(d, sql, &st)) != DB_OK)
		return rc;
	if (mysql_stmt_param_count(st) != np) {
		fprintf(stderr, "tmcred: %lu params for %zu values [%.80s]\n",
		    mysql_stmt_param_count(st), np, sql);
		return DB_ERR;
	}
	if (np > MAX_PARAMS && (b = malloc(np * sizeof(*b))) == NULL)
		return DB_ERR;
	memset(b, 0, (np > MAX_PARAMS ? np : MAX_PARAMS) * sizeof(*b));
	for (size_t i = 0; i < np; i++) {
		switch (p[i].t) {
		case DB_T_NULL:
			b[i].buffer_type = MYSQL_TYPE_NULL;
			b[i].is_null = &isnull;
			break;
		case DB_T_STR:
		case DB_T_BLOB:
			b[i].buffer_type = p[i].t == DB_T_STR ? MYSQL_TYPE_STRING : MYSQL_TYPE_BLOB;
			b[i].buffer = (void *)p[i].p;
			b[i].buffer_length = p[i].len;
			b[i].length = (unsigned long *)&b[i].buffer_length;
			break;
		case DB_T_I64:
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].buffer = (void *)&p[i].i;
			break;
		}
	}
	bool fail = (np > 0 && mysql_stmt_bind_param(st, b) != 0) || mysql_stmt_execute(st) != 0;
	if (b != small)
		free(b);
	if (fail)
		return stmt_err(d, st, sql);
	d->last_used = time(NULL);
	*stp = st;
	return DB_OK;
}

enum db_rc
db_exec(struct db *d, const char *sql, const struct db_val *p, size_t np, uint64_t *affected,
    uint64_t *insert_id)
{
	MYSQL_STMT *st = NULL;
	enum db_rc rc = bind_and_exec(d, sql, p, np, &st);
	if (rc != DB_OK)
		return rc;
	if (affected)
		*affected = mysql_stmt_affected_rows(st);
	if (insert_id)
		*insert_id = mysql_stmt_insert_id(st);
	return DB_OK;
}

static enum db_rc
bind_results(struct db *d, MYSQL_STMT *st, const char *sql, struct db_out *o, size_t no,
    MYSQL_BIND *b, unsigned long *lens, my_bool *nulls)
{
	if (mysql_stmt_field_count(st) != no) {
		fprintf(stderr, "tmcred: %u columns for %zu outputs [%.80s]\n",
		    mysql_stmt_field_count(st), no, sql);
		return DB_ERR;
	}
	memset(b, 0, sizeof(MYSQL_BIND) * no);
	for (size_t i = 0; i < no; i++) {
		b[i].length = &lens[i];
		b[i].is_null = &nulls[i];
		switch (o[i].t) {
		case DB_T_I64:
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].buffer = &o[i].i;
			break;
		case DB_T_STR:
			b[i].buffer_type = MYSQL_TYPE_STRING;
			b[i].buffer = o[i].buf;
			b[i].buffer_length = o[i].cap;
			break;
		default:
			b[i].buffer_type = MYSQL_TYPE_BLOB;
			b[i].buffer = o[i].buf;
			b[i].buffer_length = o[i].cap;
			break;
		}
	}
	if (no > 0 && mysql_stmt_bind_result(st, b) != 0)
		return stmt_err(d, st, sql);
	return DB_OK;
}

/* Fetches one row into o; DB_NOROW at the end. */
static enum db_rc
fetch(struct db *d, MYSQL_STMT *st, const char *sql, struct db_out *o, size_t no,
    unsigned long *lens, my_bool *nulls)
{
	int r = mysql_stmt_fetch(st);
	if (r == MYSQL_NO_DATA)
		return DB_NOROW;
	if (r == MYSQL_DATA_TRUNCATED) {
		fprintf(stderr, "tmcred: result truncated [%.80s]\n", sql);
		return DB_ERR;
	}
	if (r != 0)
		return stmt_err(d, st, sql);
	for (size_t i = 0; i < no; i++) {
		o[i].is_null = nulls[i];
		o[i].len = nulls[i] ? 0 : lens[i];
		if (o[i].t == DB_T_STR) {
			/* The string must fit with its NUL; the driver does not terminate it. */
			if (o[i].len >= o[i].cap) {
				fprintf(stderr, "tmcred: string column %zu too long [%.80s]\n", i, sql);
				return DB_ERR;
			}
			((char *)o[i].buf)[o[i].len] = '\0';
		} else if (o[i].t == DB_T_I64 && nulls[i])
			o[i].i = 0;
	}
	return DB_OK;
}

/*
 * Makes the connection ready for the next command after a result: mysql_stmt_free_result
 * frees a stored result and reads an unread one to its end (rows already on the wire), all
 * on the client. No mysql_stmt_reset: its COM_STMT_RESET is a round trip to the server that
 * only discards long data and cursors, neither of which is used here, and the next
 * mysql_stmt_execute starts clean by itself. Should the client and server still disagree,
 * the next command fails with 2014 and classify() drops the connection (../shared/STACK.md §2).
 */
static void
release(struct db *d, MYSQL_STMT *st)
{
	if (!d->broken && mysql_stmt_free_result(st) != 0)
		(void)stmt_err(d, st, "free result");
}

enum db_rc
db_row(struct db *d, const char *sql, const struct db_val *p, size_t np, struct db_out *o,
    size_t no)
{
	MYSQL_BIND b[MAX_PARAMS];
	unsigned long lens[MAX_PARAMS];
	my_bool nulls[MAX_PARAMS];
	MYSQL_STMT *st = NULL;
	enum db_rc rc;

	if (no > MAX_PARAMS)
		return DB_ERR;
	if ((rc = bind_and_exec(d, sql, p, np, &st)) != DB_OK)
		return rc;
	rc = bind_results(d, st, sql, o, no, b, lens, nulls);
	if (rc == DB_OK)
		rc = fetch(d, st, sql, o, no, lens, nulls);
	release(d, st);
	return rc;
}

struct iter_state {
	MYSQL_STMT *st;
	const char *sql;
	MYSQL_BIND b[MAX_PARAMS];
	unsigned long lens[MAX_PARAMS];
	my_bool nulls[MAX_PARAMS];
};

enum db_rc
db_iter_start(struct db *d, struct db_iter *it, const char *sql, const struct db_val *p,
    size_t np, struct db_out *o, size_t no)
{
	struct iter_state *s;
	enum db_rc rc;

	it->db = d;
	it->st = NULL;
	it->out = o;
	it->nout = no;
	if (no > MAX_PARAMS || (s = calloc(1, sizeof(*s))) == NULL)
		return DB_ERR;
	s->sql = sql;
	it->st = s;
	if ((rc = bind_and_exec(d, sql, p, np, &s->st)) != DB_OK) {
		s->st = NULL;
		return rc;
	}
	if ((rc = bind_results(d, s->st, sql, o, no, s->b, s->lens, s->nulls)) != DB_OK)
		return rc;
	if (mysql_stmt_store_result(s->st) != 0)
		return stmt_err(d, s->st, sql);
	return DB_OK;
}

enum db_rc
db_iter_next(struct db_iter *it)
{
	struct iter_state *s = it->st;
	if (s == NULL || s->st == NULL)
		return DB_ERR;
	return fetch(it->db, s->st, s->sql, it->out, it->nout, s->lens, s->nulls);
}

void
db_iter_end(struct db_iter *it)
{
	struct iter_state *s = it->st;
	if (s == NULL)
		return;
	if (s->st != NULL)
		release(it->db, s->st);
	free(s);
	it->st = NULL;
}

static enum db_rc
plain(struct db *d, const char *sql)
{
	if (d->m == NULL || d->broken)
		return DB_GONE;
	if (mysql_real_query(d->m, sql, strlen(sql)) != 0)
		return classify(d, mysql_errno(d->m), mysql_error(d->m), sql);
	return DB_OK;
}

enum db_rc
db_tx(struct db *d, enum db_rc (*fn)(struct db *, void *), void *arg)
{
	enum db_rc rc = DB_ERR;
	for (unsigned attempt = 0; attempt <= TX_RETRIES; attempt++) {
		if (attempt > 0) {
			/* Jittered exponential back-off: 2^attempt ms plus up to as much again. */
			unsigned ms = 1u << attempt;
			struct timespec ts = { 0, (long)(ms + randombytes_uniform(ms + 1)) * 1000000L };
			nanosleep(&ts, NULL);
		}
		if ((rc = plain(d, "START TRANSACTION")) != DB_OK)
			return rc;
		rc = fn(d, arg);
		if (rc == DB_OK) {
			if (mysql_commit(d->m) == 0)
				return DB_OK;
			rc = classify(d, mysql_errno(d->m), mysql_error(d->m), "COMMIT");
		}
		if (d->broken)
			return DB_GONE;
		if (mysql_rollback(d->m) != 0)
			return classify(d, mysql_errno(d->m), mysql_error(d->m), "ROLLBACK");
		if (rc != DB_RETRY)
			return rc;
	}
	return rc;
}

const char *
db_dup_key(const struct db *d)
{
	return d->dup_key;
}

enum db_rc
db_ddl(struct db *d, const char *sql, size_t len)
{
	if (d->m == NULL || d->broken)
		return DB_GONE;
	if (mysql_real_query(d->m, sql, len) != 0)
		return classify(d, mysql_errno(d->m), mysql_error(d->m), sql);
	/* DDL may still return a result (e.g. a SHOW); drop it. */
	MYSQL_RES *r = mysql_store_result(d->m);
	if (r != NULL)
		mysql_free_result(r);
	return DB_OK;
}

enum db_rc
db_exec_bulk(struct db *d, const char *sql, const struct db_bulk_col *cols, size_t ncols,
    size_t nrows, uint64_t *affected)
{
	MYSQL_BIND b[MAX_PARAMS];
	char *ind[MAX_PARAMS] = { 0 };
	MYSQL_STMT *st = NULL;
	unsigned int n = (unsigned int)nrows;
	enum db_rc rc;

	if (ncols > MAX_PARAMS || nrows == 0 || nrows > 100000)
		return nrows == 0 ? DB_OK : DB_ERR;
	if ((rc = get_stmt(d, sql, &st)) != DB_OK)
		return rc;
	if (mysql_stmt_param_count(st) != ncols)
		return DB_ERR;
	memset(b, 0, sizeof(b));
	rc = DB_ERR;
	for (size_t i = 0; i < ncols; i++) {
		/* Indicators per row: NULL where asked, else "use the buffer". */
		if ((ind[i] = calloc(nrows, 1)) == NULL)
			goto out;
		for (size_t r = 0; r < nrows; r++) {
			bool isnull = cols[i].null ? cols[i].null[r] :
			    (cols[i].t == DB_T_STR || cols[i].t == DB_T_BLOB) &&
			    ((const char *const *)cols[i].data)[r] == NULL;
			ind[i][r] = isnull ? STMT_INDICATOR_NULL : STMT_INDICATOR_NONE;
		}
		b[i].u.indicator = ind[i];
		switch (cols[i].t) {
		case DB_T_I64:
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].buffer = (void *)cols[i].data;
			break;
		case DB_T_STR:
		case DB_T_BLOB:
			b[i].buffer_type = cols[i].t == DB_T_STR ? MYSQL_TYPE_STRING : MYSQL_TYPE_BLOB;
			b[i].buffer = (void *)cols[i].data;
			b[i].length = (unsigned long *)cols[i].lens;
			break;
		default:
			b[i].buffer_type = MYSQL_TYPE_NULL;
			break;
		}
	}
	if (mysql_stmt_attr_set(st, STMT_ATTR_ARRAY_SIZE, &n) != 0 ||
	    mysql_stmt_bind_param(st, b) != 0 || mysql_stmt_execute(st) != 0) {
		rc = stmt_err(d, st, sql);
		goto out;
	}
	if (affected)
		*affected = mysql_stmt_affected_rows(st);
	d->last_used = time(NULL);
	rc = DB_OK;
out:
	/* The cached statement is reused for single rows too: back to one row per execute. */
	if (st != NULL && !d->broken) {
		unsigned int one = 0;
		mysql_stmt_attr_set(st, STMT_ATTR_ARRAY_SIZE, &one);
	}
	for (size_t i = 0; i < ncols; i++)
		free(ind[i]);
	return rc;
}

enum db_rc
db_begin(struct db *d)
{
	/*
	 * READ COMMITTED: a bulk transaction then locks the rows it writes, not the gaps
	 * around them, so uploads of different bases (and a retry of an upload whose worker
	 * died) do not queue on each other's staging rows or blow up InnoDB's lock heap.
	 */
	enum db_rc rc = plain(d, "SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
	return rc == DB_OK ? plain(d, "START TRANSACTION") : rc;
}

enum db_rc
db_commit(struct db *d)
{
	if (d->m == NULL || d->broken)
		return DB_GONE;
	if (mysql_commit(d->m) != 0)
		return classify(d, mysql_errno(d->m), mysql_error(d->m), "COMMIT");
	return DB_OK;
}

void
db_rollback(struct db *d)
{
	if (d->m != NULL && !d->broken && mysql_rollback(d->m) != 0)
		(void)classify(d, mysql_errno(d->m), mysql_error(d->m), "ROLLBACK");
}
