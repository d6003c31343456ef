/*
 * kernel/arch/x86_64/percpu.c: the per-CPU structs (percpu.h).
 */
#include "percpu.h"

#include "core/arch.h"
#include "cpu.h"

#define MSR_GS_BASE 0xc0000101

struct percpu percpu_boot;

/*
 * Every registered CPU by index. Written by the boot CPU before the CPU it
 * names starts (the start-up handshake orders the write before any use), so
 * readers need no lock.
 */
static struct percpu *percpu_table[PERCPU_MAX] = {&percpu_boot};

void percpu_install(struct percpu *p)
{
	p->self = p;
	cpu_wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)p);
}

void percpu_register(struct percpu *p)
{
	if (p->index < PERCPU_MAX)
		percpu_table[p->index] = p;
}

struct percpu *percpu_get(uint32_t index)
{
	return index < PERCPU_MAX ? percpu_table[index] : NULL;
}

uint32_t arch_cpu_index(void)
{
	return percpu_this()->index;
}
