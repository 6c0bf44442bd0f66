/*
 * words.c - see words.h. Every sentence of a verdict or a finding is
 * here, built from the kind and its parameters; nothing else in the
 * program writes one.
 */
#include "smtpprobe/words.h"

#include "smtpprobe/identity.h"
#include "smtpprobe/recipients.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "smtpprobe/interpreter.h"

static const char *const reason_names[VR__COUNT] = {
    [VR_NONE] = "none",
    [VR_ACCEPTED] = "accepted",
    [VR_REJECTED] = "rejected",
    [VR_TEMPFAIL] = "tempfail",
    [VR_PROTOCOL] = "protocol_error",
    [VR_TLS] = "tls_error",
    [VR_SILENT] = "silent_after_connect",
    [VR_UNREACHABLE] = "unreachable",
    [VR_DNS] = "dns_error",
    [VR_NULL_MX] = "null_mx",
    [VR_NO_ADDRESS] = "no_address",
    [VR_ADDRESS_LOOKUP] = "address_lookup_failed",
    [VR_FINDING] = "finding",
    [VR_BAD_ADDRESS] = "bad_address",
};

const char *verdict_reason_name(enum verdict_reason r)
{
	return (unsigned)r < VR__COUNT ? reason_names[r] : "none";
}

/* What a host that went silent at this stage never sent. */
static const char *words_awaited(enum stage st)
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

/* What a rejection at this stage refused. */
static const char *what_was_rejected(enum stage st)
{
	switch (st) {
	case STAGE_BANNER: return "the connection at its greeting";
	case STAGE_EHLO:
	case STAGE_HELO: return "the EHLO/HELO greeting";
	case STAGE_STARTTLS:
	case STAGE_TLS: return "TLS";
	case STAGE_AUTH: return "the authentication";
	case STAGE_MAIL: return "the sender (MAIL FROM)";
	case STAGE_RCPT: return "the recipient (RCPT TO)";
	default: return "the mail";
	}
}

static const struct probe *probe_at(const struct run_record *rec, int i)
{
	return i >= 0 && (size_t)i < rec->nprobes ? &rec->probes[i] : NULL;
}

static const char *host_of(const struct run_record *rec, const struct probe *p)
{
	if (p && p->host < rec->dns.nhosts && rec->dns.hosts[p->host].name)
		return rec->dns.hosts[p->host].name;
	return "?";
}

static const struct mail_host *host_entry(const struct run_record *rec, int h)
{
	return h >= 0 && (size_t)h < rec->dns.nhosts ? &rec->dns.hosts[h]
						     : NULL;
}

static const char *host_at(const struct run_record *rec, int h)
{
	const struct mail_host *mh = host_entry(rec, h);

	return mh && mh->name ? mh->name : "?";
}

static const char *dane_name(const struct run_record *rec, int i)
{
	return i >= 0 && (size_t)i < rec->policy.ndane &&
		       rec->policy.dane[i].name
		   ? rec->policy.dane[i].name
		   : "?";
}

static const char *dom_of(const struct run_record *rec)
{
	return rec->target ? rec->target->domain : "?";
}

static const char *sts_mode(const struct run_record *rec)
{
	return sts_mode_name(rec->policy.sts.policy.mode);
}

static int sts_enforced(const struct run_record *rec)
{
	return rec->policy.sts.policy.mode == STS_MODE_ENFORCE;
}

/* The policy's mx patterns, "a, b, c", in buf (of 160 bytes). */
static const char *sts_mx_list(const struct run_record *rec, char *buf)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < rec->policy.sts.policy.nmx; i++)
		len = text_appendf(buf, 160, len, "%s%s", i ? ", " : "",
				   rec->policy.sts.policy.mx[i]);
	return buf;
}

static const struct dnsbl_result *dnsbl_of(const struct run_record *rec,
					   const char *ip, int z)
{
	for (size_t i = 0; z >= 0 && z < DNSBL_ZONES_CAP && i < rec->negress;
	     i++)
		if (strcmp(rec->egress[i].address, ip) == 0)
			return &rec->egress[i].dnsbl[z];
	return NULL;
}

static const char *egress_ptr(const struct run_record *rec, const char *ip)
{
	for (size_t i = 0; i < rec->negress; i++)
		if (strcmp(rec->egress[i].address, ip) == 0 &&
		    rec->egress[i].ptr)
			return rec->egress[i].ptr;
	return "?";
}

/* Why a wildcard pattern does not cover host, as "; *.S covers ...",
 * or "": the two near misses people make (RFC 8461 4.1: one label). */
