/*
 * id_validate / id_from15 against an independent reference of domain.md §8c, with a `today`
 * taken from the input too. Invariants: the result equals the reference's; an accepted number
 * is the canonical form of the input, re-validates to itself, its check char matches, and it
 * masks to first 4 + 10 stars + last 4.
 */
#include <string.h>

#include "courses/idnumber.h"
#include "courses/mask.h"
#include "fuzz.h"

static bool
ref_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
ref_days(int y, int m)
{
	switch (m) {
	case 2: return ref_leap(y) ? 29 : 28;
	case 4: case 6: case 9: case 11: return 30;
	default: return 31;
	}
}

static int
dig(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

static enum id_err
ref_validate(const char *in, size_t len, struct ymd today, char canon[19])
{
	static const char provinces[][3] = { "11", "12", "13", "14", "15", "21", "22", "23",
		"31", "32", "33", "34", "35", "36", "37", "41", "42", "43", "44", "45", "46",
		"50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82" };
	if (len != 18)
		return ID_ELENGTH;
	memcpy(canon, in, 18);
	canon[18] = '\0';
	if (canon[17] == 'x')
		canon[17] = 'X';
	for (int i = 0; i < 18; i++)
		if (!(canon[i] >= '0' && canon[i] <= '9') && !(i == 17 && canon[i] == 'X'))
			return ID_ECHARSET;
	bool known = false;
	for (size_t i = 0; i < sizeof(provinces) / sizeof(provinces[0]); i++)
		known |= canon[0] == provinces[i][0] && canon[1] == provinces[i][1];
	if (!known)
		return ID_EPROVINCE;
	int y = dig(canon + 6, 4), m = dig(canon + 10, 2), d = dig(canon + 12, 2);
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > ref_days(y, m))
		return ID_EBIRTHDATE;
	long born = (long)y * 10000 + m * 100 + d, now = (long)today.y * 10000 + today.m * 100 +
	    today.d;
	if (born > now)
		return ID_EBIRTHDATE;
	/* age = whole years: the birthday of year y+k is reached when now >= born + k*10000 */
	long age = (now - born) / 10000;
	if (age < 16 || age > 100)
		return ID_EBIRTHDATE;
	static const int w[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
	int sum = 0;
	for (int i = 0; i < 17; i++)
		sum += (canon[i] - '0') * w[i];
	int r = (12 - sum % 11) % 11;   /* ISO 7064 MOD 11-2 check value */
	char want = r == 10 ? 'X' : (char)('0' + r);
	if (canon[17] != want)
		return ID_ECHECKSUM;
	return ID_OK;
}

static void
check_accepted(const char *out, struct ymd today)
{
	char again[19], masked[19];
	CHECK(strlen(out) == 18);
	CHECK(out[17] == id_check_char(out));
	for (int i = 0; i < 17; i++)
		CHECK(out[i] >= '0' && out[i] <= '9');
	CHECK(id_validate(out, 18, today, again) == ID_OK);
	CHECK(memcmp(again, out, 19) == 0);
	CHECK(mask_id_number(out, 18, masked, sizeof(masked)) == 0);
	CHECK(memcmp(masked, out, 4) == 0 && memcmp(masked + 4, "**********", 10) == 0 &&
	    memcmp(masked + 14, out + 14, 5) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ymd today = { 2026, 11, 27 };
	const char *s = (const char *)data;

	/* inputs longer than 18 bytes start with a 4-byte `today` (valid dates only) */
	if (size > 18 && size >= 22) {
		struct ymd t = { 1900 + (data[0] | (data[1] << 8)) % 300, 1 + data[2] % 12,
			1 + data[3] % 31 };
		if (ymd_valid(t)) {
			today = t;
			s += 4;
			size -= 4;
		}
	}
	char out[19], ref[19];
	memset(out, 0, sizeof(out));
	enum id_err rc = id_validate(s, size, today, out);
	enum id_err want = ref_validate(s, size, today, ref);
	CHECK(rc == want);
	CHECK(id_err_code(rc)[0] != '\0' && id_err_message(rc)[0] != '\0');
	if (rc == ID_OK) {
		CHECK(memcmp(out, ref, 19) == 0);
		check_accepted(out, today);
	}

	if (size == 15) {
		bool digits = true;
		for (int i = 0; i < 15; i++)
			digits &= s[i] >= '0' && s[i] <= '9';
		rc = id_from15(s, size, today, out);
		if (!digits) {
			CHECK(rc == ID_ECHARSET);
		} else {
			char conv[18];
			memcpy(conv, s, 6);
			memcpy(conv + 6, "19", 2);
			memcpy(conv + 8, s + 6, 9);
			/* the reference with any check char: only the check char may differ */
			conv[17] = id_check_char(conv);
			CHECK(rc == ref_validate(conv, 18, today, ref));
			if (rc == ID_OK) {
				CHECK(memcmp(out, conv, 18) == 0);
				check_accepted(out, today);
			}
		}
	}
	return 0;
}
