/*
 * drivers-user/kbdecho/probe.c: the keyboard driver without typing. A read
 * kept with nobody typing gets no completion (neither an event nor an
 * error) within about a second; requests the driver must refuse get their
 * own error completions while that read stays kept (entries outside the
 * data area written raw, past the client library's check); KEEL_KBD_FOCUS still
 * works after them; closing the session drops the kept read, and a second
 * session behaves the same (the driver is still serving).
 */
#include <keel/service.h>

#include "kbdecho.h"
#include "keel.h"
#include <keel/pkru.h>

#define KBDECHO_QUIET_NS    100000000ull /* one look of "nothing comes" */
#define KBDECHO_QUIET_LOOKS 10 /* of them: about a second; a stale bit shortens one only */
#define KBDECHO_EV          ((uint32_t)sizeof(struct keel_kbd_event))

/* A read kept on s gets nothing for about a second: 0, or 1. */
static int probe_quiet(struct keel_session *s, uint64_t notif, uint64_t id)
{
	struct keel_ring_sqe e = {.id = id, .opcode = KEEL_KBD_READ, .len = 4 * KBDECHO_EV};
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

/*
 * Publish e bypassing the ring library's own check of offset and len (as a
 * hostile client would), followed by a KEEL_KBD_FOCUS that carries the tail
 * and the kick: two completions come, e's first. 0, or -KEEL_E*.
 */
static int probe_submit_raw(struct keel_session *s, const struct keel_ring_sqe *e)
{
	struct ring_queue *q = &s->ring.sq;
	struct keel_ring_sqe focus = {.id = e->id + 1000, .opcode = KEEL_KBD_FOCUS};

	keel_pkey_write_enable(s->pkey);
	((struct keel_ring_sqe *)q->entries)[q->next & q->mask] = *e;
	keel_pkey_write_disable(s->pkey);
	q->next++;
	return keel_session_submit(s, &focus);
}

/* Each bad request gets its own error; KEEL_KBD_FOCUS is still served. 0, or the step. */
static int probe_bad(struct keel_session *s)
{
	static const struct {
		uint32_t opcode;
		uint64_t offset;
		uint32_t len;
		int raw; /* past the client library's check (probe_submit_raw) */
		int32_t status;
	} steps[] = {
	    {99, 0, KBDECHO_EV, 0, -KEEL_EINVAL},                /* no such opcode */
	    {0, 0, KBDECHO_EV, 0, -KEEL_EINVAL},                 /* nor 0 */
	    {KEEL_KBD_READ, 0, 0, 0, -KEEL_EINVAL},              /* zero length */
	    {KEEL_KBD_READ, 0, KBDECHO_EV - 1, 0, -KEEL_EINVAL}, /* not one event */
	    {KEEL_KBD_READ, 1, KBDECHO_EV, 0, -KEEL_ERANGE},     /* misaligned */
	    /* Outside the data area: the server's ring refuses these before the driver sees them.
	     */
	    {KEEL_KBD_READ, 1ull << 20, KBDECHO_EV, 1, -KEEL_EINVAL},
	    {KEEL_KBD_READ, ~0ull - 4, KBDECHO_EV, 1, -KEEL_EINVAL}, /* wrapping */
	    {KEEL_KBD_READ, 0, 0xffffffffu, 1, -KEEL_EINVAL},
	    {KEEL_KBD_FOCUS, 0, 0, 0, 0}, /* still served */
	};
	struct keel_ring_cqe c;

	for (unsigned i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		struct keel_ring_sqe e = {.id = 100 + i,
					  .opcode = steps[i].opcode,
					  .offset = steps[i].offset,
					  .len = steps[i].len};

		if ((steps[i].raw ? probe_submit_raw(s, &e) : keel_session_submit(s, &e)) != 0 ||
		    keel_session_reap(s, &c, 1) != 0)
			return 10 + (int)i;
		if (c.id != e.id || c.status != steps[i].status || c.len != 0) {
			keel_printf("kbdecho: bad request %u: id %lu status %d len %u\n", i,
				    (unsigned long)c.id, c.status, c.len);
			return 30 + (int)i;
		}
		/* The focus behind a raw entry: served as usual. */
		if (steps[i].raw &&
		    (keel_session_reap(s, &c, 1) != 0 || c.id != e.id + 1000 || c.status != 0))
			return 50 + (int)i;
	}
	return 0;
}

int kbdecho_probe(uint64_t names, uint64_t notif)
{
	struct keel_session s;
	int64_t err = kbdecho_open(names, notif, &s);
	int step;

	if (err != 0) {
		keel_printf("kbdecho: no ps2kbd session: %s\n", keel_strerror(err));
		return 2;
	}
	if (probe_quiet(&s, notif, 1) != 0)
		return 3;
	if ((step = probe_bad(&s)) != 0)
		return step;
	if (probe_quiet(&s, notif, 2) != 0)
		return 4;
	keel_session_close(&s); /* drops the kept reads */
	if ((err = kbdecho_open(names, notif, &s)) != 0 || probe_quiet(&s, notif, 3) != 0)
		return 5;
	keel_session_close(&s);
	return 0;
}
