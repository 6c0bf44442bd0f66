/*
 * fuzz_tlsa.c - the hand-written DNS message reader (dns_raw.c):
 * dns_read_header and dns_parse_tlsa on any bytes, and
 * dns_query_want_dnssec on a copy. The input is the whole message, given
 * in a buffer of exactly its size.
 *
 * Invariants: never a read outside the buffer (ASan); the records kept
 * are at most TLSA_RECORDS_CAP and at most the TLSA records counted,
 * each with at most TLSA_DATA_MAX bytes of data that are the bytes of
 * the message; a parse that fails says malformed; the header facts are
 * those of the first 12 bytes; the DNSSEC edit changes exactly the AD
 * bit and the DO bit, or nothing. dns_read_ede walks every section:
 * its INFO-CODE is -1 or 16 bits; dns_answer_status turns a well-formed
 * header's RCODE into a c-ares status and leaves other statuses alone.
 */
#include "fuzz.h"
#include "smtpprobe/dns_raw.h"

#include <ares.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlsa_answer *a = malloc(sizeof *a);
	struct dns_header_facts h;
	unsigned char *copy;
	int rc;

	FUZZ_CHECK(a != NULL);
	rc = dns_parse_tlsa(data, size, a);
	FUZZ_CHECK(rc == 0 || rc == -1);
	FUZZ_CHECK((rc == -1) == (a->malformed != 0));
	FUZZ_CHECK(a->n <= TLSA_RECORDS_CAP && a->n <= a->total);
	FUZZ_CHECK(!a->capped || a->total > TLSA_RECORDS_CAP);
	for (size_t i = 0; i < a->n; i++) {
		FUZZ_CHECK(a->rr[i].len <= TLSA_DATA_MAX);
		FUZZ_CHECK(a->rr[i].len < size);
		FUZZ_CHECK(
		    fuzz_contains(data, size, a->rr[i].data, a->rr[i].len));
	}
	if (size >= DNS_HEADER_LEN) {
		FUZZ_CHECK(dns_read_header(data, size, &h) == 0);
		FUZZ_CHECK(h.ancount == ((unsigned)data[6] << 8 | data[7]));
		FUZZ_CHECK(h.rcode == (data[3] & 0x0f));
		FUZZ_CHECK(h.ad == ((data[3] & 0x20) != 0));
	} else {
		FUZZ_CHECK(dns_read_header(data, size, &h) == -1);
		FUZZ_CHECK(rc == -1);
	}
	rc = dns_read_ede(data, size);
	FUZZ_CHECK(rc >= -1 && rc <= 0xffff);
	FUZZ_CHECK(size >= DNS_HEADER_LEN || rc == -1);
	rc = dns_answer_status(ARES_SUCCESS, data, (int)size);
	FUZZ_CHECK(size >= DNS_HEADER_LEN || rc == ARES_EBADRESP);
	FUZZ_CHECK(rc != ARES_SUCCESS ||
		   (size >= DNS_HEADER_LEN && (data[3] & 0x0f) == 0));
	FUZZ_CHECK(dns_answer_status(ARES_ETIMEOUT, data, (int)size) ==
		   ARES_ETIMEOUT);
	copy = malloc(size ? size : 1);
	FUZZ_CHECK(copy != NULL);
	memcpy(copy, data, size);
	if (dns_query_want_dnssec(copy, size) == 0) {
		size_t diff = 0;
		for (size_t i = 0; i < size; i++)
			diff += copy[i] != data[i];
		FUZZ_CHECK(diff <= 2);
		FUZZ_CHECK(copy[3] & 0x20);
		FUZZ_CHECK(copy[size - 4] & 0x80);
	} else {
		FUZZ_CHECK(size == 0 || memcmp(copy, data, size) == 0);
	}
	free(copy);
	free(a);
	return 0;
}
