/*
 * resolver.c - see resolver.h.
 *
 * Outcomes as RFC 5321 5.1 has them: MX records sorted by preference (ties
 * shuffled); no MX records at all (NODATA) means the domain itself is the
 * mail host (implicit MX); NXDOMAIN, SERVFAIL and timeouts stop the run
 * with no fallback; "MX 0 ." is a null MX (RFC 7505).
 */
#include "smtpprobe/resolver.h"

#include <ares.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "smtpprobe/loop.h"
#include "smtpprobe/addr.h"
#include "smtpprobe/sanitize.h"

struct host_query {
	struct resolver *r;
	size_t host;
	int family;
};

struct resolver {
	const struct config *cfg;
	struct run_record *rec;
	ares_channel ch;
	int outstanding; /* queries not yet answered */
	struct {
		ares_socket_t fd;
		int read, write;
	} socks[DNS_SOCKETS_CAP];
	int nsocks;
	/* addresses per host and family before they are merged */
	char tmp[MX_HOSTS_CAP][2][ADDRS_PER_HOST_CAP][ADDR_STR_MAX];
	size_t ntmp[MX_HOSTS_CAP][2];
	int status[MX_HOSTS_CAP][2]; /* ares status per family */
	int pending[MX_HOSTS_CAP];   /* address answers still due */
	struct host_query queries[MX_HOSTS_CAP][2];
};

/* Append to buf (size cap, len used) and return the new length, never
 * past cap - 1: snprintf returns what it would have written, so adding
 * that up blindly walks off the end (found by fuzz_dns). */
