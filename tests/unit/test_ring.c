/*
 * tests/unit/test_ring.c: drivers-user/lib/ring.c, the shared-memory ring
 * protocol of include/keel/ring.h, on the host.
 *
 * A session's memory is one heap block of exactly ring_size() bytes, so ASan
 * catches any access outside it. Each test makes two views of it, the
 * driver's (ring_init) and the client's (ring_attach), as the two processes
 * would. The hostile cases write garbage where a misbehaving peer could (the
 * counters, the flags, the entries, the header) and expect error codes, never
 * a wrong access. The stress runs a client and a driver thread through
 * 1,000,000 requests, sleeping on host condition variables that behave like
 * Keel notifications (a sticky bit), and must finish with every request
 * answered once, in order.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <keel/ring.h>
#include <keel/syscall.h>

#include "ktest.h"
#include "ktest_rng.h"
#include "ring_api.h"

struct session {
	uint8_t *mem;
	size_t size;
	struct ring drv, cli;
};

static const char *session_open(struct session *s, uint32_t sq, uint32_t cq, uint32_t data)
{
	s->size = ring_size(sq, cq, data);
	if (s->size == 0)
		return "ring_size refused valid sizes";
	s->mem =
	    aligned_alloc(KEEL_RING_ALIGN, s->size); /* a multiple of 64: data_off is aligned */
	if (s->mem == NULL)
		return "out of host memory";
	memset(s->mem, 0xa5, s->size);
	KT_EQ(ring_init(&s->drv, s->mem, s->size, sq, cq, data), 0);
	KT_EQ(ring_attach(&s->cli, s->mem, s->size), 0);
	return NULL;
}

static struct keel_ring_header *hdr(struct session *s)
{
	return (struct keel_ring_header *)s->mem;
}

static struct keel_ring_sqe sqe(uint64_t id, uint64_t offset, uint32_t len)
{
	return (struct keel_ring_sqe){.id = id, .opcode = 7, .len = len, .offset = offset};
}

static struct keel_ring_cqe cqe(uint64_t id, int32_t status, uint32_t len)
{
	return (struct keel_ring_cqe){.id = id, .status = status, .len = len};
}

static const char *test_layout(void)
{
	struct session s;
	struct ring r;
	uint8_t *mem = aligned_alloc(64, 8192);

	KT_EQ(sizeof(struct keel_ring_header), KEEL_RING_HEADER_SIZE);
	KT_EQ(ring_size(0, 8, 4096), 0);
	KT_EQ(ring_size(8, 6, 4096), 0);
	KT_EQ(ring_size(8, 8, 4095), 0);
	KT_EQ(ring_size(8, 8, 32), 0); /* below one line */
	KT_EQ(ring_size(KEEL_RING_ENTRIES_MAX * 2, 8, 4096), 0);
	KT_EQ(ring_size(8, 8, KEEL_RING_DATA_MAX * 2u), 0);
	/* 320 header + 8 x 32 SQ = 576, + 8 x 16 CQ = 704, + 4096 data. */
	KT_EQ(ring_size(8, 8, 4096), 704 + 4096);
	KT_EQ(ring_init(&r, mem, 8192, 8, 8, 8192), -KEEL_EINVAL);     /* does not fit */
	KT_EQ(ring_init(&r, mem + 8, 4800, 8, 8, 4096), -KEEL_EINVAL); /* misaligned */
	KT_EQ(ring_init(&r, NULL, 4800, 8, 8, 4096), -KEEL_EINVAL);
	KT_EQ(ring_init(&r, mem, 8192, 8, 3, 4096), -KEEL_EINVAL);
	free(mem);

	KT_TRY(session_open(&s, 8, 16, 4096));
	KT_EQ(hdr(&s)->magic, KEEL_RING_MAGIC);
	KT_EQ(hdr(&s)->sq_off, 320);
	KT_EQ(hdr(&s)->cq_off, 576);
	KT_EQ(hdr(&s)->data_off, 832);
	KT_EQ(s.cli.sq.size, 8);
	KT_EQ(s.cli.cq.size, 16);
	KT_EQ(s.cli.data, s.mem + 832);
	KT_EQ(s.cli.data_size, 4096);
	/* ring_buf: inside, the edges, outside, overflow. */
	KT_EQ(ring_buf(&s.cli, 0, 4096), s.mem + 832);
	KT_EQ(ring_buf(&s.cli, 4096, 0), s.mem + 832 + 4096);
	KT_EQ(ring_buf(&s.cli, 4095, 2), NULL);
	KT_EQ(ring_buf(&s.cli, 4097, 0), NULL);
	KT_EQ(ring_buf(&s.cli, UINT64_MAX, 2), NULL);
	KT_EQ(ring_buf(&s.cli, 2, UINT64_MAX), NULL);
	free(s.mem);
	return NULL;
}

static const char *test_push_pop_order(void)
{
	struct session s;
	struct keel_ring_sqe e;
	struct keel_ring_cqe c;

	KT_TRY(session_open(&s, 8, 4, 4096));
	KT_EQ(ring_sq_pop(&s.drv, &e), -KEEL_EAGAIN);
	KT_EQ(ring_cq_pop(&s.cli, &c), -KEEL_EAGAIN);
	for (uint64_t i = 0; i < 8; i++) {
		struct keel_ring_sqe in = sqe(100 + i, i * 64, 64);
		KT_EQ(ring_sq_push(&s.cli, &in), 0);
	}
	struct keel_ring_sqe more = sqe(999, 0, 1);
	KT_EQ(ring_sq_push(&s.cli, &more), -KEEL_EAGAIN); /* full */
	for (uint64_t i = 0; i < 8; i++) {
		KT_EQ(ring_sq_pop(&s.drv, &e), 0);
		KT_EQ(e.id, 100 + i);
		KT_EQ(e.offset, i * 64);
		KT_EQ(e.len, 64);
		KT_EQ(e.opcode, 7);
	}
	KT_EQ(ring_sq_pop(&s.drv, &e), -KEEL_EAGAIN); /* empty */
	KT_EQ(ring_sq_push(&s.cli, &more), 0);        /* room again */
	/* The CQ the other way: 4 entries. */
	for (int i = 0; i < 4; i++) {
		struct keel_ring_cqe in = cqe(200 + i, i ? -KEEL_EAGAIN : 0, i);
		KT_EQ(ring_cq_push(&s.drv, &in), 0);
	}
	struct keel_ring_cqe cmore = cqe(1, 0, 0);
	KT_EQ(ring_cq_push(&s.drv, &cmore), -KEEL_EAGAIN);
	for (int i = 0; i < 4; i++) {
		KT_EQ(ring_cq_pop(&s.cli, &c), 0);
		KT_EQ(c.id, 200 + i);
		KT_EQ(c.status, i ? -KEEL_EAGAIN : 0);
		KT_EQ(c.len, i);
	}
	KT_EQ(ring_cq_pop(&s.cli, &c), -KEEL_EAGAIN);
	/* A side refuses to publish an entry that is out of range itself. */
	struct keel_ring_sqe bad = sqe(1, 4000, 100);
	KT_EQ(ring_sq_push(&s.cli, &bad), -KEEL_EINVAL);
	struct keel_ring_cqe cbad = cqe(1, 5, 0);
	KT_EQ(ring_cq_push(&s.drv, &cbad), -KEEL_EINVAL);
	cbad = cqe(1, 0, 4097);
	KT_EQ(ring_cq_push(&s.drv, &cbad), -KEEL_EINVAL);
	free(s.mem);
	return NULL;
}

