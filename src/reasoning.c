/*
 * reasoning.c - the diagnosis that only comes from comparing probes: a
 * port blocked on this side, a receiver down at its edge, one address
 * family broken, an egress IP on a blocklist, MX hosts that disagree,
 * greylisting, DNS records to fix. Pure: reads the annotated record,
 * writes findings, and for the strongest finding the overall summary and
 * the one next step.
 */
#include "smtpprobe/reasoning.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const finding_names[FIND__COUNT] = {
    [FIND_PORT25_BLOCKED] = "port25_blocked",
    [FIND_ALL_UNREACHABLE] = "all_unreachable",
    [FIND_FAMILY_BROKEN] = "address_family_broken",
    [FIND_EGRESS_LISTED] = "egress_ip_listed",
    [FIND_INCONSISTENT_MX] = "inconsistent_mx",
    [FIND_GREYLISTED] = "greylisted",
    [FIND_DNS_MISCONFIG] = "dns_misconfiguration",
    [FIND_CLEARTEXT] = "no_tls",
    [FIND_TLS_UNVERIFIED] = "tls_unverified",
    [FIND_RETRIED] = "retried",
    [FIND_STARTTLS_REFUSED] = "starttls_refused",
    [FIND_RSET_REFUSED] = "rset_refused",
    [FIND_QUIT_REFUSED] = "quit_refused",
    [FIND_SILENT_AFTER_CONNECT] = "silent_after_connect",
    [FIND_AUTH_WITHHELD] = "credentials_withheld",
    [FIND_INSECURE_AUTH] = "insecure_auth",
};

const char *finding_name(enum finding_kind k)
{
	return (unsigned)k < FIND__COUNT ? finding_names[k] : "?";
}

static void vfinding(struct run_record *rec, enum finding_kind k, int probe,
		     const char *fmt, va_list ap)
{
	struct finding *f;

	if (rec->nfindings >= FINDINGS_MAX)
		return;
	f = &rec->findings[rec->nfindings++];
	f->kind = k;
	f->probe = probe;
	vsnprintf(f->text, sizeof f->text, fmt, ap);
}

void record_finding(struct run_record *rec, enum finding_kind k,
		    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfinding(rec, k, -1, fmt, ap);
	va_end(ap);
}

