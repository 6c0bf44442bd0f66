/*
 * report_summary.c - the default output: a few lines a person reads at a
 * glance. The target and the DNS answer (one line per mail host, with its
 * findings), one entry per probe (where it connected, how TLS went, what
 * decided it), one verdict line per port, then the one thing to do next.
 *
 * Also home of the helpers every reporter shares (report.h): the last
 * check that nothing unsanitised reaches the output, and the colours.
 * Colour marks outcome words only, and only when the caller asks for it.
 */
#include "smtpprobe/report.h"

#include <stdlib.h>
#include <string.h>

#include "smtpprobe/policy_dns.h"
#include "smtpprobe/policy_sts.h"
#include "smtpprobe/recipients.h"
#include "smtpprobe/reach.h"
#include "smtpprobe/sanitize.h"

/* How much of a reply's first line the summary shows. */
#define SUMMARY_TEXT_MAX 100

#define SGR_GREEN  "\033[32m"
#define SGR_RED	   "\033[31m"
#define SGR_YELLOW "\033[33m"

/* ---- shared helpers (report.h) ---- */

char *report_clean_dup(const char *s)
{
	size_t len, backslashes = 0;
	char *out;

	if (!s)
		return NULL;
	len = strlen(s);
	out = sanitize_dup(s, len);
	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++)
		backslashes += s[i] == '\\';
	/* Every escape sanitize adds makes the text longer, and only a
	 * backslash is doubled: equal lengths mean s was clean already, and
	 * s itself is what should be shown (its escapes stay single). */
	if (strlen(out) == len + backslashes)
		memcpy(out, s, len + 1);
	return out;
}

void report_put_clean(FILE *out, const char *s)
{
	char *c;

	if (!s)
		return;
	c = report_clean_dup(s);
	fputs(c ? c : "(out of memory)", out);
	free(c);
}

void report_put_raw(FILE *out, const char *s, size_t len)
{
	/* A reply line is at most REPLY_LINE_CAP bytes: the stack holds its
	 * sanitised form; anything longer (a hand-built record) is heaped. */
	char buf[SANITIZE_SIZE(REPLY_LINE_CAP)];
	char *heap;

	if (len <= REPLY_LINE_CAP) {
		sanitize_buf(buf, sizeof buf, s, len);
		fputs(buf, out);
		return;
	}
	heap = sanitize_dup(s, len);
	fputs(heap ? heap : "(out of memory)", out);
	free(heap);
}

const char *report_color_outcome(enum outcome o)
{
	switch (o) {
	case OUTCOME_ACCEPTED: return SGR_GREEN;
	case OUTCOME_TEMPFAIL: return SGR_YELLOW;
	case OUTCOME_REJECTED:
	case OUTCOME_REFUSED:
	case OUTCOME_TIMEOUT:
	case OUTCOME_UNREACHABLE:
	case OUTCOME_TLS_ERROR:
	case OUTCOME_PROTOCOL_ERROR: return SGR_RED;
	default: return "";
	}
}

const char *report_color_verdict(enum verdict_outcome v)
{
	switch (v) {
	case VERDICT_ACCEPTED: return SGR_GREEN;
	case VERDICT_TEMPFAIL: return SGR_YELLOW;
	case VERDICT__COUNT: return "";
	default: return SGR_RED;
	}
}

/* ---- the summary ---- */

static void put_colored(FILE *out, const char *sgr, const char *word, int color)
{
	if (color && *sgr)
		fprintf(out, "%s%s%s", sgr, word, REPORT_SGR_RESET);
	else
		fputs(word, out);
}

static void summary_target(FILE *out, const struct run_record *rec)
{
	const struct probe_target *t = rec->target;

	if (!t)
		return;
	fputs("Target:  ", out);
	report_put_clean(out, t->given);
	if (t->domain[0] && strcmp(t->domain, t->given) != 0) {
		fputs(" (domain ", out);
		report_put_clean(out, t->domain);
		fputc(')', out);
	}
	fputc('\n', out);
}

