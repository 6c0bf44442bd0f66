/*
 * batch.h - --batch FILE: every ADDRESS or DOMAIN of a file (or standard
 * input), probed many at once in one poll loop, one NDJSON document per
 * target written and flushed as it finishes (so not in input order:
 * "input_line" says which line it was).
 *
 * The input is read a chunk at a time as targets are wanted (standard
 * input without blocking the loop), never whole. ADDRESS targets of one
 * domain are probed together, up to GROUP_TARGETS_MAX in one group
 * (group.h): one run, one transaction per connection; a DOMAIN target,
 * and a target asked again, goes alone. At most 8 x --concurrency
 * targets, in at most 2 x --concurrency groups, are under way at once; the
 * connections of all of them share one budget
 * (--concurrency in all, --per-host to one address, a host that says slow
 * down paused); their DNS questions share one answer cache.
 * Memory is bounded by the concurrency, not by the length of the list.
 *
 * A line that is no ADDRESS or DOMAIN gets its own document (verdict
 * bad_address, exit_status 65) and the run goes on. Progress goes to
 * stderr when it is a terminal, one line redrawn; nothing otherwise.
 */
#ifndef SMTPPROBE_BATCH_H
#define SMTPPROBE_BATCH_H

#include <stdio.h>

#include "smtpprobe/config.h"

/* Returns the exit status: 0 when every target was probed (whatever the
 * outcomes), 65 when the file cannot be read, 74 when reading it or
 * writing stdout fails (a closed pipe ends the run quietly), 71 when
 * memory runs out. */
int batch_run(const struct config *cfg, FILE *out, FILE *err);

#endif
