/*
 * dnspool.h - one c-ares channel for every run of a process, with the
 * answers kept for the run's lifetime: a question asked twice (by two
 * targets of one domain in a batch, or twice within one probe) goes out
 * once. A question already on its way gets the next asker added as a
 * waiter; an answer already in is handed out from the cache on the next
 * turn of the loop, never from inside dns_pool_send.
 *
 * What is kept: answers, NOERROR (with data or without) and NXDOMAIN,
 * keyed by the question's name (case-insensitive, without a final dot)
 * and type, for at most DNS_CACHE_MAX_AGE_S; not a timeout, a SERVFAIL, a
 * refusal or a cancelled question, which the next asker asks again. The
 * cache holds at most max_entries answers and max_bytes of them; past
 * either, the oldest go first.
 *
 * Every query asks for DNSSEC (AD in the header, DO in the OPT record,
 * which c-ares 1.18 sets neither of).
 */
#ifndef SMTPPROBE_DNSPOOL_H
#define SMTPPROBE_DNSPOOL_H

#include <ares.h>
#include <poll.h>
#include <stddef.h>

#include "smtpprobe/config.h"

/* The default bounds of the answer cache. */
#define DNS_CACHE_ENTRIES 8192
#define DNS_CACHE_BYTES	  (8u * 1024 * 1024)
/* An answer older than this is asked again (a batch of hours should not
 * run on one morning's DNS; TTLs are not read). */
#define DNS_CACHE_MAX_AGE_S 300

struct dns_pool;

/* The channel as the config asks (--dns-server, --timeout); NULL with a
 * one-line reason in err. */
struct dns_pool *dns_pool_new(const struct config *cfg, size_t max_entries,
			      size_t max_bytes, char *err, size_t errlen);
/* Waiters still queued hear ARES_EDESTRUCTION, as from ares_destroy. */
void dns_pool_free(struct dns_pool *p);

/* "127.0.0.53:53, [::1]:53 (system, /etc/resolv.conf)": for a header. */
const char *dns_pool_servers(const struct dns_pool *p);

/* Ask name/type for owner; cb hears the answer exactly once: later, from
 * dns_pool_process or dns_pool_cancel (or at once when the query cannot
 * even be built). */
void dns_pool_send(struct dns_pool *p, const void *owner, const char *name,
		   int type, ares_callback cb, void *arg);

/* Owner gives up: answers already in are delivered now; questions still
 * on their way are answered ARES_ECANCELLED now (they stay asked, for
 * the other waiters and the cache). */
void dns_pool_cancel(struct dns_pool *p, const void *owner);

/* Loop glue: c-ares's sockets; then what poll() saw (n may be 0: timers
 * and the answers due from the cache run anyway). */
int dns_pool_pollfds(struct dns_pool *p, struct pollfd *pfds, int max);
void dns_pool_process(struct dns_pool *p, const struct pollfd *pfds, int n);
/* Milliseconds until the pool needs dns_pool_process; 0 when answers are
 * due from the cache, -1 when idle. */
long dns_pool_timeout_ms(struct dns_pool *p);

/* For tests and the bench: questions that went out on the wire, answers
 * served from the cache or joined to a question in flight. */
struct dns_pool_stats {
	unsigned long sent, cache_hits, joined, evicted;
	size_t entries, bytes;
};
void dns_pool_stats(const struct dns_pool *p, struct dns_pool_stats *out);

#endif
