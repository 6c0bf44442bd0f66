/*
 * report_explain.c - the output of --explain: what a code, an enhanced
 * code or a reply means, with no network involved.
 *
 * Human form:
 *   550 5.1.1 (permanent failure) - mailbox_unknown
 *   Meaning: ...
 *   Remedy:  ...
 *   Text:    User unknown            (only when a reply text was given)
 *
 * JSON form: the one object of smtpprobe-json(5), code and enhanced null when
 * absent, plus "text" (the sanitised reply text, or null).
 */
#include "smtpprobe/report.h"

#include <jansson.h>
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
	if (e->enhanced[0]) {
		report_put_clean(out, e->enhanced);
		fputc(' ', out);
	}
	fprintf(out, "(%s%s%s) - %s\n", color && *sgr ? sgr : "",
		class_words(e->in.cls), color && *sgr ? REPORT_SGR_RESET : "",
		category_name(e->in.category));
	labelled(out, "Meaning: ", e->in.explanation);
	labelled(out, "Remedy:  ", e->in.remediation);
	labelled(out, "Text:    ", e->text);
}

static json_t *jstr(const char *s)
{
	char *c;
	json_t *j;

	if (!s || !*s)
		return json_null();
	c = report_clean_dup(s);
	if (!c)
		return NULL;
	j = json_string(c);
	free(c);
	return j;
}

/* jansson takes v even when this fails (and fails on NULL): one check. */
static int set(json_t *o, const char *key, json_t *v)
{
	return json_object_set_new(o, key, v) < 0;
}

int report_explain_json(FILE *out, const struct explanation *e)
{
	const struct interpretation *in = &e->in;
	json_t *o = json_object();
	int err = !o, rc;

	if (!o)
		return -1;
	err |= set(o, "code", e->code ? json_integer(e->code) : json_null());
	err |= set(o, "enhanced", jstr(e->enhanced));
	err |=
	    set(o, "class",
		in->cls == CLASS_NONE ? json_null()
				      : json_string(reply_class_name(in->cls)));
	err |= set(o, "category", json_string(category_name(in->category)));
	err |= set(o, "explanation", jstr(in->explanation));
	err |= set(o, "remediation", jstr(in->remediation));
	err |= set(o, "text", jstr(e->text));
	if (err) {
		json_decref(o);
		return -1;
	}
	rc = json_dumpf(o, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (rc < 0 || fputc('\n', out) == EOF)
		return -1;
	return 0;
}
