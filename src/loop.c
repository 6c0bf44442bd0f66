/*
 * loop.c - see loop.h. A run goes through its phases: resolve (the
 * shared pool answers), sessions (one per host x address x port, started
 * as the connection budget allows, the MTA-STS fetch beside them), the
 * connect-only checks when port 25 was silent everywhere, and the egress
 * lookups still due. Each turn the driver polls the pool's sockets and
 * every run's; run_handle then moves the run on: sessions first, then
 * expired deadlines become timeout steps, then the phase is checked.
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

#include "smtpprobe/budget.h"
#include "smtpprobe/dnspool.h"
#include "smtpprobe/identity.h"
#include "smtpprobe/interpreter.h"
#include "smtpprobe/policy_sts.h"
#include "smtpprobe/reach.h"
#include "smtpprobe/recipients.h"
#include "smtpprobe/resolver.h"
#include "smtpprobe/session.h"
#include "smtpprobe/sts_cache.h"
#include "smtpprobe/sts_fetch.h"
#include "smtpprobe/tlsconn.h"

enum phase { PH_RESOLVE, PH_SESSIONS, PH_REACH, PH_EGRESS, PH_DONE };

#define RUN_POLL_MAX (STS_SOCKETS_CAP + CONNECT_CHECKS_CAP + CONNECTIONS_CAP)

/* One run: its clock origin, its resolver and sessions. Nothing of it
 * lives in a file-level variable, so that one process drives several. */
struct run {
	struct timespec t0; /* the clock origin: CLOCK_MONOTONIC at start */
	const struct config *cfg;
	struct run_record *rec;
	struct run_shared *sh;
	enum phase phase;
	struct resolver *res;
	struct sts_fetch *fetch; /* the MTA-STS policy, beside the sessions */
	struct reach *reach;	 /* connect-only checks on 587 and 465 */
	struct session_env env;
	struct session **sess;	/* in probe (MX) order */
	struct session **order; /* the same, in start order */
	unsigned char *state;	/* per order[i]: ST_* */
	size_t nsess, nstarted;
	long deadline;
	int blocked; /* the budget held a session back this turn */
	/* The last run_pollfds: how its slice was laid out. */
	int nfetch, nreach, npolled;
	struct session *owner[RUN_POLL_MAX];
};

/* A session's place in the budget. */
enum { ST_WAITING, ST_OPEN, ST_CLOSED };

static long elapsed_since(const struct timespec *t0)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)(ts.tv_sec - t0->tv_sec) * 1000 +
	       (ts.tv_nsec - t0->tv_nsec) / 1000000;
}

long run_shared_now(const struct run_shared *sh)
{
	return elapsed_since(&sh->epoch);
}

/* Milliseconds since the run started. */
static long mono_ms(const struct run *r)
{
	return elapsed_since(&r->t0);
}

static long clock_cb(void *arg)
{
	return mono_ms(arg);
}

static const char *order_addr(const struct run *r, size_t i)
{
	return r->rec->probes[session_probe(r->order[i])].address;
}

static size_t live_sessions(const struct run *r)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nsess; i++)
		n += r->state[i] == ST_OPEN;
	return n;
}

/* Did this probe's server ask us to slow down: a 421 (closing), or a
 * 4xx that says it is about rate? */
static int said_slow_down(const struct probe *p)
{
	for (size_t i = 0; i < p->nsteps; i++) {
		const struct reply *rp = p->steps[i].reply;
		struct interpretation in;

		if (!rp || rp->code < 400 || rp->code > 499)
			continue;
		if (rp->code == 421)
			return 1;
		interpret_reply(p->steps[i].stage, rp, &in);
		if (in.category == CAT_RATE_LIMITED)
			return 1;
	}
	return 0;
}

static int accepted_any(const struct probe *p)
{
	for (size_t i = 0; i < p->nsteps; i++)
		if (p->steps[i].stage == STAGE_RCPT && p->steps[i].reply &&
		    p->steps[i].reply->code / 100 == 2)
			return 1;
	return 0;
}

/* Sessions that ended give their connection back; a host that said slow
 * down is paused, one that accepted starts its backoff over. */
static void reap(struct run *r)
{
	long now = run_shared_now(r->sh);

	for (size_t i = 0; i < r->nsess; i++) {
		if (r->state[i] != ST_OPEN || !session_done(r->order[i]))
			continue;
		const struct probe *p =
		    &r->rec->probes[session_probe(r->order[i])];
		r->state[i] = ST_CLOSED;
		budget_close(r->sh->budget, p->address, now);
		if (said_slow_down(p))
			budget_pause(r->sh->budget, p->address, now);
		else if (accepted_any(p))
			budget_relax(r->sh->budget, p->address, now);
	}
}

