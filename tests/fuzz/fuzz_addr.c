/*
 * fuzz_addr.c - the address, domain and EHLO-name validators (addr.h) on
 * arbitrary bytes, as (pointer, length) with no NUL after them (the
 * fuzzer's buffer is exactly the input's size, so ASan sees any read past
 * the end). tests/hostile-inputs.md rows 39-41.
 *
 * Invariants when a parser says ADDR_OK: the input held no NUL, CR or LF;
 * the result has no CR, LF, NUL, control byte or unquoted space; a local
 * part is at most 64 octets, a domain at most 255 in LDH labels of 1-63
 * with a non-numeric last label, a path local@domain at most 254; parsing
 * the result again gives the same result. When it says anything else:
 * the error code is known and the output is empty. The domain and HELO
 * parsers are also called with small output buffers, exactly allocated.
 */
#include <arpa/inet.h>
#include <string.h>

#include "fuzz.h"
#include "smtpprobe/addr.h"

static int is_ldh(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-';
}

/* An A-label domain as addr.h promises it. */
static void check_domain(const char *d, size_t cap)
{
	size_t len = strnlen(d, cap), start = 0;
	int digits = 1;

	FUZZ_CHECK(len < cap);
	FUZZ_CHECK(len >= 1 && len <= DOMAIN_MAX);
	for (size_t i = 0; i <= len; i++) {
		unsigned char c = i < len ? (unsigned char)d[i] : '.';
		if (c != '.') {
			FUZZ_CHECK(is_ldh(c));
			digits &= c >= '0' && c <= '9';
			continue;
		}
		FUZZ_CHECK(i - start >= 1 && i - start <= 63);
		FUZZ_CHECK(d[start] != '-' && d[i - 1] != '-');
		if (i < len)
			digits = 1;
		start = i + 1;
	}
	FUZZ_CHECK(!digits); /* the last label is not all digits */
}

/* A local part: no control, CR, LF or DEL, spaces only inside quotes. */
static void check_local(const char *l, size_t cap, int *non_ascii)
{
	size_t len = strnlen(l, cap);
	int quoted = 0, esc = 0;

	FUZZ_CHECK(len < cap);
	FUZZ_CHECK(len >= 1 && len <= LOCAL_PART_MAX);
	*non_ascii = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)l[i];
		FUZZ_CHECK(c >= 0x20 && c != 0x7f);
		FUZZ_CHECK(c != ' ' || quoted);
		if (c >= 0x80)
			*non_ascii = 1;
		if (esc)
			esc = 0;
		else if (c == '\\' && quoted)
			esc = 1;
		else if (c == '"')
			quoted = !quoted;
	}
	FUZZ_CHECK(!quoted);
	fuzz_check_clean(l, len);
}

static void check_mail_addr(const struct mail_addr *a)
{
	int non_ascii = 0;

	if (!a->is_address) {
		FUZZ_CHECK(a->local[0] == '\0' && a->path[0] == '\0');
		check_domain(a->domain, sizeof a->domain);
		FUZZ_CHECK(!a->need_smtputf8);
		return;
	}
	check_local(a->local, sizeof a->local, &non_ascii);
	check_domain(a->domain, sizeof a->domain);
	FUZZ_CHECK(strnlen(a->path, sizeof a->path) < sizeof a->path);
	FUZZ_CHECK(strlen(a->path) <= ADDR_PATH_MAX);
	FUZZ_CHECK(strlen(a->path) == strlen(a->local) + 1 + strlen(a->domain));
	FUZZ_CHECK(strncmp(a->path, a->local, strlen(a->local)) == 0);
	FUZZ_CHECK(a->path[strlen(a->local)] == '@');
	FUZZ_CHECK(strcmp(a->path + strlen(a->local) + 1, a->domain) == 0);
	FUZZ_CHECK(a->need_smtputf8 == non_ascii);
}

static int all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

/* A parse that succeeded came from bytes with no line break or NUL. */
static void check_input_clean(const uint8_t *in, size_t len)
{
	FUZZ_CHECK(memchr(in, '\0', len) == NULL);
	FUZZ_CHECK(memchr(in, '\r', len) == NULL);
	FUZZ_CHECK(memchr(in, '\n', len) == NULL);
}

