#include "batch_direct.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "batches.h"
#include "date.h"
#include "ledger_years.h"
#include "record_inserter.h"

#define BDIRECT_MAX_RULES 256   /* ce_rules rows of one region: a handful in practice */

/*
 * Open addressing over two 64-bit words; a == 0 marks an empty slot (every key used here
 * starts with a person id, a blind or a course code, never 0). Values are indexes into
 * arrays. A slot is one 24-byte struct: one cache line fetched per probe, the tables being
 * too large for the cache (100,000 (person, day)s).
 */
struct kslot {
	uint64_t a, b;
	uint32_t v;
};

struct kmap {
	struct kslot *s;
	size_t cap, n;
};

static size_t
kslot_of(uint64_t a, uint64_t b, size_t cap)
{
	uint64_t h = a * 0x9e3779b97f4a7c15ull ^ (b + 0x632be59bd9b4e019ull) * 0xbf58476d1ce4e5b9ull;
	h ^= h >> 31;
	return (size_t)h & (cap - 1);
}

static uint32_t *
kmap_find(const struct kmap *m, uint64_t a, uint64_t b)
{
	if (m->cap == 0)
		return NULL;
	for (size_t i = kslot_of(a, b, m->cap);; i = (i + 1) & (m->cap - 1)) {
		struct kslot *e = &m->s[i];
		if (e->a == 0)
			return NULL;
		if (e->a == a && e->b == b)
			return &e->v;
	}
}

static bool
kmap_grow(struct kmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 1024;
	struct kslot *n = calloc(cap, sizeof(*n));
	if (n == NULL)
		return false;
	for (size_t i = 0; i < m->cap; i++) {
		if (m->s[i].a == 0)
			continue;
		size_t j = kslot_of(m->s[i].a, m->s[i].b, cap);
		while (n[j].a != 0)
			j = (j + 1) & (cap - 1);
		n[j] = m->s[i];
	}
	free(m->s);
	m->s = n;
	m->cap = cap;
	return true;
}

/* The value slot of (a, b), added with value v when absent (*fresh); NULL without memory. */
static uint32_t *
kmap_put(struct kmap *m, uint64_t a, uint64_t b, uint32_t v, bool *fresh)
{
	if ((m->n + 1) * 2 > m->cap && !kmap_grow(m))
		return NULL;
	size_t i = kslot_of(a, b, m->cap);
	for (;; i = (i + 1) & (m->cap - 1)) {
		struct kslot *e = &m->s[i];
		if (e->a == a && e->b == b) {
			*fresh = false;
			return &e->v;
		}
		if (e->a == 0)
			break;
	}
	*fresh = true;
	m->s[i] = (struct kslot){ a, b, v };
	m->n++;
	return &m->s[i].v;
}

static void
kmap_free(struct kmap *m)
{
	free(m->s);
}

/* A growable array of fixed-size elements. */
struct vec {
	void *p;
	size_t n, cap, size;
};

static void *
vec_push(struct vec *v)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 1024;
		void *p = realloc(v->p, cap * v->size);
		if (p == NULL)
			return NULL;
		v->p = p;
		v->cap = cap;
	}
	void *e = (char *)v->p + v->n++ * v->size;
	memset(e, 0, v->size);
	return e;
}

struct course {
	int64_t id;                 /* 0: no such course */
	char level[16], subject[16];
	int64_t compulsory;
	bool at_base;
};

struct pday {                   /* one person's day in this file */
	int64_t person;
	int32_t day, stored_x2, stored_n, new_x2, cap_x2;
	bool pending, listed;       /* stored sum not read yet; asked for in this chunk */
};

struct lyear {                  /* one person's year of the stored rows, for ledger_years */
	int64_t person, year, prof, gen, comp;
	bool had_rows;              /* the person had records before this upload */
};

struct pentry {                 /* see person_of */
	unsigned char blind[32];
	int64_t id;
	uint32_t name_off, name_len;
	int32_t dmin, dmax;         /* days of the person's stored rows (none: dmin > dmax) */
};

struct caprow {
	uint32_t row, pd;
};

struct rule {
	int32_t from, cap_x2;
};

struct bdirect {
	struct db *db;
	struct rec_inserter w;      /* the INSERTs, on a helper thread */
	struct bdirect_cfg cfg;
	char ref[24];
	struct rule rules[BDIRECT_MAX_RULES];
	size_t nrules;
	struct kmap codes, dups, pdays, years, pmap;
	struct vec courses, pds, lys, caprows, pents, names;
	bool failed, over_cap;
};

