/*
 * drivers-user/bench/main.c: the user-space benchmark (`make bench`). init
 * starts it when the kernel command line has the word `bench`, twice, each
 * with one endpoint in handle[0] of its start block: the server (start block
 * arg BENCH_SERVER, a handle it may receive on) first, then the client (a
 * handle it may call).
 * Under QEMU's -icount the TSC counts instructions, so each figure is the
 * instructions one operation costs: the median of BENCH_ITERATIONS samples
 * taken after BENCH_WARMUP unmeasured ones, less the cost of the two TSC
 * reads around it. Each result is one line "bench: NAME VALUE" in the kernel
 * log, which scripts/bench reads.
 */
#include <keel/pkru.h>

#include "keel.h"

#define BENCH_ITERATIONS 10001
#define BENCH_WARMUP     1000
#define BENCH_SERVER     (1ull << 62) /* in arg: this process serves */
#define BENCH_CMD_YIELD  (~0ull - 1)  /* request: reply, then yield with the client */
#define BENCH_CMD_END    (~0ull)      /* request: reply, then exit */
#define BENCH_CMD_HANDLE (~0ull - 2)  /* request: reply, then echo messages with a handle */
#define BENCH_CMD_NOTIFY (~0ull - 3)  /* request: reply, take two handles, then wait/signal */
#define BENCH_ROUNDS     (BENCH_WARMUP + BENCH_ITERATIONS)
#define BENCH_MAP_VA     0x40000000ull /* free in every bench process (linked at 0x400000) */

static uint64_t bench_samples[BENCH_ITERATIONS];

/* ring.c: the ring-session figures, with this file's sampling. */
uint64_t bench_tsc_read(void);
void bench_ring(uint64_t echo, uint64_t overhead, uint64_t *samples, size_t n, size_t warmup,
		uint64_t (*median)(void));

uint64_t bench_tsc_read(void)
{
	return keel_rdtsc();
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
		uint64_t t0 = keel_rdtsc();

		bench_samples[i] = keel_rdtsc() - t0;
	}
	return bench_median();
}

/* The cheapest system call: an unknown number, refused at once. */
static uint64_t bench_null_syscall(uint64_t overhead)
{
	for (size_t i = 0; i < BENCH_WARMUP; i++)
		keel_syscall6(KEEL_SYS_COUNT, 0, 0, 0, 0, 0, 0);
	for (size_t i = 0; i < BENCH_ITERATIONS; i++) {
		uint64_t t0 = keel_rdtsc();

		keel_syscall6(KEEL_SYS_COUNT, 0, 0, 0, 0, 0, 0);
		bench_samples[i] = keel_rdtsc() - t0;
	}
	return bench_median() - overhead;
}

/*
 * Register-only IPC, as the syscall ABI passes it: endpoint in rdi, words in
 * rsi rdx r10 r8, and r9 = 0 (no struct keel_msg).
 */
static inline int64_t bench_ipc(uint64_t nr, uint64_t endpoint, uint64_t *w0)
{
	register uint64_t r10 __asm__("r10") = 0;
	register uint64_t r8 __asm__("r8") = 0;
	register uint64_t r9 __asm__("r9") = 0;
	uint64_t ret, rsi = *w0, rdx = 0;

	__asm__ volatile("syscall"
			 : "=a"(ret), "+S"(rsi), "+d"(rdx), "+r"(r10), "+r"(r8)
			 : "a"(nr), "D"(endpoint), "r"(r9)
			 : "rcx", "r11", "memory");
	*w0 = rsi;
	return (int64_t)ret;
}

/* Echo BENCH_ROUNDS messages that each carry a handle: it goes back with the reply. */
static void bench_serve_handles(uint64_t endpoint)
{
	struct keel_msg m;
	uint64_t w = 0;

	bench_ipc(KEEL_SYS_REPLY_RECV, KEEL_HANDLE_SELF, &w);
	keel_recv(endpoint, &m);
	for (size_t i = 1; i < BENCH_ROUNDS; i++)
		keel_reply_recv(endpoint, &m, &m);
	keel_reply_recv(KEEL_HANDLE_SELF, &m, &m);
}

