#include "config.h"

#include <ctype.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WORKERS 64u   /* mirrors TM_MAX_WORKERS; db/ must not include fcgi/ */

struct load_ctx {
	struct tm_config *c;
	char *err;
	size_t errlen;
	int failed;
};

static int
set_str(char *dst, size_t cap, const char *v)
{
	return (size_t)snprintf(dst, cap, "%s", v) < cap ? 0 : -1;
}

static int
set_uint(unsigned *dst, const char *v, unsigned max)
{
	char *end;
	unsigned long n;
	if (*v == '\0' || !isdigit((unsigned char)*v))
		return -1;
	n = strtoul(v, &end, 10);
	if (*end != '\0' || n > max)
		return -1;
	*dst = (unsigned)n;
	return 0;
}

static int
set_bool(bool *dst, const char *v)
{
	if (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "on"))
		*dst = true;
	else if (!strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "off"))
		*dst = false;
	else
		return -1;
	return 0;
}

/* 2..4 letters A-Z: the node part of serials (certs/serial.h). */
static int
set_node_code(char *dst, size_t cap, const char *v)
{
	size_t n = strlen(v);
	if (n < 2 || n > 4 || n >= cap)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (v[i] < 'A' || v[i] > 'Z')
			return -1;
	return set_str(dst, cap, v);
}

/* "A.B.C.D:PORT" with a port 1..65535: libfcgi binds INADDR_ANY for ":PORT", so the address is required. */
static int
set_listen(char *dst, size_t cap, const char *v)
{
	unsigned a, b, c4, d, port;
	char tail;
	if (*v == '\0')
		return set_str(dst, cap, v);
	if (sscanf(v, "%3u.%3u.%3u.%3u:%5u%c", &a, &b, &c4, &d, &port, &tail) != 5 ||
	    a > 255 || b > 255 || c4 > 255 || d > 255 || port == 0 || port > 65535)
		return -1;
	return set_str(dst, cap, v);
}

/* Comma-separated IPv4 addresses (digits, dots, commas): what libfcgi parses itself. */
static int
set_addrs(char *dst, size_t cap, const char *v)
{
	if (*v == '\0' || strspn(v, "0123456789.,") != strlen(v))
		return -1;
	return set_str(dst, cap, v);
}

/* Applies one section/key; -1 for a bad value, 1 for an unknown key. */
static int
apply(struct tm_config *c, const char *sec, const char *key, const char *v)
{
#define S(s, k) (!strcmp(sec, s) && !strcmp(key, k))
	if (S("server", "socket")) return set_str(c->server_socket, sizeof(c->server_socket), v);
	if (S("server", "listen")) return set_listen(c->server_listen, sizeof(c->server_listen), v);
	if (S("server", "web_server_addrs"))
		return set_addrs(c->web_server_addrs, sizeof(c->web_server_addrs), v);
	if (S("server", "workers")) return set_uint(&c->workers, v, MAX_WORKERS);
	if (S("server", "templates")) return set_str(c->templates, sizeof(c->templates), v);
	if (S("server", "secure_cookies")) return set_bool(&c->secure_cookies, v);
	if (S("db", "host")) return set_str(c->db_host, sizeof(c->db_host), v);
	if (S("db", "port")) return set_uint(&c->db_port, v, 65535);
	if (S("db", "socket")) return set_str(c->db_socket, sizeof(c->db_socket), v);
	if (S("db", "user")) return set_str(c->db_user, sizeof(c->db_user), v);
	if (S("db", "password")) return set_str(c->db_password, sizeof(c->db_password), v);
	if (S("db", "name")) return set_str(c->db_name, sizeof(c->db_name), v);
	if (S("keys", "dir")) return set_str(c->keys_dir, sizeof(c->keys_dir), v);
	if (S("migrations", "dir")) return set_str(c->migrations_dir, sizeof(c->migrations_dir), v);
	if (S("node", "code")) return set_node_code(c->node_code, sizeof(c->node_code), v);
	if (S("node", "name")) return set_str(c->node_name, sizeof(c->node_name), v);
	if (S("node", "base_url")) return set_str(c->node_base_url, sizeof(c->node_base_url), v);
	if (S("session", "cache_seconds")) return set_uint(&c->session_cache_seconds, v, 3600);
	if (S("session", "idle_minutes")) return set_uint(&c->session_idle_minutes, v, 720);
	if (S("credits", "cache_seconds")) return set_uint(&c->credits_cache_seconds, v, 3600);
	if (S("federation", "connect_timeout_ms")) return set_uint(&c->fed_connect_timeout_ms, v, 60000);
	if (S("federation", "timeout_ms")) return set_uint(&c->fed_timeout_ms, v, 120000);
	if (S("federation", "status_cache_seconds"))
		return set_uint(&c->fed_status_cache_seconds, v, 3600);
	if (S("federation", "regional_key_file"))
		return set_str(c->fed_regional_key_file, sizeof(c->fed_regional_key_file), v);
#undef S
	return 1;
}