/* Start sessions, in start order, as far as the run's own cap and the
 * budget allow; one held back by the budget waits, later ones to other
 * hosts may go first. A session may end at once (a connect that fails
 * synchronously), so the count is taken again each time. */
static void start_more(struct run *r, long now)
{
	r->blocked = 0;
	for (size_t i = 0; i < r->nsess && r->nstarted < r->nsess; i++) {
		long abs_now = run_shared_now(r->sh);

		if (r->state[i] != ST_WAITING)
			continue;
		if (now >= r->deadline || live_sessions(r) >= CONNECTIONS_CAP)
			return;
		if (!budget_may_open(r->sh->budget, order_addr(r, i),
				     abs_now)) {
			r->blocked = 1;
			continue;
		}
		budget_open(r->sh->budget, order_addr(r, i));
		r->state[i] = ST_OPEN;
		r->nstarted++;
		session_start(r->order[i], now);
		reap(r);
	}
	/* Waiting on other runs' connections (or a pause) is not this
	 * run's time: its deadline counts from when it can go on. */
	if (r->blocked) {
		long d = now +
			 (long)r->cfg->timeout_s * 1000 * RUN_DEADLINE_TIMEOUTS;
		if (d > r->deadline)
			r->deadline = d;
	}
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

long run_timeout_ms(struct run *r)
{
	long now = mono_ms(r);
	long t = r->deadline - now;

	if (r->phase == PH_DONE)
		return -1;
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
	for (size_t i = 0; i < r->nsess; i++) {
		if (r->state[i] != ST_OPEN)
			continue;
		long d = session_deadline(r->order[i]);
		if (d != LONG_MAX && d - now < t)
			t = d - now;
	}
	if (r->blocked) {
		long abs_now = run_shared_now(r->sh);
		long w = budget_next_wake(r->sh->budget, abs_now);
		if (w >= 0 && w - abs_now < t)
			t = w - abs_now;
		/* Another run gave a connection back after this one was
		 * handled: go on at once, not at the next event. */
		for (size_t i = 0; i < r->nsess && t > 0; i++)
			if (r->state[i] == ST_WAITING &&
			    budget_may_open(r->sh->budget, order_addr(r, i),
					    abs_now))
				t = 0;
	}
	return t < 0 ? 0 : t;
}

int run_pollfds_max(void)
{
	return RUN_POLL_MAX;
}

int run_pollfds(struct run *r, struct pollfd *pfds, int max)
{
	int n = 0;

	r->nfetch = r->nreach = 0;
	if (max > RUN_POLL_MAX)
		max = RUN_POLL_MAX;
	if (r->fetch && !sts_fetch_done(r->fetch)) {
		r->nfetch = sts_fetch_pollfds(r->fetch, pfds, STS_SOCKETS_CAP);
		n += r->nfetch;
	}
	if (r->reach) {
		r->nreach =
		    reach_pollfds(r->reach, pfds + n, CONNECT_CHECKS_CAP);
		n += r->nreach;
	}
	for (size_t i = 0; i < r->nsess && n < max; i++) {
		short ev;

		if (r->state[i] != ST_OPEN)
			continue;
		ev = session_events(r->order[i]);
		if (!ev)
			continue;
		pfds[n].fd = session_fd(r->order[i]);
		pfds[n].events = ev;
		pfds[n].revents = 0;
		r->owner[n++] = r->order[i];
	}
	r->npolled = n;
	return n;
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
	r->state = calloc(max ? max : 1, 1);
	if (!r->sess || !r->order || !r->state)
		return -1;
	r->env.ssl_ctx = r->sh->ssl_ctx;
	size_t need = 0;
	for (size_t h = 0; h < rec->dns.nhosts; h++)
		need += rec->dns.hosts[h].naddrs * (size_t)cfg->nports;
	if (record_reserve_probes(rec, need) < 0)
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
	/* A batch fetches a domain's policy once per policy id, as a
	 * sender caches it (RFC 8461 3.3). */
	const struct sts_fetch_result *kept =
	    sts_cache_get(r->sh->sts, r->rec->target->domain, m->id);
	if (kept) {
		record_note(r->rec, mono_ms(r), -1, 0,
			    "MTA-STS policy id %s: as fetched earlier in this "
			    "run (kept by id, not fetched again)",
			    m->id);
		policy_sts_take_fetch(r->rec, kept, NULL, mono_ms(r));
		return;
	}
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
	else if (r->sh->sts && sts_fetch_result(r->fetch)->http_status != 0)
		/* Kept only what the server said (a policy, or an HTTP
		 * refusal); a connect, TLS or timeout failure may pass. */
		sts_cache_put(r->sh->sts, r->rec->target->domain,
			      r->rec->policy.sts.id,
			      sts_fetch_result(r->fetch));
	policy_sts_take_fetch(r->rec, sts_fetch_result(r->fetch), NULL,
			      mono_ms(r));
}

/* Is anything of the run but session self still to come? */
static int others_pending(void *arg, const struct session *self)
{
	const struct run *r = arg;

	if (r->nstarted < r->nsess || fetching(r) || r->reach ||
	    (r->res && !resolver_done(r->res)))
		return 1;
	for (size_t i = 0; i < r->nsess; i++)
		if (r->order[i] != self && r->state[i] == ST_OPEN &&
		    !session_done(r->order[i]))
			return 1;
	return 0;
}

/* The egress addresses known only now (private local ones, when no
 * server named one), and the answers still due. */
static void enter_egress(struct run *r)
{
	identity_collect(r->rec);
	resolver_lookup_egress(r->res, mono_ms(r));
	r->phase = PH_EGRESS;
}

static void finish(struct run *r)
{
	long now = mono_ms(r);

	if (!resolver_done(r->res))
		resolver_abort(r->res, now);
	for (size_t i = 0; i < r->nsess; i++) {
		if (!session_done(r->sess[i])) {
			r->rec->deadline_hit = 1;
			session_abort(r->sess[i], now);
		}
	}
	reap(r);
	identity_finish(r->rec);
	r->rec->elapsed_ms = mono_ms(r);
	r->phase = PH_DONE;
}

/* Move on from phases whose work is done (or cut by the deadline). */
static void advance(struct run *r)
{
	long now = mono_ms(r);
	int late = now >= r->deadline;

	if (r->phase == PH_RESOLVE) {
		if (!resolver_done(r->res) && !late)
			return;
		if (!resolver_done(r->res)) {
			r->rec->deadline_hit = 1;
			resolver_abort(r->res, now);
		}
		r->rec->dns.elapsed_ms = now;
		if (r->rec->dns.status != DNS_OK || r->rec->deadline_hit) {
			finish(r);
			return;
		}
		recipients_prepare(r->rec);
		if (make_sessions(r) < 0) {
			record_note(r->rec, now, -1, 0,
				    "out of memory: no probe made");
			finish(r);
			return;
		}
		start_fetch(r);
		start_more(r, now);
		r->phase = PH_SESSIONS;
	}
	if (r->phase == PH_SESSIONS) {
		if ((live_sessions(r) > 0 || r->nstarted < r->nsess ||
		     fetching(r)) &&
		    !late)
			return;
		end_fetch(r);
		if (reach_wanted(r->rec) && !late && r->cfg->proxy.host[0]) {
			/* Direct checks would say nothing about the proxy's
			 * path, and checks through it nothing the probes did
			 * not. */
			record_note(
			    r->rec, now, -1, 0,
			    "port 25 was silent through the proxy; the "
			    "connect-only checks of 587 and 465 are not "
			    "made with --proxy");
			enter_egress(r);
		} else if (reach_wanted(r->rec) && !late) {
			r->reach = reach_start(r->rec, now,
					       (long)r->cfg->timeout_s * 1000);
			r->phase = PH_REACH;
		} else {
			enter_egress(r);
		}
	}
	if (r->phase == PH_REACH) {
		if (r->reach && !reach_done(r->reach, now) && !late)
			return;
		reach_free(r->reach, now);
		r->reach = NULL;
		enter_egress(r);
	}
	if (r->phase == PH_EGRESS) {
		if (!resolver_done(r->res) && !late)
			return;
		finish(r);
	}
}

void run_handle(struct run *r, const struct pollfd *pfds, int n)
{
	long now = mono_ms(r);

	if (r->phase == PH_DONE)
		return;
	if (n > r->npolled)
		n = r->npolled;
	resolver_update(r->res, now);
	if (r->fetch && !sts_fetch_done(r->fetch))
		sts_fetch_process(r->fetch, pfds, r->nfetch);
	if (r->reach)
		reach_process(r->reach, pfds + r->nfetch, r->nreach, now);
	for (int i = r->nfetch + r->nreach; i < n; i++)
		if (pfds[i].revents)
			session_handle(r->owner[i], pfds[i].revents, now);
	r->npolled = 0;
	now = mono_ms(r);
	for (size_t i = 0; i < r->nsess; i++)
		if (r->state[i] == ST_OPEN)
			session_check_timeout(r->order[i], now);
	reap(r);
	if (r->phase == PH_SESSIONS)
		start_more(r, now);
	/* An address a server just named: its reverse DNS, beside the rest
	 * of the dialogue. */
	if (r->phase >= PH_SESSIONS && r->rec->dns.status == DNS_OK) {
		identity_update(r->rec);
		resolver_lookup_egress(r->res, now);
	}
	advance(r);
}

int run_done(const struct run *r)
{
	return r->phase == PH_DONE;
}

struct run *run_new(const struct config *cfg, struct run_record *rec,
		    struct run_shared *sh)
{
	struct run *r = calloc(1, sizeof *r);

	if (!r)
		return NULL;
	clock_gettime(CLOCK_MONOTONIC, &r->t0);
	stamp_start(rec);
	r->cfg = cfg;
	r->rec = rec;
	r->sh = sh;
	r->deadline = (long)cfg->timeout_s * 1000 * RUN_DEADLINE_TIMEOUTS;
	r->env.cfg = cfg;
	r->env.rec = rec;
	r->env.others_pending = others_pending;
	r->env.pending_arg = r;
	r->res = resolver_new(cfg, rec, sh->dns, clock_cb, r);
	if (!r->res) {
		free(r);
		return NULL;
	}
	resolver_start(r->res, mono_ms(r));
	return r;
}

void run_free(struct run *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nsess; i++) {
		if (r->state && r->state[i] == ST_OPEN)
			budget_close(r->sh->budget, order_addr(r, i),
				     run_shared_now(r->sh));
		session_free(r->sess[i]);
	}
	free(r->sess);
	free(r->order);
	free(r->state);
	reach_free(r->reach, mono_ms(r));
	resolver_free(r->res);
	sts_fetch_free(r->fetch);
	free(r);
}

