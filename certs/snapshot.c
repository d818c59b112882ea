#include "snapshot.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../courses/mask.h"
#include "issue.h"

#define DIG_BYTES 16

struct ent {
	int64_t       id, base_id;
	char          serial[SERIAL_MAX + 1];
	unsigned char rev;
	char          status;
	char          holder[64];
	unsigned char dig[DIG_BYTES];
};

struct base { int64_t id; char *name; };

static struct {
	struct ent   *ents;
	size_t        n, cap;
	uint32_t     *slots;            /* index + 1 into ents; 0 = empty */
	size_t        nslots;           /* a power of two, at least 2 n */
	struct base  *bases;
	size_t        nbases;
	unsigned char hkey[crypto_shorthash_KEYBYTES];
	char          since[27];        /* the database's clock when the last read began */
	time_t        synced, full;
	uint64_t      epoch;
	bool          loaded;
} S;

static size_t
slot_of(const char *serial)
{
	unsigned char h[crypto_shorthash_BYTES];
	uint64_t v;
	crypto_shorthash(h, (const unsigned char *)serial, strlen(serial), S.hkey);
	memcpy(&v, h, sizeof(v));
	return (size_t)v & (S.nslots - 1);
}

static struct ent *
find(const char *serial)
{
	if (S.nslots == 0)
		return NULL;
	for (size_t i = slot_of(serial);; i = (i + 1) & (S.nslots - 1)) {
		uint32_t k = S.slots[i];
		if (k == 0)
			return NULL;
		if (strcmp(S.ents[k - 1].serial, serial) == 0)
			return &S.ents[k - 1];
	}
}

static int
reindex(size_t nslots)
{
	uint32_t *s = calloc(nslots, sizeof(*s));
	if (s == NULL)
		return -1;
	free(S.slots);
	S.slots = s;
	S.nslots = nslots;
	for (size_t k = 0; k < S.n; k++) {
		size_t i = slot_of(S.ents[k].serial);
		while (S.slots[i] != 0)
			i = (i + 1) & (nslots - 1);
		S.slots[i] = (uint32_t)(k + 1);
	}
	return 0;
}

static struct ent *
add(const char *serial)
{
	if (S.n == S.cap) {
		size_t cap = S.cap ? S.cap * 2 : 1024;
		struct ent *e;
		if (S.n >= SNAP_MAX_CERTS || (e = realloc(S.ents, cap * sizeof(*e))) == NULL)
			return NULL;
		S.ents = e;
		S.cap = cap;
	}
	if (2 * (S.n + 1) > S.nslots && reindex(S.nslots ? S.nslots * 2 : 4096) < 0)
		return NULL;
	struct ent *e = &S.ents[S.n];
	memset(e, 0, sizeof(*e));
	snprintf(e->serial, sizeof(e->serial), "%s", serial);
	size_t i = slot_of(serial);
	while (S.slots[i] != 0)
		i = (i + 1) & (S.nslots - 1);
	S.slots[i] = (uint32_t)(++S.n);
	return e;
}

static void
digest(const struct cert_claims *c, const unsigned char sig[SIG_BYTES], unsigned char out[DIG_BYTES])
{
	char payload[SIG_PAYLOAD_MAX];
	crypto_generichash_state st;
	int n = sig_payload(c, payload, sizeof(payload));
	crypto_generichash_init(&st, NULL, 0, DIG_BYTES);
	crypto_generichash_update(&st, (const unsigned char *)payload, n > 0 ? (size_t)n : 0);
	crypto_generichash_update(&st, sig, SIG_BYTES);
	crypto_generichash_final(&st, out, DIG_BYTES);
}

static enum db_rc
load_bases(struct db *d)
{
	struct db_iter it;
	char name[400];
	struct db_out o[] = { DBO_I64(), DBO_STR(name) };
	struct base *b = calloc(SNAP_MAX_BASES, sizeof(*b));
	size_t n = 0;
	if (b == NULL)
		return DB_ERR;
	enum db_rc rc = db_iter_start(d, &it, "SELECT id, name FROM bases ORDER BY id", NULL, 0, o, 2);
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK)
		if (n < SNAP_MAX_BASES && (b[n].name = strdup(name)) != NULL)
			b[n++].id = o[0].i;
	db_iter_end(&it);
	if (rc != DB_NOROW) {
		while (n > 0)
			free(b[--n].name);
		free(b);
		return rc;
	}
	for (size_t i = 0; i < S.nbases; i++)
		free(S.bases[i].name);
	free(S.bases);
	S.bases = b;
	S.nbases = n;
	return DB_OK;
}

