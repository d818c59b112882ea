#include "statuslist.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "../courses/catalogue.h"

char *
status_list_encode(const unsigned char *bits, size_t nbytes)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	/* windowBits 15 + 16: a gzip wrapper, as the specification requires */
	if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	uLong cap = deflateBound(&z, nbytes);
	unsigned char *gz = malloc(cap);
	char *out = NULL;
	z.next_in = (unsigned char *)bits;
	z.avail_in = (uInt)nbytes;
	z.next_out = gz;
	z.avail_out = (uInt)cap;
	if (gz != NULL && deflate(&z, Z_FINISH) == Z_STREAM_END) {
		size_t n = sodium_base64_ENCODED_LEN(z.total_out,
		    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		if ((out = malloc(n + 1)) != NULL) {
			out[0] = 'u';
			sodium_bin2base64(out + 1, n, gz, z.total_out,
			    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		}
	}
	deflateEnd(&z);
	free(gz);
	return out;
}

int
status_list_decode(const char *enc, unsigned char **out, size_t *nbytes)
{
	size_t len = strlen(enc), glen = 0;
	unsigned char *gz = NULL, *bits = NULL;
	z_stream z;
	int ok = -1;

	*out = NULL;
	if (len < 2 || enc[0] != 'u' || (gz = malloc(len)) == NULL)
		return -1;
	if (sodium_base642bin(gz, len, enc + 1, len - 1, NULL, &glen, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    (bits = malloc(STATUS_LIST_MAX_BITS / 8)) == NULL) {
		free(gz);
		return -1;
	}
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 15 + 16) == Z_OK) {
		z.next_in = gz;
		z.avail_in = (uInt)glen;
		z.next_out = bits;
		z.avail_out = STATUS_LIST_MAX_BITS / 8;
		if (inflate(&z, Z_FINISH) == Z_STREAM_END) {
			*nbytes = z.total_out;
			ok = 0;
		}
		inflateEnd(&z);
	}
	free(gz);
	if (ok < 0)
		free(bits);
	else
		*out = bits;
	return ok;
}

const char *
status_list(struct db *d, const struct tm_config *cfg, int n, json_t **out)
{
	static const char *const purpose[] = { "", "revocation", "suspension" };
	struct db_out mo[] = { DBO_I64() }, io[] = { DBO_I64() };
	struct db_val sv[] = { DBV_STR(n == 1 ? "revoked" : "suspended") };
	struct db_iter it;
	enum db_rc rc;

	*out = NULL;
	if ((rc = db_row(d, "SELECT COALESCE(MAX(id), 0) FROM certificates", NULL, 0, mo, 1)) != DB_OK)
		return db_code(rc);
	size_t bits = STATUS_LIST_MIN_BITS;
	while (bits <= (size_t)mo[0].i && bits < STATUS_LIST_MAX_BITS)
		bits *= 2;
	if ((size_t)mo[0].i >= bits)
		return "internal_error";
	unsigned char *list = calloc(bits / 8, 1);
	if (list == NULL)
		return "internal_error";
	rc = db_iter_start(d, &it, "SELECT id FROM certificates WHERE status = ?", sv, 1, io, 1);
	while (rc == DB_OK && (rc = db_iter_next(&it)) == DB_OK)
		list[io[0].i / 8] |= (unsigned char)(0x80u >> (io[0].i % 8));
	db_iter_end(&it);
	if (rc != DB_NOROW) {
		free(list);
		return db_code(rc);
	}
	char *enc = status_list_encode(list, bits / 8);
	free(list);
	if (enc == NULL)
		return "internal_error";
	char id[160], now[32];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	char issuer[sizeof(cfg->node_base_url)];
	snprintf(issuer, sizeof(issuer), "%s", cfg->node_base_url);
	for (char *p = issuer; *p; p++)   /* a URL's scheme and host are case-insensitive */
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	snprintf(id, sizeof(id), "%s/status/%d", issuer, n);
	*out = json_pack("{s:[s], s:s, s:[s, s], s:s, s:s, s:{s:s, s:s, s:s, s:s}}",
	    "@context", "https://www.w3.org/ns/credentials/v2", "id", id,
	    "type", "VerifiableCredential", "BitstringStatusListCredential",
	    "issuer", issuer, "validFrom", now,
	    "credentialSubject", "id", id, "type", "BitstringStatusList",
	    "statusPurpose", purpose[n], "encodedList", enc);
	free(enc);
	return *out ? NULL : "internal_error";
}
