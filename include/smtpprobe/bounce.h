/*
 * bounce.h - a bounce message (a non-delivery report) read into its
 * failed recipients: an RFC 3464 delivery status notification, found in
 * a MIME multipart/report (RFC 6522) or any multipart, or the plain-text
 * bounces of Postfix, Exim, qmail, Exchange / Microsoft 365 and Gmail.
 * Pure: bytes in, a list out; no I/O. Every byte is distrusted: the input
 * is cut at BOUNCE_MAX_BYTES, MIME nesting at BOUNCE_MAX_DEPTH, the list
 * at BOUNCE_MAX_RECIPIENTS, and every field kept at its own bound. The
 * fields are raw (not sanitised): whoever prints them sanitises.
 */
#ifndef SMTPPROBE_BOUNCE_H
#define SMTPPROBE_BOUNCE_H

#include <stddef.h>

#include "smtpprobe/bounds.h"

#define BOUNCE_MAX_BYTES      (1024 * 1024)
#define BOUNCE_MAX_DEPTH      8
#define BOUNCE_MAX_PARTS      64
#define BOUNCE_MAX_RECIPIENTS 64
#define BOUNCE_ADDR_MAX	      320 /* RFC 5321: 64 + 1 + 255 */
#define BOUNCE_HOST_MAX	      255
#define BOUNCE_DIAG_MAX	      8192 /* bytes of one diagnostic kept */

/* Where the recipients were found. */
enum bounce_format {
	BF_NONE,
	BF_DSN, /* message/delivery-status (RFC 3464) */
	BF_POSTFIX,
	BF_QMAIL,
	BF_EXIM,
	BF_EXCHANGE,
	BF_GMAIL
};

struct bounce_recipient {
	char addr[BOUNCE_ADDR_MAX + 1]; /* Final- (or Original-) Recipient */
	char orig[BOUNCE_ADDR_MAX + 1]; /* Original-Recipient, or "" */
	char remote_mta[BOUNCE_HOST_MAX + 1]; /* "" when not named */
	char status[ENHANCED_SIZE];	      /* "5.1.1" from Status:, or "" */
	char action[16];		      /* "failed", "delayed", or "" */
	char *diagnostic; /* the reply as the bounce quotes it: lines
			     separated by LF, wrapper included; NULL if
			     none */
};

struct bounce {
	enum bounce_format format;
	size_t n; /* recipients that failed (or were delayed) */
	struct bounce_recipient *rcpt;
	int truncated; /* the input was longer than BOUNCE_MAX_BYTES */
};

/* Read the message in buf (len bytes; NUL bytes allowed). Returns 0 (n
 * may be 0: nothing that failed was found) or -1 when out of memory.
 * Free with bounce_free() in either case. */
int bounce_parse(const char *buf, size_t len, struct bounce *out);
void bounce_free(struct bounce *b);

/* "dsn", "postfix", ...; "none". */
const char *bounce_format_name(enum bounce_format f);

#endif
