/*
 * fuzz_identity.c - who the receiver thinks you are (identity.c) on fuzzed
 * network bytes: server replies searched for the client address they echo
 * (identity_find_echoed), and the PTR, forward and block-list answers of
 * two egress addresses (one IPv4, one IPv6) and the HELO name's answers.
 *
 * Input: byte 0 picks the address to skip as the server's own. Then
 * chunks: a kind byte (mod 6: reply bytes, PTR answer, forward answer,
 * block-list answer, HELO A, HELO AAAA), a status byte (mostly
 * "delivered", its status then read from the header as resolver.c does),
 * a two-byte big-endian length and that many bytes.
 *
 * Invariants: an echoed address is a valid IPv4 or IPv6 literal, never the
 * skipped one; PTR names are sanitised (no control byte); fcrdns, the
 * HELO facts and the block-list states are in range; at most
 * DNSBL_CODES_CAP codes, each a dotted IPv4 address, none in 127/8 when
 * the status is error; identity_finish
 * leaves every fact judged; record_free releases everything
 * (LeakSanitizer).
 */
#include <ares.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "fuzz.h"
#include "smtpprobe/dns_raw.h"
#include "smtpprobe/identity.h"
#include "smtpprobe/reply.h"

static void clean_string(const char *s)
{
	if (!s)
		return;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		FUZZ_CHECK(*p >= 0x20 && *p != 0x7f);
}

static void check_echo(const struct reply *r, const char *skip)
{
	char out[ADDR_STR_MAX];
	unsigned char bin[16];

	if (!identity_find_echoed(r, skip, out, sizeof out))
		return;
	FUZZ_CHECK(inet_pton(AF_INET, out, bin) == 1 ||
		   inet_pton(AF_INET6, out, bin) == 1);
	FUZZ_CHECK(strcmp(out, skip) != 0);
}

static void replies(const uint8_t *b, size_t n, const char *skip)
{
	struct reply_parser p;
	size_t off = 0;

	rp_init(&p);
	while (off < n) {
		enum rp_status st;
		off += rp_feed(&p, (const char *)b + off, n - off, &st);
		if (st == RP_MORE)
			break;
		if (st != RP_REPLY)
			break;
		struct reply *r = rp_take(&p);
		check_echo(r, skip);
		reply_free(r);
	}
	/* A reply cut short is searched as it stands, as a session does. */
	struct reply *partial = rp_take(&p);
	if (partial) {
		check_echo(partial, skip);
		reply_free(partial);
	}
	rp_reset(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const skips[4] = {"192.0.2.1", "2001:db8::1",
					     "203.0.113.5", "::ffff:192.0.2.1"};
	static const int statuses[4] = {ARES_ETIMEOUT, ARES_ENOTFOUND,
					ARES_ECANCELLED, ARES_EBADRESP};
	struct config cfg;
	struct probe_target tg;
	struct run_record rec;
	size_t off = 1;

	if (size < 1)
		return 0;
	memset(&cfg, 0, sizeof cfg);
	memset(&tg, 0, sizeof tg);
	strcpy(tg.domain, "example.net");
	strcpy(cfg.helo, (data[0] & 4) ? "mail.example.org" : "localhost");
	strcpy(cfg.dnsbl[0], "zen.spamhaus.org");
	strcpy(cfg.dnsbl[1], "bl.example.test");
	cfg.ndnsbl = 2;
	record_init(&rec, &cfg, &tg);
	rec.negress = 2;
	strcpy(rec.egress[0].address, "203.0.113.5");
	rec.egress[0].family = AF_INET;
	rec.egress[0].echoed = 1;
	strcpy(rec.egress[1].address, "2001:db8::25");
	rec.egress[1].family = AF_INET6;
	for (size_t i = 0; i < rec.negress; i++)
		rec.egress[i].fcrdns = -1;
	rec.helo.resolves = rec.helo.matches_ptr = -1;

	struct fuzz_record rc;

	while (fuzz_next_record(data, size, &off, &rc)) {
		unsigned kind = rc.kind % 6, sbyte = rc.status;
		const unsigned char *abuf = rc.bytes;
		size_t len = rc.len;
		size_t e = sbyte & 1;
		int status = sbyte < 224 ? dns_answer_status(ARES_SUCCESS, abuf,
							     (int)len)
					 : statuses[sbyte & 3];

		switch (kind) {
		case 0: replies(abuf, len, skips[data[0] & 3]); break;
		case 1:
			if (!rec.egress[e].ptr_asked) {
				rec.egress[e].ptr_asked = 1;
				(void)identity_take_ptr(&rec, e, status, abuf,
							(int)len, 0);
			}
			break;
		case 2:
			identity_take_forward(&rec, e, status, abuf, (int)len,
					      0);
			break;
		case 3: {
			size_t z = (sbyte >> 1) & 1;
			if (!rec.egress[0].dnsbl[z].asked) {
				rec.egress[0].dnsbl[z].asked = 1;
				identity_take_dnsbl(&rec, 0, z, status, abuf,
						    (int)len, 0);
			}
			break;
		}
		default:
			identity_take_helo(&rec, kind == 4 ? AF_INET : AF_INET6,
					   status, abuf, (int)len, 0);
			break;
		}
	}
	identity_finish(&rec);

	FUZZ_CHECK(rec.helo.judged);
	FUZZ_CHECK(rec.helo.fqdn == 0 || rec.helo.fqdn == 1);
	FUZZ_CHECK(rec.helo.resolves >= -1 && rec.helo.resolves <= 1);
	FUZZ_CHECK(rec.helo.matches_ptr >= -1 && rec.helo.matches_ptr <= 1);
	for (size_t i = 0; i < rec.negress; i++) {
		const struct egress *g = &rec.egress[i];
		clean_string(g->ptr);
		FUZZ_CHECK(g->fcrdns >= -1 && g->fcrdns <= 1);
		FUZZ_CHECK(!g->ptr || g->ptr[0] != '\0');
		for (int z = 0; z < cfg.ndnsbl; z++) {
			const struct dnsbl_result *d = &g->dnsbl[z];
			unsigned char bin[4];
			FUZZ_CHECK(d->status <= DNSBL_ERROR);
			FUZZ_CHECK(d->ncodes <= DNSBL_CODES_CAP);
			/* Codes are kept for what they say, an answer outside
			 * 127.0.0.0/8 (a resolver that rewrites NXDOMAIN) too;
			 * then the status is error, never listed. */
			FUZZ_CHECK(d->ncodes == 0 ||
				   d->status == DNSBL_LISTED ||
				   d->status == DNSBL_REFUSED ||
				   d->status == DNSBL_ERROR);
			for (size_t k = 0; k < d->ncodes; k++) {
				FUZZ_CHECK(
				    inet_pton(AF_INET, d->codes[k], bin) == 1);
				FUZZ_CHECK(d->status != DNSBL_ERROR ||
					   bin[0] != 127);
			}
			(void)identity_dnsbl_meaning(cfg.dnsbl[z],
						     d->ncodes ? d->codes[0]
							       : "127.0.0.2");
		}
	}
	record_free(&rec);
	return 0;
}
