#ifndef TM_ROUTER_H
#define TM_ROUTER_H
#include <stdbool.h>
#include <stddef.h>

#include "request.h"
#include "response.h"

typedef void (*handler_fn)(struct request *, struct response *);

enum route_flag {
	R_DB = 1 << 0,           /* needs the database: 503 db_unavailable when it is down */
	R_SMALL_BODY = 1 << 1,   /* public form: body limited to TM_MAX_BODY_PUBLIC */
	R_STREAM = 1 << 2,       /* uploads: the handler reads the body (≤ TM_MAX_BATCH_BYTES)
	                            and, for forms, checks the CSRF token itself */
};

/*
 * One static table {method, pattern, handler, roles, flags}. `roles` 0 = anyone; else the
 * user must be logged in with one of the roles, checked here and never in a handler.
 * Patterns are literal paths with `{name}` segments captured into req->params.
 */
struct route {
	const char *method;
	const char *pattern;
	handler_fn fn;
	unsigned roles;
	unsigned flags;
};

extern const struct route routes[];
extern const size_t nroutes;

/* The route for (method, path), or NULL; *path_known tells 405 from 404. */
const struct route *route_match(struct request *, bool *path_known);
/* 0 when the user may call the route; else the error code to answer. */
const char *route_authorize(const struct route *, const struct request *);

#endif
