/*
 * drivers-user/kbdecho/probe.c: the keyboard driver without typing. A read
 * kept with nobody typing gets no completion (neither an event nor an
 * error) within about a second, twice; closing the session drops the kept
 * reads, and a second session behaves the same (the driver is still
 * serving). Bad requests are bin/ringprobe's (drivers case 21).
 */
#include <keel/service.h>

#include "kbdecho.h"
#include "keel.h"

#define KBDECHO_QUIET_NS    100000000ull /* one look of "nothing comes" */
#define KBDECHO_QUIET_LOOKS 10 /* of them: about a second; a stale bit shortens one only */

/* A read kept on s gets nothing for about a second: 0, or 1. */
static int probe_quiet(struct keel_session *s, uint64_t notif, uint64_t id)
{
	struct keel_ring_sqe e = {
	    .id = id, .opcode = KEEL_KBD_READ, .len = 4 * sizeof(struct keel_kbd_event)};
	struct keel_ring_cqe c;

	if (keel_session_submit(s, &e) != 0)
		return 1;
	for (int i = 0; i < KBDECHO_QUIET_LOOKS; i++) {
		keel_wait(notif, KBDECHO_QUIET_NS);
		if (keel_session_reap(s, &c, 0) != -KEEL_EAGAIN) {
			keel_printf("kbdecho: a completion came without typing (id %lu status "
				    "%d)\n",
				    (unsigned long)c.id, c.status);
			return 1;
		}
	}
	return 0;
}

int kbdecho_probe(uint64_t names, uint64_t notif)
{
	struct keel_session s;
	int64_t err = kbdecho_open(names, notif, &s);

	if (err != 0) {
		keel_printf("kbdecho: no ps2kbd session: %s\n", keel_strerror(err));
		return 2;
	}
	if (probe_quiet(&s, notif, 1) != 0)
		return 3;
	if (probe_quiet(&s, notif, 2) != 0)
		return 4;
	keel_session_close(&s); /* drops the kept reads */
	if ((err = kbdecho_open(names, notif, &s)) != 0 || probe_quiet(&s, notif, 3) != 0)
		return 5;
	keel_session_close(&s);
	return 0;
}
