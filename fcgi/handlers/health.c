#include "../../db/db.h"
#include "handlers.h"

void
h_healthz(struct request *req, struct response *r)
{
	bool up = db_ready(req->w->db) == DB_OK && db_ping(req->w->db) == DB_OK;
	req->api = true;
	resp_view(r, up ? 200 : 503, json_pack("{s:s, s:s, s:s}", "status", up ? "ok" : "degraded",
	    "db", up ? "ok" : "down", "version", TMCRED_VERSION), NULL);
}

void
h_version(struct request *req, struct response *r)
{
	/* A constant answer: no view to build, serialise and free on every request. */
	static const char body[] = "{\"version\":\"" TMCRED_VERSION "\"}";
	req->api = true;
	r->status = 200;
	r->raw = body;
	r->raw_len = sizeof(body) - 1;
	r->content_type = "application/json; charset=utf-8";
}