static void fuzz_target(const uint8_t *data, size_t size, int sender)
{
	struct mail_addr a, b;
	int rc = sender ? addr_parse_sender((const char *)data, size, &a)
			: addr_parse_target((const char *)data, size, &a);
	const char *again;

	FUZZ_CHECK(rc >= 0 && rc < ADDR_E__COUNT);
	FUZZ_CHECK(addr_strerror(rc) != NULL);
	if (rc != ADDR_OK) {
		FUZZ_CHECK(all_zero(&a, sizeof a));
		return;
	}
	if (sender && a.path[0] == '\0') { /* the null reverse-path */
		FUZZ_CHECK(size == 0 ||
			   (size == 2 && memcmp(data, "<>", 2) == 0));
		FUZZ_CHECK(all_zero(&a, sizeof a));
		return;
	}
	if (sender)
		FUZZ_CHECK(a.is_address);
	check_input_clean(data, size);
	check_mail_addr(&a);

	/* What we would send parses to itself. */
	again = a.is_address ? a.path : a.domain;
	rc = addr_parse_target(again, strlen(again), &b);
	FUZZ_CHECK(rc == ADDR_OK);
	FUZZ_CHECK(memcmp(&a, &b, sizeof a) == 0);
}

static void check_helo_out(const char *out, size_t cap)
{
	size_t len = strnlen(out, cap);
	unsigned char bin[16];
	char ip[64];

	FUZZ_CHECK(len < cap);
	if (out[0] != '[') {
		check_domain(out, cap);
		return;
	}
	/* "[192.0.2.1]" or "[IPv6:2001:db8::1]" */
	FUZZ_CHECK(len >= 3 && out[len - 1] == ']');
	if (strncmp(out, "[IPv6:", 6) == 0) {
		FUZZ_CHECK(len - 7 < sizeof ip);
		memcpy(ip, out + 6, len - 7);
		ip[len - 7] = '\0';
		FUZZ_CHECK(inet_pton(AF_INET6, ip, bin) == 1);
	} else {
		FUZZ_CHECK(len - 2 < sizeof ip);
		memcpy(ip, out + 1, len - 2);
		ip[len - 2] = '\0';
		FUZZ_CHECK(inet_pton(AF_INET, ip, bin) == 1);
	}
}

typedef int (*name_parser)(const char *, size_t, char *, size_t);

static void fuzz_name(const uint8_t *data, size_t size, name_parser parse,
		      int helo)
{
	static const size_t small[] = {1, 2, 8, 64, DOMAIN_MAX};
	char full[DOMAIN_MAX + 1], again[DOMAIN_MAX + 1];
	int rc = parse((const char *)data, size, full, sizeof full);

	FUZZ_CHECK(rc >= 0 && rc < ADDR_E__COUNT);
	if (rc != ADDR_OK) {
		FUZZ_CHECK(full[0] == '\0');
	} else {
		check_input_clean(data, size);
		if (helo)
			check_helo_out(full, sizeof full);
		else
			check_domain(full, sizeof full);
		FUZZ_CHECK(parse(full, strlen(full), again, sizeof again) ==
			   ADDR_OK);
		FUZZ_CHECK(strcmp(full, again) == 0);
	}
	/* A smaller buffer: the same answer, or a refusal; never a write
	 * past its end (each is allocated to its exact size). */
	for (size_t i = 0; i < sizeof small / sizeof small[0]; i++) {
		char *out = malloc(small[i]);
		int rc2;

		FUZZ_CHECK(out != NULL);
		rc2 = parse((const char *)data, size, out, small[i]);
		FUZZ_CHECK(strnlen(out, small[i]) < small[i]);
		if (rc2 == ADDR_OK) {
			FUZZ_CHECK(rc == ADDR_OK);
			FUZZ_CHECK(strcmp(out, full) == 0);
		}
		free(out);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_target(data, size, 0);
	fuzz_target(data, size, 1);
	fuzz_name(data, size, addr_parse_domain, 0);
	fuzz_name(data, size, addr_parse_helo, 1);
	return 0;
}
