/*
 * tests/unit/test_cpufeatures.c: kernel/arch/x86_64/cpufeatures_table.c, the
 * names, switches and states of the CPU features and the `features:` line.
 */
#include <stdbool.h>
#include <string.h>

#include "arch/x86_64/cpufeatures_table.h"
#include "ktest.h"

static void all_present(bool present[CPUFEATURE_COUNT], bool value)
{
	for (unsigned f = 0; f < CPUFEATURE_COUNT; f++)
		present[f] = value;
}

/* Every feature has a name, distinct from the others; switches are "no" + name. */
static const char *test_names_and_switches(void)
{
	unsigned switches = 0;

	for (unsigned f = 0; f < CPUFEATURE_COUNT; f++) {
		const char *name = cpufeature_name(f), *sw = cpufeature_switch(f);

		KT_ASSERT(name != NULL && name[0] != '\0');
		for (unsigned g = 0; g < f; g++)
			KT_ASSERT(strcmp(name, cpufeature_name(g)) != 0);
		if (sw) {
			switches++;
			KT_ASSERT(strncmp(sw, "no", 2) == 0 && strcmp(sw + 2, name) == 0);
		}
	}
	KT_EQ(switches, 7); /* nopcid noinvpcid nopku nosmep nosmap noumip nox2apic */
	KT_ASSERT(cpufeature_name(CPUFEATURE_COUNT) == NULL);
	KT_ASSERT(cpufeature_switch(CPUFEATURE_COUNT) == NULL);
	KT_ASSERT(cpufeature_switch(CPUFEATURE_XSAVE) == NULL);
	KT_ASSERT(strcmp(cpufeature_state_name((enum cpufeature_state)7), "?") == 0);
	return NULL;
}

static const char *test_decide_absent_and_present(void)
{
	bool present[CPUFEATURE_COUNT];
	enum cpufeature_state state[CPUFEATURE_COUNT];

	all_present(present, false);
	cpufeatures_decide(present, "nopcid nopku", state);
	for (unsigned f = 0; f < CPUFEATURE_COUNT; f++)
		KT_EQ(state[f], CPUFEATURE_OFF); /* a switch never turns "absent" into "disabled" */
	all_present(present, true);
	cpufeatures_decide(present, "test test.mem=128", state);
	for (unsigned f = 0; f < CPUFEATURE_COUNT; f++)
		KT_EQ(state[f], CPUFEATURE_ON);
	return NULL;
}

/* Each switch turns exactly its own feature to DISABLED. */
static const char *test_decide_each_switch(void)
{
	bool present[CPUFEATURE_COUNT];
	enum cpufeature_state state[CPUFEATURE_COUNT];

	all_present(present, true);
	for (unsigned f = 0; f < CPUFEATURE_COUNT; f++) {
		char cmdline[64];

		if (!cpufeature_switch(f))
			continue;
		snprintf(cmdline, sizeof(cmdline), "test %s quiet", cpufeature_switch(f));
		cpufeatures_decide(present, cmdline, state);
		for (unsigned g = 0; g < CPUFEATURE_COUNT; g++)
			KT_EQ(state[g], g == f ? CPUFEATURE_DISABLED : CPUFEATURE_ON);
	}
	/* Whole words only: "nopkux" and "nopku=1" are not the switch. */
	cpufeatures_decide(present, "nopkux nopku=1 xnosmep", state);
	KT_EQ(state[CPUFEATURE_PKU], CPUFEATURE_ON);
	KT_EQ(state[CPUFEATURE_SMEP], CPUFEATURE_ON);
	return NULL;
}

/* PCID without PGE is unusable (the flush-all fallback toggles PGE): off. */
static const char *test_decide_pcid_needs_pge(void)
{
	bool present[CPUFEATURE_COUNT];
	enum cpufeature_state state[CPUFEATURE_COUNT];

	all_present(present, true);
	present[CPUFEATURE_PGE] = false;
	cpufeatures_decide(present, "", state);
	KT_EQ(state[CPUFEATURE_PGE], CPUFEATURE_OFF);
	KT_EQ(state[CPUFEATURE_PCID], CPUFEATURE_OFF);
	KT_EQ(state[CPUFEATURE_INVPCID], CPUFEATURE_ON);
	cpufeatures_decide(present, "nopcid", state);
	KT_EQ(state[CPUFEATURE_PCID], CPUFEATURE_DISABLED);
	return NULL;
}

static const char *test_format_line(void)
{
	static const char want[] =
	    "features: nx=on wp=on pge=on smep=on smap=on umip=on pcid=off invpcid=off "
	    "pku=disabled fsgsbase=on xsave=on 1g=on x2apic=on tsc_deadline=on invariant_tsc=off";
	bool present[CPUFEATURE_COUNT];
	enum cpufeature_state state[CPUFEATURE_COUNT];
	char buf[400], small[20];
	int n;

	all_present(present, true);
	present[CPUFEATURE_PCID] = present[CPUFEATURE_INVPCID] = false;
	present[CPUFEATURE_INVARIANT_TSC] = false;
	cpufeatures_decide(present, "nopku", state);
	n = cpufeatures_format_line(state, buf, sizeof(buf));
	KT_ASSERT(strcmp(buf, want) == 0);
	KT_EQ(n, strlen(want));
	/* Too small: cut short, NUL-terminated, the full length still returned. */
	memset(small, 'x', sizeof(small));
	KT_EQ(cpufeatures_format_line(state, small, sizeof(small)), strlen(want));
	KT_ASSERT(strncmp(small, want, sizeof(small) - 1) == 0 && small[sizeof(small) - 1] == 0);
	KT_EQ(cpufeatures_format_line(state, NULL, 0), strlen(want));
	return NULL;
}

int main(void)
{
	static const struct ktest tests[] = {
	    KTEST(test_names_and_switches), KTEST(test_decide_absent_and_present),
	    KTEST(test_decide_each_switch), KTEST(test_decide_pcid_needs_pge),
	    KTEST(test_format_line),
	};
	return ktest_main(tests, KTEST_COUNT(tests));
}