/* Per row of the chunk being checked. */
struct rstate {
	int64_t person, course;     /* 0: unknown */
	const struct course *c;
	int32_t day;
	uint32_t pd;                /* its (person, day) */
	bool in_span;               /* the person has stored rows on or around that day */
	bool had_rows;              /* the person has stored rows at all */
	unsigned char nkey[32];
	bool bad, seen;
};

static int32_t
day_number(const char *iso)
{
	struct ymd v;
	if (!ymd_parse(iso, strlen(iso), &v))
		return 0;
	/* days since 1970-01-01 (H. Hinnant's days_from_civil), as DATEDIFF(d, '1970-01-01') */
	int y = v.y - (v.m <= 2);
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int doy = (153 * (v.m + (v.m > 2 ? -3 : 9)) + 2) / 5 + v.d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/*
 * "SELECT ... IN (?, ..., ?) tail" for k keys: the statement cache keys on the text, so the
 * lists come in a few fixed sizes (each built once, padded by the caller with a repeated
 * key). A list much longer than its keys costs the server (1,000 parameters to read and
 * ranges to build for 125 persons cost 3 times the right-sized list).
 */
static const size_t in_sizes[] = { 8, 32, 128, 512, TM_BATCH_CHUNK };
#define IN_CLASSES (sizeof(in_sizes) / sizeof(in_sizes[0]))
#define IN_SQL_CAP (TM_BATCH_CHUNK * 8 + 512)
_Static_assert(TM_BATCH_CHUNK > 512, "in_sizes");

struct in_sql {
	char text[IN_CLASSES][IN_SQL_CAP];
};
static struct in_sql sql_persons, sql_spans, sql_courses, sql_seen, sql_days, sql_ledger;

static const char *
in_list_sql(struct in_sql *q, size_t k, size_t *size, const char *head, const char *elem,
    const char *tail)
{
	size_t c = 0;
	while (c + 1 < IN_CLASSES && in_sizes[c] < k)
		c++;
	*size = in_sizes[c];
	char *buf = q->text[c];
	if (buf[0] != '\0')
		return buf;
	size_t n = (size_t)snprintf(buf, IN_SQL_CAP, "%s", head);
	for (size_t i = 0; i < in_sizes[c] && n + 8 < IN_SQL_CAP; i++)
		n += (size_t)snprintf(buf + n, IN_SQL_CAP - n, "%s%s", i ? ", " : "", elem);
	snprintf(buf + n, IN_SQL_CAP - n, "%s", tail);
	return buf;
}

/* db_iter_start on the upload's connection, once the INSERT in flight is done. */
static enum db_rc
bd_iter_start(struct bdirect *b, struct db_iter *it, const char *sql, const struct db_val *v,
    size_t nv, struct db_out *o, size_t no)
{
	enum db_rc rc = rec_inserter_sync(&b->w);
	return rc != DB_OK ? rc : db_iter_start(b->db, it, sql, v, nv, o, no);
}

struct bdirect *
bdirect_new(struct db *d, const struct bdirect_cfg *cfg, enum db_rc *rc)
{
	struct bdirect *b = calloc(1, sizeof(*b));
	if (b == NULL) {
		*rc = DB_ERR;
		return NULL;
	}
	b->db = d;
	b->cfg = *cfg;
	snprintf(b->ref, sizeof(b->ref), "%lld", (long long)cfg->batch_id);
	b->courses.size = sizeof(struct course);
	b->pds.size = sizeof(struct pday);
	b->lys.size = sizeof(struct lyear);
	b->caprows.size = sizeof(struct caprow);
	b->pents.size = sizeof(struct pentry);
	b->names.size = 1;

	struct db_out o[] = { DBO_I64(), DBO_I64() };
	struct db_iter it;
	*rc = db_iter_start(d, &it, "SELECT DATEDIFF(effective_from, '1970-01-01'), daily_cap_x2"
	    " FROM ce_rules WHERE region = 'SH' ORDER BY effective_from DESC", NULL, 0, o, 2);
	while (*rc == DB_OK && (*rc = db_iter_next(&it)) == DB_OK && b->nrules < BDIRECT_MAX_RULES)
		b->rules[b->nrules++] = (struct rule){ (int32_t)o[0].i, (int32_t)o[1].i };
	db_iter_end(&it);
	if (*rc == DB_OK && b->nrules == BDIRECT_MAX_RULES)
		*rc = DB_ERR;           /* more rules than the limit: refuse rather than guess */
	if (*rc == DB_NOROW)
		*rc = DB_OK;
	if (*rc != DB_OK) {
		free(b);
		return NULL;
	}
	return b;
}

void
bdirect_free(struct bdirect *b)
{
	if (b == NULL)
		return;
	rec_inserter_stop(&b->w);
	kmap_free(&b->codes);
	kmap_free(&b->dups);
	kmap_free(&b->pdays);
	kmap_free(&b->years);
	kmap_free(&b->pmap);
	free(b->pents.p);
	free(b->names.p);
	free(b->courses.p);
	free(b->pds.p);
	free(b->lys.p);
	free(b->caprows.p);
	free(b);
}

bool
bdirect_failed(const struct bdirect *b)
{
	return b->failed || b->over_cap;
}

static void
bad(struct bdirect *b, struct rstate *s, const struct batch_row *r, const char *col,
    const char *code, size_t *nbad)
{
	s->bad = true;
	b->failed = true;
	(*nbad)++;
	b->cfg.err(b->cfg.ctx, (size_t)r->row_no, col, code);
}

/*
 * A person as first seen in this upload (id 0: not registered). A person's rows come in any
 * order, often spread over the file: each is looked up (and locked) once, in the first
 * chunk that names them. The lock holds until the commit, so the cached row stays true.
 */

static void
blind_key(const unsigned char *blind, uint64_t *a, uint64_t *b)
{
	memcpy(a, blind, 8);
	memcpy(b, blind + 8, 8);
	*a |= 1;                    /* never the empty mark; the whole blind is compared anyway */
}

static const struct pentry *
person_of(const struct bdirect *b, const unsigned char *blind)
{
	uint64_t ka, kb;
	blind_key(blind, &ka, &kb);
	const uint32_t *i = kmap_find(&b->pmap, ka, kb);
	if (i == NULL)
		return NULL;
	const struct pentry *p = (const struct pentry *)b->pents.p + *i;
	return memcmp(p->blind, blind, 32) == 0 ? p : NULL;
}

/* Adds a person to the cache; false without memory. (Two blinds sharing their first 16
 * bytes: the later one stays uncached and is looked up again, still exact.) */
static bool
person_add(struct bdirect *b, const unsigned char *blind, int64_t id, const char *name)
{
	uint64_t ka, kb;
	bool fresh;
	size_t l = strlen(name);
	blind_key(blind, &ka, &kb);
	uint32_t *slot = kmap_put(&b->pmap, ka, kb, (uint32_t)b->pents.n, &fresh);
	if (slot == NULL)
		return false;
	if (!fresh)
		return true;
	struct pentry *p = vec_push(&b->pents);
	if (p == NULL || b->names.n + l > UINT32_MAX)
		return false;
	memcpy(p->blind, blind, 32);
	p->id = id;
	p->dmin = INT32_MAX;
	p->dmax = INT32_MIN;
	p->name_off = (uint32_t)b->names.n;
	p->name_len = (uint32_t)l;
	for (size_t i = 0; i < l; i++) {
		char *c = vec_push(&b->names);
		if (c == NULL)
			return false;
		*c = name[i];
	}
	return true;
}

static int
blind_cmp(const void *x, const void *y)
{
	return memcmp(*(const unsigned char *const *)x, *(const unsigned char *const *)y, 32);
}

static int
pentry_id_cmp(const void *x, const void *y)
{
	int64_t a = (*(const struct pentry *const *)x)->id, c = (*(const struct pentry *const *)y)->id;
	return a < c ? -1 : a > c;
}

/*
 * The first and last day of each new person's stored rows (one loose index scan). A day
 * outside that span has nothing stored, so its sum needs no query: new hours usually come
 * after the old ones, and a person without rows needs none at all.
 */
static enum db_rc
load_spans(struct bdirect *b, const unsigned char *const *keys, size_t k)
{
	struct pentry *ps[TM_BATCH_CHUNK];
	struct db_val v[TM_BATCH_CHUNK];
	size_t m = 0;
	for (size_t i = 0; i < k; i++) {
		struct pentry *p = (struct pentry *)person_of(b, keys[i]);
		if (p != NULL && p->id != 0)
			ps[m++] = p;
	}
	if (m == 0)
		return DB_OK;
	qsort(ps, m, sizeof(ps[0]), pentry_id_cmp);
	size_t size;
	const char *sql = in_list_sql(&sql_spans, m, &size,
	    "SELECT person_id, DATEDIFF(MIN(completed_on), '1970-01-01'),"
	    " DATEDIFF(MAX(completed_on), '1970-01-01') FROM training_records WHERE person_id IN (",
	    "?", ") GROUP BY person_id");
	for (size_t i = 0; i < size; i++)
		v[i] = DBV_I64(ps[i < m ? i : 0]->id);
	struct db_out o[] = { DBO_I64(), DBO_I64(), DBO_I64() };
	struct db_iter it;
	enum db_rc rc = bd_iter_start(b, &it, sql, v, size, o, 3);
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK) {
		struct pentry key = { .id = o[0].i }, *kp = &key;
		struct pentry **hit = bsearch(&kp, ps, m, sizeof(ps[0]), pentry_id_cmp);
		if (hit != NULL) {
			(*hit)->dmin = (int32_t)o[1].i;
			(*hit)->dmax = (int32_t)o[2].i;
		}
	}
	db_iter_end(&it);
	return rc == DB_NOROW ? DB_OK : rc == DB_OK ? DB_ERR : rc;
}

