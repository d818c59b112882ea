/* courses/mask: display masks of domain.md §8d. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "courses/mask.h"

typedef int (*mask_fn)(const char *, size_t, char *, size_t);

struct mask_case {
	char in[64];
	char want[64];   /* "" with rc -1 */
	int rc;
};

static void
run_case(mask_fn fn, const struct mask_case *c)
{
	char out[128];
	memset(out, 'Q', sizeof(out));
	int rc = fn(c->in, strlen(c->in), out, sizeof(out));
	cr_assert_eq(rc, c->rc, "'%s': rc %d", c->in, rc);
	cr_assert_str_eq(out, c->want, "'%s'", c->in);
}

/* Every size below what the mask needs fails with "", the exact size succeeds. */
static void
check_exact_cap(mask_fn fn, const char *in, const char *want)
{
	char out[128];
	size_t need = strlen(want) + 1;
	for (size_t cap = 1; cap < need; cap++) {
		memset(out, 'Q', sizeof(out));
		cr_assert_eq(fn(in, strlen(in), out, cap), -1, "'%s' cap %zu", in, cap);
		cr_assert_eq(out[0], '\0', "'%s' cap %zu: out not emptied", in, cap);
		cr_assert_eq(out[cap], 'Q', "'%s' cap %zu: wrote past cap", in, cap);
	}
	memset(out, 'Q', sizeof(out));
	cr_assert_eq(fn(in, strlen(in), out, need), 0, "'%s' cap %zu", in, need);
	cr_assert_str_eq(out, want);
	cr_assert_eq(out[need], 'Q', "'%s': wrote past cap", in);
	/* cap 0: nothing may be written at all */
	memset(out, 'Q', sizeof(out));
	cr_assert_eq(fn(in, strlen(in), out, 0), -1);
	cr_assert_eq(out[0], 'Q');
}

/* ---- names ---- */

ParameterizedTestParameters(mask, name)
{
	static struct mask_case cases[] = {
		{ "张三", "张*", 0 },
		{ "张小三", "张*三", 0 },
		{ "欧阳小华", "欧**华", 0 },
		{ "司马相如如", "司***如", 0 },
		{ "张", "张", 0 },                     /* one character: nothing to hide */
		{ "阿依·买买提", "阿*·买*提", 0 },
		{ "买买提·艾力", "买*提·艾*", 0 },
		{ "迪丽热巴·迪力木拉提", "迪**巴·迪***提", 0 },
		{ "Li", "L*", 0 },
		{ "Tom", "T*m", 0 },
		{ "John Smith", "J********h", 0 },
		{ "A", "A", 0 },
		{ "José", "J**é", 0 },                  /* 2-byte character kept whole */
		{ "𠮷野家", "𠮷*家", 0 },               /* 4-byte character kept whole */
		{ "", "", -1 },
	};
	return cr_make_param_array(struct mask_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct mask_case *c, mask, name)
{
	run_case(mask_name, c);
}

/* Header: "UTF-8 in and out", -1 when the input is not what it should be. */
Test(mask, name_refuses_invalid_utf8)
{
	static const char *bad[] = { "\xe5\xbc", "ab\xe5", "\xff\xfe", "\x80\x80", "张\xff三",
		"\xed\xa0\x80\xe4\xb8\x89" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char out[64];
		memset(out, 'Q', sizeof(out));
		int rc = mask_name(bad[i], strlen(bad[i]), out, sizeof(out));
		cr_assert_eq(rc, -1, "invalid UTF-8 #%zu masked to '%s'", i, rc == 0 ? out : "");
		cr_assert_eq(out[0], '\0');
	}
}

Test(mask, name_buffer_sizes)
{
	check_exact_cap(mask_name, "张三", "张*");
	check_exact_cap(mask_name, "张小三", "张*三");
	check_exact_cap(mask_name, "欧阳小华", "欧**华");
	check_exact_cap(mask_name, "阿依·买买提", "阿*·买*提");
	check_exact_cap(mask_name, "John", "J**n");
}

Test(mask, name_never_longer_than_input_plus_nul)
{
	/* Header: a masked value is never longer than its input plus the '*' it adds. */
	const char *names[] = { "张三", "张小三", "阿依·买买提", "ab", "abc", "Ünal Ö" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char out[64];
		size_t n = strlen(names[i]);
		cr_assert_eq(mask_name(names[i], n, out, n + 1), 0, "%s", names[i]);
		cr_assert_leq(strlen(out), n);
	}
}

/* ---- ID numbers ---- */

ParameterizedTestParameters(mask, id_number)
{
	static struct mask_case cases[] = {
		{ "310101199001011234", "3101**********1234", 0 },
		{ "11010519491231002X", "1101**********002X", 0 },
		{ "130503670401001", "1305*******1001", 0 },
		{ "31010119900101123", "", -1 },
		{ "3101011990010112345", "", -1 },
		{ "1234", "", -1 },
		{ "", "", -1 },
	};
	return cr_make_param_array(struct mask_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct mask_case *c, mask, id_number)
{
	run_case(mask_id_number, c);
}

Test(mask, id_number_buffer_sizes)
{
	check_exact_cap(mask_id_number, "310101199001011234", "3101**********1234");
}

/* ---- phones ---- */

ParameterizedTestParameters(mask, phone)
{
	static struct mask_case cases[] = {
		{ "13812341234", "138****1234", 0 },
		{ "19900000001", "199****0001", 0 },
		{ "1381234123", "", -1 },
		{ "138123412345", "", -1 },
		{ "", "", -1 },
	};
	return cr_make_param_array(struct mask_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct mask_case *c, mask, phone)
{
	run_case(mask_phone, c);
}

Test(mask, phone_buffer_sizes)
{
	check_exact_cap(mask_phone, "13812341234", "138****1234");
}

/* ---- email ---- */

ParameterizedTestParameters(mask, email)
{
	static struct mask_case cases[] = {
		{ "zhang@example.com", "z**@example.com", 0 },
		{ "a@b.cn", "a**@b.cn", 0 },
		{ "ab@b.cn", "a**@b.cn", 0 },
		{ "张三@例子.中国", "张**@例子.中国", 0 },   /* first character kept whole */
		{ "no-at-sign.example.com", "", -1 },
		{ "@example.com", "", -1 },
		{ "", "", -1 },
	};
	return cr_make_param_array(struct mask_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct mask_case *c, mask, email)
{
	run_case(mask_email, c);
}

Test(mask, email_buffer_sizes)
{
	check_exact_cap(mask_email, "zhang@example.com", "z**@example.com");
	check_exact_cap(mask_email, "a@b.cn", "a**@b.cn");
}

Test(mask, email_hides_the_local_length)
{
	char a[64], b[64];
	cr_assert_eq(mask_email("x@example.com", 13, a, sizeof(a)), 0);
	cr_assert_eq(mask_email("xyzxyzxyzxyz@example.com", 24, b, sizeof(b)), 0);
	cr_assert_str_eq(a, b);
}
