/*
 * reach.h - "is port 25 blocked on my side?" without a second run. When
 * every port-25 connect of a run timed out, the same MX addresses are
 * tried at once on 587 and 465, connect only (no SMTP byte is sent),
 * bounded by the same --timeout, in the run's poll loop. A receiver whose
 * submission ports answer while 25 is silent from here points at this
 * network blocking outbound 25; all silent points at the receiver (down,
 * or filtering this sender). The results are rec->checks, never probes.
 */
#ifndef SMTPPROBE_REACH_H
#define SMTPPROBE_REACH_H

#include <poll.h>

#include "smtpprobe/record.h"

/* The ports tried, in order. */
#define REACH_PORT_SUBMISSION  587
#define REACH_PORT_SUBMISSIONS 465

struct reach;

/* Port 25 was silent everywhere: at least one port-25 probe's connect
 * went out, and every one that did timed out before a connection (a
 * DANE deferral, or a connect that failed at once for want of a route
 * or an address family, does not count either way). */
int reach_port25_silent(const struct run_record *rec);

/* Does this run call for the check? Only port 25 was asked, and it was
 * silent everywhere. */
int reach_wanted(const struct run_record *rec);

/* Did a check get an answer, a connection or else a refusal (either
 * proves the host reachable from here)? Its port in *port. */
int reach_answered(const struct run_record *rec, int *port);

/* Fill rec->checks (distinct addresses of the port-25 probes, each on
 * 587 and 465) and start every connect; NULL when out of memory. */
struct reach *reach_start(struct run_record *rec, long now, long timeout_ms);

int reach_pollfds(const struct reach *r, struct pollfd *pfds, int cap);
void reach_process(struct reach *r, const struct pollfd *pfds, int n, long now);
/* Milliseconds until the next connect times out (-1: none pending). */
long reach_timeout_ms(const struct reach *r, long now);
/* Time out what is due; 1 when every check has its result. */
int reach_done(struct reach *r, long now);
/* Close everything; pending checks become timeouts. */
void reach_free(struct reach *r, long now);

#endif
