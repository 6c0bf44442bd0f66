/*
 * test_bounce.c - the bounce reader (bounce.c) and the explanation of
 * each failed recipient (explain_bounce), on the fixtures of
 * tests/data/bounces/ (see its README for where each format comes from)
 * and on inputs built here to push the bounds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtpprobe/bounce.h"
#include "smtpprobe/interpreter.h"

#ifndef TEST_DATA_DIR
#error "TEST_DATA_DIR must be defined by the build"
#endif

static char *slurp(const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof path, "%s/bounces/%s", TEST_DATA_DIR, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* What one recipient of a fixture must read as. */
struct want {
	const char *addr;
	const char *status;     /* the Status: field, "" if none */
	int code;		/* of the explanation */
	const char *enhanced;
	enum category cat;
	enum explain_stage stage;
	const char *remote_mta; /* NULL: none */
};

static void check_fixture(const char *name, enum bounce_format fmt,
			  const struct want *w, size_t n)
{
	size_t len;
	char *buf = slurp(name, &len);
	struct bounce b;

	assert_int_equal(bounce_parse(buf, len, &b), 0);
	if (b.n != n)
		fail_msg("%s: %zu recipients, want %zu", name, b.n, n);
	if (b.format != fmt)
		fail_msg("%s: format %s, want %s", name,
			 bounce_format_name(b.format), bounce_format_name(fmt));
	for (size_t i = 0; i < n; i++) {
		struct explanation e;

		if (strcmp(b.rcpt[i].addr, w[i].addr) != 0)
			fail_msg("%s #%zu: recipient %s, want %s", name, i,
				 b.rcpt[i].addr, w[i].addr);
		if (strcmp(b.rcpt[i].status, w[i].status) != 0)
			fail_msg("%s #%zu: status '%s', want '%s'", name, i,
				 b.rcpt[i].status, w[i].status);
		assert_int_equal(explain_bounce(&b.rcpt[i], &e), 0);
		if (e.code != w[i].code ||
		    strcmp(e.enhanced, w[i].enhanced) != 0 ||
		    e.in.category != w[i].cat || e.stage != w[i].stage)
			fail_msg("%s #%zu: %d %s %s stage %s; want %d %s %s "
				 "stage %s",
				 name, i, e.code, e.enhanced,
				 category_name(e.in.category),
				 explain_stage_name(e.stage)
				     ? explain_stage_name(e.stage)
				     : "-",
				 w[i].code, w[i].enhanced,
				 category_name(w[i].cat),
				 explain_stage_name(w[i].stage)
				     ? explain_stage_name(w[i].stage)
				     : "-");
		assert_non_null(e.recipient);
		assert_string_equal(e.recipient, w[i].addr);
		if (w[i].remote_mta) {
			assert_non_null(e.remote_mta);
			assert_string_equal(e.remote_mta, w[i].remote_mta);
		} else {
			assert_null(e.remote_mta);
		}
		explanation_free(&e);
	}
	bounce_free(&b);
	free(buf);
}

static void test_postfix_dsn(void **state)
{
	/* The DSN lists three; the delivered one is not a failure. The
	 * stage comes from the text part. */
	static const struct want w[] = {
	    {"bob@example.org", "5.1.1", 550, "5.1.1", CAT_MAILBOX_UNKNOWN,
	     ES_RCPT, "mx1.example.org"},
	    {"carol@example.net", "5.2.2", 552, "5.2.2", CAT_MAILBOX_FULL,
	     ES_DATA, "mx.example.net"},
	};
	(void)state;
	check_fixture("postfix-dsn.eml", BF_DSN, w, 2);
}

static void test_postfix_text(void **state)
{
	static const struct want w[] = {
	    {"erin@example.org", "", 554, "5.7.1", CAT_IP_BLOCKLISTED,
	     ES_RCPT, "mx2.example.org"},
	    {"frank@nowhere.example", "", 0, "", CAT_DOMAIN_UNKNOWN, ES_NONE,
	     NULL},
	};
	(void)state;
	check_fixture("postfix-text.txt", BF_POSTFIX, w, 2);
}

static void test_exim(void **state)
{
	static const struct want w[] = {
	    {"grace@example.org", "", 550, "5.1.1", CAT_MAILBOX_UNKNOWN,
	     ES_RCPT, "mx.example.org"},
	    {"heidi@example.net", "", 550, "5.7.1", CAT_CONTENT_REJECTED,
	     ES_DATA, "mail.example.net"},
	};
	(void)state;
	check_fixture("exim.eml", BF_EXIM, w, 2);
}

static void test_qmail(void **state)
{
	static const struct want w[] = {
	    {"ivan@example.org", "", 550, "5.1.1", CAT_MAILBOX_UNKNOWN,
	     ES_RCPT, NULL},
	    {"judy@example.net", "", 0, "5.1.1", CAT_MAILBOX_UNKNOWN, ES_NONE,
	     NULL},
	};
	(void)state;
	check_fixture("qmail.txt", BF_QMAIL, w, 2);
}

static void test_exchange(void **state)
{
	/* Quoted-printable text and a DSN; the returned message's quoted
	 * bounce (a decoy recipient) is not read. */
	static const struct want w[] = {
	    {"mallory@example.org", "5.1.10", 550, "5.1.10",
	     CAT_MAILBOX_UNKNOWN, ES_NONE, NULL},
	};
	static const struct want w2010[] = {
	    {"niaj@example.org", "", 550, "5.1.1", CAT_MAILBOX_UNKNOWN,
	     ES_NONE, NULL},
	};
	(void)state;
	check_fixture("exchange.eml", BF_DSN, w, 1);
	check_fixture("exchange-2010.txt", BF_EXCHANGE, w2010, 1);
}

