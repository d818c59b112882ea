#ifndef TM_KEYS_H
#define TM_KEYS_H
#include <stddef.h>

/*
 * Secret keys live in files (mode 0600) under the configured keys dir, never in the
 * database or the config file. Each is 32 random bytes from libsodium.
 *   id.key     secretbox key for ID numbers at rest
 *   blind.key  keyed hash (blind index) of ID numbers and login names
 *   csrf.key   keyed hash that binds CSRF tokens to a cookie
 */
#define TM_KEY_BYTES 32

struct tm_keys {
	unsigned char id_enc[TM_KEY_BYTES];
	unsigned char blind[TM_KEY_BYTES];
	unsigned char csrf[TM_KEY_BYTES];
};

/* Loads all keys; refuses a file of the wrong size or readable by group/others. */
int	 keys_load(const char *dir, struct tm_keys *, char *err, size_t errlen);
/* Creates the missing key files; never overwrites. Returns how many were created, or -1. */
int	 keys_generate(const char *dir, char *err, size_t errlen);
void	 keys_wipe(struct tm_keys *);

#endif
