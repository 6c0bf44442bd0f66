/*
 * test_addr.c - addr.c: what may and may not become a MAIL FROM / RCPT TO
 * path or an EHLO name. The injection cases are the point: nothing with a
 * line break, NUL or control byte may pass (tests/hostile-inputs.md rows 39-41).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "smtpprobe/addr.h"

/* Parse a NUL-terminated target. */
static int target(const char *s, struct mail_addr *a)
{
	return addr_parse_target(s, strlen(s), a);
}

static int target_rc(const char *s)
{
	struct mail_addr a;

	return target(s, &a);
}

/* A string of n copies of c. */
static char *fill(char *buf, char c, size_t n)
{
	memset(buf, c, n);
	buf[n] = '\0';
	return buf;
}

/* Four labels of 63, 63, 63 and last octets: 192 + last in all. */
static char *long_domain(char *buf, size_t last)
{
	char l63[64];

	fill(l63, 'a', 63);
	strcpy(buf, l63);
	for (int i = 0; i < 2; i++) {
		strcat(buf, ".");
		strcat(buf, l63);
	}
	strcat(buf, ".");
	fill(buf + strlen(buf), 'b', last);
	return buf;
}

static void test_simple_address(void **state)
{
	struct mail_addr a;

	(void)state;
	assert_int_equal(target("user@example.com", &a), ADDR_OK);
	assert_string_equal(a.local, "user");
	assert_string_equal(a.domain, "example.com");
	assert_string_equal(a.path, "user@example.com");
	assert_int_equal(a.is_address, 1);
	assert_int_equal(a.need_smtputf8, 0);
}

static void test_domain_target(void **state)
{
	struct mail_addr a;

	(void)state;
	assert_int_equal(target("example.com", &a), ADDR_OK);
	assert_int_equal(a.is_address, 0);
	assert_string_equal(a.domain, "example.com");
	assert_string_equal(a.local, "");
	assert_string_equal(a.path, "");
	/* Single label: unusual but legal. */
	assert_int_equal(target("localhost", &a), ADDR_OK);
	assert_string_equal(a.domain, "localhost");
	assert_int_equal(target("postmaster@localhost", &a), ADDR_OK);
}

static void test_trailing_dot_and_brackets(void **state)
{
	struct mail_addr a;

	(void)state;
	assert_int_equal(target("example.com.", &a), ADDR_OK);
	assert_string_equal(a.domain, "example.com");
	assert_int_equal(target("<user@example.com.>", &a), ADDR_OK);
	assert_string_equal(a.path, "user@example.com");
	assert_int_equal(target_rc("example.com.."), ADDR_E_LABEL_EMPTY);
	assert_int_equal(target_rc("."), ADDR_E_NO_DOMAIN);
	assert_int_equal(target_rc("<user@example.com"), ADDR_E_BRACKETS);
	assert_int_equal(target_rc("user@example.com>"), ADDR_E_BRACKETS);
	assert_int_equal(target_rc("<>"), ADDR_E_EMPTY);
}

static void test_case_kept(void **state)
{
	struct mail_addr a;

	(void)state;
	assert_int_equal(target("John.Smith@Example.COM", &a), ADDR_OK);
	assert_string_equal(a.local, "John.Smith");
	assert_string_equal(a.domain, "Example.COM");
}

static void test_local_part_length(void **state)
{
	char local[80], s[160];
	struct mail_addr a;

	(void)state;
	snprintf(s, sizeof s, "%s@example.com", fill(local, 'x', 64));
	assert_int_equal(target(s, &a), ADDR_OK);
	assert_int_equal(strlen(a.local), 64);
	snprintf(s, sizeof s, "%s@example.com", fill(local, 'x', 65));
	assert_int_equal(target(s, &a), ADDR_E_LOCAL_LONG);
	assert_string_equal(addr_strerror(ADDR_E_LOCAL_LONG),
			    "local part longer than 64 octets");
	/* Octets, not characters: 32 two-octet characters are 64. */
	s[0] = '\0';
	for (int i = 0; i < 33; i++)
		strcat(s, "\xc3\xa9");
	strcat(s, "@example.com");
	assert_int_equal(target(s, &a), ADDR_E_LOCAL_LONG);
}

