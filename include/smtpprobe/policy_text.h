/*
 * policy_text.h - the text formats of the TLS policies, pure parsers:
 * the MTA-STS TXT record and policy file (RFC 8461 3.1, 3.2), the
 * policy's MX patterns (RFC 8461 4.1), and the TLS-RPT TXT record
 * (RFC 8460 3). Input is untrusted bytes with a length (no NUL needed);
 * every field is bounded; a record that breaks the grammar is invalid
 * with a reason, never half-taken.
 *
 * policy_sts.c reads the records and the fetched policy with these.
 */
#ifndef SMTPPROBE_POLICY_TEXT_H
#define SMTPPROBE_POLICY_TEXT_H

#include <stddef.h>

#include "smtpprobe/bounds.h"

/* RFC 8461 3.1: id is 1 to 32 letters and digits. */
#define STS_ID_MAX 32
/* MX patterns kept from one policy; more are an error (no real policy
 * lists this many). */
#define STS_MX_CAP 32
/* RFC 8461 3.2: max_age is at most 31557600 (about a year). */
#define STS_MAX_AGE_MAX 31557600L
/* TLS-RPT reporting URIs kept, and the longest one. */
#define TLSRPT_RUA_CAP 8
#define TLSRPT_URI_MAX 512

/* _mta-sts.DOMAIN TXT: one string (the TXT RR's strings joined). */
struct sts_txt {
	char id[STS_ID_MAX + 1];
	const char *error; /* NULL when valid */
};
/* 0 when txt is a valid "v=STSv1; id=..." record, -1 (with error set)
 * when it is not; 1 when it does not start with "v=STSv1" at all (not an
 * MTA-STS record: RFC 8461 3.1 says to discard it). */
int sts_parse_txt(const char *txt, size_t len, struct sts_txt *out);

enum sts_mode { STS_MODE_NONE, STS_MODE_TESTING, STS_MODE_ENFORCE };
const char *sts_mode_name(enum sts_mode m);

/* The policy file served at https://mta-sts.DOMAIN/.well-known/... */
struct sts_policy {
	enum sts_mode mode;
	long max_age;
	size_t nmx;
	char mx[STS_MX_CAP][DOMAIN_MAX + 1]; /* lower case, no trailing dot */
	int lf_only;	   /* a line ended in LF alone (RFC 8461 asks CRLF) */
	char typo[9];	   /* an unknown key that looks like a mistyped "mx" */
	const char *error; /* NULL when valid; may point at error_buf */
	char error_buf[96];
};
/* 0 when valid, -1 with error set. Lines end in LF or CRLF; unknown keys
 * are ignored; version, mode and max_age must each appear once, and mx
 * at least once unless the mode is none. */
int sts_parse_policy(const char *body, size_t len, struct sts_policy *out);

/* Does the MX host name match the policy pattern? Case-insensitive, a
 * trailing dot ignored; "*.example.net" matches exactly one more label
 * on the left ("mx.example.net", not "example.net" nor "a.b.example.net"). */
int sts_mx_matches(const char *pattern, const char *host);
/* Does any of the policy's patterns match host? */
int sts_policy_lists(const struct sts_policy *p, const char *host);

/* _smtp._tls.DOMAIN TXT. */
struct tlsrpt {
	size_t nrua;
	char rua[TLSRPT_RUA_CAP][TLSRPT_URI_MAX + 1];
	const char *error; /* NULL when valid */
};
/* As sts_parse_txt: 0 valid, -1 invalid (error set), 1 not a TLS-RPT
 * record ("v=TLSRPTv1" missing). Every rua URI must be mailto: or
 * https:. */
int tlsrpt_parse_txt(const char *txt, size_t len, struct tlsrpt *out);

#endif
