/*
 * courses/idnumber: GB 11643-1999 validation in the order of domain.md §8c
 * (length, charset, province, birth date, checksum).
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

#include "courses/idnumber.h"

static const struct ymd TODAY = { 2026, 11, 27 };

/* An 18-character number with a correct check char: 6-digit address, YYYYMMDD, 3-digit seq. */
static void
make_id(char out[19], const char *addr6, int y, int m, int d, const char *seq3)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%.6s%04d%02d%02d%.3s", addr6, y, m, d, seq3);
	cr_assert_eq(strlen(buf), 17, "bad test input");
	memcpy(out, buf, 17);
	out[17] = id_check_char(out);
	out[18] = '\0';
}

static enum id_err
check(const char *s, struct ymd today, char out[19])
{
	return id_validate(s, strlen(s), today, out);
}

/* ---- the standard's vectors ---- */

Test(idnumber, standard_example_valid)
{
	char out[19];
	cr_assert_eq(check("11010519491231002X", TODAY, out), ID_OK);
	cr_assert_str_eq(out, "11010519491231002X");
	cr_assert_eq(id_check_char("11010519491231002"), 'X');
}

Test(idnumber, domain_vectors)
{
	char out[19];
	cr_assert_eq(check("34052419800101001X", TODAY, out), ID_OK);
	cr_assert_str_eq(out, "34052419800101001X");
	cr_assert_eq(check("340524198001010013", TODAY, out), ID_ECHECKSUM);
	cr_assert_eq(check("310101199001011234", TODAY, out), ID_OK);
	cr_assert_str_eq(out, "310101199001011234");
}

Test(idnumber, lowercase_x_canonicalised)
{
	char out[19];
	memset(out, 0, sizeof(out));
	cr_assert_eq(check("11010519491231002x", TODAY, out), ID_OK);
	cr_assert_str_eq(out, "11010519491231002X");
	cr_assert_eq(check("34052419800101001x", TODAY, out), ID_OK);
	cr_assert_str_eq(out, "34052419800101001X");
}

Test(idnumber, check_char_vs_x)
{
	char out[19];
	/* A valid number ending in a digit: replacing it by X (either case) is a checksum error. */
	cr_assert_eq(check("31010119900101123X", TODAY, out), ID_ECHECKSUM);
	cr_assert_eq(check("31010119900101123x", TODAY, out), ID_ECHECKSUM);
}

/* ---- every single-digit typo is caught ---- */

Test(idnumber, every_mistyped_digit_refused)
{
	static const char *bases[] = { "310101199001011234", "11010519491231002X",
		"34052419800101001X", "440301200001010015" };
	char out[19];
	for (size_t b = 0; b < sizeof(bases) / sizeof(bases[0]); b++) {
		char base[19];
		memcpy(base, bases[b], 19);
		if (b == 3)
			base[17] = id_check_char(base);
		cr_assert_eq(id_validate(base, 18, TODAY, out), ID_OK, "base %s", base);
		for (int pos = 0; pos < 18; pos++) {
			for (char d = '0'; d <= '9'; d++) {
				char s[19];
				memcpy(s, base, 19);
				if (s[pos] == d)
					continue;
				s[pos] = d;
				enum id_err rc = id_validate(s, 18, TODAY, out);
				cr_assert_neq(rc, ID_OK, "typo at %d accepted: %s", pos, s);
				if (pos <= 1)
					cr_assert(rc == ID_EPROVINCE || rc == ID_ECHECKSUM, "%s: %d", s, rc);
				else if (pos >= 6 && pos <= 13)
					cr_assert(rc == ID_EBIRTHDATE || rc == ID_ECHECKSUM, "%s: %d", s, rc);
				else
					cr_assert_eq(rc, ID_ECHECKSUM, "%s: %d", s, rc);
			}
		}
	}
}

