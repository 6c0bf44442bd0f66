/*
 * fuzz_caps.c - the EHLO capability parser (caps_parse in dialogue.c) on
 * hostile keyword lines (tests/hostile-inputs.md row 19: dozens of AUTH mechanisms,
 * duplicates, lower case, SIZE 1e30 or -1).
 *
 * Two paths: the input split at LF into raw lines (CR, NUL, anything kept)
 * and handed to caps_parse as a 250 reply directly, which is more hostile
 * than anything the reply parser lets through; and the input fed through
 * the real reply parser, whose first complete reply is parsed as an EHLO
 * answer, as the dialogue does.
 *
 * Invariants: nmechs <= 64; only known CAP_*, AUTH_MECH_* and CAPF_* bits;
 * no AUTH keyword means no mechanisms; no SIZE keyword means size 0; the
 * result does not depend on what the structure held before.
 */
#include <string.h>

#include "fuzz.h"
#include "smtpprobe/dialogue.h"
#include "smtpprobe/reply.h"

#define MAX_LINES 256

#define ALL_CAPS                                                               \
	(CAP_PIPELINING | CAP_STARTTLS | CAP_SIZE | CAP_8BITMIME |             \
	 CAP_SMTPUTF8 | CAP_ENHANCEDSTATUSCODES | CAP_CHUNKING | CAP_DSN |     \
	 CAP_AUTH)
#define ALL_MECHS                                                              \
	(AUTH_MECH_PLAIN | AUTH_MECH_LOGIN | AUTH_MECH_CRAM_MD5 |              \
	 AUTH_MECH_XOAUTH2 | AUTH_MECH_OTHER)
#define ALL_NOTES (CAPF_SIZE_INVALID | CAPF_DUPLICATE | CAPF_MANY_MECHS)

static void check_caps(const struct reply *r)
{
	struct capabilities a, b;

	memset(&a, 0xa5, sizeof a);
	caps_parse(&a, r);
	FUZZ_CHECK(a.nmechs <= 64);
	FUZZ_CHECK((a.flags & ~(unsigned)ALL_CAPS) == 0);
	FUZZ_CHECK((a.auth_mechs & ~(unsigned)ALL_MECHS) == 0);
	FUZZ_CHECK((a.notes & ~(unsigned)ALL_NOTES) == 0);
	if (!(a.flags & CAP_AUTH))
		FUZZ_CHECK(a.auth_mechs == 0 && a.nmechs == 0);
	if (a.nmechs == 0)
		FUZZ_CHECK(a.auth_mechs == 0);
	if (a.notes & CAPF_MANY_MECHS)
		FUZZ_CHECK(a.nmechs == 64);
	if (!(a.flags & CAP_SIZE))
		FUZZ_CHECK(a.size == 0 && !(a.notes & CAPF_SIZE_INVALID));
	if (r->nlines <= 1)
		FUZZ_CHECK(a.flags == 0 && a.notes == 0);

	/* Same answer from a structure that held something else. */
	memset(&b, 0, sizeof b);
	caps_parse(&b, r);
	FUZZ_CHECK(a.flags == b.flags && a.auth_mechs == b.auth_mechs &&
		   a.notes == b.notes && a.size == b.size &&
		   a.nmechs == b.nmechs);
}

/* Raw lines: whatever is between LFs, as the parser would never pass. */
static void raw_lines(const uint8_t *data, size_t size)
{
	struct reply_line lines[MAX_LINES];
	struct reply r;
	size_t start = 0, n = 0;

	memset(&r, 0, sizeof r);
	r.code = 250;
	for (size_t i = 0; i <= size && n < MAX_LINES; i++) {
		if (i < size && data[i] != '\n')
			continue;
		size_t len = i - start;
		char *t = malloc(len + 1);
		FUZZ_CHECK(t != NULL);
		if (len)
			memcpy(t, data + start, len);
		t[len] = '\0';
		lines[n].text = t;
		lines[n].len = len;
		n++;
		start = i + 1;
	}
	r.lines = lines;
	r.nlines = n;
	check_caps(&r);
	for (size_t i = 0; i < n; i++)
		free(lines[i].text);
}

/* Through the real parser: the first complete reply, as dlg_on_reply
 * would get it. */
static void parsed(const uint8_t *data, size_t size)
{
	struct reply_parser p;
	enum rp_status st = RP_MORE;
	size_t used = 0;

	rp_init(&p);
	while (used < size) {
		used +=
		    rp_feed(&p, (const char *)data + used, size - used, &st);
		if (st != RP_MORE)
			break;
	}
	if (st == RP_REPLY) {
		struct reply *r = rp_take(&p);
		check_caps(r);
		reply_free(r);
	}
	rp_reset(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	raw_lines(data, size);
	parsed(data, size);
	return 0;
}
