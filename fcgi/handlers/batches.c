/*
 * Training bases: batch uploads (API and the upload page), their reports and history, and
 * the admin's API keys.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../courses/apikeys.h"
#include "../../courses/batches.h"
#include "../../courses/catalogue.h"
#include "../fields.h"
#include "../multipart.h"
#include "../session.h"
#include "handlers.h"

/* A key must carry the scope; a base operator's session may do everything for its base. */
static bool
need_base(struct request *req, struct response *r, const char *scope)
{
	if (req->base_id <= 0) {
		resp_error(req, r, "forbidden", NULL);
		return false;
	}
	if (req->via_key && !apikey_has_scope(&req->key, scope)) {
		resp_error(req, r, "scope_missing", json_pack("[{s:s, s:s, s:s}]", "field", "scope",
		    "code", "scope_missing", "message", scope));
		return false;
	}
	return true;
}

static long
read_request(void *ctx, char *buf, size_t cap)
{
	struct request *req = ctx;
	return req->body_read(req, buf, cap);
}

static void
answer_batch(struct request *req, struct response *r, const char *why, json_t *ans, int status)
{
	if (why != NULL) {
		resp_error(req, r, why, ans);
		return;
	}
	if (status == 422) {
		/* A rejected atomic batch: the report, plus the error object every 4xx carries. */
		json_object_set_new(ans, "error", json_pack("{s:s, s:s, s:O}", "code", "batch_rejected",
		    "message", "批次中有错误行，整批未保存（atomic 模式）", "details",
		    json_object_get(ans, "errors")));
	}
	if (!req->api) {
		char loc[64];
		json_int_t id = json_integer_value(json_object_get(ans, "batch_id"));
		json_decref(ans);
		snprintf(loc, sizeof(loc), "/base/batches/%lld", (long long)id);
		resp_redirect(req, r, loc);
		return;
	}
	resp_view(r, status, ans, NULL);
}

static bool
kind_mode(struct request *req, struct response *r, const char *kind_s, const char *mode_s,
    struct batch_req *b)
{
	int kind = kind_s ? batch_kind_parse(kind_s) : -1;
	json_t *details = json_array();
	if (kind < 0)
		json_array_append_new(details, field_error("kind", "choice_invalid",
		    "kind 须为 roster、hours 或 exams"));
	if (mode_s != NULL && *mode_s && strcmp(mode_s, "atomic") != 0 && strcmp(mode_s, "partial") != 0)
		json_array_append_new(details, field_error("mode", "choice_invalid",
		    "mode 须为 atomic 或 partial"));
	if (json_array_size(details) > 0) {
		resp_error(req, r, "validation_failed", details);
		return false;
	}
	json_decref(details);
	b->kind = (enum batch_kind)kind;
	b->partial = mode_s != NULL && strcmp(mode_s, "partial") == 0;
	return true;
}

void
h_batch_upload(struct request *req, struct response *r)
{
	struct batch_req b = { .base_id = req->base_id, .actor_user_id = req->user_id,
		.api_key_id = req->key.key_id, .idem_key = req->idem_key, .remote = req->remote_addr };
	json_t *ans = NULL;
	int status = 0;

	if (!kind_mode(req, r, kv_get(&req->query, "kind"), kv_get(&req->query, "mode"), &b) ||
	    !need_base(req, r, batch_kind_name(b.kind)))
		return;
	const char *ct = req->content_type;
	/* A browser session may call this too; then a cross-site form must not be able to. */
	if (!req->via_key && csrf_needed(ct) && !csrf_check(req)) {
		resp_error(req, r, "csrf_invalid", NULL);
		return;
	}
	if (strcmp(ct, "application/json") == 0)
		b.json = true;
	else if (strcmp(ct, "text/csv") != 0 && strcmp(ct, "application/csv") != 0 &&
	    strcmp(ct, "text/plain") != 0 && strcmp(ct, "application/vnd.ms-excel") != 0) {
		resp_error(req, r, "unsupported_media_type", NULL);
		return;
	}
	const char *why = batch_run(req->w->db, &req->w->keys, &b, read_request, req, &ans, &status);
	answer_batch(req, r, why, ans, status);
}

void
h_upload_form(struct request *req, struct response *r)
{
	if (!need_base(req, r, "read"))
		return;
	resp_view(r, 200, json_pack("{s:s}", "page_title", "批量上传"), "upload");
}

static long
read_part(void *ctx, char *buf, size_t cap)
{
	return mp_read(ctx, buf, cap);
}

/* The upload page posts multipart: csrf, kind, mode, then the file, streamed. */
void
h_upload_post(struct request *req, struct response *r)
{
	struct mp m;
	char csrf[128] = "", kind[16] = "", mode[16] = "";
	int rc;

	if (strcmp(req->content_type, "multipart/form-data") != 0 ||
	    mp_init(&m, req, req->content_type_raw) < 0) {
		resp_error(req, r, "invalid_form", NULL);
		return;
	}
	while ((rc = mp_next(&m)) == 1 && m.filename[0] == '\0') {
		char *dst = !strcmp(m.name, "csrf") ? csrf : !strcmp(m.name, "kind") ? kind :
		    !strcmp(m.name, "mode") ? mode : NULL;
		char skip[64];
		if (mp_value(&m, dst ? dst : skip, dst == csrf ? sizeof(csrf) : 16) < 0) {
			resp_error(req, r, "invalid_form", NULL);
			return;
		}
	}
	/* The token is checked only now that it has been read, before any row is. */
	struct kv kv = { "csrf", csrf, 4, strlen(csrf) };
	req->fields.v = &kv;
	req->fields.n = 1;
	bool ok = csrf_check(req);
	req->fields.n = 0;
	if (!ok) {
		resp_error(req, r, "csrf_invalid", NULL);
		return;
	}
	if (rc != 1) {
		resp_error(req, r, rc == 0 ? "batch_empty" : "invalid_form", NULL);
		return;
	}
	struct batch_req b = { .base_id = req->base_id, .actor_user_id = req->user_id,
		.remote = req->remote_addr };
	json_t *ans = NULL;
	int status = 0;
	if (!kind_mode(req, r, kind, mode, &b) || !need_base(req, r, batch_kind_name(b.kind)))
		return;
	const char *why = batch_run(req->w->db, &req->w->keys, &b, read_part, &m, &ans,
	    &status);
	answer_batch(req, r, why, ans, status);
}

