/*
 * fuzz_dns.c - what DNS answers mean (dns_answer.c) on fuzzed answer
 * buffers: c-ares's ares_parse_mx_reply, ares_parse_a_reply and
 * ares_parse_aaaa_reply, then everything done with what they return (null
 * MX, the MX cap, sorting, IP literal and private targets, CNAME'd
 * exchanges, the address cap, the notes in the record).
 * tests/hostile-inputs.md rows 27-32.
 *
 * The harness links the pure module and asks the questions in the order
 * resolver.c does (the MX, or the -s host; then AAAA and A of each host):
 * no socket, no clock, no c-ares channel.
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
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "smtpprobe/dns_answer.h"

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

/* The answers, one record of the input per question. */
struct answers {
	const uint8_t *data;
	size_t size, off;
	size_t asked;
};

/* The next answer: its c-ares status, and the raw bytes (malloc'd, an
 * exact copy so ASan sees reads past the end; NULL when none). */
static int next_answer(struct answers *in, unsigned char **abuf, int *alen)
{
	*abuf = NULL;
	*alen = 0;
	in->asked++;
	if (in->off + 3 > in->size) /* the run deadline: cancelled */
		return ARES_ECANCELLED;
	unsigned char how = in->data[in->off];
	size_t len = (size_t)in->data[in->off + 1] << 8 | in->data[in->off + 2];
	in->off += 3;
	if (len > in->size - in->off)
		len = in->size - in->off;
	if (len) {
		*abuf = malloc(len);
		FUZZ_CHECK(*abuf != NULL);
		memcpy(*abuf, in->data + in->off, len);
	}
	in->off += len;
	*alen = (int)len;
	parse_all(*abuf, *alen);
	if (how % 8 == 7) {
		free(*abuf);
		*abuf = NULL;
		*alen = 0;
		return transport_errors[(how >> 3) % 8];
	}
	return *abuf ? status_of(*abuf, *alen) : ARES_EBADRESP;
}

/* As resolver.c's lookup_host: an IP literal, or AAAA then A. */
static void lookup(struct run_record *rec, struct dns_scratch *sc, size_t h,
		   enum family_pref fam, struct answers *in)
{
	static const int families[2] = {AF_INET6, AF_INET};

	if (dns_take_literal(rec, h, fam))
		return;
	for (int f = 0; f < 2; f++) {
		unsigned char *abuf;
		int alen, status;

		if ((families[f] == AF_INET6 && fam == FAMILY_V4) ||
		    (families[f] == AF_INET && fam == FAMILY_V6))
			continue;
		status = next_answer(in, &abuf, &alen);
		dns_take_addrs(rec, sc, h, families[f], status, abuf, alen, 0);
		free(abuf);
	}
	dns_host_done(rec, sc, h);
}

static void check_result(const struct config *cfg, const struct run_record *rec)
{
	const struct dns_result *d = &rec->dns;

	FUZZ_CHECK(d->nhosts <= MX_HOSTS_CAP);
	FUZZ_CHECK((unsigned)d->status < DNS__COUNT);
	if (d->status == DNS_NULL_MX)
		FUZZ_CHECK(d->nhosts == 0);
	if (!cfg->server[0] && !d->implicit_mx)
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
	struct dns_scratch *sc;
	struct answers in = {data, size, 1, 0};

	if (size < 1)
		return 0;
	cfg = calloc(1, sizeof *cfg);
	rec = calloc(1, sizeof *rec);
	sc = calloc(1, sizeof *sc);
	FUZZ_CHECK(cfg && rec && sc);
	snprintf(cfg->target.domain, sizeof cfg->target.domain, "example.com");
	cfg->family = fams[data[0] & 3];
	cfg->timeout_s = 10;
	if (data[0] & 0x04) {
		snprintf(cfg->server, sizeof cfg->server, "%s",
			 data[0] & 0x08 ? "192.0.2.25" : "mx.example.net");
	}
	record_init(rec, cfg, &cfg->target);
	srandom(1); /* the shuffle of equal preferences: the same each run */

	rec->dns.status = DNS_OK;
	if (cfg->server[0]) {
		if (dns_add_host(&rec->dns, cfg->server, 0, MXF_FROM_SERVER))
			lookup(rec, sc, 0, cfg->family, &in);
	} else {
		unsigned char *abuf;
		int alen, status = next_answer(&in, &abuf, &alen);
		size_t n =
		    dns_take_mx(rec, cfg->target.domain, status, abuf, alen, 0);

		free(abuf);
		FUZZ_CHECK(n <= rec->dns.nhosts);
		for (size_t i = 0; i < n; i++)
			lookup(rec, sc, i, cfg->family, &in);
	}
	dns_finish(&rec->dns);
	check_result(cfg, rec);
	record_free(rec);
	free(sc);
	free(rec);
	free(cfg);
	return 0;
}
