/* kernel/mm/slab_tests.h: the slab caches' in-kernel tests. */
#ifndef KEEL_MM_SLAB_TESTS_H
#define KEEL_MM_SLAB_TESTS_H

#include "core/ktest.h"

extern const struct ktest_suite slab_test_suite;

#endif