static int
on_entry(void *user, const char *sec, const char *key, const char *v)
{
	struct load_ctx *l = user;
	int rc = apply(l->c, sec, key, v);
	if (rc != 0 && !l->failed) {
		snprintf(l->err, l->errlen, "[%s] %s: %s", sec, key,
		    rc > 0 ? "unknown setting" : "bad value");
		l->failed = 1;
	}
	return rc == 0;
}

int
config_load(const char *path, struct tm_config *c, char *err, size_t errlen)
{
	static const char *keys[][2] = {
		{ "server", "socket" }, { "server", "listen" }, { "server", "web_server_addrs" },
		{ "server", "workers" }, { "server", "templates" },
		{ "server", "secure_cookies" }, { "db", "host" }, { "db", "port" },
		{ "db", "socket" }, { "db", "user" }, { "db", "password" }, { "db", "name" },
		{ "keys", "dir" }, { "migrations", "dir" }, { "node", "code" }, { "node", "name" },
		{ "node", "base_url" }, { "session", "cache_seconds" }, { "session", "idle_minutes" },
		{ "credits", "cache_seconds" },
		{ "federation", "connect_timeout_ms" }, { "federation", "timeout_ms" },
		{ "federation", "status_cache_seconds" }, { "federation", "regional_key_file" },
	};
	struct load_ctx l = { c, err, errlen, 0 };

	memset(c, 0, sizeof(*c));
	set_str(c->server_socket, sizeof(c->server_socket), "var/run/tmcred.sock");
	set_str(c->web_server_addrs, sizeof(c->web_server_addrs), "127.0.0.1");
	set_str(c->templates, sizeof(c->templates), "fcgi/templates");
	set_str(c->db_socket, sizeof(c->db_socket), "var/run/mysqld.sock");
	set_str(c->db_user, sizeof(c->db_user), "tmcred");
	set_str(c->db_name, sizeof(c->db_name), "tmcred");
	set_str(c->keys_dir, sizeof(c->keys_dir), "var/keys");
	set_str(c->migrations_dir, sizeof(c->migrations_dir), "db/migrations");
	set_str(c->node_code, sizeof(c->node_code), "SH");
	set_str(c->node_name, sizeof(c->node_name), "上海");
	set_str(c->node_base_url, sizeof(c->node_base_url), "HTTP://127.0.0.1:8080");
	c->session_cache_seconds = 5;   /* DEFAULT; the bound is documented in README.md */
	c->session_idle_minutes = 30;   /* DEFAULT; ASVS 3.3.2 level 2 */
	c->credits_cache_seconds = 5;   /* DEFAULT; as sessions (README.md) */
	c->fed_connect_timeout_ms = 2000;   /* DEFAULTs: a verify page waits at most this long */
	c->fed_timeout_ms = 5000;
	c->fed_status_cache_seconds = 30;

	if (path != NULL) {
		int rc = ini_parse(path, on_entry, &l);
		if (rc < 0) {
			snprintf(err, errlen, "%s: cannot open", path);
			return -1;
		}
		if (rc > 0 && !l.failed)
			snprintf(err, errlen, "%s: syntax error on line %d", path, rc);
		if (rc > 0 || l.failed) {
			if (l.failed) {
				char tmp[256];
				snprintf(tmp, sizeof(tmp), "%s: %s", path, err);
				snprintf(err, errlen, "%s", tmp);
			}
			return -1;
		}
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char name[64];
		snprintf(name, sizeof(name), "TMCRED_%s_%s", keys[i][0], keys[i][1]);
		for (char *p = name; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		const char *v = getenv(name);
		if (v != NULL && apply(c, keys[i][0], keys[i][1], v) != 0) {
			snprintf(err, errlen, "%s: bad value", name);
			return -1;
		}
	}
	return 0;
}
