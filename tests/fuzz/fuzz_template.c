/*
 * tmpl_compile + tmpl_render of the input as template "t" with a fixed view whose values are
 * all markup, and a fixed partial "p". Invariants: a refused template has a message; rendering
 * returns 0 or -1 and never emits a character that needs escaping unless the template text
 * itself contains it (values are always escaped).
 */
#include <string.h>

#include "fcgi/limits.h"
#include "fcgi/template.h"
#include "fuzz.h"

static const char VIEW[] =
    "{\"name\":\"<b>\\\"x\\\"&'y'=`z`</b>\",\"num\":3,\"real\":1.5,\"t\":true,\"f\":false,"
    "\"n\":null,\"s\":\"\",\"zero\":0,"
    "\"list\":[{\"name\":\"<i>\"},{\"name\":\"'\",\"extra\":\"\\\"\"}],"
    "\"strs\":[\"<\",\">\"],\"obj\":{\"name\":\"=\",\"deep\":{\"x\":\"`\"}},"
    "\"empty\":[],\"nested\":{\"list\":[[\"<\"],[\"&\"]]}}";

static json_t *view;

static size_t
count(const uint8_t *d, size_t n, const char *needle)
{
	size_t c = 0, l = strlen(needle);
	for (size_t i = 0; i + l <= n; i++)
		c += memcmp(d + i, needle, l) == 0;
	return c;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];

	if (view == NULL) {
		json_error_t je;
		view = json_loads(VIEW, 0, &je);
		CHECK(view != NULL);
	}
	/* Rendering work grows with nesting x array length; keep inputs small, and allow no
	 * partial but the fixed, non-recursive "p" so one input cannot take exponential time. */
	if (size > 1024 || count(data, size, "{{>") != count(data, size, "{{>p}}"))
		return 0;

	err[0] = '\0';
	struct tmpl *t = tmpl_compile("t", (const char *)data, size, err, sizeof(err));
	if (t == NULL) {
		CHECK(err[0] != '\0');
		return 0;
	}
	struct tmpl_set *set = tmpl_set_new();
	CHECK(set != NULL);
	CHECK(tmpl_set_add(set, t) == 0);
	static const char psrc[] = "[{{name}}|{{#list}}{{name}}{{/list}}]";
	struct tmpl *p = tmpl_compile("p", psrc, sizeof(psrc) - 1, err, sizeof(err));
	CHECK(p != NULL);
	CHECK(tmpl_set_add(set, p) == 0);

	struct arena a;
	struct sbuf out;
	arena_init(&a, 8u * 1024u * 1024u);
	sbuf_init(&out, &a);
	int rc = tmpl_render(set, "t", view, &out);
	CHECK(rc == 0 || rc == -1);
	if (!out.oom) {
		const char *o = sbuf_cstr(&out);
		CHECK(strlen(o) <= out.len);
		/* characters only escaping could have removed: present only if the template has them */
		static const char special[] = "<>\"'`";
		for (const char *c = special; *c; c++)
			if (memchr(data, *c, size) == NULL)
				CHECK(memchr(o, *c, out.len) == NULL);
		if (memchr(data, '=', size) == NULL)
			CHECK(memchr(o, '=', out.len) == NULL);
	}
	arena_free(&a);
	tmpl_set_free(set);
	return 0;
}
