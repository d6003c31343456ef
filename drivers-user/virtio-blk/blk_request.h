/*
 * drivers-user/virtio-blk/blk_request.h: turning one ring-session request
 * (include/keel/ring.h) into a virtio-blk request (Virtual I/O Device
 * (VIRTIO) Version 1.1, 5.2 "Block Device") and its completion back.
 *
 * A virtio-blk request is one descriptor chain (5.2.6):
 *
 *   header  16 bytes, device reads: le32 type, le32 reserved, le64 sector
 *   data    len bytes: device reads (OUT) or writes (IN); absent for FLUSH
 *   status  1 byte, device writes: VIRTIO_BLK_S_*
 *
 * Sectors are always 512 bytes (5.2.6: "sector ... in 512-byte units"),
 * whatever blk_size says. The header, data and status live in the driver's
 * DMA memory (KEEL_OBJ_DMAMEM): the session's data area is an ordinary VMO
 * whose physical address is never known, so the driver copies a write's
 * bytes from the session into its bounce buffer before publishing, and a
 * read's bytes back after the completion. This file does none of that: it
 * checks the request, says what to build, and judges the result.
 *
 * The "blk" protocol itself is in include/keel/service.h.
 */
#ifndef KEEL_BLK_REQUEST_H
#define KEEL_BLK_REQUEST_H

#include <stdint.h>

#include <keel/ring.h>
#include <keel/service.h>
#include <keel/syscall.h>

#include "virtq.h"

/* Request types and status values (5.2.6). */
#define VIRTIO_BLK_T_IN     0 /* read: the device writes the data */
#define VIRTIO_BLK_T_OUT    1 /* write: the device reads the data */
#define VIRTIO_BLK_T_FLUSH  4
#define VIRTIO_BLK_S_OK     0
#define VIRTIO_BLK_S_IOERR  1
#define VIRTIO_BLK_S_UNSUPP 2
/* What the driver stores in the status byte before publishing: a device that never
 * writes it is seen (no VIRTIO_BLK_S_* value is this). */
#define BLK_STATUS_POISON   0xff

/* Feature bits (5.2.3) this file's limits come from. */
#define VIRTIO_BLK_F_SIZE_MAX 1 /* size_max: the largest single segment */
#define VIRTIO_BLK_F_RO       5 /* read-only */
#define VIRTIO_BLK_F_FLUSH    9 /* flush exists; the cache is write-back (5.2.6.3) */

/* Device configuration (5.2.4): offsets into the device structure. */
#define VIRTIO_BLK_CFG_CAPACITY 0 /* le64, 512-byte sectors */
#define VIRTIO_BLK_CFG_SIZE_MAX 8 /* le32, with VIRTIO_BLK_F_SIZE_MAX */

struct virtio_blk_req_hdr {
	uint32_t type; /* VIRTIO_BLK_T_* */
	uint32_t reserved;
	uint64_t sector;
};
_Static_assert(sizeof(struct virtio_blk_req_hdr) == 16, "5.2.6: a 16-byte header");

/* What the device and the driver allow; the driver fills it once, after feature negotiation. */
struct blk_limits {
	uint64_t capacity;  /* sectors */
	uint32_t max_bytes; /* per request: the bounce buffer, and size_max when negotiated */
	uint8_t read_only;  /* VIRTIO_BLK_F_RO */
	uint8_t flush;      /* VIRTIO_BLK_F_FLUSH negotiated (a write-back cache) */
};

/* A checked request. */
struct blk_plan {
	uint8_t info;   /* 1: KEEL_BLK_INFO: the driver writes its struct keel_blk_info at offset */
	uint8_t device; /* 1: send to the device; 0: complete at once (status 0; len 0 or info) */
	uint8_t to_device; /* data copied from the session before (write), else after (read) */
	uint32_t type;     /* VIRTIO_BLK_T_*, when device */
	uint64_t sector;
	uint32_t len;    /* data bytes: 0 for a flush */
	uint64_t offset; /* into the session's data area */
};

/*
 * Check sqe against the session's data area (data_size bytes) and the disk
 * (lim), and say what to do in *p: 0, or the -KEEL_E* to complete the request
 * with (header comment's order). A flush on a device without a write-back
 * cache (no VIRTIO_BLK_F_FLUSH: write-through, 5.2.6.3) needs no request.
 * KEEL_BLK_INFO: len at least the struct (-KEEL_EINVAL), the struct inside
 * the data area (-KEEL_ERANGE); p->info, p->offset.
 */
int blk_request_plan(const struct keel_ring_sqe *sqe, uint32_t data_size,
		     const struct blk_limits *lim, struct blk_plan *p);

/* The 16-byte header for p (into the driver's DMA memory). */
void blk_request_header(const struct blk_plan *p, struct virtio_blk_req_hdr *h);

/*
 * The chain for p, given the bus addresses of its header, data (bounce) and
 * status byte: the buffers for virtq_add, and their count (2 for a flush,
 * else 3).
 */
unsigned blk_request_chain(const struct blk_plan *p, uint64_t hdr, uint64_t data, uint64_t status,
			   struct virtq_buf out[3]);

/*
 * Judge a completion: the status byte as read once from DMA memory, and the
 * used length the virtqueue gave. 0 with *len the bytes done (len: all of
 * them), or the -KEEL_E* to complete with: -KEEL_ENOSYS unsupported;
 * -KEEL_EIO an I/O error, a status no device may send (the poison, say), or
 * a read whose used length is not the data plus the status byte (the data
 * then is not all there).
 */
int blk_request_done(const struct blk_plan *p, uint8_t status, uint32_t used_len, uint32_t *len);

#endif
