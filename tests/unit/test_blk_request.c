/*
 * tests/unit/test_blk_request.c: drivers-user/virtio-blk/blk_request.c on the
 * host: requests that are good (read, write, flush with and without a
 * write-back cache, the last sector, the end of the data area) and hostile
 * (unknown opcodes, zero and odd lengths, offsets and sectors near 2^64 that
 * would wrap a careless sum, past the capacity by one sector, above the
 * per-request limit, writes to a read-only disk), the header and chain built
 * for each kind (and accepted by virtq_add: readable before writable), and
 * the judging of completions (status values, short reads).
 */
#include <stdint.h>
#include <string.h>

#include <keel/syscall.h>

#include "../../drivers-user/virtio-blk/blk_request.h"
#include "ktest.h"

static const struct blk_limits disk = {
    .capacity = 2048, .max_bytes = 65536, .read_only = 0, .flush = 1}; /* 1 MiB */
static struct blk_plan plan;

static int plan_of(uint32_t opcode, uint64_t sector, uint32_t len, uint64_t offset,
		   const struct blk_limits *lim)
{
	const struct keel_ring_sqe sqe = {
	    .id = 1, .opcode = opcode, .len = len, .offset = offset, .arg = sector};

	return blk_request_plan(&sqe, 8192, lim, &plan);
}

static const char *test_good(void)
{
	struct virtio_blk_req_hdr h;

	KT_EQ(plan_of(KEEL_BLK_READ, 7, 1024, 4096, &disk), 0);
	KT_EQ(plan.device, 1);
	KT_EQ(plan.to_device, 0);
	KT_EQ(plan.type, VIRTIO_BLK_T_IN);
	KT_EQ(plan.sector, 7);
	KT_EQ(plan.len, 1024);
	KT_EQ(plan.offset, 4096);
	memset(&h, 0x5a, sizeof(h));
	blk_request_header(&plan, &h);
	KT_EQ(h.type, VIRTIO_BLK_T_IN);
	KT_EQ(h.reserved, 0);
	KT_EQ(h.sector, 7);
	KT_EQ(plan_of(KEEL_BLK_WRITE, 2047, 512, 8192 - 512, &disk), 0); /* both ends exactly */
	KT_EQ(plan.to_device, 1);
	KT_EQ(plan.type, VIRTIO_BLK_T_OUT);
	KT_EQ(plan_of(KEEL_BLK_READ, 0, 8192, 0, &disk), 0);
	return NULL;
}

static const char *test_flush(void)
{
	struct blk_limits through = disk;

	KT_EQ(plan_of(KEEL_BLK_FLUSH, 0, 0, 0, &disk), 0);
	KT_EQ(plan.device, 1);
	KT_EQ(plan.type, VIRTIO_BLK_T_FLUSH);
	KT_EQ(plan.len, 0);
	through.flush = 0; /* write-through: nothing to send */
	KT_EQ(plan_of(KEEL_BLK_FLUSH, 0, 0, 0, &through), 0);
	KT_EQ(plan.device, 0);
	KT_EQ(plan_of(KEEL_BLK_FLUSH, 1, 0, 0, &disk), -KEEL_EINVAL);
	KT_EQ(plan_of(KEEL_BLK_FLUSH, 0, 512, 0, &disk), -KEEL_EINVAL);
	through.read_only = 1; /* a flush is not a write */
	KT_EQ(plan_of(KEEL_BLK_FLUSH, 0, 0, 0, &through), 0);
	return NULL;
}

