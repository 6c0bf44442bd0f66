/*
 * test_policy.c - the TLS policy parsing layer: DNSSEC bits of queries
 * and answers and the TLSA parser (dns_raw.c); the MTA-STS TXT record,
 * policy file and MX patterns and the TLS-RPT record (policy_text.c).
 * Valid inputs as the RFCs' examples have them, and each way a record can
 * break the grammar.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ares.h>
#include <stdlib.h>
#include <string.h>

#include "smtpprobe/dns_answer.h"
#include "smtpprobe/dns_raw.h"
#include "smtpprobe/identity.h"
#include "smtpprobe/policy_dns.h"
#include "smtpprobe/policy_sts.h"
#include "smtpprobe/reply.h"
#include "smtpprobe/policy_text.h"
#include "smtpprobe/record.h"

/* ---- DNS messages ---- */

/* A query as the resolver will build it: ares_create_query with an OPT
 * record, then AD and DO. */
static void test_query_want_dnssec(void **state)
{
	unsigned char *q = NULL;
	int qlen = 0;
	struct dns_header_facts h;

	(void)state;
	assert_int_equal(ares_create_query("_25._tcp.mx.example.net", 1,
					   DNS_TYPE_TLSA, 0x1234, 1, &q, &qlen,
					   1232),
			 ARES_SUCCESS);
	assert_int_equal(dns_read_header(q, (size_t)qlen, &h), 0);
	assert_false(h.ad);
	assert_int_equal(h.arcount, 1);
	assert_int_equal(dns_query_want_dnssec(q, (size_t)qlen), 0);
	assert_int_equal(dns_read_header(q, (size_t)qlen, &h), 0);
	assert_true(h.ad);
	assert_true(h.rd);
	assert_int_equal(h.id, 0x1234);
	/* DO is the top bit of the OPT record's flags (RFC 3225). */
	assert_int_equal(q[qlen - 4] & 0x80, 0x80);
	ares_free_string(q);

	/* Without an OPT record there is nowhere to put DO. */
	assert_int_equal(
	    ares_create_query("example.net", 1, 1, 1, 1, &q, &qlen, 0),
	    ARES_SUCCESS);
	assert_int_equal(dns_query_want_dnssec(q, (size_t)qlen), -1);
	ares_free_string(q);
	assert_int_equal(dns_query_want_dnssec((unsigned char *)"abc", 3), -1);
}

/* Build an answer: header, the question, then answer RRs given as
 * (type, rdata, rdlen), each owned by a pointer to the question name. */
struct rr {
	unsigned type;
	const unsigned char *rdata;
	size_t rdlen;
};

static size_t answer(unsigned char *buf, size_t cap, int ad, int rcode,
		     const struct rr *rrs, size_t n)
{
	static const unsigned char qname[] = "\x03_25\x04_tcp\x02mx\x07"
					     "example\x03net";
	size_t o = 0;

	assert_true(cap > 64);
	memset(buf, 0, 12);
	buf[0] = 0x12, buf[1] = 0x34;
	buf[2] = 0x81; /* QR, RD */
	buf[3] = (unsigned char)(0x80 | (ad ? 0x20 : 0) | rcode);
	buf[5] = 1;
	buf[7] = (unsigned char)n;
	o = 12;
	memcpy(buf + o, qname, sizeof qname); /* with its final 0 */
	o += sizeof qname;
	buf[o++] = 0, buf[o++] = 52, buf[o++] = 0, buf[o++] = 1;
	for (size_t i = 0; i < n; i++) {
		assert_true(o + 12 + rrs[i].rdlen <= cap);
		buf[o++] = 0xc0, buf[o++] = 12; /* the question's name */
		buf[o++] = (unsigned char)(rrs[i].type >> 8);
		buf[o++] = (unsigned char)rrs[i].type;
		buf[o++] = 0, buf[o++] = 1; /* IN */
		buf[o++] = 0, buf[o++] = 0, buf[o++] = 1,
		buf[o++] = 0; /* TTL */
		buf[o++] = (unsigned char)(rrs[i].rdlen >> 8);
		buf[o++] = (unsigned char)rrs[i].rdlen;
		memcpy(buf + o, rrs[i].rdata, rrs[i].rdlen);
		o += rrs[i].rdlen;
	}
	return o;
}

