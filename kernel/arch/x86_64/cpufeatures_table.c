/*
 * kernel/arch/x86_64/cpufeatures_table.c: names, switches and the state rule
 * of the CPU features (cpufeatures_table.h).
 */
#include "cpufeatures_table.h"

#include "lib/bootargs.h"
#include "lib/fmt.h"

struct cpufeature_info {
	const char *name;
	const char *off_switch; /* NULL: no switch (report-only or always wanted) */
};

static const struct cpufeature_info cpufeature_table[CPUFEATURE_COUNT] = {
    [CPUFEATURE_NX] = {"nx", NULL},
    [CPUFEATURE_WP] = {"wp", NULL},
    [CPUFEATURE_PGE] = {"pge", NULL},
    [CPUFEATURE_SMEP] = {"smep", "nosmep"},
    [CPUFEATURE_SMAP] = {"smap", "nosmap"},
    [CPUFEATURE_UMIP] = {"umip", "noumip"},
    [CPUFEATURE_PCID] = {"pcid", "nopcid"},
    [CPUFEATURE_INVPCID] = {"invpcid", "noinvpcid"},
    [CPUFEATURE_PKU] = {"pku", "nopku"},
    [CPUFEATURE_FSGSBASE] = {"fsgsbase", NULL},
    [CPUFEATURE_XSAVE] = {"xsave", NULL},
    [CPUFEATURE_PAGE1G] = {"1g", NULL},
    [CPUFEATURE_X2APIC] = {"x2apic", "nox2apic"},
    [CPUFEATURE_TSC_DEADLINE] = {"tsc_deadline", NULL},
    [CPUFEATURE_INVARIANT_TSC] = {"invariant_tsc", NULL},
};

const char *cpufeature_name(enum cpufeature f)
{
	return (unsigned)f < CPUFEATURE_COUNT ? cpufeature_table[f].name : NULL;
}

const char *cpufeature_switch(enum cpufeature f)
{
	return (unsigned)f < CPUFEATURE_COUNT ? cpufeature_table[f].off_switch : NULL;
}

const char *cpufeature_state_name(enum cpufeature_state s)
{
	switch (s) {
	case CPUFEATURE_OFF: return "off";
	case CPUFEATURE_ON: return "on";
	case CPUFEATURE_DISABLED: return "disabled";
	}
	return "?";
}

void cpufeatures_decide(const bool present[CPUFEATURE_COUNT], const char *cmdline,
			enum cpufeature_state state[CPUFEATURE_COUNT])
{
	for (unsigned f = 0; f < CPUFEATURE_COUNT; f++) {
		const char *sw = cpufeature_table[f].off_switch;

		if (!present[f])
			state[f] = CPUFEATURE_OFF;
		else if (sw && bootargs_has_flag(cmdline, sw))
			state[f] = CPUFEATURE_DISABLED;
		else
			state[f] = CPUFEATURE_ON;
	}
	/* Unusable counts as absent: the command line did not ask for it. */
	if (state[CPUFEATURE_PCID] == CPUFEATURE_ON && state[CPUFEATURE_PGE] != CPUFEATURE_ON)
		state[CPUFEATURE_PCID] = CPUFEATURE_OFF;
}

int cpufeatures_format_line(const enum cpufeature_state state[CPUFEATURE_COUNT], char *buf,
			    size_t size)
{
	int total = fmt_snprintf(buf, size, "features:");

	for (unsigned f = 0; f < CPUFEATURE_COUNT; f++) {
		/* Once the buffer is full, only the length is counted (a 0-byte window). */
		size_t at = (size_t)total < size ? (size_t)total : size;

		total += fmt_snprintf(size ? buf + at : buf, size - at, " %s=%s",
				      cpufeature_table[f].name, cpufeature_state_name(state[f]));
	}
	return total;
}
