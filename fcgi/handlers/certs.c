/*
 * Certificates: issue and lifecycle (admin), the holder's list, and what anyone may ask:
 * verification by QR link or typed serial, the published keys and the status lists.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../certs/issue.h"
#include "../../certs/keystore.h"
#include "../../certs/pdf.h"
#include "../../certs/qr.h"
#include "../../certs/statement.h"
#include "../../certs/statuslist.h"
#include "../../certs/verify.h"
#include "../../courses/catalogue.h"
#include "../../courses/trainees.h"
#include "../errors.h"
#include "../epoch.h"
#include "../fields.h"
#include "handlers.h"

static uint64_t certs_epoch(void) { return host_epoch(EPOCH_CERTS); }
static void certs_epoch_bump(void) { host_epoch_bump(EPOCH_CERTS); }

static json_t *
unmet_json(const struct eligibility *e)
{
	json_t *a = json_array();
	for (size_t i = 0; i < e->n; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s}", "code", e->unmet[i].code,
		    "required", e->unmet[i].required, "actual", e->unmet[i].actual,
		    "message", e->unmet[i].message));
	return a;
}

void
h_cert_issue(struct request *req, struct response *r)
{
	static const struct field_spec f[] = {
		{ "person", F_UINT, false, INT64_MAX, NULL },
		{ "id_number", F_ID_NUMBER, false, 0, NULL },
		{ "level", F_CHOICE, true, 0, "junior|intermediate|senior" },
		{ "torch_filing_no", F_CODE, false, CERT_FILING_MAX, NULL },
	};
	const char *v[4];
	json_t *errors = json_array(), *out = NULL;
	struct eligibility *elig = arena_alloc(req->a, sizeof(*elig));
	int64_t pid = 0;

	if (fields_validate(req, f, 4, v, errors) > 0 || (v[0] == NULL) == (v[1] == NULL)) {
		if (json_array_size(errors) == 0)
			json_array_append_new(errors, field_error("person", "person_required",
			    "请给出学员编号（person）或身份证号（id_number）之一"));
		resp_error(req, r, "validation_failed", errors);
		return;
	}
	json_decref(errors);
	if (elig == NULL) {
		resp_error(req, r, "internal_error", NULL);
		return;
	}
	if (v[0] != NULL)
		pid = strtoll(v[0], NULL, 10);
	else {
		enum db_rc rc = person_by_id_number(req->w->db, &req->w->keys, v[1], &pid);
		if (rc != DB_OK) {
			resp_error(req, r, rc == DB_NOROW ? "person_not_found" : db_code(rc), NULL);
			return;
		}
	}
	struct cert_issue_in in = { .person_id = pid, .level = v[2], .issued_on = ymd_today_utc(),
		.torch_filing_no = v[3] };
	const char *why = cert_issue(req->w->db, req->w->cfg, req->user_id, req->remote_addr, &in,
	    &out, elig);
	if (why != NULL) {
		resp_error(req, r, why, strcmp(why, "not_eligible") == 0 ?
		    json_pack("{s:s, s:o}", "level", v[2], "unmet", unmet_json(elig)) : NULL);
		return;
	}
	certs_epoch_bump();     /* cached goal progress (handlers/progress.c) re-reads */
	resp_view(r, 201, out, NULL);
}

/* POST /api/v1/certificates/batch {"level", "after"?}: the next CERT_BATCH_MAX candidates. */
void
h_cert_batch(struct request *req, struct response *r)
{
	static const struct field_spec f[] = {
		{ "level", F_CHOICE, true, 0, "junior|intermediate|senior" },
		{ "after", F_UINT, false, INT64_MAX, NULL },
	};
	const char *v[2];
	json_t *errors = json_array(), *out = NULL;
	if (fields_validate(req, f, 2, v, errors) > 0) {
		resp_error(req, r, "validation_failed", errors);
		return;
	}
	json_decref(errors);
	const char *why = cert_issue_batch(req->w->db, req->w->cfg, req->user_id, req->remote_addr,
	    v[0], v[1] ? strtoll(v[1], NULL, 10) : 0, CERT_BATCH_MAX, &out);
	certs_epoch_bump();     /* some may have been issued even when a later one failed */
	if (why != NULL) {
		resp_error(req, r, why, NULL);
		return;
	}
	resp_view(r, 200, out, NULL);
}

/* The one field of a lifecycle form; false once it has answered 422. */
static bool
one_field(struct request *req, struct response *r, const struct field_spec *f, const char **v)
{
	json_t *errors = json_array();
	if (fields_validate(req, f, 1, v, errors) > 0) {
		resp_error(req, r, "validation_failed", errors);
		return false;
	}
	json_decref(errors);
	return true;
}

