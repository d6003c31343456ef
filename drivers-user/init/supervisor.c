/*
 * drivers-user/init/supervisor.c: init as the supervisor (supervisor.h).
 *
 * Everything init starts gets only handles (include/keel/service.h):
 *   a driver: init's name endpoint (KEEL_RIGHT_WRITE) in KEEL_START_NAMES, a
 *     fresh service endpoint (KEEL_RIGHT_READ) in KEEL_START_SERVICE, and its
 *     device objects, carved here from init's resource handle, in
 *     KEEL_START_DEVICE0.. in its configuration line's order (a `pci=`
 *     driver: pci_carve.h's order, from the running "pci" driver, which
 *     must come before it in the configuration). init closes its
 *     own device handles right after the start, so the driver's are the only
 *     ones and a restart can carve the same devices again once the old
 *     process is gone; it keeps a KEEL_RIGHT_WRITE handle on the service
 *     endpoint for look-ups (never READ: the clients' "driver gone" is the
 *     last READ handle closing).
 *   an app: KEEL_START_NAMES only.
 * Each gets init's exit notification with a bit of its own: driver i bit i,
 * app j bit INIT_APP_BIT0 + j.
 *
 * The main loop is one blocking recv on the name endpoint, to which the exit
 * notification is bound: exit bits come first, as badge KEEL_BADGE_NOTIFY
 * with w0 = the bits, then the queued look-ups. One thread owns every table
 * below, so nothing here needs a lock.
 *
 * Restarts: a driver that ends is started again at once with fresh objects;
 * one that ends INIT_STORM_DEATHS times within INIT_STORM_NS (KEEL_INFO_CLOCK)
 * is given up, with a message, and its look-ups get -KEEL_ECLOSED. A kill an
 * admin asked for (KEEL_NAME_KILL) does not count towards that. A `restricted`
 * driver's look-ups are answered only for admin apps and pci= drivers
 * (-KEEL_EPERM to others). KEEL_NAME_LIST tells anyone the table;
 * KEEL_NAME_REBOOT (admin) resets the machine (reboot.c).
 */
#include "supervisor.h"

#include "conf.h"
#include "pci_carve.h"
#include "reboot.h"

#define INIT_APP_BIT0     32
#define INIT_STORM_DEATHS 5
#define INIT_STORM_NS     1000000000ull
#define INIT_KILL_STATUS  137         /* a driver killed by KEEL_NAME_KILL or at test end */
#define INIT_CONF_MAX     (64 * 1024) /* a configuration file's bytes */
#define INIT_DEVICE_RIGHTS                                                                         \
	(KEEL_RIGHT_READ | KEEL_RIGHT_WRITE | KEEL_RIGHT_MAP | KEEL_RIGHT_SIGNAL | KEEL_RIGHT_WAIT)

enum init_state {
	INIT_DOWN,     /* not running (being restarted) */
	INIT_UP,       /* running */
	INIT_STOPPING, /* killed at the end of a test run: not restarted */
	INIT_GIVEN_UP, /* never started, or died too often: not restarted */
};

struct init_proc {
	const struct initconf_entry *conf;
	enum init_state state;
	uint64_t proc;    /* process handle (every right), or KEEL_MSG_NO_HANDLE */
	uint64_t id;      /* its badge */
	uint64_t service; /* driver: init's KEEL_RIGHT_WRITE handle, or KEEL_MSG_NO_HANDLE */
	uint64_t killer;  /* driver: the admin app that asked for its death, or 0 */
	uint64_t pci;     /* driver: its pci= function's index, or KEEL_DRIVER_ARG_PCI_NONE */
	uint64_t dma;     /* pci= driver: init's handle on its DMA right (see supervisor_pci) */
	uint64_t deaths[INIT_STORM_DEATHS]; /* driver: clock of the last deaths, a ring */
	unsigned ndeaths;
	unsigned restarts; /* driver: times started again (KEEL_NAME_LIST) */
	int64_t status; /* app: how it ended */
};

