#ifndef TM_RESPONSE_H
#define TM_RESPONSE_H
#include <jansson.h>

#include "arena.h"
#include "request.h"

#define TM_MAX_HEADERS 8

/*
 * What a handler produces: a view model and how to present it. The worker renders it as
 * JSON (API face) or through the named template (HTML face); handlers never print.
 */
struct response {
	int status;
	json_t *view;                /* owned; decref'd by the worker */
	const char *template;        /* HTML face; NULL = JSON even for browsers */
	const char *redirect;        /* 303 See Other for HTML form posts */
	const char *headers[TM_MAX_HEADERS];   /* extra "Name: value" lines (Set-Cookie...) */
	size_t nheaders;
	const char *content_type;    /* for raw bodies */
	const char *raw;             /* raw body (already safe: e.g. CSV), or NULL */
	size_t raw_len;
};

/* Sets an error by code (status and message from fcgi/errors.c); details may be NULL (stolen). */
void	 resp_error(struct request *, struct response *, const char *code, json_t *details);
/* Sets a view (stolen) with a status and the template for the HTML face. */
void	 resp_view(struct response *, int status, json_t *view, const char *template);
void	 resp_redirect(struct request *, struct response *, const char *location);
void	 resp_header(struct request *, struct response *, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* A Set-Cookie header with the project's flags (HttpOnly, SameSite=Lax, Secure over TLS). */
/* Whether cookies get Secure (and their names __Host-, fcgi/session.h). */
bool	 resp_cookies_secure(const struct request *);
void	 resp_cookie(struct request *, struct response *, const char *name, const char *value,
	    long max_age);

/* A field error object for details: {"field","code","message"}. */
json_t	*field_error(const char *field, const char *code, const char *message);

/*
 * The API face of a view: compact JSON without the HTML-only page_title, malloc'ed (*len
 * bytes), or NULL. The view is left as it was.
 */
char	*resp_api_json(json_t *view, size_t *len);

/* Serialises the response (headers + body) into out; the HTML face needs the template set. */
void	 resp_render(struct request *, struct response *, struct sbuf *out);

const char *status_text(int);

#endif
