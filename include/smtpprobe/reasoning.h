/*
 * reasoning.h - conclusions drawn across probes (a blocked port, a dead
 * receiver, a broken address family, a blocklisted egress IP, disagreeing
 * MX hosts, greylisting, DNS records to fix, odd endings, silence,
 * credentials). Pure: it reads the annotated record and adds findings as
 * kinds with parameters; the strongest one becomes the overall verdict's
 * reason. The verdict's outcome and exit status are never changed here,
 * and no words are written: words.c renders them.
 */
#ifndef SMTPPROBE_REASONING_H
#define SMTPPROBE_REASONING_H

#include "smtpprobe/record.h"

/* Called by interpret_record() after the verdicts are decided. */
void reason_about(struct run_record *rec);

/* Append a finding of kind k with its parameters unset (-1, 0, ""), to
 * be filled in; NULL beyond FINDINGS_MAX. */
struct finding *record_finding(struct run_record *rec, enum finding_kind k);

/* Make f the overall verdict's reason (and the single port's verdict's,
 * when only one port was probed). f may be NULL (then nothing). */
void conclude(struct run_record *rec, const struct finding *f);

#endif
