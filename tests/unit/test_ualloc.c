/*
 * tests/unit/test_ualloc.c: drivers-user/lib/ualloc.c (libkeel's heap) on
 * hand-made sequences, against bad frees and damaged headers, and against a
 * model under random alloc / free sequences.
 *
 * The arena is a heap block of exactly its size, so ASan catches any access
 * outside it. The model knows every live allocation with the byte it was
 * filled with: after every step the heap must pass ualloc_check, account for
 * every byte of the arena, and every live block must still hold its bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <keel/syscall.h>

#include "ktest.h"
#include "ktest_rng.h"
#include "ualloc.h"

#define ARENA (64 * 1024)
#define HDR   16

struct rig {
	uint8_t *mem;
	struct ualloc a;
};

static const char *rig_init(struct rig *r, size_t size)
{
	r->mem = malloc(size);
	if (r->mem == NULL)
		return "out of host memory";
	KT_EQ(ualloc_init(&r->a, r->mem, size), 0);
	return NULL;
}

/* Free payload bytes and block count, or a failure. */
static const char *rig_check(struct rig *r, size_t *free_bytes, size_t *blocks)
{
	size_t f, b;

	KT_EQ(ualloc_check(&r->a, &f, &b), 0);
	if (free_bytes)
		*free_bytes = f;
	if (blocks)
		*blocks = b;
	return NULL;
}

static const char *test_init(void)
{
	uint8_t *mem = malloc(4096);
	struct ualloc a;
	size_t f, b;

	KT_EQ(ualloc_init(&a, NULL, 4096), -KEEL_EINVAL);
	KT_EQ(ualloc_init(&a, mem, 0), -KEEL_EINVAL);
	KT_EQ(ualloc_init(&a, mem, 31), -KEEL_EINVAL);
	KT_EQ(ualloc_init(&a, mem + 1, 32), -KEEL_EINVAL); /* 17 bytes once aligned */
	KT_EQ(ualloc_init(&a, mem, 32), 0);
	KT_EQ(ualloc_check(&a, &f, &b), 0);
	KT_EQ(f, 16);
	KT_EQ(b, 1);
	/* A misaligned start and size are trimmed to 16 bytes. */
	KT_EQ(ualloc_init(&a, mem + 3, 4000), 0);
	KT_EQ((uintptr_t)a.base % 16, 0);
	KT_EQ(a.base, mem + 16);
	KT_EQ(a.size, 3984);
	KT_EQ(ualloc_check(&a, &f, &b), 0);
	KT_EQ(f, 3984 - HDR);
	free(mem);
	return NULL;
}

static const char *test_alloc_basic(void)
{
	struct rig r;
	void *p, *q;
	size_t f, b;

	KT_TRY(rig_init(&r, ARENA));
	KT_EQ(ualloc_alloc(&r.a, 0, &p), -KEEL_EINVAL);
	KT_EQ(p, NULL);
	KT_EQ(ualloc_alloc(&r.a, ARENA, &p), -KEEL_ENOMEM);
	KT_EQ(ualloc_alloc(&r.a, SIZE_MAX, &p), -KEEL_ENOMEM);
	KT_EQ(ualloc_alloc(&r.a, ARENA - HDR + 1, &p), -KEEL_ENOMEM);
	/* The whole arena in one block, then nothing more. */
	KT_EQ(ualloc_alloc(&r.a, ARENA - HDR, &p), 0);
	KT_EQ(p, r.mem + HDR);
	KT_EQ(ualloc_usable(&r.a, p), ARENA - HDR);
	KT_EQ(ualloc_alloc(&r.a, 1, &q), -KEEL_ENOMEM);
	memset(p, 0xab, ARENA - HDR);
	KT_EQ(ualloc_free(&r.a, p), 0);
	KT_TRY(rig_check(&r, &f, &b));
	KT_EQ(f, ARENA - HDR);
	KT_EQ(b, 1);
	/* Sizes round up to 16; a remainder too small for a block stays in the block. */
	KT_EQ(ualloc_alloc(&r.a, 1, &p), 0);
	KT_EQ(ualloc_usable(&r.a, p), 16);
	KT_EQ(ualloc_alloc(&r.a, ARENA - 2 * HDR - 16 - 16, &q), 0);
	KT_EQ(ualloc_usable(&r.a, q), ARENA - 2 * HDR - 16); /* 16 left: no room for a block */
	KT_TRY(rig_check(&r, &f, &b));
	KT_EQ(f, 0);
	KT_EQ(b, 2);
	free(r.mem);
	return NULL;
}

