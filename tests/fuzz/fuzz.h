/*
 * fuzz.h - what every harness in tests/fuzz shares: the libFuzzer entry
 * point's prototype (the project builds with -Wmissing-prototypes) and a
 * check that aborts with a message, so that libFuzzer records a crash and
 * replay.c fails, in any build (NDEBUG or not).
 */
#ifndef SMTPPROBE_FUZZ_H
#define SMTPPROBE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: invariant failed: %s\n",       \
				__FILE__, __LINE__, #cond);                    \
			abort();                                               \
		}                                                              \
	} while (0)

/* Does hay[0..n) hold needle[0..m) anywhere? (An empty needle: yes.) */
static inline int fuzz_contains(const void *hay, size_t n, const void *needle,
				size_t m)
{
	const unsigned char *h = hay;

	for (size_t i = 0; i + m <= n; i++)
		if (memcmp(h + i, needle, m) == 0)
			return 1;
	return m == 0;
}

/* A small deterministic generator, so that a split or a choice drawn from
 * it is the same on every replay of the same input. */
static inline uint32_t fuzz_rand(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 16;
}

/* How a harness cuts one input into reads: whole, a byte at a time, or
 * in pieces drawn from fuzz_rand; the results must not differ. */
enum fuzz_split { SPLIT_WHOLE, SPLIT_BYTES, SPLIT_RANDOM };

/* A seed for fuzz_rand from the input's first 64 bytes (FNV-1a), so a
 * random split is the same on every replay. */
static inline uint32_t fuzz_input_seed(const uint8_t *data, size_t size)
{
	uint32_t seed = 2166136261u;

	for (size_t i = 0; i < size && i < 64; i++)
		seed = (seed ^ data[i]) * 16777619u;
	return seed;
}

/* One record of a harness that feeds several answers: a kind byte, a
 * status byte, a 16-bit big-endian length and that many bytes (cut at
 * the end of the input). Returns 0 when no whole header is left. */
struct fuzz_record {
	unsigned kind, status;
	const uint8_t *bytes;
	size_t len;
};

static inline int fuzz_next_record(const uint8_t *data, size_t size,
				   size_t *off, struct fuzz_record *r)
{
	size_t o = *off;

	if (o + 4 > size)
		return 0;
	r->kind = data[o];
	r->status = data[o + 1];
	r->len = (size_t)data[o + 2] << 8 | data[o + 3];
	o += 4;
	if (r->len > size - o)
		r->len = size - o;
	r->bytes = data + o;
	*off = o + r->len;
	return 1;
}

/* Strict UTF-8 (no overlong forms, surrogates or code points above
 * U+10FFFF), written here again rather than taken from src/ so that the
 * harness does not share a bug with the code it checks. Returns the
 * sequence length and sets *cp, or 0. */
static inline size_t fuzz_utf8(const unsigned char *s, size_t n,
			       unsigned long *cp)
{
	size_t need;
	unsigned long v, min;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 2, v = s[0] & 0x1fu, min = 0x80;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		need = 3, v = s[0] & 0x0fu, min = 0x800;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		need = 4, v = s[0] & 0x07u, min = 0x10000;
	else
		return 0;
	if (n < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3fu);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return need;
}

/* What must never reach a terminal raw (tests/hostile-inputs.md rows 34-36):
 * C0, DEL, C1, the bidi controls, the zero-width characters, and the line and
 * paragraph separators. */
static inline int fuzz_forbidden(unsigned long cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
	       cp == 0x061c || (cp >= 0x200b && cp <= 0x200f) ||
	       (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2060 && cp <= 0x2069) || cp == 0xfeff;
}

/* Text that went through sanitize: valid UTF-8, nothing forbidden. */
static inline void fuzz_check_clean(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; i < len;) {
		unsigned long cp = 0;
		size_t n = fuzz_utf8(u + i, len - i, &cp);
		FUZZ_CHECK(n > 0);
		FUZZ_CHECK(!fuzz_forbidden(cp));
		i += n;
	}
}

/* A growing byte record of what a run produced, compared across feeds of
 * the same input (whole, byte by byte, in chunks). */
struct tape {
	unsigned char *buf;
	size_t len, cap;
};

static inline void tape_put(struct tape *t, const void *p, size_t n)
{
	if (t->len + n > t->cap) {
		size_t cap = t->cap ? t->cap : 256;
		while (cap < t->len + n)
			cap *= 2;
		t->buf = realloc(t->buf, cap);
		FUZZ_CHECK(t->buf != NULL);
		t->cap = cap;
	}
	memcpy(t->buf + t->len, p, n);
	t->len += n;
}

#endif
