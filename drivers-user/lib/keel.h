/*
 * drivers-user/lib/keel.h: libkeel, the library every Keel user program links
 * (DESIGN.md §1, §6): the system-call wrappers, printf over the kernel's debug
 * log, the C string functions and a small heap.
 *
 * Wrappers return what the kernel put in rax: 0 or a non-negative value (a
 * handle, a byte count, a badge, bits), or a negative KEEL_E* code
 * (include/keel/syscall.h). keel_syscall6() is the one place that issues the
 * `syscall` instruction; the wrappers and any raw call go through it.
 *
 * Code generation (drivers-user/user.mk): static, non-PIC, linked at
 * USER_BASE 0x400000 by drivers-user/lib/user.ld. SSE and x87 are off
 * (-mgeneral-regs-only) until the kernel saves FPU state per thread: no
 * float or double in user code yet. The red zone is allowed: the kernel
 * never writes below a user rsp (interrupts and syscalls switch stacks).
 * libkeel keeps static state (the printf line buffer): one thread per
 * process until it learns locking.
 */
#ifndef KEEL_USER_KEEL_H
#define KEEL_USER_KEEL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <keel/syscall.h>

/* The exit status of a program that libkeel stopped (keel_abort). */
#define KEEL_EXIT_ABORT 255

/* The longest line keel_printf hands to KEEL_SYS_DEBUG_LOG in one call. */
#define KEEL_LOG_LINE_MAX 200

/*
 * The only `syscall` in libkeel. ABI (syscall.h): number in rax, arguments in
 * rdi, rsi, rdx, r10, r8, r9; result in rax; rcx and r11 clobbered. "memory"
 * because calls read and write user buffers the compiler cannot see.
 */
static inline int64_t keel_syscall6(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
				    uint64_t a4, uint64_t a5)
{
	register uint64_t r10 __asm__("r10") = a3;
	register uint64_t r8 __asm__("r8") = a4;
	register uint64_t r9 __asm__("r9") = a5;
	uint64_t ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return (int64_t)ret;
}

/* True for a wrapper's result that is a KEEL_E* code rather than a value. */
static inline int keel_is_error(int64_t r)
{
	return r < 0 && r >= -KEEL_ERRNO_MAX;
}

/* ---- System calls, in the order of syscall.h ---- */
int64_t keel_debug_log(const char *s, size_t n);
_Noreturn void keel_exit(int64_t status);
int64_t keel_yield(void);
int64_t keel_info(uint64_t kind, uint64_t cpu, void *buf, size_t n);

/* The time-stamp counter (make bench: under QEMU's icount it counts instructions). */
static inline uint64_t keel_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

/*
 * The TSC less the ticks CPU 0 spent halted (KEEL_INFO_COUNTERS idle_tsc):
 * for one-CPU benches of work that waits on a device or a timer, whose
 * elapsed ticks under icount include the clock's jumps while halted. The
 * difference of two readings is the instructions run in between (this
 * call's own system call included once).
 */
uint64_t keel_work_ticks(void);

/* The median of a[0..n) (n > 0), which it sorts in place: for a few hundred samples at most. */
uint64_t keel_median(uint64_t *a, size_t n);
int64_t keel_object_create(uint64_t type, uint64_t arg);
/* A device object (KEEL_OBJ_IRQ, _IOPORT, _DEVMEM) carved from a resource handle. */
int64_t keel_device_create(uint64_t type, uint64_t arg, uint64_t arg2, uint64_t resource);
int64_t keel_handle_dup(uint64_t handle, uint64_t rights);
/* handle_dup into another process (a process handle with KEEL_RIGHT_MANAGE). */
int64_t keel_handle_dup_to(uint64_t handle, uint64_t rights, uint64_t process);
int64_t keel_handle_close(uint64_t handle);
int64_t keel_call(uint64_t endpoint, struct keel_msg *msg);
int64_t keel_recv(uint64_t endpoint, struct keel_msg *msg);
int64_t keel_reply_recv(uint64_t endpoint, const struct keel_msg *reply, struct keel_msg *next);
/*
 * The same with the four words alone (no struct keel_msg: the kernel's fast
 * path when the partner waits): w goes out and the answer's words come back in it.
 */
int64_t keel_call_words(uint64_t endpoint, uint64_t w[KEEL_MSG_WORDS]);
int64_t keel_recv_words(uint64_t endpoint, uint64_t w[KEEL_MSG_WORDS]);
int64_t keel_reply_recv_words(uint64_t endpoint, uint64_t w[KEEL_MSG_WORDS]);
int64_t keel_signal(uint64_t notification, uint64_t bits);
int64_t keel_wait(uint64_t notification, uint64_t timeout_ns);
int64_t keel_map(uint64_t process, uint64_t vmo, uint64_t vaddr, uint64_t offset, uint64_t size,
		 uint64_t flags);
int64_t keel_unmap(uint64_t process, uint64_t vaddr, uint64_t size);
int64_t keel_pkey_alloc(void);
int64_t keel_proc_create(const char *name, size_t n, uint64_t supervisor, uint64_t exit_notif,
			 uint64_t exit_bit, uint64_t flags);
int64_t keel_thread_create(uint64_t process, uint64_t entry, uint64_t stack_top, uint64_t arg);
int64_t keel_irq_bind(uint64_t interrupt, uint64_t notification, uint64_t bit);
int64_t keel_irq_ack(uint64_t interrupt);
int64_t keel_ioport_enable(uint64_t ioports);