static struct initconf supervisor_conf;
static struct init_proc supervisor_drv[INITCONF_DRIVERS];
static struct init_proc supervisor_app[INITCONF_APPS];
static const struct keel_start *supervisor_sb;
static uint64_t supervisor_names; /* the name endpoint: every right */
static uint64_t supervisor_exits; /* the exit notification */
static int supervisor_once;       /* end when the apps have (tests, make bench) */
static uint64_t supervisor_flags; /* proc_create flags of drivers */
static const char *supervisor_path;

static uint64_t supervisor_clock(void)
{
	uint64_t ns = 0;

	keel_info(KEEL_INFO_CLOCK, 0, &ns, sizeof(ns));
	return ns;
}

static void supervisor_conf_error(void *ctx, unsigned line, const char *what)
{
	(void)ctx;
	keel_printf("%s:%u: %s\n", supervisor_path, line, what);
}

/* ---- Starting ---- */

/* Spawn e's program with s's handles: 0 and p->proc, p->id, or the error (printed). */
static int64_t supervisor_spawn(struct init_proc *p, struct keel_spawn *s, unsigned bit)
{
	struct keel_process_info info;
	uint64_t child;
	int64_t r;

	s->handle[KEEL_START_NAMES] = supervisor_names;
	s->rights[KEEL_START_NAMES] = KEEL_RIGHT_WRITE;
	s->exit_notif = supervisor_exits;
	s->exit_bit = bit;
	r = keel_spawn(supervisor_sb->handle[KEEL_START_RAMDISK], supervisor_sb->ramdisk_size, s,
		       &child);
	if (r != 0) {
		keel_printf("cannot start %s: %lld (%s)\n", p->conf->path, (long long)r,
			    keel_strerror(r));
		return r;
	}
	r = keel_info(KEEL_INFO_PROCESS, child, &info, sizeof(info));
	p->proc = child;
	p->id = r < 0 ? ~0ull : info.id;
	return 0;
}

/*
 * A process name: the configured name cut to the 15 bytes proc_create takes
 * (the name service still uses the whole name).
 */
static void supervisor_proc_name(char out[16], const char *name)
{
	size_t n = strlen(name);

	if (n > 15)
		n = 15;
	memcpy(out, name, n);
	out[n] = '\0';
}

/*
 * Carve one device of a driver's line: its handle, or -KEEL_E*. `ecam` is
 * the MCFG's first window, its buses only (KEEL_INFO_PLATFORM); -KEEL_ENOENT
 * when the machine has none (legacy PCI: ioport=0xcf8:8 instead). `fb` is
 * init's framebuffer, whole pages around it, whose geometry goes into the
 * driver's start block s; -KEEL_ENOENT when there is none.
 */
static int64_t supervisor_device(const struct initconf_device *d, struct keel_spawn *s)
{
	uint64_t resource = supervisor_sb->handle[KEEL_START_RESOURCE];
	const struct keel_framebuffer *fb = &supervisor_sb->fb;
	struct keel_platform plat;
	uint64_t first;
	int64_t r;

	if (d->type == INITCONF_DEV_FB) {
		first = fb->base & ~(uint64_t)(KEEL_PAGE_SIZE - 1);
		if (fb->base == 0 || fb->size == 0 ||
		    fb->size > UINT64_MAX - fb->base - KEEL_PAGE_SIZE)
			return -KEEL_ENOENT;
		s->fb = *fb;
		return keel_device_create(KEEL_OBJ_DEVMEM, first,
					  (fb->base + fb->size - first + KEEL_PAGE_SIZE - 1) &
					      ~(uint64_t)(KEEL_PAGE_SIZE - 1),
					  resource);
	}
	if (d->type != INITCONF_DEV_ECAM)
		return keel_device_create(d->type, d->arg, d->arg2, resource);
	r = keel_info(KEEL_INFO_PLATFORM, 0, &plat, sizeof(plat));
	if (r < 0)
		return r;
	if (plat.ecam_base == 0)
		return -KEEL_ENOENT;
	return keel_device_create(
	    KEEL_OBJ_DEVMEM, plat.ecam_base + ((uint64_t)plat.ecam_bus_first << 20),
	    (uint64_t)(plat.ecam_bus_last - plat.ecam_bus_first + 1) << 20, resource);
}

