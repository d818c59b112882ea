#include "signature.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const char b32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
static const char holder_prefix[] = "tmcred-holder-v1";     /* hashed with its NUL */

_Static_assert(SIG_BYTES == crypto_sign_BYTES, "signature size");
_Static_assert(SIG_PK_BYTES == crypto_sign_PUBLICKEYBYTES, "public key size");
_Static_assert(SIG_SK_BYTES == crypto_sign_SECRETKEYBYTES, "secret key size");
_Static_assert(VERIFY_TOKEN_FIXED == 6 + HOLDER_HASH_BYTES + SIG_BYTES, "token layout");
_Static_assert(VERIFY_TOKEN_MIN == (8 * (VERIFY_TOKEN_FIXED + 1) + 4) / 5, "token min");
_Static_assert(VERIFY_TOKEN_MAX == (8 * (VERIFY_TOKEN_FIXED + CERT_KEY_ID_MAX) + 4) / 5,
    "token max");
_Static_assert(SIG_B32_LEN == (8 * SIG_BYTES + 4) / 5, "base32 signature length");
/* The longest payload: the fixed text, a 23-byte serial, rev 255, a 64-digit hash, an 8-byte key. */
_Static_assert(sizeof("tmcred-cert-v1\nserial=\nrev=\nlevel=\nholder=\nissued=\nexpires=\nkey=\n") - 1 +
    SERIAL_MAX + 3 + 1 + 2 * HOLDER_HASH_BYTES + 10 + 10 + CERT_KEY_ID_MAX < SIG_PAYLOAD_MAX,
    "payload buffer");

static char
upper(char c)
{
	return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

/* ---- dates: days since 2000-01-01 (proleptic Gregorian) ---- */

static int
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int
cert_date_ok(struct ymd d)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (d.y < CERT_YEAR_MIN || d.y > CERT_YEAR_MAX || d.m < 1 || d.m > 12 || d.d < 1)
		return 0;
	return d.d <= mdays[d.m - 1] + (d.m == 2 && leap(d.y));
}

/* Days from 2000-01-01 to a valid date in range (0..55519). */
long
cert_days(struct ymd d)
{
	/* H. Hinnant's days_from_civil, shifted so that the year starts on 1 March. */
	long y = d.y - (d.m <= 2);
	long era = y / 400, yoe = y - era * 400;
	long doy = (153 * (d.m + (d.m > 2 ? -3 : 9)) + 2) / 5 + d.d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 730425;   /* 730425 = days from 0000-03-01 to 2000-01-01 */
}

struct ymd
cert_date(long z)
{
	z += 730425;
	long era = z / 146097, doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	int d = (int)(doy - (153 * mp + 2) / 5 + 1);
	int m = (int)(mp < 10 ? mp + 3 : mp - 9);
	return (struct ymd){ (int)(yoe + era * 400 + (m <= 2)), m, d };
}

int
cert_date_before(struct ymd a, struct ymd b)
{
	if (a.y != b.y)
		return a.y < b.y;
	if (a.m != b.m)
		return a.m < b.m;
	return a.d < b.d;
}

/* ---- claims and payload ---- */

int
holder_hash(const char *name, unsigned char out[HOLDER_HASH_BYTES])
{
	crypto_generichash_state st;

	if (name == NULL || name[0] == '\0')
		return -1;
	if (crypto_generichash_init(&st, NULL, 0, HOLDER_HASH_BYTES) != 0 ||
	    crypto_generichash_update(&st, (const unsigned char *)holder_prefix,
	    sizeof(holder_prefix)) != 0 ||
	    crypto_generichash_update(&st, (const unsigned char *)name, strlen(name)) != 0 ||
	    crypto_generichash_final(&st, out, HOLDER_HASH_BYTES) != 0)
		return -1;
	return 0;
}

void
holder_hex(const unsigned char h[HOLDER_HASH_BYTES], char out[2 * HOLDER_HASH_BYTES + 1])
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < HOLDER_HASH_BYTES; i++) {
		out[2 * i] = hex[h[i] >> 4];
		out[2 * i + 1] = hex[h[i] & 15];
	}
	out[2 * HOLDER_HASH_BYTES] = '\0';
}

static int
key_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || c == '-';
}

int
cert_key_id_valid(const char *id)
{
	size_t n;

	if (id == NULL)
		return 0;
	n = strnlen(id, CERT_KEY_ID_MAX + 1);
	if (n < 1 || n > CERT_KEY_ID_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!key_char(id[i]))
			return 0;
	return 1;
}

