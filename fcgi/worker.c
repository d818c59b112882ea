#include "worker.h"

#include <errno.h>
#include <fcgiapp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../certs/verify.h"
#include "../courses/batches.h"
#include "../courses/text.h"
#include "epoch.h"
#include "errors.h"
#include "jsonbody.h"
#include "limits.h"
#include "request.h"
#include "response.h"
#include "router.h"
#include "session.h"

static volatile sig_atomic_t stopping;

static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
	/* Makes libfcgi's accept loop give up instead of retrying on EINTR. */
	FCGX_ShutdownPending();
}

/* The FastCGI params a request uses, found in one pass over the environment. */
enum fparam {
	P_METHOD, P_URI, P_SCRIPT, P_ACCEPT, P_REMOTE, P_CSRF, P_HTTPS, P_CTYPE, P_QUERY,
	P_COOKIE, P_CLEN, P_AUTHZ, P_IDEM, P_RAWURI, P__MAX
};

static const struct { const char *name; size_t len; } fparams[P__MAX] = {
#define N(s) { s, sizeof(s) - 1 }
	[P_METHOD] = N("REQUEST_METHOD"), [P_URI] = N("DOCUMENT_URI"),
	[P_SCRIPT] = N("SCRIPT_NAME"), [P_ACCEPT] = N("HTTP_ACCEPT"),
	[P_REMOTE] = N("REMOTE_ADDR"), [P_CSRF] = N("HTTP_X_CSRF_TOKEN"), [P_HTTPS] = N("HTTPS"),
	[P_CTYPE] = N("CONTENT_TYPE"), [P_QUERY] = N("QUERY_STRING"), [P_COOKIE] = N("HTTP_COOKIE"),
	[P_CLEN] = N("CONTENT_LENGTH"), [P_AUTHZ] = N("HTTP_AUTHORIZATION"),
	[P_IDEM] = N("HTTP_IDEMPOTENCY_KEY"), [P_RAWURI] = N("REQUEST_URI"),
#undef N
};

/* FCGX_GetParam scans the whole list per call; a request needs a dozen, so scan once. */
static void
params_scan(FCGX_Request *fr, const char *out[P__MAX])
{
	for (int i = 0; i < P__MAX; i++)
		out[i] = NULL;
	for (char **e = fr->envp; e != NULL && *e != NULL; e++) {
		const char *eq = strchr(*e, '=');
		if (eq == NULL)
			continue;
		size_t kl = (size_t)(eq - *e);
		for (int i = 0; i < P__MAX; i++)
			if (fparams[i].len == kl && out[i] == NULL && memcmp(*e, fparams[i].name, kl) == 0) {
				out[i] = eq + 1;
				break;
			}
	}
}

/* Copies a param into the arena, refusing oversized or non-UTF-8 values. */
static const char *
param_copy(struct request *req, const char *v, size_t max)
{
	if (v == NULL)
		return NULL;
	size_t n = strlen(v);
	if (n > max || !utf8_valid(v, n))
		return NULL;
	return arena_strndup(req->a, v, n);
}

static const char *
parse_error_code(enum parse_rc rc, bool json)
{
	switch (rc) {
	case PARSE_EUTF8: return "invalid_utf8";
	case PARSE_ELIMIT: return "too_many_fields";
	case PARSE_ENOMEM: return "internal_error";
	default: return json ? "invalid_json" : "invalid_form";
	}
}

/* Reads exactly len bytes of body into the arena. */
static int
read_body(struct request *req, FCGX_Request *fr, size_t len)
{
	char *b = arena_alloc(req->a, len + 1);
	size_t got = 0;
	if (b == NULL)
		return -1;
	while (got < len) {
		int n = FCGX_GetStr(b + got, (int)(len - got > 65536 ? 65536 : len - got), fr->in);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got != len || FCGX_GetError(fr->in) != 0)
		return -1;
	b[len] = '\0';
	req->body = b;
	req->body_len = len;
	return 0;
}

/* body_read of streamed routes: at most what CONTENT_LENGTH announced. */
static long
stream_read(struct request *req, char *buf, size_t cap)
{
	FCGX_Request *fr = req->fcgx;
	if (req->body_left == 0)
		return 0;
	if (cap > req->body_left)
		cap = (size_t)req->body_left;
	if (cap > 1 << 20)
		cap = 1 << 20;
	int n = FCGX_GetStr(buf, (int)cap, fr->in);
	if (n <= 0)
		return FCGX_GetError(fr->in) != 0 || req->body_left > 0 ? -1 : 0;
	req->body_left -= (uint64_t)n;
	return n;
}