static void test_parse_tlsa(void **state)
{
	static const unsigned char r311[] = {3,	   1,	 1,    0xde, 0xad,
					     0xbe, 0xef, 0x01, 0x02};
	static const unsigned char r201[] = {2, 0, 1, 0xaa};
	static const unsigned char cname[] = "\x02mx\x07other\x03net";
	static const unsigned char shortrr[] = {3, 1};
	struct rr rrs[] = {{DNS_TYPE_CNAME, cname, sizeof cname},
			   {DNS_TYPE_TLSA, r311, sizeof r311},
			   {DNS_TYPE_TLSA, r201, sizeof r201},
			   {DNS_TYPE_TLSA, shortrr, sizeof shortrr}};
	unsigned char buf[1024];
	struct tlsa_answer *a = calloc(1, sizeof *a);
	size_t n;

	(void)state;
	assert_non_null(a);
	n = answer(buf, sizeof buf, 1, 0, rrs, 4);
	assert_int_equal(dns_parse_tlsa(buf, n, a), 0);
	assert_true(a->header.ad);
	assert_int_equal(a->header.rcode, 0);
	assert_true(a->cname);
	assert_int_equal(a->total, 3);
	assert_int_equal(a->n, 2);
	assert_true(a->short_rdata);
	assert_int_equal(a->rr[0].usage, 3);
	assert_int_equal(a->rr[0].selector, 1);
	assert_int_equal(a->rr[0].matching, 1);
	assert_int_equal(a->rr[0].len, 6);
	assert_memory_equal(a->rr[0].data, r311 + 3, 6);
	assert_int_equal(a->rr[1].usage, 2);
	assert_string_equal(tlsa_usage_name(a->rr[0].usage), "DANE-EE");
	assert_string_equal(tlsa_selector_name(a->rr[0].selector), "SPKI");
	assert_string_equal(tlsa_matching_name(a->rr[0].matching), "SHA-256");
	assert_string_equal(tlsa_usage_name(9), "?");

	/* SERVFAIL without AD; no records. */
	n = answer(buf, sizeof buf, 0, 2, NULL, 0);
	assert_int_equal(dns_parse_tlsa(buf, n, a), 0);
	assert_false(a->header.ad);
	assert_int_equal(a->header.rcode, 2);
	assert_int_equal(a->total, 0);

	/* Every cut of a good answer is refused or read short, never read
	 * past its end (ASan watches the exact-size copy). */
	n = answer(buf, sizeof buf, 1, 0, rrs, 4);
	for (size_t cut = 0; cut < n; cut++) {
		unsigned char *c = malloc(cut ? cut : 1);
		assert_non_null(c);
		memcpy(c, buf, cut);
		int rc = dns_parse_tlsa(c, cut, a);
		assert_true(rc == -1 ? a->malformed : !a->malformed);
		assert_true(a->n <= 2);
		free(c);
	}

	/* An rdlength past the end; a reserved label type; a name loop. */
	n = answer(buf, sizeof buf, 1, 0, rrs + 1, 1);
	buf[n - sizeof r311 - 1] = 0xff;
	assert_int_equal(dns_parse_tlsa(buf, n, a), -1);
	n = answer(buf, sizeof buf, 1, 0, rrs + 1, 1);
	buf[12] = 0x40;
	assert_int_equal(dns_parse_tlsa(buf, n, a), -1);
	n = answer(buf, sizeof buf, 1, 0, rrs + 1, 1);
	buf[12] = 0xc0, buf[13] = 12; /* the question points at itself */
	assert_int_equal(dns_parse_tlsa(buf, n, a), -1); /* then no type */
	free(a);
}

/* ---- MTA-STS ---- */

static int sts_txt(const char *s, struct sts_txt *t)
{
	return sts_parse_txt(s, strlen(s), t);
}

static void test_sts_txt(void **state)
{
	static const char *const bad[] = {
	    "v=STSv1;",		/* no id */
	    "v=STSv1; id=",	/* empty id */
	    "v=STSv1; id=abc!", /* not alphanumeric */
	    "v=STSv1; id=123456789012345678901234567890123", /* 33 */
	    "v=STSv1 id=1",				     /* no ';' */
	    "v=STSv1; id=1; id=2",			     /* twice */
	    "v=STSv1; =x; id=1",			     /* no name */
	    "v=STSv1; id=1; ext=a=b", /* '=' in a value */
	    "v=STSv1; id=1; x y=1",   /* a space in a name */
	    "v=STSv1; id=1\x01",      /* control character */
	};
	struct sts_txt t;

	(void)state;
	assert_int_equal(sts_txt("v=STSv1; id=20160831085700Z;", &t), 0);
	assert_string_equal(t.id, "20160831085700Z");
	assert_null(t.error);
	assert_int_equal(sts_txt("v=STSv1;id=abc", &t), 0);
	assert_int_equal(sts_txt("v=STSv1 ;\tid=abc ; ext.a-b_c=x", &t), 0);
	assert_string_equal(t.id, "abc");
	/* Not MTA-STS records at all: to be discarded. */
	assert_int_equal(sts_txt("v=spf1 -all", &t), 1);
	assert_int_equal(sts_txt("v=STSv10; id=1", &t), 1);
	assert_int_equal(sts_txt("V=STSv1; id=1", &t), 1);
	assert_int_equal(sts_txt("", &t), 1);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (sts_txt(bad[i], &t) != -1)
			fail_msg("\"%s\" accepted", bad[i]);
		assert_non_null(t.error);
	}
}