static void test_domain_length(void **state)
{
	char d[300], s[320];
	struct mail_addr a;

	(void)state;
	long_domain(d, 63);
	assert_int_equal(strlen(d), 255);
	assert_int_equal(target(d, &a), ADDR_OK);
	assert_string_equal(a.domain, d);
	strcat(d, "b"); /* last label now 64: the domain check comes first */
	assert_int_equal(target_rc(d), ADDR_E_DOMAIN_LONG);
	long_domain(d, 62);
	strcat(d, ".c");
	assert_int_equal(strlen(d), 256);
	assert_int_equal(target_rc(d), ADDR_E_DOMAIN_LONG);
	snprintf(s, sizeof s, "u@%s", long_domain(d, 63));
	assert_int_equal(target_rc(s), ADDR_E_PATH_LONG);
}

static void test_label_length(void **state)
{
	char l[80], s[120];

	(void)state;
	snprintf(s, sizeof s, "user@%s.example", fill(l, 'a', 63));
	assert_int_equal(target_rc(s), ADDR_OK);
	snprintf(s, sizeof s, "user@%s.example", fill(l, 'a', 64));
	assert_int_equal(target_rc(s), ADDR_E_LABEL_LONG);
}

/* RFC 5321 4.5.3.1.3: 256 octets with "<" and ">", so local@domain 254. */
static void test_path_length(void **state)
{
	char local[80], d[300], s[400];

	(void)state;
	fill(local, 'x', 64);
	long_domain(d, 63);
	d[189] = '\0'; /* 63.63.61 */
	snprintf(s, sizeof s, "%s@%s", local, d);
	assert_int_equal(strlen(s), 254);
	assert_int_equal(target_rc(s), ADDR_OK);
	d[189] = 'a';
	d[190] = '\0';
	snprintf(s, sizeof s, "%s@%s", local, d);
	assert_int_equal(strlen(s), 255);
	assert_int_equal(target_rc(s), ADDR_E_PATH_LONG);
}

static void test_injection(void **state)
{
	static const char nul[] = "a\0b@x.test";

	(void)state;
	assert_int_equal(target_rc("a\r\nDATA@x.test"), ADDR_E_CRLF);
	assert_int_equal(target_rc("user@x.test\r\nRCPT TO:<v@y.test>"),
			 ADDR_E_CRLF);
	assert_int_equal(target_rc("user@x.test\n"), ADDR_E_CRLF);
	assert_int_equal(target_rc("user@x.test\r"), ADDR_E_CRLF);
	assert_int_equal(
	    addr_parse_target(nul, sizeof nul - 1, &(struct mail_addr){0}),
	    ADDR_E_NUL);
	assert_int_equal(target_rc("a b@x.test"), ADDR_E_SPACE);
	assert_int_equal(target_rc("user@exa mple.test"), ADDR_E_SPACE);
	assert_int_equal(target_rc(" user@x.test"), ADDR_E_SPACE);
	assert_int_equal(target_rc("a\tb@x.test"), ADDR_E_CONTROL);
	assert_int_equal(target_rc("\x1b[2J@x.test"), ADDR_E_CONTROL);
	assert_int_equal(target_rc("a\x7f@x.test"), ADDR_E_CONTROL);
	assert_int_equal(target_rc("a\xc2\x85@x.test"),
			 ADDR_E_CONTROL); /* NEL */
	assert_int_equal(target_rc("a\xe2\x80\xae@x.test"), ADDR_E_INVISIBLE);
	assert_int_equal(target_rc("user@a\xe2\x80\x8b.test"),
			 ADDR_E_INVISIBLE);
	/* Inside quotes a space is data, a line break still is not. */
	assert_int_equal(target_rc("\"a b\"@x.test"), ADDR_OK);
	assert_int_equal(target_rc("\"a\r\nb\"@x.test"), ADDR_E_CRLF);
	assert_int_equal(target_rc("\"a\\\r\"@x.test"), ADDR_E_CRLF);
}

