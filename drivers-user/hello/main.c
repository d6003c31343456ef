/*
 * drivers-user/hello/main.c: the first program of the console's path: it
 * opens the console (keel_console_open: init's name service, then a ring
 * session with the uart driver) and prints two lines through it, the second
 * with its process id. libkeel's exit path waits until the uart driver has
 * acknowledged both (every byte in the UART's transmitter) before it exits.
 *
 * Start block: handle[KEEL_START_NAMES], init's name service.
 */
#include <keel/service.h>

#include "keel.h"
#include "session.h"

int main(uint64_t start)
{
	const struct keel_start *sb = (const struct keel_start *)(uintptr_t)start;
	struct keel_process_info me;
	int64_t err;

	if (!sb || sb->magic != KEEL_START_MAGIC ||
	    sb->handle[KEEL_START_NAMES] == KEEL_MSG_NO_HANDLE) {
		keel_printf("hello: no name service in the start block: init starts hello\n");
		return 1;
	}
	err = keel_console_open(sb->handle[KEEL_START_NAMES]);
	if (err != 0) {
		keel_printf("hello: no console (%s): printing to the kernel's log\n",
			    keel_strerror(err));
		return 1;
	}
	keel_printf("hello, world: printed through the uart driver\n");
	err = keel_info(KEEL_INFO_PROCESS, KEEL_HANDLE_SELF, &me, sizeof(me));
	if (err < 0)
		keel_printf("hello: my process id: unknown (%s)\n", keel_strerror(err));
	else
		keel_printf("hello: my process id is %lu\n", (unsigned long)me.id);
	return 0;
}
