/*
 * test_socks5.c - the SOCKS5 client codec (socks5.h) against the message
 * layouts of RFC 1928 (sections 3, 4, 6) and RFC 1929 (section 2), built
 * here byte by byte: the exact requests for IPv4 and IPv6 with and
 * without credentials, every REP code, the method selection's refusals,
 * a failed sub-negotiation, proxies that do not speak SOCKS5, replies
 * split at every octet or followed by the SMTP stream, the bound address
 * in its three forms, the length limits, and the password gone from the
 * struct afterwards.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "smtpprobe/socks5.h"

#define B(...)                                                                 \
	(const unsigned char[]){__VA_ARGS__},                                  \
	    sizeof((const unsigned char[]){__VA_ARGS__})

static const char PASS[] = "s3cret-Pa55";

static int mem_has(const void *hay, size_t n, const void *needle, size_t m)
{
	const unsigned char *h = hay;

	for (size_t i = 0; i + m <= n; i++)
		if (memcmp(h + i, needle, m) == 0)
			return 1;
	return 0;
}

/* The pending request must be exactly want[0..n); it is then sent. */
static void expect_out(struct socks5 *s, const unsigned char *want, size_t n)
{
	const unsigned char *p;
	size_t k = socks5_pending_out(s, &p);

	assert_int_equal(k, n);
	assert_memory_equal(p, want, n);
	socks5_sent(s, k);
	assert_int_equal(socks5_pending_out(s, &p), 0);
}

static void send_all(struct socks5 *s)
{
	const unsigned char *p;
	size_t k = socks5_pending_out(s, &p);

	socks5_sent(s, k);
}

/* Feed in[0..n) whole and expect all of it consumed. */
static void feed_all(struct socks5 *s, const unsigned char *in, size_t n)
{
	assert_int_equal(socks5_feed(s, in, n), n);
}

/* Without credentials, to 192.0.2.25:25, up to where the CONNECT reply
 * is due: greeting sent, method 0x00 chosen, request sent. */
static void to_connect_reply(struct socks5 *s)
{
	socks5_init(s, "192.0.2.25", 25, NULL, NULL);
	send_all(s);
	feed_all(s, B(5, 0));
	send_all(s);
}

static const unsigned char OK_V4[] = {5, 0, 0, 1, 192, 0, 2, 1, 0x04, 0x38};

/* ---- the requests ---- */

static void test_noauth_ipv4_bytes(void **state)
{
	struct socks5 s;

	(void)state;
	assert_int_equal(socks5_init(&s, "192.0.2.25", 25, NULL, NULL), 0);
	assert_int_equal(socks5_state(&s), S5_GREETING);
	/* RFC 1928 3: VER 5, NMETHODS 1, METHOD 0x00. */
	expect_out(&s, B(0x05, 0x01, 0x00));
	feed_all(&s, B(0x05, 0x00));
	assert_int_equal(socks5_state(&s), S5_CONNECT);
	/* RFC 1928 4: VER CMD=CONNECT RSV ATYP=1 DST.ADDR DST.PORT(25). */
	expect_out(&s, B(0x05, 0x01, 0x00, 0x01, 192, 0, 2, 25, 0x00, 0x19));
	feed_all(&s, OK_V4, sizeof OK_V4);
	assert_int_equal(socks5_state(&s), S5_DONE);
	assert_int_equal(socks5_error(&s), S5E_NONE);
	assert_int_equal(socks5_reply_code(&s), 0);
	assert_string_equal(socks5_bound(&s), "192.0.2.1:1080");
}

