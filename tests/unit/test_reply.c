/*
 * test_reply.c - proves the reply push parser (reply.h) gives the same
 * result however the bytes are split: every input below is fed whole, in
 * two parts at every split point, and one byte at a time, and the replies,
 * flags, errors and bytes consumed must be identical. It also proves the
 * framing rules of tests/hostile-inputs.md rows 9-17: enhanced codes kept only within
 * their class, bare LF noted, lone CR not a line end, NUL kept by length,
 * malformed codes and separators refused, every cap enforced with bounded
 * consumption, and nothing consumed after an error.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "smtpprobe/reply.h"

/* A string literal with its length, NUL bytes included. */
#define S(x) x, sizeof(x) - 1

#define MAX_REPLIES 8

/* Everything observable about feeding one input to a fresh parser. */
struct run {
	struct reply *rep[MAX_REPLIES];
	size_t end[MAX_REPLIES]; /* bytes consumed when each completed */
	size_t n;
	struct reply *partial; /* what rp_take gave after RP_ERROR */
	enum rp_error err;
	size_t consumed;
	int pending; /* rp_pending at the end */
};

static void run_free(struct run *r)
{
	for (size_t i = 0; i < r->n; i++)
		reply_free(r->rep[i]);
	reply_free(r->partial);
	memset(r, 0, sizeof *r);
}

/* Feed in[a..b) the way a caller must: take each reply, feed the rest.
 * Returns 0 when an error stopped the parser. */
static int feed_chunk(struct reply_parser *p, struct run *out, const char *in,
		      size_t a, size_t b)
{
	size_t off = a;

	while (off < b) {
		enum rp_status st;
		size_t c = rp_feed(p, in + off, b - off, &st);

		assert_true(c <= b - off);
		off += c;
		out->consumed = off;
		if (st == RP_MORE) {
			assert_int_equal(off, b);
		} else if (st == RP_REPLY) {
			assert_true(out->n < MAX_REPLIES);
			out->end[out->n] = off;
			out->rep[out->n++] = rp_take(p);
			assert_non_null(out->rep[out->n - 1]);
		} else {
			out->err = p->error;
			assert_int_not_equal(out->err, RPE_NONE);
			out->partial = rp_take(p);
			/* After RP_ERROR nothing more is consumed. */
			c = rp_feed(p, in + off, b - off, &st);
			assert_int_equal(c, 0);
			assert_int_equal(st, RP_ERROR);
			return 0;
		}
	}
	return 1;
}

/* Feed in[0..n) in chunks ending at cuts[0..ncuts) and at n. */
static void run_cuts(struct run *out, const char *in, size_t n,
		     const size_t *cuts, size_t ncuts)
{
	struct reply_parser p;
	size_t a = 0;

	memset(out, 0, sizeof *out);
	rp_init(&p);
	for (size_t i = 0; i <= ncuts; i++) {
		size_t b = i < ncuts ? cuts[i] : n;

		if (!feed_chunk(&p, out, in, a, b))
			break;
		a = b;
	}
	out->pending = rp_pending(&p);
	rp_reset(&p);
}

static void assert_reply_equal(const struct reply *x, const struct reply *y)
{
	if (!x || !y) {
		assert_ptr_equal(x, y);
		return;
	}
	assert_int_equal(x->code, y->code);
	assert_string_equal(x->enhanced, y->enhanced);
	assert_int_equal(x->flags, y->flags);
	assert_int_equal(x->nlines, y->nlines);
	for (size_t i = 0; i < x->nlines; i++) {
		assert_int_equal(x->lines[i].len, y->lines[i].len);
		assert_memory_equal(x->lines[i].text, y->lines[i].text,
				    x->lines[i].len + 1);
	}
}

static void assert_run_equal(const struct run *x, const struct run *y)
{
	assert_int_equal(x->n, y->n);
	for (size_t i = 0; i < x->n; i++) {
		assert_reply_equal(x->rep[i], y->rep[i]);
		assert_int_equal(x->end[i], y->end[i]);
	}
	assert_reply_equal(x->partial, y->partial);
	assert_int_equal(x->err, y->err);
	assert_int_equal(x->consumed, y->consumed);
	assert_int_equal(x->pending, y->pending);
}

/* Feed in whole into *whole (the caller frees it), then at every split
 * point (every 97th for long inputs) and one byte at a time, and check
 * each gives the same result. */
