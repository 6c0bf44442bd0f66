/*
 * dns_raw.c - see dns_raw.h. The message format is RFC 1035 4.1: a
 * 12-byte header, then the question, answer, authority and additional
 * sections. Names are skipped, never followed: a compression pointer
 * (two bytes, top bits 11) ends the name where it stands, so a loop of
 * pointers costs nothing and cannot run past the buffer.
 */
#include "smtpprobe/dns_raw.h"

#include <ares.h>
#include <string.h>

static unsigned be16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

int dns_read_header(const unsigned char *msg, size_t len,
		    struct dns_header_facts *h)
{
	memset(h, 0, sizeof *h);
	if (!msg || len < DNS_HEADER_LEN)
		return -1;
	h->id = be16(msg);
	h->qr = (msg[2] & 0x80) != 0;
	h->tc = (msg[2] & 0x02) != 0;
	h->rd = (msg[2] & 0x01) != 0;
	h->ad = (msg[3] & 0x20) != 0;
	h->cd = (msg[3] & 0x10) != 0;
	h->rcode = msg[3] & 0x0f;
	h->qdcount = be16(msg + 4);
	h->ancount = be16(msg + 6);
	h->nscount = be16(msg + 8);
	h->arcount = be16(msg + 10);
	return 0;
}

int dns_answer_status(int status, const unsigned char *abuf, int alen)
{
	struct dns_header_facts h;

	if (status != ARES_SUCCESS)
		return status;
	if (!abuf || alen < 0 || dns_read_header(abuf, (size_t)alen, &h) < 0)
		return ARES_EBADRESP;
	switch (h.rcode) {
	case 0: return h.ancount ? ARES_SUCCESS : ARES_ENODATA;
	case 1: return ARES_EFORMERR;
	case 2: return ARES_ESERVFAIL;
	case 3: return ARES_ENOTFOUND;
	case 4: return ARES_ENOTIMP;
	case 5: return ARES_EREFUSED;
	default: return ARES_EBADRESP;
	}
}

/* The OPT record ares_create_query appends (RFC 6891 6.1.2): root name
 * (one zero byte), TYPE 41, CLASS = UDP size, TTL = extended RCODE,
 * version, and the flags whose top bit is DO, then RDLENGTH 0. */
#define OPT_RR_LEN 11

int dns_query_want_dnssec(unsigned char *q, size_t len)
{
	unsigned char *opt;
	struct dns_header_facts h;

	if (dns_read_header(q, len, &h) < 0 || h.arcount == 0 ||
	    len < DNS_HEADER_LEN + OPT_RR_LEN)
		return -1;
	opt = q + len - OPT_RR_LEN;
	if (opt[0] != 0 || be16(opt + 1) != 41 || be16(opt + 9) != 0)
		return -1;
	q[3] |= 0x20;	/* AD: tell me whether the answer validated */
	opt[7] |= 0x80; /* DO: send DNSSEC records */
	return 0;
}

/* Skip a name at *off; -1 when it runs past the end or is malformed. */
static int skip_name(const unsigned char *msg, size_t len, size_t *off)
{
	size_t o = *off, wire = 0;

	for (;;) {
		unsigned c;

		if (o >= len)
			return -1;
		c = msg[o];
		if ((c & 0xc0) == 0xc0) { /* a pointer ends the name here */
			if (o + 2 > len)
				return -1;
			*off = o + 2;
			return 0;
		}
		if (c & 0xc0) /* 01 and 10: reserved label types */
			return -1;
		o++;
		if (c == 0) {
			*off = o;
			return 0;
		}
		wire += c + 1;
		if (wire > 255 || o + c > len) /* RFC 1035 2.3.4 */
			return -1;
		o += c;
	}
}

static int fail(struct tlsa_answer *out)
{
	out->malformed = 1;
	return -1;
}

int dns_parse_tlsa(const unsigned char *msg, size_t len,
		   struct tlsa_answer *out)
{
	size_t off = DNS_HEADER_LEN;

