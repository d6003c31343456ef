/*
 * kernel/mm/slab_tests.c: in-kernel tests of the slab caches (kslab.h) over
 * the real page allocator: thousands of objects in and out with the page
 * accounting identical before and after, and bad frees refused.
 */
#include "mm/slab_tests.h"

#include "core/boot.h"
#include "lib/kstring.h"
#include "mm/kslab.h"
#include "mm/pmm.h"

#define SLAB_TEST_OBJECTS 5000

/* A byte pattern of object number n, after the chain word. */
static uint8_t slab_test_byte(uint64_t n, size_t i)
{
	return (uint8_t)(n * 31 + i);
}

/*
 * Allocate SLAB_TEST_OBJECTS objects of `size` bytes, chained through their
 * first word (the test needs no memory of its own) and filled with a pattern;
 * check the accounting; free them all, checking the pattern; shrink. The page
 * allocator's accounting must then be exactly what it was.
 */
static const char *slab_test_round_trip(size_t size, size_t align)
{
	struct buddy_stats before, full, after;
	struct kslab_cache kc;
	struct slab_stats st;
	uint64_t *head = NULL, count = 0;
	int err;

	pmm_read_stats(&before);
	err = kslab_cache_init(&kc, "test", size, align);
	if (err)
		return ktest_fail("kslab_cache_init(%zu, %zu): %s", size, align,
				  slab_strerror(err));
	for (; count < SLAB_TEST_OBJECTS; count++) {
		uint64_t *o = kslab_alloc(&kc);

		if (o == NULL)
			return ktest_fail("size %zu: allocation %llu failed", size,
					  (unsigned long long)count);
		if ((uintptr_t)o % kc.cache.align != 0)
			return ktest_fail("size %zu: object %p misaligned", size, (void *)o);
		o[0] = (uint64_t)(uintptr_t)head;
		for (size_t i = 8; i < size; i++)
			((uint8_t *)o)[i] = slab_test_byte(count, i);
		head = o;
	}
	kslab_cache_stats(&kc, &st);
	pmm_read_stats(&full);
	if (st.objects_in_use != SLAB_TEST_OBJECTS)
		return ktest_fail("size %zu: %llu objects in use, expected %u", size,
				  (unsigned long long)st.objects_in_use, SLAB_TEST_OBJECTS);
	if (full.used_pages - before.used_pages != st.pages ||
	    st.slabs != (SLAB_TEST_OBJECTS + st.objects_per_slab - 1) / st.objects_per_slab)
		return ktest_fail("size %zu: %llu slabs, %llu pages, page allocator lent %llu",
				  size, (unsigned long long)st.slabs, (unsigned long long)st.pages,
				  (unsigned long long)(full.used_pages - before.used_pages));
	if (kslab_cache_check(&kc) != 0)
		return ktest_fail("size %zu: invariants broken when full", size);
	while (head != NULL) {
		uint64_t *next = (uint64_t *)(uintptr_t)head[0];

		count--;
		for (size_t i = 8; i < size; i++) {
			if (((uint8_t *)head)[i] != slab_test_byte(count, i))
				return ktest_fail("size %zu: object %p byte %zu changed", size,
						  (void *)head, i);
		}
		err = kslab_free(&kc, head);
		if (err)
			return ktest_fail("size %zu: free of %p: %s", size, (void *)head,
					  slab_strerror(err));
		head = next;
	}
	kslab_cache_shrink(&kc);
	kslab_cache_stats(&kc, &st);
	if (st.slabs != 0 || st.pages != 0 || kslab_cache_check(&kc) != 0)
		return ktest_fail("size %zu: %llu slabs held after freeing all and shrinking", size,
				  (unsigned long long)st.slabs);
	err = kslab_cache_destroy(&kc);
	if (err)
		return ktest_fail("size %zu: destroy: %s", size, slab_strerror(err));
	pmm_read_stats(&after);
	if (memcmp(&before, &after, sizeof(before)) != 0)
		return ktest_fail("size %zu: page accounting differs: free %llu -> %llu, used %llu "
				  "-> %llu",
				  size, (unsigned long long)before.free_pages,
				  (unsigned long long)after.free_pages,
				  (unsigned long long)before.used_pages,
				  (unsigned long long)after.used_pages);
	return pmm_check() == 0 ? NULL : ktest_fail("page allocator invariants broken");
}

