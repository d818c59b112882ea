/*
 * The real page templates (the .html files of fcgi/templates) rendered with views built from
 * the input: for every name the templates use, the input picks absent, a string (with markup
 * characters), a number, a boolean, an array of nested views or a nested view. Invariant:
 * no byte of a view value reaches a page unescaped. The view is rendered twice, once with
 * its strings as they are and once with each markup character replaced by a private-use
 * character that the escaper leaves alone; replacing those in the second page by the
 * entities sbuf_put_html writes must give the first page exactly.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "fcgi/template.h"
#include "fuzz.h"

#ifndef FUZZ_TOP
#define FUZZ_TOP "."
#endif

static const char SPECIAL[] = "&<>\"'`=";
static const char *const ENTITY[] = { "&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&#96;", "&#61;" };

static struct tmpl_set *set;
static char *names[64], *keys[512];
static size_t nnames, nkeys;

static void
add_key(const char *s, size_t n)
{
	if (n == 0 || (n == 1 && s[0] == '.') || nkeys == 512)
		return;
	for (size_t i = 0; i < nkeys; i++)
		if (strlen(keys[i]) == n && memcmp(keys[i], s, n) == 0)
			return;
	keys[nkeys++] = strndup(s, n);
}

/* Every name in a {{tag}}, each dotted segment on its own. */
static void
scan(const char *src)
{
	for (const char *p = strstr(src, "{{"); p; p = strstr(p, "{{")) {
		p += 2;
		if (*p == '!' || *p == '>')
			continue;
		if (*p == '#' || *p == '^' || *p == '/')
			p++;
		const char *e = strstr(p, "}}");
		if (e == NULL)
			return;
		while (p < e) {
			size_t n = strcspn(p, ".}");
			if (p + n > e)
				n = (size_t)(e - p);
			add_key(p, n);
			p += n + (p[n] == '.');
		}
	}
}

static void
init(void)
{
	char err[256], dir[4096];
	snprintf(dir, sizeof(dir), "%s/fcgi/templates", FUZZ_TOP);
	set = tmpl_set_load_dir(dir, err, sizeof(err));
	CHECK(set != NULL);
	DIR *d = opendir(dir);
	CHECK(d != NULL);
	struct dirent *de;
	while ((de = readdir(d)) != NULL && nnames < 64) {
		size_t l = strlen(de->d_name);
		if (l < 6 || strcmp(de->d_name + l - 5, ".html") != 0)
			continue;
		names[nnames++] = strndup(de->d_name, l - 5);
		char path[4200];
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		FILE *f = fopen(path, "r");
		CHECK(f != NULL);
		static char src[256 * 1024];
		size_t n = fread(src, 1, sizeof(src) - 1, f);
		src[n] = '\0';
		fclose(f);
		scan(src);
	}
	closedir(d);
	CHECK(nnames > 0 && nkeys > 0);
	/* the order of readdir is not stable across machines: sort, so seeds mean the same */
	for (size_t i = 0; i < nnames; i++)
		for (size_t j = i + 1; j < nnames; j++)
			if (strcmp(names[j], names[i]) < 0) {
				char *t = names[i];
				names[i] = names[j];
				names[j] = t;
			}
}

struct in {
	const uint8_t *p;
	size_t n, i;
};

static unsigned
next(struct in *in)
{
	return in->i < in->n ? in->p[in->i++] : 0;
}

/* A string of the input's choosing, as it is (a) and with markup made private-use (b). */
static void
strings(struct in *in, json_t **a, json_t **b)
{
	static const char *const palette[] = { "<", ">", "&", "\"", "'", "`", "=", "a", " ",
		"张", "/", "script", "{{", "}}", "\n", "&lt;" };
	char sa[256], sb[512];
	size_t la = 0, lb = 0, len = next(in) % 12;
	for (size_t k = 0; k < len; k++) {
		const char *piece = palette[next(in) % 16];
		for (const char *c = piece; *c; c++) {
			const char *sp = strchr(SPECIAL, *c);
			sa[la++] = *c;
			if (sp != NULL) {
				/* U+E000 + index: EE 80 80+i */
				sb[lb++] = (char)0xee;
				sb[lb++] = (char)0x80;
				sb[lb++] = (char)(0x80 + (sp - SPECIAL));
			} else
				sb[lb++] = *c;
		}
	}
	*a = json_stringn(sa, la);
	*b = json_stringn(sb, lb);
}