int
cert_claims_valid(const struct cert_claims *c)
{
	struct serial s;
	size_t n;

	if (c == NULL)
		return 0;
	n = strnlen(c->serial, sizeof(c->serial));
	if (n == sizeof(c->serial) || serial_parse(c->serial, n, &s) != SERIAL_OK ||
	    strcmp(s.text, c->serial) != 0)
		return 0;
	if (c->rev < 1 || c->rev > CERT_REV_MAX || c->level != s.level)
		return 0;
	if (!cert_date_ok(c->issued) || !cert_date_ok(c->expires) ||
	    !cert_date_before(c->issued, c->expires))
		return 0;
	return cert_key_id_valid(c->key_id);
}

int
sig_payload(const struct cert_claims *c, char *buf, size_t cap)
{
	char holder[2 * HOLDER_HASH_BYTES + 1], tmp[SIG_PAYLOAD_MAX];
	int n;

	if (buf == NULL || !cert_claims_valid(c))
		return -1;
	holder_hex(c->holder, holder);
	n = snprintf(tmp, sizeof(tmp),
	    "tmcred-cert-v1\n"
	    "serial=%s\n"
	    "rev=%u\n"
	    "level=%c\n"
	    "holder=%s\n"
	    "issued=%04d-%02d-%02d\n"
	    "expires=%04d-%02d-%02d\n"
	    "key=%s\n",
	    c->serial, c->rev, c->level, holder,
	    c->issued.y, c->issued.m, c->issued.d,
	    c->expires.y, c->expires.m, c->expires.d, c->key_id);
	if (n < 0 || (size_t)n >= sizeof(tmp) || (size_t)n >= cap)
		return -1;
	memcpy(buf, tmp, (size_t)n + 1);
	return n;
}

int
sig_sign(const struct cert_claims *c, const unsigned char sk[SIG_SK_BYTES],
    unsigned char sig[SIG_BYTES])
{
	char p[SIG_PAYLOAD_MAX];
	int n = sig_payload(c, p, sizeof(p));

	if (n < 0)
		return -1;
	if (crypto_sign_detached(sig, NULL, (const unsigned char *)p, (unsigned long long)n,
	    sk) != 0)
		return -1;
	return 0;
}

int
sig_verify(const struct cert_claims *c, const unsigned char sig[SIG_BYTES],
    const unsigned char pk[SIG_PK_BYTES])
{
	char p[SIG_PAYLOAD_MAX];
	int n = sig_payload(c, p, sizeof(p));

	if (n < 0)
		return -1;
	return crypto_sign_verify_detached(sig, (const unsigned char *)p, (unsigned long long)n,
	    pk) == 0 ? 0 : -1;
}

/* ---- base32 (RFC 4648 §6, no padding) ---- */

size_t
b32_len(size_t n)
{
	return (n * 8 + 4) / 5;
}

void
b32_encode(const unsigned char *in, size_t n, char *out)
{
	unsigned long acc = 0;
	int bits = 0;
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[o++] = b32_alphabet[(acc >> bits) & 31];
		}
		acc &= (1ul << bits) - 1;
	}
	if (bits > 0)
		out[o++] = b32_alphabet[(acc << (5 - bits)) & 31];
	out[o] = '\0';
}

static int
b32_value(char c)
{
	c = upper(c);
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

int
b32_decode(const char *s, size_t len, unsigned char *out, size_t n)
{
	unsigned long acc = 0;
	int bits = 0;
	size_t o = 0;

	if (s == NULL || len != b32_len(n))
		return -1;
	for (size_t i = 0; i < len; i++) {
		int v = b32_value(s[i]);
		if (v < 0)
			return -1;
		acc = (acc << 5) | (unsigned)v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
			acc &= (1ul << bits) - 1;
		}
	}
	/* The unused low bits of the last character must be zero: one text per byte string. */
	return acc == 0 ? 0 : -1;
}

void
sig_to_base32(const unsigned char sig[SIG_BYTES], char out[SIG_B32_LEN + 1])
{
	b32_encode(sig, SIG_BYTES, out);
}

int
sig_from_base32(const char *s, size_t len, unsigned char sig[SIG_BYTES])
{
	unsigned char tmp[SIG_BYTES];

	if (b32_decode(s, len, tmp, sizeof(tmp)) != 0)
		return -1;
	memcpy(sig, tmp, sizeof(tmp));
	return 0;
}

/* ---- the token ---- */