/* Many laps of every fill level, with the counters crossing 2^32 on the way. */
static const char *test_wraparound(void)
{
	struct session s;
	uint64_t id = 0, got = 0;
	const uint32_t start = 0xffffff00u;

	KT_TRY(session_open(&s, 4, 4, 4096));
	/* As if 2^32 - 256 requests had gone through already. */
	hdr(&s)->sq_prod.tail = hdr(&s)->sq_cons.head = start;
	s.cli.sq.next = s.drv.sq.next = start;
	for (int lap = 0; lap < 100000; lap++) {
		int k = 1 + lap % 4;
		for (int i = 0; i < k; i++) {
			struct keel_ring_sqe in = sqe(id++, 0, 0);
			KT_EQ(ring_sq_push(&s.cli, &in), 0);
		}
		for (int i = 0; i < k; i++) {
			struct keel_ring_sqe e;
			KT_EQ(ring_sq_pop(&s.drv, &e), 0);
			KT_EQ(e.id, got++);
			struct keel_ring_cqe c = cqe(e.id, 0, 0);
			KT_EQ(ring_cq_push(&s.drv, &c), 0);
		}
		for (int i = 0; i < k; i++) {
			struct keel_ring_cqe c;
			KT_EQ(ring_cq_pop(&s.cli, &c), 0);
			KT_EQ(c.id, got - k + i);
		}
	}
	KT_ASSERT(s.cli.sq.next < start); /* it did wrap */
	KT_EQ(s.cli.sq.next, (uint32_t)(start + id));
	free(s.mem);
	return NULL;
}

/* The sleep protocol's two orders, one step at a time. */
static const char *test_sleep_protocol(void)
{
	struct session s;
	struct keel_ring_sqe e, in = sqe(1, 0, 0);

	KT_TRY(session_open(&s, 4, 4, 4096));
	/* Producer first: the consumer sees the entry and does not sleep. */
	KT_EQ(ring_sq_push(&s.cli, &in), 0);
	KT_EQ(ring_sq_needs_wakeup(&s.cli), 0);
	KT_EQ(ring_sq_prepare_sleep(&s.drv), 0);
	KT_EQ(hdr(&s)->sq_cons.sleeping, 0); /* the flag cleared again */
	KT_EQ(ring_sq_needs_wakeup(&s.cli), 0);
	KT_EQ(ring_sq_pop(&s.drv, &e), 0);
	/* Consumer first: it may sleep, and the next publish must signal. */
	KT_EQ(ring_sq_prepare_sleep(&s.drv), 1);
	KT_EQ(ring_sq_push(&s.cli, &in), 0);
	KT_EQ(ring_sq_needs_wakeup(&s.cli), 1);
	ring_sq_end_sleep(&s.drv);
	KT_EQ(ring_sq_needs_wakeup(&s.cli), 0);
	/* The same on the CQ. */
	KT_EQ(ring_cq_prepare_sleep(&s.cli), 1);
	struct keel_ring_cqe c = cqe(1, 0, 0);
	KT_EQ(ring_cq_push(&s.drv, &c), 0);
	KT_EQ(ring_cq_needs_wakeup(&s.drv), 1);
	ring_cq_end_sleep(&s.cli);
	KT_EQ(ring_cq_prepare_sleep(&s.cli), 0);
	KT_EQ(ring_cq_needs_wakeup(&s.drv), 0);
	free(s.mem);
	return NULL;
}

/* ring_attach on a header with one field spoiled. */
static const char *attach_fails(struct session *s, size_t at, const void *val, size_t n,
				size_t size)
{
	uint8_t saved[8];
	struct ring r;
	int got;

	memcpy(saved, s->mem + at, n);
	memcpy(s->mem + at, val, n);
	got = ring_attach(&r, s->mem, size);
	memcpy(s->mem + at, saved, n);
	if (got != -KEEL_EINVAL)
		return ktest_msg("attach with %zu bytes at %zu spoiled gave %d", n, at, got);
	return NULL;
}

#define SPOIL32(s, field, v)                                                                       \
	do {                                                                                       \
		uint32_t v_ = (v);                                                                 \
		KT_TRY(                                                                            \
		    attach_fails(s, offsetof(struct keel_ring_header, field), &v_, 4, (s)->size)); \
	} while (0)
#define SPOIL64(s, field, v)                                                                       \
	do {                                                                                       \
		uint64_t v_ = (v);                                                                 \
		KT_TRY(                                                                            \
		    attach_fails(s, offsetof(struct keel_ring_header, field), &v_, 8, (s)->size)); \
	} while (0)

static const char *test_hostile_header(void)
{
	struct session s;
	struct ring r;

	KT_TRY(session_open(&s, 8, 8, 4096));
	SPOIL64(&s, magic, 0);
	SPOIL32(&s, version, 2);
	SPOIL32(&s, header_size, 256);
	SPOIL32(&s, sq_entries, 0);
	SPOIL32(&s, sq_entries, 6);
	SPOIL32(&s, sq_entries, 16); /* valid, but the layout no longer matches */
	SPOIL32(&s, sq_entries, 1u << 31);
	SPOIL32(&s, cq_entries, 0xffffffffu);
	SPOIL32(&s, sqe_size, 16);
	SPOIL32(&s, cqe_size, 32);
	SPOIL64(&s, sq_off, 0);
	SPOIL64(&s, cq_off, 320);
	SPOIL64(&s, data_off, UINT64_MAX - 10);
	SPOIL32(&s, data_size, 8192); /* past the end of the mapping */
	SPOIL32(&s, data_size, 100);
	SPOIL32(&s, data_size, 0);
	SPOIL32(&s, sq_prod.tail, 3); /* not a new session */
	SPOIL32(&s, cq_cons.head, 1);
	/* A mapping too small for the header or for the whole layout. */
	KT_EQ(ring_attach(&r, s.mem, 100), -KEEL_EINVAL);
	KT_EQ(ring_attach(&r, s.mem, s.size - 1), -KEEL_EINVAL);
	KT_EQ(ring_attach(&r, s.mem, s.size), 0);
	/* A header changed after attach changes nothing: the view kept its copies. */
	hdr(&s)->sq_entries = 1u << 20;
	hdr(&s)->data_size = 1u << 30;
	KT_EQ(r.sq.size, 8);
	KT_EQ(ring_buf(&r, 4096, 1), NULL);
	free(s.mem);
	return NULL;
}

