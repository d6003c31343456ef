/*
 * kernel/arch/x86_64/arch_tests.c: in-kernel tests of the x86-64 code.
 */
#include <stdbool.h>

#include "core/arch.h"
#include "core/boot.h"
#include "core/image.h"
#include "cpu.h"
#include "trap.h"
#include "trapinfo.h"

/* Paging-entry bits and the physical-address field (SDM Vol. 3A, §4.5). */
#define PTE_P    (1ull << 0)
#define PTE_W    (1ull << 1)
#define PTE_PS   (1ull << 7)
#define PTE_NX   (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

#define PT_LEVELS  4 /* PML4, PDPT, PD, PT */
#define PT_ENTRIES 512

/* int3 goes through the IDT to trap_dispatch, which counts it and returns here. */
static const char *test_idt_breakpoint(void)
{
	uint64_t before = trap_breakpoint_count;

	trap_last_vector = ~0ull;
	__asm__ volatile("int3" : : : "memory");
	if (trap_breakpoint_count != before + 1)
		return ktest_fail("int3 did not reach the handler (breakpoints %lu -> %lu)",
				  (unsigned long)before, (unsigned long)trap_breakpoint_count);
	if (trap_last_vector != TRAP_BP)
		return ktest_fail("handler recorded vector %lu, expected %u",
				  (unsigned long)trap_last_vector, TRAP_BP);
	return NULL;
}

/*
 * Walk the live page tables from CR3 down to the entry that maps va, reading
 * each table through the direct map. The access rights of a translation are
 * those of every level together: writable only when every entry has R/W,
 * no-execute when any entry has XD. NULL with *writable and *nx set, or why
 * the walk failed.
 */
static const char *test_walk(uint64_t va, bool *writable, bool *nx)
{
	uint64_t table = cpu_read_cr3() & PTE_ADDR;
	uint64_t dm = boot_info.handoff->direct_map_size;

	*writable = true;
	*nx = false;
	for (int level = PT_LEVELS - 1;; level--) {
		const uint64_t *t;
		uint64_t e;

		if (!boot_phys_in_direct_map(table, KEEL_PAGE_SIZE, dm))
			return ktest_fail(
			    "level %d table at 0x%lx for 0x%lx is outside the direct map", level,
			    (unsigned long)table, (unsigned long)va);
		t = boot_phys_to_virt(table);
		e = t[(va >> (12 + 9 * level)) % PT_ENTRIES];
		if (!(e & PTE_P))
			return ktest_fail("0x%lx is not mapped (level %d entry 0x%lx)",
					  (unsigned long)va, level, (unsigned long)e);
		*writable = *writable && (e & PTE_W);
		*nx = *nx || (e & PTE_NX);
		/* PS marks a 1 GiB (PDPT) or 2 MiB (PD) page, which ends the walk early. */
		if (level == 0 || (e & PTE_PS))
			return NULL;
		table = e & PTE_ADDR;
	}
}

/* Every page of [start, end) must have these rights; `nx_wanted` is ignored without NX. */
static const char *test_segment_rights(const char *name, const char *start, const char *end,
				       bool writable_wanted, bool nx_wanted)
{
	bool has_nx = boot_info.handoff->flags & KEEL_HANDOFF_NX;

	for (const char *p = start; p < end; p += KEEL_PAGE_SIZE) {
		uint64_t va = (uint64_t)(uintptr_t)p;
		bool writable, nx;
		const char *err = test_walk(va, &writable, &nx);

		if (err)
			return err;
		if (writable != writable_wanted)
			return ktest_fail("%s page 0x%lx is %s", name, (unsigned long)va,
					  writable ? "writable" : "read-only");
		if (has_nx && nx != nx_wanted)
			return ktest_fail("%s page 0x%lx is %s", name, (unsigned long)va,
					  nx ? "no-execute" : "executable");
	}
	return NULL;
}

/*
 * The stub maps text read-only, rodata read-only and NX, data NX (DESIGN.md
 * §2); kernel_entry sets CR0.WP so that ring 0 is held to read-only too.
 */
static const char *test_kernel_text_readonly_bits(void)
{
	const char *err;

	if (!(cpu_read_cr0() & CPU_CR0_WP))
		return ktest_fail("CR0.WP is clear: ring 0 may write read-only pages (cr0 0x%lx)",
				  (unsigned long)cpu_read_cr0());
	if (cpu_read_cr4() & CPU_CR4_LA57)
		return ktest_fail("5-level paging is on; the walk knows 4 levels");
	if ((boot_info.handoff->flags & KEEL_HANDOFF_NX) && !arch_nx_enabled())
		return ktest_fail("the handoff says NX, but EFER.NXE is clear");
	err = test_segment_rights("text", kernel_image_start, kernel_text_end, false, false);
	if (!err)
		err = test_segment_rights("rodata", kernel_rodata_start, kernel_data_start, false,
					  true);
	if (!err)
		err = test_segment_rights("data", kernel_data_start, kernel_image_end, true, true);
	return err;
}

static const struct ktest arch_tests[] = {
    KTEST(idt_breakpoint),
    KTEST(kernel_text_readonly_bits),
};

const struct ktest_suite arch_test_suite = {arch_tests, KTEST_COUNT(arch_tests)};
