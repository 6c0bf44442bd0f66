/*
 * policy_dns.h - what the TLS policy's DNS answers mean, pure: the root
 * SOA (does the resolver validate DNSSEC?), the TLSA answers of each mail
 * host and port (DANE, RFC 7672), and what a sender that honours DANE
 * makes of them. Raw answers and c-ares statuses go in; the record's
 * tls_policy comes out. No channel, no socket, no clock: resolver.c asks
 * the questions and hands the answers here with the time for the notes.
 *
 * The rules (RFC 7672 2.2, as Postfix applies them):
 * - TLSA records count only when the MX answer, the host's address
 *   answers and the TLSA answer all carry AD (DNSSEC-authenticated);
 * - for a CNAME'd host the TLSA name of the alias's target is tried
 *   first, then the original name (2.2.2);
 * - usages 2 (DANE-TA) and 3 (DANE-EE) with selector 0/1 and matching
 *   type 0/1/2 are usable; usages 0/1 and unknown values are not (3.1);
 * - a TLSA lookup that fails (SERVFAIL, timeout) where the address
 *   records are secure defers the host (2.1.1).
 */
#ifndef SMTPPROBE_POLICY_DNS_H
#define SMTPPROBE_POLICY_DNS_H

#include "smtpprobe/dns_raw.h"
#include "smtpprobe/record.h"

/* One TLSA question and its answer, kept until every answer is in. */
struct tlsa_lookup {
	int asked;
	int done;
	int status;		 /* c-ares status */
	int ad;			 /* the answer carried AD */
	int ede;		 /* Extended DNS Error INFO-CODE, -1 none */
	struct tlsa_answer *ans; /* NULL until answered with records */
};

/* The TLSA lookups of every dane_host: the original name's, and the
 * CNAME target's. */
struct policy_scratch {
	struct tlsa_lookup orig[DANE_HOSTS_CAP];
	struct tlsa_lookup target[DANE_HOSTS_CAP];
	int root_asked, root_done, root_status, root_ad;
};

/* "_PORT._tcp.NAME" into out (size n); -1 when it does not fit. */
int policy_tlsa_name(char *out, size_t n, int port, const char *name);

/* A dane_host for mail host h and port, its TLSA name the host's; the
 * index, or -1 when DANE_HOSTS_CAP are there. */
int policy_add_dane(struct run_record *rec, size_t h, int port);

/* The TLSA answer for lookup l (of dane_host i, for name). */
void policy_take_tlsa(struct run_record *rec, struct tlsa_lookup *l,
		      const char *name, int status, const unsigned char *abuf,
		      int alen, long now_ms);

/* The ". SOA" answer. */
void policy_take_root(struct run_record *rec, struct policy_scratch *sc,
		      int status, const unsigned char *abuf, int alen,
		      long now_ms);

/* Every answer is in: resolver_validates, then each dane_host's dnssec
 * state, status, records and whether DANE applies. Frees the answers. */
void policy_dns_finish(struct run_record *rec, struct policy_scratch *sc,
		       long now_ms);

/* The dane_host of probe p (its host and port), or NULL. */
const struct dane_host *policy_dane_of(const struct run_record *rec,
				       const struct probe *p);

/* What DANE made of probe p: it matched; it failed (no STARTTLS, no
 * match, or the TLSA lookup failed where DANE applies); or it did not
 * come into play (no usable records, not signed, no TLS step reached). */
enum probe_dane { PDANE_NOT_APPLICABLE, PDANE_MATCHED, PDANE_FAILED };
enum probe_dane policy_probe_dane(const struct run_record *rec,
				  const struct probe *p);
const char *probe_dane_name(enum probe_dane d);

/* Record text: "3 1 1 ab12...ef" (the data cut to hex_max characters
 * with "..." when longer). */
void policy_record_text(const struct dane_record *r, char *out, size_t n,
			size_t hex_max);

#endif
