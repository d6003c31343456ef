/*
 * include/keel/service.h: the user-space protocols above the kernel ABI
 * (DESIGN.md §7): what init gives the programs it starts, its name service,
 * and how a client opens and drives a ring session with a driver. The kernel
 * knows none of this; init, libkeel and the drivers share it.
 *
 * Every message here is an IPC call (include/keel/syscall.h): word 0 of the
 * request is the operation, word 0 of the reply 0 or -KEEL_E*. A name packs
 * into words 1 and 2: up to KEEL_NAME_MAX bytes, little-endian, zero-padded.
 */
#ifndef KEEL_SERVICE_H
#define KEEL_SERVICE_H

#include <stdint.h>

/*
 * Start-block handle slots (struct keel_start.handle[]) of a program init
 * starts. KEEL_START_RESOURCE (0) and KEEL_START_RAMDISK (1) are init's own
 * (include/keel/syscall.h); the rest:
 */
#define KEEL_START_NAMES   2 /* init's name service: an endpoint, KEEL_RIGHT_WRITE */
#define KEEL_START_SERVICE 3 /* a driver: its service endpoint, KEEL_RIGHT_READ */
#define KEEL_START_DEVICE0 4 /* a driver: its device handles, in its config line's order */
#define KEEL_START_DEVICES 4 /* slots KEEL_START_DEVICE0 .. + 3 */

/* ---- init's name service (on the KEEL_START_NAMES endpoint) ---- */
#define KEEL_NAME_MAX 16

/*
 * w0 = KEEL_NAME_LOOKUP, w1..w2 = the name. Reply: w0 = 0 with the driver's
 * service endpoint (a handle with KEEL_RIGHT_WRITE) in the message's handle;
 * -KEEL_ENOENT no such driver in the configuration; -KEEL_EAGAIN the driver is
 * being (re)started: ask again shortly; -KEEL_EPERM the configuration marks
 * the driver `restricted` (as "pci") and the caller is neither an `admin` app
 * nor a driver started with a `pci=` device.
 */
#define KEEL_NAME_LOOKUP 1

/*
 * w0 = KEEL_NAME_KILL, w1..w2 = a driver's name: init kills that driver (and
 * restarts it as it would after a crash). Only from a program its
 * configuration marks `admin` (-KEEL_EPERM otherwise); -KEEL_ENOENT no such
 * driver running. From the answer on, look-ups of it get -KEEL_EAGAIN until
 * the replacement is up.
 */
#define KEEL_NAME_KILL 2

/*
 * w0 = KEEL_NAME_LIST, w1 = an index (the configuration's drivers first, in
 * order, then its apps). Reply: w0 = 0, w1..w2 = the entry's name, w3 =
 * KEEL_NAME_ENTRY(process id, kind, state, restarts): the process id (its
 * badge, low 32 bits; 0 when none runs), KEEL_NAME_KIND_*, KEEL_NAME_STATE_*
 * and how often init restarted a driver (at most 0xffff). -KEEL_ENOENT past
 * the last entry. Anyone may ask.
 */
#define KEEL_NAME_LIST 3

#define KEEL_NAME_KIND_DRIVER 1
#define KEEL_NAME_KIND_APP    2
#define KEEL_NAME_STATE_UP      1 /* running */
#define KEEL_NAME_STATE_DOWN    2 /* a driver being restarted */
#define KEEL_NAME_STATE_STOPPED 3 /* given up, never started, or an app that ended */
#define KEEL_NAME_ENTRY(id, kind, state, restarts)                                                 \
	((uint64_t)(id) & 0xffffffffu | (uint64_t)(kind) << 32 | (uint64_t)(state) << 40 |         \
	 (uint64_t)(restarts) << 48)
#define KEEL_NAME_ENTRY_ID(w)       ((w) & 0xffffffffu)
#define KEEL_NAME_ENTRY_KIND(w)     ((unsigned)((w) >> 32 & 0xff))
#define KEEL_NAME_ENTRY_STATE(w)    ((unsigned)((w) >> 40 & 0xff))
#define KEEL_NAME_ENTRY_RESTARTS(w) ((unsigned)((w) >> 48 & 0xffff))

