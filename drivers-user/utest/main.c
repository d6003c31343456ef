/*
 * drivers-user/utest/main.c: processes from user space, tested from user
 * space (Keel issue 5 items 2 and 7). The kernel's proc suite
 * (kernel/core/proc_tests.c) starts bin/utest once per case, with the case
 * number as its start block's arg (0: every case, as init runs it with the
 * command line word `utest`) and the ramdisk in handle[KEEL_START_RAMDISK]; a case spawns copies of
 * bin/utest as children (arg UTEST_CHILD | what the child does) and checks what it sees. Each check
 * logs "ok N name" or "not ok N name # why"; the exit status is the number of failed checks, which
 * the kernel turns into its KTAP result (and it checks that every page and object came back).
 */
#include "keel.h"
#include "utest.h"

#define UTEST_CHILD     (1ull << 62)
#define UTEST_C_EXIT    (1ull << 56)  /* exit with the low 8 bits */
#define UTEST_C_SIGNAL  (2ull << 56)  /* signal UTEST_BIT on handle[0], exit 0 */
#define UTEST_C_READ    (3ull << 56)  /* wait on handle[1], exit with the word at UTEST_SHARED_VA */
#define UTEST_C_KERNEL  (4ull << 56)  /* read kernel memory */
#define UTEST_C_PARENT  (5ull << 56)  /* read UTEST_PARENT_VA, mapped in the parent only */
#define UTEST_C_WAIT    (6ull << 56)  /* wait on handle[1], exit 0 */
#define UTEST_C_THREADS (7ull << 56)  /* threads that run and block, then a fault */
#define UTEST_C_PORTS   (8ull << 56)  /* signal handle[0], receive on handle[1], read a CMOS port */
#define UTEST_C_NAPSIG  (9ull << 56)  /* nap 50 ms, signal UTEST_BIT on handle[0], exit 0 */
#define UTEST_C_SPIN    (10ull << 56) /* spin in user mode for ever */
#define UTEST_C_MASK    (15ull << 56)
#define UTEST_SHARED_VA 0x0000300000000000ull
#define UTEST_PARENT_VA 0x0000310000000000ull
#define UTEST_MAGIC     0x5a
#define UTEST_EXIT_BIT  5 /* the children's exit notification bit */
#define UTEST_BIT       4 /* the bit a child signals */
#define UTEST_KERNEL_VA 0xffffffff80000000ull
#define UTEST_VECTOR_PF 14
#define UTEST_VECTOR_GP 13
#define UTEST_CMOS_PORT 0x70 /* and 0x71: index and data */

#define E(code) (-(int64_t)KEEL_##code)

const struct keel_start *start;
static int tests, failures;

void check(const char *name, int64_t got, int64_t want)
{
	tests++;
	if (got == want) {
		keel_printf("ok %d %s\n", tests, name);
		return;
	}
	failures++;
	keel_printf("not ok %d %s # got %lld (%s), expected %lld (%s)\n", tests, name,
		    (long long)got, keel_is_error(got) ? keel_strerror(got) : "value",
		    (long long)want, keel_is_error(want) ? keel_strerror(want) : "value");
}

/* A check that only wants success (a value >= 0). */
int64_t check_ok(const char *name, int64_t got)
{
	check(name, got < 0 ? got : 0, 0);
	return got;
}

/* ---- Children ---- */

/*
 * A child with many threads (UTEST_C_THREADS): one spins in user mode, the
 * others block in the kernel (recv on an endpoint nobody sends to, wait
 * with and without a timeout, call to an endpoint nobody serves, and a
 * server that answered its client with a words-only reply_recv, the fast
 * path when both share a CPU), then the first thread faults, and one more
 * at about the same time (T_FAULT, after the same naps): the whole process
 * must end once, with the fault's vector.
 */
enum { T_SPIN, T_RECV, T_WAIT, T_WAIT_TIMEOUT, T_CALL, T_SERVE, T_CLIENT, T_FAULT, T_COUNT };
#define T_STACK      4096
#define T_TIMEOUT_NS 60000000000ull /* 60 s: the kill comes long before */

static uint64_t t_ep_recv, t_ep_call, t_ep_serve, t_notif, t_nap;
static uint32_t t_started; /* atomic */
static struct keel_msg t_msg[T_COUNT];
static uint8_t t_stacks[T_COUNT][T_STACK] __attribute__((aligned(16)));

void utest_thread_main(uint64_t role);

/* A new thread starts with rsp 16-byte aligned: the call makes it a C function's entry. */
__asm__(".text\n"
	".globl utest_thread_start\n"
	"utest_thread_start:\n\t"
	"call utest_thread_main\n\t"
	"ud2\n");
void utest_thread_start(void);

void utest_thread_main(uint64_t role)
{
	struct keel_msg *m = &t_msg[role];

	m->handle = KEEL_MSG_NO_HANDLE;
	__atomic_fetch_add(&t_started, 1, __ATOMIC_RELEASE);
	switch (role) {
	case T_SPIN:
		for (;;)
			__asm__ volatile("pause");
	case T_RECV: keel_recv(t_ep_recv, m); break;
	case T_WAIT: keel_wait(t_notif, KEEL_FOREVER); break;
	case T_WAIT_TIMEOUT: keel_wait(t_notif, T_TIMEOUT_NS); break;
	case T_CALL: keel_call(t_ep_call, m); break;
	case T_SERVE:
		/* Words only (r9 = 0): the reply, and the wait for the next call, may go fast. */
		if (keel_syscall6(KEEL_SYS_RECV, t_ep_serve, 0, 0, 0, 0, 0) >= 0)
			keel_syscall6(KEEL_SYS_REPLY_RECV, t_ep_serve, 0, 0, 0, 0, 0);
		break;
	case T_FAULT:
		while (__atomic_load_n(&t_started, __ATOMIC_ACQUIRE) < T_COUNT)
			keel_wait(t_nap, 10000000);
		for (int i = 0; i < 5; i++)
			keel_wait(t_nap, 10000000);
		(void)*(volatile const uint64_t *)UTEST_KERNEL_VA;
		break;
	case T_CLIENT:
		keel_syscall6(KEEL_SYS_CALL, t_ep_serve, 1, 2, 3, 4, 0);
		keel_wait(t_notif, KEEL_FOREVER);
		break;
	}
	keel_exit(100 + (int64_t)role); /* never: the kill ends it inside the kernel */
}

static int child_threads(void)
{
	int64_t nap = keel_object_create(KEEL_OBJ_NOTIFICATION, 0);

	t_nap = (uint64_t)nap;
	t_ep_recv = (uint64_t)keel_object_create(KEEL_OBJ_ENDPOINT, 0);
	t_ep_call = (uint64_t)keel_object_create(KEEL_OBJ_ENDPOINT, 0);
	t_ep_serve = (uint64_t)keel_object_create(KEEL_OBJ_ENDPOINT, 0);
	t_notif = (uint64_t)keel_object_create(KEEL_OBJ_NOTIFICATION, 0);
	if (nap < 0 || keel_is_error((int64_t)t_ep_recv) || keel_is_error((int64_t)t_ep_call) ||
	    keel_is_error((int64_t)t_ep_serve) || keel_is_error((int64_t)t_notif))
		return 90;
	for (uint64_t i = 0; i < T_COUNT; i++)
		if (keel_thread_create(KEEL_HANDLE_SELF, (uint64_t)(uintptr_t)utest_thread_start,
				       (uint64_t)(uintptr_t)&t_stacks[i][T_STACK], i) < 0)
			return 91;
	/* Every thread in its place: started, then a few naps to let them block. */
	while (__atomic_load_n(&t_started, __ATOMIC_ACQUIRE) < T_COUNT)
		keel_wait((uint64_t)nap, 10000000);
	for (int i = 0; i < 5; i++)
		keel_wait((uint64_t)nap, 10000000);
	return (int)*(volatile const uint64_t *)UTEST_KERNEL_VA;
}

