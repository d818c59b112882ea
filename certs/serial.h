#ifndef TM_SERIAL_H
#define TM_SERIAL_H
#include <stddef.h>

/*
 * Certificate serials (DESIGN.md "Certificates and verification", domain.md §5):
 *
 *   TM-<node>-<yyyy>-<level>-<seq>-<check>      e.g. TM-SH-2026-J-000123-J
 *
 *   node   2..4 letters A-Z, the issuing node (SH, JS, ZJ, AH, ...)
 *   yyyy   year of first issue, 2000..2099
 *   level  J (初级), I (中级) or S (高级)
 *   seq    6 digits, 000001..999999, per (node, year, level)
 *   check  ISO 7064 MOD 37-2 check character over node, yyyy, level and seq with the dashes
 *          and the constant "TM" left out ("SH2026J000123"); alphabet 0-9 A-Z '*'.
 *
 * Every character is in the QR alphanumeric set (0-9 A-Z space $%*+-./:), so a serial never
 * forces a QR code out of alphanumeric mode. Pure functions: no allocation, no I/O, no locale.
 * See certs/README.md for the check character algorithm and worked examples.
 */
#define SERIAL_MIN 21                   /* 2-letter node */
#define SERIAL_MAX 23                   /* 4-letter node */
#define SERIAL_NODE_MIN 2
#define SERIAL_NODE_MAX 4
#define SERIAL_YEAR_MIN 2000
#define SERIAL_YEAR_MAX 2099
#define SERIAL_SEQ_MAX 999999u

/* What serial_parse found wrong, in the order it checks; each has its own code and message. */
enum serial_err {
	SERIAL_OK = 0,
	SERIAL_EFORMAT,         /* length, "TM-" prefix, dash-separated parts, check part length */
	SERIAL_ENODE,           /* node is not 2..4 letters */
	SERIAL_EYEAR,           /* year is not 4 digits in 2000..2099 */
	SERIAL_ELEVEL,          /* level is not J, I or S */
	SERIAL_ESEQUENCE,       /* sequence is not 6 digits, or is 000000 */
	SERIAL_ECHECKSUM,       /* check character missing from the alphabet or wrong */
};

/* A parsed serial. `text` is the canonical (upper-case) form, NUL-terminated. */
struct serial {
	char     text[SERIAL_MAX + 1];
	char     node[SERIAL_NODE_MAX + 1];
	int      year;
	char     level;         /* 'J', 'I' or 'S' */
	unsigned seq;           /* 1..999999 */
	char     check;
};

/* Stable machine code per result ("serial_checksum", ...); "ok" for SERIAL_OK. */
const char *serial_err_code(enum serial_err);
/* zh-CN sentence per result, for a person who typed the serial. */
const char *serial_err_message(enum serial_err);

/*
 * The ISO 7064 MOD 37-2 check character of n characters from 0-9 A-Z (upper case only;
 * '*' is a check character, never an input). Returns '\0' when n is 0 or a character is
 * outside 0-9 A-Z.
 */
char	 serial_check_char(const char *s, size_t n);

/*
 * Writes the canonical serial into out (SERIAL_MAX + 1 bytes, NUL-terminated). node must be
 * 2..4 upper-case letters, year 2000..2099, level 'J', 'I' or 'S' (upper case), seq
 * 1..999999. Returns the length (21..23), or -1 (out untouched) when an argument is out of
 * range.
 */
int	 serial_format(const char *node, int year, char level, unsigned seq,
	    char out[SERIAL_MAX + 1]);

/*
 * Parses len bytes (no NUL needed; embedded NULs are refused). Lower-case letters are
 * accepted and normalised to upper case; nothing else is (no spaces, no trimming). On
 * SERIAL_OK, *out holds the parts and the canonical text; otherwise *out is unspecified.
 */
enum serial_err serial_parse(const char *s, size_t len, struct serial *out);

#endif
