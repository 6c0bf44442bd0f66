/*
 * dnspool.c - see dnspool.h. One hash table holds both the questions on
 * their way (with their waiters) and the answers in (oldest first on an
 * age list, for eviction). Eviction runs only at the end of
 * dns_pool_process, never inside a callback, so an answer being handed
 * to its waiters cannot be freed under them.
 */
#include "smtpprobe/dnspool.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "smtpprobe/dns_raw.h"
#include "smtpprobe/record.h"

struct waiter {
	const void *owner;
	ares_callback cb;
	void *arg;
	struct waiter *next;
};

enum entry_state { E_PENDING, E_DONE };

struct entry {
	struct dns_pool *pool;
	struct entry *hnext;	   /* hash chain */
	struct entry *prev, *next; /* pending list, or the age list */
	char *name;		   /* normalised */
	int type;
	enum entry_state state;
	int status, timeouts;
	unsigned char *abuf;
	int alen;
	long born;		/* mono_s() when it came */
	struct waiter *waiters; /* while pending, in arrival order */
	size_t bytes;		/* what it counts against max_bytes */
};

/* An answer from the cache (or a cancelled wait) due to one waiter. */
struct delivery {
	struct waiter w;
	int status, timeouts;
	unsigned char *abuf;
	int alen;
	struct delivery *next;
};

struct dns_pool {
	ares_channel ch;
	struct {
		ares_socket_t fd;
		int read, write;
	} socks[DNS_SOCKETS_CAP];
	int nsocks;
	char servers[256];
	struct entry **buckets;
	size_t nbuckets;
	struct entry *pending;	       /* questions on their way */
	struct entry *oldest, *newest; /* answers in, by age */
	size_t entries, bytes, max_entries, max_bytes;
	struct delivery *due, *due_tail;
	struct dns_pool_stats stats;
};

/* ---- the table ---- */

static uint32_t key_hash(const char *name, int type)
{
	uint32_t h = 2166136261u;

	for (const unsigned char *s = (const unsigned char *)name; *s; s++)
		h = (h ^ *s) * 16777619u;
	return (h ^ (uint32_t)type) * 16777619u;
}

/* Lower case, no final dot (the root stays "."); NULL when too long. */
static int normalise(const char *in, char *out, size_t outsz)
{
	size_t n = strlen(in);

	if (n > 1 && in[n - 1] == '.')
		n--;
	if (n + 1 > outsz)
		return -1;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[n] = '\0';
	return 0;
}

static struct entry **slot(struct dns_pool *p, const char *name, int type)
{
	return &p->buckets[key_hash(name, type) & (p->nbuckets - 1)];
}

static struct entry *find(struct dns_pool *p, const char *name, int type)
{
	for (struct entry *e = *slot(p, name, type); e; e = e->hnext)
		if (e->type == type && strcmp(e->name, name) == 0)
			return e;
	return NULL;
}

static void unhash(struct dns_pool *p, struct entry *e)
{
	struct entry **pp = slot(p, e->name, e->type);

	while (*pp && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = e->hnext;
}

static void unlink_pending(struct dns_pool *p, struct entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		p->pending = e->next;
	if (e->next)
		e->next->prev = e->prev;
	e->prev = e->next = NULL;
}

static void unlink_age(struct dns_pool *p, struct entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		p->oldest = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		p->newest = e->prev;
	e->prev = e->next = NULL;
}

static void entry_free(struct entry *e)
{
	free(e->name);
	free(e->abuf);
	free(e);
}

/* Past either bound, the oldest answers go. */
static void evict(struct dns_pool *p)
{
	while (p->oldest &&
	       (p->entries > p->max_entries || p->bytes > p->max_bytes)) {
		struct entry *e = p->oldest;

		unlink_age(p, e);
		unhash(p, e);
		p->entries--;
		p->bytes -= e->bytes;
		p->stats.evicted++;
		entry_free(e);
	}
}

/* ---- deliveries ---- */

static void enqueue(struct dns_pool *p, const struct waiter *w, int status,
		    int timeouts, const unsigned char *abuf, int alen)
{
	struct delivery *d = calloc(1, sizeof *d);

	if (d && abuf && alen > 0) {
		d->abuf = malloc((size_t)alen);
		if (!d->abuf) {
			free(d);
			d = NULL;
		} else {
			memcpy(d->abuf, abuf, (size_t)alen);
			d->alen = alen;
		}
	}
	if (!d) { /* no memory for the copy: the waiter still hears */
		w->cb(w->arg, ARES_ENOMEM, 0, NULL, 0);
		return;
	}
	d->w = *w;
	d->w.next = NULL;
	d->status = status;
	d->timeouts = timeouts;
	if (p->due_tail)
		p->due_tail->next = d;
	else
		p->due = d;
	p->due_tail = d;
}

static void deliver(struct delivery *d)
{
	d->w.cb(d->w.arg, d->status, d->timeouts, d->abuf, d->alen);
	free(d->abuf);
	free(d);
}

/* Every delivery due, including those the callbacks queue meanwhile. */
static void deliver_due(struct dns_pool *p)
{
	while (p->due) {
		struct delivery *d = p->due;

		p->due = d->next;
		if (!p->due)
			p->due_tail = NULL;
		deliver(d);
	}
}

/* ---- c-ares ---- */

static void sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	struct dns_pool *p = data;
	int i;

	for (i = 0; i < p->nsocks; i++)
		if (p->socks[i].fd == fd)
			break;
	if (!readable && !writable) {
		if (i < p->nsocks)
			p->socks[i] = p->socks[--p->nsocks];
		return;
	}
	if (i == p->nsocks) {
		if (p->nsocks == DNS_SOCKETS_CAP)
			return; /* c-ares's own timeouts still bound it */
		p->nsocks++;
	}
	p->socks[i].fd = fd;
	p->socks[i].read = readable;
	p->socks[i].write = writable;
}

