/*
 * sanitize.c - see sanitize.h. Decodes UTF-8 strictly (no overlong forms,
 * no surrogates, nothing above U+10FFFF); whatever does not decode is
 * escaped byte by byte.
 */
#include "smtpprobe/sanitize.h"

#include <stdio.h>
#include <stdlib.h>

int sanitize_is_dangerous(unsigned long cp)
{
	if (cp < 0x20 || cp == 0x7f)
		return 1;
	if (cp >= 0x80 && cp <= 0x9f) /* C1 controls */
		return 1;
	if (cp == 0x061c || cp == 0x200e || cp == 0x200f) /* bidi marks */
		return 1;
	if (cp >= 0x200b && cp <= 0x200d) /* zero-width */
		return 1;
	if (cp >= 0x2028 && cp <= 0x202e) /* separators, bidi embeds */
		return 1;
	if (cp >= 0x2060 && cp <= 0x206f) /* word joiner, bidi isolates */
		return 1;
	if (cp == 0xfeff || (cp >= 0xfff9 && cp <= 0xfffb)) /* BOM, annot. */
		return 1;
	/* Other default-ignorable code points: invisible, so they could
	 * hide text in a transcript (soft hyphen, fillers, variation
	 * selectors, tag characters...). */
	if (cp == 0x00ad || cp == 0x034f || cp == 0x115f || cp == 0x1160 ||
	    cp == 0x180e || cp == 0x3164 || cp == 0xffa0 ||
	    (cp >= 0x17b4 && cp <= 0x17b5) || (cp >= 0x180b && cp <= 0x180f) ||
	    (cp >= 0xfe00 && cp <= 0xfe0f) ||
	    (cp >= 0x1d173 && cp <= 0x1d17a) ||
	    (cp >= 0xe0000 && cp <= 0xe0fff))
		return 1;
	return 0;
}

size_t sanitize_utf8_decode(const unsigned char *s, size_t n, unsigned long *cp)
{
	size_t need;
	unsigned long v, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	} else if ((s[0] & 0xe0) == 0xc0) {
		need = 2, v = s[0] & 0x1f, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		need = 3, v = s[0] & 0x0f, min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		need = 4, v = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return need;
}

size_t sanitize_buf(char *out, size_t outsz, const char *in, size_t len)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0;
	char esc[16];

	if (outsz == 0)
		return 0;
	for (size_t i = 0; i < len;) {
		unsigned long cp;
		size_t n = sanitize_utf8_decode(s + i, len - i, &cp);
		const char *piece;
		size_t plen;

		if (n == 0) {
			snprintf(esc, sizeof esc, "\\x%02x", s[i]);
			piece = esc, plen = 4, n = 1;
		} else if (cp == '\\') {
			piece = "\\\\", plen = 2;
		} else if (sanitize_is_dangerous(cp)) {
			if (cp < 0x100)
				plen = (size_t)snprintf(esc, sizeof esc,
							"\\x%02lx", cp);
			else
				plen = (size_t)snprintf(esc, sizeof esc,
							"\\u{%04lX}", cp);
			piece = esc;
		} else {
			piece = (const char *)s + i, plen = n;
		}
		if (o + plen >= outsz)
			break;
		for (size_t k = 0; k < plen; k++)
			out[o++] = piece[k];
		i += n;
	}
	out[o] = '\0';
	return o;
}

char *sanitize_dup(const char *in, size_t len)
{
	size_t sz = SANITIZE_SIZE(len);
	char *out = malloc(sz);

	if (out)
		sanitize_buf(out, sz, in, len);
	return out;
}
