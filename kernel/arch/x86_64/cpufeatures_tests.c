/*
 * kernel/arch/x86_64/cpufeatures_tests.c: in-kernel tests of the CPU features
 * and the TLB primitives. They read the registers back rather than trusting
 * cpufeatures.state, and each TLB test says which path it ran (a `#` line),
 * since QEMU and Bochs take different ones (DESIGN.md §8).
 */
#include <keel/pkru.h>

#include "core/arch.h"
#include "core/boot.h"
#include "core/console.h"
#include "cpu.h"
#include "cpufeatures.h"
#include "lib/bootargs.h"
#include "tlb.h"

#define CPUID_EXT7        0x7
#define CPUID_7_ECX_OSPKE (1u << 4)

#define TEST_PATTERN 0x6b65656c74657374ull /* "keeltest" */
#define TEST_PCID    1

/* A page of the kernel's data to flush and read back. */
static volatile uint64_t test_data[KEEL_PAGE_SIZE / sizeof(uint64_t)]
    __attribute__((aligned(KEEL_PAGE_SIZE)));

/* CR4, EFER, CR0, XCR0 and PKRU hold what the `features:` line said. */
static const char *test_cpufeatures_registers(void)
{
	uint64_t cr4 = cpu_read_cr4();
	bool nxe = cpu_rdmsr(CPU_MSR_EFER) & CPU_EFER_NXE;
	bool wp = cpu_read_cr0() & CPU_CR0_WP;

	for (unsigned f = 0; f < CPUFEATURE_COUNT; f++) {
		uint64_t bit = cpufeatures_cr4_bit(f);

		if (bit && !(cr4 & bit) != !cpufeatures_on(f))
			return ktest_fail(
			    "%s=%s but its CR4 bit 0x%lx is %s (cr4 0x%lx)", cpufeature_name(f),
			    cpufeature_state_name(cpufeatures.state[f]), (unsigned long)bit,
			    (cr4 & bit) ? "set" : "clear", (unsigned long)cr4);
	}
	if (nxe != cpufeatures_on(CPUFEATURE_NX))
		return ktest_fail("nx=%s but EFER.NXE is %s",
				  cpufeature_state_name(cpufeatures.state[CPUFEATURE_NX]),
				  nxe ? "set" : "clear");
	if (!wp || !cpufeatures_on(CPUFEATURE_WP))
		return ktest_fail("CR0.WP is %s, wp=%s", wp ? "set" : "clear",
				  cpufeature_state_name(cpufeatures.state[CPUFEATURE_WP]));
	if (cpufeatures_on(CPUFEATURE_XSAVE)) {
		uint64_t xcr0 = cpu_xgetbv(0);

		if (xcr0 != cpufeatures.xcr0 || !(xcr0 & CPU_XCR0_X87) || !(xcr0 & CPU_XCR0_SSE))
			return ktest_fail("XCR0 is 0x%lx, expected 0x%lx with x87 and SSE",
					  (unsigned long)xcr0, (unsigned long)cpufeatures.xcr0);
	}
	if (cpufeatures_on(CPUFEATURE_PKU)) {
		if (!(cpu_cpuid(CPUID_EXT7, 0).ecx & CPUID_7_ECX_OSPKE))
			return ktest_fail("CR4.PKE set but CPUID.7.0:ECX.OSPKE clear");
		if (keel_rdpkru() != 0)
			return ktest_fail("PKRU is 0x%x, expected 0", keel_rdpkru());
	}
	return NULL;
}

/*
 * CPUID asked again gives the same states; each switch on the command line
 * left its feature DISABLED where the CPU has it, with its CR4 bit clear.
 */
static const char *test_cpufeatures_switches(void)
{
	const char *cmdline = boot_info.handoff->cmdline;
	bool present[CPUFEATURE_COUNT];
	enum cpufeature_state state[CPUFEATURE_COUNT];
	uint64_t xcr0, cr4 = cpu_read_cr4();
	unsigned switched = 0;

	cpufeatures_detect(present, &xcr0);
	cpufeatures_decide(present, cmdline, state);
	for (unsigned f = 0; f < CPUFEATURE_COUNT; f++) {
		const char *sw = cpufeature_switch(f);

		if (state[f] != cpufeatures.state[f])
			return ktest_fail("%s: CPUID now says %s, the boot line said %s",
					  cpufeature_name(f), cpufeature_state_name(state[f]),
					  cpufeature_state_name(cpufeatures.state[f]));
		if (!sw || !bootargs_has_flag(cmdline, sw))
			continue;
		switched++;
		if (cpufeatures.state[f] != (present[f] ? CPUFEATURE_DISABLED : CPUFEATURE_OFF))
			return ktest_fail("%s on the command line, but %s=%s", sw,
					  cpufeature_name(f),
					  cpufeature_state_name(cpufeatures.state[f]));
		if (cr4 & cpufeatures_cr4_bit(f))
			return ktest_fail("%s on the command line, but CR4 has 0x%lx (cr4 0x%lx)",
					  sw, (unsigned long)cpufeatures_cr4_bit(f),
					  (unsigned long)cr4);
	}
	kprintf("# cpufeatures_switches: %u switches on the command line\n", switched);
	return NULL;
}