int
verify_token(const struct cert_claims *c, const unsigned char sig[SIG_BYTES], char *out,
    size_t cap)
{
	unsigned char t[VERIFY_TOKEN_FIXED + CERT_KEY_ID_MAX];
	size_t klen, n;
	long di, de;

	if (out == NULL || !cert_claims_valid(c))
		return -1;
	klen = strlen(c->key_id);
	n = VERIFY_TOKEN_FIXED + klen;
	if (b32_len(n) >= cap)
		return -1;
	di = cert_days(c->issued);
	de = cert_days(c->expires);
	t[0] = VERIFY_TOKEN_VERSION;
	t[1] = (unsigned char)c->rev;
	t[2] = (unsigned char)(di >> 8);
	t[3] = (unsigned char)di;
	t[4] = (unsigned char)(de >> 8);
	t[5] = (unsigned char)de;
	memcpy(t + 6, c->holder, HOLDER_HASH_BYTES);
	memcpy(t + 6 + HOLDER_HASH_BYTES, sig, SIG_BYTES);
	memcpy(t + VERIFY_TOKEN_FIXED, c->key_id, klen);
	b32_encode(t, n, out);
	return (int)b32_len(n);
}

int
verify_token_parse(const struct serial *s, const char *tok, size_t len,
    struct cert_claims *out, unsigned char sig[SIG_BYTES])
{
	unsigned char t[VERIFY_TOKEN_FIXED + CERT_KEY_ID_MAX];
	struct cert_claims c;
	size_t n, klen;

	if (s == NULL || tok == NULL || len < VERIFY_TOKEN_MIN || len > VERIFY_TOKEN_MAX)
		return -1;
	n = len * 5 / 8;
	if (b32_len(n) != len || b32_decode(tok, len, t, n) != 0)
		return -1;
	if (t[0] != VERIFY_TOKEN_VERSION)
		return -1;
	klen = n - VERIFY_TOKEN_FIXED;

	memset(&c, 0, sizeof(c));
	memcpy(c.serial, s->text, sizeof(c.serial));
	c.serial[SERIAL_MAX] = '\0';
	c.level = s->level;
	c.rev = t[1];
	c.issued = cert_date((long)t[2] << 8 | t[3]);
	c.expires = cert_date((long)t[4] << 8 | t[5]);
	memcpy(c.holder, t + 6, HOLDER_HASH_BYTES);
	memcpy(c.key_id, t + VERIFY_TOKEN_FIXED, klen);
	c.key_id[klen] = '\0';
	/* Out of range dates (after 2150), rev 0, a NUL or '=' in the key id: all refused here. */
	if (strlen(c.key_id) != klen || !cert_claims_valid(&c))
		return -1;
	*out = c;
	memcpy(sig, t + 6 + HOLDER_HASH_BYTES, SIG_BYTES);
	return 0;
}

/* ---- links ---- */

const char *
vurl_err_code(enum vurl_err e)
{
	switch (e) {
	case VURL_OK: return "ok";
	case VURL_EFORMAT: return "verify_url_format";
	case VURL_EBASE: return "verify_url_base";
	case VURL_ESERIAL: return "verify_url_serial";
	case VURL_ETOKEN: return "verify_url_token";
	}
	return "verify_url_invalid";
}

const char *
vurl_err_message(enum vurl_err e)
{
	switch (e) {
	case VURL_OK: return "验证链接格式正确";
	case VURL_EFORMAT: return "验证链接格式不正确";
	case VURL_EBASE: return "验证链接的网址部分不正确";
	case VURL_ESERIAL: return "验证链接中的证书编号不正确";
	case VURL_ETOKEN: return "验证链接中的签名数据不完整或已被篡改";
	}
	return "验证链接无效";
}

static int
base_char(char c)
{
	c = upper(c);
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || c == '.' || c == '-' ||
	    c == ':' || c == '/';
}

static int
prefix_ci(const char *s, size_t n, const char *p)
{
	size_t k = strlen(p);
	if (n < k)
		return 0;
	for (size_t i = 0; i < k; i++)
		if (upper(s[i]) != p[i])
			return 0;
	return 1;
}

