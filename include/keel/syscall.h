/*
 * include/keel/syscall.h: the whole system-call ABI between Keel and user
 * space (DESIGN.md §6). Included by the kernel and by libkeel.
 *
 * Calling convention: the `syscall` instruction with the call number in rax
 * and up to six arguments in rdi, rsi, rdx, r10, r8, r9. The result comes
 * back in rax: 0 or a non-negative value, or a negative KEEL_E* code. rcx and
 * r11 are clobbered (SYSCALL uses them); every other register is preserved,
 * except where a call says it returns message words in registers.
 *
 * Error codes are also the kernel's own internal error codes (STYLE.md):
 * every function that can fail returns 0 or one of these, negated.
 */
#ifndef KEEL_SYSCALL_H
#define KEEL_SYSCALL_H

/* ---- Error codes (returned negated) ---- */
#define KEEL_EINVAL    1  /* an argument out of its range (flags, alignment, type) */
#define KEEL_EFAULT    2  /* a user pointer that is not mapped as the call needs */
#define KEEL_EBADH     3  /* not an open handle of this process */
#define KEEL_EPERM     4  /* the handle lacks a right the call needs */
#define KEEL_ETYPE     5  /* the handle names an object of another type */
#define KEEL_E2BIG     6  /* a size or count larger than the call allows */
#define KEEL_ENOMEM    7  /* out of memory, or of handle slots */
#define KEEL_ENOSYS    8  /* no such call */
#define KEEL_ETIMEDOUT 9  /* a wait whose timeout passed */
#define KEEL_ECLOSED   10 /* the peer is gone (endpoint, session) */
#define KEEL_EBUSY     11 /* already bound, already mapped there, in use */
#define KEEL_ENOENT    12 /* nothing there (unmap of an unmapped range, ...) */
#define KEEL_ERANGE    13 /* an address outside the user half */
#define KEEL_EAGAIN    14 /* nothing to receive now (non-blocking) */
#define KEEL_EIO       15 /* a device reported an error (a driver's completion, never the kernel) */
#define KEEL_ERRNO_MAX 15

/* ---- Call numbers (at most twenty) ---- */
#define KEEL_SYS_DEBUG_LOG      0  /* (const char *s, size_t n) -> 0: a line to the kernel log */
/*
 * KEEL_SYS_EXIT ends the calling thread only; when it was its process's last
 * thread, the process ends with `status` (the exit notification, info's
 * exit_status). A process killed by a fault keeps the vector as its status,
 * whatever its threads pass here. Never returns.
 */
#define KEEL_SYS_EXIT           1  /* (int64 status): ends the calling thread; never returns */
#define KEEL_SYS_YIELD          2  /* () -> 0 */
#define KEEL_SYS_INFO           3  /* (kind, cpu, void *buf, size_t n) -> bytes written */
#define KEEL_SYS_OBJECT_CREATE  4  /* (type, arg, arg2, resource) -> handle (types below) */
#define KEEL_SYS_HANDLE_DUP     5  /* (handle, rights, process) -> a handle with rights (a subset), in process */
#define KEEL_SYS_HANDLE_CLOSE   6  /* (handle) -> 0 */
#define KEEL_SYS_CALL           7  /* (endpoint, w0, w1, w2, w3) -> 0, reply words (below) */
#define KEEL_SYS_RECV           8  /* (endpoint) -> badge, request words */
#define KEEL_SYS_REPLY_RECV     9  /* (endpoint or KEEL_HANDLE_SELF, w0..w3) -> badge, words */
#define KEEL_SYS_SIGNAL         10 /* (notification, bits 0-62) or (process, status) -> 0 (below) */
#define KEEL_SYS_WAIT           11 /* (notification, timeout ns, 0 to poll, or KEEL_FOREVER) -> bits */
#define KEEL_SYS_MAP            12 /* (process, vmo, vaddr, offset, size, flags) -> 0 */
#define KEEL_SYS_UNMAP          13 /* (process, vaddr, size) -> 0 */
#define KEEL_SYS_PKEY_ALLOC     14 /* () -> protection key 1-15 */
#define KEEL_SYS_PROC_CREATE    15 /* (name, n, supervisor ep, exit notification, exit bit, flags) -> process */
#define KEEL_SYS_THREAD_CREATE  16 /* (process, entry, stack top, arg) -> thread handle */
#define KEEL_SYS_IRQ_BIND       17 /* (interrupt or watched object, notification, bit) -> 0 */
#define KEEL_SYS_IRQ_ACK        18 /* (interrupt) -> 0 */
#define KEEL_SYS_IOPORT_ENABLE  19 /* (I/O port range) -> 0: the ports usable from now on */
#define KEEL_SYS_COUNT          20

