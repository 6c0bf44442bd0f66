/*
 * test_proxy_url.c - the --proxy URL (proxy_url.h): the accepted shapes
 * (IPv4, bracketed IPv6, default port, user with and without
 * %-encoding), each refusal with its own error (password in the URL,
 * socks5h, a host name, bad ports, trailing paths, bad users), the
 * printed form, and the redaction of passwords typed into any URL.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "smtpprobe/proxy_url.h"

static void ok(const char *url, const char *host, int family, int port,
	       const char *user, const char *shown)
{
	struct proxy_url u;

	assert_int_equal(proxy_url_parse(url, &u), PU_OK);
	assert_string_equal(u.host, host);
	assert_int_equal(u.family, family);
	assert_int_equal(u.port, port);
	assert_string_equal(u.user, user);
	assert_string_equal(u.shown, shown);
}

static void bad(const char *url, enum proxy_url_error want)
{
	struct proxy_url u;

	assert_int_equal(proxy_url_parse(url, &u), want);
	/* Nothing half-parsed is left behind. */
	assert_string_equal(u.host, "");
	assert_string_equal(u.user, "");
	assert_string_equal(u.shown, "");
	assert_true(strlen(proxy_url_strerror(want)) > 10);
}

static void test_accepted(void **state)
{
	(void)state;
	ok("socks5://127.0.0.1:1080", "127.0.0.1", AF_INET, 1080, "",
	   "socks5://127.0.0.1:1080");
	ok("SOCKS5://127.0.0.2:9050/", "127.0.0.2", AF_INET, 9050, "",
	   "socks5://127.0.0.2:9050");
	ok("socks5://127.0.0.1", "127.0.0.1", AF_INET, PROXY_DEFAULT_PORT, "",
	   "socks5://127.0.0.1:1080");
	ok("socks5://[::1]:1081", "::1", AF_INET6, 1081, "",
	   "socks5://[::1]:1081");
	ok("socks5://[::1]", "::1", AF_INET6, 1080, "", "socks5://[::1]:1080");
	ok("socks5://alice@127.0.0.1:1080", "127.0.0.1", AF_INET, 1080,
	   "alice", "socks5://alice@127.0.0.1:1080");
	/* %-encoded user: decoded for RFC 1929, encoded again to print. */
	ok("socks5://a%40b%20c@[2001:db8::1]:1", "2001:db8::1", AF_INET6, 1,
	   "a@b c", "socks5://a%40b%20c@[2001:db8::1]:1");
	/* The last '@' ends the user: one may be left raw. */
	ok("socks5://a@b@127.0.0.1:2", "127.0.0.1", AF_INET, 2, "a@b",
	   "socks5://a%40b@127.0.0.1:2");
	ok("socks5://x@127.0.0.1:65535", "127.0.0.1", AF_INET, 65535, "x",
	   "socks5://x@127.0.0.1:65535");
}

