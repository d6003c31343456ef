/*
 * kernel/mm/vm.h: the kernel's own address space (DESIGN.md §3), built once
 * at boot from page-allocator pages to replace the stub's tables:
 *
 *   KEEL_KERNEL_BASE         text R+X, rodata R, data and bss R+W (NX both)
 *   KEEL_DIRECT_MAP_BASE     all of [0, direct_map_size), R+W, NX
 *   VM_STACK_BASE ...        kernel stacks, each over an unmapped guard page
 *   VM_MMIO_BASE ...         device memory, mapped by vm_map_mmio
 *
 * Kernel mappings are global where the CPU has PGE; nothing is identity
 * mapped. The stub's tables (boot-reclaim memory) are unused after vm_init.
 *
 * Locking: vm_init runs once on the boot CPU before the others start; the
 * window allocators (stacks, MMIO) take vm.c's lock and may run on any CPU.
 */
#ifndef KEEL_MM_VM_H
#define KEEL_MM_VM_H

#include <stddef.h>
#include <stdint.h>
#include <stdnoreturn.h>

#include "core/boot.h"
#include "core/ktest.h"

#define VM_STACK_BASE  0xffffffffa0000000ull /* 512 MiB into the kernel window */
#define VM_STACK_END   0xffffffffc0000000ull
#define VM_MMIO_BASE   0xffffffffd0000000ull /* above the interim arch/x86_64/mmio.c window */
#define VM_MMIO_END    0xffffffffe0000000ull
#define VM_STACK_PAGES 4 /* 16 KiB per kernel stack, as the boot stack */

/* Memory types for vm_map_mmio. */
enum vm_cache {
	VM_CACHE_UC, /* device registers: uncached, strongly ordered */
	VM_CACHE_WC, /* framebuffers: write-combining (UC where the CPU has no PAT) */
};

/* One kernel stack: [bottom, top) mapped, [guard, bottom) not. */
struct vm_stack {
	uint64_t guard, bottom, top;
};

/*
 * Build the kernel's page tables, program the PAT, load CR3 with them, and
 * give the CPU a TSS with IST stacks for #DF, NMI and #MC. Needs pmm_init.
 * 0, or a negative code with the reason in why: the caller halts, as the
 * failure may come after the CR3 load (no IST stack).
 */
int vm_init(const struct boot_info *bi, char *why, size_t why_size);

/*
 * A kernel stack with an unmapped guard page under it, from the stack window.
 * 0, or a negative PAGING_E* code with the reason in why.
 */
int vm_stack_create(struct vm_stack *s, char *why, size_t why_size);

/* Unmap a stack made by vm_stack_create and free its pages. Nothing may run on it. */
void vm_stack_destroy(const struct vm_stack *s);

/*
 * The 2 MiB regions of the stack window used so far. Stack addresses are
 * never reused, so each new region costs a page-table page that stays.
 */
uint64_t vm_stack_regions_used(void);

struct buddy_stats;

/*
 * pmm_read_stats, with free_pages counting the page-table pages kernel stacks
 * have kept as free: the figure page accounting in tests compares, which
 * comes back exactly when everything else does, however many threads (and
 * new stack regions) the test made.
 */
void vm_read_steady_stats(struct buddy_stats *out);

/*
 * The IST stacks of one CPU (#DF, NMI, #MC; arch/x86_64/gdt.h numbers the
 * slots): their tops into ist_top, GDT_IST_COUNT of them. 0, or as
 * vm_stack_create.
 */
int vm_ist_stacks_create(uint64_t ist_top[], char *why, size_t why_size);

/* Program this AP's PAT as vm_init programmed the boot CPU's. */
void vm_pat_init_this_cpu(void);

/* Move onto the guarded kernel stack (vm_init made it) and run fn there; fn must not return. */
noreturn void vm_run_on_kernel_stack(void (*fn)(void));

/* The boot CPU's kernel stack, for tests (its guard must fault). */
const struct vm_stack *vm_kernel_stack(void);

/*
 * Map [phys, phys + size) into the MMIO window with memory type `cache`,
 * writable and NX: the virtual address of phys, or NULL (with a console line)
 * for an empty, wrapping or too large range or a full window.
 */
volatile void *vm_map_mmio(uint64_t phys, uint64_t size, enum vm_cache cache);

/* The PAT memory type index vm_map_mmio uses for `cache` on this CPU. */
unsigned vm_cache_index(enum vm_cache cache);

/* The live kernel tables (arch/x86_64/paging.h), for lookups in tests. */
struct paging;
const struct paging *vm_tables(void);

/* The address space, the TSS and IST, and faults caught by the test hook. */
extern const struct ktest_suite vm_test_suite;

#endif
