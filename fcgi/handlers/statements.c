#include <stdio.h>
#include <string.h>

#include "../../certs/pdf.h"
#include "../../certs/qr.h"
#include "../../certs/statement_store.h"
#include "../../courses/ledger.h"
#include "../fields.h"
#include "handlers.h"

/*
 * Signed credit statements (certs/statement.h): a trainee signs the ledger of some years,
 * downloads it as PDF, and anyone verifies its QR link on the certificates' path (/V/CS-...).
 */

static const struct field_spec stmt_fields[] = {
	{ "from", F_UINT, true, 9999, NULL },
	{ "to", F_UINT, true, 9999, NULL },
};

/* POST /api/v1/me/credits/statements, POST /me/credits/statements (form) */
void
h_stmt_issue(struct request *req, struct response *r)
{
	const char *v[2];
	json_t *errors = json_array(), *out = NULL;
	bool created = false;
	if (req->person_id <= 0) {
		json_decref(errors);
		resp_error(req, r, "forbidden", NULL);
		return;
	}
	if (fields_validate(req, stmt_fields, 2, v, errors) > 0) {
		resp_error(req, r, "validation_failed", errors);
		return;
	}
	json_decref(errors);
	const char *why = stmt_issue(req->w->db, req->w->cfg, req->user_id, req->remote_addr,
	    req->person_id, (int)strtol(v[0], NULL, 10), (int)strtol(v[1], NULL, 10), &out, &created);
	if (why != NULL) {
		resp_error(req, r, why, NULL);
		return;
	}
	if (!req->api) {
		const char *loc = arena_printf(req->a, "/me/credits/statements/%s",
		    json_string_value(json_object_get(out, "no")));
		json_decref(out);
		resp_redirect(req, r, loc ? loc : "/me/credits/statements");
		return;
	}
	json_object_set_new(out, "created", json_boolean(created));
	resp_view(r, created ? 201 : 200, out, NULL);
}

/* GET /api/v1/me/credits/statements, /me/credits/statements */
void
h_stmt_list(struct request *req, struct response *r)
{
	json_t *list = json_array();
	if (req->person_id <= 0) {
		json_decref(list);
		resp_error(req, r, "forbidden", NULL);
		return;
	}
	const char *why = stmts_of_person(req->w->db, req->person_id, list);
	if (why != NULL) {
		json_decref(list);
		resp_error(req, r, why, NULL);
		return;
	}
	resp_view(r, 200, json_pack("{s:s, s:o, s:I, s:i}", "page_title", "已签发的学时证明",
	    "statements", list, "count", (json_int_t)json_array_size(list), "this_year",
	    ymd_today_utc().y), "statements");
}

/* The signed years back as ledger rows for the PDF: it prints exactly what was signed. */
static size_t
pdf_years(json_t *s, struct ledger_year *ly)
{
	struct stmt_link l;
	const char *url = json_string_value(json_object_get(s, "url"));
	if (url == NULL || stmt_url_parse(url, strlen(url), &l) != VURL_OK)
		return 0;
	for (unsigned i = 0; i < l.claims.n_years; i++) {
		const struct stmt_year *y = &l.claims.years[i];
		memset(&ly[i], 0, sizeof(ly[i]));
		ly[i].year = y->year;
		ly[i].total_x2 = (int)y->total_x2;
		ly[i].professional_x2 = (int)y->professional_x2;
		ly[i].general_x2 = (int)y->general_x2;
		ly[i].compulsory_x2 = (int)y->compulsory_x2;
		ly[i].required_x2 = (int)y->required_x2;
		ly[i].required_prof_x2 = (int)y->required_prof_x2;
		ly[i].met = y->met;
	}
	return l.claims.n_years;
}

