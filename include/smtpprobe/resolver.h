/*
 * resolver.h - the domain's mail hosts through c-ares, non-blocking, in
 * the run's one poll loop: MX (or the -s host), then A and AAAA of every
 * exchange at once. Findings (null MX, implicit MX, CNAME'd, dangling, IP
 * literal or private MX targets) go into rec->dns.
 *
 * The channel, its sockets and the answer cache are the pool's
 * (dnspool.h); no search domains, no HOSTALIASES, no sortlist.
 * Callbacks only record and queue.
 */
#ifndef SMTPPROBE_RESOLVER_H
#define SMTPPROBE_RESOLVER_H

#include "smtpprobe/config.h"
#include "smtpprobe/record.h"

struct resolver;
struct dns_pool;

/* A resolver for one run, asking through pool (shared by every run of
 * the process); clock(clock_arg) is the run's clock, in milliseconds
 * since it started, for the notes. NULL when out of memory. */
struct resolver *resolver_new(const struct config *cfg, struct run_record *rec,
			      struct dns_pool *pool, long (*clock)(void *),
			      void *clock_arg);
void resolver_free(struct resolver *r);

/* now: milliseconds since the run started, for the notes. */
void resolver_start(struct resolver *r, long now);
int resolver_done(const struct resolver *r);

/* After the pool has run: when every answer is in, merge them (once). */
void resolver_update(struct resolver *r, long now);
/* PTR (then forward) lookups for the egress addresses not yet asked:
 * called while the sessions run, as the addresses become known. */
void resolver_lookup_egress(struct resolver *r, long now);

/* The run's deadline: what is outstanding is answered ARES_ECANCELLED
 * (counted as timeouts). */
void resolver_abort(struct resolver *r, long now);

#endif
