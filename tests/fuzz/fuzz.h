/*
 * Shared helpers of the libFuzzer targets: an invariant check that crashes (so libFuzzer keeps
 * the input as a reproducer) and an independent UTF-8 validator to compare the project's with.
 */
#ifndef TM_FUZZ_H
#define TM_FUZZ_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CHECK(x) do { if (!(x)) __builtin_trap(); } while (0)

/*
 * Well-formed UTF-8 per Unicode Table 3-7, written from the byte ranges rather than by
 * decoding, plus the project's rule that NUL is refused.
 */
static inline bool
ref_utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		unsigned char lo = 0x80, hi = 0xbf;
		size_t len;
		if (c == 0x00)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			len = 2;
		else if (c == 0xe0) {
			len = 3;
			lo = 0xa0;
		} else if ((c >= 0xe1 && c <= 0xec) || c == 0xee || c == 0xef)
			len = 3;
		else if (c == 0xed) {
			len = 3;
			hi = 0x9f;
		} else if (c == 0xf0) {
			len = 4;
			lo = 0x90;
		} else if (c >= 0xf1 && c <= 0xf3)
			len = 4;
		else if (c == 0xf4) {
			len = 4;
			hi = 0x8f;
		} else
			return false;
		if (n - i < len)
			return false;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return false;
		for (size_t k = 2; k < len; k++)
			if (s[i + k] < 0x80 || s[i + k] > 0xbf)
				return false;
		i += len;
	}
	return true;
}

#endif
