#include "template.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"

enum node_kind { N_TEXT, N_VAR, N_SECTION, N_INVERTED, N_PARTIAL };

struct node {
	enum node_kind kind;
	const char *s;      /* text, or the tag's name */
	size_t len;
	size_t end;         /* sections: index of the first node after the section */
};

struct tmpl {
	char *name;
	char *src;          /* owned copy; nodes point into it */
	struct node *nodes;
	size_t n;
};

struct tmpl_set {
	struct tmpl *t[TM_MAX_TEMPLATES];
	size_t n;
};

static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

static int
valid_name(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	if (n == 1 && s[0] == '.')
		return 1;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '_' || c == '-' || (c == '.' && i > 0 && i + 1 < n && s[i + 1] != '.')))
			return 0;
	}
	return 1;
}

struct tmpl *
tmpl_compile(const char *name, const char *src, size_t len, char *err, size_t errlen)
{
	struct tmpl *t = calloc(1, sizeof(*t));
	size_t open[TM_MAX_TEMPLATE_DEPTH], depth = 0, cap = 16, i = 0;

	if (t == NULL || (t->name = strdup(name)) == NULL || (t->src = malloc(len + 1)) == NULL ||
	    (t->nodes = malloc(cap * sizeof(struct node))) == NULL) {
		snprintf(err, errlen, "%s: out of memory", name);
		tmpl_free(t);
		return NULL;
	}
	memcpy(t->src, src, len);
	t->src[len] = '\0';
	src = t->src;

	while (i < len) {
		const char *o = memmem(src + i, len - i, "{{", 2);
		size_t tstart = o ? (size_t)(o - src) : len;
		struct node nd = { N_TEXT, src + i, tstart - i, 0 };
		size_t next = tstart;

		if (tstart == i) {
			const char *c = memmem(src + i + 2, len - i - 2, "}}", 2);
			if (c == NULL) {
				snprintf(err, errlen, "%s: unclosed tag at byte %zu", name, i);
				goto fail;
			}
			const char *tag = src + i + 2;
			size_t tl = (size_t)(c - tag);
			next = (size_t)(c - src) + 2;
			char sigil = tl ? tag[0] : 0;
			if (sigil == '!') {
				i = next;
				continue;
			}
			if (sigil == '#' || sigil == '^' || sigil == '/' || sigil == '>') {
				tag++;
				tl--;
			}
			trim(&tag, &tl);
			if (sigil == '{' || sigil == '&' || !valid_name(tag, tl)) {
				snprintf(err, errlen, "%s: bad tag '%.*s' at byte %zu", name,
				    (int)(tl < 40 ? tl : 40), tag, i);
				goto fail;
			}
			nd.s = tag;
			nd.len = tl;
			if (sigil == '/') {
				if (depth == 0) {
					snprintf(err, errlen, "%s: stray {{/%.*s}}", name, (int)tl, tag);
					goto fail;
				}
				struct node *op = &t->nodes[open[--depth]];
				if (op->len != tl || memcmp(op->s, tag, tl) != 0) {
					snprintf(err, errlen, "%s: {{/%.*s}} closes {{#%.*s}}", name,
					    (int)tl, tag, (int)op->len, op->s);
					goto fail;
				}
				op->end = t->n;
				i = next;
				continue;
			}
			nd.kind = sigil == '#' ? N_SECTION : sigil == '^' ? N_INVERTED :
			    sigil == '>' ? N_PARTIAL : N_VAR;
		}
		if (nd.kind == N_TEXT && nd.len == 0) {
			i = next;
			continue;
		}
		if (t->n == cap) {
			struct node *nn = realloc(t->nodes, 2 * cap * sizeof(struct node));
			if (nn == NULL) {
				snprintf(err, errlen, "%s: out of memory", name);
				goto fail;
			}
			t->nodes = nn;
			cap *= 2;
		}
		if (nd.kind == N_SECTION || nd.kind == N_INVERTED) {
			if (depth == TM_MAX_TEMPLATE_DEPTH) {
				snprintf(err, errlen, "%s: sections nested too deep", name);
				goto fail;
			}
			open[depth++] = t->n;
		}
		t->nodes[t->n++] = nd;
		i = next;
	}
	if (depth > 0) {
		struct node *op = &t->nodes[open[depth - 1]];
		snprintf(err, errlen, "%s: {{#%.*s}} is never closed", name, (int)op->len, op->s);
		goto fail;
	}
	return t;
fail:
	tmpl_free(t);
	return NULL;
}

