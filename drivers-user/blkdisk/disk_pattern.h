/*
 * drivers-user/blkdisk/disk_pattern.h: the content of the `disk` boot
 * scenarios' data disk (scripts/disk-pattern makes and checks it on the
 * host; its formulas and these must stay the same). Every 8-byte
 * little-endian word is a function of its byte offset o on the disk, so the
 * guest checks any sector without a copy of the image.
 */
#ifndef KEEL_BLKDISK_DISK_PATTERN_H
#define KEEL_BLKDISK_DISK_PATTERN_H

#include <stdint.h>

#define DISK_PATTERN_MUL     0x9e3779b97f4a7c15ull /* odd: distinct words for distinct o */
#define DISK_PATTERN_XOR     0x6b65656cull         /* "keel" */
#define DISK_PATTERN_WRITTEN 0xa5a5a5a5a5a5a5a5ull /* what blkdisk's WRITE flips */

/*
 * The sectors blkdisk's WRITE mode writes (scripts/test's DISK_WRITE_FIRST
 * and DISK_WRITE_COUNT, which the host checks after the boot).
 */
#define DISK_WRITE_FIRST 64
#define DISK_WRITE_COUNT 128

/* FNV-1a over the words: what blkdisk prints and `disk-pattern sum` computes. */
#define DISK_SUM_BASIS 0xcbf29ce484222325ull
#define DISK_SUM_PRIME 0x100000001b3ull

/* The original word at byte offset o. */
static inline uint64_t disk_pattern_word(uint64_t o)
{
	return o * DISK_PATTERN_MUL ^ DISK_PATTERN_XOR;
}

/* The word at byte offset o after blkdisk's WRITE: written inside the range, original outside. */
static inline uint64_t disk_pattern_expected(uint64_t o, int written)
{
	return disk_pattern_word(o) ^ (written ? DISK_PATTERN_WRITTEN : 0);
}

static inline uint64_t disk_sum_step(uint64_t h, uint64_t word)
{
	return (h ^ word) * DISK_SUM_PRIME;
}

#endif
