/*
 * A training base's upload through the whole per-row validation of courses/batches.c that
 * needs no database: CSV (csvin, header mapping, take_row) or the JSON {"rows":[...]} body
 * (read_json). batches.c is included so its static row checks run exactly as in the server;
 * the database and key functions it calls are stubs (no call reaches MariaDB here: the
 * array-bound insert only runs at TM_BATCH_CHUNK good rows, counted by the stub).
 * Input: byte 0 picks the kind (roster, hours, exams) and CSV or raw JSON; the rest is the
 * body. Invariants: every data row is counted once, good or bad; each error names a row that
 * exists, with a code and a message; every good row holds what the checks promise (a valid
 * ID number, a person name, a real day not after today, half-hours 0.5..24, a course code,
 * a level, scores 0..100, a case score above junior); and a CSV upload gives the same
 * rows, errors and stored values as the same rows sent as JSON.
 */
#include "courses/batches.c"

#include "fuzz.h"

/* ---- stubs: what batches.c would ask MariaDB or the key files ---- */
static size_t bulk_rows;

enum db_rc
db_exec_bulk(struct db *d, const char *sql, const struct db_bulk_col *c, size_t nc, size_t n,
    uint64_t *aff)
{
	(void)d, (void)sql, (void)c, (void)nc, (void)aff;
	bulk_rows += n;
	return DB_OK;
}
enum db_rc db_begin(struct db *d) { (void)d; return DB_ERR; }
enum db_rc db_commit(struct db *d) { (void)d; return DB_ERR; }
void db_rollback(struct db *d) { (void)d; }
enum db_rc
db_exec(struct db *d, const char *s, const struct db_val *v, size_t n, uint64_t *a, uint64_t *i)
{
	(void)d, (void)s, (void)v, (void)n, (void)a, (void)i;
	return DB_ERR;
}
enum db_rc
db_row(struct db *d, const char *s, const struct db_val *v, size_t n, struct db_out *o, size_t k)
{
	(void)d, (void)s, (void)v, (void)n, (void)o, (void)k;
	return DB_ERR;
}
enum db_rc
db_iter_start(struct db *d, struct db_iter *it, const char *s, const struct db_val *v, size_t n,
    struct db_out *o, size_t k)
{
	(void)d, (void)it, (void)s, (void)v, (void)n, (void)o, (void)k;
	return DB_ERR;
}
enum db_rc db_iter_next(struct db_iter *it) { (void)it; return DB_NOROW; }
void db_iter_end(struct db_iter *it) { (void)it; }
const char *db_code(enum db_rc rc) { (void)rc; return "db_unavailable"; }
enum db_rc
audit_id(struct db *d, int64_t actor, const char *action, const char *type, int64_t id,
    json_t *after, const char *remote)
{
	(void)d, (void)actor, (void)action, (void)type, (void)id, (void)remote;
	json_decref(after);
	return DB_ERR;
}
struct bdirect *
bdirect_new(struct db *d, const struct bdirect_cfg *c, enum db_rc *rc)
{
	(void)d, (void)c;
	*rc = DB_ERR;
	return NULL;
}
void bdirect_free(struct bdirect *b) { (void)b; }
enum db_rc
bdirect_chunk(struct bdirect *b, const struct batch_row *r, size_t n, bool s, size_t *bad)
{
	(void)b, (void)r, (void)n, (void)s, (void)bad;
	return DB_ERR;
}
enum db_rc
bdirect_finish(struct bdirect *b, bool s, size_t *bad, uint64_t *stored)
{
	(void)b, (void)s, (void)bad, (void)stored;
	return DB_ERR;
}
/* The blind index and the encrypted ID number, readable here: the ID number itself. */
void
blind_hash(const struct tm_keys *k, const char *domain, const char *s, size_t n,
    unsigned char out[32])
{
	(void)k;
	CHECK(strcmp(domain, "id") == 0 && n == 18);
	memset(out, 0, 32);
	memcpy(out, s, n);
}
void
id_encrypt(const struct tm_keys *k, const char id18[18], unsigned char out[ID_ENC_BYTES])
{
	(void)k;
	memset(out, 0, ID_ENC_BYTES);
	memcpy(out, id18, 18);
}

