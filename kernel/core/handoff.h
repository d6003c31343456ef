/*
 * kernel/core/handoff.h: the kernel's check of the handoff keel.efi passes
 * (include/keel/boot.h). Nothing in the handoff is used before
 * handoff_check() accepts it. Pure logic: the host unit test
 * tests/unit/test_handoff.c feeds it broken handoffs.
 *
 * Invariant after a successful check: cmdline and fw_vendor are NUL-terminated
 * within their arrays; range_count is 1..HANDOFF_MAX_RANGES; direct_map_size
 * is a non-zero page multiple no larger than HANDOFF_MAX_DIRECT_MAP; the
 * ranges array and the initrd lie inside the direct map, so both can be read
 * at KEEL_DIRECT_MAP_BASE + phys. The framebuffer and the RSDP are optional
 * and are checked where they are used.
 */
#ifndef KEEL_CORE_HANDOFF_H
#define KEEL_CORE_HANDOFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <keel/boot.h>

/* More ranges than this is not a memory map but garbage (QEMU gives ~60). */
#define HANDOFF_MAX_RANGES 4096u

/*
 * The direct map lives between KEEL_DIRECT_MAP_BASE and the kernel window;
 * 64 TiB is far more than any machine Keel boots on and far less than room.
 */
#define HANDOFF_MAX_DIRECT_MAP (1ull << 46)

enum handoff_error {
	HANDOFF_OK = 0,
	HANDOFF_EADDRESS = -1, /* the handoff pointer is not in the direct map */
	HANDOFF_EMAGIC = -2,
	HANDOFF_EVERSION = -3,
	HANDOFF_ESIZE = -4,
	HANDOFF_ERANGES = -5, /* range_count or the ranges array */
	HANDOFF_ESTRING = -6, /* cmdline or fw_vendor not NUL-terminated */
	HANDOFF_EDIRECTMAP = -7,
	HANDOFF_EINITRD = -8,
};

/*
 * Whether `addr`, the value the stub left in rdi, can hold a handoff: inside
 * the direct map's address range and 8-byte aligned. Checked before the first
 * read. 0 or HANDOFF_EADDRESS with the reason in why.
 */
int handoff_check_address(uint64_t addr, char *why, size_t why_size);

/*
 * Check the handoff at h; read magic, then version, then size, before any
 * other field. 0, or a negative enum handoff_error with a message naming the
 * field and its value in why ("version 2, this kernel understands 1").
 */
int handoff_check(const struct keel_handoff *h, char *why, size_t why_size);

/*
 * Whether magic and version are right, so that the fields sit where this
 * kernel expects them: the framebuffer may be used to show a rejection.
 */
bool handoff_layout_known(const struct keel_handoff *h);

#endif
