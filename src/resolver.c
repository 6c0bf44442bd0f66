/*
 * resolver.c - see resolver.h. The queries and c-ares's sockets and timers
 * are here; what an answer means is dns_answer.c's. The clock comes in
 * with each call (resolver_start, resolver_process, resolver_abort) and
 * stamps the notes the callbacks write.
 */
#include "smtpprobe/resolver.h"

#include <ares.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "smtpprobe/dns_answer.h"
#include "smtpprobe/dns_raw.h"
#include "smtpprobe/dnspool.h"
#include "smtpprobe/identity.h"
#include "smtpprobe/policy_dns.h"
#include "smtpprobe/policy_sts.h"

struct host_query {
	struct resolver *r;
	size_t host;
	int family;
};

struct tlsa_query {
	struct resolver *r;
	size_t dane; /* index into rec->policy.dane */
	int target;  /* the CNAME target's name, not the original */
	char name[DOMAIN_MAX + 16];
};

struct txt_query {
	struct resolver *r;
	int kind; /* 0: _mta-sts TXT, 1: _smtp._tls TXT, 2: A, 3: AAAA */
};

/* Who you are: the HELO name's addresses, each egress address's PTR and
 * its name's address (forward-confirmed reverse DNS). */
struct id_query {
	struct resolver *r;
	size_t egress; /* index into rec->egress */
	int family;    /* for the HELO name: the family asked */
	size_t zone;   /* for a block list: index into cfg->dnsbl */
};

struct resolver {
	const struct config *cfg;
	struct run_record *rec;
	struct dns_pool *pool; /* the process's channel and answer cache */
	long (*clock)(void *); /* the run's clock, for the callbacks' notes */
	void *clock_arg;
	int outstanding; /* queries not yet answered */
	int cancelling;	 /* inside dns_pool_cancel: send nothing new */
	struct dns_scratch scratch; /* address answers until merged */
	int pending[MX_HOSTS_CAP];  /* address answers still due */
	long now;		    /* the clock, for the callbacks' notes */
	struct host_query queries[MX_HOSTS_CAP][2];
	struct policy_scratch policy; /* TLSA and root answers until done */
	struct tlsa_query tlsa[DANE_HOSTS_CAP][2];
	int finished; /* policy_dns_finish has run */
	struct txt_query sts[4];
	struct id_query helo[2];
	struct id_query ptr[EGRESS_CAP];
	struct id_query dnsbl[EGRESS_CAP][DNSBL_ZONES_CAP];
};

/* Every callback first reads the run's clock: the pool calls back from
 * the loop of a whole batch, not from a call of this run's. */
static void tick(struct resolver *r)
{
	r->now = r->clock(r->clock_arg);
}

struct resolver *resolver_new(const struct config *cfg, struct run_record *rec,
			      struct dns_pool *pool, long (*clock)(void *),
			      void *clock_arg)
{
	struct resolver *r = calloc(1, sizeof *r);

	if (!r)
		return NULL;
	r->cfg = cfg;
	r->rec = rec;
	r->pool = pool;
	r->clock = clock;
	r->clock_arg = clock_arg;
	snprintf(rec->resolvers, sizeof rec->resolvers, "%s",
		 dns_pool_servers(pool));
	return r;
}

void resolver_free(struct resolver *r)
{
	if (!r)
		return;
	if (r->outstanding > 0) {
		r->cancelling = 1;
		dns_pool_cancel(r->pool, r);
	}
	for (size_t i = 0; i < DANE_HOSTS_CAP; i++) {
		free(r->policy.orig[i].ans);
		free(r->policy.target[i].ans);
	}
	free(r);
}

int resolver_done(const struct resolver *r)
{
	return r->outstanding == 0;
}

/* ---- queries; dns_answer.c says what the answers mean ---- */

/* Every question goes through the pool (which asks for DNSSEC and
 * answers a repeated question from its cache). */
