/*
 * test_interpreter.c - the interpreter reads a reply in its context:
 * {stage, reply text} -> {class, category}, the same code meaning
 * different things at the banner and at RCPT; local failures get the
 * dns/network/tls categories; and the verdict walks the probes the way a
 * sending MTA would (smtpprobe(1), EXIT STATUS), on synthetic run records.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/socket.h>

#include "smtpprobe/interpreter.h"
#include "smtpprobe/reasoning.h"
#include "smtpprobe/words.h"
#include "smtpprobe/reply.h"

/* Parse wire text (CRLF added when missing) into one reply. */
static struct reply *parse(const char *wire)
{
	struct reply_parser p;
	enum rp_status st;
	char buf[1024];
	size_t n = strlen(wire);

	assert_true(n + 3 < sizeof buf);
	memcpy(buf, wire, n);
	if (n < 2 || wire[n - 1] != '\n') {
		memcpy(buf + n, "\r\n", 2);
		n += 2;
	}
	rp_init(&p);
	rp_feed(&p, buf, n, &st);
	assert_int_equal(st, RP_REPLY);
	return rp_take(&p);
}

struct reply_case {
	enum stage stage;
	const char *wire;
	enum reply_class cls;
	enum category cat;
};

static void check_cases(const struct reply_case *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct reply *r = parse(t[i].wire);
		struct interpretation in;

		interpret_reply(t[i].stage, r, &in);
		if (in.cls != t[i].cls || in.category != t[i].cat)
			fail_msg("case %zu (%s at %s): got %s/%s, want %s/%s",
				 i, t[i].wire, stage_name(t[i].stage),
				 reply_class_name(in.cls),
				 category_name(in.category),
				 reply_class_name(t[i].cls),
				 category_name(t[i].cat));
		assert_non_null(in.explanation);
		assert_non_null(in.remediation);
		assert_true(in.explanation[0] && in.remediation[0]);
		reply_free(r);
	}
}

static void test_replies_in_context(void **state)
{
	static const struct reply_case t[] = {
	    {STAGE_BANNER, "220 mx.example.test ESMTP", CLASS_SUCCESS,
	     CAT_SUCCESS},
	    /* 554 at the greeting: the service refuses you. */
	    {STAGE_BANNER, "554 mx.example.test", CLASS_PERMANENT,
	     CAT_SERVICE_UNAVAILABLE},
	    {STAGE_BANNER, "421 4.3.2 Service shutting down", CLASS_TRANSIENT,
	     CAT_SERVICE_UNAVAILABLE},
	    {STAGE_BANNER,
	     "554 5.7.1 Service unavailable; Client host [192.0.2.1] "
	     "blocked using zen.spamhaus.org",
	     CLASS_PERMANENT, CAT_IP_BLOCKLISTED},
	    /* 554 at RCPT: a policy refusal of this recipient. */
	    {STAGE_RCPT, "554 Transaction failed", CLASS_PERMANENT, CAT_POLICY},
	    {STAGE_RCPT, "554 5.7.1 <x@example.test>: Relay access denied",
	     CLASS_PERMANENT, CAT_RELAY_DENIED},
	    {STAGE_RCPT,
	     "550 5.1.1 <bob@example.test>: Recipient address rejected: "
	     "User unknown in local recipient table",
	     CLASS_PERMANENT, CAT_MAILBOX_UNKNOWN},
	    {STAGE_RCPT, "550 Requested action not taken", CLASS_PERMANENT,
	     CAT_MAILBOX_UNKNOWN},
	    /* 550 at MAIL FROM is about the sender, not a mailbox. */
	    {STAGE_MAIL, "550 Requested action not taken", CLASS_PERMANENT,
	     CAT_POLICY},
	    {STAGE_MAIL, "553 sorry, that domain isn't allowed",
	     CLASS_PERMANENT, CAT_BAD_ADDRESS},
	    {STAGE_RCPT,
	     "450 4.2.0 <carol@grey.example.test>: Recipient address "
	     "rejected: Greylisted, see "
	     "http://postgrey.schweikert.ch/help/grey.example.test.html",
	     CLASS_TRANSIENT, CAT_GREYLISTED},
	    {STAGE_RCPT, "452 4.2.2 Mailbox full", CLASS_TRANSIENT,
	     CAT_MAILBOX_FULL},
	    {STAGE_EHLO, "501 5.5.2 Syntax: EHLO hostname", CLASS_PERMANENT,
	     CAT_HELO_REJECTED},
	    {STAGE_AUTH,
	     "535 5.7.8 Error: authentication failed: authentication "
	     "failure",
	     CLASS_PERMANENT, CAT_AUTH_FAILED},
	    {STAGE_MAIL, "530 5.7.0 Authentication required", CLASS_PERMANENT,
	     CAT_AUTH_REQUIRED},
	    {STAGE_MAIL, "530 5.7.0 Must issue a STARTTLS command first",
	     CLASS_PERMANENT, CAT_TLS_REQUIRED},
	    {STAGE_STARTTLS,
	     "454 4.7.0 TLS not available due to local "
	     "problem",
	     CLASS_TRANSIENT, CAT_TLS},
	    {STAGE_MAIL, "552 5.3.4 Message size exceeds fixed limit",
	     CLASS_PERMANENT, CAT_MESSAGE_TOO_LARGE},
	    {STAGE_RCPT, "354 go ahead", CLASS_INTERMEDIATE, CAT_INTERMEDIATE},
	    /* The class is the code's, whatever the text says. */
	    {STAGE_RCPT, "250 2.1.5 Ok, user unknown is now known",
	     CLASS_SUCCESS, CAT_SUCCESS},
	    /* A mismatched enhanced code is ignored: 550 decides. */
	    {STAGE_RCPT, "550 2.1.5 odd", CLASS_PERMANENT, CAT_MAILBOX_UNKNOWN},
	    /* A catch-all basic code (550, 554) defers to the subject of
	     * its enhanced code, even X.Y.0; a specific one does not. */
	    {STAGE_RCPT, "550 5.7.0 rejected here", CLASS_PERMANENT, CAT_POLICY},
	    {STAGE_RCPT, "550 5.6.0 cannot take this", CLASS_PERMANENT,
	     CAT_CONTENT_REJECTED},
	    {STAGE_MAIL, "554 5.3.0 trouble", CLASS_PERMANENT,
	     CAT_SERVICE_UNAVAILABLE},
	    {STAGE_RCPT, "550 5.1.0 no", CLASS_PERMANENT, CAT_BAD_ADDRESS},
	    {STAGE_MAIL, "530 5.7.0 log in", CLASS_PERMANENT, CAT_AUTH_REQUIRED},
	};

	(void)state;
	check_cases(t, sizeof t / sizeof t[0]);
}

