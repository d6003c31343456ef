/*
 * drivers-user/sysfuzz/main.c: a hostile process for the system-call
 * boundary (Keel issue 5 item 8). The kernel's fuzz test (kernel/core/
 * fuzz_tests.c) starts it as bin/sysfuzz with three handles packed in its
 * argument (SYSFUZZ_ARG_*): an endpoint it may only write, a notification it
 * may signal, wait on and duplicate, and one it may only wait on.
 *
 * First every call meets each class of bad argument and must answer with the
 * exact code (one line "sysfuzz: ok N name" or "sysfuzz: not ok N
 * name # why" each, the kernel's log adding the "sysfuzz: "); calls not built yet may answer
 * -KEEL_ENOSYS instead, so the checks keep passing when they arrive. Then a random run of
 * SYSFUZZ_CALLS calls with random numbers and arguments, which must all come back with a value or a
 * KEEL_E* code, never crash the kernel and never block: calls that could block forever are only
 * issued with handles that are not open. It also makes children (proc_create, unstarted or with
 * threads that fault at once and are killed), gives them handles and maps into them; the kernel
 * then counts pages, IPC objects and processes. The exit status is the number of failures.
 */
#include "keel.h"

/* The argument: three 20-bit handle values and a mode. */
#define SYSFUZZ_ARG_BITS    20
#define SYSFUZZ_ARG_MASK    ((1ull << SYSFUZZ_ARG_BITS) - 1)
#define SYSFUZZ_ARG_SHORT   (1ull << 62) /* a warm-up: SYSFUZZ_CALLS_SHORT random calls */
#define SYSFUZZ_CALLS       100000
#define SYSFUZZ_CALLS_SHORT 10000
#define SYSFUZZ_NR_MAX      25 /* random call numbers: 0..SYSFUZZ_NR_MAX */
#define SYSFUZZ_POOL        64 /* handles the random run remembers */
#define SYSFUZZ_PROCS       8  /* ... of which processes it made (each reused slot closed) */

/* Addresses no call may use. */
#define BAD_KERNEL    0xffffffff80000000ull /* the kernel image */
#define BAD_DIRECTMAP 0xffff800000001000ull /* the direct map */
#define BAD_LOW       0x20000ull            /* user half, below the program: unmapped */
#define BAD_HIGH      0x7ffffffff000ull     /* user half, above the stack: unmapped */
#define BAD_NONCANON  0x0000800000000000ull /* the first non-canonical address */
#define BAD_NONCANON2 0xdead000000000000ull
#define BAD_WRAP      0xfffffffffffffff0ull /* wraps around with 32 bytes */
#define STACK_TOP     0x00007fffffff0000ull /* loader.h: nothing mapped above */

#define ALL_SIZE (1ull << 20) /* an absurd size for a log line */

static uint64_t h_ep, h_notif, h_waitonly;
static int tests, failures;
static uint8_t scratch[8192] __attribute__((aligned(4096)));

static int64_t sys(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		   uint64_t a5)
{
	return keel_syscall6(nr, a0, a1, a2, a3, a4, a5);
}

/* One check: r must be one of the codes in want (0-terminated list of negative codes or 0). */
static void check(const char *name, int64_t r, const int64_t *want)
{
	tests++;
	for (const int64_t *w = want; *w != 1; w++) {
		if (r == *w) {
			keel_printf("ok %d %s\n", tests, name);
			return;
		}
	}
	failures++;
	keel_printf("not ok %d %s # got %lld (%s), expected %lld\n", tests, name, (long long)r,
		    keel_is_error(r) ? keel_strerror(r) : "a value", (long long)want[0]);
}

/* Lists end with 1 (never a result one wants). */
#define EXPECT(name, r, ...)                                                                       \
	do {                                                                                       \
		const int64_t want_[] = {__VA_ARGS__, 1};                                          \
		check((name), (r), want_);                                                         \
	} while (0)

#define E(code) (-(int64_t)KEEL_##code)

