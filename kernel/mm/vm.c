/*
 * kernel/mm/vm.c: the kernel's address space (vm.h). The page tables are
 * built by the pure builder (arch/x86_64/paging.c) from page-allocator pages
 * reached through the direct map; this file adds what only the kernel can do:
 * the PAT MSR, the CR3 load, the TSS and the stack switch. It is x86-64 code
 * until a second architecture splits it.
 */
#include "mm/vm.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/cpufeatures.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/tlb.h"
#include "arch/x86_64/trapinfo.h"
#include "core/arch.h"
#include "core/console.h"
#include "core/image.h"
#include "core/spinlock.h"
#include "lib/fmt.h"
#include "mm/pmm.h"

/*
 * The PAT (SDM Vol. 3A, §11.12): entries 0-3 keep their power-on types (WB,
 * WT, UC-, UC), so every mapping made before, with PWT/PCD/PAT bits meaning
 * what they always meant, keeps its type; entry 4, WB at power-on and used by
 * nothing, becomes WC; 5-7 keep WT, UC-, UC. One byte per entry.
 */
#define MSR_PAT        0x277
#define PAT_VALUE      0x0007040100070406ull
#define CPUID_EDX_PAT  (1u << 16)                              /* CPUID.01H:EDX */
#define VM_STACK_SPAN  ((VM_STACK_PAGES + 1) * KEEL_PAGE_SIZE) /* guard + stack */
#define VM_STACK_ORDER 2                                       /* 2^2 = VM_STACK_PAGES pages */
#define VM_IST_STACKS  GDT_IST_COUNT

_Static_assert(1u << VM_STACK_ORDER == VM_STACK_PAGES, "stack order matches its pages");

static struct paging vm_kernel;
static struct vm_stack vm_boot_stack;
static bool vm_pat_on; /* set by vm_init, before any AP starts */

/*
 * vm_lock guards the kernel page tables (every paging_map on vm_kernel) and
 * the two window cursors below. Taken with interrupts off: the holder must
 * not be interrupted by code that maps. The tables' upper levels are shared by
 * every CPU; a new mapping needs no TLB flush anywhere, because window
 * addresses are never reused (nothing stale can be cached for them).
 */
static struct spinlock vm_lock = SPINLOCK_INIT;
static uint64_t vm_stack_next = VM_STACK_BASE;
static uint64_t vm_mmio_next = VM_MMIO_BASE;

static int vm_alloc_table(void *ctx, uint64_t *phys)
{
	(void)ctx;
	return pmm_alloc_pages(0, phys);
}

static uint64_t *vm_table_at(void *ctx, uint64_t phys)
{
	(void)ctx;
	return boot_phys_to_virt(phys);
}

/* A segment of the image from two linker symbols (page-aligned by kernel.ld). */
static struct paging_segment vm_segment(const struct keel_handoff *h, const char *start,
					const char *end)
{
	uint64_t va = (uint64_t)(uintptr_t)start;

	return (struct paging_segment){va, h->kernel_phys_base + (va - h->kernel_virt_base),
				       (uint64_t)(end - start)};
}

int vm_stack_create(struct vm_stack *s, char *why, size_t why_size)
{
	uint64_t phys, flags;
	int err;

	if (pmm_alloc_pages(VM_STACK_ORDER, &phys) != 0) {
		fmt_snprintf(why, why_size, "no memory for a kernel stack");
		return -PAGING_ENOMEM;
	}
	flags = spin_lock_irqsave(&vm_lock);
	if (VM_STACK_END - vm_stack_next < VM_STACK_SPAN) {
		spin_unlock_irqrestore(&vm_lock, flags);
		pmm_free_pages(phys, VM_STACK_ORDER);
		fmt_snprintf(why, why_size, "the kernel stack window is full");
		return -PAGING_ENOMEM;
	}
	s->guard = vm_stack_next;
	s->bottom = s->guard + KEEL_PAGE_SIZE;
	s->top = s->bottom + VM_STACK_PAGES * KEEL_PAGE_SIZE;
	/* Never reused: the window is large, and a fresh address needs no TLB flush. */
	vm_stack_next += VM_STACK_SPAN;
	err = paging_map(&vm_kernel, s->bottom, phys, VM_STACK_PAGES * KEEL_PAGE_SIZE, PAGING_4K,
			 PAGING_WRITE | PAGING_GLOBAL, PAGING_CACHE_WB);
	spin_unlock_irqrestore(&vm_lock, flags);
	if (err != 0)
		fmt_snprintf(why, why_size, "mapping a stack: %s", paging_strerror(err));
	return err;
}

