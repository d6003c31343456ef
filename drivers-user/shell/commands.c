/*
 * drivers-user/shell/commands.c: the commands (shell.h). Each takes its
 * words, prints its output through keel_printf (both consoles), and
 * returns 0, or nonzero after one line saying what is wrong; the shell goes
 * on either way. Every answer from a driver or init is checked before use.
 */
#include <keel/service.h>

#include "keel.h"
#include "lineedit.h"
#include "parse.h"
#include "pci_list.h"
#include "shell.h"

struct shell_command {
	const char *name, *usage, *help;
	int (*run)(struct shell *sh, int argc, char **argv);
};

static const struct shell_command shell_commands[];

/* keel_name_call for answers that carry no handle (one sent anyway is closed). */
static int64_t shell_names_call(struct shell *sh, uint64_t op, uint64_t arg, const char *name,
				struct keel_msg *m)
{
	int64_t r = keel_name_call(sh->names, op, arg, name, m);

	if (m->handle != KEEL_MSG_NO_HANDLE)
		keel_handle_close(m->handle);
	return r;
}

/* Entry i of KEEL_NAME_LIST: 0, its name (NUL-terminated) and word, or -KEEL_E*. */
static int64_t shell_list(struct shell *sh, uint64_t i, char name[KEEL_NAME_MAX + 1],
			  uint64_t *entry)
{
	struct keel_msg m;
	int64_t r = shell_names_call(sh, KEEL_NAME_LIST, i, NULL, &m);

	if (r != 0)
		return r;
	memcpy(name, &m.word[1], KEEL_NAME_MAX);
	name[KEEL_NAME_MAX] = '\0';
	*entry = m.word[3];
	return 0;
}

int64_t shell_entry(struct shell *sh, const char *name, uint64_t *entry)
{
	char n[KEEL_NAME_MAX + 1];
	int64_t r;

	for (uint64_t i = 0; (r = shell_list(sh, i, n, entry)) == 0; i++)
		if (strcmp(n, name) == 0)
			return 0;
	return r;
}

static int cmd_help(struct shell *sh, int argc, char **argv)
{
	(void)sh, (void)argc, (void)argv;
	for (const struct shell_command *c = shell_commands; c->name; c++)
		keel_printf("  %-32s %s\n", c->usage, c->help);
	return 0;
}

static int cmd_echo(struct shell *sh, int argc, char **argv)
{
	char line[LINEEDIT_MAX + 1];
	size_t k = 0;

	(void)sh;
	for (int i = 1; i < argc; i++) {
		size_t n = strlen(argv[i]);

		if (k + n + 1 >= sizeof(line))
			break; /* cannot happen for a typed line: the words came from one */
		if (i > 1)
			line[k++] = ' ';
		memcpy(line + k, argv[i], n);
		k += n;
	}
	line[k] = '\0';
	keel_printf("%s\n", line);
	return 0;
}

static const char *shell_state_name(unsigned state)
{
	switch (state) {
	case KEEL_NAME_STATE_UP: return "up";
	case KEEL_NAME_STATE_DOWN: return "restarting";
	case KEEL_NAME_STATE_STOPPED: return "stopped";
	default: return "?";
	}
}

static int cmd_ps(struct shell *sh, int argc, char **argv)
{
	char name[KEEL_NAME_MAX + 1];
	uint64_t e, i;
	int64_t r;

	(void)argc, (void)argv;
	keel_printf("%-16s %-6s %6s %-10s %s\n", "NAME", "KIND", "ID", "STATE", "RESTARTS");
	for (i = 0; (r = shell_list(sh, i, name, &e)) == 0; i++) {
		keel_printf("%-16s %-6s %6llu %-10s %u\n", name,
			    KEEL_NAME_ENTRY_KIND(e) == KEEL_NAME_KIND_DRIVER ? "driver" : "app",
			    (unsigned long long)KEEL_NAME_ENTRY_ID(e),
			    shell_state_name(KEEL_NAME_ENTRY_STATE(e)),
			    KEEL_NAME_ENTRY_RESTARTS(e));
	}
	if (r != -KEEL_ENOENT) {
		keel_printf("ps: the name service: %s\n", keel_strerror(r));
		return 1;
	}
	return 0;
}

static int cmd_mem(struct shell *sh, int argc, char **argv)
{
	struct keel_memory_info m;
	int64_t r = keel_info(KEEL_INFO_MEMORY, 0, &m, sizeof(m));

	(void)sh, (void)argc, (void)argv;
	if (r < 0 || m.free_pages > m.total_pages) {
		keel_printf("mem: %s\n",
			    r < 0 ? keel_strerror(r) : "the kernel's answer makes no sense");
		return 1;
	}
	keel_printf("memory: %llu KiB total, %llu KiB free, %llu KiB in use (pages of %u bytes)\n",
		    (unsigned long long)(m.total_pages * (KEEL_PAGE_SIZE / 1024)),
		    (unsigned long long)(m.free_pages * (KEEL_PAGE_SIZE / 1024)),
		    (unsigned long long)((m.total_pages - m.free_pages) * (KEEL_PAGE_SIZE / 1024)),
		    (unsigned)KEEL_PAGE_SIZE);
	return 0;
}

