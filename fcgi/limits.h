/*
 * Every size and count tmcred accepts, named once. A limit is here with the reason for its
 * value; code compares against these names and never against a bare number.
 */
#ifndef TM_LIMITS_H
#define TM_LIMITS_H

/* Request bodies of forms and JSON calls. nginx's client_max_body_size (2m) must stay above
 * this so the application, not nginx, answers 413 with a JSON error for the usual cases. */
#define TM_MAX_BODY             (1024u * 1024u)
#define TM_NGINX_MAX_BODY       (2u * 1024u * 1024u)
_Static_assert(TM_NGINX_MAX_BODY >= TM_MAX_BODY, "nginx body limit must cover the app limit");

/* Login and registration forms hold a few short fields: refuse big bodies before parsing. */
#define TM_MAX_BODY_PUBLIC      (16u * 1024u)

#define TM_MAX_QUERY            4096u   /* QUERY_STRING bytes */
#define TM_MAX_PATH             1024u   /* DOCUMENT_URI bytes */
#define TM_MAX_COOKIE_HEADER    4096u   /* HTTP_COOKIE bytes */
#define TM_MAX_FIELDS           64u     /* fields in a query string or form body */
#define TM_MAX_COOKIES          32u
#define TM_MAX_FIELD_NAME       64u     /* bytes of one field name */
#define TM_MAX_FIELD_VALUE      8192u   /* bytes of one decoded field value */
#define TM_MAX_JSON_DEPTH       16u     /* nesting of a JSON request body */

/* Account fields (code points for text shown to people, bytes for the rest). */
#define TM_MAX_NAME_CHARS       50u
#define TM_MAX_EMPLOYER_CHARS   100u
/* a new password: ASVS 2.1.1 (characters are code points); login takes any length */
#define TM_MIN_PASSWORD_CHARS   12u
#define TM_MAX_PASSWORD_CHARS   128u    /* ASVS 2.1.2: 64 allowed, more than 128 refused */
#define TM_MAX_PASSWORD_BYTES   512u    /* 128 characters of 4 bytes; bounds the work per login */

/* Sessions and login throttle. */
#define TM_SESSION_TOKEN_BYTES  32u
#define TM_SESSION_TTL_SECONDS  (12 * 3600)
/* the idle deadline ([session] idle_minutes) is moved when it lags by this much */
#define TM_SESSION_IDLE_TOUCH_SECONDS 60
#define TM_LOGIN_MAX_FAILURES   5u      /* failed logins per login name within the window */
#define TM_LOGIN_WINDOW_SECONDS (15 * 60)

/* Templates: a file and the nesting of its sections. */
#define TM_MAX_TEMPLATE_BYTES   (256u * 1024u)
#define TM_MAX_TEMPLATES        64u
#define TM_MAX_TEMPLATE_DEPTH   16u

/* Response bodies are built in the request arena; bound what one request may allocate. */
#define TM_MAX_ARENA_BYTES      (32u * 1024u * 1024u)

/* Master: respawn back-off and how long old workers get to finish in-flight requests. */
#define TM_MAX_WORKERS          64u
#define TM_RESPAWN_BACKOFF_MAX_MS 5000u
#define TM_GRACEFUL_STOP_SECONDS 30u

/*
 * Database: transaction retries on deadlock / lock wait timeout / Galera conflict (1213 /
 * 1205 / 1180), back-off 2^n ms plus jitter: 8 tries span ~0.5 s, enough for two Galera nodes
 * issuing certificates at full speed on the same serial counter row (5 left 1 % refused).
 */
#define TM_DB_TX_RETRIES        8u
#define TM_DB_STMT_CACHE        128u
#define TM_DB_IDLE_PING_SECONDS 300u

/* --- progress --- */
/* Goal progress: how long a worker may answer from its cached view when no change of this host
   moved the certificate epoch (changes made elsewhere show within this). */
#define TM_PROGRESS_CACHE_MS    1000
/* --- end progress --- */

/* --- credits --- */
/* Ledger answers a worker keeps (fcgi/handlers/credits.c): one slot of a few KB per
   (trainee, year), so at most about 1 MB per worker. */
#define TM_CREDITS_CACHE_SLOTS  256u
/* --- end credits --- */

#endif
