/*
 * tmcred-ctl: the operator's command line. Everything scripts/up needs that is not a
 * request: keys, migrations, the first accounts.
 */
#include <mysql.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../courses/idnumber.h"
#include "../courses/apikeys.h"
#include "../courses/contact.h"
#include "../courses/text.h"
#include "../courses/records.h"
#include "../courses/trainees.h"
#include "../certs/ctl.h"
#include "../certs/fedctl.h"
#include "../certs/fetch.h"
#include "config.h"
#include "db.h"
#include "keys.h"
#include "migrate.h"

static void
usage(void)
{
	fprintf(stderr,
	    "usage: tmcred-ctl [-c tmcred.conf] command\n"
	    "  keygen    create missing key files (0600) in the keys dir\n"
	    "  migrate   apply pending db/migrations\n"
	    "  demo      create the first admin, a demo trainee, a base operator, a reviewer and the\n"
	    "            demo catalogue, assessment candidates and certificates; print the logins\n"
	    "            as shell lines\n"
	    "  token     print a random URL-safe token\n"
	    "  admin-create EMAIL NAME   an admin account; the password is the first line of\n"
	    "            stdin when stdin is not a terminal, else a new one printed once\n"
	    "  signkey   create this node's first certificate signing key if there is none\n"
	    "  signkey-rotate [YYYY-MM-DD]   a new signing key from that day (default today)\n"
	    "  cert-import PERSON_ID LEVEL YYYY-MM-DD   record a certificate issued before tmcred\n"
	    "  cert-import-many LEVEL YYYY-MM-DD < ids  the same for many persons\n"
	    "  progress-check                          recount the goal progress; exit 1 on a difference\n"
	    "  progress-rebuild                        replace the goal progress counters by the recount\n"
	    "  progress-json                           this node's goal progress counts (JSON)\n"
	    "  node-fingerprint   this node's key set fingerprint (peers pin it)\n"
	    "  peer-add URL FINGERPRINT | peer-remove CODE | peer-list   the trust list\n"
	    "  federation-pull    refetch every peer's key set and signed summary\n"
	    "  trust-export       the trust list as a file for tmcred-verify --trust\n"
	    "  regional-key FILE  a new regional key (0600), shared by the region's nodes\n");
}

