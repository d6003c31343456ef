/*
 * drivers-user/ps2kbd/i8042.c: the 8042 keyboard controller (i8042.h).
 * Commands, status and configuration bits are those of the IBM PC AT
 * Technical Reference and the OSDev wiki's "8042 PS/2 Controller" page; the
 * keyboard's 0xf4 (enable scanning) answered by 0xfa (ACK) is the PS/2
 * keyboard protocol's.
 */
#include "i8042.h"

#include <keel/portio.h>

#include "keel.h"

#define I8042_ST_OUT         0x01 /* output buffer full: a byte to read at 0x60 */
#define I8042_ST_IN          0x02 /* input buffer full: the controller has not taken our last write */
#define I8042_ST_AUX         0x20 /* the byte waiting came from port 2 */
#define I8042_ABSENT         0xff /* a floating bus: no controller */
#define I8042_CMD_READ_CFG   0x20
#define I8042_CMD_WRITE_CFG  0x60
#define I8042_CMD_PORT2_OFF  0xa7
#define I8042_CMD_SELF_TEST  0xaa
#define I8042_CMD_PORT1_TEST 0xab
#define I8042_CMD_PORT1_OFF  0xad
#define I8042_CMD_PORT1_ON   0xae
#define I8042_SELF_TEST_OK   0x55
#define I8042_CFG_IRQ1       0x01
#define I8042_CFG_IRQ12      0x02
#define I8042_CFG_PORT1_OFF  0x10 /* port 1's clock off */
#define I8042_CFG_PORT2_OFF  0x20
#define I8042_CFG_XLATE      0x40 /* translate the keyboard's set 2 to set 1 */
#define KBD_CMD_SCAN_ON      0xf4
#define KBD_ACK              0xfa
#define I8042_FLUSH_MAX      64  /* bytes thrown away at most: a stuck status bit cannot hold us */
#define I8042_POLLS          100 /* tries of a wait, I8042_POLL_NS apart: about a second at worst */
#define I8042_POLL_NS        10000000ull

/* Wait until (status & mask) == want: 0, or -1 after I8042_POLLS tries. */
static int i8042_wait(uint64_t nap, uint8_t mask, uint8_t want)
{
	for (int i = 0; i < I8042_POLLS; i++) {
		if ((io_inb(I8042_STATUS) & mask) == want)
			return 0;
		keel_wait(nap, I8042_POLL_NS);
	}
	return -1;
}

static int i8042_command(uint64_t nap, uint8_t cmd)
{
	if (i8042_wait(nap, I8042_ST_IN, 0) != 0)
		return -1;
	io_outb(I8042_STATUS, cmd);
	return 0;
}

/* Write a byte to 0x60 (a command's argument, or a byte for the keyboard). */
static int i8042_write_data(uint64_t nap, uint8_t v)
{
	if (i8042_wait(nap, I8042_ST_IN, 0) != 0)
		return -1;
	io_outb(I8042_DATA, v);
	return 0;
}

/* The controller's reply to a command: 0-255, or -1 when none came in time. */
static int i8042_reply(uint64_t nap)
{
	if (i8042_wait(nap, I8042_ST_OUT, I8042_ST_OUT) != 0)
		return -1;
	return io_inb(I8042_DATA);
}

static void i8042_flush(void)
{
	for (int i = 0; i < I8042_FLUSH_MAX && (io_inb(I8042_STATUS) & I8042_ST_OUT); i++)
		(void)io_inb(I8042_DATA);
}

/* Send a command with a one-byte reply. */
static int i8042_ask(uint64_t nap, uint8_t cmd)
{
	return i8042_command(nap, cmd) != 0 ? -1 : i8042_reply(nap);
}

/* The keyboard's ACK to a byte sent to it: 0, or -1. Keys typed meanwhile are dropped. */
static int i8042_kbd_command(uint64_t nap, uint8_t v)
{
	if (i8042_write_data(nap, v) != 0)
		return -1;
	for (int i = 0; i < I8042_FLUSH_MAX; i++) {
		int r = i8042_reply(nap);

		if (r < 0)
			return -1;
		if (r == KBD_ACK)
			return 0;
	}
	return -1;
}

const char *i8042_setup(uint64_t nap)
{
	int cfg, r;

	if (io_inb(I8042_STATUS) == I8042_ABSENT)
		return "no controller: its status port reads 0xff";
	/* Both ports off first, so that no key or mouse byte mixes with the replies. */
	if (i8042_command(nap, I8042_CMD_PORT1_OFF) != 0 ||
	    i8042_command(nap, I8042_CMD_PORT2_OFF) != 0)
		return "the controller takes no command (input buffer stays full)";
	i8042_flush();
	if ((cfg = i8042_ask(nap, I8042_CMD_READ_CFG)) < 0)
		return "no reply to 'read configuration'";
	/* Interrupts off while testing: the replies below are read by polling. */
	cfg &= ~(I8042_CFG_IRQ1 | I8042_CFG_IRQ12);
	if (i8042_command(nap, I8042_CMD_WRITE_CFG) != 0 || i8042_write_data(nap, (uint8_t)cfg))
		return "cannot write the configuration";
	if ((r = i8042_ask(nap, I8042_CMD_SELF_TEST)) != I8042_SELF_TEST_OK)
		return r < 0 ? "no reply to the self-test" : "the self-test failed";
	if ((r = i8042_ask(nap, I8042_CMD_PORT1_TEST)) != 0)
		return r < 0 ? "no reply to the keyboard port test"
			     : "the keyboard port test failed";
	/* The self-test may reset the controller: the configuration is written afresh. */
	cfg = (cfg | I8042_CFG_IRQ1 | I8042_CFG_XLATE | I8042_CFG_PORT2_OFF) &
	      ~(I8042_CFG_IRQ12 | I8042_CFG_PORT1_OFF);
	if (i8042_command(nap, I8042_CMD_WRITE_CFG) != 0 || i8042_write_data(nap, (uint8_t)cfg))
		return "cannot write the configuration";
	if (i8042_command(nap, I8042_CMD_PORT1_ON) != 0)
		return "cannot turn the keyboard port on";
	if (i8042_kbd_command(nap, KBD_CMD_SCAN_ON) != 0)
		keel_printf("no keyboard acknowledged 'enable scanning'; serving anyway\n");
	return NULL;
}

int i8042_read(void)
{
	for (int i = 0; i < I8042_FLUSH_MAX; i++) {
		uint8_t st = io_inb(I8042_STATUS), b;

		if (!(st & I8042_ST_OUT) || st == I8042_ABSENT)
			return -1;
		b = io_inb(I8042_DATA);
		if (!(st & I8042_ST_AUX))
			return b;
	}
	return -1;
}

void i8042_quiet(uint64_t nap)
{
	int cfg;

	/* Port off and flushed first: a key byte must not pass for the configuration. */
	if (i8042_command(nap, I8042_CMD_PORT1_OFF) != 0)
		return;
	i8042_flush();
	cfg = i8042_ask(nap, I8042_CMD_READ_CFG);
	if (cfg >= 0 && i8042_command(nap, I8042_CMD_WRITE_CFG) == 0)
		i8042_write_data(nap, (uint8_t)(cfg & ~I8042_CFG_IRQ1));
}
