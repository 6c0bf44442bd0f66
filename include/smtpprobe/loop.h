/*
 * loop.h - a run: one target resolved, probed and filled into its
 * record, as a machine that a poll() loop drives. The loop may drive one
 * run (run_probe, a single target) or many at once (batch.c); what the
 * runs of one process share is in struct run_shared: the DNS channel and
 * answer cache, the TLS context, the connection budget. No call blocks;
 * every wait is bounded.
 */
#ifndef SMTPPROBE_LOOP_H
#define SMTPPROBE_LOOP_H

#include <openssl/ssl.h>
#include <poll.h>
#include <time.h>

#include "smtpprobe/config.h"
#include "smtpprobe/record.h"

struct dns_pool;
struct budget;
struct sts_cache;

struct run_shared {
	struct dns_pool *dns;
	struct budget *budget;
	SSL_CTX *ssl_ctx;      /* made once; runs only borrow it */
	struct sts_cache *sts; /* a batch's MTA-STS policies; NULL for one */
	struct timespec epoch; /* the budget's clock origin */
};

struct run;

/* The process's monotonic clock in milliseconds since sh->epoch. */
long run_shared_now(const struct run_shared *sh);

/* Start a run for rec (record_init done): its DNS questions go out now.
 * sh->ssl_ctx may still be NULL here, and must be set before the first
 * run_handle after the answers are in. NULL when out of memory. */
struct run *run_new(const struct config *cfg, struct run_record *rec,
		    struct run_shared *sh);
void run_free(struct run *r);

/* The fds this run wants polled (at most run_pollfds_max), then what
 * poll() saw of the same slice; the shared DNS pool runs before. */
int run_pollfds_max(void);
int run_pollfds(struct run *r, struct pollfd *pfds, int max);
void run_handle(struct run *r, const struct pollfd *pfds, int n);
/* Milliseconds until the run needs run_handle without an fd event. */
long run_timeout_ms(struct run *r);
/* The record is complete (elapsed, deadline, identity judged). */
int run_done(const struct run *r);

/* A single target, start to end, in a loop of its own. Returns 0, or -1
 * with a one-line reason in err when the run could not start (e.g. an
 * unreadable CA file). */
int run_probe(const struct config *cfg, struct run_record *rec, char *err,
	      size_t errlen);

/* The shared part for a process: a batch's (hosts that say slow down
 * are paused, MTA-STS policies kept) or one probe's. Returns 0, or
 * -1 with a reason in err; run_shared_free releases what was made. */
int run_shared_init(struct run_shared *sh, const struct config *cfg, int pauses,
		    char *err, size_t errlen);
void run_shared_free(struct run_shared *sh);

#endif