/* RSET and QUIT come after the verdict: every code they can get is
 * explained as an answer to them (never as a greeting, a TLS go-ahead or
 * unsolicited data), with the class still the code's. */
static void test_rset_quit_in_context(void **state)
{
	static const enum stage st[] = {STAGE_RSET, STAGE_QUIT};
	static const char *const verb[] = {"RSET", "QUIT"};

	(void)state;
	for (size_t k = 0; k < 2; k++) {
		for (int code = 200; code <= 599; code++) {
			char wire[64];
			struct interpretation in;
			struct reply *r;

			if (code / 10 % 10 > 5) /* RFC 5321 4.2: x0z-x5z */
				continue;
			snprintf(wire, sizeof wire, "%d %s", code,
				 code / 100 == 2 ? "2.0.0 ok" : "odd");
			r = parse(wire);
			interpret_reply(st[k], r, &in);
			assert_int_equal(in.cls, reply_class_of(code));
			if (!strstr(in.explanation, verb[k]))
				fail_msg("%d at %s: \"%s\" does not name %s",
					 code, stage_name(st[k]),
					 in.explanation, verb[k]);
			assert_true(in.remediation && in.remediation[0]);
			if (code / 100 == 2)
				assert_int_equal(in.category, CAT_SUCCESS);
			else if (code / 100 == 3)
				assert_int_equal(in.category, CAT_INTERMEDIATE);
			reply_free(r);
		}
	}
	/* A text pattern still sets the category (a 421 at RSET is still a
	 * service that is going away), not the words. */
	{
		struct reply *r = parse("500 5.5.1 command unrecognized");
		struct interpretation in;

		interpret_reply(STAGE_RSET, r, &in);
		assert_int_equal(in.category, CAT_PROTOCOL);
		reply_free(r);
		r = parse("530 5.7.0 Authentication required");
		interpret_reply(STAGE_RSET, r, &in);
		assert_int_equal(in.category, CAT_PROTOCOL);
		reply_free(r);
	}
}

static void test_local_failures(void **state)
{
	static const struct {
		enum local_error e;
		enum category cat;
	} t[] = {
	    {LE_DNS_NXDOMAIN, CAT_DNS},
	    {LE_DNS_SERVFAIL, CAT_DNS},
	    {LE_DNS_TIMEOUT, CAT_DNS},
	    {LE_CONN_REFUSED, CAT_NETWORK},
	    {LE_CONN_TIMEOUT, CAT_NETWORK},
	    {LE_CONN_UNREACHABLE, CAT_NETWORK},
	    {LE_TLS_HANDSHAKE, CAT_TLS},
	    {LE_TLS_NOT_OFFERED, CAT_TLS},
	    {LE_PROTO_INJECTION, CAT_PROTOCOL},
	};

	(void)state;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct interpretation in;

		interpret_local(t[i].e, &in);
		assert_int_equal(in.category, t[i].cat);
		assert_true(in.explanation[0] && in.remediation[0]);
	}
}

/* ---- verdicts on synthetic records ---- */

static struct config cfg;

static void setup_record(struct run_record *rec, int nhosts)
{
	memset(&cfg, 0, sizeof cfg);
	strcpy(cfg.target.given, "alice@example.test");
	strcpy(cfg.target.domain, "example.test");
	strcpy(cfg.target.rcpt, "alice@example.test");
	cfg.target.is_address = 1;
	cfg.ports[0] = 25;
	cfg.nports = 1;
	record_init(rec, &cfg, &cfg.target);
	rec->dns.status = DNS_OK;
	for (int i = 0; i < nhosts; i++) {
		char name[32];
		snprintf(name, sizeof name, "mx%d.example.test", i + 1);
		rec->dns.hosts[i].name = strdup(name);
		rec->dns.hosts[i].preference = 10 * (i + 1);
	}
	rec->dns.nhosts = (size_t)nhosts;
}

/* A probe of host h over family fam that ended with outcome o; when wire
 * is given, the reply at stage st decided it (and the probe connected). */
static struct probe *add_probe_fam(struct run_record *rec, size_t h, int port,
				   int fam, enum outcome o, enum stage st,
				   const char *wire)
{
	struct probe *p = record_add_probe(
	    rec, h, fam == AF_INET6 ? "2001:db8::1" : "192.0.2.1", fam, port);
	int i;

	assert_non_null(p);
	p->outcome = o;
	i = probe_add_step(p, st, 1, NULL, 0);
	if (wire) {
		p->steps[i].reply = parse(wire);
		p->connect_ms = 5;
	} else {
		p->steps[i].error =
		    o == OUTCOME_REFUSED ? LE_CONN_REFUSED : LE_CONN_TIMEOUT;
	}
	p->deciding_step = i;
	return p;
}

