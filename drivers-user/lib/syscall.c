/*
 * drivers-user/lib/syscall.c: one wrapper per system call of
 * include/keel/syscall.h, each a single keel_syscall6() (keel.h). Unused
 * argument registers are passed as 0 so that a kernel that checks them
 * later sees no garbage.
 */
#include "keel.h"

#define SYS0(nr)                   keel_syscall6((nr), 0, 0, 0, 0, 0, 0)
#define SYS1(nr, a)                keel_syscall6((nr), (a), 0, 0, 0, 0, 0)
#define SYS2(nr, a, b)             keel_syscall6((nr), (a), (b), 0, 0, 0, 0)
#define SYS3(nr, a, b, c)          keel_syscall6((nr), (a), (b), (c), 0, 0, 0)
#define SYS4(nr, a, b, c, d)       keel_syscall6((nr), (a), (b), (c), (d), 0, 0)
#define SYS6(nr, a, b, c, d, e, f) keel_syscall6((nr), (a), (b), (c), (d), (e), (f))

#define PTR(p) ((uint64_t)(uintptr_t)(p))

int64_t keel_debug_log(const char *s, size_t n)
{
	return SYS2(KEEL_SYS_DEBUG_LOG, PTR(s), n);
}

_Noreturn void keel_exit(int64_t status)
{
	SYS1(KEEL_SYS_EXIT, (uint64_t)status);
	/* KEEL_SYS_EXIT does not return; if a broken kernel lets it, stay here. */
	for (;;)
		SYS0(KEEL_SYS_YIELD);
}

int64_t keel_yield(void)
{
	return SYS0(KEEL_SYS_YIELD);
}

int64_t keel_info(uint64_t kind, uint64_t cpu, void *buf, size_t n)
{
	return SYS4(KEEL_SYS_INFO, kind, cpu, PTR(buf), n);
}

int64_t keel_object_create(uint64_t type, uint64_t arg)
{
	return SYS2(KEEL_SYS_OBJECT_CREATE, type, arg);
}

int64_t keel_device_create(uint64_t type, uint64_t arg, uint64_t arg2, uint64_t resource)
{
	return SYS4(KEEL_SYS_OBJECT_CREATE, type, arg, arg2, resource);
}

int64_t keel_handle_dup(uint64_t handle, uint64_t rights)
{
	return SYS2(KEEL_SYS_HANDLE_DUP, handle, rights);
}

int64_t keel_handle_dup_to(uint64_t handle, uint64_t rights, uint64_t process)
{
	return SYS3(KEEL_SYS_HANDLE_DUP, handle, rights, process);
}

int64_t keel_handle_close(uint64_t handle)
{
	return SYS1(KEEL_SYS_HANDLE_CLOSE, handle);
}

/*
 * IPC (syscall.h): the words go in rsi rdx r10 r8 and come back there; the
 * whole struct keel_msg (handle, data) goes by pointer in r9, and the kernel
 * writes the answer's handle and data into it.
 */
static int64_t keel_ipc_regs(uint64_t nr, uint64_t endpoint, uint64_t w[KEEL_MSG_WORDS],
			     uint64_t msg)
{
	register uint64_t r10 __asm__("r10") = w[2];
	register uint64_t r8 __asm__("r8") = w[3];
	register uint64_t r9 __asm__("r9") = msg;
	uint64_t ret, rsi = w[0], rdx = w[1];

	__asm__ volatile("syscall"
			 : "=a"(ret), "+S"(rsi), "+d"(rdx), "+r"(r10), "+r"(r8)
			 : "a"(nr), "D"(endpoint), "r"(r9)
			 : "rcx", "r11", "memory");
	w[0] = rsi, w[1] = rdx, w[2] = r10, w[3] = r8;
	return (int64_t)ret;
}

static int64_t keel_ipc(uint64_t nr, uint64_t endpoint, struct keel_msg *msg)
{
	return keel_ipc_regs(nr, endpoint, msg->word, PTR(msg));
}

int64_t keel_call_words(uint64_t endpoint, uint64_t w[KEEL_MSG_WORDS])
{
	return keel_ipc_regs(KEEL_SYS_CALL, endpoint, w, 0);
}

