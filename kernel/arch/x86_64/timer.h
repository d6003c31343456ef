/*
 * kernel/arch/x86_64/timer.h: the scheduler tick from this CPU's LAPIC
 * timer: TSC-deadline mode where cpufeatures says tsc_deadline=on, else the
 * LAPIC timer in periodic mode, its rate measured against the TSC.
 */
#ifndef KEEL_ARCH_X86_64_TIMER_H
#define KEEL_ARCH_X86_64_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#define TIMER_HZ 100 /* the scheduler tick */

enum timer_mode {
	TIMER_MODE_NONE, /* no tick: the TSC's rate is unknown or the LAPIC timer is dead */
	TIMER_MODE_TSC_DEADLINE,
	TIMER_MODE_PERIODIC,
};

struct timer_info {
	enum timer_mode mode;
	uint64_t period_tsc; /* TSC ticks per timer tick */
	uint64_t lapic_hz;   /* LAPIC timer input after its divider (periodic mode) */
	uint64_t start_tsc;  /* when the tick was armed */
};

extern struct timer_info timer_info;

/* One CPU's tick (in its struct percpu). Written by that CPU's tick handler only. */
struct timer_cpu {
	volatile uint64_t ticks;          /* ticks so far */
	volatile uint64_t first_tick_tsc; /* the TSC at the first one (0 before it) */
	uint64_t deadline;                /* the next one (TSC-deadline mode) */
};

struct timer_cpu *timer_this_cpu(void);

/*
 * Measure what the tick needs and start it on the boot CPU (after lapic_init
 * and tsc_init), and print its line. Interrupts off.
 */
void timer_init(void);

/*
 * Start the LAPIC timer counting for timer_init's measurement, before the
 * TSC is measured (tsc_init): the TSC's window then serves both (boot CPU,
 * LAPIC up, interrupts off).
 */
void timer_calibrate_begin(void);

/* Start this AP's tick in the mode and at the rate timer_init chose. Interrupts off. */
void timer_start_this_cpu(void);

/* The tick's interrupt handler (irq.c); the caller sends the EOI. */
void timer_handle_tick(void);

const char *timer_mode_name(enum timer_mode m);

/*
 * The LAPIC timer's current count and the TSC at that moment: the tightest
 * of a few TSC brackets around the read, so a paused vCPU cannot skew it.
 */
void timer_sample_lapic_count(uint64_t *tsc, uint32_t *count);

#endif
