/* fcgi/arena: bump allocator and arena-backed string buffer. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fcgi/arena.h"
#include "fcgi/limits.h"

static struct arena A;

static void
setup(void)
{
	arena_init(&A, TM_MAX_ARENA_BYTES);
}

static void
teardown(void)
{
	arena_free(&A);
}

TestSuite(arena, .init = setup, .fini = teardown);
TestSuite(sbuf, .init = setup, .fini = teardown);

/* ---- allocation ---- */

Test(arena, aligned_to_16)
{
	for (size_t n = 0; n < 200; n++) {
		void *p = arena_alloc(&A, n);
		cr_assert_not_null(p, "size %zu", n);
		cr_assert_eq((uintptr_t)p % 16, 0, "size %zu at %p", n, p);
	}
	/* also in a fresh chunk after a large allocation */
	cr_assert_not_null(arena_alloc(&A, 100000));
	cr_assert_eq((uintptr_t)arena_alloc(&A, 3) % 16, 0);
}

Test(arena, zeroed_even_when_reused)
{
	unsigned char *p = arena_alloc(&A, 4096);
	cr_assert_not_null(p);
	for (size_t i = 0; i < 4096; i++)
		cr_assert_eq(p[i], 0, "byte %zu", i);
	memset(p, 0xab, 4096);
	arena_reset(&A);
	unsigned char *q = arena_alloc(&A, 4096);
	cr_assert_eq(q, p, "reset did not reuse the first chunk");
	for (size_t i = 0; i < 4096; i++)
		cr_assert_eq(q[i], 0, "stale byte %zu after reset", i);
}

Test(arena, allocations_do_not_overlap_across_chunks)
{
	enum { N = 2000, SZ = 1000 };    /* 2 MB: many 64 KB chunks */
	static unsigned char *ptr[N];
	for (size_t i = 0; i < N; i++) {
		ptr[i] = arena_alloc(&A, SZ);
		cr_assert_not_null(ptr[i], "allocation %zu", i);
		memset(ptr[i], (int)(i & 0xff), SZ);
	}
	for (size_t i = 0; i < N; i++)
		for (size_t k = 0; k < SZ; k++)
			cr_assert_eq(ptr[i][k], (unsigned char)(i & 0xff), "allocation %zu byte %zu", i, k);
	cr_assert_geq(A.used_total, (size_t)N * SZ);
}

Test(arena, large_allocation_beyond_chunk_size)
{
	size_t big = 3u * 1024u * 1024u;
	unsigned char *p = arena_alloc(&A, big);
	cr_assert_not_null(p);
	p[0] = 1;
	p[big - 1] = 2;
	unsigned char *q = arena_alloc(&A, 16);
	cr_assert_not_null(q);
	cr_assert(q + 16 <= p || q >= p + big, "overlap");
}

Test(arena, reset_reuses_and_clears_accounting)
{
	void *first = arena_alloc(&A, 10);
	for (int i = 0; i < 100; i++)
		cr_assert_not_null(arena_alloc(&A, 10000));     /* spills into more chunks */
	cr_assert_gt(A.used_total, 1000000);
	arena_reset(&A);
	cr_assert_eq(A.used_total, 0);
	cr_assert_eq(arena_alloc(&A, 10), first);
	/* reset repeatedly: the same memory comes back each time */
	for (int i = 0; i < 10; i++) {
		arena_reset(&A);
		cr_assert_eq(arena_alloc(&A, 32), first);
	}
}

Test(arena, reset_and_free_on_empty_arena)
{
	struct arena a;
	arena_init(&a, 1024);
	arena_reset(&a);
	arena_free(&a);
	cr_assert_null(a.head);
	/* usable again after free */
	arena_init(&a, 1024);
	cr_assert_not_null(arena_alloc(&a, 8));
	arena_free(&a);
}

Test(arena, limit_refuses_at_the_limit)
{
	struct arena a;
	arena_init(&a, 4096);
	cr_assert_not_null(arena_alloc(&a, 4000));
	cr_assert_null(arena_alloc(&a, 100), "4000+112 > 4096 accepted");
	cr_assert_not_null(arena_alloc(&a, 96), "exactly up to the limit refused");
	cr_assert_eq(a.used_total, 4096);
	cr_assert_null(arena_alloc(&a, 1));
	arena_reset(&a);
	cr_assert_not_null(arena_alloc(&a, 4096), "limit not restored by reset");
	cr_assert_null(arena_alloc(&a, 1));
	arena_free(&a);
}