/* A handle value that is closed now: created, then closed (its slot may be reused later). */
static uint64_t closed_handle(void)
{
	int64_t h = keel_object_create(KEEL_OBJ_NOTIFICATION, 0);

	if (h < 0)
		keel_abort("cannot create a notification: %lld", (long long)h);
	keel_handle_close((uint64_t)h);
	return (uint64_t)h;
}

/* debug_log and info: each class of bad pointer. */
static void test_pointers(void)
{
	static const struct {
		const char *name;
		uint64_t p;
		uint64_t n;
	} bad[] = {
	    {"kernel", BAD_KERNEL, 4},
	    {"direct map", BAD_DIRECTMAP, 4},
	    {"null", 0, 4},
	    {"unmapped low", BAD_LOW, 4},
	    {"unmapped high", BAD_HIGH, 4},
	    {"non-canonical", BAD_NONCANON, 4},
	    {"non-canonical high", BAD_NONCANON2, 4},
	    {"wraps", BAD_WRAP, 32},
	    {"past the user half", KEEL_USER_END - 8, 16},
	    {"straddles the stack top", STACK_TOP - 2, 8},
	};
	char name[96];
	uint64_t now;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		keel_snprintf(name, sizeof(name), "debug_log %s pointer", bad[i].name);
		EXPECT(name, sys(KEEL_SYS_DEBUG_LOG, bad[i].p, bad[i].n, 0, 0, 0, 0), E(EFAULT));
		keel_snprintf(name, sizeof(name), "info clock to a %s pointer", bad[i].name);
		EXPECT(name, sys(KEEL_SYS_INFO, KEEL_INFO_CLOCK, 0, bad[i].p, 8 + bad[i].n, 0, 0),
		       E(EFAULT));
	}
	/* Read-only text: the kernel may read it, never write it. */
	EXPECT("info clock into read-only text",
	       sys(KEEL_SYS_INFO, KEEL_INFO_CLOCK, 0, (uint64_t)(uintptr_t)&test_pointers, 8, 0, 0),
	       E(EFAULT));
	EXPECT("debug_log 1 MiB", keel_debug_log((const char *)scratch, ALL_SIZE), E(E2BIG));
	EXPECT("debug_log ~0 bytes", sys(KEEL_SYS_DEBUG_LOG, BAD_KERNEL, ~0ull, 0, 0, 0, 0),
	       E(E2BIG));
	EXPECT("debug_log 257 bytes", keel_debug_log((const char *)scratch, 257), E(E2BIG));
	EXPECT("info kind 0", keel_info(0, 0, scratch, 8), E(EINVAL));
	EXPECT("info kind ~0", keel_info(~0ull, 0, scratch, 8), E(EINVAL));
	EXPECT("info clock 4-byte buffer", keel_info(KEEL_INFO_CLOCK, 0, scratch, 4), E(E2BIG));
	EXPECT("info counters CPU 64", keel_info(KEEL_INFO_COUNTERS, 64, scratch, 4096), E(EINVAL));
	EXPECT("info counters CPU ~0", keel_info(KEEL_INFO_COUNTERS, ~0ull, scratch, 4096),
	       E(EINVAL));
	EXPECT("info clock good", keel_info(KEEL_INFO_CLOCK, 0, &now, sizeof(now)), 8);
}