static void describe_servers(struct dns_pool *p, const struct config *cfg)
{
	struct ares_addr_port_node *servers = NULL, *n;
	char *out = p->servers;
	size_t len = 0, cap = sizeof p->servers;

	out[0] = '\0';
	if (ares_get_servers_ports(p->ch, &servers) != ARES_SUCCESS)
		return;
	for (n = servers; n && len + 1 < cap; n = n->next) {
		char ip[ADDR_STR_MAX];
		int port = n->udp_port ? n->udp_port : 53;

		inet_ntop(n->family, &n->addr, ip, sizeof ip);
		len = text_appendf(out, cap, len,
				   n->family == AF_INET6 ? "%s[%s]:%d"
							 : "%s%s:%d",
				   len ? ", " : "", ip, port);
	}
	ares_free_data(servers);
	if (!cfg->dns_servers[0] && len + 1 < cap)
		snprintf(out + len, cap - len, " (system, /etc/resolv.conf)");
}

/* Seconds of a monotonic clock: how old a kept answer is. */
static long mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec;
}

/* An answer worth keeping: c-ares finished, and the server answered
 * NOERROR or NXDOMAIN (RCODE 0 or 3, the low nibble of octet 3). */
static int keepable(int status, const unsigned char *abuf, int alen)
{
	int rcode;

	if (status == ARES_ENOTFOUND || status == ARES_ENODATA)
		return 1;
	if (status != ARES_SUCCESS || !abuf || alen < 12)
		return 0;
	rcode = abuf[3] & 0x0f;
	return rcode == 0 || rcode == 3;
}

/* A question's answer: kept (unless the channel is going away, or it is
 * no answer), then handed to every waiter. */
static void flight_cb(void *arg, int status, int timeouts, unsigned char *abuf,
		      int alen)
{
	struct entry *e = arg;
	struct dns_pool *p = e->pool;
	struct waiter *w = e->waiters;

	unlink_pending(p, e);
	e->waiters = NULL;
	if (status == ARES_EDESTRUCTION || status == ARES_ECANCELLED) {
		unhash(p, e);
		while (w) {
			struct waiter *next = w->next;
			w->cb(w->arg, status, timeouts, NULL, 0);
			free(w);
			w = next;
		}
		entry_free(e);
		return;
	}
	/* Only answers are kept: a timeout, an unreachable or refusing
	 * server, a SERVFAIL may be gone at the next asking. */
	if (!keepable(status, abuf, alen)) {
		unhash(p, e);
		while (w) {
			struct waiter *next = w->next;
			w->cb(w->arg, status, timeouts, abuf, alen);
			free(w);
			w = next;
		}
		entry_free(e);
		return;
	}
	e->state = E_DONE;
	e->born = mono_s();
	e->status = status;
	e->timeouts = timeouts;
	if (abuf && alen > 0) {
		e->abuf = malloc((size_t)alen);
		if (e->abuf) {
			memcpy(e->abuf, abuf, (size_t)alen);
			e->alen = alen;
		}
	}
	e->bytes = sizeof *e + strlen(e->name) + 1 + (size_t)e->alen;
	e->prev = p->newest;
	if (p->newest)
		p->newest->next = e;
	else
		p->oldest = e;
	p->newest = e;
	p->entries++;
	p->bytes += e->bytes;
	/* The waiters hear c-ares's own buffer: it outlives the calls. */
	while (w) {
		struct waiter *next = w->next;
		w->cb(w->arg, status, timeouts, abuf, alen);
		free(w);
		w = next;
	}
}