/* After a lifecycle call: the refusal (with its details), or the certificate as it is now. */
static void
answer_changed(struct request *req, struct response *r, const char *why, json_t *details)
{
	json_t *out = NULL;
	if (why == NULL) {
		certs_epoch_bump();     /* every worker's snapshot re-reads before its next answer */
		why = cert_get(req->w->db, req->w->cfg, req->params[0], &out);
	}
	if (why != NULL) {
		resp_error(req, r, why, details);
		return;
	}
	resp_view(r, 200, out, NULL);
}

static void
status_change(struct request *req, struct response *r, enum cert_action action)
{
	static const struct field_spec f = { "reason", F_TEXT, true, CERT_REASON_MAX, NULL };
	const char *v[1];
	json_t *out = NULL;
	if (!one_field(req, r, &f, v))
		return;
	const char *why = cert_set_status(req->w->db, req->user_id, req->remote_addr,
	    req->params[0], action, v[0], &out);
	json_decref(out);
	answer_changed(req, r, why, NULL);
}

void h_cert_suspend(struct request *req, struct response *r) { status_change(req, r, CERT_SUSPEND); }
void h_cert_reinstate(struct request *req, struct response *r) { status_change(req, r, CERT_REINSTATE); }
void h_cert_revoke(struct request *req, struct response *r) { status_change(req, r, CERT_REVOKE); }

void
h_cert_renew(struct request *req, struct response *r)
{
	json_t *out = NULL, *details = NULL;
	const char *why = cert_renew(req->w->db, req->w->cfg, req->user_id, req->remote_addr,
	    req->params[0], &out, &details);
	json_decref(out);
	answer_changed(req, r, why, details);
}

void
h_cert_filing(struct request *req, struct response *r)
{
	static const struct field_spec f = { "torch_filing_no", F_CODE, true, CERT_FILING_MAX, NULL };
	const char *v[1];
	if (one_field(req, r, &f, v))
		answer_changed(req, r, cert_set_filing(req->w->db, req->user_id, req->remote_addr,
		    req->params[0], v[0]), NULL);
}

/* Admin, or the holder: anyone else gets 404 (never tell who holds what). */
static bool
may_read(struct request *req, struct response *r, const char *serial)
{
	int64_t owner = 0;
	const char *why = cert_owner(req->w->db, serial, &owner);
	if (why == NULL && (req->role == ROLE_ADMIN || (req->person_id > 0 && owner == req->person_id)))
		return true;
	resp_error(req, r, why ? why : "certificate_not_found", NULL);
	return false;
}

static void
cert_pdf(struct request *req, struct response *r, json_t *c)
{
	struct cert_doc doc;
	const char *base = json_string_value(json_object_get(c, "base"));
	const char *lv = json_string_value(json_object_get(c, "level"));
	char node[80];
	unsigned char *pdf = NULL;
	size_t len = 0;
	snprintf(node, sizeof(node), "%s（%s）", req->w->cfg->node_name, req->w->cfg->node_code);
	memset(&doc, 0, sizeof(doc));
	doc.holder_name = json_string_value(json_object_get(c, "holder"));
	doc.level = level_letter(lv);
	doc.serial = json_string_value(json_object_get(c, "serial"));
	doc.rev = (unsigned)json_integer_value(json_object_get(c, "rev"));
	doc.base_name = base && *base ? base : node;   /* an imported certificate names no base */
	doc.node_name = node;
	doc.filing_no = json_string_value(json_object_get(c, "torch_filing_no"));
	doc.link = json_string_value(json_object_get(c, "url"));
	if (!ymd_parse_str(json_string_value(json_object_get(c, "issued_on")), &doc.issued_on) ||
	    !ymd_parse_str(json_string_value(json_object_get(c, "expires_on")), &doc.expires_on) ||
	    pdf_certificate(&doc, &pdf, &len) != PDF_OK) {
		resp_error(req, r, "internal_error", NULL);
		return;
	}
	resp_raw(req, r, pdf, len, "application/pdf");
	if (r->status == 200)
		resp_header(req, r, "Content-Disposition: inline; filename=\"%s.pdf\"", doc.serial);
}

