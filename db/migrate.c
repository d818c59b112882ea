#include "migrate.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MIGRATIONS 1000
#define MAX_MIGRATION_BYTES (1024 * 1024)

static const char *create_table =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version VARCHAR(128) NOT NULL PRIMARY KEY,"
    " applied_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci";

static int
is_migration(const char *n)
{
	size_t l = strlen(n);
	if (l < 10 || l > 120 || strcmp(n + l - 4, ".sql") != 0 || n[4] != '_')
		return 0;
	for (int i = 0; i < 4; i++)
		if (n[i] < '0' || n[i] > '9')
			return 0;
	for (size_t i = 5; i < l - 4; i++)
		if (!((n[i] >= 'a' && n[i] <= 'z') || (n[i] >= '0' && n[i] <= '9') || n[i] == '_'))
			return 0;
	return 1;
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
sql_file_run(struct db *d, const char *path, FILE *log)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;
	int ok = 0;

	if (f == NULL) {
		fprintf(log, "migrate: %s: %s\n", path, strerror(errno));
		return -1;
	}
	buf = malloc(MAX_MIGRATION_BYTES + 1);
	n = buf ? fread(buf, 1, MAX_MIGRATION_BYTES + 1, f) : 0;
	fclose(f);
	if (buf == NULL || n > MAX_MIGRATION_BYTES) {
		fprintf(log, "migrate: %s: too large or out of memory\n", path);
		free(buf);
		return -1;
	}
	buf[n] = '\0';
	char *stmt = buf, *p = buf;
	while (*p) {
		char *eol = strchr(p, '\n');
		char *end = eol ? eol : p + strlen(p);
		char *q = end;
		while (q > p && (q[-1] == ' ' || q[-1] == '\t' || q[-1] == '\r'))
			q--;
		if (q > p && q[-1] == ';') {
			size_t len = (size_t)(q - 1 - stmt);
			if (db_ddl(d, stmt, len) != DB_OK) {
				fprintf(log, "migrate: %s: statement failed near: %.60s\n", path, stmt);
				goto out;
			}
			stmt = eol ? eol + 1 : end;
		}
		p = eol ? eol + 1 : end;
	}
	/* Anything after the last ';' must be blank or comments. */
	for (p = stmt; *p; p++) {
		if (*p == '-' && p[1] == '-') {
			p = strchr(p, '\n');
			if (p == NULL)
				break;
		} else if (*p != ' ' && *p != '\n' && *p != '\t' && *p != '\r') {
			fprintf(log, "migrate: %s: statement without ';' at the end\n", path);
			goto out;
		}
	}
	ok = 1;
out:
	free(buf);
	return ok ? 0 : -1;
}

int
migrate_apply(struct db *d, const char *dir, FILE *log)
{
	char *names[MAX_MIGRATIONS];
	size_t n = 0;
	int applied = 0;
	DIR *dh;
	struct dirent *de;

	if (db_ready(d) != DB_OK) {
		fprintf(log, "migrate: cannot connect to the database\n");
		return -1;
	}
	if (db_ddl(d, create_table, strlen(create_table)) != DB_OK)
		return -1;
	if ((dh = opendir(dir)) == NULL) {
		fprintf(log, "migrate: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(dh)) != NULL && n < MAX_MIGRATIONS)
		if (is_migration(de->d_name) && (names[n] = strdup(de->d_name)) != NULL)
			n++;
	closedir(dh);
	qsort(names, n, sizeof(names[0]), cmp);

	for (size_t i = 0; i < n && applied >= 0; i++) {
		char version[128], path[2048], got[128];
		struct db_out o[] = { DBO_STR(got) };
		snprintf(version, sizeof(version), "%.*s", (int)(strlen(names[i]) - 4), names[i]);
		struct db_val v[] = { DBV_STR(version) };
		enum db_rc rc = db_row(d, "SELECT version FROM schema_migrations WHERE version = ?",
		    v, 1, o, 1);
		if (rc == DB_OK)
			continue;
		if (rc != DB_NOROW) {
			applied = -1;
			break;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (sql_file_run(d, path, log) < 0 ||
		    db_exec(d, "INSERT INTO schema_migrations (version) VALUES (?)", v, 1, NULL,
		    NULL) != DB_OK) {
			fprintf(log, "migrate: %s failed\n", version);
			applied = -1;
			break;
		}
		fprintf(log, "migrate: applied %s\n", version);
		applied++;
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	return applied;
}