static void add_probe(struct run_record *rec, size_t h, int port,
		      enum outcome o, enum stage st, const char *wire)
{
	add_probe_fam(rec, h, port, AF_INET, o, st, wire);
}

static const struct finding *finding_of(const struct run_record *rec,
					enum finding_kind k)
{
	for (size_t i = 0; i < rec->nfindings; i++)
		if (rec->findings[i].kind == k)
			return &rec->findings[i];
	return NULL;
}

/* The finding of kind k that is the overall verdict's reason (and the
 * single port's, when one port was probed); fails otherwise. */
static const struct finding *concluded(const struct run_record *rec,
				       enum finding_kind k)
{
	const struct finding *f = finding_of(rec, k);

	assert_non_null(f);
	assert_int_equal(rec->overall.reason, VR_FINDING);
	assert_ptr_equal(&rec->findings[rec->overall.finding], f);
	if (rec->nverdicts == 1) {
		assert_int_equal(rec->verdicts[0].reason, VR_FINDING);
		assert_int_equal(rec->verdicts[0].finding,
				 rec->overall.finding);
	}
	/* words.c rendered it, and the verdict says the same. */
	assert_true(f->text[0] != '\0');
	assert_string_equal(rec->overall.summary, f->text);
	return f;
}

static int has_finding(const struct run_record *rec, enum finding_kind k)
{
	for (size_t i = 0; i < rec->nfindings; i++)
		if (rec->findings[i].kind == k)
			return 1;
	return 0;
}

static void test_verdict_first_decisive_wins(void **state)
{
	struct run_record rec;

	(void)state;
	/* Primary refuses, the backup greylists, the third accepts: the
	 * connection failure and the 4xx move on; the 2xx decides. */
	setup_record(&rec, 3);
	add_probe(&rec, 0, 25, OUTCOME_REFUSED, STAGE_CONNECT, NULL);
	add_probe(&rec, 1, 25, OUTCOME_TEMPFAIL, STAGE_RCPT,
		  "450 4.2.0 Greylisted");
	add_probe(&rec, 2, 25, OUTCOME_ACCEPTED, STAGE_RCPT, "250 2.1.5 Ok");
	interpret_record(&rec);
	assert_int_equal(rec.overall.outcome, VERDICT_ACCEPTED);
	assert_int_equal(rec.overall.exit_status, 0);
	assert_int_equal(rec.overall.deciding_probe, 2);
	record_free(&rec);
}

static void test_verdict_5xx_decides_before_later_accept(void **state)
{
	struct run_record rec;

	(void)state;
	setup_record(&rec, 2);
	add_probe(&rec, 0, 25, OUTCOME_REJECTED, STAGE_RCPT,
		  "550 5.1.1 User unknown");
	add_probe(&rec, 1, 25, OUTCOME_ACCEPTED, STAGE_RCPT, "250 Ok");
	interpret_record(&rec);
	assert_int_equal(rec.overall.outcome, VERDICT_REJECTED);
	assert_int_equal(rec.overall.exit_status, 77);
	assert_int_equal(rec.overall.deciding_probe, 0);
	/* ...and the reasoning notices the MX hosts disagree. */
	assert_true(has_finding(&rec, FIND_INCONSISTENT_MX));
	/* It is the verdict's reason: the accepting probe and the one that
	 * rejects are its parameters. */
	const struct finding *f = concluded(&rec, FIND_INCONSISTENT_MX);
	assert_int_equal(f->probe, 1);
	assert_int_equal(f->other_probe, 0);
	record_free(&rec);
}

static void test_verdict_no_decision(void **state)
{
	struct run_record rec;

	(void)state;
	setup_record(&rec, 2);
	add_probe(&rec, 0, 25, OUTCOME_TIMEOUT, STAGE_CONNECT, NULL);
	add_probe(&rec, 1, 25, OUTCOME_TEMPFAIL, STAGE_RCPT,
		  "451 4.3.0 Temporary lookup failure");
	interpret_record(&rec);
	assert_int_equal(rec.overall.outcome, VERDICT_TEMPFAIL);
	assert_int_equal(rec.overall.exit_status, 75);
	record_free(&rec);

	setup_record(&rec, 2);
	add_probe(&rec, 0, 25, OUTCOME_TIMEOUT, STAGE_CONNECT, NULL);
	add_probe(&rec, 1, 25, OUTCOME_REFUSED, STAGE_CONNECT, NULL);
	interpret_record(&rec);
	assert_int_equal(rec.overall.outcome, VERDICT_UNREACHABLE);
	assert_int_equal(rec.overall.exit_status, 69);
	record_free(&rec);
}

static void test_verdict_ports_best_of(void **state)
{
	struct run_record rec;

	(void)state;
	setup_record(&rec, 1);
	cfg.ports[1] = 587;
	cfg.nports = 2;
	add_probe(&rec, 0, 25, OUTCOME_TIMEOUT, STAGE_CONNECT, NULL);
	add_probe(&rec, 0, 587, OUTCOME_ACCEPTED, STAGE_RCPT, "250 Ok");
	interpret_record(&rec);
	assert_int_equal(rec.nverdicts, 2);
	assert_int_equal(rec.verdicts[0].port, 25);
	assert_int_equal(rec.verdicts[0].outcome, VERDICT_UNREACHABLE);
	assert_int_equal(rec.verdicts[1].port, 587);
	assert_int_equal(rec.verdicts[1].outcome, VERDICT_ACCEPTED);
	assert_int_equal(rec.overall.exit_status, 0);
	record_free(&rec);
}

