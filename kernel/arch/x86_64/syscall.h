/*
 * kernel/arch/x86_64/syscall.h: the SYSCALL entry (syscall_entry.S) and its
 * MSRs. Included from assembly too.
 */
#ifndef KEEL_ARCH_X86_64_SYSCALL_H
#define KEEL_ARCH_X86_64_SYSCALL_H

/* The `vector` of a trap frame built by syscall_entry: no IDT vector is this high. */
#define SYSCALL_VECTOR 0x100

#ifndef __ASSEMBLER__
struct trap_frame;

/* EFER.SCE, STAR, LSTAR and FMASK on this CPU (every CPU, before user mode). */
void syscall_init_this_cpu(void);

/* syscall_entry.S calls this with interrupts on; the result goes to f->rax. */
void syscall_dispatch(struct trap_frame *f);
#endif

#endif
