#ifndef TM_MULTIPART_H
#define TM_MULTIPART_H
#include <stdbool.h>
#include <stddef.h>

#include "request.h"

/*
 * Streaming multipart/form-data (RFC 7578) over req->body_read: parts are read in order,
 * a file part as a stream, so an upload page needs no more memory than an API client.
 * Forms must put their small fields (csrf, kind, mode) before the file.
 */
#define MP_MAX_HEADER 4096u     /* bytes of one part's headers */
#define MP_BUF (64u * 1024u)

struct mp {
	struct request *req;
	char delim[80];             /* "\r\n--" boundary */
	size_t dlen;
	char buf[MP_BUF + 128];
	size_t len, pos;
	size_t clear;               /* bytes from pos known to hold no delimiter start */
	bool eof, at_delim, finished, failed;
	char name[64], filename[256];
};

/* From the Content-Type header; -1 without a usable boundary. */
int	 mp_init(struct mp *, struct request *, const char *content_type_raw);
/* Moves to the next part: 1 with m->name/filename set, 0 at the end, -1 on malformed input. */
int	 mp_next(struct mp *);
/* Reads the current part's bytes: > 0, 0 at the part's end, -1 on error. */
long	 mp_read(struct mp *, char *, size_t);
/* Reads a whole small part into buf (NUL-terminated); -1 when longer than cap - 1. */
int	 mp_value(struct mp *, char *buf, size_t cap);

#endif