int run_shared_init(struct run_shared *sh, const struct config *cfg, int pauses,
		    char *err, size_t errlen)
{
	memset(sh, 0, sizeof *sh);
	clock_gettime(CLOCK_MONOTONIC, &sh->epoch);
	/* One probe asks a few dozen questions; a batch, many domains'. */
	sh->dns = dns_pool_new(cfg, pauses ? DNS_CACHE_ENTRIES : 256,
			       DNS_CACHE_BYTES, err, errlen);
	if (!sh->dns)
		return -1;
	sh->budget = budget_new(cfg->concurrency, cfg->per_host, pauses);
	if (pauses)
		sh->sts = sts_cache_new();
	if (!sh->budget || (pauses && !sh->sts)) {
		snprintf(err, errlen, "out of memory");
		run_shared_free(sh);
		return -1;
	}
	return 0;
}

void run_shared_free(struct run_shared *sh)
{
	dns_pool_free(sh->dns);
	budget_free(sh->budget);
	sts_cache_free(sh->sts);
	if (sh->ssl_ctx)
		SSL_CTX_free(sh->ssl_ctx);
	memset(sh, 0, sizeof *sh);
}

int run_probe(const struct config *cfg, struct run_record *rec, char *err,
	      size_t errlen)
{
	struct run_shared sh;
	struct pollfd pfds[DNS_SOCKETS_CAP + RUN_POLL_MAX];
	struct run *r;

	if (run_shared_init(&sh, cfg, 0, err, errlen) < 0)
		return -1;
	r = run_new(cfg, rec, &sh);
	if (!r) {
		snprintf(err, errlen, "out of memory");
		run_shared_free(&sh);
		return -1;
	}
	/* The TLS context (OpenSSL's set-up, the CA store) is made while the
	 * first DNS answers are on their way, not before they are asked. */
	sh.ssl_ctx = tls_ctx_new(cfg->ca_file, err, errlen);
	if (!sh.ssl_ctx) {
		run_free(r);
		run_shared_free(&sh);
		return -1;
	}
	while (!run_done(r)) {
		int nd = dns_pool_pollfds(sh.dns, pfds, DNS_SOCKETS_CAP);
		int nr = run_pollfds(r, pfds + nd, RUN_POLL_MAX);
		long t = run_timeout_ms(r), dt = dns_pool_timeout_ms(sh.dns);

		if (dt >= 0 && dt < t)
			t = dt;
		if (poll(pfds, (nfds_t)(nd + nr), (int)t) < 0 && errno != EINTR)
			nd = nr = 0;
		dns_pool_process(sh.dns, pfds, nd);
		run_handle(r, pfds + nd, nr);
	}
	run_free(r);
	run_shared_free(&sh);
	return 0;
}