static int child_main(uint64_t what)
{
	volatile const uint64_t *p;

	switch (what & UTEST_C_MASK) {
	case UTEST_C_EXIT: return (int)(what & 0xff);
	case UTEST_C_SIGNAL: return keel_signal(start->handle[0], 1u << UTEST_BIT) == 0 ? 0 : 1;
	case UTEST_C_READ:
		keel_wait(start->handle[1], KEEL_FOREVER);
		return (int)*(volatile const uint64_t *)UTEST_SHARED_VA;
	case UTEST_C_KERNEL: p = (volatile const uint64_t *)UTEST_KERNEL_VA; return (int)*p;
	case UTEST_C_PARENT: p = (volatile const uint64_t *)UTEST_PARENT_VA; return (int)*p;
	case UTEST_C_WAIT: keel_wait(start->handle[1], KEEL_FOREVER); return 0;
	case UTEST_C_THREADS: return child_threads();
	case UTEST_C_SESSION: return utest_child_session();
	case UTEST_C_PORTS: {
		uint64_t w[KEEL_MSG_WORDS] = {0};
		uint8_t v;

		keel_signal(start->handle[0], 1u << UTEST_BIT);
		if (keel_recv_words(start->handle[1], w) < 0)
			return 98;
		/* This process holds no port: the IN must fault (#GP) and end it here. */
		__asm__ volatile("inb %w1, %0" : "=a"(v) : "Nd"(UTEST_CMOS_PORT + 1));
		return 97;
	}
	case UTEST_C_NAPSIG: {
		int64_t nap = keel_object_create(KEEL_OBJ_NOTIFICATION, 0);

		if (nap < 0)
			return 96;
		keel_wait((uint64_t)nap, 50000000);
		return keel_signal(start->handle[0], 1u << UTEST_BIT) == 0 ? 0 : 1;
	}
	case UTEST_C_SPIN:
		for (;;)
			__asm__ volatile("pause");
	default: return 99;
	}
}

/*
 * Spawn a child doing `what` with an exit notification (bit UTEST_EXIT_BIT
 * of notif, 0: none) and up to two handles: the process handle, or an error.
 */
int64_t spawn_child(uint64_t what, uint64_t notif, uint64_t h0, uint64_t r0, uint64_t h1,
		    uint64_t r1)
{
	struct keel_spawn s;
	uint64_t child;
	int64_t r;

	keel_spawn_init(&s, "bin/utest", "child");
	s.arg = UTEST_CHILD | what;
	s.exit_notif = notif;
	s.exit_bit = UTEST_EXIT_BIT;
	s.handle[0] = h0, s.rights[0] = r0;
	s.handle[1] = h1, s.rights[1] = r1;
	r = keel_spawn(start->handle[KEEL_START_RAMDISK], start->ramdisk_size, &s, &child);
	return r < 0 ? r : (int64_t)child;
}

/*
 * Wait for the child's exit notification (other bits may come first, or
 * with it: they are returned) and read how it ended.
 */
uint64_t wait_child(uint64_t notif, uint64_t child, struct keel_process_info *info)
{
	uint64_t bits = 0;
	int64_t r;

	do {
		r = keel_wait(notif, KEEL_FOREVER);
		if (r < 0)
			break;
		bits |= (uint64_t)r;
	} while (!(bits & (1ull << UTEST_EXIT_BIT)));
	check("the exit notification carries the exit bit", r < 0 ? r : 0, 0);
	memset(info, 0xff, sizeof(*info));
	check("info on the ended child", keel_info(KEEL_INFO_PROCESS, child, info, sizeof(*info)),
	      sizeof(*info));
	check("the ended child has no thread", (int64_t)info->threads, 0);
	return bits;
}

/* ---- Cases ---- */

/* A child exits with a status its parent reads (exit notification, KEEL_INFO_PROCESS). */
static void case_exit_status(void)
{
	struct keel_process_info info;
	int64_t n = check_ok("notification", keel_object_create(KEEL_OBJ_NOTIFICATION, 0));
	int64_t c = check_ok("spawn", spawn_child(UTEST_C_EXIT | 42, (uint64_t)n,
						  KEEL_MSG_NO_HANDLE, 0, KEEL_MSG_NO_HANDLE, 0));

	if (c < 0 || n < 0)
		return;
	wait_child((uint64_t)n, (uint64_t)c, &info);
	check("exit status 42", info.exit_status, 42);
	check("not killed", (int64_t)info.killed, 0);
	check("close the ended child's handle", keel_handle_close((uint64_t)c), 0);
	keel_handle_close((uint64_t)n);
}

/* A handle given into a child works there: it signals our notification. */
static void case_handle_into_child(void)
{
	struct keel_process_info info;
	int64_t n = check_ok("notification", keel_object_create(KEEL_OBJ_NOTIFICATION, 0));
	int64_t c = check_ok("spawn", spawn_child(UTEST_C_SIGNAL, (uint64_t)n, (uint64_t)n,
						  KEEL_RIGHT_SIGNAL, KEEL_MSG_NO_HANDLE, 0));

	if (c < 0 || n < 0)
		return;
	/* Its signal and its exit may come as one wake-up or two. */
	check("the child signalled with the handle it was given",
	      (int64_t)(wait_child((uint64_t)n, (uint64_t)c, &info) & (1ull << UTEST_BIT)),
	      1ll << UTEST_BIT);
	check("and exited with 0", info.exit_status, 0);
	keel_handle_close((uint64_t)c);
	keel_handle_close((uint64_t)n);
}

/* A VMO mapped into a running child by its parent: the child reads the parent's byte. */
static void case_map_into_child(void)
{
	struct keel_process_info info;
	int64_t n = check_ok("notification", keel_object_create(KEEL_OBJ_NOTIFICATION, 0));
	int64_t go = check_ok("go notification", keel_object_create(KEEL_OBJ_NOTIFICATION, 0));
	int64_t v = check_ok("vmo", keel_object_create(KEEL_OBJ_VMO, 4096));
	int64_t c;

	if (n < 0 || go < 0 || v < 0)
		return;
	check("map the vmo here",
	      keel_map(KEEL_HANDLE_SELF, (uint64_t)v, UTEST_SHARED_VA, 0, 4096,
		       KEEL_MAP_READ | KEEL_MAP_WRITE),
	      0);
	*(volatile uint64_t *)UTEST_SHARED_VA = UTEST_MAGIC;
	c = check_ok("spawn", spawn_child(UTEST_C_READ, (uint64_t)n, KEEL_MSG_NO_HANDLE, 0,
					  (uint64_t)go, KEEL_RIGHT_WAIT));
	if (c < 0)
		return;
	check("map into the child",
	      keel_map((uint64_t)c, (uint64_t)v, UTEST_SHARED_VA, 0, 4096, KEEL_MAP_READ), 0);
	check("map twice into the child",
	      keel_map((uint64_t)c, (uint64_t)v, UTEST_SHARED_VA, 0, 4096, KEEL_MAP_READ),
	      E(EBUSY));
	check("signal the child", keel_signal((uint64_t)go, 1), 0);
	wait_child((uint64_t)n, (uint64_t)c, &info);
	check("the child read the parent's word through the mapping", info.exit_status,
	      UTEST_MAGIC);
	check("map into the ended child",
	      keel_map((uint64_t)c, (uint64_t)v, UTEST_SHARED_VA, 0, 4096, KEEL_MAP_READ),
	      E(ECLOSED));
	check("unmap from the ended child", keel_unmap((uint64_t)c, UTEST_SHARED_VA, 4096),
	      E(ECLOSED));
	check("unmap here", keel_unmap(KEEL_HANDLE_SELF, UTEST_SHARED_VA, 4096), 0);
	keel_handle_close((uint64_t)c);
	keel_handle_close((uint64_t)v);
	keel_handle_close((uint64_t)go);
	keel_handle_close((uint64_t)n);
}

