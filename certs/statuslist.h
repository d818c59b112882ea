#ifndef TM_STATUSLIST_H
#define TM_STATUSLIST_H
#include <jansson.h>
#include <stddef.h>

#include "../db/config.h"
#include "../db/db.h"

/*
 * W3C Bitstring Status List v1.0 (https://www.w3.org/TR/vc-bitstring-status-list/): a
 * third-party verifier downloads the whole list and reads one bit, so tmcred never learns
 * which certificate it checks. List 1: revocation; list 2: suspension. A certificate's bit is
 * its id (certificates.id, never reused). Bit 0 is the most significant bit of byte 0.
 */
#define STATUS_LIST_MIN_BITS 131072u          /* 16 KiB: the spec's minimum, for herd privacy */
#define STATUS_LIST_MAX_BITS (1u << 26)       /* 8 MiB uncompressed: far beyond any node */

/* encodedList: "u" + base64url (no padding) of the GZIP of the bitstring. Caller frees. */
char	*status_list_encode(const unsigned char *bits, size_t nbytes);
/* Inverse, for tests and verifiers: the bitstring into *out (caller frees). 0 or -1. */
int	 status_list_decode(const char *encoded, unsigned char **out, size_t *nbytes);

/* The credential of list n (1 or 2), or an error code. */
const char *status_list(struct db *, const struct tm_config *, int n, json_t **out);

#endif