/* Handles: bad values, stale ones, missing rights, wrong types. */
static void test_handles(void)
{
	uint64_t stale = closed_handle(),
		 junk[] = {0, 0xdeadbeef, (1ull << 16) | 4000, ~0ull, (1ull << 63) | 1, stale};
	const char *junk_name[] = {"0", "random", "index past the table", "~0", "bit 63", "closed"};
	int64_t ep, ep_read, n_sig, d;
	char name[96];

	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		uint64_t h = junk[i];

		keel_snprintf(name, sizeof(name), "handle_dup %s handle", junk_name[i]);
		EXPECT(name, keel_handle_dup(h, KEEL_RIGHT_READ), E(EBADH));
		keel_snprintf(name, sizeof(name), "handle_close %s handle", junk_name[i]);
		EXPECT(name, keel_handle_close(h), E(EBADH));
		keel_snprintf(name, sizeof(name), "call %s handle", junk_name[i]);
		EXPECT(name, sys(KEEL_SYS_CALL, h, 1, 2, 3, 4, 0), E(EBADH));
		keel_snprintf(name, sizeof(name), "recv %s handle", junk_name[i]);
		EXPECT(name, sys(KEEL_SYS_RECV, h, 0, 0, 0, 0, 0), E(EBADH));
		keel_snprintf(name, sizeof(name), "signal %s handle", junk_name[i]);
		EXPECT(name, keel_signal(h, 1), E(EBADH));
		keel_snprintf(name, sizeof(name), "wait %s handle", junk_name[i]);
		EXPECT(name, keel_wait(h, KEEL_FOREVER), E(EBADH));
		if (h != KEEL_HANDLE_SELF) {
			keel_snprintf(name, sizeof(name), "reply_recv %s handle", junk_name[i]);
			EXPECT(name, sys(KEEL_SYS_REPLY_RECV, h, 0, 0, 0, 0, 0), E(EBADH));
		}
		keel_snprintf(name, sizeof(name), "map %s vmo handle", junk_name[i]);
		EXPECT(name, keel_map(KEEL_HANDLE_SELF, h, 0x10000000, 0, 4096, KEEL_MAP_READ),
		       E(ENOSYS), E(EBADH));
		if (h != KEEL_HANDLE_SELF) {
			keel_snprintf(name, sizeof(name), "unmap %s process handle", junk_name[i]);
			EXPECT(name, keel_unmap(h, 0x10000000, 4096), E(ENOSYS), E(EBADH));
			keel_snprintf(name, sizeof(name), "thread_create %s process handle",
				      junk_name[i]);
			EXPECT(name, keel_thread_create(h, 0x400000, STACK_TOP, 0), E(ENOSYS),
			       E(EBADH));
		}
		keel_snprintf(name, sizeof(name), "irq_bind %s notification handle", junk_name[i]);
		EXPECT(name, keel_irq_bind(1, h, 0), E(ENOSYS), E(EBADH), E(EPERM));
	}
	/* A stale handle whose slot now holds another object. */
	n_sig = keel_object_create(KEEL_OBJ_NOTIFICATION, 0);
	EXPECT("signal stale handle (slot reused)", keel_signal(stale, 1),
	       stale == (uint64_t)n_sig ? 0 : E(EBADH));
	EXPECT("handle_close twice", keel_handle_close((uint64_t)n_sig), 0);
	EXPECT("handle_close twice (second)", keel_handle_close((uint64_t)n_sig), E(EBADH));

	/* Missing rights. */
	EXPECT("recv on a write-only endpoint", sys(KEEL_SYS_RECV, h_ep, 0, 0, 0, 0, 0), E(EPERM));
	EXPECT("reply_recv on a write-only endpoint", sys(KEEL_SYS_REPLY_RECV, h_ep, 0, 0, 0, 0, 0),
	       E(EPERM));
	EXPECT("signal a wait-only notification", keel_signal(h_waitonly, 1), E(EPERM));
	EXPECT("handle_dup without the duplicate right", keel_handle_dup(h_ep, KEEL_RIGHT_WRITE),
	       E(EPERM));
	EXPECT("handle_dup superset rights", keel_handle_dup(h_notif, KEEL_RIGHT_READ), E(EPERM));
	EXPECT("handle_dup rights past the defined bits", keel_handle_dup(h_notif, 1ull << 8),
	       E(EINVAL));
	EXPECT("handle_dup rights ~0", keel_handle_dup(h_notif, ~0ull), E(EINVAL), E(EPERM));
	ep = keel_object_create(KEEL_OBJ_ENDPOINT, 0);
	EXPECT("object_create endpoint", ep >= 0 ? 0 : ep, 0);
	ep_read = keel_handle_dup((uint64_t)ep, KEEL_RIGHT_READ);
	EXPECT("handle_dup subset rights", ep_read >= 0 ? 0 : ep_read, 0);
	EXPECT("call on a read-only endpoint", sys(KEEL_SYS_CALL, (uint64_t)ep_read, 1, 2, 3, 4, 0),
	       E(EPERM));
	EXPECT("handle_dup of a handle without the duplicate right",
	       keel_handle_dup((uint64_t)ep_read, KEEL_RIGHT_READ), E(EPERM));
	d = keel_handle_dup(h_notif, KEEL_RIGHT_SIGNAL);
	EXPECT("wait on a signal-only notification", keel_wait((uint64_t)d, 0), E(EPERM));
	keel_handle_close((uint64_t)d);

	/* Wrong object types. */
	EXPECT("signal on an endpoint", keel_signal((uint64_t)ep, 1), E(ETYPE));
	EXPECT("wait on an endpoint", keel_wait((uint64_t)ep, 0), E(ETYPE));
	EXPECT("call on a notification", sys(KEEL_SYS_CALL, h_notif, 0, 0, 0, 0, 0), E(ETYPE));
	EXPECT("recv on a notification", sys(KEEL_SYS_RECV, h_notif, 0, 0, 0, 0, 0), E(ETYPE));
	EXPECT("reply_recv on a notification", sys(KEEL_SYS_REPLY_RECV, h_notif, 0, 0, 0, 0, 0),
	       E(ETYPE));
	EXPECT("map an endpoint as a vmo",
	       keel_map(KEEL_HANDLE_SELF, (uint64_t)ep, 0x10000000, 0, 4096, KEEL_MAP_READ),
	       E(ENOSYS), E(ETYPE));
	EXPECT("thread_create on an endpoint", keel_thread_create((uint64_t)ep, 0x400000, 0, 0),
	       E(ENOSYS), E(ETYPE));
	EXPECT("irq_bind to an endpoint", keel_irq_bind(1, (uint64_t)ep, 0), E(ENOSYS), E(ETYPE),
	       E(EPERM));
	keel_handle_close((uint64_t)ep_read);
	keel_handle_close((uint64_t)ep);

	/* reply_recv with nobody to reply to. */
	EXPECT("reply_recv self with no caller",
	       sys(KEEL_SYS_REPLY_RECV, KEEL_HANDLE_SELF, 0, 0, 0, 0, 0), E(ENOENT));
}