static void send_query(struct resolver *r, const char *name, int type,
		       ares_callback cb, void *arg)
{
	/* A callback of a cancellation asks no more: cancelled too. */
	if (r->cancelling) {
		cb(arg, ARES_ECANCELLED, 0, NULL, 0);
		return;
	}
	dns_pool_send(r->pool, r, name, type, cb, arg);
}

static int policy_on(const struct resolver *r)
{
	return r->cfg->tls_policy != TLSP_OFF;
}

static void tlsa_cb(void *arg, int status, int timeouts, unsigned char *abuf,
		    int alen)
{
	struct tlsa_query *q = arg;
	struct resolver *r = q->r;
	struct tlsa_lookup *l =
	    q->target ? &r->policy.target[q->dane] : &r->policy.orig[q->dane];

	(void)timeouts;
	tick(r);
	status = dns_answer_status(status, abuf, alen);
	policy_take_tlsa(r->rec, l, q->name, status, abuf, alen, r->now);
	r->outstanding--;
}

static void query_tlsa(struct resolver *r, size_t i, int target,
		       const char *host)
{
	struct tlsa_query *q = &r->tlsa[i][target];
	struct tlsa_lookup *l =
	    target ? &r->policy.target[i] : &r->policy.orig[i];

	if (policy_tlsa_name(q->name, sizeof q->name,
			     r->rec->policy.dane[i].port, host) < 0)
		return;
	q->r = r;
	q->dane = i;
	q->target = target;
	l->asked = 1;
	r->outstanding++;
	send_query(r, q->name, DNS_TYPE_TLSA, tlsa_cb, q);
}

/* TLSA for every port probed on host h, beside its A and AAAA. */
static void lookup_tlsa(struct resolver *r, size_t h)
{
	if (!policy_on(r))
		return;
	for (int p = 0; p < r->cfg->nports; p++) {
		int i = policy_add_dane(r->rec, h, r->cfg->ports[p]);
		if (i >= 0)
			query_tlsa(r, (size_t)i, 0, r->rec->dns.hosts[h].name);
	}
}

/* Host h turned out to be an alias: its target's TLSA name comes
 * first (RFC 7672 2.2.2). */
static void lookup_tlsa_target(struct resolver *r, size_t h)
{
	const struct mail_host *mh = &r->rec->dns.hosts[h];

	if (!policy_on(r) || !(mh->flags & MXF_CNAME) || !mh->cname)
		return;
	for (size_t i = 0; i < r->rec->policy.ndane; i++)
		if (r->rec->policy.dane[i].host == h)
			query_tlsa(r, i, 1, mh->cname);
}

static void root_cb(void *arg, int status, int timeouts, unsigned char *abuf,
		    int alen)
{
	struct resolver *r = arg;

	(void)timeouts;
	tick(r);
	status = dns_answer_status(status, abuf, alen);
	policy_take_root(r->rec, &r->policy, status, abuf, alen, r->now);
	r->outstanding--;
}

/* MTA-STS and TLS-RPT: the domain's TXT records and the policy host's
 * addresses, all beside the MX lookup. */
static void sts_cb(void *arg, int status, int timeouts, unsigned char *abuf,
		   int alen)
{
	struct txt_query *q = arg;
	struct resolver *r = q->r;

	(void)timeouts;
	tick(r);
	status = dns_answer_status(status, abuf, alen);
	switch (q->kind) {
	case 0: policy_sts_take_txt(r->rec, status, abuf, alen, r->now); break;
	case 1: policy_rpt_take_txt(r->rec, status, abuf, alen, r->now); break;
	default:
		policy_sts_take_addrs(r->rec, q->kind == 2 ? AF_INET : AF_INET6,
				      status, abuf, alen, r->now);
		break;
	}
	r->outstanding--;
}