static void test_gmail(void **state)
{
	/* Base64 text/plain, no DSN part. */
	static const struct want w[] = {
	    {"oscar@example.org", "", 552, "5.2.2", CAT_MAILBOX_FULL, ES_NONE,
	     "mx.example.org"},
	};
	static const struct want wnew[] = {
	    {"peggy@example.org", "", 550, "5.7.26", CAT_SENDER_AUTH, ES_NONE,
	     NULL},
	};
	(void)state;
	check_fixture("gmail.eml", BF_GMAIL, w, 1);
	check_fixture("gmail-new.txt", BF_GMAIL, wnew, 1);
}

static void test_not_a_bounce(void **state)
{
	size_t len;
	char *buf = slurp("not-a-bounce.eml", &len);
	struct bounce b;

	(void)state;
	assert_int_equal(bounce_parse(buf, len, &b), 0);
	assert_int_equal(b.n, 0);
	assert_int_equal(b.format, BF_NONE);
	bounce_free(&b);
	free(buf);
	assert_int_equal(bounce_parse("", 0, &b), 0);
	assert_int_equal(b.n, 0);
	bounce_free(&b);
}

/* Control bytes, bidi overrides and a NUL reach the explanation only
 * sanitised; an overlong address is cut at its bound. */
static void test_hostile(void **state)
{
	size_t len;
	char *buf = slurp("hostile.eml", &len);
	struct bounce b;

	(void)state;
	assert_int_equal(bounce_parse(buf, len, &b), 0);
	assert_int_equal(b.n, 2);
	assert_true(strlen(b.rcpt[1].addr) <= BOUNCE_ADDR_MAX);
	assert_string_equal(b.rcpt[1].status, "5.1.1");
	for (size_t i = 0; i < b.n; i++) {
		struct explanation e;
		const char *fields[3];

		assert_int_equal(explain_bounce(&b.rcpt[i], &e), 0);
		fields[0] = e.recipient;
		fields[1] = e.remote_mta;
		fields[2] = e.text;
		for (size_t k = 0; k < 3; k++) {
			if (!fields[k])
				continue;
			for (const unsigned char *p =
				 (const unsigned char *)fields[k];
			     *p; p++)
				assert_false(*p < 0x20 || *p == 0x7f);
			/* U+202E (E2 80 AE) never passes through raw. */
			assert_null(strstr(fields[k], "\xe2\x80\xae"));
		}
		explanation_free(&e);
	}
	assert_int_equal(b.rcpt[0].status[0], '5');
	bounce_free(&b);
	free(buf);
}

/* The bounds: input cut at BOUNCE_MAX_BYTES (and said so), at most
 * BOUNCE_MAX_RECIPIENTS, MIME nesting cut at BOUNCE_MAX_DEPTH. */
static void test_bounds(void **state)
{
	const char *blk = "Final-Recipient: rfc822; x@example.org\n"
			  "Action: failed\nStatus: 5.1.1\n\n";
	size_t bl = strlen(blk), n = 200, len;
	char *buf = malloc(bl * n + BOUNCE_MAX_BYTES + 64);
	struct bounce b;

	(void)state;
	assert_non_null(buf);
	len = (size_t)sprintf(buf, "Reporting-MTA: dns; mx.example.org\n\n");
	for (size_t i = 0; i < n; i++, len += bl)
		memcpy(buf + len, blk, bl);
	assert_int_equal(bounce_parse(buf, len, &b), 0);
	assert_int_equal(b.n, BOUNCE_MAX_RECIPIENTS);
	assert_int_equal(b.truncated, 0);
	bounce_free(&b);

	memset(buf + len, 'x', BOUNCE_MAX_BYTES);
	assert_int_equal(bounce_parse(buf, len + BOUNCE_MAX_BYTES, &b), 0);
	assert_int_equal(b.truncated, 1);
	bounce_free(&b);

	/* Nested multiparts, each one level deeper: the DSN at the bottom
	 * is read within the depth bound, not past it. */
	len = 0;
	for (int d = 0; d < BOUNCE_MAX_DEPTH - 1; d++)
		len += (size_t)sprintf(buf + len,
				       "Content-Type: multipart/mixed; "
				       "boundary=b%d\n\n--b%d\n",
				       d, d);
	len += (size_t)sprintf(buf + len,
			       "Content-Type: message/delivery-status\n\n%s",
			       blk);
	assert_int_equal(bounce_parse(buf, len, &b), 0);
	assert_int_equal(b.n, 1);
	bounce_free(&b);
	len = 0;
	for (int d = 0; d < BOUNCE_MAX_DEPTH + 4; d++)
		len += (size_t)sprintf(buf + len,
				       "Content-Type: multipart/mixed; "
				       "boundary=b%d\n\n--b%d\n",
				       d, d);
	len += (size_t)sprintf(buf + len,
			       "Content-Type: message/delivery-status\n\n%s",
			       blk);
	assert_int_equal(bounce_parse(buf, len, &b), 0);
	assert_int_equal(b.n, 0);
	bounce_free(&b);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_postfix_dsn),
	    cmocka_unit_test(test_postfix_text),
	    cmocka_unit_test(test_exim),
	    cmocka_unit_test(test_qmail),
	    cmocka_unit_test(test_exchange),
	    cmocka_unit_test(test_gmail),
	    cmocka_unit_test(test_not_a_bounce),
	    cmocka_unit_test(test_hostile),
	    cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
