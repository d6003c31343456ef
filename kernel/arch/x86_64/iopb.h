/*
 * kernel/arch/x86_64/iopb.h: I/O port permissions for user processes (the
 * I/O permission bitmap of the TSS, SDM Vol. 1 §19.5.2), the arch half of
 * KEEL_SYS_IOPORT_ENABLE (core/devobj.c).
 *
 * User code runs with IOPL 0, so IN/OUT at CPL 3 is allowed only for ports
 * whose bits are 0 in the bitmap of the CPU's TSS; without a bitmap every
 * port faults (#GP, and the process is killed as for any fault).
 *
 * A process that never enabled a port has no bitmap at all (p->iopb NULL).
 * One that did has its own (struct iopb: 8 KiB, every port 1 but the ports
 * it enabled), which the switch to it copies into this CPU's TSS.
 *
 * Per CPU. The first process with ports that runs on a CPU moves that CPU
 * to a larger TSS of its own that ends in a bitmap (allocated for every CPU
 * by the first ioport_enable, so that a switch never allocates). Invariant:
 * the bitmap of a CPU's TSS is in force (iomap_base points at it) only while
 * the CPU runs the process whose bitmap it holds, at the generation it
 * holds; on a switch to anything else the map base is put past the TSS's
 * limit (no bitmap: every port faults), and a switch to a process with ports
 * copies its bitmap only when this CPU's copy is another's or older. The copy
 * is named by process id (never reused) and generation, and a process that
 * ends clears itself from every CPU's record (iopb_process_fini), so a copy
 * can never be taken for another process's.
 */
#ifndef KEEL_ARCH_X86_64_IOPB_H
#define KEEL_ARCH_X86_64_IOPB_H

#include <stdbool.h>
#include <stdint.h>

#define IOPB_PORTS 0x10000u
#define IOPB_BYTES (IOPB_PORTS / 8)

struct process;

/* A process's bitmap: bit n is port n, 0 = allowed. */
struct iopb {
	uint64_t gen;   /* bumped by every enable; read by switches (atomic) */
	uint32_t bytes; /* map[bytes..] is all 1s: what a switch must copy */
	uint8_t map[IOPB_BYTES];
};

/*
 * Let p use ports [base, base + count) (checked by the caller): p's bitmap is
 * allocated at the first call, every CPU's bitmap TSS too; this CPU loads the
 * new map at once, another CPU running a thread of p at its next switch to p.
 * The caller holds p->lock. 0, or -KEEL_ENOMEM (nothing changed).
 */
int iopb_enable(struct process *p, uint32_t base, uint32_t count);

/* Set (for good) by the first ioport_enable, before any process has a bitmap. */
extern bool iopb_in_use;

void iopb_switch_slow(struct process *next);

/*
 * The switch to `next` (NULL: the idle thread) on this CPU, interrupts off
 * (sched.c). Until some process enabled a port no CPU has a bitmap to put
 * right, so the switch costs one load and a branch.
 */
static inline void iopb_switch(struct process *next)
{
	if (__atomic_load_n(&iopb_in_use, __ATOMIC_ACQUIRE))
		iopb_switch_slow(next);
}

/* p ended and no CPU runs it: forget its copies and free its bitmap (sched.c). */
void iopb_process_fini(struct process *p);

/* CPUs with a bitmap TSS, for the tests. */
uint32_t iopb_cpus_ready(void);

#endif