/* The "pci" driver when it is up and configured before driver e, else NULL. */
static const struct init_proc *supervisor_pci_driver(const struct initconf_entry *e)
{
	const struct initconf_entry *pe = initconf_driver(&supervisor_conf, "pci", 3);
	const struct init_proc *pci = pe ? &supervisor_drv[pe - supervisor_conf.driver] : NULL;

	if (pci && pci < &supervisor_drv[0] + (e - supervisor_conf.driver) && pci->state == INIT_UP)
		return pci;
	return NULL;
}

/*
 * A `pci=` driver's devices (pci_carve.h) into dev[] and s's slots, its
 * function's index into p->pci and s's arg: 0 and *n, or -KEEL_E* (said,
 * nothing left behind). The "pci" driver is asked through init's own handle
 * on its service, not the name service, which is this thread: it must be
 * configured before, so it is up (or given up).
 */
static int64_t supervisor_pci(struct init_proc *p, struct keel_spawn *s,
			      uint64_t dev[KEEL_START_DEVICES], unsigned *n)
{
	const struct initconf_entry *e = p->conf;
	const struct init_proc *pci = supervisor_pci_driver(e);
	const char *why = "the pci driver is not up (configured before this one?)";
	uint64_t index = KEEL_DRIVER_ARG_PCI_NONE;
	int64_t r = -KEEL_ENOENT;

	*n = 0;
	if (pci)
		r = pci_carve(pci->service, supervisor_sb->handle[KEEL_START_RESOURCE],
			      (uint16_t)e->dev[0].arg, (uint16_t)e->dev[0].arg2,
			      (unsigned)(e->dev[0].arg2 >> 16), dev, n, &index, &why);
	if (r < 0) {
		keel_printf("cannot start %s: pci=%04llx:%04llx.%llu (line %u): %s: %lld (%s)\n",
			    e->path, (unsigned long long)e->dev[0].arg,
			    (unsigned long long)(e->dev[0].arg2 & 0xffff),
			    (unsigned long long)(e->dev[0].arg2 >> 16), e->line, why, (long long)r,
			    keel_strerror(r));
		return r;
	}
	p->pci = index;
	s->arg |= KEEL_DRIVER_ARG_PCI(index);
	for (unsigned k = 0; k < *n; k++) {
		s->handle[KEEL_START_DEVICE0 + k] = dev[k];
		s->rights[KEEL_START_DEVICE0 + k] = INIT_DEVICE_RIGHTS;
	}
	/* Making DMA memory needs KEEL_RIGHT_MANAGE on the DMA right (syscall.h). */
	s->rights[KEEL_START_DEVICE0] |= KEEL_RIGHT_MANAGE;
	/*
	 * The DMA right keeps every DMA VMO made with it (syscall.h): holding it
	 * keeps the driver's DMA memory out of the page allocator until the
	 * device's bus mastering is off (supervisor_pci_disable), even after the
	 * driver died. Without it that protection lapses: said, not fatal.
	 */
	r = keel_handle_dup(dev[0], 0);
	if (r < 0)
		keel_printf("driver %s: no handle of init's on its DMA right: %s\n", e->name,
			    keel_strerror(r));
	p->dma = r < 0 ? KEEL_MSG_NO_HANDLE : (uint64_t)r;
	return 0;
}

/*
 * A `pci=` driver died: its function's bus mastering (and MSI-X) off before
 * anything else, so that its device stops reaching memory the dead driver
 * no longer owns (syscall.h, DMA memory). Said when it cannot be done.
 */
static void supervisor_pci_disable(struct init_proc *p)
{
	const struct init_proc *pci = supervisor_pci_driver(p->conf);
	uint64_t w[KEEL_MSG_WORDS] = {KEEL_PCI_DISABLE, p->pci, 0, 0};
	int64_t r = -KEEL_ENOENT;

	if (p->pci == KEEL_DRIVER_ARG_PCI_NONE)
		return;
	if (pci)
		r = keel_call_words(pci->service, w);
	if (r == 0)
		r = (int64_t)w[0];
	if (r != 0)
		keel_printf("driver %s: its PCI function's bus mastering is still on: %s; its DMA "
			    "memory is kept\n",
			    p->conf->name, keel_strerror(r));
	else if (p->dma != KEEL_MSG_NO_HANDLE)
		keel_handle_close(p->dma); /* the device is off the bus: the pages may go */
	/* When still on, init's handle stays in its table, unnamed: the pages stay out of use. */
	p->dma = KEEL_MSG_NO_HANDLE;
	p->pci = KEEL_DRIVER_ARG_PCI_NONE;
}

