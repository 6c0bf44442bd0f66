/*
 * report_transcript.c - the -v transcript, written to be pasted into a
 * support ticket as it is (smtpprobe(1), TRANSCRIPT).
 *
 * A header (version, command line without secrets, UTC date, resolvers, a
 * legend and the list of probes), then one line per event in time order:
 *
 *   [+0.031s] #1   clr S: 220 mx1.example.test ESMTP
 *                      => [success] The service is ready: ...
 *   [+0.031s] #1   clr C: EHLO probe.example.test
 *   [+0.078s] #1       * TLS established: TLSv1.3, TLS_AES_256_GCM_SHA384
 *
 * time since start; the probe (#N, or "--" for DNS and the run); how the
 * line travelled ("clr" in clear, "tls" inside TLS; blank for our own
 * notes, which travel nowhere); then "C:" for what we sent, "S:" for what
 * the server sent (one transcript line per received line, whatever the
 * line holds) or "*" for a note. The interpretation of a step follows it,
 * indented and without a time, so it cannot be mistaken for traffic.
 *
 * A reply is annotated right after its last line. A step that failed
 * locally (refused, timed out, handshake failed, data injected after a
 * reply) is annotated right after the note that reports the failure,
 * found by time (see find_anchor), so the reader finds the explanation
 * beside the line it explains, in time order, rather than in a separate
 * list to match up by hand. A failure with no event to hang on (a probe
 * that left no line) goes to a block after the events: no finding is
 * ever dropped.
 */
#include "smtpprobe/report.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Width of "[+0.031s] #1   clr ": annotations start under "C:"/"S:". */
#define ANNOT_INDENT "                   "

/* A step that failed locally, and the event it is annotated after. */
struct anchor {
	size_t event; /* index into rec->events; SIZE_MAX: none */
	size_t probe;
	size_t step;
};

struct anchors {
	size_t n;
	struct anchor *v;
};

/* ---- header ---- */

static void header_field(FILE *out, const char *label, const char *value)
{
	fprintf(out, "%-11s", label);
	report_put_clean(out, value && *value ? value : "(unknown)");
	fputc('\n', out);
}

static void header_probes(FILE *out, const struct run_record *rec)
{
	for (size_t i = 0; i < rec->nprobes; i++) {
		const struct probe *p = &rec->probes[i];
		const char *host = "?";

		if (p->host < rec->dns.nhosts && rec->dns.hosts[p->host].name)
			host = rec->dns.hosts[p->host].name;
		fprintf(out, "%-11s#%zu ", i == 0 ? "Probes:" : "", i + 1);
		report_put_clean(out, host);
		fputs(" [", out);
		report_put_clean(out, p->address);
		fprintf(out, "]:%d\n", p->port);
	}
}

static void header(FILE *out, const struct run_record *rec)
{
	const struct config *cfg = rec->cfg;

	fputs("smtpprobe " SMTPPROBE_VERSION "\n", out);
	report_insecure_warning(out, rec, 0);
	header_field(out, "Command:", cfg ? cfg->cmdline : NULL);
	header_field(out, "Date:", rec->started_utc);
	header_field(out, "Resolvers:", rec->resolvers);
	if (cfg && cfg->proxy.host[0])
		header_field(out, "Proxy:", cfg->proxy.shown);
	fputs("Legend:    C: sent by smtpprobe, S: sent by the server, "
	      "* smtpprobe's own note,\n"
	      "           => what a reply or failure means (indented); "
	      "clr = in clear, tls = inside TLS;\n"
	      "           #N = probe N, -- = DNS and the run; "
	      "server text is escaped (\\x1b, \\u{202E}, \\\\).\n",
	      out);
	header_probes(out, rec);
	fputc('\n', out);
}

/* ---- events ---- */

static void event_prefix(FILE *out, const struct event *e, int marker)
{
	long t = e->t_ms < 0 ? 0 : e->t_ms;
	char tag[16];

	if (e->probe >= 0)
		snprintf(tag, sizeof tag, "#%d", e->probe + 1);
	else
		snprintf(tag, sizeof tag, "--");
	fprintf(out, "[+%ld.%03lds] %-4s %s ", t / 1000, t % 1000, tag,
		marker ? (e->tls ? "tls" : "clr") : "   ");
}

static const struct step *event_step(const struct run_record *rec,
				     const struct event *e)
{
	const struct probe *p;

	if (e->probe < 0 || (size_t)e->probe >= rec->nprobes)
		return NULL;
	p = &rec->probes[e->probe];
	if (e->step < 0 || (size_t)e->step >= p->nsteps)
		return NULL;
	return &p->steps[e->step];
}

