/*
 * Federation (certs/README.md "Federation"): the trust list of peer nodes (admin, audited),
 * the on-demand pull, this node's signed progress summary and the regional progress page.
 */
#include <stdio.h>
#include <string.h>

#include "../../certs/fedsummary.h"
#include "../../certs/peers.h"
#include "../errors.h"
#include "../fields.h"
#include "handlers.h"

/* The admin page, with a message on top when an action failed (code, or NULL). */
static void
peers_page(struct request *req, struct response *r, const char *fail, json_t *values,
    json_t *result)
{
	json_t *peers = json_array(), *events = json_array();
	const char *why = peers_json(req->w->db, peers, events);
	if (why != NULL) {
		json_decref(peers);
		json_decref(events);
		json_decref(values);
		json_decref(result);
		resp_error(req, r, why, NULL);
		return;
	}
	json_t *v = json_pack("{s:s, s:o, s:o, s:o, s:s, s:b}", "page_title", "联盟节点管理", "peers",
	    peers, "events", events, "values", values ? values : json_object(), "node",
	    req->w->cfg->node_code, "has_peers", json_array_size(peers) > 0);
	if (result != NULL)
		json_object_set_new(v, "pulled", result);
	if (fail != NULL) {
		const struct err_def *e = err_lookup(fail);
		json_object_set_new(v, "form_error", json_string(e->message));
		json_object_set_new(v, "form_code", json_string(fail));
		resp_view(r, e->status, v, "admin_peers");
		return;
	}
	resp_view(r, 200, v, "admin_peers");
}

void
h_peers(struct request *req, struct response *r)
{
	peers_page(req, r, NULL, NULL, NULL);
}

void
h_peer_add(struct request *req, struct response *r)
{
	static const struct field_spec f[] = {
		{ "url", F_TEXT, true, VERIFY_BASE_MAX + 8, NULL },
		{ "fingerprint", F_TEXT, true, KEYSET_FP_HEX + 8, NULL },
	};
	const char *v[2];
	json_t *errors = json_array(), *out = NULL;
	if (fields_validate(req, f, 2, v, errors) > 0) {
		if (req->api) {
			resp_error(req, r, "validation_failed", errors);
			return;
		}
		json_decref(errors);
		peers_page(req, r, "validation_failed", NULL, NULL);
		return;
	}
	json_decref(errors);
	const char *why = peer_add(req->w->db, req->w->cfg, req->user_id, req->remote_addr, v[0],
	    v[1], &out);
	if (why != NULL) {
		if (req->api)
			resp_error(req, r, why, NULL);
		else
			peers_page(req, r, why, json_pack("{s:s, s:s}", "url", v[0], "fingerprint", v[1]),
			    NULL);
		return;
	}
	if (!req->api) {
		json_decref(out);
		resp_redirect(req, r, "/admin/peers");
		return;
	}
	resp_view(r, 201, out, NULL);
}

void
h_peer_remove(struct request *req, struct response *r)
{
	const char *why = peer_remove(req->w->db, req->user_id, req->remote_addr, req->params[0]);
	if (why != NULL) {
		if (req->api)
			resp_error(req, r, why, NULL);
		else
			peers_page(req, r, why, NULL, NULL);
		return;
	}
	if (!req->api) {
		resp_redirect(req, r, "/admin/peers");
		return;
	}
	resp_view(r, 200, json_pack("{s:s, s:b}", "code", req->params[0], "removed", 1), NULL);
}

/* Refetches every peer's key set (and summary): what `tmcred-ctl federation-pull` does. */
void
h_federation_pull(struct request *req, struct response *r)
{
	json_t *result = json_array();
	const char *why = federation_pull(req->w->db, req->w->cfg, result);
	if (why != NULL) {
		json_decref(result);
		resp_error(req, r, why, NULL);
		return;
	}
	if (!req->api) {
		peers_page(req, r, NULL, NULL, result);
		return;
	}
	resp_view(r, 200, json_pack("{s:o}", "peers", result), NULL);
}

/* GET /api/v1/federation/summary: this node's signed progress summary, for peers. */
void
h_federation_summary(struct request *req, struct response *r)
{
	json_t *out = NULL;
	const char *why = fed_summary_own(req->w->db, req->w->cfg, &req->w->keys, &out);
	req->api = true;
	if (why != NULL) {
		resp_error(req, r, why, NULL);
		return;
	}
	resp_header(req, r, "Cache-Control: no-store");
	resp_view(r, 200, out, NULL);
}

/* GET /progress/region and /api/v1/progress/region: this node and its peers' last summaries. */
void
h_progress_region(struct request *req, struct response *r)
{
	json_t *out = NULL;
	const char *why = fed_region(req->w->db, req->w->cfg, &req->w->keys, &out);
	if (why != NULL) {
		resp_error(req, r, why, NULL);
		return;
	}
	json_object_set_new(out, "page_title", json_string("区域进展（长三角联盟）"));
	resp_header(req, r, "Cache-Control: no-store");
	resp_view(r, 200, out, "progress_region");
}
