#include "ctl.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../courses/idnumber.h"
#include "../courses/trainees.h"
#include "issue.h"
#include "keystore.h"
#include "progress.h"
#include "progress_demo.h"

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
import(struct db *d, const struct tm_config *cfg, int64_t actor, int64_t pid, const char *level,
    struct ymd on, json_t **out)
{
	struct eligibility elig;
	struct cert_issue_in in = { .person_id = pid, .level = level, .issued_on = on,
		.import = true };
	const char *why = cert_issue(d, cfg, actor, "tmcred-ctl", &in, out, &elig);
	if (why != NULL)
		fprintf(stderr, "tmcred-ctl: certificate not issued: %s\n", why);
	return why ? -1 : 0;
}

/*
 * Person ids on stdin, one per line: each imported in its own transaction, so the cost per
 * certificate stays flat and memory bounded however many lines come. Prints "serial url".
 */
static int
import_many(struct db *d, const struct tm_config *cfg, int argc, char **argv)
{
	struct ymd on;
	char line[64];
	long n = 0, bad = 0;
	if (argc != 2 || !ymd_parse_str(argv[1], &on)) {
		fprintf(stderr, "usage: tmcred-ctl cert-import-many LEVEL YYYY-MM-DD < person-ids\n");
		return 2;
	}
	while (fgets(line, sizeof(line), stdin) != NULL) {
		json_t *out = NULL;
		long long pid = atoll(line);
		/* a lost connection (a Galera node restarting) is reopened for the next line */
		if (pid <= 0 || db_ready(d) != DB_OK || import(d, cfg, 0, pid, argv[0], on, &out) < 0)
			bad++;
		else
			printf("%s %s\n", json_string_value(json_object_get(out, "serial")),
			    json_string_value(json_object_get(out, "url")));
		json_decref(out);
		n++;
	}
	fprintf(stderr, "tmcred-ctl: %ld imported, %ld refused\n", n - bad, bad);
	return bad ? 1 : 0;
}

int
certs_ctl(const struct tm_config *cfg, const char *cmd, int argc, char **argv)
{
	char err[256], id[CERT_KEY_ID_MAX + 1];
	struct db *d;
	int rc = 0;

	if (strcmp(cmd, "signkey") && strcmp(cmd, "signkey-rotate") && strcmp(cmd, "cert-import") &&
	    strcmp(cmd, "cert-import-many") && strcmp(cmd, "progress-check") &&
	    strcmp(cmd, "progress-rebuild") && strcmp(cmd, "progress-json"))
		return -1;
	if (open_db(cfg, &d) < 0)
		return 1;
	if (strcmp(cmd, "signkey") == 0) {
		int n = signkey_ensure(d, cfg, err, sizeof(err));
		if (n < 0)
			fprintf(stderr, "tmcred-ctl: %s\n", err);
		else if (n > 0)
			fprintf(stderr, "tmcred-ctl: signing key %s1 created\n", cfg->node_code);
		rc = n < 0;
	} else if (strcmp(cmd, "signkey-rotate") == 0) {
		if (signkey_rotate(d, cfg, argc > 0 ? argv[0] : NULL, id, err, sizeof(err)) < 0) {
			fprintf(stderr, "tmcred-ctl: %s\n", err);
			rc = 1;
		} else
			printf("%s\n", id);
	} else if (strcmp(cmd, "cert-import-many") == 0) {
		rc = import_many(d, cfg, argc, argv);
	} else if (strcmp(cmd, "progress-check") == 0 || strcmp(cmd, "progress-rebuild") == 0) {
		bool rebuild = strcmp(cmd, "progress-rebuild") == 0;
		if (argc > 0) {
			fprintf(stderr, "usage: tmcred-ctl %s\n", cmd);
			rc = 2;
		} else {
			long diff = progress_check(d, rebuild, stdout);
			rc = diff < 0 ? 3 : diff > 0 && !rebuild ? 1 : 0;
		}
	} else if (strcmp(cmd, "progress-json") == 0) {
		json_t *node = NULL;
		if (progress_node_json(d, &node) < 0)
			rc = 3;
		else
			json_dumpf(node, stdout, JSON_INDENT(1) | JSON_SORT_KEYS);
		json_decref(node);
	} else {
		struct ymd on;
		json_t *out = NULL;
		if (argc != 3 || atoll(argv[0]) <= 0 || !ymd_parse_str(argv[2], &on)) {
			fprintf(stderr, "usage: tmcred-ctl cert-import PERSON_ID LEVEL YYYY-MM-DD\n");
			rc = 2;
		} else if (import(d, cfg, 0, atoll(argv[0]), argv[1], on, &out) < 0)
			rc = 1;
		else
			printf("%s %s\n", json_string_value(json_object_get(out, "serial")),
			    json_string_value(json_object_get(out, "url")));
		json_decref(out);
	}
	db_free(d);
	return rc;
}