/*
 * Notifications: take the handle to wait on and the one to signal, each in a
 * message of its own (answered with a bare reply), then BENCH_ROUNDS turns of
 * wait for the client, signal it back.
 */
static void bench_serve_notify(uint64_t endpoint)
{
	struct keel_msg m;
	uint64_t w = 0, wait_on, signal_to;

	bench_ipc(KEEL_SYS_REPLY_RECV, KEEL_HANDLE_SELF, &w);
	keel_recv(endpoint, &m);
	wait_on = m.handle;
	m.handle = KEEL_MSG_NO_HANDLE; /* keep it: a reply would move it back */
	keel_reply_recv(KEEL_HANDLE_SELF, &m, &m);
	keel_recv(endpoint, &m);
	signal_to = m.handle;
	m.handle = KEEL_MSG_NO_HANDLE;
	keel_reply_recv(KEEL_HANDLE_SELF, &m, &m);
	for (size_t i = 0; i < BENCH_ROUNDS; i++) {
		keel_wait(wait_on, KEEL_FOREVER);
		keel_signal(signal_to, 1);
	}
	keel_handle_close(wait_on);
	keel_handle_close(signal_to);
}

/* The server: echo word 0 plus one; yield, echo handles, notify or end on the commands. */
static int bench_serve(uint64_t endpoint)
{
	uint64_t w = 0;
	int64_t r = bench_ipc(KEEL_SYS_RECV, endpoint, &w);

	while (r >= 0) {
		if (w == BENCH_CMD_END) {
			bench_ipc(KEEL_SYS_REPLY_RECV, KEEL_HANDLE_SELF, &w);
			return 0;
		} else if (w == BENCH_CMD_YIELD) {
			bench_ipc(KEEL_SYS_REPLY_RECV, KEEL_HANDLE_SELF, &w);
			for (size_t i = 0; i < BENCH_ROUNDS; i++)
				keel_yield();
		} else if (w == BENCH_CMD_HANDLE) {
			bench_serve_handles(endpoint);
		} else if (w == BENCH_CMD_NOTIFY) {
			bench_serve_notify(endpoint);
		} else {
			w++;
			r = bench_ipc(KEEL_SYS_REPLY_RECV, endpoint, &w);
			continue;
		}
		r = bench_ipc(KEEL_SYS_RECV, endpoint, &w);
	}
	keel_printf("bench: the server's receive failed: %lld\n", (long long)r);
	return 1;
}

/* call + reply_recv between two processes, register-only message. */
static uint64_t bench_ipc_round_trip(uint64_t endpoint, uint64_t overhead)
{
	uint64_t w;

	for (size_t i = 0; i < BENCH_WARMUP; i++) {
		w = i;
		bench_ipc(KEEL_SYS_CALL, endpoint, &w);
	}
	for (size_t i = 0; i < BENCH_ITERATIONS; i++) {
		uint64_t t0;

		w = i;
		t0 = keel_rdtsc();
		bench_ipc(KEEL_SYS_CALL, endpoint, &w);
		bench_samples[i] = keel_rdtsc() - t0;
		if (w != i + 1) {
			keel_printf("bench: the echo server answered %llu to %llu\n",
				    (unsigned long long)w, (unsigned long long)i);
			return 0;
		}
	}
	return bench_median() - overhead;
}

/*
 * Address-space switches: client and server yield to each other, so each
 * yield is one system call and one switch to the other process and back
 * (two switches). Also counts this CPU's flushing CR3 loads per switch.
 */
