#include "../../db/db.h"
#include "handlers.h"

void
h_healthz(struct request *req, struct response *r)
{
	/* Two possible answers, both constant: nothing to build per request (load balancers poll this). */
	static const char ok[] = "{\"status\":\"ok\",\"db\":\"ok\",\"version\":\"" TMCRED_VERSION "\"}";
	static const char down[] =
	    "{\"status\":\"degraded\",\"db\":\"down\",\"version\":\"" TMCRED_VERSION "\"}";
	bool up = db_ready(req->w->db) == DB_OK && db_ping(req->w->db) == DB_OK;
	req->api = true;
	r->status = up ? 200 : 503;
	r->raw = up ? ok : down;
	r->raw_len = up ? sizeof(ok) - 1 : sizeof(down) - 1;
	r->content_type = "application/json; charset=utf-8";
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
