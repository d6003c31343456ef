/*
 * drivers-user/blkdisk/main.c: the `disk` boot scenarios' program
 * (scripts/test; init/test/30.conf and 31.conf). It works on the "disk"
 * driver, a data disk whose every word is known (disk_pattern.h), through
 * libkeel's blk client, in the data area's largest requests (the driver's
 * max_bytes, at most the data area). Its start-block arg is a set of modes,
 * run in this order:
 *
 *   BLKDISK_CHECK     read the whole disk, compare every word to the original
 *                     pattern, print the checksum (scripts/test compares it
 *                     with the image's);
 *   BLKDISK_WRITE     write the second pattern over sectors DISK_WRITE_FIRST..
 *                     + DISK_WRITE_COUNT - 1, flush, have init kill the
 *                     driver (the config line needs `admin`), reopen on the
 *                     restarted driver and read the range back: a write
 *                     acknowledged and flushed before the crash must be on
 *                     the disk after it;
 *   BLKDISK_READBACK  (the next boot) read the whole disk: the second
 *                     pattern in the range, the original around it; print
 *                     the checksum.
 *
 * Exit status 0 when everything held; else a line naming the first bad
 * sector or the failed request, and the BLKDISK_E* of the failed step.
 */
#include <keel/pkru.h>
#include <keel/service.h>

#include "blk.h"
#include "disk_pattern.h"
#include "keel.h"

#define BLKDISK_CHECK    (1u << 0)
#define BLKDISK_WRITE    (1u << 1)
#define BLKDISK_READBACK (1u << 2)
#define BLKDISK_MODES    (BLKDISK_CHECK | BLKDISK_WRITE | BLKDISK_READBACK)

#define BLKDISK_DRIVER        "disk"
#define BLKDISK_REOPEN_TRIES  100         /* a reopen may still find the killed driver's endpoint */
#define BLKDISK_REOPEN_NAP_NS 10000000ull /* between those tries: 10 ms */

enum {
	BLKDISK_EARGS = 1,     /* no name service, or no mode in the arg */
	BLKDISK_EOPEN = 2,     /* no "disk", or a disk too small for the written range */
	BLKDISK_ECHECK = 3,    /* CHECK: a read failed or a word differed */
	BLKDISK_EWRITE = 4,    /* WRITE: a write or the flush failed */
	BLKDISK_EKILL = 5,     /* WRITE: the kill or the reopen failed */
	BLKDISK_ESTAYED = 6,   /* WRITE: the range read back wrong after the restart */
	BLKDISK_EREADBACK = 7, /* READBACK: a read failed or a word differed */
};

struct blkdisk {
	struct keel_blk b;
	uint64_t names;
	uint32_t chunk; /* bytes per request: a whole number of sectors */
};

/* The sectors of one request from sector s on, at most `end` (exclusive). */
static uint32_t blkdisk_span(const struct blkdisk *d, uint64_t s, uint64_t end)
{
	uint64_t n = d->chunk / KEEL_BLK_SECTOR;

	return (uint32_t)(end - s < n ? end - s : n);
}

static int blkdisk_in_range(uint64_t sector)
{
	return sector >= DISK_WRITE_FIRST && sector < DISK_WRITE_FIRST + DISK_WRITE_COUNT;
}

/* Open "disk" and size the requests. 0, or -1 with a line saying why. */
static int blkdisk_open(struct blkdisk *d)
{
	int64_t r = keel_blk_open(&d->b, d->names, BLKDISK_DRIVER);
	uint32_t data;

	if (r != 0) {
		keel_printf("no disk \"%s\": %s\n", BLKDISK_DRIVER, keel_strerror(r));
		return -1;
	}
	data = d->b.s.ring.data_size;
	d->chunk = (d->b.info.max_bytes < data ? d->b.info.max_bytes : data) &
		   ~(uint32_t)(KEEL_BLK_SECTOR - 1);
	if (d->chunk == 0 || d->b.info.capacity < DISK_WRITE_FIRST + DISK_WRITE_COUNT) {
		keel_printf("disk of %llu sectors, requests of %u bytes at most: need %u sectors "
			    "and a sector per request\n",
			    (unsigned long long)d->b.info.capacity, d->chunk,
			    DISK_WRITE_FIRST + DISK_WRITE_COUNT);
		return -1;
	}
	return 0;
}