int64_t keel_recv_words(uint64_t endpoint, uint64_t w[KEEL_MSG_WORDS])
{
	return keel_ipc_regs(KEEL_SYS_RECV, endpoint, w, 0);
}

int64_t keel_reply_recv_words(uint64_t endpoint, uint64_t w[KEEL_MSG_WORDS])
{
	return keel_ipc_regs(KEEL_SYS_REPLY_RECV, endpoint, w, 0);
}

int64_t keel_call(uint64_t endpoint, struct keel_msg *msg)
{
	return keel_ipc(KEEL_SYS_CALL, endpoint, msg);
}

int64_t keel_recv(uint64_t endpoint, struct keel_msg *msg)
{
	return keel_ipc(KEEL_SYS_RECV, endpoint, msg);
}

int64_t keel_reply_recv(uint64_t endpoint, const struct keel_msg *reply, struct keel_msg *next)
{
	/* One buffer both ways: the kernel reads the reply from it, then writes the next message.
	 */
	if (next != reply)
		memcpy(next, reply, sizeof(*next));
	return keel_ipc(KEEL_SYS_REPLY_RECV, endpoint, next);
}

int64_t keel_signal(uint64_t notification, uint64_t bits)
{
	return SYS2(KEEL_SYS_SIGNAL, notification, bits);
}

int64_t keel_wait(uint64_t notification, uint64_t timeout_ns)
{
	return SYS2(KEEL_SYS_WAIT, notification, timeout_ns);
}

int64_t keel_map(uint64_t process, uint64_t vmo, uint64_t vaddr, uint64_t offset, uint64_t size,
		 uint64_t flags)
{
	return SYS6(KEEL_SYS_MAP, process, vmo, vaddr, offset, size, flags);
}

int64_t keel_unmap(uint64_t process, uint64_t vaddr, uint64_t size)
{
	return SYS3(KEEL_SYS_UNMAP, process, vaddr, size);
}

int64_t keel_pkey_alloc(void)
{
	return SYS0(KEEL_SYS_PKEY_ALLOC);
}

int64_t keel_proc_create(const char *name, size_t n, uint64_t supervisor, uint64_t exit_notif,
			 uint64_t exit_bit, uint64_t flags)
{
	return SYS6(KEEL_SYS_PROC_CREATE, PTR(name), n, supervisor, exit_notif, exit_bit, flags);
}

int64_t keel_thread_create(uint64_t process, uint64_t entry, uint64_t stack_top, uint64_t arg)
{
	return SYS4(KEEL_SYS_THREAD_CREATE, process, entry, stack_top, arg);
}

int64_t keel_irq_bind(uint64_t interrupt, uint64_t notification, uint64_t bit)
{
	return SYS3(KEEL_SYS_IRQ_BIND, interrupt, notification, bit);
}

int64_t keel_irq_ack(uint64_t interrupt)
{
	return SYS1(KEEL_SYS_IRQ_ACK, interrupt);
}

int64_t keel_ioport_enable(uint64_t ioports)
{
	return SYS1(KEEL_SYS_IOPORT_ENABLE, ioports);
}

const char *keel_strerror(int64_t err)
{
	switch (err) {
	case 0: return "ok";
	case -KEEL_EINVAL: return "invalid argument";
	case -KEEL_EFAULT: return "bad user pointer";
	case -KEEL_EBADH: return "bad handle";
	case -KEEL_EPERM: return "missing right";
	case -KEEL_ETYPE: return "wrong object type";
	case -KEEL_E2BIG: return "too big";
	case -KEEL_ENOMEM: return "out of memory";
	case -KEEL_ENOSYS: return "no such call";
	case -KEEL_ETIMEDOUT: return "timed out";
	case -KEEL_ECLOSED: return "peer closed";
	case -KEEL_EBUSY: return "busy";
	case -KEEL_ENOENT: return "not found";
	case -KEEL_ERANGE: return "address out of range";
	case -KEEL_EAGAIN: return "try again";
	default: return err > 0 ? "ok" : "unknown error";
	}
}
