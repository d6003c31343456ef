/*
 * drivers-user/lib/bench_time.c: what make bench's programs time with
 * (keel.h): instructions run, and the median of the samples.
 */
#include "keel.h"

uint64_t keel_work_ticks(void)
{
	struct keel_cpu_counters c = {0};

	(void)keel_info(KEEL_INFO_COUNTERS, 0, &c, sizeof(c)); /* 0 idle when refused */
	return keel_rdtsc() - c.idle_tsc;
}

uint64_t keel_median(uint64_t *a, size_t n)
{
	/* Insertion sort: the samples are few (a few hundred at most). */
	for (size_t i = 1; i < n; i++)
		for (size_t k = i; k > 0 && a[k - 1] > a[k]; k--) {
			uint64_t x = a[k];

			a[k] = a[k - 1];
			a[k - 1] = x;
		}
	return a[n / 2];
}