Test(idnumber, swapped_adjacent_digits_refused)
{
	/* MOD 11-2 also catches transpositions of different adjacent digits. */
	const char *base = "310101199001011234";
	char out[19];
	for (int pos = 0; pos < 16; pos++) {
		char s[19];
		memcpy(s, base, 19);
		if (s[pos] == s[pos + 1])
			continue;
		char t = s[pos];
		s[pos] = s[pos + 1];
		s[pos + 1] = t;
		cr_assert_neq(id_validate(s, 18, TODAY, out), ID_OK, "swap at %d accepted: %s", pos, s);
	}
}

/* ---- birth date ---- */

struct date_case {
	int y, m, d;
	struct ymd today;
	enum id_err want;
};

ParameterizedTestParameters(idnumber, birth_dates)
{
	static struct date_case cases[] = {
		/* 29 February */
		{ 2000, 2, 29, { 2026, 11, 27 }, ID_OK },
		{ 1996, 2, 29, { 2026, 11, 27 }, ID_OK },
		{ 2001, 2, 29, { 2026, 11, 27 }, ID_EBIRTHDATE },
		{ 2001, 2, 28, { 2026, 11, 27 }, ID_OK },
		{ 1900, 2, 29, { 1990, 1, 1 }, ID_EBIRTHDATE },   /* 1900 is not a leap year */
		{ 1900, 2, 28, { 1990, 1, 1 }, ID_OK },
		/* impossible dates */
		{ 1990, 0, 1, { 2026, 11, 27 }, ID_EBIRTHDATE },
		{ 1990, 13, 1, { 2026, 11, 27 }, ID_EBIRTHDATE },
		{ 1990, 1, 0, { 2026, 11, 27 }, ID_EBIRTHDATE },
		{ 1990, 1, 32, { 2026, 11, 27 }, ID_EBIRTHDATE },
		{ 1990, 4, 31, { 2026, 11, 27 }, ID_EBIRTHDATE },
		{ 1990, 4, 30, { 2026, 11, 27 }, ID_OK },
		{ 1990, 12, 31, { 2026, 11, 27 }, ID_OK },
		/* before 1900 */
		{ 1899, 12, 31, { 1990, 1, 1 }, ID_EBIRTHDATE },
		{ 1900, 1, 1, { 1990, 1, 1 }, ID_OK },
		{ 1800, 6, 1, { 1890, 1, 1 }, ID_EBIRTHDATE },
		/* future */
		{ 2027, 1, 1, { 2026, 11, 27 }, ID_EBIRTHDATE },
		{ 2026, 11, 28, { 2026, 11, 27 }, ID_EBIRTHDATE },
		{ 2026, 11, 27, { 2026, 11, 27 }, ID_EBIRTHDATE },  /* born today: age 0 */
		/* age 16 boundary */
		{ 2010, 11, 27, { 2026, 11, 27 }, ID_OK },           /* 16th birthday today */
		{ 2010, 11, 28, { 2026, 11, 27 }, ID_EBIRTHDATE },   /* 16 tomorrow */
		{ 2010, 12, 1, { 2026, 11, 27 }, ID_EBIRTHDATE },
		{ 2011, 1, 1, { 2026, 11, 27 }, ID_EBIRTHDATE },
		/* age 100 boundary */
		{ 1926, 11, 27, { 2026, 11, 27 }, ID_OK },           /* 100 today */
		{ 1925, 11, 28, { 2026, 11, 27 }, ID_OK },           /* 101 tomorrow */
		{ 1925, 11, 27, { 2026, 11, 27 }, ID_EBIRTHDATE },   /* 101 today */
		{ 1920, 1, 1, { 2026, 11, 27 }, ID_EBIRTHDATE },
	};
	return cr_make_param_array(struct date_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct date_case *c, idnumber, birth_dates)
{
	char id[19], out[19];
	make_id(id, "310101", c->y, c->m, c->d, "123");
	cr_assert_eq(id_validate(id, 18, c->today, out), c->want, "%s on %04d-%02d-%02d",
	    id, c->today.y, c->today.m, c->today.d);
	if (c->want == ID_OK)
		cr_assert_str_eq(out, id);
}

Test(idnumber, ymd_valid)
{
	cr_assert(ymd_valid((struct ymd){ 2000, 2, 29 }));
	cr_assert(ymd_valid((struct ymd){ 2024, 2, 29 }));
	cr_assert_not(ymd_valid((struct ymd){ 1900, 2, 29 }));
	cr_assert_not(ymd_valid((struct ymd){ 2100, 2, 29 }));
	cr_assert_not(ymd_valid((struct ymd){ 2023, 2, 29 }));
	cr_assert(ymd_valid((struct ymd){ 2023, 12, 31 }));
	cr_assert_not(ymd_valid((struct ymd){ 2023, 6, 31 }));
	cr_assert_not(ymd_valid((struct ymd){ 2023, 0, 1 }));
	cr_assert_not(ymd_valid((struct ymd){ 2023, 13, 1 }));
	cr_assert_not(ymd_valid((struct ymd){ 2023, 1, 0 }));
}

Test(idnumber, today_utc_is_a_date)
{
	struct ymd t = ymd_today_utc();
	cr_assert(ymd_valid(t));
	cr_assert_geq(t.y, 2024);
}

/* ---- province prefix ---- */

struct prov_case {
	char p[3];
	enum id_err want;
};

ParameterizedTestParameters(idnumber, province)
{
	static struct prov_case cases[] = {
		{ "00", ID_EPROVINCE }, { "09", ID_EPROVINCE }, { "10", ID_EPROVINCE },
		{ "11", ID_OK }, { "15", ID_OK }, { "16", ID_EPROVINCE },
		{ "20", ID_EPROVINCE }, { "21", ID_OK }, { "23", ID_OK }, { "24", ID_EPROVINCE },
		{ "30", ID_EPROVINCE }, { "31", ID_OK }, { "37", ID_OK }, { "38", ID_EPROVINCE },
		{ "40", ID_EPROVINCE }, { "41", ID_OK }, { "46", ID_OK }, { "47", ID_EPROVINCE },
		{ "49", ID_EPROVINCE }, { "50", ID_OK }, { "54", ID_OK }, { "55", ID_EPROVINCE },
		{ "60", ID_EPROVINCE }, { "61", ID_OK }, { "65", ID_OK }, { "66", ID_EPROVINCE },
		{ "70", ID_EPROVINCE }, { "71", ID_OK }, { "72", ID_EPROVINCE },
		{ "80", ID_EPROVINCE }, { "81", ID_OK }, { "82", ID_OK }, { "83", ID_EPROVINCE },
		{ "90", ID_EPROVINCE }, { "91", ID_EPROVINCE }, { "99", ID_EPROVINCE },
	};
	return cr_make_param_array(struct prov_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct prov_case *c, idnumber, province)
{
	char addr[7], id[19], out[19];
	snprintf(addr, sizeof(addr), "%s0101", c->p);
	make_id(id, addr, 1985, 6, 15, "042");
	cr_assert_eq(id_validate(id, 18, TODAY, out), c->want, "%s", id);
}

/* ---- length and character set ---- */

struct shape_case {
	char in[24];
	size_t len;          /* bytes of in to pass */
	enum id_err want;
};

ParameterizedTestParameters(idnumber, shape)
{
	static struct shape_case cases[] = {
		{ "", 0, ID_ELENGTH },
		{ "31010119900101123", 17, ID_ELENGTH },
		{ "3101011990010112345", 19, ID_ELENGTH },
		{ "310101900101123", 15, ID_ELENGTH },       /* 15 digits only via id_from15 */
		{ "31010119900101123", 1, ID_ELENGTH },
		{ "3101011990010112a4", 18, ID_ECHARSET },
		{ "a10101199001011234", 18, ID_ECHARSET },
		{ "31010119900101X234", 18, ID_ECHARSET },    /* X only as the last char */
		{ "3101011990010112x4", 18, ID_ECHARSET },
		{ "31010119900101123Y", 18, ID_ECHARSET },
		{ "31010119900101123 ", 18, ID_ECHARSET },
		{ " 31010119900101123", 18, ID_ECHARSET },
		{ "3101011990-0101123", 18, ID_ECHARSET },
		{ "31010119900101123\xef", 18, ID_ECHARSET },
		{ "\xef\xbc\x93" "101011990010112", 18, ID_ECHARSET }, /* full-width 3 */
		/* charset is checked before the province */
		{ "00010119900101123a", 18, ID_ECHARSET },
	};
	return cr_make_param_array(struct shape_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct shape_case *c, idnumber, shape)
{
	char out[19];
	cr_assert_eq(id_validate(c->in, c->len, TODAY, out), c->want, "'%.*s'", (int)c->len, c->in);
}

Test(idnumber, embedded_nul_is_charset)
{
	char out[19];
	const char s[18] = "310101199001\0" "11234";
	cr_assert_eq(id_validate(s, 18, TODAY, out), ID_ECHARSET);
}

Test(idnumber, validation_order)
{
	char out[19];
	/* bad province and bad date and bad checksum: province is reported */
	cr_assert_eq(check("100101199013010000", TODAY, out), ID_EPROVINCE);
	/* good province, bad date, bad checksum: birth date is reported */
	cr_assert_eq(check("310101199013010000", TODAY, out), ID_EBIRTHDATE);
}

/* ---- legacy 15-digit numbers ---- */

Test(idnumber, from15_domain_vector)
{
	char out[19];
	cr_assert_eq(id_from15("130503670401001", 15, TODAY, out), ID_OK);
	cr_assert_str_eq(out, "130503196704010016");
}

Test(idnumber, from15_errors)
{
	char out[19];
	cr_assert_eq(id_from15("13050367040100", 14, TODAY, out), ID_ELENGTH);
	cr_assert_eq(id_from15("130503196704010016", 18, TODAY, out), ID_ELENGTH);
	cr_assert_eq(id_from15("", 0, TODAY, out), ID_ELENGTH);
	cr_assert_eq(id_from15("13050367040100X", 15, TODAY, out), ID_ECHARSET);
	cr_assert_eq(id_from15("13050367040100x", 15, TODAY, out), ID_ECHARSET);
	cr_assert_eq(id_from15("100503670401001", 15, TODAY, out), ID_EPROVINCE);
	cr_assert_eq(id_from15("130503670230001", 15, TODAY, out), ID_EBIRTHDATE);
	/* born 1920: converted to 19xx, 106 years old in 2026 */
	cr_assert_eq(id_from15("130503200401001", 15, TODAY, out), ID_EBIRTHDATE);
}

Test(idnumber, from15_result_revalidates)
{
	char out[19], again[19];
	cr_assert_eq(id_from15("310101850615042", 15, TODAY, out), ID_OK);
	cr_assert_eq(strncmp(out, "310101198506150", 15), 0, "%s", out);
	cr_assert_eq(out[17], id_check_char(out));
	cr_assert_eq(id_validate(out, 18, TODAY, again), ID_OK);
	cr_assert_str_eq(again, out);
}

/* ---- codes and messages ---- */

Test(idnumber, err_codes_and_messages)
{
	static const enum id_err all[] = { ID_OK, ID_ELENGTH, ID_ECHARSET, ID_EPROVINCE,
		ID_EBIRTHDATE, ID_ECHECKSUM };
	const size_t n = sizeof(all) / sizeof(all[0]);
	cr_assert_str_eq(id_err_code(ID_OK), "ok");
	for (size_t i = 0; i < n; i++) {
		const char *code = id_err_code(all[i]), *msg = id_err_message(all[i]);
		cr_assert_not_null(code);
		cr_assert_not_null(msg);
		cr_assert_gt(strlen(code), 0);
		cr_assert_gt(strlen(msg), 0);
		for (const char *p = code; *p; p++)
			cr_assert((*p >= 'a' && *p <= 'z') || *p == '_', "code '%s' not snake_case", code);
		if (all[i] != ID_OK)
			cr_assert_eq(strncmp(code, "id_number_", 10), 0, "%s", code);
		for (size_t j = 0; j < i; j++) {
			cr_assert_str_neq(code, id_err_code(all[j]), "duplicate code %s", code);
			cr_assert_str_neq(msg, id_err_message(all[j]), "duplicate message %s", msg);
		}
	}
	cr_assert_str_eq(id_err_code(ID_ECHECKSUM), "id_number_checksum");
}
