/*
 * kernel/core/main.c: kernel_main, called by kernel_entry (arch entry code)
 * on the kernel's own GDT and stack with the handoff address from the stub.
 *
 * Order matters: the IDT first (any fault after that is reported), then the
 * serial console (it needs nothing from the handoff), then the handoff check;
 * no handoff field is used before handoff_check() accepts it, except that a
 * rejected handoff whose header is sound (handoff_header_ok) may still show
 * the rejection on its framebuffer, after it has been printed on serial.
 */
#include <stdnoreturn.h>

#include "acpi/boot.h"
#include "core/arch.h"
#include "core/boot.h"
#include "core/boot_tests.h"
#include "core/console.h"
#include "core/devobj.h"
#include "core/handoff.h"
#include "core/init_start.h"
#include "core/ipc.h"
#include "core/klog.h"
#include "core/ktest.h"
#include "core/loader.h"
#include "core/proc.h"
#include "core/thread.h"
#include "core/summary.h"
#include "dev/fbcon.h"
#include "lib/bootargs.h"
#include "lib/fmt.h"
#include "lib/kstring.h"
#include "mm/pmm.h"
#include "mm/pmm_tests.h"
#include "mm/slab_tests.h"
#include "mm/vm.h"

#define WHY_MAX        200
#define MAIN_INIT_PATH "bin/init"
#define MAIN_PATH_MAX  64
/*
 * Test mode: seconds a case may wait for its processes before the watchdog
 * reports every thread and kills them (sched_run_until_idle). The slowest
 * case takes about 70 s (8 vCPUs on two loaded host cores).
 */
#define MAIN_TEST_WATCHDOG_S 150

struct boot_info boot_info;

noreturn void kernel_main(uint64_t handoff_addr, uint64_t tsc_entry);
static noreturn void main_continue(void);

/*
 * The handoff and its ranges live in boot-reclaim memory, which the page
 * allocator gets back once the kernel runs on its own tables (main_continue):
 * keep copies. The ranges are bounded by KEEL_HANDOFF_MAX_RANGES (96 KiB).
 */
static struct keel_handoff main_handoff;
static struct keel_mem_range main_ranges[KEEL_HANDOFF_MAX_RANGES];

static void main_keep_handoff(const struct keel_handoff *h)
{
	main_handoff = *h;
	memcpy(main_ranges, boot_phys_to_virt(h->ranges), h->range_count * sizeof(main_ranges[0]));
	boot_info.handoff = &main_handoff;
	boot_info.ranges = main_ranges;
}

/* Try the framebuffer console; NULL when it is up, else why not. */
static const char *main_start_fbcon(const struct keel_handoff *h, char *why, size_t why_size)
{
	const struct console_sink *fb;

	if (!(h->flags & KEEL_HANDOFF_HAS_FB))
		return NULL;
	fb = fbcon_init(&h->fb, h->direct_map_size, why, why_size);
	if (!fb)
		return why;
	console_add_sink(fb);
	return NULL;
}

/*
 * Print why the handoff was refused and halt. The reason goes to serial first:
 * a framebuffer described by a broken handoff may be garbage, and drawing on
 * it must not cost the message. Only then, and only when the header is sound
 * and the framebuffer passes fbcon_init's checks, is it shown there too.
 */
static noreturn void main_reject(const struct keel_handoff *h, const char *why)
{
	char line[CONSOLE_LINE_MAX], fb_why[WHY_MAX];
	const struct console_sink *fb;

	fmt_snprintf(line, sizeof(line), "keel: handoff rejected: %s\n", why);
	console_write(line, strlen(line));
	if (h && handoff_header_ok(h) && (h->flags & KEEL_HANDOFF_HAS_FB)) {
		fb = fbcon_init(&h->fb, h->direct_map_size, fb_why, sizeof(fb_why));
		if (fb)
			fb->write(line, strlen(line));
		else
			kprintf("keel: framebuffer not used: %s\n", fb_why);
	}
	arch_halt();
}

/*
 * Start init from the ramdisk (bin/init, or the file init=PATH names) and run
 * until no process is left.
 */
static void main_start_init(void)
{
	char why[WHY_MAX], path[MAIN_PATH_MAX];
	size_t len;
	int err;
	const char *given = bootargs_get(boot_info.handoff->cmdline, "init", &len);

	if (!given) {
		given = MAIN_INIT_PATH;
		len = strlen(MAIN_INIT_PATH);
	}
	if (len == 0 || len >= sizeof(path)) {
		kprintf("keel: init= wants a ramdisk path of 1 to %d bytes\n", MAIN_PATH_MAX - 1);
		return;
	}
	memcpy(path, given, len);
	path[len] = '\0';
	err = init_start(path, why, sizeof(why));
	if (err != 0) {
		kprintf("keel: cannot start %s: %s\n", path, why);
		return;
	}
	/* make bench reads this line: efi_main's TSC is the stub's first instruction. */
	kprintf("keel: started %s, %llu TSC ticks after efi_main\n", path,
		(unsigned long long)(arch_read_tsc() - boot_info.handoff->tsc_efi_main));
	sched_run_until_idle();
	kprintf("keel: no process left to run; idle\n");
}

