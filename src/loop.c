/*
 * loop.c - see loop.h. Each turn builds one pollfd array from c-ares's
 * sockets and every live session's wanted events; poll's timeout is the
 * earliest of c-ares's timer, the nearest session deadline and the run
 * deadline. After poll: c-ares first, then sessions, then expired
 * deadlines become timeout steps. Sessions beyond CONNECTIONS_CAP wait
 * their turn in MX order.
 */
#include "smtpprobe/loop.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "smtpprobe/identity.h"
#include "smtpprobe/policy_sts.h"
#include "smtpprobe/reach.h"
#include "smtpprobe/recipients.h"
#include "smtpprobe/resolver.h"
#include "smtpprobe/session.h"
#include "smtpprobe/tlsconn.h"

/* One run: its clock origin, its TLS context (in env), its resolver and
 * sessions. Nothing of it lives in a file-level variable, so that one
 * process could drive several. */
struct run {
	struct timespec t0; /* the clock origin: CLOCK_MONOTONIC at start */
	const struct config *cfg;
	struct run_record *rec;
	struct resolver *res;
	struct sts_fetch *fetch; /* the MTA-STS policy, beside the sessions */
	struct reach *reach;	 /* connect-only checks on 587 and 465 */
	struct session_env env;
	struct session **sess;	/* in probe (MX) order */
	struct session **order; /* the same, in start order */
	size_t nsess, next;	/* sessions, and the next to start */
	long deadline;
};

#define POLL_MAX                                                               \
	(DNS_SOCKETS_CAP + STS_SOCKETS_CAP + CONNECTIONS_CAP +                 \
	 CONNECT_CHECKS_CAP)

/* Milliseconds since the run started. */
static long mono_ms(const struct run *r)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)(ts.tv_sec - r->t0.tv_sec) * 1000 +
	       (ts.tv_nsec - r->t0.tv_nsec) / 1000000;
}

static size_t live_sessions(const struct run *r)
{
	size_t n = 0;

	for (size_t i = 0; i < r->next; i++)
		n += !session_done(r->order[i]);
	return n;
}

/* Start sessions up to the cap. One may end at once (a connect that
 * fails synchronously), so the count is taken again each time. */
static void start_more(struct run *r, long now)
{
	while (r->next < r->nsess && now < r->deadline &&
	       live_sessions(r) < CONNECTIONS_CAP)
		session_start(r->order[r->next++], now);
}

/* Which of its host's addresses probe i is: 0 for the first. */
static size_t addr_rank(const struct run_record *rec, size_t i)
{
	const struct probe *p = &rec->probes[i];
	const struct mail_host *mh = &rec->dns.hosts[p->host];

	for (size_t a = 0; a < mh->naddrs; a++)
		if (strcmp(mh->addrs[a], p->address) == 0)
			return a;
	return 0;
}

static long min_timeout(const struct run *r, long now)
{
	long t = r->deadline - now, rt;

	if (r->res && !resolver_done(r->res)) {
		rt = resolver_timeout_ms(r->res);
		if (rt >= 0 && rt < t)
			t = rt;
	}
	if (r->fetch && !sts_fetch_done(r->fetch)) {
		long ft = sts_fetch_timeout_ms(r->fetch);
		if (ft >= 0 && ft < t)
			t = ft;
	}
	if (r->reach) {
		long ct = reach_timeout_ms(r->reach, now);
		if (ct >= 0 && ct < t)
			t = ct;
	}
	for (size_t i = 0; i < r->next; i++) {
		long d = session_deadline(r->order[i]);
		if (d != LONG_MAX && d - now < t)
			t = d - now;
	}
	return t < 0 ? 0 : t;
}

/* One turn of the loop. */
static void turn(struct run *r)
{
	struct pollfd pfds[POLL_MAX];
	struct session *owner[POLL_MAX];
	int n = 0, nres = 0, nfetch = 0, nreach = 0;
	long now = mono_ms(r);

	if (r->res && !resolver_done(r->res))
		n = nres = resolver_pollfds(r->res, pfds, DNS_SOCKETS_CAP);
	if (r->fetch && !sts_fetch_done(r->fetch)) {
		nfetch = sts_fetch_pollfds(r->fetch, pfds + n, STS_SOCKETS_CAP);
		n += nfetch;
	}
	if (r->reach) {
		nreach = reach_pollfds(r->reach, pfds + n, CONNECT_CHECKS_CAP);
		n += nreach;
	}
	for (size_t i = 0; i < r->next && n < POLL_MAX; i++) {
		short ev = session_events(r->order[i]);
		if (!ev)
			continue;
		pfds[n].fd = session_fd(r->order[i]);
		pfds[n].events = ev;
		pfds[n].revents = 0;
		owner[n++] = r->order[i];
	}
	if (poll(pfds, (nfds_t)n, (int)min_timeout(r, now)) < 0 &&
	    errno != EINTR)
		return;
	now = mono_ms(r);
	if (r->res && !resolver_done(r->res))
		resolver_process(r->res, pfds, nres, now);
	if (r->fetch && !sts_fetch_done(r->fetch))
		sts_fetch_process(r->fetch, pfds + nres, nfetch);
	if (r->reach)
		reach_process(r->reach, pfds + nres + nfetch, nreach, now);
	for (int i = nres + nfetch + nreach; i < n; i++)
		if (pfds[i].revents)
			session_handle(owner[i], pfds[i].revents, now);
	now = mono_ms(r);
	for (size_t i = 0; i < r->next; i++)
		session_check_timeout(r->order[i], now);
	start_more(r, now);
	/* An address a server just named: its reverse DNS, beside the rest
	 * of the dialogue. */
	if (r->res && r->rec->dns.status == DNS_OK) {
		identity_update(r->rec);
		resolver_lookup_egress(r->res, now);
	}
}

