/*
 * fuzz_explain.c - the --explain argument parser (explain_parse in
 * interpreter.c) on arbitrary text, as argv would hand it over: a
 * NUL-terminated copy of the input (which may hold earlier NULs, where
 * argv would have cut it).
 *
 * Invariants: it returns 0 or -1; on 0 the code is 0 or 200..599, the
 * enhanced code is a NUL-terminated string of its buffer of the code's
 * class, the class is none only without any code, the category,
 * explanation and remediation are set, the stage is one of its values,
 * and the text, recipient and remote MTA, if any, are sanitised (valid
 * UTF-8, no control, bidi or zero-width character); on -1 there is no
 * text; explanation_free leaves nothing behind. The
 * same text through reply_parse_text gives a reply within the parser's
 * bounds (at most REPLY_LINES_CAP lines of at most REPLY_LINE_CAP).
 */
#include <string.h>

#include "fuzz.h"
#include "smtpprobe/interpreter.h"
#include "smtpprobe/reply.h"

/* reply_parse_text, the parser --explain and the reply corpus test share:
 * what it returns keeps the reply parser's bounds. */
static void check_pasted(const char *arg)
{
	enum rp_error err = RPE_NONE;
	struct reply *r = reply_parse_text(arg, &err);

	FUZZ_CHECK(rp_error_text(err) != NULL);
	if (!r)
		return;
	FUZZ_CHECK(r->code >= 200 && r->code <= 599);
	FUZZ_CHECK(r->nlines <= REPLY_LINES_CAP);
	FUZZ_CHECK(r->nlines == 0 || r->lines != NULL);
	for (size_t i = 0; i < r->nlines; i++) {
		FUZZ_CHECK(r->lines[i].text != NULL);
		FUZZ_CHECK(r->lines[i].len <= REPLY_LINE_CAP);
		FUZZ_CHECK(r->lines[i].text[r->lines[i].len] == '\0');
	}
	FUZZ_CHECK(strnlen(r->enhanced, sizeof r->enhanced) <
		   sizeof r->enhanced);
	if (r->enhanced[0])
		FUZZ_CHECK(r->enhanced[0] - '0' == r->code / 100);
	reply_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *arg = malloc(size + 1);
	struct explanation e;
	int rc;

	FUZZ_CHECK(arg != NULL);
	if (size)
		memcpy(arg, data, size);
	arg[size] = '\0';

	rc = explain_parse(arg, &e);
	FUZZ_CHECK(rc == 0 || rc == -1);
	if (rc == 0) {
		FUZZ_CHECK(e.code == 0 || (e.code >= 200 && e.code <= 599));
		FUZZ_CHECK(strnlen(e.enhanced, sizeof e.enhanced) <
			   sizeof e.enhanced);
		if (e.code && e.enhanced[0])
			FUZZ_CHECK(e.enhanced[0] - '0' == e.code / 100);
		FUZZ_CHECK((e.in.cls == CLASS_NONE) ==
			   (e.code == 0 && e.enhanced[0] == '\0'));
		FUZZ_CHECK((unsigned)e.stage <= ES_DATA);
		if (e.recipient)
			fuzz_check_clean(e.recipient, strlen(e.recipient));
		if (e.remote_mta)
			fuzz_check_clean(e.remote_mta, strlen(e.remote_mta));
		FUZZ_CHECK(e.in.cls >= CLASS_NONE &&
			   e.in.cls <= CLASS_PERMANENT);
		FUZZ_CHECK((unsigned)e.in.category < CAT__COUNT);
		FUZZ_CHECK(e.in.explanation != NULL &&
			   e.in.remediation != NULL);
		FUZZ_CHECK(category_name(e.in.category) != NULL);
		if (e.text)
			fuzz_check_clean(e.text, strlen(e.text));
	} else {
		FUZZ_CHECK(e.text == NULL && e.recipient == NULL &&
			   e.remote_mta == NULL);
	}
	explanation_free(&e);
	FUZZ_CHECK(e.text == NULL);
	explanation_free(&e); /* twice is harmless */
	check_pasted(arg);
	free(arg);
	return 0;
}