/*
 * w0 = KEEL_NAME_REBOOT: init resets the machine (the FADT's reset register,
 * then the keyboard controller's reset pulse). Only from an `admin` program
 * (-KEEL_EPERM otherwise). There is a reply only when the machine is still
 * running after both: -KEEL_EIO.
 */
#define KEEL_NAME_REBOOT 4

/* ---- Ring sessions (on a driver's service endpoint) ---- */

/*
 * w0 = KEEL_SESSION_OPEN, w1 = the notification bit the driver sets for
 * "completions ready" (0-62), w2 = the service's open argument (0: default);
 * the message's handle: the client's notification with KEEL_RIGHT_SIGNAL (the
 * driver keeps it). Reply: w0 = 0, w1 = the session id, w2 = the size of the
 * memory object, handle = the memory object (read, write, map), laid out and
 * initialised by the driver (include/keel/ring.h). Or w0 = -KEEL_E*: no
 * handle, no session; -KEEL_EAGAIN means "send the open again" (a libkeel
 * server receives register-only messages, which drop a handle, until an open
 * comes; it then receives whole messages until the open is repeated).
 *
 * A session ends when the client sends KEEL_SESSION_CLOSE, or when either
 * side is gone: the driver watches the client's notification (it closes when
 * the client's last handle with KEEL_RIGHT_WAIT closes), and the client
 * watches the service endpoint (it closes when the driver's last handle with
 * KEEL_RIGHT_READ closes), both through KEEL_SYS_IRQ_BIND.
 */
#define KEEL_SESSION_OPEN 1

/*
 * w0 = KEEL_SESSION_KICK, w1 = the session id: "I published requests and you
 * said you were going to sleep". The driver serves the submission queue, then
 * replies (w0 = 0, or -KEEL_ECLOSED for an unknown or broken session). The
 * client sends it only when ring_sq_needs_wakeup says so; register-only, so
 * it takes the kernel's IPC fast path.
 */
#define KEEL_SESSION_KICK 2

/* w0 = KEEL_SESSION_CLOSE, w1 = the session id. Reply: w0 = 0 or -KEEL_ENOENT. */
#define KEEL_SESSION_CLOSE 3

/* The driver-side notification bits every libkeel server uses. */
#define KEEL_SERVER_BIT_CLIENT_GONE 62 /* some client's notification closed: check them */
#define KEEL_SERVER_BIT_POLL        61 /* set by the server itself: serve the rings again */

/* ---- Services ---- */

/*
 * "uart" (drivers-user/uart): the console. SQ opcodes: KEEL_UART_WRITE sends
 * len bytes at offset; its completion (status 0, len = bytes taken) means
 * every byte is in the 16550's transmitter, so none is lost if the driver then
 * dies. KEEL_UART_READ fills up to len bytes at offset with input, completing
 * when at least one byte came (len = bytes given).
 */
#define KEEL_UART_WRITE 1
#define KEEL_UART_READ  2

/*
 * "fbcon" (drivers-user/fbcon): the framebuffer console. KEEL_FB_WRITE draws
 * len bytes at offset (text with ANSI colour sequences) and completes once
 * they are on the screen (status 0, len = bytes taken). The same opcode as
 * KEEL_UART_WRITE: libkeel's console prints through either.
 */
#define KEEL_FB_WRITE KEEL_UART_WRITE

/* A driver's start-block arg bit (init's `wc`): map the device memory write-combining. */
#define KEEL_DRIVER_ARG_WC (1ull << 63)

/*
 * A `pci=` driver's start-block arg: bits 48-59 hold its function's index in
 * the pci service's list plus one (0: none given), its config line's arg=N
 * the bits below (conf.h keeps arg=N below 2^48 on such a line).
 */
#define KEEL_DRIVER_ARG_PCI(index)     (((uint64_t)(index) + 1) << 48)
#define KEEL_DRIVER_ARG_PCI_INDEX(arg) ((((arg) >> 48) & 0xfffu) - 1ull)
#define KEEL_DRIVER_ARG_PCI_NONE       (~0ull) /* KEEL_DRIVER_ARG_PCI_INDEX of no index */
#define KEEL_DRIVER_ARG_PCI_MAX        0xffeu

/* "echo" (drivers-user/echo, make bench and tests): KEEL_ECHO_PING completes
 * at once with status 0 and len = the request's len, touching no data.
 * KEEL_ECHO_SYSCALLS writes the system calls the server made so far, a
 * 64-bit count, at offset (len at least 8) and completes with len 8;
 * KEEL_ECHO_SESSIONS completes with len = its open sessions. */
