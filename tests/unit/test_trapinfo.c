/*
 * tests/unit/test_trapinfo.c: kernel/arch/x86_64/trapinfo.c, exception names
 * and error-code decoding.
 */
#include <string.h>

#include "arch/x86_64/trapinfo.h"
#include "ktest.h"

static char buf[256];

static const char *describe(uint32_t vector, uint64_t error)
{
	trap_describe_error(vector, error, buf, sizeof(buf));
	return buf;
}

static const char *test_names(void)
{
	KT_ASSERT(strcmp(trap_name(14), "#PF page fault") == 0);
	KT_ASSERT(strcmp(trap_name(13), "#GP general protection") == 0);
	KT_ASSERT(strcmp(trap_name(3), "#BP breakpoint") == 0);
	KT_ASSERT(strcmp(trap_name(15), "reserved") == 0);
	KT_ASSERT(strcmp(trap_name(32), "interrupt") == 0);
	for (uint32_t v = 0; v < TRAP_EXCEPTION_COUNT; v++)
		KT_ASSERT(trap_name(v) != NULL);
	return NULL;
}

static const char *test_error_code_vectors(void)
{
	/* SDM Vol. 3A, Table 6-1. traps.S pushes a dummy for all the others. */
	static const uint32_t with[] = {8, 10, 11, 12, 13, 14, 17, 21, 29, 30};
	uint32_t count = 0;

	for (size_t i = 0; i < sizeof(with) / sizeof(with[0]); i++)
		KT_ASSERT(trap_has_error_code(with[i]));
	for (uint32_t v = 0; v < TRAP_EXCEPTION_COUNT; v++)
		count += trap_has_error_code(v);
	KT_EQ(count, 10);
	return NULL;
}

static const char *test_raised_by_code(void)
{
	static const uint32_t by_code[] = {0, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 16, 17, 19, 21};
	uint32_t count = 0;

	for (size_t i = 0; i < sizeof(by_code) / sizeof(by_code[0]); i++)
		KT_ASSERT(trap_raised_by_code(by_code[i]));
	/* Never blamed on the running code: #DB, NMI, #DF, #MC, #VC, interrupts. */
	KT_ASSERT(!trap_raised_by_code(TRAP_DB));
	KT_ASSERT(!trap_raised_by_code(TRAP_NMI));
	KT_ASSERT(!trap_raised_by_code(TRAP_DF));
	KT_ASSERT(!trap_raised_by_code(TRAP_MC));
	KT_ASSERT(!trap_raised_by_code(TRAP_VC));
	KT_ASSERT(!trap_raised_by_code(32));
	KT_ASSERT(!trap_raised_by_code(UINT32_MAX));
	for (uint32_t v = 0; v < TRAP_EXCEPTION_COUNT; v++)
		count += trap_raised_by_code(v);
	KT_EQ(count, sizeof(by_code) / sizeof(by_code[0]));
	return NULL;
}

static const char *test_page_fault(void)
{
	KT_ASSERT(strcmp(describe(14, 0x2), "0x2 (page not present, write, supervisor mode)") == 0);
	KT_ASSERT(strcmp(describe(14, 0x15),
			 "0x15 (protection violation, read, user mode, instruction fetch)") == 0);
	KT_ASSERT(strcmp(describe(14, 0x8068),
			 "0x8068 (page not present, read, supervisor mode, reserved bit set, "
			 "protection key, shadow stack, SGX)") == 0);
	return NULL;
}

static const char *test_selector_errors(void)
{
	KT_ASSERT(strcmp(describe(13, 0), "0x0 (no selector)") == 0);
	/* int 0x80 without a gate: IDT, index 0x80. */
	KT_ASSERT(strcmp(describe(11, 0x402), "0x402 (IDT index 128)") == 0);
	KT_ASSERT(strcmp(describe(13, 0x18), "0x18 (GDT index 3)") == 0);
	KT_ASSERT(strcmp(describe(10, 0x2d), "0x2d (external event, LDT index 5)") == 0);
	KT_ASSERT(strcmp(describe(12, 0x10), "0x10 (GDT index 2)") == 0);
	return NULL;
}

static const char *test_other_vectors(void)
{
	KT_ASSERT(strcmp(describe(0, 0), "none") == 0);
	KT_ASSERT(strcmp(describe(8, 0), "0x0") == 0);
	KT_ASSERT(strcmp(describe(21, 0x3), "0x3") == 0);
	/* Short buffers are cut and terminated, never overrun. */
	trap_describe_error(14, 0x2, buf, 6);
	KT_ASSERT(strcmp(buf, "0x2 (") == 0);
	return NULL;
}

static const struct ktest tests[] = {
    KTEST(test_names),      KTEST(test_error_code_vectors), KTEST(test_raised_by_code),
    KTEST(test_page_fault), KTEST(test_selector_errors),    KTEST(test_other_vectors),
};

int main(void)
{
	return ktest_main(tests, KTEST_COUNT(tests));
}