static const char *wildcard_miss(const struct run_record *rec, const char *host,
				 char *buf, size_t n)
{
	const struct sts_policy *pol = &rec->policy.sts.policy;
	size_t hl = strlen(host);

	buf[0] = '\0';
	for (size_t i = 0; i < pol->nmx; i++) {
		const char *m = pol->mx[i];
		size_t sl;

		if (m[0] != '*' || m[1] != '.')
			continue;
		sl = strlen(m + 2);
		if (strcasecmp(host, m + 2) == 0)
			snprintf(buf, n, "; %s does not cover %s itself", m,
				 m + 2);
		else if (hl > sl + 1 && host[hl - sl - 1] == '.' &&
			 strcasecmp(host + hl - sl, m + 2) == 0)
			snprintf(buf, n,
				 "; %s covers exactly one label, and %s has "
				 "more",
				 m, host);
		if (buf[0])
			break;
	}
	return buf;
}

/* "mx.example.net [192.0.2.1]:25" */
static void who(char *buf, size_t n, const struct run_record *rec,
		const struct probe *p)
{
	if (p)
		snprintf(buf, n, "%s [%s]:%d", host_of(rec, p), p->address,
			 p->port);
	else
		snprintf(buf, n, "?");
}

/* The reply that decided, as " (550 5.1.1)", or "". */
static void reply_tag(char *buf, size_t n, const struct step *s)
{
	if (s && s->reply && s->reply->code)
		snprintf(buf, n, " (%d%s%s)", s->reply->code,
			 s->reply->enhanced[0] ? " " : "", s->reply->enhanced);
	else
		buf[0] = '\0';
}

static void set(char *dst, size_t n, const char *s)
{
	snprintf(dst, n, "%s", s ? s : "");
}

/* ---- findings ---- */