/* Start driver i with fresh objects (`why`: the old one's end, or NULL): UP, or GIVEN_UP (said
 * why). */
static void supervisor_start_driver(unsigned i, const char *verb, const char *why)
{
	struct init_proc *p = &supervisor_drv[i];
	const struct initconf_entry *e = p->conf;
	uint64_t dev[KEEL_START_DEVICES];
	struct keel_spawn s;
	char name[16];
	int64_t ep, r = 0, w;
	unsigned k, ndev = 0;

	p->state = INIT_GIVEN_UP;
	ep = keel_object_create(KEEL_OBJ_ENDPOINT, 0);
	if (ep < 0) {
		keel_printf("cannot start %s: endpoint: %s\n", e->path, keel_strerror(ep));
		return;
	}
	supervisor_proc_name(name, e->name);
	keel_spawn_init(&s, e->path, name);
	s.arg = e->arg | (e->wc ? KEEL_DRIVER_ARG_WC : 0);
	s.flags = supervisor_flags;
	s.handle[KEEL_START_SERVICE] = (uint64_t)ep;
	s.rights[KEEL_START_SERVICE] = KEEL_RIGHT_READ;
	if (e->ndev == 1 && e->dev[0].type == INITCONF_DEV_PCI)
		r = supervisor_pci(p, &s, dev, &ndev);
	else
		for (k = 0; k < e->ndev; k++) {
			r = supervisor_device(&e->dev[k], &s);
			if (r == -KEEL_ENOENT && e->dev[k].type == INITCONF_DEV_ECAM) {
				r = 0; /* no MCFG (pc): the slot stays empty, the ports serve */
				continue;
			}
			if (r < 0) {
				keel_printf("cannot start %s: device %u (line %u): %lld (%s)\n",
					    e->path, k, e->line, (long long)r, keel_strerror(r));
				break;
			}
			dev[ndev++] = (uint64_t)r;
			s.handle[KEEL_START_DEVICE0 + k] = (uint64_t)r;
			s.rights[KEEL_START_DEVICE0 + k] = INIT_DEVICE_RIGHTS;
			r = 0;
		}
	if (r == 0)
		r = supervisor_spawn(p, &s, i);
	/* The child holds its own handles now (or nothing does): these go either way. */
	for (k = 0; k < ndev; k++)
		keel_handle_close(dev[k]);
	w = r == 0 ? keel_handle_dup((uint64_t)ep,
				     KEEL_RIGHT_WRITE | KEEL_RIGHT_DUPLICATE | KEEL_RIGHT_TRANSFER)
		   : r;
	keel_handle_close((uint64_t)ep); /* init never holds READ on a service */
	if (r != 0) {
		supervisor_pci_disable(p); /* a carved function: init's DMA handle goes too */
		return;
	}
	if (w < 0) {
		/* Nobody could reach it: stop it (or, without kill, let it be). */
		keel_printf("driver %s: no handle on its service: %s\n", e->name, keel_strerror(w));
		keel_signal(p->proc, INIT_KILL_STATUS);
		p->state = INIT_STOPPING;
		return;
	}
	p->service = (uint64_t)w;
	p->state = INIT_UP;
	keel_printf("driver %s %s (%s, id %llu)%s%s\n", e->name, verb, e->path,
		    (unsigned long long)p->id, why ? ": " : "", why ? why : "");
}

static void supervisor_start_app(unsigned j)
{
	struct init_proc *p = &supervisor_app[j];
	struct keel_spawn s;
	char name[16];

	supervisor_proc_name(name, p->conf->name);
	keel_spawn_init(&s, p->conf->path, name);
	s.arg = p->conf->arg;
	if (supervisor_spawn(p, &s, INIT_APP_BIT0 + j) != 0) {
		p->state = INIT_GIVEN_UP;
		p->status = 1; /* an app that could not start failed */
		return;
	}
	p->state = INIT_UP;
	keel_printf("app %s started (%s, id %llu)\n", p->conf->name, p->conf->path,
		    (unsigned long long)p->id);
}

