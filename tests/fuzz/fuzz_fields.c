/*
 * A request body as the handlers take it: urlencoded or JSON (parse_urlencoded /
 * parse_json_body, first input byte picks) and then fields_validate with one field of every
 * kind. Invariants: the count returned is the number of errors; each error names one field
 * once, with a code and a message; a field has a value or an error unless it is optional and
 * absent; every value satisfies its kind's own predicate (name, text, ID number re-validates
 * to itself, lower-case e-mail, real date, half-hours in range, code alphabet, choice); a
 * password is taken byte for byte; and the values, sent again as a form, validate to
 * themselves without error (normalisation is idempotent).
 */
#include <string.h>

#include "courses/contact.h"
#include "courses/date.h"
#include "courses/idnumber.h"
#include "courses/text.h"
#include "fcgi/fields.h"
#include "fcgi/jsonbody.h"
#include "fcgi/limits.h"
#include "fuzz.h"

/* fcgi/response.c's, without the rest of the response layer */
json_t *
field_error(const char *field, const char *code, const char *message)
{
	return json_pack("{s:s, s:s, s:s}", "field", field, "code", code, "message", message);
}

static const struct field_spec specs[] = {
	{ "name", F_NAME, true, TM_MAX_NAME_CHARS, NULL },
	{ "employer", F_TEXT, false, TM_MAX_EMPLOYER_CHARS, NULL },
	{ "id_number", F_ID_NUMBER, true, 0, NULL },
	{ "phone", F_PHONE, false, 0, NULL },
	{ "email", F_EMAIL, false, 0, NULL },
	{ "password", F_PASSWORD, true, 0, NULL },
	{ "given", F_PASSWORD_GIVEN, false, 0, NULL },
	{ "login", F_LOGIN, false, 0, NULL },
	{ "date", F_DATE, false, 0, NULL },
	{ "hours", F_HOURS, false, 48, NULL },
	{ "code", F_CODE, false, 16, NULL },
	{ "n", F_UINT, false, 1000000, NULL },
	{ "level", F_CHOICE, false, 0, "junior|intermediate|senior" },
};
#define NSPECS (sizeof(specs) / sizeof(specs[0]))

static void
encode(struct sbuf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
			sbuf_putc(b, (char)c);
		else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };
			sbuf_put(b, e, 3);
		}
	}
}

static bool
all_in(const char *s, const char *set)
{
	return strspn(s, set) == strlen(s);
}

/* The value as the client sent it (before trimming), or NULL. */
static const struct kv *
raw(const struct request *req, const char *name)
{
	return kv_find(&req->fields, name);
}

