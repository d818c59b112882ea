#include "idnumber.h"

#include <string.h>

static const int weights[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };

const char *
id_err_code(enum id_err e)
{
	switch (e) {
	case ID_OK: return "ok";
	case ID_ELENGTH: return "id_number_length";
	case ID_ECHARSET: return "id_number_charset";
	case ID_EPROVINCE: return "id_number_province";
	case ID_EBIRTHDATE: return "id_number_birth_date";
	case ID_ECHECKSUM: return "id_number_checksum";
	}
	return "id_number_invalid";
}

const char *
id_err_message(enum id_err e)
{
	switch (e) {
	case ID_OK: return "身份证号有效";
	case ID_ELENGTH: return "身份证号应为18位";
	case ID_ECHARSET: return "身份证号前17位应为数字，最后一位为数字或X";
	case ID_EPROVINCE: return "身份证号的省份代码不存在";
	case ID_EBIRTHDATE: return "身份证号中的出生日期无效（须为真实日期，年龄在16至100岁之间）";
	case ID_ECHECKSUM: return "身份证号校验位不正确，请检查是否输错";
	}
	return "身份证号无效";
}

char
id_check_char(const char d[17])
{
	int sum = 0;
	for (int i = 0; i < 17; i++)
		sum += (d[i] - '0') * weights[i];
	return "10X98765432"[sum % 11];
}

static int
province_known(int p)
{
	return (p >= 11 && p <= 15) || (p >= 21 && p <= 23) || (p >= 31 && p <= 37) ||
	    (p >= 41 && p <= 46) || (p >= 50 && p <= 54) || (p >= 61 && p <= 65) ||
	    p == 71 || p == 81 || p == 82;
}

static int
num(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

enum id_err
id_validate(const char *in, size_t len, struct ymd today, char out[19])
{
	char s[19];

	if (len != 18)
		return ID_ELENGTH;
	memcpy(s, in, 18);
	s[18] = '\0';
	if (s[17] == 'x')
		s[17] = 'X';
	for (int i = 0; i < 17; i++)
		if (s[i] < '0' || s[i] > '9')
			return ID_ECHARSET;
	if (!((s[17] >= '0' && s[17] <= '9') || s[17] == 'X'))
		return ID_ECHARSET;
	if (!province_known(num(s, 2)))
		return ID_EPROVINCE;

	struct ymd b = { num(s + 6, 4), num(s + 10, 2), num(s + 12, 2) };
	if (!ymd_valid(b) || b.y < 1900 || ymd_cmp(b, today) > 0)
		return ID_EBIRTHDATE;
	/* Age in whole years on `today`. */
	int age = today.y - b.y - ((today.m < b.m || (today.m == b.m && today.d < b.d)) ? 1 : 0);
	if (age < 16 || age > 100)
		return ID_EBIRTHDATE;

	if (id_check_char(s) != s[17])
		return ID_ECHECKSUM;
	memcpy(out, s, 19);
	return ID_OK;
}

enum id_err
id_from15(const char *in, size_t len, struct ymd today, char out[19])
{
	char s[18];

	if (len != 15)
		return ID_ELENGTH;
	for (int i = 0; i < 15; i++)
		if (in[i] < '0' || in[i] > '9')
			return ID_ECHARSET;
	memcpy(s, in, 6);
	s[6] = '1';
	s[7] = '9';
	memcpy(s + 8, in + 6, 9);
	s[17] = id_check_char(s);
	return id_validate(s, 18, today, out);
}
