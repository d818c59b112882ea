#include "fedctl.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keysig.h"
#include "keystore.h"
#include "peers.h"

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

/* A fresh regional key in a new file (never overwrites): the operator shares it with peers. */
static int
regional_key(const char *path)
{
	unsigned char k[32];
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "tmcred-ctl: %s: %s\n", path, strerror(errno));
		return 1;
	}
	randombytes_buf(k, sizeof(k));
	ssize_t w = write(fd, k, sizeof(k));
	sodium_memzero(k, sizeof(k));
	if (w != (ssize_t)sizeof(k) || fsync(fd) < 0 || close(fd) < 0) {
		fprintf(stderr, "tmcred-ctl: %s: write failed\n", path);
		unlink(path);
		return 1;
	}
	return 0;
}

static int
peer_list(struct db *d)
{
	static struct peer list[PEERS_MAX];
	size_t n;
	if (peers_read(d, list, PEERS_MAX, &n) != DB_OK) {
		fprintf(stderr, "tmcred-ctl: cannot read peers\n");
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		printf("%s\t%s\t%s\t%s\n", list[i].code, list[i].url, list[i].fingerprint,
		    list[i].name);
	return 0;
}

/* The trust list file of tmcred-verify --trust: this node's set and every peer's. */
static int
trust_export(struct db *d, const struct tm_config *cfg)
{
	static struct peer list[PEERS_MAX];
	static struct keyset own;
	size_t n;
	json_t *sets = json_array();
	if (keyset_read(d, cfg, &own) != DB_OK || peers_read(d, list, PEERS_MAX, &n) != DB_OK) {
		json_decref(sets);
		fprintf(stderr, "tmcred-ctl: cannot read the key sets\n");
		return 1;
	}
	if (own.n > 0)
		json_array_append_new(sets, keyset_signed_json(&own, NULL));
	for (size_t i = 0; i < n; i++)
		json_array_append_new(sets, keyset_signed_json(&list[i].ks, NULL));
	json_t *doc = json_pack("{s:s, s:s, s:o}", "format", TRUST_FORMAT, "exported_by",
	    cfg->node_code, "keysets", sets);
	char *text = doc ? json_dumps(doc, JSON_INDENT(1) | JSON_ENSURE_ASCII) : NULL;
	json_decref(doc);
	if (text == NULL)
		return 1;
	printf("%s\n", text);
	free(text);
	return 0;
}

int
fed_ctl(const struct tm_config *cfg, const char *cmd, int argc, char **argv)
{
	static const char *const cmds[] = { "node-fingerprint", "peer-add", "peer-remove",
		"peer-list", "federation-pull", "trust-export", "regional-key" };
	struct db *d;
	int rc = 0;
	size_t i = 0;
	for (; i < sizeof(cmds) / sizeof(cmds[0]) && strcmp(cmd, cmds[i]) != 0; i++)
		;
	if (i == sizeof(cmds) / sizeof(cmds[0]))
		return -1;
	if (strcmp(cmd, "regional-key") == 0) {
		if (argc != 1) {
			fprintf(stderr, "usage: tmcred-ctl regional-key FILE\n");
			return 2;
		}
		return regional_key(argv[0]);
	}
	if ((strcmp(cmd, "peer-add") == 0 && argc != 2) ||
	    (strcmp(cmd, "peer-remove") == 0 && argc != 1)) {
		fprintf(stderr, "usage: tmcred-ctl peer-add URL FINGERPRINT | peer-remove CODE\n");
		return 2;
	}
	if (open_db(cfg, &d) < 0)
		return 1;
	if (strcmp(cmd, "node-fingerprint") == 0)
		rc = node_fingerprint(d, cfg);
	else if (strcmp(cmd, "peer-list") == 0)
		rc = peer_list(d);
	else if (strcmp(cmd, "trust-export") == 0)
		rc = trust_export(d, cfg);
	else if (strcmp(cmd, "peer-add") == 0 || strcmp(cmd, "peer-remove") == 0) {
		json_t *out = NULL;
		const char *why = cmd[5] == 'a' ? peer_add(d, cfg, 0, "tmcred-ctl", argv[0], argv[1], &out) :
		    peer_remove(d, 0, "tmcred-ctl", argv[0]);
		if (why != NULL) {
			fprintf(stderr, "tmcred-ctl: %s: %s\n", cmd, why);
			rc = 1;
		} else if (out != NULL)
			printf("%s\t%s\n", json_string_value(json_object_get(out, "code")),
			    json_string_value(json_object_get(out, "name")));
		json_decref(out);
	} else {
		json_t *result = json_array();
		const char *why = federation_pull(d, cfg, result);
		size_t k;
		json_t *e;
		if (why != NULL) {
			fprintf(stderr, "tmcred-ctl: federation-pull: %s\n", why);
			rc = 1;
		}
		json_array_foreach(result, k, e) {
			const char *ko = json_string_value(json_object_get(e, "keyset"));
			const char *so = json_string_value(json_object_get(e, "summary"));
			printf("%s\tkeyset=%s\tsummary=%s\n",
			    json_string_value(json_object_get(e, "code")), ko ? ko : "-", so ? so : "-");
			if ((ko && strcmp(ko, "same") && strcmp(ko, "rotated")) ||
			    (so && strcmp(so, "ok") && strcmp(so, "same")))
				rc = 3;     /* something to look at on /admin/peers; cron mails it */
		}
		json_decref(result);
	}
	db_free(d);
	return rc;
}
