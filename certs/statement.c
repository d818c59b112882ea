#include "statement.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* The longest year line and payload, so the buffers below are sized by arithmetic, not hope. */
#define STMT_YEAR_LINE_MAX (sizeof("year= total_x2= professional_x2= general_x2= compulsory_x2="  \
	" required_x2= required_professional_x2= met=\n") - 1 + 4 + 6 * 5 + 1)
_Static_assert(sizeof("tmcred-stmt-v1\nno=\nholder=\nissued=\nkey=\n") - 1 + STMT_NO_MAX +
    2 * HOLDER_HASH_BYTES + 10 + STMT_YEARS_MAX * STMT_YEAR_LINE_MAX + CERT_KEY_ID_MAX <
    STMT_PAYLOAD_MAX, "statement payload buffer");
_Static_assert(STMT_HOURS_X2_MAX <= 0x7fff, "half-hours travel as 15 bits (met is the 16th)");
_Static_assert(STMT_URL_MAX < 400, "a statement link fits a QR code of version <= 13 at level M");

static char
upper(char c)
{
	return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

static int
digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* "CS" node year seq: the text the check character covers. */
static char
no_check(const char *node, size_t nodelen, const char *year, const char *seq)
{
	char buf[2 + SERIAL_NODE_MAX + 4 + 6];
	size_t n = 0;
	buf[n++] = 'C';
	buf[n++] = 'S';
	memcpy(buf + n, node, nodelen);
	n += nodelen;
	memcpy(buf + n, year, 4);
	n += 4;
	memcpy(buf + n, seq, 6);
	n += 6;
	return serial_check_char(buf, n);
}

int
stmt_no_format(const char *node, int year, unsigned seq, char out[STMT_NO_MAX + 1])
{
	char y[5], q[7];
	size_t nodelen;

	if (node == NULL || out == NULL)
		return -1;
	nodelen = strnlen(node, SERIAL_NODE_MAX + 1);
	if (nodelen < SERIAL_NODE_MIN || nodelen > SERIAL_NODE_MAX)
		return -1;
	for (size_t i = 0; i < nodelen; i++)
		if (node[i] < 'A' || node[i] > 'Z')
			return -1;
	if (year < SERIAL_YEAR_MIN || year > SERIAL_YEAR_MAX || seq < 1 || seq > SERIAL_SEQ_MAX)
		return -1;
	snprintf(y, sizeof(y), "%04d", year);
	snprintf(q, sizeof(q), "%06u", seq);
	char c = no_check(node, nodelen, y, q);
	if (c == '\0')
		return -1;
	return snprintf(out, STMT_NO_MAX + 1, "CS-%.*s-%s-%s-%c", (int)nodelen, node, y, q, c);
}

int
stmt_no_like(const char *s, size_t len)
{
	return s != NULL && len >= 3 && upper(s[0]) == 'C' && upper(s[1]) == 'S' && s[2] == '-';
}

enum serial_err
stmt_no_parse(const char *s, size_t len, struct stmt_no *out)
{
	char t[STMT_NO_MAX + 1];
	size_t nodelen;

	if (s == NULL || out == NULL || len < STMT_NO_MIN || len > STMT_NO_MAX)
		return SERIAL_EFORMAT;
	for (size_t i = 0; i < len; i++)
		t[i] = upper(s[i]);
	t[len] = '\0';
	/* CS-<node>-<yyyy>-<seq>-<c>: the node is whatever length leaves the fixed tail */
	nodelen = len - STMT_NO_MIN + SERIAL_NODE_MIN;
	const char *node = t + 3, *year = node + nodelen + 1, *seq = year + 5, *chk = seq + 7;
	if (memcmp(t, "CS-", 3) != 0 || node[nodelen] != '-' || year[4] != '-' || seq[6] != '-')
		return SERIAL_EFORMAT;
	for (size_t i = 0; i < nodelen; i++)
		if (node[i] < 'A' || node[i] > 'Z')
			return SERIAL_ENODE;
	if (!digits(year, 4))
		return SERIAL_EYEAR;
	int y = (year[0] - '0') * 1000 + (year[1] - '0') * 100 + (year[2] - '0') * 10 + (year[3] - '0');
	if (y < SERIAL_YEAR_MIN || y > SERIAL_YEAR_MAX)
		return SERIAL_EYEAR;
	if (!digits(seq, 6) || memcmp(seq, "000000", 6) == 0)
		return SERIAL_ESEQUENCE;
	if (no_check(node, nodelen, year, seq) != *chk)
		return SERIAL_ECHECKSUM;
	memcpy(out->text, t, len + 1);
	memcpy(out->node, node, nodelen);
	out->node[nodelen] = '\0';
	out->year = y;
	unsigned q = 0;
	for (int i = 0; i < 6; i++)
		q = q * 10 + (unsigned)(seq[i] - '0');
	out->seq = q;
	return SERIAL_OK;
}

int
stmt_claims_valid(const struct stmt_claims *c)
{
	struct stmt_no no;
	size_t n;

	if (c == NULL)
		return 0;
	n = strnlen(c->no, sizeof(c->no));
	if (n == sizeof(c->no) || stmt_no_parse(c->no, n, &no) != SERIAL_OK ||
	    strcmp(no.text, c->no) != 0)
		return 0;
	if (!cert_date_ok(c->issued) || c->issued.y < no.year)
		return 0;
	if (c->n_years < 1 || c->n_years > STMT_YEARS_MAX)
		return 0;
	for (unsigned i = 0; i < c->n_years; i++) {
		const struct stmt_year *y = &c->years[i];
		if (y->year < CERT_YEAR_MIN || y->year > c->issued.y ||
		    (i > 0 && y->year != c->years[i - 1].year + 1))
			return 0;
		if (y->total_x2 > STMT_HOURS_X2_MAX || y->professional_x2 > STMT_HOURS_X2_MAX ||
		    y->general_x2 > STMT_HOURS_X2_MAX || y->required_x2 > STMT_HOURS_X2_MAX ||
		    y->total_x2 != y->professional_x2 + y->general_x2 ||
		    y->compulsory_x2 > y->general_x2 || y->required_prof_x2 > y->required_x2)
			return 0;
	}
	return cert_key_id_valid(c->key_id);
}

int
stmt_payload(const struct stmt_claims *c, char *buf, size_t cap)
{
	char holder[2 * HOLDER_HASH_BYTES + 1], tmp[STMT_PAYLOAD_MAX];
	size_t n;
	int k;

	if (buf == NULL || !stmt_claims_valid(c))
		return -1;
	holder_hex(c->holder, holder);
	k = snprintf(tmp, sizeof(tmp), "tmcred-stmt-v1\nno=%s\nholder=%s\nissued=%04d-%02d-%02d\n",
	    c->no, holder, c->issued.y, c->issued.m, c->issued.d);
	if (k < 0 || (size_t)k >= sizeof(tmp))
		return -1;
	n = (size_t)k;
	for (unsigned i = 0; i < c->n_years; i++) {
		const struct stmt_year *y = &c->years[i];
		k = snprintf(tmp + n, sizeof(tmp) - n, "year=%04d total_x2=%u professional_x2=%u"
		    " general_x2=%u compulsory_x2=%u required_x2=%u required_professional_x2=%u"
		    " met=%d\n", y->year, y->total_x2, y->professional_x2, y->general_x2,
		    y->compulsory_x2, y->required_x2, y->required_prof_x2, y->met ? 1 : 0);
		if (k < 0 || (size_t)k >= sizeof(tmp) - n)
			return -1;
		n += (size_t)k;
	}
	k = snprintf(tmp + n, sizeof(tmp) - n, "key=%s\n", c->key_id);
	if (k < 0 || (size_t)k >= sizeof(tmp) - n)
		return -1;
	n += (size_t)k;
	if (n >= cap)
		return -1;
	memcpy(buf, tmp, n + 1);
	return (int)n;
}

int
stmt_sign(const struct stmt_claims *c, const unsigned char sk[SIG_SK_BYTES],
    unsigned char sig[SIG_BYTES])
{
	char p[STMT_PAYLOAD_MAX];
	int n = stmt_payload(c, p, sizeof(p));
	if (n < 0)
		return -1;
	return crypto_sign_detached(sig, NULL, (const unsigned char *)p, (unsigned long long)n,
	    sk) == 0 ? 0 : -1;
}

int
stmt_verify(const struct stmt_claims *c, const unsigned char sig[SIG_BYTES],
    const unsigned char pk[SIG_PK_BYTES])
{
	char p[STMT_PAYLOAD_MAX];
	int n = stmt_payload(c, p, sizeof(p));
	if (n < 0)
		return -1;
	return crypto_sign_verify_detached(sig, (const unsigned char *)p, (unsigned long long)n,
	    pk) == 0 ? 0 : -1;
}

/* ---- token: version, issued (days), first year - 2000, n, rows, holder, sig, key id ---- */

static void
put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

static unsigned
get16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

int
stmt_token(const struct stmt_claims *c, const unsigned char sig[SIG_BYTES], char *out,
    size_t cap)
{
	unsigned char t[STMT_TOKEN_BYTES_MAX];
	size_t n = 0, klen;

	if (out == NULL || sig == NULL || !stmt_claims_valid(c))
		return -1;
	long di = cert_days(c->issued);
	t[n++] = STMT_TOKEN_VERSION;
	put16(t + n, (unsigned)di);
	n += 2;
	t[n++] = (unsigned char)(c->years[0].year - CERT_YEAR_MIN);
	t[n++] = (unsigned char)c->n_years;
	for (unsigned i = 0; i < c->n_years; i++) {
		const struct stmt_year *y = &c->years[i];
		put16(t + n, y->professional_x2);
		put16(t + n + 2, y->general_x2);
		put16(t + n + 4, y->compulsory_x2);
		put16(t + n + 6, y->required_x2);
		put16(t + n + 8, y->required_prof_x2 | (y->met ? 0x8000u : 0));
		n += STMT_ROW_BYTES;
	}
	memcpy(t + n, c->holder, HOLDER_HASH_BYTES);
	n += HOLDER_HASH_BYTES;
	memcpy(t + n, sig, SIG_BYTES);
	n += SIG_BYTES;
	klen = strlen(c->key_id);
	memcpy(t + n, c->key_id, klen);
	n += klen;
	if (b32_len(n) >= cap)
		return -1;
	b32_encode(t, n, out);
	return (int)b32_len(n);
}

int
stmt_token_parse(const struct stmt_no *no, const char *tok, size_t len,
    struct stmt_claims *out, unsigned char sig[SIG_BYTES])
{
	unsigned char t[STMT_TOKEN_BYTES_MAX];
	struct stmt_claims c;
	size_t n, p = 0, klen;

	if (no == NULL || tok == NULL || len > STMT_TOKEN_MAX)
		return -1;
	n = len * 5 / 8;
	if (n < STMT_TOKEN_FIXED + STMT_ROW_BYTES + 1 || b32_len(n) != len ||
	    b32_decode(tok, len, t, n) != 0 || t[0] != STMT_TOKEN_VERSION)
		return -1;
	memset(&c, 0, sizeof(c));
	memcpy(c.no, no->text, sizeof(c.no));
	c.issued = cert_date((long)get16(t + 1));
	int first = CERT_YEAR_MIN + t[3];
	c.n_years = t[4];
	p = 5;
	if (c.n_years < 1 || c.n_years > STMT_YEARS_MAX ||
	    n < STMT_TOKEN_FIXED + c.n_years * STMT_ROW_BYTES + 1)
		return -1;
	for (unsigned i = 0; i < c.n_years; i++) {
		struct stmt_year *y = &c.years[i];
		y->year = first + (int)i;
		y->professional_x2 = get16(t + p);
		y->general_x2 = get16(t + p + 2);
		y->total_x2 = y->professional_x2 + y->general_x2;
		y->compulsory_x2 = get16(t + p + 4);
		y->required_x2 = get16(t + p + 6);
		unsigned last = get16(t + p + 8);
		y->required_prof_x2 = last & 0x7fffu;
		y->met = (last & 0x8000u) != 0;
		p += STMT_ROW_BYTES;
	}
	memcpy(c.holder, t + p, HOLDER_HASH_BYTES);
	p += HOLDER_HASH_BYTES;
	memcpy(sig, t + p, SIG_BYTES);
	p += SIG_BYTES;
	klen = n - p;
	if (klen < 1 || klen > CERT_KEY_ID_MAX)
		return -1;
	memcpy(c.key_id, t + p, klen);
	c.key_id[klen] = '\0';
	/* a NUL inside the key id, years after the issue year, bad sums: all refused here */
	if (strlen(c.key_id) != klen || !stmt_claims_valid(&c))
		return -1;
	*out = c;
	return 0;
}

int
stmt_url(const char *base, const struct stmt_claims *c, const unsigned char sig[SIG_BYTES],
    char *out, size_t cap)
{
	char tok[STMT_TOKEN_MAX + 1];
	if (stmt_token(c, sig, tok, sizeof(tok)) < 0)
		return -1;
	return verify_link_join(base, c->no, tok, out, cap);
}

enum vurl_err
stmt_path_parse(const char *path, size_t len, struct stmt_link *out)
{
	struct stmt_no no;
	size_t nl;

	if (out == NULL || verify_path_split(path, len, &nl) < 0)
		return VURL_EFORMAT;
	out->base[0] = '\0';
	out->no_err = stmt_no_parse(path + 3, nl, &no);
	if (out->no_err != SERIAL_OK)
		return VURL_ESERIAL;
	if (stmt_token_parse(&no, path + 4 + nl, len - nl - 4, &out->claims, out->sig) != 0)
		return VURL_ETOKEN;
	return VURL_OK;
}

enum vurl_err
stmt_url_parse(const char *url, size_t len, struct stmt_link *out)
{
	size_t bl;

	if (url == NULL || out == NULL || len == 0)
		return VURL_EFORMAT;
	out->base[0] = '\0';
	out->no_err = SERIAL_OK;
	enum vurl_err e = verify_url_split(url, len, &bl);
	if (e == VURL_OK)
		e = stmt_path_parse(url + bl, len - bl, out);
	if (e != VURL_OK)
		return e;
	verify_base_copy(url, bl, out->base);
	return VURL_OK;
}