static size_t appendf(char *buf, size_t cap, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static size_t appendf(char *buf, size_t cap, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (len + 1 >= cap)
		return len;
	va_start(ap, fmt);
	n = vsnprintf(buf + len, cap - len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return len;
	return len + (size_t)n < cap ? len + (size_t)n : cap - 1;
}

static void sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	struct resolver *r = data;
	int i;

	for (i = 0; i < r->nsocks; i++)
		if (r->socks[i].fd == fd)
			break;
	if (!readable && !writable) {
		if (i < r->nsocks)
			r->socks[i] = r->socks[--r->nsocks];
		return;
	}
	if (i == r->nsocks) {
		if (r->nsocks == DNS_SOCKETS_CAP)
			return; /* c-ares's own timeouts still bound it */
		r->nsocks++;
	}
	r->socks[i].fd = fd;
	r->socks[i].read = readable;
	r->socks[i].write = writable;
}

static void describe_servers(struct resolver *r)
{
	struct ares_addr_port_node *servers = NULL, *n;
	char *out = r->rec->resolvers;
	size_t len = 0, cap = sizeof r->rec->resolvers;

	out[0] = '\0';
	if (ares_get_servers_ports(r->ch, &servers) != ARES_SUCCESS)
		return;
	for (n = servers; n && len + 1 < cap; n = n->next) {
		char ip[ADDR_STR_MAX];
		int port = n->udp_port ? n->udp_port : 53;

		inet_ntop(n->family, &n->addr, ip, sizeof ip);
		len = appendf(out, cap, len,
			      n->family == AF_INET6 ? "%s[%s]:%d" : "%s%s:%d",
			      len ? ", " : "", ip, port);
	}
	ares_free_data(servers);
	if (!r->cfg->dns_servers[0] && len + 1 < cap)
		snprintf(out + len, cap - len, " (system, /etc/resolv.conf)");
}

struct resolver *resolver_new(const struct config *cfg, struct run_record *rec,
			      char *err, size_t errlen)
{
	struct resolver *r = calloc(1, sizeof *r);
	struct ares_options o;
	int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_FLAGS |
		   ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
	int st;

	if (!r) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->cfg = cfg;
	r->rec = rec;
	memset(&o, 0, sizeof o);
	o.sock_state_cb = sock_state;
	o.sock_state_cb_data = r;
	/* NOCHECKRESP: hand SERVFAIL and REFUSED answers to the callback
	 * instead of reporting "could not contact DNS servers", so they are
	 * told apart (the cost: no move to the next server on SERVFAIL). */
	o.flags =
	    ARES_FLAG_NOALIASES | ARES_FLAG_NOSEARCH | ARES_FLAG_NOCHECKRESP;
	/* Two tries; c-ares doubles the second, so the total per query is
	 * about the step's timeout. */
	o.timeout = cfg->timeout_s * 1000 / 3;
	if (o.timeout < 100)
		o.timeout = 100;
	o.tries = 2;
	st = ares_init_options(&r->ch, &o, mask);
	if (st != ARES_SUCCESS) {
		snprintf(err, errlen, "cannot start the resolver: %s",
			 ares_strerror(st));
		free(r);
		return NULL;
	}
	if (cfg->dns_servers[0]) {
		st = ares_set_servers_ports_csv(r->ch, cfg->dns_servers);
		if (st != ARES_SUCCESS) {
			snprintf(err, errlen, "bad --dns-server: %s",
				 ares_strerror(st));
			ares_destroy(r->ch);
			free(r);
			return NULL;
		}
	}
	describe_servers(r);
	return r;
}

void resolver_free(struct resolver *r)
{
	if (!r)
		return;
	ares_destroy(r->ch);
	free(r);
}

int resolver_done(const struct resolver *r)
{
	return r->outstanding == 0;
}

/* ---- classification ---- */

static void set_dns_failure(struct resolver *r, int status)
{
	struct dns_result *d = &r->rec->dns;

	switch (status) {
	case ARES_ENOTFOUND:
		d->status = DNS_NXDOMAIN, d->error = LE_DNS_NXDOMAIN;
		break;
	case ARES_ENODATA:
		d->status = DNS_NODATA, d->error = LE_DNS_NODATA;
		break;
	case ARES_ESERVFAIL:
		d->status = DNS_SERVFAIL, d->error = LE_DNS_SERVFAIL;
		break;
	case ARES_ETIMEOUT:
	case ARES_ECANCELLED:
	case ARES_EDESTRUCTION:
		d->status = DNS_TIMEOUT, d->error = LE_DNS_TIMEOUT;
		break;
	case ARES_EREFUSED:
		d->status = DNS_ERROR, d->error = LE_DNS_REFUSED;
		break;
	case ARES_ECONNREFUSED:
		d->status = DNS_ERROR, d->error = LE_DNS_NO_SERVER;
		break;
	case ARES_ENOTIMP:
		d->status = DNS_ERROR, d->error = LE_DNS_NOT_IMPLEMENTED;
		break;
	case ARES_EBADNAME:
		d->status = DNS_ERROR, d->error = LE_DNS_BAD_NAME;
		break;
	case ARES_EFILE:
	case ARES_ENOTINITIALIZED:
		d->status = DNS_ERROR, d->error = LE_DNS_CONFIG;
		break;
	case ARES_ENOMEM:
		d->status = DNS_ERROR, d->error = LE_DNS_NO_MEMORY;
		break;
	case ARES_EBADRESP:
	case ARES_EFORMERR:
		d->status = DNS_ERROR, d->error = LE_DNS_MALFORMED;
		d->flags |= DNSF_MALFORMED;
		break;
	default: d->status = DNS_ERROR, d->error = LE_DNS_ERROR; break;
	}
}

/* A parse of an answer that fails on a name (a compression pointer past
 * the end or in a loop) is a malformed answer: the name we asked for was
 * validated before it was sent. */
static int parse_status(int status)
{
	return status == ARES_EBADNAME ? ARES_EBADRESP : status;
}

static const char *status_word(int status)
{
	switch (status) {
	case ARES_SUCCESS: return "ok";
	case ARES_ENOTFOUND: return "NXDOMAIN";
	case ARES_ENODATA: return "no data";
	case ARES_ESERVFAIL: return "SERVFAIL";
	case ARES_ETIMEOUT: return "timed out";
	case ARES_ECANCELLED: return "cancelled at the run deadline";
	case ARES_EREFUSED: return "REFUSED";
	case ARES_EBADRESP: return "malformed answer";
	default: return ares_strerror(status);
	}
}

static int is_private(int family, const char *ip)
{
	unsigned char a[16];

	if (inet_pton(family, ip, a) != 1)
		return 0;
	if (family == AF_INET)
		return a[0] == 127 || a[0] == 10 || a[0] == 0 ||
		       (a[0] == 172 && (a[1] & 0xf0) == 16) ||
		       (a[0] == 192 && a[1] == 168) ||
		       (a[0] == 169 && a[1] == 254);
	static const unsigned char zero[16];
	if (memcmp(a, zero, 15) == 0 && (a[15] == 0 || a[15] == 1))
		return 1; /* :: and ::1 */
	return (a[0] & 0xfe) == 0xfc || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80);
}

