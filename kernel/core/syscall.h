/*
 * kernel/core/syscall.h: the machine-independent side of the system calls
 * of include/keel/syscall.h. The architecture's entry hands over the call
 * number and six arguments; every argument is hostile.
 */
#ifndef KEEL_CORE_SYSCALL_H
#define KEEL_CORE_SYSCALL_H

#include <stdint.h>

#define SYSCALL_ARGS    6
#define SYSCALL_LOG_MAX 256 /* bytes of one debug-log call */

/* Run call `nr`: its result, or a negative KEEL_E* code. */
int64_t syscall_handle(uint64_t nr, const uint64_t args[SYSCALL_ARGS]);

/* How many debug-log lines user space wrote (tests). */
uint64_t syscall_log_lines(void);

#endif
