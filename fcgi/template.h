#ifndef TM_TEMPLATE_H
#define TM_TEMPLATE_H
#include <jansson.h>
#include <stddef.h>

#include "arena.h"

/*
 * A small Mustache subset that escapes by default and has no way not to:
 *   {{name}} {{a.b}} {{.}}        value, HTML-escaped
 *   {{#name}}..{{/name}}          section: skipped for missing/null/false/""/0/[]; repeated per
 *                                 array element; otherwise rendered once with the value on top
 *   {{^name}}..{{/name}}          inverted section
 *   {{>name}}                     another template of the same set
 *   {{! comment }}
 * There is deliberately no {{{raw}}}: no handler or view can inject markup.
 */
struct tmpl;
struct tmpl_set;

/* Compiles src; NULL with a message in err on a syntax error. Caller frees with tmpl_free. */
struct tmpl *tmpl_compile(const char *name, const char *src, size_t len, char *err, size_t errlen);
void	 tmpl_free(struct tmpl *);

struct tmpl_set *tmpl_set_new(void);
/* Takes ownership of t. Returns -1 when the set is full or the name is taken. */
int	 tmpl_set_add(struct tmpl_set *, struct tmpl *t);
/* Loads every *.html file of dir, named without the extension. NULL + err on any failure. */
struct tmpl_set *tmpl_set_load_dir(const char *dir, char *err, size_t errlen);
void	 tmpl_set_free(struct tmpl_set *);

/* Renders template `name` with `view` into out. -1 for an unknown template or too deep nesting. */
int	 tmpl_render(const struct tmpl_set *, const char *name, json_t *view, struct sbuf *out);

#endif