/* Children that touch kernel memory or their parent's memory are killed; we go on. */
static void case_kill(void)
{
	struct keel_process_info info;
	int64_t n = check_ok("notification", keel_object_create(KEEL_OBJ_NOTIFICATION, 0));
	int64_t v = check_ok("vmo", keel_object_create(KEEL_OBJ_VMO, 4096));
	int64_t c;

	if (n < 0 || v < 0)
		return;
	c = check_ok(
	    "spawn (kernel reader)",
	    spawn_child(UTEST_C_KERNEL, (uint64_t)n, KEEL_MSG_NO_HANDLE, 0, KEEL_MSG_NO_HANDLE, 0));
	if (c >= 0) {
		wait_child((uint64_t)n, (uint64_t)c, &info);
		check("kernel reader killed", (int64_t)info.killed, 1);
		check("by a page fault", info.exit_status, UTEST_VECTOR_PF);
		keel_handle_close((uint64_t)c);
	}
	/* Memory of ours at an address the child does not have. */
	check("map here",
	      keel_map(KEEL_HANDLE_SELF, (uint64_t)v, UTEST_PARENT_VA, 0, 4096,
		       KEEL_MAP_READ | KEEL_MAP_WRITE),
	      0);
	*(volatile uint64_t *)UTEST_PARENT_VA = 1;
	c = check_ok(
	    "spawn (parent reader)",
	    spawn_child(UTEST_C_PARENT, (uint64_t)n, KEEL_MSG_NO_HANDLE, 0, KEEL_MSG_NO_HANDLE, 0));
	if (c >= 0) {
		wait_child((uint64_t)n, (uint64_t)c, &info);
		check("parent reader killed", (int64_t)info.killed, 1);
		check("by a page fault", info.exit_status, UTEST_VECTOR_PF);
		keel_handle_close((uint64_t)c);
	}
	check("our memory is intact", (int64_t) * (volatile uint64_t *)UTEST_PARENT_VA, 1);
	keel_unmap(KEEL_HANDLE_SELF, UTEST_PARENT_VA, 4096);
	keel_handle_close((uint64_t)v);
	keel_handle_close((uint64_t)n);
}

/*
 * A child with seven threads (one spinning, the others blocked in recv,
 * wait, a timed wait, call, a fast reply_recv) whose first one reads kernel memory: the whole
 * process is killed with vector 14, unsupervised, then with a supervisor
 * that answers the fault with "kill" while the other threads run and wait.
 */
static void case_kill_threads(void)
{
	struct keel_process_info info;
	struct keel_spawn s;
	struct keel_msg m;
	int64_t n = check_ok("notification", keel_object_create(KEEL_OBJ_NOTIFICATION, 0));
	int64_t sup = check_ok("supervisor endpoint", keel_object_create(KEEL_OBJ_ENDPOINT, 0));
	uint64_t child;
	int64_t c, r;

	if (n < 0 || sup < 0)
		return;
	c = check_ok("spawn (threads)", spawn_child(UTEST_C_THREADS, (uint64_t)n,
						    KEEL_MSG_NO_HANDLE, 0, KEEL_MSG_NO_HANDLE, 0));
	if (c >= 0) {
		wait_child((uint64_t)n, (uint64_t)c, &info);
		check("threads: killed", (int64_t)info.killed, 1);
		check("threads: by a page fault", info.exit_status, UTEST_VECTOR_PF);
		keel_handle_close((uint64_t)c);
	}
	keel_spawn_init(&s, "bin/utest", "child");
	s.arg = UTEST_CHILD | UTEST_C_THREADS;
	s.exit_notif = (uint64_t)n;
	s.exit_bit = UTEST_EXIT_BIT;
	s.supervisor = (uint64_t)sup;
	r = keel_spawn(start->handle[KEEL_START_RAMDISK], start->ramdisk_size, &s, &child);
	if (check_ok("spawn (threads, supervised)", r) < 0)
		return;
	memset(&m, 0, sizeof(m));
	m.handle = KEEL_MSG_NO_HANDLE;
	r = keel_recv((uint64_t)sup, &m);
	check("supervisor: a fault call", r < 0 ? r : 0, 0);
	check("supervisor: a page fault", (int64_t)m.word[0],
	      (int64_t)(KEEL_FAULT_TAG | UTEST_VECTOR_PF));
	memset(&m, 0, sizeof(m));
	m.handle = KEEL_MSG_NO_HANDLE;
	m.word[0] = 0; /* not KEEL_FAULT_RESUME: kill */
	check("supervisor: answer kill", keel_reply_recv(KEEL_HANDLE_SELF, &m, &m), 0);
	wait_child((uint64_t)n, child, &info);
	check("supervised threads: killed", (int64_t)info.killed, 1);
	check("supervised threads: by a page fault", info.exit_status, UTEST_VECTOR_PF);
	keel_handle_close(child);
	keel_handle_close((uint64_t)sup);
	keel_handle_close((uint64_t)n);
}

/*
 * I/O ports stay with the process that enabled them across every switch,
 * the IPC fast path's too: this process enables the CMOS ports, then calls a
 * child that holds none with a register-only message (the fast path when the
 * child already waits on this CPU, as with one CPU); the child's IN faults.
 */
static void case_ports_stay_home(void)
{
	struct keel_process_info info;
	struct keel_cpu_counters before, after;
	uint64_t w[KEEL_MSG_WORDS] = {1, 2, 3, 4}, cpus = 0;
	int64_t n = check_ok("notification", keel_object_create(KEEL_OBJ_NOTIFICATION, 0));
	int64_t ep = check_ok("endpoint", keel_object_create(KEEL_OBJ_ENDPOINT, 0));
	int64_t io = check_ok("CMOS ports", keel_device_create(KEEL_OBJ_IOPORT, UTEST_CMOS_PORT, 2,
							       start->handle[KEEL_START_RESOURCE]));
	int64_t c;

	if (n < 0 || ep < 0 || io < 0)
		return;
	check("enable them", keel_ioport_enable((uint64_t)io), 0);
	c = check_ok("spawn", spawn_child(UTEST_C_PORTS, (uint64_t)n, (uint64_t)n,
					  KEEL_RIGHT_SIGNAL, (uint64_t)ep, KEEL_RIGHT_READ));
	if (c < 0)
		return;
	/* Its signal says it is about to receive; yields let it get there on one CPU. */
	keel_wait((uint64_t)n, KEEL_FOREVER);
	for (int i = 0; i < 3; i++)
		keel_yield();
	keel_info(KEEL_INFO_CPUS, 0, &cpus, sizeof(uint32_t));
	keel_info(KEEL_INFO_COUNTERS, 0, &before, sizeof(before));
	check("the child ends without replying", keel_call_words((uint64_t)ep, w), E(ECLOSED));
	keel_info(KEEL_INFO_COUNTERS, 0, &after, sizeof(after));
	if (cpus == 1)
		check("the call took the fast path", (int64_t)(after.ipc_fast - before.ipc_fast),
		      1);
	wait_child((uint64_t)n, (uint64_t)c, &info);
	check("the child without ports was killed", (int64_t)info.killed, 1);
	check("by #GP", info.exit_status, UTEST_VECTOR_GP);
	keel_handle_close((uint64_t)c);
	keel_handle_close((uint64_t)io);
	keel_handle_close((uint64_t)ep);
	keel_handle_close((uint64_t)n);
}

