/*
 * kernel/arch/x86_64/backtrace_tests.c: in-kernel tests of backtraces
 * (backtrace.h): a walk through a known chain of calls names its functions
 * in order; a walk from a trapped #UD (the recoverable hook, trap_expect.h)
 * starts in the faulting function; and every kind of bad frame pointer ends
 * the walk with its own note instead of a fault.
 */
#include "backtrace.h"
#include "core/arch.h"
#include "core/image.h"
#include "core/ktest.h"
#include "lib/fmt.h"
#include "lib/kstring.h"
#include "mm/vm.h"
#include "trap_expect.h"
#include "trapinfo.h"

#define TEST_CHAIN_RECORDS (BACKTRACE_MAX + 8)

/* Stops the compiler turning a call in tail position into a jump (no frame). */
#define TEST_NO_TAIL_CALL() __asm__ volatile("" : : : "memory")

static struct backtrace test_bt;

static uint64_t test_va(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static uint64_t test_here(void)
{
	uint64_t rip;

	__asm__ volatile("leaq 0(%%rip), %0" : "=r"(rip));
	return rip;
}

/* Whether frame i of bt is named `name` (any offset). */
static bool test_frame_is(const struct backtrace *bt, size_t i, const char *name)
{
	char line[160], want[80];

	if (i >= bt->count)
		return false;
	backtrace_format(bt, i, line, sizeof(line));
	fmt_snprintf(want, sizeof(want), " %s+0x", name);
	return strstr(line, want) != NULL;
}

static const char *test_frame_fail(const struct backtrace *bt, size_t i, const char *want)
{
	char line[160];

	backtrace_format(bt, i, line, sizeof(line));
	return ktest_fail("frame %zu of %zu is \"%s\", expected %s", i, bt->count, line, want);
}

static __attribute__((noinline)) void test_bt_inner(void)
{
	backtrace_walk(test_here(), test_va(__builtin_frame_address(0)), &test_bt);
	TEST_NO_TAIL_CALL();
}

static __attribute__((noinline)) void test_bt_middle(void)
{
	test_bt_inner();
	TEST_NO_TAIL_CALL();
}

static __attribute__((noinline)) void test_bt_outer(void)
{
	test_bt_middle();
	TEST_NO_TAIL_CALL();
}

/* inner, middle, outer, this test, then on through ktest_run to the chain's end. */
static const char *test_backtrace_nested(void)
{
	static const char *const want[] = {"test_bt_inner", "test_bt_middle", "test_bt_outer",
					   "test_backtrace_nested"};
	size_t i;

	test_bt_outer();
	TEST_NO_TAIL_CALL();
	for (i = 0; i < KTEST_COUNT(want); i++)
		if (!test_frame_is(&test_bt, i, want[i]))
			return test_frame_fail(&test_bt, i, want[i]);
	while (i < test_bt.count && !test_frame_is(&test_bt, i, "ktest_run"))
		i++;
	if (i == test_bt.count)
		return ktest_fail("no ktest_run among the %zu frames", test_bt.count);
	if (test_bt.stop)
		return ktest_fail("the walk stopped (%s: 0x%lx) instead of ending at rbp 0",
				  test_bt.stop, (unsigned long)test_bt.stop_value);
	return NULL;
}

/* The symbol table itself: a function's own address is name+0x0. */
static const char *test_backtrace_symbol_exact(void)
{
	struct backtrace bt = {.pc = {test_va((const void *)ktest_run)}, .count = 1};
	char line[160];

	backtrace_format(&bt, 0, line, sizeof(line));
	if (!strstr(line, " ktest_run+0x0"))
		return ktest_fail("ktest_run's address prints as \"%s\"", line);
	bt.pc[0] = test_va(kernel_text_end) + 0x100;
	backtrace_format(&bt, 0, line, sizeof(line));
	if (line[strlen(line) - 1] != '?')
		return ktest_fail("an address past text prints as \"%s\"", line);
	return NULL;
}

static __attribute__((noinline)) void test_bt_ud_victim(void)
{
	trap_expect_arm(TRAP_UD, test_va(kernel_image_start), test_va(kernel_text_end));
	__asm__ volatile(TRAP_EXPECT_SET_RESUME "ud2\n\t"
						"9:"
			 :
			 : TRAP_EXPECT_OPERANDS
			 : "rax", "memory");
	trap_expect_disarm();
}

/* A backtrace from a trapped #UD starts in the function that executed ud2. */
static const char *test_backtrace_from_trap(void)
{
	struct backtrace bt;

	test_bt_ud_victim();
	TEST_NO_TAIL_CALL();
	if (!trap_expect.hit)
		return ktest_fail("ud2 did not trap");
	backtrace_walk(trap_expect.rip, trap_expect.rbp, &bt);
	if (!test_frame_is(&bt, 0, "test_bt_ud_victim"))
		return test_frame_fail(&bt, 0, "test_bt_ud_victim");
	if (!test_frame_is(&bt, 1, "test_backtrace_from_trap"))
		return test_frame_fail(&bt, 1, "test_backtrace_from_trap");
	if (bt.stop)
		return ktest_fail("the walk stopped: %s: 0x%lx", bt.stop,
				  (unsigned long)bt.stop_value);
	return NULL;
}

/* A walk from rbp must stop after `frames` frames with a note containing `why`. */
static const char *test_bad(const char *what, uint64_t rbp, size_t frames, const char *why)
{
	struct backtrace bt;

	backtrace_walk(test_here(), rbp, &bt);
	if (bt.count != frames || !bt.stop || !strstr(bt.stop, why))
		return ktest_fail("%s (rbp 0x%lx): %zu frames, stop \"%s\"; want %zu frames and "
				  "\"%s\"",
				  what, (unsigned long)rbp, bt.count, bt.stop ? bt.stop : "(none)",
				  frames, why);
	return NULL;
}

static const char *test_backtrace_bad_rbp(void)
{
	const struct vm_stack *s = vm_kernel_stack();
	uint64_t ret = test_here(); /* a return address inside text */
	uint64_t loop[2], wild[2] = {0, 0xdead}, chain[TEST_CHAIN_RECORDS][2];
	const char *err;

	loop[0] = test_va(loop);
	loop[1] = ret;
	for (size_t i = 0; i < TEST_CHAIN_RECORDS; i++) {
		chain[i][0] = i + 1 < TEST_CHAIN_RECORDS ? test_va(chain[i + 1]) : 0;
		chain[i][1] = ret;
	}
	if ((err = test_bad("misaligned", test_va(loop) + 4, 1, "aligned")) ||
	    (err = test_bad("non-canonical", 0x8000000000000000ull, 1, "outside")) ||
	    (err = test_bad("low memory", 0x1000, 1, "outside")) ||
	    (err = test_bad("the direct map", KEEL_DIRECT_MAP_BASE + 0x1000, 1, "outside")) ||
	    (err = test_bad("kernel text", test_va(kernel_image_start), 1, "outside")) ||
	    (err = test_bad("the stack guard", s->guard + 0x100, 1, "not mapped")) ||
	    (err = test_bad("the stack window's end", VM_STACK_END - 16, 1, "not mapped")) ||
	    (err = test_bad("the last bytes of the window", VM_STACK_END - 8, 1, "outside")) ||
	    (err = test_bad("a record pointing at itself", test_va(loop), 2, "not above")) ||
	    (err = test_bad("a wild return address", test_va(wild), 1, "return address")) ||
	    (err = test_bad("a chain too long", test_va(chain), BACKTRACE_MAX, "more frames")))
		return err;
	return NULL;
}

static const struct ktest backtrace_tests[] = {
    KTEST(backtrace_nested),
    KTEST(backtrace_symbol_exact),
    KTEST(backtrace_from_trap),
    KTEST(backtrace_bad_rbp),
};

const struct ktest_suite backtrace_test_suite = {backtrace_tests, KTEST_COUNT(backtrace_tests)};
