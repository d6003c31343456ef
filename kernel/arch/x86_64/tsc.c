/*
 * kernel/arch/x86_64/tsc.c: the TSC frequency (tsc.h).
 */
#include "tsc.h"

#include "core/console.h"
#include "cpu.h"

#define TSC_MEASURE_US 10000 /* 0.01 % resolution against the PIT, finer against the others; boot waits for it */

#define CPUID_TSC_LEAF  0x15 /* EAX/EBX = TSC/crystal ratio, ECX = crystal Hz */
#define CPUID_FREQ_LEAF 0x16 /* EAX = base frequency in MHz */

struct tsc_info tsc_info;

uint64_t tsc_cpuid_hz(void)
{
	uint32_t max = cpu_cpuid(0, 0).eax;
	struct cpu_cpuid l15, l16;

	if (max < CPUID_TSC_LEAF)
		return 0;
	l15 = cpu_cpuid(CPUID_TSC_LEAF, 0);
	if (l15.eax == 0 || l15.ebx == 0)
		return 0;
	if (l15.ecx)
		return (uint64_t)l15.ecx * l15.ebx / l15.eax;
	/*
	 * No crystal frequency: the base frequency is the TSC's on the CPUs
	 * that leave ECX 0 (SDM Vol. 3B, §18.7.3).
	 */
	if (max < CPUID_FREQ_LEAF)
		return 0;
	l16 = cpu_cpuid(CPUID_FREQ_LEAF, 0);
	return (uint64_t)(l16.eax & 0xffff) * 1000000;
}

void tsc_init(const struct acpi_info *a)
{
	uint64_t ticks;

	tsc_info.reference = reftimer_measure_tsc(a, TSC_MEASURE_US, &ticks);
	if (tsc_info.reference != REFTIMER_NONE) {
		tsc_info.hz = ticks * (1000000 / TSC_MEASURE_US);
		tsc_info.source = TSC_SOURCE_MEASURED;
		kprintf("timer: TSC %lu MHz (calibrated against %s)\n",
			(unsigned long)(tsc_info.hz / 1000000), reftimer_name(tsc_info.reference));
		return;
	}
	tsc_info.hz = tsc_cpuid_hz();
	if (tsc_info.hz) {
		tsc_info.source = TSC_SOURCE_CPUID;
		kprintf("timer: TSC %lu MHz (from CPUID, no reference timer)\n",
			(unsigned long)(tsc_info.hz / 1000000));
		return;
	}
	tsc_info.source = TSC_SOURCE_NONE;
	kprintf("timer: TSC frequency unknown (no reference timer, nothing in CPUID)\n");
}
