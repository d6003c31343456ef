/*
 * drivers-user/virtio-blk/virtq.h: the driver's side of one split virtqueue
 * (Virtual I/O Device (VIRTIO) Version 1.1, 2.6 "Split Virtqueues").
 *
 * The three parts live in memory the caller gives (DMA memory in the driver,
 * a plain buffer in tests/unit/test_virtq.c), laid out by virtq_layout():
 *
 *   descriptor table  size x 16 bytes, 16-byte aligned (2.6.5)
 *   available ring    flags, idx, ring[size], used_event: 6 + 2 x size, 2-aligned (2.6.6)
 *   used ring         flags, idx, ring[size] of {id, len}, avail_event:
 *                     6 + 8 x size, 4-aligned (2.6.8)
 *
 * Every part starts on its own 64-byte line here, so the rings the driver
 * writes (descriptors, available) never share a line with the one the device
 * writes (used). All fields are little-endian (virtio 1.x): this code runs on
 * x86-64 only, so it stores them as they are (checked below).
 *
 * The device is hostile. The driver writes the descriptor table and the
 * available ring and reads them never back; its own bookkeeping (the free
 * list, which descriptors a chain holds, the caller's token) is private, in
 * struct virtq, where the device cannot reach. From the used ring it reads
 * only idx and the {id, len} entries, and checks each: an id out of range or
 * not the head of a chain in flight, a used idx more than the chains in
 * flight ahead of what was taken, a len above what the chain lets the device
 * write: the queue is then `broken` (sticky), every later call fails with
 * -KEEL_EINVAL, and nothing is freed twice. The driver then resets the device
 * (nothing is in flight after a reset, 2.1.2 / 4.1.4.3) and takes every chain
 * back with virtq_reclaim().
 *
 * Not thread-safe: one thread owns a queue.
 */
#ifndef KEEL_VIRTQ_H
#define KEEL_VIRTQ_H

#include <stddef.h>
#include <stdint.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "virtq.c stores the virtio rings' little-endian fields as they are"
#endif

/* Descriptor flags (2.6.5). */
#define VIRTQ_DESC_F_NEXT     1 /* next is valid: the chain goes on */
#define VIRTQ_DESC_F_WRITE    2 /* the device writes this buffer (else reads it) */
#define VIRTQ_DESC_F_INDIRECT 4 /* not used here (VIRTIO_F_INDIRECT_DESC not offered) */

#define VIRTQ_AVAIL_F_NO_INTERRUPT 1 /* driver to device: no interrupt wanted (2.6.7) */
#define VIRTQ_USED_F_NO_NOTIFY     1 /* device to driver: no notification wanted (2.6.10) */

/* Feature bit 29: the event-index fields (used_event, avail_event) replace the flags. */
#define VIRTIO_F_EVENT_IDX 29

/*
 * Queue sizes: a power of two (split rings, 2.6: "Queue Size ... is a power
 * of 2", at most 32768). The driver may write a smaller queue_size than the
 * device offers (4.1.4.3), so it picks at most VIRTQ_SIZE_MAX, the size of the
 * private bookkeeping arrays.
 */
#define VIRTQ_SIZE_MAX 256
#define VIRTQ_ALIGN    64

struct virtq_desc {
	uint64_t addr; /* physical (bus) address */
	uint32_t len;
	uint16_t flags; /* VIRTQ_DESC_F_* */
	uint16_t next;  /* with VIRTQ_DESC_F_NEXT */
};

struct virtq_avail {
	uint16_t flags;  /* VIRTQ_AVAIL_F_* */
	uint16_t idx;    /* free-running: where the driver puts the next entry */
	uint16_t ring[]; /* size heads, then used_event (with VIRTIO_F_EVENT_IDX) */
};

struct virtq_used_elem {
	uint32_t id;  /* the head of the chain the device is done with */
	uint32_t len; /* bytes the device wrote into the chain's writable buffers */
};

struct virtq_used {
	uint16_t flags;                /* VIRTQ_USED_F_* */
	uint16_t idx;                  /* free-running: where the device puts the next entry */
	struct virtq_used_elem ring[]; /* size entries, then avail_event (le16) */
};

_Static_assert(sizeof(struct virtq_desc) == 16, "2.6.5: 16-byte descriptors");
_Static_assert(sizeof(struct virtq_used_elem) == 8, "2.6.8: 8-byte used elements");
_Static_assert(sizeof(struct virtq_avail) == 4 && sizeof(struct virtq_used) == 4, "ring heads");