/* proc_create's arguments, each bad one with its own code. */
static void case_proc_create_errors(void)
{
	int64_t ep = keel_object_create(KEEL_OBJ_ENDPOINT, 0);
	int64_t n = keel_object_create(KEEL_OBJ_NOTIFICATION, 0);
	int64_t ep_r = keel_handle_dup((uint64_t)ep, KEEL_RIGHT_READ | KEEL_RIGHT_DUPLICATE);
	int64_t n_w = keel_handle_dup((uint64_t)n, KEEL_RIGHT_WAIT);
	int64_t p;

	check("name length 0", keel_proc_create("x", 0, 0, 0, 0, 0), E(EINVAL));
	check("name of 16 bytes", keel_proc_create("0123456789abcdef", 16, 0, 0, 0, 0), E(E2BIG));
	check("name ~0 bytes", keel_proc_create("x", ~0ull, 0, 0, 0, 0), E(E2BIG));
	check("name in the kernel", keel_proc_create((const char *)UTEST_KERNEL_VA, 4, 0, 0, 0, 0),
	      E(EFAULT));
	check("name unmapped", keel_proc_create((const char *)UTEST_SHARED_VA, 4, 0, 0, 0, 0),
	      E(EFAULT));
	check("name with a NUL", keel_proc_create("a\0b", 3, 0, 0, 0, 0), E(EINVAL));
	check("unknown flag", keel_proc_create("x", 1, 0, 0, 0, 1u << 1), E(EINVAL));
	check("driver flag at application priority",
	      keel_proc_create("x", 1, 0, 0, 0, KEEL_PROC_DRIVER), E(EPERM));
	check("exit bit 63", keel_proc_create("x", 1, 0, (uint64_t)n, 63, 0), E(EINVAL));
	check("exit bit ~0", keel_proc_create("x", 1, 0, (uint64_t)n, ~0ull, 0), E(EINVAL));
	check("supervisor not a handle", keel_proc_create("x", 1, 0x12345, 0, 0, 0), E(EBADH));
	check("supervisor a notification", keel_proc_create("x", 1, (uint64_t)n, 0, 0, 0),
	      E(ETYPE));
	check("supervisor without write", keel_proc_create("x", 1, (uint64_t)ep_r, 0, 0, 0),
	      E(EPERM));
	check("exit notification not a handle", keel_proc_create("x", 1, 0, 0x12345, 0, 0),
	      E(EBADH));
	check("exit notification an endpoint", keel_proc_create("x", 1, 0, (uint64_t)ep, 0, 0),
	      E(ETYPE));
	check("exit notification without signal", keel_proc_create("x", 1, 0, (uint64_t)n_w, 0, 0),
	      E(EPERM));
	p = keel_proc_create("good", 4, (uint64_t)ep, (uint64_t)n, 62, 0);
	check("proc_create with both", p < 0 ? p : 0, 0);
	/* Never started: closing its handle takes it apart (the kernel counts the pages). */
	check("close the unstarted process", keel_handle_close((uint64_t)p), 0);
	keel_handle_close((uint64_t)n_w);
	keel_handle_close((uint64_t)ep_r);
	keel_handle_close((uint64_t)n);
	keel_handle_close((uint64_t)ep);
}

/* thread_create, handle_dup into a process, map and info: the bad arguments. */
static void case_process_handle_errors(void)
{
	struct keel_process_info info;
	int64_t ep = keel_object_create(KEEL_OBJ_ENDPOINT, 0);
	int64_t n = keel_object_create(KEEL_OBJ_NOTIFICATION, 0);
	int64_t v = keel_object_create(KEEL_OBJ_VMO, 4096);
	int64_t p = keel_proc_create("empty", 5, 0, 0, 0, 0);
	int64_t p_ro = keel_handle_dup((uint64_t)p, KEEL_RIGHT_READ | KEEL_RIGHT_DUPLICATE);
	int64_t p_none = keel_handle_dup((uint64_t)p, KEEL_RIGHT_MANAGE);
	int64_t go = keel_object_create(KEEL_OBJ_NOTIFICATION, 0), c, h;
	uint64_t stack = 0x7fff0000;

	if (p < 0 || p_ro < 0 || p_none < 0) {
		check("setup", p < 0 ? p : p_ro < 0 ? p_ro : p_none, 0);
		return;
	}
	check("thread_create on a bad handle", keel_thread_create(0x12345, 0x400000, stack, 0),
	      E(EBADH));
	check("thread_create on an endpoint", keel_thread_create((uint64_t)ep, 0x400000, stack, 0),
	      E(ETYPE));
	check("thread_create without manage",
	      keel_thread_create((uint64_t)p_ro, 0x400000, stack, 0), E(EPERM));
	check("thread_create entry in the kernel",
	      keel_thread_create((uint64_t)p, UTEST_KERNEL_VA, stack, 0), E(ERANGE));
	check("thread_create entry 0", keel_thread_create((uint64_t)p, 0, stack, 0), E(ERANGE));
	check("thread_create stack non-canonical",
	      keel_thread_create((uint64_t)p, 0x400000, 0x0000800000001000ull, 0), E(ERANGE));
	check("thread_create stack unaligned",
	      keel_thread_create((uint64_t)p, 0x400000, stack + 8, 0), E(EINVAL));

	check("handle_dup into a bad process", keel_handle_dup_to((uint64_t)n, 0, 0x12345),
	      E(EBADH));
	check("handle_dup into an endpoint", keel_handle_dup_to((uint64_t)n, 0, (uint64_t)ep),
	      E(ETYPE));
	check("handle_dup into a process without manage",
	      keel_handle_dup_to((uint64_t)n, 0, (uint64_t)p_ro), E(EPERM));
	check("handle_dup of a bad handle into a process",
	      keel_handle_dup_to(0x12345, 0, (uint64_t)p), E(EBADH));
	check("handle_dup into a process, rights past the bits",
	      keel_handle_dup_to((uint64_t)n, 1u << 8, (uint64_t)p), E(EINVAL));
	check("handle_dup a process handle into an unstarted process",
	      keel_handle_dup_to((uint64_t)p, KEEL_RIGHT_READ, (uint64_t)p), E(EINVAL));
	h = keel_handle_dup_to((uint64_t)n, KEEL_RIGHT_SIGNAL, (uint64_t)p);
	check("handle_dup into a process", h < 0 ? h : 0, 0);

	check("map into a process without manage",
	      keel_map((uint64_t)p_ro, (uint64_t)v, UTEST_SHARED_VA, 0, 4096, KEEL_MAP_READ),
	      E(EPERM));
	check("map into an endpoint",
	      keel_map((uint64_t)ep, (uint64_t)v, UTEST_SHARED_VA, 0, 4096, KEEL_MAP_READ),
	      E(ETYPE));
	check("map into a process, a kernel address",
	      keel_map((uint64_t)p, (uint64_t)v, UTEST_KERNEL_VA, 0, 4096, KEEL_MAP_READ),
	      E(ERANGE));
	check("map into a process",
	      keel_map((uint64_t)p, (uint64_t)v, UTEST_SHARED_VA, 0, 4096, KEEL_MAP_READ), 0);
	check("unmap from a process without manage",
	      keel_unmap((uint64_t)p_ro, UTEST_SHARED_VA, 4096), E(EPERM));
	check("unmap from a process", keel_unmap((uint64_t)p, UTEST_SHARED_VA, 4096), 0);

	check("info on a bad handle", keel_info(KEEL_INFO_PROCESS, 0x12345, &info, sizeof(info)),
	      E(EBADH));
	check("info on an endpoint",
	      keel_info(KEEL_INFO_PROCESS, (uint64_t)ep, &info, sizeof(info)), E(ETYPE));
	check("info without read",
	      keel_info(KEEL_INFO_PROCESS, (uint64_t)p_none, &info, sizeof(info)), E(EPERM));
	check("info into a short buffer", keel_info(KEEL_INFO_PROCESS, (uint64_t)p, &info, 8),
	      E(E2BIG));
	check("info into the kernel",
	      keel_info(KEEL_INFO_PROCESS, (uint64_t)p, (void *)UTEST_KERNEL_VA, sizeof(info)),
	      E(EFAULT));
	check("info on an unstarted process",
	      keel_info(KEEL_INFO_PROCESS, (uint64_t)p, &info, sizeof(info)), sizeof(info));
	check("it has no thread", (int64_t)info.threads, 0);
	check("info on myself", keel_info(KEEL_INFO_PROCESS, KEEL_HANDLE_SELF, &info, sizeof(info)),
	      sizeof(info));
	check("I have a thread", (int64_t)info.threads, 1);

	/* An ended process: no thread, no handle, no mapping any more. */
	c = spawn_child(UTEST_C_WAIT, (uint64_t)n, KEEL_MSG_NO_HANDLE, 0, (uint64_t)go,
			KEEL_RIGHT_WAIT);
	check("spawn", c < 0 ? c : 0, 0);
	if (c >= 0) {
		check("handle_dup a process handle into a started process",
		      (h = keel_handle_dup_to((uint64_t)c, KEEL_RIGHT_READ, (uint64_t)c)) < 0 ? h
											      : 0,
		      0);
		keel_signal((uint64_t)go, 1);
		wait_child((uint64_t)n, (uint64_t)c, &info);
		check("thread_create in an ended process",
		      keel_thread_create((uint64_t)c, 0x400000, stack, 0), E(ECLOSED));
		check("handle_dup into an ended process",
		      keel_handle_dup_to((uint64_t)n, 0, (uint64_t)c), E(ECLOSED));
		keel_handle_close((uint64_t)c);
	}
	keel_handle_close((uint64_t)p_none);
	keel_handle_close((uint64_t)p_ro);
	keel_handle_close((uint64_t)p);
	keel_handle_close((uint64_t)go);
	keel_handle_close((uint64_t)v);
	keel_handle_close((uint64_t)n);
	keel_handle_close((uint64_t)ep);
}