/* Reads the rows changed since `since` (a DATETIME text) into the snapshot. */
static enum db_rc
load_rows(struct db *d, const char *since, int overlap)
{
	struct db_iter it;
	char serial[SERIAL_MAX + 1], status[16], level[16], name[200], issued[11], expires[11];
	char key_id[CERT_KEY_ID_MAX + 1];
	unsigned char sig[SIG_BYTES];
	struct db_out o[] = { DBO_I64(), DBO_STR(serial), DBO_I64(), DBO_STR(status), DBO_STR(level),
		DBO_STR(name), DBO_STR(issued), DBO_STR(expires), DBO_STR(key_id), DBO_BLOB(sig),
		DBO_I64() };
	struct db_val v[] = { DBV_STR(since), DBV_I64(overlap) };
	enum db_rc rc = db_iter_start(d, &it, "SELECT id, serial, rev, status, level, holder_name,"
	    " issued_on, expires_on, key_id, signature, COALESCE(base_id, 0) FROM certificates"
	    " WHERE updated_at >= DATE_SUB(?, INTERVAL ? SECOND)", v, 2, o, 11);
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK) {
		struct cert_claims c;
		memset(&c, 0, sizeof(c));
		snprintf(c.serial, sizeof(c.serial), "%s", serial);
		c.rev = (unsigned)o[2].i;
		c.level = level_letter(level);
		snprintf(c.key_id, sizeof(c.key_id), "%s", key_id);
		struct ent *e = find(serial);
		if (e == NULL && (e = add(serial)) == NULL)
			continue;   /* full: those serials take the full path */
		e->id = o[0].i;
		e->base_id = o[10].i;
		e->rev = (unsigned char)o[2].i;
		e->status = status[0];
		if (mask_name(name, strlen(name), e->holder, sizeof(e->holder)) < 0)
			e->holder[0] = '\0';
		if (holder_hash(name, c.holder) < 0 || !ymd_parse_str(issued, &c.issued) ||
		    !ymd_parse_str(expires, &c.expires) || !cert_claims_valid(&c))
			memset(e->dig, 0, sizeof(e->dig)), e->rev = 0;   /* never matches: full path */
		else
			digest(&c, sig, e->dig);
	}
	db_iter_end(&it);
	return rc == DB_NOROW ? DB_OK : rc;
}

/* The database's clock now: the next read starts from it (no app-to-database clock skew). */
static enum db_rc
db_now(struct db *d, char out[27])
{
	struct db_out o[] = { { .t = DB_T_STR, .buf = out, .cap = 27 } };
	return db_row(d, "SELECT DATE_FORMAT(NOW(6), '%Y-%m-%d %H:%i:%s.%f')", NULL, 0, o, 1);
}

enum db_rc
snap_sync(struct db *d, uint64_t epoch)
{
	time_t now = time(NULL);
	char since[27];
	enum db_rc rc;
	if (!S.loaded || now - S.full >= SNAP_FULL_SECONDS) {
		if (!S.loaded)
			crypto_shorthash_keygen(S.hkey);
		S.n = 0;
		if (S.nslots)
			memset(S.slots, 0, S.nslots * sizeof(*S.slots));
		if ((rc = db_now(d, since)) != DB_OK || (rc = load_bases(d)) != DB_OK ||
		    (rc = load_rows(d, "1970-01-01", 0)) != DB_OK) {
			S.loaded = false;   /* half a snapshot must not answer */
			S.n = 0;
			if (S.nslots)
				memset(S.slots, 0, S.nslots * sizeof(*S.slots));
			return rc;
		}
		S.loaded = true;
		memcpy(S.since, since, sizeof(since));
		S.full = S.synced = now;
		S.epoch = epoch;
		return DB_OK;
	}
	if (epoch == S.epoch && now - S.synced < SNAP_REFRESH_SECONDS)
		return DB_OK;
	if ((rc = db_now(d, since)) != DB_OK || (rc = load_bases(d)) != DB_OK ||
	    (rc = load_rows(d, S.since, SNAP_OVERLAP_SECONDS)) != DB_OK) {
		S.loaded = false;   /* stale beyond the bound: reload from scratch next time */
		return rc;
	}
	memcpy(S.since, since, sizeof(since));
	S.synced = now;
	S.epoch = epoch;
	return DB_OK;
}

int
snap_check(const struct cert_claims *c, const unsigned char sig[SIG_BYTES], struct snap_hit *hit)
{
	unsigned char dig[DIG_BYTES];
	if (!S.loaded)
		return -1;
	const struct ent *e = find(c->serial);
	if (e == NULL || e->rev == 0 || e->rev != c->rev)
		return -1;
	digest(c, sig, dig);
	if (sodium_memcmp(dig, e->dig, DIG_BYTES) != 0)
		return 0;
	hit->cert_id = e->id;
	hit->status = e->status;
	snprintf(hit->holder, sizeof(hit->holder), "%s", e->holder);
	hit->base = "";
	for (size_t lo = 0, hi = S.nbases; lo < hi;) {     /* bases are read in id order */
		size_t mid = lo + (hi - lo) / 2;
		if (S.bases[mid].id == e->base_id) {
			hit->base = S.bases[mid].name;
			break;
		}
		if (S.bases[mid].id < e->base_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 1;
}
