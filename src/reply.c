/*
 * reply.c - see reply.h. Lines are checked where they enter: length cap,
 * code digits, separator, same code on every line of a reply, line and
 * byte counts. Text is kept raw (with its length); sanitising is for
 * whoever prints it.
 */
#include "smtpprobe/reply.h"

#include <stdlib.h>
#include <string.h>

void rp_init(struct reply_parser *p)
{
	p->linelen = 0;
	p->cur = NULL;
	p->bytes = 0;
	p->error = RPE_NONE;
}

void rp_reset(struct reply_parser *p)
{
	reply_free(p->cur);
	rp_init(p);
}

void reply_free(struct reply *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nlines; i++)
		free(r->lines[i].text);
	free(r->lines);
	free(r);
}

static int add_line(struct reply *r, const char *text, size_t len)
{
	struct reply_line *nl;
	char *copy;

	/* Grow by doubling, from 4; the line cap keeps this small. */
	if ((r->nlines & (r->nlines - 1)) == 0 || r->nlines < 4) {
		size_t cap = r->nlines < 4 ? 4 : r->nlines * 2;
		nl = realloc(r->lines, cap * sizeof *nl);
		if (!nl)
			return -1;
		r->lines = nl;
	}
	copy = malloc(len + 1);
	if (!copy)
		return -1;
	memcpy(copy, text, len);
	copy[len] = '\0';
	r->lines[r->nlines].text = copy;
	r->lines[r->nlines].len = len;
	r->nlines++;
	return 0;
}

int reply_add_line(struct reply *r, const char *text, size_t len)
{
	if (r->nlines >= REPLY_LINES_CAP)
		return -1;
	return add_line(r, text, len > REPLY_LINE_CAP ? REPLY_LINE_CAP : len);
}

struct reply *reply_dup(const struct reply *r)
{
	struct reply *d = calloc(1, sizeof *d);

	if (!d)
		return NULL;
	d->code = r->code;
	memcpy(d->enhanced, r->enhanced, sizeof d->enhanced);
	d->flags = r->flags;
	for (size_t i = 0; i < r->nlines; i++) {
		if (add_line(d, r->lines[i].text, r->lines[i].len) < 0) {
			reply_free(d);
			return NULL;
		}
	}
	return d;
}

