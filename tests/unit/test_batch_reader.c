/*
 * test_batch_reader.c - the batch input line reader (batch_reader.h):
 * LF, CRLF and both mixed, comments and blank lines skipped but counted,
 * trimming, a last line without a line end, the same input cut at every
 * offset, a 100 KiB line (bounded, flagged, the next line intact), NUL
 * octets, and the UTF-8 byte order mark.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtpprobe/batch_reader.h"

#define S(x) x, sizeof(x) - 1

/* What came out, as text: "N:flags:text\n" per line (NUL shown as @). */
struct result {
	char buf[8192];
	size_t len;
	unsigned long lines;
};

static void put(struct result *res, const struct batch_line *l)
{
	int n = snprintf(res->buf + res->len, sizeof res->buf - res->len,
			 "%lu:%u:", l->input_line, l->flags);

	assert_true(n > 0 && (size_t)n < sizeof res->buf - res->len);
	res->len += (size_t)n;
	assert_true(l->len <= BATCH_LINE_MAX);
	assert_int_equal(l->text[l->len], '\0');
	for (size_t i = 0; i < l->len && res->len + 2 < sizeof res->buf; i++)
		res->buf[res->len++] = l->text[i] ? l->text[i] : '@';
	res->buf[res->len++] = '\n';
	res->buf[res->len] = '\0';
}

static void drain(struct batch_reader *r, struct result *res)
{
	struct batch_line l;

	while (batch_reader_next(r, &l))
		put(res, &l);
}

/* in[0..n) fed at the given cuts (sorted offsets, ncuts of them). */
static void read_cut(const char *in, size_t n, const size_t *cuts, size_t ncuts,
		     struct result *res)
{
	struct batch_reader r;
	size_t off = 0;

	memset(res, 0, sizeof *res);
	batch_reader_init(&r);
	for (size_t i = 0; i <= ncuts; i++) {
		size_t end = i < ncuts ? cuts[i] : n;
		assert_int_equal(batch_reader_feed(&r, in + off, end - off), 0);
		drain(&r, res);
		off = end;
	}
	batch_reader_eof(&r);
	drain(&r, res);
	res->lines = batch_reader_lines(&r);
}

static void read_all(const char *in, size_t n, struct result *res)
{
	read_cut(in, n, NULL, 0, res);
}

static void expect(const char *in, size_t n, const char *want,
		   unsigned long lines)
{
	struct result res;

	read_all(in, n, &res);
	assert_string_equal(res.buf, want);
	assert_int_equal(res.lines, lines);
}

static void test_lf_crlf_mixed(void **state)
{
	(void)state;
	expect(S("a@example.net\nb@example.net\n"),
	       "1:0:a@example.net\n2:0:b@example.net\n", 2);
	expect(S("a@example.net\r\nb@example.net\r\n"),
	       "1:0:a@example.net\n2:0:b@example.net\n", 2);
	expect(S("a\r\nb\nc\r\nd\n"), "1:0:a\n2:0:b\n3:0:c\n4:0:d\n", 4);
	/* A CR alone ends no line: content, trimmed at the ends. */
	expect(S("a\rb\n\rc\r\r\n"), "1:0:a\rb\n2:0:c\n", 2);
}

static void test_comments_and_blanks(void **state)
{
	(void)state;
	expect(S("# targets\n\n   \n\t# indented comment\n"
		 "a@example.net\n\r\n \t\r\n"
		 "b@example.net # not a comment\n#last\n"),
	       "5:0:a@example.net\n8:0:b@example.net # not a comment\n", 9);
	/* Trimmed both sides; inner blanks kept. */
	expect(S("  \t a b \t\x0b\x0c \r\n"), "1:0:a b\n", 1);
	expect(S(""), "", 0);
	expect(S("\n\n\n"), "", 3);
	expect(S("#"), "", 1);
}

static void test_final_line_without_newline(void **state)
{
	(void)state;
	expect(S("a\nb"), "1:0:a\n2:0:b\n", 2);
	expect(S("a\nb\r"), "1:0:a\n2:0:b\n", 2);
	expect(S("a\n  "), "1:0:a\n", 2);
	expect(S("x"), "1:0:x\n", 1);
}