/* ---- address lookups ---- */

static void host_done(struct resolver *r, size_t h)
{
	struct mail_host *mh = &r->rec->dns.hosts[h];
	size_t n = 0;
	/* Alternate the families, IPv6 first, up to the cap. */
	for (size_t i = 0; i < ADDRS_PER_HOST_CAP && n < ADDRS_PER_HOST_CAP;
	     i++) {
		for (int f = 0; f < 2 && n < ADDRS_PER_HOST_CAP; f++) {
			if (i >= r->ntmp[h][f])
				continue;
			memcpy(mh->addrs[n], r->tmp[h][f][i], ADDR_STR_MAX);
			mh->families[n] = f == 0 ? AF_INET6 : AF_INET;
			if (is_private(mh->families[n], mh->addrs[n]))
				mh->flags |= MXF_PRIVATE;
			n++;
		}
	}
	if (r->ntmp[h][0] + r->ntmp[h][1] > n)
		mh->flags |= MXF_ADDRS_CAPPED;
	mh->naddrs = n;
	if (n == 0) {
		int s6 = r->status[h][0], s4 = r->status[h][1];
		mh->flags |= MXF_NO_ADDRESS;
		if (s4 == ARES_ESERVFAIL || s6 == ARES_ESERVFAIL)
			mh->addr_error = LE_DNS_SERVFAIL;
		else if (s4 == ARES_ETIMEOUT || s6 == ARES_ETIMEOUT ||
			 s4 == ARES_ECANCELLED || s6 == ARES_ECANCELLED)
			mh->addr_error = LE_DNS_TIMEOUT;
		else
			mh->addr_error = LE_DNS_NO_ADDRESS;
	}
}

static void addr_cb(void *arg, int status, int timeouts, unsigned char *abuf,
		    int alen)
{
	struct host_query *q = arg;
	struct resolver *r = q->r;
	struct mail_host *mh = &r->rec->dns.hosts[q->host];
	int f = q->family == AF_INET6 ? 0 : 1;
	struct hostent *he = NULL;
	char list[ADDRS_PER_HOST_CAP * (ADDR_STR_MAX + 2)] = "";
	size_t len = 0;

	(void)timeouts;
	if (status == ARES_SUCCESS) {
		if (q->family == AF_INET)
			status =
			    ares_parse_a_reply(abuf, alen, &he, NULL, NULL);
		else
			status =
			    ares_parse_aaaa_reply(abuf, alen, &he, NULL, NULL);
		status = parse_status(status);
	}
	if (status == ARES_SUCCESS && he) {
		for (char **a = he->h_addr_list; *a; a++) {
			if (r->ntmp[q->host][f] >= ADDRS_PER_HOST_CAP)
				break;
			char *dst = r->tmp[q->host][f][r->ntmp[q->host][f]++];
			inet_ntop(q->family, *a, dst, ADDR_STR_MAX);
			len = appendf(list, sizeof list, len, "%s%s",
				      len ? " " : "", dst);
		}
		/* The answer's canonical name differs: the exchange is an
		 * alias, which RFC 2181 10.3 forbids for MX targets. */
		if (he->h_name && strcasecmp(he->h_name, mh->name) != 0 &&
		    !(mh->flags & (MXF_FROM_SERVER | MXF_IMPLICIT)) &&
		    !mh->cname) {
			mh->flags |= MXF_CNAME;
			mh->cname =
			    sanitize_dup(he->h_name, strlen(he->h_name));
		}
		ares_free_hostent(he);
	}
	r->status[q->host][f] = status;
	record_note(r->rec, run_clock_ms(), -1, 0, "DNS %s %s: %s",
		    q->family == AF_INET ? "A" : "AAAA", mh->name,
		    status == ARES_SUCCESS ? list : status_word(status));
	r->outstanding--;
	if (--r->pending[q->host] == 0)
		host_done(r, q->host);
}

