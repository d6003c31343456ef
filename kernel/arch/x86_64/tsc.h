/*
 * kernel/arch/x86_64/tsc.h: the time-stamp counter and its frequency.
 */
#ifndef KEEL_ARCH_X86_64_TSC_H
#define KEEL_ARCH_X86_64_TSC_H

#include <stdint.h>

#include "acpi/acpi.h"
#include "reftimer.h"

static inline uint64_t tsc_read(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* Where the frequency came from. */
enum tsc_source {
	TSC_SOURCE_NONE,
	TSC_SOURCE_MEASURED, /* against tsc_reference */
	TSC_SOURCE_CPUID,    /* CPUID 0x15 (crystal from 0x15, or 0x16's base frequency) */
};

struct tsc_info {
	uint64_t hz; /* 0 when unknown */
	enum tsc_source source;
	enum reftimer_kind reference; /* for TSC_SOURCE_MEASURED */
};

/*
 * Find the TSC's frequency, measured against a reference timer when there is
 * one, else from CPUID, and print the `timer: TSC ...` line. Interrupts off.
 *
 * Measured first, although CPUID 0x15 is exact on hardware that fills it:
 * emulators fill it with fiction (Bochs claims 2.42 GHz while its TSC counts
 * one per instruction, FACTS.md), and a wrong frequency breaks every timeout,
 * while a measurement over 1 ms (10 ms against the PIT) is good to 0.1 %
 * (tsc.c).
 */
void tsc_init(const struct acpi_info *a);

extern struct tsc_info tsc_info;

/* The CPUID 0x15/0x16 frequency in Hz, 0 when CPUID does not give one. */
uint64_t tsc_cpuid_hz(void);

/*
 * Nanoseconds since the TSC started, at whole-microsecond resolution (what
 * KEEL_INFO_CLOCK tells user space and wait timeouts count in); 0 while the
 * frequency is unknown or below 1 MHz.
 */
static inline uint64_t tsc_ns(void)
{
	uint64_t per_us = tsc_info.hz / 1000000;

	return per_us ? tsc_read() / per_us * 1000 : 0;
}

#endif
