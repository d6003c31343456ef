/*
 * kernel/arch/x86_64/cpufeatures.c: detect the CPU features with CPUID,
 * enable the ones present and not switched off, print the `features:` line
 * (DESIGN.md §3).
 *
 * Every bit is set only when CPUID reports its feature: QEMU's TCG hangs
 * instead of faulting on CR4.PKE without PKU and on a CR3 write with the
 * no-flush bit (FACTS.md), so "try it and catch the #GP" is not an option.
 */
#include "cpufeatures.h"

#include <keel/pkru.h>

#include "core/arch.h"
#include "core/console.h"
#include "cpu.h"
#include "fpu.h"

/* CPUID leaves and bits (SDM Vol. 2A, CPUID, tables 3-8 and 3-17). */
#define CPUID_MAX_BASIC    0x0
#define CPUID_FEATURES     0x1
#define CPUID_EXT7         0x7
#define CPUID_XSAVE        0xd
#define CPUID_MAX_EXTENDED 0x80000000
#define CPUID_EXT_FEATURES 0x80000001
#define CPUID_POWER        0x80000007

#define CPUID_1_ECX_PCID         (1u << 17)
#define CPUID_1_ECX_X2APIC       (1u << 21)
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)
#define CPUID_1_ECX_XSAVE        (1u << 26)
#define CPUID_1_EDX_PGE          (1u << 13)
#define CPUID_7_EBX_FSGSBASE     (1u << 0)
#define CPUID_7_EBX_SMEP         (1u << 7)
#define CPUID_7_EBX_INVPCID      (1u << 10)
#define CPUID_7_EBX_SMAP         (1u << 20)
#define CPUID_7_ECX_UMIP         (1u << 2)
#define CPUID_7_ECX_PKU          (1u << 3)
#define CPUID_7_ECX_OSPKE        (1u << 4)
#define CPUID_E1_EDX_NX          (1u << 20)
#define CPUID_E1_EDX_PAGE1G      (1u << 26)
#define CPUID_E7_EDX_INVARIANT   (1u << 8)

/* The state components Keel wants in XCR0, where the CPU supports them. */
#define XCR0_WANTED (CPU_XCR0_X87 | CPU_XCR0_SSE | CPU_XCR0_AVX)

#define FEATURES_LINE_MAX 320

struct cpufeatures cpufeatures;

/*
 * XCR0 from CPUID.0xD.0 (EDX:EAX lists the components XCR0 may hold). A CPU
 * whose list lacks x87 or SSE, which XSETBV requires, gets no XSAVE: 0.
 */
static uint64_t cpufeatures_xcr0_supported(uint32_t max_basic)
{
	struct cpu_cpuid r;
	uint64_t supported, xcr0;

	if (max_basic < CPUID_XSAVE)
		return 0;
	r = cpu_cpuid(CPUID_XSAVE, 0);
	supported = (uint64_t)r.edx << 32 | r.eax;
	xcr0 = supported & XCR0_WANTED;
	return (xcr0 & (CPU_XCR0_X87 | CPU_XCR0_SSE)) == (CPU_XCR0_X87 | CPU_XCR0_SSE) ? xcr0 : 0;
}

