/*
 * test_dnspool.c - the process's DNS channel and answer cache (dnspool.c)
 * against a resolver played here, on a UDP socket of 127.0.0.1: a
 * question asked twice goes out once, a kept answer comes on the next
 * turn and never from inside the send, names are compared without case
 * or final dot, a SERVFAIL is not kept, the bounds evict, and a
 * cancellation answers its owner's questions while the others still get
 * theirs (even when a callback asks again during it).
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "smtpprobe/config.h"
#include "smtpprobe/dnspool.h"

#define T_A 1

static int server = -1;	   /* the played resolver's socket */
static int rcode_to_send;  /* 0 NOERROR, 2 SERVFAIL */
static int questions_seen; /* packets that reached it */
static struct config cfg;

struct heard {
	int calls, status, alen;
};

static void cb(void *arg, int status, int timeouts, unsigned char *abuf,
	       int alen)
{
	struct heard *h = arg;

	(void)timeouts;
	(void)abuf;
	h->calls++;
	h->status = status;
	h->alen = alen;
}

static struct dns_pool *pool_on_server(size_t entries)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof sa;
	char err[128];

	server = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(server >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(server, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(getsockname(server, (struct sockaddr *)&sa, &len), 0);
	memset(&cfg, 0, sizeof cfg);
	cfg.timeout_s = 2;
	snprintf(cfg.dns_servers, sizeof cfg.dns_servers, "127.0.0.1:%d",
		 ntohs(sa.sin_port));
	questions_seen = 0;
	rcode_to_send = 0;
	struct dns_pool *p =
	    dns_pool_new(&cfg, entries, 1 << 20, err, sizeof err);
	assert_non_null(p);
	return p;
}

/* Answer one question: the query itself, turned into a reply without
 * records (NODATA, or the rcode asked for). */
static void answer(void)
{
	unsigned char buf[1500];
	struct sockaddr_in from;
	socklen_t fl = sizeof from;
	ssize_t n =
	    recvfrom(server, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);

	assert_true(n >= 12);
	questions_seen++;
	buf[2] |= 0x80;					/* QR */
	buf[3] = (unsigned char)(0x80 | rcode_to_send); /* RA, RCODE */
	memset(buf + 6, 0, 6);				/* no AN, NS, AR */
	/* Keep the question only (drop the OPT record). */
	size_t q = 12;
	while (q < (size_t)n && buf[q])
		q += buf[q] + 1u;
	q += 5;
	sendto(server, buf, q, 0, (struct sockaddr *)&from, fl);
}

/* Turns of a loop until done() or 200 turns. */
static void spin(struct dns_pool *p, int (*done)(void *), void *arg)
{
	for (int i = 0; i < 200 && !done(arg); i++) {
		struct pollfd pfds[DNS_SOCKETS_CAP + 1];
		int n = dns_pool_pollfds(p, pfds, DNS_SOCKETS_CAP);
		long t = dns_pool_timeout_ms(p);

		pfds[n].fd = server;
		pfds[n].events = POLLIN;
		pfds[n].revents = 0;
		poll(pfds, (nfds_t)n + 1, t < 0 || t > 50 ? 50 : (int)t);
		if (pfds[n].revents & POLLIN)
			answer();
		dns_pool_process(p, pfds, n);
	}
}

static int heard_one(void *arg)
{
	return ((struct heard *)arg)->calls > 0;
}

static int heard_two(void *arg)
{
	struct heard *h = arg;
	return h[0].calls > 0 && h[1].calls > 0;
}

static void finish(struct dns_pool *p)
{
	dns_pool_free(p);
	close(server);
	server = -1;
}

static void test_asked_once_kept_and_served_later(void **state)
{
	struct dns_pool *p = pool_on_server(16);
	struct heard h[2] = {{0}}, later = {0};
	struct dns_pool_stats st;
	int owner_a, owner_b;

	(void)state;
	dns_pool_send(p, &owner_a, "mx.example.test", T_A, cb, &h[0]);
	dns_pool_send(p, &owner_b, "MX.Example.Test.", T_A, cb, &h[1]);
	spin(p, heard_two, h);
	assert_int_equal(questions_seen, 1);
	assert_int_equal(h[0].calls, 1);
	assert_int_equal(h[1].calls, 1);
	assert_int_equal(h[0].status, ARES_SUCCESS);
	/* From the cache: not inside the send, on the next turn. */
	dns_pool_send(p, &owner_a, "mx.example.test", T_A, cb, &later);
	assert_int_equal(later.calls, 0);
	assert_int_equal(dns_pool_timeout_ms(p), 0);
	spin(p, heard_one, &later);
	assert_int_equal(later.calls, 1);
	assert_true(later.alen >= 12);
	assert_int_equal(questions_seen, 1);
	dns_pool_stats(p, &st);
	assert_int_equal(st.sent, 1);
	assert_int_equal(st.joined, 1);
	assert_int_equal(st.cache_hits, 1);
	/* Another type is another question. */
	struct heard aaaa = {0};
	dns_pool_send(p, &owner_a, "mx.example.test", 28, cb, &aaaa);
	spin(p, heard_one, &aaaa);
	assert_int_equal(questions_seen, 2);
	finish(p);
}

static void test_servfail_is_not_kept(void **state)
{
	struct dns_pool *p = pool_on_server(16);
	struct heard a = {0}, b = {0};
	int owner;

	(void)state;
	rcode_to_send = 2;
	dns_pool_send(p, &owner, "broken.example.test", T_A, cb, &a);
	spin(p, heard_one, &a);
	assert_int_equal(a.calls, 1);
	rcode_to_send = 0;
	dns_pool_send(p, &owner, "broken.example.test", T_A, cb, &b);
	spin(p, heard_one, &b);
	assert_int_equal(b.calls, 1);
	assert_int_equal(questions_seen, 2); /* asked again */
	finish(p);
}

static void test_bounds_evict_the_oldest(void **state)
{
	struct dns_pool *p = pool_on_server(2);
	struct heard h[3] = {{0}}, again = {0};
	struct dns_pool_stats st;
	static const char *const names[3] = {"a.example.test", "b.example.test",
					     "c.example.test"};
	int owner;

	(void)state;
	for (int i = 0; i < 3; i++) {
		dns_pool_send(p, &owner, names[i], T_A, cb, &h[i]);
		spin(p, heard_one, &h[i]);
	}
	dns_pool_stats(p, &st);
	assert_true(st.entries <= 2);
	assert_true(st.evicted >= 1);
	dns_pool_send(p, &owner, names[0], T_A, cb, &again);
	spin(p, heard_one, &again);
	assert_int_equal(questions_seen, 4); /* the oldest went */
	finish(p);
}

/* A callback that asks one more (kept) question for its owner. */
struct reask {
	struct dns_pool *p;
	const void *owner;
	struct heard first, second;
};

static void reask_cb(void *arg, int status, int timeouts, unsigned char *abuf,
		     int alen)
{
	struct reask *r = arg;

	cb(&r->first, status, timeouts, abuf, alen);
	dns_pool_send(r->p, r->owner, "kept.example.test", T_A, cb, &r->second);
}

static void test_cancel(void **state)
{
	struct dns_pool *p = pool_on_server(16);
	struct heard warm = {0}, mine = {0}, theirs = {0};
	struct reask re = {0};
	int a, b;

	(void)state;
	dns_pool_send(p, &a, "kept.example.test", T_A, cb, &warm);
	spin(p, heard_one, &warm);
	/* Owner a: one answer due from the cache (whose callback asks
	 * again), one question on its way that b waits for too. */
	re.p = p;
	re.owner = &a;
	dns_pool_send(p, &a, "kept.example.test", T_A, reask_cb, &re);
	dns_pool_send(p, &a, "slow.example.test", T_A, cb, &mine);
	dns_pool_send(p, &b, "slow.example.test", T_A, cb, &theirs);
	dns_pool_cancel(p, &a);
	assert_int_equal(re.first.calls, 1);
	assert_int_equal(re.first.status, ARES_SUCCESS);
	assert_int_equal(re.second.calls, 1); /* asked during the cancel */
	assert_int_equal(mine.calls, 1);
	assert_int_equal(mine.status, ARES_ECANCELLED);
	assert_int_equal(theirs.calls, 0);
	spin(p, heard_one, &theirs);
	assert_int_equal(theirs.calls, 1);
	assert_int_equal(theirs.status, ARES_SUCCESS);
	assert_int_equal(mine.calls, 1); /* heard once, not again */
	finish(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_asked_once_kept_and_served_later),
	    cmocka_unit_test(test_servfail_is_not_kept),
	    cmocka_unit_test(test_bounds_evict_the_oldest),
	    cmocka_unit_test(test_cancel),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