static void query_addr(struct resolver *r, size_t h, int family)
{
	struct host_query *q = &r->queries[h][family == AF_INET6 ? 0 : 1];

	q->r = r;
	q->host = h;
	q->family = family;
	r->outstanding++;
	r->pending[h]++;
	ares_query(r->ch, r->rec->dns.hosts[h].name, C_IN,
		   family == AF_INET ? T_A : T_AAAA, addr_cb, q);
}

/* An exchange written as an address: not allowed for an MX target
 * (RFC 5321 5.1), but what -s asked for. */
static void literal_host(struct resolver *r, size_t h)
{
	struct mail_host *mh = &r->rec->dns.hosts[h];
	unsigned char a[16];
	int f = inet_pton(AF_INET, mh->name, a) == 1 ? AF_INET : AF_INET6;
	enum family_pref fam = r->cfg->family;

	if (!(mh->flags & MXF_FROM_SERVER)) {
		mh->flags |= MXF_IP_LITERAL | MXF_NO_ADDRESS;
		mh->addr_error = LE_DNS_NO_ADDRESS;
		return;
	}
	if ((f == AF_INET && fam == FAMILY_V6) ||
	    (f == AF_INET6 && fam == FAMILY_V4)) {
		mh->flags |= MXF_NO_ADDRESS;
		mh->addr_error = LE_DNS_NO_ADDRESS;
		return;
	}
	snprintf(mh->addrs[0], ADDR_STR_MAX, "%s", mh->name);
	mh->families[0] = f;
	mh->naddrs = 1;
	if (is_private(f, mh->name))
		mh->flags |= MXF_PRIVATE;
}

static void lookup_host(struct resolver *r, size_t h)
{
	enum family_pref fam = r->cfg->family;

	if (addr_is_ip_literal(r->rec->dns.hosts[h].name)) {
		literal_host(r, h);
		return;
	}
	/* A guard count keeps the host open while the queries are sent:
	 * c-ares may call back at once, and must not finish it early. */
	r->pending[h] = 1;
	if (fam != FAMILY_V4)
		query_addr(r, h, AF_INET6);
	if (fam != FAMILY_V6)
		query_addr(r, h, AF_INET);
	if (--r->pending[h] == 0)
		host_done(r, h);
}

/* A host name as DNS may carry it for a mail exchange: labels of 1 to 63
 * letters, digits, '-' or '_', dot-separated, at most 253 in all. c-ares
 * writes other bytes escaped with a backslash, which fails here too. */
static int valid_hostname(const char *name)
{
	size_t len = strlen(name), label = 0;

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > DNS_NAME_MAX)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == '.') {
			if (label == 0)
				return 0;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
		if (++label > DNS_LABEL_MAX)
			return 0;
	}
	return 1;
}

static struct mail_host *add_host(struct resolver *r, const char *name,
				  int preference, unsigned flags)
{
	struct dns_result *d = &r->rec->dns;
	struct mail_host *mh;
	size_t len = strlen(name);

	if (d->nhosts >= MX_HOSTS_CAP)
		return NULL;
	mh = &d->hosts[d->nhosts++];
	memset(mh, 0, sizeof *mh);
	if (len > 0 && name[len - 1] == '.')
		len--;
	mh->name = sanitize_dup(name, len);
	mh->preference = preference;
	mh->flags = flags;
	return mh;
}

