/*
 * drivers-user/kbdbench/main.c: make bench's kbd_event_instr, the
 * instructions from a key's arrival at the keyboard controller to the app
 * reaping its event from the ps2kbd driver (KEEL_KBD_READ's completion).
 * Nobody types under make bench, so a key is made with the i8042's command
 * 0xD2, "write keyboard output buffer": the controller delivers the next
 * byte written to port 0x60 as if the keyboard had sent it, raising IRQ 1
 * (QEMU implements it, untranslated: the byte is the set-1 scancode
 * ps2kbd decodes).
 *
 * Who writes 0xD2: not ps2kbd. A bench-only opcode in the production
 * driver would let any client inject keys into the focused session. init
 * gives ports only on driver lines, so the injector is this program
 * started as a driver of its own (etc/bench.conf: `driver kbdinject
 * bin/kbdbench ioport=0x60:1 ioport=0x64:1`; an I/O port object may overlap
 * another one, here ps2kbd's), reachable only by those who look it up.
 * It serves one register-only call, KBDBENCH_INJECT (w1 = the byte): it
 * writes 0xD2 and the byte and replies w0 = 0 and w1 = the TSC read just
 * before the byte's write, the key's arrival.
 *
 * The measurer is this program as an app (no service endpoint in its start
 * block): it naps KBDBENCH_NAP_NS first, so that the restart app before it
 * in etc/bench.conf times its driver restarts alone (a nap costs no host
 * time under -icount sleep=off), opens a ps2kbd session, and for each key
 * keeps one KEEL_KBD_READ at the driver, asks the injector for a make or a
 * break of 'a' (0x1e, 0x9e), and reads the TSC once the read's completion
 * is reaped. Each sample also holds the injector's reply to the measurer,
 * one register-only IPC, which runs while the driver works on the key. The
 * median of KBDBENCH_SAMPLES samples, less two TSC reads, is printed as
 * "bench: kbd_event_instr N" (scripts/bench reads it).
 */
#include <keel/portio.h>
#include <keel/service.h>

#include "keel.h"
#include "session.h"

#define KBDBENCH_INJECT     1
#define KBDBENCH_DATA       0x60
#define KBDBENCH_CMD        0x64
#define KBDBENCH_ST_IN      0x02 /* input buffer full: the controller has not taken our last write */
#define KBDBENCH_WRITE_OBUF 0xd2
#define KBDBENCH_POLLS      100000 /* status reads before an injection gives up */
#define KBDBENCH_MAKE_A     0x1e
#define KBDBENCH_BREAK      0x80
#define KBDBENCH_WARMUP     20
#define KBDBENCH_SAMPLES    201
#define KBDBENCH_NAP_NS     1000000000ull
#define KBDBENCH_DONE_BIT   0
#define KBDBENCH_GONE_BIT   1

/* The controller ready for a write to either port: 0, or -KEEL_ETIMEDOUT. */
static int64_t kbdbench_input_empty(void)
{
	for (int i = 0; i < KBDBENCH_POLLS; i++)
		if (!(io_inb(KBDBENCH_CMD) & KBDBENCH_ST_IN))
			return 0;
	return -KEEL_ETIMEDOUT;
}

/* One key byte delivered as the keyboard's: 0 and *t the TSC at its arrival, or -KEEL_E*. */
static int64_t kbdbench_inject(uint8_t byte, uint64_t *t)
{
	int64_t err = kbdbench_input_empty();

	if (err == 0)
		io_outb(KBDBENCH_CMD, KBDBENCH_WRITE_OBUF);
	if (err == 0)
		err = kbdbench_input_empty();
	if (err == 0) {
		*t = keel_rdtsc();
		io_outb(KBDBENCH_DATA, byte);
	}
	return err;
}

/* The injector (a driver line): serve KBDBENCH_INJECT until init ends us. */
static int kbdbench_injector(const struct keel_start *sb)
{
	uint64_t service = sb->handle[KEEL_START_SERVICE], w[KEEL_MSG_WORDS];
	int64_t err = 0;

	for (unsigned i = 0; i < 2 && err == 0; i++)
		err = keel_ioport_enable(sb->handle[KEEL_START_DEVICE0 + i]);
	if (err != 0) {
		keel_printf("no ports 0x60 and 0x64 (driver kbdinject bin/kbdbench ioport=0x60:1 "
			    "ioport=0x64:1): %s\n",
			    keel_strerror(err));
		return 1;
	}
	if (keel_recv_words(service, w) < 0)
		return 0;
	for (;;) {
		uint64_t t = 0;

		err = w[0] == KBDBENCH_INJECT && w[1] <= 0xff ? kbdbench_inject((uint8_t)w[1], &t)
							      : -KEEL_EINVAL;
		w[0] = (uint64_t)err;
		w[1] = t;
		w[2] = w[3] = 0;
		if (keel_reply_recv_words(service, w) < 0)
			return 0; /* no caller left */
	}
}

