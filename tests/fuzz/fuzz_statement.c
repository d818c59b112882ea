/*
 * The credit statement's parsers (certs/statement.c): typed numbers and scanned links.
 * The first byte picks the target; the rest is the input.
 *
 *   0: stmt_no_parse: an accepted number is the upper-cased input, and stmt_no_format of its
 *      parts writes it again (so the check character is the one the writer computes).
 *   1: stmt_url_parse: an accepted link is exactly what stmt_url writes for the parsed claims
 *      (the upper-cased input: one text per statement), its claims are valid and give a
 *      payload, and stmt_path_parse agrees on the path.
 *
 * Nothing here signs or verifies, so libsodium needs no initialisation.
 */
#include <string.h>

#include "certs/statement.h"
#include "fuzz.h"

static void
upcase(const char *in, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		out[i] = (in[i] >= 'a' && in[i] <= 'z') ? (char)(in[i] - 32) : in[i];
	out[n] = '\0';
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 1 + STMT_URL_MAX + 16)
		return 0;
	const char *s = (const char *)data + 1;
	size_t n = size - 1;
	char up[STMT_URL_MAX + 32], again[STMT_URL_MAX + 1];

	if (data[0] % 2 == 0) {
		struct stmt_no no;
		if (stmt_no_parse(s, n, &no) != SERIAL_OK)
			return 0;
		upcase(s, n, up);
		CHECK(strcmp(no.text, up) == 0);
		CHECK(stmt_no_format(no.node, no.year, no.seq, again) == (int)n);
		CHECK(strcmp(again, up) == 0);
		return 0;
	}
	struct stmt_link l;
	if (stmt_url_parse(s, n, &l) != VURL_OK)
		return 0;
	upcase(s, n, up);
	CHECK(stmt_claims_valid(&l.claims));
	char p[STMT_PAYLOAD_MAX];
	CHECK(stmt_payload(&l.claims, p, sizeof(p)) > 0);
	CHECK(stmt_url(l.base, &l.claims, l.sig, again, sizeof(again)) == (int)n);
	CHECK(strcmp(again, up) == 0);
	struct stmt_link k;
	size_t bl = strlen(l.base);
	CHECK(stmt_path_parse(s + bl, n - bl, &k) == VURL_OK);
	char q[STMT_PAYLOAD_MAX];
	CHECK(stmt_payload(&k.claims, q, sizeof(q)) > 0 && strcmp(p, q) == 0);
	CHECK(memcmp(k.sig, l.sig, SIG_BYTES) == 0);
	return 0;
}
