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
 * With USEQ_BAD instead it opens a raw "uart" session and sends requests the
 * driver must refuse, each expecting its own error completion, then a good
 * write that must still be served; its exit status says which step failed.
 *
 * Start block: handle[KEEL_START_NAMES]; arg: N in bits 0-31 (0: USEQ_LINES),
 * USEQ_KILL, USEQ_BAD, USEQ_KLOG.
 */
#include <keel/pkru.h>
#include <keel/service.h>

#include "keel.h"
#include "session.h"

#define USEQ_LINES 200
#define USEQ_KILL  (1ull << 32)
#define USEQ_BAD   (1ull << 33)
#define USEQ_KLOG  (1ull << 34)
#define USEQ_NAP   1000000000ull /* USEQ_KLOG: time for the driver to drain the log */

/* Bad requests get their own errors and the driver goes on. 0, or the failed step (3 up). */
static int useq_bad_requests(uint64_t names)
{
	static const char line[] = "uart-bad: served after the bad requests\r\n";
	static const struct {
		uint32_t opcode, len;
		int32_t status, out_len;
	} steps[] = {
	    {99, 4, -KEEL_EINVAL, 0},             /* no such opcode */
	    {0, 4, -KEEL_EINVAL, 0},              /* nor 0 */
	    {KEEL_UART_READ, 0, -KEEL_EINVAL, 0}, /* a read of nothing never completes */
	    {KEEL_UART_WRITE, 0, 0, 0},           /* a write of nothing is done at once */
	    {KEEL_UART_WRITE, sizeof(line) - 1, 0, sizeof(line) - 1}, /* still served */
	};
	struct keel_session s;
	struct keel_ring_cqe c;
	uint64_t service;
	int64_t notif = keel_object_create(KEEL_OBJ_NOTIFICATION, 0);
	void *buf;

	if (notif < 0 || keel_name_lookup(names, "uart", &service) != 0 ||
	    keel_session_open(&s, service, (uint64_t)notif, 0, 1, 0) != 0)
		return 3;
	buf = keel_session_buf(&s, 0, sizeof(line) - 1);
	if (!buf)
		return 4;
	keel_pkey_write_enable(s.pkey);
	memcpy(buf, line, sizeof(line) - 1);
	keel_pkey_write_disable(s.pkey);
	for (unsigned i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		struct keel_ring_sqe e = {
		    .id = 100 + i, .opcode = steps[i].opcode, .len = steps[i].len};

		if (keel_session_submit(&s, &e) != 0 || keel_session_reap(&s, &c, 1) != 0)
			return 10 + (int)i;
		if (c.id != e.id || c.status != steps[i].status ||
		    (int32_t)c.len != steps[i].out_len) {
			keel_printf("useq: bad request %u: id %lu status %d len %u\n", i,
				    (unsigned long)c.id, c.status, c.len);
			return 20 + (int)i;
		}
	}
	keel_session_close(&s);
	return 0;
}

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
	if (sb->arg & USEQ_BAD)
		return useq_bad_requests(names);
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