static void run_all_splits(struct run *whole, const char *in, size_t n)
{
	struct run other;
	size_t step = n > 4096 ? 97 : 1;
	size_t *cuts;

	run_cuts(whole, in, n, NULL, 0);
	for (size_t k = 0; k <= n; k += step) {
		run_cuts(&other, in, n, &k, 1);
		assert_run_equal(whole, &other);
		run_free(&other);
	}
	cuts = malloc((n + 1) * sizeof *cuts);
	assert_non_null(cuts);
	for (size_t k = 1; k < n; k++)
		cuts[k - 1] = k;
	run_cuts(&other, in, n, cuts, n > 0 ? n - 1 : 0);
	assert_run_equal(whole, &other);
	run_free(&other);
	free(cuts);
}

static void assert_line(const struct reply *r, size_t i, const char *text,
			size_t len)
{
	assert_true(i < r->nlines);
	assert_int_equal(r->lines[i].len, len);
	assert_memory_equal(r->lines[i].text, text, len);
	assert_int_equal(r->lines[i].text[len], '\0');
}

/* ---- the table: valid and malformed input, every split point ---- */

struct rcase {
	const char *in;
	size_t len;
	size_t nreplies;
	enum rp_error err;
	int code;	 /* of the first reply, else of the partial one */
	const char *enh; /* of the first reply */
	unsigned flags;	 /* of the first reply */
	size_t nlines;	 /* of the first reply */
};

static const struct rcase cases[] = {
    {S("220 mx.test ESMTP ready\r\n"), 1, RPE_NONE, 220, "", 0, 1},
    {S("250-mx.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
       "250 STARTTLS\r\n"),
     1, RPE_NONE, 250, "", 0, 4},
    {S("250 2.1.0 Ok\r\n"), 1, RPE_NONE, 250, "2.1.0", 0, 1},
    {S("550 5.1.1 x\r\n"), 1, RPE_NONE, 550, "5.1.1", 0, 1},
    {S("451 4.7.1\r\n"), 1, RPE_NONE, 451, "4.7.1", 0, 1},
    {S("451 4.7.1 greylisted\r\n"), 1, RPE_NONE, 451, "4.7.1", 0, 1},
    {S("250 2.0.0\tok\r\n"), 1, RPE_NONE, 250, "2.0.0", 0, 1},
    {S("553 5.123.456 x\r\n"), 1, RPE_NONE, 553, "5.123.456", 0, 1},
    {S("250 5.1.1 x\r\n"), 1, RPE_NONE, 250, "", REPLY_F_ENH_IGNORED, 1},
    {S("550 5.1\r\n"), 1, RPE_NONE, 550, "", REPLY_F_ENH_IGNORED, 1},
    {S("550 4.1.1 x\r\n"), 1, RPE_NONE, 550, "", REPLY_F_ENH_IGNORED, 1},
    {S("250 2.0.0Ok\r\n"), 1, RPE_NONE, 250, "", REPLY_F_ENH_IGNORED, 1},
    {S("500 5.5.1234 x\r\n"), 1, RPE_NONE, 500, "", REPLY_F_ENH_IGNORED, 1},
    {S("550-5.1.1 first\r\n550 5.1.1 second\r\n"), 1, RPE_NONE, 550, "5.1.1", 0,
     2},
    {S("250 ok\n"), 1, RPE_NONE, 250, "", REPLY_F_BARE_LF, 1},
    {S("250-a\n250-b\r\n250 c\r\n"), 1, RPE_NONE, 250, "", REPLY_F_BARE_LF, 3},
    {S("250 a\rb\r\n"), 1, RPE_NONE, 250, "", 0, 1},
    {S("250 a\rb\r250 c\r\n"), 1, RPE_NONE, 250, "", 0, 1},
    {S("250 a\0b\r\n"), 1, RPE_NONE, 250, "", REPLY_F_NUL, 1},
    {S("250\r\n"), 1, RPE_NONE, 250, "", 0, 1},
    {S("250-a\r\n250\r\n"), 1, RPE_NONE, 250, "", 0, 2},
    {S("354 go ahead\r\n"), 1, RPE_NONE, 354, "", 0, 1},
    {S("221 2.0.0 Bye\r\n"), 1, RPE_NONE, 221, "2.0.0", 0, 1},
    {S("250 ok\r\n550 5.1.1 no\r\n"), 2, RPE_NONE, 250, "", 0, 1},
    {S("250 ok\r\n250-partial"), 1, RPE_NONE, 250, "", 0, 1},
    {S("250-a\r\n250-b"), 0, RPE_NONE, 0, "", 0, 0},
    {S("25\r\n"), 0, RPE_SHORT_LINE, 0, "", 0, 0},
    {S("\r\n"), 0, RPE_SHORT_LINE, 0, "", 0, 0},
    {S("250-a\r\n25\r\n"), 0, RPE_SHORT_LINE, 250, "", 0, 0},
    {S("000 x\r\n"), 0, RPE_BAD_CODE, 0, "", 0, 0},
    {S("600 x\r\n"), 0, RPE_BAD_CODE, 0, "", 0, 0},
    {S("2x0 x\r\n"), 0, RPE_BAD_CODE, 0, "", 0, 0},
    {S("199 x\r\n"), 0, RPE_BAD_CODE, 0, "", 0, 0},
    {S("260 x\r\n"), 0, RPE_BAD_CODE, 0, "", 0, 0},
    {S("\x1b[2J\r\n"), 0, RPE_BAD_CODE, 0, "", 0, 0},
    {S("250 ok\r\n\x1b[2J\r\n"), 1, RPE_BAD_CODE, 250, "", 0, 1},
    {S("250\tok\r\n"), 0, RPE_BAD_SEPARATOR, 0, "", 0, 0},
    {S("2500 ok\r\n"), 0, RPE_BAD_SEPARATOR, 0, "", 0, 0},
    {S("250-a\r\n550 b\r\n"), 0, RPE_CODE_MISMATCH, 250, "", 0, 0},
    {S("250-a\r\n550\r\n"), 0, RPE_CODE_MISMATCH, 250, "", 0, 0},
    {S("250-a\r\n550-\r\n"), 0, RPE_CODE_MISMATCH, 250, "", 0, 0},
};

