#ifndef TM_PEERS_H
#define TM_PEERS_H
#include <jansson.h>
#include <stdint.h>

#include "../db/config.h"
#include "../db/db.h"
#include "fetch.h"
#include "keysig.h"

/*
 * The trust list (certs/README.md "Federation"): peer nodes an admin added by URL and the
 * fingerprint of their key set, given out of band. A peer's key set is fetched, checked
 * against the pin and stored; a later set with another fingerprint replaces it only when a
 * key of the stored set signed it (keyset_update_check). Every fetch that fails or is refused
 * is written to peer_events and changes nothing else.
 */
#define PEERS_MAX 64
#define PEERS_CACHE_SECONDS 5
#define PEER_EVENTS_SHOWN 50
#define PEER_KEYSET_PATH "/.well-known/tmcred-keys.json"

struct peer {
	int64_t       id;
	char          code[SERIAL_NODE_MAX + 1];
	char          name[KEYSET_NAME_MAX + 1];
	char          url[VERIFY_BASE_MAX + 1];      /* no trailing '/' */
	char          fingerprint[KEYSET_FP_HEX + 1];
	struct keyset ks;
};

/* The configured timeouts with a size limit. */
struct fetch_opts peer_fetch_opts(const struct tm_config *, size_t max);

/* One line of peer_events (best effort: a failure to log is not a failure to refuse). */
void	 peer_event(struct db *, const char *code, const char *url, const char *kind,
	    const char *outcome, const char *detail);

/*
 * Fetches URL's key set, compares its fingerprint with pin, stores it and audits the
 * addition. NULL on success (*out: the peer), else an error code (fcgi/errors.c).
 */
const char *peer_add(struct db *, const struct tm_config *, int64_t actor, const char *remote,
    const char *url, const char *pin, json_t **out);
/* Removes the peer with this code (its summaries with it) and audits it. NULL or a code. */
const char *peer_remove(struct db *, int64_t actor, const char *remote, const char *code);

/*
 * Refetches a peer's key set and applies the rotation rule. Returns NULL when the stored set
 * is (still, or newly) the peer's, else an error code; *outcome names what happened
 * ("same", "rotated", or the error code).
 */
const char *peer_refresh_keys(struct db *, const struct tm_config *, const struct peer *,
    const char **outcome);

/* Every peer, ordered by code. */
enum db_rc peers_read(struct db *, struct peer *out, size_t cap, size_t *n);
/* The peer with this node code from a per-worker copy (PEERS_CACHE_SECONDS), or NULL. */
const struct peer *peer_cached(struct db *, const char *code);

/* 1 when the per-worker copy was ever read (a NULL from peer_cached then means "not a peer"). */
int	 peer_cache_loaded(void);
/* Forget the per-worker copy (after a rotation was accepted). */
void	 peer_cache_drop(void);

/*
 * Every peer: refetch its key set (rotation rules) and, when summary.h is built in, its
 * signed summary. One object per peer appended to result: {"code","keyset","summary"} with
 * the outcome codes. NULL, or a database error code.
 */
const char *federation_pull(struct db *, const struct tm_config *, json_t *result);

/* The admin page's data: peers (with last fetch and last summary) and the latest events. */
const char *peers_json(struct db *, json_t *peers, json_t *events);

#endif
