/*
 * drivers-user/bench/main.c: the user-space benchmark (`make bench`). The
 * kernel runs it instead of init when the command line says init=bin/bench.
 * Under QEMU's -icount the TSC counts instructions, so each figure is the
 * instructions one operation costs: the median of BENCH_ITERATIONS samples
 * taken after BENCH_WARMUP unmeasured ones, less the cost of the two TSC
 * reads around it. Each result is one line "bench: NAME VALUE" in the kernel
 * log, which scripts/bench reads.
 */
#include "keel.h"

#define BENCH_ITERATIONS 10001
#define BENCH_WARMUP     1000

static uint64_t bench_samples[BENCH_ITERATIONS];

static inline uint64_t bench_tsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

/* The k-th smallest of a[0..n) (quickselect; reorders a). */
static uint64_t bench_select(uint64_t *a, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;

	while (lo < hi) {
		uint64_t pivot = a[(lo + hi) / 2], t;
		size_t i = lo, j = hi;

		while (i <= j) {
			while (a[i] < pivot)
				i++;
			while (a[j] > pivot)
				j--;
			if (i <= j) {
				t = a[i], a[i] = a[j], a[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return a[k];
	}
	return a[k];
}

static uint64_t bench_median(void)
{
	return bench_select(bench_samples, BENCH_ITERATIONS, BENCH_ITERATIONS / 2);
}

/* Two TSC reads back to back: what every sample includes besides the operation. */
static uint64_t bench_overhead(void)
{
	for (size_t i = 0; i < BENCH_ITERATIONS; i++) {
		uint64_t t0 = bench_tsc();

		bench_samples[i] = bench_tsc() - t0;
	}
	return bench_median();
}

/* The cheapest system call: an unknown number, refused at once. */
static uint64_t bench_null_syscall(uint64_t overhead)
{
	for (size_t i = 0; i < BENCH_WARMUP; i++)
		keel_syscall6(KEEL_SYS_COUNT, 0, 0, 0, 0, 0, 0);
	for (size_t i = 0; i < BENCH_ITERATIONS; i++) {
		uint64_t t0 = bench_tsc();

		keel_syscall6(KEEL_SYS_COUNT, 0, 0, 0, 0, 0, 0);
		bench_samples[i] = bench_tsc() - t0;
	}
	return bench_median() - overhead;
}

int main(uint64_t arg)
{
	uint32_t features = 0;
	uint64_t overhead;

	(void)arg;
	keel_info(KEEL_INFO_FEATURES, 0, &features, sizeof(features));
	overhead = bench_overhead();
	keel_printf("bench: pcid %s\n", (features & KEEL_FEATURE_PCID) ? "on" : "off");
	keel_printf("bench: pku %s\n", (features & KEEL_FEATURE_PKU) ? "on" : "off");
	keel_printf("bench: null_syscall_instr %llu\n",
		    (unsigned long long)bench_null_syscall(overhead));
	return 0;
}