/*
 * Read sectors [first, end) and compare every word with the pattern (the
 * written one inside DISK_WRITE_* when `written`), folding them into *sum.
 * 0, or -1 with a line naming the failed read or the first bad sector.
 */
static int blkdisk_verify(struct blkdisk *d, uint64_t first, uint64_t end, int written,
			  uint64_t *sum)
{
	for (uint64_t s = first; s < end;) {
		uint32_t n = blkdisk_span(d, s, end), bytes = n * KEEL_BLK_SECTOR;
		int64_t r = keel_blk_read(&d->b, s, bytes, 0);
		const uint64_t *w = keel_blk_buf(&d->b, 0, bytes);

		if (r != bytes || !w) {
			keel_printf("reading sectors %llu-%llu: %s\n", (unsigned long long)s,
				    (unsigned long long)(s + n - 1),
				    r < 0 ? keel_strerror(r) : "short read");
			return -1;
		}
		for (uint32_t i = 0; i < bytes / 8; i++) {
			uint64_t o = s * KEEL_BLK_SECTOR + i * 8ull;
			int in = written && blkdisk_in_range(o / KEEL_BLK_SECTOR);
			uint64_t want = disk_pattern_expected(o, in);

			if (w[i] != want) {
				keel_printf("sector %llu, byte %u: 0x%016llx, the %s pattern is "
					    "0x%016llx\n",
					    (unsigned long long)(o / KEEL_BLK_SECTOR),
					    (unsigned)(o % KEEL_BLK_SECTOR),
					    (unsigned long long)w[i], in ? "written" : "original",
					    (unsigned long long)want);
				return -1;
			}
			*sum = disk_sum_step(*sum, w[i]);
		}
		s += n;
	}
	return 0;
}

/* The whole disk against the pattern, and its checksum printed. 0 or -1. */
static int blkdisk_verify_all(struct blkdisk *d, int written)
{
	uint64_t sum = DISK_SUM_BASIS;

	if (blkdisk_verify(d, 0, d->b.info.capacity, written, &sum) != 0)
		return -1;
	keel_printf("%llu sectors match the %s pattern, checksum 0x%016llx\n",
		    (unsigned long long)d->b.info.capacity, written ? "written" : "original",
		    (unsigned long long)sum);
	return 0;
}

/* Write the second pattern over the range and flush. 0 or -1 with a line. */
static int blkdisk_write_range(struct blkdisk *d)
{
	const uint64_t end = DISK_WRITE_FIRST + DISK_WRITE_COUNT;
	int64_t r;

	for (uint64_t s = DISK_WRITE_FIRST; s < end;) {
		uint32_t n = blkdisk_span(d, s, end), bytes = n * KEEL_BLK_SECTOR;
		uint64_t *w = keel_blk_buf(&d->b, 0, bytes);

		if (!w)
			return -1; /* cannot be: chunk fits the data area */
		/* The session memory is write-disabled outside libkeel's calls (PKU). */
		keel_pkey_write_enable(d->b.s.pkey);
		for (uint32_t i = 0; i < bytes / 8; i++)
			w[i] = disk_pattern_expected(s * KEEL_BLK_SECTOR + i * 8ull, 1);
		keel_pkey_write_disable(d->b.s.pkey);
		r = keel_blk_write(&d->b, s, bytes, 0);
		if (r != bytes) {
			keel_printf("writing sectors %llu-%llu: %s\n", (unsigned long long)s,
				    (unsigned long long)(s + n - 1),
				    r < 0 ? keel_strerror(r) : "short write");
			return -1;
		}
		s += n;
	}
	r = keel_blk_flush(&d->b);
	if (r < 0) {
		keel_printf("flush after the writes: %s\n", keel_strerror(r));
		return -1;
	}
	keel_printf("sectors %u-%llu written and flushed\n", DISK_WRITE_FIRST,
		    (unsigned long long)(end - 1));
	return 0;
}

