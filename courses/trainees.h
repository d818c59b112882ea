#ifndef TM_TRAINEES_H
#define TM_TRAINEES_H
#include <stdbool.h>
#include <stdint.h>

#include "../db/db.h"
#include "../db/keys.h"

/* Fields arrive validated (fcgi/fields.c); the ID number in canonical 18-char form. */
struct account_new {
	const char *name;
	const char *id_number;
	const char *phone;
	const char *email;       /* lower-cased */
	const char *employer;
	const char *password;
	const char *role;        /* "trainee", or "admin" etc. from tmcred-ctl */
	int64_t base_id;         /* base operators: the base they act for; else 0 */
	const char *remote_addr;
};

enum reg_rc { REG_OK, REG_ID_TAKEN, REG_EMAIL_TAKEN, REG_PHONE_TAKEN, REG_GONE, REG_ERR };

/*
 * Creates the person (ID number encrypted + blind index) and the login in one
 * transaction with its audit row. Persons are created only when id_number is not NULL
 * (staff accounts have none). The password is hashed with argon2id before the transaction.
 */
enum reg_rc account_register(struct db *, const struct tm_keys *, const struct account_new *,
    int64_t *user_id, int64_t *person_id);

enum auth_rc { AUTH_OK, AUTH_BAD, AUTH_THROTTLED, AUTH_GONE, AUTH_ERR };

/*
 * Checks a login (e-mail or mobile number) and password. Unknown logins cost the same
 * argon2id verification as known ones. After TM_LOGIN_MAX_FAILURES failures for one login
 * name within the window, every attempt is AUTH_THROTTLED until the window passes.
 */
enum auth_rc account_login(struct db *, const struct tm_keys *, const char *login,
    const char *password, unsigned max_failures, unsigned window_seconds, int64_t *user_id);

struct account {
	int64_t user_id;
	int64_t person_id;       /* 0 for staff */
	char role[16];
	char name[204];          /* 50 characters of utf8mb4 */
	char email[256];
	char phone[12];
	char employer[404];
	char id_number[19];      /* decrypted; "" for staff. Never log, never show unmasked. */
};

/* DB_NOROW for an unknown or disabled user. */
enum db_rc account_get(struct db *, const struct tm_keys *, int64_t user_id, struct account *);

/* The person with this (canonical, 18-char) ID number: DB_OK with *person_id, or DB_NOROW. */
enum db_rc person_by_id_number(struct db *, const struct tm_keys *, const char *id18,
    int64_t *person_id);

/* An ID number at rest: secretbox(nonce 24 || MAC 16 || 18 bytes) under id.key. */
#define ID_ENC_BYTES 58
void	 id_encrypt(const struct tm_keys *, const char id18[18], unsigned char out[ID_ENC_BYTES]);

/* Keyed hashes (BLAKE2b-256 under blind.key) with a domain tag, for lookups without clear text. */
void	 blind_hash(const struct tm_keys *, const char *domain, const char *s, size_t n,
    unsigned char out[32]);

#endif
