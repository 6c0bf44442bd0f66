/*
 * fuzz_reply.c - the reply push parser (reply.h) on arbitrary server
 * bytes. The input is fed three ways: all at once, one byte per call, and
 * in pseudo-random chunks drawn from the input itself (tests/hostile-inputs.md row 17:
 * the results must be identical). Every reply taken out, complete or
 * partial, is checked against the bounds of bounds.h, joined, duplicated
 * and freed.
 *
 * At the end of the input an unfinished reply is closed with rp_finish
 * and taken, as the session does when the server closes mid-reply.
 *
 * Invariants: rp_feed never consumes more than it was given, consumes all
 * of it when it says RP_MORE, and nothing once it said RP_ERROR; a reply
 * has at most REPLY_LINES_CAP lines of at most REPLY_LINE_CAP octets,
 * each NUL-terminated at its length; its code is 0 or 200..599 (a
 * complete one 200..559); an
 * enhanced code is well formed and of the reply's class; reply_join has
 * no NUL and the expected length; reply_dup is an exact copy.
 */
#include <string.h>

#include "fuzz.h"
#include "smtpprobe/reply.h"

static void tape_num(struct tape *t, size_t v)
{
	tape_put(t, &v, sizeof v);
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* "N.NNN.NNN": class digit, then two groups of 1-3 digits. */
static void check_enhanced(const struct reply *r)
{
	const char *e = r->enhanced;
	size_t n = strnlen(e, sizeof r->enhanced), i = 2;

	FUZZ_CHECK(n < sizeof r->enhanced);
	if (n == 0)
		return;
	FUZZ_CHECK(r->code != 0);
	FUZZ_CHECK(e[0] - '0' == r->code / 100);
	FUZZ_CHECK(e[1] == '.');
	for (int part = 0; part < 2; part++) {
		size_t start = i;
		while (i < n && is_digit(e[i]))
			i++;
		FUZZ_CHECK(i > start && i - start <= 3);
		if (part == 0) {
			FUZZ_CHECK(e[i] == '.');
			i++;
		}
	}
	FUZZ_CHECK(i == n);
}

static void check_reply(const struct reply *r, int complete)
{
	size_t total = 0, joined_len;
	char *j;
	struct reply *d;

	FUZZ_CHECK(r->nlines <= REPLY_LINES_CAP);
	FUZZ_CHECK(r->nlines == 0 || r->lines != NULL);
	/* reply.h: 200..599, or 0; a complete reply's second digit passed
	 * the parser's 0-5 check. */
	FUZZ_CHECK(r->code == 0 || (r->code >= 200 && r->code <= 599));
	if (complete) {
		FUZZ_CHECK(r->code >= 200 && r->code <= 559);
		FUZZ_CHECK(r->nlines >= 1);
	}
	for (size_t i = 0; i < r->nlines; i++) {
		const struct reply_line *l = &r->lines[i];
		FUZZ_CHECK(l->text != NULL);
		FUZZ_CHECK(l->len <= REPLY_LINE_CAP);
		FUZZ_CHECK(l->text[l->len] == '\0');
		if (complete && memchr(l->text, '\0', l->len))
			FUZZ_CHECK(r->flags & REPLY_F_NUL);
		total += l->len;
	}
	FUZZ_CHECK(total <= REPLY_BYTES_CAP);
	check_enhanced(r);

	j = reply_join(r);
	FUZZ_CHECK(j != NULL);
	joined_len = total + (r->nlines ? r->nlines - 1 : 0);
	FUZZ_CHECK(strlen(j) == joined_len);
	free(j);

	d = reply_dup(r);
	FUZZ_CHECK(d != NULL);
	FUZZ_CHECK(d->code == r->code && d->flags == r->flags);
	FUZZ_CHECK(memcmp(d->enhanced, r->enhanced, sizeof d->enhanced) == 0);
	FUZZ_CHECK(d->nlines == r->nlines);
	for (size_t i = 0; i < r->nlines; i++) {
		FUZZ_CHECK(d->lines[i].len == r->lines[i].len);
		FUZZ_CHECK(memcmp(d->lines[i].text, r->lines[i].text,
				  r->lines[i].len + 1) == 0);
	}
	reply_free(d);
}

static void record(struct tape *t, char kind, const struct reply *r)
{
	tape_put(t, &kind, 1);
	if (!r) {
		tape_put(t, "-", 1);
		return;
	}
	tape_num(t, (size_t)r->code);
	tape_num(t, r->flags);
	tape_put(t, r->enhanced, sizeof r->enhanced);
	tape_num(t, r->nlines);
	for (size_t i = 0; i < r->nlines; i++) {
		tape_num(t, r->lines[i].len);
		tape_put(t, r->lines[i].text, r->lines[i].len);
	}
}

static size_t next_chunk(enum fuzz_split how, uint32_t *rng, size_t left)
{
	size_t n;

	switch (how) {
	case SPLIT_WHOLE: return left;
	case SPLIT_BYTES: return 1;
	default: break;
	}
	n = fuzz_rand(rng);
	/* Mostly small pieces, sometimes large ones. */
	n = (n & 7) == 0 ? n % 4096 + 1 : n % 17 + 1;
	return n < left ? n : left;
}

static void run(const uint8_t *data, size_t size, enum fuzz_split how, uint32_t seed,
		struct tape *t)
{
	struct reply_parser p;
	size_t off = 0;
	int stopped = 0;

	rp_init(&p);
	while (off < size && !stopped) {
		size_t chunk = next_chunk(how, &seed, size - off), used = 0;

		while (used < chunk) {
			enum rp_status st;
			const char *buf = (const char *)data + off + used;
			size_t n = rp_feed(&p, buf, chunk - used, &st);
			struct reply *r;

			FUZZ_CHECK(n <= chunk - used);
			used += n;
			if (st == RP_MORE) {
				FUZZ_CHECK(used == chunk);
				break;
			}
			FUZZ_CHECK(st == RP_REPLY || st == RP_ERROR);
			r = rp_take(&p);
			if (st == RP_REPLY) {
				FUZZ_CHECK(n > 0 && r != NULL);
				FUZZ_CHECK(p.error == RPE_NONE);
				check_reply(r, 1);
				record(t, 'R', r);
				reply_free(r);
				continue;
			}
			/* RP_ERROR: the partial reply, then silence. */
			FUZZ_CHECK(p.error != RPE_NONE);
			FUZZ_CHECK(rp_error_text(p.error) != NULL);
			if (r)
				check_reply(r, 0);
			record(t, 'E', r);
			tape_num(t, (size_t)p.error);
			reply_free(r);
			if (used < chunk) {
				n = rp_feed(&p, buf + n, chunk - used, &st);
				FUZZ_CHECK(n == 0 && st == RP_ERROR);
			}
			stopped = 1;
			break;
		}
		off += chunk;
	}
	/* End of stream: what a "closed mid-reply" report would show, with
	 * the unterminated line kept (rp_finish), as the session does. */
	tape_num(t, (size_t)rp_pending(&p));
	if (!stopped && rp_pending(&p)) {
		struct reply *r;

		rp_finish(&p);
		r = rp_take(&p);
		if (r)
			check_reply(r, 0);
		record(t, 'P', r);
		reply_free(r);
	}
	rp_reset(&p);
	FUZZ_CHECK(!rp_pending(&p));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tape whole = {0}, bytes = {0}, random = {0};
	uint32_t seed;

	seed = fuzz_input_seed(data, size);
	run(data, size, SPLIT_WHOLE, 0, &whole);
	run(data, size, SPLIT_BYTES, 0, &bytes);
	run(data, size, SPLIT_RANDOM, seed, &random);
	FUZZ_CHECK(whole.len == bytes.len &&
		   memcmp(whole.buf, bytes.buf, whole.len) == 0);
	FUZZ_CHECK(whole.len == random.len &&
		   memcmp(whole.buf, random.buf, whole.len) == 0);
	free(whole.buf);
	free(bytes.buf);
	free(random.buf);
	return 0;
}