/* ---- Deaths ---- */

/*
 * p ended: close its handles; its status, and how it ended in why (for the
 * one line its end or restart prints: the serial log is slow, and a restart
 * is timed by make bench).
 */
static int64_t supervisor_reap(struct init_proc *p, char *why, size_t n)
{
	struct keel_process_info info;
	int64_t status, r = keel_info(KEEL_INFO_PROCESS, p->proc, &info, sizeof(info));

	if (r < 0) {
		status = r;
		keel_snprintf(why, n, "id %llu ended (%s)", (unsigned long long)p->id,
			      keel_strerror(r));
	} else if (info.killed && p->killer) {
		status = 0x1000 | info.exit_status;
		keel_snprintf(why, n, "id %llu killed for id %llu", (unsigned long long)p->id,
			      (unsigned long long)p->killer);
	} else {
		status = info.killed ? (0x1000 | info.exit_status) : info.exit_status;
		keel_snprintf(why, n, "id %llu %s %lld", (unsigned long long)p->id,
			      info.killed ? "killed by vector" : "ended with status",
			      (long long)info.exit_status);
	}
	keel_handle_close(p->proc);
	p->proc = KEEL_MSG_NO_HANDLE;
	if (p->service != KEEL_MSG_NO_HANDLE)
		keel_handle_close(p->service);
	p->service = KEEL_MSG_NO_HANDLE;
	return status;
}

/* Whether a death now makes INIT_STORM_DEATHS within INIT_STORM_NS. */
static int supervisor_storm(struct init_proc *p)
{
	uint64_t now = supervisor_clock();
	unsigned slot = p->ndeaths % INIT_STORM_DEATHS;
	uint64_t oldest;

	p->deaths[slot] = now;
	p->ndeaths++;
	if (p->ndeaths < INIT_STORM_DEATHS)
		return 0;
	oldest = p->deaths[p->ndeaths % INIT_STORM_DEATHS]; /* the one after: the oldest kept */
	return now - oldest < INIT_STORM_NS;
}

static void supervisor_driver_died(unsigned i)
{
	struct init_proc *p = &supervisor_drv[i];
	char why[80];
	int asked;

	if (p->proc == KEEL_MSG_NO_HANDLE)
		return; /* a stale bit */
	supervisor_reap(p, why, sizeof(why));
	supervisor_pci_disable(p);
	asked = p->killer != 0;
	p->killer = 0;
	if (p->state == INIT_STOPPING) {
		keel_printf("driver %s stopped: %s\n", p->conf->name, why);
		p->state = INIT_GIVEN_UP;
		return;
	}
	p->state = INIT_DOWN; /* look-ups: -KEEL_EAGAIN until it is back */
	if (!asked && supervisor_storm(p)) {
		keel_printf("driver %s given up: died %u times within %llu ms (last: %s)\n",
			    p->conf->name, INIT_STORM_DEATHS,
			    (unsigned long long)(INIT_STORM_NS / 1000000), why);
		p->state = INIT_GIVEN_UP;
		return;
	}
	p->restarts++;
	supervisor_start_driver(i, "restarted", why);
}

static void supervisor_exits_seen(uint64_t bits)
{
	char why[80];

	for (unsigned i = 0; i < supervisor_conf.ndrivers; i++)
		if (bits & (1ull << i))
			supervisor_driver_died(i);
	for (unsigned j = 0; j < supervisor_conf.napps; j++) {
		struct init_proc *p = &supervisor_app[j];

		if (!(bits & (1ull << (INIT_APP_BIT0 + j))) || p->proc == KEEL_MSG_NO_HANDLE)
			continue;
		p->status = supervisor_reap(p, why, sizeof(why));
		p->state = INIT_GIVEN_UP; /* apps run once */
		keel_printf("app %s: %s\n", p->conf->name, why);
	}
}

/* ---- The name service ---- */

