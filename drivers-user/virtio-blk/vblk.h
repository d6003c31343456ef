/*
 * drivers-user/virtio-blk/vblk.h: the virtio-blk driver's state, shared by
 * its bring-up (main.c) and its request path (vblk_io.c).
 *
 * DMA memory (KEEL_OBJ_DMAMEM, physically contiguous, the only memory the
 * device is given): `ctl`, the virtqueue (pages 0-1) and per-slot request
 * headers and status bytes (page 2); `bounce`, VBLK_SLOTS buffers of
 * VBLK_MAX_BYTES, one per slot. A slot is one request in flight on the
 * device: its header, its status byte and its bounce buffer are its own,
 * and its index is the virtqueue token.
 *
 * One thread runs everything here; the watchdog thread (vblk_io.c) only
 * reads `inflight` and signals the server's notification.
 */
#ifndef KEEL_VBLK_H
#define KEEL_VBLK_H

#include <stdint.h>

#include "blk_request.h"
#include "keel.h"
#include "session.h"
#include "virtio_pci_caps.h"
#include "virtq.h"

#define VBLK_QSIZE_MAX  128   /* descriptors asked for at most (the device may offer more) */
#define VBLK_SLOTS      32    /* requests in flight at most (each takes 2-3 descriptors) */
#define VBLK_MAX_BYTES  16384 /* a request's data at most: its bounce buffer */
#define VBLK_CTL_BYTES  (3 * KEEL_PAGE_SIZE)
#define VBLK_HDR_OFF    (2 * KEEL_PAGE_SIZE)             /* slot i's header at + 16 i */
#define VBLK_STATUS_OFF (VBLK_HDR_OFF + 16 * VBLK_SLOTS) /* slot i's status byte at + i */
#define VBLK_IRQ_BIT    0 /* the MSI-X message's bit on the server's notification */
#define VBLK_TICK_BIT   1 /* the watchdog's: requests are in flight, look at their age */

_Static_assert(KEEL_BLK_SECTOR % 8 == 0, "vblk_copy moves quadwords");
_Static_assert(VBLK_STATUS_OFF + VBLK_SLOTS <= VBLK_CTL_BYTES, "headers and status in page 2");
_Static_assert((uint64_t)VBLK_SLOTS *VBLK_MAX_BYTES <= KEEL_DMAMEM_MAX, "one bounce object");

enum vblk_slot_state {
	VBLK_FREE,
	VBLK_DEVICE, /* on the virtqueue */
	VBLK_DONE,   /* finished; its completion did not fit in a full CQ yet */
};

struct vblk_slot {
	enum vblk_slot_state state;
	struct keel_server_session *owner;
	uint64_t gen;   /* owner->id when submitted: the session is still the same one */
	uint64_t ticks; /* vblk.ticks when submitted */
	struct blk_plan plan;
	struct keel_ring_cqe cqe; /* VBLK_DONE: the completion to deliver */
};

struct vblk {
	uint64_t pci, index;                 /* the pci service, the function's index there */
	volatile uint8_t *bar[PCI_BARS_MAX]; /* mapped memory BARs, NULL others */
	uint64_t bar_size[PCI_BARS_MAX];     /* for virtio_pci_caps_find: 0 unusable */
	struct virtio_pci_caps caps;
	volatile uint8_t *common, *device, *notify;
	uint8_t *ctl, *bounce;
	uint64_t ctl_phys, bounce_phys;
	uint64_t msi;  /* the MSI interrupt handle */
	uint64_t tick; /* the watchdog's own notification (it sleeps on it) */
	struct virtq q;
	struct blk_limits lim;
	unsigned slots;    /* usable: at most VBLK_SLOTS, and what the queue holds */
	int failed;        /* the device broke or stopped answering: every request -KEEL_EIO */
	uint32_t inflight; /* slots in VBLK_DEVICE (the watchdog reads it) */
	uint64_t ticks;    /* watchdog ticks seen */
	int stop;          /* the driver is ending: the watchdog too (vblk_io.c) */
	unsigned done;     /* slots in VBLK_DONE */
	struct vblk_slot slot[VBLK_SLOTS];
	struct keel_server srv;
};

extern struct vblk vblk;

/* Device registers: uncached MMIO, each access exactly once. */
static inline uint8_t vblk_rd8(volatile uint8_t *b, unsigned off)
{
	return *(volatile uint8_t *)(b + off);
}
static inline uint16_t vblk_rd16(volatile uint8_t *b, unsigned off)
{
	return *(volatile uint16_t *)(b + off);
}
static inline uint32_t vblk_rd32(volatile uint8_t *b, unsigned off)
{
	return *(volatile uint32_t *)(b + off);
}
static inline void vblk_wr8(volatile uint8_t *b, unsigned off, uint8_t v)
{
	*(volatile uint8_t *)(b + off) = v;
}
static inline void vblk_wr16(volatile uint8_t *b, unsigned off, uint16_t v)
{
	*(volatile uint16_t *)(b + off) = v;
}
static inline void vblk_wr32(volatile uint8_t *b, unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(b + off) = v;
}

/*
 * Copy a request's data between a session and a bounce buffer: whole
 * sectors, so whole quadwords, with one `rep movsq` (libkeel's memcpy is a
 * byte loop, eight times the instructions for what is the driver's main
 * cost per request).
 */
static inline void vblk_copy(void *dst, const void *src, uint32_t len)
{
	uint64_t n = len / 8;

	__asm__ volatile("rep movsq" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
}

/* main.c: reset the device (it holds no request and does no DMA after): 0 or -KEEL_ETIMEDOUT. */
int64_t vblk_reset(void);

/* vblk_io.c: the server's request function (session.h). */
int vblk_request(void *ctx, struct keel_server_session *s, const struct keel_ring_sqe *e,
		 struct keel_ring_cqe *c);

/* vblk_io.c: after each server step: publish new requests, take finished ones, deliver. */
void vblk_io_step(uint64_t bits);

/* vblk_io.c: start the watchdog thread (it ends within a tick of vblk.stop). 0 or -KEEL_E*. */
int64_t vblk_watchdog_start(void);

/* vblk_io.c: the device is unusable (said why): reset, every request in flight -KEEL_EIO. */
void vblk_fail(const char *why);

#endif