static void test_quoted_local(void **state)
{
	struct mail_addr a;

	(void)state;
	assert_int_equal(target("\"john doe\"@example.com", &a), ADDR_OK);
	assert_string_equal(a.local, "\"john doe\"");
	assert_string_equal(a.path, "\"john doe\"@example.com");
	assert_int_equal(target("\"a@b\"@example.com", &a), ADDR_OK);
	assert_string_equal(a.local, "\"a@b\"");
	assert_int_equal(target_rc("\"a\\\"b\"@x.test"), ADDR_OK);
	assert_int_equal(target_rc("\"\"@x.test"), ADDR_OK);
	assert_int_equal(target_rc("\"unterminated@x.test"),
			 ADDR_E_LOCAL_QUOTE);
	assert_int_equal(target_rc("\"a\"b@x.test"), ADDR_E_LOCAL_QUOTE);
	assert_int_equal(target_rc("\"a\\\"@x.test"), ADDR_E_LOCAL_QUOTE);
	assert_int_equal(target_rc("a\"b\"@x.test"), ADDR_E_LOCAL_QUOTE);
}

static void test_dot_string(void **state)
{
	(void)state;
	assert_int_equal(target_rc("first.last@x.test"), ADDR_OK);
	assert_int_equal(target_rc("!#$%&'*+-/=?^_`{|}~@x.test"), ADDR_OK);
	assert_int_equal(target_rc(".a@x.test"), ADDR_E_LOCAL_DOT);
	assert_int_equal(target_rc("a.@x.test"), ADDR_E_LOCAL_DOT);
	assert_int_equal(target_rc("a..b@x.test"), ADDR_E_LOCAL_DOT);
	assert_int_equal(target_rc("a(b)@x.test"), ADDR_E_LOCAL_CHAR);
	assert_int_equal(target_rc("a@b@x.test"), ADDR_E_LOCAL_CHAR);
	assert_int_equal(target_rc("a\\b@x.test"), ADDR_E_LOCAL_CHAR);
	assert_int_equal(target_rc("a,b@x.test"), ADDR_E_LOCAL_CHAR);
	assert_int_equal(target_rc("@x.test"), ADDR_E_NO_LOCAL);
	assert_int_equal(target_rc("user@"), ADDR_E_NO_DOMAIN);
	assert_int_equal(target_rc(""), ADDR_E_EMPTY);
}

static void test_idn(void **state)
{
	struct mail_addr a;

	(void)state;
	assert_int_equal(target("user@b\xc3\xbc"
				"cher.example",
				&a),
			 ADDR_OK);
	assert_string_equal(a.domain, "xn--bcher-kva.example");
	assert_string_equal(a.path, "user@xn--bcher-kva.example");
	assert_int_equal(a.need_smtputf8, 0);
	assert_int_equal(target("B\xc3\x9c"
				"CHER.example.",
				&a),
			 ADDR_OK);
	assert_string_equal(a.domain, "xn--bcher-kva.example");
	/* Non-transitional: sharp s is kept, not mapped to "ss". */
	assert_int_equal(target("fa\xc3\x9f.de", &a), ADDR_OK);
	assert_string_equal(a.domain, "xn--fa-hia.de");
	/* Only IDNA2003 (transitional) takes a snowman. */
	assert_int_equal(target("\xe2\x98\x83.net", &a), ADDR_OK);
	assert_string_equal(a.domain, "xn--n3h.net");
	/* A label may not start with a combining mark. */
	assert_int_equal(target_rc("user@\xcc\x81"
				   "abc.example"),
			 ADDR_E_IDN);
	/* Conversion does not excuse an underscore. */
	assert_int_equal(target_rc("user@\xc3\xbcml_aut.example"),
			 ADDR_E_LABEL_CHAR);
}

