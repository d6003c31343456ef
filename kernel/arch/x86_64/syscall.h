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

/*
 * The running thread's user context during a system call, at the top of its
 * kernel stack: rax, rcx, rdx, rsi, rdi, r8-r11 and rip, rflags, rsp as the
 * call left them. A handler may change the caller-saved ones (e.g. to return
 * message words). The slots of rbx, rbp and r12-r15 are not filled: those
 * registers are preserved by the C ABI and live in the CPU.
 */
struct trap_frame *syscall_frame(void);

/*
 * A handler changed rip, rsp, rflags, CS or SS in the frame: the call then
 * returns through IRET, which checks them, instead of SYSRET.
 */
void syscall_frame_changed(void);
#endif

#endif
