/*
 * test_report.c - the reporters, over a run record built by hand: the
 * JSON document holds every smtpprobe-json(5) field with its type, the
 * transcript and the summary have their documented shape, and a hostile reply
 * (ESC sequences, C1 controls, a bidi override, a lone CR, a NUL, an embedded
 * "\r\n250 OK") reaches none of the three outputs raw.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>
#include <jansson.h>

#include "smtpprobe/codes.h"
#include "smtpprobe/reasoning.h"
#include "smtpprobe/record.h"
#include "smtpprobe/report.h"

/* The hostile banner, as it arrives on the wire: one reply of 6 lines. */
static const char hostile[] =
    "220-mx1.example.test ESMTP \x1b[2J\x1b]0;pwned\x07\r\n"
    "220-c1 \xc2\x9b"
    "31m csi\r\n"
    "220-bidi \xe2\x80\xae"
    "txet\r\n"
    "220-lone\r250 OK faked by a bare CR\r\n"
    "220-nul \0 byte\r\n"
    "220 ready \x7f\x08\r\n";
#define HOSTILE_LINES 6

struct fixture {
	struct config cfg;
	struct run_record rec;
};

/* ---- building the record ---- */

static struct reply *parse(const char *bytes, size_t len)
{
	struct reply_parser p;
	enum rp_status st;
	struct reply *r;
	size_t used;

	rp_init(&p);
	used = rp_feed(&p, bytes, len, &st);
	assert_int_equal(st, RP_REPLY);
	assert_int_equal(used, len);
	r = rp_take(&p);
	assert_non_null(r);
	rp_reset(&p);
	return r;
}

#define PARSE(s) parse((s), sizeof(s) - 1)

/* A reply the parser could never produce: a line holding CR LF, as a
 * slip elsewhere might store it. The reporters must still cope. */
static struct reply *forged_reply(void)
{
	static const char text[] = "Bye\r\n250 OK";
	struct reply *r = calloc(1, sizeof *r);

	assert_non_null(r);
	r->code = 221;
	r->nlines = 1;
	r->lines = calloc(1, sizeof *r->lines);
	assert_non_null(r->lines);
	r->lines[0].text = malloc(sizeof text);
	assert_non_null(r->lines[0].text);
	memcpy(r->lines[0].text, text, sizeof text);
	r->lines[0].len = sizeof text - 1;
	return r;
}

static void annotate(struct step *s, enum category c, const char *expl,
		     const char *rem)
{
	s->category = c;
	s->explanation = expl;
	s->remediation = rem;
}

/* A command sent, its reply received and annotated, with their events. */
static int exchange(struct run_record *rec, int pi, enum stage st, long t,
		    const char *sent, struct reply *r, int tls)
{
	struct probe *p = &rec->probes[pi];
	int si = probe_add_step(p, st, t, sent, tls);

	assert_true(si >= 0);
	if (sent)
		assert_true(record_event(rec, t, pi, EV_SENT, tls, si, sent) >=
			    0);
	p->steps[si].reply = r;
	p->steps[si].reply_ms = t + 5;
	assert_true(record_event(rec, t + 5, pi, EV_REPLY, tls, si, NULL) >= 0);
	if (r->code / 100 == 2)
		annotate(&p->steps[si], CAT_SUCCESS, "The server accepted it.",
			 "None needed.");
	return si;
}

static void add_host(struct dns_result *d, int pref, const char *name,
		     unsigned flags, const char *addr)
{
	struct mail_host *h = &d->hosts[d->nhosts++];

	h->preference = pref;
	h->name = strdup(name);
	assert_non_null(h->name);
	h->flags = flags;
	if (addr) {
		snprintf(h->addrs[h->naddrs], ADDR_STR_MAX, "%s", addr);
		h->families[h->naddrs++] = AF_INET;
	}
}

static void build_dns(struct run_record *rec)
{
	struct dns_result *d = &rec->dns;

	d->status = DNS_OK;
	d->mx_total = 2;
	d->elapsed_ms = 4;
	add_host(d, 10, "mx1.example.test", 0, "192.0.2.10");
	snprintf(d->hosts[0].addrs[1], ADDR_STR_MAX, "2001:db8::10");
	d->hosts[0].families[1] = AF_INET6;
	d->hosts[0].naddrs = 2;
	add_host(d, 20, "mx2.example.test", MXF_CNAME | MXF_PRIVATE,
		 "10.0.0.20");
	d->hosts[1].cname = strdup("real.example.test");
	assert_non_null(d->hosts[1].cname);
	record_note(rec, 0, -1, 0,
		    "DNS MX example.test: 10 mx1.example.test, "
		    "20 mx2.example.test");
}

static void build_tls(struct tls_info *t)
{
	t->mode = TLSM_STARTTLS;
	t->established = 1;
	snprintf(t->version, sizeof t->version, "TLSv1.3");
	snprintf(t->cipher, sizeof t->cipher, "TLS_AES_256_GCM_SHA384");
	t->chain_ok = t->name_ok = 1;
	/* Raw ESC: the record should never hold it; the reporters check. */
	t->subject = strdup("CN=mx1.example.test\x1b[2J");
	t->issuer = strdup("CN=Test CA");
	t->not_after = strdup("2027-01-01 00:00:00 UTC");
	assert_true(t->subject && t->issuer && t->not_after);
}

