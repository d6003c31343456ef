/*
 * kernel/core/handoff.h: the kernel's check of the handoff keel.efi passes
 * (include/keel/boot.h). Nothing in the handoff is used before
 * handoff_check() accepts it. Pure logic: the host unit test
 * tests/unit/test_handoff.c feeds it broken handoffs and range arrays.
 *
 * Invariant after a successful check: direct_map_size is a non-zero page
 * multiple no larger than KEEL_DIRECT_MAP_MAX; cmdline and fw_vendor are
 * NUL-terminated within their arrays; range_count is 1..KEEL_HANDOFF_MAX_RANGES;
 * the ranges array and the initrd lie inside the direct map, so both can be
 * read at KEEL_DIRECT_MAP_BASE + phys; and the ranges pass
 * handoff_check_ranges(). The framebuffer and the RSDP are optional and are
 * checked where they are used.
 */
#ifndef KEEL_CORE_HANDOFF_H
#define KEEL_CORE_HANDOFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <keel/boot.h>

enum handoff_error {
	HANDOFF_OK = 0,
	HANDOFF_EADDRESS = -1, /* the handoff pointer is not in the direct map */
	HANDOFF_EMAGIC = -2,
	HANDOFF_EVERSION = -3,
	HANDOFF_ESIZE = -4,
	HANDOFF_ERANGES = -5, /* range_count or the ranges array's placement */
	HANDOFF_ESTRING = -6, /* cmdline or fw_vendor not NUL-terminated */
	HANDOFF_EDIRECTMAP = -7,
	HANDOFF_EINITRD = -8,
	HANDOFF_EMEMMAP = -9, /* the ranges themselves (handoff_check_ranges) */
};

/*
 * Whether `addr`, the value the stub left in rdi, can hold a handoff: inside
 * the direct map's address range and 8-byte aligned. Checked before the first
 * read. 0 or HANDOFF_EADDRESS with the reason in why.
 */
int handoff_check_address(uint64_t addr, char *why, size_t why_size);

/*
 * Check the handoff at h; magic, version and size are read before any other
 * field. Once its placement is checked, the ranges array is read at
 * phys_window + h->ranges: phys_window is where physical address 0 appears
 * (KEEL_DIRECT_MAP_BASE in the kernel; the host test passes its array's
 * address minus h->ranges). 0, or a negative enum handoff_error with a
 * message naming the field and its value in why ("version 2, this kernel
 * understands 1").
 */
int handoff_check(const struct keel_handoff *h, uintptr_t phys_window, char *why, size_t why_size);

/*
 * Check `count` ranges: each has a page-aligned base, a non-zero page-multiple
 * size, an end below 2^64 and a known type; they are sorted by base and
 * disjoint; every RAM range (bootmap_type_is_ram) lies inside a direct map of
 * direct_map_size bytes, since the kernel reaches RAM through it. Adjacent
 * ranges of one type that were not merged are accepted: they are untidy, not
 * unsafe. 0 or HANDOFF_EMEMMAP with the index and the values in why.
 */
int handoff_check_ranges(const struct keel_mem_range *r, uint32_t count, uint64_t direct_map_size,
			 char *why, size_t why_size);

/*
 * Whether magic, version and size are right and direct_map_size is sane: the
 * framebuffer fields then sit where this kernel expects them and fb_check()
 * can judge them against the direct map, so that a handoff rejected for
 * another reason may still show the rejection on its screen.
 */
bool handoff_header_ok(const struct keel_handoff *h);

#endif