static int policy(const char *s, struct sts_policy *p)
{
	return sts_parse_policy(s, strlen(s), p);
}

static void test_sts_policy(void **state)
{
	static const char *const bad[] = {
	    "mode: enforce\nmx: a.example\nmax_age: 1\n",     /* no version */
	    "version: STSv1\nmx: a.example\nmax_age: 1\n",    /* no mode */
	    "version: STSv1\nmode: enforce\nmx: a.example\n", /* no max_age */
	    "version: STSv1\nmode: enforce\nmax_age: 1\n",    /* no mx */
	    "version: STSv2\nmode: enforce\nmx: a\nmax_age: 1\n",
	    "version: STSv1\nmode: Enforce\nmx: a\nmax_age: 1\n",
	    "version: STSv1\nmode: enforce\nmx: a\nmax_age: 31557601\n",
	    "version: STSv1\nmode: enforce\nmx: a\nmax_age: -1\n",
	    "version: STSv1\nmode: enforce\nmx: a\nmax_age: 99999999999\n",
	    "version: STSv1\nmode: enforce\nmx: a..b\nmax_age: 1\n",
	    "version: STSv1\nmode: enforce\nmx: *\nmax_age: 1\n",
	    "version: STSv1\nmode: enforce\nmx: a.*.b\nmax_age: 1\n",
	    "version: STSv1\nmode: enforce\nmx: a b\nmax_age: 1\n",
	    "version: STSv1\nmode: enforce\nmode: none\nmx: a\nmax_age: 1\n",
	    "version: STSv1\nmode: enforce\nmx: a\nmax_age: 1\njunk\n",
	    "version: STSv1\nmode: enforce\nmx: a\xc3\xa9\nmax_age: 1\n",
	};
	struct sts_policy *p = calloc(1, sizeof *p);

	(void)state;
	assert_non_null(p);
	/* RFC 8461 3.2's example, CRLF line ends. */
	assert_int_equal(policy("version: STSv1\r\nmode: enforce\r\n"
				"mx: mail.example.com\r\nmx: *.example.net\r\n"
				"mx: backupmx.example.com\r\n"
				"max_age: 604800\r\n",
				p),
			 0);
	assert_int_equal(p->mode, STS_MODE_ENFORCE);
	assert_false(p->lf_only);
	assert_int_equal(p->max_age, 604800);
	assert_int_equal(p->nmx, 3);
	assert_string_equal(p->mx[1], "*.example.net");
	assert_string_equal(sts_mode_name(p->mode), "enforce");
	assert_true(sts_policy_lists(p, "mail.example.com"));
	assert_true(sts_policy_lists(p, "MX1.Example.NET."));
	assert_false(sts_policy_lists(p, "example.net"));
	assert_false(sts_policy_lists(p, "a.b.example.net"));
	assert_false(sts_policy_lists(p, "mail.example.org"));
	/* LF, spaces, unknown keys, a trailing dot, none without mx. */
	assert_int_equal(policy("version:STSv1\nmode:   testing  \n"
				"mx: MX.Example.COM.\nfoo: bar\nmax_age: 0",
				p),
			 0);
	assert_int_equal(p->mode, STS_MODE_TESTING);
	assert_true(p->lf_only); /* accepted, and noticed */
	assert_string_equal(p->mx[0], "mx.example.com");
	/* The mistakes people make are named: a typo that leaves no mx
	 * line (the key it was meant as is kept), an address as mx. */
	assert_int_equal(policy("version: STSv1\r\nmode: enforce\r\n"
				"nmx: mx.example.com\r\nmax_age: 1\r\n",
				p),
			 -1);
	assert_string_equal(p->typo, "nmx");
	assert_non_null(strstr(p->error, "nmx"));
	assert_int_equal(policy("version: STSv1\r\nmode: enforce\r\n"
				"MX: mx.example.com\r\nmax_age: 1\r\n",
				p),
			 -1);
	assert_string_equal(p->typo, "MX");
	assert_int_equal(policy("version: STSv1\r\nmode: enforce\r\n"
				"mx: 192.0.2.25\r\nmax_age: 1\r\n",
				p),
			 -1);
	assert_non_null(strstr(p->error, "IP address"));
	assert_int_equal(policy("version: STSv1\r\nmode: enforce\r\n"
				"mx: 2001:db8::25\r\nmax_age: 1\r\n",
				p),
			 -1);
	assert_non_null(strstr(p->error, "IP address"));
	assert_int_equal(
	    policy("version: STSv1\nmode: none\nmax_age: 86400\n", p), 0);
	assert_int_equal(p->mode, STS_MODE_NONE);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (policy(bad[i], p) != -1)
			fail_msg("policy %zu accepted", i);
		assert_non_null(p->error);
	}
	assert_int_equal(sts_parse_policy(NULL, 0, p), -1);
	free(p);
}

