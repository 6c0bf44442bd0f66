/*
 * test_sanitize.c - proves sanitize.h's promise (tests/hostile-inputs.md rows 34-35):
 * whatever a server sends - ESC and OSC sequences, backspace, CR, DEL, C1
 * controls raw or UTF-8 encoded, bidi overrides, zero-width characters,
 * overlong or surrogate or out-of-range UTF-8, sequences cut short - the
 * output is valid UTF-8 holding no control character and none of those
 * code points, each escaped visibly; valid text is kept as it is; a
 * backslash is doubled so escapes cannot be forged; a small buffer is cut
 * at a character boundary and always NUL-terminated.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "smtpprobe/sanitize.h"

#define S(x) x, sizeof(x) - 1

/* ---- an independent strict UTF-8 checker ---- */

/* Length of the valid shortest-form sequence at s, 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n, unsigned long *cp)
{
	size_t need;
	unsigned long v;

	if (s[0] < 0x80)
		need = 1, v = s[0];
	else if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 2, v = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		need = 3, v = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		need = 4, v = s[0] & 0x07;
	else
		return 0;
	if (n < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	if ((need == 3 && v < 0x800) || (need == 4 && v < 0x10000) ||
	    v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return need;
}

static int forbidden(unsigned long cp)
{
	static const unsigned long bad[] = {
	    0x061c, 0x200b, 0x200c, 0x200d, 0x200e, 0x200f, 0x2028,
	    0x2029, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2060,
	    0x2066, 0x2067, 0x2068, 0x2069, 0xfeff,
	};

	if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f))
		return 1;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (cp == bad[i])
			return 1;
	return 0;
}

/* The output is valid UTF-8 with nothing a terminal would act on. */
static void assert_safe(const char *out)
{
	const unsigned char *s = (const unsigned char *)out;
	size_t n = strlen(out);

	for (size_t i = 0; i < n;) {
		unsigned long cp = 0;
		size_t k = utf8_len(s + i, n - i, &cp);

		if (k == 0)
			fail_msg("invalid UTF-8 at %zu in \"%s\"", i, out);
		if (forbidden(cp))
			fail_msg("U+%04lX at %zu survived", cp, i);
		i += k;
	}
}

static char *san(const char *in, size_t len)
{
	char *out = sanitize_dup(in, len);

	assert_non_null(out);
	assert_safe(out);
	return out;
}

/* ---- exact escapes for hostile input ---- */

static const struct {
	const char *in;
	size_t len;
	const char *want;
} hostile[] = {
    {S("\x1b[2J"), "\\x1b[2J"},
    {S("\x1b]52;c;SGVsbG8=\x07"), "\\x1b]52;c;SGVsbG8=\\x07"},
    {S("\x1b]0;title\x1b\\"), "\\x1b]0;title\\x1b\\\\"},
    {S("\x1b]8;;http://x.test/\x07link"), "\\x1b]8;;http://x.test/\\x07link"},
    {S("ok\b\b\bNO"), "ok\\x08\\x08\\x08NO"},
    {S("250 fake\r250 OK"), "250 fake\\x0d250 OK"},
    {S("a\nb"), "a\\x0ab"},
    {S("tab\there"), "tab\\x09here"},
    {S("del\x7f"), "del\\x7f"},
    {S("nul\0x"), "nul\\x00x"},
    {S("\xc2\x9b"
       "2J"),
     "\\x9b"
     "2J"},
    {S("\x9b"
       "2J"),
     "\\x9b"
     "2J"},
    {S("\xc2\x85"), "\\x85"},
    {S("\xc2\x80\xc2\x9f"), "\\x80\\x9f"},
    {S("abc\xe2\x80\xae"
       "fdp.exe"),
     "abc\\u{202E}fdp.exe"},
    {S("zero\xe2\x80\x8bwidth"), "zero\\u{200B}width"},
    {S("\xe2\x81\xa6iso\xe2\x81\xa9"), "\\u{2066}iso\\u{2069}"},
    {S("\xef\xbb\xbf"
       "bom"),
     "\\u{FEFF}bom"},
    {S("\xe2\x80\xa8"), "\\u{2028}"},
    {S("\xd8\x9c"), "\\u{061C}"},
    {S("\xc0\xaf"), "\\xc0\\xaf"},
    {S("\xe0\x80\xaf"), "\\xe0\\x80\\xaf"},
    {S("\xf0\x80\x80\xaf"), "\\xf0\\x80\\x80\\xaf"},
    {S("\xed\xa0\x80"), "\\xed\\xa0\\x80"},
    {S("\xed\xbf\xbf"), "\\xed\\xbf\\xbf"},
    {S("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80"},
    {S("\xf7\xbf\xbf\xbf"), "\\xf7\\xbf\\xbf\\xbf"},
    {S("\xf8\x88\x80\x80\x80"), "\\xf8\\x88\\x80\\x80\\x80"},
    {S("\xff\xfe"), "\\xff\\xfe"},
    {S("\xa0"), "\\xa0"},
    {S("ok\xc3"), "ok\\xc3"},
    {S("ok\xe6\x97"), "ok\\xe6\\x97"},
    {S("ok\xf0\x9f\x98"), "ok\\xf0\\x9f\\x98"},
    {S("\xe2\x80"
       "A"),
     "\\xe2\\x80"
     "A"},
    {S("\\"), "\\\\"},
    {S("a\\x1b"), "a\\\\x1b"},
    {S("C:\\path\\"), "C:\\\\path\\\\"},
};

static void test_hostile_escaped(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
		char *out = san(hostile[i].in, hostile[i].len);

		print_message("hostile %zu\n", i);
		assert_string_equal(out, hostile[i].want);
		free(out);
	}
}

