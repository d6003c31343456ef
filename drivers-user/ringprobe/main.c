/*
 * drivers-user/ringprobe/main.c: a hostile client of one ring service
 * (services.c: "uart", "fbcon" or "ps2kbd"), for the drivers KTAP cases
 * (Keel issue 7 item 7). Through init's name service it looks the service
 * up once and opens an honest session, then:
 *  1. sends each of the service's bad requests on the honest session, written
 *     straight into the ring (past libkeel's own check of offset and len, as
 *     a hostile client would): each must get its own error completion, and
 *     the session stays open (ring.h: a bad entry is consumed and answered);
 *  2. plays one hostile round per kind below, each on a session of its own,
 *     scribbling over that session's shared memory: an impossible counter
 *     breaks the ring, and the driver closes that session alone (session.c:
 *     the kick is answered -KEEL_ECLOSED, and so is every later one); what
 *     the driver never reads again (the header) changes nothing; a whole
 *     SQ of bad entries gets a whole CQ of errors; reads the driver keeps
 *     go with their broken session. After each round the
 *     honest session's good request must still be served;
 *  3. opens one more session on the endpoint it looked up at the start and
 *     is served there. That endpoint is the first driver process's: had the
 *     driver died, init would have restarted it behind a fresh endpoint, and
 *     this one (like the honest session) would answer -KEEL_ECLOSED. So a
 *     pass also says the driver was never restarted.
 *
 * Start block: handle[KEEL_START_NAMES]; arg: the service (services.c).
 * Exit status: 0, or the step that failed (each failure is logged).
 */
#include <keel/pkru.h>
#include <keel/service.h>

#include "keel.h"
#include "ringprobe.h"
#include "session.h"

#define PROBE_DONE_BIT 0
#define PROBE_GONE_BIT 1
#define PROBE_LOOK_NS  10000000ull /* between looks for a completion: one tick */
#define PROBE_LOOKS    500         /* of them: 5 s, then the completion counts as missing */

/* The hostile rounds (step 2). */
enum probe_round {
	ROUND_TAIL_FAR,      /* the SQ's tail 2^31 ahead: broken, closed */
	ROUND_TAIL_PAST,     /* one entry more than the SQ holds: broken, closed */
	ROUND_TAIL_BEHIND,   /* behind the driver's head: broken, closed */
	ROUND_CQ_HEAD_AHEAD, /* the CQ's head ahead of the driver's tail: closed at its next push */
	ROUND_HEADER,        /* the header overwritten: never read again, still served */
	ROUND_FLOOD,         /* a whole SQ of bad entries: one error completion each */
	ROUND_KEPT_BROKEN,   /* requests kept (reads waiting for input), then broken: all dropped */
	ROUND_COUNT
};

static const char *const probe_round_name[ROUND_COUNT] = {
    "SQ tail far ahead",
    "SQ tail one past the ring",
    "SQ tail behind the head",
    "CQ head ahead of its tail",
    "header overwritten",
    "a whole SQ of bad entries",
    "requests kept, then the SQ tail far ahead",
};

struct probe {
	const struct probe_service *svc;
	uint64_t service; /* the endpoint, looked up once */
	uint64_t notif;   /* every session's, done and gone bits */
	struct keel_session honest;
	uint64_t id; /* the last request id used */
};

/* Store v at a counter or field of s's shared memory, as the peer would see it. */
static void probe_store(struct keel_session *s, uint32_t *at, uint32_t v)
{
	keel_pkey_write_enable(s->pkey);
	__atomic_store_n(at, v, __ATOMIC_RELEASE);
	keel_pkey_write_disable(s->pkey);
}

/*
 * Write e into s's next SQ slot and publish it, without libkeel's check of
 * e. The probe never has more than one SQ's worth unreaped, so the slot is free.
 */
static void probe_publish_raw(struct keel_session *s, const struct keel_ring_sqe *e)
{
	struct ring_queue *q = &s->ring.sq;

	keel_pkey_write_enable(s->pkey);
	((struct keel_ring_sqe *)q->entries)[q->next & q->mask] = *e;
	keel_pkey_write_disable(s->pkey);
	q->next++;
	probe_store(s, &q->prod->tail, q->next);
}

/* KEEL_SESSION_KICK by hand, whether or not the driver sleeps: its answer. */
static int64_t probe_kick(struct probe *p, const struct keel_session *s)
{
	uint64_t w[KEEL_MSG_WORDS] = {KEEL_SESSION_KICK, s->id, 0, 0};
	int64_t r = keel_call_words(p->service, w);

	return r < 0 ? r : (int64_t)w[0];
}

