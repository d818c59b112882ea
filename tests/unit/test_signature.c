/*
 * certs/signature: holder hash, canonical payload, Ed25519 sign/verify, base32, the QR token
 * and link. Keys come from fixed seeds (crypto_sign_seed_keypair), so every vector is stable.
 * The expected hashes, signatures, base32 texts and links below were computed outside this
 * code, in Python (hashlib.blake2b, the `cryptography` package's Ed25519, base64.b32encode).
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "certs/signature.h"

static unsigned char pkA[32], skA[64], pkB[32], skB[64];

static void
setup(void)
{
	unsigned char seed[32];
	cr_assert_geq(sodium_init(), 0);
	for (int i = 0; i < 32; i++)
		seed[i] = (unsigned char)i;            /* 00 01 02 ... 1f */
	cr_assert_eq(crypto_sign_seed_keypair(pkA, skA, seed), 0);
	memset(seed, 0x42, sizeof(seed));
	cr_assert_eq(crypto_sign_seed_keypair(pkB, skB, seed), 0);
}

TestSuite(sig, .init = setup);

static void
unhex(const char *h, unsigned char *out, size_t n)
{
	size_t got = 0;
	cr_assert_eq(sodium_hex2bin(out, n, h, strlen(h), NULL, &got, NULL), 0);
	cr_assert_eq(got, n);
}

static void
assert_hex(const unsigned char *b, size_t n, const char *want)
{
	char h[2 * 128 + 1];
	cr_assert_leq(n, 128);
	sodium_bin2hex(h, sizeof(h), b, n);
	cr_assert_str_eq(h, want);
}

#define HOLDER_ZHANGSAN "2f7f33101ddbb3f71b04cb104040ac010546445f70cbb686520e81708a348dbd"
#define SIG_A "a0027372be3c295a38fcfa50b40fafc907881f2bfedf76c489fdbabe6df81c2e" \
	"24d5748c82ff6d8bcf0d38fa9625289bd43e34491aaa9dd0505d18d21e61c301"
#define SIG_A_B32 "UABHG4V6HQUVUOH47JILID5PZEDYQHZL73PXNREJ7W5L43PYDQXCJVLURSBP63MLZ4G" \
	"TR6UWEUUJXVB6GRERVKU52BIF2GGSDZQ4GAI"
#define TOKEN_A "AEASKVBJTMXX6MYQDXN3H5Y3ATFRAQCAVQAQKRSEL5YMXNUGKIHIC4EKGSG33IACONZL4PBJLI" \
	"4PZ6SQWQH27SIHRAPSX7W7O3CIT7N2XZW7QHBOETKXJDEC75WYXTYNHD5JMJJITPKD4NCJDKVJ3UCQLUMNE" \
	"HTBYMAVGSBR"
#define BASE "HTTPS://SH.TMCRED.CN"
#define URL_A BASE "/V/TM-SH-2026-J-000123-J/" TOKEN_A

static const char PAYLOAD_A[] =
	"tmcred-cert-v1\n"
	"serial=TM-SH-2026-J-000123-J\n"
	"rev=1\n"
	"level=J\n"
	"holder=" HOLDER_ZHANGSAN "\n"
	"issued=2026-03-01\n"
	"expires=2029-02-28\n"
	"key=SH1\n";

/* The demo claims: 张三, 初级, issued 2026-03-01 for three years, key SH1. */
static struct cert_claims
claims_a(void)
{
	struct cert_claims c;
	memset(&c, 0, sizeof(c));
	strcpy(c.serial, "TM-SH-2026-J-000123-J");
	c.rev = 1;
	c.level = 'J';
	cr_assert_eq(holder_hash("张三", c.holder), 0);
	c.issued = (struct ymd){ 2026, 3, 1 };
	c.expires = (struct ymd){ 2029, 2, 28 };
	strcpy(c.key_id, "SH1");
	return c;
}

static void
assert_claims_eq(const struct cert_claims *a, const struct cert_claims *b)
{
	cr_assert_str_eq(a->serial, b->serial);
	cr_assert_eq(a->rev, b->rev);
	cr_assert_eq(a->level, b->level);
	cr_assert_eq(memcmp(a->holder, b->holder, HOLDER_HASH_BYTES), 0);
	cr_assert_eq(a->issued.y, b->issued.y);
	cr_assert_eq(a->issued.m, b->issued.m);
	cr_assert_eq(a->issued.d, b->issued.d);
	cr_assert_eq(a->expires.y, b->expires.y);
	cr_assert_eq(a->expires.m, b->expires.m);
	cr_assert_eq(a->expires.d, b->expires.d);
	cr_assert_str_eq(a->key_id, b->key_id);
}

/* QR version at error-correction level M for n alphanumeric characters (STACK.md §3). */
static int
qr_version_m(size_t n)
{
	static const size_t cap[] = { 20, 38, 61, 90, 122, 154, 178, 221, 262, 311 };
	for (int v = 0; v < 10; v++)
		if (n <= cap[v])
			return v + 1;
	return 0;
}