static const char *test_refused(void)
{
	struct blk_limits ro = disk, tiny = disk;

	KT_EQ(plan_of(0, 0, 512, 0, &disk), -KEEL_EINVAL);
	KT_EQ(plan_of(5, 0, 512, 0, &disk), -KEEL_EINVAL);
	KT_EQ(plan_of(0xffffffffu, 0, 512, 0, &disk), -KEEL_EINVAL);
	KT_EQ(plan_of(KEEL_BLK_READ, 0, 0, 0, &disk), -KEEL_EINVAL);   /* zero count */
	KT_EQ(plan_of(KEEL_BLK_READ, 0, 511, 0, &disk), -KEEL_EINVAL); /* not whole sectors */
	KT_EQ(plan_of(KEEL_BLK_WRITE, 0, 513, 0, &disk), -KEEL_EINVAL);
	KT_EQ(plan_of(KEEL_BLK_READ, 0, 0xfffffe00u, 0, &disk), -KEEL_E2BIG);
	tiny.max_bytes = 4096;
	KT_EQ(plan_of(KEEL_BLK_READ, 0, 4608, 0, &tiny), -KEEL_E2BIG);
	KT_EQ(plan_of(KEEL_BLK_READ, 0, 4096, 0, &tiny), 0);
	/* The data area is 8192 bytes. */
	KT_EQ(plan_of(KEEL_BLK_READ, 0, 512, 8192 - 511, &disk), -KEEL_ERANGE);
	KT_EQ(plan_of(KEEL_BLK_READ, 0, 512, 8192, &disk), -KEEL_ERANGE);
	KT_EQ(plan_of(KEEL_BLK_READ, 0, 512, UINT64_MAX - 100, &disk), -KEEL_ERANGE); /* wraps */
	KT_EQ(plan_of(KEEL_BLK_READ, 0, 1024, 1ull << 63, &disk), -KEEL_ERANGE);
	/* The disk has 2048 sectors. */
	KT_EQ(plan_of(KEEL_BLK_READ, 2048, 512, 0, &disk), -KEEL_ERANGE);
	KT_EQ(plan_of(KEEL_BLK_READ, 2047, 1024, 0, &disk), -KEEL_ERANGE);
	KT_EQ(plan_of(KEEL_BLK_WRITE, UINT64_MAX, 512, 0, &disk), -KEEL_ERANGE); /* wraps */
	KT_EQ(plan_of(KEEL_BLK_WRITE, UINT64_MAX - 1, 1024, 0, &disk), -KEEL_ERANGE);
	ro.read_only = 1;
	KT_EQ(plan_of(KEEL_BLK_WRITE, 0, 512, 0, &ro), -KEEL_EPERM);
	KT_EQ(plan_of(KEEL_BLK_READ, 0, 512, 0, &ro), 0);
	KT_EQ(plan_of(KEEL_BLK_WRITE, 4096, 512, 0, &ro), -KEEL_ERANGE); /* range before rights */
	return NULL;
}

/* The chains, and that a virtqueue takes each as it is (readable buffers first). */
static const char *test_chains(void)
{
	static _Alignas(64) uint8_t mem[4096];
	struct virtq q;
	struct virtq_buf b[3];

	KT_EQ(virtq_init(&q, mem, sizeof(mem), 16, 0), 0);
	KT_EQ(plan_of(KEEL_BLK_READ, 1, 2048, 0, &disk), 0);
	KT_EQ(blk_request_chain(&plan, 0x100, 0x1000, 0x110, b), 3);
	KT_EQ(b[0].addr, 0x100);
	KT_EQ(b[0].len, 16);
	KT_EQ(b[0].device_writes, 0);
	KT_EQ(b[1].addr, 0x1000);
	KT_EQ(b[1].len, 2048);
	KT_EQ(b[1].device_writes, 1);
	KT_EQ(b[2].addr, 0x110);
	KT_EQ(b[2].len, 1);
	KT_EQ(b[2].device_writes, 1);
	KT_EQ(virtq_add(&q, b, 3, 1), 0);
	KT_EQ(plan_of(KEEL_BLK_WRITE, 1, 512, 0, &disk), 0);
	KT_EQ(blk_request_chain(&plan, 0x100, 0x1000, 0x110, b), 3);
	KT_EQ(b[1].device_writes, 0);
	KT_EQ(virtq_add(&q, b, 3, 2), 0);
	KT_EQ(plan_of(KEEL_BLK_FLUSH, 0, 0, 0, &disk), 0);
	KT_EQ(blk_request_chain(&plan, 0x100, 0x1000, 0x110, b), 2);
	KT_EQ(b[0].len, 16);
	KT_EQ(b[1].addr, 0x110);
	KT_EQ(b[1].device_writes, 1);
	KT_EQ(virtq_add(&q, b, 2, 3), 0);
	KT_EQ(q.nfree, 16 - 8);
	return NULL;
}