static void test_verdict_dns(void **state)
{
	static const struct {
		enum dns_status st;
		enum local_error e;
		enum verdict_outcome v;
		int exit;
	} t[] = {
	    {DNS_NXDOMAIN, LE_DNS_NXDOMAIN, VERDICT_NO_MAIL_HOST, 68},
	    {DNS_NULL_MX, LE_DNS_NULL_MX, VERDICT_NO_MAIL_HOST, 68},
	    {DNS_NODATA, LE_DNS_NODATA, VERDICT_NO_MAIL_HOST, 68},
	    {DNS_SERVFAIL, LE_DNS_SERVFAIL, VERDICT_DNS_ERROR, 75},
	    {DNS_TIMEOUT, LE_DNS_TIMEOUT, VERDICT_DNS_ERROR, 75},
	};

	(void)state;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct run_record rec;

		setup_record(&rec, 0);
		rec.dns.status = t[i].st;
		rec.dns.error = t[i].e;
		interpret_record(&rec);
		assert_int_equal(rec.overall.outcome, t[i].v);
		assert_int_equal(rec.overall.exit_status, t[i].exit);
		assert_int_equal(rec.overall.reason,
				 t[i].st == DNS_NULL_MX ? VR_NULL_MX : VR_DNS);
		assert_int_equal(rec.overall.error, t[i].e);
		assert_true(rec.overall.summary[0] &&
			    rec.overall.remediation[0]);
		record_free(&rec);
	}
	/* MX hosts, none with an address: no mail host. */
	struct run_record rec;
	setup_record(&rec, 2);
	interpret_record(&rec);
	assert_int_equal(rec.overall.outcome, VERDICT_NO_MAIL_HOST);
	assert_int_equal(rec.overall.exit_status, 68);
	assert_int_equal(rec.overall.reason, VR_NO_ADDRESS);
	record_free(&rec);

	/* ...but when their address lookup failed (SERVFAIL, timeout), it
	 * is a DNS error to retry, and nothing says the MX dangles. */
	setup_record(&rec, 1);
	rec.dns.hosts[0].flags |= MXF_NO_ADDRESS;
	rec.dns.hosts[0].addr_error = LE_DNS_SERVFAIL;
	interpret_record(&rec);
	assert_int_equal(rec.overall.outcome, VERDICT_DNS_ERROR);
	assert_int_equal(rec.overall.exit_status, 75);
	assert_int_equal(rec.overall.reason, VR_ADDRESS_LOOKUP);
	assert_int_equal(rec.overall.error, LE_DNS_SERVFAIL);
	assert_false(has_finding(&rec, FIND_MX_DANGLING));
	record_free(&rec);
}

/* ---- reasoning across probes ---- */

static void test_reason_port25_blocked(void **state)
{
	struct run_record rec;

	(void)state;
	setup_record(&rec, 2);
	cfg.ports[1] = 587;
	cfg.nports = 2;
	add_probe(&rec, 0, 25, OUTCOME_TIMEOUT, STAGE_CONNECT, NULL);
	add_probe(&rec, 1, 25, OUTCOME_TIMEOUT, STAGE_CONNECT, NULL);
	add_probe(&rec, 0, 587, OUTCOME_REJECTED, STAGE_RCPT,
		  "530 5.7.0 Authentication required");
	interpret_record(&rec);
	assert_int_equal(concluded(&rec, FIND_PORT25_BLOCKED)->port, 587);
	record_free(&rec);

	/* One host answers on 25: not a port block. */
	setup_record(&rec, 2);
	cfg.ports[1] = 587;
	cfg.nports = 2;
	add_probe(&rec, 0, 25, OUTCOME_TIMEOUT, STAGE_CONNECT, NULL);
	add_probe(&rec, 1, 25, OUTCOME_ACCEPTED, STAGE_RCPT, "250 ok");
	add_probe(&rec, 0, 587, OUTCOME_ACCEPTED, STAGE_RCPT, "250 ok");
	interpret_record(&rec);
	assert_false(has_finding(&rec, FIND_PORT25_BLOCKED));
	record_free(&rec);
}

static void test_reason_all_unreachable(void **state)
{
	struct run_record rec;

	(void)state;
	setup_record(&rec, 2);
	add_probe(&rec, 0, 25, OUTCOME_REFUSED, STAGE_CONNECT, NULL);
	add_probe(&rec, 1, 25, OUTCOME_TIMEOUT, STAGE_CONNECT, NULL);
	interpret_record(&rec);
	const struct finding *f = concluded(&rec, FIND_ALL_UNREACHABLE);
	assert_int_equal(f->refused, 1);
	assert_int_equal(f->timed_out, 1);
	assert_int_equal(f->other, 0);
	assert_int_equal(f->port, 0); /* not "only port 25 timed out" */
	assert_int_equal(rec.overall.exit_status, 69);
	record_free(&rec);

	/* Only timeouts on port 25: it may be this side; say how to tell. */
	setup_record(&rec, 2);
	add_probe(&rec, 0, 25, OUTCOME_TIMEOUT, STAGE_CONNECT, NULL);
	add_probe(&rec, 1, 25, OUTCOME_TIMEOUT, STAGE_CONNECT, NULL);
	interpret_record(&rec);
	f = concluded(&rec, FIND_ALL_UNREACHABLE);
	assert_int_equal(f->timed_out, 2);
	assert_int_equal(f->refused + f->other, 0);
	assert_int_equal(f->port, 25); /* dropped on 25: maybe this side */
	record_free(&rec);
}

static void test_reason_family_broken(void **state)
{
	struct run_record rec;

	(void)state;
	setup_record(&rec, 1);
	add_probe_fam(&rec, 0, 25, AF_INET6, OUTCOME_TIMEOUT, STAGE_CONNECT,
		      NULL);
	add_probe_fam(&rec, 0, 25, AF_INET, OUTCOME_ACCEPTED, STAGE_RCPT,
		      "250 ok");
	interpret_record(&rec);
	assert_true(has_finding(&rec, FIND_FAMILY_BROKEN));
	assert_int_equal(finding_of(&rec, FIND_FAMILY_BROKEN)->family, 6);
	assert_int_equal(rec.overall.exit_status, 0);
	assert_int_equal(rec.overall.reason, VR_ACCEPTED);
	record_free(&rec);
}

