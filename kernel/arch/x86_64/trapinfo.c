/*
 * kernel/arch/x86_64/trapinfo.c: exception names and error codes (trapinfo.h).
 */
#include "trapinfo.h"

#include "lib/fmt.h"

static const char *const trap_names[TRAP_EXCEPTION_COUNT] = {
    [0] = "#DE divide error",
    [1] = "#DB debug",
    [2] = "NMI non-maskable interrupt",
    [3] = "#BP breakpoint",
    [4] = "#OF overflow",
    [5] = "#BR bound range exceeded",
    [6] = "#UD invalid opcode",
    [7] = "#NM device not available",
    [8] = "#DF double fault",
    [9] = "coprocessor segment overrun",
    [10] = "#TS invalid TSS",
    [11] = "#NP segment not present",
    [12] = "#SS stack-segment fault",
    [13] = "#GP general protection",
    [14] = "#PF page fault",
    [16] = "#MF x87 floating-point error",
    [17] = "#AC alignment check",
    [18] = "#MC machine check",
    [19] = "#XM SIMD floating-point exception",
    [20] = "#VE virtualization exception",
    [21] = "#CP control protection",
    [28] = "#HV hypervisor injection",
    [29] = "#VC VMM communication",
    [30] = "#SX security exception",
};

const char *trap_name(uint32_t vector)
{
	if (vector >= TRAP_EXCEPTION_COUNT)
		return "interrupt";
	return trap_names[vector] ? trap_names[vector] : "reserved";
}

bool trap_has_error_code(uint32_t vector)
{
	switch (vector) {
	case TRAP_DF:
	case TRAP_TS:
	case TRAP_NP:
	case TRAP_SS:
	case TRAP_GP:
	case TRAP_PF:
	case TRAP_AC:
	case TRAP_CP:
	case TRAP_VC:
	case TRAP_SX: return true;
	default: return false;
	}
}

bool trap_raised_by_code(uint32_t vector)
{
	switch (vector) {
	case TRAP_DE:
	case TRAP_BP:
	case TRAP_OF:
	case TRAP_BR:
	case TRAP_UD:
	case TRAP_NM:
	case TRAP_TS:
	case TRAP_NP:
	case TRAP_SS:
	case TRAP_GP:
	case TRAP_PF:
	case TRAP_MF:
	case TRAP_AC:
	case TRAP_XM:
	case TRAP_CP: return true;
	default: return false;
	}
}

static void trap_describe_page_fault(uint64_t e, char *buf, size_t size)
{
	fmt_snprintf(
	    buf, size, "0x%lx (%s, %s, %s%s%s%s%s%s)", (unsigned long)e,
	    e & TRAP_PF_P ? "protection violation" : "page not present",
	    e & TRAP_PF_W ? "write" : "read", e & TRAP_PF_U ? "user mode" : "supervisor mode",
	    e & TRAP_PF_RSVD ? ", reserved bit set" : "",
	    e & TRAP_PF_I ? ", instruction fetch" : "", e & TRAP_PF_PK ? ", protection key" : "",
	    e & TRAP_PF_SS ? ", shadow stack" : "", e & TRAP_PF_SGX ? ", SGX" : "");
}

static void trap_describe_selector(uint64_t e, char *buf, size_t size)
{
	const char *table;

	if (e == 0) {
		fmt_snprintf(buf, size, "0x0 (no selector)");
		return;
	}
	if (e & TRAP_SEL_IDT)
		table = "IDT";
	else
		table = e & TRAP_SEL_TI ? "LDT" : "GDT";
	/* The index is bits 3-15 (13 bits) of the error code. */
	fmt_snprintf(buf, size, "0x%lx (%s%s index %lu)", (unsigned long)e,
		     e & TRAP_SEL_EXT ? "external event, " : "", table,
		     (unsigned long)((e & 0xffff) >> TRAP_SEL_INDEX_SHIFT));
}

void trap_describe_error(uint32_t vector, uint64_t error, char *buf, size_t size)
{
	if (!trap_has_error_code(vector)) {
		fmt_snprintf(buf, size, "none");
		return;
	}
	switch (vector) {
	case TRAP_PF: trap_describe_page_fault(error, buf, size); break;
	case TRAP_TS:
	case TRAP_NP:
	case TRAP_SS:
	case TRAP_GP: trap_describe_selector(error, buf, size); break;
	default: fmt_snprintf(buf, size, "0x%lx", (unsigned long)error); break;
	}
}
