/*
 * certs/statement: the signed credit statement's number, payload, signature, token and link.
 * The expected texts below were computed outside this code, in Python (hashlib.blake2b, the
 * `cryptography` package's Ed25519, base64.b32encode) from the layout in certs/statement.h;
 * the key is the one of test_signature.c (seed 00 01 ... 1f).
 */
#include <criterion/criterion.h>
#include <sodium.h>
#include <string.h>

#include "certs/keyset.h"
#include "certs/statement.h"

static unsigned char pk[32], sk[64];

static void
setup(void)
{
	unsigned char seed[32];
	cr_assert_geq(sodium_init(), 0);
	for (int i = 0; i < 32; i++)
		seed[i] = (unsigned char)i;
	cr_assert_eq(crypto_sign_seed_keypair(pk, sk, seed), 0);
}

TestSuite(stmt, .init = setup);

#define NO "CS-SH-2026-000042-U"
#define SIG_HEX "b08d07562ee999e812191ba994ec0ba00fccf3e34418dbf7226bade23f748ea5" \
	"ec72a785f44e3437f502881512333286c1ca6de20a92418d3ed5fa335d93190c"
#define TOKEN "AETGGGADACAQAOAABQALJADYAA6AAKAAAAALIADYAAAAAAAAAAALIADYF57TGEA53OZ7OGYEZMIEAQFM" \
	"AECUMRC7ODF3NBSSB2AXBCRURW63BDIHKYXOTGPICIMRXKMU5QF2AD6M6PRUIGG364RGXLPCH52I5JPM" \
	"OKTYL5COGQ37KAUICUJDGMUGYHFG3YQKSJAY2PWV7IZV3EYZBRJUQMI"
#define URL "HTTPS://SH.TMCRED.CN/V/" NO "/" TOKEN

static const char PAYLOAD[] =
	"tmcred-stmt-v1\n"
	"no=CS-SH-2026-000042-U\n"
	"holder=2f7f33101ddbb3f71b04cb104040ac010546445f70cbb686520e81708a348dbd\n"
	"issued=2026-11-27\n"
	"year=2024 total_x2=185 professional_x2=129 general_x2=56 compulsory_x2=12 required_x2=180 required_professional_x2=120 met=1\n"
	"year=2025 total_x2=100 professional_x2=60 general_x2=40 compulsory_x2=0 required_x2=180 required_professional_x2=120 met=0\n"
	"year=2026 total_x2=0 professional_x2=0 general_x2=0 compulsory_x2=0 required_x2=180 required_professional_x2=120 met=0\n"
	"key=SH1\n";

static struct stmt_claims
claims(void)
{
	struct stmt_claims c;
	memset(&c, 0, sizeof(c));
	strcpy(c.no, NO);
	cr_assert_eq(holder_hash("张三", c.holder), 0);
	c.issued = (struct ymd){ 2026, 11, 27 };
	c.n_years = 3;
	c.years[0] = (struct stmt_year){ 2024, 185, 129, 56, 12, 180, 120, true };
	c.years[1] = (struct stmt_year){ 2025, 100, 60, 40, 0, 180, 120, false };
	c.years[2] = (struct stmt_year){ 2026, 0, 0, 0, 0, 180, 120, false };
	strcpy(c.key_id, "SH1");
	return c;
}

Test(stmt, number_format_and_check_character)
{
	char out[STMT_NO_MAX + 1];
	cr_assert_eq(stmt_no_format("SH", 2026, 42, out), 19);
	cr_assert_str_eq(out, NO);
	cr_assert_eq(stmt_no_format("JS", 2099, 999999, out), 19);
	cr_assert_str_eq(out, "CS-JS-2099-999999-D");
	cr_assert_eq(stmt_no_format("ABCD", 2000, 1, out), 21);
	cr_assert_str_eq(out, "CS-ABCD-2000-000001-R");
	cr_assert_eq(stmt_no_format("S", 2026, 1, out), -1);
	cr_assert_eq(stmt_no_format("sh", 2026, 1, out), -1);
	cr_assert_eq(stmt_no_format("SH", 2026, 0, out), -1);
	cr_assert_eq(stmt_no_format("SH", 1999, 1, out), -1);
}

