/*
 * drivers-user/blkbench/main.c: make bench's virtio-blk figures (init's
 * etc/bench-blk.conf, after etc/bench.conf: nothing else runs meanwhile),
 * on the ESP disk of the bench boot, served by the driver "disk":
 *   blk_read_4k_qd1_instr   one 4 KiB read submitted and its completion
 *                           reaped (blocking), alone in flight: median
 *   blk_read_4k_qd16_instr  per 4 KiB read with 16 in flight, steady state
 *                           (reap what came, submit as many again): the
 *                           median over windows of 16 or more completions
 *   blk_restart_instr       KEEL_NAME_KILL of the driver to the first read
 *                           its replacement serves (the session's
 *                           -KEEL_ECLOSED, keel_blk_reopen, the read): median
 * Instructions run (keel_work_ticks: under -icount the TSC, less the ticks
 * the CPU sat halted). Halted time is left out because QEMU completes a
 * read in host time and, with sleep=off, moves the clock on to the next
 * timer deadline while the CPU halts: that jump depends on the host, not on
 * Keel. Medians keep out the odd sample with a timer interrupt in it.
 */
#include <keel/service.h>

#include "blk.h"
#include "keel.h"

#define BB_NAME       "disk"
#define BB_LEN        4096
#define BB_WARMUP     50
#define BB_QD1_N      501
#define BB_QD         16
#define BB_RESTARTS   5
#define BB_SPAN       2048 /* sectors read over (1 MiB), in 4 KiB steps */
#define BB_KILL_TRIES 100000

static struct keel_blk b;
static uint64_t bb_samples[BB_QD1_N];

static uint64_t bb_overhead(void)
{
	for (size_t i = 0; i < BB_QD1_N; i++) {
		uint64_t t0 = keel_work_ticks();

		bb_samples[i] = keel_work_ticks() - t0;
	}
	return keel_median(bb_samples, BB_QD1_N);
}

static uint64_t bb_sector(uint64_t i)
{
	return (i * (BB_LEN / KEEL_BLK_SECTOR)) % BB_SPAN;
}

static int bb_qd1(uint64_t overhead)
{
	for (uint64_t i = 0; i < BB_WARMUP + BB_QD1_N; i++) {
		uint64_t t0 = keel_work_ticks();
		int64_t r = keel_blk_read(&b, bb_sector(i), BB_LEN, 0);
		uint64_t t1 = keel_work_ticks();

		if (r != BB_LEN) {
			keel_printf("bench: blk: qd1 read %llu: %lld\n", (unsigned long long)i,
				    (long long)r);
			return -1;
		}
		if (i >= BB_WARMUP)
			bb_samples[i - BB_WARMUP] = t1 - t0;
	}
	keel_printf("bench: blk_read_4k_qd1_instr %llu\n",
		    (unsigned long long)(keel_median(bb_samples, BB_QD1_N) - overhead));
	return 0;
}

static int bb_qd16(uint64_t overhead)
{
	struct keel_ring_sqe e[BB_QD];
	struct keel_ring_cqe c[BB_QD];
	uint64_t next = 0, done = 0, t0, mark;
	size_t windows = 0;
	int got = BB_QD;

	/* Slot i's reads land at offset i * 4 KiB, its id says which slot. */
	for (unsigned i = 0; i < BB_QD; i++)
		e[i] = (struct keel_ring_sqe){.id = i,
					      .opcode = KEEL_BLK_READ,
					      .len = BB_LEN,
					      .offset = (uint64_t)i * BB_LEN,
					      .arg = bb_sector(next++)};
	if (keel_session_submit_many(&b.s, e, BB_QD) != BB_QD) {
		keel_printf("bench: blk: qd16 fill failed\n");
		return -1;
	}
	t0 = keel_work_ticks();
	mark = 0;
	while (windows < BB_QD1_N) {
		got = keel_session_reap_many(&b.s, c, BB_QD, 1);
		for (int k = 0; k < got; k++) {
			if (c[k].status != 0 || c[k].len != BB_LEN || c[k].id >= BB_QD)
				got = -KEEL_EIO;
			else
				e[k] = (struct keel_ring_sqe){.id = c[k].id,
							      .opcode = KEEL_BLK_READ,
							      .len = BB_LEN,
							      .offset = c[k].id * BB_LEN,
							      .arg = bb_sector(next++)};
		}
		if (got <= 0 || keel_session_submit_many(&b.s, e, (unsigned)got) != got) {
			keel_printf("bench: blk: qd16 broke after %llu: %d\n",
				    (unsigned long long)done, got);
			return -1;
		}
		done += (unsigned)got;
		if (done >= mark + BB_QD) {
			uint64_t t = keel_work_ticks();

			/* Per request over this window (16 completions or a few more). */
			bb_samples[windows++] = (t - t0 - overhead) / (done - mark);
			t0 = t;
			mark = done;
		}
	}
	/* The 16 still in flight: reaped, so that the session is idle again. */
	for (int left = BB_QD; left > 0 && got > 0; left -= got)
		got = keel_session_reap_many(&b.s, c, (unsigned)left, 1);
	keel_printf("bench: blk_read_4k_qd16_instr %llu\n",
		    (unsigned long long)keel_median(bb_samples, windows));
	return 0;
}

/* One kill to the first read the new driver serves: its TSC ticks, or 0. */
static uint64_t bb_restart_once(uint64_t names)
{
	uint64_t t0 = keel_work_ticks();
	int64_t r = keel_name_kill(names, BB_NAME);

	if (r != 0) {
		keel_printf("bench: blk: kill refused: %s\n", keel_strerror(r));
		return 0;
	}
	/* Reads the old instance still serves, then ECLOSED, a reopen, the new one's read. */
	for (int tries = 0; tries < BB_KILL_TRIES; tries++) {
		r = keel_blk_read(&b, 0, KEEL_BLK_SECTOR, 0);
		if (r == -KEEL_ECLOSED)
			break;
		if (r != KEEL_BLK_SECTOR)
			return 0;
	}
	if (r != -KEEL_ECLOSED || keel_blk_reopen(&b) != 0 ||
	    keel_blk_read(&b, 0, KEEL_BLK_SECTOR, 0) != KEEL_BLK_SECTOR)
		return 0;
	return keel_work_ticks() - t0;
}

static int bb_restart(uint64_t names)
{
	uint64_t t[BB_RESTARTS];

	for (int i = 0; i < BB_RESTARTS; i++)
		if ((t[i] = bb_restart_once(names)) == 0) {
			keel_printf("bench: blk: restart %d failed\n", i);
			return -1;
		}
	keel_printf("bench: blk_restart_instr %llu\n",
		    (unsigned long long)keel_median(t, BB_RESTARTS));
	return 0;
}

int main(uint64_t start)
{
	const struct keel_start *sb = (const struct keel_start *)(uintptr_t)start;
	uint64_t overhead;
	int64_t r;

	if (!sb || sb->magic != KEEL_START_MAGIC ||
	    sb->handle[KEEL_START_NAMES] == KEEL_MSG_NO_HANDLE)
		return 100;
	if ((r = keel_blk_open(&b, sb->handle[KEEL_START_NAMES], BB_NAME)) != 0) {
		keel_printf("bench: blk: no disk \"" BB_NAME "\": %s\n", keel_strerror(r));
		return 1;
	}
	overhead = bb_overhead();
	r = bb_qd1(overhead) || bb_qd16(overhead) || bb_restart(sb->handle[KEEL_START_NAMES]);
	keel_blk_close(&b);
	return r ? 2 : 0;
}
