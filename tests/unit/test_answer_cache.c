/* fcgi/answer_cache: when a kept answer is given again, and when it is not. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>
#include <time.h>

#include "fcgi/answer_cache.h"
#include "fcgi/epoch.h"

static struct answer_slot slots[4];
static struct answer_cache C = { slots, 4, EPOCH_WRITES };

static void
setup(void)
{
	cr_assert_eq(host_epochs_init(), 0);
	memset(slots, 0, sizeof(slots));
}

TestSuite(answer_cache, .init = setup);

static void
put(int64_t k1, int64_t k2, int n, unsigned ttl)
{
	uint64_t e;
	cr_assert_null(answer_get(&C, k1, k2, ttl, &e));
	json_t *v = json_pack("{s:i}", "n", n);
	const struct answer_slot *s = answer_put(&C, k1, k2, e, v, ttl);
	cr_assert((s != NULL) == (ttl > 0), "answer_put kept %p with ttl %u", (void *)s, ttl);
	json_decref(v);     /* the cache keeps its own copy */
}

static int
got(int64_t k1, int64_t k2, unsigned ttl)
{
	uint64_t e;
	const struct answer_slot *s = answer_get(&C, k1, k2, ttl, &e);
	if (s == NULL)
		return -1;
	cr_assert_eq(s->k1, k1);
	cr_assert_eq(s->k2, k2);
	return (int)json_integer_value(json_object_get(s->view, "n"));
}

Test(answer_cache, kept_answer_and_its_json_come_back)
{
	put(7, 2025, 42, 5000);
	uint64_t e;
	const struct answer_slot *s = answer_get(&C, 7, 2025, 5000, &e);
	cr_assert_not_null(s);
	cr_assert_eq(json_integer_value(json_object_get(s->view, "n")), 42);
	cr_assert_not_null(strstr(s->json, "\"n\""));
	cr_assert_eq(strlen(s->json), s->json_len);
	cr_assert_eq(got(7, 2024, 5000), -1, "another year is another answer");
}

Test(answer_cache, a_write_through_the_host_drops_every_answer)
{
	put(7, 2025, 1, 5000);
	put(8, 2025, 2, 5000);
	host_epoch_bump(EPOCH_WRITES);
	cr_assert_eq(got(7, 2025, 5000), -1);
	cr_assert_eq(got(8, 2025, 5000), -1);
}

Test(answer_cache, an_answer_read_across_a_write_is_not_kept)
{
	uint64_t e;
	cr_assert_null(answer_get(&C, 7, 2025, 5000, &e));
	host_epoch_bump(EPOCH_WRITES);     /* a write lands while the answer is being read */
	json_t *v = json_pack("{s:i}", "n", 1);
	cr_assert_null(answer_put(&C, 7, 2025, e, v, 5000));
	json_decref(v);
	cr_assert_eq(got(7, 2025, 5000), -1);
}

Test(answer_cache, an_answer_lives_ttl_at_most)
{
	put(7, 2025, 1, 50);
	cr_assert_eq(got(7, 2025, 50), 1);
	nanosleep(&(struct timespec){ 0, 80 * 1000000L }, NULL);
	cr_assert_eq(got(7, 2025, 50), -1);
}

Test(answer_cache, ttl_zero_keeps_nothing)
{
	put(7, 2025, 1, 0);
	cr_assert_eq(got(7, 2025, 5000), -1);
}

/* Four slots, many keys: colliding answers replace each other, never answer for another. */
Test(answer_cache, a_colliding_key_replaces_and_never_answers_for_another)
{
	for (int k = 1; k <= 64; k++)
		put(k, 2025, k, 5000);
	int kept = 0;
	for (int k = 1; k <= 64; k++) {
		int n = got(k, 2025, 5000);
		cr_assert(n == -1 || n == k, "key %d answered %d", k, n);
		kept += n == k;
	}
	cr_assert_leq(kept, 4);
	cr_assert_geq(kept, 1);
	cr_assert_eq(got(64, 2025, 5000), 64, "the last answer put is kept");
}
