/*
 * explain.c - --explain: a code, an enhanced code, or a reply as people
 * paste it, read into one explanation. See interpreter.h.
 *
 * A pasted reply is distrusted like a server's: at most EXPLAIN_BYTES of
 * it are read, in at most EXPLAIN_LINES lines (after folding continuation
 * lines that start with white space); every wrapper is recognised by a
 * fixed prefix or suffix and peeled off in place, never by searching the
 * text more than once per wrapper. What is left is one reply: the first
 * line with a code and the lines after it, or, when no line has a code,
 * the whole text, classified from its wording (and from an enhanced code
 * in it, "(#5.1.1)", when there is one).
 *
 * The wrappers (their wording is the MTAs' own, as their bounces print it):
 *   Diagnostic-Code: smtp; ...        RFC 3464 2.3.6, with any type name
 *   <rcpt>: host X[ip] said: ... (in reply to RCPT TO command)   Postfix
 *   host X[ip] refused to talk to me: ...          Postfix, at the greeting
 *   SMTP error from remote mail server after RCPT TO:<rcpt>: host X [ip]:
 *                                                  Exim
 *   Remote host said: ...              qmail ("does not like recipient")
 *   Remote Server returned '...'               Exchange
 *   >>> RCPT To:<rcpt> / <<< 550 ...                Sendmail's transcript
 *   550: 5.1.1 ...                    a colon after the code
 */
#include "smtpprobe/interpreter.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtpprobe/bounce.h"
#include "smtpprobe/sanitize.h"

#define EXPLAIN_BYTES 16384
#define EXPLAIN_LINES 64
#define NAME_MAX_LEN  255 /* a host name or an address kept from a wrapper */

static const char *const stage_labels[] = {
    [ES_NONE] = NULL,		[ES_BANNER] = "banner", [ES_EHLO] = "ehlo",
    [ES_STARTTLS] = "starttls", [ES_AUTH] = "auth",	[ES_MAIL] = "mail",
    [ES_RCPT] = "rcpt",		[ES_DATA] = "data",
};

const char *explain_stage_name(enum explain_stage s)
{
	return (unsigned)s < sizeof stage_labels / sizeof stage_labels[0]
		   ? stage_labels[s]
		   : NULL;
}

/* The dialogue stage whose rules apply, or -1 (DATA has none). */
static int dialogue_stage(enum explain_stage s)
{
	switch (s) {
	case ES_BANNER: return STAGE_BANNER;
	case ES_EHLO: return STAGE_EHLO;
	case ES_STARTTLS: return STAGE_STARTTLS;
	case ES_AUTH: return STAGE_AUTH;
	case ES_MAIL: return STAGE_MAIL;
	case ES_RCPT: return STAGE_RCPT;
	default: return -1;
	}
}

static int lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

/* s starts with prefix, ignoring ASCII case. */
static int starts(const char *s, const char *prefix)
{
	for (; *prefix; s++, prefix++)
		if (lower((unsigned char)*s) != lower((unsigned char)*prefix))
			return 0;
	return 1;
}

/* First occurrence of needle in s, ignoring ASCII case; NULL if none. */
static char *find(char *s, const char *needle)
{
	for (; *s; s++)
		if (starts(s, needle))
			return s;
	return NULL;
}

