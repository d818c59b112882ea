/*
 * A fixed Ed25519 key (from a constant seed: these targets test decisions, not key secrecy)
 * and a certificate it signs, shared by fuzz_keyset and fuzz_verify.
 */
#ifndef TM_FUZZ_SIGN_H
#define TM_FUZZ_SIGN_H
#include <sodium.h>
#include <string.h>

#include "certs/keyset.h"
#include "fuzz.h"

static unsigned char fz_pk[SIG_PK_BYTES], fz_sk[SIG_SK_BYTES];
static struct cert_claims fz_claims;
static unsigned char fz_sig[SIG_BYTES];

static void
fz_sign_init(void)
{
	static int done;
	unsigned char seed[crypto_sign_SEEDBYTES];
	if (done)
		return;
	CHECK(sodium_init() >= 0);
	memset(seed, 0x5a, sizeof(seed));
	crypto_sign_seed_keypair(fz_pk, fz_sk, seed);
	memset(&fz_claims, 0, sizeof(fz_claims));
	CHECK(serial_format("SH", 2026, 'J', 123, fz_claims.serial) > 0);
	fz_claims.rev = 1;
	fz_claims.level = 'J';
	CHECK(holder_hash("张三", fz_claims.holder) == 0);
	fz_claims.issued = (struct ymd){ 2026, 3, 1 };
	fz_claims.expires = (struct ymd){ 2029, 2, 28 };
	memcpy(fz_claims.key_id, "SH1", 4);
	CHECK(sig_sign(&fz_claims, fz_sk, fz_sig) == 0);
	done = 1;
}

#endif
