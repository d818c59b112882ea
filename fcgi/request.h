#ifndef TM_REQUEST_H
#define TM_REQUEST_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "../db/config.h"
#include "../db/db.h"
#include "../db/keys.h"
#include "../courses/apikeys.h"
#include "arena.h"
#include "parse.h"
#include "template.h"

/* What a worker holds for its whole life; requests borrow it. */
struct worker_ctx {
	const struct tm_config *cfg;
	struct db *db;
	struct tm_keys keys;
	struct tmpl_set *templates;
	unsigned login_max_failures;
	unsigned login_window_seconds;
};

enum role {
	ROLE_NONE = 0,
	ROLE_TRAINEE = 1 << 0,
	ROLE_BASE = 1 << 1,
	ROLE_REVIEWER = 1 << 2,
	ROLE_ADMIN = 1 << 3,
};
#define ROLE_ANY_USER (ROLE_TRAINEE | ROLE_BASE | ROLE_REVIEWER | ROLE_ADMIN)

/*
 * One request. Every pointer is into the request arena (or the FastCGI params, copied at
 * start) and dies with arena_reset() after the response.
 */
struct request {
	struct worker_ctx *w;
	struct arena *a;
	const char *method;          /* "GET", ... */
	const char *path;            /* decoded-free DOCUMENT_URI, e.g. "/api/v1/me" */
	const char *query_raw;
	bool raw_percent;            /* the request line's URI held a '%' (nginx decodes the path) */
	const char *content_type;    /* media type only, lower-case; "" if none */
	const char *content_type_raw;   /* with parameters (multipart boundary) */
	const char *accept;
	const char *remote_addr;
	bool https;
	bool api;                    /* /api/... or Accept: application/json → JSON face */
	struct kvlist query;
	struct kvlist cookies;
	struct kvlist fields;        /* body fields (form or top-level JSON scalars) */
	json_t *json;                /* JSON body root, or NULL; decref'd after the response */
	const char *body;
	size_t body_len;
	const char *params[4];       /* {name} segments captured by the router */
	size_t nparams;

	/* Authentication, filled by the router before the handler runs. */
	int64_t user_id;             /* 0 = anonymous */
	int64_t person_id;           /* the trainee behind the login; 0 for staff */
	enum role role;
	const char *user_name;
	const char *session_token;   /* raw cookie value when a session is valid */
	const char *csrf_seed;       /* what the CSRF token is bound to */
	bool set_csrf_cookie;        /* a fresh anonymous tm_csrf cookie must be sent */
	const char *csrf_cookie;
	const char *csrf_header;     /* X-CSRF-Token */

	/* Training bases: an API key (Authorization: Bearer) or a base operator's session. */
	bool via_key;
	struct apikey_auth key;
	int64_t base_id;             /* 0 = not acting for a base */
	const char *idem_key;        /* Idempotency-Key */

	/* Streamed routes (R_STREAM) read the body themselves, once, through this. */
	long (*body_read)(struct request *, char *, size_t);
	void *fcgx;                  /* the FCGX_Request, for body_read only */
	uint64_t body_left;
};

#endif
