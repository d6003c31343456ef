/*
 * drivers-user/virtio-blk/vblk_io.c: the "blk" requests of every session
 * (include/keel/service.h) on the device's one virtqueue.
 *
 * A request is checked (blk_request_plan), given a free slot, its data
 * copied into the slot's bounce buffer when it is a write (the session's
 * memory is an ordinary VMO the device cannot be given), and published; the
 * server keeps it (session.h). After each server step the driver notifies
 * the device of what was published, takes what the device finished (the
 * MSI-X message only wakes the loop: the used ring is looked at after every
 * step, so nothing depends on a message's timing), copies a read's bytes
 * back into the session and completes it. A session that ended meanwhile
 * (its client gone) is never touched: its slot's request is dropped when the
 * device is done with it, as the bounce buffer is the device's until then.
 *
 * Bounded waits: the watchdog thread wakes the loop every VBLK_TICK_NS
 * while requests are in flight; a request older than VBLK_TIMEOUT_TICKS
 * ticks means the device stopped answering. The device is then reset
 * (nothing of ours is in it after), every request in flight completes with
 * -KEEL_EIO, and so does every later one (vblk.failed): a restart of the
 * driver (init's KEEL_NAME_KILL) tries the device afresh. The same when the
 * device breaks the virtqueue's rules (virtq.h).
 */
#include <keel/pkru.h>

#include "vblk.h"

#define VBLK_TICK_NS       100000000ull /* 100 ms */
#define VBLK_TIMEOUT_TICKS 100 /* 10 s: TCG on a loaded host is slow, a dead device is not */

struct vblk vblk;

/* The watchdog's stack (a thread of its own: it only waits and signals). */
static uint8_t vblk_watchdog_stack[4096] __attribute__((aligned(16)));

static _Noreturn void vblk_watchdog(uint64_t arg)
{
	(void)arg;
	for (;;) {
		keel_wait(vblk.tick, VBLK_TICK_NS);
		if (__atomic_load_n(&vblk.stop, __ATOMIC_RELAXED))
			keel_exit(0);
		if (__atomic_load_n(&vblk.inflight, __ATOMIC_RELAXED) != 0)
			keel_signal(vblk.srv.notif, 1ull << VBLK_TICK_BIT);
	}
}

int64_t vblk_watchdog_start(void)
{
	int64_t n = keel_object_create(KEEL_OBJ_NOTIFICATION, 0), t;

	if (n < 0)
		return n;
	vblk.tick = (uint64_t)n;
	t = keel_thread_create(
	    KEEL_HANDLE_SELF, (uint64_t)(uintptr_t)vblk_watchdog,
	    (uint64_t)(uintptr_t)(vblk_watchdog_stack + sizeof(vblk_watchdog_stack)), 0);
	if (t < 0)
		return t;
	keel_handle_close((uint64_t)t); /* the thread runs on without its handle */
	return 0;
}

/* Is the slot's session still the one that sent its request? (Ids are never reused.) */
static int vblk_owner_alive(const struct vblk_slot *sl)
{
	return sl->owner->in_use && sl->owner->id == sl->gen;
}

static uint8_t *vblk_bounce(unsigned i)
{
	return vblk.bounce + (size_t)i * VBLK_MAX_BYTES;
}

int vblk_request(void *ctx, struct keel_server_session *s, const struct keel_ring_sqe *e,
		 struct keel_ring_cqe *c)
{
	struct vblk_slot *sl = NULL;
	struct virtio_blk_req_hdr *h;
	struct virtq_buf chain[3];
	struct blk_plan p;
	unsigned i, n;
	int r;

	(void)ctx;
	c->len = 0;
	r = blk_request_plan(e, s->ring.data_size, &vblk.lim, &p);
	if (r != 0) {
		c->status = r;
		return 1;
	}
	if (p.info) {
		/* In range: the plan checked offset + len against the data area. */
		struct keel_blk_info info = {vblk.lim.capacity, vblk.lim.max_bytes,
					     (vblk.lim.read_only ? KEEL_BLK_INFO_RO : 0u) |
						 (vblk.lim.flush ? KEEL_BLK_INFO_CACHE : 0u)};

		memcpy(ring_buf(&s->ring, p.offset, sizeof(info)), &info, sizeof(info));
		c->len = sizeof(info);
		return 1;
	}
	if (!p.device)
		return 1; /* a flush with no write-back cache: nothing to wait for */
	if (vblk.failed) {
		c->status = -KEEL_EIO;
		return 1;
	}
	for (i = 0; i < vblk.slots && !sl; i++)
		if (vblk.slot[i].state == VBLK_FREE)
			sl = &vblk.slot[i];
	if (!sl) {
		c->status = -KEEL_EAGAIN; /* every slot busy (service.h): submit it again later */
		return 1;
	}
	i = (unsigned)(sl - vblk.slot);
	if (p.to_device)
		vblk_copy(vblk_bounce(i), ring_buf(&s->ring, p.offset, p.len), p.len);
	h = (struct virtio_blk_req_hdr *)(void *)(vblk.ctl + VBLK_HDR_OFF + 16 * i);
	blk_request_header(&p, h);
	vblk.ctl[VBLK_STATUS_OFF + i] = BLK_STATUS_POISON;
	n = blk_request_chain(&p, vblk.ctl_phys + VBLK_HDR_OFF + 16 * i,
			      vblk.bounce_phys + (uint64_t)i * VBLK_MAX_BYTES,
			      vblk.ctl_phys + VBLK_STATUS_OFF + i, chain);
	r = virtq_add(&vblk.q, chain, n, i);
	if (r != 0) {
		/* Slots never outnumber what the queue holds: only a broken queue says no. */
		c->status = -KEEL_EIO;
		return 1;
	}
	*sl = (struct vblk_slot){.state = VBLK_DEVICE,
				 .owner = s,
				 .gen = s->id,
				 .ticks = vblk.ticks,
				 .plan = p,
				 .cqe = {.id = e->id}};
	__atomic_store_n(&vblk.inflight, vblk.inflight + 1, __ATOMIC_RELAXED);
	return 0;
}

