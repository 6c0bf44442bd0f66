/*
 * codes_weigh.c - the one place where the layers of the code table are
 * weighed against each other for a reply: its wording, its enhanced code,
 * the stage it answered and its basic code. The rules are written down in
 * codes_table.h; codes_weigh() applies them in that order.
 */
#include "smtpprobe/codes.h"

#include <stddef.h>
#include <stdlib.h>

#include "codes_table.h"

/* "5.7.1" as subject 7, detail 1; 0 when it is not an enhanced code. */
static int enhanced_parts(const char *enh, int *subject, int *detail)
{
	int part[2] = {0, 0};
	const char *p;

	if (!enh || !enh[0] || enh[1] != '.')
		return 0;
	p = enh + 2;
	for (int k = 0; k < 2; k++) {
		int digits = 0;

		while (*p >= '0' && *p <= '9' && digits < 3) {
			part[k] = part[k] * 10 + (*p - '0');
			p++, digits++;
		}
		if (!digits)
			return 0;
		if (k == 0 && *p++ != '.')
			return 0;
	}
	if (*p)
		return 0;
	*subject = part[0];
	*detail = part[1];
	return 1;
}

/* The basic codes that servers send for almost anything: their table
 * reading is only a guess. */
static int basic_is_catch_all(int code)
{
	return code == 550 || code == 554 || code == 450;
}

/* X.3.4 too big, X.7.13 account disabled, X.7.24-X.7.27 SPF, DKIM,
 * DMARC and reverse DNS (RFC 7372), X.7.31 and X.7.32 (Gmail's DMARC and
 * alignment codes). Not X.7.23 (Gmail sends it for a missing PTR record,
 * RFC 7372 for SPF), not X.1.10 (Microsoft sends it for an unknown
 * recipient, RFC 7505 for a null MX) nor X.2.2 (Microsoft's "submission
 * quota exceeded"). */
static int is_definite(int subject, int detail)
{
	switch (subject) {
	case 3: return detail == 4;
	case 7:
		return detail == 13 || (detail >= 24 && detail <= 27) ||
		       detail == 31 || detail == 32;
	default: return 0;
	}
}

static int lower_ascii(int c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

/* Whether needle (lower case) occurs in text, ignoring ASCII case. */
static int mentions(const char *text, const char *needle)
{
	for (; *text; text++) {
		size_t i = 0;

		while (needle[i] &&
		       lower_ascii((unsigned char)text[i]) == needle[i])
			i++;
		if (!needle[i])
			return 1;
	}
	return 0;
}

/* X.4.0, X.4.1 and X.4.2 say that the next host did not answer or that
 * the connection to it broke. A reply whose own words refuse something
 * ("Access denied", "addresses rejected") came from a server that did
 * answer, so the code does not describe it (Microsoft 365 sends 5.4.1
 * for recipients its directory refuses). Words about the connection
 * itself ("connect to ...: Connection refused", a relay's report) agree
 * with the code and leave it standing. */
static int network_code_contradicted(int subject, int detail, const char *text)
{
	return subject == 4 && detail <= 2 && text &&
	       !mentions(text, "connect");
}

/* X.0.0 and X.5.0 ("other", "other protocol status") are sent for
 * anything: as a subject they say nothing. */
static int subject_says_something(int subject, int detail)
{
	return detail != 0 || (subject != 0 && subject != 5);
}

static void take(struct codes_words *out, enum category cat,
		 const char *explanation, const char *remedy)
{
	out->category = cat;
	out->explanation = explanation;
	out->remedy = remedy;
}

enum weigh_source codes_weigh(const struct weigh_input *in,
			      struct codes_words *out)
{
	int subject = 0, detail = 0, has_enh;
	int failure = in->cls == CLASS_TRANSIENT ||
		      in->cls == CLASS_PERMANENT || in->cls == CLASS_NONE;
	const struct enhanced_info *ei = NULL, *subj = NULL;
	const struct code_info *ci = in->code ? codes_basic(in->code) : NULL;
	const struct text_pattern *tp;
	const struct codes_words *cw = codes_class_words(in->cls);

	*out = *cw;
	has_enh = enhanced_parts(in->enhanced, &subject, &detail);
	if (has_enh) {
		ei = codes_enhanced(subject, detail);
		subj = codes_enhanced(subject, 0);
	}

	/* 0. A definite enhanced code: one that names a single cause and
	 * that servers do not send for anything else. */
	if (failure && ei && is_definite(subject, detail) &&
	    ei->category != CAT_UNKNOWN) {
		take(out, ei->category, ei->meaning, ei->remedy);
		return WEIGH_DEFINITE;
	}
	/* 1. Explicit wording. */
	tp = in->text ? codes_match_text_tier(in->text, in->cls, 0) : NULL;
	if (tp) {
		take(out, tp->category, tp->explanation, tp->remedy);
		return WEIGH_TEXT;
	}
	/* 1b. A network code that the refusal in the words contradicts:
	 * the generic wording decides instead. */
	if (failure && has_enh &&
	    network_code_contradicted(subject, detail, in->text)) {
		tp = codes_match_text_tier(in->text, in->cls, 1);
		if (tp) {
			take(out, tp->category, tp->explanation, tp->remedy);
			return WEIGH_WEAK_TEXT;
		}
	}
	/* 2. A known enhanced code with a detail: X.5.x (syntax) says less
	 * than the stage, which knows what the argument was. */
	if (failure && ei && detail != 0 && ei->category != CAT_UNKNOWN &&
	    !(in->stage && ei->category == CAT_PROTOCOL)) {
		take(out, ei->category, ei->meaning, ei->remedy);
		return WEIGH_ENHANCED;
	}
	/* 3. What the code means at the stage it answered. */
	if (in->stage && failure) {
		take(out, in->stage->category, in->stage->explanation,
		     in->stage->remedy);
		return WEIGH_STAGE;
	}
	/* 4. The enhanced subject (X.Y.0, or a detail the table does not
	 * know), unless the basic code has a specific meaning of its own. */
	if (failure && subj && subj->category != CAT_UNKNOWN &&
	    subject_says_something(subject, detail) &&
	    (!ci || basic_is_catch_all(in->code))) {
		const struct enhanced_info *w = ei ? ei : subj;

		take(out, subj->category, w->meaning, w->remedy);
		return WEIGH_SUBJECT;
	}
	/* 5. A basic code with one meaning. */
	if (ci && !basic_is_catch_all(in->code)) {
		take(out, ci->category, ci->meaning, ci->remedy);
		return WEIGH_BASIC;
	}
	/* 6. Generic wording ("denied", "blocked"). */
	tp = in->text ? codes_match_text_tier(in->text, in->cls, 1) : NULL;
	if (tp) {
		take(out, tp->category, tp->explanation, tp->remedy);
		return WEIGH_WEAK_TEXT;
	}
	/* 7. The usual reading of a catch-all basic code. */
	if (ci) {
		take(out, ci->category, ci->meaning, ci->remedy);
		return WEIGH_BASIC_DEFAULT;
	}
	/* 8. The class alone, with the enhanced code's words if known. */
	if (ei) {
		out->explanation = ei->meaning;
		out->remedy = ei->remedy;
	}
	return WEIGH_CLASS;
}
