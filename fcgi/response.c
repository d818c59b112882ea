#include "response.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "session.h"

const char *
status_text(int s)
{
	switch (s) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 303: return "See Other";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Entity";
	case 429: return "Too Many Requests";
	case 503: return "Service Unavailable";
	default: return s >= 500 ? "Internal Server Error" : "Error";
	}
}

json_t *
field_error(const char *field, const char *code, const char *message)
{
	return json_pack("{s:s, s:s, s:s}", "field", field, "code", code, "message", message);
}

void
resp_view(struct response *r, int status, json_t *view, const char *template)
{
	json_decref(r->view);
	r->status = status;
	r->view = view ? view : json_object();
	r->template = template;
}

void
resp_error(struct request *req, struct response *r, const char *code, json_t *details)
{
	const struct err_def *e = err_lookup(code);
	(void)req;
	json_t *err = json_pack("{s:s, s:s, s:o}", "code", e->code, "message", e->message,
	    "details", details ? details : json_array());
	resp_view(r, e->status, json_pack("{s:o, s:s}", "error", err ? err : json_object(),
	    "page_title", e->message), "error");
}

void
resp_redirect(struct request *req, struct response *r, const char *location)
{
	r->status = 303;
	r->redirect = arena_strdup(req->a, location);
}

void
resp_header(struct request *req, struct response *r, const char *fmt, ...)
{
	va_list ap;
	char buf[1024];
	if (r->nheaders == TM_MAX_HEADERS)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf) || strpbrk(buf, "\r\n") != NULL)
		return;   /* never split a header, whatever a caller passes */
	r->headers[r->nheaders++] = arena_strdup(req->a, buf);
}

bool
resp_cookies_secure(const struct request *req)
{
	return req->w->cfg->secure_cookies || req->https;
}

void
resp_cookie(struct request *req, struct response *r, const char *name, const char *value,
    long max_age)
{
	resp_header(req, r, "Set-Cookie: %s=%s; Path=/; Max-Age=%ld; HttpOnly; SameSite=Lax%s",
	    name, value, max_age, resp_cookies_secure(req) ? "; Secure" : "");
}

/* Adds what every page needs: the CSRF token for its forms and who is logged in. */
static void
decorate(struct request *req, struct response *r, json_t *view)
{
	const char *tok = csrf_token(req);
	if (tok != NULL)
		json_object_set_new(view, "csrf", json_string(tok));
	if (req->set_csrf_cookie) {
		resp_cookie(req, r, csrf_cookie(req), req->csrf_cookie, 7 * 24 * 3600);
		req->set_csrf_cookie = false;
	}
	if (req->user_id > 0) {
		json_object_set_new(view, "session", json_pack("{s:s?, s:b, s:b, s:b}", "name",
		    req->user_name, "admin", (req->role & ROLE_ADMIN) != 0, "base",
		    (req->role & ROLE_BASE) != 0, "reviewer", (req->role & ROLE_REVIEWER) != 0));
	}
}

static void
put_headers(struct sbuf *out, struct response *r, const char *ctype, size_t len)
{
	/* Every answer goes through here: plain appends, no printf engine. */
	char num[24], *p = num + sizeof(num);
	int st = r->status > 0 && r->status < 1000 ? r->status : 500;
	sbuf_puts(out, "Status: ");
	sbuf_putc(out, (char)('0' + st / 100));
	sbuf_putc(out, (char)('0' + st / 10 % 10));
	sbuf_putc(out, (char)('0' + st % 10));
	sbuf_putc(out, ' ');
	sbuf_puts(out, status_text(st));
	if (ctype != NULL) {
		sbuf_puts(out, "\r\nContent-Type: ");
		sbuf_puts(out, ctype);
	}
	sbuf_puts(out, "\r\nContent-Length: ");
	do
		*--p = (char)('0' + len % 10);
	while ((len /= 10) > 0);
	sbuf_put(out, p, (size_t)(num + sizeof(num) - p));
	sbuf_puts(out, "\r\n");
	/* Pages and answers carry personal data: never let a shared cache keep them. */
	sbuf_puts(out, "Cache-Control: no-store\r\n");
	if (st == 503)
		sbuf_puts(out, "Retry-After: 5\r\n");
	for (size_t i = 0; i < r->nheaders; i++) {
		sbuf_puts(out, r->headers[i]);
		sbuf_puts(out, "\r\n");
	}
	sbuf_puts(out, "\r\n");
}

char *
resp_api_json(json_t *view, size_t *len)
{
	/* HTML-only decorations are never in JSON; put back so a cached view keeps its title */
	json_t *title = json_incref(json_object_get(view, "page_title"));
	if (title != NULL)
		json_object_del(view, "page_title");
	char *js = json_dumps(view, JSON_COMPACT);
	if (title != NULL)
		json_object_set_new(view, "page_title", title);
	if (js != NULL)
		*len = strlen(js);
	return js;
}

void
resp_render(struct request *req, struct response *r, struct sbuf *out)
{
	struct sbuf body;

	if (r->redirect != NULL) {
		resp_header(req, r, "Location: %s", r->redirect);
		put_headers(out, r, NULL, 0);
		return;
	}
	if (r->raw != NULL) {
		put_headers(out, r, r->content_type, r->raw_len);
		sbuf_put(out, r->raw, r->raw_len);
		return;
	}
	if (r->view == NULL)
		r->view = json_object();
	sbuf_init(&body, req->a);
	if (!req->api && r->template != NULL) {
		decorate(req, r, r->view);
		if (tmpl_render(req->w->templates, r->template, r->view, &body) == 0 && !body.oom) {
			put_headers(out, r, "text/html; charset=utf-8", body.len);
			sbuf_put(out, body.p, body.len);
			return;
		}
		fprintf(stderr, "tmcred: template %s failed to render\n", r->template);
		r->status = 500;
		static const char fallback[] = "<!doctype html><meta charset=utf-8><title>错误</title>"
		    "<p>服务器内部错误，请稍后重试</p>";
		put_headers(out, r, "text/html; charset=utf-8", sizeof(fallback) - 1);
		sbuf_put(out, fallback, sizeof(fallback) - 1);
		return;
	}
	size_t n = 0;
	char *js = resp_api_json(r->view, &n);
	if (js == NULL) {
		r->status = 500;
		js = strdup("{\"error\":{\"code\":\"internal_error\",\"message\":\"服务器内部错误\",\"details\":[]}}");
		if (js == NULL)
			return;
		n = strlen(js);
	}
	put_headers(out, r, "application/json; charset=utf-8", n);
	sbuf_put(out, js, n);
	free(js);
}