Test(stmt, number_parse_names_each_fault)
{
	struct stmt_no n;
	cr_assert_eq(stmt_no_parse(NO, strlen(NO), &n), SERIAL_OK);
	cr_assert_str_eq(n.node, "SH");
	cr_assert_eq(n.year, 2026);
	cr_assert_eq(n.seq, 42u);
	cr_assert_eq(stmt_no_parse("cs-sh-2026-000042-u", 19, &n), SERIAL_OK);
	cr_assert_str_eq(n.text, NO);
	cr_assert_eq(stmt_no_parse("CS-SH-2026-000042-V", 19, &n), SERIAL_ECHECKSUM);
	cr_assert_eq(stmt_no_parse("CS-SH-2026-000043-U", 19, &n), SERIAL_ECHECKSUM);
	cr_assert_eq(stmt_no_parse("TM-SH-2026-000042-U", 19, &n), SERIAL_EFORMAT);
	cr_assert_eq(stmt_no_parse("CS-S1-2026-000042-U", 19, &n), SERIAL_ENODE);
	cr_assert_eq(stmt_no_parse("CS-SH-20X6-000042-U", 19, &n), SERIAL_EYEAR);
	cr_assert_eq(stmt_no_parse("CS-SH-1999-000042-U", 19, &n), SERIAL_EYEAR);
	cr_assert_eq(stmt_no_parse("CS-SH-2026-000000-U", 19, &n), SERIAL_ESEQUENCE);
	cr_assert_eq(stmt_no_parse("CS-SH-2026-00042-U", 18, &n), SERIAL_EFORMAT);
	cr_assert_eq(stmt_no_parse("CS-SH-2026-000042-U ", 20, &n), SERIAL_EFORMAT);
	/* a certificate serial is never a statement number, nor the other way round */
	cr_assert_eq(stmt_no_parse("TM-SH-2026-J-000123-J", 21, &n), SERIAL_EFORMAT);
	struct serial s;
	cr_assert_neq(serial_parse(NO, strlen(NO), &s), SERIAL_OK);
	cr_assert(stmt_no_like("cs-x", 4));
	cr_assert(!stmt_no_like("TM-SH", 5));
}

Test(stmt, payload_is_the_documented_bytes)
{
	struct stmt_claims c = claims();
	char p[STMT_PAYLOAD_MAX];
	cr_assert_eq(stmt_payload(&c, p, sizeof(p)), (int)strlen(PAYLOAD));
	cr_assert_str_eq(p, PAYLOAD);
	cr_assert_eq(stmt_payload(&c, p, strlen(PAYLOAD)), -1);  /* no room for the NUL */
}

Test(stmt, sign_matches_reference_and_verifies)
{
	struct stmt_claims c = claims();
	unsigned char sig[SIG_BYTES], want[SIG_BYTES];
	cr_assert_eq(sodium_hex2bin(want, sizeof(want), SIG_HEX, strlen(SIG_HEX), NULL, NULL, NULL), 0);
	cr_assert_eq(stmt_sign(&c, sk, sig), 0);
	cr_assert_eq(memcmp(sig, want, SIG_BYTES), 0);
	cr_assert_eq(stmt_verify(&c, sig, pk), 0);
	/* every signed figure matters */
	struct stmt_claims d = claims();
	d.years[1].professional_x2++;
	d.years[1].total_x2++;
	cr_assert_eq(stmt_verify(&d, sig, pk), -1);
	d = claims();
	d.years[0].met = false;
	cr_assert_eq(stmt_verify(&d, sig, pk), -1);
	d = claims();
	d.years[2].required_prof_x2 = 119;
	cr_assert_eq(stmt_verify(&d, sig, pk), -1);
	d = claims();
	d.holder[0] ^= 1;
	cr_assert_eq(stmt_verify(&d, sig, pk), -1);
}

