/*
 * kernel/core/proc.h: processes and threads as objects user space names by
 * handle (DESIGN.md §6): proc_create, thread_create, handle_dup into another
 * process, KEEL_INFO_PROCESS, and the process argument of map and unmap.
 *
 * Life of a process object (struct process, thread.h). Its refs count the
 * handles and thread objects naming it, plus one held by its life from
 * process_create until process_free has taken its resources apart. That
 * happens once, when the last of its threads is freed, or, for a process that
 * never started a thread, when the last other reference goes (the handle
 * from proc_create closed, its creator ended). The struct itself is freed
 * with the last reference, so an ended process still answers
 * KEEL_INFO_PROCESS.
 *
 * Why no reference cycle keeps a process forever: a process's handle table
 * is emptied when it is taken apart, and a started process ends. Only a
 * process that never starts could hold itself (or another such) alive
 * through its table, so no process or thread handle (a thread object holds
 * its process) may be put into a process that has not started a thread
 * (handle_dup to it: -KEEL_EINVAL); an unstarted process cannot receive a
 * message either.
 */
#ifndef KEEL_CORE_PROC_H
#define KEEL_CORE_PROC_H

#include <stdint.h>

#include <keel/syscall.h>

#include "core/ktest.h"

struct object;
struct process;

/*
 * The process a system call's process argument names, with a reference for
 * the caller (proc_put): KEEL_HANDLE_SELF, or a process handle with `rights`.
 * 0, or -KEEL_EBADH, -KEEL_ETYPE, -KEEL_EPERM.
 */
int proc_get(uint64_t h, uint32_t rights, struct process **out);
void proc_put(struct process *p);

/* Drop a reference to a process or thread object (ipc_object_unref sends them here). */
void proc_object_unref(struct object *obj);

/* Free a process struct whose last reference went (sched.c: its slab). */
void proc_struct_free(struct process *p);

/* Signal p's exit notification, if it has one (process_free, after its end). */
void proc_notify_exit(const struct process *p);

/* A process struct was made (process_create): counted until freed. */
void proc_note_created(void);

/* Process structs and thread objects allocated and not yet freed (leak checks). */
uint64_t proc_objects_live(void);

/* KEEL_INFO_PROCESS of the process handle h into *out. 0, or -KEEL_EBADH, -KEEL_ETYPE, -KEEL_EPERM.
 */
int proc_info(uint64_t h, struct keel_process_info *out);

/* handle_dup(h, rights, process) with a process handle (ipc_sys_handle_dup). */
int64_t proc_handle_dup_to(uint64_t h, uint64_t rights, uint64_t process);

/* The system calls (syscall.c's table). */
int64_t proc_sys_create(uint64_t name, uint64_t n, uint64_t supervisor, uint64_t exit_notif,
			uint64_t exit_bit, uint64_t flags);
int64_t proc_sys_thread_create(uint64_t proc, uint64_t entry, uint64_t stack_top, uint64_t arg,
			       uint64_t a4, uint64_t a5);

/* Processes from user space: bin/utest's cases, one KTAP case each (proc_tests.c). */
extern const struct ktest_suite proc_test_suite;

#endif
