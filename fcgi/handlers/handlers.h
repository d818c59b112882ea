#ifndef TM_HANDLERS_H
#define TM_HANDLERS_H
#include "../request.h"
#include "../response.h"

/* health.c */
void	 h_healthz(struct request *, struct response *);
void	 h_version(struct request *, struct response *);
/* pages.c */
void	 h_home(struct request *, struct response *);
void	 h_me(struct request *, struct response *);
/* trainees.c */
void	 h_register_form(struct request *, struct response *);
void	 h_register(struct request *, struct response *);
/* session.c */
void	 h_login_form(struct request *, struct response *);
void	 h_login(struct request *, struct response *);
void	 h_logout(struct request *, struct response *);

/* courses.c */
void	 h_courses(struct request *, struct response *);
void	 h_course(struct request *, struct response *);
void	 h_enrol(struct request *, struct response *);
void	 h_withdraw(struct request *, struct response *);
/* credits.c */
void	 h_my_records(struct request *, struct response *);
void	 h_my_credits(struct request *, struct response *);
void	 h_my_statement(struct request *, struct response *);
/* statements.c */
void	 h_stmt_issue(struct request *, struct response *);
void	 h_stmt_list(struct request *, struct response *);
void	 h_stmt_get(struct request *, struct response *);
/* The answer for a /V/CS-... link (the verification path dispatches statements here). */
void	 stmt_verify_answer(struct request *, struct response *, const char *path);
/* admin.c */
void	 h_bases(struct request *, struct response *);
void	 h_base_save(struct request *, struct response *);
void	 h_offerings(struct request *, struct response *);
void	 h_offering_save(struct request *, struct response *);
void	 h_offering_complete(struct request *, struct response *);
void	 h_record_create(struct request *, struct response *);
void	 h_record_reverse(struct request *, struct response *);

/* batches.c */
void	 h_batch_upload(struct request *, struct response *);
void	 h_upload_form(struct request *, struct response *);
void	 h_upload_post(struct request *, struct response *);
void	 h_batches(struct request *, struct response *);
void	 h_batch(struct request *, struct response *);
void	 h_batch_errors_csv(struct request *, struct response *);
void	 h_apikeys(struct request *, struct response *);
void	 h_apikey_create(struct request *, struct response *);
void	 h_apikey_revoke(struct request *, struct response *);

/* certs.c */
void	 h_cert_issue(struct request *, struct response *);
void	 h_cert_batch(struct request *, struct response *);
void	 h_cert_suspend(struct request *, struct response *);
void	 h_cert_reinstate(struct request *, struct response *);
void	 h_cert_revoke(struct request *, struct response *);
void	 h_cert_renew(struct request *, struct response *);
void	 h_cert_filing(struct request *, struct response *);
void	 h_cert_get(struct request *, struct response *);
void	 h_my_certs(struct request *, struct response *);
void	 h_verify_link(struct request *, struct response *);
void	 h_verify_api(struct request *, struct response *);
void	 h_verify_form(struct request *, struct response *);
void	 h_keys_json(struct request *, struct response *);
void	 h_status_list(struct request *, struct response *);
/* assessment.c */
void	 h_my_eligibility(struct request *, struct response *);
void	 h_level_rules(struct request *, struct response *);
void	 h_level_rule_add(struct request *, struct response *);
void	 h_candidates(struct request *, struct response *);
void	 h_candidate(struct request *, struct response *);
void	 h_score_enter(struct request *, struct response *);
void	 h_panel_record(struct request *, struct response *);
void	 h_integrity_open(struct request *, struct response *);
void	 h_integrity_close(struct request *, struct response *);
void	 h_person_level_declare(struct request *, struct response *);
void	 h_experts(struct request *, struct response *);
/* progress.c */
void	 h_progress(struct request *, struct response *);
void	 h_progress_csv(struct request *, struct response *);
void	 h_progress_base(struct request *, struct response *);
void	 h_progress_admin(struct request *, struct response *);
void	 h_progress_baseline(struct request *, struct response *);
/* evidence.c */
void	 h_my_evidence(struct request *, struct response *);
void	 h_evidence_declare(struct request *, struct response *);
void	 h_evidence_pending(struct request *, struct response *);
void	 h_evidence_review(struct request *, struct response *);

/* federation.c */
void	 h_peers(struct request *, struct response *);
void	 h_peer_add(struct request *, struct response *);
void	 h_peer_remove(struct request *, struct response *);
void	 h_federation_pull(struct request *, struct response *);
void	 h_federation_summary(struct request *, struct response *);
void	 h_progress_region(struct request *, struct response *);

/* A query parameter that must be one of choices (NULL when absent); *bad on anything else. */
const char *query_choice(struct request *, const char *name, const char *choices, bool *bad);
/* A query parameter that must be a year 1990..9999 (dflt when absent). */
int	 query_year(struct request *, const char *name, int dflt, bool *bad);
/* {param} segment i as a positive id, or 0. */
int64_t	 param_id(struct request *, size_t i);

/* form_fail: an error as JSON (API) or as the form page again with messages (HTML). */
void	 form_fail(struct request *, struct response *, const char *template, const char *title,
	    const char *code, json_t *details, json_t *values);
/* A malloc'ed body (freed here) as the answer, e.g. a PDF or PNG; never cached. */
void	 resp_raw(struct request *, struct response *, unsigned char *body, size_t len,
	    const char *type);
/* The QR code of a link as PNG or SVG (?scale=1..QR_SCALE_MAX, default 8). */
void	 qr_answer(struct request *, struct response *, const char *url, bool svg);
/* Answers the error for a database result that is not OK (503 when gone, else 500). */
void	 db_fail(struct request *, struct response *, int db_rc);

#endif