uint64_t vm_stack_regions_used(void)
{
	uint64_t flags = spin_lock_irqsave(&vm_lock);
	uint64_t next = vm_stack_next;

	spin_unlock_irqrestore(&vm_lock, flags);
	return ((next + (1ull << 21) - 1) >> 21) - (VM_STACK_BASE >> 21);
}

void vm_read_steady_stats(struct buddy_stats *out)
{
	/* Each region's page-table page was taken when its first stack was made. */
	pmm_read_stats(out);
	out->free_pages += vm_stack_regions_used();
}

/* paging_unmap's report: the first page of the stack's block. */
static void vm_stack_page_gone(void *ctx, uint64_t va, uint64_t pa)
{
	uint64_t *first = ctx;

	(void)va;
	if (*first == 0)
		*first = pa;
}

void vm_stack_destroy(const struct vm_stack *s)
{
	uint64_t flags, first = 0;

	flags = spin_lock_irqsave(&vm_lock);
	paging_unmap(&vm_kernel, s->bottom, s->top - s->bottom, vm_stack_page_gone, &first);
	spin_unlock_irqrestore(&vm_lock, flags);
	/*
	 * Only this CPU's TLB is flushed. Another CPU may still hold the
	 * translation, but stack addresses are never reused (vm_stack_create),
	 * so nothing will ever access it again.
	 */
	for (uint64_t va = s->bottom; va < s->top; va += KEEL_PAGE_SIZE)
		tlb_flush_page((const void *)(uintptr_t)va);
	if (first)
		pmm_free_pages(first, VM_STACK_ORDER);
}

/* Entries 0-3 stay as they were, so this may run while the old tables are live. */
static void vm_pat_init(void)
{
	vm_pat_on = cpu_cpuid(1, 0).edx & CPUID_EDX_PAT;
	vm_pat_init_this_cpu();
}

void vm_pat_init_this_cpu(void)
{
	if (vm_pat_on)
		cpu_wrmsr(MSR_PAT, PAT_VALUE);
}

unsigned vm_cache_index(enum vm_cache cache)
{
	if (cache == VM_CACHE_WC && vm_pat_on)
		return PAGING_CACHE_WC;
	return PAGING_CACHE_UC;
}

int vm_ist_stacks_create(uint64_t ist_top[GDT_IST_COUNT], char *why, size_t why_size)
{
	struct vm_stack s;
	int err;

	for (int i = 0; i < GDT_IST_COUNT; i++) {
		err = vm_stack_create(&s, why, why_size);
		if (err != 0)
			return err;
		ist_top[i] = s.top;
	}
	return 0;
}

/* The boot CPU's IST stacks for #DF, NMI and #MC, its GDT and TSS, the IDT gates. */
static int vm_ist_init(char *why, size_t why_size)
{
	static const uint32_t vectors[VM_IST_STACKS] = {TRAP_DF, TRAP_NMI, TRAP_MC};
	static const uint8_t slots[VM_IST_STACKS] = {GDT_IST_DF, GDT_IST_NMI, GDT_IST_MC};
	struct percpu *p = percpu_this();
	int err = vm_ist_stacks_create(p->ist_top, why, why_size);

	if (err != 0)
		return err;
	gdt_cpu_load(&p->gdt, p->ist_top);
	for (int i = 0; i < VM_IST_STACKS; i++)
		idt_set_ist(vectors[i], slots[i]);
	return 0;
}

