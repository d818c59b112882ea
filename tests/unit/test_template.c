/* fcgi/template: the escaping Mustache subset. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fcgi/limits.h"
#include "fcgi/template.h"

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

TestSuite(template, .init = setup, .fini = teardown);

static json_t *
view_of(const char *json)
{
	json_error_t e;
	json_t *v = json_loads(json, 0, &e);
	cr_assert_not_null(v, "bad test view %s: %s", json, e.text);
	return v;
}

/* Adds a compiled template to set; fails the test on a compile error. */
static void
add(struct tmpl_set *set, const char *name, const char *src)
{
	char err[256] = "";
	struct tmpl *t = tmpl_compile(name, src, strlen(src), err, sizeof(err));
	cr_assert_not_null(t, "%s: %s", name, err);
	cr_assert_eq(tmpl_set_add(set, t), 0, "%s", name);
}

/* Renders src (as template "t") with view; *rc receives tmpl_render's result. */
static const char *
render_rc(const char *src, const char *view, int *rc)
{
	struct tmpl_set *set = tmpl_set_new();
	struct sbuf out;
	json_t *v = view_of(view);
	add(set, "t", src);
	sbuf_init(&out, &A);
	*rc = tmpl_render(set, "t", v, &out);
	json_decref(v);
	tmpl_set_free(set);
	cr_assert_not(out.oom);
	return sbuf_cstr(&out);
}

static const char *
render(const char *src, const char *view)
{
	int rc;
	const char *s = render_rc(src, view, &rc);
	cr_assert_eq(rc, 0, "render of '%s' failed", src);
	return s;
}

/* ---- rendering: template, view, expected output ---- */

struct render_case {
	char src[96];
	char view[128];
	char want[128];
};

