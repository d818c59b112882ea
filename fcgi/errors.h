#ifndef TM_ERRORS_H
#define TM_ERRORS_H

/*
 * Every error a client can see: a stable snake_case code, its HTTP status and a zh-CN
 * message. Handlers name a code; the status and wording come only from this table.
 */
struct err_def {
	const char *code;
	int status;
	const char *message;
};

/* The entry for code; unknown codes map to internal_error (500) so nothing leaks. */
const struct err_def *err_lookup(const char *code);
/* All entries, for tests and documentation; *n receives the count. */
const struct err_def *err_table(unsigned *n);

#endif