void
h_batches(struct request *req, struct response *r)
{
	if (!need_base(req, r, "read"))
		return;
	json_t *list = json_array();
	const char *why = batches_list(req->w->db, req->base_id, list);
	if (why != NULL) {
		json_decref(list);
		resp_error(req, r, why, NULL);
		return;
	}
	resp_view(r, 200, json_pack("{s:s, s:o}", "page_title", "上传记录", "batches", list),
	    "batches");
}

void
h_batch(struct request *req, struct response *r)
{
	json_t *ans = NULL;
	int64_t id = param_id(req, 0);
	if (!need_base(req, r, "read"))
		return;
	const char *why = id ? batch_get(req->w->db, req->base_id, id, &ans) : "batch_not_found";
	if (why != NULL) {
		resp_error(req, r, why, NULL);
		return;
	}
	json_object_set_new(ans, "page_title", json_string("批次报告"));
	const char *st = json_string_value(json_object_get(ans, "status"));
	json_object_set_new(ans, "status_name", json_string(st && !strcmp(st, "accepted") ? "已保存" :
	    st && !strcmp(st, "partial") ? "部分保存（有错误的行未保存）" : "未保存：有错误，整批退回"));
	resp_view(r, 200, ans, "batch");
}

void
h_batch_errors_csv(struct request *req, struct response *r)
{
	char *csv = NULL;
	size_t len = 0;
	int64_t id = param_id(req, 0);
	if (!need_base(req, r, "read"))
		return;
	const char *why = id ? batch_errors_csv(req->w->db, req->base_id, id, &csv, &len) :
	    "batch_not_found";
	if (why != NULL) {
		resp_error(req, r, why, NULL);
		return;
	}
	char *copy = arena_strndup(req->a, csv, len);
	free(csv);
	if (copy == NULL) {
		resp_error(req, r, "internal_error", NULL);
		return;
	}
	r->status = 200;
	r->raw = copy;
	r->raw_len = len;
	r->content_type = "text/csv; charset=utf-8";
	resp_header(req, r, "Content-Disposition: attachment; filename=\"batch-%lld-errors.csv\"",
	    (long long)id);
}

void
h_apikeys(struct request *req, struct response *r)
{
	json_t *list = json_array();
	const char *why = apikeys_list(req->w->db, list);
	if (why != NULL) {
		json_decref(list);
		resp_error(req, r, why, NULL);
		return;
	}
	resp_view(r, 200, json_pack("{s:s, s:o}", "page_title", "API 密钥", "keys", list), "apikeys");
}

void
h_apikey_create(struct request *req, struct response *r)
{
	static const struct field_spec f[] = {
		{ "base_code", F_CODE, true, 16, NULL },
		{ "scopes", F_TEXT, true, 64, NULL },
		{ "label", F_TEXT, false, 100, NULL },
		{ "expires_days", F_UINT, false, 3650, NULL },
	};
	const char *v[4];
	char text[APIKEY_TEXT_MAX];
	json_t *errors = json_array(), *out = NULL;

	if (fields_validate(req, f, 4, v, errors) > 0) {
		resp_error(req, r, "validation_failed", errors);
		return;
	}
	/* scopes: "hours,roster" or "hours|roster", each one of APIKEY_SCOPES */
	char scopes[80];
	snprintf(scopes, sizeof(scopes), "%s", v[1]);
	for (char *p = scopes; *p; p++)
		if (*p == ',' || *p == ' ')
			*p = '|';
	for (char *t = scopes; *t;) {
		size_t l = strcspn(t, "|");
		bool known = false;
		for (const char *c = APIKEY_SCOPES; *c;) {
			size_t cl = strcspn(c, "|");
			known |= l > 0 && cl == l && memcmp(c, t, l) == 0;
			c += cl + (c[cl] == '|');
		}
		if (!known && l > 0) {
			json_array_append_new(errors, field_error("scopes", "choice_invalid",
			    "scopes 只能包含 roster、hours、exams、read"));
			resp_error(req, r, "validation_failed", errors);
			return;
		}
		t += l + (t[l] == '|');
	}
	json_decref(errors);
	const char *why = apikey_create(req->w->db, &req->w->keys, req->user_id, req->remote_addr,
	    v[0], scopes, v[2], v[3] ? atoi(v[3]) : 0, text, &out);
	if (why != NULL) {
		resp_error(req, r, why, NULL);
		return;
	}
	resp_view(r, 201, out, NULL);
}

void
h_apikey_revoke(struct request *req, struct response *r)
{
	const char *why = apikey_revoke(req->w->db, req->user_id, req->remote_addr, req->params[0]);
	if (why != NULL) {
		resp_error(req, r, why, NULL);
		return;
	}
	resp_view(r, 200, json_pack("{s:s, s:s}", "prefix", req->params[0], "status", "revoked"),
	    NULL);
}
