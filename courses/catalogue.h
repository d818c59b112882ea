#ifndef TM_CATALOGUE_H
#define TM_CATALOGUE_H
#include <jansson.h>
#include <stdint.h>

#include "../db/db.h"

/*
 * The course catalogue, training bases and offerings (班次). Functions that can refuse
 * return an error code of fcgi/errors.c ("offering_full", ...) or NULL on success;
 * database trouble is "db_unavailable" or "internal_error". Views are jansson objects.
 */

/* Appends every course (optionally of one level / module) to `out`, ordered by code. */
const char *catalogue_list(struct db *, const char *level, const char *module, json_t *out);
/* The course with its offerings; person_id (0 = anonymous) marks the ones they joined. */
const char *course_get(struct db *, const char *code, int64_t person_id, json_t **out);

struct base_in {
	const char *code, *name, *region, *status;
};
const char *base_save(struct db *, int64_t actor, const char *remote, const struct base_in *,
    bool create, json_t **out);
const char *bases_list(struct db *, json_t *out);

struct offering_in {
	int64_t id;                 /* 0 = create */
	const char *course_code, *base_code, *starts_on, *ends_on, *status;
	int64_t capacity;
};
const char *offering_save(struct db *, int64_t actor, const char *remote,
    const struct offering_in *, json_t **out);
const char *offerings_list(struct db *, json_t *out);

/* Converts a db result into the error code handlers answer with. */
const char *db_code(enum db_rc);

/* Half-hours as a JSON number of 学时. */
json_t	*json_hours(int64_t x2);

#endif