static int mx_cmp(const void *a, const void *b)
{
	const struct mail_host *x = a, *y = b;

	return (x->preference > y->preference) -
	       (x->preference < y->preference);
}

/* RFC 5321 5.1: equal preferences in random order. qsort keeps no
 * order among equals, so shuffle first, then sort by preference with
 * the shuffled position as the tie-break. */
static void sort_hosts(struct dns_result *d)
{
	for (size_t i = d->nhosts; i > 1; i--) {
		size_t j = (size_t)random() % i;
		struct mail_host t = d->hosts[i - 1];
		d->hosts[i - 1] = d->hosts[j];
		d->hosts[j] = t;
	}
	/* insertion sort: stable, and there are at most MX_HOSTS_CAP */
	for (size_t i = 1; i < d->nhosts; i++) {
		struct mail_host t = d->hosts[i];
		size_t k = i;
		while (k > 0 && mx_cmp(&d->hosts[k - 1], &t) > 0) {
			d->hosts[k] = d->hosts[k - 1];
			k--;
		}
		d->hosts[k] = t;
	}
}

static void implicit_mx(struct resolver *r)
{
	struct dns_result *d = &r->rec->dns;

	d->implicit_mx = 1;
	record_note(r->rec, run_clock_ms(), -1, 0,
		    "DNS MX %s: no MX records; the domain itself is the mail "
		    "host (implicit MX, RFC 5321 5.1)",
		    r->cfg->domain);
	if (add_host(r, r->cfg->domain, 0, MXF_IMPLICIT))
		lookup_host(r, 0);
}

static void take_mx(struct resolver *r, struct ares_mx_reply *mx)
{
	struct dns_result *d = &r->rec->dns;
	size_t nnull = 0, nbad = 0;
	char list[1024] = "";
	size_t len = 0;

	/* Keep the lowest preferences when there are more than the cap. */
	for (struct ares_mx_reply *m = mx; m; m = m->next) {
		d->mx_total++;
		if (m->host[0] == '\0' || strcmp(m->host, ".") == 0) {
			nnull++;
			continue;
		}
		if (!valid_hostname(m->host)) {
			d->flags |= DNSF_MALFORMED;
			nbad++;
			/* record_note sanitises; the name is cut to 64. */
			record_note(r->rec, run_clock_ms(), -1, 0,
				    "DNS MX %s: the exchange name \"%.64s\" is "
				    "not a valid host name; skipped",
				    r->cfg->domain, m->host);
			continue;
		}
		if (d->nhosts < MX_HOSTS_CAP) {
			add_host(r, m->host, m->priority, 0);
			continue;
		}
		d->flags |= DNSF_MX_CAPPED;
		size_t worst = 0;
		for (size_t i = 1; i < d->nhosts; i++)
			if (d->hosts[i].preference > d->hosts[worst].preference)
				worst = i;
		if (m->priority < d->hosts[worst].preference) {
			free(d->hosts[worst].name);
			d->hosts[worst].name =
			    sanitize_dup(m->host, strlen(m->host));
			d->hosts[worst].preference = m->priority;
		}
	}
	if (nnull > 0 && d->nhosts == 0) {
		d->status = DNS_NULL_MX;
		d->error = LE_DNS_NULL_MX;
		record_note(r->rec, run_clock_ms(), -1, 0,
			    "DNS MX %s: null MX (\"MX 0 .\", RFC 7505): the "
			    "domain accepts no mail",
			    r->cfg->domain);
		return;
	}
	if (d->nhosts == 0 && nbad > 0) {
		/* Records were there but none usable: a malformed answer,
		 * not "no MX" (which would mean implicit MX). */
		d->status = DNS_ERROR;
		d->error = LE_DNS_MALFORMED;
		return;
	}
	if (nnull > 0)
		d->flags |= DNSF_NULL_MX_MIXED;
	sort_hosts(d);
	for (size_t i = 0; i < d->nhosts; i++)
		len = appendf(list, sizeof list, len, "%s%d %s", i ? ", " : "",
			      d->hosts[i].preference, d->hosts[i].name);
	record_note(r->rec, run_clock_ms(), -1, 0, "DNS MX %s: %s%s%s",
		    r->cfg->domain, list,
		    d->flags & DNSF_MX_CAPPED ? " (more records than the cap "
						"were cut)"
					      : "",
		    d->flags & DNSF_NULL_MX_MIXED ? "; a null MX stands beside "
						    "other MX records"
						  : "");
	for (size_t i = 0; i < d->nhosts; i++)
		lookup_host(r, i);
}

