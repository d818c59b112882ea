#ifndef TM_CONFIG_H
#define TM_CONFIG_H
#include <stdbool.h>
#include <stddef.h>

/*
 * tmcred.conf (INI, libinih), then environment overrides named TMCRED_<SECTION>_<KEY>
 * (e.g. TMCRED_DB_SOCKET), so one file serves a deployment and tests can adjust one value.
 */
struct tm_config {
	char server_socket[108];     /* sun_path holds 108 bytes including the NUL */
	/*
	 * [server] listen: "127.0.0.1:9001" makes the FastCGI socket TCP instead of the unix
	 * socket, for a worker host behind another machine's (or a shared) nginx upstream.
	 * [server] web_server_addrs: the peers allowed to connect to it (libfcgi's
	 * FCGI_WEB_SERVER_ADDRS, comma-separated IPv4 addresses); DEFAULT "127.0.0.1".
	 */
	char server_listen[64];
	char web_server_addrs[256];
	unsigned workers;            /* 0 = number of online CPUs */
	char templates[1024];
	bool secure_cookies;         /* add Secure to cookies (behind TLS) */
	char db_host[256];           /* empty = unix socket */
	unsigned db_port;
	char db_socket[108];
	char db_user[80];
	char db_password[256];
	char db_name[64];
	char keys_dir[1024];
	char migrations_dir[1024];
	/* this node: serial prefix, display name, and the base of the links in its QR codes */
	char node_code[5];           /* 2..4 letters A-Z */
	char node_name[65];
	char node_base_url[65];      /* "HTTPS://SH.TMCRED.CN": upper case keeps QR codes small */
	/*
	 * [session] cache_seconds: how long a worker trusts a session it read (0 = read it on
	 * every request). A logout on this host ends it at once on every worker of the host;
	 * the bound applies to other hosts and to changes made in SQL (fcgi/session.h).
	 */
	unsigned session_cache_seconds;
	/*
	 * [session] idle_minutes: a session not used for this long ends (0 = only the absolute
	 * TM_SESSION_TTL_SECONDS). At most 720, the absolute limit.
	 */
	unsigned session_idle_minutes;
	/*
	 * [credits] cache_seconds: how long a worker may give a trainee's ledger answer again
	 * (0 = read it on every request). Any write request served by this host drops it at
	 * once on every worker of the host; the bound applies to other hosts and to SQL.
	 */
	unsigned credits_cache_seconds;
	/*
	 * [federation] (certs/README.md "Federation"): fetches of peers' documents are bounded
	 * by connect_timeout_ms / timeout_ms; a peer's live certificate status is cached per
	 * worker for status_cache_seconds; regional_key_file names the 32-byte key the region's
	 * nodes share for counting a person certified at two nodes once ("" = none).
	 */
	unsigned fed_connect_timeout_ms;
	unsigned fed_timeout_ms;
	unsigned fed_status_cache_seconds;
	char fed_regional_key_file[1024];
};

/* Defaults, then the file (if path is not NULL), then the environment. 0 or -1 with err. */
int	 config_load(const char *path, struct tm_config *, char *err, size_t errlen);

#endif
