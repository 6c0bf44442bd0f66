/*
 * reasoning.c - the diagnosis that only comes from comparing probes: a
 * port blocked on this side, a receiver down at its edge, one address
 * family broken, an egress IP on a blocklist, MX hosts that disagree,
 * greylisting, DNS records to fix, odd endings, silence, credentials.
 * Pure: reads the annotated record and writes findings as kinds and
 * parameters; the strongest finding becomes the overall verdict's reason.
 * Not one sentence here: words.c renders every finding and verdict.
 */
#include "smtpprobe/reasoning.h"

#include "smtpprobe/dns_answer.h"
#include "smtpprobe/policy_dns.h"
#include "smtpprobe/policy_sts.h"
#include "smtpprobe/reach.h"
#include "smtpprobe/recipients.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const finding_names[FIND__COUNT] = {
    [FIND_PORT25_BLOCKED] = "port25_blocked",
    [FIND_ALL_UNREACHABLE] = "all_unreachable",
    [FIND_FAMILY_BROKEN] = "address_family_broken",
    [FIND_EGRESS_LISTED] = "egress_ip_listed",
    [FIND_INCONSISTENT_MX] = "inconsistent_mx",
    [FIND_GREYLISTED] = "greylisted",
    [FIND_NULL_MX_MIXED] = "null_mx_mixed",
    [FIND_MX_CNAME] = "mx_cname",
    [FIND_MX_IP_LITERAL] = "mx_ip_literal",
    [FIND_MX_DANGLING] = "mx_dangling",
    [FIND_MX_PRIVATE] = "mx_private_address",
    [FIND_CLEARTEXT] = "no_tls",
    [FIND_TLS_UNVERIFIED] = "tls_unverified",
    [FIND_RETRIED] = "retried",
    [FIND_STARTTLS_REFUSED] = "starttls_refused",
    [FIND_RSET_REFUSED] = "rset_refused",
    [FIND_QUIT_REFUSED] = "quit_refused",
    [FIND_SILENT_AFTER_CONNECT] = "silent_after_connect",
    [FIND_AUTH_WITHHELD] = "credentials_withheld",
    [FIND_INSECURE_AUTH] = "insecure_auth",
    [FIND_DANE_MISMATCH] = "dane_mismatch",
    [FIND_DANE_NO_STARTTLS] = "dane_no_starttls",
    [FIND_DANE_UNVALIDATED] = "dane_unvalidated",
    [FIND_DANE_LOOKUP_ERROR] = "dane_lookup_error",
    [FIND_DANE_UNUSABLE] = "dane_unusable",
    [FIND_DANE_NO_ROLLOVER] = "dane_no_rollover",
    [FIND_STS_MX_NOT_LISTED] = "mta_sts_mx_not_listed",
    [FIND_STS_CERT_INVALID] = "mta_sts_cert_invalid",
    [FIND_STS_NO_TLS] = "mta_sts_no_tls",
    [FIND_STS_INVALID] = "mta_sts_invalid",
    [FIND_STS_FETCH_ERROR] = "mta_sts_fetch_error",
    [FIND_TLSRPT_MISSING] = "tls_rpt_missing",
    [FIND_TLSRPT_INVALID] = "tls_rpt_invalid",
    [FIND_EGRESS_NO_PTR] = "egress_no_ptr",
    [FIND_EGRESS_FCRDNS] = "egress_fcrdns_mismatch",
    [FIND_HELO_NOT_FQDN] = "helo_not_fqdn",
    [FIND_HELO_UNRESOLVED] = "helo_unresolved",
    [FIND_HELO_MISMATCH] = "helo_mismatch",
    [FIND_DNSBL_LISTED] = "egress_listed",
    [FIND_REJECTS_EVERYONE] = "rejects_everyone",
    [FIND_POSTMASTER_REFUSED] = "postmaster_refused",
    [FIND_CATCH_ALL] = "catch_all",
    [FIND_CATCH_ALL_SKIPPED] = "catch_all_skipped",
    [FIND_PROXY_FAILED] = "proxy_failed",
};