static void test_notification_and_create(void)
{
	EXPECT("wait poll with no bits", keel_wait(h_notif, 0), E(ETIMEDOUT));
	EXPECT("wait 5 ns with no bits", keel_wait(h_notif, 5), E(ETIMEDOUT));
	EXPECT("wait 1 ms with no bits", keel_wait(h_notif, 1000000), E(ETIMEDOUT));
	EXPECT("signal no bits", keel_signal(h_notif, 0), 0);
	EXPECT("wait after signalling no bits", keel_wait(h_notif, 0), E(ETIMEDOUT));
	EXPECT("signal bit 5", keel_signal(h_notif, 1u << 5), 0);
	EXPECT("wait sees bit 5", keel_wait(h_notif, 0), 1 << 5);
	/* Bits are 63 wide: bit 63 would make a wait return 0 with bits pending. */
	EXPECT("signal bit 63", keel_signal(h_notif, 1ull << 63), E(EINVAL));
	EXPECT("wait after signal bit 63", keel_wait(h_notif, 0), E(ETIMEDOUT));

	EXPECT("object_create type 0", keel_object_create(0, 0), E(EINVAL));
	EXPECT("object_create type 99", keel_object_create(99, 0), E(EINVAL));
	EXPECT("object_create type ~0", keel_object_create(~0ull, 0), E(EINVAL));
	EXPECT("object_create endpoint with an argument", keel_object_create(KEEL_OBJ_ENDPOINT, 1),
	       E(EINVAL));
	EXPECT("object_create notification bound to no handle",
	       keel_object_create(KEEL_OBJ_NOTIFICATION, ~0ull), E(EBADH));
	EXPECT("object_create vmo of ~0 bytes", keel_object_create(KEEL_OBJ_VMO, ~0ull), E(ENOSYS),
	       E(E2BIG), E(EINVAL), E(ENOMEM));
}