/* Everything between the FastCGI params and the handler; fills r. */
static void
dispatch(struct worker_ctx *w, struct request *req, FCGX_Request *fr, struct response *r)
{
	enum parse_rc prc;
	bool path_known;
	const char *cl, *pv[P__MAX];

	params_scan(fr, pv);

	req->method = param_copy(req, pv[P_METHOD], 16);
	req->path = param_copy(req, pv[P_URI], TM_MAX_PATH);
	/* as the client sent it: only whether it was percent-encoded is read (verify links) */
	req->raw_percent = pv[P_RAWURI] != NULL && strchr(pv[P_RAWURI], '%') != NULL;
	if (req->path == NULL)
		req->path = param_copy(req, pv[P_SCRIPT], TM_MAX_PATH);
	req->accept = param_copy(req, pv[P_ACCEPT], 1024);
	req->remote_addr = param_copy(req, pv[P_REMOTE], 64);
	req->csrf_header = param_copy(req, pv[P_CSRF], 128);
	req->https = pv[P_HTTPS] != NULL && strcmp(pv[P_HTTPS], "on") == 0;
	req->content_type = media_type(req->a, pv[P_CTYPE]);
	req->content_type_raw = param_copy(req, pv[P_CTYPE], 256);
	req->api = req->path != NULL && (strncmp(req->path, "/api/", 5) == 0 ||
	    (req->accept != NULL && strstr(req->accept, "application/json") != NULL));
	if (req->method == NULL || req->path == NULL) {
		req->api = true;
		resp_error(req, r, "bad_request", NULL);
		return;
	}

	const char *q = pv[P_QUERY];
	if (q != NULL && strlen(q) > TM_MAX_QUERY) {
		resp_error(req, r, "too_many_fields", NULL);
		return;
	}
	if (q != NULL && (prc = parse_urlencoded(req->a, q, strlen(q), &req->query)) != PARSE_OK) {
		resp_error(req, r, parse_error_code(prc, false), NULL);
		return;
	}
	const char *ck = pv[P_COOKIE];
	if (ck != NULL)
		(void)parse_cookies(req->a, ck, strlen(ck), &req->cookies);   /* bad cookies are ignored */

	const struct route *rt = route_match(req, &path_known);
	if (rt == NULL) {
		resp_error(req, r, path_known ? "method_not_allowed" : "not_found", NULL);
		return;
	}

	/* Body: size first (never read more than the route allows), then its syntax. */
	uint64_t len = 0;
	bool unsupported = false;
	cl = pv[P_CLEN];
	if (cl != NULL && *cl != '\0' && !parse_u64(cl, strlen(cl), UINT64_MAX, &len)) {
		resp_error(req, r, "invalid_length", NULL);
		return;
	}
	uint64_t max = (rt->flags & R_STREAM) ? TM_MAX_BATCH_BYTES :
	    (rt->flags & R_SMALL_BODY) ? TM_MAX_BODY_PUBLIC : TM_MAX_BODY;
	if (len > max) {
		resp_error(req, r, "payload_too_large", NULL);
		return;
	}
	if (rt->flags & R_STREAM) {
		req->body_read = stream_read;
		req->fcgx = fr;
		req->body_left = len;
	} else if (len > 0 && read_body(req, fr, (size_t)len) < 0) {
		resp_error(req, r, "bad_request", NULL);
		return;
	}
	if (!(rt->flags & R_STREAM) &&
	    (len > 0 || strcmp(req->content_type, "application/json") == 0)) {
		if (strcmp(req->content_type, "application/json") == 0)
			prc = parse_json_body(req->a, req->body ? req->body : "", (size_t)len,
			    &req->json, &req->fields);
		else if (strcmp(req->content_type, "application/x-www-form-urlencoded") == 0)
			prc = parse_urlencoded(req->a, req->body, (size_t)len, &req->fields);
		else {
			/* Answered after the CSRF check: a forged cross-site post learns nothing. */
			prc = PARSE_OK;
			unsupported = true;
		}
		if (prc != PARSE_OK) {
			resp_error(req, r, parse_error_code(prc,
			    strcmp(req->content_type, "application/json") == 0), NULL);
			return;
		}
	}

	/* Database and session. A cookie is only looked up when the DB is reachable. */
	bool db_up = db_ready(w->db) == DB_OK;
	if ((rt->flags & R_DB) && !db_up) {
		resp_error(req, r, "db_unavailable", NULL);
		return;
	}
	const char *authz = pv[P_AUTHZ];
	if (authz != NULL) {
		/* A key is the whole identity of a base client: no cookies, so no CSRF either. */
		const char *why = db_up ? apikey_check(w->db, &w->keys, authz, &req->key) :
		    "db_unavailable";
		if (why != NULL) {
			req->api = true;
			resp_error(req, r, why, NULL);
			return;
		}
		req->via_key = true;
		req->role = ROLE_BASE;
		req->base_id = req->key.base_id;
		req->user_name = req->key.base_code;
	} else if (db_up) {
		enum db_rc src = session_load(req);
		if (src != DB_OK && (rt->flags & R_DB)) {
			resp_error(req, r, src == DB_GONE ? "db_unavailable" : "internal_error", NULL);
			return;
		}
	} else {
		const char *anon = kv_get(&req->cookies, csrf_cookie(req));
		req->csrf_seed = anon;
	}

	/*
	 * CSRF: other methods and content types need a CORS preflight that is never granted.
	 */
	req->idem_key = param_copy(req, pv[P_IDEM], 128);
	if (!req->via_key && !(rt->flags & R_STREAM) && strcmp(req->method, "POST") == 0 &&
	    csrf_needed(req->content_type) && !csrf_check(req)) {
		resp_error(req, r, "csrf_invalid", NULL);
		return;
	}
	if (unsupported) {
		resp_error(req, r, "unsupported_media_type", NULL);
		return;
	}

	const char *deny = route_authorize(rt, req);
	if (deny != NULL) {
		if (!req->api && strcmp(deny, "unauthorized") == 0 && strcmp(req->method, "GET") == 0)
			resp_redirect(req, r, "/login");
		else
			resp_error(req, r, deny, NULL);
		return;
	}
	rt->fn(req, r);
}