static void test_valid_text_kept(void **state)
{
	static const char *const keep[] = {
	    ("Gr\xc3\xbc\xc3\x9f"
	     "e \xe6\x97\xa5\xe6\x9c\xac"),
	    "250 mx.example.com ESMTP Postfix (Debian/GNU)",
	    "550 5.1.1 <a@b.test>: Recipient address rejected: ~!@#$%^&*()",
	    "\xc2\xa0nbsp \xc2\xa9 \xc3\xa9t\xc3\xa9",
	    "\xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf \xef\xbf\xbd",
	    "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d "
	    "\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7",
	    "",
	};
	(void)state;
	for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
		char *out = san(keep[i], strlen(keep[i]));

		assert_string_equal(out, keep[i]);
		free(out);
	}
}

static void test_is_dangerous(void **state)
{
	static const struct {
		unsigned long cp;
		int bad;
	} t[] = {
	    {0x00, 1},	  {0x1b, 1},   {0x1f, 1},   {0x20, 0},	 {0x7e, 0},
	    {0x7f, 1},	  {0x80, 1},   {0x9b, 1},   {0x9f, 1},	 {0xa0, 0},
	    {0xe9, 0},	  {0x061c, 1}, {0x200b, 1}, {0x200d, 1}, {0x200e, 1},
	    {0x200f, 1},  {0x2010, 0}, {0x2028, 1}, {0x202e, 1}, {0x202f, 0},
	    {0x2066, 1},  {0x2069, 1}, {0xfeff, 1}, {0xfffd, 0}, {0x65e5, 0},
	    {0x1f600, 0},
	};
	(void)state;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		assert_int_equal(!!sanitize_is_dangerous(t[i].cp), t[i].bad);
}

/* Every one- and two-byte input is made safe. */
static void test_all_short_inputs_safe(void **state)
{
	char in[2], out[SANITIZE_SIZE(2)];

	(void)state;
	for (int a = 0; a < 256; a++) {
		in[0] = (char)a;
		sanitize_buf(out, sizeof out, in, 1);
		assert_safe(out);
		for (int b = 0; b < 256; b++) {
			in[1] = (char)b;
			sanitize_buf(out, sizeof out, in, 2);
			assert_safe(out);
		}
	}
}

/* Random input over an alphabet rich in lead, continuation and control
 * bytes: always safe, never cut when the buffer is SANITIZE_SIZE. */
static void test_random_inputs_safe(void **state)
{
	static const unsigned char alpha[] = {
	    'a',  ' ',	'\\', 0x00, 0x07, 0x08, 0x0d, 0x0a, 0x1b, 0x7f, 0x80,
	    0x85, 0x9b, 0xa0, 0xae, 0xbf, 0xc0, 0xc2, 0xc3, 0xd8, 0xe0, 0xe2,
	    0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xf8, 0xff, 0x81, 0xbb, 0x8b,
	};
	unsigned long seed = 12345;
	char in[24], out[SANITIZE_SIZE(24)];

	(void)state;
	for (int iter = 0; iter < 200000; iter++) {
		size_t len, n;

		seed = seed * 1103515245 + 12345;
		len = (seed >> 16) % sizeof in;
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245 + 12345;
			in[i] = (char)alpha[(seed >> 16) % sizeof alpha];
		}
		n = sanitize_buf(out, SANITIZE_SIZE(len), in, len);
		assert_int_equal(n, strlen(out));
		assert_safe(out);
	}
}

