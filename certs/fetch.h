#ifndef TM_FETCH_H
#define TM_FETCH_H
#include <stddef.h>

/*
 * GET of a peer's public document with libcurl, bounded in every way a peer could abuse:
 * connect and total timeouts, a size limit enforced while reading (a chunked answer has no
 * length to check first), http and https only, TLS peer and host verification on, no
 * redirects followed (a 3xx is an answer like any other non-200), no proxy from the
 * environment. Call fetch_global_init() once before fork.
 */
enum fetch_err {
	FETCH_OK = 0,
	FETCH_EURL,         /* not an http(s) URL we fetch */
	FETCH_EDOWN,        /* no connection: refused, unreachable, unknown host */
	FETCH_ETIMEOUT,     /* connect or total timeout */
	FETCH_ETOOBIG,      /* more than max bytes */
	FETCH_ESTATUS,      /* an HTTP status other than 200 (redirects included) */
	FETCH_ETLS,         /* certificate or handshake refused */
	FETCH_EFAILED,      /* anything else (out of memory, protocol error) */
};

struct fetch_opts {
	unsigned connect_ms;
	unsigned total_ms;
	size_t   max;
};

int	 fetch_global_init(void);
/*
 * *body is malloc'ed and NUL-terminated (caller frees) on FETCH_OK, NULL otherwise;
 * *status gets the HTTP status when there was one (0 otherwise).
 */
enum fetch_err fetch_get(const char *url, const struct fetch_opts *, char **body, size_t *len,
    long *status);
/* Stable codes: "ok", "peer_url_invalid", "peer_down", "peer_timeout", "peer_too_large",
   "peer_http_status", "peer_tls", "peer_failed". */
const char *fetch_err_code(enum fetch_err);

#endif