/* Probe #1: the full dialogue over STARTTLS, rejected at RCPT TO. */
static void build_probe1(struct run_record *rec)
{
	struct probe *p = record_add_probe(rec, 0, "192.0.2.10", AF_INET, 25);
	int si;

	assert_non_null(p);
	si = probe_add_step(p, STAGE_CONNECT, 9, NULL, 0);
	p->steps[si].reply_ms = 30;
	annotate(&p->steps[si], CAT_SUCCESS, "Connected.", "None needed.");
	p->connect_ms = 21;
	snprintf(p->local_address, sizeof p->local_address,
		 "192.0.2.200:41872");
	record_note(rec, 30, 0, 0,
		    "connect 192.0.2.200:41872 -> 192.0.2.10:25 "
		    "(mx1.example.test)");
	exchange(rec, 0, STAGE_BANNER, 31, NULL,
		 parse(hostile, sizeof hostile - 1), 0);
	exchange(rec, 0, STAGE_EHLO, 40, "EHLO probe.example.test",
		 PARSE("250-mx1.example.test\r\n250-STARTTLS\r\n"
		       "250 SIZE 52428800\r\n"),
		 0);
	exchange(rec, 0, STAGE_STARTTLS, 50, "STARTTLS",
		 PARSE("220 2.0.0 Ready to start TLS\r\n"), 0);
	build_tls(&p->tls);
	record_note(rec, 78, 0, 1,
		    "TLS TLSv1.3 TLS_AES_256_GCM_SHA384; "
		    "chain trusted; name matches");
	exchange(rec, 0, STAGE_EHLO, 78, "EHLO probe.example.test",
		 PARSE("250-mx1.example.test\r\n250 SIZE 52428800\r\n"), 1);
	exchange(rec, 0, STAGE_MAIL, 89, "MAIL FROM:<>",
		 PARSE("250 2.1.0 Ok\r\n"), 1);
	si = exchange(rec, 0, STAGE_RCPT, 101, "RCPT TO:<alice@example.test>",
		      PARSE("550 5.1.1 <alice@example.test>: User unknown\r\n"),
		      1);
	annotate(&p->steps[si], CAT_MAILBOX_UNKNOWN,
		 "The mailbox does not exist on this server.",
		 "Check the address with the recipient.");
	p->deciding_step = si;
	exchange(rec, 0, STAGE_QUIT, 140, "QUIT", forged_reply(), 1);
	p->caps = CAP_STARTTLS | CAP_SIZE;
	p->outcome = OUTCOME_REJECTED;
}

/* Probe #2: connection refused; the failure has no reply. */
static void build_probe2(struct run_record *rec)
{
	struct probe *p = record_add_probe(rec, 1, "10.0.0.20", AF_INET, 25);
	int si;

	assert_non_null(p);
	si = probe_add_step(p, STAGE_CONNECT, 9, NULL, 0);
	p->steps[si].reply_ms = 150;
	p->steps[si].error = LE_CONN_REFUSED;
	p->steps[si].detail = strdup("Connection refused");
	annotate(&p->steps[si], CAT_NETWORK, "The host refused the connection.",
		 "Check that a mail server listens on this port.");
	p->deciding_step = si;
	p->outcome = OUTCOME_REFUSED;
	record_note(rec, 150, 1, 0, "connect to 10.0.0.20:25 refused");
}

/* Probe #3: in clear text (no STARTTLS offered), accepted. */
static void build_probe3(struct run_record *rec)
{
	struct probe *p =
	    record_add_probe(rec, 0, "2001:db8::10", AF_INET6, 25);
	int si;

	assert_non_null(p);
	p->connect_ms = 3;
	p->flags = PROBEF_CLEARTEXT;
	si = probe_add_step(p, STAGE_CONNECT, 151, NULL, 0);
	p->steps[si].reply_ms = 154;
	annotate(&p->steps[si], CAT_SUCCESS, "Connected.", "None needed.");
	record_note(rec, 154, 2, 0,
		    "connect [2001:db8::1]:5000 -> "
		    "[2001:db8::10]:25 (mx1.example.test)");
	exchange(rec, 2, STAGE_BANNER, 155, NULL, PARSE("220 hi\r\n"), 0);
	si = exchange(rec, 2, STAGE_RCPT, 160, "RCPT TO:<alice@example.test>",
		      PARSE("250 2.1.5 Ok\r\n"), 0);
	p->deciding_step = si;
	p->outcome = OUTCOME_ACCEPTED;
}

/* Probe #4: a timeout that left no event at all. */
static void build_probe4(struct run_record *rec)
{
	struct probe *p = record_add_probe(rec, 1, "10.0.0.21", AF_INET, 25);
	int si;

	assert_non_null(p);
	si = probe_add_step(p, STAGE_CONNECT, 200, NULL, 0);
	p->steps[si].error = LE_CONN_TIMEOUT;
	annotate(&p->steps[si], CAT_NETWORK, "Nothing answered.",
		 "Check firewalls.");
	p->outcome = OUTCOME_TIMEOUT;
}

/* Probe #5: bytes injected after the 220 to STARTTLS. The step has a
 * reply and a local error; the session notes the failure, then the
 * close, at the same instant. */
