#include <string.h>

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
	resp_view(r, e->status, json_pack("{s:s, s:o, s:o, s:s}", "title", title, "errors", errors,
	    "values", values ? values : json_object(), "form_error", e->message), template);
}

void
db_fail(struct request *req, struct response *r, int rc)
{
	resp_error(req, r, rc == DB_GONE ? "db_unavailable" : "internal_error", NULL);
}
