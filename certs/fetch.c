#include "fetch.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct sink {
	char  *buf;
	size_t len, cap, max;
	int    too_big;
};

static size_t
on_data(char *p, size_t size, size_t n, void *user)
{
	struct sink *s = user;
	size_t add = size * n;
	if (add > s->max - s->len) {
		s->too_big = 1;
		return 0;       /* CURLE_WRITE_ERROR: the transfer stops here */
	}
	if (s->len + add + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		while (cap < s->len + add + 1)
			cap *= 2;
		if (cap > s->max + 1)
			cap = s->max + 1;
		char *nb = realloc(s->buf, cap);
		if (nb == NULL)
			return 0;
		s->buf = nb;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, p, add);
	s->len += add;
	s->buf[s->len] = '\0';
	return add;
}

int
fetch_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

enum fetch_err
fetch_get(const char *url, const struct fetch_opts *o, char **body, size_t *len, long *status)
{
	struct sink s = { NULL, 0, 0, o->max, 0 };
	enum fetch_err e = FETCH_EFAILED;
	CURLcode rc;
	CURL *c;

	*body = NULL;
	*len = 0;
	*status = 0;
	if (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0)
		return FETCH_EURL;
	if ((c = curl_easy_init()) == NULL)
		return FETCH_EFAILED;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_PROXY, "");            /* never an environment proxy */
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);         /* timeouts without SIGALRM */
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)o->connect_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)o->total_ms);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "tmcred-federation/1");
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");  /* gzip is fine; max counts decoded bytes */
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	switch (rc) {
	case CURLE_OK:
		e = *status == 200 ? FETCH_OK : FETCH_ESTATUS;
		break;
	case CURLE_OPERATION_TIMEDOUT:
		e = FETCH_ETIMEOUT;
		break;
	case CURLE_COULDNT_CONNECT: case CURLE_COULDNT_RESOLVE_HOST: case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR: case CURLE_SEND_ERROR:
		e = FETCH_EDOWN;
		break;
	case CURLE_FILESIZE_EXCEEDED:
		e = FETCH_ETOOBIG;
		break;
	case CURLE_WRITE_ERROR:
		e = s.too_big ? FETCH_ETOOBIG : FETCH_EFAILED;
		break;
	case CURLE_PEER_FAILED_VERIFICATION: case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CACERT_BADFILE: case CURLE_SSL_CERTPROBLEM:
		e = FETCH_ETLS;
		break;
	case CURLE_UNSUPPORTED_PROTOCOL: case CURLE_URL_MALFORMAT:
		e = FETCH_EURL;
		break;
	default:
		e = FETCH_EFAILED;
	}
	curl_easy_cleanup(c);
	if (e != FETCH_OK) {
		free(s.buf);
		return e;
	}
	if (s.buf == NULL && (s.buf = calloc(1, 1)) == NULL)
		return FETCH_EFAILED;
	*body = s.buf;
	*len = s.len;
	return FETCH_OK;
}

const char *
fetch_err_code(enum fetch_err e)
{
	switch (e) {
	case FETCH_OK:       return "ok";
	case FETCH_EURL:     return "peer_url_invalid";
	case FETCH_EDOWN:    return "peer_down";
	case FETCH_ETIMEOUT: return "peer_timeout";
	case FETCH_ETOOBIG:  return "peer_too_large";
	case FETCH_ESTATUS:  return "peer_http_status";
	case FETCH_ETLS:     return "peer_tls";
	case FETCH_EFAILED:  return "peer_failed";
	}
	return "peer_failed";
}