/* The name in w1..w2: its length (1..KEEL_NAME_MAX), or -1 when malformed. */
static int supervisor_name(const struct keel_msg *m, char out[KEEL_NAME_MAX + 1])
{
	int n = -1;

	for (int k = 0; k < KEEL_NAME_MAX; k++) {
		char ch = (char)(m->word[1 + k / 8] >> (8 * (k % 8)));

		out[k] = ch;
		if (ch == '\0' && n < 0)
			n = k;
		else if (ch != '\0' && n >= 0)
			return -1; /* bytes after the end */
	}
	out[KEEL_NAME_MAX] = '\0';
	if (n < 0)
		n = KEEL_NAME_MAX;
	return n == 0 ? -1 : n;
}

static struct init_proc *supervisor_find_driver(const char *name, int n)
{
	const struct initconf_entry *e = initconf_driver(&supervisor_conf, name, (size_t)n);

	return e ? &supervisor_drv[e - supervisor_conf.driver] : NULL;
}

static int supervisor_is_admin(uint64_t badge)
{
	for (unsigned j = 0; j < supervisor_conf.napps; j++)
		if (supervisor_app[j].state == INIT_UP && supervisor_app[j].id == badge)
			return supervisor_app[j].conf->admin;
	return 0;
}

/*
 * Whether badge may look up a `restricted` driver (conf.h): an admin app, or
 * a pci= driver (it asks "pci" for its function's BARs and MSI-X).
 */
static int supervisor_is_trusted(uint64_t badge)
{
	for (unsigned i = 0; i < supervisor_conf.ndrivers; i++) {
		const struct initconf_entry *e = supervisor_drv[i].conf;

		if (supervisor_drv[i].state == INIT_UP && supervisor_drv[i].id == badge)
			return e->ndev == 1 && e->dev[0].type == INITCONF_DEV_PCI;
	}
	return supervisor_is_admin(badge);
}

/* KEEL_NAME_LIST: entry w1 (drivers, then apps) into m's words. */
static void supervisor_list(struct keel_msg *m)
{
	static const uint8_t state[] = {
	    [INIT_DOWN] = KEEL_NAME_STATE_DOWN,
	    [INIT_UP] = KEEL_NAME_STATE_UP,
	    [INIT_STOPPING] = KEEL_NAME_STATE_STOPPED,
	    [INIT_GIVEN_UP] = KEEL_NAME_STATE_STOPPED,
	};
	uint64_t i = m->word[1], nd = supervisor_conf.ndrivers;
	const struct init_proc *p;
	unsigned kind;

	m->word[1] = m->word[2] = m->word[3] = 0;
	if (i < nd) {
		p = &supervisor_drv[i], kind = KEEL_NAME_KIND_DRIVER;
	} else if (i - nd < supervisor_conf.napps) {
		p = &supervisor_app[i - nd], kind = KEEL_NAME_KIND_APP;
	} else {
		m->word[0] = (uint64_t)-KEEL_ENOENT;
		return;
	}
	/* The name is NUL-terminated within KEEL_NAME_MAX + 1 bytes: the words take 16. */
	memcpy(&m->word[1], p->conf->name, strlen(p->conf->name));
	m->word[3] = KEEL_NAME_ENTRY(p->proc == KEEL_MSG_NO_HANDLE ? 0 : p->id, kind,
				     state[p->state], p->restarts > 0xffff ? 0xffff : p->restarts);
	m->word[0] = 0;
}

