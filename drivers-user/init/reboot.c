/*
 * drivers-user/init/reboot.c: init_reboot (reboot.h).
 *
 * First the ACPI reset register (ACPI 6.5, 4.8.3.6: write RESET_VALUE to
 * RESET_REG, in I/O or memory space), which the kernel reports in
 * KEEL_INFO_PLATFORM; then the i8042's command 0xFE on port 0x64, which
 * pulses the CPU's reset line on PCs that have the controller (or emulate
 * it). Each gets REBOOT_WAIT_NS to take effect. Port and memory objects are
 * carved for the moment of the write and closed after, so a failed reboot
 * leaves nothing behind. A port the ps2kbd driver holds too can be carved
 * again: the kernel refuses only ports it drives itself.
 */
#include "reboot.h"

#include <keel/portio.h>

#include "keel.h"

#define REBOOT_WAIT_NS   200000000ull /* 200 ms for a reset to take the machine */
#define REBOOT_MEM_VA    0x0000300000000000ull
#define I8042_STATUS     0x64
#define I8042_INPUT_FULL 0x02 /* status: the controller has not taken the last byte */
#define I8042_RESET      0xfe /* command: pulse the reset line */
#define I8042_TRIES      100000

/* Write v to I/O port `port` through a one-port object: 0 or -KEEL_E*. */
static int64_t reboot_outb(uint64_t resource, uint64_t port, uint8_t v, int wait_i8042)
{
	int64_t h = keel_device_create(KEEL_OBJ_IOPORT, port, 1, resource), r;

	if (h < 0)
		return h;
	r = keel_ioport_enable((uint64_t)h);
	if (r == 0) {
		/* The controller takes a command only with its input buffer empty; bounded wait. */
		for (int i = 0; wait_i8042 && i < I8042_TRIES; i++)
			if (!(io_inb((uint16_t)port) & I8042_INPUT_FULL))
				break;
		io_outb((uint16_t)port, v);
	}
	keel_handle_close((uint64_t)h);
	return r;
}

/* Write v to the byte at physical address phys through a one-page device object. */
static int64_t reboot_memb(uint64_t resource, uint64_t phys, uint8_t v)
{
	uint64_t page = phys & ~(uint64_t)(KEEL_PAGE_SIZE - 1);
	int64_t h = keel_device_create(KEEL_OBJ_DEVMEM, page, KEEL_PAGE_SIZE, resource), r;

	if (h < 0)
		return h;
	r = keel_map(KEEL_HANDLE_SELF, (uint64_t)h, REBOOT_MEM_VA, 0, KEEL_PAGE_SIZE,
		     KEEL_MAP_READ | KEEL_MAP_WRITE);
	if (r == 0) {
		*(volatile uint8_t *)(uintptr_t)(REBOOT_MEM_VA + (phys - page)) = v;
		keel_unmap(KEEL_HANDLE_SELF, REBOOT_MEM_VA, KEEL_PAGE_SIZE);
	}
	keel_handle_close((uint64_t)h);
	return r;
}

static void reboot_pause(void)
{
	int64_t n = keel_object_create(KEEL_OBJ_NOTIFICATION, 0);

	if (n < 0)
		return;
	keel_wait((uint64_t)n, REBOOT_WAIT_NS);
	keel_handle_close((uint64_t)n);
}

int64_t init_reboot(uint64_t resource)
{
	struct keel_platform p;
	int64_t r = keel_info(KEEL_INFO_PLATFORM, 0, &p, sizeof(p));

	keel_printf("reboot: resetting the machine\n");
	if (r < 0) {
		keel_printf("reboot: no platform facts: %s\n", keel_strerror(r));
	} else if (p.reset_space == KEEL_RESET_NONE) {
		keel_printf("reboot: the FADT has no reset register\n");
	} else {
		if (p.reset_space == KEEL_RESET_IO)
			r = p.reset_address <= 0xffff
				? reboot_outb(resource, p.reset_address, p.reset_value, 0)
				: -KEEL_ERANGE;
		else
			r = reboot_memb(resource, p.reset_address, p.reset_value);
		if (r == 0)
			reboot_pause();
		keel_printf("reboot: the reset register at 0x%llx did not reset: %s\n",
			    (unsigned long long)p.reset_address,
			    r ? keel_strerror(r) : "still running");
	}
	r = reboot_outb(resource, I8042_STATUS, I8042_RESET, 1);
	if (r == 0)
		reboot_pause();
	keel_printf("reboot: the keyboard controller did not reset: %s\n",
		    r ? keel_strerror(r) : "still running");
	return -KEEL_EIO;
}