static void build_probe5(struct run_record *rec)
{
	struct probe *p = record_add_probe(rec, 1, "10.0.0.22", AF_INET, 25);
	int si;

	assert_non_null(p);
	p->connect_ms = 1;
	exchange(rec, 4, STAGE_BANNER, 300, NULL, PARSE("220 hi\r\n"), 0);
	si = exchange(rec, 4, STAGE_STARTTLS, 310, "STARTTLS",
		      PARSE("220 go ahead\r\n"), 0);
	p->steps[si].error = LE_PROTO_INJECTION;
	annotate(&p->steps[si], CAT_PROTOCOL, "Data was injected.",
		 "Report it to the server's admin.");
	p->deciding_step = si;
	p->outcome = OUTCOME_PROTOCOL_ERROR;
	record_note(rec, 315, 4, 0,
		    "injection: bytes after the 220 reply to "
		    "STARTTLS were discarded");
	record_note(rec, 315, 4, 0, "connection closed (protocol_error)");
}

static void build_verdicts(struct run_record *rec)
{
	struct verdict *v = &rec->verdicts[rec->nverdicts++];

	v->port = 25;
	v->outcome = VERDICT_REJECTED;
	v->exit_status = 77;
	v->deciding_probe = 0;
	snprintf(v->summary, sizeof v->summary,
		 "rejected by mx1.example.test at RCPT TO (550 5.1.1)");
	snprintf(v->remediation, sizeof v->remediation,
		 "Check the address with the recipient.");
	rec->overall = *v;
	rec->overall.port = 0;
	rec->elapsed_ms = 210;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof *fx);
	struct config *cfg;

	assert_non_null(fx);
	cfg = &fx->cfg;
	snprintf(cfg->target.given, sizeof cfg->target.given,
		 "alice@example.test");
	snprintf(cfg->target.domain, sizeof cfg->target.domain, "example.test");
	snprintf(cfg->cmdline, sizeof cfg->cmdline,
		 "smtpprobe -v alice@example.test");
	cfg->ports[0] = 25;
	cfg->nports = 1;
	cfg->target.is_address = 1;
	record_init(&fx->rec, cfg, &cfg->target);
	snprintf(fx->rec.started_utc, sizeof fx->rec.started_utc,
		 "2026-11-22 09:14:03 UTC");
	snprintf(fx->rec.resolvers, sizeof fx->rec.resolvers, "192.0.2.53:53");
	build_dns(&fx->rec);
	build_probe1(&fx->rec);
	build_probe2(&fx->rec);
	build_probe3(&fx->rec);
	build_probe4(&fx->rec);
	build_probe5(&fx->rec);
	build_verdicts(&fx->rec);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	record_free(&fx->rec);
	free(fx);
	return 0;
}

/* ---- rendering and checking ---- */

enum which { R_SUMMARY, R_SUMMARY_COLOR, R_TRANSCRIPT, R_JSON };

static char *render(const struct run_record *rec, enum which w)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	switch (w) {
	case R_SUMMARY: report_summary(f, rec, 0); break;
	case R_SUMMARY_COLOR: report_summary(f, rec, 1); break;
	case R_TRANSCRIPT: report_transcript(f, rec, 0); break;
	case R_JSON: assert_int_equal(report_json(f, rec), 0); break;
	}
	assert_int_equal(fclose(f), 0);
	assert_int_equal(strlen(buf), len); /* no NUL written */
	return buf;
}

/* No C0 control but LF, no DEL, no C1 (as UTF-8), no U+202E. */
static void assert_terminal_safe(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; u[i]; i++) {
		if (u[i] < 0x20 && u[i] != '\n')
			fail_msg("control byte 0x%02x at %zu", u[i], i);
		if (u[i] == 0x7f)
			fail_msg("DEL at %zu", i);
		if (u[i] == 0xc2 && u[i + 1] >= 0x80 && u[i + 1] <= 0x9f)
			fail_msg("C1 control at %zu", i);
		if (u[i] == 0xe2 && u[i + 1] == 0x80 && u[i + 2] == 0xae)
			fail_msg("U+202E at %zu", i);
	}
}

/* Is there a whole line equal to want? */
static int has_line(const char *text, const char *want)
{
	size_t n = strlen(want);

	for (const char *p = text; p; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, want, n) == 0 && (p[n] == '\n' || p[n] == '\0'))
			return 1;
	}
	return 0;
}

static int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The line after the first line containing needle, or NULL. */
static const char *line_after(const char *text, const char *needle)
{
	const char *p = strstr(text, needle);

	if (!p)
		return NULL;
	p = strchr(p, '\n');
	return p ? p + 1 : NULL;
}

static size_t count_lines_with(const char *text, const char *prefix,
			       const char *needle)
{
	size_t n = 0;

	for (const char *p = text; p && *p;) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char line[16384];

		if (len < sizeof line) {
			memcpy(line, p, len);
			line[len] = '\0';
			if (strncmp(line, prefix, strlen(prefix)) == 0 &&
			    strstr(line, needle))
				n++;
		}
		p = end ? end + 1 : NULL;
	}
	return n;
}

/* ---- JSON ---- */

static json_t *get(json_t *o, const char *key, json_type type)
{
	json_t *v = json_object_get(o, key);

	if (!v)
		fail_msg("missing field \"%s\"", key);
	if (json_typeof(v) != type)
		fail_msg("field \"%s\" has type %d, not %d", key,
			 json_typeof(v), type);
	return v;
}