#define KEEL_ECHO_PING     1
#define KEEL_ECHO_SYSCALLS 2
#define KEEL_ECHO_SESSIONS 3

/*
 * "pci" (drivers-user/pci): the PCI functions found when the driver started,
 * in bus/device/function order. Register-only calls:
 *   w0 = KEEL_PCI_COUNT. Reply w1 = the functions.
 *   w0 = KEEL_PCI_GET, w1 = index. Reply w1 = the address (KEEL_PCI_ADDRESS),
 *     w2 = vendor | device << 16 | class << 32 | subclass << 40 | prog-if << 48
 *     | header type << 56, w3 = interrupt line | pin << 8 (0 none, 1-4 INTA-D)
 *     | KEEL_PCI_CAP_* << 16 | its BAR count << 24. -KEEL_ENOENT past the end.
 *   w0 = KEEL_PCI_BAR, w1 = index, w2 = n (0 .. BAR count - 1). Reply w1 = the
 *     bus address, w2 = the size in bytes, w3 = the slot (0-5) | KEEL_PCI_BAR_*
 *     << 8. -KEEL_ENOENT no such function or BAR.
 *   w0 = KEEL_PCI_CFG_READ, w1 = index, w2 = offset (0-252, a multiple of 4).
 *     Reply w1 = that configuration dword (a driver's capability list).
 *     -KEEL_ENOENT no such function, -KEEL_EINVAL a bad offset.
 *   w0 = KEEL_PCI_ENABLE, w1 = index, w2 = 0 or KEEL_PCI_ENABLE_NO_MASTER:
 *     memory decoding and bus mastering on in its command register (a DMA
 *     driver's start); with KEEL_PCI_ENABLE_NO_MASTER memory decoding alone
 *     (to reset a device before it may master the bus). -KEEL_ENOENT no such
 *     function.
 *   w0 = KEEL_PCI_DISABLE, w1 = index: bus mastering and memory decoding off,
 *     and MSI-X off (init, when the function's driver died, before it
 *     restarts it: no DMA and no message from what the dead driver left).
 *     -KEEL_ENOENT no such function.
 *   w0 = KEEL_PCI_MSIX_ENABLE, w1 = index, w2 = 1 on / 0 off: the MSI-X
 *     enable bit of its MSI-X capability (function mask cleared when on); the
 *     driver programs the table (in its BAR) first. -KEEL_ENOENT no such
 *     function or no MSI-X capability, -KEEL_EINVAL w2 not 0 or 1.
 *     Anyone who can reach the service may do all these: "pci" is for trusted
 *     drivers.
 * Anything else: -KEEL_EINVAL.
 */
#define KEEL_PCI_COUNT    1
#define KEEL_PCI_GET      2
#define KEEL_PCI_BAR      3
#define KEEL_PCI_CFG_READ 4
#define KEEL_PCI_ENABLE   5

#define KEEL_PCI_DISABLE     6
#define KEEL_PCI_MSIX_ENABLE 7

#define KEEL_PCI_ENABLE_NO_MASTER 1 /* KEEL_PCI_ENABLE's w2: memory decoding only */

#define KEEL_PCI_ADDRESS(seg, bus, dev, fn)                                                        \
	((uint64_t)(seg) << 16 | (uint64_t)(bus) << 8 | (uint64_t)(dev) << 3 | (uint64_t)(fn))

#define KEEL_PCI_CAP_MSI  (1u << 0)
#define KEEL_PCI_CAP_MSIX (1u << 1)
#define KEEL_PCI_CAP_LOOP (1u << 7) /* the capability list was cut short: looped or bad pointer */

#define KEEL_PCI_BAR_IO       (1u << 0) /* I/O space (else memory) */
#define KEEL_PCI_BAR_MEM64    (1u << 1) /* 64-bit memory: it took the next slot too */
#define KEEL_PCI_BAR_PREFETCH (1u << 2)
/* A BAR that makes no sense (reserved type, holes in its size bits, 64-bit in the last slot). */
#define KEEL_PCI_BAR_BAD      (1u << 3) /* base and size 0 */