/* keel_spawn's own refusals: nothing left behind (the kernel counts). */
static void case_spawn_errors(void)
{
	struct keel_spawn s;
	uint64_t child;

	keel_spawn_init(&s, "bin/nothing", "x");
	check("spawn a missing file",
	      keel_spawn(start->handle[KEEL_START_RAMDISK], start->ramdisk_size, &s, &child),
	      E(ENOENT));
	keel_spawn_init(&s, "etc/init.conf", "x");
	check("spawn a text file",
	      keel_spawn(start->handle[KEEL_START_RAMDISK], start->ramdisk_size, &s, &child),
	      E(EINVAL));
	keel_spawn_init(&s, "bin/utest", "0123456789abcdefg");
	check("spawn with a long name",
	      keel_spawn(start->handle[KEEL_START_RAMDISK], start->ramdisk_size, &s, &child),
	      E(E2BIG));
	keel_spawn_init(&s, "bin/utest", "x");
	s.handle[2] = 0x12345;
	check("spawn giving a bad handle",
	      keel_spawn(start->handle[KEEL_START_RAMDISK], start->ramdisk_size, &s, &child),
	      E(EBADH));
}

/* Many children at once, spread over the CPUs, all reaped. */
static void case_many_children(void)
{
	enum { CHILDREN = 8 };
	struct keel_process_info info;
	int64_t c[CHILDREN];
	int64_t n = check_ok("notification", keel_object_create(KEEL_OBJ_NOTIFICATION, 0));
	int sum = 0;

	if (n < 0)
		return;
	for (int i = 0; i < CHILDREN; i++)
		c[i] = spawn_child(UTEST_C_EXIT | (uint64_t)(i + 1), 0, KEEL_MSG_NO_HANDLE, 0,
				   KEEL_MSG_NO_HANDLE, 0);
	for (int i = 0; i < CHILDREN; i++) {
		if (c[i] < 0) {
			check("spawn", c[i], 0);
			continue;
		}
		/* No exit notification: poll until it has ended. */
		for (;;) {
			if (keel_info(KEEL_INFO_PROCESS, (uint64_t)c[i], &info, sizeof(info)) < 0 ||
			    info.threads == 0)
				break;
			__asm__ volatile("pause");
		}
		sum += (int)info.exit_status;
		keel_handle_close((uint64_t)c[i]);
	}
	check("the children's statuses add up", sum, CHILDREN * (CHILDREN + 1) / 2);
	keel_handle_close((uint64_t)n);
}

/* The bits of n that come within about a second, until every one of `want` has. */
static uint64_t collect_bits(uint64_t n, uint64_t want)
{
	uint64_t bits = 0;

	for (int i = 0; i < 100 && (bits & want) != want; i++) {
		int64_t r = keel_wait(n, 10000000);

		if (r > 0)
			bits |= (uint64_t)r;
	}
	return bits;
}

/*
 * "Owner gone" watches (irq_bind on a notification or an endpoint): a child
 * holds the only KEEL_RIGHT_WAIT handle of a notification and the only
 * KEEL_RIGHT_READ handle of an endpoint; when it ends, both watches fire,
 * once; bound again they fire at once; signal on the orphaned notification
 * says -KEEL_ECLOSED; a target closed first takes its watch along.
 */