static const char *test_done(void)
{
	uint32_t len = 99;

	KT_EQ(plan_of(KEEL_BLK_READ, 1, 1024, 0, &disk), 0);
	KT_EQ(blk_request_done(&plan, VIRTIO_BLK_S_OK, 1025, &len), 0);
	KT_EQ(len, 1024);
	KT_EQ(blk_request_done(&plan, VIRTIO_BLK_S_OK, 1024, &len), -KEEL_EIO); /* short read */
	KT_EQ(len, 0);
	KT_EQ(blk_request_done(&plan, VIRTIO_BLK_S_OK, 1, &len), -KEEL_EIO);
	KT_EQ(blk_request_done(&plan, VIRTIO_BLK_S_IOERR, 1025, &len), -KEEL_EIO);
	KT_EQ(blk_request_done(&plan, VIRTIO_BLK_S_UNSUPP, 1, &len), -KEEL_ENOSYS);
	KT_EQ(blk_request_done(&plan, BLK_STATUS_POISON, 1025, &len), -KEEL_EIO);
	KT_EQ(blk_request_done(&plan, 3, 1025, &len), -KEEL_EIO);
	KT_EQ(plan_of(KEEL_BLK_WRITE, 1, 1024, 0, &disk), 0);
	KT_EQ(blk_request_done(&plan, VIRTIO_BLK_S_OK, 1, &len), 0);
	KT_EQ(len, 1024);
	KT_EQ(plan_of(KEEL_BLK_FLUSH, 0, 0, 0, &disk), 0);
	KT_EQ(blk_request_done(&plan, VIRTIO_BLK_S_OK, 1, &len), 0);
	KT_EQ(len, 0);
	KT_EQ(blk_request_done(&plan, VIRTIO_BLK_S_IOERR, 1, &len), -KEEL_EIO);
	return NULL;
}

/* KEEL_BLK_INFO: answered by the driver, never sent; its struct inside the data area. */
static const char *test_info(void)
{
	const uint32_t n = sizeof(struct keel_blk_info);

	KT_EQ(plan_of(KEEL_BLK_INFO, 0, n, 8192 - n, &disk), 0);
	KT_EQ(plan.info, 1);
	KT_EQ(plan.device, 0);
	KT_EQ(plan.offset, 8192 - n);
	KT_EQ(plan_of(KEEL_BLK_INFO, 0, 4096, 0, &disk), 0); /* len may be larger */
	KT_EQ(plan_of(KEEL_BLK_INFO, 0, n - 1, 0, &disk), -KEEL_EINVAL);
	KT_EQ(plan_of(KEEL_BLK_INFO, 0, n, 8192 - n + 1, &disk), -KEEL_ERANGE);
	KT_EQ(plan_of(KEEL_BLK_INFO, 0, n, UINT64_MAX - 4, &disk), -KEEL_ERANGE); /* wraps */
	KT_EQ(plan_of(KEEL_BLK_READ, 0, 512, 0, &disk), 0);
	KT_EQ(plan.info, 0);
	return NULL;
}

static const struct ktest tests[] = {
    KTEST(test_good),   KTEST(test_flush), KTEST(test_refused),
    KTEST(test_chains), KTEST(test_done),  KTEST(test_info),
};

int main(void)
{
	return ktest_main(tests, KTEST_COUNT(tests));
}