/* GET /api/v1/certificates/{serial}[.png|.svg|.pdf] */
void
h_cert_get(struct request *req, struct response *r)
{
	json_t *out = NULL;
	const char *p = req->params[0], *dot = strrchr(p, '.');
	char serial[SERIAL_MAX + 1];
	size_t n = dot ? (size_t)(dot - p) : strlen(p);
	if (n > SERIAL_MAX || (dot && strcmp(dot, ".png") && strcmp(dot, ".svg") &&
	    strcmp(dot, ".pdf"))) {
		resp_error(req, r, "certificate_not_found", NULL);
		return;
	}
	memcpy(serial, p, n);
	serial[n] = '\0';
	if (!may_read(req, r, serial))
		return;
	const char *why = cert_get(req->w->db, req->w->cfg, serial, &out);
	if (why != NULL) {
		resp_error(req, r, why, NULL);
		return;
	}
	if (dot == NULL) {
		resp_view(r, 200, out, NULL);
		return;
	}
	if (strcmp(dot, ".pdf") == 0)
		cert_pdf(req, r, out);
	else
		qr_answer(req, r, json_string_value(json_object_get(out, "url")),
		    strcmp(dot, ".svg") == 0);
	json_decref(out);
}

void
h_my_certs(struct request *req, struct response *r)
{
	json_t *list = json_array();
	if (req->person_id <= 0) {
		json_decref(list);
		resp_error(req, r, "forbidden", NULL);
		return;
	}
	(void)cert_verified_flush(req->w->db, true);    /* this worker's pending times, at least */
	const char *why = certs_of_person(req->w->db, req->w->cfg, req->person_id, list);
	if (why != NULL) {
		json_decref(list);
		resp_error(req, r, why, NULL);
		return;
	}
	resp_view(r, 200, json_pack("{s:s, s:o, s:I}", "page_title", "我的证书", "certificates",
	    list, "count", (json_int_t)json_array_size(list)), "my_certs");
}

/* ------------------------------------------------------------------------ verification */

static json_t *
verify_view(const struct verify_result *v)
{
	json_t *o = json_pack("{s:s, s:s, s:s}", "serial", v->serial, "status",
	    vstatus_code(v->status), "status_name", vstatus_zh(v->status));
	bool known = v->status != VS_FORGED && v->status != VS_UNKNOWN;
	if (known) {
		json_object_set_new(o, "level", json_string(v->level));
		json_object_set_new(o, "level_name", json_string(level_zh(v->level)));
		json_object_set_new(o, "holder", json_string(v->holder));
		json_object_set_new(o, "base", json_string(v->base));
		json_object_set_new(o, "issued_on", json_string(v->issued));
		json_object_set_new(o, "expires_on", json_string(v->expires));
		json_object_set_new(o, "rev", json_integer(v->rev));
		json_object_set_new(o, "signed", json_boolean(v->from_signature));
	}
	if (v->peer[0]) {
		/* another node's certificate: who signed it, or that this node does not trust it */
		json_object_set_new(o, "issuer_node", json_string(v->peer));
		json_object_set_new(o, "issuer_trusted", json_boolean(v->peer_trusted));
		if (v->peer_trusted && v->from_signature) {
			char line[160];
			snprintf(line, sizeof(line), "valid signature from %s (%s)", v->peer_name, v->peer);
			json_object_set_new(o, "issuer_name", json_string(v->peer_name));
			json_object_set_new(o, "signature", json_string(line));
		}
		if (!v->peer_trusted)
			json_object_set_new(o, "untrusted_node", json_true());
		if (v->peer_why[0])
			json_object_set_new(o, "status_reason", json_string(v->peer_why));
	}
	if (v->status == VS_SUPERSEDED) {
		json_object_set_new(o, "current_rev", json_integer(v->current_rev));
		json_object_set_new(o, "current_url", json_string(v->current_url));
	}
	json_object_set_new(o, vstatus_code(v->status), json_true());   /* for the page's sections */
	return o;
}

static void
verify_answer(struct request *req, struct response *r, const struct verify_result *v)
{
	if (v->cert_id > 0)
		cert_verified(req->w->db, v->cert_id);
	json_t *o = verify_view(v);
	json_object_set_new(o, "page_title", json_string("证书查验"));
	resp_header(req, r, "Cache-Control: no-store");
	resp_view(r, 200, o, "verify");
}

/* GET /v/{serial}/{token}: the page a phone opens from the QR code. */
void
h_verify_link(struct request *req, struct response *r)
{
	struct verify_result v;
	enum db_rc rc = DB_OK;
	if (stmt_no_like(req->params[0], strlen(req->params[0]))) {
		stmt_verify_answer(req, r, req->path);
		return;
	}
	if (req->raw_percent) {
		/* verify_url never percent-encodes: an encoded link is not one this node printed */
		memset(&v, 0, sizeof(v));
		v.status = VS_FORGED;
	} else
		rc = cert_verify_link(req->w->db, req->w->cfg, req->path, strlen(req->path),
		    certs_epoch(), &v);
	if (rc != DB_OK) {
		db_fail(req, r, rc);
		return;
	}
	verify_answer(req, r, &v);
}

