/*
 * kernel/arch/x86_64/tsc.c: the TSC frequency (tsc.h).
 */
#include "tsc.h"

#include "core/console.h"
#include "cpu.h"

/*
 * The measurement window, which the boot waits through. Its error is the
 * reference's resolution plus how well each end pins the TSC to the counter
 * (half the tightest TSC pair around one counter read, reftimer.c), over the
 * window: 1 ms against the HPET (a 70 ns tick on a 14.318 MHz one, reads of
 * about 1 us on hardware) or the PM timer (279 ns) is good to 0.1 % at worst,
 * typically 0.01-0.03 %. The PIT is polled through port B (about 1 us an
 * inb on hardware): it gets 10 ms for the same 0.01 %.
 */
#define TSC_MEASURE_US     1000
#define TSC_MEASURE_PIT_US 10000

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

	uint32_t us = TSC_MEASURE_US;

	tsc_info.reference = reftimer_measure_tsc(a, us, &ticks);
	if (tsc_info.reference == REFTIMER_PIT) {
		us = TSC_MEASURE_PIT_US;
		tsc_info.reference = reftimer_measure_tsc(a, us, &ticks);
	}
	if (tsc_info.reference != REFTIMER_NONE) {
		tsc_info.hz = ticks * (1000000 / us);
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
