#ifndef TM_ARENA_H
#define TM_ARENA_H
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>

/*
 * Per-request bump allocator. Everything a request parses or renders lives here and is
 * released at once by arena_reset(); nothing allocated from it is ever freed alone.
 * Allocation fails (NULL) past TM_MAX_ARENA_BYTES, so a hostile request cannot grow a worker.
 */
struct arena_chunk;
struct arena {
	struct arena_chunk *head;   /* current chunk; older ones chained behind it */
	size_t used_total;          /* bytes handed out since the last reset */
	size_t limit;
};

void	 arena_init(struct arena *, size_t limit);
void	*arena_alloc(struct arena *, size_t);            /* 16-byte aligned, zeroed */
char	*arena_strndup(struct arena *, const char *, size_t);
char	*arena_strdup(struct arena *, const char *);
char	*arena_printf(struct arena *, const char *, ...) __attribute__((format(printf, 2, 3)));
void	 arena_reset(struct arena *);                    /* keeps the first chunk for reuse */
void	 arena_free(struct arena *);

/*
 * Growable byte string inside an arena. After a failed allocation `oom` is set and further
 * writes are ignored, so callers check once at the end.
 */
struct sbuf {
	struct arena *a;
	char *p;
	size_t len, cap;
	bool oom;
};

void	 sbuf_init(struct sbuf *, struct arena *);
void	 sbuf_put(struct sbuf *, const char *, size_t);
void	 sbuf_puts(struct sbuf *, const char *);
void	 sbuf_putc(struct sbuf *, char);
void	 sbuf_printf(struct sbuf *, const char *, ...) __attribute__((format(printf, 2, 3)));
void	 sbuf_put_html(struct sbuf *, const char *, size_t); /* HTML-escaped */
const char *sbuf_cstr(struct sbuf *);                     /* NUL-terminated view, "" on oom */

#endif
