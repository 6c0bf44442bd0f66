/*
 * fuzz_bounce.c - the bounce reader (bounce_parse in bounce.c) and the
 * explanation of each recipient it finds (explain_bounce in explain.c,
 * with the whole of --explain's reader behind it), on arbitrary bytes as
 * stdin would hand them over (NUL bytes included).
 *
 * Invariants: bounce_parse returns 0 (or -1 only when out of memory);
 * the list holds at most BOUNCE_MAX_RECIPIENTS; every field is a
 * NUL-terminated string within its bound, the status empty or an enhanced
 * code of class 2, 4 or 5, the diagnostic NULL or at most BOUNCE_DIAG_MAX
 * bytes; "truncated" only past BOUNCE_MAX_BYTES. explain_bounce returns 0
 * for every recipient, with a category, words, and a recipient, remote
 * MTA and text that are sanitised (valid UTF-8, no control, bidi or
 * zero-width character); bounce_free leaves nothing behind.
 */
#include <string.h>

#include "fuzz.h"
#include "smtpprobe/bounce.h"
#include "smtpprobe/interpreter.h"

static void check_field(const char *s, size_t cap)
{
	FUZZ_CHECK(strnlen(s, cap) < cap);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bounce b;
	int rc = bounce_parse((const char *)data, size, &b);

	FUZZ_CHECK(rc == 0 || rc == -1);
	FUZZ_CHECK(b.n <= BOUNCE_MAX_RECIPIENTS);
	FUZZ_CHECK(b.n == 0 || b.rcpt != NULL);
	FUZZ_CHECK(b.truncated == (size > BOUNCE_MAX_BYTES));
	FUZZ_CHECK(bounce_format_name(b.format) != NULL);
	for (size_t i = 0; rc == 0 && i < b.n; i++) {
		const struct bounce_recipient *r = &b.rcpt[i];
		struct explanation e;

		check_field(r->addr, sizeof r->addr);
		check_field(r->orig, sizeof r->orig);
		check_field(r->remote_mta, sizeof r->remote_mta);
		check_field(r->action, sizeof r->action);
		check_field(r->status, sizeof r->status);
		if (r->status[0])
			FUZZ_CHECK(r->status[0] == '2' || r->status[0] == '4' ||
				   r->status[0] == '5');
		if (r->diagnostic)
			FUZZ_CHECK(strlen(r->diagnostic) <= BOUNCE_DIAG_MAX);

		FUZZ_CHECK(explain_bounce(r, &e) == 0);
		FUZZ_CHECK((unsigned)e.in.category < CAT__COUNT);
		FUZZ_CHECK(e.in.explanation != NULL &&
			   e.in.remediation != NULL);
		FUZZ_CHECK(e.code == 0 || (e.code >= 200 && e.code <= 599));
		FUZZ_CHECK((unsigned)e.stage <= ES_DATA);
		if (e.code && e.enhanced[0])
			FUZZ_CHECK(e.enhanced[0] - '0' == e.code / 100);
		if (e.text)
			fuzz_check_clean(e.text, strlen(e.text));
		if (e.recipient)
			fuzz_check_clean(e.recipient, strlen(e.recipient));
		if (e.remote_mta)
			fuzz_check_clean(e.remote_mta, strlen(e.remote_mta));
		explanation_free(&e);
		FUZZ_CHECK(e.text == NULL && e.recipient == NULL &&
			   e.remote_mta == NULL);
	}
	bounce_free(&b);
	FUZZ_CHECK(b.n == 0 && b.rcpt == NULL);
	bounce_free(&b); /* twice is harmless */
	return 0;
}
