#ifndef TM_SUMMARY_H
#define TM_SUMMARY_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keyset.h"

/*
 * A node's signed progress summary (GET /api/v1/federation/summary, certs/README.md
 * "Federation") and the regional arithmetic over several of them. Pure functions (the
 * signing and hashing ones need sodium_init()).
 *
 * Signed bytes (ASCII, one LF after every line, no trailing NUL), rebuilt by every reader
 * from the parsed document:
 *
 *   tmcred-summary-v1
 *   node=SH
 *   as_of=2026-11-27
 *   rule=3
 *   certified=1234
 *   level=junior 1000
 *   level=intermediate 200
 *   level=senior 34
 *   month=2026-01 12              one line per month of by_month, months strictly increasing
 *   persons=tmcred-region-v1 1234 <hex SHA-256 of the sorted 16-byte person hashes>
 *   (or "persons=-" when the node has no regional key)
 *   key=SH1
 *
 * Person hash: the first 16 bytes of keyed BLAKE2b-256 (crypto_generichash, key = the
 * region's shared 32-byte key) of "tmcred-region-v1" NUL + the 18-character ID number, upper
 * case X. Same person, same key → same hash on every node; without the key it says nothing.
 */
#define SUMMARY_FORMAT "tmcred-summary-v1"
#define REGION_SCHEME "tmcred-region-v1"
#define REGION_KEY_BYTES 32
#define REGION_HASH_BYTES 16
#define SUMMARY_MONTHS_MAX 600             /* 50 years of months */
#define SUMMARY_PERSONS_MAX 200000         /* per node: far beyond the 3,000 goal */
#define SUMMARY_JSON_MAX (8u << 20)        /* 200,000 hashes at ~36 bytes each fit */
#define SUMMARY_RULE_MAX 32
#define PEERS_REGION_MAX 65               /* this node and PEERS_MAX peers */

struct summary_month {
	int     y, m;
	int64_t n;                             /* newly counted in that month */
};

struct summary {
	char                 node[SERIAL_NODE_MAX + 1];
	struct ymd           as_of;
	char                 rule[SUMMARY_RULE_MAX + 1];
	int64_t              certified;
	int64_t              level[3];         /* junior, intermediate, senior */
	size_t               nmonths;
	struct summary_month month[SUMMARY_MONTHS_MAX];
	bool                 has_persons;
	size_t               npersons;
	unsigned char      (*persons)[REGION_HASH_BYTES];   /* malloc'ed, sorted, distinct */
	char                 key_id[CERT_KEY_ID_MAX + 1];
	unsigned char        sig[SIG_BYTES];
};

void	 region_person_hash(const unsigned char key[REGION_KEY_BYTES], const char id18[18],
	    unsigned char out[REGION_HASH_BYTES]);
/* Sorts and removes duplicates of the person hashes (before signing your own summary). */
void	 summary_sort_persons(struct summary *);

/* Canonical bytes into buf (NUL-terminated): length, or -1. */
int	 summary_canonical(const struct summary *, char *buf, size_t cap);
int	 summary_sign(struct summary *, const char *key_id, const unsigned char sk[SIG_SK_BYTES]);
/*
 * 0 when the summary's node is the set's, its key is in the set and covers as_of, and the
 * signature verifies over the canonical bytes; -1 otherwise.
 */
int	 summary_verify(const struct summary *, const struct keyset *);
/* SHA-256 of the canonical bytes (the storage key: one row per content). */
int	 summary_digest(const struct summary *, unsigned char out[32]);

/* The published document. New reference, NULL when out of memory. */
json_t	*summary_to_json(const struct summary *);
/*
 * Strict reader of a document: every field present and in range, months strictly
 * increasing, person hashes 32 hex digits sorted and distinct, certified equal to their
 * number. 0, or -1 with a short English reason in *why. summary_free afterwards in both cases.
 */
int	 summary_parse(const char *json, size_t len, struct summary *, const char **why);
void	 summary_free(struct summary *);

/*
 * The region: sum of the nodes' counts, distinct persons over all of them (when every node
 * has person hashes: exact), and per node the persons also counted at another node.
 */
struct region_total {
	int64_t sum;            /* Σ certified */
	int64_t total;          /* distinct persons (= sum when not exact) */
	int64_t double_counted; /* sum - total */
	bool    exact;          /* every summary carried person hashes */
};
int	 region_merge(const struct summary *const *s, size_t n, struct region_total *,
	    int64_t *shared_per_node);

#endif