/* Flush one page of the kernel's data: INVLPG runs, counts, the data survives. */
static const char *test_tlb_flush_page(void)
{
	uint64_t before = tlb_this_cpu_counters()->invlpg;

	test_data[0] = TEST_PATTERN;
	tlb_flush_page(test_data);
	if (test_data[0] != TEST_PATTERN)
		return ktest_fail("read back 0x%lx after INVLPG", (unsigned long)test_data[0]);
	if (tlb_this_cpu_counters()->invlpg != before + 1)
		return ktest_fail("invlpg counter %lu -> %lu", (unsigned long)before,
				  (unsigned long)tlb_this_cpu_counters()->invlpg);
	return NULL;
}

/* Flush the current PCID: INVPCID single-context, else a CR3 reload. */
static const char *test_tlb_flush_current_pcid(void)
{
	struct tlb_counters before = *tlb_this_cpu_counters();
	uint64_t cr3 = cpu_read_cr3();
	bool invpcid = cpufeatures_on(CPUFEATURE_INVPCID);
	int err;

	test_data[1] = TEST_PATTERN;
	err = tlb_flush_pcid(tlb_current_pcid());
	if (err != TLB_OK)
		return ktest_fail("tlb_flush_pcid(%u) = %d", tlb_current_pcid(), err);
	kprintf("# tlb_flush_current_pcid: path %s\n", invpcid ? "invpcid" : "cr3 reload");
	if (invpcid ? tlb_this_cpu_counters()->invpcid_single != before.invpcid_single + 1
		    : tlb_this_cpu_counters()->cr3_flush != before.cr3_flush + 1)
		return ktest_fail("the %s counter did not count",
				  invpcid ? "invpcid" : "cr3_flush");
	if (cpu_read_cr3() != cr3 || test_data[1] != TEST_PATTERN)
		return ktest_fail("CR3 0x%lx -> 0x%lx or data lost", (unsigned long)cr3,
				  (unsigned long)cpu_read_cr3());
	return NULL;
}

/*
 * Flush a PCID that is not loaded. Without PCID it cannot exist (EINVAL);
 * with INVPCID it is flushed at once; otherwise it is deferred, and the next
 * load of that PCID flushes although asked to keep.
 */
static const char *test_tlb_flush_other_pcid(void)
{
	struct tlb_counters before = *tlb_this_cpu_counters();
	uint64_t cr3 = cpu_read_cr3();
	uint64_t root = cr3 & CPU_CR3_ADDR_MASK;
	uint16_t pcid = tlb_current_pcid();
	int err = tlb_flush_pcid(TEST_PCID);

	if (!cpufeatures_on(CPUFEATURE_PCID)) {
		kprintf("# tlb_flush_other_pcid: path no pcid\n");
		return err == TLB_EINVAL ? NULL
					 : ktest_fail("PCID %u without PCID: %d, expected %d",
						      TEST_PCID, err, TLB_EINVAL);
	}
	if (err != TLB_OK)
		return ktest_fail("tlb_flush_pcid(%u) = %d", TEST_PCID, err);
	if (cpufeatures_on(CPUFEATURE_INVPCID)) {
		kprintf("# tlb_flush_other_pcid: path invpcid\n");
		return tlb_this_cpu_counters()->invpcid_single == before.invpcid_single + 1
			   ? NULL
			   : ktest_fail("the invpcid_single counter did not count");
	}
	kprintf("# tlb_flush_other_pcid: path deferred\n");
	if (tlb_this_cpu_counters()->pcid_deferred != before.pcid_deferred + 1 || !tlb_pcid_pending(TEST_PCID))
		return ktest_fail("the flush of PCID %u was not deferred", TEST_PCID);
	/* The same tables under the other tag: the pending flush turns keep into a flush. */
	err = tlb_load_cr3(root, TEST_PCID, true);
	if (err == TLB_OK)
		err = tlb_load_cr3(root, pcid, true);
	if (err != TLB_OK)
		return ktest_fail("tlb_load_cr3 = %d", err);
	if (tlb_pcid_pending(TEST_PCID) || tlb_this_cpu_counters()->cr3_flush != before.cr3_flush + 1 ||
	    tlb_this_cpu_counters()->cr3_noflush != before.cr3_noflush + 1)
		return ktest_fail("switch-in of PCID %u: pending %d, flushes %lu, keeps %lu",
				  TEST_PCID, tlb_pcid_pending(TEST_PCID),
				  (unsigned long)(tlb_this_cpu_counters()->cr3_flush - before.cr3_flush),
				  (unsigned long)(tlb_this_cpu_counters()->cr3_noflush - before.cr3_noflush));
	return cpu_read_cr3() == cr3 ? NULL : ktest_fail("CR3 not restored");
}