void
tmpl_free(struct tmpl *t)
{
	if (t == NULL)
		return;
	free(t->name);
	free(t->src);
	free(t->nodes);
	free(t);
}

struct tmpl_set *
tmpl_set_new(void)
{
	return calloc(1, sizeof(struct tmpl_set));
}

static const struct tmpl *
set_find(const struct tmpl_set *set, const char *name, size_t n)
{
	for (size_t i = 0; i < set->n; i++)
		if (strlen(set->t[i]->name) == n && memcmp(set->t[i]->name, name, n) == 0)
			return set->t[i];
	return NULL;
}

int
tmpl_set_add(struct tmpl_set *set, struct tmpl *t)
{
	if (set->n == TM_MAX_TEMPLATES || set_find(set, t->name, strlen(t->name)) != NULL)
		return -1;
	set->t[set->n++] = t;
	return 0;
}

void
tmpl_set_free(struct tmpl_set *set)
{
	if (set == NULL)
		return;
	for (size_t i = 0; i < set->n; i++)
		tmpl_free(set->t[i]);
	free(set);
}

static char *
slurp(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	buf = malloc(TM_MAX_TEMPLATE_BYTES + 1);
	if (buf != NULL) {
		*len = fread(buf, 1, TM_MAX_TEMPLATE_BYTES + 1, f);
		if (ferror(f) || *len > TM_MAX_TEMPLATE_BYTES) {
			snprintf(err, errlen, "%s: unreadable or larger than %u bytes", path,
			    TM_MAX_TEMPLATE_BYTES);
			free(buf);
			buf = NULL;
		}
	} else
		snprintf(err, errlen, "%s: out of memory", path);
	fclose(f);
	return buf;
}

struct tmpl_set *
tmpl_set_load_dir(const char *dir, char *err, size_t errlen)
{
	struct tmpl_set *set = tmpl_set_new();
	DIR *d = opendir(dir);
	struct dirent *de;

	if (set == NULL || d == NULL) {
		snprintf(err, errlen, "%s: %s", dir, d ? "out of memory" : strerror(errno));
		if (d)
			closedir(d);
		tmpl_set_free(set);
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		size_t nl = strlen(de->d_name);
		char path[4096], name[256];
		if (nl <= 5 || nl >= sizeof(name) || strcmp(de->d_name + nl - 5, ".html") != 0 ||
		    de->d_name[0] == '.')
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(nl - 5), de->d_name);
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= sizeof(path)) {
			snprintf(err, errlen, "%s: path too long", dir);
			goto fail;
		}
		size_t len;
		char *src = slurp(path, &len, err, errlen);
		if (src == NULL)
			goto fail;
		struct tmpl *t = tmpl_compile(name, src, len, err, errlen);
		free(src);
		if (t == NULL)
			goto fail;
		if (tmpl_set_add(set, t) < 0) {
			snprintf(err, errlen, "%s: too many templates (max %u)", dir, TM_MAX_TEMPLATES);
			tmpl_free(t);
			goto fail;
		}
	}
	closedir(d);
	return set;
fail:
	closedir(d);
	tmpl_set_free(set);
	return NULL;
}

struct ctx {
	json_t *stack[TM_MAX_TEMPLATE_DEPTH * 2 + 2];
	size_t depth;
	size_t partials;
	const struct tmpl_set *set;
	struct sbuf *out;
};