	memset(out, 0, sizeof *out);
	if (dns_read_header(msg, len, &out->header) < 0)
		return fail(out);
	for (unsigned i = 0; i < out->header.qdcount; i++) {
		if (skip_name(msg, len, &off) < 0 || off + 4 > len)
			return fail(out);
		off += 4; /* QTYPE, QCLASS */
	}
	for (unsigned i = 0; i < out->header.ancount; i++) {
		unsigned type, class, rdlen;

		if (skip_name(msg, len, &off) < 0 || off + 10 > len)
			return fail(out);
		type = be16(msg + off);
		class = be16(msg + off + 2);
		rdlen = be16(msg + off + 8); /* after the 4-byte TTL */
		off += 10;
		if (rdlen > len - off)
			return fail(out);
		if (class == 1 && type == DNS_TYPE_CNAME)
			out->cname = 1;
		if (class == 1 && type == DNS_TYPE_TLSA) {
			out->total++;
			if (rdlen < 3) {
				out->short_rdata = 1;
			} else if (out->n >= TLSA_RECORDS_CAP) {
				out->capped = 1;
			} else {
				struct tlsa_record *r = &out->rr[out->n++];
				size_t dlen = rdlen - 3;

				r->usage = msg[off];
				r->selector = msg[off + 1];
				r->matching = msg[off + 2];
				if (dlen > TLSA_DATA_MAX) {
					dlen = TLSA_DATA_MAX;
					out->too_long = 1;
				}
				memcpy(r->data, msg + off + 3, dlen);
				r->len = dlen;
			}
		}
		off += rdlen;
	}
	return 0;
}

/* Skip one resource record's fixed part and data; its type and class in
 * *type, *class, its data at *rdata (rdlen bytes). */
static int next_rr(const unsigned char *msg, size_t len, size_t *off,
		   unsigned *type, unsigned *class, size_t *rdata,
		   unsigned *rdlen)
{
	if (skip_name(msg, len, off) < 0 || *off + 10 > len)
		return -1;
	*type = be16(msg + *off);
	*class = be16(msg + *off + 2);
	*rdlen = be16(msg + *off + 8);
	*off += 10;
	if (*rdlen > len - *off)
		return -1;
	*rdata = *off;
	*off += *rdlen;
	return 0;
}

#define DNS_TYPE_OPT	41
#define EDNS_OPTION_EDE 15

int dns_read_ede(const unsigned char *msg, size_t len)
{
	struct dns_header_facts h;
	size_t off = DNS_HEADER_LEN;
	unsigned long rrs;

	if (dns_read_header(msg, len, &h) < 0)
		return -1;
	for (unsigned i = 0; i < h.qdcount; i++) {
		if (skip_name(msg, len, &off) < 0 || off + 4 > len)
			return -1;
		off += 4;
	}
	rrs = (unsigned long)h.ancount + h.nscount + h.arcount;
	for (unsigned long i = 0; i < rrs; i++) {
		unsigned type, class, rdlen;
		size_t rd;

		if (next_rr(msg, len, &off, &type, &class, &rd, &rdlen) < 0)
			return -1;
		if (type != DNS_TYPE_OPT || i < rrs - h.arcount)
			continue;
		/* OPT data: options of code (2), length (2), value. */
		for (size_t o = rd; o + 4 <= rd + rdlen;) {
			unsigned code = be16(msg + o), olen = be16(msg + o + 2);

			if (olen > rd + rdlen - (o + 4))
				return -1;
			if (code == EDNS_OPTION_EDE && olen >= 2)
				return (int)be16(msg + o + 4);
			o += 4 + olen;
		}
	}
	return -1;
}

const char *tlsa_usage_name(unsigned usage)
{
	static const char *const names[] = {"PKIX-TA", "PKIX-EE", "DANE-TA",
					    "DANE-EE"};

	return usage < 4 ? names[usage] : "?";
}

const char *tlsa_selector_name(unsigned selector)
{
	return selector == 0 ? "Cert" : selector == 1 ? "SPKI" : "?";
}

const char *tlsa_matching_name(unsigned matching)
{
	switch (matching) {
	case 0: return "Full";
	case 1: return "SHA-256";
	case 2: return "SHA-512";
	default: return "?";
	}
}
