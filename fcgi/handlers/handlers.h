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

/* form_fail: an error as JSON (API) or as the form page again with messages (HTML). */
void	 form_fail(struct request *, struct response *, const char *template, const char *title,
	    const char *code, json_t *details, json_t *values);
/* Answers the error for a database result that is not OK (503 when gone, else 500). */
void	 db_fail(struct request *, struct response *, int db_rc);

#endif
