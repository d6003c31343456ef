/*
 * drivers-user/blkcheck/main.c: the "blk" ring protocol's test
 * (include/keel/service.h), run by the drivers KTAP case drivers_virtio_blk
 * (init/test/17.conf) on QEMU's ESP disk, which is read-only: the disk's
 * info; sector 0's boot signature; a multi-sector read equal to the
 * single-sector reads; 16 requests in flight at once; more at once than
 * the driver has slots (-KEEL_EAGAIN for the rest); every malformed
 * request of the protocol's error list answered with its exact error and a
 * good read served after each; and recovery: the driver killed through init
 * (KEEL_NAME_KILL: the app line needs `admin`) while a session is open, the
 * session's -KEEL_ECLOSED, keel_blk_reopen, sector 0 read again.
 *
 * With arg=1 on its app line it tests a writable scratch disk named "disk"
 * instead (its contents are overwritten: a test image only): the info
 * without the read-only flag, CHECK_SPAN sectors written from sector
 * CHECK_WBASE in one request, flushed, read back; then written again as
 * CHECK_SPAN one-sector writes in flight at once, read back in one request.
 *
 * Each step prints one line; the exit status is 0, or the failed step's
 * number (the KTAP case then fails with init's status).
 */
#include <keel/pkru.h>
#include <keel/service.h>

#include "blk.h"
#include "keel.h"

#define CHECK_NAME     "virtio-blk"
#define CHECK_SPAN     16 /* sectors of the multi-sector and in-flight checks */
#define CHECK_REF      0  /* data-area offsets: the reference copy */
#define CHECK_ONE      (CHECK_SPAN * KEEL_BLK_SECTOR)     /* one sector read alone */
#define CHECK_FLIGHT   (2 * CHECK_SPAN * KEEL_BLK_SECTOR) /* the in-flight reads */
#define CHECK_KILL_TRY 200
#define CHECK_NAP_NS   10000000ull
#define CHECK_WBASE    64 /* the scratch disk's first sector written */
#define CHECK_BUSY     48 /* reads at once: more than the driver's 32 slots */

static struct keel_blk b;

#define FAIL(step, ...) (keel_printf("step %d: ", step), keel_printf(__VA_ARGS__), step)

static const uint8_t *check_buf(uint64_t offset, uint64_t len)
{
	return keel_blk_buf(&b, offset, len);
}

/* Sector 0 read at offset: 0 when it ends with the boot signature. */
static int check_sector0(uint64_t offset)
{
	int64_t r = keel_blk_read(&b, 0, KEEL_BLK_SECTOR, offset);
	const uint8_t *d = check_buf(offset, KEEL_BLK_SECTOR);

	if (r != KEEL_BLK_SECTOR || !d)
		return -1;
	return d[510] == 0x55 && d[511] == 0xaa ? 0 : -1;
}

static int check_info(void)
{
	if (b.info.capacity == 0 || !(b.info.flags & KEEL_BLK_INFO_RO) ||
	    b.info.max_bytes < CHECK_SPAN * KEEL_BLK_SECTOR ||
	    b.info.max_bytes % KEEL_BLK_SECTOR != 0)
		return FAIL(2, "info: capacity %llu, max_bytes %u, flags 0x%x\n",
			    (unsigned long long)b.info.capacity, b.info.max_bytes, b.info.flags);
	keel_printf("info: %llu sectors, up to %u bytes, read-only%s\n",
		    (unsigned long long)b.info.capacity, b.info.max_bytes,
		    (b.info.flags & KEEL_BLK_INFO_CACHE) ? ", write-back cache" : "");
	if (check_sector0(CHECK_ONE) != 0)
		return FAIL(3, "sector 0 unread or without 55 aa\n");
	keel_printf("sector 0 ends 55 aa\n");
	return 0;
}

/* CHECK_SPAN sectors in one read, then each alone: the same bytes. */
static int check_multi(void)
{
	int64_t r = keel_blk_read(&b, 0, CHECK_SPAN * KEEL_BLK_SECTOR, CHECK_REF);

	if (r != CHECK_SPAN * KEEL_BLK_SECTOR)
		return FAIL(4, "a %d-sector read: %lld\n", CHECK_SPAN, (long long)r);
	for (uint64_t s = 0; s < CHECK_SPAN; s++) {
		r = keel_blk_read(&b, s, KEEL_BLK_SECTOR, CHECK_ONE);
		if (r != KEEL_BLK_SECTOR ||
		    memcmp(check_buf(CHECK_ONE, KEEL_BLK_SECTOR),
			   check_buf(CHECK_REF + s * KEEL_BLK_SECTOR, KEEL_BLK_SECTOR),
			   KEEL_BLK_SECTOR) != 0)
			return FAIL(5, "sector %llu alone (%lld) differs from the span's\n",
				    (unsigned long long)s, (long long)r);
	}
	keel_printf("a %d-sector read equals its single-sector reads\n", CHECK_SPAN);
	return 0;
}