static int
qr_alnum(const char *s)
{
	static const char set[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
	for (; *s; s++)
		if (strchr(set, *s) == NULL)
			return 0;
	return 1;
}

/* ---- keys: libsodium's Ed25519 is RFC 8032's ---- */

Test(sig, rfc8032_test1)
{
	unsigned char seed[32], pk[32], sk[64], s[64];
	unhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", seed, 32);
	cr_assert_eq(crypto_sign_seed_keypair(pk, sk, seed), 0);
	assert_hex(pk, 32, "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
	cr_assert_eq(crypto_sign_detached(s, NULL, (const unsigned char *)"", 0, sk), 0);
	assert_hex(s, 64, "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590"
	    "a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
}

Test(sig, fixed_seed_keys)
{
	assert_hex(pkA, 32, "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8");
	assert_hex(pkB, 32, "2152f8d19b791d24453242e15f2eab6cb7cffa7b6a5ed30097960e069881db12");
}

/* ---- holder hash ---- */

struct holder_case {
	char name[32];
	char hex[65];
};

ParameterizedTestParameters(sig, holder_vectors)
{
	/* hashlib.blake2b(b"tmcred-holder-v1\0" + name.encode(), digest_size=32).hexdigest() */
	static struct holder_case cases[] = {
		{ "张三", HOLDER_ZHANGSAN },
		{ "欧阳娜娜", "8d80623adfd5a94226ebbd991cdd8deac1e47de602ba2c4f0c53ff8ab70fa733" },
		{ "阿依·买买提", "5ddd284e527ce321d653142c4893936c28868c712da348b2b4a2ae4a7a00ab80" },
		/* é precomposed (NFC) and decomposed (NFD) hash differently: hashed as stored */
		{ "\xc3\xa9", "ffa09cffcc383b6eefbfc948694b9191f644408a37daf128eba6aab9c1b83165" },
		{ "e\xcc\x81", "e9c6d6644df14f6e73a6b019d8804bd79fb8af621331e063c58b36b6c5e0eacb" },
	};
	return cr_make_param_array(struct holder_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct holder_case *c, sig, holder_vectors, .init = setup)
{
	unsigned char h[32];
	cr_assert_eq(holder_hash(c->name, h), 0);
	assert_hex(h, 32, c->hex);
}

Test(sig, holder_refusals)
{
	unsigned char h[32];
	cr_assert_eq(holder_hash(NULL, h), -1);
	cr_assert_eq(holder_hash("", h), -1);
}

/* ---- payload ---- */

Test(sig, payload_exact_bytes)
{
	struct cert_claims c = claims_a();
	char buf[SIG_PAYLOAD_MAX];
	int n = sig_payload(&c, buf, sizeof(buf));
	cr_assert_eq(n, 175);
	cr_assert_eq((size_t)n, sizeof(PAYLOAD_A) - 1);
	cr_assert_eq(memcmp(buf, PAYLOAD_A, sizeof(PAYLOAD_A)), 0, "%s", buf);

	/* exactly length + 1 is enough; one less is refused and leaves buf alone */
	char small[176];
	cr_assert_eq(sig_payload(&c, small, 176), 175);
	memset(small, 'x', sizeof(small));
	cr_assert_eq(sig_payload(&c, small, 175), -1);
	cr_assert_eq(small[0], 'x');
	cr_assert_eq(sig_payload(&c, NULL, 200), -1);
	cr_assert_eq(sig_payload(NULL, buf, sizeof(buf)), -1);
}

Test(sig, payload_longest_fits)
{
	struct cert_claims c;
	char buf[SIG_PAYLOAD_MAX];
	memset(&c, 0, sizeof(c));
	cr_assert_eq(serial_format("ZJAH", 2099, 'S', 999999, c.serial), 23);
	c.rev = CERT_REV_MAX;
	c.level = 'S';
	memset(c.holder, 0xff, sizeof(c.holder));
	c.issued = (struct ymd){ 2099, 12, 30 };
	c.expires = (struct ymd){ 2150, 12, 31 };
	strcpy(c.key_id, "ABCDEFGH");
	int n = sig_payload(&c, buf, sizeof(buf));
	cr_assert_eq(n, 184);
	cr_assert_lt(n, SIG_PAYLOAD_MAX);
	cr_assert_eq(sig_sign(&c, skA, (unsigned char[64]){ 0 }), 0);
}

/* Each case breaks one field of the demo claims; the payload must then be refused. */
enum breakage {
	BR_SERIAL_LOWER, BR_SERIAL_CHECK, BR_SERIAL_EMPTY, BR_SERIAL_UNTERMINATED, BR_REV_0,
	BR_REV_256, BR_LEVEL_MISMATCH, BR_LEVEL_LOWER, BR_ISSUED_FEB29, BR_ISSUED_MONTH13,
	BR_ISSUED_DAY0, BR_ISSUED_1999, BR_EXPIRES_2151, BR_EXPIRES_EQUAL, BR_EXPIRES_BEFORE,
	BR_KEY_EMPTY, BR_KEY_EQUALS, BR_KEY_NEWLINE, BR_KEY_LOWER, BR_KEY_SPACE, BR_KEY_TOO_LONG,
	BR_KEY_UNTERMINATED, BR_KEY_UTF8, BR__MAX
};

ParameterizedTestParameters(sig, payload_refusals)
{
	static int cases[BR__MAX];
	for (int i = 0; i < BR__MAX; i++)
		cases[i] = i;
	return cr_make_param_array(int, cases, BR__MAX);
}

ParameterizedTest(int *br, sig, payload_refusals, .init = setup)
{
	struct cert_claims c = claims_a();
	char buf[SIG_PAYLOAD_MAX] = "untouched";
	unsigned char s[64], tok[VERIFY_TOKEN_MAX + 1];
	switch ((enum breakage)*br) {
	case BR_SERIAL_LOWER: strcpy(c.serial, "tm-sh-2026-j-000123-j"); break;
	case BR_SERIAL_CHECK: strcpy(c.serial, "TM-SH-2026-J-000123-H"); break;
	case BR_SERIAL_EMPTY: c.serial[0] = '\0'; break;
	case BR_SERIAL_UNTERMINATED: memset(c.serial, 'A', sizeof(c.serial)); break;
	case BR_REV_0: c.rev = 0; break;
	case BR_REV_256: c.rev = 256; break;
	case BR_LEVEL_MISMATCH: c.level = 'I'; break;
	case BR_LEVEL_LOWER: c.level = 'j'; break;
	case BR_ISSUED_FEB29: c.issued = (struct ymd){ 2027, 2, 29 }; break;
	case BR_ISSUED_MONTH13: c.issued = (struct ymd){ 2026, 13, 1 }; break;
	case BR_ISSUED_DAY0: c.issued = (struct ymd){ 2026, 3, 0 }; break;
	case BR_ISSUED_1999: c.issued = (struct ymd){ 1999, 12, 31 }; break;
	case BR_EXPIRES_2151: c.expires = (struct ymd){ 2151, 1, 1 }; break;
	case BR_EXPIRES_EQUAL: c.expires = c.issued; break;
	case BR_EXPIRES_BEFORE: c.expires = (struct ymd){ 2026, 2, 28 }; break;
	case BR_KEY_EMPTY: c.key_id[0] = '\0'; break;
	case BR_KEY_EQUALS: strcpy(c.key_id, "SH=1"); break;
	case BR_KEY_NEWLINE: strcpy(c.key_id, "SH\n1"); break;
	case BR_KEY_LOWER: strcpy(c.key_id, "sh1"); break;
	case BR_KEY_SPACE: strcpy(c.key_id, "SH 1"); break;
	case BR_KEY_TOO_LONG: memcpy(c.key_id, "ABCDEFGHI", 9); break;  /* no NUL in 9 bytes */
	case BR_KEY_UNTERMINATED: memset(c.key_id, 'A', sizeof(c.key_id)); break;
	case BR_KEY_UTF8: strcpy(c.key_id, "上1"); break;
	case BR__MAX: break;
	}
	cr_assert_not(cert_claims_valid(&c), "case %d", *br);
	cr_assert_eq(sig_payload(&c, buf, sizeof(buf)), -1, "case %d", *br);
	cr_assert_str_eq(buf, "untouched");
	cr_assert_eq(sig_sign(&c, skA, s), -1);
	cr_assert_eq(verify_token(&c, s, (char *)tok, sizeof(tok)), -1);
}

Test(sig, key_ids)
{
	cr_assert(cert_key_id_valid("SH1"));
	cr_assert(cert_key_id_valid("A"));
	cr_assert(cert_key_id_valid("SH-2026A"));
	cr_assert(cert_key_id_valid("ABCDEFGH"));
	cr_assert_not(cert_key_id_valid("ABCDEFGHI"));
	cr_assert_not(cert_key_id_valid(""));
	cr_assert_not(cert_key_id_valid(NULL));
	cr_assert_not(cert_key_id_valid("SH_1"));
	cr_assert_not(cert_key_id_valid("SH/1"));
	cr_assert_not(cert_key_id_valid("SH*1"));
}

/* ---- sign / verify ---- */

Test(sig, sign_vector)
{
	struct cert_claims c = claims_a();
	unsigned char s[64];
	cr_assert_eq(sig_sign(&c, skA, s), 0);
	assert_hex(s, 64, SIG_A);
	cr_assert_eq(sig_verify(&c, s, pkA), 0);
	/* the signature is of exactly the payload bytes */
	cr_assert_eq(crypto_sign_verify_detached(s, (const unsigned char *)PAYLOAD_A,
	    sizeof(PAYLOAD_A) - 1, pkA), 0);
}

Test(sig, other_key_refused)
{
	struct cert_claims c = claims_a();
	unsigned char sa[64], sb[64];
	cr_assert_eq(sig_sign(&c, skA, sa), 0);
	cr_assert_eq(sig_sign(&c, skB, sb), 0);
	cr_assert_eq(sig_verify(&c, sa, pkA), 0);
	cr_assert_eq(sig_verify(&c, sb, pkB), 0);
	cr_assert_eq(sig_verify(&c, sa, pkB), -1);
	cr_assert_eq(sig_verify(&c, sb, pkA), -1);
	cr_assert_neq(memcmp(sa, sb, 64), 0);
	/* all-zero and all-one signatures and keys */
	unsigned char z[64] = { 0 }, ff[64];
	memset(ff, 0xff, sizeof(ff));
	cr_assert_eq(sig_verify(&c, z, pkA), -1);
	cr_assert_eq(sig_verify(&c, ff, pkA), -1);
	cr_assert_eq(sig_verify(&c, sa, z), -1);
	cr_assert_eq(sig_verify(&c, sa, ff), -1);
}

Test(sig, every_payload_byte_change_fails)
{
	unsigned char s[64], p[sizeof(PAYLOAD_A)];
	size_t n = sizeof(PAYLOAD_A) - 1, tries = 0;
	struct cert_claims c = claims_a();
	cr_assert_eq(sig_sign(&c, skA, s), 0);
	for (size_t i = 0; i < n; i++) {
		static const unsigned char deltas[] = { 0x01, 0x02, 0x20, 0x80, 0xff };
		for (size_t d = 0; d < sizeof(deltas); d++) {
			memcpy(p, PAYLOAD_A, n);
			p[i] ^= deltas[d];
			cr_assert_eq(crypto_sign_verify_detached(s, p, n, pkA), -1, "byte %zu", i);
			tries++;
		}
	}
	/* truncated or extended */
	for (size_t k = 0; k < n; k++)
		cr_assert_eq(crypto_sign_verify_detached(s, (const unsigned char *)PAYLOAD_A, k, pkA),
		    -1);
	unsigned char longer[sizeof(PAYLOAD_A) + 1];
	memcpy(longer, PAYLOAD_A, n);
	longer[n] = '\n';
	cr_assert_eq(crypto_sign_verify_detached(s, longer, n + 1, pkA), -1);
	cr_assert_eq(tries, 5 * n);
}

Test(sig, every_claim_change_fails)
{
	struct cert_claims c = claims_a(), d;
	unsigned char s[64];
	cr_assert_eq(sig_sign(&c, skA, s), 0);

	d = c;
	strcpy(d.serial, "TM-SH-2026-J-000124-H");
	cr_assert_eq(sig_verify(&d, s, pkA), -1);
	d = c;
	strcpy(d.serial, "TM-SH-2026-I-000123-");
	d.serial[20] = serial_check_char("SH2026I000123", 13);
	d.level = 'I';
	cr_assert(cert_claims_valid(&d));
	cr_assert_eq(sig_verify(&d, s, pkA), -1);
	d = c;
	d.level = 'S';                          /* not the serial's level: invalid claims */
	cr_assert_eq(sig_verify(&d, s, pkA), -1);
	d = c;
	d.rev = 2;
	cr_assert_eq(sig_verify(&d, s, pkA), -1);
	for (int i = 0; i < HOLDER_HASH_BYTES; i++)
		for (int bit = 0; bit < 8; bit++) {
			d = c;
			d.holder[i] ^= (unsigned char)(1 << bit);
			cr_assert_eq(sig_verify(&d, s, pkA), -1, "holder byte %d bit %d", i, bit);
		}
	cr_assert_eq(holder_hash("张四", d.holder), 0);
	cr_assert_eq(sig_verify(&d, s, pkA), -1);
	d = c;
	d.issued.d = 2;
	cr_assert_eq(sig_verify(&d, s, pkA), -1);
	d = c;
	d.issued = (struct ymd){ 2026, 2, 28 };
	cr_assert_eq(sig_verify(&d, s, pkA), -1);
	d = c;
	d.expires = (struct ymd){ 2029, 3, 1 };
	cr_assert_eq(sig_verify(&d, s, pkA), -1);
	d = c;
	d.expires = (struct ymd){ 2030, 2, 28 };
	cr_assert_eq(sig_verify(&d, s, pkA), -1);
	d = c;
	strcpy(d.key_id, "SH2");
	cr_assert_eq(sig_verify(&d, s, pkA), -1);
	d = c;
	strcpy(d.key_id, "SH1-");
	cr_assert_eq(sig_verify(&d, s, pkA), -1);
	d = c;
	cr_assert_eq(sig_verify(&d, s, pkA), 0);
}

Test(sig, every_signature_bit_flip_fails)
{
	struct cert_claims c = claims_a();
	unsigned char s[64], t[64];
	cr_assert_eq(sig_sign(&c, skA, s), 0);
	for (int i = 0; i < 64; i++)
		for (int bit = 0; bit < 8; bit++) {
			memcpy(t, s, 64);
			t[i] ^= (unsigned char)(1 << bit);
			cr_assert_eq(sig_verify(&c, t, pkA), -1, "byte %d bit %d", i, bit);
		}
}

/* ---- base32 ---- */

struct b32_case {
	char raw[8];
	char enc[16];
};

ParameterizedTestParameters(sig, b32_rfc4648)
{
	/* RFC 4648 §10, padding removed */
	static struct b32_case cases[] = {
		{ "", "" }, { "f", "MY" }, { "fo", "MZXQ" }, { "foo", "MZXW6" },
		{ "foob", "MZXW6YQ" }, { "fooba", "MZXW6YTB" }, { "foobar", "MZXW6YTBOI" },
	};
	return cr_make_param_array(struct b32_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct b32_case *c, sig, b32_rfc4648)
{
	char out[32], lower[32];
	unsigned char back[8];
	size_t n = strlen(c->raw);
	cr_assert_eq(b32_len(n), strlen(c->enc));
	b32_encode((const unsigned char *)c->raw, n, out);
	cr_assert_str_eq(out, c->enc);
	cr_assert_eq(b32_decode(c->enc, strlen(c->enc), back, n), 0);
	cr_assert_eq(memcmp(back, c->raw, n), 0);
	for (size_t i = 0; i <= strlen(c->enc); i++)
		lower[i] = (char)((c->enc[i] >= 'A' && c->enc[i] <= 'Z') ? c->enc[i] + 32 : c->enc[i]);
	cr_assert_eq(b32_decode(lower, strlen(lower), back, n), 0);
	cr_assert_eq(memcmp(back, c->raw, n), 0);
}

Test(sig, b32_refusals)
{
	unsigned char b[8];
	cr_assert_eq(b32_decode("MY======", 8, b, 1), -1);     /* padding */
	cr_assert_eq(b32_decode("MY=", 3, b, 1), -1);
	cr_assert_eq(b32_decode("MZ", 2, b, 1), -1);           /* unused bits not zero */
	cr_assert_eq(b32_decode("M", 1, b, 1), -1);            /* short */
	cr_assert_eq(b32_decode("MYA", 3, b, 1), -1);          /* long */
	cr_assert_eq(b32_decode("M1", 2, b, 1), -1);           /* 0 1 8 9 are not base32 */
	cr_assert_eq(b32_decode("M0", 2, b, 1), -1);
	cr_assert_eq(b32_decode("M8", 2, b, 1), -1);
	cr_assert_eq(b32_decode("M ", 2, b, 1), -1);
	cr_assert_eq(b32_decode("M%", 2, b, 1), -1);
	cr_assert_eq(b32_decode("M\0", 2, b, 1), -1);
	cr_assert_eq(b32_decode(NULL, 0, b, 0), -1);
	cr_assert_eq(b32_decode("", 0, b, 0), 0);
	/* of the 32 last characters of a 1-byte text, only those with 2 zero low bits decode */
	int ok = 0;
	for (const char *p = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"; *p; p++) {
		char t[2] = { 'M', *p };
		ok += b32_decode(t, 2, b, 1) == 0;
	}
	cr_assert_eq(ok, 8);
}

Test(sig, sig_base32_vector)
{
	unsigned char s[64], back[64];
	char out[SIG_B32_LEN + 1];
	unhex(SIG_A, s, 64);
	sig_to_base32(s, out);
	cr_assert_eq(strlen(out), SIG_B32_LEN);
	cr_assert_str_eq(out, SIG_A_B32);
	cr_assert(qr_alnum(out));
	cr_assert_eq(sig_from_base32(out, SIG_B32_LEN, back), 0);
	cr_assert_eq(memcmp(back, s, 64), 0);
}

Test(sig, sig_base32_round_trips)
{
	unsigned char seed[randombytes_SEEDBYTES] = { 7 }, s[64], back[64];
	unsigned char many[64 * 2000];
	char out[SIG_B32_LEN + 1], lower[SIG_B32_LEN + 1];
	randombytes_buf_deterministic(many, sizeof(many), seed);
	for (int k = 0; k < 2000; k++) {
		memcpy(s, many + 64 * k, 64);
		sig_to_base32(s, out);
		cr_assert_eq(strlen(out), SIG_B32_LEN);
		cr_assert_eq(sig_from_base32(out, SIG_B32_LEN, back), 0);
		cr_assert_eq(memcmp(back, s, 64), 0);
		for (int i = 0; i <= SIG_B32_LEN; i++)
			lower[i] = (char)((out[i] >= 'A' && out[i] <= 'Z') ? out[i] + 32 : out[i]);
		cr_assert_eq(sig_from_base32(lower, SIG_B32_LEN, back), 0);
		cr_assert_eq(memcmp(back, s, 64), 0);
	}
}

Test(sig, sig_base32_refusals)
{
	unsigned char back[64], keep[64];
	char t[SIG_B32_LEN + 8];
	memset(back, 0x5a, sizeof(back));
	memcpy(keep, back, 64);
	cr_assert_eq(sig_from_base32(SIG_A_B32, SIG_B32_LEN - 1, back), -1);       /* truncated */
	snprintf(t, sizeof(t), "%sA", SIG_A_B32);
	cr_assert_eq(sig_from_base32(t, SIG_B32_LEN + 1, back), -1);               /* over-long */
	snprintf(t, sizeof(t), "%s=====", SIG_A_B32);
	cr_assert_eq(sig_from_base32(t, SIG_B32_LEN + 5, back), -1);               /* padded */
	/* 103 characters carry 515 bits: the last one must leave its 3 low bits zero */
	int ok = 0;
	for (const char *p = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"; *p; p++) {
		strcpy(t, SIG_A_B32);
		t[SIG_B32_LEN - 1] = *p;
		ok += sig_from_base32(t, SIG_B32_LEN, back) == 0;
	}
	cr_assert_eq(ok, 4);                    /* A I Q Y */
	memset(back, 0x5a, sizeof(back));
	/* base64url and percent-encoded forms */
	strcpy(t, SIG_A_B32);
	t[10] = '-';
	cr_assert_eq(sig_from_base32(t, SIG_B32_LEN, back), -1);
	t[10] = '%';
	cr_assert_eq(sig_from_base32(t, SIG_B32_LEN, back), -1);
	t[10] = '1';
	cr_assert_eq(sig_from_base32(t, SIG_B32_LEN, back), -1);
	cr_assert_eq(memcmp(back, keep, 64), 0);  /* untouched on failure */
}

/* ---- token ---- */

Test(sig, token_vector)
{
	struct cert_claims c = claims_a(), got;
	struct serial s;
	unsigned char sg[64], back[64];
	char tok[VERIFY_TOKEN_MAX + 1];
	cr_assert_eq(sig_sign(&c, skA, sg), 0);
	cr_assert_eq(verify_token(&c, sg, tok, sizeof(tok)), 168);
	cr_assert_str_eq(tok, TOKEN_A);
	/* days since 2000-01-01: issued 9556 (0x2554), expires 10651 (0x299b) */
	unsigned char raw[105];
	cr_assert_eq(b32_decode(tok, 168, raw, sizeof(raw)), 0);
	cr_assert_eq(raw[0], 1);
	cr_assert_eq(raw[1], 1);
	cr_assert_eq(raw[2] << 8 | raw[3], 9556);
	cr_assert_eq(raw[4] << 8 | raw[5], 10651);
	cr_assert_eq(memcmp(raw + 6, c.holder, 32), 0);
	cr_assert_eq(memcmp(raw + 38, sg, 64), 0);
	cr_assert_eq(memcmp(raw + 102, "SH1", 3), 0);

	cr_assert_eq(serial_parse(c.serial, strlen(c.serial), &s), SERIAL_OK);
	cr_assert_eq(verify_token_parse(&s, tok, strlen(tok), &got, back), 0);
	assert_claims_eq(&got, &c);
	cr_assert_eq(memcmp(back, sg, 64), 0);
	cr_assert_eq(sig_verify(&got, back, pkA), 0);
	/* a short buffer */
	cr_assert_eq(verify_token(&c, sg, tok, 168), -1);
	cr_assert_eq(verify_token(&c, sg, tok, 169), 168);
}

Test(sig, token_length_by_key_id)
{
	struct cert_claims c = claims_a(), got;
	struct serial s;
	unsigned char sg[64] = { 0 }, back[64];
	char tok[VERIFY_TOKEN_MAX + 1];
	static const char *ids[] = { "A", "AB", "ABC", "ABCD", "ABCDE", "ABCDEF", "ABCDEFG",
		"ABCDEFGH" };
	static const int lens[] = { 165, 167, 168, 170, 172, 173, 175, 176 };
	cr_assert_eq(serial_parse(c.serial, strlen(c.serial), &s), SERIAL_OK);
	for (int i = 0; i < 8; i++) {
		strcpy(c.key_id, ids[i]);
		cr_assert_eq(verify_token(&c, sg, tok, sizeof(tok)), lens[i]);
		cr_assert_eq((int)b32_len(VERIFY_TOKEN_FIXED + strlen(ids[i])), lens[i]);
		cr_assert_eq(verify_token_parse(&s, tok, strlen(tok), &got, back), 0);
		cr_assert_str_eq(got.key_id, ids[i]);
	}
	cr_assert_eq(VERIFY_TOKEN_MIN, 165);
	cr_assert_eq(VERIFY_TOKEN_MAX, 176);
}

/* Encodes raw token bytes (after editing them) and parses the result against serial A. */
static int
parse_raw(const unsigned char *raw, size_t n)
{
	char tok[2 * VERIFY_TOKEN_MAX];
	struct serial s;
	struct cert_claims got;
	unsigned char back[64];
	cr_assert_eq(serial_parse("TM-SH-2026-J-000123-J", 21, &s), SERIAL_OK);
	b32_encode(raw, n, tok);
	return verify_token_parse(&s, tok, strlen(tok), &got, back);
}

Test(sig, token_field_refusals)
{
	unsigned char raw[120];
	cr_assert_eq(b32_decode(TOKEN_A, 168, raw, 105), 0);
	cr_assert_eq(parse_raw(raw, 105), 0);
#define EDIT(off, val) do { unsigned char r2[120]; memcpy(r2, raw, 105); r2[off] = (val); \
	cr_assert_eq(parse_raw(r2, 105), -1, "byte %d = %d", off, val); } while (0)
	EDIT(0, 0);             /* version */
	EDIT(0, 2);
	EDIT(1, 0);             /* rev 0 */
	EDIT(2, 0xff);          /* issued after 2150 */
	EDIT(4, 0xff);          /* expires after 2150 */
	EDIT(4, 0x20);          /* expires 0x209b = 8347, before issued 9556 */
	EDIT(2, 0x2a);          /* issued 0x2a54 = 10836, after expires 10651 */
	EDIT(102, '=');         /* key id characters */
	EDIT(103, '\n');
	EDIT(104, 'a');
	EDIT(104, 0);
	EDIT(102, ' ');
#undef EDIT
	/* issued == expires, issued > expires */
	unsigned char r2[120];
	memcpy(r2, raw, 105);
	r2[2] = r2[4];
	r2[3] = r2[5];
	cr_assert_eq(parse_raw(r2, 105), -1);
	r2[3]++;
	cr_assert_eq(parse_raw(r2, 105), -1);
	r2[3] -= 2;
	cr_assert_eq(parse_raw(r2, 105), 0);    /* one day before expiry is fine to parse */
	/* no key id, a 9-character key id */
	cr_assert_eq(parse_raw(raw, 102), -1);
	memcpy(r2, raw, 102);
	memcpy(r2 + 102, "ABCDEFGHI", 9);
	cr_assert_eq(parse_raw(r2, 111), -1);
	memcpy(r2 + 102, "ABCDEFGH", 8);
	cr_assert_eq(parse_raw(r2, 110), 0);
}

Test(sig, token_text_refusals)
{
	struct serial s;
	struct cert_claims got;
	unsigned char back[64];
	char t[VERIFY_TOKEN_MAX + 8];
	cr_assert_eq(serial_parse("TM-SH-2026-J-000123-J", 21, &s), SERIAL_OK);
	cr_assert_eq(verify_token_parse(&s, TOKEN_A, 168, &got, back), 0);
	/*
	 * Truncated or extended: refused, except that a cut inside the key id can leave a
	 * well-formed token for a shorter key id ("S"), which then fails the signature.
	 */
	for (size_t n = 0; n <= 168 + 4; n++) {
		if (n == 168)
			continue;
		snprintf(t, sizeof(t), "%sAAAA", TOKEN_A);
		if (verify_token_parse(&s, t, n, &got, back) == 0) {
			cr_assert(n == 165 || n == 167, "length %zu", n);
			cr_assert_eq(sig_verify(&got, back, pkA), -1);
		}
	}
	/* 166 is no base32 length at all (b32_len(103) = 165, b32_len(104) = 167) */
	cr_assert_eq(verify_token_parse(&s, TOKEN_A, 166, &got, back), -1);
	strcpy(t, TOKEN_A);
	t[100] = '=';
	cr_assert_eq(verify_token_parse(&s, t, 168, &got, back), -1);
	cr_assert_eq(verify_token_parse(NULL, TOKEN_A, 168, &got, back), -1);
	cr_assert_eq(verify_token_parse(&s, NULL, 168, &got, back), -1);
}

/* Dates survive the token for every day of the range (days since 2000 both ways). */
Test(sig, token_dates_every_day)
{
	struct cert_claims c = claims_a(), got;
	struct serial s;
	unsigned char sg[64] = { 0 }, back[64];
	char tok[VERIFY_TOKEN_MAX + 1];
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int count = 0;
	cr_assert_eq(serial_parse(c.serial, strlen(c.serial), &s), SERIAL_OK);
	c.expires = (struct ymd){ 2150, 12, 31 };
	for (struct ymd d = { 2000, 1, 1 }; d.y < 2151;) {
		if (d.y == 2150 && d.m == 12 && d.d == 31)
			break;
		c.issued = d;
		cr_assert_eq(verify_token(&c, sg, tok, sizeof(tok)), 168);
		unsigned char raw[105];
		cr_assert_eq(b32_decode(tok, 168, raw, sizeof(raw)), 0);
		cr_assert_eq(raw[2] << 8 | raw[3], count, "%04d-%02d-%02d", d.y, d.m, d.d);
		cr_assert_eq(verify_token_parse(&s, tok, 168, &got, back), 0);
		cr_assert(got.issued.y == d.y && got.issued.m == d.m && got.issued.d == d.d,
		    "%04d-%02d-%02d", d.y, d.m, d.d);
		count++;
		int leap = (d.y % 4 == 0 && d.y % 100 != 0) || d.y % 400 == 0;
		if (++d.d > mdays[d.m - 1] + (d.m == 2 && leap)) {
			d.d = 1;
			if (++d.m > 12) {
				d.m = 1;
				d.y++;
			}
		}
	}
	cr_assert_eq(count, 55151);             /* 2150-12-31 is day 55151 */
}

/* ---- links ---- */

Test(sig, url_vector_and_qr_version)
{
	struct cert_claims c = claims_a();
	unsigned char sg[64];
	char url[VERIFY_URL_MAX + 1];
	cr_assert_eq(sig_sign(&c, skA, sg), 0);
	int n = verify_url(BASE, &c, sg, url, sizeof(url));
	cr_assert_eq(n, 213);
	cr_assert_str_eq(url, URL_A);
	cr_assert(qr_alnum(url));
	cr_assert_eq(qr_version_m((size_t)n), 8);
	/* a lower-case base is upper-cased */
	cr_assert_eq(verify_url("https://sh.tmcred.cn", &c, sg, url, sizeof(url)), 213);
	cr_assert_str_eq(url, URL_A);
	/* the longest link: 64-byte base, 4-letter node, 8-character key id */
	char base[VERIFY_BASE_MAX + 2];
	memset(base, 'A', sizeof(base));
	memcpy(base, "HTTPS://", 8);
	base[VERIFY_BASE_MAX] = '\0';
	cr_assert_eq(serial_format("ZJAH", 2026, 'J', 1, c.serial), 23);
	strcpy(c.key_id, "ABCDEFGH");
	cr_assert_eq(verify_url(base, &c, sg, url, sizeof(url)), VERIFY_URL_MAX);
	cr_assert_eq(VERIFY_URL_MAX, 267);
	cr_assert_eq(qr_version_m(VERIFY_URL_MAX), 10);
	cr_assert_eq(verify_url(base, &c, sg, url, VERIFY_URL_MAX), -1);
	base[VERIFY_BASE_MAX] = 'A';
	base[VERIFY_BASE_MAX + 1] = '\0';
	cr_assert_eq(verify_url(base, &c, sg, url, sizeof(url)), -1);
}

Test(sig, url_parse_round_trip)
{
	struct verify_link l;
	struct cert_claims c = claims_a();
	unsigned char sg[64];
	cr_assert_eq(sig_sign(&c, skA, sg), 0);
	cr_assert_eq(verify_url_parse(URL_A, strlen(URL_A), &l), VURL_OK);
	cr_assert_str_eq(l.base, BASE);
	assert_claims_eq(&l.claims, &c);
	cr_assert_eq(memcmp(l.sig, sg, 64), 0);
	cr_assert_eq(sig_verify(&l.claims, l.sig, pkA), 0);
	cr_assert_eq(sig_verify(&l.claims, l.sig, pkB), -1);

	/* what a phone may send: everything in lower case */
	char low[sizeof(URL_A)];
	for (size_t i = 0; i < sizeof(URL_A); i++)
		low[i] = (char)((URL_A[i] >= 'A' && URL_A[i] <= 'Z') ? URL_A[i] + 32 : URL_A[i]);
	cr_assert_eq(verify_url_parse(low, strlen(low), &l), VURL_OK);
	cr_assert_str_eq(l.base, BASE);
	assert_claims_eq(&l.claims, &c);
	cr_assert_eq(sig_verify(&l.claims, l.sig, pkA), 0);

	/* the server's view: the path only */
	const char *path = &URL_A[strlen(BASE)];
	cr_assert_eq(verify_path_parse(path, strlen(path), &l), VURL_OK);
	cr_assert_str_eq(l.base, "");
	cr_assert_eq(sig_verify(&l.claims, l.sig, pkA), 0);
	const char *lowpath = low + strlen(BASE);
	cr_assert_eq(verify_path_parse(lowpath, strlen(lowpath), &l), VURL_OK);
	cr_assert_eq(sig_verify(&l.claims, l.sig, pkA), 0);

	/* a base with a path and a port */
	char url[VERIFY_URL_MAX + 1];
	cr_assert_gt(verify_url("http://localhost:8080/node/sh", &c, sg, url, sizeof(url)), 0);
	cr_assert_eq(verify_url_parse(url, strlen(url), &l), VURL_OK);
	cr_assert_str_eq(l.base, "HTTP://LOCALHOST:8080/NODE/SH");
	cr_assert_eq(sig_verify(&l.claims, l.sig, pkA), 0);
	/* a base that itself holds "/V/" */
	cr_assert_gt(verify_url("https://x.cn/v/v", &c, sg, url, sizeof(url)), 0);
	cr_assert_eq(verify_url_parse(url, strlen(url), &l), VURL_OK);
	cr_assert_str_eq(l.base, "HTTPS://X.CN/V/V");
}

struct url_case {
	char url[300];
	enum vurl_err want;
};

#define SER "TM-SH-2026-J-000123-J"
ParameterizedTestParameters(sig, url_refusals)
{
	static struct url_case cases[] = {
		{ URL_A, VURL_OK },
		{ "", VURL_EFORMAT },
		{ "HTTPS://SH.TMCRED.CN", VURL_EFORMAT },
		{ BASE "/V/" SER, VURL_EFORMAT },
		{ BASE "/X/" SER "/" TOKEN_A, VURL_EFORMAT },
		{ BASE "/VV/" SER "/" TOKEN_A, VURL_EFORMAT },
		{ BASE "/" SER "/" TOKEN_A, VURL_EFORMAT },
		{ "/V/" SER "/" TOKEN_A, VURL_EBASE },
		{ "SH.TMCRED.CN/V/" SER "/" TOKEN_A, VURL_EBASE },
		{ "FTP://SH.TMCRED.CN/V/" SER "/" TOKEN_A, VURL_EBASE },
		{ "HTTPS:///V/" SER "/" TOKEN_A, VURL_EBASE },
		{ "HTTPS://SH.TMCRED.CN//V/" SER "/" TOKEN_A, VURL_EBASE },
		{ "HTTPS://SH_X.TMCRED.CN/V/" SER "/" TOKEN_A, VURL_EBASE },
		{ "HTTPS://SH.TMCRED.CN?/V/" SER "/" TOKEN_A, VURL_EBASE },
		{ "HTTPS://user@SH.TMCRED.CN/V/" SER "/" TOKEN_A, VURL_EBASE },
		{ " HTTPS://SH.TMCRED.CN/V/" SER "/" TOKEN_A, VURL_EBASE },
		/* the serial: a typing error is told apart from a forgery */
		{ BASE "/V/TM-SH-2026-J-000123-H/" TOKEN_A, VURL_ESERIAL },
		{ BASE "/V/TM-SH-2026-J-000124-J/" TOKEN_A, VURL_ESERIAL },
		{ BASE "/V//" TOKEN_A, VURL_ESERIAL },
		{ BASE "/V/TM%2DSH-2026-J-000123-J/" TOKEN_A, VURL_ESERIAL },
		/* the token */
		{ BASE "/V/" SER "/", VURL_ETOKEN },
		{ BASE "/V/" SER "/" TOKEN_A "/", VURL_EFORMAT },      /* read from the right */
		{ BASE "/V/" SER "/" TOKEN_A "A", VURL_ETOKEN },
		{ BASE "/V/" SER "/" TOKEN_A "=", VURL_ETOKEN },
		{ BASE "/V/" SER "/" TOKEN_A "#X", VURL_ETOKEN },
		{ BASE "/V/" SER "?S=" SIG_A_B32, VURL_EFORMAT },
		{ BASE "/V/" SER "/?S=" TOKEN_A, VURL_ETOKEN },
		{ BASE "/V/" SER "/" SIG_A_B32, VURL_ETOKEN },          /* a bare signature */
		{ BASE "/V/" SER "/%41" TOKEN_A, VURL_ETOKEN },
		{ BASE "/V/" SER "/ " TOKEN_A, VURL_ETOKEN },
	};
	return cr_make_param_array(struct url_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct url_case *c, sig, url_refusals, .init = setup)
{
	struct verify_link l;
	enum vurl_err e = verify_url_parse(c->url, strlen(c->url), &l);
	cr_assert_eq(e, c->want, "%s: got %s, want %s", c->url, vurl_err_code(e),
	    vurl_err_code(c->want));
	if (e == VURL_ESERIAL)
		cr_assert_neq(l.serial_err, SERIAL_OK);
}

Test(sig, url_serial_error_kept)
{
	struct verify_link l;
	const char *u = BASE "/V/TM-SH-2026-J-000123-H/" TOKEN_A;
	cr_assert_eq(verify_url_parse(u, strlen(u), &l), VURL_ESERIAL);
	cr_assert_eq(l.serial_err, SERIAL_ECHECKSUM);
	u = BASE "/V/TM-SH-1999-J-000123-H/" TOKEN_A;
	cr_assert_eq(verify_url_parse(u, strlen(u), &l), VURL_ESERIAL);
	cr_assert_eq(l.serial_err, SERIAL_EYEAR);
	cr_assert_eq(verify_path_parse("/V/", 3, &l), VURL_EFORMAT);
	cr_assert_eq(verify_path_parse("V/" SER "/" TOKEN_A, strlen("V/" SER "/" TOKEN_A), &l),
	    VURL_EFORMAT);
	cr_assert_eq(verify_url_parse(NULL, 5, &l), VURL_EFORMAT);
}

/*
 * The issue's attack list: every single-character change of the serial or the token part of a
 * genuine link reads as malformed or fails the signature; none reads as valid. Case changes
 * only are the same link (the parser normalises), so they stay valid.
 */
Test(sig, every_single_character_change_never_valid)
{
	static const char repl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	    "-*/%?=#. +$:_~";
	struct verify_link l;
	char u[sizeof(URL_A)];
	size_t n = strlen(URL_A), start = strlen(BASE "/V/"), changes = 0, parsed = 0;
	for (size_t pos = start; pos < n; pos++) {
		for (const char *r = repl; *r; r++) {
			char up = (*r >= 'a' && *r <= 'z') ? (char)(*r - 32) : *r;
			if (up == URL_A[pos])
				continue;
			memcpy(u, URL_A, sizeof(u));
			u[pos] = *r;
			changes++;
			if (verify_url_parse(u, n, &l) != VURL_OK)
				continue;
			parsed++;
			cr_assert_eq(sig_verify(&l.claims, l.sig, pkA), -1, "accepted: %s", u);
		}
	}
	cr_assert_gt(changes, 13000);
	/* most token changes parse (they are well-formed), and still fail the signature */
	cr_assert_gt(parsed, 4000);
}

Test(sig, base_valid)
{
	cr_assert(verify_base_valid("HTTPS://SH.TMCRED.CN"));
	cr_assert(verify_base_valid("https://sh.tmcred.cn"));
	cr_assert(verify_base_valid("HTTP://127.0.0.1:8080"));
	cr_assert(verify_base_valid("HTTPS://TMCRED.CN/SH"));
	cr_assert_not(verify_base_valid("HTTPS://SH.TMCRED.CN/"));
	cr_assert_not(verify_base_valid("HTTPS://"));
	cr_assert_not(verify_base_valid("HTTPS:"));
	cr_assert_not(verify_base_valid("SH.TMCRED.CN"));
	cr_assert_not(verify_base_valid("HTTPS://SH.TMCRED.CN?X"));
	cr_assert_not(verify_base_valid("HTTPS://SH.TMCRED.CN#X"));
	cr_assert_not(verify_base_valid("HTTPS://SH.TMCRED.CN/%41"));
	cr_assert_not(verify_base_valid("HTTPS://SH.TMCRED.CN//X"));
	cr_assert_not(verify_base_valid("HTTPS://SH TMCRED.CN"));
	cr_assert_not(verify_base_valid(NULL));
	cr_assert_not(verify_base_valid(""));
}

Test(sig, vurl_codes_and_messages)
{
	static const char *codes[] = { "ok", "verify_url_format", "verify_url_base",
		"verify_url_serial", "verify_url_token" };
	for (int e = VURL_OK; e <= VURL_ETOKEN; e++) {
		cr_assert_str_eq(vurl_err_code((enum vurl_err)e), codes[e]);
		cr_assert_gt(strlen(vurl_err_message((enum vurl_err)e)), 6);
		for (int f = VURL_OK; f < e; f++)
			cr_assert_str_neq(vurl_err_message((enum vurl_err)e),
			    vurl_err_message((enum vurl_err)f));
	}
	cr_assert_str_eq(vurl_err_code((enum vurl_err)42), "verify_url_invalid");
}

/* The renewal case: same serial, rev 2, new dates: the old link still verifies as what it was. */
Test(sig, renewal_keeps_serial_new_signature)
{
	struct cert_claims c1 = claims_a(), c2 = claims_a();
	unsigned char s1[64], s2[64];
	char u1[VERIFY_URL_MAX + 1], u2[VERIFY_URL_MAX + 1];
	struct verify_link l;
	c2.rev = 2;
	c2.issued = (struct ymd){ 2029, 1, 15 };
	c2.expires = (struct ymd){ 2032, 2, 28 };
	cr_assert_eq(sig_sign(&c1, skA, s1), 0);
	cr_assert_eq(sig_sign(&c2, skA, s2), 0);
	cr_assert_gt(verify_url(BASE, &c1, s1, u1, sizeof(u1)), 0);
	cr_assert_gt(verify_url(BASE, &c2, s2, u2, sizeof(u2)), 0);
	cr_assert_str_neq(u1, u2);
	cr_assert_eq(verify_url_parse(u1, strlen(u1), &l), VURL_OK);
	cr_assert_eq(l.claims.rev, 1);
	cr_assert_eq(sig_verify(&l.claims, l.sig, pkA), 0);
	cr_assert_eq(verify_url_parse(u2, strlen(u2), &l), VURL_OK);
	cr_assert_eq(l.claims.rev, 2);
	cr_assert_eq(sig_verify(&l.claims, l.sig, pkA), 0);
	/* rev 1's signature with rev 2's claims */
	cr_assert_eq(sig_verify(&c2, s1, pkA), -1);
}