static void test_sts_mx_matches(void **state)
{
	(void)state;
	assert_true(sts_mx_matches("mx.example.net", "MX.example.net"));
	assert_true(sts_mx_matches("mx.example.net.", "mx.example.net"));
	assert_true(sts_mx_matches("*.example.net", "a.example.net."));
	assert_false(sts_mx_matches("*.example.net", "example.net"));
	assert_false(sts_mx_matches("*.example.net", ".example.net"));
	assert_false(sts_mx_matches("*.example.net", "a.b.example.net"));
	assert_false(sts_mx_matches("*.example.net", "aexample.net"));
	assert_false(sts_mx_matches("mx.example.net", "mx.example.ne"));
	assert_false(sts_mx_matches("", "mx.example.net"));
	assert_false(sts_mx_matches("mx.example.net", ""));
	assert_false(sts_mx_matches("*.", "a."));
}

/* ---- TLS-RPT ---- */

static void test_tlsrpt(void **state)
{
	static const char *const bad[] = {
	    "v=TLSRPTv1;",				  /* no rua */
	    "v=TLSRPTv1; rua=ftp://x",			  /* scheme */
	    "v=TLSRPTv1; rua=mailto:a@b,",		  /* empty URI */
	    "v=TLSRPTv1; rua=,mailto:a@b",		  /* empty URI */
	    "v=TLSRPTv1; rua=mailto:",			  /* nothing after it */
	    "v=TLSRPTv1; rua=mailto:a@b; rua=mailto:c@d", /* twice */
	    "v=TLSRPTv1 rua=mailto:a@b",		  /* no ';' */
	};
	struct tlsrpt t;
	const char *ok = "v=TLSRPTv1; rua=mailto:reports@example.com , "
			 "HTTPS://reporting.example.com/v1/tlsrpt";

	(void)state;
	assert_int_equal(tlsrpt_parse_txt(ok, strlen(ok), &t), 0);
	assert_int_equal(t.nrua, 2);
	assert_string_equal(t.rua[0], "mailto:reports@example.com");
	assert_string_equal(t.rua[1],
			    "HTTPS://reporting.example.com/v1/tlsrpt");
	assert_int_equal(tlsrpt_parse_txt("v=spf1", 6, &t), 1);
	assert_int_equal(
	    tlsrpt_parse_txt("v=TLSRPTv10; rua=mailto:a@b", 27, &t), 1);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (tlsrpt_parse_txt(bad[i], strlen(bad[i]), &t) != -1)
			fail_msg("\"%s\" accepted", bad[i]);
		assert_non_null(t.error);
	}
}

/* ---- what the answers mean for a DANE sender (policy_dns.c) ---- */

/* An OPT record with one Extended DNS Error (RFC 8914) after the
 * answer built by answer(). */
static size_t add_ede(unsigned char *buf, size_t n, unsigned code)
{
	static const unsigned char opt[] = {
	    0,	  0,	41,		/* root name, TYPE OPT */
	    0x04, 0xd0,			/* UDP size 1232 */
	    0,	  0,	0x80, 0,	/* extended RCODE, version, DO */
	    0,	  6,			/* RDLENGTH */
	    0,	  15,	0,    2, 0, 0}; /* EDE, length 2, INFO-CODE */
	memcpy(buf + n, opt, sizeof opt);
	buf[n + sizeof opt - 1] = (unsigned char)code;
	buf[11] = 1; /* ARCOUNT */
	return n + sizeof opt;
}

static const unsigned char spki_sha256[35] = {3, 1, 1, 0x11, 0x22, 0x33};

