/*
 * drivers-user/virtio-blk/blk_request.c: ring-session requests to virtio-blk
 * requests and back (blk_request.h). Pure arithmetic and checks: every
 * field of the SQ entry comes from the client, who may be hostile, so every
 * sum is done where it cannot wrap.
 */
#include <keel/syscall.h>

#include "blk_request.h"

/* The sector travels in the SQ entry's last word (blk_request.h, the proposal). */
static uint64_t blk_sqe_sector(const struct keel_ring_sqe *sqe)
{
	return sqe->arg;
}

int blk_request_plan(const struct keel_ring_sqe *sqe, uint32_t data_size,
		     const struct blk_limits *lim, struct blk_plan *p)
{
	uint64_t sector = blk_sqe_sector(sqe), count;

	*p = (struct blk_plan){0};
	if (sqe->opcode == KEEL_BLK_FLUSH) {
		if (sqe->len != 0 || sector != 0)
			return -KEEL_EINVAL; /* 5.2.6.1: a flush's sector is 0 */
		p->device = lim->flush;
		p->type = VIRTIO_BLK_T_FLUSH;
		return 0;
	}
	if (sqe->opcode == KEEL_BLK_INFO) {
		if (sqe->len < sizeof(struct keel_blk_info))
			return -KEEL_EINVAL;
		if (sqe->offset > data_size ||
		    sizeof(struct keel_blk_info) > data_size - sqe->offset)
			return -KEEL_ERANGE;
		p->info = 1;
		p->offset = sqe->offset;
		return 0;
	}
	if (sqe->opcode != KEEL_BLK_READ && sqe->opcode != KEEL_BLK_WRITE)
		return -KEEL_EINVAL;
	if (sqe->len == 0 || sqe->len % KEEL_BLK_SECTOR != 0)
		return -KEEL_EINVAL;
	if (sqe->len > lim->max_bytes)
		return -KEEL_E2BIG;
	/* offset may be any 64-bit value: compare without adding it to len. */
	if (sqe->offset > data_size || sqe->len > data_size - sqe->offset)
		return -KEEL_ERANGE;
	/* Likewise sector: [sector, sector + count) inside [0, capacity). */
	count = sqe->len / KEEL_BLK_SECTOR;
	if (sector > lim->capacity || count > lim->capacity - sector)
		return -KEEL_ERANGE;
	if (sqe->opcode == KEEL_BLK_WRITE && lim->read_only)
		return -KEEL_EPERM;
	p->device = 1;
	p->to_device = sqe->opcode == KEEL_BLK_WRITE;
	p->type = p->to_device ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN;
	p->sector = sector;
	p->len = sqe->len;
	p->offset = sqe->offset;
	return 0;
}

void blk_request_header(const struct blk_plan *p, struct virtio_blk_req_hdr *h)
{
	/* Little-endian fields stored as they are: x86-64 only (virtq.h checks). */
	h->type = p->type;
	h->reserved = 0;
	h->sector = p->sector;
}

unsigned blk_request_chain(const struct blk_plan *p, uint64_t hdr, uint64_t data, uint64_t status,
			   struct virtq_buf out[3])
{
	unsigned n = 0;

	/* Readable buffers first, then the writable ones (2.6.4.2). */
	out[n++] = (struct virtq_buf){.addr = hdr, .len = sizeof(struct virtio_blk_req_hdr)};
	if (p->len != 0)
		out[n++] =
		    (struct virtq_buf){.addr = data, .len = p->len, .device_writes = !p->to_device};
	out[n++] = (struct virtq_buf){.addr = status, .len = 1, .device_writes = 1};
	return n;
}

int blk_request_done(const struct blk_plan *p, uint8_t status, uint32_t used_len, uint32_t *len)
{
	*len = 0;
	switch (status) {
	case VIRTIO_BLK_S_OK: break;
	case VIRTIO_BLK_S_UNSUPP: return -KEEL_ENOSYS;
	default: /* VIRTIO_BLK_S_IOERR, the poison, or a value no device may send */
		return -KEEL_EIO;
	}
	/*
	 * A read succeeded only if the device says it wrote every data byte
	 * and the status (virtq_get_used already bounds used_len by the
	 * chain's writable bytes, so this is exactly len + 1). A write or a
	 * flush has only the status byte writable: nothing to check.
	 */
	if (!p->to_device && p->len != 0 && used_len != p->len + 1)
		return -KEEL_EIO;
	*len = p->len;
	return 0;
}