static int in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

static const char *str(json_t *o, const char *key)
{
	return json_string_value(get(o, key, JSON_STRING));
}

static void assert_str_or_null(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	assert_non_null(v);
	assert_true(json_is_string(v) || json_is_null(v));
}

static void check_strings_safe(json_t *j)
{
	const char *key;
	json_t *v;
	size_t i;

	if (json_is_string(j)) {
		assert_terminal_safe(json_string_value(j));
	} else if (json_is_object(j)) {
		json_object_foreach(j, key, v) check_strings_safe(v);
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v) check_strings_safe(v);
	}
}

static void check_json_mx(json_t *dns)
{
	json_t *mx = get(dns, "mx", JSON_ARRAY), *h, *addrs;

	assert_int_equal(json_array_size(mx), 2);
	h = json_array_get(mx, 0);
	assert_int_equal(json_integer_value(get(h, "preference", JSON_INTEGER)),
			 10);
	assert_string_equal(str(h, "host"), "mx1.example.test");
	addrs = get(h, "addresses", JSON_ARRAY);
	assert_int_equal(json_array_size(addrs), 2);
	assert_string_equal(json_string_value(json_array_get(addrs, 1)),
			    "2001:db8::10");
	h = json_array_get(mx, 1);
	assert_string_equal(str(h, "cname"), "real.example.test");
	assert_true(json_is_true(get(h, "private_address", JSON_TRUE)));
	assert_true(json_is_false(get(h, "dangling", JSON_FALSE)));
}

static void check_json_step(json_t *s)
{
	static const char *const stages[] = {
	    "connect", "banner", "ehlo", "helo", "starttls", "tls",
	    "auth",    "mail",	 "rcpt", "rset", "quit",     NULL};
	json_t *r;

	get(s, "at_ms", JSON_INTEGER);
	assert_true(in_list(str(s, "stage"), stages));
	assert_str_or_null(s, "sent");
	r = json_object_get(s, "reply");
	assert_non_null(r);
	if (json_is_object(r)) {
		get(r, "code", JSON_INTEGER);
		assert_str_or_null(r, "enhanced");
		get(r, "lines", JSON_ARRAY);
	} else {
		assert_true(json_is_null(r));
	}
	str(s, "category");
	str(s, "explanation");
	str(s, "remediation");
}

static void check_json_probe1(json_t *p)
{
	json_t *tls = get(p, "tls", JSON_OBJECT), *steps, *s, *r, *lines;

	assert_string_equal(str(p, "host"), "mx1.example.test");
	assert_string_equal(str(p, "address"), "192.0.2.10");
	assert_int_equal(json_integer_value(get(p, "port", JSON_INTEGER)), 25);
	assert_string_equal(str(p, "outcome"), "rejected");
	assert_string_equal(str(tls, "mode"), "starttls");
	assert_string_equal(str(tls, "version"), "TLSv1.3");
	assert_string_equal(str(tls, "cipher"), "TLS_AES_256_GCM_SHA384");
	assert_true(json_is_true(get(tls, "verified", JSON_TRUE)));
	assert_true(json_is_null(get(tls, "verify_error", JSON_NULL)));
	assert_string_equal(str(tls, "subject"), "CN=mx1.example.test\\x1b[2J");
	steps = get(p, "steps", JSON_ARRAY);
	assert_int_equal(json_array_size(steps), 8);
	for (size_t i = 0; i < 8; i++)
		check_json_step(json_array_get(steps, i));
	/* Banner: six lines, each sanitised. */
	r = get(json_array_get(steps, 1), "reply", JSON_OBJECT);
	lines = get(r, "lines", JSON_ARRAY);
	assert_int_equal(json_array_size(lines), HOSTILE_LINES);
	assert_string_equal(json_string_value(json_array_get(lines, 4)),
			    "nul \\x00 byte");
	/* EHLO: one string per line. */
	r = get(json_array_get(steps, 2), "reply", JSON_OBJECT);
	assert_int_equal(json_array_size(get(r, "lines", JSON_ARRAY)), 3);
	s = json_array_get(steps, 6);
	assert_string_equal(str(s, "stage"), "rcpt");
	assert_string_equal(str(s, "sent"), "RCPT TO:<alice@example.test>");
	assert_string_equal(str(s, "category"), "mailbox_unknown");
	r = get(s, "reply", JSON_OBJECT);
	assert_int_equal(json_integer_value(get(r, "code", JSON_INTEGER)), 550);
	assert_string_equal(str(r, "enhanced"), "5.1.1");
	assert_null(json_object_get(s, "error"));
	/* The connect step: no command, no reply. */
	s = json_array_get(steps, 0);
	assert_true(json_is_null(get(s, "sent", JSON_NULL)));
	assert_true(json_is_null(get(s, "reply", JSON_NULL)));
}

