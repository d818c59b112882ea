#ifndef TM_CONTACT_H
#define TM_CONTACT_H
#include <stdbool.h>
#include <stddef.h>

/* RFC 5321 caps a forward path at 256 bytes including the angle brackets. */
#define CONTACT_EMAIL_MAX 254u

/* Mainland China mobile number: 11 digits, 1[3-9]xxxxxxxxx. */
bool	 contact_phone_valid(const char *, size_t);
/*
 * A deliverable-looking address: local@domain, ASCII, 3..254 bytes, no spaces or quotes,
 * a dot in the domain, no empty labels. Deliberately stricter than RFC 5322.
 * Writes the lower-cased form into out (cap >= len + 1).
 */
bool	 contact_email_valid(const char *, size_t, char *out, size_t cap);

#endif