static void reply_flag_notes(FILE *out, const struct reply *r)
{
	static const struct {
		unsigned flag;
		const char *text;
	} notes[] = {
	    {REPLY_F_LONG_LINE, "a line is longer than RFC 5321's 512 "
				"octets (accepted, but out of spec)"},
	    {REPLY_F_BARE_LF, "a line ended in a bare LF instead of CRLF"},
	    {REPLY_F_NUL, "the reply holds a NUL byte (shown as \\x00)"},
	    {REPLY_F_ENH_IGNORED, "the enhanced status code is malformed "
				  "or of another class; ignored"},
	};

	for (size_t i = 0; i < sizeof notes / sizeof notes[0]; i++)
		if (r->flags & notes[i].flag)
			fprintf(out, ANNOT_INDENT "!! %s\n", notes[i].text);
}

/* One transcript line per received line: a line's text never holds a
 * line end once sanitised, so a server cannot fake lines of its own. */
static void print_reply(FILE *out, const struct event *e, const struct reply *r)
{
	if (r->nlines == 0) {
		event_prefix(out, e, 1);
		if (r->code)
			fprintf(out, "S: %d (no complete line)\n", r->code);
		else
			fputs("S: (no complete line)\n", out);
	}
	for (size_t i = 0; i < r->nlines; i++) {
		int last = i + 1 == r->nlines;

		event_prefix(out, e, 1);
		fputs("S: ", out);
		/* Code 0: the line did not parse; its text is the raw line. */
		if (r->code)
			fprintf(out, "%d%c", r->code, last ? ' ' : '-');
		report_put_raw(out, r->lines[i].text, r->lines[i].len);
		fputc('\n', out);
	}
	reply_flag_notes(out, r);
}

/* shown: the text of the note just printed, if any; a detail it already
 * holds is not repeated. */
static void annotate(FILE *out, const struct probe *p, size_t si,
		     const char *shown)
{
	const struct step *s = &p->steps[si];

	if (!s->explanation && s->error == LE_NONE)
		return; /* not interpreted: nothing to add */
	fprintf(out, ANNOT_INDENT "=> [%s] ", category_name(s->category));
	if (s->error != LE_NONE)
		fprintf(out, "%s: ", codes_local_name(s->error));
	report_put_clean(out, s->explanation ? s->explanation : "");
	fputc('\n', out);
	if (s->detail && !(shown && strstr(shown, s->detail))) {
		fputs(ANNOT_INDENT "   Detail: ", out);
		report_put_clean(out, s->detail);
		fputc('\n', out);
	}
	/* A success needs no remedy; anything else always gets one. */
	if (s->remediation && *s->remediation && s->category != CAT_SUCCESS &&
	    s->category != CAT_INTERMEDIATE) {
		fputs(ANNOT_INDENT "   Remedy: ", out);
		report_put_clean(out, s->remediation);
		fputc('\n', out);
	}
	if (p->deciding_step >= 0 && (size_t)p->deciding_step == si)
		fprintf(out, ANNOT_INDENT "   This decided the probe: %s\n",
			outcome_name(p->outcome));
}

static void print_event(FILE *out, const struct run_record *rec,
			const struct event *e)
{
	const struct step *s = event_step(rec, e);

	switch (e->kind) {
	case EV_NOTE:
		event_prefix(out, e, 0);
		fputs("* ", out);
		report_put_clean(out, e->text ? e->text : "");
		fputc('\n', out);
		return;
	case EV_SENT:
		event_prefix(out, e, 1);
		fputs("C: ", out);
		report_put_clean(out, e->text ? e->text : s ? s->sent : "");
		fputc('\n', out);
		return;
	case EV_REPLY:
		if (s && s->reply) {
			print_reply(out, e, s->reply);
			/* A failed step is annotated at its anchor. */
			if (s->error == LE_NONE)
				annotate(out, &rec->probes[e->probe],
					 (size_t)e->step, NULL);
		} else {
			event_prefix(out, e, 1);
			fputs("S: (reply missing from the record)\n", out);
		}
		return;
	}
}

/* ---- anchoring failures that have no reply ---- */