static void test_reason_egress_listed(void **state)
{
	struct run_record rec;
	struct probe *p;
	int i;

	(void)state;
	setup_record(&rec, 2);
	p = add_probe_fam(&rec, 0, 25, AF_INET, OUTCOME_REJECTED, STAGE_BANNER,
			  "554 5.7.1 Service unavailable; Client host "
			  "[203.0.113.5] blocked using zen.spamhaus.org");
	(void)p;
	p = add_probe_fam(&rec, 1, 25, AF_INET, OUTCOME_REJECTED, STAGE_RCPT,
			  "550 5.7.1 Your IP has a poor reputation");
	/* The server echoed the client's address in its EHLO reply. */
	i = probe_add_step(p, STAGE_EHLO, 1, "EHLO x", 0);
	p->steps[i].reply = parse("250 mx2 Hello x [203.0.113.5]");
	interpret_record(&rec);
	const struct finding *f = concluded(&rec, FIND_EGRESS_LISTED);
	assert_string_equal(f->address, "203.0.113.5");
	/* The remedy is the blocklist reply's (probe 0 cites Spamhaus). */
	assert_int_equal(f->probe, 0);
	assert_string_equal(rec.overall.remediation,
			    rec.probes[0].steps[0].remediation);
	record_free(&rec);
}

static void test_reason_greylisted(void **state)
{
	struct run_record rec;

	(void)state;
	setup_record(&rec, 1);
	add_probe(&rec, 0, 25, OUTCOME_TEMPFAIL, STAGE_RCPT,
		  "450 4.2.0 <a@example.test>: Recipient address rejected: "
		  "Greylisted, see http://postgrey.schweikert.ch/help/x.html");
	interpret_record(&rec);
	assert_int_equal(concluded(&rec, FIND_GREYLISTED)->seconds, 0);
	/* One port: its verdict line says the same as the overall one. */
	assert_string_equal(rec.verdicts[0].summary, rec.overall.summary);
	assert_string_equal(rec.verdicts[0].remediation,
			    rec.overall.remediation);
	assert_int_equal(rec.overall.exit_status, 75);
	record_free(&rec);
}

static void test_reason_dns_records(void **state)
{
	struct run_record rec;

	(void)state;
	setup_record(&rec, 3);
	rec.dns.flags |= DNSF_NULL_MX_MIXED;
	rec.dns.hosts[0].flags |= MXF_CNAME;
	rec.dns.hosts[0].cname = strdup("real.example.test");
	free(rec.dns.hosts[1].name);
	rec.dns.hosts[1].name = strdup("192.0.2.7");
	rec.dns.hosts[1].flags |= MXF_IP_LITERAL | MXF_NO_ADDRESS;
	rec.dns.hosts[2].flags |= MXF_NO_ADDRESS;
	rec.dns.hosts[2].addr_error = LE_DNS_NO_ADDRESS;
	add_probe(&rec, 0, 25, OUTCOME_ACCEPTED, STAGE_RCPT, "250 ok");
	interpret_record(&rec);
	assert_non_null(finding_of(&rec, FIND_NULL_MX_MIXED));
	assert_int_equal(finding_of(&rec, FIND_MX_CNAME)->host, 0);
	assert_int_equal(finding_of(&rec, FIND_MX_IP_LITERAL)->host, 1);
	assert_int_equal(finding_of(&rec, FIND_MX_DANGLING)->host, 2);
	assert_null(finding_of(&rec, FIND_MX_PRIVATE));
	/* The literal is not also called dangling. */
	size_t dangling = 0;
	for (size_t i = 0; i < rec.nfindings; i++)
		dangling += rec.findings[i].kind == FIND_MX_DANGLING;
	assert_int_equal(dangling, 1);
	record_free(&rec);
}

/* A probe accepted at RCPT, then the given RSET and QUIT replies. */
static void add_accepted_then(struct run_record *rec, const char *rset,
			      const char *quit)
{
	struct probe *p = record_add_probe(rec, 0, "192.0.2.1", AF_INET, 25);
	int i;

	p->outcome = OUTCOME_ACCEPTED;
	p->connect_ms = 3;
	i = probe_add_step(p, STAGE_RCPT, 1, NULL, 0);
	p->steps[i].reply = parse("250 2.1.5 Ok");
	p->deciding_step = i;
	i = probe_add_step(p, STAGE_RSET, 2, NULL, 0);
	p->steps[i].reply = parse(rset);
	i = probe_add_step(p, STAGE_QUIT, 3, NULL, 0);
	p->steps[i].reply = parse(quit);
}

static void test_reason_session_endings(void **state)
{
	struct run_record rec;
	const struct finding *f;

	(void)state;
	setup_record(&rec, 1);
	add_accepted_then(&rec, "500 5.5.1 what", "221 bye");
	interpret_record(&rec);
	assert_int_equal(rec.overall.outcome, VERDICT_ACCEPTED);
	f = finding_of(&rec, FIND_RSET_REFUSED);
	assert_non_null(f);
	assert_int_equal(f->probe, 0);
	assert_null(finding_of(&rec, FIND_QUIT_REFUSED));
	record_free(&rec);

	setup_record(&rec, 1);
	add_accepted_then(&rec, "250 ok", "502 no");
	interpret_record(&rec);
	assert_null(finding_of(&rec, FIND_RSET_REFUSED));
	assert_non_null(finding_of(&rec, FIND_QUIT_REFUSED));
	record_free(&rec);

	setup_record(&rec, 1);
	add_accepted_then(&rec, "250 ok", "221 bye");
	interpret_record(&rec);
	assert_int_equal(rec.nfindings, 0);
	record_free(&rec);

	/* STARTTLS offered then refused: its own kind, not no_tls. */
	setup_record(&rec, 1);
	add_accepted_then(&rec, "250 ok", "221 bye");
	rec.probes[0].flags |= PROBEF_CLEARTEXT | PROBEF_STARTTLS_REFUSED;
	interpret_record(&rec);
	assert_non_null(finding_of(&rec, FIND_STARTTLS_REFUSED));
	assert_null(finding_of(&rec, FIND_CLEARTEXT));
	record_free(&rec);
}

