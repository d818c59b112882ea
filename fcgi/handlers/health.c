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
	req->api = true;
	resp_view(r, 200, json_pack("{s:s}", "version", TMCRED_VERSION), NULL);
}