/* Index of the EV_REPLY event of step si of probe pi, or SIZE_MAX. */
static size_t reply_event(const struct run_record *rec, size_t pi, size_t si)
{
	for (size_t i = 0; i < rec->nevents; i++) {
		const struct event *e = &rec->events[i];

		if (e->kind == EV_REPLY && e->probe == (int)pi &&
		    e->step == (int)si)
			return i;
	}
	return SIZE_MAX;
}

/*
 * Where a failed step is annotated. The session reports a failure with a
 * note stamped at the step's reply_ms, after the reply if there was one,
 * and may add notes of its own at the same instant ("connection closed"):
 * so the first such note is the one. Failing that, the last event of the
 * probe up to that time; failing that, none (the end block).
 */
static size_t find_anchor(const struct run_record *rec, size_t pi, size_t si)
{
	const struct step *s = &rec->probes[pi].steps[si];
	size_t from = 0, found = SIZE_MAX;

	/* The session links the note that reported the failure. */
	if (s->event >= 0 && (size_t)s->event < rec->nevents)
		return (size_t)s->event;
	if (s->reply) {
		found = reply_event(rec, pi, si);
		from = found == SIZE_MAX ? 0 : found + 1;
	}
	for (size_t i = from; s->reply_ms >= 0 && i < rec->nevents; i++) {
		const struct event *e = &rec->events[i];

		if (e->kind == EV_NOTE && e->probe == (int)pi &&
		    e->t_ms == s->reply_ms)
			return i;
	}
	if (found != SIZE_MAX)
		return found;
	/* No early exit: a late append must not hide an anchor. */
	for (size_t i = 0; i < rec->nevents; i++) {
		const struct event *e = &rec->events[i];

		if (e->probe == (int)pi &&
		    (s->reply_ms < 0 || e->t_ms <= s->reply_ms))
			found = i;
	}
	return found;
}

static int collect_anchors(const struct run_record *rec, struct anchors *a)
{
	size_t cap = 0;

	a->n = 0;
	a->v = NULL;
	for (size_t pi = 0; pi < rec->nprobes; pi++) {
		const struct probe *p = &rec->probes[pi];

		for (size_t si = 0; si < p->nsteps; si++) {
			if (p->steps[si].error == LE_NONE)
				continue;
			if (a->n == cap) {
				size_t nc = cap ? cap * 2 : 16;
				struct anchor *nv =
				    realloc(a->v, nc * sizeof *nv);

				if (!nv)
					return -1;
				a->v = nv;
				cap = nc;
			}
			a->v[a->n].event = find_anchor(rec, pi, si);
			a->v[a->n].probe = pi;
			a->v[a->n].step = si;
			a->n++;
		}
	}
	return 0;
}

static void annotate_anchored(FILE *out, const struct run_record *rec,
			      const struct anchors *a, size_t event)
{
	const struct event *e = &rec->events[event];

	for (size_t i = 0; i < a->n; i++)
		if (a->v[i].event == event)
			annotate(out, &rec->probes[a->v[i].probe], a->v[i].step,
				 e->kind == EV_NOTE ? e->text : NULL);
}

static void unanchored(FILE *out, const struct run_record *rec,
		       const struct anchors *a)
{
	int any = 0;

	for (size_t i = 0; i < a->n; i++) {
		const struct probe *p = &rec->probes[a->v[i].probe];
		const struct step *s = &p->steps[a->v[i].step];

		if (a->v[i].event != SIZE_MAX)
			continue;
		if (!any)
			fputs("\nFindings with no transcript line:\n", out);
		any = 1;
		fprintf(out, "#%zu at %s:\n", a->v[i].probe + 1,
			stage_name(s->stage));
		annotate(out, p, a->v[i].step, NULL);
	}
}

/* ---- verdicts ---- */

static void verdicts(FILE *out, const struct run_record *rec, int color)
{
	fputc('\n', out);
	report_verdicts(out, rec, color, 1);
	fprintf(out, "Elapsed: %ld.%03lds\n", rec->elapsed_ms / 1000,
		rec->elapsed_ms % 1000);
}

void report_transcript(FILE *out, const struct run_record *rec, int color)
{
	struct anchors a;
	int ok = collect_anchors(rec, &a) == 0;

	header(out, rec);
	for (size_t i = 0; i < rec->nevents; i++) {
		print_event(out, rec, &rec->events[i]);
		if (ok)
			annotate_anchored(out, rec, &a, i);
	}
	if (ok)
		unanchored(out, rec, &a);
	else
		fputs("\n!! out of memory: local failures are not annotated "
		      "above\n",
		      out);
	verdicts(out, rec, color);
	free(a.v);
}