static void lookup_sts(struct resolver *r)
{
	static const int types[4] = {T_TXT, T_TXT, T_A, T_AAAA};
	static const char *const prefix[4] = {"_mta-sts.", "_smtp._tls.",
					      "mta-sts.", "mta-sts."};
	const char *dom = r->rec->target->domain;

	r->rec->policy.sts.asked = 1;
	r->rec->policy.rpt.asked = 1;
	for (int k = 0; k < 4; k++) {
		char name[DOMAIN_MAX + 16];
		int w = snprintf(name, sizeof name, "%s%s", prefix[k], dom);

		if (w < 0 || (size_t)w >= sizeof name || w > DNS_NAME_MAX)
			continue;
		if ((k == 2 && r->cfg->family == FAMILY_V6) ||
		    (k == 3 && r->cfg->family == FAMILY_V4))
			continue;
		r->sts[k].r = r;
		r->sts[k].kind = k;
		r->outstanding++;
		send_query(r, name, types[k], sts_cb, &r->sts[k]);
	}
}

static void helo_cb(void *arg, int status, int timeouts, unsigned char *abuf,
		    int alen)
{
	struct id_query *q = arg;

	(void)timeouts;
	tick(q->r);
	status = dns_answer_status(status, abuf, alen);
	identity_take_helo(q->r->rec, q->family, status, abuf, alen, q->r->now);
	q->r->outstanding--;
}

/* The HELO name's A and AAAA, beside the MX lookup: does it resolve? */
static void lookup_helo(struct resolver *r)
{
	const char *name = r->cfg->helo;

	if (!name[0] || !strchr(name, '.') || !dns_valid_hostname(name))
		return;
	r->rec->helo.asked = 1;
	for (int k = 0; k < 2; k++) {
		r->helo[k].r = r;
		r->helo[k].family = k ? AF_INET6 : AF_INET;
		r->outstanding++;
		send_query(r, name, k ? T_AAAA : T_A, helo_cb, &r->helo[k]);
	}
}

static void forward_cb(void *arg, int status, int timeouts, unsigned char *abuf,
		       int alen)
{
	struct id_query *q = arg;

	(void)timeouts;
	tick(q->r);
	status = dns_answer_status(status, abuf, alen);
	identity_take_forward(q->r->rec, q->egress, status, abuf, alen,
			      q->r->now);
	q->r->outstanding--;
}

static void ptr_cb(void *arg, int status, int timeouts, unsigned char *abuf,
		   int alen)
{
	struct id_query *q = arg;
	struct resolver *r = q->r;
	const struct egress *e = &r->rec->egress[q->egress];

	(void)timeouts;
	tick(r);
	status = dns_answer_status(status, abuf, alen);
	if (identity_take_ptr(r->rec, q->egress, status, abuf, alen, r->now)) {
		r->outstanding++;
		send_query(r, e->ptr, e->family == AF_INET ? T_A : T_AAAA,
			   forward_cb, q);
	}
	r->outstanding--;
}

static void dnsbl_cb(void *arg, int status, int timeouts, unsigned char *abuf,
		     int alen)
{
	struct id_query *q = arg;

	(void)timeouts;
	tick(q->r);
	status = dns_answer_status(status, abuf, alen);
	identity_take_dnsbl(q->r->rec, q->egress, q->zone, status, abuf, alen,
			    q->r->now);
	q->r->outstanding--;
}

/* Egress i in every --dnsbl zone (an IPv6 address by its nibbles, RFC
 * 5782 2.4: a list without IPv6 entries answers NXDOMAIN), beside its
 * PTR. */
static void lookup_dnsbl(struct resolver *r, size_t i)
{
	struct egress *e = &r->rec->egress[i];

	for (int z = 0; z < r->cfg->ndnsbl && z < DNSBL_ZONES_CAP; z++) {
		char name[DNS_NAME_MAX + 2];

		if (identity_dnsbl_name(e->address, r->cfg->dnsbl[z], name,
					sizeof name) < 0)
			continue;
		e->dnsbl[z].asked = 1;
		r->dnsbl[i][z].r = r;
		r->dnsbl[i][z].egress = i;
		r->dnsbl[i][z].zone = (size_t)z;
		r->outstanding++;
		send_query(r, name, T_A, dnsbl_cb, &r->dnsbl[i][z]);
	}
}

