#include "router.h"

#include <string.h>

/* Matches path against pattern, capturing {segments}; returns false on mismatch. */
static bool
match(const char *pat, const char *path, struct request *req)
{
	size_t np = 0;
	const char *caps[4];
	size_t caplen[4];

	while (*pat && *path) {
		if (*pat == '{') {
			const char *pe = strchr(pat, '}');
			size_t seg = strcspn(path, "/");
			if (pe == NULL || seg == 0 || np == 4)
				return false;
			caps[np] = path;
			caplen[np++] = seg;
			pat = pe + 1;
			path += seg;
		} else if (*pat++ != *path++)
			return false;
	}
	if (*pat || *path)
		return false;
	req->nparams = np;
	for (size_t i = 0; i < np; i++)
		req->params[i] = arena_strndup(req->a, caps[i], caplen[i]);
	return true;
}

const struct route *
route_match(struct request *req, bool *path_known)
{
	*path_known = false;
	for (size_t i = 0; i < nroutes; i++) {
		if (!match(routes[i].pattern, req->path, req))
			continue;
		*path_known = true;
		if (strcmp(routes[i].method, req->method) == 0 ||
		    (strcmp(req->method, "HEAD") == 0 && strcmp(routes[i].method, "GET") == 0))
			return &routes[i];
	}
	return NULL;
}

const char *
route_authorize(const struct route *rt, const struct request *req)
{
	if (rt->roles == 0)
		return NULL;
	if (req->user_id == 0 && !req->via_key)
		return "unauthorized";
	if ((rt->roles & req->role) == 0)
		return "forbidden";
	return NULL;
}
