/*
 * drivers-user/init/main.c: init, the first user program (DESIGN.md §7).
 * The kernel starts it from bin/init in the ramdisk (or init=PATH) with its
 * start block (struct keel_start) in rdi: the ramdisk VMO, the framebuffer
 * and the kernel's command line. It says hello; with the word `bench` on
 * the command line it starts bin/bench twice, a server and a client sharing
 * one endpoint (make bench), then etc/bench.conf (driver_restart_instr),
 * etc/bench-blk.conf (the blk_* figures) and etc/bench-restart.conf (the
 * restart_* figures of the real drivers); with `utest` it runs
 * bin/utest and ends with its status. Otherwise it is the supervisor (supervisor.c): it starts the
 * drivers and apps of etc/init.conf, serves their name service and restarts
 * drivers that die; started by the kernel's `drivers` test suite with a
 * start-block arg N > 0, it runs etc/test/N.conf to its end instead.
 */
#include "keel.h"
#include "supervisor.h"

#define INIT_BENCH_SERVER (1ull << 62) /* drivers-user/bench: this copy serves */
#define INIT_EXIT_BIT     0

int64_t init_start_echo(const struct keel_start *sb); /* echo.c */

/* Whether the command line has `word` as a whole word (or word=...). */
static int init_has_word(const char *cmdline, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = cmdline; *p;) {
		while (*p == ' ')
			p++;
		if (strncmp(p, word, n) == 0 && (p[n] == ' ' || p[n] == '\0' || p[n] == '='))
			return 1;
		while (*p && *p != ' ')
			p++;
	}
	return 0;
}

/*
 * Start one copy of bin/bench with `ep` (rights) in handle[0], `echo` (write, or
 * KEEL_MSG_NO_HANDLE) in handle[1], and `exits` (or 0) told its end.
 */
static int64_t init_spawn_bench(const struct keel_start *sb, const char *name, uint64_t ep,
				uint64_t rights, uint64_t arg, uint64_t echo, uint64_t exits)
{
	struct keel_spawn s;
	uint64_t child;
	int64_t r;

	keel_spawn_init(&s, "bin/bench", name);
	s.arg = arg;
	s.handle[0] = ep;
	s.rights[0] = rights;
	s.handle[1] = echo;
	s.rights[1] = KEEL_RIGHT_WRITE;
	s.exit_notif = exits;
	s.exit_bit = INIT_EXIT_BIT;
	r = keel_spawn(sb->handle[KEEL_START_RAMDISK], sb->ramdisk_size, &s, &child);
	if (r == 0)
		keel_handle_close(child);
	return r;
}

/*
 * make bench: the server, then the client; they end by themselves. Waits for
 * the client's end, so that what runs next (etc/bench.conf) does not share
 * the CPU with its measurements.
 */
static int init_start_bench(const struct keel_start *sb)
{
	int64_t ep = keel_object_create(KEEL_OBJ_ENDPOINT, 0), r;
	int64_t n = keel_object_create(KEEL_OBJ_NOTIFICATION, 0);
	int64_t echo = init_start_echo(sb);

	if (ep < 0 || n < 0)
		return 1;
	if (echo < 0)
		keel_printf("cannot start bin/echo: %lld (%s)\n", (long long)echo,
			    keel_strerror(echo));
	r = init_spawn_bench(sb, "bench-server", (uint64_t)ep, KEEL_RIGHT_READ, INIT_BENCH_SERVER,
			     KEEL_MSG_NO_HANDLE, 0);
	if (r == 0)
		r = init_spawn_bench(sb, "bench", (uint64_t)ep, KEEL_RIGHT_WRITE, 0,
				     echo < 0 ? KEEL_MSG_NO_HANDLE : (uint64_t)echo, (uint64_t)n);
	keel_handle_close((uint64_t)ep);
	if (echo >= 0)
		keel_handle_close((uint64_t)echo);
	if (r != 0) {
		keel_printf("cannot start bin/bench: %lld (%s)\n", (long long)r, keel_strerror(r));
		keel_handle_close((uint64_t)n);
		return 1;
	}
	keel_wait((uint64_t)n, KEEL_FOREVER);
	keel_handle_close((uint64_t)n);
	return 0;
}

/* Run bin/utest (given the ramdisk and the device resource too) to its end: its exit status. */
static int init_run_utest(const struct keel_start *sb)
{
	struct keel_process_info info;
	struct keel_spawn s;
	int64_t n = keel_object_create(KEEL_OBJ_NOTIFICATION, 0), r;
	uint64_t child;

	if (n < 0)
		return 1;
	keel_spawn_init(&s, "bin/utest", "utest");
	s.handle[KEEL_START_RAMDISK] = sb->handle[KEEL_START_RAMDISK];
	s.rights[KEEL_START_RAMDISK] = KEEL_RIGHT_READ | KEEL_RIGHT_MAP | KEEL_RIGHT_DUPLICATE;
	s.handle[KEEL_START_RESOURCE] = sb->handle[KEEL_START_RESOURCE];
	s.rights[KEEL_START_RESOURCE] = KEEL_RIGHTS_ALL;
	s.ramdisk_size = sb->ramdisk_size;
	s.arg = 0; /* every case */
	s.exit_notif = (uint64_t)n;
	s.exit_bit = INIT_EXIT_BIT;
	r = keel_spawn(sb->handle[KEEL_START_RAMDISK], sb->ramdisk_size, &s, &child);
	if (r != 0) {
		keel_printf("cannot start bin/utest: %lld (%s)\n", (long long)r, keel_strerror(r));
		return 1;
	}
	keel_wait((uint64_t)n, KEEL_FOREVER);
	r = keel_info(KEEL_INFO_PROCESS, child, &info, sizeof(info));
	keel_handle_close(child);
	keel_handle_close((uint64_t)n);
	if (r < 0)
		return 1;
	keel_printf("utest ended %s %lld\n", info.killed ? "killed by vector" : "with status",
		    (long long)info.exit_status);
	return info.killed ? 1 : (int)info.exit_status;
}

int main(uint64_t start)
{
	const struct keel_start *sb = (const struct keel_start *)(uintptr_t)start;

	keel_printf("hello from user space\n");
	/* A kernel test may start init bare (rdi 0): nothing more to do then. */
	if (!sb || sb->magic != KEEL_START_MAGIC)
		return 0;
	if (init_has_word(sb->cmdline, "bench")) {
		if (init_start_bench(sb) != 0)
			return 1;
		/* driver_restart_instr: an admin app kills a driver and times its return. */
		int r = supervisor_run(sb, "etc/bench.conf", 1, KEEL_PROC_DRIVER), b, d;

		/* The blk_* figures, then the restart_* ones: each conf alone. */
		b = supervisor_run(sb, "etc/bench-blk.conf", 1, KEEL_PROC_DRIVER);
		d = supervisor_run(sb, "etc/bench-restart.conf", 1, KEEL_PROC_DRIVER);
		return r ? r : b ? b : d;
	}
	if (init_has_word(sb->cmdline, "utest"))
		return init_run_utest(sb);
	if (sb->arg != 0) {
		/* The kernel's `drivers` suite: etc/test/N.conf, at app priority like init here. */
		char path[32];

		keel_snprintf(path, sizeof(path), "etc/test/%llu.conf",
			      (unsigned long long)sb->arg);
		return supervisor_run(sb, path, 1, 0);
	}
	return supervisor_run(sb, "etc/init.conf", 0, KEEL_PROC_DRIVER);
}