/* One key through ps2kbd: its instructions from arrival to reap, or -KEEL_E*. */
static int64_t kbdbench_key(struct keel_session *s, uint64_t inject, uint8_t byte)
{
	const uint32_t len = sizeof(struct keel_kbd_event);
	struct keel_ring_sqe e = {.id = byte, .opcode = KEEL_KBD_READ, .len = len};
	struct keel_ring_cqe c;
	uint64_t w[KEEL_MSG_WORDS] = {KBDBENCH_INJECT, byte, 0, 0}, t1;
	const struct keel_kbd_event *ev = keel_session_buf(s, 0, len);
	int64_t err = keel_session_submit(s, &e);

	if (err == 0)
		err = keel_call_words(inject, w);
	if (err == 0)
		err = (int64_t)w[0];
	if (err == 0)
		err = keel_session_reap(s, &c, 1);
	t1 = keel_rdtsc();
	if (err != 0)
		return err;
	/* The event itself: this key, pressed or released as sent. */
	if (c.id != byte || c.status != 0 || c.len != len || !ev || ev->key != KBDBENCH_MAKE_A ||
	    ev->pressed != !(byte & KBDBENCH_BREAK))
		return -KEEL_EINVAL;
	return (int64_t)(t1 - w[1]);
}

/* The measurer (an app line): 0, or 1 with a line saying why. */
static int kbdbench_measure(const struct keel_start *sb)
{
	static uint64_t samples[KBDBENCH_SAMPLES];
	struct keel_session s;
	struct keel_ring_sqe focus = {.id = 1, .opcode = KEEL_KBD_FOCUS};
	struct keel_ring_cqe c;
	uint64_t names = sb->handle[KEEL_START_NAMES], kbd, inject, t0;
	int64_t nap = keel_object_create(KEEL_OBJ_NOTIFICATION, 0), err = nap < 0 ? nap : 0;

	if (err == 0)
		keel_wait((uint64_t)nap, KBDBENCH_NAP_NS);
	if (err == 0)
		err = keel_name_lookup(names, "ps2kbd", &kbd);
	if (err == 0)
		err = keel_name_lookup(names, "kbdinject", &inject);
	if (err == 0)
		err = keel_session_open(&s, kbd, (uint64_t)nap, KBDBENCH_DONE_BIT,
					KBDBENCH_GONE_BIT, 0);
	if (err != 0) {
		keel_printf("bench: kbd_event_instr n/a (no ps2kbd or kbdinject: %s)\n",
			    keel_strerror(err));
		return 1;
	}
	/* Ours, whoever else reads: the next key goes to this session. */
	if ((err = keel_session_submit(&s, &focus)) == 0)
		err = keel_session_reap(&s, &c, 1);
	for (unsigned i = 0; err == 0 && i < KBDBENCH_WARMUP + KBDBENCH_SAMPLES; i++) {
		int64_t r =
		    kbdbench_key(&s, inject, KBDBENCH_MAKE_A | (i % 2 ? KBDBENCH_BREAK : 0));

		if (r < 0)
			err = r;
		else if (i >= KBDBENCH_WARMUP)
			samples[i - KBDBENCH_WARMUP] = (uint64_t)r;
	}
	keel_session_close(&s);
	if (err != 0) {
		keel_printf("bench: kbd_event_instr n/a (a key failed: %s)\n", keel_strerror(err));
		return 1;
	}
	/* The two TSC reads around each sample, as bin/bench takes them off. */
	t0 = keel_rdtsc();
	t0 = keel_rdtsc() - t0;
	keel_printf("bench: kbd_event_instr %llu\n",
		    (unsigned long long)(keel_median(samples, KBDBENCH_SAMPLES) - t0));
	return 0;
}

int main(uint64_t start)
{
	const struct keel_start *sb = (const struct keel_start *)(uintptr_t)start;

	if (!sb || sb->magic != KEEL_START_MAGIC ||
	    sb->handle[KEEL_START_NAMES] == KEEL_MSG_NO_HANDLE) {
		keel_printf("no name service in the start block: init starts kbdbench\n");
		return 1;
	}
	if (sb->handle[KEEL_START_SERVICE] != KEEL_MSG_NO_HANDLE)
		return kbdbench_injector(sb);
	return kbdbench_measure(sb);
}