/* The checks of verify_base_valid on n bytes (no NUL needed). */
static int
base_ok(const char *b, size_t n)
{
	size_t rest;

	if (n > VERIFY_BASE_MAX)
		return 0;
	if (prefix_ci(b, n, "HTTPS://"))
		rest = 8;
	else if (prefix_ci(b, n, "HTTP://"))
		rest = 7;
	else
		return 0;
	if (rest == n || b[rest] == '/' || b[n - 1] == '/')
		return 0;
	for (size_t i = rest; i < n; i++) {
		if (!base_char(b[i]))
			return 0;
		if (b[i] == '/' && b[i - 1] == '/')
			return 0;
	}
	return 1;
}

int
verify_base_valid(const char *base)
{
	if (base == NULL)
		return 0;
	return base_ok(base, strnlen(base, VERIFY_BASE_MAX + 1));
}

int
verify_link_join(const char *base, const char *id, const char *tok, char *out, size_t cap)
{
	size_t bl, il, tl, n = 0;

	if (out == NULL || id == NULL || tok == NULL || !verify_base_valid(base))
		return -1;
	bl = strlen(base);
	il = strlen(id);
	tl = strlen(tok);
	if (bl + 3 + il + 1 + tl >= cap)
		return -1;
	for (size_t i = 0; i < bl; i++)
		out[n++] = upper(base[i]);
	memcpy(out + n, "/V/", 3);
	n += 3;
	memcpy(out + n, id, il);
	n += il;
	out[n++] = '/';
	memcpy(out + n, tok, tl);
	n += tl;
	out[n] = '\0';
	return (int)n;
}

int
verify_url(const char *base, const struct cert_claims *c, const unsigned char sig[SIG_BYTES],
    char *out, size_t cap)
{
	char tok[VERIFY_TOKEN_MAX + 1];

	if (verify_token(c, sig, tok, sizeof(tok)) < 0)
		return -1;
	return verify_link_join(base, c->serial, tok, out, cap);
}

int
verify_path_split(const char *path, size_t len, size_t *id_len)
{
	const char *slash;

	if (path == NULL || len < 3 || path[0] != '/' || upper(path[1]) != 'V' || path[2] != '/' ||
	    (slash = memchr(path + 3, '/', len - 3)) == NULL)
		return -1;
	*id_len = (size_t)(slash - path - 3);
	return 0;
}

enum vurl_err
verify_path_parse(const char *path, size_t len, struct verify_link *out)
{
	struct serial s;
	size_t sl;

	if (out == NULL || verify_path_split(path, len, &sl) < 0)
		return VURL_EFORMAT;
	out->base[0] = '\0';
	out->serial_err = serial_parse(path + 3, sl, &s);
	if (out->serial_err != SERIAL_OK)
		return VURL_ESERIAL;
	if (verify_token_parse(&s, path + 4 + sl, len - sl - 4, &out->claims, out->sig) != 0)
		return VURL_ETOKEN;
	return VURL_OK;
}

enum vurl_err
verify_url_split(const char *url, size_t len, size_t *base_len)
{
	size_t last, prev, bl;

	if (url == NULL || len == 0)
		return VURL_EFORMAT;
	/* From the right: <BASE> "/V/" <ID> "/" <TOKEN>; neither part holds a '/'. */
	for (last = len; last > 0 && url[last - 1] != '/'; last--)
		;
	if (last == 0)
		return VURL_EFORMAT;
	last--;
	for (prev = last; prev > 0 && url[prev - 1] != '/'; prev--)
		;
	if (prev < 3)
		return VURL_EFORMAT;
	prev--;
	if (url[prev - 2] != '/' || upper(url[prev - 1]) != 'V')
		return VURL_EFORMAT;
	bl = prev - 2;
	if (!base_ok(url, bl))
		return VURL_EBASE;
	*base_len = bl;
	return VURL_OK;
}

void
verify_base_copy(const char *url, size_t bl, char out[VERIFY_BASE_MAX + 1])
{
	for (size_t i = 0; i < bl && i < VERIFY_BASE_MAX; i++)
		out[i] = upper(url[i]);
	out[bl < VERIFY_BASE_MAX ? bl : VERIFY_BASE_MAX] = '\0';
}

enum vurl_err
verify_url_parse(const char *url, size_t len, struct verify_link *out)
{
	size_t bl;

	if (url == NULL || out == NULL || len == 0)
		return VURL_EFORMAT;
	out->base[0] = '\0';
	out->serial_err = SERIAL_OK;
	enum vurl_err e = verify_url_split(url, len, &bl);
	if (e == VURL_OK)
		e = verify_path_parse(url + bl, len - bl, out);
	if (e != VURL_OK)
		return e;
	verify_base_copy(url, bl, out->base);
	return VURL_OK;
}