static void bench_as_switch(uint64_t endpoint, uint64_t overhead, uint64_t null_syscall)
{
	struct keel_cpu_counters c0, c1;
	uint64_t w = BENCH_CMD_YIELD, round_trip;

	bench_ipc(KEEL_SYS_CALL, endpoint, &w);
	for (size_t i = 0; i < BENCH_WARMUP; i++)
		keel_yield();
	keel_info(KEEL_INFO_COUNTERS, 0, &c0, sizeof(c0));
	for (size_t i = 0; i < BENCH_ITERATIONS; i++) {
		uint64_t t0 = keel_rdtsc();

		keel_yield();
		bench_samples[i] = keel_rdtsc() - t0;
	}
	keel_info(KEEL_INFO_COUNTERS, 0, &c1, sizeof(c1));
	round_trip = bench_median() - overhead;
	/* A round trip is two yields and two switches: one switch is half of it, less a yield's
	 * entry. */
	keel_printf("bench: as_switch_instr %llu\n",
		    (unsigned long long)(round_trip / 2 - null_syscall));
	keel_printf("bench: cr3_flushes_per_switch %llu.%02llu\n",
		    (unsigned long long)((c1.cr3_flush - c0.cr3_flush) / (2 * BENCH_ITERATIONS)),
		    (unsigned long long)((c1.cr3_flush - c0.cr3_flush) * 100 /
					 (2 * BENCH_ITERATIONS) % 100));
}

/* call + reply_recv moving a handle there and back: the slow path. */
static uint64_t bench_ipc_handle(uint64_t endpoint, uint64_t overhead)
{
	struct keel_msg m = {{0}, 0, 0, {0}};
	uint64_t w = BENCH_CMD_HANDLE;
	int64_t h = keel_object_create(KEEL_OBJ_NOTIFICATION, 0);

	if (h < 0)
		return 0;
	bench_ipc(KEEL_SYS_CALL, endpoint, &w);
	for (size_t i = 0; i < BENCH_ROUNDS; i++) {
		uint64_t t0 = keel_rdtsc();

		m.handle = (uint64_t)h;
		m.data_len = 0;
		keel_call(endpoint, &m);
		h = (int64_t)m.handle;
		if (i >= BENCH_WARMUP)
			bench_samples[i - BENCH_WARMUP] = keel_rdtsc() - t0;
	}
	keel_handle_close((uint64_t)h);
	return bench_median() - overhead;
}

/* signal the server, wait for its signal back: a notification round trip between processes. */
static uint64_t bench_notify(uint64_t endpoint, uint64_t overhead)
{
	struct keel_msg m = {{0}, 0, 0, {0}};
	uint64_t w = BENCH_CMD_NOTIFY;
	int64_t mine = keel_object_create(KEEL_OBJ_NOTIFICATION, 0);
	int64_t theirs = keel_object_create(KEEL_OBJ_NOTIFICATION, 0);

	if (mine < 0 || theirs < 0)
		return 0;
	bench_ipc(KEEL_SYS_CALL, endpoint, &w);
	m.handle = (uint64_t)keel_handle_dup((uint64_t)theirs, KEEL_RIGHTS_ALL);
	keel_call(endpoint, &m);
	m.handle = (uint64_t)keel_handle_dup((uint64_t)mine, KEEL_RIGHTS_ALL);
	keel_call(endpoint, &m);
	for (size_t i = 0; i < BENCH_ROUNDS; i++) {
		uint64_t t0 = keel_rdtsc();

		keel_signal((uint64_t)theirs, 1);
		keel_wait((uint64_t)mine, KEEL_FOREVER);
		if (i >= BENCH_WARMUP)
			bench_samples[i - BENCH_WARMUP] = keel_rdtsc() - t0;
	}
	keel_handle_close((uint64_t)mine);
	keel_handle_close((uint64_t)theirs);
	return bench_median() - overhead;
}

/*
 * map + unmap of one 4 KiB page of a VMO (read-write): two system calls, a
 * page-table change each way and the unmap's shootdown. -1 when a call fails.
 */
