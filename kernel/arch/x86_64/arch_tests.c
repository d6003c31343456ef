/*
 * kernel/arch/x86_64/arch_tests.c: in-kernel tests of the x86-64 code.
 */
#include "core/arch.h"
#include "trap.h"
#include "trapinfo.h"

/* int3 goes through the IDT to trap_dispatch, which counts it and returns here. */
static const char *test_idt_breakpoint(void)
{
	uint64_t before = trap_breakpoint_count;

	trap_last_vector = ~0ull;
	__asm__ volatile("int3" : : : "memory");
	if (trap_breakpoint_count != before + 1)
		return ktest_fail("int3 did not reach the handler (breakpoints %lu -> %lu)",
				  (unsigned long)before, (unsigned long)trap_breakpoint_count);
	if (trap_last_vector != TRAP_BP)
		return ktest_fail("handler recorded vector %lu, expected %u",
				  (unsigned long)trap_last_vector, TRAP_BP);
	return NULL;
}

static const struct ktest arch_tests[] = {
    KTEST(idt_breakpoint),
};

const struct ktest_suite arch_test_suite = {arch_tests, KTEST_COUNT(arch_tests)};