static const char *test_first_fit_and_merge(void)
{
	struct rig r;
	void *p[5], *x;
	size_t f, b;

	KT_TRY(rig_init(&r, ARENA));
	for (int i = 0; i < 5; i++)
		KT_EQ(ualloc_alloc(&r.a, 100, &p[i]), 0);
	KT_EQ((uint8_t *)p[1] - (uint8_t *)p[0], 112 + HDR);
	/* A hole at p[1]: the next small request takes it (first fit). */
	KT_EQ(ualloc_free(&r.a, p[1]), 0);
	KT_EQ(ualloc_alloc(&r.a, 50, &x), 0);
	KT_EQ(x, p[1]);
	/* The split rest of the hole (112 - 64 = 48: 16 header + 32) is a free block. */
	KT_TRY(rig_check(&r, &f, &b));
	KT_EQ(b, 7);
	/* A request larger than the hole goes past it. */
	KT_EQ(ualloc_free(&r.a, x), 0);
	KT_EQ(ualloc_alloc(&r.a, 200, &x), 0);
	KT_ASSERT((uint8_t *)x > (uint8_t *)p[4]);
	KT_EQ(ualloc_free(&r.a, x), 0);
	/* Merging both ways: free 3, then 2 (merges into 1's hole and 3). */
	KT_EQ(ualloc_free(&r.a, p[3]), 0);
	KT_EQ(ualloc_free(&r.a, p[2]), 0);
	KT_TRY(rig_check(&r, &f, &b));
	KT_EQ(b, 4); /* p0, free (1-3), p4, the free tail */
	KT_EQ(ualloc_alloc(&r.a, 3 * 112 + 2 * HDR, &x), 0);
	KT_EQ(x, p[1]); /* the merged hole holds exactly this */
	KT_EQ(ualloc_free(&r.a, x), 0);
	KT_EQ(ualloc_free(&r.a, p[0]), 0);
	KT_EQ(ualloc_free(&r.a, p[4]), 0);
	KT_TRY(rig_check(&r, &f, &b));
	KT_EQ(b, 1);
	KT_EQ(f, ARENA - HDR);
	free(r.mem);
	return NULL;
}

/* A failed free leaves every byte of the arena as it was. */
static const char *expect_free_error(struct rig *r, void *p, int err)
{
	uint8_t *copy = malloc(r->a.size);
	int got;

	memcpy(copy, r->a.base, r->a.size);
	got = ualloc_free(&r->a, p);
	int same = memcmp(copy, r->a.base, r->a.size) == 0;
	free(copy);
	if (got != err)
		return ktest_msg("free(%p) gave %d, expected %d", p, got, err);
	if (!same)
		return ktest_msg("free(%p) failed but changed the heap", p);
	return NULL;
}