/* Looks up (FOR UPDATE) the chunk's persons not seen before in this upload. */
static enum db_rc
load_persons(struct bdirect *b, const struct batch_row *rows, size_t n)
{
	const unsigned char *keys[TM_BATCH_CHUNK];
	struct db_val v[TM_BATCH_CHUNK];
	size_t k = 0, m = 0;
	for (size_t i = 0; i < n; i++)
		if (person_of(b, rows[i].blind) == NULL)
			keys[m++] = rows[i].blind;
	if (m == 0)
		return DB_OK;
	qsort(keys, m, sizeof(keys[0]), blind_cmp);
	for (size_t i = 0; i < m; i++)
		if (k == 0 || memcmp(keys[k - 1], keys[i], 32) != 0)
			keys[k++] = keys[i];
	size_t size;
	const char *sql = in_list_sql(&sql_persons, k, &size,
	    "SELECT id_blind, id, name FROM persons WHERE id_blind IN (", "?", ") FOR UPDATE");
	for (size_t i = 0; i < size; i++)
		v[i] = DBV_BLOB(keys[i < k ? i : 0], 32);
	unsigned char blind[32];
	char name[204];
	struct db_out o[] = { DBO_BLOB(blind), DBO_I64(), DBO_STR(name) };
	struct db_iter it;
	enum db_rc rc = bd_iter_start(b, &it, sql, v, size, o, 3);
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK)
		if (o[0].len != 32 || !person_add(b, blind, o[1].i, name))
			rc = DB_ERR;
	db_iter_end(&it);
	if (rc != DB_NOROW)
		return rc == DB_OK ? DB_ERR : rc;
	for (size_t i = 0; i < k; i++)      /* not registered: remembered too */
		if (person_of(b, keys[i]) == NULL && !person_add(b, keys[i], 0, ""))
			return DB_ERR;
	return load_spans(b, keys, k);
}

