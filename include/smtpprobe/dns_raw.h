/*
 * dns_raw.h - DNS messages read and written by hand, where c-ares 1.18
 * has no help: the DNSSEC bits of a query (AD, RFC 6840 5.7; DO in the
 * EDNS0 OPT record, RFC 3225) and of an answer (AD), and TLSA records
 * (RFC 6698 2.1), which c-ares cannot parse. Pure: bytes in, facts out;
 * every length is checked against the buffer before it is used.
 *
 * The resolver asks every question with AD and DO (resolver.c); the
 * TLS policy (policy_dns.c) reads the TLSA answers here.
 */
#ifndef SMTPPROBE_DNS_RAW_H
#define SMTPPROBE_DNS_RAW_H

#include <stddef.h>
#include <stdint.h>

#include "smtpprobe/bounds.h"

#define DNS_TYPE_CNAME 5
#define DNS_TYPE_TLSA  52
#define DNS_HEADER_LEN 12

struct dns_header_facts {
	unsigned id;
	int qr, tc, rd, ad, cd;
	int rcode; /* the header's 4 bits */
	unsigned qdcount, ancount, nscount, arcount;
};

/* The header of a message; -1 when it is shorter than a header. */
int dns_read_header(const unsigned char *msg, size_t len,
		    struct dns_header_facts *h);

/* What ares_query would have said of an answer that ares_send hands over
 * as ARES_SUCCESS whatever its RCODE: ENODATA for NOERROR without
 * answers, ESERVFAIL, ENOTFOUND (NXDOMAIN), EREFUSED, ... A status that
 * is not ARES_SUCCESS is returned as it is. */
int dns_answer_status(int status, const unsigned char *abuf, int alen);

/* Ask for DNSSEC in a query built by ares_create_query with an EDNS0
 * OPT record (max_udp_size > 0): AD in the header, DO in the OPT record.
 * Returns 0, or -1 when the query does not end in an OPT record. */
int dns_query_want_dnssec(unsigned char *q, size_t len);

struct tlsa_record {
	uint8_t usage;	  /* 0 PKIX-TA, 1 PKIX-EE, 2 DANE-TA, 3 DANE-EE */
	uint8_t selector; /* 0 full certificate, 1 SubjectPublicKeyInfo */
	uint8_t matching; /* 0 exact, 1 SHA-256, 2 SHA-512 */
	size_t len;	  /* bytes of data */
	unsigned char data[TLSA_DATA_MAX];
};

struct tlsa_answer {
	struct dns_header_facts header;
	size_t n;	 /* records kept */
	size_t total;	 /* TLSA records in the answer section */
	int capped;	 /* more than TLSA_RECORDS_CAP */
	int too_long;	 /* a record's data over TLSA_DATA_MAX: cut */
	int short_rdata; /* a TLSA record under 3 bytes: skipped */
	int cname;	 /* the answer holds a CNAME */
	int malformed;	 /* the message did not parse to its end */
	struct tlsa_record rr[TLSA_RECORDS_CAP];
};

/* The TLSA records of an answer (an answer section of any order; other
 * types are skipped). Returns 0, or -1 when the message is malformed
 * (out->malformed says so too; what was read before stays). */
int dns_parse_tlsa(const unsigned char *msg, size_t len,
		   struct tlsa_answer *out);

/* The first Extended DNS Error (RFC 8914) of an answer's OPT record: its
 * INFO-CODE (6 "DNSSEC Bogus", 7 "Signature Expired", ...), or -1 when
 * there is none or the message does not parse. */
int dns_read_ede(const unsigned char *msg, size_t len);

/* Does an EDE INFO-CODE say DNSSEC validation failed (6 to 12)? */
#define EDE_IS_DNSSEC_FAILURE(c) ((c) >= 6 && (c) <= 12)

/* "3 1 1" style names, for reports: "DANE-EE", "SPKI", "SHA-256"; "?"
 * for values the RFCs do not assign. */
const char *tlsa_usage_name(unsigned usage);
const char *tlsa_selector_name(unsigned selector);
const char *tlsa_matching_name(unsigned matching);

#endif
