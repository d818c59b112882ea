/*
 * parse_json_body. Invariants: invalid UTF-8 is always PARSE_EUTF8 and valid UTF-8 never is;
 * an accepted body is an object of at most TM_MAX_FIELDS members; each field is a scalar
 * member of the root, within the name/value limits, NUL-terminated and valid UTF-8; strings
 * are exactly the member's value.
 */
#include <string.h>

#include "courses/text.h"
#include "fcgi/jsonbody.h"
#include "fcgi/limits.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	struct kvlist f;
	json_t *root = NULL;
	const char *s = (const char *)data;

	arena_init(&a, 1024u * 1024u);
	enum parse_rc rc = parse_json_body(&a, s, size, &root, &f);
	bool valid = ref_utf8_valid(data, size);
	CHECK(valid == utf8_valid(s, size));
	CHECK((rc == PARSE_EUTF8) == !valid);
	CHECK(rc == PARSE_OK || rc == PARSE_EMALFORMED || rc == PARSE_EUTF8 || rc == PARSE_ELIMIT);
	if (rc != PARSE_OK) {
		CHECK(root == NULL);
	} else {
		CHECK(json_is_object(root));
		CHECK(json_object_size(root) <= TM_MAX_FIELDS);
		CHECK(f.n <= json_object_size(root));
		size_t scalars = 0;
		const char *k;
		json_t *v;
		json_object_foreach(root, k, v) {
			if (json_is_string(v) || json_is_number(v) || json_is_boolean(v))
				scalars++;
		}
		CHECK(f.n == scalars);
		for (size_t i = 0; i < f.n; i++) {
			const struct kv *kv = &f.v[i];
			CHECK(kv->klen <= TM_MAX_FIELD_NAME && kv->vlen <= TM_MAX_FIELD_VALUE);
			CHECK(kv->key[kv->klen] == '\0' && kv->val[kv->vlen] == '\0');
			CHECK(strlen(kv->key) == kv->klen);
			CHECK(utf8_valid(kv->key, kv->klen));
			json_t *m = json_object_get(root, kv->key);
			CHECK(m != NULL);
			switch (json_typeof(m)) {
			case JSON_STRING:
				CHECK(json_string_length(m) == kv->vlen);
				CHECK(memcmp(json_string_value(m), kv->val, kv->vlen) == 0);
				CHECK(utf8_valid(kv->val, kv->vlen));
				break;
			case JSON_TRUE:
				CHECK(strcmp(kv->val, "true") == 0);
				break;
			case JSON_FALSE:
				CHECK(strcmp(kv->val, "false") == 0);
				break;
			case JSON_INTEGER:
			case JSON_REAL:
				CHECK(kv->vlen > 0 && strlen(kv->val) == kv->vlen);
				CHECK(strspn(kv->val, "0123456789-+.eE") == kv->vlen ||
				    strcmp(kv->val, "inf") == 0 || strcmp(kv->val, "-inf") == 0);
				break;
			default:
				CHECK(0);
			}
			/* keys are unique: the field is found as itself */
			CHECK(kv_find(&f, kv->key) == kv);
		}
		json_decref(root);
	}
	arena_free(&a);
	return 0;
}
