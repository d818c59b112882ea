#include "../../courses/mask.h"
#include "../../courses/trainees.h"
#include "handlers.h"

#include <string.h>

void
h_home(struct request *req, struct response *r)
{
	(void)req;
	resp_view(r, 200, json_pack("{s:s}", "page_title", "上海技术经理人培养与认证平台"), "home");
}

void
h_me(struct request *req, struct response *r)
{
	struct account a;
	char id_m[24] = "", phone_m[16] = "", email_m[260] = "";
	enum db_rc rc = account_get(req->w->db, &req->w->keys, req->user_id, &a);

	if (rc == DB_NOROW) {
		resp_error(req, r, "unauthorized", NULL);
		return;
	}
	if (rc != DB_OK) {
		db_fail(req, r, rc);
		return;
	}
	if (a.id_number[0])
		mask_id_number(a.id_number, strlen(a.id_number), id_m, sizeof(id_m));
	if (a.phone[0])
		mask_phone(a.phone, strlen(a.phone), phone_m, sizeof(phone_m));
	if (a.email[0])
		mask_email(a.email, strlen(a.email), email_m, sizeof(email_m));
	json_t *v = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}",
	    "user_id", (json_int_t)a.user_id, "role", a.role, "name", a.name, "email", a.email,
	    "phone_masked", phone_m, "employer", a.employer, "id_number_masked", id_m);
	json_object_set_new(v, "page_title", json_string("我的账户"));
	memset(a.id_number, 0, sizeof(a.id_number));
	resp_view(r, 200, v, "me");
}
