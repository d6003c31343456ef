/*
 * include/keel/pkru.h: this thread's protection-key rights register
 * (PKRU, DESIGN.md §5), read and written with RDPKRU and WRPKRU, by the
 * kernel (saved and loaded per thread) and from user mode: no system call,
 * no page-table change. Key k has two bits: AD
 * (2k, access disabled) and WD (2k + 1, write disabled). Only where the CPU
 * has PKU (KEEL_INFO_FEATURES says KEEL_FEATURE_PKU): elsewhere both
 * instructions fault with #UD, so every caller skips key 0, which is what
 * libkeel uses without PKU.
 */
#ifndef KEEL_PKRU_H
#define KEEL_PKRU_H

#include <stdint.h>

static inline uint32_t keel_rdpkru(void)
{
	uint32_t pkru, edx;

	__asm__ volatile("rdpkru" : "=a"(pkru), "=d"(edx) : "c"(0));
	return pkru;
}

/* "memory": accesses the compiler moves across a rights change could fault. */
static inline void keel_wrpkru(uint32_t pkru)
{
	__asm__ volatile("wrpkru" : : "a"(pkru), "c"(0), "d"(0) : "memory");
}

/* Let this thread write memory under `key` (1-15; 0: nothing to do). */
static inline void keel_pkey_write_enable(int key)
{
	if (key > 0)
		keel_wrpkru(keel_rdpkru() & ~(3u << (2 * key)));
}

/* Make memory under `key` read-only for this thread again (WD set). */
static inline void keel_pkey_write_disable(int key)
{
	if (key > 0)
		keel_wrpkru(keel_rdpkru() | 2u << (2 * key));
}

#endif