/* Nothing more after the end, and no feed after it. */
static void test_after_eof(void **state)
{
	struct batch_reader r;
	struct batch_line l;

	(void)state;
	batch_reader_init(&r);
	assert_int_equal(batch_reader_feed(&r, "a\nb", 3), 0);
	/* Not read to its end yet: a second chunk is refused. */
	assert_int_equal(batch_reader_next(&r, &l), 1);
	assert_int_equal(batch_reader_feed(&r, "c\n", 2), -1);
	assert_int_equal(batch_reader_next(&r, &l), 0);
	batch_reader_eof(&r);
	assert_int_equal(batch_reader_feed(&r, "c\n", 2), -1);
	assert_int_equal(batch_reader_next(&r, &l), 1);
	assert_string_equal(l.text, "b");
	assert_int_equal(l.input_line, 2);
	assert_int_equal(batch_reader_next(&r, &l), 0);
	assert_int_equal(batch_reader_next(&r, &l), 0);
}

/* The same input cut once at every offset, and cut everywhere (one
 * octet per chunk): always the same lines. */
static void test_every_chunk_boundary(void **state)
{
	static const char in[] = "\xef\xbb\xbf# list\r\n"
				 "a@example.net\r\n"
				 "\n"
				 "  b@example.org  \n"
				 "#x\r\n"
				 "c\0d@example.com\r\n"
				 "\r\r\n"
				 "last@example.net";
	const size_t n = sizeof in - 1;
	struct result whole, cut;
	size_t cuts[sizeof in];

	(void)state;
	read_all(in, n, &whole);
	assert_string_equal(whole.buf, "2:0:a@example.net\n"
				       "4:0:b@example.org\n"
				       "6:2:c@d@example.com\n"
				       "8:0:last@example.net\n");
	for (size_t at = 0; at <= n; at++) {
		read_cut(in, n, &at, 1, &cut);
		assert_string_equal(cut.buf, whole.buf);
		assert_int_equal(cut.lines, whole.lines);
	}
	for (size_t i = 0; i < n; i++)
		cuts[i] = i;
	read_cut(in, n, cuts, n, &cut);
	assert_string_equal(cut.buf, whole.buf);
	/* Cut twice at every pair of offsets. */
	for (size_t a = 0; a <= n; a++)
		for (size_t b = a; b <= n; b++) {
			size_t two[2] = {a, b};
			read_cut(in, n, two, 2, &cut);
			assert_string_equal(cut.buf, whole.buf);
		}
}

/* A 100 KiB line: flagged, truncated to the bound, fed in 4 KiB chunks;
 * the next line is read as usual. */
static void test_long_line(void **state)
{
	const size_t big = 100 * 1024;
	char *in = malloc(big + 64);
	struct batch_reader r;
	struct batch_line l;
	size_t n, off = 0, got = 0;
	unsigned long lines[2];
	unsigned flags[2];
	size_t lens[2];

	(void)state;
	assert_non_null(in);
	for (size_t i = 0; i < big; i++)
		in[i] = (char)('a' + i % 26);
	n = big;
	memcpy(in + n, "\r\nnext@example.net\n", 19);
	n += 19;
	batch_reader_init(&r);
	while (off < n) {
		size_t k = n - off < 4096 ? n - off : 4096;
		assert_int_equal(batch_reader_feed(&r, in + off, k), 0);
		while (batch_reader_next(&r, &l)) {
			assert_true(got < 2);
			assert_true(l.len <= BATCH_LINE_MAX);
			lines[got] = l.input_line;
			flags[got] = l.flags;
			lens[got] = l.len;
			if (got == 0)
				assert_memory_equal(l.text, in, BATCH_LINE_MAX);
			else
				assert_string_equal(l.text, "next@example.net");
			got++;
		}
		off += k;
	}
	batch_reader_eof(&r);
	assert_int_equal(batch_reader_next(&r, &l), 0);
	assert_int_equal(got, 2);
	assert_int_equal(lines[0], 1);
	assert_int_equal(flags[0], BATCH_TOO_LONG);
	assert_int_equal(lens[0], BATCH_LINE_MAX);
	assert_int_equal(lines[1], 2);
	assert_int_equal(flags[1], 0);
	assert_int_equal(lens[1], 16);
	/* The struct is the memory: fixed, whatever the line. */
	assert_true(sizeof r < BATCH_LINE_MAX + 256);
	free(in);
}