static void
check_value(const struct request *req, size_t i, const char *v)
{
	size_t n = strlen(v);
	struct ymd d;
	uint64_t u;
	char canon[19], em[CONTACT_EMAIL_MAX + 1];
	const struct field_spec *f = &specs[i];

	CHECK(n > 0);
	bool pw = f->kind == F_PASSWORD || f->kind == F_PASSWORD_GIVEN;
	if (!pw && f->kind != F_HOURS && f->kind != F_ID_NUMBER &&
	    f->kind != F_EMAIL) {
		/* the raw value trimmed of blanks */
		const struct kv *kv = raw(req, f->name);
		CHECK(kv != NULL && memmem(kv->val, kv->vlen, v, n) != NULL);
	}
	if (!pw)
		CHECK(v[0] != ' ' && v[0] != '\t' && v[n - 1] != ' ' && v[n - 1] != '\t');
	switch (f->kind) {
	case F_NAME:
		CHECK(text_person_name(v, n, f->max));
		break;
	case F_TEXT:
		CHECK(text_printable(v, n, false) && utf8_chars(v, n) <= f->max);
		break;
	case F_ID_NUMBER:
		CHECK(n == 18 && id_validate(v, n, ymd_today_utc(), canon) == ID_OK);
		CHECK(memcmp(canon, v, 19) == 0);
		break;
	case F_PHONE:
		CHECK(n == 11 && contact_phone_valid(v, n) && all_in(v, "0123456789"));
		break;
	case F_EMAIL:
		CHECK(contact_email_valid(v, n, em, sizeof(em)) && strcmp(em, v) == 0);
		break;
	case F_PASSWORD:
	case F_PASSWORD_GIVEN: {
		const struct kv *kv = raw(req, f->name);
		CHECK(n <= TM_MAX_PASSWORD_BYTES);
		CHECK(f->kind == F_PASSWORD_GIVEN || (utf8_chars(v, n) >= TM_MIN_PASSWORD_CHARS &&
		    utf8_chars(v, n) <= TM_MAX_PASSWORD_CHARS));
		CHECK(kv != NULL && kv->vlen == n && memcmp(kv->val, v, n) == 0);
		break;
	}
	case F_LOGIN:
		CHECK(n <= CONTACT_EMAIL_MAX && text_printable(v, n, false));
		break;
	case F_DATE:
		CHECK(ymd_parse(v, n, &d) && ymd_valid(d));
		break;
	case F_HOURS:
		CHECK(parse_u64(v, n, f->max, &u) && u >= 1);
		break;
	case F_CODE:
		CHECK(n >= 2 && n <= f->max && all_in(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-"));
		break;
	case F_UINT:
		CHECK(parse_u64(v, n, f->max, &u) && u >= 1);
		break;
	case F_CHOICE:
		CHECK(!strcmp(v, "junior") || !strcmp(v, "intermediate") || !strcmp(v, "senior"));
		break;
	}
}

static size_t
validate(struct request *req, const char **out, json_t *errors)
{
	size_t bad = fields_validate(req, specs, NSPECS, out, errors);
	CHECK(bad == json_array_size(errors));
	bool named[NSPECS] = { false };
	size_t k;
	json_t *e;
	json_array_foreach(errors, k, e) {
		const char *fld = json_string_value(json_object_get(e, "field"));
		const char *code = json_string_value(json_object_get(e, "code"));
		const char *msg = json_string_value(json_object_get(e, "message"));
		CHECK(fld && code && msg && code[0] && msg[0]);
		size_t i = 0;
		while (i < NSPECS && strcmp(specs[i].name, fld) != 0)
			i++;
		CHECK(i < NSPECS && !named[i]);
		named[i] = true;
		CHECK(out[i] == NULL);
	}
	for (size_t i = 0; i < NSPECS; i++) {
		if (out[i] != NULL)
			check_value(req, i, out[i]);
		else if (!named[i]) {
			/* neither value nor error: optional, and absent or blank */
			const struct kv *kv = raw(req, specs[i].name);
			CHECK(!specs[i].required);
			CHECK(kv == NULL || strspn(kv->val, " \t") == kv->vlen);
		}
	}
	return bad;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct arena a;
	struct request req;
	json_t *root = NULL;
	const char *body = (const char *)data + 1;
	size_t n = size - 1;

	arena_init(&a, 4u * 1024u * 1024u);
	memset(&req, 0, sizeof(req));
	req.a = &a;
	enum parse_rc rc = data[0] & 1 ? parse_json_body(&a, body, n, &root, &req.fields) :
	    parse_urlencoded(&a, body, n, &req.fields);
	if (rc == PARSE_OK) {
		const char *out[NSPECS], *again[NSPECS];
		json_t *errors = json_array();
		validate(&req, out, errors);
		json_decref(errors);

		/* the values again, as a form: no error, the same values */
		struct sbuf b;
		sbuf_init(&b, &a);
		for (size_t i = 0; i < NSPECS; i++) {
			if (out[i] == NULL || specs[i].kind == F_HOURS)
				continue;
			if (b.len)
				sbuf_putc(&b, '&');
			sbuf_puts(&b, specs[i].name);
			sbuf_putc(&b, '=');
			encode(&b, out[i]);
		}
		CHECK(!b.oom);
		struct request r2;
		memset(&r2, 0, sizeof(r2));
		r2.a = &a;
		CHECK(parse_urlencoded(&a, sbuf_cstr(&b), b.len, &r2.fields) == PARSE_OK);
		errors = json_array();
		fields_validate(&r2, specs, NSPECS, again, errors);
		for (size_t i = 0; i < NSPECS; i++) {
			if (out[i] == NULL || specs[i].kind == F_HOURS)
				continue;
			CHECK(again[i] != NULL && strcmp(again[i], out[i]) == 0);
		}
		json_decref(errors);
	}
	json_decref(root);
	arena_free(&a);
	return 0;
}
