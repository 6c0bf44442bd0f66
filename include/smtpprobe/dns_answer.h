/*
 * dns_answer.h - what a DNS answer means for the run, pure: raw answers
 * (and c-ares statuses) go in, the record's dns result comes out. MX
 * selection and the cap, the null MX, the shuffle of equal preferences,
 * the address cap and the family order, private and IP-literal targets,
 * valid exchange names, CNAME'd exchanges, the DNS notes of the
 * transcript. No c-ares channel, no socket, no clock: the resolver (or a
 * fuzz harness) asks the questions and hands the answers here, with the
 * time to stamp notes with.
 *
 * The parsing itself is c-ares's (ares_parse_mx_reply, _a_reply,
 * _aaaa_reply), which checks every length against the buffer.
 */
#ifndef SMTPPROBE_DNS_ANSWER_H
#define SMTPPROBE_DNS_ANSWER_H

#include "smtpprobe/bounds.h"
#include "smtpprobe/config.h"
#include "smtpprobe/record.h"

/* Address answers of each host, per family (0 = IPv6, 1 = IPv4), kept
 * until both families are in and merged into the host. */
struct dns_scratch {
	char addrs[MX_HOSTS_CAP][2][ADDRS_PER_HOST_CAP][ADDR_STR_MAX];
	size_t naddrs[MX_HOSTS_CAP][2];
	int status[MX_HOSTS_CAP][2]; /* c-ares status per family */
	int asked[MX_HOSTS_CAP][2];  /* that family's answer came */
	int ad[MX_HOSTS_CAP][2];     /* and carried AD (DNSSEC) */
};

/* A mail host for name (a trailing dot dropped, sanitised), or NULL when
 * MX_HOSTS_CAP are there. */
struct mail_host *dns_add_host(struct dns_result *d, const char *name,
			       int preference, unsigned flags);

/* The MX answer for domain: status is c-ares's for the query, abuf the
 * raw answer (NULL when none). Returns how many hosts now need address
 * lookups (rec->dns.hosts[0..n)): the MX hosts, or the domain itself
 * (implicit MX); 0 when the answer ends the run (null MX, NXDOMAIN,
 * SERVFAIL, malformed...). */
size_t dns_take_mx(struct run_record *rec, const char *domain, int status,
		   const unsigned char *abuf, int alen, long now_ms);

/* One A (family AF_INET) or AAAA answer for host h, into sc. */
void dns_take_addrs(struct run_record *rec, struct dns_scratch *sc, size_t h,
		    int family, int status, const unsigned char *abuf, int alen,
		    long now_ms);

/* Both families of host h are in: merge (IPv6 and IPv4 alternating, up
 * to the cap), flag private addresses, say why there is none. */
void dns_host_done(struct run_record *rec, const struct dns_scratch *sc,
		   size_t h);

/* Host h is written as an address: not allowed for an MX target (RFC
 * 5321 5.1), but what -s asked for. Returns 1 when it is a literal
 * (handled here: no lookup), 0 when it is a name to look up. */
int dns_take_literal(struct run_record *rec, size_t h, enum family_pref fam);

/* Every answer is in: an implicit MX without any address is "no MX and
 * no A/AAAA", no mail host at all. */
void dns_finish(struct dns_result *d);

/* A host name as DNS may carry it for a mail exchange (labels of
 * letters, digits, '-' or '_', within DNS_LABEL_MAX and DNS_NAME_MAX). */
int dns_valid_hostname(const char *name);

/* Loopback, private, link-local or unspecified. */
int dns_is_private(int family, const char *ip);

/* A few words for a c-ares status, for notes ("NXDOMAIN", "timed out"). */
const char *dns_status_word(int status);

#endif
