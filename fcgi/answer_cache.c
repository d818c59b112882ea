#include "answer_cache.h"

#include <stdlib.h>
#include <string.h>

#include "response.h"

static struct answer_slot *
slot_of(struct answer_cache *c, int64_t k1, int64_t k2)
{
	/* keys are small ids and years: mix them so neighbours do not share a slot */
	uint64_t h = (uint64_t)k1 * 0x9E3779B97F4A7C15ull ^ (uint64_t)k2 * 0xC2B2AE3D27D4EB4Full;
	return &c->slots[(h >> 17) % c->nslots];
}

static void
slot_clear(struct answer_slot *s)
{
	json_decref(s->view);
	free(s->json);
	memset(s, 0, sizeof(*s));
}

static long
ms_since(const struct timespec *t)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) * 1000L + (now.tv_nsec - t->tv_nsec) / 1000000L;
}

const struct answer_slot *
answer_get(struct answer_cache *c, int64_t k1, int64_t k2, unsigned ttl_ms, uint64_t *epoch_now)
{
	*epoch_now = host_epoch(c->epoch);
	if (ttl_ms == 0 || !host_epochs_mapped())
		return NULL;
	struct answer_slot *s = slot_of(c, k1, k2);
	if (!s->used || s->k1 != k1 || s->k2 != k2)
		return NULL;
	if (s->epoch != *epoch_now || ms_since(&s->at) >= (long)ttl_ms) {
		slot_clear(s);
		return NULL;
	}
	return s;
}

const struct answer_slot *
answer_put(struct answer_cache *c, int64_t k1, int64_t k2, uint64_t epoch_then, json_t *view,
    unsigned ttl_ms)
{
	if (ttl_ms == 0 || !host_epochs_mapped() || host_epoch(c->epoch) != epoch_then)
		return NULL;
	struct answer_slot *s = slot_of(c, k1, k2);
	slot_clear(s);
	json_t *copy = json_deep_copy(view);
	size_t len = 0;
	char *js = copy != NULL ? resp_api_json(copy, &len) : NULL;
	if (js == NULL) {
		json_decref(copy);
		return NULL;
	}
	s->view = copy;
	s->json = js;
	s->json_len = len;
	s->k1 = k1;
	s->k2 = k2;
	s->epoch = epoch_then;
	clock_gettime(CLOCK_MONOTONIC, &s->at);
	s->used = true;
	return s;
}
