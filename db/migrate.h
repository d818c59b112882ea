#ifndef TM_MIGRATE_H
#define TM_MIGRATE_H
#include <stdio.h>

#include "db.h"

/*
 * Applies db/migrations/NNNN_name.sql files not yet recorded in schema_migrations, in
 * order, each once. A file is split into statements at lines ending with ';' (no statement
 * in our migrations spans such a line). DDL is not transactional in MariaDB, so a failed
 * migration stops the run and is not recorded; fix it and run again.
 * Returns the number applied, or -1 (message on log).
 */
int	 migrate_apply(struct db *, const char *dir, FILE *log);
/* Runs one SQL file the same way (statements end with ';' at the end of a line). 0 or -1. */
int	 sql_file_run(struct db *, const char *path, FILE *log);

#endif
