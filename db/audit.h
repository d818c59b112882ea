#ifndef TM_AUDIT_H
#define TM_AUDIT_H
#include <jansson.h>
#include <stdint.h>

#include "db.h"

/*
 * The one way to record a state change. Every state-changing handler calls it inside the
 * same transaction as the change, so a change without its audit row cannot commit.
 * audit_log is append-only: triggers refuse UPDATE and DELETE.
 * before/after may be NULL; they must not hold secrets or clear ID numbers.
 */
struct audit_entry {
	int64_t actor_user_id;       /* 0 = anonymous or the system */
	const char *action;          /* "trainee.register", "session.login", ... */
	const char *object_type;
	const char *object_id;       /* may be NULL */
	json_t *before, *after;
	const char *remote_addr;     /* may be NULL */
};

enum db_rc audit_record(struct db *, const struct audit_entry *);
/* The common case: an object named by its numeric id, a change without a "before". */
enum db_rc audit_id(struct db *, int64_t actor, const char *action, const char *object_type,
    int64_t id, json_t *after, const char *remote_addr);

#endif
