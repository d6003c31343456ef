/*
 * kernel/core/drivers_tests.c: init as the supervisor of drivers and apps
 * (drivers-user/init/supervisor.c), tested end to end: one KTAP case per
 * test configuration, each a fresh run of bin/init with the configuration's
 * number N in its start block, so that init reads etc/test/N.conf
 * (drivers-user/init/test/N.conf), runs its drivers and apps, and when every
 * app has ended stops its drivers and ends with the verdict: 0, or the first
 * failed app's status. init ends last, so its status is the scheduler's last
 * one. A case passes when that status is the one expected and every process
 * and IPC object is back.
 */
#include <keel/syscall.h>

#include "acpi/boot.h"
#include "core/init_start.h"
#include "arch/x86_64/ioapic.h"
#include "core/boot.h"
#include "core/console.h"
#include "core/ipc.h"
#include "core/ktest.h"
#include "core/proc.h"
#include "core/thread.h"
#include "dev/fbcon.h"

#define DRIVERS_INIT_PATH "bin/init"

/* Run etc/test/n.conf to its end: NULL when init ended with `expect` and left nothing. */
static const char *drivers_case(uint64_t n, int64_t expect)
{
	uint64_t objects = ipc_objects_live(), procs = proc_objects_live();
	struct sched_stats s;
	char why[120];
	int err = init_start_test(DRIVERS_INIT_PATH, "init", n, why, sizeof(why));

	if (err != 0)
		return ktest_fail("cannot start " DRIVERS_INIT_PATH ": %s", why);
	sched_run_until_idle();
	sched_read_stats(&s);
	if (s.last_killed || s.last_status != expect)
		return ktest_fail("init on etc/test/%llu.conf %s %lld, expected status %lld",
				  (unsigned long long)n,
				  s.last_killed ? "killed by vector" : "ended with status",
				  (long long)s.last_status, (long long)expect);
	if (proc_objects_live() != procs)
		return ktest_fail("%llu processes and thread objects live after, %llu before",
				  (unsigned long long)proc_objects_live(),
				  (unsigned long long)procs);
	if (ipc_objects_live() != objects)
		return ktest_fail("%llu IPC objects live after, %llu before",
				  (unsigned long long)ipc_objects_live(),
				  (unsigned long long)objects);
	return NULL;
}

/* Malformed lines are reported and skipped; the good app runs and passes. */
static const char *test_drivers_malformed_lines(void)
{
	return drivers_case(1, 0);
}

/* An app that fails makes init's status its own. */
static const char *test_drivers_app_failure(void)
{
	return drivers_case(2, 7);
}

/* Names not served: -KEEL_ENOENT; a driver that cannot start: -KEEL_ECLOSED. */
static const char *test_drivers_missing_name(void)
{
	return drivers_case(3, 0);
}

/*
 * Why the cases that carve an IRQ cannot run here, or NULL: without an IOAPIC (neither in
 * a MADT nor at the PC default) no interrupt object can be carved (4.conf and 6.conf carve IRQ 3,
 * the uart driver IRQ 4).
 */
static const char *drivers_no_irqs(void)
{
	return ioapic_count() ? NULL : ktest_skip("no IOAPIC, so no interrupt object to carve");
}

/* A driver with devices serves two apps through look-ups; kill needs admin. */
static const char *test_drivers_lookup_ping(void)
{
	const char *err = drivers_no_irqs();

	return err ? err : drivers_case(4, 0);
}

/* A driver that crashes at once is restarted, then given up (no restart storm). */
static const char *test_drivers_give_up(void)
{
	return drivers_case(5, 0);
}

/* An admin app's kills: the driver is restarted each time and serves again. */
static const char *test_drivers_admin_kill(void)
{
	const char *err = drivers_no_irqs();

	return err ? err : drivers_case(6, 0);
}