static void case_watch(void)
{
	struct keel_process_info info;
	int64_t n = check_ok("target", keel_object_create(KEEL_OBJ_NOTIFICATION, 0));
	int64_t w = check_ok("watched notification", keel_object_create(KEEL_OBJ_NOTIFICATION, 0));
	int64_t ep = check_ok("watched endpoint", keel_object_create(KEEL_OBJ_ENDPOINT, 0));
	int64_t ws, es, c, t2, x, v;

	if (n < 0 || w < 0 || ep < 0)
		return;
	c = check_ok("spawn the owner", spawn_child(UTEST_C_WAIT, (uint64_t)n, (uint64_t)ep,
						    KEEL_RIGHT_READ, (uint64_t)w, KEEL_RIGHT_WAIT));
	ws = check_ok("signal-only handle", keel_handle_dup((uint64_t)w, KEEL_RIGHT_SIGNAL));
	es = check_ok("write-only handle", keel_handle_dup((uint64_t)ep, KEEL_RIGHT_WRITE));
	check("close our waiting handle", keel_handle_close((uint64_t)w), 0);
	check("close our reading handle", keel_handle_close((uint64_t)ep), 0);
	if (c < 0 || ws < 0 || es < 0)
		return;
	check("watch bit 63", keel_irq_bind((uint64_t)ws, (uint64_t)n, 63), E(EINVAL));
	check("watch with an endpoint as target", keel_irq_bind((uint64_t)ws, (uint64_t)es, 1),
	      E(ETYPE));
	v = check_ok("vmo", keel_object_create(KEEL_OBJ_VMO, 4096));
	check("watch a vmo", keel_irq_bind((uint64_t)v, (uint64_t)n, 1), E(ETYPE));
	keel_handle_close((uint64_t)v);
	check("watch the notification", keel_irq_bind((uint64_t)ws, (uint64_t)n, 7), 0);
	check("the same watch again", keel_irq_bind((uint64_t)ws, (uint64_t)n, 7), 0);
	check("watch the endpoint", keel_irq_bind((uint64_t)es, (uint64_t)n, 9), 0);
	check("probe: the owner is there", keel_signal((uint64_t)ws, 0), 0);
	check("nothing fired yet", keel_wait((uint64_t)n, 0), E(ETIMEDOUT));
	/* The child wakes and ends: both watches and its exit bit. */
	check("wake the owner", keel_signal((uint64_t)ws, 1), 0);
	check("both watches fire with the exit",
	      (int64_t)collect_bits((uint64_t)n, 1u << 7 | 1u << 9 | 1u << UTEST_EXIT_BIT),
	      1u << 7 | 1u << 9 | 1u << UTEST_EXIT_BIT);
	check("not twice", keel_wait((uint64_t)n, 20000000), E(ETIMEDOUT));
	check("info", keel_info(KEEL_INFO_PROCESS, (uint64_t)c, &info, sizeof(info)), sizeof(info));
	check("signal on the orphan", keel_signal((uint64_t)ws, 1), E(ECLOSED));
	check("probe on the orphan", keel_signal((uint64_t)ws, 0), E(ECLOSED));
	check("call on the orphaned endpoint", keel_call_words((uint64_t)es, (uint64_t[4]){0}),
	      E(ECLOSED));
	check("watch the gone notification", keel_irq_bind((uint64_t)ws, (uint64_t)n, 10), 0);
	check("watch the gone endpoint", keel_irq_bind((uint64_t)es, (uint64_t)n, 11), 0);
	check("they fire at once", keel_wait((uint64_t)n, 0), 1u << 10 | 1u << 11);
	keel_handle_close((uint64_t)c);
	/* A target closed before its watch fires: the watch goes with it. */
	t2 = check_ok("second target", keel_object_create(KEEL_OBJ_NOTIFICATION, 0));
	x = check_ok("watched by us", keel_object_create(KEEL_OBJ_NOTIFICATION, 0));
	if (t2 >= 0 && x >= 0) {
		check("watch ours", keel_irq_bind((uint64_t)x, (uint64_t)t2, 2), 0);
		check("watch ours on itself", keel_irq_bind((uint64_t)x, (uint64_t)x, 3), 0);
		check("close the target", keel_handle_close((uint64_t)t2), 0);
		check("close the watched one", keel_handle_close((uint64_t)x), 0);
	}
	/* Watches left waiting when we end go with our handles. */
	x = check_ok("watched at our end", keel_object_create(KEEL_OBJ_NOTIFICATION, 0));
	if (x >= 0)
		check("watch left waiting", keel_irq_bind((uint64_t)x, (uint64_t)n, 4), 0);
	keel_handle_close((uint64_t)ws);
	keel_handle_close((uint64_t)es);
	keel_handle_close((uint64_t)n);
}

/*
 * A notification bound to an endpoint: recv and reply_recv return its bits
 * at once (badge KEEL_BADGE_NOTIFY, w0 the bits), a signal wakes a blocked
 * recv, one binding per endpoint, and either side's end unbinds.
 */
static void case_bound(void)
{
	struct keel_process_info info;
	uint64_t w[KEEL_MSG_WORDS] = {0};
	int64_t ep = check_ok("endpoint", keel_object_create(KEEL_OBJ_ENDPOINT, 0));
	int64_t en = check_ok("exit notification", keel_object_create(KEEL_OBJ_NOTIFICATION, 0));
	int64_t n, wo, v, c, n2;

	if (ep < 0 || en < 0)
		return;
	wo = check_ok("write-only", keel_handle_dup((uint64_t)ep, KEEL_RIGHT_WRITE));
	v = check_ok("vmo", keel_object_create(KEEL_OBJ_VMO, 4096));
	check("bind to a bad handle", keel_object_create(KEEL_OBJ_NOTIFICATION, 0x12345), E(EBADH));
	check("bind to a vmo", keel_object_create(KEEL_OBJ_NOTIFICATION, (uint64_t)v), E(ETYPE));
	check("bind without read", keel_object_create(KEEL_OBJ_NOTIFICATION, (uint64_t)wo),
	      E(EPERM));
	check("an endpoint's arg", keel_object_create(KEEL_OBJ_ENDPOINT, (uint64_t)ep), E(EINVAL));
	n = check_ok("bound notification", keel_object_create(KEEL_OBJ_NOTIFICATION, (uint64_t)ep));
	check("a second binding", keel_object_create(KEEL_OBJ_NOTIFICATION, (uint64_t)ep),
	      E(EBUSY));
	keel_handle_close((uint64_t)v);
	if (n < 0 || wo < 0)
		return;
	check("signal", keel_signal((uint64_t)n, 5), 0);
	check("recv returns the bits", keel_recv_words((uint64_t)ep, w),
	      (int64_t)KEEL_BADGE_NOTIFY);
	check("w0 is the bits", (int64_t)w[0], 5);
	check("the bits are cleared", keel_wait((uint64_t)n, 0), E(ETIMEDOUT));
	check("signal again", keel_signal((uint64_t)n, 2), 0);
	check("reply_recv returns them", keel_reply_recv_words((uint64_t)ep, w),
	      (int64_t)KEEL_BADGE_NOTIFY);
	check("w0 is 2", (int64_t)w[0], 2);
	check("signal for wait", keel_signal((uint64_t)n, 8), 0);
	check("wait still works", keel_wait((uint64_t)n, 0), 8);
	/* A child signals while we are blocked in recv. */
	c = check_ok("spawn the signaller", spawn_child(UTEST_C_NAPSIG, (uint64_t)en, (uint64_t)n,
							KEEL_RIGHT_SIGNAL, KEEL_MSG_NO_HANDLE, 0));
	if (c >= 0) {
		w[0] = 0;
		check("a signal wakes a blocked recv", keel_recv_words((uint64_t)ep, w),
		      (int64_t)KEEL_BADGE_NOTIFY);
		check("with its bit", (int64_t)w[0], 1 << UTEST_BIT);
		wait_child((uint64_t)en, (uint64_t)c, &info);
		check("the signaller's status", info.exit_status, 0);
		keel_handle_close((uint64_t)c);
	}
	/* The notification closed first: the endpoint may be bound again. */
	check("close the notification", keel_handle_close((uint64_t)n), 0);
	n2 = check_ok("bind again", keel_object_create(KEEL_OBJ_NOTIFICATION, (uint64_t)ep));
	/* The endpoint closed first: the notification goes on alone. */
	check("close the write-only handle", keel_handle_close((uint64_t)wo), 0);
	check("close the endpoint", keel_handle_close((uint64_t)ep), 0);
	if (n2 >= 0) {
		check("signal the unbound one", keel_signal((uint64_t)n2, 1), 0);
		check("wait on it", keel_wait((uint64_t)n2, 0), 1);
		keel_handle_close((uint64_t)n2);
	}
	keel_handle_close((uint64_t)en);
}

/*
 * Kill from outside: KEEL_SYS_SIGNAL on a child's process handle with
 * KEEL_RIGHT_MANAGE ends it with the bits as its status (killed = 1): a
 * blocked child, a spinning one (on another CPU when there are two), one
 * never started; an ended one answers -KEEL_ECLOSED, a handle without
 * KEEL_RIGHT_MANAGE -KEEL_EPERM.
 */