/* A finding about one probe (its index goes into the JSON). */
static void probe_finding(struct run_record *rec, enum finding_kind k,
			  const struct probe *p, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void probe_finding(struct run_record *rec, enum finding_kind k,
			  const struct probe *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfinding(rec, k, (int)(p - rec->probes), fmt, ap);
	va_end(ap);
}

static void set_verdict_text(struct verdict *v, const char *summary,
			     const char *remedy)
{
	snprintf(v->summary, sizeof v->summary, "%s", summary);
	snprintf(v->remediation, sizeof v->remediation, "%s", remedy);
}

/* With one port, that port's verdict is the overall one: keep them the
 * same words, so every report says the same thing. */
void set_overall(struct run_record *rec, const char *summary,
		 const char *remedy)
{
	set_verdict_text(&rec->overall, summary, remedy);
	if (rec->nverdicts == 1)
		set_verdict_text(&rec->verdicts[0], summary, remedy);
}

/* A finding strong enough to be the verdict's words: record it, and make
 * it the overall summary with its next step. */
static void conclude(struct run_record *rec, enum finding_kind k,
		     const char *summary, const char *remedy)
{
	record_finding(rec, k, "%s", summary);
	set_overall(rec, summary, remedy);
}

static int connected(const struct probe *p)
{
	return p->connect_ms >= 0;
}

static const char *host_name(const struct run_record *rec,
			     const struct probe *p)
{
	return rec->dns.hosts[p->host].name;
}

/* ---- network: blocked port, dead receiver, broken family ---- */

static int other_port_connected(const struct run_record *rec, int port,
				int *which)
{
	for (size_t i = 0; i < rec->nprobes; i++) {
		if (rec->probes[i].port != port && connected(&rec->probes[i])) {
			*which = rec->probes[i].port;
			return 1;
		}
	}
	return 0;
}

/* Port 25 never connected anywhere, by timeouts only. */
static int port25_all_timeouts(const struct run_record *rec, size_t *hosts)
{
	size_t n = 0;

	*hosts = 0;
	for (size_t i = 0; i < rec->nprobes; i++) {
		const struct probe *p = &rec->probes[i];
		if (p->port != PORT_MX)
			continue;
		if (connected(p) || p->outcome != OUTCOME_TIMEOUT)
			return 0;
		n++;
	}
	*hosts = rec->dns.nhosts;
	return n > 0;
}

static int reason_network(struct run_record *rec)
{
	size_t hosts, nconn = 0, nrefused = 0, ntimeout = 0;
	int other;
	char buf[512];

	if (port25_all_timeouts(rec, &hosts) &&
	    other_port_connected(rec, PORT_MX, &other)) {
		snprintf(buf, sizeof buf,
			 "Port 25 timed out on every mail host while port %d "
			 "answered: your network very likely blocks outbound "
			 "port 25, as many ISPs and cloud providers do. Mail "
			 "between servers (MX delivery) only uses port 25.",
			 other);
		conclude(rec, FIND_PORT25_BLOCKED, buf,
			 "Send through your provider's submission server on "
			 "port 587 with authentication, or ask your "
			 "provider to lift the port 25 block; a probe from "
			 "another network confirms it.");
		return 1;
	}
	for (size_t i = 0; i < rec->nprobes; i++) {
		const struct probe *p = &rec->probes[i];
		nconn += connected(p);
		nrefused += p->outcome == OUTCOME_REFUSED;
		ntimeout += p->outcome == OUTCOME_TIMEOUT && !connected(p);
	}
	if (rec->nprobes == 0 || nconn > 0)
		return 0;
	if (ntimeout == rec->nprobes && rec->cfg->nports == 1 &&
	    rec->cfg->ports[0] == PORT_MX) {
		snprintf(buf, sizeof buf,
			 "No mail host answered on port 25 (%zu of %zu "
			 "connection attempts timed out): packets are dropped, "
			 "either by your own network blocking outbound port "
			 "25 (common with ISPs and clouds) or by a firewall "
			 "at the receiver.",
			 ntimeout, rec->nprobes);
		conclude(rec, FIND_ALL_UNREACHABLE, buf,
			 "Run again with -p 25,587: if 587 answers and 25 "
			 "does not, your side blocks port 25; if neither "
			 "does, the receiver is filtered or down.");
		return 1;
	}
	snprintf(buf, sizeof buf,
		 "Every mail host refused or did not answer (%zu refused, "
		 "%zu timed out, %zu other): the receiving service is down or "
		 "filtered at its edge.",
		 nrefused, ntimeout, rec->nprobes - nrefused - ntimeout);
	conclude(rec, FIND_ALL_UNREACHABLE, buf,
		 "Check the receiver's status page or postmaster; if you "
		 "run it, check that the MTA listens on port 25 on every "
		 "MX address and that its firewall lets you in.");
	return 1;
}

static void reason_family(struct run_record *rec)
{
	size_t tried[2] = {0, 0}, ok[2] = {0, 0};

	for (size_t i = 0; i < rec->nprobes; i++) {
		const struct probe *p = &rec->probes[i];
		int f = p->family == AF_INET6;
		tried[f]++;
		ok[f] += connected(p);
	}
	if (!tried[0] || !tried[1])
		return;
	if (ok[0] && !ok[1])
		record_finding(
		    rec, FIND_FAMILY_BROKEN,
		    "IPv6 connections all failed while IPv4 worked: "
		    "the IPv6 path is broken (your routing or "
		    "firewall, or the receiver's). A sending server "
		    "that prefers IPv6 loses time on every message.");
	else if (ok[1] && !ok[0])
		record_finding(rec, FIND_FAMILY_BROKEN,
			       "IPv4 connections all failed while IPv6 worked: "
			       "the IPv4 path is broken (your routing or "
			       "firewall, or the receiver's).");
}

/* ---- replies: blocklists, disagreeing MX hosts, greylisting ---- */

/* The first "[a.b.c.d]" in a reply: the address the server saw. */
static int find_bracketed_ip(const struct reply *r, char *out, size_t n)
{
	for (size_t i = 0; r && i < r->nlines; i++) {
		const char *t = r->lines[i].text;
		for (const char *b = strchr(t, '['); b;
		     b = strchr(b + 1, '[')) {
			const char *e = strchr(b, ']');
			char ip[64];
			unsigned char a[16];
			size_t len;

			if (!e || (len = (size_t)(e - b - 1)) >= sizeof ip)
				continue;
			memcpy(ip, b + 1, len);
			ip[len] = '\0';
			if (inet_pton(AF_INET, ip, a) == 1 ||
			    inet_pton(AF_INET6, ip, a) == 1) {
				snprintf(out, n, "%s", ip);
				return 1;
			}
		}
	}
	return 0;
}

static int seen_ip(const struct run_record *rec, char *out, size_t n)
{
	for (size_t i = 0; i < rec->nprobes; i++) {
		const struct probe *p = &rec->probes[i];
		for (size_t k = 0; k < p->nsteps; k++) {
			const struct step *s = &p->steps[k];
			if ((s->stage == STAGE_EHLO || s->stage == STAGE_HELO ||
			     (int)k == p->deciding_step) &&
			    find_bracketed_ip(s->reply, out, n))
				return 1;
		}
	}
	return 0;
}

static int reason_blocklist(struct run_record *rec)
{
	size_t listed = 0, decided = 0;
	const struct step *example = NULL;
	char ip[64], buf[512];

	for (size_t i = 0; i < rec->nprobes; i++) {
		const struct step *s = probe_deciding_step(&rec->probes[i]);
		if (!connected(&rec->probes[i]) || !s || !s->reply)
			continue;
		decided++;
		if (s->category == CAT_IP_BLOCKLISTED ||
		    s->category == CAT_REPUTATION) {
			listed++;
			if (!example || s->category == CAT_IP_BLOCKLISTED)
				example = s;
		}
	}
	if (listed == 0 || listed != decided)
		return 0;
	if (seen_ip(rec, ip, sizeof ip))
		snprintf(buf, sizeof buf,
			 "Every mail host that answered refused your sending "
			 "IP (%s, as the server saw it) citing a blocklist or "
			 "its reputation: the problem is your egress IP, not "
			 "the mailbox.",
			 ip);
	else
		snprintf(buf, sizeof buf,
			 "Every mail host that answered refused your sending "
			 "IP citing a blocklist or its reputation: the problem "
			 "is your egress IP, not the mailbox.");
	conclude(rec, FIND_EGRESS_LISTED, buf, example->remediation);
	return 1;
}

static int reason_inconsistent(struct run_record *rec)
{
	const struct probe *acc = NULL, *unk = NULL;
	char buf[512];

	for (size_t i = 0; i < rec->nprobes; i++) {
		const struct probe *p = &rec->probes[i];
		const struct step *s = probe_deciding_step(p);

		if (p->outcome == OUTCOME_ACCEPTED && !acc)
			acc = p;
		if (p->outcome == OUTCOME_REJECTED && s && !unk &&
		    s->stage == STAGE_RCPT &&
		    s->category == CAT_MAILBOX_UNKNOWN)
			unk = p;
	}
	if (!acc || !unk || acc->port != unk->port)
		return 0;
	snprintf(buf, sizeof buf,
		 "%s accepts the address but %s rejects it as unknown: the "
		 "receiver's MX hosts disagree (typically a backup MX without "
		 "the recipient list, or a stale host).",
		 host_name(rec, acc), host_name(rec, unk));
	conclude(rec, FIND_INCONSISTENT_MX, buf,
		 "Tell the domain's administrator: every MX host must know "
		 "the same recipients; fix the disagreeing host or remove "
		 "it from the MX records.");
	return 1;
}

static int reason_greylist(struct run_record *rec)
{
	const struct probe *p;
	const struct step *s;

	if (rec->overall.outcome != VERDICT_TEMPFAIL ||
	    rec->overall.deciding_probe < 0)
		return 0;
	p = &rec->probes[rec->overall.deciding_probe];
	s = probe_deciding_step(p);
	if (!s || s->category != CAT_GREYLISTED)
		return 0;
	record_finding(rec, FIND_GREYLISTED,
		       "%s greylists: the first attempt from an unknown "
		       "sender is deferred on purpose, and a sending server "
		       "that retries (after a few minutes) gets through.",
		       host_name(rec, p));
	set_overall(rec,
		    "The receiver greylists: this first attempt was deferred "
		    "on purpose; a real mail server retries and the message "
		    "is delivered after a delay, typically 1 to 15 minutes.",
		    "Nothing is broken. To see the retry pass, run again with "
		    "--retry-greylist 300 (waits and retries once).");
	return 1;
}

/* This run is --retry-greylist's second attempt: say so, and if it was
 * deferred again, say what that means instead of suggesting the retry
 * just made. */
static void reason_retry(struct run_record *rec)
{
	const struct retry_info *r = &rec->retry;
	char summary[512];

	if (!r->retried)
		return;
	record_finding(rec, FIND_RETRIED,
		       "The first attempt (%s) was greylisted by %s; this is "
		       "the retry, %d s later.",
		       r->first_utc, r->host, r->wait_s);
	if (rec->overall.outcome != VERDICT_TEMPFAIL ||
	    rec->overall.deciding_probe < 0)
		return;
	const struct probe *p = &rec->probes[rec->overall.deciding_probe];
	const struct step *s = probe_deciding_step(p);
	if (!s || s->category != CAT_GREYLISTED)
		return;
	snprintf(summary, sizeof summary,
		 "%s greylisted the retry too, %d s after the first attempt: "
		 "its greylisting delay is longer than that. A sending "
		 "server keeps retrying (for days) and gets through.",
		 host_name(rec, p), r->wait_s);
	set_overall(rec, summary,
		    "Nothing is broken. Retry with a longer wait "
		    "(--retry-greylist 900), or let a real mail server's queue "
		    "retry.");
}

/* ---- DNS records to fix, TLS facts ---- */

static void reason_dns(struct run_record *rec)
{
	const struct dns_result *d = &rec->dns;

	if (d->flags & DNSF_NULL_MX_MIXED)
		record_finding(
		    rec, FIND_DNS_MISCONFIG,
		    "%s publishes a null MX (\"MX 0 .\") beside other "
		    "MX records, which RFC 7505 forbids: remove the "
		    "null MX if the domain takes mail, or the other "
		    "records if it does not.",
		    rec->target->domain);
	for (size_t i = 0; i < d->nhosts; i++) {
		const struct mail_host *h = &d->hosts[i];
		if (h->flags & MXF_CNAME)
			record_finding(rec, FIND_DNS_MISCONFIG,
				       "MX %s is an alias (CNAME to %s), which "
				       "RFC 2181 10.3 forbids: point the MX "
				       "record at %s directly.",
				       h->name, h->cname ? h->cname : "?",
				       h->cname ? h->cname : "the target");
		if (h->flags & MXF_IP_LITERAL)
			record_finding(rec, FIND_DNS_MISCONFIG,
				       "An MX record names the address %s "
				       "instead of a host: give that address "
				       "an A/AAAA record under a name and put "
				       "the name in the MX record.",
				       h->name);
		else if (h->flags & MXF_NO_ADDRESS &&
			 h->addr_error == LE_DNS_NO_ADDRESS &&
			 !(h->flags & MXF_FROM_SERVER))
			record_finding(rec, FIND_DNS_MISCONFIG,
				       "MX host %s has no A or AAAA record (a "
				       "dangling MX): add its address records "
				       "or remove it from the MX records.",
				       h->name);
		if (h->flags & MXF_PRIVATE && !(h->flags & MXF_FROM_SERVER))
			record_finding(rec, FIND_DNS_MISCONFIG,
				       "MX host %s resolves to a loopback, "
				       "private or unspecified address, which "
				       "no one on the Internet can reach.",
				       h->name);
	}
}

/* What the reply to the STARTTLS command was, or 0. */
static int starttls_code(const struct probe *p)
{
	for (size_t k = 0; k < p->nsteps; k++)
		if (p->steps[k].stage == STAGE_STARTTLS && p->steps[k].reply)
			return p->steps[k].reply->code;
	return 0;
}

static void reason_tls(struct run_record *rec)
{
	for (size_t i = 0; i < rec->nprobes; i++) {
		const struct probe *p = &rec->probes[i];

		if (p->flags & PROBEF_STARTTLS_REFUSED)
			probe_finding(
			    rec, FIND_STARTTLS_REFUSED, p,
			    "%s [%s]:%d offered STARTTLS and then refused it "
			    "(%d), so mail to it travels in clear text. A "
			    "broken TLS setup looks like this, and so does an "
			    "attacker in the path who strips TLS (a downgrade "
			    "attack): probe it from another network.",
			    host_name(rec, p), p->address, p->port,
			    starttls_code(p));
		else if (p->flags & PROBEF_CLEARTEXT)
			record_finding(
			    rec, FIND_CLEARTEXT,
			    "%s [%s]:%d offers no usable TLS: mail to "
			    "it travels in clear text.",
			    host_name(rec, p), p->address, p->port);
		else if (p->tls.established &&
			 !(p->tls.chain_ok && p->tls.name_ok))
			record_finding(rec, FIND_TLS_UNVERIFIED,
				       "%s [%s]:%d has a certificate that does "
				       "not verify (%s): opportunistic TLS "
				       "still encrypts, but senders enforcing "
				       "MTA-STS or DANE will not deliver.",
				       host_name(rec, p), p->address, p->port,
				       p->tls.verify_error ? p->tls.verify_error
							   : "?");
	}
}

/* ---- what the session itself saw: odd endings, silence, credentials */

static void reason_endings(struct run_record *rec)
{
	for (size_t i = 0; i < rec->nprobes; i++) {
		const struct probe *p = &rec->probes[i];
		const struct step *d = probe_deciding_step(p);

		for (size_t k = 0; k < p->nsteps; k++) {
			const struct step *s = &p->steps[k];
			if (!s->reply ||
			    reply_class_of(s->reply->code) == CLASS_SUCCESS)
				continue;
			if (s->stage == STAGE_RSET)
				probe_finding(
				    rec, FIND_RSET_REFUSED, p,
				    "%s [%s]:%d answered RSET with %d after "
				    "the reply to %s had decided: the verdict "
				    "stands, but a server that refuses RSET "
				    "breaks senders that reuse connections.",
				    host_name(rec, p), p->address, p->port,
				    s->reply->code,
				    d ? stage_name(d->stage) : "?");
			else if (s->stage == STAGE_QUIT)
				probe_finding(
				    rec, FIND_QUIT_REFUSED, p,
				    "%s [%s]:%d answered QUIT with %d "
				    "instead of 221: harmless for "
				    "delivery, but broken.",
				    host_name(rec, p), p->address, p->port,
				    s->reply->code);
		}
	}
}

/* What a connected host never sent: the greeting, or the reply to a
 * command, or the end of the TLS handshake. */
static const char *awaited(enum stage st)
{
	switch (st) {
	case STAGE_BANNER: return "its greeting";
	case STAGE_TLS: return "its part of the TLS handshake";
	case STAGE_EHLO: return "the reply to EHLO";
	case STAGE_HELO: return "the reply to HELO";
	case STAGE_STARTTLS: return "the reply to STARTTLS";
	case STAGE_AUTH: return "the reply to AUTH";
	case STAGE_MAIL: return "the reply to MAIL FROM";
	case STAGE_RCPT: return "the reply to RCPT TO";
	case STAGE_RSET: return "the reply to RSET";
	case STAGE_QUIT: return "the reply to QUIT";
	default: return "a reply";
	}
}

const char *reason_awaited(enum stage st)
{
	return awaited(st);
}

static void reason_silence(struct run_record *rec)
{
	for (size_t i = 0; i < rec->nprobes; i++) {
		const struct probe *p = &rec->probes[i];
		const struct step *s = probe_deciding_step(p);

		if (!connected(p) || p->outcome != OUTCOME_TIMEOUT || !s ||
		    s->error == LE_RUN_DEADLINE)
			continue;
		probe_finding(rec, FIND_SILENT_AFTER_CONNECT, p,
			      "%s [%s]:%d accepted the TCP connection%s, then "
			      "went silent: %s never came within %d s. The "
			      "host is up; its mail service hangs, or "
			      "something in the path holds the session.",
			      host_name(rec, p), p->address, p->port,
			      p->tls.established ? " and completed TLS" : "",
			      awaited(s->stage), rec->cfg->timeout_s);
	}
}

static void reason_credentials(struct run_record *rec)
{
	const struct config *cfg = rec->cfg;
	int decider = rec->overall.deciding_probe, sent_unverified = 0;

	if (!cfg->auth_user[0])
		return;
	for (size_t i = 0; i < rec->nprobes; i++) {
		const struct probe *p = &rec->probes[i];
		const struct step *s = probe_deciding_step(p);
		int auth_sent = 0;

		for (size_t k = 0; k < p->nsteps; k++)
			auth_sent |= p->steps[k].stage == STAGE_AUTH;
		if (auth_sent && p->tls.established &&
		    !(p->tls.chain_ok && p->tls.name_ok))
			sent_unverified++;
		if (p->outcome != OUTCOME_TLS_ERROR || !s ||
		    s->stage != STAGE_TLS || !p->tls.established ||
		    cfg->insecure)
			continue;
		char buf[512];
		snprintf(buf, sizeof buf,
			 "%s [%s]:%d: the certificate does not verify (%s), so "
			 "smtpprobe did not send your credentials: anyone in "
			 "the path who presents any certificate could have "
			 "read them.",
			 host_name(rec, p), p->address, p->port,
			 p->tls.verify_error ? p->tls.verify_error : "?");
		if ((int)i == decider)
			set_overall(
			    rec, buf,
			    "Fix the server's certificate: a chain to a "
			    "trusted CA that names the host you "
			    "connect to. If it is signed by a private "
			    "CA, give that CA with --ca-file. "
			    "--insecure sends the password anyway.");
		probe_finding(rec, FIND_AUTH_WITHHELD, p, "%s", buf);
	}
	if (cfg->insecure)
		record_finding(rec, FIND_INSECURE_AUTH,
			       "WARNING: --insecure: credentials go even over "
			       "a certificate that does not verify; %d "
			       "session%s sent them that way, readable by "
			       "anyone in the path who presents any "
			       "certificate.",
			       sent_unverified,
			       sent_unverified == 1 ? "" : "s");
}

void reason_about(struct run_record *rec)
{
	if (rec->dns.status == DNS_OK) {
		/* At most one finding rewrites the overall verdict text: the
		 * first that applies, strongest first. */
		if (!reason_network(rec) && !reason_blocklist(rec) &&
		    !reason_inconsistent(rec))
			reason_greylist(rec);
		reason_retry(rec);
		reason_family(rec);
	}
	reason_dns(rec);
	reason_tls(rec);
	reason_endings(rec);
	reason_silence(rec);
	reason_credentials(rec);
}