static void
code_key(const char *code, uint64_t *a, uint64_t *b)
{
	unsigned char k[16] = { 0 };
	memcpy(k, code, strnlen(code, 16));
	memcpy(a, k, 8);
	memcpy(b, k + 8, 8);
}

static bool
level_at_base(const char *levels, const char *level)
{
	size_t l = strlen(level);
	for (const char *p = levels; *p;) {
		size_t t = strcspn(p, ",");
		if (t == l && strncmp(p, level, l) == 0)
			return true;
		p += t + (p[t] == ',');
	}
	return false;
}

/* Looks up the chunk's course codes not seen before in this upload (codes are few). */
static enum db_rc
load_courses(struct bdirect *b, const struct batch_row *rows, size_t n)
{
	const char *want[TM_BATCH_CHUNK];
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t ka, kb;
		bool fresh;
		if (rows[i].course[0] == '\0')
			continue;
		code_key(rows[i].course, &ka, &kb);
		uint32_t *slot = kmap_put(&b->codes, ka, kb, (uint32_t)b->courses.n, &fresh);
		if (slot == NULL || (fresh && vec_push(&b->courses) == NULL))
			return DB_ERR;
		if (fresh)
			want[k++] = rows[i].course;
	}
	if (k == 0)
		return DB_OK;
	struct db_val v[TM_BATCH_CHUNK];
	size_t size;
	const char *sql = in_list_sql(&sql_courses, k, &size,
	    "SELECT code, id, level, subject, compulsory FROM courses WHERE code IN (", "?", ")");
	for (size_t i = 0; i < size; i++)
		v[i] = DBV_STR(want[i < k ? i : 0]);
	char code[72];
	struct course c;
	struct db_out o[] = { DBO_STR(code), DBO_I64(), DBO_STR(c.level), DBO_STR(c.subject),
		DBO_I64() };
	struct db_iter it;
	enum db_rc rc = bd_iter_start(b, &it, sql, v, size, o, DB_N(o));
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK) {
		/* codes compare case-insensitively in SQL; ours are upper case already */
		for (size_t i = 0; i < k; i++) {
			if (strcasecmp(want[i], code) != 0)
				continue;
			uint64_t ka, kb;
			code_key(want[i], &ka, &kb);
			struct course *dst = (struct course *)b->courses.p + *kmap_find(&b->codes, ka, kb);
			*dst = c;
			dst->id = o[1].i;
			dst->compulsory = o[4].i;
			dst->at_base = level_at_base(b->cfg.levels, c.level);
		}
	}
	db_iter_end(&it);
	return rc == DB_NOROW ? DB_OK : rc == DB_OK ? DB_ERR : rc;
}

