/*
 * addr.h - check and normalise what the user typed as a mail address, a
 * mail domain or an EHLO name, before any byte goes on the wire.
 *
 * Contract: every function takes (pointer, length), so an embedded NUL is
 * seen and refused rather than silently cutting the string. Nothing with
 * CR, LF, NUL, another C0/C1 control, a bidi or zero-width control, invalid
 * UTF-8 or an unquoted space passes (SMTP command injection, curl test
 * 931). Limits are RFC 5321 4.5.3.1: local part 64, domain 255, path 256
 * octets with the angle brackets (so local@domain <= 254). Domains are
 * returned as A-labels (IDNA via libidn2), without a trailing dot; ASCII
 * domains keep their case. A local part is kept exactly as typed (it is
 * case-sensitive and belongs to the receiving host); a non-ASCII one is
 * legal only with SMTPUTF8 (RFC 6531), which is flagged.
 *
 * Address literals ("user@[192.0.2.1]") are refused as a target or sender
 * for now (ADDR_E_LITERAL), but accepted as an EHLO name, where RFC 5321
 * 4.1.4 recommends them for a client without a name.
 *
 * Pure: no I/O, no globals. Errors are positive codes; addr_strerror()
 * gives a static one-line message without a trailing period.
 */
#ifndef SMTPPROBE_ADDR_H
#define SMTPPROBE_ADDR_H

#include <stddef.h>

#include "smtpprobe/bounds.h"

/* Longest local@domain without the angle brackets. */
#define ADDR_PATH_MAX (PATH_MAX_OCTETS - 2)
/* Longest input looked at. A Unicode domain may be longer than its A-label
 * form (mappings shrink it), so this is well above PATH_MAX_OCTETS; the
 * real limits are checked after conversion. */
#define ADDR_INPUT_MAX 1024

enum addr_error {
	ADDR_OK = 0,
	ADDR_E_EMPTY,
	ADDR_E_TOO_LONG_INPUT,
	ADDR_E_NUL,
	ADDR_E_CRLF,
	ADDR_E_CONTROL,
	ADDR_E_INVISIBLE,
	ADDR_E_UTF8,
	ADDR_E_SPACE,
	ADDR_E_BRACKETS,
	ADDR_E_NO_LOCAL,
	ADDR_E_NO_DOMAIN,
	ADDR_E_NOT_MAILBOX,
	ADDR_E_LOCAL_LONG,
	ADDR_E_LOCAL_DOT,
	ADDR_E_LOCAL_CHAR,
	ADDR_E_LOCAL_QUOTE,
	ADDR_E_DOMAIN_LONG,
	ADDR_E_LABEL_EMPTY,
	ADDR_E_LABEL_LONG,
	ADDR_E_LABEL_HYPHEN,
	ADDR_E_LABEL_CHAR,
	ADDR_E_NUMERIC_TLD,
	ADDR_E_IDN,
	ADDR_E_LITERAL,
	ADDR_E_BAD_LITERAL,
	ADDR_E_PATH_LONG,
	ADDR_E__COUNT
};

/* A parsed target or sender. */
struct mail_addr {
	char local[LOCAL_PART_MAX + 1]; /* as typed; "" for a domain */
	char domain[DOMAIN_MAX + 1];	/* A-labels, no trailing dot */
	char path[ADDR_PATH_MAX + 1];	/* local@domain, or "" */
	int is_address;			/* 1: local@domain, 0: domain */
	int need_smtputf8;		/* local part is not ASCII */
};

/*
 * The positional argument: "local@domain" (an ADDRESS) or "domain" (a
 * DOMAIN). One pair of enclosing angle brackets is allowed and dropped.
 */
int addr_parse_target(const char *in, size_t len, struct mail_addr *out);

/*
 * --from: "" or "<>" is the null sender (out->path == ""); anything else
 * must be a full local@domain, optionally in angle brackets.
 */
int addr_parse_sender(const char *in, size_t len, struct mail_addr *out);

/*
 * A host name: LDH labels of 1-63 octets, at most DOMAIN_MAX in all, IDN
 * converted, trailing dot dropped, last label not all digits (that is an
 * IP address, not a name). out must hold DOMAIN_MAX + 1.
 */
int addr_parse_domain(const char *in, size_t len, char *out, size_t outsz);

/*
 * --helo: a host name as above, or an address literal "[192.0.2.1]" /
 * "[IPv6:2001:db8::1]". out must hold DOMAIN_MAX + 1.
 */
int addr_parse_helo(const char *in, size_t len, char *out, size_t outsz);

/* True when s is a textual IPv4 or IPv6 address (no brackets). */
/* AF_INET or AF_INET6 when s is an address of that family, else 0. */
int addr_ip_family(const char *s);
int addr_is_ip_literal(const char *s);

/* Static one-line message for an enum addr_error value. */
const char *addr_strerror(int err);

#endif