static void summary_dns_line(FILE *out, const struct dns_result *d)
{
	fprintf(out, "DNS:     %s", dns_status_name(d->status));
	/* The error's name only when it says more than the status. */
	if (d->status != DNS_OK && d->error != LE_NONE &&
	    strcmp(codes_local_name(d->error), dns_status_name(d->status)) != 0)
		fprintf(out, " (%s)", codes_local_name(d->error));
	if (d->implicit_mx)
		fputs(", no MX records: implicit MX, the domain's own address",
		      out);
	else if (d->nhosts > 0 && !(d->hosts[0].flags & MXF_FROM_SERVER))
		fprintf(out, ", %zu MX host%s", d->nhosts,
			d->nhosts == 1 ? "" : "s");
	else if (d->nhosts > 0)
		fputs(", host given with --server", out);
	fprintf(out, " (%ld ms)\n", d->elapsed_ms);
	if (d->flags & DNSF_NULL_MX_MIXED)
		fputs("  !! null MX (\"MX 0 .\") beside other MX records: a "
		      "misconfiguration\n",
		      out);
	if (d->flags & DNSF_MX_CAPPED)
		fprintf(out,
			"  !! %zu MX records, only the %d lowest preferences "
			"kept\n",
			d->mx_total, MX_HOSTS_CAP);
	if (d->flags & DNSF_MALFORMED)
		fputs("  !! a DNS answer was malformed and did not parse\n",
		      out);
}

static void host_flags(FILE *out, const struct mail_host *h)
{
	if (h->flags & MXF_CNAME) {
		fputs("  [CNAME", out);
		if (h->cname) {
			fputs(" to ", out);
			report_put_clean(out, h->cname);
		}
		fputc(']', out);
	}
	if (h->flags & MXF_IP_LITERAL)
		fputs("  [IP literal, not a name]", out);
	if (h->flags & MXF_NO_ADDRESS) {
		fputs("  [no address", out);
		if (h->addr_error != LE_NONE)
			fprintf(out, ": %s", codes_local_name(h->addr_error));
		fputc(']', out);
	}
	if (h->flags & MXF_PRIVATE)
		fputs("  [private/loopback address]", out);
	if (h->flags & MXF_ADDRS_CAPPED)
		fprintf(out, "  [only %d addresses kept]", ADDRS_PER_HOST_CAP);
}

static void summary_host(FILE *out, const struct mail_host *h)
{
	if (h->flags & MXF_FROM_SERVER)
		fputs("  server  ", out);
	else
		fprintf(out, "  MX %-4d ", h->preference);
	report_put_clean(out, h->name ? h->name : "?");
	for (size_t i = 0; i < h->naddrs && i < ADDRS_PER_HOST_CAP; i++) {
		fputs(i == 0 ? "  " : ", ", out);
		report_put_clean(out, h->addrs[i]);
	}
	host_flags(out, h);
	fputc('\n', out);
}

static const char *host_name(const struct run_record *rec,
			     const struct probe *p)
{
	if (p->host < rec->dns.nhosts && rec->dns.hosts[p->host].name)
		return rec->dns.hosts[p->host].name;
	return "?";
}

static void probe_tls(FILE *out, const struct probe *p)
{
	const struct tls_info *t = &p->tls;

	if (p->connect_ms < 0)
		return; /* never connected: TLS is not a question yet */
	if (!t->established) {
		if (t->mode == TLSM_NONE)
			fputs("  TLS: none (cleartext)", out);
		else
			fprintf(out, "  TLS: %s failed",
				tls_mode_name(t->mode));
		return;
	}
	fprintf(out, "  TLS: %s ", tls_mode_name(t->mode));
	report_put_clean(out, t->version);
	fputc(' ', out);
	report_put_clean(out, t->cipher);
	if (t->chain_ok && t->name_ok) {
		fputs(", verified", out);
		return;
	}
	fputs(", NOT verified: ", out);
	if (t->verify_error)
		report_put_clean(out, t->verify_error);
	else
		fputs(!t->chain_ok ? "untrusted chain" : "name mismatch", out);
}

/* The first line of a reply, sanitised and cut at a character boundary;
 * its enhanced code is already shown beside the reply code, so the text
 * starts after it. */
