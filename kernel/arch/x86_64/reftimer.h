/*
 * kernel/arch/x86_64/reftimer.h: the reference timers the TSC is measured
 * against, best first: the HPET (from the ACPI HPET table), the ACPI PM
 * timer (from the FADT) and the PIT (channel 2, gated through port 0x61).
 * None of them is required (DESIGN.md §3).
 */
#ifndef KEEL_ARCH_X86_64_REFTIMER_H
#define KEEL_ARCH_X86_64_REFTIMER_H

#include <stdint.h>

#include "acpi/acpi.h"

enum reftimer_kind {
	REFTIMER_NONE,
	REFTIMER_HPET,
	REFTIMER_PM_TIMER,
	REFTIMER_PIT,
};

/*
 * Measure how many TSC ticks pass in `us` microseconds (at most 50000, the
 * PIT's reach) against the best reference timer this machine has: *tsc_ticks
 * and the timer used, or REFTIMER_NONE when none works. Interrupts must be
 * off (a long interruption would stretch the interval on one side only).
 */
enum reftimer_kind reftimer_measure_tsc(const struct acpi_info *a, uint32_t us,
					uint64_t *tsc_ticks);

/* "HPET", "ACPI PM timer", "PIT", "nothing". */
const char *reftimer_name(enum reftimer_kind k);

#endif
