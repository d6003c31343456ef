/*
 * kernel/arch/x86_64/trapinfo.h: names of the x86-64 exception vectors and
 * decoding of their error codes (Intel SDM Vol. 3A, §6.13 and §6.15). Pure
 * logic, no inline assembly: the exception handler prints with it and the
 * host unit tests check it.
 */
#ifndef KEEL_ARCH_X86_64_TRAPINFO_H
#define KEEL_ARCH_X86_64_TRAPINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TRAP_EXCEPTION_COUNT 32 /* vectors 0-31 are the CPU's exceptions */

#define TRAP_DE  0
#define TRAP_DB  1
#define TRAP_NMI 2
#define TRAP_BP  3
#define TRAP_OF  4
#define TRAP_BR  5
#define TRAP_UD  6
#define TRAP_NM  7
#define TRAP_DF  8
#define TRAP_TS  10
#define TRAP_NP  11
#define TRAP_SS  12
#define TRAP_GP  13
#define TRAP_PF  14
#define TRAP_MF  16
#define TRAP_AC  17
#define TRAP_MC  18
#define TRAP_XM  19
#define TRAP_CP  21
#define TRAP_VC  29
#define TRAP_SX  30

/* Page-fault error code bits (SDM Vol. 3A, §4.7). */
#define TRAP_PF_P    (1u << 0)  /* 0: page not present; 1: protection violation */
#define TRAP_PF_W    (1u << 1)  /* write access */
#define TRAP_PF_U    (1u << 2)  /* user-mode access */
#define TRAP_PF_RSVD (1u << 3)  /* reserved bit set in a paging entry */
#define TRAP_PF_I    (1u << 4)  /* instruction fetch */
#define TRAP_PF_PK   (1u << 5)  /* protection key */
#define TRAP_PF_SS   (1u << 6)  /* shadow-stack access */
#define TRAP_PF_SGX  (1u << 15) /* SGX access-control violation */

/* Selector error code bits (#TS, #NP, #SS, #GP; SDM Vol. 3A, §6.13). */
#define TRAP_SEL_EXT         (1u << 0) /* event external to the program */
#define TRAP_SEL_IDT         (1u << 1) /* index refers to the IDT */
#define TRAP_SEL_TI          (1u << 2) /* without IDT: 0 GDT, 1 LDT */
#define TRAP_SEL_INDEX_SHIFT 3

/* "#PF page fault"; "reserved" for unassigned exceptions; "interrupt" above 31. */
const char *trap_name(uint32_t vector);

/* Whether the CPU pushes an error code for this exception vector. */
bool trap_has_error_code(uint32_t vector);

/*
 * Whether the exception is raised by the instruction that was running (#DE,
 * #UD, #GP, #PF, ...), so that the code which was executing is to blame. False
 * for what comes from outside that code or from the machine: NMI, #DB, #MC,
 * #DF (an abort), the virtualization and security exceptions, reserved
 * vectors, and interrupts.
 */
bool trap_raised_by_code(uint32_t vector);

/*
 * Describe `error` for `vector` in buf: the bits of a page-fault error code
 * spelled out, the fields of a selector error code, the raw value otherwise,
 * "none" for vectors without one. Always NUL-terminates when size > 0.
 */
void trap_describe_error(uint32_t vector, uint64_t error, char *buf, size_t size);

#endif
