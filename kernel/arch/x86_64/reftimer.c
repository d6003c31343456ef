/*
 * kernel/arch/x86_64/reftimer.c: the reference timers (reftimer.h).
 *
 * Every wait is bounded by a count of reads, not by time (the TSC's rate is
 * what is being measured): a timer that stops or never starts is dropped and
 * the next one tried, it never hangs the boot.
 */
#include "reftimer.h"

#include <keel/portio.h>

#include "core/console.h"
#include "mm/vm.h"
#include "mmio.h"
#include "tsc.h"

/* HPET registers (IA-PC HPET specification 1.0a, §2.3). */
#define HPET_REG_CAPS       0x000
#define HPET_REG_CONFIG     0x010
#define HPET_REG_COUNTER    0x0f0
#define HPET_MMIO_LEN       0x100
#define HPET_CAPS_COUNT_64  (1ull << 13)
#define HPET_CONFIG_ENABLE  1ull
#define HPET_MAX_PERIOD_FS  100000000ull /* the spec's bound: 100 ns */
#define HPET_MIN_PERIOD_FS  100000ull    /* 10 GHz: no HPET is faster, and rates stay in 64 bits */
#define FEMTOSECONDS_PER_US 1000000000ull

#define PM_TIMER_HZ 3579545ull /* ACPI 6.5 §4.8.3.3 */

/* PIT (8254) channel 2 and its gate in the keyboard controller's port B. */
#define PIT_HZ       1193182ull
#define PIT_CH2_DATA 0x42
#define PIT_CMD      0x43
#define PIT_CMD_CH2_MODE0                                                                          \
	0xb0 /* channel 2, lobyte/hibyte, mode 0 (interrupt on terminal count), binary */
#define PORT_B         0x61
#define PORT_B_GATE2   0x01
#define PORT_B_SPEAKER 0x02
#define PORT_B_OUT2    0x20

/*
 * Reads of a reference timer before giving up. A read costs at least ~100 ns
 * on hardware and ~1 us under emulation; 2^26 reads cover many times 50 ms.
 */
#define REFTIMER_MAX_READS (1u << 26)

/* A free-running counter: read() & mask ticks at hz. */
struct reftimer_counter {
	uint64_t (*read)(const struct reftimer_counter *c);
	volatile uint8_t *regs; /* HPET */
	uint16_t port;          /* PM timer in I/O space */
	uint64_t mask;
	uint64_t hz;
};

/*
 * Registers mapped at the first measurement and kept: the tests measure
 * again, and the MMIO window never reuses addresses. ACPI is parsed once, so
 * the addresses cannot change in between.
 */
static volatile uint8_t *reftimer_hpet_regs, *reftimer_pm_regs;

static uint32_t reftimer_inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static uint64_t reftimer_read_hpet(const struct reftimer_counter *c)
{
	return mmio_read64(c->regs + HPET_REG_COUNTER);
}

static uint64_t reftimer_read_pm_io(const struct reftimer_counter *c)
{
	return reftimer_inl(c->port);
}

static uint64_t reftimer_read_pm_mem(const struct reftimer_counter *c)
{
	return mmio_read32(c->regs);
}

/*
 * The counter and the TSC at one instant: the TSC is read on both sides of
 * the counter, and of REFTIMER_SAMPLES tries the tightest pair wins. Only
 * the two ends of an interval need this; a pause in between (an SMI, an
 * emulator's vCPU descheduled) lengthens both clocks alike.
 */
#define REFTIMER_SAMPLES 4

static uint64_t reftimer_sample(const struct reftimer_counter *c, uint64_t *tsc)
{
	uint64_t best = UINT64_MAX, value = 0;

	for (int i = 0; i < REFTIMER_SAMPLES; i++) {
		uint64_t t0 = tsc_read(), v = c->read(c) & c->mask, t1 = tsc_read();

		if (t1 - t0 < best) {
			best = t1 - t0;
			value = v;
			*tsc = t0 + (t1 - t0) / 2;
		}
	}
	return value;
}

/*
 * TSC ticks while the counter advances by `ticks` (less than half its wrap).
 * 0 when it does not get there within REFTIMER_MAX_READS reads.
 */
static uint64_t reftimer_count(const struct reftimer_counter *c, uint64_t ticks)
{
	uint64_t tsc0, tsc1, start = reftimer_sample(c, &tsc0);

	for (uint32_t i = 0; i < REFTIMER_MAX_READS; i++) {
		if (((c->read(c) - start) & c->mask) >= ticks) {
			uint64_t end = reftimer_sample(c, &tsc1);

			/* Scaled to exactly `ticks`: the end sample overshoots a little. */
			return (tsc1 - tsc0) * ticks / ((end - start) & c->mask);
		}
	}
	return 0;
}