static void put_first_line(FILE *out, const struct reply *r)
{
	char cut[SUMMARY_TEXT_MAX + 1];
	const char *text;
	size_t len, enh = strlen(r->enhanced);
	char *full;

	if (r->nlines == 0)
		return;
	text = r->lines[0].text;
	len = r->lines[0].len;
	if (enh && len >= enh && memcmp(text, r->enhanced, enh) == 0 &&
	    (len == enh || text[enh] == ' ')) {
		text += len == enh ? enh : enh + 1;
		len -= len == enh ? enh : enh + 1;
	}
	full = sanitize_dup(text, len);
	if (!full)
		return;
	fputs(" \"", out);
	if (strlen(full) <= SUMMARY_TEXT_MAX) {
		fputs(full, out);
	} else {
		/* sanitize_buf never splits a character or an escape. */
		sanitize_buf(cut, sizeof cut - 3, text, len);
		fprintf(out, "%s...", cut);
	}
	fputc('"', out);
	free(full);
}

static void summary_step(FILE *out, const struct step *s)
{
	fprintf(out, "      at %s:", stage_name(s->stage));
	if (s->reply && s->reply->code)
		fprintf(out, " %d", s->reply->code);
	if (s->reply && s->reply->enhanced[0])
		fprintf(out, " %s", s->reply->enhanced);
	if (s->error != LE_NONE)
		fprintf(out, " %s", codes_local_name(s->error));
	fprintf(out, " [%s]", category_name(s->category));
	if (s->reply) {
		put_first_line(out, s->reply);
	} else if (s->detail) {
		fputs(" (", out);
		report_put_clean(out, s->detail);
		fputc(')', out);
	}
	fputc('\n', out);
}

/* One line on DANE for a probe whose host has TLSA records that count
 * (or that could not be judged): what a DANE sender found. */
static void probe_dane(FILE *out, const struct run_record *rec,
		       const struct probe *p)
{
	const struct dane_host *d = policy_dane_of(rec, p);
	const struct tls_info *t = &p->tls;

	if (rec->policy.mode == TLSP_OFF || !d)
		return;
	if (d->unvalidated) {
		fputs("      DANE: TLSA records, but the resolver does not "
		      "validate DNSSEC: not judged\n",
		      out);
		return;
	}
	if (!d->applies) {
		if (d->nrecords > 0)
			fprintf(out,
				"      DANE: %s records, DNSSEC %s: not used\n",
				d->status == DANE_UNUSABLE ? "no usable"
							   : "TLSA",
				dnssec_state_name(d->dnssec));
		return;
	}
	switch (policy_probe_dane(rec, p)) {
	case PDANE_MATCHED:
		fprintf(out,
			"      DANE: %d %d %d matched at depth %d, DNSSEC "
			"secure\n",
			t->dane_usage, t->dane_selector, t->dane_matching,
			t->dane_depth);
		break;
	case PDANE_FAILED:
		fprintf(out, "      DANE: FAILED, DNSSEC %s: %s\n",
			dnssec_state_name(d->dnssec),
			d->status == DANE_LOOKUP_ERROR
			    ? "the TLSA lookup failed"
			: t->dane && t->established
			    ? "the certificate matches no TLSA record"
			    : "no TLS, though the host has TLSA records");
		break;
	default:
		fputs("      DANE: usable TLSA records, DNSSEC secure; not "
		      "reached\n",
		      out);
		break;
	}
}

/* One line on MTA-STS for a probe the domain's policy judges. */
static void probe_sts(FILE *out, const struct run_record *rec,
		      const struct probe *p)
{
	enum probe_sts st = policy_sts_probe(rec, p);
	const char *mode = sts_mode_name(rec->policy.sts.policy.mode);

	if (st == PSTS_NOT_APPLICABLE)
		return;
	if (st == PSTS_MATCHED) {
		fprintf(out, "      MTA-STS: listed and verified (mode %s)\n",
			mode);
		return;
	}
	fprintf(out, "      MTA-STS: FAILED (mode %s): %s%s\n", mode,
		st == PSTS_MX_NOT_LISTED  ? "the host is not in the policy"
		: st == PSTS_CERT_INVALID ? "the certificate does not verify"
					  : "no TLS",
		p->policy_failed ? "; what the server answered follows"
		: rec->policy.sts.policy.mode == STS_MODE_TESTING
		    ? "; senders only report it"
		    : "; reported only (--tls-policy report)");
}

