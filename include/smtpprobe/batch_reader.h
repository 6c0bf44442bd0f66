/*
 * batch_reader.h - the line reader of a batch input (one target a line),
 * pure and bounded: the caller reads chunks from the file descriptor
 * itself (so it can stay non-blocking) and feeds them in; complete lines
 * come out one at a time. The file is never held in memory, only the
 * line being read, at most BATCH_LINE_MAX octets of it.
 *
 * Lines end with LF or CRLF (a CR not followed by LF is line content and,
 * at either end of a line, trimmed as a blank). Every physical line
 * counts for input_line, numbered from 1; blank lines (only spaces, tabs,
 * CR, VT, FF) and lines whose first non-blank octet is '#' are skipped.
 * The text yielded has its leading and trailing blanks trimmed. A UTF-8
 * byte order mark (EF BB BF) opening the input is dropped.
 *
 * A line longer than BATCH_LINE_MAX octets (before trimming, without its
 * line end) is yielded with BATCH_TOO_LONG: its first BATCH_LINE_MAX
 * octets, trimmed; the rest of it is read and thrown away up to its line
 * end. A line holding a NUL octet is yielded with BATCH_NUL, its text
 * (and its NULs) kept as they are: the length says where it ends.
 */
#ifndef SMTPPROBE_BATCH_READER_H
#define SMTPPROBE_BATCH_READER_H

#include <stddef.h>

/* An address is at most 256 octets (RFC 5321 4.5.3.1.3); this leaves room
 * for whatever else a batch line may come to carry. */
#define BATCH_LINE_MAX 1024

#define BATCH_TOO_LONG 0x1 /* longer than BATCH_LINE_MAX: text truncated */
#define BATCH_NUL      0x2 /* held a NUL octet: not a valid target */

struct batch_line {
	unsigned long input_line; /* 1-based physical line number */
	const char *text; /* trimmed, NUL-terminated (len octets before it) */
	size_t len;	  /* <= BATCH_LINE_MAX */
	unsigned flags;	  /* BATCH_* */
};

struct batch_reader {
	/* The line being read: up to BATCH_LINE_MAX octets and one more, a
	 * CR that may turn out to end it with the LF after. */
	char buf[BATCH_LINE_MAX + 2];
	size_t len;
	int overflow; /* octets past the buffer were thrown away */
	int nul;      /* a NUL octet was seen */
	int first;    /* first non-blank octet of the line, -1 none yet */
	int any;      /* the line has an octet (a final line without LF) */
	int yielded;  /* buf holds the line last yielded: reset first */
	unsigned long line; /* physical lines ended so far */

	/* The UTF-8 BOM at the start: octets of it matched and held. */
	unsigned bom;
	int bom_done;

	/* The chunk being read; not copied. */
	const unsigned char *in;
	size_t in_len, in_off;
	int eof;
	int finished; /* after eof, the last line was yielded */
};

void batch_reader_init(struct batch_reader *r);

/* The next chunk of the input; buf must stay valid until
 * batch_reader_next returns 0. Returns 0, or -1 (chunk ignored) if the
 * previous chunk has not been read to its end or after batch_reader_eof.
 */
int batch_reader_feed(struct batch_reader *r, const void *buf, size_t n);

/* The input has ended: a last line without a line end is yielded next. */
void batch_reader_eof(struct batch_reader *r);

/* The next line that is not blank or a comment: 1 and *out set (valid
 * until the next call on r), or 0 when the chunk fed is used up (or, after
 * batch_reader_eof, when there is nothing more). */
int batch_reader_next(struct batch_reader *r, struct batch_line *out);

/* Physical lines seen so far, skipped ones included (the final line
 * without LF counts once batch_reader_eof has yielded it). */
unsigned long batch_reader_lines(const struct batch_reader *r);

#endif
