#ifndef TM_IDNUMBER_H
#define TM_IDNUMBER_H
#include <stddef.h>

#include "date.h"

/*
 * 居民身份号码 (GB 11643-1999) validation, in the order of domain.md §8c so each failure has
 * its own code: length, character set, province, birth date, checksum.
 */
enum id_err {
	ID_OK = 0,
	ID_ELENGTH,
	ID_ECHARSET,
	ID_EPROVINCE,
	ID_EBIRTHDATE,
	ID_ECHECKSUM,
};

/* Stable machine code for each result ("id_number_checksum", ...); "ok" for ID_OK. */
const char *id_err_code(enum id_err);
/* zh-CN sentence for each result. */
const char *id_err_message(enum id_err);

/* The check character ('0'..'9' or 'X') for the first 17 digits. */
char	 id_check_char(const char digits17[17]);

/*
 * Validates an 18-character number (a trailing 'x' is accepted). `today` bounds the birth
 * date (not in the future, age 16..100). On ID_OK, out (19 bytes) holds the canonical form
 * with an upper-case X.
 */
enum id_err id_validate(const char *in, size_t len, struct ymd today, char out[19]);

/* Converts a legacy 15-digit number (GB 11643-1989) to its 18-digit form; then validates. */
enum id_err id_from15(const char *in, size_t len, struct ymd today, char out[19]);


#endif
