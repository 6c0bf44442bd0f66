/*
 * reach.c - see reach.h.
 */
#include "smtpprobe/reach.h"

#include "smtpprobe/net.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const result_names[] = {
    [CHECK_PENDING] = "pending", [CHECK_CONNECTED] = "connected",
    [CHECK_REFUSED] = "refused", [CHECK_TIMEOUT] = "timeout",
    [CHECK_ERROR] = "error",
};

const char *check_result_name(enum check_result r)
{
	return (unsigned)r <= CHECK_ERROR ? result_names[r] : "?";
}

struct reach {
	struct run_record *rec;
	long timeout_ms;
	int fds[CONNECT_CHECKS_CAP]; /* -1 once the check has its result */
};

/* Did the probe's connect go out on the wire? A DANE sender defers some
 * hosts without connecting, and a connect that fails at once for want of
 * a route, a source address or the address family (IPv6 on an IPv4-only
 * host) says nothing about port 25 either. */
static int went_out(const struct probe *p)
{
	enum local_error e = p->nsteps > 0 ? p->steps[0].error : LE_NONE;

	return p->nsteps > 0 && e != LE_DNS_TLSA_LOOKUP &&
	       e != LE_CONN_UNREACHABLE && e != LE_CONN_NO_SOURCE_ADDRESS &&
	       e != LE_CONN_FAMILY_UNSUPPORTED;
}

int reach_port25_silent(const struct run_record *rec)
{
	size_t tried = 0;

	for (size_t i = 0; i < rec->nprobes; i++) {
		const struct probe *p = &rec->probes[i];

		if (p->port != PORT_MX || !went_out(p))
			continue;
		if (p->connect_ms >= 0 || p->outcome != OUTCOME_TIMEOUT)
			return 0;
		tried++;
	}
	return tried > 0;
}

int reach_wanted(const struct run_record *rec)
{
	const struct config *cfg = rec->cfg;

	return cfg && cfg->nports == 1 && cfg->ports[0] == PORT_MX &&
	       reach_port25_silent(rec);
}

int reach_answered(const struct run_record *rec, int *port)
{
	/* A connection says most; a refusal (RST) still proves the host is
	 * up and reachable from here. */
	for (int want = CHECK_CONNECTED; want <= CHECK_REFUSED; want++)
		for (size_t i = 0; i < rec->nchecks; i++)
			if ((int)rec->checks[i].result == want) {
				*port = rec->checks[i].port;
				return 1;
			}
	return 0;
}

static void finish(struct reach *r, size_t i, enum check_result res, int err,
		   long now)
{
	struct connect_check *c = &r->rec->checks[i];

	if (r->fds[i] >= 0) {
		close(r->fds[i]);
		r->fds[i] = -1;
	}
	if (c->result != CHECK_PENDING)
		return;
	c->result = res;
	c->err = err;
	if (res == CHECK_CONNECTED)
		c->connect_ms = now - c->at_ms;
	if (res == CHECK_CONNECTED)
		record_note(r->rec, now, -1, 0,
			    "[%s]:%d connected in %ld ms (connect only: "
			    "closed without a byte of SMTP)",
			    c->address, c->port, c->connect_ms);
	else if (res == CHECK_TIMEOUT)
		record_note(r->rec, now, -1, 0,
			    "[%s]:%d did not answer within %ld s", c->address,
			    c->port, r->timeout_ms / 1000);
	else
		record_note(r->rec, now, -1, 0, "[%s]:%d: %s", c->address,
			    c->port, strerror(err));
}

static void failed(struct reach *r, size_t i, int err, long now)
{
	finish(r, i, err == ECONNREFUSED ? CHECK_REFUSED : CHECK_ERROR, err,
	       now);
}

/* Is this address already among the checks? */
static int have_address(const struct run_record *rec, const char *a)
{
	for (size_t i = 0; i < rec->nchecks; i++)
		if (strcmp(rec->checks[i].address, a) == 0)
			return 1;
	return 0;
}