/* Answer one request (from badge) in m; the reply goes back in m. */
static void supervisor_request(uint64_t badge, struct keel_msg *m)
{
	char name[KEEL_NAME_MAX + 1];
	struct init_proc *d = NULL;
	uint64_t op = m->word[0];
	int n = -1;
	int64_t r;

	if (m->handle != KEEL_MSG_NO_HANDLE)
		keel_handle_close(m->handle); /* nothing here takes a handle */
	m->handle = KEEL_MSG_NO_HANDLE;
	m->data_len = 0;
	if (op == KEEL_NAME_LIST) {
		supervisor_list(m);
		return;
	}
	if (op == KEEL_NAME_REBOOT) {
		m->word[1] = m->word[2] = m->word[3] = 0;
		m->word[0] = supervisor_is_admin(badge)
				 ? (uint64_t)init_reboot(supervisor_sb->handle[KEEL_START_RESOURCE])
				 : (uint64_t)-KEEL_EPERM;
		return;
	}
	if (op == KEEL_NAME_LOOKUP || op == KEEL_NAME_KILL) {
		n = supervisor_name(m, name);
		d = n > 0 ? supervisor_find_driver(name, n) : NULL;
	}
	m->word[1] = m->word[2] = m->word[3] = 0;
	if (op != KEEL_NAME_LOOKUP && op != KEEL_NAME_KILL) {
		m->word[0] = (uint64_t)-KEEL_EINVAL;
	} else if (n < 0) {
		m->word[0] = (uint64_t)-KEEL_EINVAL;
	} else if (op == KEEL_NAME_KILL && !supervisor_is_admin(badge)) {
		m->word[0] = (uint64_t)-KEEL_EPERM;
	} else if (!d) {
		m->word[0] = (uint64_t)-KEEL_ENOENT;
	} else if (op == KEEL_NAME_LOOKUP && d->conf->restricted && !supervisor_is_trusted(badge)) {
		m->word[0] = (uint64_t)-KEEL_EPERM;
	} else if (op == KEEL_NAME_KILL) {
		if (d->state != INIT_UP) {
			m->word[0] = (uint64_t)-KEEL_ENOENT;
			return;
		}
		/* Said in the restart's line (one line per restart: the log is slow). */
		r = keel_signal(d->proc, INIT_KILL_STATUS);
		/*
		 * Down from now on, not when its exit bit comes: a client that
		 * looks it up again right away (on another CPU, before this loop
		 * saw the death) must wait for the replacement, not get the
		 * dying driver's endpoint.
		 */
		if (r == 0)
			d->killer = badge, d->state = INIT_DOWN;
		m->word[0] = (uint64_t)r;
	} else if (d->state == INIT_DOWN) {
		m->word[0] = (uint64_t)-KEEL_EAGAIN;
	} else if (d->state != INIT_UP) {
		m->word[0] = (uint64_t)-KEEL_ECLOSED; /* given up, or stopping */
	} else {
		r = keel_handle_dup(d->service, KEEL_RIGHT_WRITE | KEEL_RIGHT_TRANSFER);
		m->word[0] = r < 0 ? (uint64_t)r : 0;
		m->handle = r < 0 ? KEEL_MSG_NO_HANDLE : (uint64_t)r;
	}
}

/* ---- Setup and the loop ---- */

static int supervisor_read_conf(const char *path)
{
	const void *text;
	size_t size;
	int64_t r;

	supervisor_path = path;
	r = keel_ramdisk_file(supervisor_sb->handle[KEEL_START_RAMDISK],
			      supervisor_sb->ramdisk_size, path, &text, &size);
	if (r == 0 && size > INIT_CONF_MAX)
		r = -KEEL_E2BIG;
	if (r != 0) {
		keel_printf("%s: %s\n", path, keel_strerror(r));
		return -1;
	}
	initconf_parse(&supervisor_conf, text, size, supervisor_conf_error, NULL);
	return 0;
}

static int supervisor_setup(void)
{
	int64_t ep = keel_object_create(KEEL_OBJ_ENDPOINT, 0), n;

	if (ep < 0)
		return -1;
	supervisor_names = (uint64_t)ep;
	n = keel_object_create(KEEL_OBJ_NOTIFICATION, supervisor_names); /* bound to it */
	if (n < 0)
		return -1;
	supervisor_exits = (uint64_t)n;
	return 0;
}

/* Test mode: every app ended (or never started)? */
static int supervisor_apps_done(void)
{
	for (unsigned j = 0; j < supervisor_conf.napps; j++)
		if (supervisor_app[j].state == INIT_UP)
			return 0;
	return 1;
}

