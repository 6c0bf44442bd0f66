/*
 * report_explain.c - the output of --explain: what a code, an enhanced
 * code or a reply means, with no network involved.
 *
 * Human form:
 *   550 5.1.1 (permanent failure) - mailbox_unknown
 *   Meaning: ...
 *   Remedy:  ...
 *   Who:     the recipient acts - first step   (the category's, always)
 *   Text:    User unknown            (only when a reply text was given)
 *   Stage:   rcpt                    (only what a wrapper or bounce named:
 *   Rcpt:    bob@example.org          the stage, the recipient, the
 *   Host:    mx.example.org           remote MTA)
 *
 * The JSON form is report_json.c's (report_explain_json), with the other
 * JSON document.
 */
#include "smtpprobe/report.h"

#include "smtpprobe/codes.h"

#include <stdlib.h>

/* How a reply class reads to a person. */
static const char *class_words(enum reply_class c)
{
	switch (c) {
	case CLASS_SUCCESS: return "success";
	case CLASS_INTERMEDIATE: return "intermediate, more input expected";
	case CLASS_TRANSIENT: return "temporary failure";
	case CLASS_PERMANENT: return "permanent failure";
	default: return "no class";
	}
}

/* The same colours as outcomes: the class is the verdict of a reply. */
static const char *class_color(enum reply_class c)
{
	switch (c) {
	case CLASS_SUCCESS: return report_color_outcome(OUTCOME_ACCEPTED);
	case CLASS_TRANSIENT: return report_color_outcome(OUTCOME_TEMPFAIL);
	case CLASS_PERMANENT: return report_color_outcome(OUTCOME_REJECTED);
	default: return "";
	}
}

static const char *actor_words(enum codes_actor a)
{
	switch (a) {
	case ACT_NOBODY: return "nobody needs to act";
	case ACT_RECIPIENT: return "the recipient acts";
	case ACT_RECEIVER_ADMIN: return "the receiver's admin acts";
	case ACT_PROVIDER: return "your provider (or whoever runs the IP) acts";
	default: return "you act";
	}
}

static void labelled(FILE *out, const char *label, const char *text)
{
	if (!text || !*text)
		return;
	fputs(label, out);
	report_put_clean(out, text);
	fputc('\n', out);
}

void report_explain(FILE *out, const struct explanation *e, int color)
{
	const char *sgr = class_color(e->in.cls);

	if (e->code)
		fprintf(out, "%d ", e->code);
	else if (!e->enhanced[0])
		fputs("(no code) ", out);
	if (e->enhanced[0]) {
		report_put_clean(out, e->enhanced);
		fputc(' ', out);
	}
	fprintf(out, "(%s%s%s) - %s\n", color && *sgr ? sgr : "",
		class_words(e->in.cls), color && *sgr ? REPORT_SGR_RESET : "",
		category_name(e->in.category));
	labelled(out, "Meaning: ", e->in.explanation);
	labelled(out, "Remedy:  ", e->in.remediation);
	{
		const struct codes_action *a =
		    codes_category_action(e->in.category);

		fprintf(out, "Who:     %s - ", actor_words(a->who));
		report_put_clean(out, a->first_step);
		fputc('\n', out);
	}
	labelled(out, "Text:    ", e->text);
	labelled(out, "Stage:   ", explain_stage_name(e->stage));
	labelled(out, "Rcpt:    ", e->recipient);
	labelled(out, "Host:    ", e->remote_mta);
}
