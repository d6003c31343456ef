/*
 * kernel/arch/x86_64/timer.c: the scheduler tick (timer.h).
 *
 * Why periodic mode, not one-shot, without TSC-deadline: the hardware reloads
 * the count itself, so a tick handled late (an emulator's vCPU descheduled,
 * a long interrupts-off section) does not push every later tick back. The
 * deadline path keeps the same property by arming absolute deadlines one
 * period apart rather than "now + period".
 */
#include "timer.h"

#include "core/arch.h"
#include "core/console.h"
#include "cpu.h"
#include "cpufeatures.h"
#include "irq.h"
#include "lapic.h"
#include "percpu.h"
#include "tsc.h"

#define MSR_TSC_DEADLINE 0x6e0

#define LAPIC_DIV_16       0x3 /* divide configuration register: bits 0,1,3 = 011 -> 16 */
/*
 * The LAPIC timer's measurement window against the TSC (known by now). One
 * count of the divided timer is 160 ns at a 100 MHz bus clock (16 ns under
 * QEMU), and a LAPIC read pins the TSC to well under 1 us at each end: over
 * 1 ms, 0.1 % at worst, far below what a 100 Hz tick needs.
 */
#define LAPIC_CALIBRATE_US 1000
#define LAPIC_COUNT_MAX    0xffffffffu

/* Written by timer_init on the boot CPU before any AP starts; read-only after. */
struct timer_info timer_info;

struct timer_cpu *timer_this_cpu(void)
{
	return &percpu_this()->timer;
}

void timer_handle_tick(void)
{
	struct timer_cpu *t = timer_this_cpu();
	uint64_t now = tsc_read();

	if (t->ticks++ == 0)
		t->first_tick_tsc = now;
	if (timer_info.mode != TIMER_MODE_TSC_DEADLINE)
		return;
	t->deadline += timer_info.period_tsc;
	/* Late by a whole period or more: those ticks are lost, not fired in a burst. */
	if (t->deadline <= now)
		t->deadline = now + timer_info.period_tsc;
	cpu_wrmsr(MSR_TSC_DEADLINE, t->deadline);
}

/* Arm this CPU's first deadline one period from now; the TSC at that moment. */
static uint64_t timer_arm_deadline(void)
{
	struct timer_cpu *t = timer_this_cpu();
	uint64_t now;

	lapic_write(LAPIC_REG_LVT_TMR, LAPIC_LVT_TMR_DEADLINE | IRQ_VECTOR_TIMER);
	/* The LVT write must reach the LAPIC before the MSR write (SDM Vol. 3A, §11.5.4.1). */
	__asm__ volatile("mfence" : : : "memory");
	now = tsc_read();
	t->deadline = now + timer_info.period_tsc;
	cpu_wrmsr(MSR_TSC_DEADLINE, t->deadline);
	return now;
}

/* Start this CPU's LAPIC timer periodic at the measured rate; the TSC at that moment. */
static uint64_t timer_arm_periodic(void)
{
	uint64_t now;

	lapic_write(LAPIC_REG_TMR_DIV, LAPIC_DIV_16);
	lapic_write(LAPIC_REG_LVT_TMR, LAPIC_LVT_TMR_PERIODIC | IRQ_VECTOR_TIMER);
	now = tsc_read();
	lapic_write(LAPIC_REG_TMR_INIT, (uint32_t)(timer_info.lapic_hz / TIMER_HZ));
	return now;
}

static void timer_start_deadline(void)
{
	timer_info.start_tsc = timer_arm_deadline();
	timer_info.mode = TIMER_MODE_TSC_DEADLINE;
}

void timer_sample_lapic_count(uint64_t *tsc, uint32_t *count)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < 4; i++) {
		uint64_t a = tsc_read();
		uint32_t c = lapic_read(LAPIC_REG_TMR_CUR);
		uint64_t b = tsc_read();

		if (b - a < best) {
			best = b - a;
			*tsc = a + (b - a) / 2;
			*count = c;
		}
	}
}

/* The LAPIC timer's first sample, when timer_calibrate_begin started it counting. */
static struct {
	bool started;
	uint64_t tsc;
	uint32_t count;
} timer_early;

/* Start the LAPIC timer counting down (masked) and take its first (TSC, count) sample. */
static void timer_count_start(uint64_t *t0, uint32_t *c0)
{
	lapic_write(LAPIC_REG_LVT_TMR, LAPIC_LVT_MASKED | IRQ_VECTOR_TIMER);
	lapic_write(LAPIC_REG_TMR_DIV, LAPIC_DIV_16);
	lapic_write(LAPIC_REG_TMR_INIT, LAPIC_COUNT_MAX);
	timer_sample_lapic_count(t0, c0);
}

