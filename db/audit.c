#include "audit.h"

#include <stdio.h>
#include <stdlib.h>

enum db_rc
audit_record(struct db *d, const struct audit_entry *e)
{
	char *before = e->before ? json_dumps(e->before, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	char *after = e->after ? json_dumps(e->after, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	struct db_val v[] = {
		e->actor_user_id > 0 ? DBV_I64(e->actor_user_id) : DBV_NULL,
		DBV_STR(e->action),
		DBV_STR(e->object_type),
		e->object_id ? DBV_STR(e->object_id) : DBV_NULL,
		before ? DBV_STR(before) : DBV_NULL,
		after ? DBV_STR(after) : DBV_NULL,
		e->remote_addr ? DBV_STR(e->remote_addr) : DBV_NULL,
	};
	enum db_rc rc = DB_ERR;

	if ((e->before == NULL || before != NULL) && (e->after == NULL || after != NULL))
		rc = db_exec(d, "INSERT INTO audit_log (actor_user_id, action, object_type, object_id,"
		    " before_json, after_json, remote_addr) VALUES (?, ?, ?, ?, ?, ?, ?)",
		    v, DB_N(v), NULL, NULL);
	free(before);
	free(after);
	return rc;
}

enum db_rc
audit_id(struct db *d, int64_t actor, const char *action, const char *object_type, int64_t id,
    json_t *after, const char *remote_addr)
{
	char oid[24];
	snprintf(oid, sizeof(oid), "%lld", (long long)id);
	struct audit_entry e = { .actor_user_id = actor, .action = action,
		.object_type = object_type, .object_id = oid, .after = after,
		.remote_addr = remote_addr };
	return audit_record(d, &e);
}
