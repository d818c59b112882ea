#ifndef TM_JSONBODY_H
#define TM_JSONBODY_H
#include <jansson.h>

#include "parse.h"

/*
 * Parses a JSON request body that must be an object. Invalid UTF-8 → PARSE_EUTF8 (checked
 * before jansson so the client gets `invalid_utf8`, not a generic syntax error); bad syntax,
 * duplicate keys, a non-object root or nesting deeper than TM_MAX_JSON_DEPTH → PARSE_EMALFORMED.
 * On PARSE_OK, *root is a new reference (caller decrefs) and `fields` lists the top-level
 * scalar members as text (numbers in their JSON spelling, true/false; null and containers
 * are left out), so form and JSON bodies feed the same field validation.
 */
enum parse_rc parse_json_body(struct arena *, const char *, size_t, json_t **root,
    struct kvlist *fields);

#endif
