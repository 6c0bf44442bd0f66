/*
 * fuzz_dns.c - the resolver's handling of DNS answers (resolver.c) on
 * fuzzed answer buffers: c-ares's ares_parse_mx_reply,
 * ares_parse_a_reply and ares_parse_aaaa_reply, then everything the
 * resolver does with what they return (null MX, the MX cap, sorting, IP
 * literal and private targets, CNAME'd exchanges, the address cap, the
 * notes in the record). tests/hostile-inputs.md rows 27-32.
 *
 * The post-processing is static in resolver.c and reached only through
 * the c-ares callbacks, so this harness includes resolver.c itself, with
 * ares_query replaced by a queue the harness answers from the input and
 * run_clock_ms by a constant: no socket, no clock, no c-ares channel.
 * (A pure function in resolver.c taking the parsed records would let it
 * link against the library instead; see tests/fuzz/README.md.)
 *
 * Input: byte 0 chooses the configuration (bits 0-1 address family any /
 * v4 / v6 / any; bit 2 -s HOST instead of an MX lookup, bit 3 that host
 * an IP literal). Then one record per query, in the order the resolver
 * asks them: a status byte (mostly "delivered", else a transport error),
 * a two-byte big-endian length, and that many bytes of answer. A
 * delivered answer's status is derived from its header's RCODE and
 * ANCOUNT as c-ares's ares_query does. When the input runs out the
 * remaining queries are cancelled, as resolver_abort does.
 *
 * Every answer buffer is also given to all three parse functions.
 *
 * Invariants: every query is answered exactly once; at most MX_HOSTS_CAP
 * hosts, sorted by preference; names and notes sanitised; at most
 * ADDRS_PER_HOST_CAP addresses per host, each a valid address of its
 * family; a host has an address or says why not; a null MX leaves no
 * host; the MX count is at least the hosts kept.
 */
#include <ares.h>
#include <arpa/inet.h>
#include <string.h>

#include "fuzz.h"

#define QUEUE_MAX 128

struct fake_query {
	ares_callback cb;
	void *arg;
	int type;
};

static struct fake_query queue[QUEUE_MAX];
static size_t qhead, qtail;

void fuzz_ares_query(ares_channel ch, const char *name, int dnsclass, int type,
		     ares_callback cb, void *arg);
long fuzz_run_clock_ms(void);

void fuzz_ares_query(ares_channel ch, const char *name, int dnsclass, int type,
		     ares_callback cb, void *arg)
{
	(void)ch;
	FUZZ_CHECK(name != NULL && name[0] != '\0');
	FUZZ_CHECK(dnsclass == 1); /* C_IN */
	FUZZ_CHECK(type == 15 || type == 1 || type == 28);
	FUZZ_CHECK(qtail < QUEUE_MAX);
	queue[qtail].cb = cb;
	queue[qtail].arg = arg;
	queue[qtail].type = type;
	qtail++;
}

long fuzz_run_clock_ms(void)
{
	return 0;
}

#define ares_query   fuzz_ares_query
#define run_clock_ms fuzz_run_clock_ms
/* NOLINTNEXTLINE: the static functions are what is under test */
#include "../../src/resolver.c"
#undef ares_query
#undef run_clock_ms

/* The three parse functions on one buffer, their results checked. */
static void parse_all(const unsigned char *buf, int len)
{
	struct ares_mx_reply *mx = NULL;
	struct hostent *he = NULL;
	struct ares_addrttl ttl4[8];
	struct ares_addr6ttl ttl6[8];
	int n4 = 8, n6 = 8;

	if (ares_parse_mx_reply(buf, len, &mx) == ARES_SUCCESS) {
		for (struct ares_mx_reply *m = mx; m; m = m->next)
			FUZZ_CHECK(m->host != NULL);
	}
	if (mx)
		ares_free_data(mx);
	if (ares_parse_a_reply(buf, len, &he, ttl4, &n4) == ARES_SUCCESS) {
		FUZZ_CHECK(he != NULL && he->h_name != NULL);
		FUZZ_CHECK(he->h_addrtype == AF_INET && he->h_length == 4);
		FUZZ_CHECK(n4 >= 0 && n4 <= 8);
	}
	if (he)
		ares_free_hostent(he);
	he = NULL;
	if (ares_parse_aaaa_reply(buf, len, &he, ttl6, &n6) == ARES_SUCCESS) {
		FUZZ_CHECK(he != NULL && he->h_name != NULL);
		FUZZ_CHECK(he->h_addrtype == AF_INET6 && he->h_length == 16);
		FUZZ_CHECK(n6 >= 0 && n6 <= 8);
	}
	if (he)
		ares_free_hostent(he);
}

