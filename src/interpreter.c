/*
 * interpreter.c - see interpreter.h.
 *
 * A reply's class comes from its first digit and is never overridden. The
 * category and the words come from the most specific knowledge there is:
 * the server's text (a known pattern), then the enhanced code, then what
 * the code means at that stage (a 554 at the greeting is not a 554 at
 * RCPT), then the bare code.
 */
#include "smtpprobe/interpreter.h"

#include "smtpprobe/policy_sts.h"
#include "smtpprobe/reasoning.h"
#include "smtpprobe/words.h"
#include "smtpprobe/sanitize.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void from_class(enum reply_class cls, struct interpretation *out)
{
	const struct codes_words *w = codes_class_words(cls);

	out->cls = cls;
	out->category = w->category;
	out->explanation = w->explanation;
	out->remediation = w->remedy;
}

/* Keep success and intermediate replies in their own categories. */
static void pin_class(struct interpretation *out)
{
	if (out->cls == CLASS_SUCCESS)
		out->category = CAT_SUCCESS;
	else if (out->cls == CLASS_INTERMEDIATE)
		out->category = CAT_INTERMEDIATE;
}

/* The reply weighed by codes_weigh (codes_table.h's rules), with the
 * stage's rule when there is one. */
static void weigh_reply(const struct reply *r,
			const struct codes_stage_rule *sr,
			struct interpretation *out)
{
	struct weigh_input in = {r->code, r->enhanced, out->cls, NULL, sr};
	struct codes_words w;
	char *text = r->nlines ? reply_join(r) : NULL;

	in.text = text;
	codes_weigh(&in, &w);
	free(text);
	out->category = w.category;
	out->explanation = w.explanation;
	out->remediation = w.remedy;
	pin_class(out);
}

void interpret_reply_nostage(const struct reply *r, struct interpretation *out)
{
	from_class(reply_class_of(r->code), out);
	if (out->cls == CLASS_NONE)
		return;
	weigh_reply(r, NULL, out);
}

void interpret_reply(enum stage st, const struct reply *r,
		     struct interpretation *out)
{
	const struct codes_stage_rule *sr;

	from_class(reply_class_of(r->code), out);
	if (out->cls == CLASS_NONE)
		return;
	sr = codes_closing_rule(st, r->code);
	if (sr) {
		/* The category from the codes; the words from the command
		 * this reply answers. */
		weigh_reply(r, NULL, out);
		if (sr->code && out->cls >= CLASS_TRANSIENT)
			out->category = sr->category;
		out->explanation = sr->explanation;
		out->remediation = sr->remedy;
		return;
	}
	sr = out->cls >= CLASS_TRANSIENT ? codes_stage_rule(st, r->code) : NULL;
	weigh_reply(r, sr, out);
}

void interpret_local(enum local_error e, struct interpretation *out)
{
	const struct local_error_info *li = codes_local(e);

	out->cls = CLASS_NONE;
	if (li) {
		out->category = li->category;
		out->explanation = li->explanation;
		out->remediation = li->remedy;
	} else {
		const struct codes_words *w = codes_step_ok(STAGE__COUNT);
		out->category = w->category;
		out->explanation = w->explanation;
		out->remediation = w->remedy;
	}
}

/* ---- the record ---- */

static void annotate(struct step *s)
{
	struct interpretation in;

	if (s->reply && s->error == LE_NONE)
		interpret_reply(s->stage, s->reply, &in);
	else if (s->error != LE_NONE)
		interpret_local(s->error, &in);
	else if (s->stage == STAGE_CONNECT || s->stage == STAGE_TLS) {
		const struct codes_words *w = codes_step_ok(s->stage);
		in.category = w->category;
		in.explanation = w->explanation;
		in.remediation = w->remedy;
	} else
		return; /* a command that got no reply and no error */
	s->category = in.category;
	s->explanation = in.explanation;
	s->remediation = in.remediation;
}

/* How good a verdict is, for "the best of the ports": delivery first. */
static int verdict_rank(enum verdict_outcome v)
{
	switch (v) {
	case VERDICT_ACCEPTED: return 0;
	case VERDICT_REJECTED: return 1;
	case VERDICT_TEMPFAIL: return 2;
	case VERDICT_PROTOCOL_ERROR: return 3;
	case VERDICT_TLS_ERROR: return 4;
	case VERDICT_UNREACHABLE: return 5;
	case VERDICT_DNS_ERROR: return 6;
	default: return 7;
	}
}