static void test_userpass_ipv6_bytes(void **state)
{
	struct socks5 s;

	(void)state;
	assert_int_equal(socks5_init(&s, "2001:db8::1:25", 587, "probe", PASS),
			 0);
	/* Credentials: method 0x02 alone. */
	expect_out(&s, B(0x05, 0x01, 0x02));
	feed_all(&s, B(0x05, 0x02));
	assert_int_equal(socks5_state(&s), S5_AUTH);
	/* RFC 1929 2: VER 1, ULEN, UNAME, PLEN, PASSWD. */
	expect_out(&s, B(0x01, 5, 'p', 'r', 'o', 'b', 'e', 11, 's', '3', 'c',
			 'r', 'e', 't', '-', 'P', 'a', '5', '5'));
	feed_all(&s, B(0x01, 0x00));
	assert_int_equal(socks5_state(&s), S5_CONNECT);
	/* ATYP 4, 16 octets, port 587 = 0x024b. */
	expect_out(&s, B(0x05, 0x01, 0x00, 0x04, 0x20, 0x01, 0x0d, 0xb8, 0, 0,
			 0, 0, 0, 0, 0, 0, 0, 1, 0, 0x25, 0x02, 0x4b));
	feed_all(&s, B(5, 0, 0, 4, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0,
		       0, 0, 0, 0, 0x07, 0x1f, 0x90));
	assert_int_equal(socks5_state(&s), S5_DONE);
	assert_string_equal(socks5_bound(&s), "[2001:db8::7]:8080");
	assert_false(mem_has(&s, sizeof s, PASS, strlen(PASS)));
}

/* A request written in pieces: the rest stays pending, and no reply is
 * read before the request is out. */
static void test_partial_send(void **state)
{
	struct socks5 s;
	const unsigned char *p;

	(void)state;
	socks5_init(&s, "192.0.2.25", 25, "u", PASS);
	assert_int_equal(socks5_pending_out(&s, &p), 3);
	socks5_sent(&s, 1);
	assert_int_equal(socks5_pending_out(&s, &p), 2);
	assert_int_equal(p[0], 0x01);
	assert_int_equal(socks5_feed(&s, B(0x05, 0x02)), 0);
	socks5_sent(&s, 99); /* more than pending: all of it */
	assert_int_equal(socks5_pending_out(&s, &p), 0);
	feed_all(&s, B(0x05, 0x02));
	assert_int_equal(socks5_pending_out(&s, &p), 3 + 1 + 11);
	socks5_sent(&s, 5);
	/* The password is still to be sent: it is still there. */
	assert_int_equal(socks5_pending_out(&s, &p), 10);
	assert_true(mem_has(&s, sizeof s, PASS, strlen(PASS)));
	assert_int_equal(socks5_feed(&s, B(0x01, 0x00)), 0);
	socks5_sent(&s, 10);
	assert_false(mem_has(&s, sizeof s, PASS, strlen(PASS)));
	feed_all(&s, B(0x01, 0x00));
	assert_int_equal(socks5_state(&s), S5_CONNECT);
}

/* ---- the CONNECT reply codes (RFC 1928 6) ---- */

static void test_every_rep(void **state)
{
	static const struct {
		int rep;
		const char *name;
	} cases[] = {
	    {1, "general_failure"},
	    {2, "not_allowed"},
	    {3, "network_unreachable"},
	    {4, "host_unreachable"},
	    {5, "connection_refused"},
	    {6, "ttl_expired"},
	    {7, "command_not_supported"},
	    {8, "address_type_not_supported"},
	    {9, "unassigned"},
	    {0x7f, "unassigned"},
	    {0xff, "unassigned"},
	};

	(void)state;
	assert_string_equal(socks5_reply_name(0), "succeeded");
	assert_string_equal(socks5_reply_name(-1), "none");
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct socks5 s;
		unsigned char r[10];

		memcpy(r, OK_V4, sizeof r);
		r[1] = (unsigned char)cases[i].rep;
		to_connect_reply(&s);
		/* Failure is known at REP: the rest is not read. */
		assert_int_equal(socks5_feed(&s, r, sizeof r), 2);
		assert_int_equal(socks5_state(&s), S5_FAILED);
		assert_int_equal(socks5_error(&s), S5E_REPLY);
		assert_string_equal(socks5_error_name(S5E_REPLY),
				    "connect_failed");
		assert_int_equal(socks5_reply_code(&s), cases[i].rep);
		assert_string_equal(socks5_reply_name(cases[i].rep),
				    cases[i].name);
		assert_non_null(socks5_reply_meaning(cases[i].rep));
		assert_true(strlen(socks5_reply_meaning(cases[i].rep)) > 20);
		assert_string_equal(socks5_bound(&s), "");
		assert_int_equal(socks5_feed(&s, r, sizeof r), 0);
	}
	/* What each means for the probe, as the user will read it. */
	assert_non_null(strstr(socks5_reply_meaning(5), "refused"));
	assert_non_null(strstr(socks5_reply_meaning(4), "unreachable"));
	assert_non_null(strstr(socks5_reply_meaning(2), "port 25"));
}