/* One probe per host x address x port, in MX order: the order the
 * verdict walks them. */
static int make_sessions(struct run *r)
{
	struct run_record *rec = r->rec;
	const struct config *cfg = r->cfg;
	size_t max = rec->dns.nhosts * ADDRS_PER_HOST_CAP * (size_t)cfg->nports;

	r->sess = calloc(max ? max : 1, sizeof *r->sess);
	r->order = calloc(max ? max : 1, sizeof *r->order);
	if (!r->sess || !r->order)
		return -1;
	for (size_t h = 0; h < rec->dns.nhosts; h++) {
		const struct mail_host *mh = &rec->dns.hosts[h];
		for (size_t a = 0; a < mh->naddrs; a++) {
			for (int p = 0; p < cfg->nports; p++) {
				struct probe *pr = record_add_probe(
				    rec, h, mh->addrs[a], mh->families[a],
				    cfg->ports[p]);
				if (!pr)
					return -1;
				r->sess[r->nsess] = session_new(
				    &r->env, (int)(pr - rec->probes));
				if (!r->sess[r->nsess])
					return -1;
				r->nsess++;
			}
		}
	}
	/* Start order: every host's first address before anyone's second,
	 * so that under the connection cap each host gets probed early. */
	size_t n = 0;
	for (size_t a = 0; a < ADDRS_PER_HOST_CAP; a++)
		for (size_t i = 0; i < r->nsess; i++)
			if (addr_rank(rec, i) == a)
				r->order[n++] = r->sess[i];
	return 0;
}

static void stamp_start(struct run_record *rec)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(rec->started_utc, sizeof rec->started_utc,
		 "%Y-%m-%d %H:%M:%S UTC", &tm);
}

/* The MTA-STS policy fetch, when the domain publishes a record: it runs
 * beside the sessions, in the same loop, bounded by --timeout. */
static void start_fetch(struct run *r)
{
	const struct mta_sts_info *m = &r->rec->policy.sts;
	const char *addrs[STS_ADDRS_CAP];
	char err[256];

	if (!policy_sts_should_fetch(r->rec, mono_ms(r)))
		return;
	/* libcurl is set up by the first fetch (the process has no other
	 * thread to race it), so a run without a policy never loads it. */
	if (sts_fetch_global_init() != 0) {
		policy_sts_take_fetch(r->rec, NULL, "cannot initialise libcurl",
				      mono_ms(r));
		return;
	}
	for (size_t i = 0; i < m->naddrs; i++)
		addrs[i] = m->addrs[i];
	r->fetch = sts_fetch_new(
	    r->rec->target->domain, addrs, m->naddrs, r->cfg->ca_file,
	    (long)r->cfg->timeout_s * 1000, err, sizeof err);
	if (r->fetch && r->cfg->proxy.host[0] &&
	    sts_fetch_set_proxy(r->fetch, r->cfg->proxy.host,
				r->cfg->proxy.family, r->cfg->proxy.port,
				r->cfg->proxy.user, r->cfg->proxy_pass, err,
				sizeof err) < 0) {
		sts_fetch_free(r->fetch);
		r->fetch = NULL;
	}
	if (!r->fetch) {
		policy_sts_take_fetch(r->rec, NULL, err, mono_ms(r));
		return;
	}
	record_note(r->rec, mono_ms(r), -1, 0,
		    "HTTPS GET https://mta-sts.%s/.well-known/mta-sts.txt "
		    "(the MTA-STS policy, beside the SMTP probes)%s%s",
		    r->rec->target->domain,
		    r->cfg->proxy.host[0] ? " through the SOCKS5 proxy " : "",
		    r->cfg->proxy.host[0] ? r->cfg->proxy.shown : "");
}

