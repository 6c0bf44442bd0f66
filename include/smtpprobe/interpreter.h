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

/* --explain ARG: a code ("550"), an enhanced code ("5.7.1"), or a reply
 * ("550-5.7.26 text", continuation lines joined). */
struct explanation {
	int code;		      /* 0 when absent */
	char enhanced[ENHANCED_SIZE]; /* "" when absent */
	struct interpretation in;
	char *text; /* sanitised reply text, or NULL */
};

/* Returns 0, or -1 when the argument holds neither a code nor an
 * enhanced code. Free with explanation_free(). */
int explain_parse(const char *arg, struct explanation *out);
void explanation_free(struct explanation *e);

#endif
