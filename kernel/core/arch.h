/*
 * kernel/core/arch.h: what machine-independent code asks of the architecture.
 * Implemented under kernel/arch/<arch>/; generic code includes this header and
 * never an arch header (STYLE.md, HelenOS).
 */
#ifndef KEEL_CORE_ARCH_H
#define KEEL_CORE_ARCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdnoreturn.h>

#include "core/console.h"
#include "core/ktest.h"

/*
 * Point GS at the boot CPU's per-CPU data and load the IDT with the exception
 * handlers. First thing kernel_main does.
 */
void arch_trap_init(void);

/* Set up the serial console: its sink, or NULL when there is no UART. */
const struct console_sink *arch_serial_init(void);

/* The serial console's sink (COM1, ports 0x3f8-0x3ff), or NULL when there is no UART. */
const struct console_sink *arch_serial_sink(void);

/* Interrupts off, halt forever. */
noreturn void arch_halt(void);

/*
 * Detect the CPU features with CPUID, enable those present and not switched
 * off on the command line (`nopcid`, `nopku`, ...; DESIGN.md §3), and print
 * the `features:` line. Once, on the boot CPU, after the handoff is checked.
 */
void arch_cpu_features_init(const char *cmdline);

/*
 * Mask the legacy PICs, bring up this CPU's LAPIC and the IOAPICs (all
 * inputs masked), find the TSC's rate, start the scheduler tick and enable
 * interrupts, printing the `apic:` and `timer:` lines. Once, on the boot CPU,
 * after the page allocator and the ACPI parse (it reads the MADT, HPET and
 * FADT). Interrupt handlers never print: the console is not interrupt-safe.
 */
void arch_interrupts_init(void);

/* Interrupts off on this CPU; the previous state for arch_irq_restore. */
uint64_t arch_irq_save(void);

/* Interrupts back on if they were on when arch_irq_save returned `flags`. */
void arch_irq_restore(uint64_t flags);

/* The CPU's time-stamp counter (ticks at tsc_info's rate; instructions under -icount). */
uint64_t arch_read_tsc(void);

/* This CPU's index: 0 for the boot CPU, then 1, 2, ... in start order. */
uint32_t arch_cpu_index(void);

/* A hint inside spin loops (PAUSE on x86): saves power, helps the sibling thread. */
void arch_cpu_relax(void);

/*
 * Start every other CPU the MADT lists (INIT-SIPI-SIPI through the
 * trampoline) and print the `cpus: N online` line. Once, on the boot CPU,
 * after arch_interrupts_init. Without a MADT, a trampoline or a known TSC
 * rate the system stays on one CPU and the line says why.
 */
void arch_smp_init(void);

/* The online CPUs as a mask (bit i: CPU i), and how many there are. */
uint64_t arch_cpus_online(void);
uint32_t arch_cpu_count(void);

/*
 * Run fn(arg) on every online CPU in the mask `cpus` (this one included if
 * its bit is set) and return when all have run it. On other CPUs fn runs in
 * interrupt context: short, no sleeping, no cross-call of its own. 0, or -1
 * when an IPI could not be sent (reported; the call still completed).
 */
int arch_cross_call(uint64_t cpus, void (*fn)(void *arg), void *arg);

/*
 * Make CPU `cpu` (another one) look at its run queue soon: an IPI, not
 * waited for, whose handler there sets need_resched. For sched_wake: a
 * cross-call waits with interrupts off for the target, which on a loaded
 * host (QEMU's vCPU threads) can cost milliseconds per wake-up.
 */
void arch_kick_cpu(uint32_t cpu);

/*
 * Wait (at most ten tick periods) for this CPU's first timer tick and print
 * when it came, in TSC ticks after `since_tsc` (`make bench` reads the line:
 * under -icount they are instructions). Interrupts on; nothing without a tick.
 */
void arch_timer_report_first_tick(uint64_t since_tsc);

/* Whether the CPU honours the NX bit of paging entries (EFER.NXE on x86-64). */
bool arch_nx_enabled(void);

/*
 * Ask the emulator to exit, once the serial port has sent everything: QEMU's
 * isa-debug-exit device ends QEMU with status (code << 1) | 1; Bochs ends
 * through its shutdown port (with status 1 whatever the code). Returns on a
 * machine that has neither.
 */
void arch_emulator_exit(uint8_t code);

/* Wait (bounded) until COM1 has sent every byte written to it. */
void arch_serial_drain(void);

/* The architecture's in-kernel tests (int3 reaching its handler, ...). */
extern const struct ktest_suite arch_test_suite;

/* The CPU features and TLB primitives, on whichever path this CPU takes. */
extern const struct ktest_suite cpufeatures_test_suite;

/* The other CPUs: start-up, cross-calls, per-CPU state. */
extern const struct ktest_suite smp_test_suite;

/* The LAPIC, IOAPICs, tick and TSC rate, run with interrupts on. */
extern const struct ktest_suite interrupt_test_suite;

/* Backtraces of the crash dump: the frame-pointer walk and its symbol names. */
extern const struct ktest_suite backtrace_test_suite;

#endif
