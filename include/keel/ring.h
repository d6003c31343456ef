/*
 * include/keel/ring.h: the layout of one driver session's shared memory
 * (DESIGN.md §7, issue 6 item 2). Both sides map the same memory object; this
 * header says where everything is. The functions that use it are libkeel's
 * (drivers-user/lib/ring_api.h); the kernel never looks inside.
 *
 * Layout, from offset 0 of the memory object (every part 64-byte aligned):
 *
 *   struct keel_ring_header        KEEL_RING_HEADER_SIZE bytes
 *   submission queue (SQ)          sq_entries x struct keel_ring_sqe
 *   completion queue (CQ)          cq_entries x struct keel_ring_cqe
 *   data buffers                   data_size bytes
 *
 * sq_entries, cq_entries and data_size are powers of two; the offsets are the
 * ones keel_ring_layout() gives, and nothing else is accepted (a peer cannot
 * move the queues over each other or outside the object).
 *
 * Roles: the client produces SQ entries and consumes CQ entries; the driver
 * consumes SQ entries and produces CQ entries. Each queue has two free-running
 * 32-bit counters: `tail` (entries published, written only by the producer)
 * and `head` (entries consumed, written only by the consumer). Entry i lives
 * in slot i & (entries - 1). The queue holds tail - head entries (mod 2^32),
 * which is never more than `entries` on an honest ring. Each side keeps its
 * own counter in private memory and only ever writes it here; it reads the
 * peer's counter once per operation and checks it (the peer may be hostile).
 *
 * `sleeping` (on the consumer's line) is the consumer's "I am going to sleep"
 * flag: the producer signals the consumer's notification only when it reads it
 * nonzero after publishing. ring_api.h gives the ordering that makes this
 * lose no wakeup.
 *
 * Each counter sits on a 64-byte line of its own, with the data only its
 * writer changes: the producer's line and the consumer's line of a queue never
 * share a cache line (no false sharing between the two CPUs).
 */
#ifndef KEEL_RING_H
#define KEEL_RING_H

#include <stddef.h>
#include <stdint.h>

#define KEEL_RING_MAGIC   0x676e69726c65656bull /* "keelring", little-endian */
#define KEEL_RING_VERSION 1

#define KEEL_RING_ALIGN 64 /* of every part of the layout: one cache line */

/* Limits: counters are 32-bit, so a queue must stay far below 2^31 entries. */
#define KEEL_RING_ENTRIES_MAX (1u << 16)
#define KEEL_RING_DATA_MAX    (1u << 30)

/* The producer's line of a queue: written by the producer only. */
struct keel_ring_prod {
	uint32_t tail; /* entries published, free-running */
	uint32_t reserved[15];
};

/* The consumer's line of a queue: written by the consumer only. */
struct keel_ring_cons {
	uint32_t head;     /* entries consumed, free-running */
	uint32_t sleeping; /* nonzero: the consumer may be asleep and wants a signal */
	uint32_t reserved[14];
};

struct keel_ring_header {
	/* Written once by the creator (the driver) before it shares the object. */
	uint64_t magic;       /* KEEL_RING_MAGIC */
	uint32_t version;     /* KEEL_RING_VERSION */
	uint32_t header_size; /* sizeof(struct keel_ring_header) */
	uint32_t sq_entries;  /* a power of two, 1 to KEEL_RING_ENTRIES_MAX */
	uint32_t cq_entries;  /* a power of two, 1 to KEEL_RING_ENTRIES_MAX */
	uint32_t sqe_size;    /* sizeof(struct keel_ring_sqe) */
	uint32_t cqe_size;    /* sizeof(struct keel_ring_cqe) */
	uint64_t sq_off;      /* byte offsets from the start of the object */
	uint64_t cq_off;
	uint64_t data_off;
	uint32_t data_size; /* a power of two, KEEL_RING_ALIGN to KEEL_RING_DATA_MAX */
	uint32_t reserved;
	/* The four counters, one line each (see above). */
	struct keel_ring_prod sq_prod; /* client */
	struct keel_ring_cons sq_cons; /* driver */
	struct keel_ring_prod cq_prod; /* driver */
	struct keel_ring_cons cq_cons; /* client */
};

#define KEEL_RING_HEADER_SIZE 320

/* A request. offset and len name bytes of the data area: offset + len <= data_size. */
struct keel_ring_sqe {
	uint64_t id;     /* the client's, echoed in the completion */
	uint32_t opcode; /* the service's */
	uint32_t len;    /* bytes at offset */
	uint64_t offset; /* into the data area */
	uint64_t arg;    /* the service's (a "blk" request's first sector), else 0 */
};

/* A completion: status 0 or -KEEL_E* (include/keel/syscall.h). */
struct keel_ring_cqe {
	uint64_t id;    /* the request's */
	int32_t status; /* 0, or -1 to -KEEL_ERRNO_MAX */
	uint32_t len;   /* bytes the driver produced or consumed, <= data_size */
};

_Static_assert(sizeof(struct keel_ring_prod) == KEEL_RING_ALIGN, "one line per counter");
_Static_assert(sizeof(struct keel_ring_cons) == KEEL_RING_ALIGN, "one line per counter");
_Static_assert(offsetof(struct keel_ring_header, sq_prod) == KEEL_RING_ALIGN,
	       "the configuration fills the first line");
_Static_assert(sizeof(struct keel_ring_header) == KEEL_RING_HEADER_SIZE, "header size");
_Static_assert(sizeof(struct keel_ring_sqe) == 32, "SQ entry size");
_Static_assert(sizeof(struct keel_ring_cqe) == 16, "CQ entry size");

/* Round n up to KEEL_RING_ALIGN (n is far below 2^64 for every valid layout). */
static inline uint64_t keel_ring_align(uint64_t n)
{
	return (n + KEEL_RING_ALIGN - 1) & ~(uint64_t)(KEEL_RING_ALIGN - 1);
}

/*
 * The one layout for these sizes: the offsets of the SQ, the CQ and the data,
 * and the total size in bytes. The sizes must already be checked (powers of
 * two within the limits), so that nothing here overflows.
 */
static inline uint64_t keel_ring_layout(uint32_t sq_entries, uint32_t cq_entries,
					uint32_t data_size, uint64_t *sq_off, uint64_t *cq_off,
					uint64_t *data_off)
{
	*sq_off = KEEL_RING_HEADER_SIZE;
	*cq_off = keel_ring_align(*sq_off + (uint64_t)sq_entries * sizeof(struct keel_ring_sqe));
	*data_off = keel_ring_align(*cq_off + (uint64_t)cq_entries * sizeof(struct keel_ring_cqe));
	return *data_off + data_size;
}

#endif