static const char *test_hostile_indices(void)
{
	struct session s;
	struct keel_ring_sqe e, in = sqe(1, 0, 8);
	struct keel_ring_cqe c, cin = cqe(1, 0, 0);

	/* A client that publishes more than the SQ holds: the driver's view breaks for good. */
	KT_TRY(session_open(&s, 8, 8, 4096));
	hdr(&s)->sq_prod.tail = 9;
	KT_EQ(ring_sq_pop(&s.drv, &e), -KEEL_ERANGE);
	hdr(&s)->sq_prod.tail = 1;
	KT_EQ(ring_sq_pop(&s.drv, &e), -KEEL_ERANGE); /* sticky */
	KT_EQ(ring_cq_push(&s.drv, &cin), -KEEL_ERANGE);
	KT_EQ(ring_sq_prepare_sleep(&s.drv), -KEEL_ERANGE);
	KT_EQ(ring_cq_needs_wakeup(&s.drv), -KEEL_ERANGE);
	free(s.mem);

	/* A tail that goes backwards (behind the driver's head). */
	KT_TRY(session_open(&s, 8, 8, 4096));
	KT_EQ(ring_sq_push(&s.cli, &in), 0);
	KT_EQ(ring_sq_pop(&s.drv, &e), 0);
	hdr(&s)->sq_prod.tail = 0;
	KT_EQ(ring_sq_pop(&s.drv, &e), -KEEL_ERANGE);
	free(s.mem);

	/* The same seen by prepare_sleep, which also drops its flag. */
	KT_TRY(session_open(&s, 8, 8, 4096));
	hdr(&s)->sq_prod.tail = 0x80000000u;
	KT_EQ(ring_sq_prepare_sleep(&s.drv), -KEEL_ERANGE);
	KT_EQ(hdr(&s)->sq_cons.sleeping, 0);
	free(s.mem);

	/* A client that claims to have consumed completions never published. */
	KT_TRY(session_open(&s, 8, 8, 4096));
	hdr(&s)->cq_cons.head = 1;
	KT_EQ(ring_cq_push(&s.drv, &cin), -KEEL_ERANGE);
	free(s.mem);

	/* A driver the other way: a head ahead of the SQ, a CQ tail out of range. */
	KT_TRY(session_open(&s, 8, 8, 4096));
	hdr(&s)->sq_cons.head = 5;
	KT_EQ(ring_sq_push(&s.cli, &in), -KEEL_ERANGE);
	free(s.mem);
	KT_TRY(session_open(&s, 8, 8, 4096));
	hdr(&s)->cq_prod.tail = 0xffffffffu;
	KT_EQ(ring_cq_pop(&s.cli, &c), -KEEL_ERANGE);
	KT_EQ(ring_cq_prepare_sleep(&s.cli), -KEEL_ERANGE);
	free(s.mem);

	/* The peer overwriting OUR counter changes nothing: we only write it. */
	KT_TRY(session_open(&s, 8, 8, 4096));
	KT_EQ(ring_sq_push(&s.cli, &in), 0);
	hdr(&s)->sq_prod.tail = 0x12345678u; /* a hostile driver scribbles on the client's line */
	KT_EQ(ring_sq_push(&s.cli, &in), 0);
	KT_EQ(hdr(&s)->sq_prod.tail, 2); /* rewritten from the private copy */
	KT_EQ(ring_sq_pop(&s.drv, &e), 0);
	KT_EQ(ring_sq_pop(&s.drv, &e), 0);
	KT_EQ(ring_sq_pop(&s.drv, &e), -KEEL_EAGAIN);
	/* A garbage sleep flag: any nonzero value only means "signal me". */
	hdr(&s)->sq_cons.sleeping = 0xdeadbeefu;
	KT_EQ(ring_sq_needs_wakeup(&s.cli), 1);
	free(s.mem);
	return NULL;
}

static const char *test_hostile_entries(void)
{
	struct session s;
	struct keel_ring_sqe e;
	struct keel_ring_cqe c;
	static const struct {
		uint64_t offset;
		uint32_t len;
	} bad[] = {
	    {4096, 1},       {4097, 0},           {0, 4097},       {4000, 97},
	    {UINT64_MAX, 2}, {UINT64_MAX - 1, 4}, {1ull << 32, 0}, {4095, 0xffffffffu},
	};

	KT_TRY(session_open(&s, 4, 4, 4096));
	struct keel_ring_sqe *sq = (struct keel_ring_sqe *)s.cli.sq.entries;
	for (size_t i = 0; i < KTEST_COUNT(bad); i++) {
		/* A hostile client writes the slot by hand, then a valid one after it. */
		struct keel_ring_sqe ok = sqe(1000 + i, 4032, 64);
		KT_EQ(ring_sq_push(&s.cli, &ok), 0);
		uint32_t slot = (s.cli.sq.next - 1) & s.cli.sq.mask;
		sq[slot].offset = bad[i].offset;
		sq[slot].len = bad[i].len;
		KT_EQ(ring_sq_push(&s.cli, &ok), 0);
		KT_EQ(ring_sq_pop(&s.drv, &e), -KEEL_EINVAL);
		KT_EQ(e.id, 1000 + i); /* consumed: answered by id */
		KT_EQ(e.offset, bad[i].offset);
		KT_EQ(ring_sq_pop(&s.drv, &e), 0);
		KT_EQ(e.id, 1000 + i);
		KT_EQ(e.offset, 4032);
	}
	/* Completions with a status that is not 0 or -KEEL_E*, or a length past the data. */
	struct keel_ring_cqe *cq = (struct keel_ring_cqe *)s.drv.cq.entries;
	static const int32_t bad_status[] = {1, -KEEL_ERRNO_MAX - 1, INT32_MIN, INT32_MAX};
	for (size_t i = 0; i < KTEST_COUNT(bad_status) + 1; i++) {
		struct keel_ring_cqe in = cqe(77, 0, 4096);
		KT_EQ(ring_cq_push(&s.drv, &in), 0);
		uint32_t slot = (s.drv.cq.next - 1) & s.drv.cq.mask;
		if (i < KTEST_COUNT(bad_status))
			cq[slot].status = bad_status[i];
		else
			cq[slot].len = 4097;
		KT_EQ(ring_cq_pop(&s.cli, &c), -KEEL_EINVAL);
		KT_EQ(c.id, 77);
	}
	KT_EQ(ring_cq_pop(&s.cli, &c), -KEEL_EAGAIN);
	free(s.mem);
	return NULL;
}