/* ---- Starting programs (spawn.c) ---- */
/*
 * Where keel_spawn puts things: the child's stack (its struct keel_start at
 * the top), and in the caller the ramdisk mapping (kept) and a scratch window
 * (mapped only while a VMO is filled).
 */
#define KEEL_SPAWN_STACK_TOP   0x00007fffffff0000ull
#define KEEL_SPAWN_STACK_SIZE  (64 * 1024ull)
#define KEEL_SPAWN_RAMDISK_VA  0x0000100000000000ull
#define KEEL_SPAWN_RAMDISK_MAX (1ull << 30)
#define KEEL_SPAWN_SCRATCH_VA  0x0000200000000000ull

/*
 * A program to start: the ramdisk file `path`, as a process named `name`
 * (1-15 bytes), with the proc_create arguments, `arg` in its start block,
 * and handle[i] (a handle of the caller with KEEL_RIGHT_DUPLICATE, or
 * KEEL_MSG_NO_HANDLE) given to it with rights[i] in the same slot.
 * keel_spawn_init sets every slot to none and the rest to 0.
 */
struct keel_spawn {
	const char *path, *name;
	uint64_t arg;
	uint64_t handle[KEEL_START_HANDLES];
	uint64_t rights[KEEL_START_HANDLES];
	uint64_t supervisor, exit_notif, exit_bit, flags;
	uint64_t ramdisk_size; /* for the start block (with the ramdisk in a handle slot) */
	struct keel_framebuffer fb; /* for the start block (a framebuffer driver's); base 0: none */
};
void keel_spawn_init(struct keel_spawn *s, const char *path, const char *name);

/*
 * Start s->path from the ramdisk VMO (ramdisk_size bytes; mapped read-only
 * into the caller at KEEL_SPAWN_RAMDISK_VA at the first call and kept): 0
 * and the child's process handle (every right) in *process, or an error
 * with nothing left behind: -KEEL_ENOENT (no such file), -KEEL_EINVAL (not
 * an archive or not a program the kernel would run, bad arguments),
 * -KEEL_ERANGE (segments reach the stack), or what a system call said.
 */
int64_t keel_spawn(uint64_t ramdisk, uint64_t ramdisk_size, const struct keel_spawn *s,
		   uint64_t *process);

/*
 * The bytes of the ramdisk file `path` (in the same read-only mapping
 * keel_spawn uses): 0, or -KEEL_ENOENT (no such file), -KEEL_EINVAL (not an
 * archive), or what mapping the ramdisk said.
 */
int64_t keel_ramdisk_file(uint64_t ramdisk, uint64_t ramdisk_size, const char *path,
			  const void **data, size_t *size);

/*
 * Look `name` (1-KEEL_NAME_MAX bytes) up in init's name service `names`
 * (KEEL_START_NAMES), asking again for up to 10 s while the driver is being
 * (re)started: 0 and its service endpoint in *service, or the answer's
 * -KEEL_E* (-KEEL_ENOENT not configured, -KEEL_ECLOSED given up), or
 * -KEEL_ETIMEDOUT.
 */
int64_t keel_name_lookup(uint64_t names, const char *name, uint64_t *service);

/*
 * Ask init to kill the driver `name` (it restarts it as after a crash): 0,
 * or -KEEL_EPERM (the caller's configuration line lacks `admin`),
 * -KEEL_ENOENT (no such driver running), another -KEEL_E*.
 */
int64_t keel_name_kill(uint64_t names, const char *name);

/*
 * One call to init's name service: w0 = op, w1 = arg, and the name (when
 * not NULL, at most KEEL_NAME_MAX bytes) over w1..w2. The reply is left in
 * *m, with its handle, which is then the caller's. Returns the reply's w0,
 * or -KEEL_E* (the call's, or -KEEL_EINVAL for a name too long).
 */
int64_t keel_name_call(uint64_t names, uint64_t op, uint64_t arg, const char *name,
		       struct keel_msg *m);

/* A short constant name of a wrapper's negative result ("bad handle"). */
const char *keel_strerror(int64_t err);

/* ---- Output: printf over KEEL_SYS_DEBUG_LOG ---- */
/*
 * keel_printf formats (kernel/lib/fmt.h: no floating point) and buffers the
 * text until a newline, then logs the line without it, one
 * KEEL_SYS_DEBUG_LOG call per line; a line longer than KEEL_LOG_LINE_MAX is
 * logged in pieces of that size. keel_log_flush logs a pending partial line
 * (crt0 does so after main). Returns the length printf would have printed.
 */
int keel_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int keel_vprintf(const char *fmt, va_list ap);
void keel_log_flush(void);
/*
 * Route the lines elsewhere: line(s, n) gets each line without its newline
 * instead of KEEL_SYS_DEBUG_LOG, drain() (may be NULL) waits until all of them
 * are out. NULL, NULL: the kernel's log again. keel_output_drain flushes the
 * partial line and drains (libkeel's exit path does, after main).
 */
void keel_output_set(void (*line)(const char *s, size_t n), void (*drain)(void));
void keel_output_drain(void);
int keel_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int keel_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* Log "abort: MESSAGE" and exit with KEEL_EXIT_ABORT. */
_Noreturn void keel_abort(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- Heap: first fit over a fixed arena in .bss (ualloc.h) ---- */
#define KEEL_HEAP_SIZE (256 * 1024)

/* NULL when size is 0 or nothing fits; 16-byte aligned. */
void *keel_malloc(size_t size);
/* NULL is ignored; a pointer keel_malloc did not return, or a second free, aborts. */
void keel_free(void *p);

/* ---- Strings (kernel/lib/string.c) ---- */
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strstr(const char *haystack, const char *needle);

#endif