/*
 * IPC (call, recv, reply_recv): the four message words travel in rsi, rdx,
 * r10 and r8 both ways, with nothing copied through memory. call blocks until
 * the reply; its words come back in the same registers. recv and reply_recv
 * return the caller's badge (its process id, never negative) with its words.
 * reply_recv with KEEL_HANDLE_SELF only replies and returns 0. A receiver
 * needs KEEL_RIGHT_READ on the endpoint, a caller KEEL_RIGHT_WRITE.
 * A peer gone ends a call or recv with -KEEL_ECLOSED: a call whose receiver
 * ended, or called recv again, before replying, a call on (or queued on) an endpoint whose last
 * handle with KEEL_RIGHT_READ closed, a recv blocked when the last handle with
 * KEEL_RIGHT_WRITE closed. A slow-path message refused so is dropped with the
 * handle it carried.
 * Notification bits and badges are 63 bits wide, so a result is never
 * mistaken for an error code.
 *
 * A notification bound to the endpoint (KEEL_OBJ_NOTIFICATION created with
 * the endpoint's handle) takes precedence: while its bits are nonzero, recv
 * and reply_recv's receive return them at once, badge KEEL_BADGE_NOTIFY with
 * w0 = the bits (w1-w3 0), and clear them, instead of blocking or taking a
 * queued caller; a signal on it wakes a receiver blocked there that way,
 * when no thread waits on the notification itself (wait keeps working).
 */

/*
 * KEEL_SYS_SIGNAL on a notification whose owner side is gone (its last
 * handle with KEEL_RIGHT_WAIT closed, wherever it was: a handle in flight in
 * a message still counts) sets nothing and returns -KEEL_ECLOSED; bits 0 is
 * a valid probe of that (0 or -KEEL_ECLOSED).
 * KEEL_SYS_SIGNAL on a process handle with KEEL_RIGHT_MANAGE (-KEEL_EPERM
 * without) kills that process exactly as a fault without a supervisor does
 * (below), with `bits` (all 64) as its exit status, killed = 1 in
 * KEEL_INFO_PROCESS; a process never started ends at once. A process that
 * has ended: -KEEL_ECLOSED; one being killed already: 0 (its first status
 * stays). The caller's own process (through a handle to it) ends with the
 * caller. Errors: the handle's (-KEEL_EBADH; -KEEL_ETYPE neither a
 * notification nor a process; -KEEL_EPERM), then the notification's rules.
 *
 * KEEL_SYS_IRQ_BIND (object, notification, bit): with an interrupt object,
 * routes the interrupt (devobj.h). With a notification or an endpoint
 * handle as `object` (any rights), an "owner gone" watch: once that
 * object's owner side is gone (a notification's last handle with
 * KEEL_RIGHT_WAIT closed, an endpoint's last with KEEL_RIGHT_READ; at once
 * if it is already), `bit` (0-62, else -KEEL_EINVAL) is set in
 * `notification` (which needs KEEL_RIGHT_SIGNAL). A watch fires once and is
 * then gone; binding the same (object, notification, bit) again while it
 * waits is a no-op returning 0. A watch does not keep its notification
 * alive: when that is freed, its watches go. Errors: the notification's
 * handle first (-KEEL_EBADH, -KEEL_ETYPE, -KEEL_EPERM), then the object's
 * (-KEEL_EBADH; -KEEL_ETYPE for a type that is neither an interrupt nor a
 * watchable object), -KEEL_EINVAL, -KEEL_ENOMEM.
 */

/*
 * KEEL_SYS_OBJECT_CREATE types. A notification's arg may be an endpoint
 * handle with KEEL_RIGHT_READ: the notification is bound to that endpoint
 * (recv above), at most one per endpoint (-KEEL_EBUSY; the handle's errors
 * -KEEL_EBADH, -KEEL_ETYPE, -KEEL_EPERM); the binding holds neither alive,
 * and either one freed unbinds. The device types (interrupt, I/O port range,
 * device memory) are carved out of the resource handle that init receives
 * (KEEL_START_RESOURCE), which the call takes as its fourth argument and which
 * needs KEEL_RIGHT_MANAGE; the others ignore arg2 and resource.
 */