/* At the bound and one past it, with LF and with CRLF. */
static void test_bound_exact(void **state)
{
	char in[BATCH_LINE_MAX + 8];
	struct result res;
	char want[64];

	(void)state;
	memset(in, 'x', sizeof in);
	for (int extra = 0; extra <= 1; extra++)
		for (int cr = 0; cr <= 1; cr++) {
			size_t n = BATCH_LINE_MAX + (size_t)extra;
			if (cr)
				in[n++] = '\r';
			in[n++] = '\n';
			read_all(in, n, &res);
			snprintf(want, sizeof want, "1:%d:", extra);
			assert_memory_equal(res.buf, want, strlen(want));
			assert_int_equal(res.len,
					 strlen(want) + BATCH_LINE_MAX + 1);
			memset(in, 'x', sizeof in);
		}
	/* A long comment is still a comment, a long blank line blank. */
	{
		static char c[3000];
		memset(c, ' ', sizeof c);
		c[2000] = '#';
		c[sizeof c - 1] = '\n';
		expect(c, sizeof c, "", 1);
		c[2000] = ' ';
		expect(c, sizeof c, "", 1);
		/* Past the bound, after 2000 blanks: too long, and the text
		 * kept (the first BATCH_LINE_MAX octets) is blank. */
		c[2000] = 'a';
		expect(c, sizeof c, "1:1:\n", 1);
	}
}

static void test_nul(void **state)
{
	(void)state;
	expect(S("a\0b\nok\n"), "1:2:a@b\n2:0:ok\n", 2);
	expect(S("\0\n"), "1:2:@\n", 1);
	expect(S("  \0  \n"), "1:2:@\n", 1);
	/* The NUL past the bound still counts. */
	{
		static char in[BATCH_LINE_MAX + 10];
		memset(in, 'y', sizeof in);
		in[BATCH_LINE_MAX + 5] = '\0';
		in[sizeof in - 1] = '\n';
		struct result res;
		read_all(in, sizeof in, &res);
		assert_memory_equal(res.buf, "1:3:", 4);
	}
}

static void test_bom(void **state)
{
	(void)state;
	expect(S("\xef\xbb\xbf"
		 "a@example.net\n"),
	       "1:0:a@example.net\n", 1);
	expect(S("\xef\xbb\xbf#c\nb\n"), "2:0:b\n", 2);
	expect(S("\xef\xbb\xbf"), "", 0);
	/* Only at the very start, and only whole. */
	expect(S("a\n\xef\xbb\xbf"
		 "b\n"),
	       "1:0:a\n2:0:\xef\xbb\xbf"
	       "b\n",
	       2);
	expect(S(" \xef\xbb\xbf"
		 "a\n"),
	       "1:0:\xef\xbb\xbf"
	       "a\n",
	       1);
	expect(S("\xef\xbb"
		 "a\n"),
	       "1:0:\xef\xbb"
	       "a\n",
	       1);
	expect(S("\xef\n"), "1:0:\xef\n", 1);
	expect(S("\xef"), "1:0:\xef\n", 1);
	expect(S("\xef\xbb\xbf\xef\xbb\xbf"
		 "x\n"),
	       "1:0:\xef\xbb\xbf"
	       "x\n",
	       1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lf_crlf_mixed),
	    cmocka_unit_test(test_comments_and_blanks),
	    cmocka_unit_test(test_final_line_without_newline),
	    cmocka_unit_test(test_after_eof),
	    cmocka_unit_test(test_every_chunk_boundary),
	    cmocka_unit_test(test_long_line),
	    cmocka_unit_test(test_bound_exact),
	    cmocka_unit_test(test_nul),
	    cmocka_unit_test(test_bom),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
