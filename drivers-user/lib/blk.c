/*
 * drivers-user/lib/blk.c: libkeel's "blk" client (blk.h): a ring session on
 * a disk's service, found through init's name service, with blocking
 * one-at-a-time requests on top of keel_session_submit/reap.
 *
 * The session's notification bits: BLK_DONE_BIT (completions ready, set by
 * the driver) and BLK_GONE_BIT (the driver is gone, set by the kernel). The
 * service handle the session was opened on is ours: closed with the session.
 */
#include "blk.h"

#include "keel.h"

#define BLK_DONE_BIT     0
#define BLK_GONE_BIT     1
#define BLK_OPEN_TRIES   100 /* 1 s of tries while init has not yet seen the driver die */
#define BLK_OPEN_WAIT_NS 10000000ull

/* Close the session and its service handle, when open. */
static void blk_drop(struct keel_blk *b)
{
	uint64_t service = b->s.service;

	if (!b->open)
		return;
	keel_session_close(&b->s);
	keel_handle_close(service);
	b->open = 0;
}

/* One request waited for: its completion's len, or its -KEEL_E* status. */
static int64_t blk_do(struct keel_blk *b, uint32_t opcode, uint64_t sector, uint32_t len,
		      uint64_t offset)
{
	struct keel_ring_sqe e = {
	    .id = ++b->next_id, .opcode = opcode, .len = len, .offset = offset, .arg = sector};
	struct keel_ring_cqe c;
	int r;

	if (!b->open)
		return -KEEL_ECLOSED;
	r = keel_session_submit(&b->s, &e);
	if (r < 0)
		return r;
	/*
	 * One request in flight from these calls: any other id is a completion
	 * of a request the caller submitted on b->s itself and did not reap
	 * (blk.h), dropped here.
	 */
	do {
		r = keel_session_reap(&b->s, &c, 1);
		if (r < 0)
			return r;
	} while (c.id != e.id);
	return c.status < 0 ? (int64_t)c.status : (int64_t)c.len;
}

/*
 * Look b->name up and open a session. A driver that just died (a client
 * may see it before init does, on another CPU) is still what the name
 * gives: its endpoint answers -KEEL_ECLOSED, so look it up again a little
 * later, until init has started the new one. 0 or -KEEL_E*.
 */
static int blk_session(struct keel_blk *b)
{
	int64_t r = -KEEL_ECLOSED, nap = -1;
	uint64_t service;

	for (int i = 0; i < BLK_OPEN_TRIES && r == -KEEL_ECLOSED; i++) {
		if (i > 0) {
			if (nap < 0 && (nap = keel_object_create(KEEL_OBJ_NOTIFICATION, 0)) < 0)
				break;
			keel_wait((uint64_t)nap, BLK_OPEN_WAIT_NS);
		}
		r = keel_name_lookup(b->names, b->name, &service);
		if (r < 0)
			break;
		r = keel_session_open(&b->s, service, b->notif, BLK_DONE_BIT, BLK_GONE_BIT, 0);
		if (r < 0)
			keel_handle_close(service);
	}
	if (nap >= 0)
		keel_handle_close((uint64_t)nap);
	return (int)r;
}

/* A session (blk_session), then the disk's info. 0 or -KEEL_E*. */
static int blk_connect(struct keel_blk *b)
{
	int64_t r = blk_session(b);

	if (r < 0)
		return (int)r;
	b->open = 1;
	/* The info lands at offset 0 of the data area (blk.h: its contents are not kept). */
	r = blk_do(b, KEEL_BLK_INFO, 0, sizeof(struct keel_blk_info), 0);
	if (r >= 0 && r != sizeof(struct keel_blk_info))
		r = -KEEL_EINVAL; /* a driver that does not speak "blk" */
	if (r >= 0) {
		const struct keel_blk_info *info = keel_blk_buf(b, 0, sizeof(*info));

		if (info)
			b->info = *info;
		else
			r = -KEEL_EINVAL;
	}
	if (r < 0) {
		blk_drop(b);
		return (int)r;
	}
	return 0;
}

int keel_blk_open(struct keel_blk *b, uint64_t names, const char *name)
{
	size_t n = strlen(name);
	int64_t notif;
	int r;

	memset(b, 0, sizeof(*b));
	if (n == 0 || n > KEEL_NAME_MAX)
		return -KEEL_EINVAL;
	memcpy(b->name, name, n + 1);
	b->names = names;
	notif = keel_object_create(KEEL_OBJ_NOTIFICATION, 0);
	if (notif < 0)
		return (int)notif;
	b->notif = (uint64_t)notif;
	r = blk_connect(b);
	if (r < 0) {
		keel_handle_close(b->notif);
		b->notif = 0;
	}
	return r;
}

int keel_blk_reopen(struct keel_blk *b)
{
	if (b->notif == 0)
		return -KEEL_EINVAL; /* never opened, or closed */
	blk_drop(b);
	return blk_connect(b);
}

void *keel_blk_buf(struct keel_blk *b, uint64_t offset, uint64_t len)
{
	return b->open ? keel_session_buf(&b->s, offset, len) : NULL;
}

int64_t keel_blk_read(struct keel_blk *b, uint64_t sector, uint32_t len, uint64_t offset)
{
	return blk_do(b, KEEL_BLK_READ, sector, len, offset);
}

int64_t keel_blk_write(struct keel_blk *b, uint64_t sector, uint32_t len, uint64_t offset)
{
	return blk_do(b, KEEL_BLK_WRITE, sector, len, offset);
}

int64_t keel_blk_flush(struct keel_blk *b)
{
	return blk_do(b, KEEL_BLK_FLUSH, 0, 0, 0);
}

void keel_blk_close(struct keel_blk *b)
{
	blk_drop(b);
	if (b->notif != 0)
		keel_handle_close(b->notif);
	b->notif = 0;
}