static void finding_words(const struct run_record *rec, struct finding *f)
{
	const struct probe *p = probe_at(rec, f->probe);
	const struct step *s = p && f->step >= 0 && (size_t)f->step < p->nsteps
				   ? &p->steps[f->step]
				   : NULL;
	char w[320];
	char *t = f->text, *r = f->remediation;
	size_t tn = sizeof f->text, rn = sizeof f->remediation;

	who(w, sizeof w, rec, p);
	t[0] = r[0] = '\0';
	switch (f->kind) {
	case FIND_PORT25_BLOCKED:
		snprintf(t, tn,
			 "Port 25 timed out on every mail host while port %d "
			 "%s: your network very likely blocks outbound port "
			 "25, as many ISPs and cloud providers do. Mail "
			 "between servers (MX delivery) only uses port 25.",
			 f->port,
			 rec->nchecks > 0 ? "of the same addresses answered "
					    "(connect only: a connection or a "
					    "refusal, so the host is reachable)"
					  : "answered");
		set(r, rn,
		    "Send through your provider's submission server on port "
		    "587 with authentication, or ask your provider to lift "
		    "the port 25 block; a probe from another network "
		    "confirms it.");
		break;
	case FIND_ALL_UNREACHABLE:
		if (f->port == PORT_MX && rec->nchecks > 0) {
			snprintf(
			    t, tn,
			    "No mail host answered on port 25 (%zu of %zu "
			    "connection attempts timed out), and the same "
			    "addresses did not answer on 587 or 465 either: "
			    "the receiver is down, or filters this network, "
			    "rather than your side blocking port 25 alone.",
			    f->timed_out, f->refused + f->timed_out + f->other);
			set(r, rn,
			    "Check the receiver's status page or ask its "
			    "postmaster; if only your network cannot reach "
			    "it, a probe from elsewhere (another provider) "
			    "shows whether it filters you.");
		} else if (f->port == PORT_MX) {
			snprintf(t, tn,
				 "No mail host answered on port 25 (%zu of %zu "
				 "connection attempts timed out): packets are "
				 "dropped, either by your own network blocking "
				 "outbound port 25 (common with ISPs and "
				 "clouds) or by a firewall at the receiver.",
				 f->timed_out,
				 f->refused + f->timed_out + f->other);
			set(r, rn,
			    "Run again with -p 25,587: if 587 answers and 25 "
			    "does not, your side blocks port 25; if neither "
			    "does, the receiver is filtered or down.");
		} else {
			snprintf(t, tn,
				 "Every mail host refused or did not answer "
				 "(%zu refused, %zu timed out, %zu other): the "
				 "receiving service is down or filtered at its "
				 "edge.",
				 f->refused, f->timed_out, f->other);
			set(r, rn,
			    "Check the receiver's status page or postmaster; "
			    "if you run it, check that the MTA listens on "
			    "port 25 on every MX address and that its "
			    "firewall lets you in.");
		}
		break;
	case FIND_PROXY_FAILED:
		snprintf(
		    t, tn,
		    "Every probe ended at the SOCKS5 proxy %.200s (%s), before "
		    "any mail host was reached: nothing is known about the "
		    "mail hosts themselves.",
		    rec->cfg ? rec->cfg->proxy.shown : "?",
		    s ? codes_local_name(s->error) : "?");
		set(r, rn, s ? s->remediation : NULL);
		break;
	case FIND_FAMILY_BROKEN:
		snprintf(t, tn,
			 "IPv%d connections all failed while IPv%d worked: "
			 "the IPv%d path is broken (your routing or firewall, "
			 "or the receiver's). A sending server that prefers "
			 "it loses time on every message.",
			 f->family, f->family == 6 ? 4 : 6, f->family);
		set(r, rn,
		    "Compare with the other family (-4, -6) from another "
		    "network; fix the routing or firewall on the side where "
		    "it fails, or remove the broken address records.");
		break;
	case FIND_EGRESS_LISTED:
		if (f->address[0])
			snprintf(
			    t, tn,
			    "Every mail host that answered refused your "
			    "sending IP (%s, as the server saw it) citing a "
			    "blocklist or its reputation: the problem is "
			    "your egress IP, not the mailbox.",
			    f->address);
		else
			set(t, tn,
			    "Every mail host that answered refused your "
			    "sending IP citing a blocklist or its reputation: "
			    "the problem is your egress IP, not the mailbox.");
		set(r, rn, s ? s->remediation : NULL);
		break;
	case FIND_INCONSISTENT_MX:
		snprintf(t, tn,
			 "%s accepts the address but %s rejects it as "
			 "unknown: the receiver's MX hosts disagree (typically "
			 "a backup MX without the recipient list, or a stale "
			 "host).",
			 host_of(rec, p),
			 host_of(rec, probe_at(rec, f->other_probe)));
		set(r, rn,
		    "Tell the domain's administrator: every MX host must know "
		    "the same recipients; fix the disagreeing host or remove "
		    "it from the MX records.");
		break;
	case FIND_GREYLISTED:
		if (f->seconds > 0) {
			snprintf(t, tn,
				 "%s greylisted the retry too, %d s after the "
				 "first attempt: its greylisting delay is "
				 "longer than that. A sending server keeps "
				 "retrying (for days) and gets through.",
				 host_of(rec, p), f->seconds);
			set(r, rn,
			    "Nothing is broken. Retry with a longer wait "
			    "(--retry-greylist 900), or let a real mail "
			    "server's queue retry.");
		} else {
			snprintf(
			    t, tn,
			    "%s greylists: this first attempt was deferred "
			    "on purpose; a real mail server retries and the "
			    "message is delivered after a delay, typically "
			    "1 to 15 minutes.",
			    host_of(rec, p));
			set(r, rn,
			    "Nothing is broken. To see the retry pass, run "
			    "again with --retry-greylist 300 (waits and "
			    "retries once).");
		}
		break;
	case FIND_RETRIED:
		snprintf(t, tn,
			 "The first attempt (%s) was greylisted by %s; this is "
			 "the retry, %d s later.",
			 rec->retry.first_utc, rec->retry.host, f->seconds);
		break;
	case FIND_NULL_MX_MIXED:
		snprintf(t, tn,
			 "%s publishes a null MX (\"MX 0 .\") beside other MX "
			 "records, which RFC 7505 forbids.",
			 rec->target ? rec->target->domain : "?");
		set(r, rn,
		    "Remove the null MX if the domain takes mail, or the "
		    "other records if it does not.");
		break;
	case FIND_MX_CNAME: {
		const struct mail_host *mh = host_entry(rec, f->host);
		const char *cn = mh && mh->cname ? mh->cname : "?";
		snprintf(t, tn,
			 "MX %s is an alias (CNAME to %s), which RFC 2181 10.3 "
			 "forbids.",
			 host_at(rec, f->host), cn);
		snprintf(r, rn, "Point the MX record at %s directly.", cn);
		break;
	}
	case FIND_MX_IP_LITERAL:
		snprintf(t, tn,
			 "An MX record names the address %s instead of a host "
			 "(RFC 5321 5.1 wants a name).",
			 host_at(rec, f->host));
		set(r, rn,
		    "Give that address an A/AAAA record under a name and put "
		    "the name in the MX record.");
		break;
	case FIND_MX_DANGLING:
		snprintf(t, tn,
			 "MX host %s has no A or AAAA record (a dangling MX).",
			 host_at(rec, f->host));
		set(r, rn,
		    "Add its address records or remove it from the MX "
		    "records.");
		break;
	case FIND_MX_PRIVATE:
		snprintf(t, tn,
			 "MX host %s resolves to a loopback, private or "
			 "unspecified address, which no one on the Internet "
			 "can reach.",
			 host_at(rec, f->host));
		set(r, rn,
		    "Publish the host's public address in DNS; keep private "
		    "addresses out of the public zone.");
		break;
	case FIND_CLEARTEXT:
		snprintf(t, tn,
			 "%s offers no usable TLS: mail to it travels in clear "
			 "text.",
			 w);
		set(r, rn,
		    "The receiver should offer STARTTLS with a valid "
		    "certificate.");
		break;
	case FIND_STARTTLS_REFUSED:
		snprintf(
		    t, tn,
		    "%s offered STARTTLS and then refused it (%d), so mail "
		    "to it travels in clear text. A broken TLS setup looks "
		    "like this, and so does an attacker in the path who "
		    "strips TLS (a downgrade attack).",
		    w, f->code);
		set(r, rn,
		    "Probe it from another network: if TLS works there, "
		    "something in your path interferes; if not, the "
		    "receiver's TLS setup (certificate, key) is broken.");
		break;
	case FIND_TLS_UNVERIFIED:
		snprintf(t, tn,
			 "%s has a certificate that does not verify (%s): "
			 "opportunistic TLS still encrypts, but senders "
			 "enforcing MTA-STS or DANE will not deliver.",
			 w,
			 p && p->tls.verify_error ? p->tls.verify_error : "?");
		set(r, rn,
		    "The receiver should use a certificate from a trusted CA "
		    "that names the host; if it is signed by a private CA, "
		    "give that CA with --ca-file.");
		break;
	case FIND_RSET_REFUSED: {
		const struct step *d = p ? probe_deciding_step(p) : NULL;
		snprintf(t, tn,
			 "%s answered RSET with %d after the reply to %s had "
			 "decided: the verdict stands, but a server that "
			 "refuses RSET breaks senders that reuse connections.",
			 w, f->code, d ? stage_name(d->stage) : "?");
		set(r, rn,
		    "Tell the server's administrator: RSET must be answered "
		    "with 250 (RFC 5321 4.1.1.5).");
		break;
	}
	case FIND_QUIT_REFUSED:
		snprintf(t, tn,
			 "%s answered QUIT with %d instead of 221: harmless "
			 "for delivery, but broken.",
			 w, f->code);
		set(r, rn,
		    "Tell the server's administrator: QUIT must be answered "
		    "with 221 (RFC 5321 4.1.1.10).");
		break;
	case FIND_SILENT_AFTER_CONNECT:
		snprintf(
		    t, tn,
		    "%.200s accepted the TCP connection%s, then went silent: "
		    "%s never came within %d s. The host is up; its mail "
		    "service hangs, or something in the path holds the "
		    "session.",
		    w, p && p->tls.established ? " and completed TLS" : "",
		    s ? words_awaited(s->stage) : "a reply", f->seconds);
		set(r, rn,
		    "If you run it, check the MTA's process and logs; "
		    "otherwise ask the receiver's postmaster, or probe from "
		    "another network to rule out a middlebox.");
		break;
	case FIND_AUTH_WITHHELD:
		snprintf(t, tn,
			 "%s: the certificate does not verify (%s), so "
			 "smtpprobe did not send your credentials: anyone in "
			 "the path who presents any certificate could have "
			 "read them.",
			 w,
			 p && p->tls.verify_error ? p->tls.verify_error : "?");
		set(r, rn,
		    "Fix the server's certificate: a chain to a trusted CA "
		    "that names the host you connect to. If it is signed by a "
		    "private CA, give that CA with --ca-file. --insecure "
		    "sends the password anyway.");
		break;
	case FIND_INSECURE_AUTH:
		snprintf(t, tn,
			 "WARNING: --insecure: credentials go even over a "
			 "certificate that does not verify; %zu session%s sent "
			 "them that way, readable by anyone in the path who "
			 "presents any certificate.",
			 f->other, f->other == 1 ? "" : "s");
		set(r, rn,
		    "Drop --insecure once the certificate verifies (or its "
		    "private CA is given with --ca-file).");
		break;
	case FIND_DANE_MISMATCH:
		snprintf(t, tn,
			 "%s: the certificate matches none of the TLSA records "
			 "of %s (DANE): a sender that honours DANE (Postfix, "
			 "Exim with DANE, Microsoft 365) does not deliver to "
			 "this host and tries the next MX, or defers.",
			 host_of(rec, p), dane_name(rec, f->dane));
		set(r, rn,
		    "The receiver must publish a TLSA record for the "
		    "certificate the server presents now (typically 3 1 1, "
		    "the SHA-256 of its public key), or put the old "
		    "certificate back; publish the new record before each "
		    "key change.");
		break;
	case FIND_DANE_NO_STARTTLS:
		snprintf(t, tn,
			 "%s has TLSA records (%s) but offers no working TLS: "
			 "a sender that honours DANE does not deliver to it in "
			 "clear text and tries the next MX, or defers.",
			 host_of(rec, p), dane_name(rec, f->dane));
		set(r, rn,
		    "The receiver must enable STARTTLS on this host (with "
		    "the certificate its TLSA records name), or remove the "
		    "TLSA records.");
		break;
	case FIND_DANE_UNVALIDATED:
		snprintf(t, tn,
			 "%s has TLSA records, but your resolver does not "
			 "validate DNSSEC: DANE cannot be judged from here, "
			 "and the verdict is an opportunistic sender's.",
			 dane_name(rec, f->dane));
		set(r, rn,
		    "Use --dns-server with a validating resolver (for "
		    "example a local unbound) to see what a DANE sender "
		    "sees.");
		break;
	case FIND_DANE_LOOKUP_ERROR:
		snprintf(t, tn,
			 "The TLSA lookup of %s failed although the host's "
			 "address records are signed: a sender that honours "
			 "DANE defers mail to %s until it can read them "
			 "(often a broken DNSSEC signature).",
			 dane_name(rec, f->dane), host_at(rec, f->host));
		set(r, rn,
		    "The receiver's DNS admin must fix the TLSA records' "
		    "signatures (check with 'delv' or a DNSSEC analyser); "
		    "senders retry meanwhile.");
		break;
	case FIND_DANE_UNUSABLE:
		snprintf(
		    t, tn,
		    "%s has TLSA records, but none a mail sender can use "
		    "(SMTP uses only usages 2 and 3, with a known selector "
		    "and matching type and a digest of the right length, "
		    "RFC 7672 3.1): a DANE sender still insists on TLS, "
		    "but cannot authenticate it.",
		    dane_name(rec, f->dane));
		set(r, rn,
		    "Publish a 3 1 1 record (the SHA-256 of the server's "
		    "public key, 32 bytes) in place of these records.");
		break;
	case FIND_DANE_NO_ROLLOVER:
		snprintf(t, tn,
			 "%s has a single DANE-EE record and nothing beside "
			 "it: it works, but the next key or certificate change "
			 "breaks delivery from DANE senders unless the new "
			 "record is published first.",
			 dane_name(rec, f->dane));
		set(r, rn,
		    "Publish the next key's 3 1 1 record now (or a 2 1 1 "
		    "record for the issuing CA) beside the current one "
		    "(RFC 7671 8.1).");
		break;
	case FIND_STS_MX_NOT_LISTED: {
		char mxl[160], why[128];
		snprintf(
		    t, tn,
		    "%s is not listed in %s's MTA-STS policy (mode %s, mx "
		    "%s%s): %s.",
		    host_of(rec, p), dom_of(rec), sts_mode(rec),
		    sts_mx_list(rec, mxl),
		    wildcard_miss(rec, host_of(rec, p), why, sizeof why),
		    sts_enforced(rec)
			? "a sender that honours MTA-STS (Gmail, Microsoft "
			  "365) does not deliver to it"
			: "in mode testing senders only report it");
		set(r, rn,
		    "The domain's admin must add the host to the policy's mx "
		    "lines (a pattern like *.example.net covers exactly one "
		    "label), change the policy's id in the _mta-sts TXT "
		    "record, and wait for senders' max_age to pass.");
		break;
	}
	case FIND_STS_CERT_INVALID:
		snprintf(t, tn,
			 "%s is in %s's MTA-STS policy, but its certificate "
			 "does not verify for its name (%s): %s.",
			 host_of(rec, p), dom_of(rec),
			 p && p->tls.verify_error ? p->tls.verify_error : "?",
			 sts_enforced(rec)
			     ? "a sender that honours MTA-STS does not deliver "
			       "to it"
			     : "in mode testing senders only report it");
		set(r, rn,
		    "The receiver must serve a certificate from a public CA "
		    "that names the MX host (Let's Encrypt will do), with "
		    "its full chain.");
		break;
	case FIND_STS_NO_TLS:
		snprintf(t, tn,
			 "%s is in %s's MTA-STS policy, but offers no working "
			 "TLS: %s.",
			 host_of(rec, p), dom_of(rec),
			 sts_enforced(rec)
			     ? "a sender that honours MTA-STS does not deliver "
			       "to it"
			     : "in mode testing senders only report it");
		set(r, rn,
		    "The receiver must enable STARTTLS with a valid "
		    "certificate on this host.");
		break;
	case FIND_STS_INVALID:
		snprintf(t, tn,
			 "%s's MTA-STS %s is invalid (%s): senders treat the "
			 "domain as having no policy, so it protects nothing.",
			 dom_of(rec),
			 rec->policy.sts.fetched ? "policy" : "TXT record",
			 rec->policy.sts.error ? rec->policy.sts.error : "?");
		set(r, rn,
		    "Fix the record or the policy file as the error says (RFC "
		    "8461 3.1 and 3.2), then change the policy's id.");
		break;
	case FIND_STS_FETCH_ERROR:
		snprintf(
		    t, tn,
		    "%s publishes an MTA-STS record, but its policy cannot "
		    "be fetched (%s): senders without a cached copy "
		    "deliver as if there were no policy.",
		    dom_of(rec),
		    rec->policy.sts.error ? rec->policy.sts.error : "?");
		set(r, rn,
		    "Serve the policy at https://mta-sts.DOMAIN/.well-known/"
		    "mta-sts.txt with a valid certificate, status 200 and "
		    "text/plain, no redirect.");
		break;
	case FIND_TLSRPT_MISSING:
		snprintf(t, tn,
			 "%s uses %s but publishes no TLS-RPT record "
			 "(_smtp._tls TXT, RFC 8460): nobody hears when "
			 "senders fail to deliver over TLS.",
			 dom_of(rec),
			 rec->policy.sts.nrecords ? "MTA-STS" : "DANE");
		set(r, rn,
		    "Publish \"v=TLSRPTv1; rua=mailto:tlsrpt@DOMAIN\" at "
		    "_smtp._tls.DOMAIN.");
		break;
	case FIND_TLSRPT_INVALID:
		snprintf(t, tn,
			 "%s's TLS-RPT record is invalid (%s): senders send no "
			 "reports.",
			 dom_of(rec),
			 rec->policy.rpt.error ? rec->policy.rpt.error : "?");
		set(r, rn,
		    "Each rua must be a mailto: or https: URI, comma "
		    "separated (RFC 8460 3).");
		break;
	case FIND_EGRESS_NO_PTR:
		snprintf(t, tn,
			 "Your sending address %s has no reverse DNS (PTR): "
			 "Gmail, Microsoft and many Postfix and Exim servers "
			 "refuse or distrust mail from an address without one.",
			 f->address);
		set(r, rn,
		    "Whoever owns the address block sets the PTR, usually "
		    "your hosting provider's control panel or your ISP: ask "
		    "for a PTR naming this mail server (a name whose A/AAAA "
		    "record points back to the address).");
		break;
	case FIND_EGRESS_FCRDNS:
		snprintf(t, tn,
			 "The reverse DNS of your sending address %s names %s, "
			 "but that name does not resolve back to %s (no "
			 "forward-confirmed reverse DNS): receivers that check "
			 "it treat the PTR as missing.",
			 f->address, egress_ptr(rec, f->address), f->address);
		set(r, rn,
		    "Add an A/AAAA record for the PTR name pointing at the "
		    "address (your DNS), or have the address block's owner "
		    "set a PTR to a name that does.");
		break;
	case FIND_HELO_NOT_FQDN:
		snprintf(t, tn,
			 "The HELO name \"%s\" is not a fully qualified domain "
			 "name: many receivers (Postfix's "
			 "reject_non_fqdn_helo_hostname, Gmail's scoring) "
			 "refuse or mark such mail.",
			 rec->cfg ? rec->cfg->helo : "?");
		set(r, rn,
		    "Send the mail server's public name in EHLO (Postfix: "
		    "myhostname; Exim: primary_hostname); here, --helo NAME.");
		break;
	case FIND_HELO_UNRESOLVED:
		snprintf(t, tn,
			 "The HELO name \"%s\" has no A or AAAA record: "
			 "receivers that check it (Postfix's "
			 "reject_unknown_helo_hostname) refuse the mail.",
			 rec->cfg ? rec->cfg->helo : "?");
		set(r, rn,
		    "Publish an address record for the HELO name, or send a "
		    "name that has one.");
		break;
	case FIND_HELO_MISMATCH:
		snprintf(t, tn,
			 "The HELO name \"%s\" is not the reverse DNS name of "
			 "your sending address (%s): spam filters score the "
			 "mismatch.",
			 rec->cfg ? rec->cfg->helo : "?",
			 rec->negress && rec->egress[0].ptr ? rec->egress[0].ptr
							    : "?");
		set(r, rn,
		    "Make the HELO name and the PTR name the same: the mail "
		    "server's public name.");
		break;
	case FIND_DNSBL_LISTED: {
		const char *zone =
		    f->zone >= 0 && rec->cfg ? rec->cfg->dnsbl[f->zone] : "?";
		const char *page = identity_dnsbl_page(zone);
		const struct dnsbl_result *d =
		    dnsbl_of(rec, f->address, f->zone);
		const char *code = d && d->ncodes ? d->codes[0] : "?";
		snprintf(t, tn,
			 "Your sending address %s is listed on %s (%s: %s): "
			 "receivers that use the list refuse or score mail "
			 "from it.",
			 f->address, zone, code,
			 identity_dnsbl_meaning(zone, code));
		snprintf(r, rn,
			 "Find out why and ask for removal at %s; a PBL-style "
			 "listing means: send through your provider's "
			 "submission server instead.",
			 page ? page : "the list's own lookup page");
		break;
	}
	case FIND_REJECTS_EVERYONE: {
		const struct step *c =
		    p && f->step2 >= 0 && (size_t)f->step2 < p->nsteps
			? &p->steps[f->step2]
			: NULL;
		char ct[40], tt[40];
		reply_tag(tt, sizeof tt, s);
		reply_tag(ct, sizeof ct, c);
		snprintf(t, tn,
			 "%.100s refused the recipient%s and postmaster@%.80s"
			 "%s too, which RFC 5321 requires every mail domain "
			 "to accept: the refusal is about the sender (your "
			 "address, HELO name or reputation) or the server's "
			 "own setup, not about this mailbox.",
			 w, tt, rec->target ? rec->target->domain : "?", ct);
		set(r, rn,
		    "Look at what this server holds against the sending side: "
		    "the refusal's text, your PTR, HELO name and block-list "
		    "listings (the You: line); or send through a relay with a "
		    "good reputation, such as your provider's submission "
		    "server. The mailbox itself may well exist.");
		break;
	}
	case FIND_POSTMASTER_REFUSED: {
		char ct[40];
		reply_tag(ct, sizeof ct, s);
		snprintf(t, tn,
			 "%.100s refused postmaster@%.80s%s: RFC 5321 4.5.1 "
			 "requires a "
			 "domain's postmaster "
			 "address to be accepted, so reports about its mail "
			 "reach nobody.",
			 w, rec->target ? rec->target->domain : "?", ct);
		set(r, rn,
		    "The domain's mail administrator should accept "
		    "postmaster@ (an alias to someone who reads it).");
		break;
	}
	case FIND_CATCH_ALL:
		snprintf(t, tn,
			 "%.100s also accepted %.120s, a random address at "
			 "%.80s: the domain accepts any local part when asked "
			 "(a catch-all), so an \"accepted\" says little about "
			 "whether a mailbox exists.",
			 w, recipients_address(rec, RCPT_CATCH_ALL),
			 rec->target ? rec->target->domain : "?");
		set(r, rn,
		    "A misspelt address there is accepted too and bounced or "
		    "dropped later; only the recipient or the domain's "
		    "administrator can confirm the mailbox.");
		break;
	case FIND_CATCH_ALL_SKIPPED: {
		const char *prov =
		    p ? recipients_big_provider(host_of(rec, p)) : NULL;
		if (!prov && p && p->host < rec->dns.nhosts)
			prov = recipients_big_provider(
			    rec->dns.hosts[p->host].cname);
		snprintf(t, tn,
			 "The catch-all test was not asked of %.100s: %s does "
			 "not answer a random address truthfully when asked "
			 "(it accepts and bounces later, or refuses by "
			 "reputation), so its answer would prove nothing.",
			 host_of(rec, p), prov ? prov : "this provider");
		break;
	}
	case FIND__COUNT: break;
	}
}