/* CHECK_SPAN one-sector reads submitted at once, reaped in any order. */
static int check_flight(void)
{
	struct keel_ring_sqe e[CHECK_SPAN];
	struct keel_ring_cqe c[CHECK_SPAN];
	uint32_t seen = 0;
	int n = 0, r;

	for (unsigned i = 0; i < CHECK_SPAN; i++)
		e[i] = (struct keel_ring_sqe){.id = 1000 + i,
					      .opcode = KEEL_BLK_READ,
					      .len = KEEL_BLK_SECTOR,
					      .offset = CHECK_FLIGHT + i * KEEL_BLK_SECTOR,
					      .arg = i};
	r = keel_session_submit_many(&b.s, e, CHECK_SPAN);
	if (r != CHECK_SPAN)
		return FAIL(6, "16 submitted at once: %d went in\n", r);
	while (n < CHECK_SPAN) {
		r = keel_session_reap_many(&b.s, c, CHECK_SPAN, 1);
		if (r <= 0)
			return FAIL(7, "reaping the 16: %d\n", r);
		for (int k = 0; k < r; k++) {
			uint64_t i = c[k].id - 1000;

			if (i >= CHECK_SPAN || (seen & (1u << i)) || c[k].status != 0 ||
			    c[k].len != KEEL_BLK_SECTOR)
				return FAIL(8, "completion id %llu status %d len %u\n",
					    (unsigned long long)c[k].id, c[k].status, c[k].len);
			seen |= 1u << i;
		}
		n += r;
	}
	if (memcmp(check_buf(CHECK_FLIGHT, CHECK_SPAN * KEEL_BLK_SECTOR),
		   check_buf(CHECK_REF, CHECK_SPAN * KEEL_BLK_SECTOR),
		   CHECK_SPAN * KEEL_BLK_SECTOR) != 0)
		return FAIL(9, "the 16 in flight read other bytes than the span\n");
	keel_printf("16 requests in flight, all served\n");
	return 0;
}

/*
 * More reads at once than the driver has slots (32): each completes with its
 * sector or -KEEL_EAGAIN (every slot busy), some of them so, and the driver
 * serves again after.
 */
static int check_busy(void)
{
	struct keel_ring_sqe e[CHECK_BUSY];
	struct keel_ring_cqe c[CHECK_BUSY];
	unsigned busy = 0, n = 0;
	int got;

	for (unsigned i = 0; i < CHECK_BUSY; i++)
		e[i] = (struct keel_ring_sqe){.id = 4000 + i,
					      .opcode = KEEL_BLK_READ,
					      .len = KEEL_BLK_SECTOR,
					      .offset = CHECK_FLIGHT + i * KEEL_BLK_SECTOR,
					      .arg = i};
	if (keel_session_submit_many(&b.s, e, CHECK_BUSY) != CHECK_BUSY)
		return FAIL(16, "%d reads at once did not go in\n", CHECK_BUSY);
	while (n < CHECK_BUSY) {
		if ((got = keel_session_reap_many(&b.s, c, CHECK_BUSY, 1)) <= 0)
			return FAIL(17, "reaping the %d: %d\n", CHECK_BUSY, got);
		for (int k = 0; k < got; k++) {
			if (c[k].status == -KEEL_EAGAIN)
				busy++;
			else if (c[k].status != 0 || c[k].len != KEEL_BLK_SECTOR)
				return FAIL(18, "read %llu: status %d len %u\n",
					    (unsigned long long)c[k].id, c[k].status, c[k].len);
		}
		n += (unsigned)got;
	}
	if (busy == 0 || check_sector0(CHECK_ONE) != 0)
		return FAIL(19, "%u of %d busy, then sector 0 unread\n", busy, CHECK_BUSY);
	keel_printf("%d reads at once: %u served, %u told EAGAIN (slots busy), then served again\n",
		    CHECK_BUSY, CHECK_BUSY - busy, busy);
	return 0;
}

/* One raw request waited for: its completion's status. */
static int32_t check_raw(const struct keel_ring_sqe *e)
{
	struct keel_ring_cqe c;
	int r = keel_session_submit(&b.s, e);

	if (r < 0)
		return r;
	do {
		if ((r = keel_session_reap(&b.s, &c, 1)) < 0)
			return r;
	} while (c.id != e->id);
	return c.status;
}