static void test_table_every_split(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct rcase *c = &cases[i];
		struct run r;

		print_message("case %zu\n", i);
		run_all_splits(&r, c->in, c->len);
		assert_int_equal(r.n, c->nreplies);
		assert_int_equal(r.err, c->err);
		if (c->err != RPE_NONE) {
			assert_true(r.consumed <= c->len);
			assert_non_null(r.partial);
			if (c->nreplies == 0)
				assert_int_equal(r.partial->code, c->code);
		} else {
			assert_int_equal(r.consumed, c->len);
		}
		if (c->nreplies > 0) {
			assert_int_equal(r.rep[0]->code, c->code);
			assert_string_equal(r.rep[0]->enhanced, c->enh);
			assert_int_equal(r.rep[0]->flags, c->flags);
			assert_int_equal(r.rep[0]->nlines, c->nlines);
		}
		run_free(&r);
	}
}

/* ---- details ---- */

static void test_multiline_lines(void **state)
{
	struct run r;

	(void)state;
	run_all_splits(&r, S("250-mx.test greets you\r\n250-PIPELINING\r\n"
			     "250-SIZE 10240000\r\n250 STARTTLS\r\n"));
	assert_int_equal(r.n, 1);
	assert_line(r.rep[0], 0, S("mx.test greets you"));
	assert_line(r.rep[0], 1, S("PIPELINING"));
	assert_line(r.rep[0], 2, S("SIZE 10240000"));
	assert_line(r.rep[0], 3, S("STARTTLS"));
	assert_false(r.pending);
	run_free(&r);
}

static void test_two_replies_in_one_buffer(void **state)
{
	static const char in[] = "250 ok\r\n550 5.1.1 no such user\r\n";
	struct reply_parser p;
	enum rp_status st;
	struct reply *r;
	size_t c;

	(void)state;
	rp_init(&p);
	c = rp_feed(&p, in, sizeof in - 1, &st);
	assert_int_equal(st, RP_REPLY);
	assert_int_equal(c, strlen("250 ok\r\n"));
	r = rp_take(&p);
	assert_int_equal(r->code, 250);
	reply_free(r);
	assert_false(rp_pending(&p));
	c += rp_feed(&p, in + c, sizeof in - 1 - c, &st);
	assert_int_equal(st, RP_REPLY);
	assert_int_equal(c, sizeof in - 1);
	r = rp_take(&p);
	assert_int_equal(r->code, 550);
	assert_string_equal(r->enhanced, "5.1.1");
	assert_line(r, 0, S("5.1.1 no such user"));
	reply_free(r);
	rp_reset(&p);
}