char *reply_join(const struct reply *r)
{
	size_t total = 1, o = 0;
	char *s;

	for (size_t i = 0; i < r->nlines; i++)
		total += r->lines[i].len + 1;
	s = malloc(total);
	if (!s)
		return NULL;
	for (size_t i = 0; i < r->nlines; i++) {
		if (i > 0)
			s[o++] = ' ';
		for (size_t k = 0; k < r->lines[i].len; k++) {
			char c = r->lines[i].text[k];
			s[o++] = c ? c : ' ';
		}
	}
	s[o] = '\0';
	return s;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Parse "N.NNN.NNN" at text; returns its length or 0. *cls gets N. */
static size_t enhanced_syntax(const char *t, size_t len, int *cls)
{
	size_t i = 0;

	if (len < 5 || !is_digit(t[0]) || t[1] != '.')
		return 0;
	*cls = t[0] - '0';
	i = 2;
	for (int part = 0; part < 2; part++) {
		size_t start = i;
		while (i < len && is_digit(t[i]) && i - start < 3)
			i++;
		if (i == start)
			return 0;
		if (part == 0) {
			if (i >= len || t[i] != '.')
				return 0;
			i++;
		}
	}
	if (i < len && t[i] != ' ' && t[i] != '\t')
		return 0;
	return i;
}

size_t reply_enhanced(const char *text, size_t len, int want_class,
		      char out[16])
{
	int cls;
	size_t n = enhanced_syntax(text, len, &cls);

	if (n == 0 || cls != want_class || (cls != 2 && cls != 4 && cls != 5))
		return 0;
	memcpy(out, text, n);
	out[n] = '\0';
	return n;
}

/* Set the enhanced code from the first line's text, or flag it ignored. */
static void take_enhanced(struct reply *r, const char *text, size_t len)
{
	if (reply_enhanced(text, len, r->code / 100, r->enhanced) > 0)
		return;
	/* Something that looks like an attempt ("5.1", or "5.1.1" of
	 * another class than the reply's): noted, and not used. */
	if (len >= 2 && is_digit(text[0]) && text[1] == '.')
		r->flags |= REPLY_F_ENH_IGNORED;
}

static enum rp_status fail(struct reply_parser *p, enum rp_error e)
{
	p->error = e;
	return RP_ERROR;
}

/* One complete line (without its line end) has arrived. */
static enum rp_status parse_line(struct reply_parser *p, const char *l,
				 size_t len, size_t wire_len, int bare_lf)
{
	struct reply *r = p->cur;
	int code, final;

	if (!r) {
		r = p->cur = calloc(1, sizeof *r);
		if (!r)
			return fail(p, RPE_TOO_MANY_BYTES);
	}
	/* The cap first: no path below may keep a line past it. */
	if (r->nlines >= REPLY_LINES_CAP)
		return fail(p, RPE_TOO_MANY_LINES);
	if (len < 3) {
		add_line(r, l, len);
		return fail(p, RPE_SHORT_LINE);
	}
	if (l[0] < '2' || l[0] > '5' || l[1] < '0' || l[1] > '5' ||
	    !is_digit(l[2])) {
		add_line(r, l, len);
		return fail(p, RPE_BAD_CODE);
	}
	code = (l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0');
	if (len == 3) {
		final = 1; /* bare "250": tolerated as a final line */
	} else if (l[3] == ' ') {
		final = 1;
	} else if (l[3] == '-') {
		final = 0;
	} else {
		add_line(r, l, len);
		return fail(p, RPE_BAD_SEPARATOR);
	}
	if (r->nlines > 0 && r->code != code) {
		/* A bare "550" has no text: len - 4 would wrap around. */
		add_line(r, len > 3 ? l + 4 : "", len > 3 ? len - 4 : 0);
		return fail(p, RPE_CODE_MISMATCH);
	}
	r->code = code;
	if (wire_len > REPLY_LINE_RFC)
		r->flags |= REPLY_F_LONG_LINE;
	if (bare_lf)
		r->flags |= REPLY_F_BARE_LF;
	if (memchr(l, '\0', len))
		r->flags |= REPLY_F_NUL;
	if (add_line(r, len > 3 ? l + 4 : "", len > 3 ? len - 4 : 0) < 0)
		return fail(p, RPE_TOO_MANY_BYTES);
	if (r->nlines == 1)
		take_enhanced(r, r->lines[0].text, r->lines[0].len);
	return final ? RP_REPLY : RP_MORE;
}

static void keep_partial_line(struct reply_parser *p);

size_t rp_feed(struct reply_parser *p, const char *buf, size_t len,
	       enum rp_status *st)
{
	size_t i = 0;

	*st = p->error ? RP_ERROR : RP_MORE;
	if (p->error)
		return 0;
	while (i < len) {
		char c = buf[i++];

		if (++p->bytes > REPLY_BYTES_CAP) {
			*st = fail(p, RPE_TOO_MANY_BYTES);
			return i;
		}
		if (c != '\n') {
			if (p->linelen >= sizeof p->line) {
				keep_partial_line(p);
				p->linelen = 0;
				*st = fail(p, RPE_LINE_TOO_LONG);
				return i;
			}
			p->line[p->linelen++] = c;
			continue;
		}
		/* A line end: LF, with the CR before it if there is one. */
		size_t wire = p->linelen + 1;
		int bare = !(p->linelen > 0 && p->line[p->linelen - 1] == '\r');
		size_t n = bare ? p->linelen : p->linelen - 1;

		p->linelen = 0;
		*st = parse_line(p, p->line, n, wire, bare);
		if (*st != RP_MORE)
			return i;
	}
	return i;
}

struct reply *rp_take(struct reply_parser *p)
{
	struct reply *r = p->cur;

	p->cur = NULL;
	p->bytes = 0;
	return r;
}

/* Keep an incomplete line (cut by the cap or by the close) in the partial
 * reply like any other line: without its "NNN-" prefix when it has one
 * that fits the reply, raw otherwise. */
static void keep_partial_line(struct reply_parser *p)
{
	const char *l = p->line;
	size_t len = p->linelen;

	if (!p->cur)
		p->cur = calloc(1, sizeof *p->cur);
	if (!p->cur || p->cur->nlines >= REPLY_LINES_CAP)
		return;
	if (len >= 4 && l[0] >= '2' && l[0] <= '5' && l[1] >= '0' &&
	    l[1] <= '5' && is_digit(l[2]) && (l[3] == ' ' || l[3] == '-')) {
		int code =
		    (l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0');
		if (p->cur->nlines == 0 || p->cur->code == code) {
			p->cur->code = code;
			l += 4, len -= 4;
		}
	}
	add_line(p->cur, l, len);
}

void rp_finish(struct reply_parser *p)
{
	if (p->linelen == 0)
		return;
	keep_partial_line(p);
	p->linelen = 0;
}

int rp_pending(const struct reply_parser *p)
{
	return p->linelen > 0 || p->cur != NULL;
}

const char *rp_error_text(enum rp_error e)
{
	switch (e) {
	case RPE_NONE: return "no error";
	case RPE_LINE_TOO_LONG: return "reply line longer than the cap";
	case RPE_TOO_MANY_LINES: return "reply with more lines than the cap";
	case RPE_TOO_MANY_BYTES: return "reply longer than the cap";
	case RPE_SHORT_LINE: return "reply line too short to hold a code";
	case RPE_BAD_CODE: return "reply line without a valid 2xx-5xx code";
	case RPE_BAD_SEPARATOR:
		return "reply code followed by neither space nor hyphen";
	case RPE_CODE_MISMATCH:
		return "lines of one reply carry different codes";
	}
	return "unknown error";
}

struct reply *reply_parse_text(const char *text, enum rp_error *err)
{
	size_t len = strlen(text), o = 0, used = 0;
	char *buf = malloc(len * 2 + 3);
	struct reply_parser rp;
	enum rp_status st = RP_MORE;
	struct reply *r;

	if (err)
		*err = RPE_NONE;
	if (!buf)
		return NULL;
	/* Wire form: every line ends in CRLF, the last one too. */
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\r')
			continue;
		if (text[i] == '\n')
			buf[o++] = '\r';
		buf[o++] = text[i];
	}
	if (o == 0 || buf[o - 1] != '\n') {
		buf[o++] = '\r';
		buf[o++] = '\n';
	}
	rp_init(&rp);
	while (used < o && st == RP_MORE) {
		size_t n = rp_feed(&rp, buf + used, o - used, &st);
		if (n == 0)
			break;
		used += n;
	}
	if (err)
		*err = rp.error;
	r = rp_take(&rp);
	rp_reset(&rp);
	free(buf);
	if (r && r->code == 0) {
		reply_free(r);
		r = NULL;
	}
	return r;
}
