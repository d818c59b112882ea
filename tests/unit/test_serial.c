/*
 * certs/serial: TM-<node>-<yyyy>-<J|I|S>-<6 digits>-<check>, check = ISO 7064 MOD 37-2 over
 * node, year, level and sequence without dashes.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

#include "certs/serial.h"

static const char A37[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*";

/*
 * An independent check of a check character: in the pure system the whole string including
 * its check character, read as Σ value(cᵢ)·2^(n-1-i), is ≡ 1 (mod 37). (serial.c computes the
 * character with the recursive method instead.)
 */
static int
mod37_2_holds(const char *s)
{
	size_t n = strlen(s);
	unsigned sum = 0, w = 1;
	for (size_t i = n; i-- > 0;) {
		const char *p = strchr(A37, s[i]);
		if (p == NULL || s[i] == '\0')
			return 0;
		sum = (sum + (unsigned)(p - A37) * w) % 37;
		w = w * 2 % 37;
	}
	return sum == 1;
}

static enum serial_err
parse(const char *s, struct serial *out)
{
	return serial_parse(s, strlen(s), out);
}

/* ---- check character vectors ---- */

/* Parameters are copied into the test process: arrays, not pointers. */
struct check_case {
	char in[16];
	char want;
};

ParameterizedTestParameters(serial, check_vectors)
{
	/*
	 * "A999914123458" → 'J' is the published ISBT 128 donation identification number example
	 * (ISBT 128 uses ISO 7064 MOD 37-2). The others were computed outside this code in Python
	 * with two methods that agree: the recursive one (p = ((p + v) * 2) % 37 per character,
	 * check = (38 - p) % 37) and a search for the character c with Σ v·2^k ≡ 1 (mod 37) over
	 * the string + c.
	 */
	static struct check_case cases[] = {
		{ "A999914123458", 'J' },
		{ "SH2026J000123", 'J' },
		{ "SH2026J000124", 'H' },
		{ "SH2026J000001", '2' },
		{ "JS2025I999999", 'S' },
		{ "ZJAH2099S000042", 'Z' },
		{ "ABCD2000I000001", 'W' },
		{ "SHA2030I123456", 'G' },
		{ "SH2026S000007", 'M' },
		{ "SH2026J000069", '*' },       /* the first SH-2026-J sequence checked by '*' */
		{ "AH2000J000000", 'M' },
		{ "0", '1' },                   /* p = 0 → check = 38 mod 37 = 1 */
		{ "A", 'I' },                   /* p = 20 → 18 = 'I' */
		{ "Z", '5' },                   /* p = 70 mod 37 = 33 → 5 */
	};
	return cr_make_param_array(struct check_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct check_case *c, serial, check_vectors)
{
	char full[32];
	cr_assert_eq(serial_check_char(c->in, strlen(c->in)), c->want, "%s", c->in);
	snprintf(full, sizeof(full), "%s%c", c->in, c->want);
	cr_assert(mod37_2_holds(full), "%s", full);
}

Test(serial, check_char_refuses_bad_input)
{
	cr_assert_eq(serial_check_char("", 0), '\0');
	cr_assert_eq(serial_check_char("sh2026", 6), '\0');     /* upper case only */
	cr_assert_eq(serial_check_char("SH-2026", 7), '\0');
	cr_assert_eq(serial_check_char("SH*", 3), '\0');        /* '*' is never an input */
	cr_assert_eq(serial_check_char("S\0H", 3), '\0');
}

/* ---- formatting ---- */

Test(serial, format_examples)
{
	char out[SERIAL_MAX + 1];
	cr_assert_eq(serial_format("SH", 2026, 'J', 123, out), 21);
	cr_assert_str_eq(out, "TM-SH-2026-J-000123-J");
	cr_assert_eq(serial_format("SH", 2026, 'J', 69, out), 21);
	cr_assert_str_eq(out, "TM-SH-2026-J-000069-*");
	cr_assert_eq(serial_format("JS", 2025, 'I', 999999, out), 21);
	cr_assert_str_eq(out, "TM-JS-2025-I-999999-S");
	cr_assert_eq(serial_format("ZJAH", 2099, 'S', 42, out), 23);
	cr_assert_str_eq(out, "TM-ZJAH-2099-S-000042-Z");
	cr_assert_eq(serial_format("SHA", 2030, 'I', 123456, out), 22);
	cr_assert_str_eq(out, "TM-SHA-2030-I-123456-G");
	cr_assert_eq(serial_format("AH", 2000, 'J', 1, out), 21);
	cr_assert_str_eq(out, "TM-AH-2000-J-000001-K");
}

Test(serial, format_refuses_out_of_range)
{
	char out[SERIAL_MAX + 1] = "untouched";
	cr_assert_eq(serial_format(NULL, 2026, 'J', 1, out), -1);
	cr_assert_eq(serial_format("S", 2026, 'J', 1, out), -1);
	cr_assert_eq(serial_format("SHABC", 2026, 'J', 1, out), -1);
	cr_assert_eq(serial_format("sh", 2026, 'J', 1, out), -1);
	cr_assert_eq(serial_format("S1", 2026, 'J', 1, out), -1);
	cr_assert_eq(serial_format("", 2026, 'J', 1, out), -1);
	cr_assert_eq(serial_format("SH", 1999, 'J', 1, out), -1);
	cr_assert_eq(serial_format("SH", 2100, 'J', 1, out), -1);
	cr_assert_eq(serial_format("SH", -2026, 'J', 1, out), -1);
	cr_assert_eq(serial_format("SH", 2026, 'j', 1, out), -1);
	cr_assert_eq(serial_format("SH", 2026, 'X', 1, out), -1);
	cr_assert_eq(serial_format("SH", 2026, '\0', 1, out), -1);
	cr_assert_eq(serial_format("SH", 2026, 'J', 0, out), -1);
	cr_assert_eq(serial_format("SH", 2026, 'J', 1000000, out), -1);
	cr_assert_eq(serial_format("SH", 2026, 'J', 4294967295u, out), -1);
	cr_assert_str_eq(out, "untouched");
	cr_assert_eq(serial_format("SH", 2000, 'J', 1, out), 21);
	cr_assert_eq(serial_format("SH", 2099, 'S', 999999, out), 21);
}

/* Every sequence of one (node, year, level) formats, parses back and satisfies MOD 37-2. */
Test(serial, every_sequence_round_trips)
{
	char out[SERIAL_MAX + 1], data[16];
	struct serial s;
	unsigned seen[37] = { 0 };
	for (unsigned q = 1; q <= SERIAL_SEQ_MAX; q++) {
		int n = serial_format("SH", 2026, 'I', q, out);
		cr_assert_eq(n, 21);
		if (q % 7919 == 1 || q == SERIAL_SEQ_MAX) {
			/* the independent check (slower) on a sample */
			snprintf(data, sizeof(data), "SH2026I%06u%c", q, out[20]);
			cr_assert(mod37_2_holds(data), "%s", out);
		}
		cr_assert_eq(serial_parse(out, 21, &s), SERIAL_OK, "%s", out);
		cr_assert_eq(s.seq, q);
		seen[strchr(A37, out[20]) - A37]++;
	}
	/* every check character, '*' included, occurs (about 1/37 each) */
	for (int i = 0; i < 37; i++)
		cr_assert_gt(seen[i], 999999 / 37 - 2000, "'%c' %u times", A37[i], seen[i]);
}

/* ---- parsing ---- */

Test(serial, parse_fields)
{
	struct serial s;
	cr_assert_eq(parse("TM-ZJAH-2099-S-000042-Z", &s), SERIAL_OK);
	cr_assert_str_eq(s.text, "TM-ZJAH-2099-S-000042-Z");
	cr_assert_str_eq(s.node, "ZJAH");
	cr_assert_eq(s.year, 2099);
	cr_assert_eq(s.level, 'S');
	cr_assert_eq(s.seq, 42);
	cr_assert_eq(s.check, 'Z');
	cr_assert_eq(parse("TM-SH-2026-J-000069-*", &s), SERIAL_OK);
	cr_assert_eq(s.check, '*');
	cr_assert_eq(s.seq, 69);
}

Test(serial, lower_case_normalised)
{
	struct serial s;
	cr_assert_eq(parse("tm-sh-2026-j-000123-j", &s), SERIAL_OK);
	cr_assert_str_eq(s.text, "TM-SH-2026-J-000123-J");
	cr_assert_str_eq(s.node, "SH");
	cr_assert_eq(s.level, 'J');
	cr_assert_eq(parse("Tm-zJaH-2099-s-000042-z", &s), SERIAL_OK);
	cr_assert_str_eq(s.text, "TM-ZJAH-2099-S-000042-Z");
}

Test(serial, length_not_nul_terminated)
{
	struct serial s;
	const char *buf = "TM-SH-2026-J-000123-JXYZ";
	cr_assert_eq(serial_parse(buf, 21, &s), SERIAL_OK);
	cr_assert_str_eq(s.text, "TM-SH-2026-J-000123-J");
	cr_assert_eq(serial_parse(buf, 22, &s), SERIAL_EFORMAT);
	cr_assert_eq(serial_parse(NULL, 21, &s), SERIAL_EFORMAT);
	cr_assert_eq(serial_parse("TM-SH-2026-J-000123-J", 0, &s), SERIAL_EFORMAT);
	/* an embedded NUL is a character like any other: refused */
	cr_assert_neq(serial_parse("TM-SH-2026-J-000123\0J", 21, &s), SERIAL_OK);
	cr_assert_neq(serial_parse("TM-S\0-2026-J-000123-J", 21, &s), SERIAL_OK);
}

struct err_case {
	char in[32];
	enum serial_err want;
};

ParameterizedTestParameters(serial, errors)
{
	static struct err_case cases[] = {
		{ "TM-SH-2026-J-000123-J", SERIAL_OK },
		/* length and shape */
		{ "", SERIAL_EFORMAT },
		{ "TM-SH-2026-J-00012-J", SERIAL_EFORMAT },             /* 20 bytes */
		{ "TM-SHABC-2026-J-000123-J", SERIAL_EFORMAT },         /* 24 bytes */
		{ " TM-SH-2026-J-000123-J", SERIAL_EFORMAT },           /* no trimming: 22 bytes, "TM" wrong */
		{ "TM-SH-2026-J-000123-J ", SERIAL_EFORMAT },           /* check part "J " */
		{ "TX-SH-2026-J-000123-J", SERIAL_EFORMAT },
		{ "MT-SH-2026-J-000123-J", SERIAL_EFORMAT },
		{ "TM_SH-2026-J-000123-J", SERIAL_EFORMAT },
		{ "TM-SH-2026-J-0001234-J", SERIAL_ESEQUENCE },
		{ "TM-SH-2026-J-000123-JJ", SERIAL_EFORMAT },           /* two check chars */
		{ "TM-SH-2026-J-000123--", SERIAL_EFORMAT },            /* seven parts */
		{ "TM-SH-2026-J-000123J-", SERIAL_ESEQUENCE },          /* check part empty too */
		{ "TM-SH-2026-J-000123JJ", SERIAL_EFORMAT },            /* five parts */
		{ "TM SH 2026 J 000123 J", SERIAL_EFORMAT },
		{ "TMSH2026J000123J12345", SERIAL_EFORMAT },
		{ "TM-SHA-2026-J-000123-", SERIAL_EFORMAT },            /* 21 bytes, empty check */
		/* node */
		{ "TM-S-2026-J-000123-JXX", SERIAL_ENODE },
		{ "TM-S1-2026-J-000123-J", SERIAL_ENODE },
		{ "TM-S*-2026-J-000123-J", SERIAL_ENODE },
		{ "TM--2026-J-000123-JXXX", SERIAL_ENODE },
		{ "TM-上-2026-J-000123-J", SERIAL_ENODE },               /* 3 UTF-8 bytes */
		/* year */
		{ "TM-SH-1999-J-000123-J", SERIAL_EYEAR },
		{ "TM-SH-2100-J-000123-J", SERIAL_EYEAR },
		{ "TM-SH-0000-J-000123-J", SERIAL_EYEAR },
		{ "TM-SH-20X6-J-000123-J", SERIAL_EYEAR },
		{ "TM-SH-202-JJ-000123-J", SERIAL_EYEAR },
		{ "TM-SH-20260-J-00012-J", SERIAL_EYEAR },
		/* level */
		{ "TM-SH-2026-X-000123-J", SERIAL_ELEVEL },
		{ "TM-SH-2026-1-000123-J", SERIAL_ELEVEL },
		{ "TM-SH-2026-JI-00012-J", SERIAL_ELEVEL },
		/* sequence */
		{ "TM-SH-2026-J-000000-M", SERIAL_ESEQUENCE },
		{ "TM-SH-2026-J-00012A-J", SERIAL_ESEQUENCE },
		{ "TM-SH-2026-J-+00123-J", SERIAL_ESEQUENCE },
		/* check character */
		{ "TM-SH-2026-J-000123-H", SERIAL_ECHECKSUM },
		{ "TM-SH-2026-J-000124-J", SERIAL_ECHECKSUM },
		{ "TM-SH-2026-J-000123-*", SERIAL_ECHECKSUM },
		{ "TM-SH-2026-J-000123-#", SERIAL_ECHECKSUM },
		{ "TM-SH-2026-I-000123-J", SERIAL_ECHECKSUM },
		{ "TM-HS-2026-J-000123-J", SERIAL_ECHECKSUM },
		{ "TM-SH-2026-J-000069-*", SERIAL_OK },
	};
	return cr_make_param_array(struct err_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct err_case *c, serial, errors)
{
	struct serial s;
	cr_assert_eq(parse(c->in, &s), c->want, "\"%s\": got %s, want %s", c->in,
	    serial_err_code(parse(c->in, &s)), serial_err_code(c->want));
}

/* ---- error detection ---- */

static const char *bases[] = {
	"TM-SH-2026-J-000123-J", "TM-SH-2026-J-000069-*", "TM-ZJAH-2099-S-000042-Z",
	"TM-SHA-2030-I-123456-G", "TM-JS-2025-I-999999-S", "TM-AH-2000-J-000001-K",
};

static void
base_serial(size_t i, char out[SERIAL_MAX + 1])
{
	strcpy(out, bases[i]);
}

/* Any byte at any position that changes the serial (other than by case) is refused. */
Test(serial, every_single_substitution_refused)
{
	struct serial s;
	for (size_t b = 0; b < sizeof(bases) / sizeof(bases[0]); b++) {
		char base[SERIAL_MAX + 1];
		base_serial(b, base);
		size_t n = strlen(base);
		cr_assert_eq(serial_parse(base, n, &s), SERIAL_OK, "%s", base);
		for (size_t pos = 0; pos < n; pos++) {
			for (int c = 0; c < 256; c++) {
				char t[SERIAL_MAX + 1];
				memcpy(t, base, n + 1);
				t[pos] = (char)c;
				enum serial_err rc = serial_parse(t, n, &s);
				char up = (c >= 'a' && c <= 'z') ? (char)(c - 32) : (char)c;
				if (up == base[pos]) {
					cr_assert_eq(rc, SERIAL_OK, "case change at %zu: %s", pos, t);
					cr_assert_str_eq(s.text, base);
				} else {
					cr_assert_neq(rc, SERIAL_OK, "substitution at %zu accepted: %s", pos,
					    t);
				}
			}
		}
	}
}

/* Substitutions inside the checked part that keep the shape are checksum errors. */
Test(serial, substitutions_in_shape_are_checksum_errors)
{
	struct serial s;
	char t[SERIAL_MAX + 1];
	static const char *digits = "0123456789", *letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	const char *base = "TM-SH-2026-J-000123-J";
	for (size_t pos = 0; pos < 21; pos++) {
		const char *set = (pos == 3 || pos == 4) ? letters :
		    (pos >= 13 && pos <= 18) ? digits : (pos == 20) ? A37 : NULL;
		if (set == NULL)
			continue;
		for (const char *c = set; *c; c++) {
			if (*c == base[pos])
				continue;
			strcpy(t, base);
			t[pos] = *c;
			cr_assert_eq(parse(t, &s), SERIAL_ECHECKSUM, "%s: %s", t,
			    serial_err_code(parse(t, &s)));
		}
	}
}

/* Swapping any two different adjacent characters is refused (format or checksum). */
Test(serial, every_adjacent_transposition_refused)
{
	struct serial s;
	size_t swaps = 0;
	for (size_t b = 0; b < sizeof(bases) / sizeof(bases[0]); b++) {
		char base[SERIAL_MAX + 1];
		base_serial(b, base);
		size_t n = strlen(base);
		for (size_t pos = 0; pos + 1 < n; pos++) {
			char t[SERIAL_MAX + 1];
			memcpy(t, base, n + 1);
			if (t[pos] == t[pos + 1])
				continue;
			t[pos] = base[pos + 1];
			t[pos + 1] = base[pos];
			cr_assert_neq(serial_parse(t, n, &s), SERIAL_OK, "swap at %zu accepted: %s",
			    pos, t);
			swaps++;
		}
	}
	cr_assert_gt(swaps, 90);
}

/* Over the whole sequence range of one prefix: every digit transposition is caught. */
Test(serial, digit_transpositions_caught_everywhere)
{
	char out[SERIAL_MAX + 1];
	struct serial s;
	for (unsigned q = 1; q <= SERIAL_SEQ_MAX; q += 37) {
		cr_assert_eq(serial_format("ZJ", 2031, 'S', q, out), 21);
		for (size_t pos = 13; pos < 18; pos++) {
			if (out[pos] == out[pos + 1])
				continue;
			char t = out[pos];
			out[pos] = out[pos + 1];
			out[pos + 1] = t;
			cr_assert_neq(serial_parse(out, 21, &s), SERIAL_OK, "%s", out);
			out[pos + 1] = out[pos];
			out[pos] = t;
		}
	}
}

/* ---- codes and messages ---- */

Test(serial, codes_and_messages)
{
	static const char *codes[] = { "ok", "serial_format", "serial_node", "serial_year",
		"serial_level", "serial_sequence", "serial_checksum" };
	for (int e = SERIAL_OK; e <= SERIAL_ECHECKSUM; e++) {
		cr_assert_str_eq(serial_err_code((enum serial_err)e), codes[e]);
		const char *m = serial_err_message((enum serial_err)e);
		cr_assert(m != NULL && strlen(m) > 6);
		for (int f = SERIAL_OK; f < e; f++)
			cr_assert_str_neq(m, serial_err_message((enum serial_err)f));
	}
	cr_assert_str_eq(serial_err_code((enum serial_err)99), "serial_invalid");
	cr_assert_str_eq(serial_err_message(SERIAL_ECHECKSUM), "证书编号校验位不正确，请检查是否输错");
}

/* Every character a serial can hold is in the QR alphanumeric set (upper case). */
Test(serial, qr_alphanumeric)
{
	static const char qr[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
	char out[SERIAL_MAX + 1];
	for (unsigned q = 1; q <= 5000; q++) {
		cr_assert_eq(serial_format("ZJAH", 2026, "JIS"[q % 3], q, out), 23);
		for (const char *p = out; *p; p++)
			cr_assert(strchr(qr, *p) != NULL, "%s", out);
	}
}