static void test_bare_lf_and_lone_cr(void **state)
{
	struct run r;

	(void)state;
	run_all_splits(&r, S("250 a\rb\r\n"));
	assert_line(r.rep[0], 0, S("a\rb"));
	assert_int_equal(r.rep[0]->flags & REPLY_F_BARE_LF, 0);
	run_free(&r);

	/* A lone CR does not end the line, so "250 c" is still text. */
	run_all_splits(&r, S("250 a\r250 c\n"));
	assert_int_equal(r.n, 1);
	assert_line(r.rep[0], 0, S("a\r250 c"));
	assert_true(r.rep[0]->flags & REPLY_F_BARE_LF);
	run_free(&r);
}

static void test_nul_kept_by_length(void **state)
{
	struct run r;

	(void)state;
	run_all_splits(&r, S("250 a\0b\0\r\n"));
	assert_true(r.rep[0]->flags & REPLY_F_NUL);
	assert_line(r.rep[0], 0, S("a\0b\0"));
	run_free(&r);
}

static void test_bare_code(void **state)
{
	struct run r;

	(void)state;
	run_all_splits(&r, S("250\r\n"));
	assert_int_equal(r.rep[0]->code, 250);
	assert_line(r.rep[0], 0, S(""));
	run_free(&r);
	run_all_splits(&r, S("25\r\n"));
	assert_int_equal(r.err, RPE_SHORT_LINE);
	assert_int_equal(r.partial->code, 0);
	run_free(&r);
}

static void test_code_mismatch_partial(void **state)
{
	struct run r;

	(void)state;
	run_all_splits(&r, S("250-a\r\n550 b\r\n250 c\r\n"));
	assert_int_equal(r.err, RPE_CODE_MISMATCH);
	assert_int_equal(r.consumed, strlen("250-a\r\n550 b\r\n"));
	assert_int_equal(r.partial->code, 250);
	assert_line(r.partial, 0, S("a"));
	assert_line(r.partial, 1, S("b"));
	run_free(&r);
	/* A bare mismatching code: no text to keep, nothing read past. */
	run_all_splits(&r, S("250-a\r\n550\r\n"));
	assert_int_equal(r.err, RPE_CODE_MISMATCH);
	assert_line(r.partial, 1, S(""));
	run_free(&r);
}

/* "250 " + fill x's + CRLF */
static char *make_line(size_t fill, const char *end, size_t *n)
{
	size_t el = strlen(end);
	char *s = malloc(4 + fill + el);

	assert_non_null(s);
	memcpy(s, "250 ", 4);
	memset(s + 4, 'x', fill);
	memcpy(s + 4 + fill, end, el);
	*n = 4 + fill + el;
	return s;
}

static void test_long_line_flagged(void **state)
{
	/* RFC 5321: 512 octets including CRLF is the most allowed. */
	static const struct {
		size_t fill;
		unsigned flag;
	} t[] = {
	    {REPLY_LINE_RFC - 6, 0},
	    {REPLY_LINE_RFC - 5, REPLY_F_LONG_LINE},
	    {600, REPLY_F_LONG_LINE},
	    {REPLY_LINE_CAP - 6, REPLY_F_LONG_LINE},
	};
	(void)state;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		size_t n;
		char *s = make_line(t[i].fill, "\r\n", &n);
		struct run r;

		run_all_splits(&r, s, n);
		assert_int_equal(r.n, 1);
		assert_int_equal(r.rep[0]->flags, t[i].flag);
		assert_int_equal(r.rep[0]->lines[0].len, t[i].fill);
		run_free(&r);
		free(s);
	}
}