void timer_calibrate_begin(void)
{
	timer_count_start(&timer_early.tsc, &timer_early.count);
	timer_early.started = true;
}

/*
 * Measure the LAPIC timer against the TSC, then start it periodic. Both ends
 * are (TSC, count) samples taken together, not the moment the count was
 * written: a vCPU paused right after that write would otherwise count time
 * the TSC never saw (seen under QEMU on a loaded host: +50 %). When
 * timer_calibrate_begin started the count before the TSC was measured, the
 * TSC's own window already lies between the two samples, and nothing is
 * waited for unless it was shorter than LAPIC_CALIBRATE_US.
 */
static bool timer_start_periodic(void)
{
	uint64_t wait = tsc_info.hz / (1000000 / LAPIC_CALIBRATE_US);
	uint64_t t0, t1, counted, init;
	uint32_t c0, c1;

	if (timer_early.started) {
		t0 = timer_early.tsc;
		c0 = timer_early.count;
		timer_early.started = false;
	} else {
		timer_count_start(&t0, &c0);
	}
	while (tsc_read() - t0 < wait)
		;
	timer_sample_lapic_count(&t1, &c1);
	lapic_write(LAPIC_REG_TMR_INIT, 0);
	counted = c0 > c1 ? c0 - c1 : 0;
	timer_info.lapic_hz = t1 > t0 ? counted * tsc_info.hz / (t1 - t0) : 0;
	init = timer_info.lapic_hz / TIMER_HZ;
	/* Too slow to count one tick, or so fast the count ran out during the measurement. */
	if (counted == 0 || c1 == 0 || init == 0 || init > LAPIC_COUNT_MAX)
		return false;
	timer_info.start_tsc = timer_arm_periodic();
	timer_info.mode = TIMER_MODE_PERIODIC;
	return true;
}

void timer_init(void)
{
	/* Neither the deadline nor "no tick" measures it: stop timer_calibrate_begin's count. */
	if (timer_early.started &&
	    (tsc_info.hz < TIMER_HZ || cpufeatures_on(CPUFEATURE_TSC_DEADLINE))) {
		lapic_write(LAPIC_REG_TMR_INIT, 0);
		timer_early.started = false;
	}
	if (tsc_info.hz < TIMER_HZ) {
		kprintf("timer: no tick: the TSC's rate is unknown\n");
		return;
	}
	timer_info.period_tsc = tsc_info.hz / TIMER_HZ;
	if (cpufeatures_on(CPUFEATURE_TSC_DEADLINE)) {
		timer_start_deadline();
		kprintf("timer: tick %u Hz (TSC deadline)\n", TIMER_HZ);
		return;
	}
	if (!timer_start_periodic()) {
		kprintf("timer: no tick: the LAPIC timer counted %lu in %u us\n",
			(unsigned long)(timer_info.lapic_hz / (1000000 / LAPIC_CALIBRATE_US)),
			LAPIC_CALIBRATE_US);
		return;
	}
	kprintf("timer: tick %u Hz (LAPIC periodic, timer input %lu kHz)\n", TIMER_HZ,
		(unsigned long)(timer_info.lapic_hz / 1000));
}

/*
 * Every LAPIC timer runs from the same clock (the TSC, or the bus clock the
 * boot CPU measured), so an AP reuses the boot CPU's figures.
 */
void timer_start_this_cpu(void)
{
	switch (timer_info.mode) {
	case TIMER_MODE_TSC_DEADLINE: timer_arm_deadline(); break;
	case TIMER_MODE_PERIODIC: timer_arm_periodic(); break;
	case TIMER_MODE_NONE: break;
	}
}

void arch_timer_report_first_tick(uint64_t since_tsc)
{
	const struct timer_cpu *t = timer_this_cpu();
	uint64_t t0 = tsc_read();

	if (timer_info.mode == TIMER_MODE_NONE)
		return;
	/* Ten periods: the tick is late only on a badly loaded emulator host. */
	while (!t->first_tick_tsc && tsc_read() - t0 < 10 * timer_info.period_tsc)
		__asm__ volatile("pause");
	if (!t->first_tick_tsc) {
		kprintf("timer: no tick within 10 periods\n");
		return;
	}
	kprintf("timer: first tick %llu TSC ticks after kernel entry\n",
		(unsigned long long)(t->first_tick_tsc - since_tsc));
}

const char *timer_mode_name(enum timer_mode m)
{
	switch (m) {
	case TIMER_MODE_TSC_DEADLINE: return "TSC deadline";
	case TIMER_MODE_PERIODIC: return "LAPIC periodic";
	case TIMER_MODE_NONE: break;
	}
	return "none";
}