/* The device is done with slot i (status read once, used len): its completion, or dropped. */
static void vblk_finish(unsigned i, int32_t status, uint32_t len)
{
	struct vblk_slot *sl = &vblk.slot[i];

	__atomic_store_n(&vblk.inflight, vblk.inflight - 1, __ATOMIC_RELAXED);
	if (!vblk_owner_alive(sl)) {
		sl->state = VBLK_FREE;
		return;
	}
	if (status == 0 && !sl->plan.to_device && len != 0) {
		/* The server's key is write-disabled outside libkeel's calls (session.h). */
		keel_pkey_write_enable(vblk.srv.pkey);
		vblk_copy(ring_buf(&sl->owner->ring, sl->plan.offset, len), vblk_bounce(i), len);
		keel_pkey_write_disable(vblk.srv.pkey);
	}
	sl->cqe.status = status;
	sl->cqe.len = status == 0 ? len : 0;
	sl->state = VBLK_DONE;
	vblk.done++;
}

/* virtq_reclaim's callback: a request the reset device will never finish. */
static void vblk_abandon(void *ctx, uint64_t token)
{
	(void)ctx;
	if (token < VBLK_SLOTS && vblk.slot[token].state == VBLK_DEVICE)
		vblk_finish((unsigned)token, -KEEL_EIO, 0);
}

void vblk_fail(const char *why)
{
	if (vblk.failed)
		return;
	vblk.failed = 1;
	keel_printf("%s: device reset, requests fail with EIO until a restart\n", why);
	if (vblk_reset() != 0)
		keel_printf("the device does not reset either\n");
	virtq_reclaim(&vblk.q, vblk_abandon, NULL);
}

/* Take every used entry. */
static void vblk_take_used(void)
{
	uint64_t token;
	uint32_t used;
	int r;

	while ((r = virtq_get_used(&vblk.q, &token, &used)) == 1) {
		struct vblk_slot *sl;
		uint32_t len;
		int32_t status;

		/* Tokens are slot indexes we gave: virtq only returns heads in flight. */
		sl = &vblk.slot[token];
		status = blk_request_done(
		    &sl->plan,
		    __atomic_load_n(&vblk.ctl[VBLK_STATUS_OFF + token], __ATOMIC_RELAXED), used,
		    &len);
		vblk_finish((unsigned)token, status, len);
	}
	if (r < 0)
		vblk_fail("the device broke the virtqueue's rules");
}

/* Deliver the finished slots' completions that fit. */
static void vblk_deliver(void)
{
	for (unsigned i = 0; i < vblk.slots && vblk.done; i++) {
		struct vblk_slot *sl = &vblk.slot[i];

		if (sl->state != VBLK_DONE)
			continue;
		if (vblk_owner_alive(sl) &&
		    keel_server_complete(&vblk.srv, sl->owner, &sl->cqe) == -KEEL_EAGAIN)
			continue; /* its CQ is full: again after the client reaps */
		sl->state = VBLK_FREE;
		vblk.done--;
	}
}

/* Any request older than the timeout: the device is not answering. */
static void vblk_check_age(void)
{
	vblk.ticks++;
	for (unsigned i = 0; i < vblk.slots; i++)
		if (vblk.slot[i].state == VBLK_DEVICE &&
		    vblk.ticks - vblk.slot[i].ticks > VBLK_TIMEOUT_TICKS) {
			vblk_fail("a request got no answer within 10 s");
			return;
		}
}

void vblk_io_step(uint64_t bits)
{
	if (!vblk.failed && virtq_kick_prepare(&vblk.q))
		vblk_wr16(vblk.notify, 0, 0); /* the queue's index */
	if (!vblk.failed)
		vblk_take_used();
	if (bits & (1ull << VBLK_TICK_BIT))
		vblk_check_age();
	vblk_deliver();
}