static void test_line_cap(void **state)
{
	struct reply_parser p;
	enum rp_status st;
	size_t n, c;
	char *s;
	struct run r;

	(void)state;
	/* REPLY_LINE_CAP bytes before the LF (CR included) still parse. */
	s = make_line(REPLY_LINE_CAP - 5, "\r\n", &n);
	run_all_splits(&r, s, n);
	assert_int_equal(r.n, 1);
	assert_true(r.rep[0]->flags & REPLY_F_LONG_LINE);
	run_free(&r);
	free(s);

	/* One more byte and the line is refused. */
	s = make_line(REPLY_LINE_CAP - 4, "\r\n", &n);
	run_all_splits(&r, s, n);
	assert_int_equal(r.err, RPE_LINE_TOO_LONG);
	assert_int_equal(r.consumed, REPLY_LINE_CAP + 1);
	run_free(&r);
	free(s);

	/* Megabytes without a line end: stop at the cap. */
	s = make_line(4 * REPLY_LINE_CAP, "", &n);
	run_all_splits(&r, s, n);
	assert_int_equal(r.err, RPE_LINE_TOO_LONG);
	assert_true(r.consumed <= REPLY_LINE_CAP + 1);
	run_free(&r);

	rp_init(&p);
	c = rp_feed(&p, s, n, &st);
	assert_int_equal(st, RP_ERROR);
	assert_true(c <= REPLY_LINE_CAP + 1);
	assert_int_equal(rp_feed(&p, s + c, n - c, &st), 0);
	assert_int_equal(st, RP_ERROR);
	reply_free(rp_take(&p));
	rp_reset(&p);
	free(s);
}

/* nlines continuation lines "250-" + fill x's, CRLF each, no final line */
static char *make_endless(size_t nlines, size_t fill, size_t *n)
{
	size_t ll = 4 + fill + 2;
	char *s = malloc(nlines * ll);

	assert_non_null(s);
	for (size_t i = 0; i < nlines; i++) {
		memcpy(s + i * ll, "250-", 4);
		memset(s + i * ll + 4, 'x', fill);
		memcpy(s + i * ll + 4 + fill, "\r\n", 2);
	}
	*n = nlines * ll;
	return s;
}

static void test_endless_continuation(void **state)
{
	size_t n;
	char *s;
	struct run r;

	(void)state;
	/* Short lines: the line count stops it. */
	s = make_endless(3 * REPLY_LINES_CAP, 4, &n);
	run_all_splits(&r, s, n);
	assert_int_equal(r.n, 0);
	assert_int_equal(r.err, RPE_TOO_MANY_LINES);
	assert_int_equal(r.consumed, (REPLY_LINES_CAP + 1) * 10);
	assert_int_equal(r.partial->nlines, REPLY_LINES_CAP);
	run_free(&r);
	free(s);

	/* Long lines: the byte count stops it. */
	s = make_endless(3 * REPLY_BYTES_CAP / 1000, 994, &n);
	run_all_splits(&r, s, n);
	assert_int_equal(r.err, RPE_TOO_MANY_BYTES);
	assert_int_equal(r.consumed, REPLY_BYTES_CAP + 1);
	assert_true(r.partial->nlines <= REPLY_BYTES_CAP / 1000);
	run_free(&r);
	free(s);
}

static void test_byte_cap_is_per_reply(void **state)
{
	/* Many small replies in a row are fine: the cap is per reply. */
	size_t n = 0, each = strlen("250 ok\r\n");
	size_t count = 2 * REPLY_BYTES_CAP / each;
	char *s = malloc(count * each);
	struct reply_parser p;
	size_t off = 0, replies = 0;

	(void)state;
	assert_non_null(s);
	for (size_t i = 0; i < count; i++, n += each)
		memcpy(s + n, "250 ok\r\n", each);
	rp_init(&p);
	while (off < n) {
		enum rp_status st;

		off += rp_feed(&p, s + off, n - off, &st);
		assert_int_equal(st, RP_REPLY);
		reply_free(rp_take(&p));
		replies++;
	}
	assert_int_equal(replies, count);
	rp_reset(&p);
	free(s);
}

static void test_pending(void **state)
{
	struct reply_parser p;
	enum rp_status st;

	(void)state;
	rp_init(&p);
	assert_false(rp_pending(&p));
	rp_feed(&p, S("25"), &st);
	assert_int_equal(st, RP_MORE);
	assert_true(rp_pending(&p)); /* mid-line */
	rp_feed(&p, S("0-a\r\n"), &st);
	assert_int_equal(st, RP_MORE);
	assert_true(rp_pending(&p)); /* mid-multiline, at a line end */
	rp_feed(&p, S("250 b\r\n"), &st);
	assert_int_equal(st, RP_REPLY);
	reply_free(rp_take(&p));
	assert_false(rp_pending(&p));
	rp_reset(&p);
}

