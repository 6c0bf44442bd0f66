/*
 * report.h - render the record: a short summary, a ticket-ready transcript
 * (-v), or one JSON document (--json); and the --explain output. Reporters
 * only read the record; every string from the network in it is already
 * sanitised or is sanitised here before it is written.
 */
#ifndef SMTPPROBE_REPORT_H
#define SMTPPROBE_REPORT_H

#include <stdio.h>

#include "smtpprobe/interpreter.h"
#include "smtpprobe/record.h"
#include "smtpprobe/version.h"

/* The "schema" of the --json report: raised only when a field changes
 * meaning or goes away (2: findings as kinds with parameters, the DNS
 * findings split, verdict.reason). Documents without it are schema 1. */
#define JSON_SCHEMA_VERSION 2

void report_summary(FILE *out, const struct run_record *rec, int color);
void report_transcript(FILE *out, const struct run_record *rec, int color);
/* Returns 0, or -1 when the document could not be built. */
int report_json(FILE *out, const struct run_record *rec);
/* The same document on one line (NDJSON), with "input_line": the batch
 * file's line the target came from. Returns 0, or -1 when it could not
 * be built or written. */
int report_json_line(FILE *out, const struct run_record *rec,
		     unsigned long input_line);

void report_explain(FILE *out, const struct explanation *e, int color);
int report_explain_json(FILE *out, const struct explanation *e);
/* An array of explain objects (a bounce's failed recipients). */
int report_explain_json_list(FILE *out, const struct explanation *list,
			     size_t n);

/*
 * Helpers shared by the report_*.c files (defined in report_summary.c).
 * The record keeps names, notes and certificate fields already sanitised;
 * the reporters check them again on the way out, so a slip anywhere else
 * still cannot put a control character on a terminal or in a ticket.
 */

/* Copy of s, a string the record says is sanitised: unchanged when it is
 * (a second pass would double its backslashes), re-sanitised when it is
 * not. NULL when s is NULL or memory ran out. Free it. */
char *report_clean_dup(const char *s);
/* Write such a string to out, the same way; NULL writes nothing. */
void report_put_clean(FILE *out, const char *s);
/* The findings of the reasoning across probes, as a block (or nothing). */
void report_findings(FILE *out, const struct run_record *rec);
/* The closing block both human outputs share: the deadline notice, the
 * findings, one verdict line per port (and the overall one), the next
 * step. decider: say which probe decided each verdict. */
void report_verdicts(FILE *out, const struct run_record *rec, int color,
		     int decider);
/* The --insecure warning line (nothing when it does not apply). */
void report_insecure_warning(FILE *out, const struct run_record *rec,
			     int color);
/* Write untrusted bytes (a reply line: may hold NUL) sanitised. */
void report_put_raw(FILE *out, const char *s, size_t len);

/* ANSI colour of an outcome word: green for accepted, yellow for a
 * temporary failure, red for rejections and errors, "" for the rest.
 * Colour marks outcomes only, nothing else. */
#define REPORT_SGR_RESET "\033[0m"
const char *report_color_outcome(enum outcome o);
const char *report_color_verdict(enum verdict_outcome v);

#endif