static void check_json_probe2(json_t *p)
{
	json_t *s = json_array_get(get(p, "steps", JSON_ARRAY), 0);

	assert_string_equal(str(p, "outcome"), "refused");
	assert_string_equal(str(get(p, "tls", JSON_OBJECT), "mode"), "none");
	assert_true(json_is_false(
	    get(get(p, "tls", JSON_OBJECT), "verified", JSON_FALSE)));
	assert_true(json_is_null(get(s, "reply", JSON_NULL)));
	assert_string_equal(str(s, "category"), "network");
	assert_string_equal(str(s, "error"),
			    codes_local(LE_CONN_REFUSED)->name);
	assert_string_equal(str(s, "detail"), "Connection refused");
}

static void check_json_verdicts(json_t *doc)
{
	json_t *v = get(doc, "verdict", JSON_OBJECT), *vs;

	assert_string_equal(str(v, "outcome"), "rejected");
	assert_int_equal(
	    json_integer_value(get(v, "exit_status", JSON_INTEGER)), 77);
	str(v, "summary");
	str(v, "remediation");
	vs = get(doc, "verdicts", JSON_ARRAY);
	assert_int_equal(json_array_size(vs), 1);
	assert_int_equal(json_integer_value(
			     get(json_array_get(vs, 0), "port", JSON_INTEGER)),
			 25);
}

static void test_json(void **state)
{
	struct fixture *fx = *state;
	char *out = render(&fx->rec, R_JSON);
	json_error_t err;
	json_t *doc = json_loads(out, 0, &err), *dns, *probes;

	if (!doc)
		fail_msg("JSON does not parse: %s (line %d)", err.text,
			 err.line);
	assert_int_equal(out[strlen(out) - 1], '\n');
	assert_terminal_safe(out);
	check_strings_safe(doc);
	assert_string_equal(str(doc, "smtpprobe"), SMTPPROBE_VERSION);
	assert_string_equal(str(doc, "target"), "alice@example.test");
	assert_string_equal(str(doc, "domain"), "example.test");
	dns = get(doc, "dns", JSON_OBJECT);
	assert_string_equal(str(dns, "status"), "ok");
	assert_true(json_is_false(get(dns, "implicit_mx", JSON_FALSE)));
	check_json_mx(dns);
	probes = get(doc, "probes", JSON_ARRAY);
	assert_int_equal(json_array_size(probes), 5);
	check_json_probe1(json_array_get(probes, 0));
	check_json_probe2(json_array_get(probes, 1));
	check_json_verdicts(doc);
	json_decref(doc);
	free(out);
}

/* ---- transcript ---- */

static void test_transcript_shape(void **state)
{
	struct fixture *fx = *state;
	char *out = render(&fx->rec, R_TRANSCRIPT);
	const char *next;
	char want[256];

	assert_true(strncmp(out, "smtpprobe " SMTPPROBE_VERSION "\n",
			    strlen("smtpprobe " SMTPPROBE_VERSION "\n")) == 0);
	assert_true(
	    has_line(out, "Command:   smtpprobe -v alice@example.test"));
	assert_true(has_line(out, "Date:      2026-11-22 09:14:03 UTC"));
	assert_true(has_line(out, "Resolvers: 192.0.2.53:53"));
	assert_true(has_line(
	    out, "[+0.101s] #1   tls C: RCPT TO:<alice@example.test>"));
	assert_true(
	    has_line(out, "[+0.045s] #1   clr S: 250-mx1.example.test"));
	assert_true(has_line(out, "[+0.045s] #1   clr S: 250-STARTTLS"));
	assert_true(has_line(out, "[+0.045s] #1   clr S: 250 SIZE 52428800"));
	assert_true(has_line(out, "[+0.000s] --       * DNS MX example.test: "
				  "10 mx1.example.test, 20 mx2.example.test"));
	/* Every line sent or received is timestamped and marked: 8 sent,
	 * 19 received (one per line). */
	assert_int_equal(count_lines_with(out, "", "clr C: ") +
			     count_lines_with(out, "", "tls C: "),
			 8);
	assert_int_equal(count_lines_with(out, "[+", "clr C: ") +
			     count_lines_with(out, "[+", "tls C: "),
			 8);
	assert_int_equal(count_lines_with(out, "", "clr S: ") +
			     count_lines_with(out, "", "tls S: "),
			 19);
	assert_int_equal(count_lines_with(out, "[+", "clr S: ") +
			     count_lines_with(out, "[+", "tls S: "),
			 19);
	/* The annotation follows the reply, indented, untimed. */
	next =
	    line_after(out, "S: 550 5.1.1 <alice@example.test>: User unknown");
	assert_non_null(next);
	assert_true(starts_with(next, "                   => [mailbox_unknown] "
				      "The mailbox does not exist"));
	/* A refused connect is annotated after the note reporting it. */
	next = line_after(out, "* connect to 10.0.0.20:25 refused");
	assert_non_null(next);
	snprintf(want, sizeof want, "                   => [network] %s: ",
		 codes_local(LE_CONN_REFUSED)->name);
	assert_true(starts_with(next, want));
	/* A failed step with a reply: annotated after the failure's note,
	 * not after the reply, and before the close. */
	next = line_after(out, "S: 220 go ahead");
	assert_non_null(next);
	assert_true(starts_with(next, "[+0.315s] #5       * injection: "));
	next = line_after(out, "* injection: ");
	snprintf(want, sizeof want,
		 "                   => [protocol] %s: "
		 "Data was injected.",
		 codes_local(LE_PROTO_INJECTION)->name);
	assert_true(starts_with(next, want));
	/* A failure with no event is not lost. */
	assert_non_null(strstr(out, "Findings with no transcript line:\n#4 at "
				    "connect:\n"));
	assert_non_null(strstr(out, "\nVerdict for port 25: rejected (exit "
				    "status 77), decided by #1 - "));
	assert_non_null(strstr(out, "\nNext step: Check the address with the "
				    "recipient.\n"));
	free(out);
}

