/*
 * drivers-user/shell/main.c: the shell (bin/shell, `app shell bin/shell
 * admin` in etc/init.conf). It prints through libkeel's console on "uart"
 * and "fbcon" both, reads from the PS/2 keyboard and the serial line at once
 * (input.c), edits the line (lineedit.c) after the prompt SHELL_PROMPT and
 * runs it (commands.c). With arg=1 (drivers-user/init/test/24.conf) it runs
 * the driver-restart script instead (script.c) and ends with its verdict.
 * Start block: handle[KEEL_START_NAMES].
 */
#include <keel/service.h>

#include "keel.h"
#include "lineedit.h"
#include "shell.h"

#define SHELL_ARG_SCRIPT 1
#define SHELL_POLL_NS    1000000000ull /* how often absent inputs are looked for again */

static void shell_prompt(void)
{
	keel_console_write(SHELL_PROMPT, sizeof(SHELL_PROMPT) - 1);
}

static _Noreturn void shell_interact(struct shell *sh)
{
	struct lineedit ed;
	uint8_t buf[96];
	char echo[LINEEDIT_ECHO];
	size_t n, echo_len;

	lineedit_reset(&ed);
	keel_printf("keel shell: type `help` for the commands\n");
	shell_prompt();
	for (;;) {
		n = input_read(&sh->in, buf, sizeof(buf), SHELL_POLL_NS);
		for (size_t i = 0; i < n; i++) {
			enum lineedit_result r = lineedit_key(&ed, buf[i], echo, &echo_len);

			if (echo_len)
				keel_console_write(echo, echo_len);
			if (r == LINEEDIT_DONE)
				shell_run(sh, ed.text);
			if (r != LINEEDIT_MORE)
				shell_prompt();
		}
	}
}

int main(uint64_t start)
{
	const struct keel_start *sb = (const struct keel_start *)(uintptr_t)start;
	struct shell sh;
	int64_t r;

	if (!sb || sb->magic != KEEL_START_MAGIC ||
	    sb->handle[KEEL_START_NAMES] == KEEL_MSG_NO_HANDLE) {
		keel_printf("shell: no name service in the start block: init starts the shell\n");
		return 1;
	}
	memset(&sh, 0, sizeof(sh));
	sh.names = sb->handle[KEEL_START_NAMES];
	/* Either console may be missing (no framebuffer: no fbcon); the kernel's log is the last.
	 */
	if ((r = keel_console_open(sh.names)) != 0)
		keel_printf("shell: no serial console: %s\n", keel_strerror(r));
	if ((r = keel_console_open_on(sh.names, "fbcon")) != 0)
		keel_printf("shell: no screen console: %s\n", keel_strerror(r));
	if ((r = input_init(&sh.in, sh.names)) != 0) {
		keel_printf("shell: no notification for input: %s\n", keel_strerror(r));
		return 2;
	}
	if (sb->arg == SHELL_ARG_SCRIPT)
		return shell_script(&sh);
	shell_interact(&sh);
}