/*
 * Have init kill the driver and open a session on its replacement. Until
 * init has seen the death, a look-up may still hand out the dead driver's
 * endpoint, whose open fails with -KEEL_ECLOSED: then try again.
 */
static int blkdisk_kill_reopen(struct blkdisk *d)
{
	int64_t r = keel_name_kill(d->names, BLKDISK_DRIVER), nap;

	if (r != 0) {
		keel_printf("killing \"%s\": %s\n", BLKDISK_DRIVER, keel_strerror(r));
		return -1;
	}
	nap = keel_object_create(KEEL_OBJ_NOTIFICATION, 0);
	if (nap < 0) {
		keel_printf("no notification to nap on: %s\n", keel_strerror(nap));
		return -1;
	}
	for (int i = 0; i < BLKDISK_REOPEN_TRIES; i++) {
		r = keel_blk_reopen(&d->b);
		if (r != -KEEL_ECLOSED)
			break;
		keel_wait((uint64_t)nap, BLKDISK_REOPEN_NAP_NS);
	}
	keel_handle_close((uint64_t)nap);
	if (r != 0) {
		keel_printf("reopening \"%s\" after the kill: %s\n", BLKDISK_DRIVER,
			    keel_strerror(r));
		return -1;
	}
	keel_printf("\"%s\" killed and restarted, session reopened\n", BLKDISK_DRIVER);
	return 0;
}

static int blkdisk_run(struct blkdisk *d, uint64_t modes)
{
	uint64_t sum = DISK_SUM_BASIS;

	if (blkdisk_open(d) != 0)
		return BLKDISK_EOPEN;
	if ((modes & BLKDISK_CHECK) && blkdisk_verify_all(d, 0) != 0)
		return BLKDISK_ECHECK;
	if (modes & BLKDISK_WRITE) {
		if (blkdisk_write_range(d) != 0)
			return BLKDISK_EWRITE;
		if (blkdisk_kill_reopen(d) != 0)
			return BLKDISK_EKILL;
		if (blkdisk_verify(d, DISK_WRITE_FIRST, DISK_WRITE_FIRST + DISK_WRITE_COUNT, 1,
				   &sum) != 0)
			return BLKDISK_ESTAYED;
		keel_printf("the written sectors read back after the restart\n");
	}
	if ((modes & BLKDISK_READBACK) && blkdisk_verify_all(d, 1) != 0)
		return BLKDISK_EREADBACK;
	return 0;
}

int main(uint64_t start)
{
	const struct keel_start *sb = (const struct keel_start *)(uintptr_t)start;
	static struct blkdisk d;
	int status;

	if (!sb || sb->magic != KEEL_START_MAGIC ||
	    sb->handle[KEEL_START_NAMES] == KEEL_MSG_NO_HANDLE) {
		keel_printf("no name service in the start block: init starts blkdisk\n");
		return BLKDISK_EARGS;
	}
	if ((sb->arg & BLKDISK_MODES) == 0 || (sb->arg & ~(uint64_t)BLKDISK_MODES)) {
		keel_printf("arg 0x%llx: want a set of CHECK (1), WRITE (2), READBACK (4)\n",
			    (unsigned long long)sb->arg);
		return BLKDISK_EARGS;
	}
	d.names = sb->handle[KEEL_START_NAMES];
	status = blkdisk_run(&d, sb->arg);
	keel_blk_close(&d.b); /* nothing to do when it was never opened */
	return status;
}
