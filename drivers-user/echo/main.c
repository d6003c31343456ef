/*
 * drivers-user/echo/main.c: the "echo" service (include/keel/service.h), a
 * ring-session server for make bench and the tests. Started like a driver:
 * its service endpoint (KEEL_RIGHT_READ) in handle[KEEL_START_SERVICE] of
 * its start block. KEEL_ECHO_PING completes at once with the request's len
 * and touches no data; KEEL_ECHO_SYSCALLS and KEEL_ECHO_SESSIONS report the
 * server's system calls and open sessions. It ends when the service endpoint
 * has no caller left.
 */
#include "keel.h"
#include "session.h"

#define ECHO_SQ_ENTRIES 64
#define ECHO_CQ_ENTRIES 64
#define ECHO_DATA_SIZE  4096

static struct keel_server echo_server;

static int echo_request(void *ctx, struct keel_server_session *s, const struct keel_ring_sqe *e,
			struct keel_ring_cqe *c)
{
	struct keel_server *srv = ctx;

	switch (e->opcode) {
	case KEEL_ECHO_PING: c->len = e->len; break;
	case KEEL_ECHO_SYSCALLS: {
		/* offset and len are checked already (ring_sq_pop): inside the data area. */
		uint64_t *out = ring_buf(&s->ring, e->offset, sizeof(uint64_t));

		if (out == NULL || e->len < sizeof(uint64_t)) {
			c->status = -KEEL_EINVAL;
			break;
		}
		*out = srv->syscalls;
		c->len = sizeof(uint64_t);
		break;
	}
	case KEEL_ECHO_SESSIONS: c->len = srv->sessions; break;
	default: c->status = -KEEL_EINVAL; break;
	}
	return 1;
}

int main(uint64_t start)
{
	const struct keel_start *sb = (const struct keel_start *)(uintptr_t)start;
	int r;

	if (!sb || sb->magic != KEEL_START_MAGIC ||
	    sb->handle[KEEL_START_SERVICE] == KEEL_MSG_NO_HANDLE) {
		keel_printf("echo: no service endpoint in the start block\n");
		return 1;
	}
	r = keel_server_init(&echo_server, sb->handle[KEEL_START_SERVICE], ECHO_SQ_ENTRIES,
			     ECHO_CQ_ENTRIES, ECHO_DATA_SIZE, echo_request, &echo_server);
	if (r != 0) {
		keel_printf("echo: cannot serve: %d (%s)\n", r, keel_strerror(r));
		return 1;
	}
	while (!echo_server.gone)
		keel_server_step(&echo_server);
	return 0;
}