static void mx_cb(void *arg, int status, int timeouts, unsigned char *abuf,
		  int alen)
{
	struct resolver *r = arg;
	struct ares_mx_reply *mx = NULL;

	(void)timeouts;
	r->outstanding--;
	if (status == ARES_SUCCESS)
		status = parse_status(ares_parse_mx_reply(abuf, alen, &mx));
	if (status == ARES_SUCCESS && mx) {
		take_mx(r, mx);
	} else if (status == ARES_ENODATA || (status == ARES_SUCCESS && !mx)) {
		implicit_mx(r);
	} else {
		set_dns_failure(r, status);
		record_note(r->rec, run_clock_ms(), -1, 0, "DNS MX %s: %s",
			    r->cfg->domain, status_word(status));
	}
	if (mx)
		ares_free_data(mx);
}

void resolver_start(struct resolver *r)
{
	const struct config *cfg = r->cfg;

	r->rec->dns.status = DNS_OK;
	if (cfg->server[0]) {
		struct mail_host *mh =
		    add_host(r, cfg->server, 0, MXF_FROM_SERVER);
		if (mh) {
			lookup_host(r, 0);
		}
		return;
	}
	r->outstanding++;
	ares_query(r->ch, cfg->domain, C_IN, T_MX, mx_cb, r);
}

/* After every answer is in: an implicit MX without any address means
 * "no MX and no A/AAAA": no mail host at all. */
static void resolver_finish(struct resolver *r)
{
	struct dns_result *d = &r->rec->dns;
	int any = 0;

	for (size_t i = 0; i < d->nhosts; i++)
		any |= d->hosts[i].naddrs > 0;
	if (d->status == DNS_OK && d->implicit_mx && !any) {
		d->status = DNS_NODATA;
		d->error = LE_DNS_NODATA;
	}
}

int resolver_pollfds(struct resolver *r, struct pollfd *pfds, int max)
{
	int n = 0;

	for (int i = 0; i < r->nsocks && n < max; i++, n++) {
		pfds[n].fd = r->socks[i].fd;
		pfds[n].events = (short)((r->socks[i].read ? POLLIN : 0) |
					 (r->socks[i].write ? POLLOUT : 0));
		pfds[n].revents = 0;
	}
	return n;
}

void resolver_process(struct resolver *r, const struct pollfd *pfds, int n)
{
	int any = 0;

	for (int i = 0; i < n; i++) {
		ares_socket_t rfd = ARES_SOCKET_BAD, wfd = ARES_SOCKET_BAD;

		if (pfds[i].revents & (POLLIN | POLLERR | POLLHUP))
			rfd = pfds[i].fd;
		if (pfds[i].revents & POLLOUT)
			wfd = pfds[i].fd;
		if (rfd != ARES_SOCKET_BAD || wfd != ARES_SOCKET_BAD) {
			ares_process_fd(r->ch, rfd, wfd);
			any = 1;
		}
	}
	if (!any) /* let c-ares run its timers */
		ares_process_fd(r->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	if (r->outstanding == 0)
		resolver_finish(r);
}

long resolver_timeout_ms(struct resolver *r)
{
	struct timeval tv, *t;

	if (r->outstanding == 0)
		return -1;
	t = ares_timeout(r->ch, NULL, &tv);
	if (!t)
		return -1;
	return (long)t->tv_sec * 1000 + t->tv_usec / 1000;
}

void resolver_abort(struct resolver *r)
{
	if (r->outstanding > 0)
		ares_cancel(r->ch); /* callbacks run now, as ECANCELLED */
	resolver_finish(r);
}