static int cmd_stats(struct shell *sh, int argc, char **argv)
{
	struct keel_cpu_counters c;
	uint32_t cpus = 0, seen = 0;

	(void)sh, (void)argc, (void)argv;
	if (keel_info(KEEL_INFO_CPUS, 0, &cpus, sizeof(cpus)) < 0 || cpus == 0) {
		keel_printf("stats: no CPU count\n");
		return 1;
	}
	/* Online CPUs need not be numbered 0..N-1: ask each number until N answered. */
	for (uint64_t cpu = 0; cpu < 64 && seen < cpus; cpu++) {
		if (keel_info(KEEL_INFO_COUNTERS, cpu, &c, sizeof(c)) < 0)
			continue;
		seen++;
		keel_printf(
		    "cpu%llu: tlb flushes %llu (cr3 %llu, invlpg %llu, invpcid %llu), "
		    "shootdown ipis sent %llu recv %llu\n",
		    (unsigned long long)cpu,
		    (unsigned long long)(c.cr3_flush + c.invlpg + c.invpcid_single + c.invpcid_all),
		    (unsigned long long)c.cr3_flush, (unsigned long long)c.invlpg,
		    (unsigned long long)(c.invpcid_single + c.invpcid_all),
		    (unsigned long long)c.shootdowns_sent, (unsigned long long)c.shootdowns_recv);
		keel_printf("cpu%llu: ipc fast %llu slow %llu, context switches %llu\n",
			    (unsigned long long)cpu, (unsigned long long)c.ipc_fast,
			    (unsigned long long)c.ipc_slow, (unsigned long long)c.context_switches);
	}
	return 0;
}

static int cmd_lspci(struct shell *sh, int argc, char **argv)
{
	struct keel_pci_function f;
	uint64_t service, count;
	int64_t r = keel_name_lookup(sh->names, "pci", &service);

	(void)argc, (void)argv;
	if (r != 0) {
		keel_printf("lspci: no pci driver: %s\n", keel_strerror(r));
		return 1;
	}
	r = pci_list_count(service, &count);
	for (uint64_t i = 0; r == 0 && i < count; i++)
		if ((r = pci_list_get(service, i, &f)) == 0)
			pci_list_print(&f);
	keel_handle_close(service);
	if (r != 0) {
		keel_printf("lspci: the pci driver: %s\n", keel_strerror(r));
		return 1;
	}
	return 0;
}

static int cmd_kill(struct shell *sh, int argc, char **argv)
{
	struct keel_msg m;
	int64_t r;

	if (argc != 2) {
		keel_printf("kill: usage: kill NAME\n");
		return 1;
	}
	r = shell_names_call(sh, KEEL_NAME_KILL, 0, argv[1], &m);
	if (r != 0) {
		keel_printf("kill %s: %s\n", argv[1],
			    r == -KEEL_ENOENT ? "no such driver running" : keel_strerror(r));
		return 1;
	}
	keel_printf("killed %s (init restarts it)\n", argv[1]);
	return 0;
}

static int cmd_reboot(struct shell *sh, int argc, char **argv)
{
	struct keel_msg m;
	int64_t r;

	(void)argc, (void)argv;
	keel_printf("rebooting\n");
	keel_output_drain(); /* the line is out before the machine goes */
	r = shell_names_call(sh, KEEL_NAME_REBOOT, 0, NULL, &m);
	keel_printf("reboot: %s\n",
		    r == -KEEL_EIO ? "the machine did not reset" : keel_strerror(r));
	return 1;
}

static const struct shell_command shell_commands[] = {
    {"help", "help", "this list", cmd_help},
    {"echo", "echo WORDS...", "print the words", cmd_echo},
    {"ps", "ps", "init's drivers and apps: id, state, restarts", cmd_ps},
    {"mem", "mem", "physical memory, total and free", cmd_mem},
    {"stats", "stats", "TLB, shootdown and IPC counters of every CPU", cmd_stats},
    {"lspci", "lspci", "the PCI functions the pci driver found", cmd_lspci},
    {"blk", "blk [-d NAME] read SECTOR", "hex dump of a sector (disk \"disk\")", cmd_blk},
    {"", "blk [-d NAME] write SECTOR TEXT", "TEXT, zero-padded, into a sector; flush", NULL},
    {"kill", "kill NAME", "kill a driver (init restarts it)", cmd_kill},
    {"reboot", "reboot", "reset the machine", cmd_reboot},
    {NULL, NULL, NULL, NULL},
};

int shell_run(struct shell *sh, char *line)
{
	char *argv[PARSE_ARGS];
	int argc = parse_split(line, argv, PARSE_ARGS);

	if (argc < 0) {
		keel_printf("too many words (at most %d)\n", PARSE_ARGS);
		return 1;
	}
	if (argc == 0)
		return 0;
	for (const struct shell_command *c = shell_commands; c->name; c++)
		if (c->run && strcmp(c->name, argv[0]) == 0)
			return c->run(sh, argc, argv);
	keel_printf("%s: unknown command (help lists them)\n", argv[0]);
	return 1;
}