const char *finding_name(enum finding_kind k)
{
	return (unsigned)k < FIND__COUNT ? finding_names[k] : "?";
}

struct finding *record_finding(struct run_record *rec, enum finding_kind k)
{
	struct finding *f;

	if (rec->nfindings >= FINDINGS_MAX)
		return NULL;
	f = &rec->findings[rec->nfindings++];
	memset(f, 0, sizeof *f);
	f->kind = k;
	f->probe = f->other_probe = f->host = f->step = f->step2 = f->dane =
	    f->zone = -1;
	return f;
}

/* A finding about one probe. */
static struct finding *probe_finding(struct run_record *rec,
				     enum finding_kind k, const struct probe *p)
{
	struct finding *f = record_finding(rec, k);

	if (f) {
		f->probe = (int)(p - rec->probes);
		f->host = (int)p->host;
	}
	return f;
}

/* With one port, that port's verdict is the overall one: keep them the
 * same, so every report says the same thing. */
static void conclude_verdict(struct verdict *v, int finding)
{
	v->reason = VR_FINDING;
	v->finding = finding;
}

void conclude(struct run_record *rec, const struct finding *f)
{
	int i;

	if (!f)
		return;
	i = (int)(f - rec->findings);
	conclude_verdict(&rec->overall, i);
	if (rec->nverdicts == 1)
		conclude_verdict(&rec->verdicts[0], i);
}

static int connected(const struct probe *p)
{
	return p->connect_ms >= 0;
}

/* The probe tried to connect (a DANE sender defers some hosts without
 * trying: those say nothing about the network). */