static uint64_t bench_map_unmap(uint64_t overhead)
{
	int64_t vmo = keel_object_create(KEEL_OBJ_VMO, 4096), r = 0;

	if (vmo < 0) {
		keel_printf("bench: cannot create a VMO: %lld\n", (long long)vmo);
		return ~0ull;
	}
	for (size_t i = 0; i < BENCH_WARMUP + BENCH_ITERATIONS && r == 0; i++) {
		uint64_t t0 = keel_rdtsc();

		r = keel_map(KEEL_HANDLE_SELF, (uint64_t)vmo, BENCH_MAP_VA, 0, 4096,
			     KEEL_MAP_READ | KEEL_MAP_WRITE);
		if (r == 0)
			r = keel_unmap(KEEL_HANDLE_SELF, BENCH_MAP_VA, 4096);
		if (i >= BENCH_WARMUP)
			bench_samples[i - BENCH_WARMUP] = keel_rdtsc() - t0;
	}
	keel_handle_close((uint64_t)vmo);
	if (r != 0) {
		keel_printf("bench: map/unmap failed: %lld\n", (long long)r);
		return ~0ull;
	}
	return bench_median() - overhead;
}

/*
 * Revoke and restore this thread's access to a key with WRPKRU (DESIGN.md
 * §5): no system call, no page-table change. With PKU only.
 */
static uint64_t bench_pkey_revoke_restore(uint64_t overhead)
{
	int64_t key = keel_pkey_alloc();
	uint32_t allow, deny;

	if (key <= 0) {
		keel_printf("bench: pkey_alloc failed: %lld\n", (long long)key);
		return ~0ull;
	}
	allow = keel_rdpkru() & ~(3u << (2 * key));
	deny = allow | 1u << (2 * key);
	for (size_t i = 0; i < BENCH_WARMUP + BENCH_ITERATIONS; i++) {
		uint64_t t0 = keel_rdtsc();

		keel_wrpkru(deny);
		keel_wrpkru(allow);
		if (i >= BENCH_WARMUP)
			bench_samples[i - BENCH_WARMUP] = keel_rdtsc() - t0;
	}
	return bench_median() - overhead;
}

int main(uint64_t start)
{
	const struct keel_start *sb = (const struct keel_start *)(uintptr_t)start;
	uint32_t features = 0;
	uint64_t overhead, null_syscall, w = BENCH_CMD_END, arg;

	if (!sb || sb->magic != KEEL_START_MAGIC) {
		keel_printf(
		    "bench: no start block: init starts bench (kernel command line: bench)\n");
		return 1;
	}
	arg = sb->handle[0]; /* the endpoint */
	if (sb->arg & BENCH_SERVER)
		return bench_serve(arg);
	keel_info(KEEL_INFO_FEATURES, 0, &features, sizeof(features));
	overhead = bench_overhead();
	null_syscall = bench_null_syscall(overhead);
	keel_printf("bench: pcid %s\n", (features & KEEL_FEATURE_PCID) ? "on" : "off");
	keel_printf("bench: pku %s\n", (features & KEEL_FEATURE_PKU) ? "on" : "off");
	keel_printf("bench: null_syscall_instr %llu\n", (unsigned long long)null_syscall);
	keel_printf("bench: ipc_rt_cross_as_instr %llu\n",
		    (unsigned long long)bench_ipc_round_trip(arg, overhead));
	keel_printf("bench: ipc_rt_handle_instr %llu\n",
		    (unsigned long long)bench_ipc_handle(arg, overhead));
	keel_printf("bench: notify_rt_instr %llu\n",
		    (unsigned long long)bench_notify(arg, overhead));
	bench_as_switch(arg, overhead, null_syscall);
	keel_printf("bench: map_unmap_4k_instr %llu\n",
		    (unsigned long long)bench_map_unmap(overhead));
	if (features & KEEL_FEATURE_PKU)
		keel_printf("bench: pkey_revoke_restore_instr %llu\n",
			    (unsigned long long)bench_pkey_revoke_restore(overhead));
	bench_ring(sb->handle[1], overhead, bench_samples, BENCH_ITERATIONS, BENCH_WARMUP,
		   bench_median);
	bench_ipc(KEEL_SYS_CALL, arg, &w);
	return 0;
}
