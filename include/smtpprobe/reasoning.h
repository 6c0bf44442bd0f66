/*
 * reasoning.h - conclusions drawn across probes (a blocked port, a dead
 * receiver, a broken address family, a blocklisted egress IP, disagreeing
 * MX hosts, greylisting, DNS records to fix). Pure: it reads the annotated
 * record and adds findings; the strongest one rewrites the overall
 * verdict's summary and next step. The verdict's outcome and exit status
 * are never changed here.
 */
#ifndef SMTPPROBE_REASONING_H
#define SMTPPROBE_REASONING_H

#include "smtpprobe/record.h"

/* Called by interpret_record() after the verdicts are decided. */
void reason_about(struct run_record *rec);

/* Replace the overall verdict's summary and next step (and the single
 * port's verdict with them, when only one port was probed). */
void set_overall(struct run_record *rec, const char *summary,
		 const char *remedy);

/* What a host that went silent at this stage never sent ("its greeting",
 * "the reply to EHLO"), for sentences. */
const char *reason_awaited(enum stage st);

/* Append a finding (ignored beyond FINDINGS_MAX). */
void record_finding(struct run_record *rec, enum finding_kind k,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