#define KEEL_OBJ_ENDPOINT     1 /* arg unused */
#define KEEL_OBJ_NOTIFICATION 2 /* arg: 0, or an endpoint to bind it to (below) */
#define KEEL_OBJ_VMO          3 /* arg: size in bytes (rounded up to pages) */
#define KEEL_OBJ_PROCESS      4 /* made by proc_create only */
#define KEEL_OBJ_THREAD       5 /* made by thread_create only */
#define KEEL_OBJ_IRQ          6 /* arg: 0-15 an ISA IRQ (the MADT's overrides apply), 16 up a GSI */
#define KEEL_OBJ_IOPORT       7 /* arg: first port, arg2: how many (to 0x10000) */
#define KEEL_OBJ_DEVMEM       8 /* arg: physical address, arg2: bytes (page multiples): a VMO
				   * over device memory, never RAM the kernel owns */
#define KEEL_OBJ_RESOURCE     9 /* the root of the device types; init's only */
#define KEEL_OBJ_LOG          10 /* the kernel log (below), carved from the resource; arg 0 */
#define KEEL_OBJ_DMA          11 /* the right to make DMA memory (below), carved from the
				    * resource; arg 0, arg2 0 */
#define KEEL_OBJ_DMAMEM       12 /* arg: bytes, arg2: KEEL_DMAMEM_*, resource: a KEEL_OBJ_DMA
				    * handle: a VMO of DMA memory (below) */

/*
 * DMA memory. object_create(KEEL_OBJ_DMAMEM, size, flags, dma) with a
 * KEEL_OBJ_DMA handle that has KEEL_RIGHT_MANAGE as its fourth argument (the
 * resource itself is refused): a zeroed VMO (KEEL_OBJ_VMO) of at most
 * KEEL_DMAMEM_MAX bytes in one physically contiguous run (below 4 GiB with
 * KEEL_DMAMEM_BELOW_4G), whose physical address
 * KEEL_SYS_INFO(KEEL_INFO_VMO_PHYS, vmo handle with KEEL_RIGHT_MANAGE, buf, 8)
 * writes (u64: page i is at that address + i * 4096). Its pages stay
 * allocated while any handle or mapping of it exists, and after that for as
 * long as its DMA object does (the DMA object keeps every VMO made with it):
 * without an IOMMU a device still doing DMA after its driver ended would
 * write into pages that may belong to someone else by then, so whoever
 * restarts a driver holds a handle on its DMA right until it has stopped the
 * device (bus mastering off in the PCI command register; init does). A
 * driver with DMA reaches all physical memory through its device: the right
 * is for drivers trusted like the kernel. An ordinary
 * VMO's physical address is never known. Errors in this order: -KEEL_EINVAL unknown flags;
 * the handle's -KEEL_EBADH, -KEEL_ETYPE (not KEEL_OBJ_DMA), -KEEL_EPERM;
 * -KEEL_EINVAL size 0; -KEEL_E2BIG above KEEL_DMAMEM_MAX; -KEEL_ENOMEM.
 * KEEL_INFO_VMO_PHYS: the handle's errors (KEEL_OBJ_VMO, KEEL_RIGHT_MANAGE),
 * -KEEL_EINVAL a VMO that is not DMA memory, -KEEL_E2BIG n < 8.
 */
#define KEEL_DMAMEM_BELOW_4G (1u << 0)
#define KEEL_DMAMEM_MAX      (1u << 20)

/*
 * Message-signalled interrupts. object_create(KEEL_OBJ_IRQ, KEEL_IRQ_MSI, 0,
 * resource): an interrupt object with no line (as many as vectors allow).
 * irq_bind gives it a vector aimed at the calling CPU's LAPIC (the boot
 * CPU's when that APIC ID is above 255: no interrupt remapping);
 * KEEL_SYS_INFO(KEEL_INFO_IRQ_MSI, interrupt handle with KEEL_RIGHT_READ,
 * buf, n) then writes a struct keel_msi to program into the device's MSI
 * capability or MSI-X table entry (-KEEL_EINVAL not MSI or not bound).
 * Each message sets the bound bit; nothing is masked, so irq_ack is a no-op
 * (0 once bound, -KEEL_EINVAL before). The last handle closed frees the
 * vector: the driver must have disabled the device's messages first (a
 * message after that reaches no object and is counted as unexpected).
 */
