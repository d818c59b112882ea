#include "fields.h"

#include <stdio.h>
#include <string.h>

#include "../courses/contact.h"
#include "../courses/date.h"
#include "../courses/idnumber.h"
#include "../courses/text.h"
#include "limits.h"
#include "response.h"

static size_t
fail(json_t *errors, const char *field, const char *code, const char *msg)
{
	json_array_append_new(errors, field_error(field, code, msg));
	return 1;
}

static size_t
check(struct request *req, const struct field_spec *f, const char *v, size_t n, const char **out,
    json_t *errors)
{
	char buf[TM_MAX_FIELD_VALUE + 1], msg[128];

	switch (f->kind) {
	case F_NAME:
	case F_TEXT:
		if (utf8_chars(v, n) > f->max) {
			snprintf(msg, sizeof(msg), "内容过长，最多 %zu 个字", f->max);
			return fail(errors, f->name, "too_long", msg);
		}
		if (f->kind == F_NAME && !text_person_name(v, n, f->max))
			return fail(errors, f->name, "name_invalid", "姓名含有无效字符或首尾空格");
		if (!text_printable(v, n, false))
			return fail(errors, f->name, "text_invalid", "含有无效的控制字符");
		*out = v;
		return 0;
	case F_ID_NUMBER: {
		char canon[19];
		enum id_err e = id_validate(v, n, ymd_today_utc(), canon);
		if (e != ID_OK)
			return fail(errors, f->name, id_err_code(e), id_err_message(e));
		*out = arena_strdup(req->a, canon);
		return 0;
	}
	case F_PHONE:
		if (!contact_phone_valid(v, n))
			return fail(errors, f->name, "phone_invalid", "请输入有效的 11 位手机号码");
		*out = v;
		return 0;
	case F_EMAIL:
		if (!contact_email_valid(v, n, buf, sizeof(buf)))
			return fail(errors, f->name, "email_invalid", "邮箱格式不正确");
		*out = arena_strdup(req->a, buf);
		return 0;
	case F_PASSWORD:
	case F_PASSWORD_GIVEN:
		if (f->kind == F_PASSWORD && utf8_chars(v, n) < TM_MIN_PASSWORD_CHARS) {
			snprintf(msg, sizeof(msg), "密码至少 %u 个字符", TM_MIN_PASSWORD_CHARS);
			return fail(errors, f->name, "password_too_short", msg);
		}
		if (n > TM_MAX_PASSWORD_BYTES ||
		    (f->kind == F_PASSWORD && utf8_chars(v, n) > TM_MAX_PASSWORD_CHARS)) {
			snprintf(msg, sizeof(msg), "密码最多 %u 个字符", TM_MAX_PASSWORD_CHARS);
			return fail(errors, f->name, "password_too_long", msg);
		}
		*out = v;
		return 0;
	case F_DATE: {
		struct ymd d;
		if (!ymd_parse(v, n, &d))
			return fail(errors, f->name, "date_invalid", "日期格式应为 YYYY-MM-DD，且须为真实日期");
		*out = v;
		return 0;
	}
	case F_HOURS: {
		/* "4", "4.5", "0.5": digits, optionally ".5" or ".0"; never negative or zero. */
		uint64_t whole = 0;
		const char *dot = memchr(v, '.', n);
		size_t wl = dot ? (size_t)(dot - v) : n;
		int half = 0;
		if (dot != NULL) {
			size_t fl = n - wl - 1;
			if (fl == 1 && (dot[1] == '5' || dot[1] == '0'))
				half = dot[1] == '5';
			else
				return fail(errors, f->name, "hours_invalid", "学时须为 0.5 的整数倍");
		}
		if (!parse_u64(v, wl, 10000, &whole))
			return fail(errors, f->name, "hours_invalid", "学时须为正数，且为 0.5 的整数倍");
		uint64_t x2 = whole * 2 + (uint64_t)half;
		if (x2 == 0)
			return fail(errors, f->name, "hours_invalid", "学时须大于 0");
		if (x2 > f->max) {
			snprintf(msg, sizeof(msg), "学时不能超过 %zu", f->max / 2);
			return fail(errors, f->name, "hours_too_large", msg);
		}
		*out = arena_printf(req->a, "%llu", (unsigned long long)x2);
		return 0;
	}
	case F_CODE:
		if (n < 2 || n > f->max || strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != n)
			return fail(errors, f->name, "code_invalid", "编码只能包含大写字母、数字和连字符");
		*out = v;
		return 0;
	case F_UINT: {
		uint64_t u;
		if (!parse_u64(v, n, f->max, &u) || u == 0)
			return fail(errors, f->name, "number_invalid", "请输入有效的正整数");
		*out = v;
		return 0;
	}
	case F_CHOICE: {
		const char *c = f->choices;
		while (c && *c) {
			size_t l = strcspn(c, "|");
			if (l == n && memcmp(c, v, n) == 0) {
				*out = v;
				return 0;
			}
			c += l + (c[l] == '|');
		}
		return fail(errors, f->name, "choice_invalid", "选项无效");
	}
	case F_LOGIN:
		if (n > CONTACT_EMAIL_MAX || !text_printable(v, n, false))
			return fail(errors, f->name, "login_invalid", "请输入邮箱或手机号");
		*out = v;
		return 0;
	}
	return fail(errors, f->name, "invalid", "无效");
}

size_t
fields_validate(struct request *req, const struct field_spec *specs, size_t n, const char **out,
    json_t *errors)
{
	size_t bad = 0;
	for (size_t i = 0; i < n; i++) {
		const struct kv *kv = kv_find(&req->fields, specs[i].name);
		out[i] = NULL;
		/* Passwords keep their spaces; everything else is trimmed of surrounding ASCII blanks. */
		const char *v = kv ? kv->val : NULL;
		size_t len = kv ? kv->vlen : 0;
		if (v != NULL && specs[i].kind != F_PASSWORD && specs[i].kind != F_PASSWORD_GIVEN) {
			while (len > 0 && (*v == ' ' || *v == '\t')) {
				v++;
				len--;
			}
			while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'))
				len--;
			v = arena_strndup(req->a, v, len);
			if (v == NULL)
				return bad + fail(errors, specs[i].name, "invalid", "无效");
		}
		if (v == NULL || len == 0) {
			if (specs[i].required)
				bad += fail(errors, specs[i].name, "required", "请填写此项");
			continue;
		}
		if (strlen(v) != len) {
			bad += fail(errors, specs[i].name, "text_invalid", "含有无效的控制字符");
			continue;
		}
		bad += check(req, &specs[i], v, len, &out[i], errors);
	}
	return bad;
}
