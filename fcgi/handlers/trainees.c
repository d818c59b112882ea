#include <string.h>

#include "../../courses/mask.h"
#include "../../courses/trainees.h"
#include "../errors.h"
#include "../fields.h"
#include "../limits.h"
#include "handlers.h"

enum { F_NAME_, F_ID_, F_PHONE_, F_EMAIL_, F_EMPLOYER_, F_PASSWORD_, NFIELDS };

static const struct field_spec register_fields[NFIELDS] = {
	[F_NAME_] = { "name", F_NAME, true, TM_MAX_NAME_CHARS, NULL },
	[F_ID_] = { "id_number", F_ID_NUMBER, true, 0, NULL },
	[F_PHONE_] = { "phone", F_PHONE, true, 0, NULL },
	[F_EMAIL_] = { "email", F_EMAIL, true, 0, NULL },
	[F_EMPLOYER_] = { "employer", F_TEXT, true, TM_MAX_EMPLOYER_CHARS, NULL },
	[F_PASSWORD_] = { "password", F_PASSWORD, true, 0, NULL },
};

/* What the form shows again after an error: everything typed except the password. */
static json_t *
typed_values(struct request *req)
{
	json_t *v = json_object();
	for (size_t i = 0; i < NFIELDS; i++) {
		const char *s = kv_get(&req->fields, register_fields[i].name);
		if (i != F_PASSWORD_ && s != NULL)
			json_object_set_new(v, register_fields[i].name, json_string(s));
	}
	return v;
}

void
h_register_form(struct request *req, struct response *r)
{
	(void)req;
	resp_view(r, 200, json_pack("{s:s, s:{}, s:{}}", "page_title", "学员注册", "values", "errors"),
	    "register");
}

void
h_register(struct request *req, struct response *r)
{
	const char *v[NFIELDS];
	json_t *errors = json_array();
	int64_t uid = 0, pid = 0;

	if (fields_validate(req, register_fields, NFIELDS, v, errors) > 0) {
		form_fail(req, r, "register", "学员注册", "validation_failed", errors, typed_values(req));
		return;
	}
	struct account_new in = {
		.name = v[F_NAME_], .id_number = v[F_ID_], .phone = v[F_PHONE_], .email = v[F_EMAIL_],
		.employer = v[F_EMPLOYER_], .password = v[F_PASSWORD_], .role = "trainee",
		.remote_addr = req->remote_addr,
	};
	static const struct { enum reg_rc rc; const char *code, *field; } taken[] = {
		{ REG_ID_TAKEN, "id_number_taken", "id_number" },
		{ REG_EMAIL_TAKEN, "email_taken", "email" },
		{ REG_PHONE_TAKEN, "phone_taken", "phone" },
	};
	enum reg_rc rc = account_register(req->w->db, &req->w->keys, &in, &uid, &pid);
	for (size_t i = 0; i < sizeof(taken) / sizeof(taken[0]); i++)
		if (rc == taken[i].rc) {
			const struct err_def *e = err_lookup(taken[i].code);
			json_array_append_new(errors, field_error(taken[i].field, e->code, e->message));
			form_fail(req, r, "register", "学员注册", taken[i].code, errors,
			    typed_values(req));
			return;
		}
	json_decref(errors);
	if (rc != REG_OK) {
		db_fail(req, r, rc == REG_GONE ? DB_GONE : DB_ERR);
		return;
	}
	if (!req->api) {
		resp_redirect(req, r, "/login?registered=1");
		return;
	}
	char id_m[24], phone_m[16];
	mask_id_number(in.id_number, 18, id_m, sizeof(id_m));
	mask_phone(in.phone, strlen(in.phone), phone_m, sizeof(phone_m));
	resp_view(r, 201, json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s}",
	    "user_id", (json_int_t)uid, "person_id", (json_int_t)pid, "name", in.name,
	    "email", in.email, "phone_masked", phone_m, "id_number_masked", id_m,
	    "employer", in.employer), NULL);
}
