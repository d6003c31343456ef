/*
 * drivers-user/init/main.c: init, the first user program (DESIGN.md §7).
 * The kernel starts it from bin/init in the ramdisk with its bootstrap handle
 * as the argument. For now it only says hello and exits; starting drivers
 * from etc/init.conf comes with the next issues.
 */
#include "keel.h"

int main(uint64_t arg)
{
	(void)arg;
	keel_printf("hello from user space\n");
	return 0;
}