/* Processes: the arguments a child's creation and use can get wrong. */
static void test_processes(void)
{
	struct keel_process_info info;
	int64_t p;

	EXPECT("proc_create name of 0 bytes", keel_proc_create("x", 0, 0, 0, 0, 0), E(EINVAL));
	EXPECT("proc_create unknown flags", keel_proc_create("x", 1, 0, 0, 0, ~0ull), E(EINVAL));
	EXPECT("proc_create exit bit 63", keel_proc_create("x", 1, 0, h_notif, 63, 0), E(EINVAL));
	EXPECT("proc_create supervisor a notification", keel_proc_create("x", 1, h_notif, 0, 0, 0),
	       E(ETYPE));
	EXPECT("proc_create exit notification an endpoint", keel_proc_create("x", 1, 0, h_ep, 0, 0),
	       E(ETYPE));
	EXPECT("proc_create exit notification without signal",
	       keel_proc_create("x", 1, 0, h_waitonly, 0, 0), E(EPERM));
	EXPECT("thread_create here at a kernel entry",
	       keel_thread_create(KEEL_HANDLE_SELF, BAD_KERNEL, STACK_TOP, 0), E(ERANGE));
	EXPECT("thread_create here with a non-canonical stack",
	       keel_thread_create(KEEL_HANDLE_SELF, 0x400000, BAD_NONCANON2, 0), E(ERANGE));
	EXPECT("handle_dup into an endpoint", keel_handle_dup_to(h_notif, 0, h_ep), E(ETYPE));
	EXPECT("info of an endpoint as a process",
	       keel_info(KEEL_INFO_PROCESS, h_ep, &info, sizeof(info)), E(ETYPE));
	p = keel_proc_create("fuzzchild", 9, 0, h_notif, 5, 0);
	EXPECT("proc_create", p < 0 ? p : 0, 0);
	EXPECT("handle_dup a process into itself, unstarted",
	       keel_handle_dup_to((uint64_t)p, KEEL_RIGHT_READ, (uint64_t)p), E(EINVAL));
	EXPECT("map into a child at a kernel address",
	       keel_map((uint64_t)p, h_notif, BAD_KERNEL, 0, 4096, KEEL_MAP_READ), E(ERANGE));
	EXPECT("info of the unstarted child", keel_info(KEEL_INFO_PROCESS, (uint64_t)p, &info, 8),
	       E(E2BIG));
	EXPECT("close the unstarted child", keel_handle_close((uint64_t)p), 0);
}

/* Calls being built: ENOSYS now, the proper error later. */
static void test_unbuilt_and_unknown(void)
{
	static const uint64_t unknown[] = {
	    KEEL_SYS_COUNT, 21, 25, 255, 1ull << 32 | KEEL_SYS_YIELD, ~0ull, 1ull << 63};
	char name[64];

	EXPECT("unmap a non-canonical range", keel_unmap(KEEL_HANDLE_SELF, BAD_NONCANON, 4096),
	       E(ENOSYS), E(ERANGE), E(EINVAL));
	EXPECT("unmap a kernel range", keel_unmap(KEEL_HANDLE_SELF, BAD_KERNEL, 4096), E(ENOSYS),
	       E(ERANGE), E(EINVAL));
	EXPECT("proc_create kernel name", keel_proc_create((const char *)BAD_KERNEL, 4, 0, 0, 0, 0),
	       E(ENOSYS), E(EFAULT));
	EXPECT("proc_create non-canonical name",
	       keel_proc_create((const char *)BAD_NONCANON, 4, 0, 0, 0, 0), E(ENOSYS), E(EFAULT));
	EXPECT("proc_create 1 MiB name",
	       keel_proc_create((const char *)scratch, ALL_SIZE, 0, 0, 0, 0), E(ENOSYS), E(E2BIG));
	EXPECT("irq_ack ~0", keel_irq_ack(~0ull), E(ENOSYS), E(EINVAL), E(EPERM), E(EBADH));
	EXPECT("ioport_enable ~0", keel_ioport_enable(~0ull), E(ENOSYS), E(EINVAL), E(EPERM),
	       E(EBADH));
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		keel_snprintf(name, sizeof(name), "unknown call 0x%llx",
			      (unsigned long long)unknown[i]);
		EXPECT(name, sys(unknown[i], 1, 2, 3, 4, 5, 6), E(ENOSYS));
	}
}