#define KEEL_IRQ_MSI (1ull << 32)

/*
 * KEEL_SYS_PROC_CREATE. A new process has an empty address space and no
 * handle; its creator gets a process handle with every right, maps memory into
 * it (KEEL_SYS_MAP), gives it handles (KEEL_SYS_HANDLE_DUP with the process)
 * and starts it (KEEL_SYS_THREAD_CREATE). Rights on a process handle:
 * KEEL_RIGHT_MANAGE for thread_create, map, unmap and handle_dup into it,
 * KEEL_RIGHT_READ for KEEL_INFO_PROCESS. A process that has ended answers
 * those (but info) with -KEEL_ECLOSED; no process or thread handle may be
 * given to a process that has not started (-KEEL_EINVAL: it could keep
 * itself alive). thread_create's stack top is 16-byte aligned (-KEEL_EINVAL
 * otherwise), in the user half like the entry; the thread starts with rdi =
 * arg at the process's priority, on the next CPU in turn. supervisor (an endpoint handle with
 * KEEL_RIGHT_WRITE, or 0) receives its threads' faults as calls (below); the
 * exit notification (KEEL_RIGHT_SIGNAL, or 0) gets `exit bit` set when its
 * last thread ends. Flags: KEEL_PROC_DRIVER runs its threads at driver
 * priority (only a driver-priority caller may ask).
 */
#define KEEL_PROC_DRIVER (1u << 0)

/*
 * A fault in a process with a supervisor (a page fault, #GP, #UD, a
 * protection-key violation, ...) blocks the faulting thread and sends the
 * supervisor endpoint a call with the process id as badge and the words
 *   w0 = KEEL_FAULT_TAG | vector (KEEL_KILLED_PKEY for a key violation),
 *   w1 = error code, w2 = fault address (CR2, or 0), w3 = instruction address.
 * The supervisor's reply word 0 decides: KEEL_FAULT_RESUME runs the
 * instruction again (after, say, mapping the page), anything else kills the
 * process with the vector as its status. Without a supervisor the process is
 * killed at once. A kill ends every thread of the process: a blocked one's
 * call, recv or wait returns -KEEL_ECLOSED inside the kernel, and none of
 * them runs user code again; its callers waiting for a reply get
 * -KEEL_ECLOSED.
 */
#define KEEL_FAULT_TAG    (1ull << 62)

/*
 * The badge recv and reply_recv return for a bound notification's bits
 * (KEEL_SYS_OBJECT_CREATE of a notification on an endpoint): no process id
 * reaches it (ids are 32 bits).
 */
#define KEEL_BADGE_NOTIFY (1ull << 62)
#define KEEL_FAULT_RESUME 1

/* Handle rights. */
#define KEEL_RIGHT_READ      (1u << 0)
#define KEEL_RIGHT_WRITE     (1u << 1)
#define KEEL_RIGHT_MAP       (1u << 2)
#define KEEL_RIGHT_SIGNAL    (1u << 3)
#define KEEL_RIGHT_WAIT      (1u << 4)
#define KEEL_RIGHT_TRANSFER  (1u << 5)
#define KEEL_RIGHT_DUPLICATE (1u << 6)
#define KEEL_RIGHT_MANAGE    (1u << 7)
#define KEEL_RIGHTS_ALL      0xffu

/* KEEL_SYS_MAP flags; bits 8-11 carry a protection key (0: the default). */
#define KEEL_MAP_READ       (1u << 0)
#define KEEL_MAP_WRITE      (1u << 1)
#define KEEL_MAP_EXEC       (1u << 2)
#define KEEL_MAP_WC         (1u << 3) /* device memory only: write-combining (else uncached) */
#define KEEL_MAP_PKEY_SHIFT 8
#define KEEL_MAP_PKEY(k)    ((unsigned)(k) << KEEL_MAP_PKEY_SHIFT)

/*
 * The status of a process killed by a protection-key violation (a page fault
 * whose error code has the PK bit, 5): vector 14 with bit 8 set, so that it
 * is told apart from every other fault. Other faults give their vector.
 */
#define KEEL_KILLED_PKEY 0x10e