/* What ares_query's own callback makes of a delivered answer. */
static int status_of(const unsigned char *abuf, int alen)
{
	int rcode, ancount;

	if (alen < 12)
		return ARES_SUCCESS; /* more hostile than c-ares lets through */
	rcode = abuf[3] & 0x0f;
	ancount = (abuf[6] << 8) | abuf[7];
	switch (rcode) {
	case 0: return ancount > 0 ? ARES_SUCCESS : ARES_ENODATA;
	case 1: return ARES_EFORMERR;
	case 2: return ARES_ESERVFAIL;
	case 3: return ARES_ENOTFOUND;
	case 4: return ARES_ENOTIMP;
	case 5: return ARES_EREFUSED;
	default: return ARES_SUCCESS;
	}
}

static const int transport_errors[] = {
    ARES_ETIMEOUT, ARES_ECONNREFUSED, ARES_ECANCELLED, ARES_EDESTRUCTION,
    ARES_EBADRESP, ARES_ENOMEM,	      ARES_ESERVFAIL,  ARES_EREFUSED,
};

static void check_result(const struct resolver *r)
{
	const struct run_record *rec = r->rec;
	const struct dns_result *d = &rec->dns;

	FUZZ_CHECK(r->outstanding == 0);
	FUZZ_CHECK(d->nhosts <= MX_HOSTS_CAP);
	FUZZ_CHECK((unsigned)d->status < DNS__COUNT);
	if (d->status == DNS_NULL_MX)
		FUZZ_CHECK(d->nhosts == 0);
	if (!r->cfg->server[0] && !d->implicit_mx)
		FUZZ_CHECK(d->mx_total >= d->nhosts);
	for (size_t i = 0; i < d->nhosts; i++) {
		const struct mail_host *h = &d->hosts[i];

		FUZZ_CHECK(h->name != NULL);
		fuzz_check_clean(h->name, strlen(h->name));
		if (h->cname)
			fuzz_check_clean(h->cname, strlen(h->cname));
		FUZZ_CHECK(h->naddrs <= ADDRS_PER_HOST_CAP);
		FUZZ_CHECK(h->naddrs > 0 || (h->flags & MXF_NO_ADDRESS));
		for (size_t k = 0; k < h->naddrs; k++) {
			unsigned char bin[16];
			FUZZ_CHECK(strnlen(h->addrs[k], ADDR_STR_MAX) <
				   ADDR_STR_MAX);
			FUZZ_CHECK(h->families[k] == AF_INET ||
				   h->families[k] == AF_INET6);
			FUZZ_CHECK(
			    inet_pton(h->families[k], h->addrs[k], bin) == 1);
		}
		if (i > 0)
			FUZZ_CHECK(d->hosts[i - 1].preference <= h->preference);
	}
	for (size_t i = 0; i < rec->nevents; i++)
		if (rec->events[i].text)
			fuzz_check_clean(rec->events[i].text,
					 strlen(rec->events[i].text));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum family_pref fams[4] = {FAMILY_ANY, FAMILY_V4,
						 FAMILY_V6, FAMILY_ANY};
	struct config *cfg;
	struct run_record *rec;
	struct resolver *r;
	size_t off = 1;

	if (size < 1)
		return 0;
	cfg = calloc(1, sizeof *cfg);
	rec = calloc(1, sizeof *rec);
	r = calloc(1, sizeof *r);
	FUZZ_CHECK(cfg && rec && r);
	snprintf(cfg->domain, sizeof cfg->domain, "example.com");
	cfg->family = fams[data[0] & 3];
	cfg->timeout_s = 10;
	if (data[0] & 0x04) {
		snprintf(cfg->server, sizeof cfg->server, "%s",
			 data[0] & 0x08 ? "192.0.2.25" : "mx.example.net");
	}
	record_init(rec, cfg);
	r->cfg = cfg;
	r->rec = rec;
	qhead = qtail = 0;
	srandom(1); /* sort_hosts shuffles ties: the same way every run */

	resolver_start(r);
	while (qhead < qtail) {
		struct fake_query q = queue[qhead++];
		unsigned char *abuf = NULL;
		int alen = 0, status;

		if (off + 3 > size) { /* the run deadline: cancel the rest */
			q.cb(q.arg, ARES_ECANCELLED, 0, NULL, 0);
			continue;
		}
		unsigned char how = data[off];
		size_t len = (size_t)data[off + 1] << 8 | data[off + 2];
		off += 3;
		if (len > size - off)
			len = size - off;
		if (len) {
			/* An exact copy, so ASan sees reads past the end. */
			abuf = malloc(len);
			FUZZ_CHECK(abuf != NULL);
			memcpy(abuf, data + off, len);
		}
		off += len;
		alen = (int)len;
		parse_all(abuf, alen);
		if (how % 8 != 7) {
			status = abuf ? status_of(abuf, alen) : ARES_EBADRESP;
			q.cb(q.arg, status, 0, abuf, alen);
		} else {
			status = transport_errors[(how >> 3) % 8];
			q.cb(q.arg, status, 0, NULL, 0);
		}
		free(abuf);
	}
	resolver_finish(r);
	check_result(r);
	record_free(rec);
	free(r);
	free(rec);
	free(cfg);
	return 0;
}