/*
 * Garbage anywhere a peer can write, at random, between random operations of
 * both sides: every result is one of the documented codes, every buffer an
 * accepted entry names lies in the data area (ASan checks the memset), and a
 * broken view stays broken.
 */
static const char *test_hostile_fuzz(void)
{
	struct session s;
	unsigned codes[4] = {0}; /* 0, EAGAIN, ERANGE, EINVAL */
	unsigned reopened = 0;

	ktest_rng_state = 0x41696e67ull;
	KT_TRY(session_open(&s, 8, 8, 1024));
	for (int step = 0; step < 200000; step++) {
		uint64_t op = ktest_rng_below(10);
		int got;

		if (op == 0) {
			/* Garbage: a counter, a flag, or an entry's bytes. */
			uint32_t *words[] = {&hdr(&s)->sq_prod.tail, &hdr(&s)->sq_cons.head,
					     &hdr(&s)->cq_prod.tail, &hdr(&s)->cq_cons.head,
					     &hdr(&s)->sq_cons.sleeping};
			uint64_t w = ktest_rng_below(7);
			if (w < 5) {
				*words[w] = ktest_rng_below(2)
						? (uint32_t)ktest_rng()
						: *words[w] + (uint32_t)ktest_rng_below(20) - 10;
			} else {
				uint8_t *q = w == 5 ? s.cli.sq.entries : s.cli.cq.entries;
				size_t n = w == 5 ? 8 * sizeof(struct keel_ring_sqe)
						  : 8 * sizeof(struct keel_ring_cqe);
				q[ktest_rng_below(n)] = (uint8_t)ktest_rng();
			}
			continue;
		}
		if (op < 3) {
			struct keel_ring_sqe in = sqe(step, ktest_rng_below(1024), 0);
			in.len = (uint32_t)ktest_rng_below(1024 - in.offset + 1);
			got = ring_sq_push(&s.cli, &in);
		} else if (op < 5) {
			struct keel_ring_sqe e;
			got = ring_sq_pop(&s.drv, &e);
			if (got == 0)
				memset(ring_buf(&s.drv, e.offset, e.len), 0x5a, e.len);
		} else if (op < 7) {
			struct keel_ring_cqe in =
			    cqe(step, -(int32_t)ktest_rng_below(KEEL_ERRNO_MAX + 1),
				(uint32_t)ktest_rng_below(1025));
			got = ring_cq_push(&s.drv, &in);
		} else if (op < 9) {
			struct keel_ring_cqe c;
			got = ring_cq_pop(&s.cli, &c);
			if (got == 0)
				KT_ASSERT(c.len <= 1024 && c.status <= 0 &&
					  c.status >= -KEEL_ERRNO_MAX);
		} else {
			got = ktest_rng_below(2) ? ring_sq_prepare_sleep(&s.drv)
						 : ring_cq_prepare_sleep(&s.cli);
			if (got == 1)
				got = 0;
		}
		if (got == 0)
			codes[0]++;
		else if (got == -KEEL_EAGAIN)
			codes[1]++;
		else if (got == -KEEL_ERANGE)
			codes[2]++;
		else if (got == -KEEL_EINVAL)
			codes[3]++;
		else
			return ktest_msg("step %d: result %d", step, got);
		if (s.drv.broken) {
			struct keel_ring_sqe e;
			KT_EQ(ring_sq_pop(&s.drv, &e), -KEEL_ERANGE);
		}
		/* Both views broken: a new session in the same memory. */
		if (s.drv.broken && s.cli.broken) {
			free(s.mem);
			KT_TRY(session_open(&s, 8, 8, 1024));
			reopened++;
		}
	}
	printf("# fuzz: %u ok, %u empty/full, %u broken rings, %u bad entries, %u sessions "
	       "reopened\n",
	       codes[0], codes[1], codes[2], codes[3], reopened);
	KT_ASSERT(codes[0] && codes[1] && codes[2] && codes[3] && reopened);
	free(s.mem);
	return NULL;
}

/* ---- Batches -------------------------------------------------------------------------- */

/*
 * Two sessions in lockstep, one driven by single operations, one by batches
 * of random sizes (the single side repeats its call up to the batch's size):
 * the same entries come out in the same order with the same codes,
 * including hand-written bad entries in the middle of a batch, and the
 * counters end equal.
 */
static const char *test_batch_vs_single(void)
{
	struct session a, b;
	uint64_t id = 0, cid = 0;

	ktest_rng_state = 0x62617463ull;
	KT_TRY(session_open(&a, 8, 8, 1024));
	KT_TRY(session_open(&b, 8, 8, 1024));
	for (int step = 0; step < 100000; step++) {
		uint32_t n = 1 + (uint32_t)ktest_rng_below(10); /* past the queue size too */
		int ra, rb, bad, k = 0;

		switch (ktest_rng_below(4)) {
		case 0: { /* client submits n, one of them maybe out of range */
			struct keel_ring_sqe e[10];
			for (uint32_t i = 0; i < n; i++)
				e[i] = sqe(id + i, ktest_rng_below(16) * 64, 64);
			if (ktest_rng_below(8) == 0)
				e[ktest_rng_below(n)].len = 2000;
			rb = ring_sq_push_many(&b.cli, e, n);
			for (ra = 0; (uint32_t)k < n; k++) {
				ra = ring_sq_push(&a.cli, &e[k]);
				if (ra != 0)
					break;
			}
			KT_EQ(rb, k > 0 ? k : ra);
			if (rb > 0)
				id += (uint64_t)rb;
			break;
		}
		case 1: { /* driver pops n; sometimes the client spoils a published slot first */
			struct keel_ring_sqe ea[10], eb[10];
			uint32_t pending = a.cli.sq.next - a.drv.sq.next;
			if (pending > 0 && ktest_rng_below(6) == 0) {
				uint32_t slot =
				    (a.drv.sq.next + (uint32_t)ktest_rng_below(pending)) &
				    a.drv.sq.mask;
				((struct keel_ring_sqe *)a.cli.sq.entries)[slot].offset = 5000;
				((struct keel_ring_sqe *)b.cli.sq.entries)[slot].offset = 5000;
			}
			rb = ring_sq_pop_many(&b.drv, eb, n, &bad);
			for (ra = 0; (uint32_t)k < n; k++) {
				ra = ring_sq_pop(&a.drv, &ea[k]);
				if (ra == -KEEL_EINVAL) {
					k++;
					break;
				}
				if (ra != 0)
					break;
			}
			KT_EQ(rb, k > 0 ? k : ra);
			KT_EQ(bad, ra == -KEEL_EINVAL);
			for (int i = 0; i < k; i++) {
				KT_EQ(eb[i].id, ea[i].id);
				KT_EQ(eb[i].offset, ea[i].offset);
				KT_EQ(eb[i].len, ea[i].len);
			}
			break;
		}
		case 2: { /* driver completes n */
			struct keel_ring_cqe c[10];
			for (uint32_t i = 0; i < n; i++)
				c[i] = cqe(cid + i, ktest_rng_below(2) ? 0 : -KEEL_EAGAIN, 8);
			if (ktest_rng_below(8) == 0)
				c[ktest_rng_below(n)].status = 3; /* refused */
			rb = ring_cq_push_many(&b.drv, c, n);
			for (ra = 0; (uint32_t)k < n; k++) {
				ra = ring_cq_push(&a.drv, &c[k]);
				if (ra != 0)
					break;
			}
			KT_EQ(rb, k > 0 ? k : ra);
			if (rb > 0)
				cid += (uint64_t)rb;
			break;
		}
		default: { /* client reaps n */
			struct keel_ring_cqe ca[10], cb[10];
			rb = ring_cq_pop_many(&b.cli, cb, n, &bad);
			for (ra = 0; (uint32_t)k < n; k++) {
				ra = ring_cq_pop(&a.cli, &ca[k]);
				if (ra != 0)
					break;
			}
			KT_EQ(rb, k > 0 ? k : ra);
			KT_EQ(bad, 0);
			for (int i = 0; i < k; i++) {
				KT_EQ(cb[i].id, ca[i].id);
				KT_EQ(cb[i].status, ca[i].status);
				KT_EQ(cb[i].len, ca[i].len);
			}
			break;
		}
		}
		KT_EQ(a.cli.sq.next, b.cli.sq.next);
		KT_EQ(a.drv.sq.next, b.drv.sq.next);
		KT_EQ(a.drv.cq.next, b.drv.cq.next);
		KT_EQ(a.cli.cq.next, b.cli.cq.next);
	}
	KT_ASSERT(id > 1000 && cid > 1000);
	free(a.mem);
	free(b.mem);
	return NULL;
}

