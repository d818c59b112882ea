#include "date.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int
ymd_valid(struct ymd d)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (d.y < 1 || d.m < 1 || d.m > 12 || d.d < 1)
		return 0;
	int leap = (d.y % 4 == 0 && d.y % 100 != 0) || d.y % 400 == 0;
	int max = mdays[d.m - 1] + (d.m == 2 && leap);
	return d.d <= max;
}

int
ymd_cmp(struct ymd a, struct ymd b)
{
	if (a.y != b.y)
		return a.y < b.y ? -1 : 1;
	if (a.m != b.m)
		return a.m < b.m ? -1 : 1;
	if (a.d != b.d)
		return a.d < b.d ? -1 : 1;
	return 0;
}

struct ymd
ymd_today_utc(void)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	return (struct ymd){ tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday };
}

static int
digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

bool
ymd_parse(const char *s, size_t n, struct ymd *out)
{
	if (n != 10 || s[4] != '-' || s[7] != '-')
		return false;
	struct ymd d = { digits(s, 4), digits(s + 5, 2), digits(s + 8, 2) };
	if (d.y < 1900 || d.y > 9999 || !ymd_valid(d))
		return false;
	*out = d;
	return true;
}

bool
ymd_parse_str(const char *s, struct ymd *out)
{
	return s != NULL && ymd_parse(s, strlen(s), out);
}

void
ymd_format(struct ymd d, char buf[11])
{
	snprintf(buf, 11, "%04u-%02u-%02u", (unsigned)d.y % 10000u, (unsigned)d.m % 100u,
	    (unsigned)d.d % 100u);
}
