#ifndef TM_DB_ERRTEXT_H
#define TM_DB_ERRTEXT_H
#include <stddef.h>

/*
 * A MariaDB error message fit for the application log: quoted values are replaced by '…',
 * quoted names (after "column", "key", "table", "constraint", "database", "in") are kept.
 * "Duplicate entry 'a@b.cn' for key 'email'" → "Duplicate entry '…' for key 'email'".
 * Messages quote the value that failed (an e-mail, a name, an ID number): the log must not
 * hold them (ASVS 7.1.1). out is always NUL-terminated; longer messages are cut.
 */
void	 db_errtext_redact(const char *msg, char *out, size_t cap);

#endif