static void verdict_dns(struct run_record *rec, struct verdict *v)
{
	const struct dns_result *d = &rec->dns;

	v->deciding_probe = -1;
	v->error = d->error;
	switch (d->status) {
	case DNS_NXDOMAIN:
	case DNS_NULL_MX:
	case DNS_NODATA: v->outcome = VERDICT_NO_MAIL_HOST; break;
	default: v->outcome = VERDICT_DNS_ERROR; break;
	}
	v->reason = d->status == DNS_NULL_MX ? VR_NULL_MX : VR_DNS;
}

/* No probe at all: every host lacked an address. If a lookup failed
 * (SERVFAIL, timeout) that is a DNS error worth retrying, not proof that
 * there is no mail host. */
static void no_probe_verdict(struct run_record *rec, struct verdict *v)
{
	enum local_error e = LE_NONE;

	for (size_t i = 0; i < rec->dns.nhosts; i++)
		if (rec->dns.hosts[i].addr_error == LE_DNS_SERVFAIL ||
		    rec->dns.hosts[i].addr_error == LE_DNS_TIMEOUT)
			e = rec->dns.hosts[i].addr_error;
	v->deciding_probe = -1;
	v->error = e;
	v->outcome = e != LE_NONE ? VERDICT_DNS_ERROR : VERDICT_NO_MAIL_HOST;
	v->reason = e != LE_NONE ? VR_ADDRESS_LOOKUP : VR_NO_ADDRESS;
}

/* One port's verdict, the way a sending MTA would walk the probes. */
static void verdict_port(struct run_record *rec, int port, struct verdict *v)
{
	const struct probe *decider = NULL, *fallback = NULL;
	enum verdict_outcome fb = VERDICT_UNREACHABLE;

	v->port = port;
	for (size_t i = 0; i < rec->nprobes; i++) {
		const struct probe *p = &rec->probes[i];
		enum verdict_outcome o;

		if (p->port != port)
			continue;
		if (p->outcome == OUTCOME_ACCEPTED ||
		    p->outcome == OUTCOME_REJECTED) {
			decider = p;
			break;
		}
		switch (p->outcome) {
		case OUTCOME_TEMPFAIL: o = VERDICT_TEMPFAIL; break;
		case OUTCOME_PROTOCOL_ERROR: o = VERDICT_PROTOCOL_ERROR; break;
		case OUTCOME_TLS_ERROR: o = VERDICT_TLS_ERROR; break;
		default: o = VERDICT_UNREACHABLE; break;
		}
		if (!fallback || verdict_rank(o) < verdict_rank(fb))
			fallback = p, fb = o;
	}
	if (decider) {
		v->outcome = decider->outcome == OUTCOME_ACCEPTED
				 ? VERDICT_ACCEPTED
				 : VERDICT_REJECTED;
	} else {
		decider = fallback;
		v->outcome = fb;
	}
	if (!decider) {
		no_probe_verdict(rec, v);
		return;
	}
	v->deciding_probe = (int)(decider - rec->probes);
	switch (v->outcome) {
	case VERDICT_ACCEPTED: v->reason = VR_ACCEPTED; break;
	case VERDICT_REJECTED: v->reason = VR_REJECTED; break;
	case VERDICT_TEMPFAIL: v->reason = VR_TEMPFAIL; break;
	case VERDICT_PROTOCOL_ERROR: v->reason = VR_PROTOCOL; break;
	case VERDICT_TLS_ERROR: v->reason = VR_TLS; break;
	default:
		/* Connected, maybe through TLS, then silence: not "could not
		 * be reached". */
		v->reason =
		    decider->connect_ms >= 0 && probe_deciding_step(decider)
			? VR_SILENT
			: VR_UNREACHABLE;
		break;
	}
}

void interpret_record(struct run_record *rec)
{
	const struct config *cfg = rec->cfg;
	int best = -1;

	/* What a sender that honours the domain's MTA-STS policy would not
	 * do, before the verdicts walk the probes. */
	policy_sts_judge(rec);
	for (size_t i = 0; i < rec->nprobes; i++)
		for (size_t k = 0; k < rec->probes[i].nsteps; k++)
			annotate(&rec->probes[i].steps[k]);
	rec->nverdicts = 0;
	if (rec->dns.status != DNS_OK) {
		verdict_dns(rec, &rec->overall);
	} else {
		for (int i = 0; i < cfg->nports; i++) {
			struct verdict *v = &rec->verdicts[rec->nverdicts++];
			verdict_port(rec, cfg->ports[i], v);
			v->exit_status = verdict_exit_status(v->outcome);
			if (best < 0 ||
			    verdict_rank(v->outcome) <
				verdict_rank(rec->verdicts[best].outcome))
				best = i;
		}
		if (best >= 0)
			rec->overall = rec->verdicts[best];
		rec->overall.port = 0;
	}
	rec->overall.exit_status = verdict_exit_status(rec->overall.outcome);
	rec->nfindings = 0;
	reason_about(rec);
	words_render(rec);
}