static int fetching(const struct run *r)
{
	return r->fetch && !sts_fetch_done(r->fetch);
}

static void end_fetch(struct run *r)
{
	if (!r->fetch)
		return;
	if (!sts_fetch_done(r->fetch))
		sts_fetch_abort(r->fetch);
	policy_sts_take_fetch(r->rec, sts_fetch_result(r->fetch), NULL,
			      mono_ms(r));
}

/* Every port-25 connect timed out: try the same addresses on 587 and
 * 465, connect only, all at once, within one more --timeout. */
static void check_reach(struct run *r)
{
	if (!reach_wanted(r->rec) || mono_ms(r) >= r->deadline)
		return;
	if (r->cfg->proxy.host[0]) {
		/* Direct checks would say nothing about the proxy's path,
		 * and checks through it nothing the probes did not. */
		record_note(r->rec, mono_ms(r), -1, 0,
			    "port 25 was silent through the proxy; the "
			    "connect-only checks of 587 and 465 are not made "
			    "with --proxy");
		return;
	}
	r->reach =
	    reach_start(r->rec, mono_ms(r), (long)r->cfg->timeout_s * 1000);
	while (r->reach && !reach_done(r->reach, mono_ms(r)) &&
	       mono_ms(r) < r->deadline)
		turn(r);
	reach_free(r->reach, mono_ms(r));
	r->reach = NULL;
}

/* Is anything of the run but session self still to come? */
static int others_pending(void *arg, const struct session *self)
{
	const struct run *r = arg;

	if (r->next < r->nsess || fetching(r) || r->reach ||
	    (r->res && !resolver_done(r->res)))
		return 1;
	for (size_t i = 0; i < r->next; i++)
		if (r->order[i] != self && !session_done(r->order[i]))
			return 1;
	return 0;
}

static void cleanup(struct run *r)
{
	for (size_t i = 0; i < r->nsess; i++)
		session_free(r->sess[i]);
	free(r->sess);
	free(r->order);
	resolver_free(r->res);
	sts_fetch_free(r->fetch);
	if (r->env.ssl_ctx)
		SSL_CTX_free(r->env.ssl_ctx);
}

int run_probe(const struct config *cfg, struct run_record *rec, char *err,
	      size_t errlen)
{
	struct run r;

	memset(&r, 0, sizeof r);
	clock_gettime(CLOCK_MONOTONIC, &r.t0);
	stamp_start(rec);
	r.cfg = cfg;
	r.rec = rec;
	r.deadline = (long)cfg->timeout_s * 1000 * RUN_DEADLINE_TIMEOUTS;
	r.env.cfg = cfg;
	r.env.rec = rec;
	r.env.others_pending = others_pending;
	r.env.pending_arg = &r;
	r.res = resolver_new(cfg, rec, err, errlen);
	if (!r.res) {
		cleanup(&r);
		return -1;
	}
	resolver_start(r.res, mono_ms(&r));
	/* The TLS context (OpenSSL's set-up, the CA store) is made while the
	 * first DNS answers are on their way, not before they are asked. */
	r.env.ssl_ctx = tls_ctx_new(cfg->ca_file, err, errlen);
	if (!r.env.ssl_ctx) {
		cleanup(&r);
		return -1;
	}
	while (!resolver_done(r.res) && mono_ms(&r) < r.deadline)
		turn(&r);
	if (!resolver_done(r.res)) {
		rec->deadline_hit = 1;
		resolver_abort(r.res, mono_ms(&r));
	}
	rec->dns.elapsed_ms = mono_ms(&r);
	if (rec->dns.status == DNS_OK && !rec->deadline_hit) {
		recipients_prepare(rec);
		if (make_sessions(&r) < 0) {
			snprintf(err, errlen, "out of memory");
			cleanup(&r);
			return -1;
		}
		start_fetch(&r);
		start_more(&r, mono_ms(&r));
		while ((live_sessions(&r) > 0 || r.next < r.nsess ||
			fetching(&r)) &&
		       mono_ms(&r) < r.deadline)
			turn(&r);
		end_fetch(&r);
		check_reach(&r);
		/* The egress addresses known only now (private local ones,
		 * when no server named one), and the answers still due. */
		identity_collect(rec);
		resolver_lookup_egress(r.res, mono_ms(&r));
		while (!resolver_done(r.res) && mono_ms(&r) < r.deadline)
			turn(&r);
		if (!resolver_done(r.res))
			resolver_abort(r.res, mono_ms(&r));
		long now = mono_ms(&r);
		for (size_t i = 0; i < r.nsess; i++) {
			if (!session_done(r.sess[i])) {
				rec->deadline_hit = 1;
				session_abort(r.sess[i], now);
			}
		}
	}
	identity_finish(rec);
	rec->elapsed_ms = mono_ms(&r);
	cleanup(&r);
	return 0;
}