/* Batches across the end of the queue and across 2^32, every size. */
static const char *test_batch_wraparound(void)
{
	struct session s;
	uint64_t id = 0, got = 0;
	const uint32_t start = 0xffffff00u;

	KT_TRY(session_open(&s, 8, 8, 4096));
	hdr(&s)->sq_prod.tail = hdr(&s)->sq_cons.head = start;
	hdr(&s)->cq_prod.tail = hdr(&s)->cq_cons.head = start;
	s.cli.sq.next = s.drv.sq.next = s.cli.sq.seen = start;
	s.cli.cq.next = s.drv.cq.next = s.drv.cq.seen = start;
	for (int lap = 0; lap < 100000; lap++) {
		uint32_t k = 1 + (uint32_t)lap % 8;
		struct keel_ring_sqe e[8];
		struct keel_ring_cqe c[8];
		int bad;

		for (uint32_t i = 0; i < k; i++)
			e[i] = sqe(id + i, i * 64, 64);
		KT_EQ(ring_sq_push_many(&s.cli, e, k), (int)k);
		id += k;
		/* Taken in two parts: the first pop may stop at any size. */
		uint32_t first = 1 + (uint32_t)lap % k;
		KT_EQ(ring_sq_pop_many(&s.drv, e, first, &bad), (int)first);
		if (first < k)
			KT_EQ(ring_sq_pop_many(&s.drv, e + first, 8, &bad), (int)(k - first));
		for (uint32_t i = 0; i < k; i++) {
			KT_EQ(e[i].id, got + i);
			KT_EQ(e[i].offset, i * 64);
			c[i] = cqe(e[i].id, 0, i);
		}
		KT_EQ(ring_cq_push_many(&s.drv, c, k), (int)k);
		KT_EQ(ring_cq_pop_many(&s.cli, c, 8, &bad), (int)k);
		KT_EQ(bad, 0);
		for (uint32_t i = 0; i < k; i++)
			KT_EQ(c[i].id, got + i);
		got += k;
	}
	KT_ASSERT(s.cli.sq.next < start); /* it did wrap */
	KT_EQ(s.cli.sq.next, (uint32_t)(start + id));
	KT_EQ(s.cli.cq.next, (uint32_t)(start + id));
	/* Full: a batch takes what fits, then nothing. */
	struct keel_ring_sqe e[10];
	for (int i = 0; i < 10; i++)
		e[i] = sqe(i, 0, 0);
	KT_EQ(ring_sq_push_many(&s.cli, e, 10), 8);
	KT_EQ(ring_sq_push_many(&s.cli, e, 10), -KEEL_EAGAIN);
	KT_EQ(ring_sq_push_many(&s.cli, e, 0), -KEEL_EINVAL);
	free(s.mem);
	return NULL;
}

