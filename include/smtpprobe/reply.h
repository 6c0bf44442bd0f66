/*
 * reply.h - a push parser for SMTP replies (RFC 5321 4.2). It owns no
 * socket: feed it bytes as they arrive, in any split, and take complete
 * replies out. Every bound of bounds.h is checked as bytes enter.
 */
#ifndef SMTPPROBE_REPLY_H
#define SMTPPROBE_REPLY_H

#include <stddef.h>

#include "smtpprobe/bounds.h"

/* Notes about a reply that did not stop it from parsing. */
#define REPLY_F_LONG_LINE 0x01 /* a line exceeded RFC 5321's 512 octets */
#define REPLY_F_BARE_LF	  0x02 /* a line ended in LF without CR */
#define REPLY_F_NUL	  0x04 /* a line contained a NUL byte */
#define REPLY_F_ENH_IGNORED                                                    \
	0x08 /* an enhanced code was malformed or of                           \
		another class, and ignored */

struct reply_line {
	char *text; /* raw bytes after "NNN-"/"NNN ", NUL-terminated */
	size_t len; /* length of text (it may hold NUL bytes) */
};

struct reply {
	int code; /* 200..599; 0 when a malformed line had none */
	char enhanced[ENHANCED_SIZE]; /* "5.1.1", or "" when absent */
	unsigned flags;		      /* REPLY_F_* */
	size_t nlines;
	struct reply_line *lines;
};

enum rp_status {
	RP_MORE,  /* all input consumed, no complete reply yet */
	RP_REPLY, /* a reply is complete: rp_take() it */
	RP_ERROR  /* malformed or over a bound: rp_take() gives the partial */
};

enum rp_error {
	RPE_NONE,
	RPE_LINE_TOO_LONG,  /* no line end within REPLY_LINE_CAP */
	RPE_TOO_MANY_LINES, /* more than REPLY_LINES_CAP lines */
	RPE_TOO_MANY_BYTES, /* more than REPLY_BYTES_CAP bytes */
	RPE_SHORT_LINE,	    /* fewer than 3 characters */
	RPE_BAD_CODE,	    /* not a 2xx-5xx three-digit code */
	RPE_BAD_SEPARATOR,  /* 4th character neither ' ' nor '-' */
	RPE_CODE_MISMATCH,  /* lines of one reply with different codes */
};

struct reply_parser {
	char line[REPLY_LINE_CAP];
	size_t linelen;
	struct reply *cur;   /* reply being assembled, or NULL */
	size_t bytes;	     /* bytes in the reply being assembled */
	enum rp_error error; /* set once RP_ERROR was returned */
};

void rp_init(struct reply_parser *p);
/* Release whatever the parser holds. */
void rp_reset(struct reply_parser *p);

/* Consume bytes from buf until a reply completes, an error happens, or the
 * input ends; *st says which. Returns the number of bytes consumed, so the
 * caller knows what follows a reply (pipelining, STARTTLS injection). Once
 * RP_ERROR was returned, the parser consumes nothing more. */
size_t rp_feed(struct reply_parser *p, const char *buf, size_t len,
	       enum rp_status *st);

/* After RP_REPLY or RP_ERROR: the reply (partial on error, possibly with no
 * lines), now owned by the caller. NULL if there is none. */
struct reply *rp_take(struct reply_parser *p);

/* The stream ended: keep a buffered unterminated line (raw, as it came)
 * as the last line of the partial reply, so that rp_take() shows what
 * arrived before the close. */
void rp_finish(struct reply_parser *p);

/* True when bytes of an unfinished reply or line are buffered. */
int rp_pending(const struct reply_parser *p);

const char *rp_error_text(enum rp_error e);

/* One reply from pasted text ("550-5.7.26 a\n550 5.7.26 b": lines end in
 * LF or CRLF, the last may have no line end, and a bounce quoted up to a
 * "550-" line counts too). NULL when no code was found; *err (if given)
 * says whether a line was malformed. */
struct reply *reply_parse_text(const char *text, enum rp_error *err);

/* Append a line (its text, without "NNN-") to a reply being built by
 * hand; -1 past REPLY_LINES_CAP lines, a line past REPLY_LINE_CAP bytes
 * (cut there) is kept. */
int reply_add_line(struct reply *r, const char *text, size_t len);

void reply_free(struct reply *r);
struct reply *reply_dup(const struct reply *r);
/* All lines joined with single spaces, NUL-free: for pattern matching.
 * Newly allocated; NULL on allocation failure. */
char *reply_join(const struct reply *r);

/* Extract an RFC 3463 enhanced code from the start of text whose class
 * digit must equal want_class (2, 4 or 5). Writes it to out (size >= 16)
 * and returns its length, or 0 if there is none. */
size_t reply_enhanced(const char *text, size_t len, int want_class,
		      char out[16]);

#endif
