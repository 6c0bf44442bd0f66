/*
 * fuzz_batch_reader.c - the batch input line reader (batch_reader.h) on
 * arbitrary bytes, fed three ways: all at once, one octet per chunk, and
 * in pseudo-random chunks (empty ones among them). The lines must be the
 * same each time, and the same as a reference reader written here again
 * on the whole buffer (split at LF, so that it does not share a bug with
 * the code it checks).
 *
 * Invariants: every line is at most BATCH_LINE_MAX octets, NUL-terminated
 * at its length, trimmed (no blank at either end), neither empty nor a
 * comment unless too long, with no LF, flagged BATCH_NUL whenever it
 * holds a NUL and with no unknown flag; line numbers strictly increase
 * and never pass the count of physical lines; a chunk is refused while
 * the previous one is unread, and nothing comes after the end.
 */
#include "fuzz.h"
#include "smtpprobe/batch_reader.h"

static void tape_num(struct tape *t, unsigned long v)
{
	tape_put(t, &v, sizeof v);
}

static int blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static void record(struct tape *t, unsigned long line, unsigned flags,
		   const void *text, size_t len)
{
	tape_num(t, line);
	tape_num(t, flags);
	tape_num(t, len);
	tape_put(t, text, len);
}

static void check_line(const struct batch_line *l, unsigned long *last)
{
	const unsigned char *u = (const unsigned char *)l->text;

	FUZZ_CHECK(l->input_line > *last);
	*last = l->input_line;
	FUZZ_CHECK(l->len <= BATCH_LINE_MAX);
	FUZZ_CHECK(l->text[l->len] == '\0');
	FUZZ_CHECK((l->flags & ~(unsigned)(BATCH_TOO_LONG | BATCH_NUL)) == 0);
	FUZZ_CHECK(!memchr(l->text, '\n', l->len));
	if (memchr(l->text, '\0', l->len))
		FUZZ_CHECK(l->flags & BATCH_NUL);
	if (l->len == 0) {
		FUZZ_CHECK(l->flags & BATCH_TOO_LONG);
		return;
	}
	FUZZ_CHECK(!blank(u[0]) && !blank(u[l->len - 1]));
	FUZZ_CHECK(u[0] != '#');
}

static void run(const uint8_t *data, size_t size, enum fuzz_split how, uint32_t seed,
		struct tape *t)
{
	struct batch_reader r;
	struct batch_line l;
	unsigned long last = 0;
	size_t off = 0;

	batch_reader_init(&r);
	for (;;) {
		size_t n;

		if (how == SPLIT_WHOLE)
			n = size - off;
		else if (how == SPLIT_BYTES)
			n = off < size ? 1 : 0;
		else
			n = fuzz_rand(&seed) % 70;
		if (n > size - off)
			n = size - off;
		FUZZ_CHECK(batch_reader_feed(&r, data + off, n) == 0);
		if (n > 0)
			FUZZ_CHECK(batch_reader_feed(&r, data, size) == -1);
		while (batch_reader_next(&r, &l)) {
			check_line(&l, &last);
			record(t, l.input_line, l.flags, l.text, l.len);
		}
		off += n;
		if (off == size)
			break;
	}
	batch_reader_eof(&r);
	FUZZ_CHECK(batch_reader_feed(&r, data, size) == -1);
	while (batch_reader_next(&r, &l)) {
		check_line(&l, &last);
		record(t, l.input_line, l.flags, l.text, l.len);
	}
	FUZZ_CHECK(batch_reader_next(&r, &l) == 0);
	FUZZ_CHECK(last <= batch_reader_lines(&r));
	tape_num(t, batch_reader_lines(&r));
}

/* The reader's rules applied to the whole input at once. */
static void reference(const uint8_t *data, size_t size, struct tape *t)
{
	size_t a = 0;
	unsigned long line = 0;

	if (size >= 3 && data[0] == 0xef && data[1] == 0xbb && data[2] == 0xbf)
		a = 3;
	while (a < size) {
		const uint8_t *nl = memchr(data + a, '\n', size - a);
		size_t b = nl ? (size_t)(nl - data) : size;
		size_t raw = b - a, len = raw, keep, s = 0;
		size_t i = 0;
		unsigned flags = 0;

		line++;
		while (i < raw && blank(data[a + i]))
			i++;
		if (i < raw && data[a + i] != '#') {
			/* A CR ending the line is part of CRLF, unless the
			 * line had overflowed the buffer before it. */
			if (raw > 0 && raw <= BATCH_LINE_MAX + 1 &&
			    data[b - 1] == '\r')
				len--;
			if (len > BATCH_LINE_MAX)
				flags |= BATCH_TOO_LONG;
			if (memchr(data + a, '\0', raw))
				flags |= BATCH_NUL;
			keep = len < BATCH_LINE_MAX ? len : BATCH_LINE_MAX;
			while (s < keep && blank(data[a + s]))
				s++;
			while (keep > s && blank(data[a + keep - 1]))
				keep--;
			record(t, line, flags, data + a + s, keep - s);
		}
		a = b + 1;
	}
	tape_num(t, line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tape whole = {0}, bytes = {0}, random = {0}, ref = {0};
	uint32_t seed;

	seed = fuzz_input_seed(data, size);
	run(data, size, SPLIT_WHOLE, 0, &whole);
	run(data, size, SPLIT_BYTES, 0, &bytes);
	run(data, size, SPLIT_RANDOM, seed, &random);
	reference(data, size, &ref);
	FUZZ_CHECK(whole.len == bytes.len &&
		   memcmp(whole.buf, bytes.buf, whole.len) == 0);
	FUZZ_CHECK(whole.len == random.len &&
		   memcmp(whole.buf, random.buf, whole.len) == 0);
	FUZZ_CHECK(whole.len == ref.len &&
		   memcmp(whole.buf, ref.buf, whole.len) == 0);
	free(whole.buf);
	free(bytes.buf);
	free(random.buf);
	free(ref.buf);
	return 0;
}