void resolver_lookup_egress(struct resolver *r, long now)
{
	r->now = now;
	for (size_t i = 0; i < r->rec->negress; i++) {
		struct egress *e = &r->rec->egress[i];
		char name[80];

		/* A private local address is not what a receiver sees (NAT):
		 * its reverse DNS says nothing, and is not worth the wait. */
		if (e->ptr_asked ||
		    (!e->echoed && dns_is_private(e->family, e->address)) ||
		    identity_ptr_name(e->address, name, sizeof name) < 0)
			continue;
		e->ptr_asked = 1;
		lookup_dnsbl(r, i);
		r->ptr[i].r = r;
		r->ptr[i].egress = i;
		r->outstanding++;
		send_query(r, name, T_PTR, ptr_cb, &r->ptr[i]);
	}
}

static void host_done(struct resolver *r, size_t h)
{
	dns_host_done(r->rec, &r->scratch, h);
	lookup_tlsa_target(r, h);
}

static void addr_cb(void *arg, int status, int timeouts, unsigned char *abuf,
		    int alen)
{
	struct host_query *q = arg;
	struct resolver *r = q->r;

	(void)timeouts;
	tick(r);
	status = dns_answer_status(status, abuf, alen);
	dns_take_addrs(r->rec, &r->scratch, q->host, q->family, status, abuf,
		       alen, r->now);
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
	send_query(r, r->rec->dns.hosts[h].name,
		   family == AF_INET ? T_A : T_AAAA, addr_cb, q);
}

static void lookup_host(struct resolver *r, size_t h)
{
	enum family_pref fam = r->cfg->family;

	if (dns_take_literal(r->rec, h, fam))
		return;
	lookup_tlsa(r, h);
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

static void mx_cb(void *arg, int status, int timeouts, unsigned char *abuf,
		  int alen)
{
	struct resolver *r = arg;
	size_t n;

	(void)timeouts;
	tick(r);
	status = dns_answer_status(status, abuf, alen);
	r->outstanding--;
	n = dns_take_mx(r->rec, r->rec->target->domain, status, abuf, alen,
			r->now);
	for (size_t i = 0; i < n; i++)
		lookup_host(r, i);
}

void resolver_start(struct resolver *r, long now)
{
	const struct config *cfg = r->cfg;

	r->now = now;
	r->rec->dns.status = DNS_OK;
	r->rec->policy.mode = cfg->tls_policy;
	r->rec->policy.resolver_validates = -1;
	lookup_helo(r);
	if (policy_on(r)) {
		r->policy.root_asked = 1;
		r->outstanding++;
		send_query(r, ".", T_SOA, root_cb, r);
		lookup_sts(r);
	}
	if (cfg->server[0]) {
		/* No MX answer to be signed: the host named is the next hop,
		 * and its own address records decide (as for a static
		 * next hop in Postfix). */
		r->rec->dns.mx_ad = 1;
		if (dns_add_host(&r->rec->dns, cfg->server, 0, MXF_FROM_SERVER))
			lookup_host(r, 0);
		return;
	}
	r->outstanding++;
	send_query(r, r->rec->target->domain, T_MX, mx_cb, r);
}

/* Every answer is in (or the deadline cut them): the DNS result and the
 * TLS policy's, once. */
static void finish(struct resolver *r)
{
	dns_finish(&r->rec->dns);
	if (!r->finished)
		policy_dns_finish(r->rec, &r->policy, r->now);
	r->finished = 1;
}

void resolver_update(struct resolver *r, long now)
{
	r->now = now;
	if (r->outstanding == 0)
		finish(r);
}

void resolver_abort(struct resolver *r, long now)
{
	r->now = now;
	if (r->outstanding > 0) {
		r->cancelling = 1;
		dns_pool_cancel(r->pool, r); /* callbacks run now */
		r->cancelling = 0;
	}
	finish(r);
}