static const char *test_slab_thousands(void)
{
	static const size_t sizes[] = {8, 64, 200, 3000};
	const char *err;

	for (size_t i = 0; i < KTEST_COUNT(sizes); i++) {
		err = slab_test_round_trip(sizes[i], 0);
		if (err)
			return err;
	}
	return slab_test_round_trip(96, 64);
}

/* Bad frees are refused with their own code and change nothing. */
static const char *test_slab_bad_free(void)
{
	struct buddy_stats before, after;
	struct slab_stats st0, st1;
	struct kslab_cache kc;
	uint8_t *a, *b;
	uint64_t phys;
	int local, err;

	pmm_read_stats(&before);
	if (kslab_cache_init(&kc, "bad", 128, 0) != 0)
		return ktest_fail("kslab_cache_init refused 128-byte objects");
	a = kslab_alloc(&kc);
	b = kslab_alloc(&kc);
	if (a == NULL || b == NULL)
		return ktest_fail("cannot allocate two objects");
	if (pmm_alloc_pages(0, &phys) != 0)
		return ktest_fail("cannot allocate a page");
	kslab_cache_stats(&kc, &st0);
	if ((err = kslab_free(&kc, &local)) != -SLAB_EFOREIGN)
		return ktest_fail("free of a stack address: %s", slab_strerror(err));
	if ((err = kslab_free(&kc, boot_phys_to_virt(phys))) != -SLAB_EFOREIGN)
		return ktest_fail("free of another page: %s", slab_strerror(err));
	if ((err = kslab_free(&kc, a + 8)) != -SLAB_EINTERIOR)
		return ktest_fail("free inside an object: %s", slab_strerror(err));
	if ((err = kslab_free(&kc, NULL)) != -SLAB_EINVAL)
		return ktest_fail("free of NULL: %s", slab_strerror(err));
	if ((err = kslab_cache_destroy(&kc)) != -SLAB_EBUSY)
		return ktest_fail("destroy with objects in use: %s", slab_strerror(err));
	kslab_cache_stats(&kc, &st1);
	if (memcmp(&st0, &st1, sizeof(st0)) != 0)
		return ktest_fail("a refused call changed the cache's accounting");
	if ((err = kslab_free(&kc, a)) != 0)
		return ktest_fail("the good free was refused: %s", slab_strerror(err));
	if ((err = kslab_free(&kc, a)) != -SLAB_EDOUBLE)
		return ktest_fail("double free: %s, expected \"%s\"", slab_strerror(err),
				  slab_strerror(-SLAB_EDOUBLE));
	if (kslab_free(&kc, b) != 0 || pmm_free_pages(phys, 0) != 0)
		return ktest_fail("the last frees were refused");
	if ((err = kslab_free(&kc, b)) != -SLAB_EDOUBLE)
		return ktest_fail("double free in the empty slab: %s", slab_strerror(err));
	if (kslab_cache_check(&kc) != 0 || kslab_cache_destroy(&kc) != 0)
		return ktest_fail("the cache is broken after the bad frees");
	pmm_read_stats(&after);
	if (memcmp(&before, &after, sizeof(before)) != 0)
		return ktest_fail("page accounting differs after the cache is gone");
	return NULL;
}

static const struct ktest slab_tests[] = {
    KTEST(slab_thousands),
    KTEST(slab_bad_free),
};

const struct ktest_suite slab_test_suite = {slab_tests, KTEST_COUNT(slab_tests)};
