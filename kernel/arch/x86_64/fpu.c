/*
 * kernel/arch/x86_64/fpu.c: save areas for the x87, SSE and AVX registers of
 * user threads (fpu.h).
 *
 * Format. With XSAVE on, the standard (non-compacted) XSAVE format for the
 * components in cpufeatures.xcr0; its size is CPUID.(EAX=0DH,ECX=0):EBX,
 * which counts the components XCR0 enables now (SDM Vol. 1, §13.2), so it is
 * read after XSETBV. Without XSAVE, the 512-byte FXSAVE format. XSAVES and
 * the compacted format are not used: they buy nothing for x87|SSE|AVX.
 *
 * XSAVEOPT. Where CPUID.(EAX=0DH,ECX=1):EAX[0] offers it, a save uses
 * XSAVEOPT, which may skip a component not modified since the last XRSTOR
 * (the "modified optimisation", SDM Vol. 1, §13.6). That is safe only if the
 * last XRSTOR this CPU ran was from the same area. It is: every switch into a
 * user thread restores its area (thread_arch.c), nothing else in the kernel
 * runs XRSTOR, and a thread is saved only on the CPU it was restored on,
 * before any other thread is restored there.
 *
 * The default state. A new area is zero except FCW = 0x37f and MXCSR =
 * 0x1f80. With XSAVE its header's XSTATE_BV is 0, so XRSTOR puts x87, SSE
 * and AVX in their initial configuration (FNINIT's x87 state, zeroed XMM and
 * YMM registers) and still loads MXCSR from the legacy region, since the SSE
 * bit is in the mask. FXRSTOR reads the same bytes as FNINIT's state with
 * every register empty (FTW abridged 0) and zero. No state of another
 * thread can show through.
 *
 * AMD's error pointers. AMD CPUs without XSAVEERPTR (CPUID 0x80000008
 * EBX[2]) save and restore the x87 FIP, FDP and FOP only while an x87
 * exception is pending (AMD APM Vol. 5, FXSAVE). A restore would then leave
 * the previous thread's last x87 instruction and operand addresses visible
 * to the next thread. There, a restore first runs FNCLEX (no pending
 * exception can fire in the kernel), EMMS (an empty x87 stack: no overflow)
 * and an FILD of a kernel constant, which sets the pointers to the
 * kernel's; the restore then replaces every other x87 register.
 *
 * Hostile input: user code cannot write an area; XRSTOR's #GP cases
 * (reserved MXCSR bits, XSTATE_BV bits outside XCR0, a non-zero XCOMP_BV)
 * arise only from areas XSAVE wrote or from the default above.
 */
#include "fpu.h"

#include "core/console.h"
#include "cpu.h"
#include "cpufeatures.h"
#include "lib/kstring.h"
#include "mm/kslab.h"

#define CPUID_VENDOR            0x0
#define CPUID_XSAVE             0xd
#define CPUID_D1_EAX_XSAVEOPT   (1u << 0)
#define CPUID_MAX_EXTENDED      0x80000000
#define CPUID_ADDRESS_SIZES     0x80000008
#define CPUID_E8_EBX_XSAVEERPTR (1u << 2)
#define CPUID_AMD_EBX           0x68747541 /* "Auth" of "AuthenticAMD" */
#define CPUID_AMD_EDX           0x69746e65 /* "enti" */
#define CPUID_AMD_ECX           0x444d4163 /* "cAMD" */
#define FPU_LEGACY_FCW          0 /* offsets in the legacy region (SDM Vol. 1, Table 10-2) */
#define FPU_LEGACY_MXCSR        24

struct fpu_info fpu_info;

static struct kslab_cache fpu_cache; /* the areas; its own lock */

/* Whether this is an AMD CPU that keeps the x87 error pointers across a restore. */
static bool fpu_amd_pointer_leak(void)
{
	struct cpu_cpuid v = cpu_cpuid(CPUID_VENDOR, 0);
	uint32_t max_ext = cpu_cpuid(CPUID_MAX_EXTENDED, 0).eax;

	if (v.ebx != CPUID_AMD_EBX || v.edx != CPUID_AMD_EDX || v.ecx != CPUID_AMD_ECX)
		return false;
	if (max_ext >= CPUID_ADDRESS_SIZES && max_ext < CPUID_MAX_EXTENDED + 0x10000 &&
	    (cpu_cpuid(CPUID_ADDRESS_SIZES, 0).ebx & CPUID_E8_EBX_XSAVEERPTR))
		return false;
	return true;
}

void fpu_init(void)
{
	struct fpu_info *fi = &fpu_info;
	uint32_t size = FPU_FXSAVE_SIZE;

	fi->xsave = cpufeatures_on(CPUFEATURE_XSAVE);
	if (fi->xsave) {
		fi->xcr0 = cpufeatures.xcr0;
		size = cpu_cpuid(CPUID_XSAVE, 0).ebx;
		fi->xsaveopt = cpu_cpuid(CPUID_XSAVE, 1).eax & CPUID_D1_EAX_XSAVEOPT;
	} else {
		fi->xcr0 = CPU_XCR0_X87 | CPU_XCR0_SSE; /* what FXSAVE covers */
	}
	/* A size CPUID should never give: no area at all beats a short one. */
	if (size < (fi->xsave ? FPU_XSAVE_MIN : FPU_FXSAVE_SIZE) || size > FPU_AREA_MAX) {
		kprintf("fpu: warning: CPUID gives a %u-byte XSAVE area for XCR0 0x%llx; user "
			"threads cannot be created\n",
			size, (unsigned long long)fi->xcr0);
		return;
	}
	if (kslab_cache_init(&fpu_cache, "fpu", size, FPU_AREA_ALIGN) != 0) {
		kprintf("fpu: warning: no cache for %u-byte areas; user threads cannot be "
			"created\n",
			size);
		return;
	}
	fi->size = size;
	fi->clear_error_pointers = fpu_amd_pointer_leak();
	fi->xcr0_lo = (uint32_t)fi->xcr0;
	fi->xcr0_hi = (uint32_t)(fi->xcr0 >> 32);
	kprintf("fpu: %s, components 0x%llx, %u-byte areas per user thread%s\n", fpu_info_method(),
		(unsigned long long)fi->xcr0, size,
		fi->clear_error_pointers ? ", x87 error pointers cleared (AMD)" : "");
}

const char *fpu_info_method(void)
{
	return !fpu_info.xsave ? "fxsave" : fpu_info.xsaveopt ? "xsaveopt" : "xsave";
}

void *fpu_area_alloc(void)
{
	uint8_t *a;
	uint16_t fcw = FPU_FCW_DEFAULT;
	uint32_t mxcsr = FPU_MXCSR_DEFAULT;

	if (fpu_info.size == 0 || !(a = kslab_alloc(&fpu_cache)))
		return NULL;
	memset(a, 0, fpu_info.size);
	memcpy(a + FPU_LEGACY_FCW, &fcw, sizeof(fcw));
	memcpy(a + FPU_LEGACY_MXCSR, &mxcsr, sizeof(mxcsr));
	return a;
}

void fpu_area_free(void *area)
{
	if (area && kslab_free(&fpu_cache, area) != 0)
		kprintf("fpu: warning: freeing %p refused by the cache\n", area);
}