static void test_transcript_hostile(void **state)
{
	struct fixture *fx = *state;
	char *out = render(&fx->rec, R_TRANSCRIPT);

	assert_terminal_safe(out);
	/* One transcript line per received line, whatever the text. */
	assert_int_equal(count_lines_with(out, "[+0.036s] #1   clr S: 220", ""),
			 HOSTILE_LINES);
	assert_true(has_line(out, "[+0.036s] #1   clr S: 220-mx1.example.test "
				  "ESMTP \\x1b[2J\\x1b]0;pwned\\x07"));
	assert_true(
	    has_line(out, "[+0.036s] #1   clr S: 220-bidi \\u{202E}txet"));
	assert_true(has_line(out, "[+0.036s] #1   clr S: 220-lone\\x0d250 OK "
				  "faked by a bare CR"));
	assert_true(has_line(out, "[+0.036s] #1   clr S: 220-nul \\x00 byte"));
	assert_true(
	    has_line(out, "[+0.145s] #1   tls S: 221 Bye\\x0d\\x0a250 OK"));
	assert_null(strstr(out, "\n250 OK"));
	/* The flag note for the NUL. */
	assert_non_null(strstr(out, "!! the reply holds a NUL byte"));
	free(out);
}

/* ---- summary ---- */

static void test_summary(void **state)
{
	struct fixture *fx = *state;
	char *out = render(&fx->rec, R_SUMMARY);
	char want[256];

	assert_terminal_safe(out);
	assert_true(has_line(out, "Target:  alice@example.test (domain "
				  "example.test)"));
	assert_true(has_line(out, "DNS:     ok, 2 MX hosts (4 ms)"));
	assert_true(has_line(out, "  MX 10   mx1.example.test  192.0.2.10, "
				  "2001:db8::10"));
	assert_true(has_line(out, "  MX 20   mx2.example.test  10.0.0.20  "
				  "[CNAME to real.example.test]  "
				  "[private/loopback address]"));
	assert_true(has_line(out,
			     "  #1 mx1.example.test [192.0.2.10]:25  "
			     "connect 21 ms  TLS: starttls TLSv1.3 "
			     "TLS_AES_256_GCM_SHA384, verified  => rejected"));
	assert_true(has_line(out, "      at rcpt: 550 5.1.1 [mailbox_unknown] "
				  "\"<alice@example.test>: User unknown\""));
	snprintf(want, sizeof want,
		 "      at connect: %s [network] "
		 "(Connection refused)",
		 codes_local(LE_CONN_REFUSED)->name);
	assert_true(has_line(out, want));
	assert_non_null(strstr(out,
			       "[2001:db8::10]:25  connect 3 ms  TLS: none "
			       "(cleartext)  => accepted\n      !! WARNING: "
			       "NO TLS."));
	assert_true(has_line(out,
			     "Verdict for port 25: rejected (exit status "
			     "77) - rejected by mx1.example.test at RCPT TO "
			     "(550 5.1.1)"));
	assert_true(has_line(out, "Next step: Check the address with the "
				  "recipient."));
	free(out);
}

/* Colour appears around outcome words and nowhere else. */
static void test_summary_color(void **state)
{
	struct fixture *fx = *state;
	char *out = render(&fx->rec, R_SUMMARY_COLOR);
	char *w = out;

	assert_non_null(strstr(out, "=> \x1b[31mrejected\x1b[0m\n"));
	assert_non_null(strstr(out, "=> \x1b[32maccepted\x1b[0m\n"));
	/* Strip the SGR sequences we emit; what is left must be safe. */
	for (char *r = out; *r;) {
		if (r[0] == '\x1b' && r[1] == '[' &&
		    (strncmp(r + 2, "0m", 2) == 0 ||
		     strncmp(r + 2, "31m", 3) == 0 ||
		     strncmp(r + 2, "32m", 3) == 0 ||
		     strncmp(r + 2, "33m", 3) == 0)) {
			r = strchr(r, 'm') + 1;
			continue;
		}
		*w++ = *r++;
	}
	*w = '\0';
	assert_terminal_safe(out);
	free(out);
}

/* The long first line of a reply is cut, never inside an escape. */
static void test_summary_cut(void **state)
{
	struct fixture *fx = *state;
	struct probe *p = &fx->rec.probes[0];
	struct step *s = &p->steps[p->deciding_step];
	char line[400], *out, *q;

	memset(line, '\x1b', sizeof line);
	memcpy(line, "550 5.1.1 ", 10);
	memcpy(line + sizeof line - 2, "\r\n", 2);
	reply_free(s->reply);
	s->reply = parse(line, sizeof line);
	out = render(&fx->rec, R_SUMMARY);
	assert_terminal_safe(out);
	q = strstr(out, "at rcpt: 550 5.1.1 [mailbox_unknown] \"");
	assert_non_null(q);
	q += strlen("at rcpt: 550 5.1.1 [mailbox_unknown] \"");
	/* "5.1.1 " and 22 whole escapes fit in 97 bytes, then "...". */
	/* The enhanced code is not repeated; 24 whole escapes fit in 97
	 * bytes, then "...". */
	assert_true(starts_with(q, "\\x1b\\x1b"));
	assert_int_equal(strchr(q, '"') - q, 24 * 4 + 3);
	assert_true(starts_with(q + 24 * 4, "...\""));
	free(out);
}