/* What the control and catch-all recipients got, a line each: the
 * second opinions on what the target's reply means. */
static void probe_extra_rcpts(FILE *out, const struct run_record *rec,
			      const struct probe *p)
{
	static const enum rcpt_role roles[] = {RCPT_CONTROL, RCPT_CATCH_ALL};

	for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
		int k = recipients_step(p, roles[i]);
		const struct reply *r;

		if (k < 0)
			continue;
		r = p->steps[k].reply;
		fprintf(out, "      %s <",
			roles[i] == RCPT_CONTROL ? "control" : "catch-all");
		report_put_clean(out, recipients_address(rec, roles[i]));
		fprintf(out, ">: %d", r->code);
		if (r->enhanced[0])
			fprintf(out, " %s", r->enhanced);
		fprintf(out, " [%s]\n", category_name(p->steps[k].category));
	}
}

static void summary_probe(FILE *out, const struct run_record *rec, size_t i,
			  int color)
{
	const struct probe *p = &rec->probes[i];
	const struct step *s = probe_shown_step(p);

	fprintf(out, "  #%zu ", i + 1);
	report_put_clean(out, host_name(rec, p));
	fputs(" [", out);
	report_put_clean(out, p->address);
	fprintf(out, "]:%d", p->port);
	if (p->connect_ms >= 0)
		fprintf(out, "  connect %ld ms", p->connect_ms);
	else
		fputs("  not connected", out);
	probe_tls(out, p);
	fputs("  => ", out);
	put_colored(out, report_color_outcome(p->outcome),
		    outcome_name(p->outcome), color);
	fputc('\n', out);
	if (p->flags & PROBEF_CLEARTEXT)
		fputs("      !! WARNING: NO TLS. The dialogue went on in CLEAR "
		      "TEXT; mail to this host would cross the network "
		      "unencrypted.\n",
		      out);
	probe_dane(out, rec, p);
	probe_sts(out, rec, p);
	if (s)
		summary_step(out, s);
	probe_extra_rcpts(out, rec, p);
}

static void verdict_line(FILE *out, const char *label, const struct verdict *v,
			 int color, int decider)
{
	fputs(label, out);
	put_colored(out, report_color_verdict(v->outcome),
		    verdict_outcome_name(v->outcome), color);
	fprintf(out, " (exit status %d)", v->exit_status);
	if (decider && v->deciding_probe >= 0)
		fprintf(out, ", decided by #%d", v->deciding_probe + 1);
	if (v->summary[0]) {
		fputs(" - ", out);
		report_put_clean(out, v->summary);
	}
	fputc('\n', out);
}

void report_verdicts(FILE *out, const struct run_record *rec, int color,
		     int decider)
{
	char label[64];

	if (rec->deadline_hit)
		fputs("!! The run's overall deadline cut some probes short.\n",
		      out);
	report_findings(out, rec);
	for (size_t i = 0; i < rec->nverdicts && i < PORTS_CAP; i++) {
		snprintf(label, sizeof label,
			 "Verdict for port %d: ", rec->verdicts[i].port);
		verdict_line(out, label, &rec->verdicts[i], color, decider);
	}
	/* One port: its line is the whole story. None (DNS failed before
	 * any probe) or several: say what the run as a whole amounts to. */
	if (rec->nverdicts != 1)
		verdict_line(out, rec->nverdicts ? "Overall: " : "Verdict: ",
			     &rec->overall, color, decider);
	fputs("Next step: ", out);
	report_put_clean(out, rec->overall.remediation[0]
				  ? rec->overall.remediation
				  : "none.");
	fputc('\n', out);
}

void report_findings(FILE *out, const struct run_record *rec)
{
	if (rec->nfindings == 0)
		return;
	fputs("Findings:\n", out);
	for (size_t i = 0; i < rec->nfindings && i < FINDINGS_MAX; i++) {
		fprintf(out, "  - [%s] ", finding_name(rec->findings[i].kind));
		report_put_clean(out, rec->findings[i].text);
		fputc('\n', out);
	}
}

void report_insecure_warning(FILE *out, const struct run_record *rec, int color)
{
	if (!rec->cfg || !rec->cfg->insecure || !rec->cfg->auth_user[0])
		return;
	put_colored(out, SGR_RED, "WARNING:", color);
	fputs(" --insecure: your credentials are sent even when the server's "
	      "certificate does not verify\n",
	      out);
}