/* A demo holder: a registered trainee with a random valid ID number. */
static int64_t
demo_holder(struct db *d, const struct tm_keys *k, const char *name, int n)
{
	char id[19], phone[12], email[64], pw[40];
	int64_t uid, pid = 0;
	snprintf(id, sizeof(id), "310115%04u%02u%02u%03u", 1960 + (unsigned)randombytes_uniform(40),
	    1 + (unsigned)randombytes_uniform(12), 1 + (unsigned)randombytes_uniform(28),
	    (unsigned)randombytes_uniform(1000));
	id[17] = id_check_char(id);
	id[18] = '\0';
	snprintf(phone, sizeof(phone), "137%08u", (unsigned)randombytes_uniform(100000000));
	snprintf(email, sizeof(email), "holder%d@tmcred.example", n);
	randombytes_buf(pw, 20);
	sodium_bin2hex(pw, sizeof(pw), (unsigned char *)pw, 19);
	struct account_new a = { .name = name, .id_number = id, .phone = phone, .email = email,
		.employer = "上海市技术转移协会", .password = pw, .role = "trainee",
		.remote_addr = "tmcred-ctl" };
	if (account_register(d, k, &a, &uid, &pid) != REG_OK)
		return 0;
	return pid;
}

int
certs_demo(struct db *d, const struct tm_config *cfg, const struct tm_keys *k, int64_t admin_id,
    int64_t trainee_pid)
{
	static const struct { const char *name, *state, *env; } others[] = {
		{ "王芳", "expired", "DEMO_CERT_URL_EXPIRED" },
		{ "张伟", "suspended", "DEMO_CERT_URL_SUSPENDED" },
		{ "陈静", "revoked", "DEMO_CERT_URL_REVOKED" },
	};
	struct eligibility elig;
	json_t *out = NULL;
	struct cert_issue_in in = { .person_id = trainee_pid, .level = "junior",
		.issued_on = ymd_today_utc() };
	const char *why = cert_issue(d, cfg, admin_id, "tmcred-ctl", &in, &out, &elig);
	if (why != NULL) {
		fprintf(stderr, "tmcred-ctl: demo certificate not issued: %s\n", why);
		for (size_t i = 0; i < elig.n; i++)
			fprintf(stderr, "  %s: %s\n", elig.unmet[i].code, elig.unmet[i].message);
		return -1;
	}
	printf("DEMO_CERT_SERIAL='%s'\nDEMO_CERT_URL='%s'\n",
	    json_string_value(json_object_get(out, "serial")),
	    json_string_value(json_object_get(out, "url")));
	json_decref(out);

	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		struct ymd on = ymd_today_utc();
		int64_t pid = demo_holder(d, k, others[i].name, (int)i + 1);
		if (pid <= 0)
			return -1;
		if (strcmp(others[i].state, "expired") == 0)
			on.y -= 4;      /* three-year validity: long over */
		if (on.m == 2 && on.d == 29)
			on.d = 28;
		if (import(d, cfg, admin_id, pid, "junior", on, &out) < 0)
			return -1;
		const char *serial = json_string_value(json_object_get(out, "serial"));
		json_t *tmp = NULL;
		if (strcmp(others[i].state, "suspended") == 0)
			why = cert_set_status(d, admin_id, "tmcred-ctl", serial, CERT_SUSPEND,
			    "演示：诚信事件调查中", &tmp);
		else if (strcmp(others[i].state, "revoked") == 0)
			why = cert_set_status(d, admin_id, "tmcred-ctl", serial, CERT_REVOKE,
			    "演示：以欺骗手段取得证书", &tmp);
		json_decref(tmp);
		if (why != NULL) {
			json_decref(out);
			return -1;
		}
		printf("%s='%s'\n", others[i].env, json_string_value(json_object_get(out, "url")));
		json_decref(out);
	}
	/* holders over 2024..today for /progress (TMCRED_DEMO_PROGRESS=0 leaves them out) */
	const char *p = getenv("TMCRED_DEMO_PROGRESS");
	if (p != NULL && strcmp(p, "0") == 0)
		return 0;
	return progress_demo(d, cfg, k, admin_id);
}
