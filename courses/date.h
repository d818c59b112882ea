#ifndef TM_DATE_H
#define TM_DATE_H
#include <stdbool.h>
#include <stddef.h>

/* Calendar dates (proleptic Gregorian), as the programme's rules count them: whole days. */
struct ymd { int y, m, d; };

int	 ymd_valid(struct ymd);
int	 ymd_cmp(struct ymd, struct ymd);
struct ymd ymd_today_utc(void);
/* Strict "YYYY-MM-DD" (exactly 10 bytes, a real date, year 1900..9999). */
bool	 ymd_parse(const char *, size_t, struct ymd *);
bool	 ymd_parse_str(const char *, struct ymd *);
/* "YYYY-MM-DD" into buf (11 bytes). */
void	 ymd_format(struct ymd, char buf[11]);

#endif
