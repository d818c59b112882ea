#include "jsonbody.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../courses/text.h"
#include "limits.h"

/* Deepest nesting of [ and { outside strings; jansson's own cap (2048) is far too generous. */
static size_t
json_depth(const char *s, size_t n)
{
	size_t depth = 0, max = 0;
	int in_str = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
		} else if (c == '"')
			in_str = 1;
		else if (c == '[' || c == '{') {
			if (++depth > max)
				max = depth;
		} else if ((c == ']' || c == '}') && depth > 0)
			depth--;
	}
	return max;
}

/* The shortest spelling that reads back as the same double: 0.1 stays "0.1", not 0.10000000000000001. */
static const char *
real_text(struct arena *a, double d)
{
	char buf[40];
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	return arena_strdup(a, buf);
}

enum parse_rc
parse_json_body(struct arena *a, const char *s, size_t n, json_t **rootp, struct kvlist *fields)
{
	json_error_t jerr;
	json_t *root;
	const char *k;
	json_t *v;

	*rootp = NULL;
	fields->v = NULL;
	fields->n = 0;
	if (!utf8_valid(s, n))
		return PARSE_EUTF8;
	if (json_depth(s, n) > TM_MAX_JSON_DEPTH)
		return PARSE_EMALFORMED;
	root = json_loadb(s, n, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return PARSE_EMALFORMED;
	if (!json_is_object(root)) {
		json_decref(root);
		return PARSE_EMALFORMED;
	}
	if (json_object_size(root) > TM_MAX_FIELDS) {
		json_decref(root);
		return PARSE_ELIMIT;
	}
	fields->v = arena_alloc(a, sizeof(struct kv) * (json_object_size(root) + 1));
	if (fields->v == NULL) {
		json_decref(root);
		return PARSE_ENOMEM;
	}
	json_object_foreach(root, k, v) {
		const char *text = NULL;
		size_t tl = 0;
		switch (json_typeof(v)) {
		case JSON_STRING:
			text = json_string_value(v);
			tl = json_string_length(v);
			break;
		case JSON_INTEGER:
			text = arena_printf(a, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
			break;
		case JSON_REAL:
			text = real_text(a, json_real_value(v));
			break;
		case JSON_TRUE:
			text = "true";
			break;
		case JSON_FALSE:
			text = "false";
			break;
		default:
			continue;
		}
		if (text == NULL) {
			json_decref(root);
			return PARSE_ENOMEM;
		}
		if (tl == 0)
			tl = strlen(text);
		if (strlen(k) > TM_MAX_FIELD_NAME || tl > TM_MAX_FIELD_VALUE) {
			json_decref(root);
			return PARSE_ELIMIT;
		}
		struct kv *kv = &fields->v[fields->n++];
		kv->key = k;
		kv->klen = strlen(k);
		kv->val = text;
		kv->vlen = tl;
	}
	*rootp = root;
	return PARSE_OK;
}
