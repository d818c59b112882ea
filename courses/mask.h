#ifndef TM_MASK_H
#define TM_MASK_H
#include <stddef.h>

/*
 * Display masks (domain.md §8d). Each writes a NUL-terminated string into out and returns 0,
 * or -1 when out is too small or the input is not what it should be (then out is "").
 * Sizes: a masked value is never longer than its input plus the '*' it adds.
 */
/* 张三 → 张*; 张小三 → 张*三; 欧阳小华 → 欧**华; 阿依·买买提 keeps the '·'. UTF-8 in and out. */
int	 mask_name(const char *name, size_t len, char *out, size_t cap);
/* 310101199001011234 → 3101**********1234 (first 4, last 4). */
int	 mask_id_number(const char *id, size_t len, char *out, size_t cap);
/* 13812341234 → 138****1234. */
int	 mask_phone(const char *phone, size_t len, char *out, size_t cap);
/* zhang@example.com → z**@example.com */
int	 mask_email(const char *email, size_t len, char *out, size_t cap);

#endif