/* GET /api/v1/verify/{serial}?s={token}, or without s: a typed serial. */
void
h_verify_api(struct request *req, struct response *r)
{
	struct verify_result v;
	const char *serial = req->params[0], *tok = kv_get(&req->query, "s");
	enum db_rc rc;
	if (stmt_no_like(serial, strlen(serial))) {
		/* a statement's figures travel in its token: without it there is nothing to check */
		const char *path = tok ? arena_printf(req->a, "/V/%s/%s", serial, tok) : NULL;
		if (tok == NULL || path == NULL || strlen(tok) > STMT_TOKEN_MAX)
			resp_error(req, r, tok ? "verify_link_invalid" : "statement_needs_link", NULL);
		else
			stmt_verify_answer(req, r, path);
		return;
	}
	if (tok != NULL) {
		const char *path = arena_printf(req->a, "/V/%s/%s", serial, tok);
		if (path == NULL || strlen(serial) > SERIAL_MAX || strlen(tok) > VERIFY_TOKEN_MAX ||
		    req->raw_percent) {
			memset(&v, 0, sizeof(v));
			v.status = VS_FORGED;
			rc = DB_OK;
		} else
			rc = cert_verify_link(req->w->db, req->w->cfg, path, strlen(path), certs_epoch(),
			    &v);
	} else if (req->raw_percent) {
		resp_error(req, r, "serial_invalid", json_pack("{s:s, s:s}", "code",
		    serial_err_code(SERIAL_EFORMAT), "message", serial_err_message(SERIAL_EFORMAT)));
		return;
	} else {
		rc = cert_verify_serial(req->w->db, req->w->cfg, serial, strlen(serial), &v);
		if (rc == DB_OK && v.serial_err != SERIAL_OK) {
			resp_error(req, r, "serial_invalid", json_pack("{s:s, s:s}", "code",
			    serial_err_code(v.serial_err), "message", serial_err_message(v.serial_err)));
			return;
		}
	}
	if (rc != DB_OK) {
		db_fail(req, r, rc);
		return;
	}
	verify_answer(req, r, &v);
}

/* GET /verify?serial=...: the typed-serial form for people who cannot scan. */
void
h_verify_form(struct request *req, struct response *r)
{
	const char *serial = kv_get(&req->query, "serial");
	struct verify_result v;
	if (serial == NULL || *serial == '\0') {
		resp_view(r, 200, json_pack("{s:s, s:b}", "page_title", "证书查验", "form", 1),
		    "verify");
		return;
	}
	if (stmt_no_like(serial, strlen(serial))) {
		resp_view(r, 400, json_pack("{s:s, s:b, s:s, s:s, s:s}", "page_title", "证书查验",
		    "form", 1, "typed", serial, "error", err_lookup("statement_needs_link")->message, "code",
		    "statement_needs_link"), "verify");
		return;
	}
	enum db_rc rc = cert_verify_serial(req->w->db, req->w->cfg, serial,
	    strnlen(serial, SERIAL_MAX + 1), &v);
	if (rc != DB_OK) {
		db_fail(req, r, rc);
		return;
	}
	if (v.serial_err != SERIAL_OK) {
		resp_view(r, 400, json_pack("{s:s, s:b, s:s, s:s, s:s}", "page_title", "证书查验",
		    "form", 1, "typed", serial, "error", serial_err_message(v.serial_err),
		    "code", serial_err_code(v.serial_err)), "verify");
		return;
	}
	verify_answer(req, r, &v);
}

void
h_keys_json(struct request *req, struct response *r)
{
	json_t *doc = keyset_published(req->w->db, req->w->cfg);
	if (doc == NULL) {
		resp_error(req, r, "db_unavailable", NULL);
		return;
	}
	req->api = true;
	resp_header(req, r, "Cache-Control: public, max-age=300");
	resp_view(r, 200, doc, NULL);
}

void
h_status_list(struct request *req, struct response *r)
{
	int64_t n = param_id(req, 0);
	json_t *out = NULL;
	const char *why = n == 1 || n == 2 ? status_list(req->w->db, req->w->cfg, (int)n, &out) :
	    "not_found";
	req->api = true;
	if (why != NULL) {
		resp_error(req, r, why, NULL);
		return;
	}
	resp_header(req, r, "Cache-Control: public, max-age=60");
	resp_view(r, 200, out, NULL);
}