Test(stmt, claims_that_cannot_be_signed)
{
	struct stmt_claims c = claims();
	unsigned char sig[SIG_BYTES];
	cr_assert(stmt_claims_valid(&c));
	c.years[0].total_x2 = 184;                          /* total != professional + general */
	cr_assert(!stmt_claims_valid(&c));
	c = claims();
	c.years[1].year = 2026;                             /* not consecutive */
	cr_assert(!stmt_claims_valid(&c));
	c = claims();
	c.issued = (struct ymd){ 2025, 12, 31 };           /* a year after the issue date */
	cr_assert(!stmt_claims_valid(&c));
	c = claims();
	c.years[0].compulsory_x2 = 57;                      /* more compulsory than general */
	cr_assert(!stmt_claims_valid(&c));
	c = claims();
	c.n_years = 0;
	cr_assert(!stmt_claims_valid(&c));
	c.n_years = STMT_YEARS_MAX + 1;
	cr_assert(!stmt_claims_valid(&c));
	c = claims();
	strcpy(c.key_id, "SH=1");
	cr_assert(!stmt_claims_valid(&c));
	cr_assert_eq(stmt_sign(&c, sk, sig), -1);
	c = claims();
	strcpy(c.no, "CS-SH-2026-000042-V");
	cr_assert(!stmt_claims_valid(&c));
}

Test(stmt, token_and_link_match_reference_and_round_trip)
{
	struct stmt_claims c = claims();
	unsigned char sig[SIG_BYTES];
	char tok[STMT_TOKEN_MAX + 1], url[STMT_URL_MAX + 1];
	cr_assert_eq(stmt_sign(&c, sk, sig), 0);
	cr_assert_eq(stmt_token(&c, sig, tok, sizeof(tok)), (int)strlen(TOKEN));
	cr_assert_str_eq(tok, TOKEN);
	cr_assert_eq(stmt_url("https://sh.tmcred.cn", &c, sig, url, sizeof(url)), (int)strlen(URL));
	cr_assert_str_eq(url, URL);

	struct stmt_link l;
	cr_assert_eq(stmt_url_parse(URL, strlen(URL), &l), VURL_OK);
	cr_assert_str_eq(l.base, "HTTPS://SH.TMCRED.CN");
	cr_assert_eq(memcmp(l.sig, sig, SIG_BYTES), 0);
	cr_assert_eq(stmt_verify(&l.claims, l.sig, pk), 0);
	cr_assert_eq(l.claims.n_years, 3u);
	cr_assert_eq(l.claims.years[0].compulsory_x2, 12u);
	cr_assert_str_eq(l.claims.key_id, "SH1");

	/* lower case is the same link; the path alone parses the same */
	char low[sizeof(URL)];
	for (size_t i = 0; i < sizeof(URL); i++)
		low[i] = (char)((URL[i] >= 'A' && URL[i] <= 'Z') ? URL[i] + 32 : URL[i]);
	cr_assert_eq(stmt_url_parse(low, strlen(low), &l), VURL_OK);
	cr_assert_eq(stmt_verify(&l.claims, l.sig, pk), 0);
	const char *path = URL + strlen("HTTPS://SH.TMCRED.CN");
	cr_assert_eq(stmt_path_parse(path, strlen(path), &l), VURL_OK);
}

Test(stmt, altered_links_are_refused_or_fail_the_signature)
{
	char u[sizeof(URL)];
	struct stmt_link l;
	/* every single-character change of the token either breaks the parse or the signature */
	size_t tok_at = strlen(URL) - strlen(TOKEN);
	for (size_t i = tok_at; i < strlen(URL); i++) {
		memcpy(u, URL, sizeof(URL));
		u[i] = u[i] == 'A' ? 'B' : 'A';
		if (stmt_url_parse(u, strlen(u), &l) == VURL_OK)
			cr_assert_neq(stmt_verify(&l.claims, l.sig, pk), 0, "position %zu", i);
	}
	memcpy(u, URL, sizeof(URL));
	u[tok_at - 2] = 'V';                                /* the number's check character */
	cr_assert_eq(stmt_url_parse(u, strlen(u), &l), VURL_ESERIAL);
	cr_assert_eq(stmt_url_parse(URL, strlen(URL) - 1, &l), VURL_ETOKEN);
	cr_assert_eq(stmt_url_parse("HTTPS://SH.TMCRED.CN/X/" NO "/" TOKEN,
	    strlen(URL), &l), VURL_EFORMAT);
	/* a certificate link is not a statement link */
	const char *cert = "/V/TM-SH-2026-J-000123-J/" TOKEN;
	cr_assert_eq(stmt_path_parse(cert, strlen(cert), &l), VURL_ESERIAL);
}

