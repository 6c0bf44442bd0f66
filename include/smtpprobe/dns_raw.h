/*
 * dns_raw.h - DNS messages read and written by hand, where c-ares 1.18
 * has no help: the DNSSEC bits of a query (AD, RFC 6840 5.7; DO in the
 * EDNS0 OPT record, RFC 3225) and of an answer (AD), and TLSA records
 * (RFC 6698 2.1), which c-ares cannot parse. Pure: bytes in, facts out;
 * every length is checked against the buffer before it is used.
 *
 * Not wired into the probe yet: this is the parsing layer the TLS policy
 * (DANE) work builds on, tested and fuzzed on its own.
 */
#ifndef SMTPPROBE_DNS_RAW_H
#define SMTPPROBE_DNS_RAW_H

#include <stddef.h>
#include <stdint.h>

#define DNS_TYPE_CNAME 5
#define DNS_TYPE_TLSA  52
#define DNS_HEADER_LEN 12

/* TLSA records kept from one answer, and the certificate association
 * data kept per record (a full certificate, matching type 0, can be a few
 * kilobytes; SHA-512 is 64 bytes). */
#define TLSA_RECORDS_CAP 16
#define TLSA_DATA_MAX	 4096

struct dns_header_facts {
	unsigned id;
	int qr, tc, rd, ad, cd;
	int rcode; /* the header's 4 bits */
	unsigned qdcount, ancount, nscount, arcount;
};

/* The header of a message; -1 when it is shorter than a header. */
int dns_read_header(const unsigned char *msg, size_t len,
		    struct dns_header_facts *h);

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

/* "3 1 1" style names, for reports: "DANE-EE", "SPKI", "SHA-256"; "?"
 * for values the RFCs do not assign. */
const char *tlsa_usage_name(unsigned usage);
const char *tlsa_selector_name(unsigned selector);
const char *tlsa_matching_name(unsigned matching);

#endif