/* Test mode: KTAP suites, then leave QEMU with the verdict. */
static noreturn void main_run_tests(void)
{
	static const struct ktest_suite *const suites[] = {
	    &boot_test_suite,   &klog_test_suite, &arch_test_suite,      &cpufeatures_test_suite,
	    &pmm_test_suite,    &acpi_test_suite, &interrupt_test_suite, &smp_test_suite,
	    &vm_test_suite,     &slab_test_suite, &backtrace_test_suite, &user_test_suite,
	    &ipc_test_suite,    &fpu_test_suite,  &fuzz_test_suite,      &vmo_test_suite,
	    &devobj_test_suite, &proc_test_suite, &peer_test_suite,      &drivers_test_suite};
	static const struct ktest_suite *const keys_suites[] = {&keys_test_suite};
	static const struct ktest_suite *const disk_suites[] = {&disk_write_test_suite,
								&disk_readback_test_suite};
	size_t only_len = 0;
	uint64_t watchdog, keys = 0, disk = 0;
	int werr;
	/* test.only=PREFIX: run only the cases whose names start with PREFIX (to chase one). */
	const char *only = bootargs_get(boot_info.handoff->cmdline, "test.only", &only_len);
	size_t failed;

	/* test.watchdog=SECONDS (0: off): how long a case may wait for its processes. */
	werr = bootargs_get_u64(boot_info.handoff->cmdline, "test.watchdog", &watchdog);
	if (werr == BOOTARGS_EINVALID || (werr == BOOTARGS_OK && watchdog > UINT32_MAX))
		kprintf("keel: test.watchdog= wants seconds; using %u\n", MAIN_TEST_WATCHDOG_S);
	if (werr != BOOTARGS_OK || watchdog > UINT32_MAX)
		watchdog = MAIN_TEST_WATCHDOG_S;
	sched_set_watchdog((uint32_t)watchdog);
	/*
	 * Boots where the runner does its part around one case run that case
	 * alone (scripts/test's kinds): test.keys=1, it types on QEMU's keyboard;
	 * test.disk=1 and then 2, it gives a data disk of known content, checks
	 * the image between the two boots and boots again.
	 */
	if (bootargs_get_u64(boot_info.handoff->cmdline, "test.keys", &keys) == BOOTARGS_OK &&
	    keys == 1)
		failed = ktest_run(keys_suites, KTEST_COUNT(keys_suites), only, only_len);
	else if (bootargs_get_u64(boot_info.handoff->cmdline, "test.disk", &disk) == BOOTARGS_OK &&
		 (disk == 1 || disk == 2))
		failed = ktest_run(&disk_suites[disk - 1], 1, only, only_len);
	else
		failed = ktest_run(suites, KTEST_COUNT(suites), only, only_len);

	/*
	 * isa-debug-exit: 0x10 -> QEMU exits 33 (all passed), 0x11 -> 35. Values
	 * of their own, so that QEMU's own failures (status 1) never read as a pass.
	 */
	arch_emulator_exit(failed ? 0x11 : 0x10);
	kprintf("keel: tests done (%zu failed); no isa-debug-exit device to leave through (not "
		"QEMU?), halting\n",
		failed);
	arch_halt();
}

noreturn void kernel_main(uint64_t handoff_addr, uint64_t tsc_entry)
{
	const struct console_sink *serial;
	const struct keel_handoff *h;
	char why[WHY_MAX];
	const char *fb_why;

	arch_trap_init();
	serial = arch_serial_init();
	if (serial)
		console_add_sink(serial);

	if (handoff_check_address(handoff_addr, why, sizeof(why)) != HANDOFF_OK)
		main_reject(NULL, why);
	h = (const struct keel_handoff *)(uintptr_t)handoff_addr;
	if (handoff_check(h, KEEL_DIRECT_MAP_BASE, why, sizeof(why)) != HANDOFF_OK)
		main_reject(h, why);

	/* handoff_check bounded range_count by KEEL_HANDOFF_MAX_RANGES. */
	main_keep_handoff(h);
	h = boot_info.handoff;
	boot_info.tsc_entry = tsc_entry;
	fb_why = main_start_fbcon(h, why, sizeof(why));
	/* The summary's "keel: handoff ok" stays the kernel's first line (tests look for it). */
	summary_print(&boot_info, fb_why);
	arch_cpu_features_init(h->cmdline);
	if (pmm_init(boot_info.ranges, h->range_count, h->direct_map_size, why, sizeof(why)) != 0) {
		kprintf("keel: page allocator: %s; halting\n", why);
		arch_halt();
	}
	if (vm_init(&boot_info, why, sizeof(why)) != 0) {
		kprintf("keel: kernel page tables: %s; halting\n", why);
		arch_halt();
	}
	vm_run_on_kernel_stack(main_continue);
}

/*
 * On the kernel's own page tables and guarded stack: nothing uses the
 * stub's tables, its stack or the original handoff any more, so boot-reclaim
 * memory goes back to the allocator before the summary line counts it.
 */
static noreturn void main_continue(void)
{
	const struct keel_handoff *h = boot_info.handoff;
	uint64_t pages;
	int err = pmm_release_boot_reclaim(boot_info.ranges, h->range_count, &pages);

	if (err != 0)
		kprintf("keel: warning: boot-reclaim memory not all released: %s\n",
			buddy_strerror(err));
	kprintf("pmm: %llu KiB of boot-reclaim memory released\n", (unsigned long long)pages * 4);
	fbcon_map_wc();
	pmm_print_summary();
	acpi_boot_init(&boot_info);
	arch_interrupts_init();
	arch_smp_init();
	/*
	 * The stub sets EFER.NXE before it marks pages NX (DESIGN.md §2). A stub
	 * that claims NX without it leaves data executable: say so.
	 */
	if ((h->flags & KEEL_HANDOFF_NX) && !arch_nx_enabled())
		kprintf("keel: warning: the handoff says NX, but EFER.NXE is clear: NX bits are "
			"not enforced\n");

	if (bootargs_has_flag(h->cmdline, "test"))
		main_run_tests();
	main_start_init();
	arch_timer_report_first_tick(boot_info.tsc_entry);
	sched_idle_loop(); /* the boot thread is CPU 0's idle thread, as each AP's is */
}
