/*
 * interpreter.h - what a reply or a local failure means, read in context
 * (the stage it answered), and the one verdict of a run. Pure: it reads
 * the code table and the record, and writes annotations into the record.
 */
#ifndef SMTPPROBE_INTERPRETER_H
#define SMTPPROBE_INTERPRETER_H

#include "smtpprobe/codes.h"
#include "smtpprobe/record.h"
#include "smtpprobe/reply.h"
#include "smtpprobe/types.h"

struct interpretation {
	enum reply_class cls;
	enum category category;
	const char *explanation; /* static text, never NULL */
	const char *remediation; /* static text, never NULL */
};

/* A reply received at a stage. */
void interpret_reply(enum stage st, const struct reply *r,
		     struct interpretation *out);
/* A reply with no dialogue context (--explain). */
void interpret_reply_nostage(const struct reply *r, struct interpretation *out);
/* A local failure. */
void interpret_local(enum local_error e, struct interpretation *out);

/* Annotate every step of every probe, then decide the verdicts (one per
 * port, and the overall one with the exit status). */
void interpret_record(struct run_record *rec);

/* The stage a pasted reply answered, as its wrapper names it ("in reply
 * to RCPT TO command"); DATA is one the probe itself never reaches. */
enum explain_stage {
	ES_NONE,
	ES_BANNER,
	ES_EHLO,
	ES_STARTTLS,
	ES_AUTH,
	ES_MAIL,
	ES_RCPT,
	ES_DATA
};

/* "rcpt", "data", ...; NULL for ES_NONE. */
const char *explain_stage_name(enum explain_stage s);

/* --explain ARG (explain.c): a code ("550"), an enhanced code ("5.7.1"),
 * a reply ("550-5.7.26 text", continuation lines joined) as people paste
 * it, with its MTA's wrapper, or text with no code at all. */
struct explanation {
	int code;		      /* 0 when absent */
	char enhanced[ENHANCED_SIZE]; /* "" when absent */
	enum explain_stage stage;     /* from the wrapper, ES_NONE if none */
	struct interpretation in;     /* cls CLASS_NONE when no code at all */
	char *text;		      /* sanitised reply text, or NULL */
	char *recipient;	      /* sanitised, from the wrapper, or NULL */
	char *remote_mta;	      /* sanitised, from the wrapper, or NULL */
};

/* Returns 0, or -1 when the argument holds no code, no enhanced code and
 * no word (empty, or digits and punctuation only). Free with
 * explanation_free() (also after -1; twice is harmless). */
int explain_parse(const char *arg, struct explanation *out);

struct bounce_recipient;
/* One failed recipient of a bounce (bounce.h): its diagnostic read as
 * explain_parse reads a pasted reply, the Status: field standing in for
 * a missing enhanced code, the recipient and remote MTA from the bounce.
 * Returns 0 (a recipient with nothing to read is "unknown", class none);
 * free with explanation_free(). */
int explain_bounce(const struct bounce_recipient *r, struct explanation *out);
void explanation_free(struct explanation *e);

#endif