/*
 * One completion, looked for every PROBE_LOOK_NS: 0, -KEEL_ETIMEDOUT when
 * none came in PROBE_LOOKS looks (a driver that never answers fails the
 * probe instead of hanging it), or -KEEL_ECLOSED.
 */
static int64_t probe_reap(struct probe *p, struct keel_session *s, struct keel_ring_cqe *c)
{
	for (int i = 0; i < PROBE_LOOKS; i++) {
		int r = keel_session_reap(s, c, 0);

		if (r != -KEEL_EAGAIN)
			return r;
		keel_wait(p->notif, PROBE_LOOK_NS);
	}
	return -KEEL_ETIMEDOUT;
}

/* r as an SQ entry with a fresh id; the service's text copied to the data area first. */
static struct keel_ring_sqe probe_entry(struct probe *p, struct keel_session *s,
					const struct probe_req *r)
{
	const char *text = p->svc->text;

	if (r == &p->svc->good && text) {
		keel_pkey_write_enable(s->pkey);
		memcpy(keel_session_buf(s, r->offset, r->len), text, r->len);
		keel_pkey_write_disable(s->pkey);
	}
	return (struct keel_ring_sqe){
	    .id = ++p->id, .opcode = r->opcode, .len = r->len, .offset = r->offset};
}

/* Send r raw on s, kick, reap: 0 when its completion is the one r expects, else -1 (logged). */
static int probe_one(struct probe *p, struct keel_session *s, const struct probe_req *r)
{
	struct keel_ring_sqe e = probe_entry(p, s, r);
	struct keel_ring_cqe c;
	int64_t err;

	probe_publish_raw(s, &e);
	err = probe_kick(p, s);
	if (err == 0)
		err = probe_reap(p, s, &c);
	if (err != 0) {
		keel_printf("%s, %s: no completion: %s\n", p->svc->name, r->what,
			    keel_strerror(err));
		return -1;
	}
	if (c.id != e.id || c.status != r->status || c.len != r->out_len) {
		keel_printf("%s, %s: completion id %lu status %d len %u, expected id %lu status "
			    "%d len %u\n",
			    p->svc->name, r->what, (unsigned long)c.id, c.status, c.len,
			    (unsigned long)e.id, r->status, r->out_len);
		return -1;
	}
	return 0;
}

/* A whole SQ of bad entries in one go (half bad opcodes, half outside the data): 0 or -1. */
static int probe_flood(struct probe *p, struct keel_session *s)
{
	struct ring_queue *q = &s->ring.sq;
	uint32_t n = q->size;
	uint64_t first = p->id + 1;
	struct keel_ring_cqe c;

	keel_pkey_write_enable(s->pkey);
	for (uint32_t i = 0; i < n; i++) {
		struct keel_ring_sqe e = {.id = ++p->id, .opcode = 0x1000 + i, .len = 1};

		if (i % 2) {
			e.opcode = p->svc->good.opcode;
			e.offset = s->ring.data_size + i;
		}
		((struct keel_ring_sqe *)q->entries)[(q->next + i) & q->mask] = e;
	}
	keel_pkey_write_disable(s->pkey);
	q->next += n;
	probe_store(s, &q->prod->tail, q->next);
	if (probe_kick(p, s) != 0)
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		if (probe_reap(p, s, &c) != 0 || c.id != first + i || c.status != -KEEL_EINVAL ||
		    c.len != 0) {
			keel_printf("%s, flood: completion %u of %u wrong or missing\n",
				    p->svc->name, i, n);
			return -1;
		}
	}
	return 0;
}

/*
 * One hostile round on a session of its own: 0 when the driver answered as
 * the ring protocol says (the session closed, or still served), else -1.
 */