ParameterizedTestParameters(template, renders)
{
	static struct render_case cases[] = {
		/* plain text and variables */
		{ "", "{}", "" },
		{ "plain <b>markup</b> stays", "{}", "plain <b>markup</b> stays" },
		{ "Hello {{name}}!", "{\"name\":\"World\"}", "Hello World!" },
		{ "Hello {{ name }}!", "{\"name\":\"World\"}", "Hello World!" },
		{ "[{{missing}}]", "{}", "[]" },
		{ "{{n}}/{{z}}/{{neg}}", "{\"n\":42,\"z\":0,\"neg\":-3}", "42/0/-3" },
		{ "{{r}}", "{\"r\":1.5}", "1.5" },
		{ "[{{t}}|{{f}}|{{nul}}]", "{\"t\":true,\"f\":false,\"nul\":null}", "[true||]" },
		{ "[{{o}}|{{a}}]", "{\"o\":{\"x\":1},\"a\":[1]}", "[|]" },
		{ "{{a}}{{a}}", "{\"a\":\"x\"}", "xx" },
		{ "{ {a} } {a}}", "{\"a\":\"x\"}", "{ {a} } {a}}" },
		{ "中文{{name}}中文", "{\"name\":\"张三\"}", "中文张三中文" },
		/* dotted names */
		{ "{{a.b.c}}", "{\"a\":{\"b\":{\"c\":\"deep\"}}}", "deep" },
		{ "[{{a.x.c}}]", "{\"a\":{\"b\":{\"c\":\"deep\"}}}", "[]" },
		{ "[{{a.b}}]", "{\"a\":\"str\"}", "[]" },
		{ "[{{a.b}}]", "{\"a\":[{\"b\":1}]}", "[]" },
		{ "{{user.name}}", "{\"user\":{\"name\":\"<x>\"}}", "&lt;x&gt;" },
		/* sections over arrays */
		{ "{{#items}}<{{name}}>{{/items}}", "{\"items\":[{\"name\":\"a\"},{\"name\":\"b\"}]}",
		  "<a><b>" },
		{ "{{#list}}{{.}},{{/list}}", "{\"list\":[1,2,3]}", "1,2,3," },
		{ "{{#list}}{{.}}{{/list}}", "{\"list\":[\"<\",\"&\"]}", "&lt;&amp;" },
		{ "[{{#list}}x{{/list}}]", "{\"list\":[]}", "[]" },
		{ "{{#rows}}{{#cells}}{{.}}{{/cells}};{{/rows}}",
		  "{\"rows\":[{\"cells\":[1,2]},{\"cells\":[3]}]}", "12;3;" },
		/* outer names stay visible inside a section */
		{ "{{#items}}{{title}}:{{name}} {{/items}}",
		  "{\"title\":\"T\",\"items\":[{\"name\":\"a\"},{\"name\":\"b\",\"title\":\"U\"}]}",
		  "T:a U:b " },
		/* sections over objects, booleans, scalars */
		{ "{{#user}}{{name}}{{/user}}", "{\"user\":{\"name\":\"zs\"}}", "zs" },
		{ "[{{#user}}x{{/user}}]", "{\"user\":{}}", "[x]" },
		{ "[{{#t}}yes{{/t}}]", "{\"t\":true}", "[yes]" },
		{ "[{{#f}}yes{{/f}}]", "{\"f\":false}", "[]" },
		{ "[{{#m}}yes{{/m}}]", "{}", "[]" },
		{ "[{{#n}}yes{{/n}}]", "{\"n\":null}", "[]" },
		{ "[{{#s}}yes{{/s}}]", "{\"s\":\"\"}", "[]" },
		{ "[{{#s}}{{.}}{{/s}}]", "{\"s\":\"v\"}", "[v]" },
		{ "[{{#z}}yes{{/z}}]", "{\"z\":0}", "[]" },
		{ "[{{#z}}yes{{/z}}]", "{\"z\":0.0}", "[]" },
		{ "[{{#z}}{{.}}{{/z}}]", "{\"z\":7}", "[7]" },
		{ "[{{#a.b}}x{{/a.b}}]", "{\"a\":{\"b\":true}}", "[x]" },
		/* inverted sections */
		{ "[{{^items}}none{{/items}}]", "{\"items\":[]}", "[none]" },
		{ "[{{^items}}none{{/items}}]", "{\"items\":[1]}", "[]" },
		{ "[{{^m}}none{{/m}}]", "{}", "[none]" },
		{ "[{{^f}}no{{/f}}]", "{\"f\":false}", "[no]" },
		{ "[{{^t}}no{{/t}}]", "{\"t\":true}", "[]" },
		{ "[{{^s}}no{{/s}}]", "{\"s\":\"\"}", "[no]" },
		{ "[{{^z}}no{{/z}}]", "{\"z\":0}", "[no]" },
		{ "{{#e}}err:{{e}}{{/e}}{{^e}}ok{{/e}}", "{\"e\":\"bad\"}", "err:bad" },
		{ "{{#e}}err:{{e}}{{/e}}{{^e}}ok{{/e}}", "{}", "ok" },
		/* comments */
		{ "a{{! a comment }}b", "{}", "ab" },
		{ "a{{!}}b", "{}", "ab" },
		{ "a{{! {{x}} }}b", "{\"x\":1}", "a }}b" },
		{ "a{{!x}}{{v}}", "{\"v\":1}", "a1" },
	};
	return cr_make_param_array(struct render_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct render_case *c, template, renders)
{
	cr_assert_str_eq(render(c->src, c->view), c->want, "'%s' with %s", c->src, c->view);
}

/* ---- escaping ---- */

Test(template, escapes_values)
{
	cr_assert_str_eq(render("<p>{{v}}</p>", "{\"v\":\"<script>alert(\\\"x\\\")</script>\"}"),
	    "<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>");
	cr_assert_str_eq(render("<a title=\"{{v}}\">", "{\"v\":\"\\\" onmouseover=\\\"x\"}"),
	    "<a title=\"&quot; onmouseover&#61;&quot;x\">");
	cr_assert_str_eq(render("<a title='{{v}}'>", "{\"v\":\"' x='y\"}"),
	    "<a title='&#39; x&#61;&#39;y'>");
	cr_assert_str_eq(render("{{v}}", "{\"v\":\"Tom & Jerry &amp;\"}"),
	    "Tom &amp; Jerry &amp;amp;");
	cr_assert_str_eq(render("{{v}}", "{\"v\":\"`x`\"}"), "&#96;x&#96;");
}

Test(template, values_are_not_template_source)
{
	cr_assert_str_eq(render("{{v}}", "{\"v\":\"{{w}}\",\"w\":\"BAD\"}"), "{{w}}");
	cr_assert_str_eq(render("{{v}}", "{\"v\":\"{{>t}}\"}"), "{{&gt;t}}");
}

Test(template, nested_view_keys_escape_too)
{
	cr_assert_str_eq(render("{{#l}}{{n}}{{/l}}", "{\"l\":[{\"n\":\"<i>\"}]}"), "&lt;i&gt;");
}

/* ---- partials ---- */

Test(template, partials)
{
	struct tmpl_set *set = tmpl_set_new();
	add(set, "page", "<h>{{>header}}</h>{{#items}}{{>item}}{{/items}}{{>footer}}");
	add(set, "header", "{{title}}");
	add(set, "item", "<li>{{name}}</li>");
	add(set, "footer", "<f>{{title}}</f>");
	json_t *v = view_of("{\"title\":\"T&\",\"items\":[{\"name\":\"a\"},{\"name\":\"b\"}]}");
	struct sbuf out;
	sbuf_init(&out, &A);
	cr_assert_eq(tmpl_render(set, "page", v, &out), 0);
	cr_assert_str_eq(sbuf_cstr(&out), "<h>T&amp;</h><li>a</li><li>b</li><f>T&amp;</f>");
	/* render a partial on its own */
	sbuf_init(&out, &A);
	cr_assert_eq(tmpl_render(set, "header", v, &out), 0);
	cr_assert_str_eq(sbuf_cstr(&out), "T&amp;");
	json_decref(v);
	tmpl_set_free(set);
}

Test(template, unknown_partial_fails)
{
	struct tmpl_set *set = tmpl_set_new();
	add(set, "page", "a{{>nope}}b");
	json_t *v = view_of("{}");
	struct sbuf out;
	sbuf_init(&out, &A);
	cr_assert_eq(tmpl_render(set, "page", v, &out), -1);
	json_decref(v);
	tmpl_set_free(set);
}

Test(template, unknown_partial_in_skipped_section_is_not_rendered)
{
	struct tmpl_set *set = tmpl_set_new();
	add(set, "page", "a{{#no}}{{>nope}}{{/no}}b");
	json_t *v = view_of("{}");
	struct sbuf out;
	sbuf_init(&out, &A);
	cr_assert_eq(tmpl_render(set, "page", v, &out), 0);
	cr_assert_str_eq(sbuf_cstr(&out), "ab");
	json_decref(v);
	tmpl_set_free(set);
}

Test(template, recursive_partials_are_bounded)
{
	struct tmpl_set *set = tmpl_set_new();
	add(set, "self", "x{{>self}}");
	add(set, "ping", "{{>pong}}");
	add(set, "pong", "{{>ping}}");
	json_t *v = view_of("{}");
	struct sbuf out;
	sbuf_init(&out, &A);
	cr_assert_eq(tmpl_render(set, "self", v, &out), -1);
	sbuf_init(&out, &A);
	cr_assert_eq(tmpl_render(set, "ping", v, &out), -1);
	json_decref(v);
	tmpl_set_free(set);
}

Test(template, partial_depth_limit)
{
	/* a chain of TM_MAX_TEMPLATE_DEPTH partials renders; one more fails */
	struct tmpl_set *set = tmpl_set_new();
	char name[16], src[32];
	for (unsigned i = 0; i <= TM_MAX_TEMPLATE_DEPTH + 1; i++) {
		snprintf(name, sizeof(name), "p%u", i);
		snprintf(src, sizeof(src), "%u{{>p%u}}", i, i + 1);
		add(set, name, src);
	}
	snprintf(name, sizeof(name), "p%u", TM_MAX_TEMPLATE_DEPTH + 2);
	add(set, name, "end");
	json_t *v = view_of("{}");
	struct sbuf out;
	/* p2 -> ... -> p17 -> p18 ("end"): 16 partials deep */
	sbuf_init(&out, &A);
	cr_assert_eq(tmpl_render(set, "p2", v, &out), 0);
	cr_assert_str_eq(sbuf_cstr(&out), "234567891011121314151617end");
	sbuf_init(&out, &A);
	cr_assert_eq(tmpl_render(set, "p1", v, &out), -1);
	json_decref(v);
	tmpl_set_free(set);
}

Test(template, unknown_template_fails)
{
	struct tmpl_set *set = tmpl_set_new();
	add(set, "a", "x");
	json_t *v = view_of("{}");
	struct sbuf out;
	sbuf_init(&out, &A);
	cr_assert_eq(tmpl_render(set, "b", v, &out), -1);
	cr_assert_eq(tmpl_render(set, "", v, &out), -1);
	cr_assert_eq(tmpl_render(set, "ab", v, &out), -1);
	json_decref(v);
	tmpl_set_free(set);
}

/* ---- sets ---- */

Test(template, set_refuses_duplicates_and_overflow)
{
	struct tmpl_set *set = tmpl_set_new();
	char err[128];
	add(set, "a", "1");
	struct tmpl *dup = tmpl_compile("a", "2", 1, err, sizeof(err));
	cr_assert_not_null(dup);
	cr_assert_eq(tmpl_set_add(set, dup), -1);
	tmpl_free(dup);
	for (unsigned i = 1; i < TM_MAX_TEMPLATES; i++) {
		char name[16];
		snprintf(name, sizeof(name), "t%u", i);
		add(set, name, "x");
	}
	struct tmpl *extra = tmpl_compile("extra", "x", 1, err, sizeof(err));
	cr_assert_eq(tmpl_set_add(set, extra), -1, "set took more than TM_MAX_TEMPLATES");
	tmpl_free(extra);
	/* the first one is still the original */
	json_t *v = view_of("{}");
	struct sbuf out;
	sbuf_init(&out, &A);
	cr_assert_eq(tmpl_render(set, "a", v, &out), 0);
	cr_assert_str_eq(sbuf_cstr(&out), "1");
	json_decref(v);
	tmpl_set_free(set);
}

/* ---- compile errors ---- */

struct bad_case {
	char src[600];
	char what[32];
};

ParameterizedTestParameters(template, compile_errors)
{
	static struct bad_case cases[] = {
		{ "{{name", "unclosed tag" },
		{ "abc {{name}", "unclosed tag 2" },
		{ "{{", "lone open" },
		{ "{{#a}}x", "unclosed section" },
		{ "{{^a}}x", "unclosed inverted" },
		{ "{{#a}}{{#b}}{{/b}}", "unclosed outer" },
		{ "{{#a}}x{{/b}}", "mismatched close" },
		{ "{{#a}}{{#b}}{{/a}}{{/b}}", "crossed sections" },
		{ "{{/a}}", "stray close" },
		{ "x{{#a}}{{/a}}{{/a}}", "extra close" },
		{ "{{{raw}}}", "triple mustache" },
		{ "{{&raw}}", "ampersand" },
		{ "{{& raw}}", "ampersand space" },
		{ "{{}}", "empty tag" },
		{ "{{ }}", "blank tag" },
		{ "{{#}}{{/}}", "empty section name" },
		{ "{{a b}}", "space in name" },
		{ "{{a..b}}", "double dot" },
		{ "{{.a}}", "leading dot" },
		{ "{{a.}}", "trailing dot" },
		{ "{{..}}", "dot dot" },
		{ "{{a<b}}", "bad char" },
		{ "{{=<% %>=}}", "set delimiters" },
		{ "{{>}}", "empty partial" },
		{ "{{> a b}}", "partial with space" },
		{ "{{#a}}{{#a}}{{#a}}{{#a}}{{#a}}{{#a}}{{#a}}{{#a}}{{#a}}{{#a}}{{#a}}{{#a}}"
		  "{{#a}}{{#a}}{{#a}}{{#a}}{{#a}}"
		  "{{/a}}{{/a}}{{/a}}{{/a}}{{/a}}{{/a}}{{/a}}{{/a}}{{/a}}{{/a}}{{/a}}{{/a}}"
		  "{{/a}}{{/a}}{{/a}}{{/a}}{{/a}}", "17 nested sections" },
	};
	return cr_make_param_array(struct bad_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct bad_case *c, template, compile_errors)
{
	char err[256] = "";
	struct tmpl *t = tmpl_compile("bad", c->src, strlen(c->src), err, sizeof(err));
	if (t != NULL)
		tmpl_free(t);
	cr_assert_null(t, "%s compiled: %s", c->what, c->src);
	cr_assert_gt(strlen(err), 0, "%s: no message", c->what);
	cr_assert_not_null(strstr(err, "bad"), "%s: message lacks the template name: %s", c->what,
	    err);
}

static char *
nested_sections(unsigned depth)
{
	char *s = malloc(depth * 24 + 8);
	size_t w = 0;
	for (unsigned i = 0; i < depth; i++)
		w += (size_t)sprintf(s + w, "{{#s%u}}", i);
	s[w++] = 'x';
	for (unsigned i = depth; i > 0; i--)
		w += (size_t)sprintf(s + w, "{{/s%u}}", i - 1);
	s[w] = '\0';
	return s;
}

Test(template, nesting_limit)
{
	char err[256];
	char *s = nested_sections(TM_MAX_TEMPLATE_DEPTH);
	struct tmpl *t = tmpl_compile("deep", s, strlen(s), err, sizeof(err));
	cr_assert_not_null(t, "%u levels refused: %s", TM_MAX_TEMPLATE_DEPTH, err);
	/* and it renders when every level is true */
	struct tmpl_set *set = tmpl_set_new();
	cr_assert_eq(tmpl_set_add(set, t), 0);
	json_t *v = json_object();
	for (unsigned i = 0; i < TM_MAX_TEMPLATE_DEPTH; i++) {
		char k[8];
		snprintf(k, sizeof(k), "s%u", i);
		json_object_set_new(v, k, json_true());
	}
	struct sbuf out;
	sbuf_init(&out, &A);
	cr_assert_eq(tmpl_render(set, "deep", v, &out), 0);
	cr_assert_str_eq(sbuf_cstr(&out), "x");
	json_decref(v);
	tmpl_set_free(set);
	free(s);
	s = nested_sections(TM_MAX_TEMPLATE_DEPTH + 1);
	t = tmpl_compile("deep", s, strlen(s), err, sizeof(err));
	cr_assert_null(t, "%u levels accepted", TM_MAX_TEMPLATE_DEPTH + 1);
	free(s);
}

Test(template, sections_deep_across_partials_are_bounded)
{
	/* each partial nests 16 true sections and calls itself: rendering must stop, not crash */
	struct tmpl_set *set = tmpl_set_new();
	char *inner = nested_sections(TM_MAX_TEMPLATE_DEPTH);
	char *x = strchr(inner, 'x');
	size_t pre = (size_t)(x - inner);
	char src[1024];
	snprintf(src, sizeof(src), "%.*s{{>r}}%s", (int)pre, inner, x + 1);
	add(set, "r", src);
	free(inner);
	json_t *v = json_object();
	for (unsigned i = 0; i < TM_MAX_TEMPLATE_DEPTH; i++) {
		char k[8];
		snprintf(k, sizeof(k), "s%u", i);
		json_object_set_new(v, k, json_true());
	}
	struct sbuf out;
	sbuf_init(&out, &A);
	cr_assert_eq(tmpl_render(set, "r", v, &out), -1);
	json_decref(v);
	tmpl_set_free(set);
}

Test(template, compile_uses_length_and_copies_source)
{
	char err[128];
	char src[] = "A{{v}}B{{oops";
	struct tmpl *t = tmpl_compile("t", src, 7, err, sizeof(err));
	cr_assert_not_null(t, "%s", err);
	memset(src, '#', sizeof(src) - 1);   /* the template owns its copy */
	struct tmpl_set *set = tmpl_set_new();
	cr_assert_eq(tmpl_set_add(set, t), 0);
	json_t *v = view_of("{\"v\":\"-\"}");
	struct sbuf out;
	sbuf_init(&out, &A);
	cr_assert_eq(tmpl_render(set, "t", v, &out), 0);
	cr_assert_str_eq(sbuf_cstr(&out), "A-B");
	json_decref(v);
	tmpl_set_free(set);
}

Test(template, free_null_is_harmless)
{
	tmpl_free(NULL);
	tmpl_set_free(NULL);
	cr_assert(true);
}

/* ---- loading a directory ---- */

static char *
make_dir(void)
{
	char *d = strdup("/tmp/tmcred-tmpl-XXXXXX");
	cr_assert_not_null(mkdtemp(d));
	return d;
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

static void
remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[512];
	while (d && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' && (de->d_name[1] == '\0' ||
		    (de->d_name[1] == '.' && de->d_name[2] == '\0')))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

Test(template, load_dir)
{
	char *dir = make_dir();
	write_file(dir, "page.html", "<b>{{>part}}</b>");
	write_file(dir, "part.html", "{{x}}");
	write_file(dir, "notes.txt", "{{ignored");
	write_file(dir, ".hidden.html", "{{broken");
	write_file(dir, "page.html~", "{{broken");
	char err[256] = "";
	struct tmpl_set *set = tmpl_set_load_dir(dir, err, sizeof(err));
	cr_assert_not_null(set, "%s", err);
	json_t *v = view_of("{\"x\":\"<y>\"}");
	struct sbuf out;
	sbuf_init(&out, &A);
	cr_assert_eq(tmpl_render(set, "page", v, &out), 0);
	cr_assert_str_eq(sbuf_cstr(&out), "<b>&lt;y&gt;</b>");
	sbuf_init(&out, &A);
	cr_assert_eq(tmpl_render(set, "notes", v, &out), -1);
	cr_assert_eq(tmpl_render(set, "page.html", v, &out), -1);
	json_decref(v);
	tmpl_set_free(set);
	remove_dir(dir);
	free(dir);
}

Test(template, load_dir_failures)
{
	char err[256] = "";
	cr_assert_null(tmpl_set_load_dir("/nonexistent/tmcred-templates", err, sizeof(err)));
	cr_assert_gt(strlen(err), 0);
	char *dir = make_dir();
	write_file(dir, "good.html", "ok");
	write_file(dir, "bad.html", "{{#open}}never closed");
	err[0] = '\0';
	cr_assert_null(tmpl_set_load_dir(dir, err, sizeof(err)));
	cr_assert_not_null(strstr(err, "bad"), "error does not name the template: %s", err);
	remove_dir(dir);
	free(dir);
}

Test(template, load_dir_refuses_oversized_file)
{
	char *dir = make_dir();
	char *big = malloc(TM_MAX_TEMPLATE_BYTES + 2);
	memset(big, 'a', TM_MAX_TEMPLATE_BYTES + 1);
	big[TM_MAX_TEMPLATE_BYTES + 1] = '\0';
	write_file(dir, "big.html", big);
	char err[256] = "";
	cr_assert_null(tmpl_set_load_dir(dir, err, sizeof(err)));
	cr_assert_gt(strlen(err), 0);
	/* exactly the limit is fine */
	big[TM_MAX_TEMPLATE_BYTES] = '\0';
	write_file(dir, "big.html", big);
	struct tmpl_set *set = tmpl_set_load_dir(dir, err, sizeof(err));
	cr_assert_not_null(set, "%s", err);
	tmpl_set_free(set);
	free(big);
	remove_dir(dir);
	free(dir);
}

/* The project's own templates compile and render with an empty view. */
Test(template, real_templates)
{
	const char *top = getenv("TMCRED_SRCDIR");
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s/fcgi/templates", top && *top ? top : ".");
	DIR *d = opendir(dir);
	if (d == NULL)
		cr_skip_test("no %s", dir);
	char names[TM_MAX_TEMPLATES][256];
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL && n < TM_MAX_TEMPLATES) {
		size_t l = strlen(de->d_name);
		if (de->d_name[0] != '.' && l > 5 && l < 256 && strcmp(de->d_name + l - 5, ".html") == 0)
			snprintf(names[n++], sizeof(names[0]), "%.*s", (int)(l - 5), de->d_name);
	}
	closedir(d);
	if (n == 0)
		cr_skip_test("no templates in %s", dir);
	char err[512] = "";
	struct tmpl_set *set = tmpl_set_load_dir(dir, err, sizeof(err));
	cr_assert_not_null(set, "%s", err);
	json_t *empty = json_object();
	for (size_t i = 0; i < n; i++) {
		struct sbuf out;
		sbuf_init(&out, &A);
		cr_assert_eq(tmpl_render(set, names[i], empty, &out), 0, "%s failed to render",
		    names[i]);
		cr_assert_not(out.oom);
	}
	json_decref(empty);
	tmpl_set_free(set);
}
