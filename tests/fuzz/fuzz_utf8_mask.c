/*
 * utf8_valid against an independent validator, the text_* predicates' implications, and on
 * valid input mask_name / mask_email against reference masks (plus contact_email_valid's
 * output shape). Invariants are checked with __builtin_trap() through CHECK.
 */
#include <stdlib.h>
#include <string.h>

#include "courses/contact.h"
#include "courses/mask.h"
#include "courses/text.h"
#include "fuzz.h"

static size_t
seq(unsigned char c)
{
	return c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

/* domain.md §8d on valid UTF-8: per '·'-separated part keep the first character and, from
 * three characters on, the last; every other character becomes one '*'. -1 when empty or a
 * part is longer than the implementation's 256 characters. */
static int
ref_mask_name(const char *s, size_t n, char *out)
{
	size_t w = 0, i = 0;
	if (n == 0)
		return -1;
	while (i <= n) {
		const char *dot = memmem(s + i, n - i, "\xc2\xb7", 2);
		size_t end = dot ? (size_t)(dot - s) : n;
		size_t nc = 0;
		for (size_t k = i; k < end; k += seq((unsigned char)s[k]))
			nc++;
		if (nc > 256)
			return -1;
		size_t c = 0;
		for (size_t k = i; k < end; c++) {
			size_t l = seq((unsigned char)s[k]);
			if (c == 0 || (c == nc - 1 && nc >= 3)) {
				memcpy(out + w, s + k, l);
				w += l;
			} else
				out[w++] = '*';
			k += l;
		}
		if (dot == NULL)
			break;
		memcpy(out + w, "\xc2\xb7", 2);
		w += 2;
		i = end + 2;
	}
	out[w] = '\0';
	return 0;
}

static int
ref_mask_email(const char *s, size_t n, char *out)
{
	const char *at = memchr(s, '@', n);
	if (at == NULL || at == s)
		return -1;
	size_t first = seq((unsigned char)s[0]);
	memcpy(out, s, first);
	memcpy(out + first, "**", 2);
	memcpy(out + first + 2, at, n - (size_t)(at - s));
	out[first + 2 + n - (size_t)(at - s)] = '\0';
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	bool valid = utf8_valid(s, size);
	CHECK(valid == ref_utf8_valid(data, size));

	bool pr = text_printable(s, size, false), pr_nl = text_printable(s, size, true);
	CHECK(!pr || pr_nl);
	CHECK(!pr_nl || valid);
	bool name = text_person_name(s, size, 50);
	if (!valid) {
		CHECK(!name);
		return 0;
	}

	size_t chars = utf8_chars(s, size);
	CHECK(chars <= size && (size == 0 || chars > 0));
	CHECK(name == (pr && size > 0 && s[0] != ' ' && s[size - 1] != ' ' && chars <= 50));

	char *out = malloc(size + 4), *ref = malloc(size + 4);
	int rc = mask_name(s, size, out, size + 1);
	int want = ref_mask_name(s, size, ref);
	CHECK(rc == want);
	if (rc == 0) {
		size_t ol = strlen(out);
		CHECK(strcmp(out, ref) == 0);
		CHECK(ol <= size);
		CHECK(utf8_valid(out, ol));
		CHECK(utf8_chars(out, ol) == chars);
		/* one byte short of the result: refused and emptied */
		out[0] = 'Q';
		CHECK(mask_name(s, size, out, ol) == -1 && out[0] == '\0');
	} else
		CHECK(out[0] == '\0');

	rc = mask_email(s, size, out, size + 3);
	want = ref_mask_email(s, size, ref);
	CHECK(rc == want);
	if (rc == 0) {
		CHECK(strcmp(out, ref) == 0);
		CHECK(utf8_valid(out, strlen(out)));
	} else
		CHECK(out[0] == '\0');

	char *em = malloc(size + 1);
	if (contact_email_valid(s, size, em, size + 1)) {
		size_t ats = 0;
		CHECK(size >= 3 && size <= CONTACT_EMAIL_MAX && strlen(em) == size);
		for (size_t i = 0; i < size; i++) {
			unsigned char c = (unsigned char)s[i];
			CHECK(c > 0x20 && c < 0x7f && c != '"' && c != '(' && c != ')' && c != ',');
			CHECK(em[i] == ((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c));
			ats += c == '@';
		}
		CHECK(ats == 1);
		const char *at = memchr(s, '@', size);
		CHECK(at > s && memchr(at, '.', size - (size_t)(at - s)) != NULL);
		CHECK(s[size - 1] != '.' && at[1] != '.' && at[-1] != '.' && s[0] != '.');
		CHECK(mask_email(em, size, out, size + 3) == 0);
	}

	CHECK((mask_phone(s, size, out, size + 1) == 0) == (size == 11));
	CHECK((mask_id_number(s, size, out, size + 1) == 0) == (size == 15 || size == 18));
	free(em);
	free(out);
	free(ref);
	return 0;
}