static const char *test_bad_free(void)
{
	struct rig r;
	void *p, *q, *s;
	int local;

	KT_TRY(rig_init(&r, ARENA));
	KT_EQ(ualloc_alloc(&r.a, 64, &p), 0);
	KT_EQ(ualloc_alloc(&r.a, 64, &q), 0);
	KT_EQ(ualloc_alloc(&r.a, 64, &s), 0);
	KT_TRY(expect_free_error(&r, &local, -KEEL_EINVAL));              /* foreign */
	KT_TRY(expect_free_error(&r, r.mem + ARENA, -KEEL_EINVAL));       /* one past */
	KT_TRY(expect_free_error(&r, r.mem - 16, -KEEL_EINVAL));          /* before */
	KT_TRY(expect_free_error(&r, (uint8_t *)q + 16, -KEEL_EINVAL));   /* interior */
	KT_TRY(expect_free_error(&r, (uint8_t *)q + 1, -KEEL_EINVAL));    /* misaligned */
	KT_TRY(expect_free_error(&r, (uint8_t *)q - HDR, -KEEL_EINVAL));  /* its header */
	KT_TRY(expect_free_error(&r, (uint8_t *)s + 4096, -KEEL_ENOENT)); /* in free space */
	KT_EQ(ualloc_free(&r.a, q), 0);
	KT_TRY(expect_free_error(&r, q, -KEEL_ENOENT)); /* double free, between used blocks */
	KT_EQ(ualloc_free(&r.a, p), 0);
	KT_TRY(expect_free_error(&r, p, -KEEL_ENOENT)); /* double free after a merge */
	KT_TRY(expect_free_error(&r, q, -KEEL_ENOENT)); /* q's header is gone: merged */
	KT_EQ(ualloc_free(&r.a, s), 0);
	KT_TRY(expect_free_error(&r, s, -KEEL_ENOENT));
	KT_TRY(rig_check(&r, NULL, NULL));
	/* An allocator that was never set up refuses everything. */
	struct ualloc none = {0};
	KT_EQ(ualloc_free(&none, p), -KEEL_EINVAL);
	free(r.mem);
	return NULL;
}

static const char *test_damaged_header(void)
{
	struct rig r;
	void *p, *q, *x;

	KT_TRY(rig_init(&r, ARENA));
	KT_EQ(ualloc_alloc(&r.a, 64, &p), 0);
	KT_EQ(ualloc_alloc(&r.a, 64, &q), 0);
	/* An overflow of p by 8 bytes hits q's size. */
	uint64_t saved;
	memcpy(&saved, (uint8_t *)q - HDR, 8);
	memset((uint8_t *)p + 64, 0x41, 8);
	KT_EQ(ualloc_check(&r.a, NULL, NULL), -KEEL_EFAULT);
	KT_TRY(expect_free_error(&r, q, -KEEL_EFAULT));
	KT_TRY(expect_free_error(&r, p, -KEEL_EFAULT)); /* its neighbour is damaged */
	KT_EQ(ualloc_alloc(&r.a, 1000, &x), -KEEL_EFAULT);
	KT_EQ(x, NULL);
	/* Sizes that would walk out of the arena, or not move at all. */
	static const uint64_t bad_sizes[] = {0, 16, 24, ARENA, ARENA * 2, UINT64_MAX - 15};
	for (size_t i = 0; i < KTEST_COUNT(bad_sizes); i++) {
		memcpy((uint8_t *)q - HDR, &bad_sizes[i], 8);
		if (ualloc_check(&r.a, NULL, NULL) != -KEEL_EFAULT)
			return ktest_msg("size %#llx not caught", (unsigned long long)bad_sizes[i]);
		KT_EQ(ualloc_alloc(&r.a, 1000, &x), -KEEL_EFAULT);
	}
	memcpy((uint8_t *)q - HDR, &saved, 8);
	KT_TRY(rig_check(&r, NULL, NULL));
	/* The state word. */
	((uint8_t *)q - HDR)[12] ^= 1;
	KT_EQ(ualloc_check(&r.a, NULL, NULL), -KEEL_EFAULT);
	((uint8_t *)q - HDR)[12] ^= 1;
	KT_EQ(ualloc_free(&r.a, q), 0);
	KT_EQ(ualloc_free(&r.a, p), 0);
	KT_TRY(rig_check(&r, NULL, NULL));
	free(r.mem);
	return NULL;
}

#define LIVE_MAX 512