/* Test mode: stop every driver (kill it, and close its service); 1 when none is left. */
static int supervisor_stop_drivers(void)
{
	int left = 0;

	/* DMA off while the pci driver can still be asked (it is stopped with the rest). */
	for (unsigned i = 0; i < supervisor_conf.ndrivers; i++)
		if (supervisor_drv[i].proc != KEEL_MSG_NO_HANDLE)
			supervisor_pci_disable(&supervisor_drv[i]);
	for (unsigned i = 0; i < supervisor_conf.ndrivers; i++) {
		struct init_proc *p = &supervisor_drv[i];

		if (p->proc == KEEL_MSG_NO_HANDLE)
			continue;
		left = 1;
		if (p->state == INIT_STOPPING)
			continue;
		p->state = INIT_STOPPING;
		keel_signal(p->proc, INIT_KILL_STATUS);
		if (p->service !=
		    KEEL_MSG_NO_HANDLE) /* a driver whose recv sees ECLOSED ends too */
			keel_handle_close(p->service);
		p->service = KEEL_MSG_NO_HANDLE;
	}
	return !left;
}

/* Test mode's verdict: 0, or the first failed app's status. */
static int64_t supervisor_verdict(void)
{
	for (unsigned j = 0; j < supervisor_conf.napps; j++)
		if (supervisor_app[j].status != 0)
			return supervisor_app[j].status;
	return 0;
}

/* One line once everything has been started (scripts/test's gpt-image waits for it). */
static void supervisor_say_running(void)
{
	unsigned up = 0, apps = 0;

	for (unsigned i = 0; i < supervisor_conf.ndrivers; i++)
		up += supervisor_drv[i].state == INIT_UP;
	for (unsigned j = 0; j < supervisor_conf.napps; j++)
		apps += supervisor_app[j].proc != KEEL_MSG_NO_HANDLE;
	keel_printf("%s: running (%u of %u drivers up, %u of %u apps started)\n", supervisor_path,
		    up, supervisor_conf.ndrivers, apps, supervisor_conf.napps);
}

int supervisor_run(const struct keel_start *sb, const char *path, int once, uint64_t driver_flags)
{
	struct keel_msg m;
	int64_t badge, final;

	supervisor_sb = sb;
	supervisor_once = once;
	supervisor_flags = driver_flags;
	if (supervisor_read_conf(path) != 0 && once)
		return 1;
	if (supervisor_setup() != 0) {
		keel_printf("cannot set up the name service\n");
		return 1;
	}
	for (unsigned i = 0; i < supervisor_conf.ndrivers; i++) {
		supervisor_drv[i] = (struct init_proc){.conf = &supervisor_conf.driver[i],
						       .state = INIT_DOWN,
						       .proc = KEEL_MSG_NO_HANDLE,
						       .service = KEEL_MSG_NO_HANDLE,
						       .pci = KEEL_DRIVER_ARG_PCI_NONE,
						       .dma = KEEL_MSG_NO_HANDLE};
		supervisor_start_driver(i, "started", NULL);
	}
	for (unsigned j = 0; j < supervisor_conf.napps; j++) {
		supervisor_app[j] = (struct init_proc){.conf = &supervisor_conf.app[j],
						       .state = INIT_DOWN,
						       .proc = KEEL_MSG_NO_HANDLE,
						       .service = KEEL_MSG_NO_HANDLE};
		supervisor_start_app(j);
	}
	supervisor_say_running();
	for (;;) {
		if (supervisor_once && supervisor_apps_done() && supervisor_stop_drivers())
			break;
		m.handle = KEEL_MSG_NO_HANDLE;
		m.data_len = 0;
		badge = keel_recv(supervisor_names, &m);
		if (badge < 0) {
			keel_printf("recv on the name endpoint: %s\n", keel_strerror(badge));
			return 1;
		}
		if ((uint64_t)badge == KEEL_BADGE_NOTIFY) {
			supervisor_exits_seen(m.word[0]);
			continue;
		}
		supervisor_request((uint64_t)badge, &m);
		keel_reply_recv(KEEL_HANDLE_SELF, &m, &m);
	}
	final = supervisor_verdict();
	/* Every program it started has ended: make bench runs another configuration after. */
	keel_handle_close(supervisor_exits);
	keel_handle_close(supervisor_names);
	keel_printf("%s done: status %lld\n", path, (long long) final);
	return (int) final;
}