/* ---- The random run ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t pool[SYSFUZZ_POOL];
static uint64_t proc_pool[SYSFUZZ_PROCS]; /* process handles made by the random run */
static unsigned pool_next;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* One random argument register. */
static uint64_t rnd_arg(void)
{
	uint64_t r = rnd();

	switch (r % 12) {
	case 0: return (r >> 8) % 8;
	case 1: return pool[(r >> 8) % SYSFUZZ_POOL];
	case 2: return (r >> 8) % 3 == 0 ? h_ep : (r >> 8) % 3 == 1 ? h_notif : h_waitonly;
	case 3: return ((r >> 8) % 8) << 16 | ((r >> 20) % 40); /* handle-like */
	case 4: return BAD_KERNEL + ((r >> 8) & 0xffff);
	case 5: return 0xffff800000000000ull + ((r >> 8) & 0xffffffff);
	case 6: return BAD_NONCANON + ((r >> 8) & 0xffffffffffull);
	case 7: return (uint64_t)(uintptr_t)scratch + (r >> 8) % 4096; /* mapped, writable */
	case 8: return BAD_LOW + ((r >> 8) & 0xfff);
	case 9: return ~0ull - ((r >> 8) % 16);
	case 10: return 1ull << ((r >> 8) % 64);
	default: return rnd();
	}
}

/* One of the children made so far (never an empty slot: 0 would name this process). */
static uint64_t proc_pick(unsigned procs)
{
	return proc_pool[rnd() % (procs < SYSFUZZ_PROCS ? procs : SYSFUZZ_PROCS)];
}

/* Whether h is an open handle of this process (a dup with no rights answers EBADH if not). */
static int handle_open(uint64_t h)
{
	int64_t d = keel_handle_dup(h, 0);

	if (d >= 0)
		keel_handle_close((uint64_t)d);
	return d != E(EBADH);
}

