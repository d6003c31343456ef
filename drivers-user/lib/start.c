/*
 * drivers-user/lib/start.c: what crt0.S calls. Runs main with the kernel's
 * argument, logs any partial line left by keel_printf and waits until all
 * output is out (keel_output_drain), and exits with main's status.
 */
#include "keel.h"

int main(uint64_t arg);
_Noreturn void keel_start(uint64_t arg);

_Noreturn void keel_start(uint64_t arg)
{
	int status = main(arg);

	keel_output_drain();
	keel_exit(status);
}