/* The protocol's error list (service.h), in its order; a good read after each. */
static int check_malformed(void)
{
	uint32_t max = b.info.max_bytes, data = b.s.ring.data_size;
	uint64_t cap = b.info.capacity;
	const struct {
		const char *what;
		uint32_t opcode, len;
		uint64_t offset, arg;
		int32_t status;
	} bad[] = {
	    {"unknown opcode", 99, KEEL_BLK_SECTOR, 0, 0, -KEEL_EINVAL},
	    {"len 0", KEEL_BLK_READ, 0, 0, 0, -KEEL_EINVAL},
	    {"len not whole sectors", KEEL_BLK_READ, 100, 0, 0, -KEEL_EINVAL},
	    {"flush with len", KEEL_BLK_FLUSH, KEEL_BLK_SECTOR, 0, 0, -KEEL_EINVAL},
	    {"flush with arg", KEEL_BLK_FLUSH, 0, 0, 1, -KEEL_EINVAL},
	    {"info too short", KEEL_BLK_INFO, 4, 0, 0, -KEEL_EINVAL},
	    {"len above max_bytes", KEEL_BLK_READ, max + KEEL_BLK_SECTOR, 0, 0, -KEEL_E2BIG},
	    /* Refused by libkeel's submit itself (service.h): nothing reaches the driver. */
	    {"past the data area", KEEL_BLK_READ, KEEL_BLK_SECTOR, data - 256, 0, -KEEL_EINVAL},
	    {"offset wraps", KEEL_BLK_READ, KEEL_BLK_SECTOR, ~0ull - 100, 0, -KEEL_EINVAL},
	    {"sector at the capacity", KEEL_BLK_READ, KEEL_BLK_SECTOR, 0, cap, -KEEL_ERANGE},
	    {"sectors past the capacity", KEEL_BLK_READ, 2 * KEEL_BLK_SECTOR, 0, cap - 1,
	     -KEEL_ERANGE},
	    {"sector wraps", KEEL_BLK_READ, KEEL_BLK_SECTOR, 0, ~0ull, -KEEL_ERANGE},
	    {"write to a read-only disk", KEEL_BLK_WRITE, KEEL_BLK_SECTOR, 0, 0, -KEEL_EPERM},
	};

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct keel_ring_sqe e = {.id = 2000 + i,
					  .opcode = bad[i].opcode,
					  .len = bad[i].len,
					  .offset = bad[i].offset,
					  .arg = bad[i].arg};
		int32_t r = check_raw(&e);

		if (r != bad[i].status)
			return FAIL(10, "%s: %d (%s), expected %d\n", bad[i].what, r,
				    keel_strerror(r), bad[i].status);
		if (check_sector0(CHECK_ONE) != 0)
			return FAIL(11, "no good read after %s\n", bad[i].what);
	}
	keel_printf("%u malformed requests, each its error, a good read after each\n",
		    (unsigned)(sizeof(bad) / sizeof(bad[0])));
	return 0;
}

/* Ask init to kill the driver. 0 or -KEEL_E*. */
static int64_t check_kill(uint64_t names)
{
	static const char name[KEEL_NAME_MAX] = CHECK_NAME;
	struct keel_msg m;
	int64_t r;

	memset(&m, 0, sizeof(m));
	m.word[0] = KEEL_NAME_KILL;
	memcpy(&m.word[1], name, KEEL_NAME_MAX);
	m.handle = KEEL_MSG_NO_HANDLE;
	r = keel_call(names, &m);
	return r < 0 ? r : (int64_t)m.word[0];
}

/* Killed under an open session: -KEEL_ECLOSED, a reopen, sector 0 again. */
static int check_recovery(uint64_t names)
{
	int64_t r = check_kill(names), nap = keel_object_create(KEEL_OBJ_NOTIFICATION, 0);
	int tries = 0;

	if (r != 0)
		return FAIL(12, "KEEL_NAME_KILL: %s\n", keel_strerror(r));
	/* The kill is asynchronous: reads may still be served until the driver is gone. */
	while ((r = keel_blk_read(&b, 0, KEEL_BLK_SECTOR, CHECK_ONE)) == KEEL_BLK_SECTOR &&
	       ++tries < CHECK_KILL_TRY && nap >= 0)
		keel_wait((uint64_t)nap, CHECK_NAP_NS);
	if (nap >= 0)
		keel_handle_close((uint64_t)nap);
	if (r != -KEEL_ECLOSED)
		return FAIL(13, "a read after the kill: %lld, expected ECLOSED\n", (long long)r);
	if ((r = keel_blk_reopen(&b)) != 0)
		return FAIL(14, "reopen: %s\n", keel_strerror(r));
	if (check_sector0(0) != 0)
		return FAIL(15, "sector 0 after the restart\n");
	keel_printf("killed, ECLOSED, reopened, sector 0 read again\n");
	return 0;
}

