/*
 * drivers-user/ringprobe/ringprobe.h: the hostile client of a ring service
 * (Keel issue 7 item 7: malformed requests on every ring). What one service
 * must answer (services.c) and the probe that sends it all (main.c).
 */
#ifndef KEEL_RINGPROBE_H
#define KEEL_RINGPROBE_H

#include <stdint.h>

/* One request and the completion it must get (the id is the probe's). */
struct probe_req {
	uint32_t opcode;
	uint64_t offset;
	uint32_t len;
	int32_t status;   /* 0 or -KEEL_E* */
	uint32_t out_len; /* the completion's len */
	const char *what;
};

/*
 * A service under test: its name in init's name service, the request it
 * must serve at once (status 0; `text` first copied to the data area when
 * not NULL), one it keeps while nobody types (NULL: none) and the requests
 * it must refuse with an error completion each.
 */
struct probe_service {
	const char *name;
	const char *text;
	struct probe_req good;
	const struct probe_req *kept;
	const struct probe_req *bad;
	unsigned nbad;
};

/* The services by the probe's start argument (1 uart, 2 fbcon, 3 ps2kbd), or NULL. */
const struct probe_service *probe_service_get(uint64_t arg);

#endif
