/*
 * drivers-user/hello/main.c: the first program of the console's path: it
 * opens the console (keel_console_open: init's name service, then a ring
 * session with the uart driver) and prints two lines through it, the second
 * with its process id. libkeel's exit path waits until the uart driver has
 * acknowledged both (every byte in the UART's transmitter) before it exits.
 *
 * Start block: handle[KEEL_START_NAMES], init's name service; arg 1: print
 * through the framebuffer console ("fbcon") instead, and more lines (the
 * drivers test 14.conf).
 */
#include <keel/service.h>

#include "keel.h"
#include "session.h"

#define HELLO_FB_LINES 40 /* more than a screen's rows: the fbcon test scrolls */

int main(uint64_t start)
{
	const struct keel_start *sb = (const struct keel_start *)(uintptr_t)start;
	struct keel_process_info me;
	const char *driver;
	int64_t err;

	if (!sb || sb->magic != KEEL_START_MAGIC ||
	    sb->handle[KEEL_START_NAMES] == KEEL_MSG_NO_HANDLE) {
		keel_printf("hello: no name service in the start block: init starts hello\n");
		return 1;
	}
	driver = sb->arg == 1 ? "fbcon" : "uart";
	err = keel_console_open_on(sb->handle[KEEL_START_NAMES], driver);
	if (err != 0) {
		keel_printf("hello: no console (%s): printing to the kernel's log\n",
			    keel_strerror(err));
		return 1;
	}
	keel_printf("hello, world: printed through the %s driver\n", driver);
	for (int i = 0; sb->arg == 1 && i < HELLO_FB_LINES; i++)
		keel_printf("hello: \033[3%dmline %d\033[0m in colour %d\n", 1 + i % 7, i,
			    1 + i % 7);
	err = keel_info(KEEL_INFO_PROCESS, KEEL_HANDLE_SELF, &me, sizeof(me));
	if (err < 0)
		keel_printf("hello: my process id: unknown (%s)\n", keel_strerror(err));
	else
		keel_printf("hello: my process id is %lu\n", (unsigned long)me.id);
	return 0;
}
