/*
 * Every URL tmcred answers. The page and the API call of one feature share a handler:
 * the request decides the face (JSON for /api/..., HTML otherwise).
 */
#include "handlers/handlers.h"
#include "router.h"

const struct route routes[] = {
	{ "GET", "/healthz", h_healthz, 0, 0 },
	{ "GET", "/api/v1/version", h_version, 0, 0 },

	{ "GET", "/", h_home, 0, 0 },
	{ "GET", "/register", h_register_form, 0, 0 },
	{ "POST", "/register", h_register, 0, R_DB | R_SMALL_BODY },
	{ "POST", "/api/v1/trainees", h_register, 0, R_DB | R_SMALL_BODY },

	{ "GET", "/login", h_login_form, 0, 0 },
	{ "POST", "/login", h_login, 0, R_DB | R_SMALL_BODY },
	{ "POST", "/api/v1/session", h_login, 0, R_DB | R_SMALL_BODY },
	{ "POST", "/logout", h_logout, 0, R_DB | R_SMALL_BODY },
	{ "DELETE", "/api/v1/session", h_logout, 0, R_DB | R_SMALL_BODY },

	{ "GET", "/me", h_me, ROLE_ANY_USER, R_DB },
	{ "GET", "/api/v1/me", h_me, ROLE_ANY_USER, R_DB },
};

const size_t nroutes = sizeof(routes) / sizeof(routes[0]);