static void
stmt_pdf(struct request *req, struct response *r, json_t *s)
{
	struct ledger_year ly[STMT_YEARS_MAX];
	struct statement_doc doc;
	char node[80];
	unsigned char *pdf = NULL;
	size_t len = 0;
	snprintf(node, sizeof(node), "%s（%s）", req->w->cfg->node_name, req->w->cfg->node_code);
	memset(&doc, 0, sizeof(doc));
	doc.holder_name = json_string_value(json_object_get(s, "holder"));
	doc.doc_no = json_string_value(json_object_get(s, "no"));
	doc.years = ly;
	doc.n_years = pdf_years(s, ly);
	doc.issuer = node;
	doc.link = json_string_value(json_object_get(s, "url"));
	if (doc.n_years == 0 ||
	    !ymd_parse_str(json_string_value(json_object_get(s, "issued_on")), &doc.issued_on) ||
	    pdf_statement(&doc, &pdf, &len) != PDF_OK) {
		resp_error(req, r, "internal_error", NULL);
		return;
	}
	resp_raw(req, r, pdf, len, "application/pdf");
	if (r->status == 200)
		resp_header(req, r, "Content-Disposition: inline; filename=\"%s.pdf\"", doc.doc_no);
}

/* GET /api/v1/me/credits/statements/{no}[.pdf|.png|.svg], /me/credits/statements/{no} */
void
h_stmt_get(struct request *req, struct response *r)
{
	const char *p = req->params[0], *dot = strrchr(p, '.');
	size_t n = dot ? (size_t)(dot - p) : strlen(p);
	json_t *out = NULL;
	int64_t owner = 0;
	if (n > STMT_NO_MAX || (dot && strcmp(dot, ".png") && strcmp(dot, ".svg") &&
	    strcmp(dot, ".pdf"))) {
		resp_error(req, r, "statement_not_found", NULL);
		return;
	}
	const char *no = arena_printf(req->a, "%.*s", (int)n, p);
	const char *why = no ? stmt_get(req->w->db, no, &out, &owner) : "internal_error";
	/* the holder or an admin; anyone else learns nothing, not even that it exists */
	if (why == NULL && !(req->role == ROLE_ADMIN || (req->person_id > 0 &&
	    owner == req->person_id)))
		why = "statement_not_found";
	if (why != NULL) {
		json_decref(out);
		resp_error(req, r, why, NULL);
		return;
	}
	if (dot == NULL) {
		json_object_set_new(out, "page_title", json_string("继续教育学时证明"));
		resp_view(r, 200, out, "statement_signed");
		return;
	}
	if (strcmp(dot, ".pdf") == 0)
		stmt_pdf(req, r, out);
	else
		qr_answer(req, r, json_string_value(json_object_get(out, "url")),
		    strcmp(dot, ".svg") == 0);
	json_decref(out);
}

/* The answer for a statement link, on the certificates' verification path. */
void
stmt_verify_answer(struct request *req, struct response *r, const char *path)
{
	struct stmt_result v;
	enum db_rc rc = DB_OK;
	if (req->raw_percent) {
		/* stmt_url never percent-encodes: an encoded link is not one this node printed */
		memset(&v, 0, sizeof(v));
		v.status = VS_FORGED;
	} else
		rc = stmt_verify_link(req->w->db, req->w->cfg, path, strlen(path), &v);
	if (rc != DB_OK) {
		db_fail(req, r, rc);
		return;
	}
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:b}", "page_title", "学时证明查验", "document",
	    "credit_statement", "status", vstatus_code(v.status), "status_name",
	    vstatus_zh(v.status), vstatus_code(v.status), 1);
	if (v.status != VS_FORGED) {
		char issued[11];
		ymd_format(v.claims.issued, issued);
		json_object_set_new(o, "no", json_string(v.claims.no));
		json_object_set_new(o, "issued_on", json_string(issued));
		json_object_set_new(o, "key_id", json_string(v.claims.key_id));
		json_object_set_new(o, "years", stmt_years_json(&v.claims));
		json_object_set_new(o, "signed", json_true());
	}
	if (v.status == VS_VALID) {
		json_object_set_new(o, "holder", json_string(v.holder));
		json_object_set_new(o, "changed_since", json_boolean(v.changed_since));
	}
	resp_header(req, r, "Cache-Control: no-store");
	resp_view(r, 200, o, "verify_statement");
}
