/*
 * loop.h - the run: one thread, one poll() loop driving c-ares and every
 * session, monotonic deadlines, a cap on connections, a run deadline.
 * No call blocks; every wait is bounded.
 */
#ifndef SMTPPROBE_LOOP_H
#define SMTPPROBE_LOOP_H

#include "smtpprobe/config.h"
#include "smtpprobe/record.h"

/* Resolve, probe, fill rec. Returns 0, or -1 with a one-line reason in
 * err when the run could not start (e.g. an unreadable CA file). */
int run_probe(const struct config *cfg, struct run_record *rec, char *err,
	      size_t errlen);

#endif