/* The handle that names the calling process itself in KEEL_SYS_MAP and friends. */
#define KEEL_HANDLE_SELF 0

/*
 * KEEL_SYS_WAIT: no timeout. Other timeouts end the wait with -KEEL_ETIMEDOUT
 * no sooner than asked, at the kernel's next tick (100 Hz) after it.
 */
#define KEEL_FOREVER (~0ull)

/* The user half of the address space: [KEEL_USER_BASE, KEEL_USER_END). */
#define KEEL_USER_BASE 0x0000000000010000ull /* page 0 and the low 64 KiB stay unmapped */
#define KEEL_USER_END  0x0000800000000000ull

/* KEEL_SYS_INFO kinds. */
#define KEEL_INFO_CLOCK    1 /* u64: nanoseconds since boot (cpu unused) */
#define KEEL_INFO_CPUS     2 /* u32: CPUs online */
#define KEEL_INFO_COUNTERS 3 /* struct keel_cpu_counters of CPU `cpu` */
#define KEEL_INFO_FEATURES 4 /* u32: KEEL_FEATURE_* bits of the paths in use */
#define KEEL_INFO_PROCESS  5 /* struct keel_process_info of the process handle `cpu` */
#define KEEL_INFO_LOG      6 /* the kernel log through the log handle `cpu` (below) */
#define KEEL_INFO_PLATFORM 7 /* struct keel_platform (cpu unused; anyone may ask) */
#define KEEL_INFO_VMO_PHYS 8 /* u64: the physical address of the DMA VMO `cpu` (above) */
#define KEEL_INFO_IRQ_MSI  9 /* struct keel_msi of the bound MSI interrupt `cpu` (above) */
#define KEEL_INFO_MEMORY   10 /* struct keel_memory_info (cpu unused; anyone may ask) */

/*
 * The kernel log: the last 64 KiB of everything the kernel printed (its own
 * lines and every KEEL_SYS_DEBUG_LOG), for the console driver that holds COM1
 * (the kernel's serial output is silent meanwhile). Positions count bytes
 * ever written. KEEL_SYS_INFO(KEEL_INFO_LOG, log handle with KEEL_RIGHT_READ,
 * buf, n): buf's first 8 bytes hold the position wanted, KEEL_LOG_FROM_HOLD
 * for where the serial output last went silent (0 if it never did); the
 * kernel writes there the position of the first byte returned (later than
 * asked when that text was overwritten: the reader lost the difference) and
 * the text after it, at most n - 8 bytes; returns the bytes of text (0:
 * nothing newer). -KEEL_EINVAL n < 8 or a position past the end,
 * -KEEL_EFAULT buf. KEEL_SYS_IRQ_BIND(log, notification, bit): bit is set
 * within a tick (10 ms) of text being added; one binding per log object
 * (-KEEL_EBUSY), which holds the notification until the log object goes.
 */
#define KEEL_LOG_FROM_HOLD (~0ull)

#define KEEL_FEATURE_PCID    (1u << 0)
#define KEEL_FEATURE_INVPCID (1u << 1)
#define KEEL_FEATURE_PKU     (1u << 2)

#ifndef __ASSEMBLER__
#include <stdint.h>

#include <keel/boot.h>

/*
 * An IPC message: up to four words travel in registers on the fast path; a
 * handle and a longer payload take the slow path (copied by the kernel).
 */
#define KEEL_MSG_WORDS      4
#define KEEL_MSG_DATA_MAX   256
#define KEEL_MSG_NO_HANDLE  (~0ull)

struct keel_msg {
	uint64_t word[KEEL_MSG_WORDS];
	uint64_t handle;    /* KEEL_MSG_NO_HANDLE, or a handle to move with the message */
	uint64_t data_len;  /* bytes of data[] used, at most KEEL_MSG_DATA_MAX */
	uint8_t data[KEEL_MSG_DATA_MAX];
};