/* Worst cases fill SANITIZE_SIZE without being cut. */
static void test_size_bound(void **state)
{
	static const struct {
		const char *unit;
		size_t len;
		const char *esc;
	} t[] = {
	    {S("\x01"), "\\x01"},     {S("\xff"), "\\xff"},
	    {S("\xc2\x9b"), "\\x9b"}, {S("\xe2\x80\xae"), "\\u{202E}"},
	    {S("\\"), "\\\\"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		size_t reps = 100, el = strlen(t[i].esc);
		char *in = malloc(reps * t[i].len), *out;

		assert_non_null(in);
		for (size_t k = 0; k < reps; k++)
			memcpy(in + k * t[i].len, t[i].unit, t[i].len);
		out = san(in, reps * t[i].len);
		assert_int_equal(strlen(out), reps * el);
		for (size_t k = 0; k < reps; k++)
			assert_memory_equal(out + k * el, t[i].esc, el);
		free(out);
		free(in);
	}
}

/* Cut at outsz: the result is the sanitised form of the longest input
 * prefix whose form fits and is a prefix of the whole form. */
static void check_truncation(const char *in, size_t len)
{
	char *full = san(in, len);
	size_t flen = strlen(full);

	for (size_t outsz = 1; outsz <= flen + 2; outsz++) {
		char *out = malloc(outsz + 1);
		size_t n, best = 0;

		assert_non_null(out);
		out[outsz] = 'Z'; /* must stay untouched */
		n = sanitize_buf(out, outsz, in, len);
		assert_true(n < outsz);
		assert_int_equal(out[n], '\0');
		assert_int_equal(out[outsz], 'Z');
		assert_memory_equal(out, full, n);
		assert_safe(out);
		for (size_t j = 0; j <= len; j++) {
			char *pre = sanitize_dup(in, j);
			size_t pl = strlen(pre);

			if (pl < outsz && pl > best &&
			    memcmp(pre, full, pl) == 0)
				best = pl;
			free(pre);
		}
		assert_int_equal(n, best);
		free(out);
	}
	free(full);
}

static void test_truncation_at_boundary(void **state)
{
	(void)state;
	check_truncation(S("Gr\xc3\xbc\xc3\x9f"
			   "e \xe6\x97\xa5\xe6\x9c\xac"));
	check_truncation(S("a\x1b[2Jb\xe2\x80\xae"
			   "c\\d\xf0\x9f\x98\x80"));
	check_truncation(S("\xc0\xaf\xed\xa0\x80\xc2\x9b"));
}

static void test_truncation_examples(void **state)
{
	char out[16];

	(void)state;
	assert_int_equal(sanitize_buf(out, 1, S("abc")), 0);
	assert_string_equal(out, "");
	/* "Grü" needs 5 bytes with its NUL: at 4 the ü is left out whole. */
	assert_int_equal(sanitize_buf(out, 4, S("Gr\xc3\xbc")), 2);
	assert_string_equal(out, "Gr");
	assert_int_equal(sanitize_buf(out, 5, S("Gr\xc3\xbc")), 4);
	assert_string_equal(out, "Gr\xc3\xbc");
	/* An escape is never cut in half. */
	assert_int_equal(sanitize_buf(out, 6, S("a\x1b")), 5);
	assert_int_equal(sanitize_buf(out, 5, S("a\x1b")), 1);
	assert_string_equal(out, "a");
	assert_int_equal(sanitize_buf(out, 9, S("\xe2\x80\xae")), 8);
	assert_int_equal(sanitize_buf(out, 8, S("\xe2\x80\xae")), 0);
	assert_string_equal(out, "");
	/* A doubled backslash is never cut in half either. */
	assert_int_equal(sanitize_buf(out, 3, S("a\\")), 1);
	assert_string_equal(out, "a");
}

static void test_dup(void **state)
{
	char *out;

	(void)state;
	out = sanitize_dup("", 0);
	assert_non_null(out);
	assert_string_equal(out, "");
	free(out);
	/* By length, not by NUL. */
	out = sanitize_dup("abcdef", 3);
	assert_string_equal(out, "abc");
	free(out);
	out = san(S("x\0y\x1b"));
	assert_string_equal(out, "x\\x00y\\x1b");
	free(out);
}

/* Invisible default-ignorable characters that could hide text in a
 * transcript (found by reading after fuzzing): escaped like bidi ones. */
static void test_default_ignorables(void **state)
{
	static const struct {
		const char *in, *out;
	} t[] = {
	    {"a\xc2\xad"
	     "b",
	     "a\\xadb"}, /* soft hyphen: below U+0100, as \\xNN */
	    {"a\xe3\x85\xa4"
	     "b",
	     "a\\u{3164}b"}, /* Hangul filler */
	    {"a\xef\xb8\x8f"
	     "b",
	     "a\\u{FE0F}b"}, /* variation sel. */
	    {"a\xf3\xa0\x81\x81"
	     "b",
	     "a\\u{E0041}b"}, /* tag 'A' */
	};
	char out[64];

	(void)state;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		sanitize_buf(out, sizeof out, t[i].in, strlen(t[i].in));
		assert_string_equal(out, t[i].out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_default_ignorables),
	    cmocka_unit_test(test_hostile_escaped),
	    cmocka_unit_test(test_valid_text_kept),
	    cmocka_unit_test(test_is_dangerous),
	    cmocka_unit_test(test_all_short_inputs_safe),
	    cmocka_unit_test(test_random_inputs_safe),
	    cmocka_unit_test(test_size_bound),
	    cmocka_unit_test(test_truncation_at_boundary),
	    cmocka_unit_test(test_truncation_examples),
	    cmocka_unit_test(test_dup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