/* No probes (DNS failed): the overall verdict stands alone. */
static void test_summary_no_probes(void **state)
{
	struct config cfg;
	struct run_record rec;
	char *out;

	(void)state;
	memset(&cfg, 0, sizeof cfg);
	snprintf(cfg.target.given, sizeof cfg.target.given, "nowhere.test");
	snprintf(cfg.target.domain, sizeof cfg.target.domain, "nowhere.test");
	record_init(&rec, &cfg, &cfg.target);
	rec.dns.status = DNS_NXDOMAIN;
	rec.dns.error = LE_DNS_NXDOMAIN;
	rec.overall.outcome = VERDICT_NO_MAIL_HOST;
	rec.overall.exit_status = 68;
	snprintf(rec.overall.summary, sizeof rec.overall.summary,
		 "nowhere.test does not exist");
	snprintf(rec.overall.remediation, sizeof rec.overall.remediation,
		 "Check the domain's spelling.");
	out = render(&rec, R_SUMMARY);
	assert_true(has_line(out, "Target:  nowhere.test"));
	assert_non_null(strstr(out, "DNS:     nxdomain ("));
	assert_true(has_line(out, "Verdict: no_mail_host (exit status 68) - "
				  "nowhere.test does not exist"));
	free(out);
	out = render(&rec, R_JSON);
	assert_non_null(strstr(out, "\"probes\": []"));
	free(out);
	record_free(&rec);
}

/* ---- explain ---- */