struct reach *reach_start(struct run_record *rec, long now, long timeout_ms)
{
	static const int ports[] = {REACH_PORT_SUBMISSION,
				    REACH_PORT_SUBMISSIONS};
	struct reach *r = calloc(1, sizeof *r);
	size_t naddr = 0;

	if (!r)
		return NULL;
	r->rec = rec;
	r->timeout_ms = timeout_ms;
	for (size_t i = 0; i < CONNECT_CHECKS_CAP; i++)
		r->fds[i] = -1;
	rec->nchecks = 0;
	for (size_t i = 0; i < rec->nprobes; i++) {
		const struct probe *p = &rec->probes[i];

		if (p->port != PORT_MX || p->connect_ms >= 0 ||
		    have_address(rec, p->address))
			continue;
		if (naddr++ == CONNECT_CHECK_ADDRS_CAP)
			break;
		for (size_t k = 0; k < sizeof ports / sizeof ports[0]; k++) {
			struct connect_check *c = &rec->checks[rec->nchecks++];
			memset(c, 0, sizeof *c);
			memcpy(c->address, p->address, sizeof c->address);
			c->family = p->family;
			c->port = ports[k];
			c->result = CHECK_PENDING;
			c->at_ms = now;
			c->connect_ms = -1;
		}
	}
	for (size_t i = 0; i < rec->nchecks; i++) {
		struct connect_check *c = &rec->checks[i];
		struct sockaddr_storage ss;
		socklen_t sl;
		int done;

		if (!net_sockaddr(c->address, c->family, c->port, &ss, &sl)) {
			finish(r, i, CHECK_ERROR, EAFNOSUPPORT, now);
			continue;
		}
		r->fds[i] = net_connect(&ss, sl, &done);
		if (r->fds[i] < 0)
			failed(r, i, errno, now);
		else if (done)
			finish(r, i, CHECK_CONNECTED, 0, now);
		record_note(rec, now, -1, 0,
			    "connect only (no SMTP) to [%s]:%d: is port 25 "
			    "blocked on this side?",
			    c->address, c->port);
	}
	return r;
}

int reach_pollfds(const struct reach *r, struct pollfd *pfds, int cap)
{
	int n = 0;

	for (size_t i = 0; r && i < r->rec->nchecks && n < cap; i++) {
		if (r->fds[i] < 0)
			continue;
		pfds[n].fd = r->fds[i];
		pfds[n].events = POLLOUT;
		pfds[n++].revents = 0;
	}
	return n;
}

void reach_process(struct reach *r, const struct pollfd *pfds, int n, long now)
{
	for (int k = 0; r && k < n; k++) {
		if (!pfds[k].revents)
			continue;
		for (size_t i = 0; i < r->rec->nchecks; i++) {
			if (r->fds[i] != pfds[k].fd)
				continue;
			int err = net_connect_error(r->fds[i]);
			if (err)
				failed(r, i, err, now);
			else
				finish(r, i, CHECK_CONNECTED, 0, now);
			break;
		}
	}
}

long reach_timeout_ms(const struct reach *r, long now)
{
	long t = -1;

	for (size_t i = 0; r && i < r->rec->nchecks; i++) {
		if (r->fds[i] < 0)
			continue;
		long left = r->rec->checks[i].at_ms + r->timeout_ms - now;
		if (left < 0)
			left = 0;
		if (t < 0 || left < t)
			t = left;
	}
	return t;
}

int reach_done(struct reach *r, long now)
{
	int done = 1;

	for (size_t i = 0; r && i < r->rec->nchecks; i++) {
		if (r->fds[i] < 0)
			continue;
		if (now - r->rec->checks[i].at_ms >= r->timeout_ms)
			finish(r, i, CHECK_TIMEOUT, 0, now);
		else
			done = 0;
	}
	return done;
}

void reach_free(struct reach *r, long now)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->rec->nchecks; i++)
		if (r->fds[i] >= 0)
			finish(r, i, CHECK_TIMEOUT, 0, now);
	free(r);
}