/* ---- the method selection (RFC 1928 3) ---- */

static void test_methods(void **state)
{
	static const struct {
		const char *user;
		unsigned char method;
		enum socks5_error want;
	} cases[] = {
	    {NULL, 0xff, S5E_NO_ACCEPTABLE_METHOD},
	    {"u", 0xff, S5E_NO_ACCEPTABLE_METHOD},
	    /* Not offered: user/pass without credentials, none with. */
	    {NULL, 0x02, S5E_METHOD_UNSUPPORTED},
	    {"u", 0x00, S5E_METHOD_UNSUPPORTED},
	    {NULL, 0x01, S5E_METHOD_UNSUPPORTED}, /* GSSAPI */
	    {"u", 0x80, S5E_METHOD_UNSUPPORTED},  /* private range */
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct socks5 s;
		const unsigned char *p;
		unsigned char r[] = {5, cases[i].method, 1, 0};

		socks5_init(&s, "192.0.2.25", 25, cases[i].user,
			    cases[i].user ? PASS : NULL);
		send_all(&s);
		assert_int_equal(socks5_feed(&s, r, sizeof r), 2);
		assert_int_equal(socks5_state(&s), S5_FAILED);
		assert_int_equal(socks5_error(&s), cases[i].want);
		assert_int_equal(socks5_reply_code(&s), -1);
		/* Nothing more is sent: above all not the password. */
		assert_int_equal(socks5_pending_out(&s, &p), 0);
		assert_false(mem_has(&s, sizeof s, PASS, strlen(PASS)));
	}
}

/* ---- RFC 1929 status ---- */

static void test_auth_failed(void **state)
{
	struct socks5 s;

	(void)state;
	socks5_init(&s, "192.0.2.25", 25, "probe", PASS);
	send_all(&s);
	feed_all(&s, B(5, 2));
	send_all(&s);
	assert_int_equal(socks5_feed(&s, B(0x01, 0x01, 5, 0)), 2);
	assert_int_equal(socks5_state(&s), S5_FAILED);
	assert_int_equal(socks5_error(&s), S5E_AUTH_FAILED);
	assert_string_equal(socks5_error_name(S5E_AUTH_FAILED), "auth_failed");
	assert_false(mem_has(&s, sizeof s, PASS, strlen(PASS)));
}

/* ---- not SOCKS5 at all ---- */