/* One line on the TLS policies a sender would find: DNSSEC, MTA-STS,
 * TLS-RPT (DANE is per probe, below). */
static void summary_policy(FILE *out, const struct run_record *rec)
{
	static const char *const modes[] = {"enforce", "report", "off"};
	const struct tls_policy *tp = &rec->policy;
	const struct mta_sts_info *m = &tp->sts;

	if (tp->mode == TLSP_OFF || rec->dns.status != DNS_OK)
		return;
	fprintf(out, "Policy:  --tls-policy %s; DNSSEC: %s",
		modes[tp->mode % 3],
		tp->resolver_validates > 0 ? "the resolver validates"
		: tp->resolver_validates == 0
		    ? "your resolver does NOT validate DNSSEC: DANE cannot "
		      "be judged from here (use --dns-server with a "
		      "validating resolver)"
		    : "could not ask whether the resolver validates");
	fprintf(out, "; MTA-STS: %s", mta_sts_status_name(m->status));
	if (m->have_policy)
		fprintf(out, " (mode %s)", sts_mode_name(m->policy.mode));
	else if (m->error) {
		fputs(" (", out);
		report_put_clean(out, m->error);
		fputc(')', out);
	}
	fprintf(out, "; TLS-RPT: %s\n", tls_rpt_status_name(tp->rpt.status));
}

/* Who the receivers saw. */
static void summary_identity(FILE *out, const struct run_record *rec)
{
	if (rec->cfg && rec->cfg->proxy.host[0]) {
		fputs("Proxy:   ", out);
		report_put_clean(out, rec->cfg->proxy.shown);
		fputs(" (SOCKS5; the servers saw the proxy's address)\n", out);
	}
	if (rec->negress == 0)
		return;
	fputs("You:     ", out);
	for (size_t i = 0; i < rec->negress; i++) {
		const struct egress *e = &rec->egress[i];
		fprintf(out, "%s", i ? "; " : "");
		report_put_clean(out, e->address);
		fprintf(out, " (%s), PTR ",
			e->echoed  ? "as a server saw it"
			: e->proxy ? "the proxy's, as it said"
				   : "local");
		report_put_clean(out, e->ptr ? e->ptr
				      : e->ptr_asked
					  ? "none"
					  : "not asked (a private address)");
		if (e->ptr)
			fputs(e->fcrdns == 1   ? " (confirmed)"
			      : e->fcrdns == 0 ? " (does NOT resolve back)"
					       : "",
			      out);
	}
	fputs("; HELO ", out);
	report_put_clean(out, rec->cfg ? rec->cfg->helo : "?");
	fputc('\n', out);
}

/* The connect-only checks on 587 and 465, when port 25 timed out: one
 * line, never a probe. */
static void summary_checks(FILE *out, const struct run_record *rec)
{
	if (rec->nchecks == 0)
		return;
	fputs("Port 25 blocked here? Connect only, no SMTP:", out);
	for (size_t i = 0; i < rec->nchecks; i++) {
		const struct connect_check *c = &rec->checks[i];
		fputs(i ? ", " : " ", out);
		fputc('[', out);
		report_put_clean(out, c->address);
		fprintf(out, "]:%d %s", c->port, check_result_name(c->result));
		if (c->result == CHECK_CONNECTED)
			fprintf(out, " %ld ms", c->connect_ms);
	}
	fputc('\n', out);
}

void report_summary(FILE *out, const struct run_record *rec, int color)
{
	report_insecure_warning(out, rec, color);
	summary_target(out, rec);
	summary_dns_line(out, &rec->dns);
	for (size_t i = 0; i < rec->dns.nhosts && i < MX_HOSTS_CAP; i++)
		summary_host(out, &rec->dns.hosts[i]);
	summary_policy(out, rec);
	summary_identity(out, rec);
	if (rec->nprobes > 0)
		fputs("Probes:\n", out);
	for (size_t i = 0; i < rec->nprobes; i++)
		summary_probe(out, rec, i, color);
	summary_checks(out, rec);
	report_verdicts(out, rec, color, 0);
}