static void
natural_key(const struct bdirect *b, const struct batch_row *r, const struct rstate *s,
    unsigned char out[32])
{
	/* = UNHEX(SHA2(CONCAT_WS('|', base, person, course, day, hours_x2), 256)) of the staging path */
	char t[128];
	int n = snprintf(t, sizeof(t), "%lld|%lld|%lld|%s|%lld", (long long)b->cfg.base_id,
	    (long long)s->person, (long long)s->course, r->day, (long long)r->hours_x2);
	crypto_hash_sha256(out, (const unsigned char *)t, (unsigned long long)n);
}

static int
key_cmp(const void *x, const void *y)
{
	return memcmp(x, y, 32);
}

/*
 * A row can only be stored already if its person had rows on that day before this upload
 * (read before any row of ours for that day went in, with the person locked). Rows of
 * ours cannot match a later row's key: that row would be a duplicate in the file.
 */
static bool
maybe_stored(const struct bdirect *b, const struct rstate *s)
{
	return ((const struct pday *)b->pds.p)[s->pd].stored_n > 0;
}

/* Marks the rows whose natural key is already stored ("unchanged"). */
static enum db_rc
mark_seen(struct bdirect *b, struct rstate *st, size_t n)
{
	struct db_val v[TM_BATCH_CHUNK];
	size_t k = 0, first = n;
	for (size_t i = 0; i < n; i++)
		if (!st[i].bad && maybe_stored(b, &st[i])) {
			if (first == n)
				first = i;
			v[k++] = DBV_BLOB(st[i].nkey, 32);
		}
	if (k == 0)
		return DB_OK;
	size_t size;
	const char *sql = in_list_sql(&sql_seen, k, &size,
	    "SELECT natural_key FROM training_records WHERE natural_key IN (", "?", ")");
	for (size_t i = k; i < size; i++)
		v[i] = DBV_BLOB(st[first].nkey, 32);
	unsigned char (*found)[32] = malloc(TM_BATCH_CHUNK * 32), key[32];
	size_t nf = 0;
	if (found == NULL)
		return DB_ERR;
	struct db_out o[] = { DBO_BLOB(key) };
	struct db_iter it;
	enum db_rc rc = bd_iter_start(b, &it, sql, v, size, o, 1);
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK && nf < TM_BATCH_CHUNK)
		memcpy(found[nf++], key, 32);
	db_iter_end(&it);
	if (rc == DB_NOROW) {
		rc = DB_OK;
		qsort(found, nf, 32, key_cmp);
		for (size_t i = 0; i < n; i++)
			if (!st[i].bad && nf > 0 && bsearch(st[i].nkey, found, nf, 32, key_cmp) != NULL)
				st[i].seen = true;
	} else if (rc == DB_OK)
		rc = DB_ERR;
	free(found);
	return rc;
}

static int32_t
cap_on(const struct bdirect *b, int32_t day)
{
	for (size_t i = 0; i < b->nrules; i++)
		if (b->rules[i].from <= day)
			return b->rules[i].cap_x2;
	return 0;
}