void cpufeatures_detect(bool present[CPUFEATURE_COUNT], uint64_t *xcr0)
{
	uint32_t max_basic = cpu_cpuid(CPUID_MAX_BASIC, 0).eax;
	uint32_t max_ext = cpu_cpuid(CPUID_MAX_EXTENDED, 0).eax;
	struct cpu_cpuid l1 = cpu_cpuid(CPUID_FEATURES, 0);
	struct cpu_cpuid l7 = {0}, e1 = {0}, e7 = {0};

	if (max_basic >= CPUID_EXT7)
		l7 = cpu_cpuid(CPUID_EXT7, 0);
	/* Below 0x80000000 the answer is not an extended-leaf count at all. */
	if (max_ext >= CPUID_EXT_FEATURES && max_ext < CPUID_MAX_EXTENDED + 0x10000)
		e1 = cpu_cpuid(CPUID_EXT_FEATURES, 0);
	if (max_ext >= CPUID_POWER && max_ext < CPUID_MAX_EXTENDED + 0x10000)
		e7 = cpu_cpuid(CPUID_POWER, 0);

	for (unsigned f = 0; f < CPUFEATURE_COUNT; f++)
		present[f] = false;
	present[CPUFEATURE_NX] = e1.edx & CPUID_E1_EDX_NX;
	present[CPUFEATURE_WP] = true; /* architectural in long mode */
	present[CPUFEATURE_PGE] = l1.edx & CPUID_1_EDX_PGE;
	present[CPUFEATURE_SMEP] = l7.ebx & CPUID_7_EBX_SMEP;
	present[CPUFEATURE_SMAP] = l7.ebx & CPUID_7_EBX_SMAP;
	present[CPUFEATURE_UMIP] = l7.ecx & CPUID_7_ECX_UMIP;
	/* Setting CR4.PCIDE with CR3[11:0] != 0 is a #GP (SDM Vol. 3A, §4.10.1). */
	present[CPUFEATURE_PCID] =
	    (l1.ecx & CPUID_1_ECX_PCID) && (cpu_read_cr3() & CPU_CR3_PCID_MASK) == 0;
	present[CPUFEATURE_INVPCID] = l7.ebx & CPUID_7_EBX_INVPCID;
	present[CPUFEATURE_PKU] = l7.ecx & CPUID_7_ECX_PKU;
	present[CPUFEATURE_FSGSBASE] = l7.ebx & CPUID_7_EBX_FSGSBASE;
	*xcr0 = (l1.ecx & CPUID_1_ECX_XSAVE) ? cpufeatures_xcr0_supported(max_basic) : 0;
	present[CPUFEATURE_XSAVE] = *xcr0 != 0;
	present[CPUFEATURE_PAGE1G] = e1.edx & CPUID_E1_EDX_PAGE1G;
	present[CPUFEATURE_X2APIC] = l1.ecx & CPUID_1_ECX_X2APIC;
	present[CPUFEATURE_TSC_DEADLINE] = l1.ecx & CPUID_1_ECX_TSC_DEADLINE;
	present[CPUFEATURE_INVARIANT_TSC] = e7.edx & CPUID_E7_EDX_INVARIANT;
}

uint64_t cpufeatures_cr4_bit(enum cpufeature f)
{
	switch (f) {
	case CPUFEATURE_PGE: return CPU_CR4_PGE;
	case CPUFEATURE_SMEP: return CPU_CR4_SMEP;
	case CPUFEATURE_SMAP: return CPU_CR4_SMAP;
	case CPUFEATURE_UMIP: return CPU_CR4_UMIP;
	case CPUFEATURE_PCID: return CPU_CR4_PCIDE;
	case CPUFEATURE_PKU: return CPU_CR4_PKE;
	case CPUFEATURE_FSGSBASE: return CPU_CR4_FSGSBASE;
	case CPUFEATURE_XSAVE: return CPU_CR4_OSXSAVE;
	default: return 0;
	}
}

/*
 * Set this CPU's control registers for the features decided: EFER.NXE,
 * CR0.WP, one CR4 write, XCR0 and PKRU. The boot CPU and every AP run it, so
 * that all CPUs agree. `cr4` holds the bits to keep besides the features'
 * (the firmware's choices on the boot CPU: OSFXSR, MCE, ...); `xcr0` is what
 * XSAVE may enable (0 without XSAVE). The CR4 written is returned.
 */
