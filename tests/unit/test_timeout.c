/*
 * tests/unit/test_timeout.c: kernel/core/timeout.c, the ordered deadline
 * list that ends timed-out waits: saturating deadlines, order, removal of an
 * entry popped or never armed, and a random run against a model.
 */
#include <stdlib.h>

#include "core/timeout.h"
#include "ktest.h"

static const char *test_deadline_saturates(void)
{
	KT_EQ(timeout_deadline(100, 30), 130);
	KT_EQ(timeout_deadline(0, 0), 0);
	KT_EQ(timeout_deadline(5, 1ull << 62), (1ull << 62) + 5);
	KT_EQ(timeout_deadline(1ull << 63, 1ull << 63), TIMEOUT_NEVER);
	KT_EQ(timeout_deadline(1000, UINT64_MAX - 1), TIMEOUT_NEVER);
	KT_EQ(timeout_deadline(UINT64_MAX - 10, 9), UINT64_MAX - 1);
	KT_EQ(timeout_deadline(UINT64_MAX - 10, 10), TIMEOUT_NEVER);
	return NULL;
}

static const char *test_order_and_pop(void)
{
	struct timeout_list l = {0};
	struct timeout t[5] = {0};
	static const uint64_t due[5] = {50, 10, 50, 30, TIMEOUT_NEVER};

	for (int i = 0; i < 5; i++)
		timeout_insert(&l, &t[i], due[i]);
	KT_EQ(l.count, 5);
	KT_ASSERT(timeout_pop_expired(&l, 9) == NULL);
	KT_ASSERT(timeout_pop_expired(&l, 10) == &t[1]);
	KT_ASSERT(!t[1].armed);
	KT_ASSERT(timeout_pop_expired(&l, 49) == &t[3]);
	KT_ASSERT(timeout_pop_expired(&l, 49) == NULL);
	/* Equal deadlines: first inserted, first out. */
	KT_ASSERT(timeout_pop_expired(&l, 1000) == &t[0]);
	KT_ASSERT(timeout_pop_expired(&l, 1000) == &t[2]);
	KT_ASSERT(timeout_pop_expired(&l, UINT64_MAX - 1) == NULL);
	KT_ASSERT(timeout_pop_expired(&l, UINT64_MAX) == &t[4]);
	KT_EQ(l.count, 0);
	KT_ASSERT(l.head == NULL);
	return NULL;
}

static const char *test_remove(void)
{
	struct timeout_list l = {0}, other = {0};
	struct timeout a = {0}, b = {0}, c = {0}, x = {0};

	/* Never armed, or popped already: nothing to remove. */
	KT_ASSERT(!timeout_remove(&l, &a));
	timeout_insert(&l, &a, 1);
	timeout_insert(&l, &b, 2);
	timeout_insert(&l, &c, 3);
	KT_ASSERT(timeout_pop_expired(&l, 1) == &a);
	KT_ASSERT(!timeout_remove(&l, &a));
	/* Middle, then head, then empty. */
	KT_ASSERT(timeout_remove(&l, &c));
	KT_ASSERT(!timeout_remove(&l, &c));
	KT_EQ(l.count, 1);
	/* An entry on another list is left alone. */
	timeout_insert(&other, &x, 1);
	KT_ASSERT(!timeout_remove(&l, &x));
	KT_ASSERT(x.armed);
	KT_ASSERT(timeout_remove(&other, &x));
	KT_ASSERT(timeout_remove(&l, &b));
	KT_ASSERT(l.head == NULL);
	KT_EQ(l.count, 0);
	/* Re-armed after removal. */
	timeout_insert(&l, &b, 7);
	KT_ASSERT(timeout_pop_expired(&l, 7) == &b);
	return NULL;
}

/* Random inserts, removals and pops against a model: always the earliest, nothing lost. */
#define NENT 64
static const char *test_random_model(void)
{
	struct timeout_list l = {0};
	struct timeout t[NENT] = {0};
	bool on[NENT] = {0};
	uint64_t now = 0;

	srand(12345);
	for (int step = 0; step < 200000; step++) {
		int i = rand() % NENT, op = rand() % 4;

		if (op == 0 && !on[i]) {
			timeout_insert(&l, &t[i], timeout_deadline(now, (uint64_t)(rand() % 100)));
			on[i] = true;
		} else if (op == 1) {
			KT_EQ(timeout_remove(&l, &t[i]), on[i]);
			on[i] = false;
		} else if (op == 2) {
			struct timeout *p;
			uint64_t min = TIMEOUT_NEVER;

			now += (uint64_t)(rand() % 20);
			for (int j = 0; j < NENT; j++)
				if (on[j] && t[j].deadline < min)
					min = t[j].deadline;
			p = timeout_pop_expired(&l, now);
			if (min > now) {
				KT_ASSERT(p == NULL);
			} else {
				KT_ASSERT(p != NULL);
				KT_EQ(p->deadline, min);
				on[p - t] = false;
			}
		}
		{
			uint32_t n = 0;
			uint64_t last = 0;

			for (struct timeout *p = l.head; p; p = p->next, n++) {
				KT_ASSERT(p->deadline >= last);
				KT_ASSERT(on[p - t]);
				last = p->deadline;
			}
			KT_EQ(n, l.count);
		}
	}
	return NULL;
}

static const struct ktest tests[] = {
    KTEST(test_deadline_saturates),
    KTEST(test_order_and_pop),
    KTEST(test_remove),
    KTEST(test_random_model),
};

int main(void)
{
	return ktest_main(tests, KTEST_COUNT(tests));
}