/*
 * A case whose program prints `lines` "uart-seq K/N" lines through the uart
 * driver (bin/useq). The lines go to COM1 only, which the kernel leaves alone
 * meanwhile: the host checks them in the serial log (scripts/test,
 * serial_seq_results), told by the "# uart-seq expected" line printed here
 * after the driver ended and the kernel has COM1 back.
 */
static const char *drivers_uart_case(uint64_t n, unsigned lines, const char *tag)
{
	const char *err = drivers_no_irqs();

	if (err)
		return err;
	err = drivers_case(n, 0);
	kprintf("# uart-seq expected %u %s\n", lines, tag);
	return err;
}

/* The console through the uart driver: 200 lines. */
static const char *test_drivers_uart_console(void)
{
	return drivers_uart_case(7, 200, "console");
}

/* The same with the driver killed mid-stream: restarted, reconnected, no line lost. */
static const char *test_drivers_uart_restart(void)
{
	return drivers_uart_case(8, 200, "restart");
}

/*
 * Bad requests and hostile sessions on the uart driver's ring (bin/ringprobe):
 * an error completion each, or that session alone closed, and the same
 * driver process goes on serving.
 */
static const char *test_drivers_uart_bad_requests(void)
{
	const char *err = drivers_no_irqs();

	return err ? err : drivers_case(9, 0);
}

/*
 * The kernel's log drained by the uart driver (`log`, core/klog.c): lines an
 * app logs with KEEL_SYS_DEBUG_LOG reach the wire, where the kernel itself
 * prints nothing while the driver holds COM1.
 */
static const char *test_drivers_uart_klog(void)
{
	return drivers_uart_case(10, 100, "klog");
}

/* The same with the driver killed after the last line: the kernel replays what it did not drain. */
static const char *test_drivers_uart_klog_replay(void)
{
	return drivers_uart_case(11, 100, "klog_replay");
}

/*
 * The pci driver finds the host bridge and the boot disk's controller with their BARs,
 * through ECAM (on a machine without MCFG init cannot carve `ecam`, so the
 * driver would not start: skipped there) and through ports 0xcf8/0xcfc.
 */
static const char *test_drivers_pci_ecam(void)
{
	struct keel_platform p;

	acpi_boot_platform(&p);
	if (p.ecam_base == 0)
		return ktest_skip("no MCFG: no ECAM window to carve");
	return drivers_case(12, 0);
}

static const char *test_drivers_pci_legacy(void)
{
	return drivers_case(13, 0);
}

/* The PS/2 keyboard driver without typing: no event, no error; bad requests refused. */
static const char *test_drivers_kbd_quiet(void)
{
	const char *err = drivers_no_irqs();

	return err ? err : drivers_case(15, 0);
}

/*
 * Typed keys reach the focused app: the only case of a `keys` boot
 * (test.keys=1, main.c), whose runner types "hello!" on QEMU's keyboard once
 * the app printed its ready line; anywhere else nobody types.
 */
static const char *test_drivers_kbd_typing(void)
{
	const char *err = drivers_no_irqs();

	return err ? err : drivers_case(16, 0);
}

/*
 * The framebuffer console driver (bin/fbcon, 14.conf) with an app printing
 * through it: with a framebuffer the writes complete and init ends 0, and
 * the kernel has its screen back after; without one init does not start the
 * driver and the app, finding no "fbcon", fails (init ends 1).
 */
static const char *test_drivers_fbcon(void)
{
	const void *screen = fbcon_mapping();
	const char *err = drivers_case(14, screen ? 0 : 1);

	if (!err && screen && console_sink_held(fbcon_sink_over(fbcon_phys(), 1)))
		return ktest_fail(
		    "the kernel's framebuffer console is still held after fbcon ended");
	kprintf("# drivers_fbcon: %s\n",
		screen ? "lines drawn by bin/fbcon, screen back to the kernel after"
		       : "no framebuffer: fbcon not started");
	return err;
}

