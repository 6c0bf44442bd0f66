/*
 * batch_reader.c - see batch_reader.h. The input is read one octet at a
 * time through take(), so that where the chunks are cut never changes a
 * line; the line is kept in a fixed buffer, and what does not fit is
 * only looked at (for '#', NUL and the line end), never stored.
 */
#include "smtpprobe/batch_reader.h"

#include <string.h>

/* The UTF-8 encoding of U+FEFF (RFC 3629 6). */
static const unsigned char BOM[3] = {0xef, 0xbb, 0xbf};

static int blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static void reset_line(struct batch_reader *r)
{
	r->len = 0;
	r->overflow = 0;
	r->nul = 0;
	r->first = -1;
	r->any = 0;
	r->yielded = 0;
}

void batch_reader_init(struct batch_reader *r)
{
	memset(r, 0, sizeof *r);
	reset_line(r);
}

int batch_reader_feed(struct batch_reader *r, const void *buf, size_t n)
{
	if (r->in_off < r->in_len || r->eof)
		return -1;
	r->in = buf;
	r->in_len = n;
	r->in_off = 0;
	return 0;
}

void batch_reader_eof(struct batch_reader *r)
{
	r->eof = 1;
}

unsigned long batch_reader_lines(const struct batch_reader *r)
{
	return r->line;
}

/* One octet of line content. */
static void add(struct batch_reader *r, unsigned char c)
{
	r->any = 1;
	if (c == '\0')
		r->nul = 1;
	if (r->first < 0 && !blank(c))
		r->first = c;
	/* BATCH_LINE_MAX octets and a CR that may belong to CRLF. */
	if (r->len < BATCH_LINE_MAX + 1)
		r->buf[r->len++] = (char)c;
	else
		r->overflow = 1;
}

/* The octets of a BOM matched so far turned out not to be one: they are
 * content. */
static void bom_give_back(struct batch_reader *r)
{
	unsigned held = r->bom;

	r->bom_done = 1;
	r->bom = 0;
	for (unsigned i = 0; i < held; i++)
		add(r, BOM[i]);
}

/* A physical line has ended: 1 with *out set, 0 if it is skipped. */
static int end_line(struct batch_reader *r, struct batch_line *out)
{
	size_t start = 0, len = r->len;
	int too_long;

	r->line++;
	if (r->first < 0 || r->first == '#')
		return 0;
	if (!r->overflow && len > 0 && r->buf[len - 1] == '\r')
		len--;
	too_long = r->overflow || len > BATCH_LINE_MAX;
	if (len > BATCH_LINE_MAX)
		len = BATCH_LINE_MAX;
	while (start < len && blank((unsigned char)r->buf[start]))
		start++;
	while (len > start && blank((unsigned char)r->buf[len - 1]))
		len--;
	r->buf[len] = '\0';
	out->input_line = r->line;
	out->text = r->buf + start;
	out->len = len - start;
	out->flags =
	    (too_long ? BATCH_TOO_LONG : 0u) | (r->nul ? BATCH_NUL : 0u);
	r->yielded = 1;
	return 1;
}

/* One octet of input: 1 if it ended a line worth yielding. */
static int take(struct batch_reader *r, unsigned char c, struct batch_line *out)
{
	if (!r->bom_done) {
		if (c == BOM[r->bom]) {
			if (++r->bom == sizeof BOM) {
				/* Dropped: a BOM is no part of line 1. */
				r->bom = 0;
				r->bom_done = 1;
			}
			return 0;
		}
		bom_give_back(r);
	}
	if (c != '\n') {
		add(r, c);
		return 0;
	}
	if (end_line(r, out))
		return 1;
	reset_line(r);
	return 0;
}

int batch_reader_next(struct batch_reader *r, struct batch_line *out)
{
	if (r->yielded)
		reset_line(r);
	while (r->in_off < r->in_len)
		if (take(r, r->in[r->in_off++], out))
			return 1;
	if (!r->eof || r->finished)
		return 0;
	r->finished = 1;
	if (!r->bom_done)
		bom_give_back(r);
	if (r->any && end_line(r, out))
		return 1;
	reset_line(r);
	return 0;
}