static void test_error_is_sticky(void **state)
{
	struct reply_parser p;
	enum rp_status st;
	struct reply *r;

	(void)state;
	rp_init(&p);
	assert_int_equal(rp_feed(&p, S("2x0 x\r\n250 ok\r\n"), &st), 7);
	assert_int_equal(st, RP_ERROR);
	assert_int_equal(p.error, RPE_BAD_CODE);
	r = rp_take(&p);
	assert_non_null(r);
	assert_int_equal(r->code, 0);
	reply_free(r);
	assert_int_equal(rp_feed(&p, S("250 ok\r\n"), &st), 0);
	assert_int_equal(st, RP_ERROR);
	assert_null(rp_take(&p));
	/* Only a reset starts over. */
	rp_reset(&p);
	assert_int_equal(rp_feed(&p, S("250 ok\r\n"), &st), 8);
	assert_int_equal(st, RP_REPLY);
	reply_free(rp_take(&p));
	rp_reset(&p);
}

static void test_empty_feed(void **state)
{
	struct reply_parser p;
	enum rp_status st = RP_ERROR;

	(void)state;
	rp_init(&p);
	assert_int_equal(rp_feed(&p, "", 0, &st), 0);
	assert_int_equal(st, RP_MORE);
	assert_null(rp_take(&p));
	rp_reset(&p);
}

static struct reply *parse_one(const char *in, size_t len)
{
	struct reply_parser p;
	enum rp_status st;
	struct reply *r;

	rp_init(&p);
	assert_int_equal(rp_feed(&p, in, len, &st), len);
	assert_int_equal(st, RP_REPLY);
	r = rp_take(&p);
	rp_reset(&p);
	return r;
}

static void test_join(void **state)
{
	struct reply *r = parse_one(S("250-a\r\n250-b\0c\r\n250 d\r\n"));
	struct reply empty = {0};
	char *j;

	(void)state;
	j = reply_join(r);
	assert_string_equal(j, "a b c d");
	free(j);
	reply_free(r);
	r = parse_one(S("250\r\n"));
	j = reply_join(r);
	assert_string_equal(j, "");
	free(j);
	reply_free(r);
	j = reply_join(&empty);
	assert_string_equal(j, "");
	free(j);
}

static void test_dup(void **state)
{
	struct reply *r = parse_one(S("550-5.1.1 a\0b\n550 5.1.1 c\r\n"));
	struct reply *d = reply_dup(r);
	struct reply empty = {0}, *e;

	(void)state;
	assert_non_null(d);
	assert_reply_equal(r, d);
	assert_ptr_not_equal(r->lines, d->lines);
	assert_ptr_not_equal(r->lines[0].text, d->lines[0].text);
	reply_free(r);
	/* The copy outlives the original. */
	assert_line(d, 0, S("5.1.1 a\0b"));
	assert_int_equal(d->flags, REPLY_F_NUL | REPLY_F_BARE_LF);
	reply_free(d);

	empty.code = 421;
	e = reply_dup(&empty);
	assert_reply_equal(&empty, e);
	reply_free(e);
	reply_free(NULL);
}

static void test_reply_enhanced(void **state)
{
	static const struct {
		const char *text;
		size_t len;
		int cls;
		const char *want; /* "" = none */
	} t[] = {
	    {S("2.0.0"), 2, "2.0.0"},
	    {S("2.0.0 ok"), 2, "2.0.0"},
	    {S("5.1.1\tx"), 5, "5.1.1"},
	    {S("4.7.1"), 4, "4.7.1"},
	    {S("5.123.456 x"), 5, "5.123.456"},
	    {S("5.7.1"), 4, ""},
	    {S("5.7.1"), 2, ""},
	    {S("5.1"), 5, ""},
	    {S("5.1."), 5, ""},
	    {S("5..1"), 5, ""},
	    {S("5.1.1x"), 5, ""},
	    {S("5.1234.1"), 5, ""},
	    {S("5.1.1234"), 5, ""},
	    {S("3.1.1"), 3, ""},
	    {S("1.1.1"), 1, ""},
	    {S("9.9.9"), 9, ""},
	    {S("x.1.1"), 5, ""},
	    {S(" 5.1.1"), 5, ""},
	    {S(""), 5, ""},
	    {S("5,1,1"), 5, ""},
	    {"5.1.10", 5, 5, "5.1.1"}, /* parsed by length, not NUL */
	    {"5.1.1 ", 3, 5, ""},      /* cut short */
	};
	(void)state;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		char out[16];
		size_t n;

		memset(out, 'Z', sizeof out);
		n = reply_enhanced(t[i].text, t[i].len, t[i].cls, out);
		print_message("enhanced %zu\n", i);
		assert_int_equal(n, strlen(t[i].want));
		if (n > 0)
			assert_string_equal(out, t[i].want);
	}
}