Test(arena, limit_refuses_single_oversized_and_overflowing)
{
	struct arena a;
	arena_init(&a, 4096);
	cr_assert_null(arena_alloc(&a, 4097));
	cr_assert_null(arena_alloc(&a, SIZE_MAX));
	cr_assert_null(arena_alloc(&a, SIZE_MAX - 8));
	cr_assert_null(arena_alloc(&a, SIZE_MAX / 2));
	cr_assert_eq(a.used_total, 0);
	cr_assert_null(arena_strndup(&a, "x", SIZE_MAX));
	cr_assert_not_null(arena_alloc(&a, 4096));
	arena_free(&a);
}

Test(arena, project_limit_bounds_a_request)
{
	/* the worker arena refuses growth past TM_MAX_ARENA_BYTES */
	size_t got = 0;
	while (arena_alloc(&A, 1024u * 1024u) != NULL) {
		got += 1024u * 1024u;
		cr_assert_leq(got, TM_MAX_ARENA_BYTES);
	}
	cr_assert_eq(got, TM_MAX_ARENA_BYTES);
	cr_assert_null(arena_alloc(&A, 16));
}

/* ---- strings ---- */

Test(arena, strndup_copies_exactly_n)
{
	char *s = arena_strndup(&A, "hello world", 5);
	cr_assert_str_eq(s, "hello");
	char *e = arena_strndup(&A, "abc", 0);
	cr_assert_str_eq(e, "");
	char *z = arena_strndup(&A, "a\0b", 3);
	cr_assert_eq(memcmp(z, "a\0b\0", 4), 0);
}

Test(arena, strdup_and_printf)
{
	cr_assert_str_eq(arena_strdup(&A, "中文"), "中文");
	cr_assert_str_eq(arena_strdup(&A, ""), "");
	cr_assert_str_eq(arena_printf(&A, "%d-%s-%05.1f", 42, "x", 3.14159), "42-x-003.1");
	cr_assert_str_eq(arena_printf(&A, "%s", ""), "");
	char big[100001];
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	char *p = arena_printf(&A, "<%s>", big);
	cr_assert_not_null(p);
	cr_assert_eq(strlen(p), 100002);
	cr_assert_eq(p[0], '<');
	cr_assert_eq(p[100001], '>');
}

Test(arena, strings_respect_limit)
{
	struct arena a;
	arena_init(&a, 64);
	cr_assert_not_null(arena_strdup(&a, "0123456789"));
	char s[80];
	memset(s, 'x', 79);
	s[79] = '\0';
	cr_assert_null(arena_strdup(&a, s));
	cr_assert_null(arena_printf(&a, "%s", s));
	arena_free(&a);
}

/* ---- sbuf ---- */

Test(sbuf, empty_is_empty_string)
{
	struct sbuf b;
	sbuf_init(&b, &A);
	cr_assert_str_eq(sbuf_cstr(&b), "");
	sbuf_put(&b, "", 0);
	sbuf_puts(&b, "");
	cr_assert_eq(b.len, 0);
	cr_assert_str_eq(sbuf_cstr(&b), "");
	cr_assert_not(b.oom);
}

Test(sbuf, append_and_grow)
{
	struct sbuf b;
	sbuf_init(&b, &A);
	sbuf_puts(&b, "ab");
	sbuf_putc(&b, 'c');
	sbuf_put(&b, "defXXX", 3);
	sbuf_printf(&b, "[%d|%s]", -5, "中");
	cr_assert_str_eq(sbuf_cstr(&b), "abcdef[-5|中]");
	cr_assert_eq(b.len, strlen("abcdef[-5|中]"));
	/* grow one byte at a time through many doublings */
	for (int i = 0; i < 200000; i++)
		sbuf_putc(&b, (char)('a' + i % 26));
	const size_t pre = strlen("abcdef[-5|中]");
	cr_assert_not(b.oom);
	cr_assert_eq(b.len, pre + 200000);
	const char *s = sbuf_cstr(&b);
	cr_assert_eq(strlen(s), b.len);
	cr_assert_eq(memcmp(s, "abcdef[-5|中]", pre), 0);
	for (int i = 0; i < 200000; i++)
		cr_assert_eq(s[pre + i], (char)('a' + i % 26), "byte %d", i);
	cr_assert_geq(b.cap, b.len + 1);
}