static int tried_connect(const struct probe *p)
{
	return !(p->nsteps > 0 && p->steps[0].error == LE_DNS_TLSA_LOOKUP);
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

static int reason_network(struct run_record *rec)
{
	size_t nconn = 0, nrefused = 0, ntimeout = 0;
	int other;
	struct finding *f;

	if (reach_port25_silent(rec) &&
	    (other_port_connected(rec, PORT_MX, &other) ||
	     reach_answered(rec, &other))) {
		f = record_finding(rec, FIND_PORT25_BLOCKED);
		if (f)
			f->port = other;
		conclude(rec, f);
		return 1;
	}
	size_t ntried = 0;
	for (size_t i = 0; i < rec->nprobes; i++) {
		const struct probe *p = &rec->probes[i];
		ntried += tried_connect(p);
		nconn += connected(p);
		nrefused += p->outcome == OUTCOME_REFUSED;
		ntimeout += p->outcome == OUTCOME_TIMEOUT && !connected(p);
	}
	if (rec->nprobes == 0 || ntried < rec->nprobes || nconn > 0)
		return 0;
	f = record_finding(rec, FIND_ALL_UNREACHABLE);
	if (f) {
		f->refused = nrefused;
		f->timed_out = ntimeout;
		f->other = rec->nprobes - nrefused - ntimeout;
		/* Every attempt dropped, and port 25 the only one tried:
		 * this side's block is as likely as the receiver's. */
		if (ntimeout == rec->nprobes && rec->cfg->nports == 1 &&
		    rec->cfg->ports[0] == PORT_MX)
			f->port = PORT_MX;
	}
	conclude(rec, f);
	return 1;
}

/* ---- the proxy ---- */

/* Every probe ended at the --proxy itself (category proxy: the login,
 * its rules, its reachability): the mail hosts were never asked, and
 * the network reasoning below would blame them, or this host's port 25,
 * for what the proxy did. */
static int reason_proxy(struct run_record *rec)
{
	struct finding *f;
	int first = -1;

	if (!rec->cfg || !rec->cfg->proxy.host[0] || rec->nprobes == 0)
		return 0;
	for (size_t i = 0; i < rec->nprobes; i++) {
		const struct probe *p = &rec->probes[i];
		const struct step *s = p->nsteps > 0 ? &p->steps[0] : NULL;
		const struct local_error_info *li =
		    s ? codes_local(s->error) : NULL;

		if (!tried_connect(p))
			continue;
		if (connected(p) || !li || li->category != CAT_PROXY)
			return 0;
		if (first < 0)
			first = (int)i;
	}
	if (first < 0)
		return 0;
	f = probe_finding(rec, FIND_PROXY_FAILED, &rec->probes[first]);
	if (f)
		f->step = 0;
	conclude(rec, f);
	return 1;
}

static void reason_family(struct run_record *rec)
{
	size_t tried[2] = {0, 0}, ok[2] = {0, 0};
	struct finding *f;

	for (size_t i = 0; i < rec->nprobes; i++) {
		const struct probe *p = &rec->probes[i];
		int fam = p->family == AF_INET6;
		if (!tried_connect(p))
			continue;
		tried[fam]++;
		ok[fam] += connected(p);
	}
	if (!tried[0] || !tried[1])
		return;
	if ((ok[0] && !ok[1]) || (ok[1] && !ok[0])) {
		f = record_finding(rec, FIND_FAMILY_BROKEN);
		if (f)
			f->family = ok[0] ? 6 : 4;
	}
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
	int example = -1;
	struct finding *f;

	for (size_t i = 0; i < rec->nprobes; i++) {
		const struct step *s = probe_deciding_step(&rec->probes[i]);
		if (!connected(&rec->probes[i]) || !s || !s->reply)
			continue;
		decided++;
		if (s->category == CAT_IP_BLOCKLISTED ||
		    s->category == CAT_REPUTATION) {
			listed++;
			if (example < 0 || s->category == CAT_IP_BLOCKLISTED)
				example = (int)i;
		}
	}
	if (listed == 0 || listed != decided)
		return 0;
	f = probe_finding(rec, FIND_EGRESS_LISTED, &rec->probes[example]);
	if (f) {
		f->step = rec->probes[example].deciding_step;
		seen_ip(rec, f->address, sizeof f->address);
	}
	conclude(rec, f);
	return 1;
}

static int reason_inconsistent(struct run_record *rec)
{
	const struct probe *acc = NULL, *unk = NULL;
	struct finding *f;

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
	f = probe_finding(rec, FIND_INCONSISTENT_MX, acc);
	if (f)
		f->other_probe = (int)(unk - rec->probes);
	conclude(rec, f);
	return 1;
}

/* The overall verdict is a greylisting deferral: its probe, or NULL. */
static const struct probe *greylisted_probe(const struct run_record *rec)
{
	const struct probe *p;
	const struct step *s;

	if (rec->overall.outcome != VERDICT_TEMPFAIL ||
	    rec->overall.deciding_probe < 0)
		return NULL;
	p = &rec->probes[rec->overall.deciding_probe];
	s = probe_deciding_step(p);
	return s && s->category == CAT_GREYLISTED ? p : NULL;
}

/* Greylisted: on purpose, and a retry passes. On --retry-greylist's
 * second attempt, seconds says how long after the first it came. */
static int reason_greylist(struct run_record *rec)
{
	const struct probe *p = greylisted_probe(rec);
	struct finding *f;

	if (!p)
		return 0;
	f = probe_finding(rec, FIND_GREYLISTED, p);
	if (f)
		f->seconds = rec->retry.retried ? rec->retry.wait_s : 0;
	conclude(rec, f);
	return 1;
}

/* This run is --retry-greylist's second attempt. */
static void reason_retry(struct run_record *rec)
{
	struct finding *f;

	if (!rec->retry.retried)
		return;
	f = record_finding(rec, FIND_RETRIED);
	if (f)
		f->seconds = rec->retry.wait_s;
}

/* ---- DNS records to fix, TLS facts ---- */

static void host_finding(struct run_record *rec, enum finding_kind k, size_t h)
{
	struct finding *f = record_finding(rec, k);

	if (f)
		f->host = (int)h;
}

static void reason_dns(struct run_record *rec)
{
	const struct dns_result *d = &rec->dns;

	if (d->flags & DNSF_NULL_MX_MIXED)
		record_finding(rec, FIND_NULL_MX_MIXED);
	for (size_t i = 0; i < d->nhosts; i++) {
		const struct mail_host *h = &d->hosts[i];
		if (h->flags & MXF_CNAME)
			host_finding(rec, FIND_MX_CNAME, i);
		if (h->flags & MXF_IP_LITERAL)
			host_finding(rec, FIND_MX_IP_LITERAL, i);
		else if (h->flags & MXF_NO_ADDRESS &&
			 h->addr_error == LE_DNS_NO_ADDRESS &&
			 !(h->flags & MXF_FROM_SERVER))
			host_finding(rec, FIND_MX_DANGLING, i);
		if (h->flags & MXF_PRIVATE && !(h->flags & MXF_FROM_SERVER))
			host_finding(rec, FIND_MX_PRIVATE, i);
	}
}

/* The reply to the STARTTLS command, as a step index, or -1. */
static int starttls_step(const struct probe *p)
{
	for (size_t k = 0; k < p->nsteps; k++)
		if (p->steps[k].stage == STAGE_STARTTLS && p->steps[k].reply)
			return (int)k;
	return -1;
}

static void reason_tls(struct run_record *rec)
{
	for (size_t i = 0; i < rec->nprobes; i++) {
		const struct probe *p = &rec->probes[i];
		struct finding *f;

		if (p->flags & PROBEF_STARTTLS_REFUSED) {
			f = probe_finding(rec, FIND_STARTTLS_REFUSED, p);
			if (f && (f->step = starttls_step(p)) >= 0)
				f->code = p->steps[f->step].reply->code;
		} else if (p->flags & PROBEF_CLEARTEXT) {
			probe_finding(rec, FIND_CLEARTEXT, p);
		} else if (p->tls.established &&
			   !(p->tls.chain_ok && p->tls.name_ok) &&
			   !(p->tls.dane && p->tls.dane_ok)) {
			probe_finding(rec, FIND_TLS_UNVERIFIED, p);
		}
	}
}

/* ---- DANE: what a sender that honours it makes of the TLSA records */

static void dane_host_finding(struct run_record *rec, enum finding_kind k,
			      size_t i)
{
	struct finding *f = record_finding(rec, k);

	if (f) {
		f->dane = (int)i;
		f->host = (int)rec->policy.dane[i].host;
		f->port = rec->policy.dane[i].port;
	}
}

static int dane_matched_somewhere(const struct run_record *rec,
				  const struct dane_host *d)
{
	for (size_t i = 0; i < rec->nprobes; i++)
		if (policy_dane_of(rec, &rec->probes[i]) == d &&
		    policy_probe_dane(rec, &rec->probes[i]) == PDANE_MATCHED)
			return 1;
	return 0;
}

/* The records a careful admin would change, though they work today. */
static void dane_records_findings(struct run_record *rec, size_t i)
{
	const struct dane_host *d = &rec->policy.dane[i];
	size_t ee = 0, other = 0;

	if (d->unvalidated) {
		dane_host_finding(rec, FIND_DANE_UNVALIDATED, i);
		return;
	}
	if (d->dnssec != DNSSEC_SECURE)
		return;
	if (d->status == DANE_UNUSABLE) {
		dane_host_finding(rec, FIND_DANE_UNUSABLE, i);
		return;
	}
	for (size_t k = 0; k < d->nrecords; k++) {
		if (d->records[k].usage == 3)
			ee++;
		else
			other++;
	}
	/* One DANE-EE record and nothing else: the next key change breaks
	 * delivery unless its record is published first (RFC 7671 8.1).
	 * Said where the record works; where it does not, the mismatch is
	 * the news. */
	if (d->status == DANE_USABLE && ee == 1 && other == 0 &&
	    dane_matched_somewhere(rec, d))
		dane_host_finding(rec, FIND_DANE_NO_ROLLOVER, i);
}

static int dane_failed_kind(const struct probe *p)
{
	/* A handshake that failed is no TLS, not a certificate that did
	 * not match. */
	return p->tls.dane && p->tls.established ? FIND_DANE_MISMATCH
						 : FIND_DANE_NO_STARTTLS;
}

static void reason_dane(struct run_record *rec)
{
	const struct tls_policy *tp = &rec->policy;
	int decider = rec->overall.deciding_probe;

	if (tp->mode == TLSP_OFF)
		return;
	for (size_t i = 0; i < tp->ndane; i++) {
		if (tp->dane[i].applies &&
		    tp->dane[i].status == DANE_LOOKUP_ERROR)
			dane_host_finding(rec, FIND_DANE_LOOKUP_ERROR, i);
		else
			dane_records_findings(rec, i);
	}
	for (size_t i = 0; i < rec->nprobes; i++) {
		const struct probe *p = &rec->probes[i];
		const struct dane_host *d = policy_dane_of(rec, p);
		struct finding *f;

		if (policy_probe_dane(rec, p) != PDANE_FAILED ||
		    (d->status != DANE_USABLE && !d->encrypt_only))
			continue;
		f = probe_finding(rec, (enum finding_kind)dane_failed_kind(p),
				  p);
		if (f)
			f->dane = (int)(d - tp->dane);
		if ((int)i == decider && tp->mode == TLSP_ENFORCE &&
		    p->outcome == OUTCOME_TLS_ERROR)
			conclude(rec, f);
	}
	/* The verdict is a deferral because DANE could not be looked up. */
	if (decider >= 0 && tp->mode == TLSP_ENFORCE &&
	    rec->probes[decider].outcome == OUTCOME_TEMPFAIL) {
		const struct step *s =
		    probe_deciding_step(&rec->probes[decider]);
		for (size_t k = 0;
		     s && s->error == LE_DNS_TLSA_LOOKUP && k < rec->nfindings;
		     k++)
			if (rec->findings[k].kind == FIND_DANE_LOOKUP_ERROR &&
			    rec->findings[k].host ==
				(int)rec->probes[decider].host)
				conclude(rec, &rec->findings[k]);
	}
}

/* ---- MTA-STS and TLS-RPT ---- */

static int has_host_finding(const struct run_record *rec, enum finding_kind k,
			    size_t h)
{
	for (size_t i = 0; i < rec->nfindings; i++)
		if (rec->findings[i].kind == k &&
		    rec->findings[i].host == (int)h)
			return 1;
	return 0;
}

static void reason_sts(struct run_record *rec)
{
	const struct tls_policy *tp = &rec->policy;
	int decider = rec->overall.deciding_probe;
	int any_dane = 0;

	if (tp->mode == TLSP_OFF)
		return;
	if (tp->sts.status == MTASTS_INVALID)
		record_finding(rec, FIND_STS_INVALID);
	else if (tp->sts.status == MTASTS_FETCH_ERROR)
		record_finding(rec, FIND_STS_FETCH_ERROR);
	for (size_t i = 0; i < rec->nprobes; i++) {
		const struct probe *p = &rec->probes[i];
		enum finding_kind k;
		struct finding *f = NULL;

		switch (policy_sts_probe(rec, p)) {
		case PSTS_MX_NOT_LISTED: k = FIND_STS_MX_NOT_LISTED; break;
		case PSTS_CERT_INVALID: k = FIND_STS_CERT_INVALID; break;
		case PSTS_NO_TLS: k = FIND_STS_NO_TLS; break;
		default: continue;
		}
		if (!has_host_finding(rec, k, p->host)) {
			f = probe_finding(rec, k, p);
			if (f)
				f->step = p->deciding_step;
		}
		if ((int)i == decider && p->policy_failed) {
			for (size_t j = 0; !f && j < rec->nfindings; j++)
				if (rec->findings[j].kind == k &&
				    rec->findings[j].host == (int)p->host)
					f = &rec->findings[j];
			conclude(rec, f);
		}
	}
	for (size_t i = 0; i < tp->ndane; i++)
		any_dane |= tp->dane[i].applies;
	if (tp->rpt.status == TLSRPT_INVALID)
		record_finding(rec, FIND_TLSRPT_INVALID);
	else if (tp->rpt.status == TLSRPT_NONE && tp->rpt.asked &&
		 (tp->sts.nrecords > 0 || any_dane))
		record_finding(rec, FIND_TLSRPT_MISSING);
}

/* ---- who the receiver thinks you are ---- */

/* The reply that decided a refusal names a block list: its category
 * says so, or its text names the zone's list ("spamhaus" for
 * zen.spamhaus.org). */
static int refusal_cites_list(const struct run_record *rec, const char *zone)
{
	const struct probe *p;
	const struct step *s;
	char brand[64];
	const char *dot;
	int cites = 0;

	if (rec->overall.outcome != VERDICT_REJECTED ||
	    rec->overall.deciding_probe < 0)
		return 0;
	p = &rec->probes[rec->overall.deciding_probe];
	s = probe_deciding_step(p);
	if (!s || !s->reply)
		return 0;
	if (s->category == CAT_IP_BLOCKLISTED)
		return 1;
	/* The zone's second-level label: "spamhaus", "barracudacentral". */
	dot = strrchr(zone, '.');
	const char *start = zone;
	for (const char *q = zone; dot && q < dot; q++)
		if (*q == '.')
			start = q + 1;
	snprintf(brand, sizeof brand, "%.*s", dot ? (int)(dot - start) : 0,
		 start);
	char *text = reply_join(s->reply);
	size_t bl = strlen(brand);
	for (size_t i = 0; text && bl && text[i] && !cites; i++)
		cites = strncasecmp(text + i, brand, bl) == 0;
	free(text);
	return cites;
}

static void reason_identity(struct run_record *rec)
{
	const struct helo_info *h = &rec->helo;
	struct finding *f;
	int any_conn = 0;

	for (size_t i = 0; i < rec->nprobes; i++)
		any_conn |= connected(&rec->probes[i]);
	if (!any_conn) /* no receiver saw this side at all */
		return;
	for (size_t i = 0; i < rec->negress; i++) {
		const struct egress *e = &rec->egress[i];
		enum finding_kind k;

		/* A private address is not what the receiver sees (NAT): it
		 * is listed, and judged no further. */
		if (!e->echoed && dns_is_private(e->family, e->address))
			continue;
		if (!e->ptr && e->fcrdns == 0)
			k = FIND_EGRESS_NO_PTR;
		else if (e->ptr && e->fcrdns == 0)
			k = FIND_EGRESS_FCRDNS;
		else
			continue;
		f = record_finding(rec, k);
		if (f)
			snprintf(f->address, sizeof f->address, "%s",
				 e->address);
	}
	for (size_t i = 0; i < rec->negress; i++)
		for (int z = 0; z < rec->cfg->ndnsbl && z < DNSBL_ZONES_CAP;
		     z++) {
			if (rec->egress[i].dnsbl[z].status != DNSBL_LISTED)
				continue;
			f = record_finding(rec, FIND_DNSBL_LISTED);
			if (!f)
				break;
			f->zone = z;
			snprintf(f->address, sizeof f->address, "%s",
				 rec->egress[i].address);
			/* The refusal cites a block list, and this address is
			 * on one: the next step is to get off it. */
			if (refusal_cites_list(rec, rec->cfg->dnsbl[z]))
				conclude(rec, f);
		}
	if (!h->judged)
		return;
	if (!h->fqdn)
		record_finding(rec, FIND_HELO_NOT_FQDN);
	else if (h->resolves == 0)
		record_finding(rec, FIND_HELO_UNRESOLVED);
	if (h->matches_ptr == 0 && h->fqdn)
		record_finding(rec, FIND_HELO_MISMATCH);
}

/* ---- what the session itself saw: odd endings, silence, credentials */

static void reason_endings(struct run_record *rec)
{
	for (size_t i = 0; i < rec->nprobes; i++) {
		const struct probe *p = &rec->probes[i];

		for (size_t k = 0; k < p->nsteps; k++) {
			const struct step *s = &p->steps[k];
			struct finding *f = NULL;

			if (!s->reply || s->error != LE_NONE ||
			    reply_class_of(s->reply->code) == CLASS_SUCCESS)
				continue;
			/* RSET only follows a verdict a reply gave. */
			if (s->stage == STAGE_RSET &&
			    (p->outcome == OUTCOME_ACCEPTED ||
			     p->outcome == OUTCOME_REJECTED ||
			     p->outcome == OUTCOME_TEMPFAIL))
				f = probe_finding(rec, FIND_RSET_REFUSED, p);
			else if (s->stage == STAGE_QUIT)
				f = probe_finding(rec, FIND_QUIT_REFUSED, p);
			if (f) {
				f->step = (int)k;
				f->code = s->reply->code;
			}
		}
	}
}

static void reason_silence(struct run_record *rec)
{
	for (size_t i = 0; i < rec->nprobes; i++) {
		const struct probe *p = &rec->probes[i];
		const struct step *s = probe_deciding_step(p);
		struct finding *f;

		if (!connected(p) || p->outcome != OUTCOME_TIMEOUT || !s ||
		    s->error == LE_RUN_DEADLINE)
			continue;
		f = probe_finding(rec, FIND_SILENT_AFTER_CONNECT, p);
		if (f) {
			f->step = p->deciding_step;
			f->seconds = rec->cfg->timeout_s;
		}
	}
}

static void reason_credentials(struct run_record *rec)
{
	const struct config *cfg = rec->cfg;
	int decider = rec->overall.deciding_probe;
	size_t sent_unverified = 0;
	struct finding *f;

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
		    cfg->insecure || policy_probe_dane(rec, p) == PDANE_FAILED)
			continue;
		f = probe_finding(rec, FIND_AUTH_WITHHELD, p);
		if ((int)i == decider)
			conclude(rec, f);
	}
	if (cfg->insecure) {
		f = record_finding(rec, FIND_INSECURE_AUTH);
		if (f)
			f->other = sent_unverified;
	}
}

void reason_about(struct run_record *rec)
{
	if (rec->dns.status == DNS_OK) {
		/* At most one finding becomes the overall verdict's reason:
		 * the first that applies, strongest first. */
		/* Through a proxy, a port that does not answer says
		 * something of the proxy's network, not of this one's. */
		int proxied = rec->cfg && rec->cfg->proxy.host[0];
		int network = proxied ? reason_proxy(rec) : reason_network(rec);
		if (!network && !reason_blocklist(rec) &&
		    !reason_inconsistent(rec))
			reason_greylist(rec);
		reason_retry(rec);
		reason_family(rec);
	}
	/* Credentials first: with many probes the per-probe findings can
	 * fill FINDINGS_MAX, and these must not be the ones left out. */
	reason_credentials(rec);
	reason_dane(rec);
	reason_sts(rec);
	reason_dns(rec);
	/* After the chain above: a stronger reason stands; before the
	 * identity's, whose block-list listing is more specific still. */
	recipients_reason(rec);
	reason_identity(rec);
	reason_tls(rec);
	reason_endings(rec);
	reason_silence(rec);
}
