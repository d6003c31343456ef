/* kernel/mm/pmm_tests.h: the physical page allocator's in-kernel tests. */
#ifndef KEEL_MM_PMM_TESTS_H
#define KEEL_MM_PMM_TESTS_H

#include "core/ktest.h"

extern const struct ktest_suite pmm_test_suite;

#endif