static void test_utf8_local(void **state)
{
	struct mail_addr a;

	(void)state;
	assert_int_equal(target("jos\xc3\xa9@example.com", &a), ADDR_OK);
	assert_int_equal(a.need_smtputf8, 1);
	assert_string_equal(a.local, "jos\xc3\xa9");
	assert_int_equal(target("\xe7\x94\xa8\xe6\x88\xb7@b\xc3\xbc"
				"cher.example",
				&a),
			 ADDR_OK);
	assert_int_equal(a.need_smtputf8, 1);
	assert_string_equal(a.domain, "xn--bcher-kva.example");
	assert_int_equal(target("\"jos\xc3\xa9 m\"@example.com", &a), ADDR_OK);
	assert_int_equal(a.need_smtputf8, 1);
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	assert_int_equal(target_rc("\xc3(@x.test"), ADDR_E_UTF8);
	assert_int_equal(target_rc("\xc0\xaf@x.test"),
			 ADDR_E_UTF8); /* overlong */
	assert_int_equal(target_rc("\xed\xa0\x80@x.test"),
			 ADDR_E_UTF8); /* surrogate */
	assert_int_equal(target_rc("a\xe2\x82@x.test"), ADDR_E_UTF8); /* cut */
	assert_int_equal(target_rc("\xf4\x90\x80\x80@x.test"), ADDR_E_UTF8);
	assert_int_equal(target_rc("user@b\xfc"
				   "cher.example"),
			 ADDR_E_UTF8); /* Latin-1 */
	assert_int_equal(target_rc("user@x.test\xff"), ADDR_E_UTF8);
}

static void test_labels(void **state)
{
	(void)state;
	assert_int_equal(target_rc("user@-bad.example"), ADDR_E_LABEL_HYPHEN);
	assert_int_equal(target_rc("user@bad-.example"), ADDR_E_LABEL_HYPHEN);
	assert_int_equal(target_rc("-bad.example"), ADDR_E_LABEL_HYPHEN);
	assert_int_equal(target_rc("user@example.-com"), ADDR_E_LABEL_HYPHEN);
	assert_int_equal(target_rc("user@in-side.example"), ADDR_OK);
	assert_int_equal(target_rc("user@xn--bcher-kva.example"), ADDR_OK);
	assert_int_equal(target_rc("user@a_b.example"), ADDR_E_LABEL_CHAR);
	assert_int_equal(target_rc("user@a..b"), ADDR_E_LABEL_EMPTY);
	assert_int_equal(target_rc("user@.a"), ADDR_E_LABEL_EMPTY);
	assert_int_equal(target_rc("123.example"), ADDR_OK);
	assert_int_equal(target_rc("192.0.2.1"), ADDR_E_NUMERIC_TLD);
	assert_int_equal(target_rc("user@192.0.2.1"), ADDR_E_NUMERIC_TLD);
}

static void test_address_literal(void **state)
{
	(void)state;
	assert_int_equal(target_rc("user@[192.0.2.1]"), ADDR_E_LITERAL);
	assert_int_equal(target_rc("user@[IPv6:2001:db8::1]"), ADDR_E_LITERAL);
	assert_int_equal(target_rc("[192.0.2.1]"), ADDR_E_LITERAL);
	assert_non_null(strstr(addr_strerror(ADDR_E_LITERAL), "not supported"));
}

static void test_too_long_input(void **state)
{
	char s[ADDR_INPUT_MAX + 2];

	(void)state;
	fill(s, 'a', ADDR_INPUT_MAX + 1);
	assert_int_equal(target_rc(s), ADDR_E_TOO_LONG_INPUT);
}

static void test_sender(void **state)
{
	struct mail_addr a;

	(void)state;
	assert_int_equal(addr_parse_sender("", 0, &a), ADDR_OK);
	assert_string_equal(a.path, "");
	assert_int_equal(addr_parse_sender("<>", 2, &a), ADDR_OK);
	assert_string_equal(a.path, "");
	assert_int_equal(addr_parse_sender("<probe@example.net>", 19, &a),
			 ADDR_OK);
	assert_string_equal(a.path, "probe@example.net");
	assert_int_equal(addr_parse_sender("example.net", 11, &a),
			 ADDR_E_NOT_MAILBOX);
	assert_string_equal(a.path, "");
	assert_int_equal(addr_parse_sender("a\r\n@x.test", 10, &a),
			 ADDR_E_CRLF);
	assert_int_equal(addr_parse_sender("<> ", 3, &a), ADDR_E_SPACE);
	assert_int_equal(addr_parse_sender("jos\xc3\xa9@x.test", 11, &a),
			 ADDR_OK);
	assert_int_equal(a.need_smtputf8, 1);
}

