#ifndef TM_SESSION_H
#define TM_SESSION_H
#include <stdbool.h>
#include <stdint.h>

#include "../db/db.h"
#include "request.h"
#include "response.h"

/*
 * Cookie names: tm_session and tm_csrf, with the __Host- prefix wherever cookies are Secure
 * (resp_cookies_secure: [server] secure_cookies, or the request came over HTTPS; ASVS 3.4.4).
 * A browser keeps a __Host- cookie only when it was set over HTTPS with Path=/ and no Domain,
 * so neither a sibling subdomain nor a man in the middle of plain HTTP can plant one; and only
 * the name of the request's mode is read, so a planted unprefixed cookie counts for nothing.
 */
const char *session_cookie(const struct request *);
const char *csrf_cookie(const struct request *);

/*
 * Sessions: the cookie holds 32 random bytes (base64url); the table holds only their
 * BLAKE2b hash, so reading the table does not log anyone in.
 * Fills req->user_id/role/user_name when the cookie names a live session. DB_OK also when
 * there is no cookie or the session is unknown/expired (then the request is anonymous).
 */
enum db_rc session_load(struct request *);
/*
 * A worker keeps the sessions it read for [session] cache_seconds (db/config.h, DEFAULT 5),
 * so most authenticated requests need no session read. Exactness on one host: the master
 * and all its workers (and, across a SIGHUP re-exec, both generations) share a session
 * epoch; anything that ends sessions early bumps it and every worker then forgets all it
 * cached. Other hosts do not see this host's epoch, and nothing sees a change made in SQL:
 * those take effect within cache_seconds (0 turns the cache off). Expiry is checked on
 * every request against the expires_at read with the session.
 */
#define TM_SESSION_CACHE_SLOTS 1024u

/*
 * Ends every session cached on this host. session_destroy calls it; anything that ends a
 * user's sessions, or changes a password, role or status, must call it after its commit.
 */
void	 session_epoch_bump(void);

/* Creates a session for user_id and sets the cookie on r. */
enum db_rc session_create(struct request *, struct response *, int64_t user_id);
/* Deletes the current session (if any) and expires the cookie. */
enum db_rc session_destroy(struct request *, struct response *);

/*
 * CSRF tokens are a keyed hash (csrf.key) of what the browser already holds: the session
 * token when logged in, else an anonymous tm_csrf cookie (created on first need). A
 * cross-site form cannot read either, so it cannot produce the token.
 */
const char *csrf_token(struct request *);
/*
 * The content types a page on another site can POST here without a CORS preflight (the
 * "simple" ones of the Fetch standard, and none at all): only these can carry a forged
 * request, so only these need the CSRF token.
 */
bool	 csrf_needed(const char *media_type);
/* True when the `csrf` field or X-CSRF-Token header matches, compared in constant time. */
bool	 csrf_check(struct request *);

/* Role name from the database to the router's bit. */
enum role role_from_name(const char *);

#endif
