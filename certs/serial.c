#include "serial.h"

#include <string.h>

/* ISO 7064 MOD 37-2: character values 0..36; '*' (36) only ever appears as a check character. */
static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*";

const char *
serial_err_code(enum serial_err e)
{
	switch (e) {
	case SERIAL_OK: return "ok";
	case SERIAL_EFORMAT: return "serial_format";
	case SERIAL_ENODE: return "serial_node";
	case SERIAL_EYEAR: return "serial_year";
	case SERIAL_ELEVEL: return "serial_level";
	case SERIAL_ESEQUENCE: return "serial_sequence";
	case SERIAL_ECHECKSUM: return "serial_checksum";
	}
	return "serial_invalid";
}

const char *
serial_err_message(enum serial_err e)
{
	switch (e) {
	case SERIAL_OK: return "证书编号格式正确";
	case SERIAL_EFORMAT:
		return "证书编号格式不正确，应形如 TM-SH-2026-J-000123-J";
	case SERIAL_ENODE: return "证书编号中的发证机构代码应为2至4个字母";
	case SERIAL_EYEAR: return "证书编号中的年份应为2000至2099之间的四位数字";
	case SERIAL_ELEVEL: return "证书编号中的等级应为 J（初级）、I（中级）或 S（高级）";
	case SERIAL_ESEQUENCE: return "证书编号中的序号应为6位数字，且不能为000000";
	case SERIAL_ECHECKSUM: return "证书编号校验位不正确，请检查是否输错";
	}
	return "证书编号无效";
}

/* Value of an input character (0-9 A-Z), or -1. */
static int
value_of(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return -1;
}

char
serial_check_char(const char *s, size_t n)
{
	unsigned p = 0;

	if (n == 0)
		return '\0';
	/* The recursive method of the pure system: P = ((P + a) * r) mod M, r = 2, M = 37. */
	for (size_t i = 0; i < n; i++) {
		int v = value_of(s[i]);
		if (v < 0)
			return '\0';
		p = ((p + (unsigned)v) * 2) % 37;
	}
	/* The check value c makes the whole string, weighted by powers of 2, ≡ 1 (mod 37). */
	return alphabet[(38 - p) % 37];
}

static int
is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The check input: node, year, level, seq without dashes ("SH2026J000123"), at most 15 bytes. */
static char
check_of(const char *node, size_t nodelen, const char year[4], char level, const char seq[6])
{
	char buf[SERIAL_NODE_MAX + 4 + 1 + 6];
	size_t n = 0;

	memcpy(buf, node, nodelen);
	n += nodelen;
	memcpy(buf + n, year, 4);
	n += 4;
	buf[n++] = level;
	memcpy(buf + n, seq, 6);
	n += 6;
	return serial_check_char(buf, n);
}

int
serial_format(const char *node, int year, char level, unsigned seq, char out[SERIAL_MAX + 1])
{
	char y[4], q[6], text[SERIAL_MAX + 1];
	size_t nodelen, n = 0;

	if (node == NULL)
		return -1;
	nodelen = strnlen(node, SERIAL_NODE_MAX + 1);
	if (nodelen < SERIAL_NODE_MIN || nodelen > SERIAL_NODE_MAX)
		return -1;
	for (size_t i = 0; i < nodelen; i++)
		if (!is_upper(node[i]))
			return -1;
	if (year < SERIAL_YEAR_MIN || year > SERIAL_YEAR_MAX)
		return -1;
	if (level != 'J' && level != 'I' && level != 'S')
		return -1;
	if (seq < 1 || seq > SERIAL_SEQ_MAX)
		return -1;

	for (int i = 3, v = year; i >= 0; i--, v /= 10)
		y[i] = (char)('0' + v % 10);
	for (int i = 5; i >= 0; i--, seq /= 10)
		q[i] = (char)('0' + seq % 10);

	memcpy(text, "TM-", 3);
	n = 3;
	memcpy(text + n, node, nodelen);
	n += nodelen;
	text[n++] = '-';
	memcpy(text + n, y, 4);
	n += 4;
	text[n++] = '-';
	text[n++] = level;
	text[n++] = '-';
	memcpy(text + n, q, 6);
	n += 6;
	text[n++] = '-';
	text[n++] = check_of(node, nodelen, y, level, q);
	text[n] = '\0';
	memcpy(out, text, n + 1);
	return (int)n;
}

enum serial_err
serial_parse(const char *s, size_t len, struct serial *out)
{
	char buf[SERIAL_MAX + 1];
	const char *part[6];
	size_t plen[6], nparts = 0, start = 0;

	if (s == NULL || len < SERIAL_MIN || len > SERIAL_MAX)
		return SERIAL_EFORMAT;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		buf[i] = (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
	}
	buf[len] = '\0';

	/* Split on '-' into exactly six parts: TM, node, year, level, seq, check. */
	for (size_t i = 0; i <= len; i++) {
		if (i < len && buf[i] != '-')
			continue;
		if (nparts == 6)
			return SERIAL_EFORMAT;
		part[nparts] = buf + start;
		plen[nparts] = i - start;
		nparts++;
		start = i + 1;
	}
	if (nparts != 6 || plen[0] != 2 || memcmp(part[0], "TM", 2) != 0)
		return SERIAL_EFORMAT;

	const char *node = part[1], *year = part[2], *seq = part[4];
	if (plen[1] < SERIAL_NODE_MIN || plen[1] > SERIAL_NODE_MAX)
		return SERIAL_ENODE;
	for (size_t i = 0; i < plen[1]; i++)
		if (!is_upper(node[i]))
			return SERIAL_ENODE;

	if (plen[2] != 4)
		return SERIAL_EYEAR;
	int y = 0;
	for (int i = 0; i < 4; i++) {
		if (!is_digit(year[i]))
			return SERIAL_EYEAR;
		y = y * 10 + (year[i] - '0');
	}
	if (y < SERIAL_YEAR_MIN || y > SERIAL_YEAR_MAX)
		return SERIAL_EYEAR;

	if (plen[3] != 1 || (part[3][0] != 'J' && part[3][0] != 'I' && part[3][0] != 'S'))
		return SERIAL_ELEVEL;
	char level = part[3][0];

	if (plen[4] != 6)
		return SERIAL_ESEQUENCE;
	unsigned q = 0;
	for (int i = 0; i < 6; i++) {
		if (!is_digit(seq[i]))
			return SERIAL_ESEQUENCE;
		q = q * 10 + (unsigned)(seq[i] - '0');
	}
	if (q == 0)
		return SERIAL_ESEQUENCE;

	if (plen[5] != 1)
		return SERIAL_EFORMAT;
	if (part[5][0] != check_of(node, plen[1], year, level, seq))
		return SERIAL_ECHECKSUM;

	memcpy(out->text, buf, len + 1);
	memcpy(out->node, node, plen[1]);
	out->node[plen[1]] = '\0';
	out->year = y;
	out->level = level;
	out->seq = q;
	out->check = part[5][0];
	return SERIAL_OK;
}