static void test_garbage(void **state)
{
	static const struct {
		const char *what;
		int auth;
		int step; /* 0 greeting, 1 auth, 2 connect */
		const char *bytes;
		size_t len;
		size_t used;
	} cases[] = {
	    {"SOCKS4 reply", 0, 0, "\x00\x5a\x00\x19", 4, 1},
	    {"VER 4", 0, 0, "\x04\x00", 2, 1},
	    {"HTTP proxy", 0, 0, "HTTP/1.1 400 Bad Request\r\n", 26, 1},
	    {"an SMTP server", 0, 0, "220 mx ESMTP\r\n", 14, 1},
	    {"sub-negotiation VER 5", 1, 1, "\x05\x00", 2, 1},
	    {"CONNECT reply VER 4", 0, 2, "\x04\x00\x00\x01", 4, 1},
	    {"HTTP after the greeting", 0, 2, "HTTP/1.1 400", 12, 1},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct socks5 s;

		socks5_init(&s, "192.0.2.25", 25, cases[i].auth ? "u" : NULL,
			    cases[i].auth ? PASS : NULL);
		send_all(&s);
		if (cases[i].step >= 1) {
			feed_all(&s, B(5, cases[i].auth ? 2 : 0));
			send_all(&s);
		}
		assert_int_equal(
		    socks5_feed(&s, (const unsigned char *)cases[i].bytes,
				cases[i].len),
		    cases[i].used);
		assert_int_equal(socks5_state(&s), S5_FAILED);
		assert_int_equal(socks5_error(&s), S5E_GARBAGE);
		assert_string_equal(socks5_error_name(S5E_GARBAGE),
				    "not_socks5");
	}
}

/* ---- the bound address (RFC 1928 5, 6) ---- */