static void build(struct in *, int depth, json_t *a, json_t *b);

static void
value(struct in *in, int depth, json_t **a, json_t **b)
{
	unsigned t = next(in) % 8;
	if (depth >= 3 && t >= 6)
		t = 3;
	switch (t) {
	case 0: case 1: case 2:
		*a = *b = NULL;
		return;
	case 3:
		strings(in, a, b);
		return;
	case 4: {
		int v = (int)next(in) - 128;
		*a = json_integer(v);
		*b = json_integer(v);
		return;
	}
	case 5: {
		int v = next(in) & 1;
		*a = json_boolean(v);
		*b = json_boolean(v);
		return;
	}
	case 6: {
		*a = json_array();
		*b = json_array();
		size_t len = next(in) % 3;
		for (size_t k = 0; k < len; k++) {
			json_t *ea, *eb;
			if (next(in) & 1)
				strings(in, &ea, &eb);
			else {
				ea = json_object();
				eb = json_object();
				build(in, depth + 1, ea, eb);
			}
			json_array_append_new(*a, ea);
			json_array_append_new(*b, eb);
		}
		return;
	}
	default:
		*a = json_object();
		*b = json_object();
		build(in, depth + 1, *a, *b);
		return;
	}
}

static void
build(struct in *in, int depth, json_t *a, json_t *b)
{
	/* a few names per level, chosen by the input, so depth does not multiply the work */
	size_t count = depth == 0 ? nkeys : next(in) % 6;
	for (size_t k = 0; k < count && in->i < in->n; k++) {
		const char *key = depth == 0 ? keys[k] : keys[next(in) % nkeys];
		json_t *va, *vb;
		value(in, depth, &va, &vb);
		if (va != NULL) {
			json_object_set_new(a, key, va);
			json_object_set_new(b, key, vb);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (set == NULL)
		init();
	if (size < 1)
		return 0;
	struct in in = { data + 1, size - 1, 0 };
	json_t *a = json_object(), *b = json_object();
	build(&in, 0, a, b);

	const char *name = names[data[0] % nnames];
	struct arena ar;
	struct sbuf oa, ob, fixed;
	arena_init(&ar, 16u * 1024u * 1024u);
	sbuf_init(&oa, &ar);
	sbuf_init(&ob, &ar);
	sbuf_init(&fixed, &ar);
	int ra = tmpl_render(set, name, a, &oa), rb = tmpl_render(set, name, b, &ob);
	CHECK(ra == rb);
	if (!oa.oom && !ob.oom) {
		const char *p = sbuf_cstr(&ob);
		/* copied a run at a time: byte by byte, this loop was a quarter of the run */
		for (size_t i = 0; i < ob.len;) {
			const char *m = memchr(p + i, 0xee, ob.len - i);
			size_t run = m ? (size_t)(m - (p + i)) : ob.len - i;
			sbuf_put(&fixed, p + i, run);
			i += run;
			if (i == ob.len)
				break;
			if (i + 2 < ob.len && (unsigned char)p[i + 1] == 0x80 &&
			    (unsigned char)p[i + 2] >= 0x80 && (unsigned char)p[i + 2] < 0x80 + 7) {
				sbuf_puts(&fixed, ENTITY[(unsigned char)p[i + 2] - 0x80]);
				i += 3;
			} else
				sbuf_putc(&fixed, p[i++]);
		}
		CHECK(!fixed.oom);
		CHECK(fixed.len == oa.len && memcmp(sbuf_cstr(&fixed), sbuf_cstr(&oa), oa.len) == 0);
	}
	arena_free(&ar);
	json_decref(a);
	json_decref(b);
	return 0;
}
