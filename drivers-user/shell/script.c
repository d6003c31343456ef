/*
 * drivers-user/shell/script.c: the driver-restart test (shell.h, arg=1,
 * drivers case drivers_shell_kill with drivers-user/init/test/24.conf).
 *
 * For each driver of script_drivers that is running (fbcon only with a
 * framebuffer, the disk only where its device is), in turn: `kill` it (the
 * shell is `admin`); wait until init lists it up again with one more
 * restart; print a line and wait until both consoles took it (their
 * sessions reopened after a console driver's death); wait until both input
 * sessions are open again (the keyboard's focused again after ps2kbd's
 * death); then `lspci`, and `blk read 0` when there is a disk. Every command
 * is run as typed, echoed as "keel> CMD". The verdict: 0, or the number of
 * the first failed step (driver k's steps are 10k + 1 ..).
 */
#include <keel/service.h>

#include "keel.h"
#include "shell.h"

#define SCRIPT_WAIT_NS  100000000ull /* one look */
#define SCRIPT_LOOKS    100          /* of them: 10 s for a restart or a reconnection */
#define SCRIPT_LINE_MAX 80

static const char *const script_drivers[] = {"uart", "fbcon", "ps2kbd", "pci", "disk"};

/* Run one command line as if typed: 0 when it succeeded. */
static int script_run(struct shell *sh, const char *fmt, const char *arg)
{
	char line[SCRIPT_LINE_MAX];

	keel_snprintf(line, sizeof(line), fmt, arg);
	keel_printf(SHELL_PROMPT "%s\n", line);
	return shell_run(sh, line);
}

/* Whether `name` is listed up with more than `restarts` restarts, within 10 s. */
static int script_restarted(struct shell *sh, const char *name, unsigned restarts)
{
	uint64_t e;

	for (int i = 0; i < SCRIPT_LOOKS; i++) {
		if (shell_entry(sh, name, &e) == 0 &&
		    KEEL_NAME_ENTRY_STATE(e) == KEEL_NAME_STATE_UP &&
		    KEEL_NAME_ENTRY_RESTARTS(e) > restarts) {
			keel_printf("script: %s restarted (id %llu, %u restarts)\n", name,
				    (unsigned long long)KEEL_NAME_ENTRY_ID(e),
				    KEEL_NAME_ENTRY_RESTARTS(e));
			return 1;
		}
		input_read(&sh->in, NULL, 0, SCRIPT_WAIT_NS); /* the pause, and inputs kept alive */
	}
	keel_printf("script: %s was not restarted\n", name);
	return 0;
}

/*
 * Whether every input source not absent is open again within 10 s, the one
 * on the driver just killed (`name`) reopened since (`before`: its reopens then).
 */
static int script_inputs(struct shell *sh, const char *name, const unsigned before[INPUT_SOURCES])
{
	for (int i = 0; i < SCRIPT_LOOKS; i++) {
		int back = 1;

		for (unsigned k = 0; k < INPUT_SOURCES; k++) {
			const struct input_source *src = &sh->in.src[k];

			back &= src->absent || src->open;
			if (strcmp(src->driver, name) == 0)
				back &= src->reopens > before[k];
		}
		if (back) {
			keel_printf("script: keyboard and serial input open (reopened: uart %u, "
				    "ps2kbd %u)\n",
				    sh->in.src[INPUT_UART].reopens, sh->in.src[INPUT_KBD].reopens);
			return 1;
		}
		input_read(&sh->in, NULL, 0, SCRIPT_WAIT_NS);
	}
	keel_printf("script: an input session did not come back after %s's restart\n", name);
	return 0;
}

/* The consoles opened at the start still work once the line below was taken by both. */
static int script_consoles(const char *name, int uart, int fbcon)
{
	keel_printf("script: printing on both consoles after %s's restart\n", name);
	keel_output_drain();
	if ((uart && !keel_console_working("uart")) || (fbcon && !keel_console_working("fbcon"))) {
		keel_printf("script: a console did not come back after %s's restart\n", name);
		return 0;
	}
	return 1;
}

int shell_script(struct shell *sh)
{
	int uart = keel_console_working("uart"), fbcon = keel_console_working("fbcon");
	uint64_t disk, e;
	int have_disk = shell_entry(sh, "disk", &disk) == 0 &&
			KEEL_NAME_ENTRY_STATE(disk) == KEEL_NAME_STATE_UP;

	for (unsigned k = 0; k < sizeof(script_drivers) / sizeof(script_drivers[0]); k++) {
		const char *d = script_drivers[k];
		int step = 10 * ((int)k + 1);
		unsigned before[INPUT_SOURCES];

		if (shell_entry(sh, d, &e) != 0 || KEEL_NAME_ENTRY_STATE(e) != KEEL_NAME_STATE_UP) {
			keel_printf("script: %s is not running here: skipped\n", d);
			continue;
		}
		for (unsigned i = 0; i < INPUT_SOURCES; i++)
			before[i] = sh->in.src[i].reopens;
		if (script_run(sh, "kill %s", d) != 0)
			return step + 1;
		if (!script_restarted(sh, d, KEEL_NAME_ENTRY_RESTARTS(e)))
			return step + 2;
		if (!script_consoles(d, uart, fbcon))
			return step + 3;
		if (!script_inputs(sh, d, before))
			return step + 4;
		if (script_run(sh, "lspci", NULL) != 0)
			return step + 5;
		if (have_disk && script_run(sh, "blk read 0", NULL) != 0)
			return step + 6;
	}
	keel_printf("script: every driver killed, restarted and reconnected\n");
	return 0;
}