struct dane_case {
	const char *what;
	int mx_ad, addr_ad; /* the MX and the host's address answers */
	int status;	    /* c-ares status of the TLSA query */
	int ad, rcode, ede; /* the TLSA answer's header; ede -1: none */
	const unsigned char *rdata;
	size_t rdlen; /* 0: no TLSA record */
	int root_ad;  /* the root SOA's AD (answered NOERROR) */
	enum dnssec_state dnssec;
	enum dane_status dstatus;
	int applies, unvalidated, validates;
};

static void run_dane_case(const struct dane_case *c)
{
	static const unsigned char r111[35] = {1, 1, 1, 0x11};
	struct config cfg;
	struct probe_target tg;
	struct run_record rec;
	struct policy_scratch *sc = calloc(1, sizeof *sc);
	unsigned char buf[512];
	size_t n;
	struct rr one = {DNS_TYPE_TLSA, c->rdata ? c->rdata : r111, c->rdlen};

	assert_non_null(sc);
	memset(&cfg, 0, sizeof cfg);
	memset(&tg, 0, sizeof tg);
	strcpy(tg.domain, "example.net");
	record_init(&rec, &cfg, &tg);
	rec.policy.mode = TLSP_ENFORCE;
	rec.dns.mx_ad = c->mx_ad;
	assert_non_null(dns_add_host(&rec.dns, "mx.example.net", 10, 0));
	rec.dns.hosts[0].addr_ad = c->addr_ad;
	assert_int_equal(policy_add_dane(&rec, 0, 25), 0);
	assert_string_equal(rec.policy.dane[0].name, "_25._tcp.mx.example.net");
	n = answer(buf, sizeof buf, c->ad, c->rcode, &one, c->rdlen ? 1 : 0);
	if (c->ede >= 0)
		n = add_ede(buf, n, (unsigned)c->ede);
	sc->orig[0].asked = 1;
	policy_take_tlsa(&rec, &sc->orig[0], rec.policy.dane[0].name,
			 dns_answer_status(c->status, buf, (int)n), buf, (int)n,
			 0);
	n = answer(buf, sizeof buf, c->root_ad, 0, NULL, 0);
	policy_take_root(&rec, sc, ARES_SUCCESS, buf, (int)n, 0);
	policy_dns_finish(&rec, sc, 0);
	const struct dane_host *d = &rec.policy.dane[0];
	/* Signed records, none usable: TLS without authentication. */
	assert_int_equal(d->encrypt_only, c->dnssec == DNSSEC_SECURE &&
					      c->dstatus == DANE_UNUSABLE);
	if (d->dnssec != c->dnssec || d->status != c->dstatus ||
	    d->applies != c->applies || d->unvalidated != c->unvalidated ||
	    rec.policy.resolver_validates != c->validates)
		fail_msg("%s: dnssec %s status %s applies %d unvalidated %d "
			 "validates %d",
			 c->what, dnssec_state_name(d->dnssec),
			 dane_status_name(d->status), d->applies,
			 d->unvalidated, rec.policy.resolver_validates);
	record_free(&rec);
	free(sc);
}