/* ---- the harness ---- */
static const struct ymd TODAY = { 2026, 11, 27 };

struct body {
	const char *p;
	size_t n, off;
};

static long
reader(void *ctx, char *buf, size_t cap)
{
	struct body *b = ctx;
	size_t k = b->n - b->off;
	if (k > cap)
		k = cap;
	if (k > 997)   /* uneven pieces, as a socket gives them */
		k = 997;
	memcpy(buf, b->p + b->off, k);
	b->off += k;
	return (long)k;
}

static void
run_init(struct run *r, const struct batch_req *in, const struct tm_keys *k)
{
	memset(r, 0, sizeof(*r));
	r->keys = k;
	r->in = in;
	r->today = TODAY;
	r->chunk = malloc(TM_BATCH_CHUNK * sizeof(struct batch_row));
	CHECK(r->chunk != NULL);
	for (int c = 0; c < COL__MAX; c++)
		r->pos[c] = -1;
	crypto_hash_sha256_init(&r->sha);
}

static bool
score_ok(const char *s)
{
	char *end;
	double v = strtod(s, &end);
	return s[0] != '\0' && *end == '\0' && v >= 0 && v <= 100;
}

static void
check_good(const struct run *r, const struct batch_row *s)
{
	char canon[19];
	CHECK(s->row_no >= 1 && (size_t)s->row_no <= r->rows);
	/* the stubs put the canonical ID number in blind and enc */
	CHECK(id_validate((const char *)s->blind, 18, TODAY, canon) == ID_OK);
	CHECK(memcmp(canon, s->blind, 18) == 0);
	CHECK(s->has_enc == (r->in->kind == BK_ROSTER));
	if (s->has_enc)
		CHECK(memcmp(s->enc, canon, 18) == 0);
	CHECK(text_person_name(s->name, strlen(s->name), 50));
	struct ymd d;
	switch (r->in->kind) {
	case BK_ROSTER:
		CHECK(s->phone[0] == '\0' || contact_phone_valid(s->phone, strlen(s->phone)));
		if (s->email[0]) {
			char em[256];
			CHECK(contact_email_valid(s->email, strlen(s->email), em, sizeof(em)));
			CHECK(strcmp(em, s->email) == 0);
		}
		CHECK(text_printable(s->employer, strlen(s->employer), false));
		CHECK(utf8_chars(s->employer, strlen(s->employer)) <= 100);
		CHECK(!s->has_hours && s->day[0] == '\0' && s->level[0] == '\0');
		break;
	case BK_HOURS:
		CHECK(s->course[0] != '\0' && strlen(s->course) <= 16);
		CHECK(strspn(s->course, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") == strlen(s->course));
		CHECK(s->has_hours && s->hours_x2 >= 1 && s->hours_x2 <= 48);
		CHECK(ymd_parse_str(s->day, &d) && d.y >= 1990 && ymd_cmp(d, TODAY) <= 0);
		break;
	case BK_EXAMS:
		CHECK(!strcmp(s->level, "junior") || !strcmp(s->level, "intermediate") ||
		    !strcmp(s->level, "senior"));
		CHECK(score_ok(s->exam));
		CHECK(s->cas[0] == '\0' ? strcmp(s->level, "junior") == 0 : score_ok(s->cas));
		CHECK(ymd_parse_str(s->day, &d) && d.y >= 1990 && ymd_cmp(d, TODAY) <= 0);
		break;
	default:
		CHECK(0);
	}
}

static void
check_run(const struct run *r)
{
	CHECK(r->nerr <= r->errors_total && r->nerr <= TM_MAX_BATCH_ERRORS_KEPT);
	CHECK(r->bad_rows <= r->errors_total);
	CHECK(r->bad_rows + r->nchunk + bulk_rows == r->rows);
	for (size_t i = 0; i < r->nerr; i++) {
		const struct rowerr *e = &r->errs[i];
		CHECK(e->row >= 1 && e->row <= r->rows);
		CHECK(e->code != NULL && e->code[0] && e->msg != NULL && e->msg[0]);
		CHECK(e->seq == i);
	}
	for (size_t i = 0; i < r->nchunk; i++)
		check_good(r, &r->chunk[i]);
}

/* The CSV's rows again (csvin is deterministic), to send them as JSON. */
struct rows {
	json_t *arr;
	const int *pos;
	bool wide;
};

static int
keep_row(void *ctx, size_t row, const char *const *f, const size_t *lens, size_t n)
{
	struct rows *k = ctx;
	if (row == 0)
		return 0;
	if (n > (size_t)COL__MAX + 8)
		k->wide = true;   /* too_many_columns: a CSV-only error */
	json_t *o = json_object();
	for (int c = 0; c < COL__MAX; c++)
		if (k->pos[c] >= 0 && (size_t)k->pos[c] < n)
			json_object_set_new(o, batch_col_name(c),
			    json_stringn(f[k->pos[c]], lens[k->pos[c]]));
	json_array_append_new(k->arr, o);
	return 0;
}

static void
same_runs(const struct run *a, const struct run *b)
{
	CHECK(a->rows == b->rows && a->bad_rows == b->bad_rows);
	CHECK(a->errors_total == b->errors_total && a->nerr == b->nerr);
	for (size_t i = 0; i < a->nerr; i++) {
		CHECK(a->errs[i].row == b->errs[i].row);
		CHECK(strcmp(a->errs[i].col, b->errs[i].col) == 0);
		CHECK(strcmp(a->errs[i].code, b->errs[i].code) == 0);
	}
	CHECK(a->nchunk == b->nchunk);
	CHECK(a->nchunk == 0 || memcmp(a->chunk, b->chunk, a->nchunk * sizeof(*a->chunk)) == 0);
}

static void
run_free(struct run *r)
{
	free(r->chunk);
	free(r->errs);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tm_keys keys;
	if (size < 1)
		return 0;
	struct batch_req in = { .base_id = 1, .kind = (enum batch_kind)(data[0] % 3),
		.json = (data[0] & 4) != 0 };
	struct body b = { (const char *)data + 1, size - 1, 0 };
	struct run r;
	char enc[16];

	bulk_rows = 0;
	run_init(&r, &in, &keys);
	if (in.json) {
		const char *why = read_json(&r, reader, &b);
		CHECK(why == NULL || !strcmp(why, "invalid_json") || !strcmp(why, "invalid_utf8") ||
		    !strcmp(why, "batch_too_many_rows"));
		if (why != NULL)
			CHECK(r.rows == 0);
		check_run(&r);
		run_free(&r);
		return 0;
	}

	const char *why = read_csv(&r, reader, &b, enc, sizeof(enc));
	check_run(&r);
	if (why == NULL) {
		CHECK(r.header_ok && r.fatal == NULL);
		CHECK(r.pos[COL_ID_NUMBER] >= 0 && r.pos[COL_NAME] >= 0);
	}
	if (why != NULL || bulk_rows != 0) {
		run_free(&r);
		return 0;
	}

	/* the same rows as a JSON body */
	struct rows k = { json_array(), r.pos, false };
	struct csvin_limits lim = { TM_MAX_BATCH_FIELD, TM_MAX_BATCH_COLUMNS, TM_MAX_BATCH_ROWS };
	struct csvin *c = csvin_new(&lim, keep_row, &k);
	CHECK(c != NULL);
	CHECK(csvin_feed(c, b.p, b.n) == CSVIN_OK && csvin_finish(c) == CSVIN_OK);
	csvin_free(c);
	CHECK(json_array_size(k.arr) == r.rows);
	if (!k.wide) {
		json_t *root = json_pack("{s:o}", "rows", k.arr);
		char *text = json_dumps(root, JSON_COMPACT);
		CHECK(text != NULL);
		struct body jb = { text, strlen(text), 0 };
		struct run j;
		run_init(&j, &in, &keys);
		CHECK(read_json(&j, reader, &jb) == NULL);
		check_run(&j);
		same_runs(&r, &j);
		run_free(&j);
		free(text);
		json_decref(root);
	} else
		json_decref(k.arr);
	run_free(&r);
	return 0;
}
