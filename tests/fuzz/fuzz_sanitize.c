/*
 * fuzz_sanitize.c - the terminal-safety filter (sanitize.h) on arbitrary
 * bytes (tests/hostile-inputs.md rows 34-38), at the size SANITIZE_SIZE promises is
 * enough and at several smaller output sizes.
 *
 * Invariants: the output is NUL-terminated at the returned length, valid
 * UTF-8, free of C0, DEL, C1, bidi controls, zero-width characters and
 * line separators; every backslash in it starts one of the documented
 * escapes (\\, \xNN, \u{NNNN}); at SANITIZE_SIZE nothing is cut, and
 * undoing the escapes gives the input back; a smaller output is a prefix
 * of the full one, cut between two pieces, and as long as fits;
 * sanitize_dup agrees with sanitize_buf.
 */
#include <string.h>

#include "fuzz.h"
#include "smtpprobe/sanitize.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The piece of output that starts at s: its length, and what it stands
 * for (*cp: a code point, or a raw byte when *raw). 0 if malformed. */
static size_t piece(const char *s, size_t len, unsigned long *cp, int *raw)
{
	size_t n;

	*raw = 0;
	if (s[0] != '\\') {
		n = fuzz_utf8((const unsigned char *)s, len, cp);
		FUZZ_CHECK(n > 0);
		return n;
	}
	if (len >= 2 && s[1] == '\\') {
		*cp = '\\';
		return 2;
	}
	if (len >= 4 && s[1] == 'x' && hexval(s[2]) >= 0 && hexval(s[3]) >= 0) {
		*cp = (unsigned long)(hexval(s[2]) * 16 + hexval(s[3]));
		*raw = 1;
		return 4;
	}
	if (len >= 5 && s[1] == 'u' && s[2] == '{') {
		unsigned long v = 0;
		for (n = 3; n < len && n < 10 && hexval(s[n]) >= 0; n++)
			v = v * 16 + (unsigned long)hexval(s[n]);
		if (n < len && s[n] == '}' && n > 3) {
			*cp = v;
			return n + 1;
		}
	}
	return 0;
}

static size_t utf8_put(unsigned long cp, unsigned char *o)
{
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xc0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xe0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (unsigned char)(0xf0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * Walk out[0..olen) piece by piece against in[0..ilen): each piece must
 * stand for the next input bytes. "\xNN" stands for the byte NN, or, for
 * NN in 80..9f, for the C1 control U+00NN (two bytes): sanitize writes
 * both the same way. Returns the input consumed. A cut output must end
 * on a piece boundary, or the last piece fails to parse here.
 */
static size_t undo(const char *out, size_t olen, const unsigned char *in,
		   size_t ilen)
{
	size_t o = 0, i = 0;

	while (o < olen) {
		unsigned long cp = 0;
		int raw;
		size_t n = piece(out + o, olen - o, &cp, &raw);
		unsigned char enc[4];
		size_t elen;

		FUZZ_CHECK(n > 0); /* a backslash starts a known escape */
		if (raw) {
			/* \xNN: a byte that does not decode, or C0/DEL/C1 */
			unsigned long dcp = 0;
			size_t d = fuzz_utf8(in + i, ilen - i, &dcp);
			FUZZ_CHECK(i < ilen);
			if (d == 0) {
				FUZZ_CHECK(in[i] == cp);
				i += 1;
			} else {
				FUZZ_CHECK(dcp == cp && fuzz_forbidden(dcp));
				i += d;
			}
			o += n;
			continue;
		}
		if (out[o] == '\\' && out[o + 1] == 'u') /* \u{NNNN} */
			FUZZ_CHECK(cp >= 0x100 && cp <= 0x10ffff);
		elen = utf8_put(cp, enc);
		FUZZ_CHECK(i + elen <= ilen);
		FUZZ_CHECK(memcmp(in + i, enc, elen) == 0);
		i += elen;
		o += n;
	}
	return i;
}

/* Length of the first piece at out[o..), to check a cut is maximal. */
static size_t piece_len(const char *out, size_t olen, size_t o)
{
	unsigned long cp;
	int raw;

	return piece(out + o, olen - o, &cp, &raw);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	size_t fullsz = SANITIZE_SIZE(size), n;
	char *full = malloc(fullsz), *dup;
	size_t sizes[8];
	size_t nsizes = 0;

	FUZZ_CHECK(full != NULL);
	n = sanitize_buf(full, fullsz, in, size);
	FUZZ_CHECK(n < fullsz);
	FUZZ_CHECK(full[n] == '\0' && strlen(full) == n);
	fuzz_check_clean(full, n);
	/* Nothing cut, and the escapes undo to the input. */
	FUZZ_CHECK(undo(full, n, data, size) == size);

	dup = sanitize_dup(in, size);
	FUZZ_CHECK(dup != NULL && strcmp(dup, full) == 0);
	free(dup);

	sizes[nsizes++] = 1;
	sizes[nsizes++] = 2;
	sizes[nsizes++] = 4;
	sizes[nsizes++] = 5;
	sizes[nsizes++] = 9;
	sizes[nsizes++] = size > 0 ? (size_t)data[0] % 64 + 1 : 3;
	sizes[nsizes++] = n; /* one short of what it needs */
	sizes[nsizes++] = n + 1;
	for (size_t k = 0; k < nsizes; k++) {
		size_t sz = sizes[k] ? sizes[k] : 1;
		char *out = malloc(sz);
		size_t m;

		FUZZ_CHECK(out != NULL);
		m = sanitize_buf(out, sz, in, size);
		FUZZ_CHECK(m < sz && out[m] == '\0' && strlen(out) == m);
		FUZZ_CHECK(m <= n && memcmp(out, full, m) == 0);
		fuzz_check_clean(out, m);
		undo(out, m, data, size); /* cut between pieces */
		if (m < n)		  /* and the next piece did not fit */
			FUZZ_CHECK(m + piece_len(full, n, m) >= sz);
		free(out);
	}
	free(full);
	return 0;
}
