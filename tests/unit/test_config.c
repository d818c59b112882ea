/* db/config: the TCP listen address and allowed peers of a worker host (scripts/cluster), session settings. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "db/config.h"

static int
load_with(const char *listen, const char *addrs, struct tm_config *c)
{
	char err[256];
	unsetenv("TMCRED_SERVER_LISTEN");
	unsetenv("TMCRED_SERVER_WEB_SERVER_ADDRS");
	if (listen != NULL)
		setenv("TMCRED_SERVER_LISTEN", listen, 1);
	if (addrs != NULL)
		setenv("TMCRED_SERVER_WEB_SERVER_ADDRS", addrs, 1);
	return config_load(NULL, c, err, sizeof(err));
}

Test(config, unix_socket_by_default)
{
	struct tm_config c;
	cr_assert_eq(load_with(NULL, NULL, &c), 0);
	cr_assert_str_empty(c.server_listen);
	cr_assert_str_eq(c.web_server_addrs, "127.0.0.1");
}

Test(config, tcp_listen_accepted)
{
	struct tm_config c;
	cr_assert_eq(load_with("127.0.0.1:9001", "127.0.0.1,10.0.0.10", &c), 0);
	cr_assert_str_eq(c.server_listen, "127.0.0.1:9001");
	cr_assert_str_eq(c.web_server_addrs, "127.0.0.1,10.0.0.10");
	cr_assert_eq(load_with("10.0.0.11:65535", NULL, &c), 0);
	cr_assert_str_eq(c.server_listen, "10.0.0.11:65535");
}

Test(config, bad_listen_refused)
{
	/* ":9000" would make libfcgi bind every interface: an address is required */
	static const char *bad[] = { ":9000", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0",
		"127.0.0.1:65536", "256.0.0.1:9000", "localhost:9000", "127.0.0.1:9000x",
		"127.0.0.1:9000 ", "1.2.3:9000", "/run/tmcred.sock" };
	struct tm_config c;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(load_with(bad[i], NULL, &c), -1, "listen '%s' accepted", bad[i]);
}

Test(config, bad_peer_list_refused)
{
	static const char *bad[] = { "", "localhost", "127.0.0.1;10.0.0.1", "::1", "10.0.0.0/8" };
	struct tm_config c;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(load_with("127.0.0.1:9001", bad[i], &c), -1, "peers '%s' accepted",
		    bad[i]);
}

/* [session] idle_minutes: DEFAULT 30, 0 turns it off, never past the absolute 12 h. */
Test(config, session_idle_minutes)
{
	struct tm_config c;
	char err[256];
	unsetenv("TMCRED_SESSION_IDLE_MINUTES");
	cr_assert_eq(load_with(NULL, NULL, &c), 0);
	cr_assert_eq(c.session_idle_minutes, 30);
	static const struct { const char *v; int rc; unsigned want; } cases[] = {
		{ "0", 0, 0 }, { "15", 0, 15 }, { "720", 0, 720 }, { "721", -1, 0 },
		{ "-1", -1, 0 }, { "30m", -1, 0 }, { "", -1, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		setenv("TMCRED_SESSION_IDLE_MINUTES", cases[i].v, 1);
		int rc = config_load(NULL, &c, err, sizeof(err));
		cr_expect_eq(rc, cases[i].rc, "idle_minutes '%s': %d", cases[i].v, rc);
		if (rc == 0)
			cr_expect_eq(c.session_idle_minutes, cases[i].want);
	}
	unsetenv("TMCRED_SESSION_IDLE_MINUTES");
}