/* The HPET's counter, enabled; false (with a line) when it is unusable. */
static bool reftimer_hpet(const struct acpi_hpet *h, struct reftimer_counter *c)
{
	uint64_t caps, period;

	if (!h->present)
		return false;
	if (mmio_overlaps_ram(h->address, HPET_MMIO_LEN)) {
		kprintf("timer: HPET at 0x%lx not used: that address is RAM\n",
			(unsigned long)h->address);
		return false;
	}
	if (!reftimer_hpet_regs)
		reftimer_hpet_regs = vm_map_mmio(h->address, HPET_MMIO_LEN, VM_CACHE_UC);
	if (!reftimer_hpet_regs) {
		kprintf("timer: HPET at 0x%lx not used: cannot map it\n",
			(unsigned long)h->address);
		return false;
	}
	c->regs = reftimer_hpet_regs;
	caps = mmio_read64(c->regs + HPET_REG_CAPS);
	period = caps >> 32;
	if (period < HPET_MIN_PERIOD_FS || period > HPET_MAX_PERIOD_FS) {
		kprintf("timer: HPET at 0x%lx not used: counter period %lu fs\n",
			(unsigned long)h->address, (unsigned long)period);
		return false;
	}
	c->read = reftimer_read_hpet;
	c->mask = (caps & HPET_CAPS_COUNT_64) ? ~0ull : 0xffffffffull;
	c->hz = (FEMTOSECONDS_PER_US * 1000000) / period;
	mmio_write64(c->regs + HPET_REG_CONFIG,
		     mmio_read64(c->regs + HPET_REG_CONFIG) | HPET_CONFIG_ENABLE);
	return true;
}

/* The ACPI PM timer, in I/O or memory space. */
static bool reftimer_pm_timer(const struct acpi_fadt *f, struct reftimer_counter *c)
{
	if (!f->present || !f->pm_timer)
		return false;
	c->mask = f->pm_timer_32bit ? 0xffffffffull : 0xffffffull;
	c->hz = PM_TIMER_HZ;
	if (f->pm_timer_reg.space == ACPI_SPACE_IO && f->pm_timer_reg.address <= 0xfffc) {
		c->port = (uint16_t)f->pm_timer_reg.address;
		c->read = reftimer_read_pm_io;
		return true;
	}
	if (f->pm_timer_reg.space == ACPI_SPACE_MEMORY &&
	    !mmio_overlaps_ram(f->pm_timer_reg.address, 4)) {
		if (!reftimer_pm_regs)
			reftimer_pm_regs = vm_map_mmio(f->pm_timer_reg.address, 4, VM_CACHE_UC);
		if (reftimer_pm_regs) {
			c->regs = reftimer_pm_regs;
			c->read = reftimer_read_pm_mem;
			return true;
		}
	}
	kprintf("timer: ACPI PM timer at 0x%lx (space %u) not used\n",
		(unsigned long)f->pm_timer_reg.address, f->pm_timer_reg.space);
	return false;
}

/*
 * The PIT: channel 2 counts `us` down in mode 0 with its gate open; its output
 * (port B bit 5) rises at the end. 0 when the output does not behave.
 */
static uint64_t reftimer_pit(uint32_t us)
{
	uint32_t count = (uint32_t)(PIT_HZ * us / 1000000);
	uint8_t portb = io_inb(PORT_B);
	uint64_t tsc0, ticks = 0;

	/* Gate closed, speaker off, while the channel is programmed. */
	io_outb(PORT_B, portb & ~(PORT_B_GATE2 | PORT_B_SPEAKER));
	io_outb(PIT_CMD, PIT_CMD_CH2_MODE0);
	io_outb(PIT_CH2_DATA, (uint8_t)count);
	io_outb(PIT_CH2_DATA, (uint8_t)(count >> 8));
	/* Mode 0 drives the output low once the count is written: no PIT if it stays high. */
	if (!(io_inb(PORT_B) & PORT_B_OUT2)) {
		io_outb(PORT_B, (portb & ~PORT_B_SPEAKER) | PORT_B_GATE2);
		tsc0 = tsc_read();
		for (uint32_t i = 0; i < REFTIMER_MAX_READS; i++) {
			if (io_inb(PORT_B) & PORT_B_OUT2) {
				ticks = tsc_read() - tsc0;
				break;
			}
		}
	}
	io_outb(PORT_B, portb);
	return ticks;
}

enum reftimer_kind reftimer_measure_tsc(const struct acpi_info *a, uint32_t us, uint64_t *tsc_ticks)
{
	struct reftimer_counter c = {0};

	if (us > 50000)
		us = 50000;
	if (reftimer_hpet(&a->hpet, &c)) {
		*tsc_ticks = reftimer_count(&c, c.hz * us / 1000000);
		if (*tsc_ticks)
			return REFTIMER_HPET;
		kprintf("timer: the HPET counter does not advance\n");
	}
	if (reftimer_pm_timer(&a->fadt, &c)) {
		*tsc_ticks = reftimer_count(&c, c.hz * us / 1000000);
		if (*tsc_ticks)
			return REFTIMER_PM_TIMER;
		kprintf("timer: the ACPI PM timer does not advance\n");
	}
	*tsc_ticks = reftimer_pit(us);
	return *tsc_ticks ? REFTIMER_PIT : REFTIMER_NONE;
}

const char *reftimer_name(enum reftimer_kind k)
{
	switch (k) {
	case REFTIMER_HPET: return "HPET";
	case REFTIMER_PM_TIMER: return "ACPI PM timer";
	case REFTIMER_PIT: return "PIT";
	case REFTIMER_NONE: break;
	}
	return "nothing";
}