static void test_dane_rules(void **state)
{
	static const unsigned char short311[] = {3, 1, 1, 0xab, 0xcd};
	static const unsigned char r300[] = {3, 0, 0, 0x30, 0x82};
	static const unsigned char r341[35] = {3, 4, 1};
	static const unsigned char r211[35] = {2, 1, 1};
	const struct dane_case cases[] = {
	    {"signed all the way", 1, 1, ARES_SUCCESS, 1, 0, -1, spki_sha256,
	     35, 1, DNSSEC_SECURE, DANE_USABLE, 1, 0, 1},
	    {"DANE-TA", 1, 1, ARES_SUCCESS, 1, 0, -1, r211, 35, 1,
	     DNSSEC_SECURE, DANE_USABLE, 1, 0, 1},
	    {"full certificate, any length", 1, 1, ARES_SUCCESS, 1, 0, -1, r300,
	     sizeof r300, 1, DNSSEC_SECURE, DANE_USABLE, 1, 0, 1},
	    {"addresses not signed", 1, 0, ARES_SUCCESS, 1, 0, -1, spki_sha256,
	     35, 1, DNSSEC_INSECURE, DANE_USABLE, 0, 0, 1},
	    {"MX not signed", 0, 1, ARES_SUCCESS, 1, 0, -1, spki_sha256, 35, 1,
	     DNSSEC_INSECURE, DANE_USABLE, 0, 0, 1},
	    {"TLSA not signed", 1, 1, ARES_SUCCESS, 0, 0, -1, spki_sha256, 35,
	     1, DNSSEC_INSECURE, DANE_USABLE, 0, 0, 1},
	    {"resolver does not validate", 0, 0, ARES_SUCCESS, 0, 0, -1,
	     spki_sha256, 35, 0, DNSSEC_INDETERMINATE, DANE_USABLE, 0, 1, 0},
	    {"no records, signed denial", 1, 1, ARES_SUCCESS, 1, 3, -1, NULL, 0,
	     1, DNSSEC_SECURE, DANE_NONE, 0, 0, 1},
	    {"usage 1 only", 1, 1, ARES_SUCCESS, 1, 0, -1, NULL, 35, 1,
	     DNSSEC_SECURE, DANE_UNUSABLE, 0, 0, 1},
	    {"SHA-256 of the wrong length", 1, 1, ARES_SUCCESS, 1, 0, -1,
	     short311, sizeof short311, 1, DNSSEC_SECURE, DANE_UNUSABLE, 0, 0,
	     1},
	    {"unknown selector", 1, 1, ARES_SUCCESS, 1, 0, -1, r341, 35, 1,
	     DNSSEC_SECURE, DANE_UNUSABLE, 0, 0, 1},
	    {"SERVFAIL, DNSSEC Bogus", 1, 1, ARES_SUCCESS, 0, 2, 6, NULL, 0, 1,
	     DNSSEC_BOGUS, DANE_LOOKUP_ERROR, 1, 0, 1},
	    {"SERVFAIL, no reason", 1, 1, ARES_SUCCESS, 0, 2, -1, NULL, 0, 1,
	     DNSSEC_INDETERMINATE, DANE_LOOKUP_ERROR, 1, 0, 1},
	    {"SERVFAIL where nothing is signed", 0, 0, ARES_SUCCESS, 0, 2, -1,
	     NULL, 0, 1, DNSSEC_INDETERMINATE, DANE_LOOKUP_ERROR, 0, 0, 1},
	    {"timed out", 1, 1, ARES_ETIMEOUT, 0, 0, -1, NULL, 0, 1,
	     DNSSEC_INDETERMINATE, DANE_LOOKUP_ERROR, 1, 0, 1},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		run_dane_case(&cases[i]);
}

/* For an alias, the target's records count when they are signed; the
 * original name's otherwise (RFC 7672 2.2.2). */
static void test_dane_cname_target_first(void **state)
{
	struct config cfg;
	struct probe_target tg;
	struct run_record rec;
	struct policy_scratch *sc = calloc(1, sizeof *sc);
	unsigned char buf[512];
	struct rr one = {DNS_TYPE_TLSA, spki_sha256, 35};
	size_t n;

	(void)state;
	for (int target_signed = 0; target_signed < 3; target_signed++) {
		memset(sc, 0, sizeof *sc);
		memset(&cfg, 0, sizeof cfg);
		memset(&tg, 0, sizeof tg);
		record_init(&rec, &cfg, &tg);
		rec.dns.mx_ad = 1;
		struct mail_host *mh =
		    dns_add_host(&rec.dns, "alias.example.net", 10, 0);
		assert_non_null(mh);
		mh->addr_ad = 1;
		mh->flags |= MXF_CNAME;
		mh->cname = strdup("real.example.org");
		assert_int_equal(policy_add_dane(&rec, 0, 25), 0);
		n = answer(buf, sizeof buf, 1, 3, NULL, 0); /* no records */
		sc->orig[0].asked = 1;
		policy_take_tlsa(&rec, &sc->orig[0], "orig", ARES_ENOTFOUND,
				 buf, (int)n, 0);
		/* 2: the target's lookup fails (SERVFAIL) */
		n = target_signed == 2
			? answer(buf, sizeof buf, 0, 2, NULL, 0)
			: answer(buf, sizeof buf, target_signed, 0, &one, 1);
		sc->target[0].asked = 1;
		policy_take_tlsa(&rec, &sc->target[0], "target",
				 dns_answer_status(ARES_SUCCESS, buf, (int)n),
				 buf, (int)n, 0);
		n = answer(buf, sizeof buf, 1, 0, NULL, 0);
		policy_take_root(&rec, sc, ARES_SUCCESS, buf, (int)n, 0);
		policy_dns_finish(&rec, sc, 0);
		const struct dane_host *d = &rec.policy.dane[0];
		if (target_signed == 2) {
			/* The original name's "no records" does not stand in
			 * for an answer that could not be had: defer. */
			assert_int_equal(d->status, DANE_LOOKUP_ERROR);
			assert_true(d->applies);
		} else if (target_signed) {
			assert_string_equal(d->name,
					    "_25._tcp.real.example.org");
			assert_int_equal(d->status, DANE_USABLE);
			assert_true(d->applies);
		} else {
			assert_string_equal(d->name,
					    "_25._tcp.alias.example.net");
			assert_int_equal(d->status, DANE_NONE);
			assert_false(d->applies);
		}
		record_free(&rec);
	}
	free(sc);
}

static void test_answer_status_and_ede(void **state)
{
	unsigned char buf[512];
	struct rr one = {DNS_TYPE_TLSA, spki_sha256, 35};
	size_t n;

	(void)state;
	n = answer(buf, sizeof buf, 1, 0, &one, 1);
	assert_int_equal(dns_answer_status(ARES_SUCCESS, buf, (int)n),
			 ARES_SUCCESS);
	assert_int_equal(dns_read_ede(buf, n), -1);
	n = answer(buf, sizeof buf, 1, 0, NULL, 0);
	assert_int_equal(dns_answer_status(ARES_SUCCESS, buf, (int)n),
			 ARES_ENODATA);
	n = answer(buf, sizeof buf, 0, 3, NULL, 0);
	assert_int_equal(dns_answer_status(ARES_SUCCESS, buf, (int)n),
			 ARES_ENOTFOUND);
	n = add_ede(buf, answer(buf, sizeof buf, 0, 2, NULL, 0), 9);
	assert_int_equal(dns_answer_status(ARES_SUCCESS, buf, (int)n),
			 ARES_ESERVFAIL);
	assert_int_equal(dns_read_ede(buf, n), 9);
	assert_true(EDE_IS_DNSSEC_FAILURE(9));
	assert_false(EDE_IS_DNSSEC_FAILURE(18)); /* Prohibited */
	/* An option that claims more than the OPT record holds. */
	buf[n - 3] = 40;
	assert_int_equal(dns_read_ede(buf, n), -1);
	assert_int_equal(dns_answer_status(ARES_ETIMEOUT, NULL, 0),
			 ARES_ETIMEOUT);
	assert_int_equal(dns_answer_status(ARES_SUCCESS, buf, 5),
			 ARES_EBADRESP);
	/* Every cut of a message with an EDE reads safely. */
	n = add_ede(buf, answer(buf, sizeof buf, 0, 2, NULL, 0), 6);
	for (size_t cut = 0; cut < n; cut++)
		assert_int_equal(dns_read_ede(buf, cut), -1);
	assert_int_equal(dns_read_ede(buf, n), 6);
}

/* ---- what an MTA-STS policy makes of each probe (policy_sts.c) ---- */

static void test_sts_judge(void **state)
{
	static const struct {
		const char *host;
		unsigned flags;	 /* MXF_* */
		int established; /* TLS */
		int verified;	 /* chain and name */
		int greeted;	 /* an EHLO 250 */
		enum probe_sts want;
	} t[] = {
	    {"mx1.example.net", 0, 1, 1, 1, PSTS_MATCHED},
	    {"mx9.example.net", 0, 1, 1, 1, PSTS_MATCHED}, /* *.example.net */
	    {"a.b.example.net", 0, 1, 1, 1, PSTS_MX_NOT_LISTED},
	    {"mx.other.org", 0, 1, 1, 1, PSTS_MX_NOT_LISTED},
	    {"mx1.example.net", 0, 1, 0, 1, PSTS_CERT_INVALID},
	    {"mx1.example.net", 0, 0, 0, 1, PSTS_NO_TLS},
	    {"mx1.example.net", 0, 0, 0, 0, PSTS_NOT_APPLICABLE},
	    {"mx.other.org", MXF_FROM_SERVER, 1, 1, 1, PSTS_NOT_APPLICABLE},
	};
	struct config cfg;
	struct probe_target tg;
	struct run_record rec;
	static const char *const wire[] = {"250 ok"};

	(void)state;
	for (int mode = 0; mode < 3; mode++) {
		memset(&cfg, 0, sizeof cfg);
		memset(&tg, 0, sizeof tg);
		record_init(&rec, &cfg, &tg);
		rec.policy.mode = mode == 2 ? TLSP_REPORT : TLSP_ENFORCE;
		rec.policy.sts.have_policy = 1;
		rec.policy.sts.policy.mode =
		    mode == 1 ? STS_MODE_TESTING : STS_MODE_ENFORCE;
		rec.policy.sts.policy.nmx = 2;
		strcpy(rec.policy.sts.policy.mx[0], "*.example.net");
		strcpy(rec.policy.sts.policy.mx[1], "mx1.example.net");
		for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
			struct mail_host *mh =
			    dns_add_host(&rec.dns, t[i].host, 10, t[i].flags);
			assert_non_null(mh);
			struct probe *p = record_add_probe(
			    &rec, rec.dns.nhosts - 1, "192.0.2.1", 2, 25);
			assert_non_null(p);
			p->outcome = OUTCOME_ACCEPTED;
			p->tls.mode =
			    t[i].established ? TLSM_STARTTLS : TLSM_NONE;
			p->tls.established = t[i].established;
			p->tls.chain_ok = p->tls.name_ok = t[i].verified;
			if (t[i].greeted) {
				int k = probe_add_step(p, STAGE_EHLO, 0,
						       "EHLO x", 0);
				p->steps[k].reply =
				    reply_parse_text(wire[0], NULL);
				assert_non_null(p->steps[k].reply);
			}
		}
		policy_sts_judge(&rec);
		for (size_t i = 0; i < rec.nprobes; i++) {
			const struct probe *p = &rec.probes[i];
			enum probe_sts got = policy_sts_probe(&rec, p);
			int ruled_out =
			    got != PSTS_MATCHED && got != PSTS_NOT_APPLICABLE;
			if (got != t[i].want)
				fail_msg("mode %d, %s (case %zu): %s, want %s",
					 mode, t[i].host, i,
					 probe_sts_name(got),
					 probe_sts_name(t[i].want));
			/* Only enforce, under --tls-policy enforce, changes
			 * the outcome. */
			assert_int_equal(p->policy_failed,
					 mode == 0 && ruled_out);
			assert_int_equal(p->outcome, mode == 0 && ruled_out
							 ? OUTCOME_TLS_ERROR
							 : OUTCOME_ACCEPTED);
		}
		record_free(&rec);
	}
}

