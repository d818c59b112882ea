#include "arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_MIN (64u * 1024u)

struct arena_chunk {
	struct arena_chunk *prev;
	size_t size, used;
	_Alignas(16) unsigned char data[];
};

void
arena_init(struct arena *a, size_t limit)
{
	a->head = NULL;
	a->used_total = 0;
	a->limit = limit;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_chunk *c = a->head;
	size_t need = (n + 15u) & ~(size_t)15u;

	if (need < n || need > a->limit || a->used_total + need > a->limit)
		return NULL;
	if (c == NULL || c->size - c->used < need) {
		size_t sz = need > CHUNK_MIN ? need : CHUNK_MIN;
		struct arena_chunk *nc = malloc(sizeof(*nc) + sz);
		if (nc == NULL)
			return NULL;
		nc->prev = c;
		nc->size = sz;
		nc->used = 0;
		a->head = c = nc;
	}
	void *p = c->data + c->used;
	c->used += need;
	a->used_total += need;
	memset(p, 0, n);
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	if (n == SIZE_MAX)
		return NULL;
	char *p = arena_alloc(a, n + 1);
	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	char *p = arena_alloc(a, (size_t)n + 1);
	if (p == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void
arena_reset(struct arena *a)
{
	struct arena_chunk *c = a->head;
	/* Keep only the oldest chunk: a request that needed more was the exception. */
	while (c != NULL && c->prev != NULL) {
		struct arena_chunk *p = c->prev;
		free(c);
		c = p;
	}
	if (c != NULL)
		c->used = 0;
	a->head = c;
	a->used_total = 0;
}

void
arena_free(struct arena *a)
{
	arena_reset(a);
	free(a->head);
	a->head = NULL;
}

void
sbuf_init(struct sbuf *b, struct arena *a)
{
	b->a = a;
	b->p = NULL;
	b->len = b->cap = 0;
	b->oom = false;
}

static bool
sbuf_grow(struct sbuf *b, size_t extra)
{
	if (b->oom)
		return false;
	if (b->len + extra + 1 <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + extra + 1) {
		if (cap > SIZE_MAX / 2) {
			b->oom = true;
			return false;
		}
		cap *= 2;
	}
	char *np = arena_alloc(b->a, cap);
	if (np == NULL) {
		b->oom = true;
		return false;
	}
	if (b->len)
		memcpy(np, b->p, b->len);
	b->p = np;
	b->cap = cap;
	return true;
}

void
sbuf_put(struct sbuf *b, const char *s, size_t n)
{
	if (n == 0 || !sbuf_grow(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
sbuf_puts(struct sbuf *b, const char *s)
{
	sbuf_put(b, s, strlen(s));
}

void
sbuf_putc(struct sbuf *b, char c)
{
	sbuf_put(b, &c, 1);
}

void
sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0 || !sbuf_grow(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
sbuf_put_html(struct sbuf *b, const char *s, size_t n)
{
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		const char *rep;
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		case '`': rep = "&#96;"; break;
		case '=': rep = "&#61;"; break;
		default: continue;
		}
		sbuf_put(b, s + run, i - run);
		sbuf_puts(b, rep);
		run = i + 1;
	}
	sbuf_put(b, s + run, n - run);
}

const char *
sbuf_cstr(struct sbuf *b)
{
	if (b->oom || b->p == NULL)
		return "";
	return b->p;
}