/*
 * "ps2kbd" (drivers-user/ps2kbd): the keyboard. KEEL_KBD_READ fills the len
 * bytes at offset with whole struct keel_kbd_event records (len a nonzero
 * multiple of the record size, else -KEEL_EINVAL), completing when at least one key event came (len = bytes given,
 * a multiple of the record size). Only the focused session's reads complete:
 * the session that last sent KEEL_KBD_FOCUS while it has a read pending, else
 * the most recently opened session with a read pending; the others' reads
 * wait. KEEL_KBD_FOCUS completes at once (status 0, len 0).
 */
#define KEEL_KBD_READ  1
#define KEEL_KBD_FOCUS 2

/* One key event: key is the set-1 scancode without its release bit, plus
 * KEEL_KBD_E0 for an E0-prefixed key (KEEL_KBD_KEY_PAUSE for the E1 Pause
 * sequence); mods the modifier state after this event; ch the character in
 * a US layout (shift, caps lock; ctrl with a letter gives 1-26) on a press,
 * else 0. */
struct keel_kbd_event {
	uint16_t key;
	uint8_t pressed; /* 1: make (typematic repeats too), 0: break */
	uint8_t mods;    /* KEEL_KBD_MOD_* */
	uint8_t ch;
	uint8_t reserved[3];
};

#define KEEL_KBD_E0         0x100
#define KEEL_KBD_KEY_PAUSE  0x200
#define KEEL_KBD_MOD_LSHIFT 0x01
#define KEEL_KBD_MOD_RSHIFT 0x02
#define KEEL_KBD_MOD_LCTRL  0x04
#define KEEL_KBD_MOD_RCTRL  0x08
#define KEEL_KBD_MOD_LALT   0x10
#define KEEL_KBD_MOD_RALT   0x20
#define KEEL_KBD_MOD_CAPS   0x40 /* caps lock is on */

/*
 * "blk" (drivers-user/virtio-blk; one service per disk, named by init's
 * driver line): a disk of KEEL_BLK_SECTOR-byte sectors. SQ opcodes, with
 * the first sector in the entry's `arg`:
 *   KEEL_BLK_READ:  read len bytes from sector arg into the data area at
 *                   offset; completes with len = bytes read (all of them).
 *   KEEL_BLK_WRITE: write the len bytes at offset to sector arg; completes
 *                   (len = bytes written) once the device has them (in its
 *                   write-back cache when it has one: see FLUSH).
 *   KEEL_BLK_FLUSH: len 0, arg 0: completes once every write completed
 *                   before it is on stable storage.
 *   KEEL_BLK_INFO:  writes a struct keel_blk_info at offset (len at least
 *                   its size); completes with len = its size.
 * A read's or write's len is a nonzero multiple of KEEL_BLK_SECTOR, at most
 * max_bytes (KEEL_BLK_INFO). An entry whose offset + len is past the data
 * area never reaches the driver: libkeel's submit refuses it (-KEEL_EINVAL,
 * ring_api.h), and the server's ring layer answers one written into the
 * ring by hand with -KEEL_EINVAL. The driver's errors, checked in this
 * order: -KEEL_EINVAL an unknown opcode, a bad len, a FLUSH with len or arg;
 * -KEEL_E2BIG len above max_bytes; -KEEL_ERANGE sectors past the capacity;
 * -KEEL_EPERM a write to a read-only disk; -KEEL_EAGAIN every one of the
 * driver's request slots (all sessions') is busy: submit it again after a
 * completion; from the device -KEEL_ENOSYS (unsupported) and -KEEL_EIO (also
 * for every request once the device stopped answering or broke its rules,
 * until the driver is restarted).
 */
#define KEEL_BLK_READ   1
#define KEEL_BLK_WRITE  2
#define KEEL_BLK_FLUSH  3
#define KEEL_BLK_INFO   4
#define KEEL_BLK_SECTOR 512

#define KEEL_BLK_INFO_RO    (1u << 0) /* read-only: writes fail with -KEEL_EPERM */
#define KEEL_BLK_INFO_CACHE (1u << 1) /* a write-back cache: FLUSH makes writes durable */

struct keel_blk_info {
	uint64_t capacity;  /* sectors */
	uint32_t max_bytes; /* the largest read or write */
	uint32_t flags;     /* KEEL_BLK_INFO_* */
};

#endif