/* bin/ringprobe on the framebuffer console's ring (20.conf), as on the uart's. */
static const char *test_drivers_fbcon_bad_requests(void)
{
	if (!fbcon_mapping())
		return ktest_skip("no framebuffer: fbcon does not start");
	return drivers_case(20, 0);
}

/* bin/ringprobe on the keyboard driver's ring (21.conf), as on the uart's. */
static const char *test_drivers_kbd_bad_requests(void)
{
	const char *err = drivers_no_irqs();

	return err ? err : drivers_case(21, 0);
}

/*
 * The virtio-blk driver (17.conf): init hands it the first virtio-blk
 * function's BARs, DMA and an MSI interrupt (pci=), and bin/blkcheck tests
 * the "blk" ring protocol on the ESP disk (read-only): info, sector 0's boot
 * signature, multi-sector and in-flight reads, every malformed request's
 * error, and a restart of the driver under an open session. Bochs's disk is
 * IDE, and only Bochs boots without ACPI tables here (test.acpi=0): skipped
 * there.
 */
static const char *test_drivers_virtio_blk(void)
{
	if (!(boot_info.handoff->flags & KEEL_HANDOFF_HAS_RSDP))
		return ktest_skip("no ACPI: Bochs, whose disk is IDE, not virtio-blk");
	return drivers_case(17, 0);
}

/*
 * The data disk of a `disk` boot (scripts/test: a fresh image of known
 * content, disk_pattern.h, as the second virtio-blk function), whose cases
 * run alone (main.c). test.disk=1: blkdisk checks every word, writes a range,
 * flushes, has the driver killed and reads the range back from its
 * replacement (30.conf); the runner then checks the image on the host and
 * boots again with test.disk=2: blkdisk reads the whole disk back (31.conf).
 */
static const char *test_drivers_disk_write(void)
{
	return drivers_case(30, 0);
}

static const char *test_drivers_disk_readback(void)
{
	return drivers_case(31, 0);
}

/*
 * The shell kills every driver in turn (24.conf, drivers-user/shell/script.c):
 * each is restarted, and the shell's console and input sessions, lspci and
 * blk read 0 work again after it.
 */
static const char *test_drivers_shell_kill(void)
{
	const char *err = drivers_no_irqs();

	return err ? err : drivers_case(24, 0);
}

static const struct ktest drivers_tests[] = {
    KTEST(drivers_malformed_lines),
    KTEST(drivers_app_failure),
    KTEST(drivers_missing_name),
    KTEST(drivers_lookup_ping),
    KTEST(drivers_give_up),
    KTEST(drivers_admin_kill),
    KTEST(drivers_uart_console),
    KTEST(drivers_uart_restart),
    KTEST(drivers_uart_bad_requests),
    KTEST(drivers_uart_klog),
    KTEST(drivers_uart_klog_replay),
    KTEST(drivers_pci_ecam),
    KTEST(drivers_pci_legacy),
    KTEST(drivers_kbd_quiet),
    KTEST(drivers_fbcon),
    KTEST(drivers_virtio_blk),
    KTEST(drivers_fbcon_bad_requests),
    KTEST(drivers_kbd_bad_requests),
    KTEST(drivers_shell_kill),
};

const struct ktest_suite drivers_test_suite = {drivers_tests, KTEST_COUNT(drivers_tests)};

static const struct ktest keys_tests[] = {KTEST(drivers_kbd_typing)};

const struct ktest_suite keys_test_suite = {keys_tests, KTEST_COUNT(keys_tests)};

static const struct ktest disk_write_tests[] = {KTEST(drivers_disk_write)};

const struct ktest_suite disk_write_test_suite = {disk_write_tests, KTEST_COUNT(disk_write_tests)};

static const struct ktest disk_readback_tests[] = {KTEST(drivers_disk_readback)};

const struct ktest_suite disk_readback_test_suite = {disk_readback_tests,
						     KTEST_COUNT(disk_readback_tests)};
