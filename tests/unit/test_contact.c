/* courses/contact: mobile numbers and e-mail addresses. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "courses/contact.h"

/* ---- phones ---- */

struct phone_case {
	char in[24];
	bool ok;
};

ParameterizedTestParameters(contact, phone)
{
	static struct phone_case cases[] = {
		{ "13812341234", true },
		{ "19912345678", true },
		{ "13000000000", true },
		{ "10012341234", false },   /* second digit 3..9 */
		{ "12812341234", false },
		{ "23812341234", false },
		{ "03812341234", false },
		{ "1381234123", false },    /* 10 digits */
		{ "138123412345", false },  /* 12 digits */
		{ "1381234123a", false },
		{ "138 1234 1234", false },
		{ "138-1234-1234", false },
		{ "+8613812341234", false },
		{ "8613812341234", false },
		{ "", false },
	};
	return cr_make_param_array(struct phone_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct phone_case *c, contact, phone)
{
	cr_assert_eq(contact_phone_valid(c->in, strlen(c->in)), c->ok, "'%s'", c->in);
}

Test(contact, phone_uses_length_not_nul)
{
	cr_assert(contact_phone_valid("13812341234999", 11));
	cr_assert_not(contact_phone_valid("1381234\0" "234", 11));
}

/* ---- e-mail ---- */

struct email_case {
	char in[80];
	char want[80];   /* lower-cased form; "" when refused */
};

ParameterizedTestParameters(contact, email)
{
	static struct email_case cases[] = {
		{ "zhang@example.com", "zhang@example.com" },
		{ "Zhang.San@Example.COM", "zhang.san@example.com" },
		{ "a@b.cn", "a@b.cn" },
		{ "a+tag@mail.sub.example.org", "a+tag@mail.sub.example.org" },
		{ "first_last-1@my-host.example", "first_last-1@my-host.example" },
		{ "x@1.2", "x@1.2" },
		/* refused */
		{ "a@b", "" },               /* no dot in the domain */
		{ "@b.cn", "" },
		{ "a@", "" },
		{ "a", "" },
		{ "ab", "" },
		{ "a@@b.cn", "" },
		{ "a@b@c.cn", "" },
		{ ".a@b.cn", "" },
		{ "a.@b.cn", "" },
		{ "a..b@c.cn", "" },
		{ "a@.b.cn", "" },
		{ "a@b..cn", "" },
		{ "a@b.cn.", "" },
		{ "a@-b.cn", "" },
		{ "a@b.-cn", "" },
		{ "a@b.cn-", "" },
		{ "a@b-.cn", "" },           /* a host label may not end with '-' (RFC 1123) */
		{ "a@b_c.cn", "" },
		{ "a b@c.cn", "" },
		{ "ab@c .cn", "" },
		{ " a@b.cn", "" },
		{ "a@b.cn ", "" },
		{ "\"a\"@b.cn", "" },
		{ "a'b@c.cn", "" },
		{ "a<b>@c.cn", "" },
		{ "a\\b@c.cn", "" },
		{ "a(b)@c.cn", "" },
		{ "a,b@c.cn", "" },
		{ "a@b.cn\n", "" },
		{ "张三@example.com", "" },  /* ASCII only */
		{ "a@例子.中国", "" },
	};
	return cr_make_param_array(struct email_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct email_case *c, contact, email)
{
	char out[CONTACT_EMAIL_MAX + 1];
	bool ok = contact_email_valid(c->in, strlen(c->in), out, sizeof(out));
	cr_assert_eq(ok, c->want[0] != '\0', "'%s'", c->in);
	if (ok)
		cr_assert_str_eq(out, c->want);
}

/* An address of exactly n bytes with a local part of `local` bytes and labels <= 63. */
static void
build_email(char *buf, size_t n, size_t local)
{
	size_t i = 0;
	memset(buf, 'a', local);
	i = local;
	buf[i++] = '@';
	size_t label = 0;
	while (i < n - 3) {
		if (label == 63) {
			buf[i++] = '.';
			label = 0;
		} else {
			buf[i++] = 'b';
			label++;
		}
	}
	/* ".cn" ends it; if the last char before is '.', make it a letter */
	if (buf[i - 1] == '.')
		buf[i - 1] = 'b';
	memcpy(buf + i, ".cn", 3);
	buf[n] = '\0';
}

Test(contact, email_length_limits)
{
	char in[400], out[400];
	build_email(in, CONTACT_EMAIL_MAX, 64);
	cr_assert_eq(strlen(in), CONTACT_EMAIL_MAX);
	cr_assert(contact_email_valid(in, strlen(in), out, sizeof(out)), "%s", in);
	cr_assert_str_eq(out, in);
	build_email(in, CONTACT_EMAIL_MAX + 1, 64);
	cr_assert_not(contact_email_valid(in, strlen(in), out, sizeof(out)));
	build_email(in, 100, 64);
	cr_assert(contact_email_valid(in, strlen(in), out, sizeof(out)));
	build_email(in, 100, 65);                       /* local part over 64 */
	cr_assert_not(contact_email_valid(in, strlen(in), out, sizeof(out)));
	cr_assert(contact_email_valid("a@b.c", 5, out, sizeof(out)));
	cr_assert_not(contact_email_valid("a@b.c", 3, out, sizeof(out)));
}

Test(contact, email_label_limit)
{
	char in[200], out[200];
	memcpy(in, "a@", 2);
	memset(in + 2, 'b', 63);
	memcpy(in + 65, ".cn", 4);
	cr_assert(contact_email_valid(in, strlen(in), out, sizeof(out)), "%s", in);
	memcpy(in, "a@", 2);
	memset(in + 2, 'b', 64);
	memcpy(in + 66, ".cn", 4);
	cr_assert_not(contact_email_valid(in, strlen(in), out, sizeof(out)), "%s", in);
}

Test(contact, email_output_capacity)
{
	char out[16];
	memset(out, 'Q', sizeof(out));
	cr_assert_not(contact_email_valid("ab@cd.cn", 8, out, 8));
	cr_assert_eq(out[0], 'Q', "wrote into a too-small buffer");
	cr_assert(contact_email_valid("AB@cd.cn", 8, out, 9));
	cr_assert_str_eq(out, "ab@cd.cn");
}

Test(contact, email_embedded_nul)
{
	char out[32];
	cr_assert_not(contact_email_valid("a@b.cn\0x", 8, out, sizeof(out)));
	cr_assert_not(contact_email_valid("a\0@b.cn", 7, out, sizeof(out)));
}