static int
write_all(FCGX_Request *fr, const char *p, size_t n)
{
	/* libfcgi misbehaves on very large single writes (fcgi2 #53): write in chunks. */
	while (n > 0) {
		int chunk = n > 65536 ? 65536 : (int)n;
		if (FCGX_PutStr(p, chunk, fr->out) != chunk)
			return -1;
		p += chunk;
		n -= (size_t)chunk;
	}
	return 0;
}

static void
serve(struct worker_ctx *w, struct arena *a, FCGX_Request *fr)
{
	struct request req = { .w = w, .a = a };
	struct response r = { 0 };
	struct sbuf out;

	dispatch(w, &req, fr, &r);
	/*
	 * Before the answer leaves: whoever learns of a change from it and asks again finds
	 * every answer cached on this host under the old epoch gone (fcgi/answer_cache.h).
	 */
	if (req.method == NULL || (strcmp(req.method, "GET") != 0 && strcmp(req.method, "HEAD") != 0))
		host_epoch_bump(EPOCH_WRITES);
	sbuf_init(&out, a);
	resp_render(&req, &r, &out);
	if (out.oom) {
		static const char oom[] = "Status: 500 Internal Server Error\r\n"
		    "Content-Type: application/json; charset=utf-8\r\n\r\n"
		    "{\"error\":{\"code\":\"internal_error\",\"message\":\"服务器内部错误\",\"details\":[]}}";
		(void)write_all(fr, oom, sizeof(oom) - 1);
	} else if (req.method != NULL && strcmp(req.method, "HEAD") == 0) {
		const char *end = strstr(out.p, "\r\n\r\n");
		(void)write_all(fr, out.p, end ? (size_t)(end - out.p) + 4 : out.len);
	} else
		(void)write_all(fr, out.p, out.len);
	json_decref(r.view);
	json_decref(req.json);
}

int
worker_main(const struct tm_config *cfg, int listen_fd)
{
	struct worker_ctx w = { .cfg = cfg };
	struct arena a;
	FCGX_Request fr;
	char err[512];
	sigset_t term, none;
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;   /* no SA_RESTART: accept() must return on SIGTERM */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigaddset(&term, SIGINT);
	sigemptyset(&none);

	if (keys_load(cfg->keys_dir, &w.keys, err, sizeof(err)) < 0 ||
	    (w.templates = tmpl_set_load_dir(cfg->templates, err, sizeof(err))) == NULL ||
	    (w.db = db_new(cfg)) == NULL) {
		fprintf(stderr, "tmcred worker %d: %s\n", (int)getpid(), err);
		return 2;
	}
	w.login_max_failures = TM_LOGIN_MAX_FAILURES;
	w.login_window_seconds = TM_LOGIN_WINDOW_SECONDS;
	(void)db_ready(w.db);   /* a database that is down now is retried per request */
	arena_init(&a, TM_MAX_ARENA_BYTES);
	FCGX_InitRequest(&fr, listen_fd, 0);

	sigprocmask(SIG_BLOCK, &term, NULL);
	while (!stopping) {
		/* SIGTERM is delivered only while waiting for a connection, never mid-request. */
		sigprocmask(SIG_UNBLOCK, &term, NULL);
		int rc = stopping ? -1 : FCGX_Accept_r(&fr);
		sigprocmask(SIG_BLOCK, &term, NULL);
		if (rc < 0)
			break;
		serve(&w, &a, &fr);
		FCGX_Finish_r(&fr);
		arena_reset(&a);
		/* after the answer left: work a client should not wait for */
		(void)cert_verified_flush(w.db, false);
	}
	(void)cert_verified_flush(w.db, true);
	FCGX_Free(&fr, 0);
	arena_free(&a);
	tmpl_set_free(w.templates);
	db_free(w.db);
	keys_wipe(&w.keys);
	return 0;
}
