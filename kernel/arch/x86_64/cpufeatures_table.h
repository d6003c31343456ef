/*
 * kernel/arch/x86_64/cpufeatures_table.h: the CPU features Keel knows, their
 * names on the `features:` boot line, the command-line switch that turns each
 * off, and the rule that turns "the CPU has it" plus "the command line says
 * no" into one state (DESIGN.md §3).
 *
 * Pure logic (no CPUID here): cpufeatures.c feeds it what CPUID reported, and
 * tests/unit/test_cpufeatures.c feeds it made-up CPUs.
 */
#ifndef KEEL_ARCH_X86_64_CPUFEATURES_TABLE_H
#define KEEL_ARCH_X86_64_CPUFEATURES_TABLE_H

#include <stdbool.h>
#include <stddef.h>

/* In the order of the boot line. */
enum cpufeature {
	CPUFEATURE_NX,
	CPUFEATURE_WP,
	CPUFEATURE_PGE,
	CPUFEATURE_SMEP,
	CPUFEATURE_SMAP,
	CPUFEATURE_UMIP,
	CPUFEATURE_PCID,
	CPUFEATURE_INVPCID,
	CPUFEATURE_PKU,
	CPUFEATURE_FSGSBASE,
	CPUFEATURE_XSAVE,
	CPUFEATURE_PAGE1G,
	CPUFEATURE_X2APIC,
	CPUFEATURE_TSC_DEADLINE,
	CPUFEATURE_INVARIANT_TSC,
	CPUFEATURE_COUNT
};

enum cpufeature_state {
	CPUFEATURE_OFF,      /* the CPU lacks it (or cannot use it here) */
	CPUFEATURE_ON,       /* present and in use */
	CPUFEATURE_DISABLED, /* present, turned off by its command-line switch */
};

/* The feature's name on the boot line ("pcid"), NULL for an unknown one. */
const char *cpufeature_name(enum cpufeature f);

/* The command-line word that turns it off ("nopcid"), NULL when there is none. */
const char *cpufeature_switch(enum cpufeature f);

/* "on", "off" or "disabled"; "?" for a value outside the enum. */
const char *cpufeature_state_name(enum cpufeature_state s);

/*
 * Decide every feature's state from what the CPU offers (`present`, indexed
 * by enum cpufeature) and the command line (a checked NUL-terminated string).
 * A feature that depends on one that ends up not ON is OFF too: PCID needs
 * PGE, because flushing everything without INVPCID toggles CR4.PGE (tlb.c).
 */
void cpufeatures_decide(const bool present[CPUFEATURE_COUNT], const char *cmdline,
			enum cpufeature_state state[CPUFEATURE_COUNT]);

/*
 * Format the boot line, "features: nx=on wp=on ... invariant_tsc=off", without
 * a newline. Returns the length the whole line has (like snprintf); it is cut
 * short, but always NUL-terminated, when size is too small.
 */
int cpufeatures_format_line(const enum cpufeature_state state[CPUFEATURE_COUNT], char *buf,
			    size_t size);

#endif
