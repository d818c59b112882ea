#include "fedctl.h"

#include <stdio.h>
#include <string.h>

#include "keysig.h"
#include "keystore.h"

static int
open_db(const struct tm_config *cfg, struct db **d)
{
	if ((*d = db_new(cfg)) == NULL || db_ready(*d) != DB_OK) {
		fprintf(stderr, "tmcred-ctl: cannot connect to the database\n");
		db_free(*d);
		return -1;
	}
	return 0;
}

static int
node_fingerprint(struct db *d, const struct tm_config *cfg)
{
	static struct keyset ks;
	char fp[KEYSET_FP_HEX + 1];
	if (keyset_read(d, cfg, &ks) != DB_OK || ks.n == 0 || keyset_fingerprint(&ks, fp) < 0) {
		fprintf(stderr, "tmcred-ctl: no key set (run tmcred-ctl signkey first)\n");
		return 1;
	}
	printf("%s\n", fp);
	return 0;
}

int
fed_ctl(const struct tm_config *cfg, const char *cmd, int argc, char **argv)
{
	struct db *d;
	int rc;
	(void)argc;
	(void)argv;
	if (strcmp(cmd, "node-fingerprint") != 0)
		return -1;
	if (open_db(cfg, &d) < 0)
		return 1;
	rc = node_fingerprint(d, cfg);
	db_free(d);
	return rc;
}
