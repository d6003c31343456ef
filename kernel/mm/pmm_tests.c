/*
 * kernel/mm/pmm_tests.c: in-kernel tests of the physical page allocator
 * (DESIGN.md §8), run on the real memory map.
 */
#include "mm/pmm_tests.h"

#include "core/boot.h"
#include "lib/kstring.h"
#include "mm/pmm.h"

/*
 * Allocate every free page, largest blocks first, then free them all: the
 * accounting must come back identical and every invariant must hold. The
 * allocated blocks are chained through their own first word (they are ours
 * while allocated), so the test needs no memory of its own.
 */
static const char *test_pmm_alloc_all_free_all(void)
{
	struct buddy_stats before, full, after;
	uint64_t head = 0, phys, blocks = 0, pages = 0;

	pmm_read_stats(&before);
	if (before.free_pages == 0)
		return ktest_fail("no free pages to test with");
	for (int order = BUDDY_MAX_ORDER; order >= 0; order--) {
		while (pmm_alloc_pages((unsigned)order, &phys) == 0) {
			uint64_t *link = boot_phys_to_virt(phys);

			if (phys == 0) /* would also end the chain below early */
				return ktest_fail("physical page 0 was handed out");

			link[0] = head;
			link[1] = (uint64_t)order;
			head = phys;
			blocks++;
			pages += 1ull << order;
		}
	}
	pmm_read_stats(&full);
	while (head != 0) {
		const uint64_t *link = boot_phys_to_virt(head);
		uint64_t next = link[0];
		unsigned order = (unsigned)link[1];

		if (pmm_free_pages(head, order) != 0)
			return ktest_fail("freeing the order-%u block at 0x%llx was refused", order,
					  (unsigned long long)head);
		head = next;
	}
	pmm_read_stats(&after);
	if (full.free_pages != 0)
		return ktest_fail("%llu pages still free after allocating everything",
				  (unsigned long long)full.free_pages);
	if (pages != before.free_pages)
		return ktest_fail("allocated %llu pages in %llu blocks, %llu were free",
				  (unsigned long long)pages, (unsigned long long)blocks,
				  (unsigned long long)before.free_pages);
	if (memcmp(&before, &after, sizeof(before)) != 0)
		return ktest_fail(
		    "accounting differs after freeing everything: free %llu -> %llu, "
		    "used %llu -> %llu",
		    (unsigned long long)before.free_pages, (unsigned long long)after.free_pages,
		    (unsigned long long)before.used_pages, (unsigned long long)after.used_pages);
	if (pmm_check() != 0)
		return ktest_fail("allocator invariants broken after the round trip");
	return NULL;
}

/* A bad free changes nothing: a double free, a misaligned or unmanaged address. */
static const char *test_pmm_bad_free_refused(void)
{
	struct buddy_stats before, after;
	uint64_t phys;

	if (pmm_alloc_pages(1, &phys) != 0)
		return ktest_fail("cannot allocate two pages");
	pmm_read_stats(&before);
	if (pmm_free_pages(phys + KEEL_PAGE_SIZE, 0) == 0)
		return ktest_fail("freeing the second page of a block was accepted");
	if (pmm_free_pages(phys, 0) == 0)
		return ktest_fail("freeing a block with the wrong order was accepted");
	if (pmm_free_pages(phys + 1, 1) == 0)
		return ktest_fail("freeing a misaligned address was accepted");
	if (pmm_free_pages(boot_info.handoff->kernel_phys_base, 0) == 0)
		return ktest_fail("freeing a kernel page was accepted");
	pmm_read_stats(&after);
	if (memcmp(&before, &after, sizeof(before)) != 0)
		return ktest_fail("a refused free changed the accounting");
	if (pmm_free_pages(phys, 1) != 0)
		return ktest_fail("the good free was refused");
	if (pmm_free_pages(phys, 1) == 0)
		return ktest_fail("a double free was accepted");
	return pmm_check() == 0 ? NULL : ktest_fail("allocator invariants broken");
}

/*
 * KEEL_INFO_MEMORY's answer is the allocator's own accounting: total the
 * managed pages, free at most that, and one page taken shows as one fewer.
 */
static const char *test_pmm_memory_info(void)
{
	struct keel_memory_info before, during;
	struct buddy_stats st;
	uint64_t phys;

	pmm_memory_info(&before);
	pmm_read_stats(&st);
	if (before.total_pages != st.managed_pages || before.total_pages == 0)
		return ktest_fail("total %llu pages, the allocator manages %llu",
				  (unsigned long long)before.total_pages,
				  (unsigned long long)st.managed_pages);
	if (before.free_pages > before.total_pages)
		return ktest_fail("free %llu pages above total %llu",
				  (unsigned long long)before.free_pages,
				  (unsigned long long)before.total_pages);
	if (pmm_alloc_pages(0, &phys) != 0)
		return ktest_fail("no page to take");
	pmm_memory_info(&during);
	pmm_free_pages(phys, 0);
	if (during.free_pages + 1 != before.free_pages)
		return ktest_fail("free %llu pages with one taken, %llu before",
				  (unsigned long long)during.free_pages,
				  (unsigned long long)before.free_pages);
	return NULL;
}

static const struct ktest pmm_tests[] = {
    KTEST(pmm_alloc_all_free_all),
    KTEST(pmm_bad_free_refused),
    KTEST(pmm_memory_info),
};

const struct ktest_suite pmm_test_suite = {pmm_tests, KTEST_COUNT(pmm_tests)};
