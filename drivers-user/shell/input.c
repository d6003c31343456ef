/*
 * drivers-user/shell/input.c: keyboard and serial input (input.h).
 *
 * Each source's session uses the shared notification's bits 2i (completions)
 * and 2i + 1 (driver gone). Its data area holds its one read: serial bytes,
 * or INPUT_EVENTS key events whose press characters are taken.
 */
#include "input.h"

#include <keel/service.h>

#include "keel.h"

#define INPUT_RETRY_NS 1000000000ull
#define INPUT_EVENTS   16
#define INPUT_READ_ID  1
#define INPUT_FOCUS_ID 2

static uint64_t input_clock(void)
{
	uint64_t ns = 0;

	keel_info(KEEL_INFO_CLOCK, 0, &ns, sizeof(ns));
	return ns;
}

static void input_close(struct input_source *src)
{
	if (src->open)
		keel_session_close(&src->s);
	if (src->service != KEEL_MSG_NO_HANDLE)
		keel_handle_close(src->service);
	src->service = KEEL_MSG_NO_HANDLE;
	src->open = src->pending = 0;
}

/* Keep one read in flight on an open source; the keyboard's focus comes after it. */
static int input_submit(struct input_source *src, unsigned i)
{
	struct keel_ring_sqe e = {.id = INPUT_READ_ID};
	struct keel_ring_sqe focus = {.id = INPUT_FOCUS_ID, .opcode = KEEL_KBD_FOCUS};
	int r;

	if (src->pending)
		return 0;
	if (i == INPUT_KBD)
		e.opcode = KEEL_KBD_READ, e.len = INPUT_EVENTS * sizeof(struct keel_kbd_event);
	else
		e.opcode = KEEL_UART_READ, e.len = 64;
	r = keel_session_submit(&src->s, &e);
	/* Focus goes to a session with a read pending (service.h): after the read. */
	if (r == 0 && i == INPUT_KBD)
		r = keel_session_submit(&src->s, &focus);
	if (r == 0)
		src->pending = 1;
	return r;
}

int input_open(struct input *in, unsigned i)
{
	struct input_source *src = &in->src[i];
	uint64_t service;
	int64_t r;

	input_close(src);
	r = keel_name_lookup(in->names, src->driver, &service);
	if (r == 0) {
		r = keel_session_open(&src->s, service, in->notif, 2 * i, 2 * i + 1, 0);
		if (r != 0)
			keel_handle_close(service);
	}
	if (r != 0) {
		src->absent = r == -KEEL_ENOENT;
		src->retry_at = input_clock() + INPUT_RETRY_NS;
		return (int)r;
	}
	src->service = service;
	src->open = 1;
	r = input_submit(src, i);
	if (r != 0)
		input_close(src);
	return (int)r;
}

int input_init(struct input *in, uint64_t names)
{
	int64_t n = keel_object_create(KEEL_OBJ_NOTIFICATION, 0);

	if (n < 0)
		return (int)n;
	memset(in, 0, sizeof(*in));
	in->names = names;
	in->notif = (uint64_t)n;
	in->src[INPUT_UART].driver = "uart";
	in->src[INPUT_KBD].driver = "ps2kbd";
	for (unsigned i = 0; i < INPUT_SOURCES; i++) {
		in->src[i].service = KEEL_MSG_NO_HANDLE;
		input_open(in, i);
	}
	return 0;
}

/* The characters of a completed read on source i into buf (n bytes): how many. */
static size_t input_take(struct input_source *src, unsigned i, const struct keel_ring_cqe *c,
			 uint8_t *buf, size_t n)
{
	const uint8_t *data = keel_session_buf(&src->s, 0, c->len);
	struct keel_kbd_event ev;
	size_t got = 0;

	if (!data)
		return 0; /* a length past the data area: nothing to take */
	if (i == INPUT_UART) {
		for (; got < c->len && got < n; got++)
			buf[got] = data[got];
		return got;
	}
	for (uint32_t k = 0; k + sizeof(ev) <= c->len && got < n; k += sizeof(ev)) {
		memcpy(&ev, data + k, sizeof(ev));
		if (ev.pressed && ev.ch)
			buf[got++] = ev.ch;
	}
	return got;
}

size_t input_read(struct input *in, uint8_t *buf, size_t n, uint64_t timeout_ns)
{
	struct keel_session *s[INPUT_SOURCES];
	struct keel_ring_cqe c;
	size_t got = 0;
	int r;

	for (unsigned i = 0; i < INPUT_SOURCES; i++) {
		struct input_source *src = &in->src[i];

		if (!src->open && !src->absent && input_clock() >= src->retry_at)
			input_open(in, i);
		s[i] = src->open ? &src->s : NULL;
	}
	if (keel_session_wait_any(s, INPUT_SOURCES, timeout_ns) != 0) {
		keel_wait(in->notif, timeout_ns); /* nothing open: just the pause */
		return 0;
	}
	for (unsigned i = 0; i < INPUT_SOURCES; i++) {
		struct input_source *src = &in->src[i];

		while (src->open && (r = keel_session_reap(&src->s, &c, 0)) != -KEEL_EAGAIN) {
			if (r != 0) { /* the driver is gone: a new session on its successor */
				src->reopens++;
				input_open(in, i);
				break;
			}
			if (c.id != INPUT_READ_ID)
				continue; /* the focus's completion */
			src->pending = 0;
			if (c.status != 0) {
				/* A driver refusing reads would have us spin: again in a while. */
				input_close(src);
				src->retry_at = input_clock() + INPUT_RETRY_NS;
				break;
			}
			got += input_take(src, i, &c, buf + got, n - got);
			if (input_submit(src, i) != 0) {
				src->reopens++;
				input_open(in, i);
			}
		}
	}
	return got;
}
