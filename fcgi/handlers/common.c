#include <stdlib.h>
#include <string.h>

#include "../../certs/qr.h"
#include "../../db/db.h"
#include "../errors.h"
#include "handlers.h"

void
form_fail(struct request *req, struct response *r, const char *template, const char *title,
    const char *code, json_t *details, json_t *values)
{
	if (req->api || template == NULL) {
		json_decref(values);
		resp_error(req, r, code, details);
		return;
	}
	/* HTML face: the same form again, each message next to its field, values kept. */
	const struct err_def *e = err_lookup(code);
	json_t *errors = json_object(), *d;
	size_t i;
	json_array_foreach(details, i, d) {
		const char *f = json_string_value(json_object_get(d, "field"));
		if (f != NULL && json_object_get(errors, f) == NULL)
			json_object_set(errors, f, json_object_get(d, "message"));
	}
	json_decref(details);
	resp_view(r, e->status, json_pack("{s:s, s:o, s:o, s:s}", "page_title", title, "errors", errors,
	    "values", values ? values : json_object(), "form_error", e->message), template);
}

void
db_fail(struct request *req, struct response *r, int rc)
{
	resp_error(req, r, rc == DB_GONE ? "db_unavailable" : rc == DB_RETRY ? "db_busy" :
	    "internal_error", NULL);
}

const char *
query_choice(struct request *req, const char *name, const char *choices, bool *bad)
{
	const char *v = kv_get(&req->query, name);
	if (v == NULL || *v == '\0')
		return NULL;
	size_t n = strlen(v);
	for (const char *c = choices; *c;) {
		size_t l = strcspn(c, "|");
		if (l == n && memcmp(c, v, n) == 0)
			return v;
		c += l + (c[l] == '|');
	}
	*bad = true;
	return NULL;
}

int
query_year(struct request *req, const char *name, int dflt, bool *bad)
{
	const char *v = kv_get(&req->query, name);
	uint64_t y;
	if (v == NULL || *v == '\0')
		return dflt;
	if (!parse_u64(v, strlen(v), 9999, &y) || y < 1990) {
		*bad = true;
		return dflt;
	}
	return (int)y;
}

int64_t
param_id(struct request *req, size_t i)
{
	uint64_t v;
	if (i >= req->nparams || !parse_u64(req->params[i], strlen(req->params[i]), INT64_MAX, &v))
		return 0;
	return (int64_t)v;
}

/* A malloc'ed body handed to the response through the request arena. */
void
resp_raw(struct request *req, struct response *r, unsigned char *body, size_t len,
    const char *type)
{
	char *copy = arena_alloc(req->a, len + 1);
	if (copy == NULL) {
		free(body);
		resp_error(req, r, "internal_error", NULL);
		return;
	}
	memcpy(copy, body, len);
	free(body);
	r->status = 200;
	r->raw = copy;
	r->raw_len = len;
	r->content_type = type;
	resp_header(req, r, "Cache-Control: private, no-store");
}

void
qr_answer(struct request *req, struct response *r, const char *url, bool svg)
{
	const char *s = kv_get(&req->query, "scale");
	uint64_t scale = 8;
	unsigned char *png = NULL;
	char *text = NULL;
	size_t len = 0;
	if (s != NULL && !parse_u64(s, strlen(s), QR_SCALE_MAX, &scale)) {
		resp_error(req, r, "validation_failed", json_pack("[{s:s, s:s, s:s}]", "field", "scale",
		    "code", "scale_invalid", "message", arena_printf(req->a, "scale 须为 1 至 %d 的整数", QR_SCALE_MAX)));
		return;
	}
	enum qr_err e = svg ? qr_svg_text(url, strlen(url), (int)(scale ? scale : 1), &text, &len) :
	    qr_png_text(url, strlen(url), (int)(scale ? scale : 1), &png, &len);
	if (e != QR_OK) {
		resp_error(req, r, "internal_error", NULL);
		return;
	}
	if (svg)
		resp_raw(req, r, (unsigned char *)text, len, "image/svg+xml");
	else
		resp_raw(req, r, png, len, "image/png");
}