static void test_dnsbl_names_and_codes(void **state)
{
	char name[300];

	(void)state;
	assert_int_equal(identity_dnsbl_name("203.0.113.5", "zen.spamhaus.org",
					     name, sizeof name),
			 0);
	assert_string_equal(name, "5.113.0.203.zen.spamhaus.org");
	assert_int_equal(identity_ptr_name("203.0.113.5", name, sizeof name),
			 0);
	assert_string_equal(name, "5.113.0.203.in-addr.arpa");
	assert_int_equal(identity_ptr_name("2001:db8::1", name, sizeof name),
			 0);
	assert_string_equal(name, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
				  "0.0.8.b.d.0.1.0.0.2.ip6.arpa");
	/* IPv6: nibbles, least significant first (RFC 5782 2.4). */
	assert_int_equal(identity_dnsbl_name("2001:db8::1", "zen.spamhaus.org",
					     name, sizeof name),
			 0);
	assert_string_equal(name, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
				  "0.0.8.b.d.0.1.0.0.2.zen.spamhaus.org");
	assert_int_equal(identity_dnsbl_name("2001:db8::1", "zen.spamhaus.org",
					     name, 70),
			 -1);
	assert_int_equal(identity_dnsbl_name("not-an-ip", "z.test", name,
					     sizeof name),
			 -1);
	assert_int_equal(identity_dnsbl_name("203.0.113.5", "z.test", name, 10),
			 -1);
	/* Spamhaus ZEN's return codes name distinct lists. */
	const char *sbl =
	    identity_dnsbl_meaning("zen.spamhaus.org", "127.0.0.2");
	const char *xbl =
	    identity_dnsbl_meaning("zen.spamhaus.org", "127.0.0.4");
	const char *pbl =
	    identity_dnsbl_meaning("ZEN.spamhaus.org", "127.0.0.11");
	const char *refused =
	    identity_dnsbl_meaning("zen.spamhaus.org", "127.255.255.254");
	assert_true(strncmp(sbl, "SBL", 3) == 0);
	assert_true(strncmp(xbl, "XBL", 3) == 0);
	assert_true(strncmp(pbl, "PBL", 3) == 0);
	assert_true(strcmp(refused, sbl) != 0 &&
		    strcmp(refused, "listed") != 0);
	assert_string_equal(
	    identity_dnsbl_meaning("bl.example.test", "127.0.0.2"), "listed");
	assert_non_null(identity_dnsbl_page("bl.spamcop.net"));
	assert_null(identity_dnsbl_page("bl.example.test"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_query_want_dnssec),
	    cmocka_unit_test(test_parse_tlsa),
	    cmocka_unit_test(test_sts_txt),
	    cmocka_unit_test(test_sts_policy),
	    cmocka_unit_test(test_sts_mx_matches),
	    cmocka_unit_test(test_tlsrpt),
	    cmocka_unit_test(test_dane_rules),
	    cmocka_unit_test(test_dane_cname_target_first),
	    cmocka_unit_test(test_answer_status_and_ede),
	    cmocka_unit_test(test_sts_judge),
	    cmocka_unit_test(test_dnsbl_names_and_codes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