/* The TLS step decided tls_error over a certificate that did not
 * verify, with --auth: credentials_withheld, the verdict's words; with
 * --insecure and AUTH sent over it: insecure_auth. */
static void test_reason_credentials(void **state)
{
	struct run_record rec;
	struct probe *p;
	const struct finding *f;

	(void)state;
	setup_record(&rec, 1);
	strcpy(cfg.auth_user, "alice");
	p = record_add_probe(&rec, 0, "192.0.2.1", AF_INET, 587);
	cfg.ports[0] = 587;
	p->outcome = OUTCOME_TLS_ERROR;
	p->connect_ms = 2;
	p->tls.established = 1;
	p->tls.chain_ok = 0;
	p->tls.name_ok = 1;
	p->tls.verify_error = strdup("self-signed certificate");
	p->deciding_step = probe_add_step(p, STAGE_TLS, 1, NULL, 1);
	p->steps[p->deciding_step].error = LE_TLS_SELF_SIGNED;
	interpret_record(&rec);
	assert_int_equal(rec.overall.outcome, VERDICT_TLS_ERROR);
	assert_int_equal(rec.overall.exit_status, 69);
	f = finding_of(&rec, FIND_AUTH_WITHHELD);
	assert_non_null(f);
	assert_int_equal(f->probe, 0);
	/* It is the verdict's words, in the overall and the port verdict. */
	assert_ptr_equal(concluded(&rec, FIND_AUTH_WITHHELD), f);
	assert_null(finding_of(&rec, FIND_INSECURE_AUTH));
	record_free(&rec);

	/* --insecure: AUTH went over the unverified certificate. */
	setup_record(&rec, 1);
	strcpy(cfg.auth_user, "alice");
	cfg.insecure = 1;
	p = record_add_probe(&rec, 0, "192.0.2.1", AF_INET, 25);
	p->outcome = OUTCOME_ACCEPTED;
	p->connect_ms = 2;
	p->tls.established = 1;
	p->tls.name_ok = 1;
	probe_add_step(p, STAGE_AUTH, 1, "AUTH PLAIN <redacted>", 1);
	p->deciding_step = probe_add_step(p, STAGE_RCPT, 2, NULL, 1);
	p->steps[p->deciding_step].reply = parse("250 ok");
	interpret_record(&rec);
	assert_int_equal(rec.overall.outcome, VERDICT_ACCEPTED);
	assert_non_null(finding_of(&rec, FIND_INSECURE_AUTH));
	assert_null(finding_of(&rec, FIND_AUTH_WITHHELD));
	record_free(&rec);
	cfg.insecure = 0;
}

/* Connected, then silence: not "could not be reached". */
static void test_verdict_silent_after_connect(void **state)
{
	struct run_record rec;
	struct probe *p;
	const struct finding *f;

	(void)state;
	setup_record(&rec, 1);
	cfg.timeout_s = 10;
	p = record_add_probe(&rec, 0, "192.0.2.1", AF_INET, 25);
	p->outcome = OUTCOME_TIMEOUT;
	p->connect_ms = 4;
	probe_add_step(p, STAGE_CONNECT, 0, NULL, 0);
	p->deciding_step = probe_add_step(p, STAGE_EHLO, 1, "EHLO x", 0);
	p->steps[p->deciding_step].error = LE_REPLY_TIMEOUT;
	interpret_record(&rec);
	assert_int_equal(rec.overall.outcome, VERDICT_UNREACHABLE);
	assert_int_equal(rec.overall.exit_status, 69);
	f = finding_of(&rec, FIND_SILENT_AFTER_CONNECT);
	assert_non_null(f);
	assert_int_equal(f->probe, 0);
	assert_null(finding_of(&rec, FIND_ALL_UNREACHABLE));
	record_free(&rec);

	/* Never connected: no such finding. */
	setup_record(&rec, 1);
	add_probe(&rec, 0, 25, OUTCOME_TIMEOUT, STAGE_CONNECT, NULL);
	interpret_record(&rec);
	assert_null(finding_of(&rec, FIND_SILENT_AFTER_CONNECT));
	assert_non_null(finding_of(&rec, FIND_ALL_UNREACHABLE));
	record_free(&rec);
}

/* words.c renders every finding kind and every verdict reason: never an
 * empty sentence, and the parameters it names (a host, a code, a count)
 * are the finding's own. */