static void test_refused(void **state)
{
	(void)state;
	bad("", PU_SCHEME);
	bad("127.0.0.1:1080", PU_SCHEME);
	bad("http://127.0.0.1:1080", PU_SCHEME);
	bad("socks4://127.0.0.1:1080", PU_SCHEME);
	bad("socks5:/127.0.0.1:1080", PU_SCHEME);
	bad("socks5h://127.0.0.1:1080", PU_SCHEME_SOCKS5H);
	bad("socks5://alice:secret@127.0.0.1:1080", PU_PASSWORD);
	bad("socks5://:secret@127.0.0.1:1080", PU_PASSWORD);
	bad("socks5://@127.0.0.1:1080", PU_BAD_USER);
	bad("socks5://a%4@127.0.0.1:1080", PU_BAD_USER);
	bad("socks5://a%zz@127.0.0.1:1080", PU_BAD_USER);
	bad("socks5://a%00b@127.0.0.1:1080", PU_BAD_USER);
	bad("socks5://a%0Ab@127.0.0.1:1080", PU_BAD_USER);
	bad("socks5://a\x01@127.0.0.1:1080", PU_BAD_USER);
	bad("socks5://proxy.example:1080", PU_HOST_NAME);
	bad("socks5://localhost", PU_HOST_NAME);
	bad("socks5://[proxy.example]:1080", PU_BAD_HOST);
	bad("socks5://[127.0.0.1]:1080", PU_BAD_HOST);
	bad("socks5://::1:1080", PU_BAD_HOST);
	bad("socks5://[::1:1080", PU_BAD_HOST);
	bad("socks5://:1080", PU_BAD_HOST);
	bad("socks5://", PU_BAD_HOST);
	bad("socks5://999.0.0.1:1080", PU_BAD_HOST);
	bad("socks5://[::1]x", PU_TRAILING);
	bad("socks5://127.0.0.1:0", PU_BAD_PORT);
	bad("socks5://127.0.0.1:65536", PU_BAD_PORT);
	bad("socks5://127.0.0.1:", PU_BAD_PORT);
	bad("socks5://127.0.0.1:-1", PU_BAD_PORT);
	bad("socks5://127.0.0.1:1080x", PU_BAD_PORT);
	bad("socks5://[::1]:", PU_BAD_PORT);
	bad("socks5://127.0.0.1:1080/path", PU_TRAILING);
	bad("socks5://127.0.0.1:1080?x=1", PU_TRAILING);
	bad("socks5://127.0.0.1:1080#f", PU_TRAILING);
}

static void test_user_length(void **state)
{
	char url[1024], user[300];
	struct proxy_url u;

	(void)state;
	memset(user, 'u', 255);
	user[255] = '\0';
	snprintf(url, sizeof url, "socks5://%s@127.0.0.1:1", user);
	assert_int_equal(proxy_url_parse(url, &u), PU_OK);
	assert_int_equal(strlen(u.user), 255);
	user[255] = 'u', user[256] = '\0';
	snprintf(url, sizeof url, "socks5://%s@127.0.0.1:1", user);
	assert_int_equal(proxy_url_parse(url, &u), PU_USER_TOO_LONG);
	/* The longest printed form fits: 255 octets, each %XX. */
	char enc[PROXY_SHOWN_MAX] = "socks5://";
	for (int i = 0; i < 255; i++)
		strcat(enc, "%2F");
	strcat(enc, "@[1111:2222:3333:4444:5555:6666:7777:8888]:65535");
	assert_int_equal(proxy_url_parse(enc, &u), PU_OK);
	assert_string_equal(u.shown, enc);
}

static void redact(const char *in, const char *want, int changed)
{
	char out[256];

	assert_int_equal(proxy_url_redact(in, out, sizeof out), changed);
	assert_string_equal(out, want);
}

static void test_redact(void **state)
{
	char small[12];

	(void)state;
	redact("socks5://alice:secret@127.0.0.1:1080",
	       "socks5://alice:***@127.0.0.1:1080", 1);
	redact("--proxy=socks5://a:s3cr@t@[::1]:1",
	       "--proxy=socks5://a:***@[::1]:1", 1);
	redact("socks5://:pw@127.0.0.1", "socks5://:***@127.0.0.1", 1);
	redact("socks5://alice@127.0.0.1:1080",
	       "socks5://alice@127.0.0.1:1080", 0);
	redact("socks5://127.0.0.1:1080", "socks5://127.0.0.1:1080", 0);
	redact("user@example.com", "user@example.com", 0);
	redact("a:b@c", "a:b@c", 0);
	redact("", "", 0);
	/* Cut short, the password still never shows. */
	assert_int_equal(proxy_url_redact("socks5://a:pass@h", small,
					  sizeof small),
			 1);
	assert_null(strstr(small, "pass"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_accepted),
	    cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_user_length),
	    cmocka_unit_test(test_redact),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
