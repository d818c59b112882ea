#ifndef TM_APIKEYS_H
#define TM_APIKEYS_H
#include <jansson.h>
#include <stdint.h>

#include "../db/db.h"
#include "../db/keys.h"

/*
 * API keys of training bases: "tmk_<prefix>_<secret>". Only a keyed hash (blind.key) is
 * stored; the prefix identifies the key in lists and finds its row. Scopes are the batch
 * kinds it may upload (roster, hours, exams) and read (its own batches).
 */
#define APIKEY_SCOPES "roster|hours|exams|read"
#define APIKEY_TEXT_MAX 80

struct apikey_auth {
	int64_t key_id, base_id;
	char scopes[64];        /* "roster,hours,..." as MariaDB returns a SET */
	char base_code[20];
};

/* Creates a key for the base; text (APIKEY_TEXT_MAX) receives the key, shown once. */
const char *apikey_create(struct db *, const struct tm_keys *, int64_t actor, const char *remote,
    const char *base_code, const char *scopes, const char *label, int expires_days, char *text,
    json_t **out);
const char *apikey_revoke(struct db *, int64_t actor, const char *remote, const char *prefix);
const char *apikeys_list(struct db *, json_t *out);
/* Checks an Authorization header value ("Bearer tmk_..."): NULL when valid, else
 * "api_key_invalid", "api_key_revoked", "api_key_expired" or a db code. */
const char *apikey_check(struct db *, const struct tm_keys *, const char *header,
    struct apikey_auth *);
/* The key may do `scope`. */
bool	 apikey_has_scope(const struct apikey_auth *, const char *scope);

#endif