/* Stored hours of the (person, day)s new to this file; they hold none of our rows yet. */
static enum db_rc
load_day_sums(struct bdirect *b, const struct batch_row *rows, const struct rstate *st, size_t n)
{
	struct db_val v[2 * TM_BATCH_CHUNK];
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (st[i].bad)
			continue;
		struct pday *pd = (struct pday *)b->pds.p + st[i].pd;
		if (!pd->pending || pd->listed || !st[i].in_span)
			continue;
		pd->listed = true;
		v[2 * k] = DBV_I64(st[i].person);
		v[2 * k + 1] = DBV_STR(rows[i].day);
		k++;
	}
	if (k == 0)
		goto done;
	size_t size;
	const char *sql = in_list_sql(&sql_days, k, &size,
	    "SELECT person_id, DATEDIFF(completed_on, '1970-01-01'), SUM(hours_x2), COUNT(*)"
	    " FROM training_records WHERE (person_id, completed_on) IN (", "(?, ?)",
	    ") GROUP BY person_id, completed_on");
	for (size_t i = k; i < size; i++) {
		v[2 * i] = v[0];
		v[2 * i + 1] = v[1];
	}
	struct db_out o[] = { DBO_I64(), DBO_I64(), DBO_I64(), DBO_I64() };
	struct db_iter it;
	enum db_rc rc = bd_iter_start(b, &it, sql, v, 2 * size, o, 4);
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK) {
		uint32_t *pi = kmap_find(&b->pdays, (uint64_t)o[0].i, (uint64_t)o[1].i);
		if (pi == NULL)
			continue;
		struct pday *pd = (struct pday *)b->pds.p + *pi;
		if (pd->pending) {
			pd->stored_x2 = (int32_t)o[2].i;
			pd->stored_n = (int32_t)o[3].i;
		}
	}
	db_iter_end(&it);
	if (rc != DB_NOROW)
		return rc == DB_OK ? DB_ERR : rc;
done:
	for (size_t i = 0; i < n; i++)
		if (!st[i].bad)
			((struct pday *)b->pds.p)[st[i].pd].pending = false;
	return DB_OK;
}

/* The good rows' (person, day)s; new ones wait for their stored sums (load_day_sums). */
static enum db_rc
add_pdays(struct bdirect *b, struct rstate *st, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (st[i].bad)
			continue;
		bool fresh;
		uint32_t *pi = kmap_put(&b->pdays, (uint64_t)st[i].person, (uint64_t)st[i].day,
		    (uint32_t)b->pds.n, &fresh);
		if (pi == NULL)
			return DB_ERR;
		if (fresh) {
			struct pday *pd = vec_push(&b->pds);
			if (pd == NULL)
				return DB_ERR;
			*pd = (struct pday){ st[i].person, st[i].day, 0, 0, 0, cap_on(b, st[i].day), true,
				false };
		}
		st[i].pd = *pi;
	}
	return DB_OK;
}

/* The new rows' sums per (person, day), and per (person, year) for ledger_years. */
static enum db_rc
add_sums(struct bdirect *b, const struct batch_row *rows, const struct rstate *st, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (st[i].bad || st[i].seen)
			continue;
		bool fresh;
		struct pday *pd = (struct pday *)b->pds.p + st[i].pd;
		pd->new_x2 += (int32_t)rows[i].hours_x2;
		struct caprow *cr = vec_push(&b->caprows);
		if (cr == NULL)
			return DB_ERR;
		*cr = (struct caprow){ (uint32_t)rows[i].row_no, st[i].pd };

		int64_t year = strtol(rows[i].day, NULL, 10);
		uint32_t *yi = kmap_put(&b->years, (uint64_t)st[i].person, (uint64_t)year,
		    (uint32_t)b->lys.n, &fresh);
		if (yi == NULL || (fresh && vec_push(&b->lys) == NULL))
			return DB_ERR;
		struct lyear *ly = (struct lyear *)b->lys.p + *yi;
		ly->person = st[i].person;
		ly->year = year;
		ly->had_rows = st[i].had_rows;
		if (strcmp(st[i].c->subject, "professional") == 0)
			ly->prof += rows[i].hours_x2;
		else {
			ly->gen += rows[i].hours_x2;
			if (st[i].c->compulsory)
				ly->comp += rows[i].hours_x2;
		}
	}
	return DB_OK;
}

/* Whether a (person, day) of this chunk is over the cap now (later rows only add to it). */
static bool
any_over_cap(const struct bdirect *b, const struct rstate *st, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (st[i].bad || st[i].seen)
			continue;
		const struct pday *pd = (const struct pday *)b->pds.p + st[i].pd;
		if (pd->stored_x2 + pd->new_x2 > pd->cap_x2)
			return true;
	}
	return false;
}

enum db_rc
bdirect_sync(struct bdirect *b)
{
	return rec_inserter_sync(&b->w);
}