static char *skip_blank(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static void trim_end(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
}

/* The command a wrapper names, at s: "RCPT TO", "end of DATA", ... */
static enum explain_stage command_stage(const char *s)
{
	s = skip_blank((char *)s);
	if (starts(s, "pipelined "))
		s += 10;
	if (starts(s, "RCPT"))
		return ES_RCPT;
	if (starts(s, "MAIL"))
		return ES_MAIL;
	if (starts(s, "end of data") || starts(s, "DATA") ||
	    starts(s, "BDAT") || starts(s, "end of message"))
		return ES_DATA;
	if (starts(s, "EHLO") || starts(s, "HELO") || starts(s, "LHLO"))
		return ES_EHLO;
	if (starts(s, "STARTTLS"))
		return ES_STARTTLS;
	if (starts(s, "AUTH"))
		return ES_AUTH;
	if (starts(s, "initial connection") || starts(s, "greeting") ||
	    starts(s, "connect"))
		return ES_BANNER;
	return ES_NONE;
}

/* Keep a copy of [s, s+n) as *dst unless one was kept already; n is cut
 * at NAME_MAX_LEN, the bytes are sanitised. */
static void keep_name(char **dst, const char *s, size_t n)
{
	if (*dst || n == 0)
		return;
	if (n > NAME_MAX_LEN)
		n = NAME_MAX_LEN;
	*dst = sanitize_dup(s, n);
}

/* "<addr>" at s: keep addr as the recipient; returns what follows '>'. */
static char *take_angle(char *s, struct explanation *out)
{
	char *end;

	if (*s != '<')
		return s;
	end = strchr(s, '>');
	if (!end)
		return s;
	keep_name(&out->recipient, s + 1, (size_t)(end - s - 1));
	return end + 1;
}

/* "host NAME[IP]" or "host NAME [IP]" at s (after "host "), followed by
 * "said:", "refused to talk to me:" or ':': keeps NAME as the remote MTA
 * and returns what follows the closing ']'; NULL when s is not that
 * ("Host or domain name not found"). */
static char *take_host(char *s, struct explanation *out)
{
	char *name = s, *p = s, *q;

	while (*p && *p != '[' && *p != ' ' && *p != ':')
		p++;
	if (p == name || p - name > NAME_MAX_LEN)
		return NULL;
	q = skip_blank(p);
	if (*q == '[') {
		char *close = strchr(q, ']');
		if (!close)
			return NULL;
		q = skip_blank(close + 1);
	} else if (!starts(q, "said:")) {
		return NULL;
	}
	if (!starts(q, "said:") && !starts(q, "refused to talk to me:") &&
	    *q != ':' && *q)
		return NULL;
	keep_name(&out->remote_mta, name, (size_t)(p - name));
	return q;
}

/* A reply code at s: three digits, 2xx to 5xx (any middle digit: 571 is
 * sent), then ' ', '-', ':' or the end. */
static int code_at(const char *s)
{
	if (s[0] < '2' || s[0] > '5' || !isdigit((unsigned char)s[1]) ||
	    !isdigit((unsigned char)s[2]))
		return 0;
	if (s[3] && s[3] != ' ' && s[3] != '-' && s[3] != ':' && s[3] != '\t')
		return 0;
	return (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
}

/* Starts with a code or an enhanced code: where a wrapper's prefix ends. */
static int reply_starts(const char *s)
{
	char enh[ENHANCED_SIZE];

	return code_at(s) || (isdigit((unsigned char)*s) &&
			      reply_enhanced(s, strlen(s), *s - '0', enh) > 0);
}

/* Postfix's "(in reply to X command)" at the end of line: the stage. */
static void peel_in_reply_to(char *line, struct explanation *out)
{
	char *p = find(line, "(in reply to ");
	char *last = NULL;

	while (p) {
		last = p;
		p = find(p + 1, "(in reply to ");
	}
	if (!last || !strchr(last, ')'))
		return;
	if (out->stage == ES_NONE)
		out->stage = command_stage(last + 13);
	*last = '\0';
	trim_end(line);
}

/* Peel the wrappers of one line (in place); returns where it now starts.
 * Empty when the line was only a wrapper (a Sendmail ">>> command"). */
static char *peel(char *s, struct explanation *out)
{
	char *p;

	/* qmail names the stage on a line of its own. */
	if (out->stage == ES_NONE && find(s, "does not like recipient"))
		out->stage = ES_RCPT;
	if (out->stage == ES_NONE && find(s, "does not like sender"))
		out->stage = ES_MAIL;
	for (int round = 0; round < 8; round++) {
		char *before = s;

		s = skip_blank(s);
		if (*s == '"' || *s == '\'' || *s == '`') {
			/* A quoted reply: drop the quotes. */
			size_t n = strlen(s);
			if (n >= 2 && s[n - 1] == *s)
				s[n - 1] = '\0';
			s++;
		}
		if (starts(s, ">>> ")) {
			if (out->stage == ES_NONE)
				out->stage = command_stage(s + 4);
			s = take_angle(strchr(s, '<') ? strchr(s, '<') : s,
				       out);
			*s = '\0';
			return s;
		}
		if (starts(s, "<<< "))
			s += 4;
		if (starts(s, "Diagnostic-Code:"))
			s = skip_blank(s + 16);
		/* An RFC 3464 diagnostic type: "smtp;", "X-Postfix;". */
		p = s;
		while (isalnum((unsigned char)*p) || *p == '-' || *p == '_')
			p++;
		if (*p == ';' && p > s && p - s <= 32)
			s = skip_blank(p + 1);
		if (starts(s, "Remote Server returned ")) {
			s = skip_blank(s + 23);
		}
		/* Postfix: "<rcpt>: host X[ip] said: ..." or "...: host X[ip]
		 * refused to talk to me: ..."; Exim: "host X [ip]: ...". */
		if (*s == '<' && strchr(s, '>')) {
			p = take_angle(s, out);
			if (*p == ':' || *p == ',') {
				s = skip_blank(p + 1);
			} else if (*p == ' ' &&
				   starts(skip_blank(p), "host ")) {
				s = skip_blank(p);
			}
		}
		if (starts(s, "SMTP error from remote ")) {
			p = find(s, " after ");
			if (p) {
				enum explain_stage es = command_stage(p + 7);
				char *lt = strchr(p, '<');

				if (out->stage == ES_NONE)
					out->stage = es;
				if (es == ES_RCPT && lt)
					take_angle(lt, out);
				/* The wrapper ends at the first colon that a
				 * reply, a "host" or the end follows. */
				for (p = strchr(p, ':'); p;
				     p = strchr(p + 1, ':')) {
					char *q = skip_blank(p + 1);
					if (!*q || reply_starts(q) ||
					    starts(q, "host ")) {
						s = q;
						break;
					}
				}
			}
		}
		if (starts(s, "host ") && (p = take_host(s + 5, out))) {
			if (starts(p, "said:")) {
				s = skip_blank(p + 5);
			} else if (starts(p, "refused to talk to me:")) {
				if (out->stage == ES_NONE)
					out->stage = ES_BANNER;
				s = skip_blank(p + 22);
			} else if (*p == ':') {
				s = skip_blank(p + 1);
			} else if (!*p) {
				s = p; /* Exim's "host X [ip]" line */
			}
		}
		/* qmail: "Remote host said:"; others: "... said: 550 ..." */
		p = find(s, "said:");
		if (p && reply_starts(skip_blank(p + 5)))
			s = skip_blank(p + 5);
		if (s == before)
			break;
	}
	peel_in_reply_to(s, out);
	trim_end(s);
	return s;
}

/* An enhanced code anywhere in codeless text: "(#5.1.1)", "#5.7.1", or a
 * word of its own; not a part of an IP address or a version number. */
static int find_enhanced(const char *s, char out[ENHANCED_SIZE])
{
	for (const char *p = s; *p; p++) {
		size_t n;

		if (!isdigit((unsigned char)*p))
			continue;
		if (p > s && (isalnum((unsigned char)p[-1]) || p[-1] == '.' ||
			      p[-1] == '-' || p[-1] == '/' || p[-1] == ':'))
			continue;
		n = reply_enhanced(p, strlen(p), *p - '0', out);
		if (n == 0) {
			/* reply_enhanced wants a blank after the code;
			 * "(#5.1.1)" ends in a bracket. */
			char tmp[ENHANCED_SIZE];
			size_t k = 0;

			while (k < sizeof tmp - 1 &&
			       (isdigit((unsigned char)p[k]) || p[k] == '.'))
				tmp[k] = p[k], k++;
			tmp[k] = '\0';
			if (p[k] && (isalnum((unsigned char)p[k]) ||
				     p[k] == '.' || p[k] == '-'))
				continue;
			n = reply_enhanced(tmp, k, *p - '0', out);
		}
		if (n > 0)
			return 1;
	}
	out[0] = '\0';
	return 0;
}

static int has_letter(const char *s)
{
	for (; *s; s++)
		if (isalpha((unsigned char)*s))
			return 1;
	return 0;
}

/* The reply's text for the explanation: lines joined, each without the
 * enhanced code it repeats (a bounce carries "5.7.26" on every line),
 * sanitised. NULL when there is no text. */
static char *text_without_codes(const struct reply *r)
{
	size_t enl = strlen(r->enhanced), total = 1, o = 0;
	char *buf, *clean = NULL;

	for (size_t i = 0; i < r->nlines; i++)
		total += r->lines[i].len + 1;
	buf = malloc(total);
	if (!buf)
		return NULL;
	for (size_t i = 0; i < r->nlines; i++) {
		const char *t = r->lines[i].text;
		size_t len = r->lines[i].len;

		if (enl && len >= enl && memcmp(t, r->enhanced, enl) == 0 &&
		    (len == enl || t[enl] == ' ')) {
			t += enl, len -= enl;
		}
		while (len && *t == ' ')
			t++, len--;
		if (len == 0)
			continue;
		if (o)
			buf[o++] = ' ';
		memcpy(buf + o, t, len);
		o += len;
	}
	if (o)
		clean = sanitize_dup(buf, o);
	free(buf);
	return clean;
}

/* Split a copy of arg into lines, folding continuation lines (white space
 * first) into the line before. Returns the number of lines. */
static size_t split_lines(char *buf, char **lines)
{
	size_t n = 0;
	char *p = buf;

	while (*p && n < EXPLAIN_LINES) {
		char *end = strchr(p, '\n');

		if (end)
			*end = '\0';
		if (n > 0 && (*p == ' ' || *p == '\t') && *skip_blank(p)) {
			/* Fold: the previous line continues here. */
			char *prev_end = lines[n - 1] + strlen(lines[n - 1]);
			char *q = skip_blank(p);

			*prev_end++ = ' ';
			memmove(prev_end, q, strlen(q) + 1);
		} else {
			lines[n++] = p;
		}
		if (!end)
			break;
		p = end + 1;
	}
	return n;
}

/* The code of a line and where its text starts ("550-5.1.1 x" -> 550,
 * "5.1.1 x"; "550: x" -> 550, "x"). */
static int line_code(char *line, char **text)
{
	int code = code_at(line);

	*text = line;
	if (!code)
		return 0;
	*text = line + 3;
	if (**text == ' ' || **text == '-' || **text == ':' || **text == '\t')
		(*text)++;
	*text = skip_blank(*text);
	return code;
}

static void pin_class(struct interpretation *in)
{
	if (in->cls == CLASS_SUCCESS)
		in->category = CAT_SUCCESS;
	else if (in->cls == CLASS_INTERMEDIATE)
		in->category = CAT_INTERMEDIATE;
}

static const struct codes_words no_code_words = {
    CAT_UNKNOWN,
    "The text carries no reply code and no wording this table knows.",
    "You act: find the bounce's Diagnostic-Code or the server's reply "
    "line (it starts with a 4xx or 5xx code) and explain that instead."};

/* Codeless text: the class from an enhanced code in it, if any, else
 * none; the category from the wording. */
static void explain_words(const char *text, struct explanation *out)
{
	struct weigh_input in = {0, out->enhanced, CLASS_NONE, text, NULL};
	struct codes_words w;
	enum weigh_source src;

	if (out->enhanced[0])
		in.cls = reply_class_of((out->enhanced[0] - '0') * 100);
	out->in.cls = in.cls;
	src = codes_weigh(&in, &w);
	if (in.cls == CLASS_NONE && src == WEIGH_CLASS)
		w = no_code_words;
	out->in.category = w.category;
	out->in.explanation = w.explanation;
	out->in.remediation = w.remedy;
	pin_class(&out->in);
}

/* Lines from the first one with a code on, as one reply; hint, when
 * given, is the enhanced code to use if the reply has none (a DSN's
 * Status: field). */
static int explain_reply(char **lines, size_t n, size_t first, int code,
			 const char *hint, struct explanation *out)
{
	struct reply *r = calloc(1, sizeof *r);
	int st = dialogue_stage(out->stage);

	if (!r)
		return -1;
	r->code = code;
	for (size_t i = first; i < n; i++) {
		char *text;
		int c = line_code(lines[i], &text);

		if (!*text && !c)
			continue;
		if (r->nlines == 0) {
			if (reply_enhanced(text, strlen(text), code / 100,
					   r->enhanced) == 0)
				r->enhanced[0] = '\0';
			if (!r->enhanced[0] && hint &&
			    hint[0] - '0' == code / 100)
				snprintf(r->enhanced, sizeof r->enhanced, "%s",
					 hint);
		}
		if (reply_add_line(r, text, strlen(text)) < 0)
			break;
	}
	out->code = code;
	memcpy(out->enhanced, r->enhanced, sizeof out->enhanced);
	if (st >= 0)
		interpret_reply((enum stage)st, r, &out->in);
	else
		interpret_reply_nostage(r, &out->in);
	out->text = text_without_codes(r);
	reply_free(r);
	return 0;
}

static int explain_text(char **lines, size_t n, const char *hint,
			struct explanation *out)
{
	size_t total = 1, o = 0;
	char *joined, *text;

	for (size_t i = 0; i < n; i++)
		total += strlen(lines[i]) + 1;
	joined = malloc(total);
	if (!joined)
		return -1;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(lines[i]);

		if (!len)
			continue;
		if (o)
			joined[o++] = ' ';
		memcpy(joined + o, lines[i], len);
		o += len;
	}
	joined[o] = '\0';
	text = joined;
	if (find_enhanced(joined, out->enhanced) &&
	    starts(joined, out->enhanced))
		text = skip_blank(joined + strlen(out->enhanced));
	if (!out->enhanced[0] && hint)
		snprintf(out->enhanced, sizeof out->enhanced, "%s", hint);
	if (!out->enhanced[0] && !has_letter(joined)) {
		free(joined);
		return -1;
	}
	explain_words(*text ? text : NULL, out);
	if (*text)
		out->text = sanitize_dup(text, strlen(text));
	free(joined);
	return 0;
}

static int explain_hinted(const char *arg, const char *hint,
			  struct explanation *out)
{
	size_t len = strnlen(arg, EXPLAIN_BYTES), n, first;
	char *buf, *lines[EXPLAIN_LINES];
	int rc = -1, code = 0;

	memset(out, 0, sizeof *out);
	buf = malloc(len * 2 + 2);
	if (!buf)
		return -1;
	/* Line ends become LF; tabs become spaces; other control bytes and
	 * NUL cannot occur in a C string (NUL) or mean nothing here. The
	 * doubled size leaves room for folding, which only shortens. */
	{
		size_t o = 0;
		for (size_t i = 0; i < len; i++) {
			unsigned char c = (unsigned char)arg[i];
			if (c == '\r')
				c = '\n';
			else if (c == '\t')
				c = ' ';
			buf[o++] = (char)c;
		}
		buf[o] = '\0';
	}
	n = split_lines(buf, lines);
	for (size_t i = 0; i < n; i++)
		lines[i] = peel(lines[i], out);
	for (first = 0; first < n; first++) {
		char *text;

		code = line_code(lines[first], &text);
		if (code)
			break;
	}
	if (code) {
		rc = explain_reply(lines, n, first, code, hint, out);
	} else {
		rc = explain_text(lines, n, hint, out);
	}
	free(buf);
	if (rc < 0)
		explanation_free(out);
	return rc;
}

int explain_parse(const char *arg, struct explanation *out)
{
	return explain_hinted(arg, NULL, out);
}

/* A valid enhanced code ("5.1.1"), or NULL. */
static const char *valid_status(const char *s)
{
	char tmp[ENHANCED_SIZE];

	if (!s || !isdigit((unsigned char)s[0]))
		return NULL;
	return reply_enhanced(s, strlen(s), s[0] - '0', tmp) == strlen(s)
		   ? s
		   : NULL;
}

int explain_bounce(const struct bounce_recipient *r, struct explanation *out)
{
	const char *status = valid_status(r->status);
	int rc = -1;

	if (r->diagnostic)
		rc = explain_hinted(r->diagnostic, status, out);
	if (rc < 0 && status)
		rc = explain_hinted(status, NULL, out);
	if (rc < 0) {
		/* Nothing to read: the class alone. */
		memset(out, 0, sizeof *out);
		out->in.cls = CLASS_NONE;
		out->in.category = no_code_words.category;
		out->in.explanation = no_code_words.explanation;
		out->in.remediation = no_code_words.remedy;
	}
	if (r->addr[0]) {
		free(out->recipient);
		out->recipient = sanitize_dup(r->addr, strlen(r->addr));
	}
	if (r->remote_mta[0]) {
		free(out->remote_mta);
		out->remote_mta =
		    sanitize_dup(r->remote_mta, strlen(r->remote_mta));
	}
	return 0;
}

void explanation_free(struct explanation *e)
{
	free(e->text);
	free(e->recipient);
	free(e->remote_mta);
	e->text = NULL;
	e->recipient = NULL;
	e->remote_mta = NULL;
}