static void test_bound_forms(void **state)
{
	const struct {
		const unsigned char *reply;
		size_t len;
		enum socks5_state st;
		enum socks5_error err;
		const char *bound;
	} cases[] = {
	    {B(5, 0, 0, 3, 11, 'p', 'r', 'o', 'x', 'y', '.', 'e', 'x', 'a', 'm',
	       'p', 0x00, 0x19),
	     S5_DONE, S5E_NONE, "proxy.examp:25"},
	    /* Controls, space, backslash and high bytes escaped. */
	    {B(5, 0, 0, 3, 6, 'a', 0x1b, ' ', '\\', 0xff, 0x00, 0xff, 0xff),
	     S5_DONE, S5E_NONE, "a\\x1b\\x20\\x5c\\xff\\x00:65535"},
	    {B(5, 0, 0, 3, 0, 0, 25), S5_FAILED, S5E_BAD_ADDRESS_TYPE, ""},
	    {B(5, 0, 0, 2, 0, 0, 0, 0, 0, 0), S5_FAILED, S5E_BAD_ADDRESS_TYPE,
	     ""},
	    {B(5, 0, 0, 0, 0, 0, 0, 0, 0, 0), S5_FAILED, S5E_BAD_ADDRESS_TYPE,
	     ""},
	    /* RSV is reserved: not held against the proxy. */
	    {B(5, 0, 0xaa, 1, 10, 0, 0, 1, 0, 80), S5_DONE, S5E_NONE,
	     "10.0.0.1:80"},
	    {B(5, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0,
	       25),
	     S5_DONE, S5E_NONE, "[::1]:25"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct socks5 s;

		to_connect_reply(&s);
		socks5_feed(&s, cases[i].reply, cases[i].len);
		assert_int_equal(socks5_state(&s), cases[i].st);
		assert_int_equal(socks5_error(&s), cases[i].err);
		assert_string_equal(socks5_bound(&s), cases[i].bound);
	}
}

/* A 255-octet name, the longest there is. */
static void test_bound_longest_name(void **state)
{
	struct socks5 s;
	unsigned char r[5 + 255 + 2];
	char want[300];

	(void)state;
	memcpy(r, B(5, 0, 0, 3, 255));
	memset(r + 5, 'n', 255);
	r[260] = 0x01;
	r[261] = 0xbb;
	memset(want, 'n', 255);
	strcpy(want + 255, ":443");
	to_connect_reply(&s);
	feed_all(&s, r, sizeof r);
	assert_int_equal(socks5_state(&s), S5_DONE);
	assert_string_equal(socks5_bound(&s), want);

	/* The same, every octet escaped: within SOCKS5_BOUND_MAX. */
	memset(r + 5, 0x01, 255);
	to_connect_reply(&s);
	feed_all(&s, r, sizeof r);
	assert_int_equal(socks5_state(&s), S5_DONE);
	assert_int_equal(strlen(socks5_bound(&s)), 255 * 4 + 4);
	assert_true(strlen(socks5_bound(&s)) < SOCKS5_BOUND_MAX);
}

/* ---- splitting ---- */

/* The whole exchange, one octet per feed: the same end. */
static void test_byte_at_a_time(void **state)
{
	const unsigned char in[] = {5,	 2,   1,   0,	5,   0,	   0,	3,
				    4,	 'p', 'r', 'x', 'y', 0,	   25,	'2',
				    '2', '0', ' ', 'm', 'x', '\r', '\n'};
	struct socks5 s;
	size_t off = 0, calls = 0;

	(void)state;
	socks5_init(&s, "2001:db8::25", 25, "probe", PASS);
	while (off < sizeof in && socks5_state(&s) != S5_DONE) {
		size_t used;

		send_all(&s);
		used = socks5_feed(&s, in + off, 1);
		assert_true(used <= 1);
		off += used;
		calls++;
	}
	assert_int_equal(socks5_state(&s), S5_DONE);
	assert_string_equal(socks5_bound(&s), "prxy:25");
	/* 2 + 2 + 11 octets of SOCKS; the SMTP banner is left. */
	assert_int_equal(off, 15);
	assert_memory_equal(in + off, "220 mx\r\n", 8);
	assert_false(mem_has(&s, sizeof s, PASS, strlen(PASS)));
}

/* Everything the proxy sends in one read: each reply is consumed only up
 * to its end, the rest after the request that must come first. */
static void test_extra_bytes_left(void **state)
{
	const unsigned char in[] = {5, 0, 5,  0,   0,	1,   192, 0,  2,
				    1, 0, 25, '2', '2', '0', ' ', 'x'};
	struct socks5 s;
	size_t used;

	(void)state;
	socks5_init(&s, "192.0.2.25", 25, NULL, NULL);
	send_all(&s);
	used = socks5_feed(&s, in, sizeof in);
	assert_int_equal(used, 2); /* then the CONNECT request is due */
	assert_int_equal(socks5_feed(&s, in + used, sizeof in - used), 0);
	send_all(&s);
	used += socks5_feed(&s, in + used, sizeof in - used);
	assert_int_equal(used, 12);
	assert_int_equal(socks5_state(&s), S5_DONE);
	/* Done: the SMTP stream is the caller's. */
	assert_int_equal(socks5_feed(&s, in + used, sizeof in - used), 0);
}

/* Every split of a reply in two: the same result. */
static void test_every_split(void **state)
{
	const unsigned char r[] = {5, 0, 0, 3, 3, 'a', 'b', 'c', 0x04, 0x38};

	(void)state;
	for (size_t cut = 0; cut <= sizeof r; cut++) {
		struct socks5 s;

		to_connect_reply(&s);
		assert_int_equal(socks5_feed(&s, r, cut), cut);
		assert_int_equal(socks5_state(&s),
				 cut == sizeof r ? S5_DONE : S5_CONNECT);
		feed_all(&s, r + cut, sizeof r - cut);
		assert_int_equal(socks5_state(&s), S5_DONE);
		assert_string_equal(socks5_bound(&s), "abc:1080");
	}
}

/* ---- the arguments ---- */

static void test_init_limits(void **state)
{
	char u255[256], u256[257];
	struct socks5 s;
	const unsigned char *p;

	(void)state;
	memset(u255, 'u', 255);
	u255[255] = '\0';
	memset(u256, 'u', 256);
	u256[256] = '\0';

	assert_int_equal(socks5_init(&s, "192.0.2.25", 25, u255, u255), 0);
	send_all(&s);
	feed_all(&s, B(5, 2));
	assert_int_equal(socks5_pending_out(&s, &p), 3 + 255 + 255);
	assert_int_equal(p[1], 255);
	assert_int_equal(p[2 + 255], 255);

	const struct {
		const char *ip;
		int port;
		const char *user, *pass;
		enum socks5_error want;
	} bad[] = {
	    {"192.0.2.25", 25, u256, "p", S5E_TOO_LONG},
	    {"192.0.2.25", 25, "u", u256, S5E_TOO_LONG},
	    {"192.0.2.25", 25, "", "p", S5E_BAD_ARGUMENT},
	    {"192.0.2.25", 25, "u", "", S5E_BAD_ARGUMENT},
	    {"192.0.2.25", 25, "u", NULL, S5E_BAD_ARGUMENT},
	    {"192.0.2.25", 25, NULL, "p", S5E_BAD_ARGUMENT},
	    {"mx.example.net", 25, NULL, NULL, S5E_BAD_ARGUMENT},
	    {"[2001:db8::1]", 25, NULL, NULL, S5E_BAD_ARGUMENT},
	    {"192.0.2.256", 25, NULL, NULL, S5E_BAD_ARGUMENT},
	    {NULL, 25, NULL, NULL, S5E_BAD_ARGUMENT},
	    {"192.0.2.25", 0, NULL, NULL, S5E_BAD_ARGUMENT},
	    {"192.0.2.25", 65536, NULL, NULL, S5E_BAD_ARGUMENT},
	    {"192.0.2.25", -1, NULL, NULL, S5E_BAD_ARGUMENT},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(socks5_init(&s, bad[i].ip, bad[i].port,
					     bad[i].user, bad[i].pass),
				 -1);
		assert_int_equal(socks5_state(&s), S5_FAILED);
		assert_int_equal(socks5_error(&s), bad[i].want);
		assert_int_equal(socks5_pending_out(&s, &p), 0);
	}
	assert_int_equal(socks5_init(&s, "192.0.2.25", 65535, NULL, NULL), 0);
}

/* ---- the end of the connection, and the secret ---- */

static void test_closed(void **state)
{
	struct socks5 s;

	(void)state;
	socks5_init(&s, "192.0.2.25", 25, "u", PASS);
	send_all(&s);
	socks5_closed(&s);
	assert_int_equal(socks5_state(&s), S5_FAILED);
	assert_int_equal(socks5_error(&s), S5E_CLOSED);
	assert_false(mem_has(&s, sizeof s, PASS, strlen(PASS)));

	/* Closed after the end: nothing changes. */
	to_connect_reply(&s);
	feed_all(&s, OK_V4, sizeof OK_V4);
	socks5_closed(&s);
	assert_int_equal(socks5_state(&s), S5_DONE);
}

static void test_wipe(void **state)
{
	struct socks5 s;

	(void)state;
	/* Before anything was sent: ended, and the password gone. */
	socks5_init(&s, "192.0.2.25", 25, "probe", PASS);
	assert_true(mem_has(&s, sizeof s, PASS, strlen(PASS)));
	socks5_wipe(&s);
	assert_false(mem_has(&s, sizeof s, PASS, strlen(PASS)));
	assert_int_equal(socks5_state(&s), S5_FAILED);
	assert_int_equal(socks5_error(&s), S5E_ABORTED);

	/* With the sub-negotiation request pending. */
	socks5_init(&s, "192.0.2.25", 25, "probe", PASS);
	send_all(&s);
	feed_all(&s, B(5, 2));
	assert_true(mem_has(&s, sizeof s, PASS, strlen(PASS)));
	socks5_wipe(&s);
	assert_false(mem_has(&s, sizeof s, PASS, strlen(PASS)));
	assert_int_equal(socks5_error(&s), S5E_ABORTED);

	/* After success the result stays readable. */
	socks5_init(&s, "192.0.2.25", 25, "probe", PASS);
	send_all(&s);
	feed_all(&s, B(5, 2));
	send_all(&s);
	feed_all(&s, B(1, 0));
	send_all(&s);
	feed_all(&s, OK_V4, sizeof OK_V4);
	socks5_wipe(&s);
	assert_int_equal(socks5_state(&s), S5_DONE);
	assert_int_equal(socks5_reply_code(&s), 0);
	assert_string_equal(socks5_bound(&s), "192.0.2.1:1080");

	/* After a failure its cause stays. */
	to_connect_reply(&s);
	socks5_feed(&s, B(5, 5));
	socks5_wipe(&s);
	assert_int_equal(socks5_error(&s), S5E_REPLY);
	assert_int_equal(socks5_reply_code(&s), 5);
}

/* The password in the struct after each kind of end, every one of which
 * wiped it. */
static void test_no_password_after_end(void **state)
{
	const struct {
		const unsigned char *in;
		size_t len;
		enum socks5_error want;
	} cases[] = {
	    {B(5, 2, 1, 0, 5, 0, 0, 1, 1, 2, 3, 4, 0, 25), S5E_NONE},
	    {B(5, 2, 1, 0, 5, 1), S5E_REPLY},
	    {B(5, 2, 1, 0, 4), S5E_GARBAGE},
	    {B(5, 2, 1, 0, 5, 0, 0, 9), S5E_BAD_ADDRESS_TYPE},
	    {B(5, 2, 1, 2), S5E_AUTH_FAILED},
	    {B(5, 2, 2), S5E_GARBAGE},
	    {B(5, 0), S5E_METHOD_UNSUPPORTED},
	    {B(5, 0xff), S5E_NO_ACCEPTABLE_METHOD},
	    {B(5, 2, 1), S5E_CLOSED},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct socks5 s;
		size_t off = 0;

		socks5_init(&s, "192.0.2.25", 25, "probe", PASS);
		while (off < cases[i].len) {
			size_t used;
			send_all(&s);
			used = socks5_feed(&s, cases[i].in + off,
					   cases[i].len - off);
			if (used == 0)
				break;
			off += used;
		}
		if (socks5_state(&s) != S5_DONE)
			socks5_closed(&s);
		assert_int_equal(socks5_error(&s), cases[i].want);
		assert_false(mem_has(&s, sizeof s, PASS, strlen(PASS)));
	}
}

static void test_names(void **state)
{
	(void)state;
	for (int e = 0; e < S5E__COUNT; e++) {
		assert_non_null(socks5_error_name((enum socks5_error)e));
		assert_string_not_equal(socks5_error_name((enum socks5_error)e),
					"?");
	}
	for (int st = 0; st < S5__STATE_COUNT; st++)
		assert_string_not_equal(
		    socks5_state_name((enum socks5_state)st), "?");
	assert_string_equal(socks5_error_name(S5E__COUNT), "?");
	assert_string_equal(socks5_state_name(S5__STATE_COUNT), "?");
	assert_string_equal(socks5_reply_name(0x100), "unassigned");
	assert_non_null(socks5_reply_meaning(-1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_noauth_ipv4_bytes),
	    cmocka_unit_test(test_userpass_ipv6_bytes),
	    cmocka_unit_test(test_partial_send),
	    cmocka_unit_test(test_every_rep),
	    cmocka_unit_test(test_methods),
	    cmocka_unit_test(test_auth_failed),
	    cmocka_unit_test(test_garbage),
	    cmocka_unit_test(test_bound_forms),
	    cmocka_unit_test(test_bound_longest_name),
	    cmocka_unit_test(test_byte_at_a_time),
	    cmocka_unit_test(test_extra_bytes_left),
	    cmocka_unit_test(test_every_split),
	    cmocka_unit_test(test_init_limits),
	    cmocka_unit_test(test_closed),
	    cmocka_unit_test(test_wipe),
	    cmocka_unit_test(test_no_password_after_end),
	    cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