/* Impossible counters and bad entries met by batches. */
static const char *test_batch_hostile(void)
{
	struct session s;
	struct keel_ring_sqe e[8], in[8];
	struct keel_ring_cqe c[8], cin[8];
	int bad;

	for (int i = 0; i < 8; i++) {
		in[i] = sqe(10 + i, 64 * i, 64);
		cin[i] = cqe(20 + i, 0, 0);
	}
	/* A tail past the queue: broken for good, whatever the batch. */
	KT_TRY(session_open(&s, 8, 8, 4096));
	hdr(&s)->sq_prod.tail = 9;
	KT_EQ(ring_sq_pop_many(&s.drv, e, 8, &bad), -KEEL_ERANGE);
	hdr(&s)->sq_prod.tail = 1;
	KT_EQ(ring_sq_pop_many(&s.drv, e, 1, &bad), -KEEL_ERANGE);
	KT_EQ(ring_cq_push_many(&s.drv, cin, 1), -KEEL_ERANGE);
	KT_EQ(ring_cq_room(&s.drv), -KEEL_ERANGE);
	free(s.mem);

	/* A tail behind the consumer (gone backwards). */
	KT_TRY(session_open(&s, 8, 8, 4096));
	KT_EQ(ring_sq_push_many(&s.cli, in, 4), 4);
	KT_EQ(ring_sq_pop_many(&s.drv, e, 8, &bad), 4);
	hdr(&s)->sq_prod.tail = 2;
	KT_EQ(ring_sq_pop_many(&s.drv, e, 8, &bad), -KEEL_ERANGE);
	free(s.mem);

	/*
	 * A head that claims more than was published: seen as soon as the
	 * producer loads it, which a batch does when the room it saw last is not
	 * enough.
	 */
	KT_TRY(session_open(&s, 8, 8, 4096));
	hdr(&s)->cq_cons.head = 3;
	KT_EQ(ring_cq_push_many(&s.drv, cin, 8), 8); /* room from the start: no load */
	hdr(&s)->cq_cons.head = 9;                   /* past the 8 published */
	KT_EQ(ring_cq_room(&s.drv), -KEEL_ERANGE);   /* full: loads it */
	KT_EQ(ring_cq_push_many(&s.drv, cin, 1), -KEEL_ERANGE);
	free(s.mem);
	KT_TRY(session_open(&s, 8, 8, 4096));
	KT_EQ(ring_sq_push_many(&s.cli, in, 8), 8);
	hdr(&s)->sq_cons.head = 0x80000000u;
	KT_EQ(ring_sq_push_many(&s.cli, in, 1), -KEEL_ERANGE);
	free(s.mem);

	/* The producer's cached head is only ever ours: a scribbled one is never read. */
	KT_TRY(session_open(&s, 8, 8, 4096));
	KT_EQ(ring_cq_push_many(&s.drv, cin, 5), 5);
	KT_EQ(ring_cq_pop_many(&s.cli, c, 5, &bad), 5);
	KT_EQ(ring_cq_push_many(&s.drv, cin, 8), 8); /* loads the head (5): room for 8 */
	KT_EQ(ring_cq_push_many(&s.drv, cin, 1), -KEEL_EAGAIN);
	KT_EQ(ring_cq_room(&s.drv), 0);
	free(s.mem);

	/*
	 * Bad entries in the middle of a batch: the batch ends with the bad one,
	 * consumed and reported, the next batch goes on after it.
	 */
	KT_TRY(session_open(&s, 8, 8, 4096));
	KT_EQ(ring_sq_push_many(&s.cli, in, 6), 6);
	struct keel_ring_sqe *sq = (struct keel_ring_sqe *)s.cli.sq.entries;
	sq[2].offset = UINT64_MAX - 1;
	sq[3].len = 0xffffffffu;
	KT_EQ(ring_sq_pop_many(&s.drv, e, 8, &bad), 3);
	KT_EQ(bad, 1);
	KT_EQ(e[2].id, 12);
	KT_EQ(e[2].offset, UINT64_MAX - 1);
	KT_EQ(ring_sq_pop_many(&s.drv, e, 8, &bad), 1);
	KT_EQ(bad, 1);
	KT_EQ(e[0].id, 13);
	KT_EQ(ring_sq_pop_many(&s.drv, e, 8, &bad), 2);
	KT_EQ(bad, 0);
	KT_EQ(e[1].id, 15);
	KT_EQ(ring_sq_pop_many(&s.drv, e, 8, &bad), -KEEL_EAGAIN);
	KT_EQ(ring_sq_pop_many(&s.drv, e, 0, &bad), -KEEL_EINVAL);
	/* Completions: a bad status or length ends the client's batch the same way. */
	KT_EQ(ring_cq_push_many(&s.drv, cin, 4), 4);
	struct keel_ring_cqe *cq = (struct keel_ring_cqe *)s.drv.cq.entries;
	cq[1].status = 7;
	cq[3].len = 4097;
	KT_EQ(ring_cq_pop_many(&s.cli, c, 8, &bad), 2);
	KT_EQ(bad, 1);
	KT_EQ(c[1].id, 21);
	KT_EQ(ring_cq_pop_many(&s.cli, c, 8, &bad), 2);
	KT_EQ(bad, 1);
	KT_EQ(c[1].len, 4097);
	/* A side's own bad entry ends its push batch before it (nothing of it is written). */
	in[1].len = 4097;
	KT_EQ(ring_sq_push_many(&s.cli, in, 4), 1);
	KT_EQ(ring_sq_push_many(&s.cli, in + 1, 3), -KEEL_EINVAL);
	in[1].len = 64;
	cin[0].status = -KEEL_ERRNO_MAX - 1;
	KT_EQ(ring_cq_push_many(&s.drv, cin, 4), -KEEL_EINVAL);
	free(s.mem);
	return NULL;
}

/*
 * The driver's batches in place (avail, take, release; room, put, publish)
 * against single pops and pushes, in lockstep as above, with spoiled slots
 * and completions out of range; then a broken tail and a hostile head.
 */
static const char *test_batch_in_place(void)
{
	struct session a, b;
	uint64_t id = 0;

	ktest_rng_state = 0x706c6163ull;
	KT_TRY(session_open(&a, 8, 8, 1024));
	KT_TRY(session_open(&b, 8, 8, 1024));
	for (int step = 0; step < 100000; step++) {
		uint32_t n = 1 + (uint32_t)ktest_rng_below(10);
		struct keel_ring_sqe ea, eb;
		struct keel_ring_cqe c[10];

		/* The client side: n requests (single pushes on both), some spoiled after. */
		for (uint32_t i = 0; i < n; i++) {
			struct keel_ring_sqe in = sqe(id, ktest_rng_below(16) * 64, 64);
			int ra = ring_sq_push(&a.cli, &in);
			KT_EQ(ring_sq_push(&b.cli, &in), ra);
			if (ra == 0)
				id++;
		}
		uint32_t pending = a.cli.sq.next - a.drv.sq.next;
		if (pending > 0 && ktest_rng_below(4) == 0) {
			uint32_t slot =
			    (a.drv.sq.next + (uint32_t)ktest_rng_below(pending)) & a.drv.sq.mask;
			((struct keel_ring_sqe *)a.cli.sq.entries)[slot].len = 4000;
			((struct keel_ring_sqe *)b.cli.sq.entries)[slot].len = 4000;
		}
		/* The driver: up to n taken and completed, the room permitting. */
		int avail = ring_sq_avail(&b.drv), room = ring_cq_room(&b.drv);
		KT_ASSERT(avail >= 0 && room >= 0);
		uint32_t k = (uint32_t)avail < n ? (uint32_t)avail : n;
		if (k > (uint32_t)room)
			k = (uint32_t)room;
		for (uint32_t i = 0; i < k; i++) {
			int rb = ring_sq_take(&b.drv, i, &eb);
			KT_EQ(ring_sq_pop(&a.drv, &ea), rb);
			KT_EQ(eb.id, ea.id);
			KT_EQ(eb.len, ea.len);
			KT_EQ(eb.offset, ea.offset);
			/* Every fifth completion out of range: refused, not written. */
			c[i] = cqe(eb.id, rb, i % 5 == 4 ? 2000 : 8);
			int pb = ring_cq_put(&b.drv, i, &c[i]);
			KT_EQ(ring_cq_push(&a.drv, &c[i]), pb);
			if (pb != 0) {
				c[i].len = 0;
				KT_EQ(ring_cq_put(&b.drv, i, &c[i]), 0);
				KT_EQ(ring_cq_push(&a.drv, &c[i]), 0);
			}
		}
		ring_sq_release(&b.drv, k);
		ring_cq_publish(&b.drv, k);
		KT_EQ(a.drv.sq.next, b.drv.sq.next);
		KT_EQ(a.drv.cq.next, b.drv.cq.next);
		/* The client reaps some: the same completions on both. */
		uint32_t reap = (uint32_t)ktest_rng_below(9);
		for (uint32_t i = 0; i < reap; i++) {
			struct keel_ring_cqe ca, cb;
			int ra = ring_cq_pop(&a.cli, &ca);
			KT_EQ(ring_cq_pop(&b.cli, &cb), ra);
			if (ra != 0)
				break;
			KT_EQ(cb.id, ca.id);
			KT_EQ(cb.status, ca.status);
			KT_EQ(cb.len, ca.len);
		}
	}
	KT_ASSERT(id > 1000);
	free(a.mem);
	free(b.mem);

	KT_TRY(session_open(&a, 8, 8, 1024));
	hdr(&a)->sq_prod.tail = 9;
	KT_EQ(ring_sq_avail(&a.drv), -KEEL_ERANGE);
	KT_EQ(ring_cq_room(&a.drv), -KEEL_ERANGE); /* sticky */
	free(a.mem);
	KT_TRY(session_open(&a, 8, 8, 1024));
	hdr(&a)->cq_cons.head = 1;
	KT_EQ(ring_cq_room(&a.drv), -KEEL_ERANGE);
	KT_EQ(ring_sq_avail(&a.drv), -KEEL_ERANGE);
	free(a.mem);
	return NULL;
}