/* Flush everything: INVPCID all-context, else a PGE toggle; CR4 is as before. */
static const char *test_tlb_flush_all(void)
{
	struct tlb_counters before = *tlb_this_cpu_counters();
	uint64_t cr4 = cpu_read_cr4();
	const char *path = cpufeatures_on(CPUFEATURE_INVPCID) ? "invpcid"
			   : cpufeatures_on(CPUFEATURE_PGE)   ? "pge toggle"
							      : "cr3 reload";
	uint64_t counted;

	test_data[2] = TEST_PATTERN;
	tlb_flush_all();
	kprintf("# tlb_flush_all: path %s\n", path);
	counted = (tlb_this_cpu_counters()->invpcid_all - before.invpcid_all) +
		  (tlb_this_cpu_counters()->pge_toggle - before.pge_toggle) +
		  (tlb_this_cpu_counters()->cr3_flush - before.cr3_flush);
	if (counted != 1)
		return ktest_fail("%lu operations counted, expected 1 (%s)", (unsigned long)counted,
				  path);
	if (cpu_read_cr4() != cr4)
		return ktest_fail("CR4 0x%lx -> 0x%lx", (unsigned long)cr4,
				  (unsigned long)cpu_read_cr4());
	return test_data[2] == TEST_PATTERN ? NULL : ktest_fail("data lost");
}

/* Reload CR3 with and without keep; the no-flush bit only with PCID. */
static const char *test_tlb_load_cr3(void)
{
	struct tlb_counters before = *tlb_this_cpu_counters();
	uint64_t cr3 = cpu_read_cr3();
	uint64_t root = cr3 & CPU_CR3_ADDR_MASK;
	bool pcid = cpufeatures_on(CPUFEATURE_PCID);
	int err;

	err = tlb_load_cr3(root, tlb_current_pcid(), false);
	if (err == TLB_OK)
		err = tlb_load_cr3(root, tlb_current_pcid(), true);
	if (err != TLB_OK)
		return ktest_fail("tlb_load_cr3 = %d", err);
	kprintf("# tlb_load_cr3: keep %s\n",
		pcid ? "honoured (no-flush bit)" : "ignored (no pcid)");
	if (tlb_this_cpu_counters()->cr3_flush - before.cr3_flush != (pcid ? 1u : 2u) ||
	    tlb_this_cpu_counters()->cr3_noflush - before.cr3_noflush != (pcid ? 1u : 0u))
		return ktest_fail("flushes %lu, keeps %lu",
				  (unsigned long)(tlb_this_cpu_counters()->cr3_flush - before.cr3_flush),
				  (unsigned long)(tlb_this_cpu_counters()->cr3_noflush - before.cr3_noflush));
	return cpu_read_cr3() == cr3 ? NULL
				     : ktest_fail("CR3 0x%lx -> 0x%lx", (unsigned long)cr3,
						  (unsigned long)cpu_read_cr3());
}

/* Bad arguments are refused before anything touches CR3 or the TLB. */
static const char *test_tlb_bad_arguments(void)
{
	struct tlb_counters before = *tlb_this_cpu_counters();
	uint64_t root = cpu_read_cr3() & CPU_CR3_ADDR_MASK;

	if (tlb_load_cr3(root | 0x800, 0, false) != TLB_EINVAL)
		return ktest_fail("an unaligned root was taken");
	if (tlb_load_cr3(root | (1ull << 62), 0, false) != TLB_EINVAL)
		return ktest_fail("a root above 52 bits was taken");
	if (tlb_load_cr3(root, TLB_PCID_COUNT, false) != TLB_EINVAL ||
	    tlb_flush_pcid(TLB_PCID_COUNT) != TLB_EINVAL)
		return ktest_fail("PCID %u was taken", TLB_PCID_COUNT);
	if (!cpufeatures_on(CPUFEATURE_PCID) && tlb_load_cr3(root, TEST_PCID, true) != TLB_EINVAL)
		return ktest_fail("PCID %u was taken with PCID off", TEST_PCID);
	if (tlb_this_cpu_counters()->cr3_flush != before.cr3_flush ||
	    tlb_this_cpu_counters()->cr3_noflush != before.cr3_noflush)
		return ktest_fail("a refused load was counted");
	return NULL;
}

static const struct ktest cpufeatures_tests[] = {
    KTEST(cpufeatures_registers),  KTEST(cpufeatures_switches), KTEST(tlb_flush_page),
    KTEST(tlb_flush_current_pcid), KTEST(tlb_flush_other_pcid), KTEST(tlb_flush_all),
    KTEST(tlb_load_cr3),           KTEST(tlb_bad_arguments),
};

const struct ktest_suite cpufeatures_test_suite = {cpufeatures_tests,
						   KTEST_COUNT(cpufeatures_tests)};
