/*
 * tests/unit/ktest_rng.h: xorshift64*, the unit tests' pseudo-random numbers:
 * the same sequence on every run for a given seed, so a failing random test
 * fails again. One state per test program; a test may set it to a seed.
 */
#ifndef KEEL_TESTS_KTEST_RNG_H
#define KEEL_TESTS_KTEST_RNG_H

#include <stdint.h>

static uint64_t ktest_rng_state = 0x9e3779b97f4a7c15ull;

static inline uint64_t ktest_rng(void)
{
	ktest_rng_state ^= ktest_rng_state >> 12;
	ktest_rng_state ^= ktest_rng_state << 25;
	ktest_rng_state ^= ktest_rng_state >> 27;
	return ktest_rng_state * 0x2545f4914f6cdd1dull;
}

/* Uniform enough for tests in [0, n), n > 0. */
static inline uint64_t ktest_rng_below(uint64_t n)
{
	return ktest_rng() % n;
}

#endif