struct dns_pool *dns_pool_new(const struct config *cfg, size_t max_entries,
			      size_t max_bytes, char *err, size_t errlen)
{
	struct dns_pool *p = calloc(1, sizeof *p);
	struct ares_options o;
	int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_FLAGS |
		   ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_EDNSPSZ;
	int st;

	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->max_entries = max_entries ? max_entries : 1;
	p->max_bytes = max_bytes;
	p->nbuckets = 64;
	while (p->nbuckets < 2 * p->max_entries && p->nbuckets < (1u << 20))
		p->nbuckets *= 2;
	p->buckets = calloc(p->nbuckets, sizeof *p->buckets);
	if (!p->buckets) {
		free(p);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	memset(&o, 0, sizeof o);
	o.sock_state_cb = sock_state;
	o.sock_state_cb_data = p;
	/* NOCHECKRESP: hand SERVFAIL and REFUSED answers to the callback
	 * instead of reporting "could not contact DNS servers", so they are
	 * told apart (the cost: no move to the next server on SERVFAIL). */
	o.flags =
	    ARES_FLAG_NOALIASES | ARES_FLAG_NOSEARCH | ARES_FLAG_NOCHECKRESP;
	/* EDNS0 (RFC 6891): signed answers are larger than 512 bytes; and
	 * should a resolver answer FORMERR to it, c-ares asks again
	 * without the OPT record. */
	o.flags |= ARES_FLAG_EDNS;
	o.ednspsz = DNS_EDNS_SIZE;
	/* Two tries; c-ares doubles the second, so the total per query is
	 * about the step's timeout. */
	o.timeout = cfg->timeout_s * 1000 / 3;
	if (o.timeout < 100)
		o.timeout = 100;
	o.tries = 2;
	st = ares_init_options(&p->ch, &o, mask);
	if (st != ARES_SUCCESS) {
		snprintf(err, errlen, "cannot start the resolver: %s",
			 ares_strerror(st));
		free(p->buckets);
		free(p);
		return NULL;
	}
	if (cfg->dns_servers[0]) {
		st = ares_set_servers_ports_csv(p->ch, cfg->dns_servers);
		if (st != ARES_SUCCESS) {
			snprintf(err, errlen, "bad --dns-server: %s",
				 ares_strerror(st));
			ares_destroy(p->ch);
			free(p->buckets);
			free(p);
			return NULL;
		}
	}
	describe_servers(p, cfg);
	return p;
}

void dns_pool_free(struct dns_pool *p)
{
	if (!p)
		return;
	/* Pending questions: their waiters hear ARES_EDESTRUCTION. */
	ares_destroy(p->ch);
	while (p->due) {
		struct delivery *d = p->due;
		p->due = d->next;
		d->w.cb(d->w.arg, ARES_EDESTRUCTION, 0, NULL, 0);
		free(d->abuf);
		free(d);
	}
	for (size_t b = 0; b < p->nbuckets; b++) {
		struct entry *e = p->buckets[b];
		while (e) {
			struct entry *next = e->hnext;
			entry_free(e);
			e = next;
		}
	}
	free(p->buckets);
	free(p);
}

const char *dns_pool_servers(const struct dns_pool *p)
{
	return p->servers;
}

void dns_pool_send(struct dns_pool *p, const void *owner, const char *name,
		   int type, ares_callback cb, void *arg)
{
	char key[DNS_NAME_MAX + 2];
	struct waiter w = {owner, cb, arg, NULL};
	unsigned char *q = NULL;
	int qlen = 0, st;
	struct entry *e;

	if (normalise(name, key, sizeof key) < 0) {
		cb(arg, ARES_EBADNAME, 0, NULL, 0);
		return;
	}
	e = find(p, key, type);
	if (e && e->state == E_DONE &&
	    mono_s() - e->born > DNS_CACHE_MAX_AGE_S) {
		/* Too old to trust for a long batch: asked again. */
		unlink_age(p, e);
		unhash(p, e);
		p->entries--;
		p->bytes -= e->bytes;
		entry_free(e);
		e = NULL;
	}
	if (e && e->state == E_DONE) {
		p->stats.cache_hits++;
		enqueue(p, &w, e->status, e->timeouts, e->abuf, e->alen);
		return;
	}
	struct waiter *nw = malloc(sizeof *nw);
	if (!nw) {
		cb(arg, ARES_ENOMEM, 0, NULL, 0);
		return;
	}
	*nw = w;
	if (e) { /* on its way: wait with the others, in order */
		struct waiter **pp = &e->waiters;
		while (*pp)
			pp = &(*pp)->next;
		*pp = nw;
		p->stats.joined++;
		return;
	}
	st = ares_create_query(key, C_IN, type, 0, 1, &q, &qlen, DNS_EDNS_SIZE);
	e = st == ARES_SUCCESS ? calloc(1, sizeof *e) : NULL;
	if (e)
		e->name = strdup(key);
	if (!e || !e->name) {
		if (e)
			entry_free(e);
		if (q)
			ares_free_string(q);
		free(nw);
		cb(arg, st == ARES_SUCCESS ? ARES_ENOMEM : st, 0, NULL, 0);
		return;
	}
	e->pool = p;
	e->type = type;
	e->state = E_PENDING;
	e->waiters = nw;
	e->hnext = *slot(p, key, type);
	*slot(p, key, type) = e;
	e->next = p->pending;
	if (p->pending)
		p->pending->prev = e;
	p->pending = e;
	dns_query_want_dnssec(q, (size_t)qlen);
	p->stats.sent++;
	/* c-ares may answer at once (no server, no memory): flight_cb
	 * then runs inside this call, as it would for ares_query. */
	ares_send(p->ch, q, qlen, flight_cb, e);
	ares_free_string(q);
}

void dns_pool_cancel(struct dns_pool *p, const void *owner)
{
	struct waiter *gone = NULL, **tail = &gone;

	/* Answers already in: taken out of the queue first (with its tail
	 * right), then delivered in order; what their callbacks queue for
	 * this owner is taken on the next round. */
	for (int round = 0; round < 8; round++) {
		struct delivery *mine = NULL, **mt = &mine;
		struct delivery **dp = &p->due;

		p->due_tail = NULL;
		while (*dp) {
			struct delivery *d = *dp;
			if (d->w.owner != owner) {
				p->due_tail = d;
				dp = &d->next;
				continue;
			}
			*dp = d->next;
			d->next = NULL;
			*mt = d;
			mt = &d->next;
		}
		if (!mine)
			break;
		while (mine) {
			struct delivery *d = mine;
			mine = d->next;
			deliver(d);
		}
	}
	/* Questions on their way: the owner's waiters leave them. */
	for (struct entry *e = p->pending; e; e = e->next) {
		for (struct waiter **wp = &e->waiters; *wp;) {
			struct waiter *w = *wp;
			if (w->owner != owner) {
				wp = &w->next;
				continue;
			}
			*wp = w->next;
			w->next = NULL;
			*tail = w;
			tail = &w->next;
		}
	}
	while (gone) {
		struct waiter *next = gone->next;
		gone->cb(gone->arg, ARES_ECANCELLED, 0, NULL, 0);
		free(gone);
		gone = next;
	}
}

int dns_pool_pollfds(struct dns_pool *p, struct pollfd *pfds, int max)
{
	int n = 0;

	for (int i = 0; i < p->nsocks && n < max; i++, n++) {
		pfds[n].fd = p->socks[i].fd;
		pfds[n].events = (short)((p->socks[i].read ? POLLIN : 0) |
					 (p->socks[i].write ? POLLOUT : 0));
		pfds[n].revents = 0;
	}
	return n;
}

void dns_pool_process(struct dns_pool *p, const struct pollfd *pfds, int n)
{
	int any = 0;

	for (int i = 0; i < n; i++) {
		ares_socket_t rfd = ARES_SOCKET_BAD, wfd = ARES_SOCKET_BAD;

		if (pfds[i].revents & (POLLIN | POLLERR | POLLHUP))
			rfd = pfds[i].fd;
		if (pfds[i].revents & POLLOUT)
			wfd = pfds[i].fd;
		if (rfd != ARES_SOCKET_BAD || wfd != ARES_SOCKET_BAD) {
			ares_process_fd(p->ch, rfd, wfd);
			any = 1;
		}
	}
	if (!any && p->pending) /* let c-ares run its timers */
		ares_process_fd(p->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	deliver_due(p);
	evict(p);
}

long dns_pool_timeout_ms(struct dns_pool *p)
{
	struct timeval tv, *t;

	if (p->due)
		return 0;
	if (!p->pending)
		return -1;
	t = ares_timeout(p->ch, NULL, &tv);
	if (!t)
		return -1;
	return (long)t->tv_sec * 1000 + (t->tv_usec + 999) / 1000;
}

void dns_pool_stats(const struct dns_pool *p, struct dns_pool_stats *out)
{
	*out = p->stats;
	out->entries = p->entries;
	out->bytes = p->bytes;
}
