/*
 * words.h - the one place where a verdict's and a finding's kinds and
 * parameters become sentences. interpret_record() calls words_render()
 * last; the summary, the transcript and the JSON then print the same
 * rendered words. Host names, addresses and certificate errors come from
 * the record, where they are sanitised already.
 */
#ifndef SMTPPROBE_WORDS_H
#define SMTPPROBE_WORDS_H

#include "smtpprobe/record.h"

/* Fill every verdict's summary and remediation, and every finding's text
 * and remediation, from their kinds and parameters. */
void words_render(struct run_record *rec);

#endif
