/*
 * db/keys: the secret key files (ID-number encryption, blind index, CSRF). ASVS 6.4: keys are
 * created once with mode 0600 and never overwritten; a file another user could read, or of
 * the wrong size, is refused at start rather than used.
 */
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db/keys.h"

static char dir[64];

static void
setup(void)
{
	cr_assert_geq(sodium_init(), 0);
	snprintf(dir, sizeof(dir), "/tmp/tmkeys.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void
teardown(void)
{
	static const char *names[] = { "id.key", "blind.key", "csrf.key" };
	char p[128];
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		unlink(p);
	}
	rmdir(dir);
}

TestSuite(keys, .init = setup, .fini = teardown);

static mode_t
mode_of(const char *name)
{
	char p[128];
	struct stat sb;
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	cr_assert_eq(stat(p, &sb), 0, "%s", p);
	return sb.st_mode & 0777;
}

Test(keys, generated_0600_loaded_never_overwritten)
{
	char err[256] = "";
	struct tm_keys a, b;
	cr_assert_eq(keys_generate(dir, err, sizeof(err)), 3, "%s", err);
	cr_assert_eq(mode_of("id.key"), 0600);
	cr_assert_eq(mode_of("blind.key"), 0600);
	cr_assert_eq(mode_of("csrf.key"), 0600);
	cr_assert_eq(keys_load(dir, &a, err, sizeof(err)), 0, "%s", err);
	/* three independent random keys */
	cr_assert_neq(memcmp(a.id_enc, a.blind, TM_KEY_BYTES), 0);
	cr_assert_neq(memcmp(a.blind, a.csrf, TM_KEY_BYTES), 0);
	cr_assert_eq(keys_generate(dir, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(keys_load(dir, &b, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(memcmp(&a, &b, sizeof(a)), 0, "a second keys_generate changed a key");
	keys_wipe(&a);
	keys_wipe(&b);
}

Test(keys, readable_by_group_or_others_refused)
{
	static const mode_t bad[] = { 0640, 0604, 0644, 0660 };
	char err[256], p[128];
	struct tm_keys k;
	cr_assert_eq(keys_generate(dir, err, sizeof(err)), 3, "%s", err);
	snprintf(p, sizeof(p), "%s/blind.key", dir);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(chmod(p, bad[i]), 0);
		err[0] = '\0';
		memset(&k, 0x55, sizeof(k));
		cr_assert_eq(keys_load(dir, &k, err, sizeof(err)), -1, "mode %o accepted", bad[i]);
		cr_assert_not_null(strstr(err, "0600"), "%s", err);
		/* nothing of the keys read before the refusal stays in memory */
		static const struct tm_keys zero;
		cr_assert_eq(memcmp(&k, &zero, sizeof(k)), 0, "keys not wiped after a refusal");
	}
	cr_assert_eq(chmod(p, 0600), 0);
	cr_assert_eq(keys_load(dir, &k, err, sizeof(err)), 0, "%s", err);
	keys_wipe(&k);
}

Test(keys, wrong_size_or_missing_refused)
{
	char err[256], p[128];
	struct tm_keys k;
	cr_assert_eq(keys_generate(dir, err, sizeof(err)), 3, "%s", err);
	snprintf(p, sizeof(p), "%s/csrf.key", dir);
	cr_assert_eq(truncate(p, TM_KEY_BYTES - 1), 0);
	cr_assert_eq(keys_load(dir, &k, err, sizeof(err)), -1, "a 31-byte key accepted");
	cr_assert_eq(truncate(p, TM_KEY_BYTES + 1), 0);
	cr_assert_eq(keys_load(dir, &k, err, sizeof(err)), -1, "a 33-byte key accepted");
	cr_assert_eq(unlink(p), 0);
	cr_assert_eq(keys_load(dir, &k, err, sizeof(err)), -1, "a missing key accepted");
	cr_assert_not_null(strstr(err, "csrf.key"), "%s", err);
}