/* Resolves a (dotted) name against the context stack, innermost first, as Mustache does. */
static json_t *
lookup(const struct ctx *c, const char *s, size_t n)
{
	if (n == 1 && s[0] == '.')
		return c->stack[c->depth - 1];
	const char *dot = memchr(s, '.', n);
	size_t first = dot ? (size_t)(dot - s) : n;
	char key[128];
	json_t *v = NULL;

	if (first >= sizeof(key))
		return NULL;
	memcpy(key, s, first);
	key[first] = '\0';
	for (size_t i = c->depth; i > 0 && v == NULL; i--)
		if (json_is_object(c->stack[i - 1]))
			v = json_object_get(c->stack[i - 1], key);
	while (v != NULL && dot != NULL) {
		const char *p = dot + 1;
		dot = memchr(p, '.', n - (size_t)(p - s));
		size_t l = dot ? (size_t)(dot - p) : n - (size_t)(p - s);
		if (l >= sizeof(key) || !json_is_object(v))
			return NULL;
		memcpy(key, p, l);
		key[l] = '\0';
		v = json_object_get(v, key);
	}
	return v;
}

static int
truthy(json_t *v)
{
	switch (v ? json_typeof(v) : JSON_NULL) {
	case JSON_NULL: case JSON_FALSE: return 0;
	case JSON_STRING: return json_string_length(v) > 0;
	case JSON_INTEGER: return json_integer_value(v) != 0;
	case JSON_REAL: return json_real_value(v) != 0.0;
	case JSON_ARRAY: return json_array_size(v) > 0;
	default: return 1;
	}
}

static void
put_value(struct sbuf *out, json_t *v)
{
	char num[64];
	switch (v ? json_typeof(v) : JSON_NULL) {
	case JSON_STRING:
		sbuf_put_html(out, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		sbuf_puts(out, num);
		break;
	case JSON_REAL:
		snprintf(num, sizeof(num), "%g", json_real_value(v));
		sbuf_puts(out, num);
		break;
	case JSON_TRUE:
		sbuf_puts(out, "true");
		break;
	default:
		break;
	}
}

static int render_nodes(struct ctx *, const struct tmpl *, size_t from, size_t to);

static int
push_render(struct ctx *c, const struct tmpl *t, json_t *v, size_t from, size_t to)
{
	if (c->depth == sizeof(c->stack) / sizeof(c->stack[0]))
		return -1;
	c->stack[c->depth++] = v;
	int rc = render_nodes(c, t, from, to);
	c->depth--;
	return rc;
}

static int
render_nodes(struct ctx *c, const struct tmpl *t, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		const struct node *nd = &t->nodes[i];
		json_t *v;
		switch (nd->kind) {
		case N_TEXT:
			sbuf_put(c->out, nd->s, nd->len);
			break;
		case N_VAR:
			put_value(c->out, lookup(c, nd->s, nd->len));
			break;
		case N_SECTION:
			v = lookup(c, nd->s, nd->len);
			if (truthy(v)) {
				if (json_is_array(v)) {
					size_t k;
					json_t *e;
					json_array_foreach(v, k, e)
						if (push_render(c, t, e, i + 1, nd->end) < 0)
							return -1;
				} else if (push_render(c, t, v, i + 1, nd->end) < 0)
					return -1;
			}
			i = nd->end - 1;
			break;
		case N_INVERTED:
			if (!truthy(lookup(c, nd->s, nd->len)) && render_nodes(c, t, i + 1, nd->end) < 0)
				return -1;
			i = nd->end - 1;
			break;
		case N_PARTIAL: {
			const struct tmpl *p = set_find(c->set, nd->s, nd->len);
			if (p == NULL || ++c->partials > TM_MAX_TEMPLATE_DEPTH)
				return -1;
			int rc = render_nodes(c, p, 0, p->n);
			c->partials--;
			if (rc < 0)
				return -1;
			break;
		}
		}
	}
	return 0;
}

int
tmpl_render(const struct tmpl_set *set, const char *name, json_t *view, struct sbuf *out)
{
	const struct tmpl *t = set_find(set, name, strlen(name));
	struct ctx c = { .depth = 1, .set = set, .out = out };
	if (t == NULL)
		return -1;
	c.stack[0] = view;
	return render_nodes(&c, t, 0, t->n);
}