/* One buffer of a chain, as the caller gives it to virtq_add(). */
struct virtq_buf {
	uint64_t addr;     /* bus address */
	uint32_t len;      /* nonzero */
	int device_writes; /* nonzero: VIRTQ_DESC_F_WRITE (must follow every readable buffer) */
};

struct virtq {
	/* The shared parts (caller's memory), set by virtq_init. */
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	uint16_t size;     /* a power of two, 1 to VIRTQ_SIZE_MAX */
	uint8_t event_idx; /* VIRTIO_F_EVENT_IDX was negotiated */
	uint8_t broken;    /* the device broke the protocol: everything fails until virtq_reclaim */
	/* Private: the device never sees these. */
	uint16_t avail_idx; /* our copy of avail->idx (the device never writes it) */
	uint16_t kick_idx;  /* avail_idx when virtq_kick_prepare last ran */
	uint16_t last_used; /* used entries taken so far, free-running */
	uint16_t free_head; /* first free descriptor; valid while nfree > 0 */
	uint16_t nfree;     /* descriptors on the free list */
	uint16_t inflight;  /* chains published and not yet taken back */
	/*
	 * link[i]: the next descriptor after i, on the free list or in i's
	 * chain (the shared desc[i].next is a copy for the device, never read).
	 * chain_len[i]: for a head in flight, its descriptor count; 0 for any
	 * other descriptor (free, or not a head): "in flight" is chain_len != 0.
	 * wlen[i]: the bytes a head's chain lets the device write.
	 */
	uint16_t link[VIRTQ_SIZE_MAX];
	uint16_t chain_len[VIRTQ_SIZE_MAX];
	uint32_t wlen[VIRTQ_SIZE_MAX];
	uint64_t token[VIRTQ_SIZE_MAX]; /* the caller's, per head in flight */
};

/* Offsets of the three parts for `size` entries, and the total bytes (size checked by caller). */
size_t virtq_layout(uint16_t size, size_t *desc_off, size_t *avail_off, size_t *used_off);

/*
 * Set q up over `mem` (bytes, VIRTQ_ALIGN-aligned, virtq_layout's total):
 * zeroes it, every descriptor free. 0, or -KEEL_EINVAL size not a power of
 * two in 1..VIRTQ_SIZE_MAX, mem misaligned or too small.
 */
int virtq_init(struct virtq *q, void *mem, size_t bytes, uint16_t size, int event_idx);

/*
 * Put a chain of n buffers (readable ones first, then device-writable ones,
 * 2.6.4.2) in the descriptor table and publish its head in the available
 * ring, remembering `token`. The device may see it at once. 0, -KEEL_EINVAL
 * n == 0, a zero-length buffer, a readable buffer after a writable one, or a
 * broken queue; -KEEL_EAGAIN fewer than n descriptors free (nothing changed).
 */
int virtq_add(struct virtq *q, const struct virtq_buf *buf, unsigned n, uint64_t token);

/*
 * After one or more virtq_add: whether the device wants a notification
 * (write the queue's index to its notify address) for what was published
 * since the last call. Orders the available index before the read of the
 * device's suppression field (a full fence: see virtq.c).
 */
int virtq_kick_prepare(struct virtq *q);

/*
 * Take the next chain the device is done with: 1 with *token and *len (bytes
 * the device wrote), its descriptors free again; 0 nothing new; -KEEL_EINVAL
 * the device broke the protocol (the queue is broken from now on).
 */
int virtq_get_used(struct virtq *q, uint64_t *token, uint32_t *len);

/*
 * Ask for an interrupt at the next used entry (on) or for none (off): the
 * avail flags, or used_event with VIRTIO_F_EVENT_IDX. Only a hint to the
 * device (it may interrupt anyway). Turning them on returns 1 when entries
 * came meanwhile (take them: no interrupt may come for them), else 0.
 */
int virtq_interrupts(struct virtq *q, int on);

/*
 * After the device was reset (it holds nothing any more): call fn for every
 * chain still in flight, free them all, and clear `broken`. The available and
 * used rings start again from 0 (the device is set up anew after a reset).
 */
void virtq_reclaim(struct virtq *q, void (*fn)(void *ctx, uint64_t token), void *ctx);

#endif
