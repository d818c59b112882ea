#include <stdio.h>
#include <string.h>

#include "../../courses/trainees.h"
#include "../../db/audit.h"
#include "../fields.h"
#include "../session.h"
#include "handlers.h"

static const struct field_spec login_fields[] = {
	{ "login", F_LOGIN, true, 0, NULL },
	{ "password", F_PASSWORD_GIVEN, true, 0, NULL },
};

void
h_login_form(struct request *req, struct response *r)
{
	const char *reg = kv_get(&req->query, "registered");
	resp_view(r, 200, json_pack("{s:s, s:{}, s:{}, s:b}", "page_title", "登录", "values", "errors",
	    "registered", reg != NULL && strcmp(reg, "1") == 0), "login");
}

static void
audit_session(struct request *req, const char *action, int64_t uid)
{
	(void)audit_id(req->w->db, uid, action, "user", uid, NULL, req->remote_addr);
}

void
h_login(struct request *req, struct response *r)
{
	const char *v[2];
	json_t *errors = json_array();
	int64_t uid = 0;
	struct worker_ctx *w = req->w;

	/* The password's presence and size only (F_PASSWORD_GIVEN): a short wrong password must
	 * cost the same as a long one, and accounts older than the 12-character rule still work. */
	if (fields_validate(req, login_fields, 2, v, errors) > 0) {
		form_fail(req, r, "login", "登录", "validation_failed", errors,
		    json_pack("{s:s?}", "login", kv_get(&req->fields, "login")));
		return;
	}
	enum auth_rc rc = account_login(w->db, &w->keys, v[0], v[1], w->login_max_failures,
	    w->login_window_seconds, &uid);
	switch (rc) {
	case AUTH_OK:
		break;
	case AUTH_BAD:
	case AUTH_THROTTLED:
		form_fail(req, r, "login", "登录", rc == AUTH_BAD ? "invalid_credentials" :
		    "login_throttled", errors, json_pack("{s:s}", "login", v[0]));
		return;
	default:
		json_decref(errors);
		db_fail(req, r, rc == AUTH_GONE ? DB_GONE : DB_ERR);
		return;
	}
	json_decref(errors);
	enum db_rc drc = session_create(req, r, uid);
	if (drc != DB_OK) {
		db_fail(req, r, drc);
		return;
	}
	audit_session(req, "session.login", uid);
	struct account a;
	if ((drc = account_get(w->db, &w->keys, uid, &a)) != DB_OK) {
		db_fail(req, r, drc);
		return;
	}
	memset(a.id_number, 0, sizeof(a.id_number));
	if (!req->api) {
		resp_redirect(req, r, "/me");
		return;
	}
	resp_view(r, 200, json_pack("{s:I, s:s, s:s}", "user_id", (json_int_t)uid, "role", a.role,
	    "name", a.name), NULL);
}

void
h_logout(struct request *req, struct response *r)
{
	int64_t uid = req->user_id;
	enum db_rc rc = session_destroy(req, r);
	if (rc != DB_OK) {
		db_fail(req, r, rc);
		return;
	}
	if (uid > 0)
		audit_session(req, "session.logout", uid);
	if (!req->api) {
		resp_redirect(req, r, "/");
		return;
	}
	resp_view(r, 200, json_pack("{s:s}", "status", "logged_out"), NULL);
}