/* ---- Two threads ---------------------------------------------------------------------- */

/* A Keel notification on the host: one sticky bit, a waiter, a count of signals. */
struct notif {
	pthread_mutex_t m;
	pthread_cond_t c;
	int bit;
	unsigned long signals, waits;
};

static void notif_signal(struct notif *n)
{
	pthread_mutex_lock(&n->m);
	n->bit = 1;
	n->signals++;
	pthread_cond_signal(&n->c);
	pthread_mutex_unlock(&n->m);
}

/* 0 once the bit was set (and clear it), -1 after 10 s: a lost wakeup. */
static int notif_wait(struct notif *n)
{
	struct timespec until;
	int r = 0;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	pthread_mutex_lock(&n->m);
	n->waits++;
	while (!n->bit && r == 0)
		r = pthread_cond_timedwait(&n->c, &n->m, &until);
	if (n->bit) {
		n->bit = 0;
		r = 0;
	}
	pthread_mutex_unlock(&n->m);
	return r ? -1 : 0;
}

#define STRESS_N    1000000u
#define STRESS_SQ   64u
#define STRESS_CQ   64u
#define STRESS_SLOT 64u /* data bytes per request: slot id % STRESS_CQ */
#define STRESS_DATA (STRESS_CQ * STRESS_SLOT)

struct stress {
	struct session s;
	struct notif to_drv, to_cli;
	uint64_t n;          /* requests to send */
	uint64_t depth;      /* at most this many in flight, 1 to STRESS_CQ */
	int batch;           /* 1: both sides use the batch operations, batches of 1 to 16 */
	const char *drv_err; /* the driver thread's failure, or NULL */
	int stop;            /* set by a failing side so that the other gives up */
};

static void *stress_driver(void *arg)
{
	struct stress *t = arg;
	struct ring *r = &t->s.drv;
	uint64_t expect = 0;

	while (expect < t->n && !__atomic_load_n(&t->stop, __ATOMIC_RELAXED)) {
		struct keel_ring_sqe es[16], e;
		struct keel_ring_cqe cs[16];
		unsigned batch = 0;
		int got, bad;

		if (t->batch) {
			/* Up to 16 at once (a batch size that changes every round). */
			got = ring_sq_pop_many(r, es, 1 + (unsigned)(expect % 16), &bad);
			for (int i = 0; i < got; i++) {
				uint64_t *buf = ring_buf(r, es[i].offset, es[i].len);
				if (bad || es[i].id != expect || es[i].len != STRESS_SLOT ||
				    buf == NULL || buf[0] != es[i].id) {
					t->drv_err = ktest_msg(
					    "driver: batch request %llu where %llu was due",
					    (unsigned long long)es[i].id,
					    (unsigned long long)expect);
					goto fail;
				}
				buf[1] = ~es[i].id;
				expect++;
				cs[i] = cqe(es[i].id, 0, 16);
			}
			if (got > 0) {
				/* Never short: at most STRESS_CQ in flight. */
				if (ring_cq_push_many(r, cs, (uint32_t)got) != got) {
					t->drv_err = "driver: the CQ took less than the batch";
					goto fail;
				}
				if (ring_cq_needs_wakeup(r) == 1)
					notif_signal(&t->to_cli);
				continue;
			}
		} else {
			while ((got = ring_sq_pop(r, &e)) == 0) {
				uint64_t *buf = ring_buf(r, e.offset, e.len);
				if (e.id != expect || e.len != STRESS_SLOT || buf == NULL ||
				    buf[0] != e.id) {
					t->drv_err = ktest_msg(
					    "driver: request %llu where %llu was due",
					    (unsigned long long)e.id, (unsigned long long)expect);
					goto fail;
				}
				buf[1] = ~e.id; /* the answer, in the request's own slot */
				expect++;
				struct keel_ring_cqe c = cqe(e.id, 0, 16);
				/* Never full: the client keeps at most STRESS_CQ requests in
				 * flight. */
				if (ring_cq_push(r, &c) != 0) {
					t->drv_err = "driver: the CQ was full";
					goto fail;
				}
				batch++;
			}
		}
		if (got != -KEEL_EAGAIN) {
			t->drv_err = ktest_msg("driver: the SQ pop gave %d", got);
			goto fail;
		}
		if (batch) {
			if (ring_cq_needs_wakeup(r) == 1)
				notif_signal(&t->to_cli);
			continue;
		}
		got = ring_sq_prepare_sleep(r);
		if (got == 1 && notif_wait(&t->to_drv) != 0) {
			t->drv_err = "driver: lost wakeup (10 s asleep with requests queued)";
			goto fail;
		}
		ring_sq_end_sleep(r);
		if (got < 0) {
			t->drv_err = "driver: ring_sq_prepare_sleep failed";
			goto fail;
		}
	}
	return NULL;
fail:
	__atomic_store_n(&t->stop, 1, __ATOMIC_RELAXED);
	notif_signal(&t->to_cli);
	return NULL;
}