static void case_kill_signal(void)
{
	static const uint64_t kinds[2] = {UTEST_C_WAIT, UTEST_C_SPIN};
	struct keel_process_info info;
	int64_t n = check_ok("notification", keel_object_create(KEEL_OBJ_NOTIFICATION, 0));
	int64_t w = check_ok("nobody signals it", keel_object_create(KEEL_OBJ_NOTIFICATION, 0));
	int64_t c, ro, u;

	if (n < 0 || w < 0)
		return;
	for (int i = 0; i < 2; i++) {
		c = check_ok("spawn", spawn_child(kinds[i], (uint64_t)n, KEEL_MSG_NO_HANDLE, 0,
						  (uint64_t)w, KEEL_RIGHT_WAIT));
		if (c < 0)
			continue;
		ro = check_ok("a handle without manage",
			      keel_handle_dup((uint64_t)c, KEEL_RIGHT_READ | KEEL_RIGHT_DUPLICATE));
		keel_wait((uint64_t)w, 20000000); /* let it block, or spin */
		check("kill without manage", keel_signal((uint64_t)ro, 1), E(EPERM));
		check("kill", keel_signal((uint64_t)c, 70 + (uint64_t)i), 0);
		wait_child((uint64_t)n, (uint64_t)c, &info);
		check("killed", (int64_t)info.killed, 1);
		check("with the bits as status", info.exit_status, 70 + i);
		check("kill the ended child", keel_signal((uint64_t)c, 1), E(ECLOSED));
		keel_handle_close((uint64_t)ro);
		keel_handle_close((uint64_t)c);
	}
	u = check_ok("a process never started", keel_proc_create("idle", 4, 0, 0, 0, 0));
	if (u >= 0) {
		check("kill it", keel_signal((uint64_t)u, 9), 0);
		check("info", keel_info(KEEL_INFO_PROCESS, (uint64_t)u, &info, sizeof(info)),
		      sizeof(info));
		check("killed", (int64_t)info.killed, 1);
		check("status", info.exit_status, 9);
		check("no thread starts in it",
		      keel_thread_create((uint64_t)u, 0x400000, 0x500000, 0), E(ECLOSED));
		check("kill it again", keel_signal((uint64_t)u, 9), E(ECLOSED));
		keel_handle_close((uint64_t)u);
	}
	check("a notification is still signalled", keel_signal((uint64_t)w, 0), 0);
	keel_handle_close((uint64_t)w);
	keel_handle_close((uint64_t)n);
}

/* ---- The kernel log (KEEL_OBJ_LOG, kernel/core/klog.h) ---- */

#define LOG_BIT     3
#define LOG_RING    (64 * 1024)
#define LOG_OBJECTS 8 /* kernel/core/klog.h KLOG_OBJECTS */

static union {
	uint64_t pos;
	char bytes[8 + LOG_RING];
} log_buf;

/* Read from `pos` into log_buf: the bytes of text (log_buf.pos the first one's position). */
static int64_t log_read(uint64_t log, uint64_t pos, size_t n)
{
	log_buf.pos = pos;
	return keel_info(KEEL_INFO_LOG, log, &log_buf, n);
}

/* Whether the n bytes of text in log_buf hold `word`. */
static int log_has(int64_t n, const char *word)
{
	size_t w = 0;

	while (word[w])
		w++;
	for (int64_t i = 0; n > 0 && i + (int64_t)w <= n; i++) {
		size_t j = 0;

		while (j < w && log_buf.bytes[8 + i + j] == word[j])
			j++;
		if (j == w)
			return 1;
	}
	return 0;
}

/*
 * A log object carved from the resource reads back a line this process
 * printed (after a position taken before it), refuses every bad argument
 * with its own code, and its bound bit is set once text is added.
 */
static void case_log(void)
{
	uint64_t res = start->handle[KEEL_START_RESOURCE], end;
	int64_t n = check_ok("notification", keel_object_create(KEEL_OBJ_NOTIFICATION, 0));
	int64_t lg, h, got, logs[LOG_OBJECTS];
	char word[48];
	int i;

	if (n < 0)
		return;
	check("carve: arg not 0", keel_device_create(KEEL_OBJ_LOG, 1, 0, res), E(EINVAL));
	check("carve: arg2 not 0", keel_device_create(KEEL_OBJ_LOG, 0, 1, res), E(EINVAL));
	check("carve: no such resource", keel_device_create(KEEL_OBJ_LOG, 0, 0, 0x777), E(EBADH));
	check("carve: a notification as resource",
	      keel_device_create(KEEL_OBJ_LOG, 0, 0, (uint64_t)n), E(ETYPE));
	h = keel_handle_dup(res, KEEL_RIGHTS_ALL & ~KEEL_RIGHT_MANAGE);
	check("carve: a resource without manage",
	      keel_device_create(KEEL_OBJ_LOG, 0, 0, (uint64_t)h), E(EPERM));
	keel_handle_close((uint64_t)h);
	lg = check_ok("carve a log", keel_device_create(KEEL_OBJ_LOG, 0, 0, res));
	if (lg < 0)
		return;

	/* Read back: the whole ring from 0 gives the end; a line printed after it is there. */
	got = check_ok("read from 0", log_read((uint64_t)lg, 0, sizeof(log_buf)));
	end = log_buf.pos + (uint64_t)(got > 0 ? got : 0);
	keel_snprintf(word, sizeof(word), "log marker %llu", (unsigned long long)end);
	keel_printf("%s\n", word);
	got = log_read((uint64_t)lg, end, sizeof(log_buf));
	check("read from the end before the line", got > 0 ? 0 : got, 0);
	check("its first byte is where asked", (int64_t)(log_buf.pos - end), 0);
	check("the line is there", log_has(got, word), 1);
	check("and only 8 bytes asked: 0 bytes", log_read((uint64_t)lg, end, 8), 0);
	check("from the hold", log_read((uint64_t)lg, KEEL_LOG_FROM_HOLD, 8), 0);

	/* Bad arguments, one code each. */
	check("n below 8", log_read((uint64_t)lg, end, 7), E(EINVAL));
	check("n 0", log_read((uint64_t)lg, end, 0), E(EINVAL));
	check("buf NULL", keel_info(KEEL_INFO_LOG, (uint64_t)lg, 0, 64), E(EFAULT));
	check("buf in the kernel",
	      keel_info(KEEL_INFO_LOG, (uint64_t)lg, (void *)UTEST_KERNEL_VA, 64), E(EFAULT));
	check("a position in the future", log_read((uint64_t)lg, end + (1ull << 40), 64),
	      E(EINVAL));
	check("position 2^64 - 2", log_read((uint64_t)lg, ~1ull, 64), E(EINVAL));
	check("no such handle", log_read(0x777, end, 64), E(EBADH));
	check("a notification", log_read((uint64_t)n, end, 64), E(ETYPE));
	h = keel_handle_dup((uint64_t)lg, KEEL_RIGHTS_ALL & ~KEEL_RIGHT_READ);
	check("a log handle without read", log_read((uint64_t)h, end, 64), E(EPERM));
	check("bind without read", keel_irq_bind((uint64_t)h, (uint64_t)n, LOG_BIT), E(EPERM));
	keel_handle_close((uint64_t)h);

	/* The bound bit. */
	check("bind bit 63", keel_irq_bind((uint64_t)lg, (uint64_t)n, 63), E(EINVAL));
	check("bind", keel_irq_bind((uint64_t)lg, (uint64_t)n, LOG_BIT), 0);
	check("bind again", keel_irq_bind((uint64_t)lg, (uint64_t)n, LOG_BIT + 1), E(EBUSY));
	keel_wait((uint64_t)n, 50000000ull); /* text printed before: its bit, if any, goes */
	keel_wait((uint64_t)n, 0);
	keel_printf("log: new text\n");
	check("new text sets the bit", keel_wait((uint64_t)n, 1000000000ull), 1ll << LOG_BIT);

	/* At most LOG_OBJECTS live: the one more is refused, closing gives every slot back. */
	for (i = 0; i < LOG_OBJECTS; i++)
		logs[i] = keel_device_create(KEEL_OBJ_LOG, 0, 0, res);
	check("one log beyond the limit", logs[LOG_OBJECTS - 1], E(ENOMEM));
	for (i = 0; i < LOG_OBJECTS; i++)
		if (logs[i] >= 0)
			keel_handle_close((uint64_t)logs[i]);
	/* The bound log goes first: the notification's reference goes with it (the leak check). */
	keel_handle_close((uint64_t)lg);
	keel_handle_close((uint64_t)n);
}

