/*
 * kernel/arch/x86_64/vm_tests.c: in-kernel tests of the kernel's own address
 * space (mm/vm.c): what is mapped and how, the TSS and IST gates, the PAT,
 * and faults caught by the recoverable hook (trap_expect.h): writing to
 * text, executing data, #GP, #UD, #DE, touching a stack guard page, and a
 * stack overflow that ends in #DF on its IST stack.
 */
#include <stdbool.h>

#include "core/arch.h"
#include "core/boot.h"
#include "core/image.h"
#include "cpu.h"
#include "cpufeatures.h"
#include "dev/fbcon.h"
#include "gdt.h"
#include "lib/kstring.h"
#include "mm/vm.h"
#include "paging.h"
#include "trap_expect.h"
#include "trapinfo.h"

#define MSR_PAT          0x277
#define PAT_POWER_ON_LOW 0x00070406u /* entries 0-3: WB, WT, UC-, UC */
#define PAT_TYPE_WC      0x01
#define NONCANONICAL     0x8000000000000000ull

/* Something to execute in .data (writable, so NX): a ret. */
static uint8_t test_data_code[16] = {0xc3};

static uint64_t test_va(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static const char *test_vm_cr3_is_ours(void)
{
	uint64_t cr3 = cpu_read_cr3() & CPU_CR3_ADDR_MASK;

	if (cr3 != vm_tables()->root)
		return ktest_fail("CR3 holds 0x%lx, the kernel's tables are at 0x%lx",
				  (unsigned long)cr3, (unsigned long)vm_tables()->root);
	return NULL;
}

/* Each page of [start, end) has exactly `rights` (EXEC counts only with NX; GLOBAL with PGE). */
static const char *test_rights(const char *name, const char *start, const char *end,
			       unsigned rights)
{
	struct paging_leaf leaf;
	unsigned want = rights;

	if (!arch_nx_enabled())
		want |= PAGING_EXEC;
	if (cpufeatures_on(CPUFEATURE_PGE))
		want |= PAGING_GLOBAL;
	for (const char *p = start; p < end; p += KEEL_PAGE_SIZE) {
		int err = paging_lookup(vm_tables(), test_va(p), &leaf);

		if (err != 0)
			return ktest_fail("%s page 0x%lx: %s", name, (unsigned long)test_va(p),
					  paging_strerror(err));
		if (leaf.rights != want || leaf.page_size != PAGING_4K)
			return ktest_fail("%s page 0x%lx: rights 0x%x, size 0x%lx; want 0x%x, 4K",
					  name, (unsigned long)test_va(p), leaf.rights,
					  (unsigned long)leaf.page_size, want);
	}
	return NULL;
}

static const char *test_vm_kernel_segments(void)
{
	const char *err;

	if ((err = test_rights("text", kernel_image_start, kernel_text_end, PAGING_EXEC)) ||
	    (err = test_rights("rodata", kernel_rodata_start, kernel_data_start, 0)) ||
	    (err = test_rights("data", kernel_data_start, kernel_image_end, PAGING_WRITE)))
		return err;
	return NULL;
}

/* The direct map ends where the handoff says, in pages of the expected size; no identity map. */
static const char *test_vm_direct_map(void)
{
	const struct keel_handoff *h = boot_info.handoff;
	uint64_t dm = h->direct_map_size;
	uint64_t page = cpufeatures_on(CPUFEATURE_PAGE1G) ? PAGING_1G : PAGING_2M;
	struct paging_leaf leaf;

	if (paging_lookup(vm_tables(), KEEL_DIRECT_MAP_BASE + dm - 1, &leaf) != 0 ||
	    leaf.phys != dm - 1 || leaf.page_size != page || !(leaf.rights & PAGING_WRITE) ||
	    (arch_nx_enabled() && (leaf.rights & PAGING_EXEC)))
		return ktest_fail("the last byte of the direct map is not mapped writable, NX, "
				  "in 0x%lx pages",
				  (unsigned long)page);
	if (paging_lookup(vm_tables(), KEEL_DIRECT_MAP_BASE + dm, &leaf) != -PAGING_ENOENT)
		return ktest_fail("the direct map goes past 0x%lx", (unsigned long)dm);
	if (paging_lookup(vm_tables(), h->kernel_phys_base, &leaf) != -PAGING_ENOENT ||
	    paging_lookup(vm_tables(), 0, &leaf) != -PAGING_ENOENT)
		return ktest_fail("low memory is identity-mapped");
	return NULL;
}

static const char *test_vm_stack_guard_unmapped(void)
{
	const struct vm_stack *s = vm_kernel_stack();
	uint64_t rsp = test_va(__builtin_frame_address(0));
	struct paging_leaf leaf;

	if (rsp < s->bottom || rsp >= s->top)
		return ktest_fail("running at 0x%lx, not on the kernel stack 0x%lx..0x%lx",
				  (unsigned long)rsp, (unsigned long)s->bottom,
				  (unsigned long)s->top);
	if (paging_lookup(vm_tables(), s->guard, &leaf) != -PAGING_ENOENT ||
	    paging_lookup(vm_tables(), s->bottom - 1, &leaf) != -PAGING_ENOENT)
		return ktest_fail("the guard page 0x%lx is mapped", (unsigned long)s->guard);
	return NULL;
}

struct test_idt_pointer {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

/* The task register holds the TSS; #DF, NMI and #MC gates name their IST slots. */
static const char *test_vm_tss_and_ist(void)
{
	static const struct {
		uint32_t vector;
		uint8_t ist;
	} want[] = {
	    {TRAP_DF, GDT_IST_DF}, {TRAP_NMI, GDT_IST_NMI}, {TRAP_MC, GDT_IST_MC}, {TRAP_PF, 0}};
	struct test_idt_pointer idtr;
	uint16_t tr;

	__asm__ volatile("str %0" : "=r"(tr));
	if (tr != GDT_TSS)
		return ktest_fail("task register 0x%x, expected 0x%x", tr, GDT_TSS);
	__asm__ volatile("sidt %0" : "=m"(idtr));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		/* Byte 4 of a 16-byte gate holds the IST slot in its low 3 bits. */
		uint8_t ist = ((const uint8_t *)(uintptr_t)idtr.base)[want[i].vector * 16 + 4] & 7;

		if (ist != want[i].ist)
			return ktest_fail("vector %u uses IST %u, expected %u", want[i].vector, ist,
					  want[i].ist);
	}
	return NULL;
}

static const char *test_vm_pat(void)
{
	uint64_t pat;

	if (!(cpu_cpuid(1, 0).edx & (1u << 16)))
		return vm_cache_index(VM_CACHE_WC) == PAGING_CACHE_UC
			   ? NULL
			   : ktest_fail("no PAT, yet WC is not mapped UC");
	pat = cpu_rdmsr(MSR_PAT);
	if ((uint32_t)pat != PAT_POWER_ON_LOW || ((pat >> 32) & 0xff) != PAT_TYPE_WC)
		return ktest_fail("PAT is 0x%016lx: entries 0-3 must stay 0x%08x, entry 4 WC",
				  (unsigned long)pat, PAT_POWER_ON_LOW);
	return NULL;
}

/* Device memory maps with the type asked for; wrapping ranges are refused. */
static const char *test_vm_map_mmio(void)
{
	struct paging_leaf leaf;
	volatile void *p = vm_map_mmio(0xfee00010, 8, VM_CACHE_UC);

	if (!p || (test_va((const void *)p) & 0xfff) != 0x10)
		return ktest_fail("vm_map_mmio(0xfee00010, 8, UC) gave %p", (const void *)p);
	if (paging_lookup(vm_tables(), test_va((const void *)p), &leaf) != 0 ||
	    leaf.phys != 0xfee00010 || leaf.cache != PAGING_CACHE_UC ||
	    (arch_nx_enabled() && (leaf.rights & PAGING_EXEC)))
		return ktest_fail("the UC mapping is wrong (phys 0x%lx, type %u)",
				  (unsigned long)leaf.phys, leaf.cache);
	if (vm_map_mmio(~0ull - 4096, 8192, VM_CACHE_UC) != NULL)
		return ktest_fail("a wrapping range was mapped");
	return NULL;
}

/* The console draws through a write-combining mapping of the whole framebuffer. */
static const char *test_vm_framebuffer_wc(void)
{
	const struct keel_handoff *h = boot_info.handoff;
	uint64_t va = test_va(fbcon_mapping());
	struct paging_leaf first, last;

	if (!(h->flags & KEEL_HANDOFF_HAS_FB))
		return fbcon_mapping() ? ktest_fail("a console without a framebuffer") : NULL;
	if (va < VM_MMIO_BASE || va >= VM_MMIO_END)
		return ktest_fail("the console draws at 0x%lx, outside the MMIO window",
				  (unsigned long)va);
	if (paging_lookup(vm_tables(), va, &first) != 0 ||
	    paging_lookup(vm_tables(), va + h->fb.size - 1, &last) != 0 ||
	    first.phys != h->fb.base || last.phys != h->fb.base + h->fb.size - 1 ||
	    first.cache != vm_cache_index(VM_CACHE_WC) || last.cache != first.cache)
		return ktest_fail("the framebuffer is not mapped write-combining at 0x%lx",
				  (unsigned long)va);
	return NULL;
}

/* Whether the hook caught the expected fault at `rip` with `error` and, unless ~0, `cr2`. */
static const char *test_caught(const char *what, uint64_t rip, uint64_t error, uint64_t cr2)
{
	char decoded[160];

	trap_expect_disarm();
	if (!trap_expect.hit)
		return ktest_fail("%s did not fault", what);
	trap_describe_error(trap_expect.vector, trap_expect.error, decoded, sizeof(decoded));
	if (trap_expect.rip != rip || trap_expect.error != error ||
	    (cr2 != ~0ull && trap_expect.cr2 != cr2))
		return ktest_fail("%s: rip 0x%lx error %s cr2 0x%lx; want rip 0x%lx error 0x%lx "
				  "cr2 0x%lx",
				  what, (unsigned long)trap_expect.rip, decoded,
				  (unsigned long)trap_expect.cr2, (unsigned long)rip,
				  (unsigned long)error, (unsigned long)cr2);
	return NULL;
}

static void test_arm_in_text(uint32_t vector)
{
	trap_expect_arm(vector, test_va(kernel_image_start), test_va(kernel_text_end));
}

static const char *test_fault_write_text(void)
{
	uint8_t *target = (uint8_t *)kernel_image_start + 64;
	uint64_t at;
	char decoded[160];
	const char *err;

	test_arm_in_text(TRAP_PF);
	/* Writes back the byte it read: harmless should the write go through. */
	__asm__ volatile(TRAP_EXPECT_SET_RESUME "movb (%[p]), %%cl\n\t"
						"8: movb %%cl, (%[p])\n\t"
						"9: leaq 8b(%%rip), %[at]"
			 : [at] "=r"(at)
			 : [p] "r"(target), TRAP_EXPECT_OPERANDS
			 : "rax", "rcx", "memory");
	err = test_caught("a write to kernel text", at, TRAP_PF_P | TRAP_PF_W, test_va(target));
	if (err)
		return err;
	trap_describe_error(TRAP_PF, trap_expect.error, decoded, sizeof(decoded));
	if (!strstr(decoded, "protection violation") || !strstr(decoded, "write"))
		return ktest_fail("decoded as \"%s\"", decoded);
	return NULL;
}

static const char *test_fault_exec_data(void)
{
	uint64_t target = test_va(test_data_code);
	char decoded[160];
	const char *err;

	trap_expect_arm(TRAP_PF, target, target + 1);
	/* Without NX the ret just returns to label 9. */
	__asm__ volatile(TRAP_EXPECT_SET_RESUME "call *%[t]\n\t"
						"9:"
			 :
			 : [t] "r"(target), TRAP_EXPECT_OPERANDS
			 : "rax", "memory");
	if (!arch_nx_enabled()) {
		trap_expect_disarm();
		return trap_expect.hit ? ktest_fail("executing data faulted without NX") : NULL;
	}
	err = test_caught("executing .data", target, TRAP_PF_P | TRAP_PF_I, target);
	if (err)
		return err;
	trap_describe_error(TRAP_PF, trap_expect.error, decoded, sizeof(decoded));
	if (!strstr(decoded, "instruction fetch"))
		return ktest_fail("decoded as \"%s\"", decoded);
	return NULL;
}

static const char *test_fault_gp_noncanonical(void)
{
	uint64_t at;

	test_arm_in_text(TRAP_GP);
	__asm__ volatile(TRAP_EXPECT_SET_RESUME "8: movq (%[p]), %%rcx\n\t"
						"9: leaq 8b(%%rip), %[at]"
			 : [at] "=r"(at)
			 : [p] "r"(NONCANONICAL), TRAP_EXPECT_OPERANDS
			 : "rax", "rcx", "memory");
	return test_caught("a non-canonical load", at, 0, ~0ull);
}

static const char *test_fault_ud(void)
{
	uint64_t at;

	test_arm_in_text(TRAP_UD);
	__asm__ volatile(TRAP_EXPECT_SET_RESUME "8: ud2\n\t"
						"9: leaq 8b(%%rip), %[at]"
			 : [at] "=r"(at)
			 : TRAP_EXPECT_OPERANDS
			 : "rax", "memory");
	return test_caught("ud2", at, 0, ~0ull);
}

static const char *test_fault_de(void)
{
	uint64_t at;

	test_arm_in_text(TRAP_DE);
	__asm__ volatile(TRAP_EXPECT_SET_RESUME "movl $1, %%eax\n\t"
						"xorl %%edx, %%edx\n\t"
						"xorl %%ecx, %%ecx\n\t"
						"8: divl %%ecx\n\t"
						"9: leaq 8b(%%rip), %[at]"
			 : [at] "=r"(at)
			 : TRAP_EXPECT_OPERANDS
			 : "rax", "rcx", "rdx", "memory");
	return test_caught("a division by zero", at, 0, ~0ull);
}

static const char *test_fault_stack_guard(void)
{
	uint64_t target = vm_kernel_stack()->guard + 0x800, at;

	test_arm_in_text(TRAP_PF);
	__asm__ volatile(TRAP_EXPECT_SET_RESUME "8: movb (%[p]), %%cl\n\t"
						"9: leaq 8b(%%rip), %[at]"
			 : [at] "=r"(at)
			 : [p] "r"(target), TRAP_EXPECT_OPERANDS
			 : "rax", "rcx", "memory");
	return test_caught("a read of the stack guard page", at, 0, target);
}

/*
 * A push at the bottom of the kernel stack: the #PF cannot push its frame
 * onto the guard page either, so the CPU raises #DF, which runs on its IST
 * stack. The saved rip of a #DF is undefined: any rip is taken.
 */
static const char *test_fault_stack_overflow_df(void)
{
	const struct vm_stack *s = vm_kernel_stack();
	uint64_t h;

	trap_expect_arm(TRAP_DF, 0, ~0ull);
	__asm__ volatile(TRAP_EXPECT_SET_RESUME "movq %[b], %%rsp\n\t"
						"pushq $0\n\t"
						"9:"
			 :
			 : [b] "r"(s->bottom), TRAP_EXPECT_OPERANDS
			 : "rax", "memory");
	trap_expect_disarm();
	if (!trap_expect.hit)
		return ktest_fail("overflowing the kernel stack raised no #DF");
	h = trap_expect.handler_rsp;
	if (trap_expect.error != 0 || (h >= s->guard && h < s->top) || h < VM_STACK_BASE ||
	    h >= VM_STACK_END)
		return ktest_fail("#DF error 0x%lx handled at 0x%lx: not on an IST stack",
				  (unsigned long)trap_expect.error, (unsigned long)h);
	return NULL;
}

static const struct ktest vm_tests[] = {
    KTEST(vm_cr3_is_ours),
    KTEST(vm_kernel_segments),
    KTEST(vm_direct_map),
    KTEST(vm_stack_guard_unmapped),
    KTEST(vm_tss_and_ist),
    KTEST(vm_pat),
    KTEST(vm_map_mmio),
    KTEST(vm_framebuffer_wc),
    KTEST(fault_write_text),
    KTEST(fault_exec_data),
    KTEST(fault_gp_noncanonical),
    KTEST(fault_ud),
    KTEST(fault_de),
    KTEST(fault_stack_guard),
    KTEST(fault_stack_overflow_df),
};

const struct ktest_suite vm_test_suite = {vm_tests, KTEST_COUNT(vm_tests)};