Test(sbuf, put_keeps_embedded_nul_in_length)
{
	struct sbuf b;
	sbuf_init(&b, &A);
	sbuf_put(&b, "a\0b", 3);
	cr_assert_eq(b.len, 3);
	cr_assert_eq(memcmp(b.p, "a\0b\0", 4), 0);
}

Test(sbuf, big_printf)
{
	struct sbuf b;
	sbuf_init(&b, &A);
	sbuf_puts(&b, "x");
	sbuf_printf(&b, "%0*d", 70000, 7);
	cr_assert_eq(b.len, 70001);
	cr_assert_eq(sbuf_cstr(&b)[70000], '7');
	cr_assert_eq(sbuf_cstr(&b)[1], '0');
}

struct html_case {
	char in[64];
	char want[160];
};

ParameterizedTestParameters(sbuf, html)
{
	static struct html_case cases[] = {
		{ "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;" },
		{ "\"q\"", "&quot;q&quot;" },
		{ "it's", "it&#39;s" },
		{ "a & b", "a &amp; b" },
		{ "&amp;", "&amp;amp;" },
		{ "`x`", "&#96;x&#96;" },
		{ "a=b", "a&#61;b" },
		{ "x onmouseover=alert(1)", "x onmouseover&#61;alert(1)" },
		{ "中文 plain", "中文 plain" },
		{ "", "" },
		{ "<<>>", "&lt;&lt;&gt;&gt;" },
		{ "&", "&amp;" },
		{ "end<", "end&lt;" },
	};
	return cr_make_param_array(struct html_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct html_case *c, sbuf, html)
{
	struct sbuf b;
	sbuf_init(&b, &A);
	sbuf_puts(&b, "[");
	sbuf_put_html(&b, c->in, strlen(c->in));
	sbuf_puts(&b, "]");
	char want[200];
	snprintf(want, sizeof(want), "[%s]", c->want);
	cr_assert_str_eq(sbuf_cstr(&b), want);
}

Test(sbuf, html_uses_length_not_nul)
{
	struct sbuf b;
	sbuf_init(&b, &A);
	sbuf_put_html(&b, "<a>&<b>", 4);
	cr_assert_str_eq(sbuf_cstr(&b), "&lt;a&gt;&amp;");
}

Test(sbuf, oom_sticks_once_limit_hit)
{
	struct arena a;
	struct sbuf b;
	arena_init(&a, 4096);
	sbuf_init(&b, &a);
	sbuf_puts(&b, "hello");
	cr_assert_str_eq(sbuf_cstr(&b), "hello");
	char chunk[1000];
	memset(chunk, 'x', sizeof(chunk));
	int i;
	for (i = 0; i < 100 && !b.oom; i++)
		sbuf_put(&b, chunk, sizeof(chunk));
	cr_assert(b.oom, "4096-byte arena never ran out");
	cr_assert_lt(i, 10);
	cr_assert_str_eq(sbuf_cstr(&b), "");
	size_t len = b.len;
	/* later writes are ignored, even small ones that would fit */
	sbuf_putc(&b, 'y');
	sbuf_puts(&b, "z");
	sbuf_printf(&b, "%d", 1);
	sbuf_put_html(&b, "<", 1);
	cr_assert(b.oom);
	cr_assert_eq(b.len, len);
	cr_assert_str_eq(sbuf_cstr(&b), "");
	/* arena accounting never went past the limit */
	cr_assert_leq(a.used_total, 4096);
	arena_free(&a);
}

Test(sbuf, oom_on_first_write)
{
	struct arena a;
	struct sbuf b;
	arena_init(&a, 128);
	sbuf_init(&b, &a);
	sbuf_puts(&b, "x");              /* initial capacity 256 > 128 */
	cr_assert(b.oom);
	cr_assert_str_eq(sbuf_cstr(&b), "");
	arena_free(&a);
}