/* The chunk's good new rows, handed to the helper thread (courses/record_inserter.h). */
static enum db_rc
insert_rows(struct bdirect *b, const struct batch_row *rows, const struct rstate *st, size_t n)
{
	struct rec_rows *j = rec_inserter_buffer(&b->w, b->db);
	if (j == NULL)
		return DB_ERR;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (st[i].bad || st[i].seen)
			continue;
		j->person[k] = st[i].person;
		j->course[k] = st[i].course;
		j->base[k] = b->cfg.base_id;
		j->hours[k] = rows[i].hours_x2;
		j->comp[k] = st[i].c->compulsory;
		j->batch[k] = b->cfg.batch_id;
		j->actor[k] = b->cfg.actor_user_id;
		j->noactor[k] = b->cfg.actor_user_id == 0;
		j->lday[k] = strlen(rows[i].day);
		if (j->lday[k] >= sizeof(j->days[k]))
			return DB_ERR;
		memcpy(j->days[k], rows[i].day, j->lday[k] + 1);
		j->day[k] = j->days[k];
		j->subject[k] = st[i].c->subject;       /* the course cache outlives the upload's rows */
		j->lsub[k] = strlen(j->subject[k]);
		j->ref[k] = b->ref;
		j->lref[k] = strlen(b->ref);
		memcpy(j->keys[k], st[i].nkey, 32);
		j->key[k] = (const char *)j->keys[k];
		j->lkey[k] = 32;
		k++;
	}
	if (k == 0)
		return DB_OK;
	j->k = k;
	return rec_inserter_submit(&b->w, j);
}

enum db_rc
bdirect_chunk(struct bdirect *b, const struct batch_row *rows, size_t n, bool store, size_t *nbad)
{
	struct rstate *st = NULL;
	enum db_rc rc = DB_ERR;

	if (n == 0)
		return DB_OK;
	if (n > TM_BATCH_CHUNK || (st = calloc(n, sizeof(*st))) == NULL)
		goto out;
	if ((rc = load_persons(b, rows, n)) != DB_OK || (rc = load_courses(b, rows, n)) != DB_OK)
		goto out;
	rc = DB_ERR;
	for (size_t i = 0; i < n; i++) {
		const struct batch_row *r = &rows[i];
		struct rstate *s = &st[i];
		const struct pentry *p = person_of(b, r->blind);
		if (p == NULL) {
			/* the rare uncached one (see person_add): ask again, on its own */
			if ((rc = load_persons(b, r, 1)) != DB_OK)
				goto out;
			rc = DB_ERR;
			p = person_of(b, r->blind);
		}
		static const struct course none;
		uint64_t ca, cb;
		code_key(r->course, &ca, &cb);
		const uint32_t *ci = r->course[0] ? kmap_find(&b->codes, ca, cb) : NULL;
		s->c = ci ? (const struct course *)b->courses.p + *ci : &none;
		s->day = day_number(r->day);
		if (p == NULL || p->id == 0) {
			bad(b, s, r, "id_number", "person_unknown", nbad);
			continue;
		}
		s->person = p->id;
		s->in_span = s->day >= p->dmin && s->day <= p->dmax;
		s->had_rows = p->dmin <= p->dmax;
		const char *pname = (const char *)b->names.p + p->name_off;
		if (p->name_len != strlen(r->name) || memcmp(pname, r->name, p->name_len) != 0)
			bad(b, s, r, "name", "name_mismatch", nbad);
		else if (s->c->id == 0)
			bad(b, s, r, "course_code", "course_unknown", nbad);
		else if (!s->c->at_base)
			bad(b, s, r, "course_code", "course_level_not_at_base", nbad);
		if (s->c->id == 0)
			continue;
		/* The first row of a (person, course, day) wins, even when it is itself bad. */
		s->course = s->c->id;
		bool fresh;
		if (kmap_put(&b->dups, (uint64_t)s->person,
		    (uint64_t)s->course << 32 | (uint32_t)s->day, 0, &fresh) == NULL)
			goto out;
		if (!fresh && !s->bad)
			bad(b, s, r, "", "row_duplicate", nbad);
		if (!s->bad)
			natural_key(b, r, s, s->nkey);
	}
	if ((rc = add_pdays(b, st, n)) != DB_OK || (rc = load_day_sums(b, rows, st, n)) != DB_OK ||
	    (rc = mark_seen(b, st, n)) != DB_OK || (rc = add_sums(b, rows, st, n)) != DB_OK)
		goto out;
	/* Over the cap already: the batch is lost, its rows are reported at the end. */
	if (!b->over_cap && any_over_cap(b, st, n))
		b->over_cap = true;
	if (store && !bdirect_failed(b))
		rc = insert_rows(b, rows, st, n);
out:
	free(st);
	return rc;
}