/* A pattern for pass p over CHECK_SPAN sectors at offset, write-enabled where PKU is. */
static void check_fill(uint64_t offset, uint8_t p)
{
	uint8_t *d = keel_blk_buf(&b, offset, CHECK_SPAN * KEEL_BLK_SECTOR);

	keel_pkey_write_enable(b.s.pkey);
	for (unsigned i = 0; i < CHECK_SPAN * KEEL_BLK_SECTOR; i++)
		d[i] = (uint8_t)(i * 7 + p + i / KEEL_BLK_SECTOR);
	keel_pkey_write_disable(b.s.pkey);
}

/* The scratch disk: writes, a flush, reads back; writes in flight. */
static int check_writable(void)
{
	const uint32_t span = CHECK_SPAN * KEEL_BLK_SECTOR;
	struct keel_ring_sqe e[CHECK_SPAN];
	struct keel_ring_cqe c[CHECK_SPAN];
	int64_t r;
	int n = 0, got;

	if (b.info.capacity < CHECK_WBASE + CHECK_SPAN || (b.info.flags & KEEL_BLK_INFO_RO))
		return FAIL(20, "scratch disk: capacity %llu, flags 0x%x\n",
			    (unsigned long long)b.info.capacity, b.info.flags);
	check_fill(CHECK_REF, 1);
	if ((r = keel_blk_write(&b, CHECK_WBASE, span, CHECK_REF)) != span ||
	    (r = keel_blk_flush(&b)) != 0 ||
	    (r = keel_blk_read(&b, CHECK_WBASE, span, CHECK_FLIGHT)) != span ||
	    memcmp(check_buf(CHECK_REF, span), check_buf(CHECK_FLIGHT, span), span) != 0)
		return FAIL(21, "write, flush, read back: %lld or other bytes\n", (long long)r);
	keel_printf("%u bytes written, flushed and read back\n", span);
	check_fill(CHECK_REF, 2);
	for (unsigned i = 0; i < CHECK_SPAN; i++)
		e[i] = (struct keel_ring_sqe){.id = 3000 + i,
					      .opcode = KEEL_BLK_WRITE,
					      .len = KEEL_BLK_SECTOR,
					      .offset = CHECK_REF + i * KEEL_BLK_SECTOR,
					      .arg = CHECK_WBASE + i};
	if (keel_session_submit_many(&b.s, e, CHECK_SPAN) != CHECK_SPAN)
		return FAIL(22, "16 writes at once did not go in\n");
	while (n < CHECK_SPAN) {
		if ((got = keel_session_reap_many(&b.s, c, CHECK_SPAN, 1)) <= 0)
			return FAIL(23, "reaping the writes: %d\n", got);
		for (int k = 0; k < got; k++)
			if (c[k].status != 0 || c[k].len != KEEL_BLK_SECTOR)
				return FAIL(24, "write %llu: status %d len %u\n",
					    (unsigned long long)c[k].id, c[k].status, c[k].len);
		n += got;
	}
	if ((r = keel_blk_read(&b, CHECK_WBASE, span, CHECK_FLIGHT)) != span ||
	    memcmp(check_buf(CHECK_REF, span), check_buf(CHECK_FLIGHT, span), span) != 0)
		return FAIL(25, "16 writes in flight, read back: %lld or other bytes\n",
			    (long long)r);
	keel_printf("16 writes in flight, read back in one request\n");
	return 0;
}

int main(uint64_t start)
{
	const struct keel_start *sb = (const struct keel_start *)(uintptr_t)start;
	uint64_t names;
	int64_t r;
	int step;

	if (!sb || sb->magic != KEEL_START_MAGIC ||
	    sb->handle[KEEL_START_NAMES] == KEEL_MSG_NO_HANDLE)
		return 100;
	names = sb->handle[KEEL_START_NAMES];
	if (sb->arg == 1) {
		if ((r = keel_blk_open(&b, names, "disk")) != 0)
			return FAIL(1, "keel_blk_open(\"disk\"): %s\n", keel_strerror(r));
		step = check_writable();
		keel_blk_close(&b);
		if (step == 0)
			keel_printf("passed\n");
		return step;
	}
	if ((r = keel_blk_open(&b, names, CHECK_NAME)) != 0)
		return FAIL(1, "keel_blk_open(\"" CHECK_NAME "\"): %s\n", keel_strerror(r));
	if ((step = check_info()) || (step = check_multi()) || (step = check_flight()) ||
	    (step = check_busy()) || (step = check_malformed()) || (step = check_recovery(names))) {
		keel_blk_close(&b);
		return step;
	}
	keel_blk_close(&b);
	keel_printf("passed\n");
	return 0;
}