struct live {
	uint8_t *p;
	size_t n;
	uint8_t fill;
};

static const char *model_check(struct rig *r, const struct live *live, size_t count)
{
	size_t f, b, used = 0;

	KT_TRY(rig_check(r, &f, &b));
	for (size_t i = 0; i < count; i++) {
		size_t u = ualloc_usable(&r->a, live[i].p);

		if (u < live[i].n || u > live[i].n + 15 + 32)
			return ktest_msg("block %p of %zu bytes has %zu usable", (void *)live[i].p,
					 live[i].n, u);
		for (size_t k = 0; k < live[i].n; k++) {
			if (live[i].p[k] != live[i].fill)
				return ktest_msg("block %p byte %zu changed", (void *)live[i].p, k);
		}
		used += u;
	}
	/* Every byte is a header, a live payload or a free payload. */
	if (f + used + b * HDR != r->a.size)
		return ktest_msg("%zu free + %zu used + %zu headers != %zu", f, used, b, r->a.size);
	if (b < count)
		return "fewer blocks than live allocations";
	return NULL;
}

static const char *test_random_vs_model(void)
{
	struct rig r;
	struct live live[LIVE_MAX];
	size_t count = 0;
	unsigned nomem = 0, bad = 0;

	ktest_rng_state = 0x0a110cull;
	KT_TRY(rig_init(&r, ARENA));
	for (int step = 0; step < 40000; step++) {
		uint64_t op = ktest_rng_below(100);

		if (op < 50 && count < LIVE_MAX) {
			size_t n = ktest_rng_below(4) ? 1 + ktest_rng_below(200)
						      : 1 + ktest_rng_below(ARENA / 4);
			void *p;
			int err = ualloc_alloc(&r.a, n, &p);

			if (err == -KEEL_ENOMEM) {
				nomem++;
				KT_EQ(p, NULL);
			} else {
				KT_EQ(err, 0);
				KT_EQ((uintptr_t)p % 16, 0);
				KT_ASSERT((uint8_t *)p >= r.mem &&
					  (uint8_t *)p + n <= r.mem + ARENA);
				live[count] = (struct live){p, n, (uint8_t)ktest_rng()};
				memset(p, live[count].fill, n);
				count++;
			}
		} else if (op < 90 && count > 0) {
			size_t i = ktest_rng_below(count);

			KT_EQ(ualloc_free(&r.a, live[i].p), 0);
			live[i] = live[--count];
		} else if (count > 0) {
			/* A bad free: interior, or a stale pointer no live block starts at. */
			size_t i = ktest_rng_below(count);
			uint8_t *p = live[i].p + 16 * (1 + ktest_rng_below(4));
			int starts = 0;

			for (size_t k = 0; k < count; k++)
				starts |= live[k].p == p;
			if (!starts && p < r.mem + ARENA) {
				KT_ASSERT(ualloc_free(&r.a, p) < 0);
				bad++;
			}
		}
		if (step % 16 == 0 || count == 0)
			KT_TRY(model_check(&r, live, count));
	}
	KT_TRY(model_check(&r, live, count));
	while (count > 0)
		KT_EQ(ualloc_free(&r.a, live[--count].p), 0);
	size_t f, b;
	KT_TRY(rig_check(&r, &f, &b));
	KT_EQ(b, 1); /* everything merged back */
	KT_EQ(f, ARENA - HDR);
	printf("# 40000 steps, %u out of memory, %u bad frees refused\n", nomem, bad);
	KT_ASSERT(nomem > 0 && bad > 0);
	free(r.mem);
	return NULL;
}

static const struct ktest tests[] = {
    KTEST(test_init),     KTEST(test_alloc_basic),    KTEST(test_first_fit_and_merge),
    KTEST(test_bad_free), KTEST(test_damaged_header), KTEST(test_random_vs_model),
};

int main(void)
{
	return ktest_main(tests, KTEST_COUNT(tests));
}
