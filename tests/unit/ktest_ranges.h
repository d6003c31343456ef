/*
 * tests/unit/ktest_ranges.h: short names for the Keel range types
 * (include/keel/boot.h), so that hand-written memory maps in the unit tests
 * stay one readable line per range.
 */
#ifndef KEEL_TESTS_KTEST_RANGES_H
#define KEEL_TESTS_KTEST_RANGES_H

#include <keel/boot.h>

#define U  KEEL_RANGE_USABLE
#define RS KEEL_RANGE_RESERVED
#define AR KEEL_RANGE_ACPI_RECLAIM
#define NV KEEL_RANGE_ACPI_NVS
#define BR KEEL_RANGE_BOOT_RECLAIM
#define KR KEEL_RANGE_KERNEL
#define IR KEEL_RANGE_INITRD
#define FB KEEL_RANGE_FRAMEBUFFER
#define MM KEEL_RANGE_MMIO
#define TR KEEL_RANGE_TRAMPOLINE

#endif