static void test_error_texts(void **state)
{
	(void)state;
	for (int e = RPE_NONE; e <= RPE_CODE_MISMATCH; e++) {
		assert_non_null(rp_error_text((enum rp_error)e));
		assert_true(strlen(rp_error_text((enum rp_error)e)) > 0);
	}
}

/* tests/hostile-inputs.md row 18: the server closes mid-reply; what came is kept. */
static void test_finish_keeps_partial(void **state)
{
	struct reply_parser p;
	enum rp_status st;
	struct reply *r;
	const char in[] = "550-5.1.1 first\r\n550 5.1.1 user unkn";

	(void)state;
	rp_init(&p);
	assert_int_equal(rp_feed(&p, in, sizeof in - 1, &st), sizeof in - 1);
	assert_int_equal(st, RP_MORE);
	assert_true(rp_pending(&p));
	rp_finish(&p);
	r = rp_take(&p);
	assert_non_null(r);
	assert_int_equal(r->code, 550);
	assert_int_equal(r->nlines, 2);
	assert_string_equal(r->lines[1].text, "5.1.1 user unkn");
	reply_free(r);
	/* Bytes that are not a reply line at all stay raw. */
	assert_int_equal(rp_feed(&p, "\x16\x03\x01", 3, &st), 3);
	rp_finish(&p);
	r = rp_take(&p);
	assert_non_null(r);
	assert_int_equal(r->code, 0);
	assert_int_equal(r->lines[0].len, 3);
	reply_free(r);
	rp_reset(&p);
}

/* Found by fuzz_reply: a malformed line, or the close, right after the
 * line cap must not keep a line past the cap. */
static void test_cap_holds_after_errors(void **state)
{
	static const char *const last[] = {"25\r\n", "2x0 a\r\n", "550 b\r\n",
					   "250"};
	(void)state;
	for (size_t k = 0; k < sizeof last / sizeof last[0]; k++) {
		struct reply_parser p;
		enum rp_status st = RP_MORE;
		struct reply *r;

		rp_init(&p);
		for (int i = 0; i < REPLY_LINES_CAP && st == RP_MORE; i++)
			rp_feed(&p, "250-\n", 5, &st);
		assert_int_equal(st, RP_MORE);
		rp_feed(&p, last[k], strlen(last[k]), &st);
		rp_finish(&p);
		r = rp_take(&p);
		assert_non_null(r);
		assert_true(r->nlines <= REPLY_LINES_CAP);
		reply_free(r);
		rp_reset(&p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table_every_split),
	    cmocka_unit_test(test_multiline_lines),
	    cmocka_unit_test(test_two_replies_in_one_buffer),
	    cmocka_unit_test(test_bare_lf_and_lone_cr),
	    cmocka_unit_test(test_nul_kept_by_length),
	    cmocka_unit_test(test_bare_code),
	    cmocka_unit_test(test_code_mismatch_partial),
	    cmocka_unit_test(test_long_line_flagged),
	    cmocka_unit_test(test_line_cap),
	    cmocka_unit_test(test_endless_continuation),
	    cmocka_unit_test(test_byte_cap_is_per_reply),
	    cmocka_unit_test(test_pending),
	    cmocka_unit_test(test_error_is_sticky),
	    cmocka_unit_test(test_empty_feed),
	    cmocka_unit_test(test_join),
	    cmocka_unit_test(test_dup),
	    cmocka_unit_test(test_reply_enhanced),
	    cmocka_unit_test(test_error_texts),
	    cmocka_unit_test(test_finish_keeps_partial),
	    cmocka_unit_test(test_cap_holds_after_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