/*
 * ledger_years of the persons who had no record before this upload: their years hold this
 * upload's rows and nothing else (their rows are locked since the first chunk that named
 * them, and their span query found none), so the sums computed here are the recomputed
 * rows, written as they are (ledger_years.h).
 */
static enum db_rc
ledger_fresh(struct bdirect *b)
{
	const struct lyear *all = b->lys.p;
	int64_t person[TM_BATCH_CHUNK], year[TM_BATCH_CHUNK], prof[TM_BATCH_CHUNK],
	    gen[TM_BATCH_CHUNK], comp[TM_BATCH_CHUNK];
	size_t k = 0;
	for (size_t i = 0; i <= b->lys.n; i++) {
		if (i < b->lys.n && !all[i].had_rows) {
			person[k] = all[i].person;
			year[k] = all[i].year;
			prof[k] = all[i].prof;
			gen[k] = all[i].gen;
			comp[k] = all[i].comp;
			k++;
		}
		if (k == 0 || (k < TM_BATCH_CHUNK && i < b->lys.n))
			continue;
		struct db_bulk_col cols[] = {
			{ DB_T_I64, person, NULL, NULL }, { DB_T_I64, year, NULL, NULL },
			{ DB_T_I64, prof, NULL, NULL }, { DB_T_I64, gen, NULL, NULL },
			{ DB_T_I64, comp, NULL, NULL },
		};
		enum db_rc rc = db_exec_bulk(b->db, "INSERT INTO ledger_years (person_id, year,"
		    " professional_x2, general_x2, compulsory_x2) VALUES (?, ?, ?, ?, ?)"
		    " ON DUPLICATE KEY UPDATE professional_x2 = VALUES(professional_x2),"
		    " general_x2 = VALUES(general_x2), compulsory_x2 = VALUES(compulsory_x2)", cols,
		    DB_N(cols), k, NULL);
		if (rc != DB_OK)
			return rc;
		k = 0;
	}
	return DB_OK;
}

/* Every year of the other persons, recomputed from training_records, 1,000 persons a time. */
static enum db_rc
ledger_recompute(struct bdirect *b)
{
	const struct lyear *all = b->lys.p;
	struct kmap done = { 0 };
	struct db_val v[TM_BATCH_CHUNK];
	enum db_rc rc = DB_OK;
	size_t k = 0;
	for (size_t i = 0; i <= b->lys.n && rc == DB_OK; i++) {
		if (i < b->lys.n && all[i].had_rows) {
			bool fresh;
			if (kmap_put(&done, (uint64_t)all[i].person, 1, 0, &fresh) == NULL) {
				rc = DB_ERR;
				break;
			}
			if (fresh)
				v[k++] = DBV_I64(all[i].person);
		}
		if (k == 0 || (k < TM_BATCH_CHUNK && i < b->lys.n))
			continue;
		size_t size;
		const char *sql = in_list_sql(&sql_ledger, k, &size,
		    LEDGER_YEARS_SUMS " WHERE person_id IN (", "?", ")" LEDGER_YEARS_SET);
		for (size_t j = k; j < size; j++)
			v[j] = v[0];
		rc = db_exec(b->db, sql, v, size, NULL, NULL);
		k = 0;
	}
	kmap_free(&done);
	return rc;
}

enum db_rc
bdirect_finish(struct bdirect *b, bool store, size_t *nbad, uint64_t *stored)
{
	const struct pday *pd = b->pds.p;
	const struct caprow *cr = b->caprows.p;
	for (size_t i = 0; i < b->caprows.n; i++) {
		const struct pday *p = &pd[cr[i].pd];
		if (p->stored_x2 + p->new_x2 > p->cap_x2) {
			b->cfg.err(b->cfg.ctx, cr[i].row, "hours", "hours_over_daily_cap");
			(*nbad)++;
		}
	}
	enum db_rc rc = rec_inserter_sync(&b->w);
	*stored = b->w.stored;
	if (rc != DB_OK || !store || bdirect_failed(b) || b->lys.n == 0)
		return rc;
	rc = ledger_fresh(b);
	return rc == DB_OK ? ledger_recompute(b) : rc;
}
