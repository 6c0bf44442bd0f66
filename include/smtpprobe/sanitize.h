/*
 * sanitize.h - make untrusted text (server replies, certificate fields,
 * DNS names) safe to print on a terminal, in a ticket, or in JSON.
 *
 * The result is valid UTF-8 with no C0/C1 control characters, no DEL, no
 * bidirectional overrides or zero-width characters: those are written as
 * visible escapes (\x1b, \u{202E}); a backslash becomes "\\". Valid
 * printable UTF-8 is kept as it is. Pure: no I/O, no globals.
 */
#ifndef SMTPPROBE_SANITIZE_H
#define SMTPPROBE_SANITIZE_H

#include <stddef.h>

/* Bytes needed for the sanitised form of len input bytes, plus NUL. */
#define SANITIZE_SIZE(len) ((len)*4 + 1)

/* Write the sanitised form of in[0..len) into out (size outsz, at least
 * 1); always NUL-terminates, cutting at a character boundary. Returns the
 * length written. */
size_t sanitize_buf(char *out, size_t outsz, const char *in, size_t len);

/* Newly allocated sanitised copy; NULL only when out of memory. */
char *sanitize_dup(const char *in, size_t len);

/* Decode one UTF-8 sequence at s (n >= 1 bytes available). Returns its
 * length and sets *cp, or 0 when the bytes are not a valid shortest-form
 * sequence (overlong, a surrogate, above U+10FFFF, or cut short). */
size_t sanitize_utf8_decode(const unsigned char *s, size_t n,
			    unsigned long *cp);

/* True if the code point must be escaped even though it is valid. */
int sanitize_is_dangerous(unsigned long cp);

#endif