static uint64_t cpufeatures_apply(uint64_t cr4, uint64_t xcr0)
{
	/*
	 * The stub sets EFER.NXE when CPUID has NX (DESIGN.md §2), and the SMP
	 * trampoline copies the boot CPU's EFER. Should it be clear, setting it
	 * now is safe: with NXE clear the XD bit is reserved, so no page table
	 * in use can carry one.
	 */
	if (cpufeatures_on(CPUFEATURE_NX) && !(cpu_rdmsr(CPU_MSR_EFER) & CPU_EFER_NXE)) {
		kprintf("cpufeatures: warning: CPUID has NX but EFER.NXE was clear; set now\n");
		cpu_wrmsr(CPU_MSR_EFER, cpu_rdmsr(CPU_MSR_EFER) | CPU_EFER_NXE);
	}
	/*
	 * kernel_entry and the trampoline already set CR0.WP; this only makes
	 * sure. User threads own the x87/SSE/AVX registers, switched eagerly
	 * (fpu.h): MP and NE on (x87 errors as #MF), EM and TS off (no #NM).
	 */
	if ((cpu_read_cr0() & (CPU_CR0_WP | CPU_CR0_MP | CPU_CR0_NE | CPU_CR0_EM | CPU_CR0_TS)) !=
	    (CPU_CR0_WP | CPU_CR0_MP | CPU_CR0_NE))
		cpu_write_cr0((cpu_read_cr0() & ~(CPU_CR0_EM | CPU_CR0_TS)) | CPU_CR0_WP |
			      CPU_CR0_MP | CPU_CR0_NE);

	/*
	 * One CR4 write sets the bits of the ON features and clears the others
	 * (a switched-off feature must really be off, whatever the firmware
	 * left). PCIDE may be set only with CR3[11:0] zero: the kernel's CR3
	 * uses PCID 0. SMAP is safe this early: nothing maps user pages yet. The
	 * copy helpers that come with user space must bracket their accesses
	 * with STAC/CLAC.
	 */
	for (unsigned f = 0; f < CPUFEATURE_COUNT; f++)
		cr4 = cpufeatures_on(f) ? cr4 | cpufeatures_cr4_bit(f)
					: cr4 & ~cpufeatures_cr4_bit(f);
	/* SSE is architectural in long mode; FXSAVE and #XM need these two (fpu.h). */
	cr4 |= CPU_CR4_OSFXSR | CPU_CR4_OSXMMEXCPT;
	cpu_write_cr4(cr4);

	/* The kernel itself is built -mgeneral-regs-only: XCR0 is for user threads. */
	if (cpufeatures_on(CPUFEATURE_XSAVE))
		cpu_xsetbv(0, xcr0);
	/* PKRU 0: every key allows everything; user threads get their own (§5). */
	if (cpufeatures_on(CPUFEATURE_PKU)) {
		keel_wrpkru(0);
		if (!(cpu_cpuid(CPUID_EXT7, 0).ecx & CPUID_7_ECX_OSPKE))
			kprintf(
			    "cpufeatures: warning: CR4.PKE set but CPUID does not show OSPKE\n");
	}
	return cr4;
}

void arch_cpu_features_init(const char *cmdline)
{
	struct cpufeatures *cf = &cpufeatures;
	char line[FEATURES_LINE_MAX];
	uint64_t xcr0;

	cpufeatures_detect(cf->present, &xcr0);
	cpufeatures_decide(cf->present, cmdline, cf->state);
	cf->xcr0 = cpufeatures_on(CPUFEATURE_XSAVE) ? xcr0 : 0;
	cf->cr4 = cpufeatures_apply(cpu_read_cr4(), cf->xcr0);
	cpufeatures_format_line(cf->state, line, sizeof(line));
	kprintf("%s\n", line);
	fpu_init();
}

/*
 * An AP: the boot CPU's decisions and its CR4, applied here. The CPUs of one machine
 * report the same features (Keel does not support mixed ones); an AP that
 * lacks one the boot CPU turned on faults here, which the crash dump shows.
 */
void cpufeatures_init_this_cpu(void)
{
	cpufeatures_apply(cpufeatures.cr4, cpufeatures.xcr0);
}
