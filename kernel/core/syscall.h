/*
 * kernel/core/syscall.h: the machine-independent side of the system calls
 * of include/keel/syscall.h. The architecture's entry hands over the call
 * number and six arguments; every argument is hostile.
 */
#ifndef KEEL_CORE_SYSCALL_H
#define KEEL_CORE_SYSCALL_H

#include <stdint.h>

#include <keel/syscall.h>

#define SYSCALL_ARGS    6
#define SYSCALL_LOG_MAX 256 /* bytes of one debug-log call */

/*
 * A call's handler: the six argument registers as they came; its result, or
 * a negative KEEL_E* code.
 */
typedef int64_t (*syscall_fn)(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
			      uint64_t a5);

/*
 * The handlers by call number; entry KEEL_SYS_COUNT refuses every number past
 * the table (-KEEL_ENOSYS). The architecture's entry calls them directly.
 */
extern const syscall_fn syscall_table[KEEL_SYS_COUNT + 1];

/* How many debug-log lines user space wrote (tests). */
uint64_t syscall_log_lines(void);

#endif
