/*
 * drivers-user/init/conf.h: init's configuration (etc/init.conf, and
 * etc/test/N.conf in test mode), parsed by pure code (conf.c: no system
 * call, no allocation) so that the host unit test (tests/unit/test_initconf.c)
 * runs it as init does.
 *
 * One entry a line; `#` starts a comment, blank lines are ignored:
 *   driver NAME PATH [ioport=BASE:COUNT] [irq=N] [mem=PHYS:SIZE] [ecam] [fb] [log] [wc]
 *                    [restricted] [arg=N]
 *   driver NAME PATH pci=VVVV:DDDD[.N] [wc] [restricted] [arg=N]
 *   app NAME PATH [admin] [arg=N]
 * A driver's device options may come in any order and repeat; they fill its
 * start slots KEEL_START_DEVICE0.. in the line's order, at most
 * KEEL_START_DEVICES; `log` (once) is the kernel log (KEEL_OBJ_LOG, for the
 * console driver that drains it to the line). `ecam` (once) is the PCI
 * Express configuration window, device memory over the MCFG's first segment's
 * buses, which init learns from KEEL_INFO_PLATFORM when it starts the
 * driver; on a machine without an MCFG its slot stays empty (the driver
 * falls back to its `ioport=0xcf8:8`). `fb` (once) is the framebuffer of init's start block, carved
 * page-rounded as device memory, and the driver's start block gets its
 * geometry; without a framebuffer init does not start that driver. `wc`
 * asks for write-combining on its device memory:
 * the driver sees KEEL_DRIVER_ARG_WC (bit 63) in its start block's arg,
 * whose other bits are its arg=N (below 2^63). An app's `admin` lets it use
 * KEEL_NAME_KILL and KEEL_NAME_REBOOT; its arg=N (any 64-bit number) goes into its start block.
 * A `restricted` driver is looked up (KEEL_NAME_LOOKUP) only by the
 * programs init trusts with it: `admin` apps and `pci=` drivers; anyone
 * else gets -KEEL_EPERM (the "pci" driver: whoever holds its endpoint can
 * turn on any function's bus mastering, and a DMA-capable device reaches
 * all memory).
 * `pci=VVVV:DDDD[.N]` (vendor and device ID, four hex digits each, no 0x;
 * N decimal, 0 to INITCONF_PCI_NTH_MAX, default 0) is the only device
 * option of its line: at start init asks the driver named "pci"
 * (configured, so started, before this one) for the N-th function (from 0,
 * in the pci list's order) with those IDs, puts its index in the start
 * block's arg (KEEL_DRIVER_ARG_PCI, service.h: the line's arg=N must be
 * below 2^48 then) and fills the slots so: KEEL_START_DEVICE0 a KEEL_OBJ_DMA
 * handle, DEVICE0+1 an MSI interrupt (KEEL_IRQ_MSI, unbound), DEVICE0+2..
 * the function's memory BARs in BAR-slot order (I/O BARs skipped), each
 * page-rounded device memory; KEEL_MSG_NO_HANDLE in the slots left over.
 * A function with more memory BARs than slots, or none found, is not
 * started. The driver learns which BAR a slot is from the pci service
 * (KEEL_PCI_BAR: the memory BARs in the same order). When such a driver
 * dies init turns the function's bus mastering off (KEEL_PCI_DISABLE)
 * before anything else, a restart included.
 * Numbers are decimal or 0x hex. A malformed line is reported with its line
 * number and skipped; the rest of the file still counts.
 */
#ifndef KEEL_INIT_CONF_H
#define KEEL_INIT_CONF_H

#include <stddef.h>
#include <stdint.h>

#include <keel/service.h>

#define INITCONF_DRIVERS  16 /* exit bits 0-15 */
#define INITCONF_APPS     16 /* exit bits 32-47 */
#define INITCONF_PATH_MAX 64 /* bytes of a PATH, with its NUL */

/* Device types filled in at each start: KEEL_OBJ_DEVMEM over the ECAM window, the framebuffer. */
#define INITCONF_DEV_ECAM 0x100
#define INITCONF_DEV_FB   0x101
/* A PCI function's BARs, DMA and MSI (arg vendor, arg2 device | N << 16): every slot (above). */
#define INITCONF_DEV_PCI  0x102

#define INITCONF_PCI_NTH_MAX 255 /* pci=VVVV:DDDD.N */

struct initconf_device {
	uint64_t type; /* KEEL_OBJ_IOPORT, _IRQ, _DEVMEM, _LOG, or INITCONF_DEV_* (no args but _PCI) */
	uint64_t arg, arg2;
};

struct initconf_entry {
	char name[KEEL_NAME_MAX + 1]; /* 1..KEEL_NAME_MAX bytes, NUL-terminated */
	char path[INITCONF_PATH_MAX];
	unsigned line;
	unsigned ndev;
	struct initconf_device dev[KEEL_START_DEVICES];
	int wc;         /* driver: write-combining device memory */
	int restricted; /* driver: looked up only by admin apps and pci= drivers */
	int admin;      /* app: may use KEEL_NAME_KILL and KEEL_NAME_REBOOT */
	uint64_t arg;   /* app: its start-block arg */
};

struct initconf {
	unsigned ndrivers, napps;
	struct initconf_entry driver[INITCONF_DRIVERS];
	struct initconf_entry app[INITCONF_APPS];
};

/* Told about each malformed line: its number (from 1) and what is wrong. */
typedef void (*initconf_error_fn)(void *ctx, unsigned line, const char *what);

/*
 * Parse `len` bytes of text (NULs and a missing final newline allowed) into
 * *c. Each malformed line goes to err (may be NULL) and is skipped. Returns
 * the number of malformed lines.
 */
unsigned initconf_parse(struct initconf *c, const char *text, size_t len, initconf_error_fn err,
			void *ctx);

/* The entry named `name` (n bytes) among c's drivers, or NULL. */
const struct initconf_entry *initconf_driver(const struct initconf *c, const char *name, size_t n);

#endif