static void test_words_every_kind(void **state)
{
	struct run_record rec;

	(void)state;
	for (int k = 0; k < FIND__COUNT; k++) {
		struct finding *f;
		char code[16];

		setup_record(&rec, 2);
		add_probe(&rec, 1, 25, OUTCOME_ACCEPTED, STAGE_RCPT, "250 ok");
		f = record_finding(&rec, (enum finding_kind)k);
		assert_non_null(f);
		f->probe = 0;
		f->other_probe = 0;
		f->host = 1;
		f->step = 0;
		f->port = 587;
		f->code = 454;
		f->family = 6;
		f->seconds = 7;
		f->refused = 1;
		f->timed_out = 2;
		words_render(&rec);
		if (!f->text[0])
			fail_msg("%s renders no text", finding_name(f->kind));
		snprintf(code, sizeof code, "%d", f->code);
		if ((k == FIND_STARTTLS_REFUSED || k == FIND_RSET_REFUSED ||
		     k == FIND_QUIT_REFUSED) &&
		    !strstr(f->text, code))
			fail_msg("%s does not name its code", finding_name(k));
		if ((k == FIND_MX_CNAME || k == FIND_MX_DANGLING ||
		     k == FIND_MX_PRIVATE || k == FIND_MX_IP_LITERAL) &&
		    !strstr(f->text, rec.dns.hosts[1].name))
			fail_msg("%s does not name its host", finding_name(k));
		if ((k == FIND_CLEARTEXT || k == FIND_TLS_UNVERIFIED ||
		     k == FIND_SILENT_AFTER_CONNECT ||
		     k == FIND_AUTH_WITHHELD) &&
		    !strstr(f->text, rec.dns.hosts[1].name))
			fail_msg("%s does not name its probe's host",
				 finding_name(k));
		record_free(&rec);
	}
	for (int r = VR_NONE + 1; r < VR__COUNT; r++) {
		setup_record(&rec, 1);
		add_probe(&rec, 0, 25, OUTCOME_ACCEPTED, STAGE_RCPT, "250 ok");
		rec.overall.reason = (enum verdict_reason)r;
		rec.overall.deciding_probe = 0;
		rec.overall.error = LE_DNS_SERVFAIL;
		assert_non_null(record_finding(&rec, FIND_CLEARTEXT));
		rec.findings[0].probe = 0;
		rec.overall.finding = 0;
		words_render(&rec);
		if (!rec.overall.summary[0] || !rec.overall.remediation[0])
			fail_msg("verdict reason %s renders no words",
				 verdict_reason_name((enum verdict_reason)r));
		record_free(&rec);
	}
	/* A finding index out of range renders nothing, and no crash. */
	setup_record(&rec, 1);
	rec.overall.reason = VR_FINDING;
	rec.overall.finding = 5;
	words_render(&rec);
	assert_string_equal(rec.overall.summary, "");
	record_free(&rec);
}

static void test_explain_parse(void **state)
{
	struct explanation e;

	(void)state;
	assert_int_equal(explain_parse("550", &e), 0);
	assert_int_equal(e.code, 550);
	assert_int_equal(e.in.cls, CLASS_PERMANENT);
	explanation_free(&e);

	assert_int_equal(explain_parse("5.7.26", &e), 0);
	assert_int_equal(e.code, 0);
	assert_string_equal(e.enhanced, "5.7.26");
	assert_int_equal(e.in.category, CAT_SENDER_AUTH);
	explanation_free(&e);

	/* A pasted multi-line bounce, ending on a continuation line. */
	assert_int_equal(explain_parse("550-5.7.26 This mail has been blocked "
				       "because the sender is\n550-5.7.26 "
				       "unauthenticated.",
				       &e),
			 0);
	assert_int_equal(e.code, 550);
	assert_string_equal(e.enhanced, "5.7.26");
	assert_int_equal(e.in.category, CAT_SENDER_AUTH);
	assert_non_null(e.text);
	explanation_free(&e);

	/* Refused: nothing with a code, an enhanced code or a word. */
	assert_int_equal(explain_parse("", &e), -1);
	assert_int_equal(explain_parse("  \t\n", &e), -1);
	assert_int_equal(explain_parse("9.9.9", &e), -1);
	assert_int_equal(explain_parse("12345 ...", &e), -1);
	explanation_free(&e);

	/* Words alone: no code, no class, the category from the wording
	 * (or unknown). */
	assert_int_equal(explain_parse("hello", &e), 0);
	assert_int_equal(e.code, 0);
	assert_int_equal(e.in.cls, CLASS_NONE);
	assert_int_equal(e.in.category, CAT_UNKNOWN);
	explanation_free(&e);
	assert_int_equal(explain_parse("650 nope", &e), 0);
	assert_int_equal(e.code, 0);
	assert_int_equal(e.in.cls, CLASS_NONE);
	explanation_free(&e);
}

/* Lines as people paste them: the wrapper peeled, its stage, recipient
 * and remote MTA kept, the reply inside it classified. */