/* Per-CPU event counters (DESIGN.md §4), as KEEL_INFO_COUNTERS returns them. */
struct keel_cpu_counters {
	uint64_t cr3_noflush;     /* address-space loads that kept the TLB */
	uint64_t cr3_flush;       /* address-space loads that flushed */
	uint64_t invlpg;          /* single pages flushed */
	uint64_t invpcid_single;  /* one PCID flushed with INVPCID */
	uint64_t invpcid_all;     /* everything flushed with INVPCID */
	uint64_t pcid_deferred;   /* PCID flushes left for the next switch-in */
	uint64_t shootdowns_sent; /* TLB shootdown IPIs sent */
	uint64_t shootdowns_recv; /* TLB shootdown IPIs received */
	uint64_t ipc_fast;        /* IPC calls and replies on the fast path */
	uint64_t ipc_slow;        /* ... on the slow path */
	uint64_t context_switches;
	uint64_t idle_tsc; /* TSC ticks spent halted with nothing to run (the interrupts that end
			    * a halt included): under QEMU's icount the TSC counts instructions
			    * and jumps ahead while halted, so elapsed minus this is work done */
};

/*
 * What KEEL_INFO_MEMORY tells: the physical page allocator's pages of
 * KEEL_PAGE_SIZE bytes. total counts every page it manages (usable RAM and
 * reclaimed boot memory), free those not handed out nor reserved now.
 */
struct keel_memory_info {
	uint64_t total_pages;
	uint64_t free_pages;
};

/* What KEEL_INFO_PROCESS tells of a process. */
struct keel_process_info {
	uint64_t id;          /* the badge its calls carry */
	uint64_t threads;     /* not yet ended */
	int64_t exit_status;  /* once threads is 0 */
	uint64_t killed;      /* 1: ended by a fault (exit_status is the vector) or killed by
			       * KEEL_SYS_SIGNAL on its handle (exit_status is the bits) */
};

/* What KEEL_INFO_IRQ_MSI tells: the message a device sends (Intel SDM vol. 3 §11.11). */
struct keel_msi {
	uint64_t address; /* 0xfee00000 | APIC ID << 12: physical destination */
	uint32_t data;    /* the vector: fixed delivery, edge */
	uint32_t reserved;
};

/*
 * What KEEL_INFO_PLATFORM tells of the machine: the facts user space cannot
 * find itself, from the ACPI tables the kernel parsed at boot. Not secret, so
 * any process may read them; using them needs device objects only init can
 * carve. The ECAM window is the MCFG's first segment: the configuration space
 * of bus b (ecam_bus_first..ecam_bus_last) is the 1 MiB at
 * ecam_base + (b << 20), 4 KiB per function (PCI Firmware Spec 3.2, 4.1.2);
 * ecam_base 0 when there is no MCFG (use ports 0xcf8/0xcfc). The reset
 * register is the FADT's RESET_REG, KEEL_RESET_NONE when the FADT says it has
 * none or it is unusable: write reset_value (8 bits) to reset_address in
 * memory or I/O space to reset the machine (ACPI 6.5, 4.8.3.6).
 */
#define KEEL_RESET_NONE   0
#define KEEL_RESET_MEMORY 1
#define KEEL_RESET_IO     2

struct keel_platform {
	uint64_t ecam_base;      /* physical; 0: no MCFG */
	uint16_t ecam_segment;   /* PCI segment group */
	uint8_t ecam_bus_first;
	uint8_t ecam_bus_last;   /* >= ecam_bus_first */
	uint8_t reset_space;     /* KEEL_RESET_* */
	uint8_t reset_value;
	uint16_t reserved;       /* 0 */
	uint64_t reset_address;  /* physical address or port; 0 with KEEL_RESET_NONE */
};

/*
 * How a program starts: rdi points at a struct keel_start in its own memory
 * (the top of its stack). The kernel writes init's; a parent writes its
 * child's, and puts there the handles it gave it. handle[] slots that hold
 * nothing are KEEL_MSG_NO_HANDLE.
 */
#define KEEL_START_MAGIC   0x7472617473656b6bull /* "kkestart" */
#define KEEL_START_HANDLES 8
#define KEEL_START_RESOURCE 0 /* init: I/O ports, IRQs, device memory (KEEL_OBJ_RESOURCE) */
#define KEEL_START_RAMDISK  1 /* init: the ramdisk, a read-only VMO of ramdisk_size bytes */

struct keel_start {
	uint64_t magic;
	uint64_t arg; /* the parent's word for the child */
	uint64_t handle[KEEL_START_HANDLES];
	uint64_t ramdisk_size;
	struct keel_framebuffer fb; /* include/keel/boot.h; base 0: none */
	char cmdline[256]; /* init: the kernel's command line; NUL-terminated */
};
#endif

#endif
