/*
 * fuzz_policy_dns.c - what the TLS policy's DNS answers mean
 * (policy_dns.c, policy_sts.c) on fuzzed answer buffers: TLSA answers
 * for a host and its CNAME target, the root SOA, the _mta-sts and
 * _smtp._tls TXT answers (c-ares's ares_parse_txt_reply_ext, then the
 * records joined, bounded and read by policy_text.c) and the policy
 * host's A/AAAA, then the decisions made of them all.
 *
 * Input: byte 0 sets the scene (bit 0 the MX answer carried AD, bit 1
 * the host's addresses did, bit 2 the host is a CNAME, bits 3-4 the
 * port). Then answers: a kind byte (mod 7: TLSA, TLSA of the target,
 * root SOA, _mta-sts TXT, _smtp._tls TXT, A, AAAA), a status byte (mostly
 * "delivered", its status then read from the header as resolver.c does),
 * a two-byte big-endian length and that many bytes.
 *
 * Invariants: the record's strings are sanitised (no control byte);
 * states are in range; at most TLSA_RECORDS_CAP records per host, each
 * within TLSA_DATA_MAX; DANE applies only to usable records signed all
 * the way or to a lookup error; at most STS_ADDRS_CAP policy addresses;
 * an MTA-STS id only from a valid record; record_free releases
 * everything (LeakSanitizer).
 */
#include <ares.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "fuzz.h"
#include "smtpprobe/dns_answer.h"
#include "smtpprobe/dns_raw.h"
#include "smtpprobe/policy_dns.h"
#include "smtpprobe/policy_sts.h"

static void clean_string(const char *s)
{
	if (!s)
		return;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		FUZZ_CHECK(*p >= 0x20 && *p != 0x7f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int ports[4] = {25, 465, 587, 2525};
	static const int statuses[4] = {ARES_ETIMEOUT, ARES_ECONNREFUSED,
					ARES_ECANCELLED, ARES_EBADRESP};
	struct config cfg;
	struct probe_target tg;
	struct run_record rec;
	struct policy_scratch *sc = calloc(1, sizeof *sc);
	size_t off = 1;

	FUZZ_CHECK(sc != NULL);
	if (size < 1) {
		free(sc);
		return 0;
	}
	memset(&cfg, 0, sizeof cfg);
	memset(&tg, 0, sizeof tg);
	strcpy(tg.domain, "example.net");
	record_init(&rec, &cfg, &tg);
	rec.policy.mode = TLSP_ENFORCE;
	rec.policy.sts.asked = rec.policy.rpt.asked = 1;
	rec.dns.mx_ad = data[0] & 1;
	struct mail_host *mh = dns_add_host(&rec.dns, "mx.example.net", 10, 0);
	FUZZ_CHECK(mh != NULL);
	mh->addr_ad = (data[0] >> 1) & 1;
	if (data[0] & 4) {
		mh->flags |= MXF_CNAME;
		mh->cname = strdup("real.example.org");
	}
	FUZZ_CHECK(policy_add_dane(&rec, 0, ports[(data[0] >> 3) & 3]) == 0);

	struct fuzz_record rc;

	while (fuzz_next_record(data, size, &off, &rc)) {
		unsigned kind = rc.kind % 7, sbyte = rc.status;
		const unsigned char *abuf = rc.bytes;
		size_t len = rc.len;
		int status = sbyte < 224 ? dns_answer_status(ARES_SUCCESS, abuf,
							     (int)len)
					 : statuses[sbyte & 3];

		switch (kind) {
		case 0:
		case 1: {
			struct tlsa_lookup *l =
			    kind ? &sc->target[0] : &sc->orig[0];
			free(l->ans);
			memset(l, 0, sizeof *l);
			l->asked = 1;
			policy_take_tlsa(&rec, l, rec.policy.dane[0].name,
					 status, abuf, (int)len, 0);
			break;
		}
		case 2:
			policy_take_root(&rec, sc, status, abuf, (int)len, 0);
			break;
		case 3:
			if (!rec.policy.sts.txt && !rec.policy.sts.error)
				policy_sts_take_txt(&rec, status, abuf,
						    (int)len, 0);
			break;
		case 4:
			if (!rec.policy.rpt.record && !rec.policy.rpt.error)
				policy_rpt_take_txt(&rec, status, abuf,
						    (int)len, 0);
			break;
		default:
			policy_sts_take_addrs(&rec,
					      kind == 5 ? AF_INET : AF_INET6,
					      status, abuf, (int)len, 0);
			break;
		}
	}
	policy_dns_finish(&rec, sc, 0);
	(void)policy_sts_should_fetch(&rec, 0);

	const struct tls_policy *tp = &rec.policy;
	const struct dane_host *d = &tp->dane[0];
	FUZZ_CHECK(tp->resolver_validates >= -1 && tp->resolver_validates <= 1);
	FUZZ_CHECK(d->dnssec <= DNSSEC_BOGUS && d->status <= DANE_LOOKUP_ERROR);
	FUZZ_CHECK(d->nrecords <= TLSA_RECORDS_CAP && d->nrecords <= d->total);
	for (size_t i = 0; i < d->nrecords; i++)
		FUZZ_CHECK(d->records[i].len <= TLSA_DATA_MAX);
	FUZZ_CHECK(!d->applies || d->status == DANE_LOOKUP_ERROR ||
		   (d->status == DANE_USABLE && d->dnssec == DNSSEC_SECURE));
	FUZZ_CHECK(!d->applies || (rec.dns.mx_ad && mh->addr_ad));
	clean_string(d->name);
	FUZZ_CHECK(tp->sts.naddrs <= STS_ADDRS_CAP);
	for (size_t i = 0; i < tp->sts.naddrs; i++) {
		unsigned char bin[16];
		FUZZ_CHECK(inet_pton(AF_INET, tp->sts.addrs[i], bin) == 1 ||
			   inet_pton(AF_INET6, tp->sts.addrs[i], bin) == 1);
	}
	FUZZ_CHECK(!tp->sts.id[0] || tp->sts.nrecords >= 1);
	FUZZ_CHECK(tp->sts.status <= MTASTS_FETCH_ERROR);
	FUZZ_CHECK(tp->rpt.status <= TLSRPT_INVALID);
	FUZZ_CHECK(tp->rpt.status != TLSRPT_OK || tp->rpt.rpt.nrua > 0);
	clean_string(tp->sts.txt);
	clean_string(tp->sts.error);
	clean_string(tp->rpt.record);
	clean_string(tp->rpt.error);
	for (size_t i = 0; i < rec.nevents; i++)
		clean_string(rec.events[i].text);
	record_free(&rec);
	for (size_t i = 0; i < DANE_HOSTS_CAP; i++) {
		free(sc->orig[i].ans);
		free(sc->target[i].ans);
	}
	free(sc);
	return 0;
}