static int probe_round(struct probe *p, enum probe_round how)
{
	struct keel_session h;
	struct keel_ring_header *hdr;
	struct keel_ring_sqe e;
	int64_t err =
	    keel_session_open(&h, p->service, p->notif, PROBE_DONE_BIT, PROBE_GONE_BIT, 0);
	int broken = 1, ok = 0;

	if (err != 0) {
		keel_printf("%s: cannot open a session: %s\n", p->svc->name, keel_strerror(err));
		return -1;
	}
	hdr = h.mem;
	switch (how) {
	case ROUND_TAIL_FAR: probe_store(&h, &hdr->sq_prod.tail, 0x80000000u); break;
	case ROUND_TAIL_PAST: probe_store(&h, &hdr->sq_prod.tail, h.ring.sq.size + 1); break;
	case ROUND_TAIL_BEHIND: probe_store(&h, &hdr->sq_prod.tail, 0xffffffffu); break;
	case ROUND_CQ_HEAD_AHEAD:
		probe_store(&h, &hdr->cq_cons.head, 5);
		e = probe_entry(p, &h, &p->svc->good);
		probe_publish_raw(&h, &e);
		break;
	case ROUND_HEADER:
		/* Sizes, offsets, magic: the driver's view has its own copies. */
		keel_pkey_write_enable(h.pkey);
		memset(hdr, 0xff, offsetof(struct keel_ring_header, sq_prod));
		keel_pkey_write_disable(h.pkey);
		broken = 0;
		ok = probe_one(p, &h, &p->svc->good);
		break;
	case ROUND_KEPT_BROKEN:
		/* Reads that nothing completes here: kept, their buffers in this memory. */
		for (int k = 0; p->svc->kept && k < 2; k++) {
			e = probe_entry(p, &h, p->svc->kept);
			probe_publish_raw(&h, &e);
		}
		if (p->svc->kept && probe_kick(p, &h) != 0) {
			keel_printf("%s: the kick over kept reads failed\n", p->svc->name);
			ok = -1;
		}
		probe_store(&h, &hdr->sq_prod.tail, h.ring.sq.next + 0x40000000u);
		break;
	case ROUND_FLOOD:
		broken = 0;
		ok = probe_flood(p, &h);
		break;
	default: break;
	}
	/* A broken session answers -KEEL_ECLOSED now and forever; the others are still served. */
	if (broken) {
		int64_t first = probe_kick(p, &h), again = probe_kick(p, &h);

		if (first != -KEEL_ECLOSED || again != -KEEL_ECLOSED) {
			keel_printf("%s, %s: kicks answered %lld and %lld, expected %d\n",
				    p->svc->name, probe_round_name[how], (long long)first,
				    (long long)again, -KEEL_ECLOSED);
			ok = -1;
		}
	}
	keel_session_close(&h);
	return ok;
}

static int probe_run(struct probe *p, uint64_t names)
{
	struct keel_session again;
	int64_t err = keel_name_lookup(names, p->svc->name, &p->service);

	if (err == 0)
		err = keel_session_open(&p->honest, p->service, p->notif, PROBE_DONE_BIT,
					PROBE_GONE_BIT, 0);
	if (err != 0) {
		keel_printf("no %s session: %s\n", p->svc->name, keel_strerror(err));
		return 2;
	}
	if (probe_one(p, &p->honest, &p->svc->good) != 0)
		return 3;
	for (unsigned i = 0; i < p->svc->nbad; i++)
		if (probe_one(p, &p->honest, &p->svc->bad[i]) != 0)
			return 10 + (int)i;
	for (int how = 0; how < ROUND_COUNT; how++) {
		if (probe_round(p, (enum probe_round)how) != 0)
			return 40 + how;
		if (probe_one(p, &p->honest, &p->svc->good) != 0)
			return 50 + how;
	}
	err = keel_session_open(&again, p->service, p->notif, PROBE_DONE_BIT, PROBE_GONE_BIT, 0);
	if (err != 0 || probe_one(p, &again, &p->svc->good) != 0) {
		keel_printf("%s: no new session on the first endpoint: %s\n", p->svc->name,
			    keel_strerror(err));
		return 4;
	}
	keel_session_close(&again);
	keel_session_close(&p->honest);
	keel_printf("%s: %u bad requests and %d hostile sessions refused, still served\n",
		    p->svc->name, p->svc->nbad, ROUND_COUNT);
	return 0;
}

int main(uint64_t start)
{
	const struct keel_start *sb = (const struct keel_start *)(uintptr_t)start;
	struct probe p = {0};
	int64_t notif;

	if (!sb || sb->magic != KEEL_START_MAGIC ||
	    sb->handle[KEEL_START_NAMES] == KEEL_MSG_NO_HANDLE) {
		keel_printf("no name service in the start block: init starts ringprobe\n");
		return 1;
	}
	p.svc = probe_service_get(sb->arg);
	notif = keel_object_create(KEEL_OBJ_NOTIFICATION, 0);
	if (!p.svc || notif < 0) {
		keel_printf("no such service %llu (arg: 1 uart, 2 fbcon, 3 ps2kbd), or no "
			    "notification\n",
			    (unsigned long long)sb->arg);
		return 1;
	}
	p.notif = (uint64_t)notif;
	return probe_run(&p, sb->handle[KEEL_START_NAMES]);
}
