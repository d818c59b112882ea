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

	{ "GET", "/courses", h_courses, 0, R_DB },
	{ "GET", "/api/v1/courses", h_courses, 0, R_DB },
	{ "GET", "/courses/{code}", h_course, 0, R_DB },
	{ "GET", "/api/v1/courses/{code}", h_course, 0, R_DB },
	{ "POST", "/enrolments", h_enrol, ROLE_TRAINEE, R_DB | R_SMALL_BODY },
	{ "POST", "/api/v1/enrolments", h_enrol, ROLE_TRAINEE, R_DB | R_SMALL_BODY },
	{ "POST", "/enrolments/{offering}/withdraw", h_withdraw, ROLE_TRAINEE, R_DB | R_SMALL_BODY },
	{ "POST", "/api/v1/enrolments/{offering}/withdraw", h_withdraw, ROLE_TRAINEE,
	    R_DB | R_SMALL_BODY },

	{ "GET", "/me/records", h_my_records, ROLE_TRAINEE, R_DB },
	{ "GET", "/api/v1/me/records", h_my_records, ROLE_TRAINEE, R_DB },
	{ "GET", "/me/credits", h_my_credits, ROLE_TRAINEE, R_DB },
	{ "GET", "/api/v1/me/credits", h_my_credits, ROLE_TRAINEE, R_DB },
	{ "GET", "/me/credits/statement", h_my_statement, ROLE_TRAINEE, R_DB },
	{ "GET", "/api/v1/me/credits/statement", h_my_statement, ROLE_TRAINEE, R_DB },

	{ "GET", "/admin/bases", h_bases, ROLE_ADMIN, R_DB },
	{ "GET", "/api/v1/bases", h_bases, ROLE_ADMIN, R_DB },
	{ "POST", "/admin/bases", h_base_save, ROLE_ADMIN, R_DB },
	{ "POST", "/api/v1/bases", h_base_save, ROLE_ADMIN, R_DB },
	{ "POST", "/admin/bases/{code}", h_base_save, ROLE_ADMIN, R_DB },
	{ "POST", "/api/v1/bases/{code}", h_base_save, ROLE_ADMIN, R_DB },
	{ "GET", "/admin/offerings", h_offerings, ROLE_ADMIN, R_DB },
	{ "GET", "/api/v1/offerings", h_offerings, ROLE_ADMIN, R_DB },
	{ "POST", "/admin/offerings", h_offering_save, ROLE_ADMIN, R_DB },
	{ "POST", "/api/v1/offerings", h_offering_save, ROLE_ADMIN, R_DB },
	{ "POST", "/admin/offerings/{id}", h_offering_save, ROLE_ADMIN, R_DB },
	{ "POST", "/api/v1/offerings/{id}", h_offering_save, ROLE_ADMIN, R_DB },
	{ "POST", "/admin/offerings/{id}/complete", h_offering_complete, ROLE_ADMIN, R_DB },
	{ "POST", "/api/v1/offerings/{id}/complete", h_offering_complete, ROLE_ADMIN, R_DB },
	{ "POST", "/api/v1/records", h_record_create, ROLE_ADMIN, R_DB },
	{ "POST", "/api/v1/records/{id}/reverse", h_record_reverse, ROLE_ADMIN, R_DB },

	{ "POST", "/api/v1/batches", h_batch_upload, ROLE_BASE, R_DB | R_STREAM },
	{ "GET", "/api/v1/batches", h_batches, ROLE_BASE, R_DB },
	{ "GET", "/api/v1/batches/{id}", h_batch, ROLE_BASE, R_DB },
	{ "GET", "/api/v1/batches/{id}/errors.csv", h_batch_errors_csv, ROLE_BASE, R_DB },
	{ "GET", "/base/upload", h_upload_form, ROLE_BASE, R_DB },
	{ "POST", "/base/upload", h_upload_post, ROLE_BASE, R_DB | R_STREAM },
	{ "GET", "/base/batches", h_batches, ROLE_BASE, R_DB },
	{ "GET", "/base/batches/{id}", h_batch, ROLE_BASE, R_DB },
	{ "GET", "/base/batches/{id}/errors.csv", h_batch_errors_csv, ROLE_BASE, R_DB },
	{ "GET", "/api/v1/api-keys", h_apikeys, ROLE_ADMIN, R_DB },
	{ "POST", "/api/v1/api-keys", h_apikey_create, ROLE_ADMIN, R_DB },
	{ "POST", "/api/v1/api-keys/{prefix}/revoke", h_apikey_revoke, ROLE_ADMIN, R_DB },

	/* assessment: level rules, evidence, exams, panels, eligibility */
	{ "GET", "/me/eligibility", h_my_eligibility, ROLE_TRAINEE, R_DB },
	{ "GET", "/api/v1/me/eligibility", h_my_eligibility, ROLE_TRAINEE, R_DB },
	{ "GET", "/me/evidence", h_my_evidence, ROLE_TRAINEE, R_DB },
	{ "GET", "/api/v1/me/evidence", h_my_evidence, ROLE_TRAINEE, R_DB },
	{ "POST", "/me/evidence", h_evidence_declare, ROLE_TRAINEE, R_DB | R_SMALL_BODY },
	{ "POST", "/api/v1/me/evidence", h_evidence_declare, ROLE_TRAINEE, R_DB | R_SMALL_BODY },
	{ "GET", "/review/evidence", h_evidence_pending, ROLE_REVIEWER | ROLE_ADMIN, R_DB },
	{ "GET", "/api/v1/evidence", h_evidence_pending, ROLE_REVIEWER | ROLE_ADMIN, R_DB },
	{ "POST", "/review/evidence/{id}", h_evidence_review, ROLE_REVIEWER | ROLE_ADMIN, R_DB },
	{ "POST", "/api/v1/evidence/{id}/review", h_evidence_review, ROLE_REVIEWER | ROLE_ADMIN, R_DB },
	{ "GET", "/review/candidates", h_candidates, ROLE_REVIEWER | ROLE_ADMIN, R_DB },
	{ "GET", "/api/v1/candidates", h_candidates, ROLE_REVIEWER | ROLE_ADMIN, R_DB },
	{ "GET", "/review/candidates/{id}", h_candidate, ROLE_REVIEWER | ROLE_ADMIN, R_DB },
	{ "GET", "/api/v1/candidates/{id}", h_candidate, ROLE_REVIEWER | ROLE_ADMIN, R_DB },
	{ "POST", "/review/scores", h_score_enter, ROLE_REVIEWER | ROLE_ADMIN, R_DB },
	{ "POST", "/api/v1/scores", h_score_enter, ROLE_REVIEWER | ROLE_ADMIN, R_DB },
	{ "POST", "/review/panels", h_panel_record, ROLE_REVIEWER | ROLE_ADMIN, R_DB },
	{ "POST", "/api/v1/panels", h_panel_record, ROLE_REVIEWER | ROLE_ADMIN, R_DB },
	{ "GET", "/admin/level-rules", h_level_rules, ROLE_ADMIN, R_DB },
	{ "GET", "/api/v1/level-rules", h_level_rules, ROLE_ADMIN, R_DB },
	{ "POST", "/admin/level-rules", h_level_rule_add, ROLE_ADMIN, R_DB },
	{ "POST", "/api/v1/level-rules", h_level_rule_add, ROLE_ADMIN, R_DB },
	{ "POST", "/api/v1/integrity-events", h_integrity_open, ROLE_ADMIN, R_DB },
	{ "POST", "/api/v1/integrity-events/{id}/close", h_integrity_close, ROLE_ADMIN, R_DB },
	{ "POST", "/api/v1/person-levels", h_person_level_declare, ROLE_ADMIN, R_DB },
	{ "GET", "/api/v1/experts", h_experts, ROLE_REVIEWER | ROLE_ADMIN, R_DB },

	/* certificates: issue, lifecycle, verification */
	{ "POST", "/api/v1/certificates", h_cert_issue, ROLE_ADMIN, R_DB },
	{ "POST", "/api/v1/certificates/batch", h_cert_batch, ROLE_ADMIN, R_DB },
	{ "GET", "/api/v1/certificates/{serial}", h_cert_get, ROLE_ANY_USER, R_DB },
	{ "POST", "/api/v1/certificates/{serial}/suspend", h_cert_suspend, ROLE_ADMIN, R_DB },
	{ "POST", "/api/v1/certificates/{serial}/reinstate", h_cert_reinstate, ROLE_ADMIN, R_DB },
	{ "POST", "/api/v1/certificates/{serial}/revoke", h_cert_revoke, ROLE_ADMIN, R_DB },
	{ "POST", "/api/v1/certificates/{serial}/renew", h_cert_renew, ROLE_ADMIN, R_DB },
	{ "POST", "/api/v1/certificates/{serial}/filing", h_cert_filing, ROLE_ADMIN, R_DB },
	{ "GET", "/me/certificates", h_my_certs, ROLE_ANY_USER, R_DB },
	{ "GET", "/api/v1/me/certificates", h_my_certs, ROLE_ANY_USER, R_DB },
	{ "GET", "/V/{serial}/{token}", h_verify_link, 0, R_DB },
	{ "GET", "/v/{serial}/{token}", h_verify_link, 0, R_DB },
	{ "GET", "/api/v1/verify/{serial}", h_verify_api, 0, R_DB },
	{ "GET", "/verify", h_verify_form, 0, R_DB },
	{ "GET", "/.well-known/tmcred-keys.json", h_keys_json, 0, R_DB },
	{ "GET", "/status/{n}", h_status_list, 0, R_DB },

	/* --- statements (signed credit statements; verified on /V/ above) --- */
	{ "POST", "/me/credits/statements", h_stmt_issue, ROLE_TRAINEE, R_DB | R_SMALL_BODY },
	{ "POST", "/api/v1/me/credits/statements", h_stmt_issue, ROLE_TRAINEE, R_DB | R_SMALL_BODY },
	{ "GET", "/me/credits/statements", h_stmt_list, ROLE_TRAINEE, R_DB },
	{ "GET", "/api/v1/me/credits/statements", h_stmt_list, ROLE_TRAINEE, R_DB },
	{ "GET", "/me/credits/statements/{no}", h_stmt_get, ROLE_TRAINEE | ROLE_ADMIN, R_DB },
	{ "GET", "/api/v1/credits/statements/{no}", h_stmt_get, ROLE_TRAINEE | ROLE_ADMIN, R_DB },
	/* --- end statements --- */

	/* --- progress --- */
	{ "GET", "/progress", h_progress, 0, R_DB },
	{ "GET", "/api/v1/progress", h_progress, 0, R_DB },
	{ "GET", "/api/v1/progress.csv", h_progress_csv, 0, R_DB },
	{ "GET", "/base/progress", h_progress_base, ROLE_BASE | ROLE_ADMIN, R_DB },
	{ "GET", "/api/v1/progress/base", h_progress_base, ROLE_BASE | ROLE_ADMIN, R_DB },
	{ "GET", "/admin/progress", h_progress_admin, ROLE_ADMIN, R_DB },
	{ "POST", "/admin/progress/baseline", h_progress_baseline, ROLE_ADMIN, R_DB },
	{ "POST", "/api/v1/progress/baseline", h_progress_baseline, ROLE_ADMIN, R_DB },
	/* --- end progress --- */

	/* --- federation --- */
	{ "GET", "/admin/peers", h_peers, ROLE_ADMIN, R_DB },
	{ "GET", "/api/v1/peers", h_peers, ROLE_ADMIN, R_DB },
	{ "POST", "/admin/peers", h_peer_add, ROLE_ADMIN, R_DB },
	{ "POST", "/api/v1/peers", h_peer_add, ROLE_ADMIN, R_DB },
	{ "POST", "/admin/peers/pull", h_federation_pull, ROLE_ADMIN, R_DB },
	{ "POST", "/api/v1/federation/pull", h_federation_pull, ROLE_ADMIN, R_DB },
	{ "POST", "/admin/peers/{code}/remove", h_peer_remove, ROLE_ADMIN, R_DB },
	{ "POST", "/api/v1/peers/{code}/remove", h_peer_remove, ROLE_ADMIN, R_DB },
	{ "GET", "/api/v1/federation/summary", h_federation_summary, 0, R_DB },
	{ "GET", "/progress/region", h_progress_region, 0, R_DB },
	{ "GET", "/api/v1/progress/region", h_progress_region, 0, R_DB },
	/* --- end federation --- */
};

const size_t nroutes = sizeof(routes) / sizeof(routes[0]);