static char *render_explain(const struct explanation *e, int json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	if (json)
		assert_int_equal(report_explain_json(f, e), 0);
	else
		report_explain(f, e, 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void make_explanation(struct explanation *e, int code, const char *enh,
			     const char *text)
{
	memset(e, 0, sizeof *e);
	e->code = code;
	snprintf(e->enhanced, sizeof e->enhanced, "%s", enh);
	e->in.cls = CLASS_PERMANENT;
	e->in.category = CAT_MAILBOX_UNKNOWN;
	e->in.explanation = "The mailbox does not exist.";
	e->in.remediation = "Check the address.";
	e->text = text ? strdup(text) : NULL;
}

static void test_explain_json(void **state)
{
	struct explanation e;
	json_t *doc;
	char *out;

	(void)state;
	make_explanation(&e, 550, "5.1.1", "User unknown \\x1b");
	out = render_explain(&e, 1);
	doc = json_loads(out, 0, NULL);
	assert_non_null(doc);
	assert_int_equal(json_integer_value(get(doc, "code", JSON_INTEGER)),
			 550);
	assert_string_equal(str(doc, "enhanced"), "5.1.1");
	assert_string_equal(str(doc, "class"), "permanent");
	assert_string_equal(str(doc, "category"), "mailbox_unknown");
	assert_string_equal(str(doc, "explanation"),
			    "The mailbox does not exist.");
	assert_string_equal(str(doc, "remediation"), "Check the address.");
	assert_string_equal(str(doc, "text"), "User unknown \\x1b");
	assert_string_equal(str(doc, "who_acts"), "you");
	assert_string_equal(
	    str(doc, "first_step"),
	    codes_category_action(CAT_MAILBOX_UNKNOWN)->first_step);
	json_decref(doc);
	free(out);
	free(e.text);

	make_explanation(&e, 0, "5.1.1", NULL);
	out = render_explain(&e, 1);
	doc = json_loads(out, 0, NULL);
	assert_non_null(doc);
	assert_true(json_is_null(get(doc, "code", JSON_NULL)));
	assert_string_equal(str(doc, "enhanced"), "5.1.1");
	assert_true(json_is_null(get(doc, "text", JSON_NULL)));
	json_decref(doc);
	free(out);

	make_explanation(&e, 550, "", NULL);
	out = render_explain(&e, 1);
	doc = json_loads(out, 0, NULL);
	assert_non_null(doc);
	assert_true(json_is_null(get(doc, "enhanced", JSON_NULL)));
	json_decref(doc);
	free(out);
}

static void test_explain_human(void **state)
{
	struct explanation e;
	char *out;

	(void)state;
	make_explanation(&e, 550, "5.1.1", "User\x1b[2J unknown");
	out = render_explain(&e, 0);
	assert_terminal_safe(out);
	/* The fields in their order; the "Who:" line carries the
	 * category's first step. */
	assert_non_null(strstr(
	    out, "550 5.1.1 (permanent failure) - mailbox_unknown\n"
		 "Meaning: The mailbox does not exist.\n"
		 "Remedy:  Check the address.\nWho:     "));
	assert_non_null(
	    strstr(out, codes_category_action(CAT_MAILBOX_UNKNOWN)->first_step));
	assert_non_null(strstr(out, "\nText:    User\\x1b[2J unknown\n"));
	free(out);
	free(e.text);
}

#ifdef TEST_SOURCE_DIR
/* The enum of $defs/NAME in the schema (or of $defs/NAME/properties/KEY). */
static json_t *schema_enum(json_t *schema, const char *def, const char *key)
{
	json_t *d = json_object_get(json_object_get(schema, "$defs"), def);

	if (key)
		d = json_object_get(json_object_get(d, "properties"), key);
	assert_non_null(d);
	assert_non_null(json_object_get(d, "enum"));
	return json_object_get(d, "enum");
}

static int in_enum(json_t *e, const char *name)
{
	for (size_t i = 0; i < json_array_size(e); i++) {
		json_t *v = json_array_get(e, i);
		if (json_is_string(v) && strcmp(json_string_value(v), name) == 0)
			return 1;
	}
	return 0;
}

static void expect_in(json_t *e, const char *what, const char *name)
{
	if (!in_enum(e, name))
		fail_msg("doc/smtpprobe.schema.json: %s lacks \"%s\"", what,
			 name);
}

/* Every name the program can write is in the schema's enums: a value
 * added to a names table without the schema fails here. */
static void test_schema_knows_every_name(void **state)
{
	json_error_t jerr;
	json_t *sc = json_load_file(
	    TEST_SOURCE_DIR "/doc/smtpprobe.schema.json", 0, &jerr);

	(void)state;
	if (!sc)
		fail_msg("schema: %s (line %d)", jerr.text, jerr.line);
	for (int i = 0; i < CAT__COUNT; i++)
		expect_in(schema_enum(sc, "category", NULL), "category",
			  category_name((enum category)i));
	for (int i = 0; i < STAGE__COUNT; i++)
		expect_in(schema_enum(sc, "stage", NULL), "stage",
			  stage_name((enum stage)i));
	for (int i = OUTCOME_NONE + 1; i < OUTCOME__COUNT; i++)
		expect_in(schema_enum(sc, "probe", "outcome"), "probe outcome",
			  outcome_name((enum outcome)i));
	for (int i = 0; i < VERDICT__COUNT; i++)
		expect_in(schema_enum(sc, "verdict", "outcome"),
			  "verdict outcome",
			  verdict_outcome_name((enum verdict_outcome)i));
	for (int i = 0; i < FIND__COUNT; i++)
		expect_in(schema_enum(sc, "finding", "kind"), "finding kind",
			  finding_name((enum finding_kind)i));
	for (int i = LE_NONE + 1; i < LE__COUNT; i++) {
		const struct local_error_info *li =
		    codes_local((enum local_error)i);
		assert_non_null(li);
		expect_in(schema_enum(sc, "local_error", NULL), "local_error",
			  li->name);
	}
	for (int i = 0; i < DNS__COUNT; i++)
		expect_in(schema_enum(sc, "dns", "status"), "dns status",
			  dns_status_name((enum dns_status)i));
	for (int i = 0; i < VR__COUNT; i++)
		expect_in(schema_enum(sc, "verdict", "reason"),
			  "verdict reason",
			  verdict_reason_name((enum verdict_reason)i));
	json_decref(sc);
}

/* smtpprobe-json(5) names every finding kind, category and local error
 * (as a bold word: ".B name" or ".BR name ,"). */
static void test_json_page_names_everything(void **state)
{
	static char man[1 << 17];
	FILE *f = fopen(TEST_SOURCE_DIR "/man/smtpprobe-json.5", "r");
	size_t len;
	const char *names[FIND__COUNT + CAT__COUNT + LE__COUNT];
	size_t n = 0;

	(void)state;
	assert_non_null(f);
	len = fread(man, 1, sizeof man - 1, f);
	fclose(f);
	man[len] = '\0';
	for (int i = 0; i < FIND__COUNT; i++)
		names[n++] = finding_name((enum finding_kind)i);
	for (int i = 0; i < CAT__COUNT; i++)
		names[n++] = category_name((enum category)i);
	for (int i = LE_NONE + 1; i < LE__COUNT; i++)
		names[n++] = codes_local((enum local_error)i)->name;
	for (size_t i = 0; i < n; i++) {
		char b1[96], b2[96];
		snprintf(b1, sizeof b1, "\n.B %s\n", names[i]);
		snprintf(b2, sizeof b2, "\n.BR %s ", names[i]);
		if (!strstr(man, b1) && !strstr(man, b2) &&
		    !(snprintf(b1, sizeof b1, ".RB ( %s ", names[i]) > 0 &&
		      strstr(man, b1)))
			fail_msg("smtpprobe-json(5) does not name \"%s\"",
				 names[i]);
	}
}
#else
static void test_schema_knows_every_name(void **state)
{
	(void)state;
	fail_msg("built without TEST_SOURCE_DIR: the schema cannot be found");
}

static void test_json_page_names_everything(void **state)
{
	(void)state;
	fail_msg("built without TEST_SOURCE_DIR: the man page cannot be found");
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_json, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_transcript_shape, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_transcript_hostile, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_summary, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_summary_color, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_summary_cut, setup, teardown),
	    cmocka_unit_test(test_summary_no_probes),
	    cmocka_unit_test(test_explain_json),
	    cmocka_unit_test(test_schema_knows_every_name),
	    cmocka_unit_test(test_json_page_names_everything),
	    cmocka_unit_test(test_explain_human),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