#define DMA_SIZE  (64 * 1024) /* a DMA VMO: 16 pages, one run */
#define DMA_VA    0x0000320000000000ull
#define MSI_BIT   3
#define MSI_FIRST 0x30 /* the kernel's device vectors (arch/x86_64/irq.h) */
#define MSI_LAST  0xef

/*
 * DMA memory and an MSI from user space: a DMA VMO made with the DMA
 * capability carved from the resource, its physical address known (below
 * 4 GiB as asked) and refused for an ordinary VMO or without
 * KEEL_RIGHT_MANAGE; an MSI bound, its message aimed at the LAPICs with a
 * device vector, irq_ack a no-op. The DMA VMO's pages come back only when
 * the DMA right goes, not with the VMO's last handle (a device may still be
 * writing there). Everything closed at the end (the leak check).
 */
static void case_dma_msi(void)
{
	uint64_t res = start->handle[KEEL_START_RESOURCE], phys = 0;
	struct keel_memory_info mem[3] = {{0}};
	struct keel_msi msi = {0};
	int64_t dma, v, plain, h, irq, n;

	dma = check_ok("carve the DMA right", keel_device_create(KEEL_OBJ_DMA, 0, 0, res));
	if (dma < 0)
		return;
	check("a DMA VMO with the resource", keel_device_create(KEEL_OBJ_DMAMEM, 4096, 0, res),
	      E(ETYPE));
	v = check_ok("a DMA VMO", keel_device_create(KEEL_OBJ_DMAMEM, DMA_SIZE,
						     KEEL_DMAMEM_BELOW_4G, (uint64_t)dma));
	plain = check_ok("an ordinary VMO", keel_object_create(KEEL_OBJ_VMO, DMA_SIZE));
	check("its address", keel_info(KEEL_INFO_VMO_PHYS, (uint64_t)v, &phys, sizeof(phys)), 8);
	check("aligned, below 4 GiB",
	      (phys & 4095) == 0 && phys != 0 && phys + DMA_SIZE <= (1ull << 32), 1);
	check("an ordinary VMO's address",
	      keel_info(KEEL_INFO_VMO_PHYS, (uint64_t)plain, &phys, sizeof(phys)), E(EINVAL));
	h = keel_handle_dup((uint64_t)v, KEEL_RIGHTS_ALL & ~KEEL_RIGHT_MANAGE);
	check("its address without manage",
	      keel_info(KEEL_INFO_VMO_PHYS, (uint64_t)h, &phys, sizeof(phys)), E(EPERM));
	keel_handle_close((uint64_t)h);
	check("map it",
	      keel_map(KEEL_HANDLE_SELF, (uint64_t)v, DMA_VA, 0, DMA_SIZE,
		       KEEL_MAP_READ | KEEL_MAP_WRITE),
	      0);
	*(volatile uint64_t *)(uintptr_t)(DMA_VA + DMA_SIZE - 8) = phys;
	check("written and read", *(volatile uint64_t *)(uintptr_t)(DMA_VA + DMA_SIZE - 8) == phys,
	      1);
	check("unmap it", keel_unmap(KEEL_HANDLE_SELF, DMA_VA, DMA_SIZE), 0);
	keel_handle_close((uint64_t)plain);
	check("free pages", keel_info(KEEL_INFO_MEMORY, 0, &mem[0], sizeof(mem[0])),
	      (int64_t)sizeof(mem[0]));
	keel_handle_close((uint64_t)v);
	keel_info(KEEL_INFO_MEMORY, 0, &mem[1], sizeof(mem[1]));
	keel_handle_close((uint64_t)dma);
	keel_info(KEEL_INFO_MEMORY, 0, &mem[2], sizeof(mem[2]));
	check("its pages kept while the DMA right lives",
	      mem[1].free_pages < mem[0].free_pages + DMA_SIZE / 4096, 1);
	check("and back with it", mem[2].free_pages >= mem[1].free_pages + DMA_SIZE / 4096, 1);

	irq = check_ok("carve an MSI", keel_device_create(KEEL_OBJ_IRQ, KEEL_IRQ_MSI, 0, res));
	n = check_ok("notification", keel_object_create(KEEL_OBJ_NOTIFICATION, 0));
	if (irq < 0 || n < 0)
		return;
	check("its message before bind",
	      keel_info(KEEL_INFO_IRQ_MSI, (uint64_t)irq, &msi, sizeof(msi)), E(EINVAL));
	check("bind", keel_irq_bind((uint64_t)irq, (uint64_t)n, MSI_BIT), 0);
	check("its message", keel_info(KEEL_INFO_IRQ_MSI, (uint64_t)irq, &msi, sizeof(msi)),
	      (int64_t)sizeof(msi));
	check("address: the LAPICs", (msi.address & ~0xff000ull) == 0xfee00000ull, 1);
	check("data: a device vector", msi.data >= MSI_FIRST && msi.data <= MSI_LAST, 1);
	check("ack: a no-op", keel_irq_ack((uint64_t)irq), 0);
	keel_handle_close((uint64_t)irq);
	keel_handle_close((uint64_t)n);
}

static void (*const cases[])(void) = {
    0,
    case_exit_status,
    case_handle_into_child,
    case_map_into_child,
    case_kill,
    case_proc_create_errors,
    case_process_handle_errors,
    case_spawn_errors,
    case_many_children,
    case_kill_threads,
    case_ports_stay_home,
    case_watch,
    case_bound,
    case_kill_signal,
    case_log,
    case_dma_msi,
    /* Ring sessions (session.c), numbered apart from the rest. */
    [UTEST_CASE_SESSION_STRESS] = case_session_stress,
    [UTEST_CASE_SESSION_HOSTILE] = case_session_hostile,
    [UTEST_CASE_SESSION_CLIENT_KILLED] = case_session_client_killed,
};

int main(uint64_t arg)
{
	start = (const struct keel_start *)(uintptr_t)arg;
	if (!start || start->magic != KEEL_START_MAGIC) {
		keel_printf("no start block\n");
		return 1;
	}
	if (start->arg & UTEST_CHILD)
		return child_main(start->arg & ~UTEST_CHILD);
	if (start->arg >= sizeof(cases) / sizeof(cases[0]) || (start->arg && !cases[start->arg])) {
		keel_printf("no case %llu\n", (unsigned long long)start->arg);
		return 1;
	}
	/* 0: every case in turn (init's `utest`). */
	for (size_t i = 1; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (cases[i] && (start->arg == 0 || start->arg == i))
			cases[i]();
	keel_printf("%d checks, %d failed\n", tests, failures);
	return failures;
}
