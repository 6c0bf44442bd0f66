/*
 * resolver.h - the domain's mail hosts through c-ares, non-blocking, in
 * the run's one poll loop: MX (or the -s host), then A and AAAA of every
 * exchange at once. Findings (null MX, implicit MX, CNAME'd, dangling, IP
 * literal or private MX targets) go into rec->dns.
 *
 * c-ares 1.18: sockets are tracked through ARES_OPT_SOCK_STATE_CB; only
 * ares_query is used (never ares_search or a sortlist, so no search
 * domains, no HOSTALIASES); callbacks only record and queue.
 */
#ifndef SMTPPROBE_RESOLVER_H
#define SMTPPROBE_RESOLVER_H

#include <poll.h>

#include "smtpprobe/config.h"
#include "smtpprobe/record.h"

struct resolver;

/* NULL on failure, with a one-line reason in err. */
struct resolver *resolver_new(const struct config *cfg, struct run_record *rec,
			      char *err, size_t errlen);
void resolver_free(struct resolver *r);

/* now: milliseconds since the run started, for the notes. */
void resolver_start(struct resolver *r, long now);
int resolver_done(const struct resolver *r);

/* Loop glue: add c-ares's sockets to pfds (at most max), returning how
 * many; then hand back what poll() saw. */
int resolver_pollfds(struct resolver *r, struct pollfd *pfds, int max);
void resolver_process(struct resolver *r, const struct pollfd *pfds, int n,
		      long now);
/* PTR (then forward) lookups for the egress addresses not yet asked:
 * called while the sessions run, as the addresses become known. */
void resolver_lookup_egress(struct resolver *r, long now);

/* Milliseconds until c-ares needs to run its timers; -1 when idle. */
long resolver_timeout_ms(struct resolver *r);
/* The run's deadline: cancel what is outstanding (counted as timeouts). */
void resolver_abort(struct resolver *r, long now);

#endif