/* ---- verdicts ---- */

static void verdict_words(const struct run_record *rec, struct verdict *v)
{
	const struct probe *p = probe_at(rec, v->deciding_probe);
	const struct step *s = p ? probe_deciding_step(p) : NULL;
	const char *dom = rec->target ? rec->target->domain : "?";
	char w[320], tag[40];
	char *t = v->summary, *r = v->remediation;
	size_t tn = sizeof v->summary, rn = sizeof v->remediation;
	struct interpretation in;

	who(w, sizeof w, rec, p);
	reply_tag(tag, sizeof tag, s);
	t[0] = r[0] = '\0';
	set(r, rn,
	    s && s->remediation ? s->remediation
				: "Run with -v to see the transcript.");
	switch (v->reason) {
	case VR_ACCEPTED:
		snprintf(t, tn,
			 "%s accepts %s%s: a sending server would deliver "
			 "there.",
			 w,
			 rec->target && rec->target->is_address
			     ? "the recipient"
			     : "mail from the sender",
			 tag);
		break;
	case VR_REJECTED:
		if (s && s->error != LE_NONE) {
			/* The dialogue's own rule decided (no AUTH mechanism,
			 * no SMTPUTF8): the reply that led to it was fine. */
			interpret_local(s->error, &in);
			snprintf(t, tn, "%s: %s", w, in.explanation);
			break;
		}
		snprintf(t, tn,
			 "%s rejected %s%s: a sending server would bounce the "
			 "message.",
			 w, s ? what_was_rejected(s->stage) : "the mail", tag);
		break;
	case VR_TEMPFAIL:
		snprintf(t, tn,
			 "No host accepted or rejected; %s answered a "
			 "temporary failure at %s%s: a sending server would "
			 "queue and retry.",
			 w, s ? stage_name(s->stage) : "?", tag);
		break;
	case VR_PROTOCOL:
		snprintf(t, tn,
			 "No host completed the dialogue; %s broke the SMTP "
			 "protocol at %s.",
			 w, s ? stage_name(s->stage) : "?");
		break;
	case VR_TLS:
		snprintf(t, tn, "No host could be used; %s failed TLS at %s.",
			 w, s ? stage_name(s->stage) : "?");
		break;
	case VR_SILENT:
		snprintf(t, tn,
			 "No host completed the dialogue; %s accepted the "
			 "connection%s, but %s never came (%s).",
			 w, p && p->tls.established ? " and TLS" : "",
			 s ? words_awaited(s->stage) : "a reply",
			 p ? outcome_name(p->outcome) : "?");
		break;
	case VR_UNREACHABLE:
		snprintf(t, tn,
			 "No mail host could be reached on port %d (%s: %s).",
			 p ? p->port : v->port, w,
			 p ? outcome_name(p->outcome) : "?");
		break;
	case VR_NULL_MX:
		snprintf(t, tn,
			 "%s: the domain publishes a null MX (RFC 7505): it "
			 "accepts no mail at all.",
			 dom);
		interpret_local(v->error, &in);
		set(r, rn, in.remediation);
		break;
	case VR_DNS:
		interpret_local(v->error, &in);
		snprintf(t, tn, "%s: %s", dom, in.explanation);
		set(r, rn, in.remediation);
		break;
	case VR_ADDRESS_LOOKUP:
		interpret_local(v->error, &in);
		snprintf(t, tn,
			 "The address lookup of %s's mail hosts failed: %s",
			 dom, in.explanation);
		set(r, rn, in.remediation);
		break;
	case VR_NO_ADDRESS:
		snprintf(t, tn,
			 "No mail host of %s has an address to connect to.",
			 dom);
		set(r, rn,
		    "The receiver's DNS is broken: its MX hosts need A or "
		    "AAAA records. Tell the domain's administrator.");
		break;
	case VR_FINDING:
		if (v->finding >= 0 && (size_t)v->finding < rec->nfindings) {
			const struct finding *f = &rec->findings[v->finding];
			set(t, tn, f->text);
			if (f->remediation[0])
				set(r, rn, f->remediation);
		}
		break;
	case VR_BAD_ADDRESS:
		snprintf(t, tn,
			 "'%s' is not an ADDRESS or a DOMAIN (%s): it was not "
			 "probed.",
			 rec->target ? rec->target->given : "",
			 v->detail ? v->detail : "malformed");
		set(r, rn,
		    "Correct the line (one local@domain or domain a line; # "
		    "starts a comment) and probe it again.");
		break;
	case VR_NONE:
	case VR__COUNT: break;
	}
}

void words_render(struct run_record *rec)
{
	/* Findings first: a verdict may take its words from one. */
	for (size_t i = 0; i < rec->nfindings && i < FINDINGS_MAX; i++)
		finding_words(rec, &rec->findings[i]);
	for (size_t i = 0; i < rec->nverdicts && i < PORTS_CAP; i++)
		verdict_words(rec, &rec->verdicts[i]);
	verdict_words(rec, &rec->overall);
}