int vm_init(const struct boot_info *bi, char *why, size_t why_size)
{
	const struct keel_handoff *h = bi->handoff;
	struct paging_env env = {NULL, vm_alloc_table, vm_table_at, arch_nx_enabled()};
	struct paging_kernel_layout l = {
	    .text = vm_segment(h, kernel_image_start, kernel_text_end),
	    .rodata = vm_segment(h, kernel_rodata_start, kernel_data_start),
	    .data = vm_segment(h, kernel_data_start, kernel_image_end),
	    .direct_map_base = KEEL_DIRECT_MAP_BASE,
	    .direct_map_size = h->direct_map_size,
	    .use_1g = cpufeatures_on(CPUFEATURE_PAGE1G),
	    .global = cpufeatures_on(CPUFEATURE_PGE),
	};
	uint64_t image = (uint64_t)(kernel_image_end - kernel_image_start);
	int err;

	/* The image must be where the handoff says, or the tables would map the wrong pages. */
	if (h->kernel_virt_base != (uint64_t)(uintptr_t)kernel_image_start ||
	    h->kernel_phys_size < image) {
		fmt_snprintf(why, why_size,
			     "the handoff places the kernel at 0x%llx (%llu bytes), linked at "
			     "0x%llx (%llu bytes)",
			     (unsigned long long)h->kernel_virt_base,
			     (unsigned long long)h->kernel_phys_size,
			     (unsigned long long)(uintptr_t)kernel_image_start,
			     (unsigned long long)image);
		return -PAGING_EINVAL;
	}
	err = paging_init(&vm_kernel, &env);
	if (err == 0)
		err = paging_map_kernel(&vm_kernel, &l);
	if (err != 0) {
		fmt_snprintf(why, why_size, "building the kernel page tables: %s",
			     paging_strerror(err));
		return err;
	}
	err = vm_stack_create(&vm_boot_stack, why, why_size);
	if (err != 0)
		return err;
	vm_pat_init();
	/*
	 * tlb_load_cr3 flushes the non-global entries; the stub's tables had
	 * global ones too (and they may differ from ours), so flush everything.
	 */
	if (tlb_load_cr3(vm_kernel.root, 0, false) != TLB_OK) {
		fmt_snprintf(why, why_size, "CR3 refused the root 0x%llx",
			     (unsigned long long)vm_kernel.root);
		return -PAGING_EINVAL;
	}
	tlb_flush_all();
	return vm_ist_init(why, why_size);
}

noreturn void vm_run_on_kernel_stack(void (*fn)(void))
{
	/* rbp = 0 ends backtraces; rsp is 16-byte aligned before the call, as the ABI wants. */
	__asm__ volatile("movq %0, %%rsp\n\t"
			 "xorl %%ebp, %%ebp\n\t"
			 "call *%1\n\t"
			 "ud2"
			 :
			 : "r"(vm_boot_stack.top), "r"(fn)
			 : "memory");
	__builtin_unreachable();
}

const struct vm_stack *vm_kernel_stack(void)
{
	return &vm_boot_stack;
}

const struct paging *vm_tables(void)
{
	return &vm_kernel;
}

volatile void *vm_map_mmio(uint64_t phys, uint64_t size, enum vm_cache cache)
{
	uint64_t page = phys & ~(KEEL_PAGE_SIZE - 1), span, va, flags;
	int err;

	/* Page-rounded span of [phys, phys + size), computed without wrapping. */
	if (size == 0 || size - 1 > ~phys || (phys + size - 1) >> 52 != 0) {
		kprintf("vm: cannot map device memory 0x%llx + 0x%llx: bad range\n",
			(unsigned long long)phys, (unsigned long long)size);
		return NULL;
	}
	span = ((phys + size - 1) | (KEEL_PAGE_SIZE - 1)) - page + 1;
	flags = spin_lock_irqsave(&vm_lock);
	if (span > VM_MMIO_END - vm_mmio_next) {
		spin_unlock_irqrestore(&vm_lock, flags);
		kprintf("vm: cannot map device memory 0x%llx + 0x%llx: the MMIO window is full\n",
			(unsigned long long)phys, (unsigned long long)size);
		return NULL;
	}
	/* Taken even if mapping fails: a half-mapped span must not be handed out again. */
	va = vm_mmio_next;
	vm_mmio_next += span;
	err = paging_map(&vm_kernel, va, page, span, PAGING_4K, PAGING_WRITE | PAGING_GLOBAL,
			 vm_cache_index(cache));
	spin_unlock_irqrestore(&vm_lock, flags);
	if (err != 0) {
		kprintf("vm: cannot map device memory 0x%llx + 0x%llx: %s\n",
			(unsigned long long)phys, (unsigned long long)size, paging_strerror(err));
		return NULL;
	}
	/* Window addresses are never reused: nothing stale can be in the TLB. */
	return (volatile void *)(uintptr_t)(va + (phys - page));
}
