/*
 * drivers-user/useq/main.c: the console's "nothing acknowledged is lost"
 * test program. It prints lines "uart-seq K/N" (K = 0..N-1) through
 * keel_console_open; with USEQ_KILL in its argument it asks init to kill the
 * uart driver (KEEL_NAME_KILL: the config line must mark it `admin`) after
 * half of them, so the rest goes through the restarted driver after the
 * console reopened its session and sent its unacknowledged lines again.
 * scripts/test (serial_seq_results) checks on the host that every line
 * reached the wire, first seen in order.
 *
 * With USEQ_KLOG it prints them with plain keel_printf instead (the kernel's
 * log, KEEL_SYS_DEBUG_LOG), which reaches the wire only as the uart driver
 * drains the log (`log` on its config line), then naps a second so that the
 * driver has drained them before init ends the case; with USEQ_KILL too it
 * has init kill the driver right after the last line, and what the driver
 * had not drained comes from the kernel (klog_replay) once it has COM1 back.
 *
 * Start block: handle[KEEL_START_NAMES]; arg: N in bits 0-31 (0: USEQ_LINES),
 * USEQ_KILL, USEQ_KLOG.
 */
#include <keel/service.h>

#include "keel.h"
#include "session.h"

#define USEQ_LINES 200
#define USEQ_KILL  (1ull << 32)
#define USEQ_KLOG  (1ull << 34)
#define USEQ_NAP   1000000000ull /* USEQ_KLOG: time for the driver to drain the log */

int main(uint64_t start)
{
	const struct keel_start *sb = (const struct keel_start *)(uintptr_t)start;
	uint64_t names, n;
	int64_t err;

	if (!sb || sb->magic != KEEL_START_MAGIC ||
	    sb->handle[KEEL_START_NAMES] == KEEL_MSG_NO_HANDLE) {
		keel_printf("useq: no name service in the start block: init starts useq\n");
		return 1;
	}
	names = sb->handle[KEEL_START_NAMES];
	n = sb->arg & 0xffffffffu ? sb->arg & 0xffffffffu : USEQ_LINES;
	if (sb->arg & USEQ_KLOG) {
		int64_t nap = keel_object_create(KEEL_OBJ_NOTIFICATION, 0);

		for (uint64_t k = 0; k < n; k++)
			keel_printf("uart-seq %lu/%lu\n", (unsigned long)k, (unsigned long)n);
		/* Killed before its next tick: what it did not drain, the kernel replays. */
		if ((sb->arg & USEQ_KILL) && (err = keel_name_kill(names, "uart")) != 0) {
			keel_printf("useq: killing uart: %s\n", keel_strerror(err));
			return 2;
		}
		if (nap >= 0)
			keel_wait((uint64_t)nap, USEQ_NAP);
		return nap < 0 ? 3 : 0;
	}
	err = keel_console_open(names);
	if (err != 0) {
		keel_printf("useq: no console: %s\n", keel_strerror(err));
		return 1;
	}
	for (uint64_t k = 0; k < n; k++) {
		if ((sb->arg & USEQ_KILL) && k == n / 2 &&
		    (err = keel_name_kill(names, "uart")) != 0) {
			keel_printf("useq: killing uart: %s\n", keel_strerror(err));
			return 2;
		}
		keel_printf("uart-seq %lu/%lu\n", (unsigned long)k, (unsigned long)n);
	}
	return 0;
}
