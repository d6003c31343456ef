/*
 * drivers-user/lib/klog_drain.c: the kernel log drained to a console
 * device (klog_drain.h). The driver's one thread only.
 */
#include "klog_drain.h"

#include "keel.h"

int64_t klog_drain_init(struct klog_drain *l, uint64_t handle, uint64_t notif, unsigned bit)
{
	l->handle = handle;
	l->pos = KEEL_LOG_FROM_HOLD;
	l->lost = 0;
	l->off = l->len = l->note_off = l->note_len = 0;
	l->midline = 0;
	l->more = handle != KEEL_MSG_NO_HANDLE; /* what came since the hold */
	if (handle == KEEL_MSG_NO_HANDLE)
		return 0;
	return keel_irq_bind(handle, notif, bit);
}

/* Text read and not yet sent. */
static int klog_drain_unsent(const struct klog_drain *l)
{
	return l->note_off < l->note_len || l->off < l->len;
}

int klog_drain_pending(const struct klog_drain *l)
{
	return klog_drain_unsent(l) || l->more;
}

void klog_drain_kick(struct klog_drain *l)
{
	if (l->handle != KEEL_MSG_NO_HANDLE)
		l->more = 1;
}

int klog_drain_midline(const struct klog_drain *l)
{
	return l->midline;
}

int64_t klog_drain_fetch(struct klog_drain *l)
{
	int64_t n;

	if (l->handle == KEEL_MSG_NO_HANDLE || klog_drain_unsent(l))
		return 0;
	l->rd.first = l->pos;
	n = keel_info(KEEL_INFO_LOG, l->handle, &l->rd, sizeof(l->rd));
	if (n < 0)
		return n; /* not printed: the line would come back here */
	/* Later than asked: the ring overwrote what this driver had not read. */
	if (l->pos != KEEL_LOG_FROM_HOLD && l->rd.first > l->pos) {
		l->lost += l->rd.first - l->pos;
		l->note_off = 0;
		l->note_len = (size_t)keel_snprintf(
		    l->note, sizeof(l->note), "%s[%llu bytes of kernel log lost]\n",
		    l->midline ? "\n" : "", (unsigned long long)(l->rd.first - l->pos));
		if (l->note_len >= sizeof(l->note))
			l->note_len = sizeof(l->note) - 1;
		l->midline = 0;
	}
	l->pos = l->rd.first + (uint64_t)n;
	l->off = 0;
	l->len = (size_t)n;
	l->more = n == KLOG_DRAIN_BUF; /* a full read: there may be more behind it */
	return n;
}

/* Bytes of s[*off, len) into out[*put, room), '\n' as "\r\n" kept whole; *last the last byte. */
static void klog_drain_copy(const char *s, size_t *off, size_t len, uint8_t *out, size_t *put,
			  size_t room, int *last)
{
	while (*off < len) {
		char c = s[*off];

		if (c == '\n') {
			if (room - *put < 2)
				return;
			out[(*put)++] = '\r';
		} else if (room - *put < 1) {
			return;
		}
		out[(*put)++] = (uint8_t)c;
		*last = c;
		(*off)++;
	}
}

size_t klog_drain_take(struct klog_drain *l, uint8_t *out, size_t room)
{
	size_t put = 0;
	int last = -1;

	if (!klog_drain_unsent(l) && l->more)
		klog_drain_fetch(l);
	klog_drain_copy(l->note, &l->note_off, l->note_len, out, &put, room, &last);
	if (l->note_off == l->note_len)
		klog_drain_copy(l->rd.bytes + 8, &l->off, l->len, out, &put, room, &last);
	if (last >= 0)
		l->midline = last != '\n';
	return put;
}