static void fuzz_random(unsigned calls)
{
	unsigned done = 0, bad = 0, created = 0, procs = 0, threads = 0;
	uint64_t a[6], nr;
	int64_t r;

	for (size_t i = 0; i < SYSFUZZ_POOL; i++)
		pool[i] = rnd_arg();
	while (done < calls) {
		nr = rnd() % (SYSFUZZ_NR_MAX + 1);
		for (int i = 0; i < 6; i++)
			a[i] = rnd_arg();
		switch (nr) {
		case KEEL_SYS_EXIT: continue;
		case KEEL_SYS_OBJECT_CREATE:
			/* Half the time a valid request: handles to close, dup and misuse. */
			if (rnd() & 1) {
				a[0] = KEEL_OBJ_ENDPOINT + rnd() % 2;
				a[1] = 0;
			}
			break;
		case KEEL_SYS_HANDLE_DUP:
			if (rnd() & 1)
				a[1] = rnd() & KEEL_RIGHTS_ALL;
			/* Into this process, a child, or something random. */
			a[2] = (rnd() & 1) ? 0 : (procs && (rnd() & 1)) ? proc_pick(procs) : a[2];
			break;
		case KEEL_SYS_DEBUG_LOG:
			/* No log lines: a readable pointer only with a size past the limit. */
			if (a[0] >= (uint64_t)(uintptr_t)scratch &&
			    a[0] < (uint64_t)(uintptr_t)scratch + sizeof(scratch) && a[1] <= 256)
				a[1] += ALL_SIZE;
			break;
		case KEEL_SYS_CALL:
		case KEEL_SYS_RECV:
		case KEEL_SYS_REPLY_RECV:
			/* Nobody will answer: never on an open handle. */
			if (handle_open(a[0]))
				continue;
			break;
		case KEEL_SYS_WAIT:
			/*
			 * On an open handle nobody signals: a poll, or now and then a
			 * timeout of at most 1 ms (it ends at the next tick); never
			 * a long one, which would block the run.
			 */
			if (handle_open(a[0]))
				a[1] = (a[1] & 63) == 0 ? a[1] % 1000000 : 0;
			break;
		case KEEL_SYS_MAP:
		case KEEL_SYS_UNMAP:
		case KEEL_SYS_THREAD_CREATE:
			/* Not on this process: a random mapping or thread would kill it. */
			if (a[0] == KEEL_HANDLE_SELF)
				a[0] = 0xdeadbeef;
			/* Half the time on a child made here (a thread there just faults). */
			if ((rnd() & 1) && procs)
				a[0] = proc_pick(procs);
			break;
		case KEEL_SYS_SIGNAL:
			/* Now and then a kill of one of the children made here (never another
			 * process). */
			if (procs && (rnd() & 7) == 0)
				a[0] = proc_pick(procs);
			break;
		case KEEL_SYS_IRQ_BIND:
			/*
			 * Half the time an "owner gone" watch: a handle of the pool
			 * watched, our notification or one of the pool as target, a
			 * bit that may be out of range.
			 */
			if (rnd() & 1) {
				a[0] = pool[rnd() % SYSFUZZ_POOL];
				a[1] = (rnd() & 1) ? h_notif : pool[rnd() % SYSFUZZ_POOL];
				a[2] = rnd() % 66;
			}
			break;
		case KEEL_SYS_PROC_CREATE:
			/*
			 * Half the time a valid request. Never a supervisor: a fault sent to
			 * an endpoint nobody serves would hold a child's thread for ever.
			 */
			if (rnd() & 1) {
				a[0] = (uint64_t)(uintptr_t) "fuzzchild";
				a[1] = 1 + rnd() % 9;
				a[4] = rnd() % 63;
				a[5] = 0;
			}
			a[2] = 0;
			break;
		default: break;
		}
		r = sys(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		done++;
		if (r < 0 && !keel_is_error(r)) {
			if (bad++ < 10)
				keel_printf("call %llu (0x%llx, 0x%llx, ...) returned %lld\n",
					    (unsigned long long)nr, (unsigned long long)a[0],
					    (unsigned long long)a[1], (long long)r);
		} else if (nr > KEEL_SYS_IOPORT_ENABLE && r != E(ENOSYS)) {
			if (bad++ < 10)
				keel_printf("unknown call %llu returned %lld\n",
					    (unsigned long long)nr, (long long)r);
		}
		/* A handle duplicated into a child is not one of ours. */
		if (r >= 0 && (nr == KEEL_SYS_OBJECT_CREATE ||
			       (nr == KEEL_SYS_HANDLE_DUP && a[2] == KEEL_HANDLE_SELF))) {
			pool[pool_next++ % SYSFUZZ_POOL] = (uint64_t)r;
			created++;
		}
		if (r >= 0 && nr == KEEL_SYS_PROC_CREATE) {
			/* A slot reused closes the child it held: unstarted, it is taken apart. */
			if (proc_pool[procs % SYSFUZZ_PROCS])
				keel_handle_close(proc_pool[procs % SYSFUZZ_PROCS]);
			proc_pool[procs++ % SYSFUZZ_PROCS] = (uint64_t)r;
			pool[pool_next++ % SYSFUZZ_POOL] = (uint64_t)r;
		}
		if (r >= 0 && nr == KEEL_SYS_THREAD_CREATE)
			threads++;
	}
	tests++;
	if (bad) {
		failures++;
		keel_printf("not ok %d random run # %u bad results in %u calls\n", tests, bad,
			    calls);
	} else {
		keel_printf("ok %d random run # %u calls, %u handles made, %u processes, %u "
			    "threads started\n",
			    tests, calls, created, procs, threads);
	}
}

int main(uint64_t arg)
{
	h_ep = arg & SYSFUZZ_ARG_MASK;
	h_notif = arg >> SYSFUZZ_ARG_BITS & SYSFUZZ_ARG_MASK;
	h_waitonly = arg >> 2 * SYSFUZZ_ARG_BITS & SYSFUZZ_ARG_MASK;
	test_pointers();
	test_handles();
	test_notification_and_create();
	test_processes();
	test_unbuilt_and_unknown();
	fuzz_random(arg & SYSFUZZ_ARG_SHORT ? SYSFUZZ_CALLS_SHORT : SYSFUZZ_CALLS);
	keel_printf("%d tests, %d failed\n", tests, failures);
	return failures;
}