Test(stmt, figures_over_fifteen_bits_are_refused)
{
	struct stmt_claims c = claims();
	c.years[0].professional_x2 = 32768;
	c.years[0].total_x2 = 32768 + c.years[0].general_x2;
	cr_assert(!stmt_claims_valid(&c));
	c = claims();
	c.years[0].required_prof_x2 = 32768;
	c.years[0].required_x2 = 32768;
	cr_assert(!stmt_claims_valid(&c));
}

Test(stmt, key_check_applies_the_key_set_rules)
{
	struct stmt_claims c = claims();
	unsigned char sig[SIG_BYTES];
	char p[STMT_PAYLOAD_MAX];
	struct keyset ks;
	memset(&ks, 0, sizeof(ks));
	strcpy(ks.node, "SH");
	ks.n = 1;
	strcpy(ks.keys[0].id, "SH1");
	memcpy(ks.keys[0].pk, pk, 32);
	ks.keys[0].valid_from = (struct ymd){ 2026, 1, 1 };
	cr_assert_eq(stmt_sign(&c, sk, sig), 0);
	int n = stmt_payload(&c, p, sizeof(p));
	cr_assert_eq(key_check(&ks, "SH", "SH1", c.issued, p, (size_t)n, sig), CHECK_GENUINE);
	cr_assert_eq(key_check(&ks, "JS", "SH1", c.issued, p, (size_t)n, sig), CHECK_OTHER_NODE);
	cr_assert_eq(key_check(&ks, "SH", "SH2", c.issued, p, (size_t)n, sig), CHECK_UNKNOWN_KEY);
	ks.keys[0].has_until = 1;
	ks.keys[0].valid_until = (struct ymd){ 2026, 6, 30 };
	cr_assert_eq(key_check(&ks, "SH", "SH1", c.issued, p, (size_t)n, sig), CHECK_KEY_WINDOW);
	p[20] ^= 1;
	cr_assert_eq(key_check(&ks, "SH", "SH1", c.issued, p, (size_t)n, sig), CHECK_FORGED);
}

Test(stmt, longest_claims_fit_every_buffer)
{
	struct stmt_claims c;
	unsigned char sig[SIG_BYTES];
	char p[STMT_PAYLOAD_MAX], url[STMT_URL_MAX + 1];
	memset(&c, 0, sizeof(c));
	cr_assert_eq(stmt_no_format("ABCD", 2099, 999999, c.no), STMT_NO_MAX);
	memset(c.holder, 0xff, sizeof(c.holder));
	c.issued = (struct ymd){ 2099, 12, 31 };
	c.n_years = STMT_YEARS_MAX;
	for (unsigned i = 0; i < STMT_YEARS_MAX; i++)
		c.years[i] = (struct stmt_year){ 2095 + (int)i, 32767, 16384, 16383, 16383, 32767,
			32767, true };
	strcpy(c.key_id, "ABCDEFGH");
	cr_assert_gt(stmt_payload(&c, p, sizeof(p)), 650);
	cr_assert_eq(stmt_sign(&c, sk, sig), 0);
	char base[VERIFY_BASE_MAX + 1];
	memset(base, 'A', VERIFY_BASE_MAX);
	memcpy(base, "HTTPS://", 8);
	base[VERIFY_BASE_MAX] = '\0';
	int n = stmt_url(base, &c, sig, url, sizeof(url));
	cr_assert_eq(n, STMT_URL_MAX);
	struct stmt_link l;
	cr_assert_eq(stmt_url_parse(url, (size_t)n, &l), VURL_OK);
	cr_assert_eq(stmt_verify(&l.claims, l.sig, pk), 0);
}