static const char *stress_client(struct stress *t)
{
	struct ring *r = &t->s.cli;
	uint64_t sent = 0, done = 0;

	while (done < t->n) {
		if (__atomic_load_n(&t->stop, __ATOMIC_RELAXED))
			return "the driver stopped";
		unsigned pushed = 0, popped = 0;
		if (t->batch) {
			/* Up to 16 at once, as many as depth allows. */
			struct keel_ring_sqe es[16];
			struct keel_ring_cqe cs[16];
			unsigned k = 0, want = 1 + (unsigned)(sent % 16);
			while (k < want && sent + k < t->n && sent + k - done < t->depth) {
				uint64_t off = ((sent + k) % STRESS_CQ) * STRESS_SLOT;
				uint64_t *buf = ring_buf(r, off, STRESS_SLOT);
				buf[0] = sent + k;
				buf[1] = 0;
				es[k] = sqe(sent + k, off, STRESS_SLOT);
				k++;
			}
			int got = k ? ring_sq_push_many(r, es, k) : -KEEL_EAGAIN;
			KT_ASSERT(got > 0 || got == -KEEL_EAGAIN);
			if (got > 0) {
				sent += (unsigned)got;
				pushed = (unsigned)got;
				if (ring_sq_needs_wakeup(r) == 1)
					notif_signal(&t->to_drv);
			}
			int bad;
			got = ring_cq_pop_many(r, cs, 1 + (unsigned)(done % 16), &bad);
			KT_ASSERT(got > 0 || got == -KEEL_EAGAIN);
			KT_EQ(bad, 0);
			for (int i = 0; i < got; i++) {
				uint64_t *buf =
				    ring_buf(r, (cs[i].id % STRESS_CQ) * STRESS_SLOT, STRESS_SLOT);
				if (cs[i].id != done || cs[i].status != 0 || cs[i].len != 16 ||
				    buf[1] != ~cs[i].id)
					return ktest_msg("client: batch completion %llu where %llu "
							 "was due",
							 (unsigned long long)cs[i].id,
							 (unsigned long long)done);
				done++;
				popped++;
			}
			goto idle;
		}
		/* Submit while the SQ has room and at most depth are in flight. */
		while (sent < t->n && sent - done < t->depth) {
			uint64_t off = (sent % STRESS_CQ) * STRESS_SLOT;
			uint64_t *buf = ring_buf(r, off, STRESS_SLOT);
			buf[0] = sent;
			buf[1] = 0;
			struct keel_ring_sqe e = sqe(sent, off, STRESS_SLOT);
			int got = ring_sq_push(r, &e);
			if (got == -KEEL_EAGAIN)
				break;
			KT_EQ(got, 0);
			sent++;
			pushed++;
		}
		if (pushed && ring_sq_needs_wakeup(r) == 1)
			notif_signal(&t->to_drv);
		struct keel_ring_cqe c;
		int got;
		while ((got = ring_cq_pop(r, &c)) == 0) {
			uint64_t *buf = ring_buf(r, (c.id % STRESS_CQ) * STRESS_SLOT, STRESS_SLOT);
			if (c.id != done || c.status != 0 || c.len != 16 || buf[1] != ~c.id)
				return ktest_msg("client: completion %llu where %llu was due",
						 (unsigned long long)c.id,
						 (unsigned long long)done);
			done++;
			popped++;
		}
		KT_EQ(got, -KEEL_EAGAIN);
	idle:
		if (pushed || popped)
			continue;
		/* Nothing to do: requests are in flight, so a completion will come. */
		got = ring_cq_prepare_sleep(r);
		if (got == 1 && notif_wait(&t->to_cli) != 0)
			return "client: lost wakeup (10 s asleep with requests in flight)";
		ring_cq_end_sleep(r);
		KT_ASSERT(got >= 0);
	}
	return NULL;
}

/*
 * One run of n requests with at most `depth` in flight. Depth 1 makes both
 * sides sleep on nearly every request: the most chances for a lost wakeup.
 */
static const char *stress_run(uint64_t n, uint64_t depth, int batch)
{
	static struct stress t;
	pthread_t drv;
	const char *err;

	memset(&t, 0, sizeof(t));
	t.n = n;
	t.depth = depth;
	t.batch = batch;
	pthread_mutex_init(&t.to_drv.m, NULL);
	pthread_cond_init(&t.to_drv.c, NULL);
	pthread_mutex_init(&t.to_cli.m, NULL);
	pthread_cond_init(&t.to_cli.c, NULL);
	KT_TRY(session_open(&t.s, STRESS_SQ, STRESS_CQ, STRESS_DATA));
	KT_EQ(pthread_create(&drv, NULL, stress_driver, &t), 0);
	err = stress_client(&t);
	if (err) {
		__atomic_store_n(&t.stop, 1, __ATOMIC_RELAXED);
		notif_signal(&t.to_drv);
	}
	pthread_join(drv, NULL);
	free(t.s.mem);
	KT_TRY(err);
	KT_TRY(t.drv_err);
	KT_EQ(t.s.cli.cq.next, (uint32_t)n);
	KT_EQ(t.s.drv.sq.next, (uint32_t)n);
	printf("# %llu requests, depth %llu%s: %lu wakeups (%lu to the driver, %lu to the client), "
	       "%lu sleeps, %.4f wakeups per request\n",
	       (unsigned long long)n, (unsigned long long)depth, batch ? ", batches" : "",
	       t.to_drv.signals + t.to_cli.signals, t.to_drv.signals, t.to_cli.signals,
	       t.to_drv.waits + t.to_cli.waits,
	       (double)(t.to_drv.signals + t.to_cli.signals) / (double)n);
	return NULL;
}

static const char *test_stress_two_threads(void)
{
	KT_TRY(stress_run(STRESS_N, STRESS_CQ, 0));
	return NULL;
}

static const char *test_stress_sleepy(void)
{
	KT_TRY(stress_run(STRESS_N / 5, 1, 0));
	return NULL;
}

static const char *test_stress_batches(void)
{
	KT_TRY(stress_run(STRESS_N, STRESS_CQ, 1));
	return NULL;
}

static const char *test_stress_batches_sleepy(void)
{
	KT_TRY(stress_run(STRESS_N / 5, 3, 1));
	return NULL;
}

static const struct ktest tests[] = {
    KTEST(test_layout),
    KTEST(test_push_pop_order),
    KTEST(test_wraparound),
    KTEST(test_sleep_protocol),
    KTEST(test_hostile_header),
    KTEST(test_hostile_indices),
    KTEST(test_hostile_entries),
    KTEST(test_hostile_fuzz),
    KTEST(test_stress_two_threads),
    KTEST(test_stress_sleepy),
    KTEST(test_batch_vs_single),
    KTEST(test_batch_wraparound),
    KTEST(test_batch_hostile),
    KTEST(test_batch_in_place),
    KTEST(test_stress_batches),
    KTEST(test_stress_batches_sleepy),
};

int main(void)
{
	return ktest_main(tests, KTEST_COUNT(tests));
}
