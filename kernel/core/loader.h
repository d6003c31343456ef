/*
 * kernel/core/loader.h: starting a program from the ramdisk. The file is
 * hostile input: it must pass the same strict ELF checks the stub applies to
 * the kernel (kernel/lib/elf.h), inside the user half.
 */
#ifndef KEEL_CORE_LOADER_H
#define KEEL_CORE_LOADER_H

#include <stddef.h>
#include <stdint.h>

struct process;

#define LOADER_STACK_TOP  0x00007fffffff0000ull /* below it: the main thread's stack */
#define LOADER_STACK_SIZE (64 * 1024)
#define LOADER_IMAGE_MAX  (256ull << 20) /* bytes a program's segments may span */

/*
 * Start the ramdisk file `path` as a process named `name` (its main thread
 * at `priority`, rdi = arg). 0 and *out, or a negative KEEL_E* code with the
 * reason in why.
 */
int loader_start(const char *path, const char *name, uint32_t priority, uint64_t arg,
		 struct process **out, char *why, size_t why_size);

/*
 * What a caller does to a loaded process before its thread starts (give it
 * handles, write its start block): before_start returns 0 with the thread's
 * argument in *arg and its rsp in *stack_top (LOADER_STACK_TOP unless it
 * lowers it), or a negative KEEL_E* code that stops the start.
 */
struct loader_hook {
	int (*before_start)(struct process *p, void *ctx, uint64_t *arg, uint64_t *stack_top);
	void *ctx;
};

struct keel_start;

/*
 * Write *s at the top of p's stack (loaded, not started), 16-byte aligned:
 * its address, which is both the argument (rdi) and the stack top (rsp) the
 * program starts with (include/keel/syscall.h).
 */
uint64_t loader_write_start(struct process *p, const struct keel_start *s);

/* As loader_start, with the argument from hook (which may also give handles). */
int loader_start_with(const char *path, const char *name, uint32_t priority,
		      const struct loader_hook *hook, struct process **out, char *why,
		      size_t why_size);

/*
 * Start a program from an ELF image in memory (what loader_start does after
 * finding the file). Same results.
 */
int loader_start_image(const void *file, size_t size, const char *name, uint32_t priority,
		       uint64_t arg, struct process **out, char *why, size_t why_size);

#endif