static int helo(const char *s, char *out)
{
	return addr_parse_helo(s, strlen(s), out, DOMAIN_MAX + 1);
}

static void test_helo(void **state)
{
	char out[DOMAIN_MAX + 1];

	(void)state;
	assert_int_equal(helo("probe.example.net", out), ADDR_OK);
	assert_string_equal(out, "probe.example.net");
	assert_int_equal(helo("probe.example.net.", out), ADDR_OK);
	assert_string_equal(out, "probe.example.net");
	assert_int_equal(helo("b\xc3\xbc"
			      "cher.example",
			      out),
			 ADDR_OK);
	assert_string_equal(out, "xn--bcher-kva.example");
	assert_int_equal(helo("[192.0.2.1]", out), ADDR_OK);
	assert_string_equal(out, "[192.0.2.1]");
	assert_int_equal(helo("[ipv6:2001:db8::1]", out), ADDR_OK);
	assert_string_equal(out, "[IPv6:2001:db8::1]");
	assert_int_equal(helo("[300.0.2.1]", out), ADDR_E_BAD_LITERAL);
	assert_int_equal(helo("[2001:db8::1]", out), ADDR_E_BAD_LITERAL);
	assert_int_equal(helo("[192.0.2.1", out), ADDR_E_BAD_LITERAL);
	assert_string_equal(out, "");
	assert_int_equal(helo("192.0.2.1", out), ADDR_E_NUMERIC_TLD);
	assert_int_equal(helo("probe\r\nMAIL FROM:<x@y>", out), ADDR_E_CRLF);
	assert_int_equal(helo("probe example", out), ADDR_E_SPACE);
	assert_int_equal(helo("", out), ADDR_E_EMPTY);
	assert_int_equal(helo("probe_1.example", out), ADDR_E_LABEL_CHAR);
}

static void test_domain(void **state)
{
	char out[DOMAIN_MAX + 1];

	(void)state;
	assert_int_equal(
	    addr_parse_domain("mx.example.org", 14, out, sizeof out), ADDR_OK);
	assert_string_equal(out, "mx.example.org");
	assert_int_equal(addr_parse_domain("[192.0.2.1]", 11, out, sizeof out),
			 ADDR_E_LITERAL);
	/* A buffer too small is reported, never overrun. */
	assert_int_equal(addr_parse_domain("mx.example.org", 14, out, 5),
			 ADDR_E_DOMAIN_LONG);
}

static void test_messages(void **state)
{
	(void)state;
	for (int e = 0; e < ADDR_E__COUNT; e++) {
		const char *m = addr_strerror(e);

		assert_non_null(m);
		assert_true(strlen(m) > 0);
		assert_null(strchr(m, '\n'));
	}
	assert_string_equal(addr_strerror(-1), "invalid");
	assert_string_equal(addr_strerror(ADDR_E__COUNT), "invalid");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_simple_address),
	    cmocka_unit_test(test_domain_target),
	    cmocka_unit_test(test_trailing_dot_and_brackets),
	    cmocka_unit_test(test_case_kept),
	    cmocka_unit_test(test_local_part_length),
	    cmocka_unit_test(test_domain_length),
	    cmocka_unit_test(test_label_length),
	    cmocka_unit_test(test_path_length),
	    cmocka_unit_test(test_injection),
	    cmocka_unit_test(test_quoted_local),
	    cmocka_unit_test(test_dot_string),
	    cmocka_unit_test(test_idn),
	    cmocka_unit_test(test_utf8_local),
	    cmocka_unit_test(test_invalid_utf8),
	    cmocka_unit_test(test_labels),
	    cmocka_unit_test(test_address_literal),
	    cmocka_unit_test(test_too_long_input),
	    cmocka_unit_test(test_sender),
	    cmocka_unit_test(test_helo),
	    cmocka_unit_test(test_domain),
	    cmocka_unit_test(test_messages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