static void test_explain_pasted(void **state)
{
	static const struct {
		const char *arg;
		int code;
		const char *enhanced;
		enum reply_class cls;
		enum category cat;
		enum explain_stage stage;
		const char *recipient, *remote_mta;
	} cases[] = {
	    /* Postfix bounce line */
	    {"<bob@example.org>: host mx.example.org[192.0.2.1] said: 550 "
	     "5.1.1 <bob@example.org>: Recipient address rejected: User "
	     "unknown in local recipient table (in reply to RCPT TO "
	     "command)",
	     550, "5.1.1", CLASS_PERMANENT, CAT_MAILBOX_UNKNOWN, ES_RCPT,
	     "bob@example.org", "mx.example.org"},
	    {"host mx.example.org[192.0.2.1] said: 552 5.2.2 Mailbox full "
	     "(in reply to end of DATA command)",
	     552, "5.2.2", CLASS_PERMANENT, CAT_MAILBOX_FULL, ES_DATA, NULL,
	     "mx.example.org"},
	    {"host mx.example.org[192.0.2.1] refused to talk to me: 554 "
	     "5.7.1 Service unavailable; Client host [192.0.2.9] blocked "
	     "using zen.spamhaus.org",
	     554, "5.7.1", CLASS_PERMANENT, CAT_IP_BLOCKLISTED, ES_BANNER,
	     NULL, "mx.example.org"},
	    /* RFC 3464 Diagnostic-Code field, folded */
	    {"Diagnostic-Code: smtp; 550 5.7.0 Local policy\n    violation",
	     550, "5.7.0", CLASS_PERMANENT, CAT_POLICY, ES_NONE, NULL, NULL},
	    {"Diagnostic-Code: X-Postfix; Host or domain name not found",
	     0, "", CLASS_NONE, CAT_DOMAIN_UNKNOWN, ES_NONE, NULL, NULL},
	    /* Exim, the host on its own continuation line */
	    {"SMTP error from remote mail server after RCPT "
	     "TO:<carol@example.net>:\n    host mx.example.net "
	     "[198.51.100.7]: 550-5.1.1 The email account that you tried to "
	     "reach does\n550 5.1.1 not exist.",
	     550, "5.1.1", CLASS_PERMANENT, CAT_MAILBOX_UNKNOWN, ES_RCPT,
	     "carol@example.net", "mx.example.net"},
	    {"SMTP error from remote mail server after MAIL FROM:<a@b.test> "
	     "SIZE=1234: 553 sorry",
	     553, "", CLASS_PERMANENT, CAT_BAD_ADDRESS, ES_MAIL, NULL, NULL},
	    /* a colon after the code */
	    {"550: 5.1.1 <x@example.org>... User Unknown", 550, "5.1.1",
	     CLASS_PERMANENT, CAT_MAILBOX_UNKNOWN, ES_NONE, NULL, NULL},
	    /* an odd basic code with a valid enhanced one */
	    {"571 5.7.1 Delivery not authorized", 571, "5.7.1",
	     CLASS_PERMANENT, CAT_POLICY, ES_NONE, NULL, NULL},
	    {"571 no reverse DNS for your IP", 571, "", CLASS_PERMANENT,
	     CAT_REVERSE_DNS, ES_NONE, NULL, NULL},
	    /* qmail: the class from "(#5.1.1)", the stage from the words */
	    {"Sorry, no mailbox here by that name. (#5.1.1)", 0, "5.1.1",
	     CLASS_PERMANENT, CAT_MAILBOX_UNKNOWN, ES_NONE, NULL, NULL},
	    {"192.0.2.1 does not like recipient.\nRemote host said: 550 "
	     "5.1.1 unknown user",
	     550, "5.1.1", CLASS_PERMANENT, CAT_MAILBOX_UNKNOWN, ES_RCPT,
	     NULL, NULL},
	    /* Sendmail's transcript */
	    {">>> RCPT To:<dave@example.com>\n<<< 550 5.1.1 "
	     "<dave@example.com>... User unknown",
	     550, "5.1.1", CLASS_PERMANENT, CAT_MAILBOX_UNKNOWN, ES_RCPT,
	     "dave@example.com", NULL},
	    /* Exchange */
	    {"Remote Server returned '550 5.1.1 "
	     "RESOLVER.ADR.RecipNotFound; not found'",
	     550, "5.1.1", CLASS_PERMANENT, CAT_MAILBOX_UNKNOWN, ES_NONE,
	     NULL, NULL},
	    /* an IP address is not an enhanced code */
	    {"Mailbox is frozen, host 5.1.1.1", 0, "", CLASS_NONE,
	     CAT_MAILBOX_DISABLED, ES_NONE, NULL, NULL},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct explanation e;

		if (explain_parse(cases[i].arg, &e) != 0)
			fail_msg("case %zu refused", i);
		if (e.code != cases[i].code ||
		    strcmp(e.enhanced, cases[i].enhanced) != 0 ||
		    e.in.cls != cases[i].cls ||
		    e.in.category != cases[i].cat ||
		    e.stage != cases[i].stage)
			fail_msg("case %zu: %d %s class %d %s stage %d", i,
				 e.code, e.enhanced, (int)e.in.cls,
				 category_name(e.in.category), (int)e.stage);
		if ((cases[i].recipient == NULL) != (e.recipient == NULL) ||
		    (e.recipient &&
		     strcmp(e.recipient, cases[i].recipient) != 0))
			fail_msg("case %zu: recipient %s", i,
				 e.recipient ? e.recipient : "(none)");
		if ((cases[i].remote_mta == NULL) != (e.remote_mta == NULL) ||
		    (e.remote_mta &&
		     strcmp(e.remote_mta, cases[i].remote_mta) != 0))
			fail_msg("case %zu: remote MTA %s", i,
				 e.remote_mta ? e.remote_mta : "(none)");
		assert_non_null(e.in.explanation);
		assert_non_null(e.in.remediation);
		explanation_free(&e);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_replies_in_context),
	    cmocka_unit_test(test_local_failures),
	    cmocka_unit_test(test_verdict_first_decisive_wins),
	    cmocka_unit_test(test_verdict_5xx_decides_before_later_accept),
	    cmocka_unit_test(test_verdict_no_decision),
	    cmocka_unit_test(test_verdict_ports_best_of),
	    cmocka_unit_test(test_verdict_dns),
	    cmocka_unit_test(test_reason_port25_blocked),
	    cmocka_unit_test(test_reason_all_unreachable),
	    cmocka_unit_test(test_reason_family_broken),
	    cmocka_unit_test(test_reason_egress_listed),
	    cmocka_unit_test(test_reason_greylisted),
	    cmocka_unit_test(test_reason_dns_records),
	    cmocka_unit_test(test_explain_parse),
	    cmocka_unit_test(test_explain_pasted),
	    cmocka_unit_test(test_words_every_kind),
	    cmocka_unit_test(test_rset_quit_in_context),
	    cmocka_unit_test(test_reason_session_endings),
	    cmocka_unit_test(test_reason_credentials),
	    cmocka_unit_test(test_verdict_silent_after_connect),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