static void
token(char *out, size_t cap, size_t bytes)
{
	unsigned char raw[64];
	randombytes_buf(raw, bytes);
	sodium_bin2base64(out, cap, raw, bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static int
open_db(const struct tm_config *cfg, struct db **d)
{
	if ((*d = db_new(cfg)) == NULL || db_ready(*d) != DB_OK) {
		fprintf(stderr, "tmcred-ctl: cannot connect to the database\n");
		return -1;
	}
	return 0;
}

/* A valid 居民身份证号 of a demo person in 上海市黄浦区: random birth day (1960-1999) and sequence. */
static void
demo_id(char out[19])
{
	/* a random birth day too: a dozen demo persons drawn from 1,000 sequences collided (~7 %) */
	snprintf(out, 19, "310101%04u%02u%02u%03u", 1960 + (unsigned)randombytes_uniform(40),
	    1 + (unsigned)randombytes_uniform(12), 1 + (unsigned)randombytes_uniform(28),
	    (unsigned)randombytes_uniform(1000));
	out[17] = id_check_char(out);
	out[18] = '\0';
}

/* db/seed/demo.sql next to the migrations dir: bases, catalogue, offerings. */
static int
demo_catalogue(struct db *d, const struct tm_config *cfg)
{
	char path[1200];
	snprintf(path, sizeof(path), "%s/../seed/demo.sql", cfg->migrations_dir);
	if (sql_file_run(d, path, stderr) < 0) {
		fprintf(stderr, "tmcred-ctl: %s failed\n", path);
		return -1;
	}
	return 0;
}

/*
 * Training records of the demo trainee: 2024 meets the year's rule (72 学时 professional +
 * 32 general), 2025 does not (40 + 10), 2026 has begun. Each day stays within the daily cap.
 */
static int
demo_records(struct db *d, int64_t admin_id, int64_t person_id)
{
	static const struct { int year, days, first_day, hours_x2; const char *course, *base; } plan[] = {
		{ 2024, 12, 1, 12, "J-PRA-01", "SH-STEX" },
		{ 2024, 4, 20, 16, "J-PUB-01", "SH-STEX" },
		{ 2025, 5, 1, 16, "J-POL-02", "SH-FUDAN" },
		{ 2025, 2, 10, 10, "J-POL-01", "SH-FUDAN" },
		{ 2026, 2, 1, 8, "J-PRA-02", "SH-SJTU" },
	};
	for (size_t i = 0; i < sizeof(plan) / sizeof(plan[0]); i++)
		for (int k = 0; k < plan[i].days; k++) {
			char day[32];
			int64_t rid;
			/* one training day a week, from March: well inside the year, never in the future */
			int doy = plan[i].first_day + 7 * k;
			snprintf(day, sizeof(day), "%04d-%02d-%02d", plan[i].year, 3 + doy / 28,
			    1 + doy % 28);
			struct record_in in = { .person_id = person_id, .course_code = plan[i].course,
				.base_code = plan[i].base, .hours_x2 = plan[i].hours_x2, .completed_on = day,
				.source = "admin", .source_ref = "demo" };
			const char *why = record_add(d, admin_id, "tmcred-ctl", &in, &rid);
			if (why != NULL) {
				fprintf(stderr, "tmcred-ctl: demo record %s %s: %s\n", plan[i].course, day,
				    why);
				return -1;
			}
		}
	return 0;
}

/* A person without a login (assessment candidates, defence experts): encrypted ID as usual. */
static int
demo_person(struct db *d, const struct tm_keys *k, const char *name, const char *employer)
{
	char id[19];
	unsigned char enc[ID_ENC_BYTES], blind[32];
	demo_id(id);
	id_encrypt(k, id, enc);
	blind_hash(k, "id", id, 18, blind);
	struct db_val v[] = { DBV_STR(name), DBV_BLOB(enc, sizeof(enc)), DBV_BLOB(blind, sizeof(blind)),
		DBV_STR(employer) };
	return db_exec(d, "INSERT INTO persons (name, id_enc, id_blind, employer) VALUES (?, ?, ?, ?)",
	    v, DB_N(v), NULL, NULL) == DB_OK ? 0 : -1;
}

/*
 * Assessment demo: candidates at every stage of every level and seven defence experts
 * (何经理 works where the demo trainee does: a conflict of interest), then
 * db/seed/assessment.sql gives them evidence, training, exams and panels.
 */
static int
demo_assessment(struct db *d, const struct tm_keys *k, const struct tm_config *cfg)
{
	static const char *const people[][2] = {
		{ "欧阳芳", "上海浦东新区科技服务中心" }, { "司马伟", "上海理工大学" },
		{ "上官洋", "华东师范大学" }, { "诸葛静", "上海市技术转移协会" },
		{ "东方磊", "上海张江科技服务有限公司" },
		{ "周教授", "复旦大学" }, { "吴研究员", "中国科学院上海分院" },
		{ "郑主任", "上海市科学技术委员会" }, { "孙律师", "上海市锦天城律师事务所" },
		{ "钱总监", "上海科创投资集团" }, { "冯教授", "上海交通大学" },
		{ "何经理", "上海技术交易所" },
	};
	for (size_t i = 0; i < sizeof(people) / sizeof(people[0]); i++)
		if (demo_person(d, k, people[i][0], people[i][1]) < 0) {
			fprintf(stderr, "tmcred-ctl: demo person %s not created\n", people[i][0]);
			return -1;
		}
	char path[1200];
	snprintf(path, sizeof(path), "%s/../seed/assessment.sql", cfg->migrations_dir);
	if (sql_file_run(d, path, stderr) < 0) {
		fprintf(stderr, "tmcred-ctl: %s failed\n", path);
		return -1;
	}
	return 0;
}

/* The registration form's rules (fcgi/limits.h), which this tool does not link against. */
#define CTL_NAME_MAX_CHARS 50u
#define CTL_PASSWORD_MIN 12u     /* characters, as TM_MIN_PASSWORD_CHARS */
#define CTL_PASSWORD_MAX 128u    /* characters, as TM_MAX_PASSWORD_CHARS (4 bytes each at most) */

/* The first admin of a deployment without demo data (docs/operations.md). */
static int
admin_create(const struct tm_config *cfg, int argc, char **argv)
{
	char email[CONTACT_EMAIL_MAX + 1], pw[4 * CTL_PASSWORD_MAX + 2], err[256];
	struct tm_keys k;
	struct db *d;
	int64_t uid, pid;
	bool generated = false;

	if (argc != 2) {
		fprintf(stderr, "usage: tmcred-ctl admin-create EMAIL NAME\n");
		return 2;
	}
	if (!contact_email_valid(argv[0], strlen(argv[0]), email, sizeof(email))) {
		fprintf(stderr, "tmcred-ctl: not a usable e-mail address: %s\n", argv[0]);
		return 2;
	}
	if (!text_person_name(argv[1], strlen(argv[1]), CTL_NAME_MAX_CHARS)) {
		fprintf(stderr, "tmcred-ctl: a name is 1 to %u printable characters\n", CTL_NAME_MAX_CHARS);
		return 2;
	}
	if (isatty(STDIN_FILENO)) {
		token(pw, sizeof(pw), 16);
		generated = true;
	} else {
		if (fgets(pw, sizeof(pw), stdin) == NULL)
			pw[0] = '\0';
		pw[strcspn(pw, "\r\n")] = '\0';
		size_t n = strlen(pw);
		if (!utf8_valid(pw, n) || utf8_chars(pw, n) < CTL_PASSWORD_MIN ||
		    utf8_chars(pw, n) > CTL_PASSWORD_MAX) {
			sodium_memzero(pw, sizeof(pw));
			fprintf(stderr, "tmcred-ctl: the password (first line of stdin) must be %u to %u"
			    " characters of UTF-8\n", CTL_PASSWORD_MIN, CTL_PASSWORD_MAX);
			return 2;
		}
	}
	if (keys_load(cfg->keys_dir, &k, err, sizeof(err)) < 0) {
		sodium_memzero(pw, sizeof(pw));
		fprintf(stderr, "tmcred-ctl: %s\n", err);
		return 1;
	}
	if (open_db(cfg, &d) < 0) {
		sodium_memzero(pw, sizeof(pw));
		keys_wipe(&k);
		return 1;
	}
	struct account_new a = { .name = argv[1], .email = email, .password = pw, .role = "admin",
		.remote_addr = "tmcred-ctl" };
	enum reg_rc rc = account_register(d, &k, &a, &uid, &pid);
	keys_wipe(&k);
	db_free(d);
	if (rc != REG_OK) {
		sodium_memzero(pw, sizeof(pw));
		fprintf(stderr, "tmcred-ctl: admin not created: %s\n", rc == REG_EMAIL_TAKEN ?
		    "an account with this e-mail exists" : "database error");
		return 1;
	}
	if (generated)
		printf("ADMIN_LOGIN='%s'\nADMIN_PASSWORD='%s'\n", email, pw);
	sodium_memzero(pw, sizeof(pw));
	fprintf(stderr, "tmcred-ctl: admin %s created (user %lld)\n", email, (long long)uid);
	return 0;
}

static int
demo(const struct tm_config *cfg)
{
	struct tm_keys k;
	struct db *d;
	char err[256], apw[32], tpw[32], id[19], phone[12];
	int64_t uid, pid;

	if (keys_load(cfg->keys_dir, &k, err, sizeof(err)) < 0) {
		fprintf(stderr, "tmcred-ctl: %s\n", err);
		return 1;
	}
	if (open_db(cfg, &d) < 0)
		return 1;
	token(apw, sizeof(apw), 16);
	token(tpw, sizeof(tpw), 16);
	demo_id(id);
	snprintf(phone, sizeof(phone), "139%08u", (unsigned)randombytes_uniform(100000000));

	struct account_new admin = {
		.name = "平台管理员", .email = "admin@tmcred.example", .password = apw,
		.role = "admin", .remote_addr = "tmcred-ctl",
	};
	struct account_new trainee = {
		.name = "李明", .id_number = id, .phone = phone, .email = "trainee@tmcred.example",
		.employer = "上海技术交易所", .password = tpw, .role = "trainee",
		.remote_addr = "tmcred-ctl",
	};
	int64_t admin_id = 0;
	enum reg_rc rc = account_register(d, &k, &admin, &admin_id, &pid);
	if (rc == REG_OK)
		rc = account_register(d, &k, &trainee, &uid, &pid);
	int64_t trainee_pid = pid;
	if (rc != REG_OK) {
		keys_wipe(&k);
		fprintf(stderr, "tmcred-ctl: demo accounts not created (%s)\n",
		    rc == REG_EMAIL_TAKEN ? "they exist already" : "database error");
		db_free(d);
		return 1;
	}
	int bad = demo_catalogue(d, cfg) < 0 || demo_records(d, admin_id, pid) < 0;
	char base_pw[32], rev_pw[32] = "", key[APIKEY_TEXT_MAX] = "";
	json_t *kj = NULL;
	if (!bad) {
		/* A base operator of SH-STEX for the upload page, and an API key for its client. */
		struct db_val bv[] = { DBV_STR("SH-STEX") };
		struct db_out bo[] = { DBO_I64() };
		int64_t op_id;
		token(base_pw, sizeof(base_pw), 16);
		struct account_new op = { .name = "上海技术交易所基地", .email = "base@tmcred.example",
			.password = base_pw, .role = "base_operator", .remote_addr = "tmcred-ctl" };
		bad = db_row(d, "SELECT id FROM bases WHERE code = ?", bv, 1, bo, 1) != DB_OK;
		op.base_id = bo[0].i;
		if (!bad)
			bad = account_register(d, &k, &op, &op_id, &pid) != REG_OK;
		if (!bad)
			bad = apikey_create(d, &k, admin_id, "tmcred-ctl", "SH-STEX",
			    "roster|hours|exams|read", "demo", 0, key, &kj) != NULL;
		json_decref(kj);
	}
	if (!bad) {
		/* A reviewer (evidence, scores, panels) before the seed: its panels name a recorder. */
		int64_t rev_id;
		token(rev_pw, sizeof(rev_pw), 16);
		struct account_new rev = { .name = "评审专员", .email = "reviewer@tmcred.example",
			.password = rev_pw, .role = "reviewer", .remote_addr = "tmcred-ctl" };
		bad = account_register(d, &k, &rev, &rev_id, &pid) != REG_OK ||
		    demo_assessment(d, &k, cfg) < 0;
	}
	/* last: the demo trainee's certificate needs everything above (eligible() reads it) */
	if (!bad)
		bad = certs_demo(d, cfg, &k, admin_id, trainee_pid) < 0;
	keys_wipe(&k);
	db_free(d);
	if (bad) {
		fprintf(stderr, "tmcred-ctl: demo data not complete\n");
		return 1;
	}
	printf("ADMIN_LOGIN='%s'\nADMIN_PASSWORD='%s'\nTRAINEE_LOGIN='%s'\nTRAINEE_PASSWORD='%s'\n"
	    "BASE_CODE='SH-STEX'\nBASE_LOGIN='base@tmcred.example'\nBASE_PASSWORD='%s'\n"
	    "BASE_API_KEY='%s'\nREVIEWER_LOGIN='reviewer@tmcred.example'\nREVIEWER_PASSWORD='%s'\n",
	    admin.email, apw, trainee.email, tpw, base_pw, key, rev_pw);
	sodium_memzero(rev_pw, sizeof(rev_pw));
	sodium_memzero(base_pw, sizeof(base_pw));
	sodium_memzero(key, sizeof(key));
	sodium_memzero(apw, sizeof(apw));
	sodium_memzero(tpw, sizeof(tpw));
	return 0;
}

int
main(int argc, char **argv)
{
	struct tm_config cfg;
	const char *conf = NULL;
	char err[512];
	int opt;

	while ((opt = getopt(argc, argv, "c:")) != -1) {
		if (opt != 'c') {
			usage();
			return 2;
		}
		conf = optarg;
	}
	if (optind >= argc) {
		usage();
		return 2;
	}
	const char *cmd = argv[optind];
	if (sodium_init() < 0 || mysql_library_init(0, NULL, NULL) != 0 || fetch_global_init() < 0) {
		fprintf(stderr, "tmcred-ctl: library init failed\n");
		return 1;
	}
	if (strcmp(cmd, "token") == 0) {
		char t[64];
		token(t, sizeof(t), 24);
		puts(t);
		return 0;
	}
	if (config_load(conf, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "tmcred-ctl: %s\n", err);
		return 2;
	}
	if (strcmp(cmd, "keygen") == 0) {
		int n = keys_generate(cfg.keys_dir, err, sizeof(err));
		if (n < 0) {
			fprintf(stderr, "tmcred-ctl: %s\n", err);
			return 1;
		}
		fprintf(stderr, "tmcred-ctl: %d key file(s) created in %s\n", n, cfg.keys_dir);
		return 0;
	}
	if (strcmp(cmd, "migrate") == 0) {
		struct db *d;
		if (open_db(&cfg, &d) < 0)
			return 1;
		int n = migrate_apply(d, cfg.migrations_dir, stderr);
		db_free(d);
		if (n < 0)
			return 1;
		fprintf(stderr, "tmcred-ctl: %d migration(s) applied\n", n);
		return 0;
	}
	if (strcmp(cmd, "demo") == 0)
		return demo(&cfg);
	if (strcmp(cmd, "admin-create") == 0)
		return admin_create(&cfg, argc - optind - 1, argv + optind + 1);
	int rc = certs_ctl(&cfg, cmd, argc - optind - 1, argv + optind + 1);
	if (rc >= 0)
		return rc;
	if ((rc = fed_ctl(&cfg, cmd, argc - optind - 1, argv + optind + 1)) >= 0)
		return rc;
	usage();
	return 2;
}
