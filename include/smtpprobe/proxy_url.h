/*
 * proxy_url.h - the --proxy URL, socks5://[USER@]HOST[:PORT], taken
 * apart and checked (pure: no I/O, no allocation), and the redaction
 * that keeps a password typed into any URL out of what is printed.
 *
 * HOST must be an IP literal: IPv4 dotted, or IPv6 in brackets. A name
 * would need a lookup of its own before the run starts (a blocking call
 * outside the run's c-ares), and the proxy's address is what the user
 * controls anyway. PORT defaults to 1080 (RFC 1928 1). USER may be
 * percent-encoded (RFC 3986 2.1); a password in the URL is refused (it
 * would sit in argv, in ps and in shell history): it comes from the
 * environment or a prompt, see cli.h. socks5h:// (the proxy resolves
 * names) is refused too: the probe resolves the mail hosts itself and
 * gives the proxy addresses.
 */
#ifndef SMTPPROBE_PROXY_URL_H
#define SMTPPROBE_PROXY_URL_H

#include <stddef.h>

#define PROXY_DEFAULT_PORT 1080
#define PROXY_HOST_MAX	   46  /* an IPv6 literal and its NUL */
#define PROXY_USER_MAX	   255 /* RFC 1929: ULEN is one octet */
/* "socks5://" USER (each octet at most %XX) "@[" HOST "]:" PORT NUL */
#define PROXY_SHOWN_MAX (9 + 3 * PROXY_USER_MAX + 2 + PROXY_HOST_MAX + 8)

enum proxy_url_error {
	PU_OK,
	PU_SCHEME,	   /* not socks5:// */
	PU_SCHEME_SOCKS5H, /* socks5h://: remote resolution, refused */
	PU_PASSWORD,	   /* USER:PASSWORD@ in the URL */
	PU_BAD_USER,	   /* empty, bad %XX, NUL or control octet */
	PU_USER_TOO_LONG,  /* over 255 octets once decoded */
	PU_HOST_NAME,	   /* a name where an IP literal belongs */
	PU_BAD_HOST,	   /* empty, or not an address */
	PU_BAD_PORT,	   /* not 1-65535 */
	PU_TRAILING,	   /* a path, query or fragment after the port */
	PU__COUNT
};

struct proxy_url {
	char host[PROXY_HOST_MAX]; /* the IP literal, no brackets */
	int family;		   /* AF_INET or AF_INET6 */
	int port;
	char user[PROXY_USER_MAX + 1]; /* decoded; "" = no authentication */
	/* The URL as printed (transcript, JSON): scheme, user (encoded
	 * again), host and port, never a password. */
	char shown[PROXY_SHOWN_MAX];
};

/* Take url apart into *out (zeroed first). Returns PU_OK or why not. */
enum proxy_url_error proxy_url_parse(const char *url, struct proxy_url *out);

/* One clause for the error, e.g. "the proxy HOST must be an IP address
 * (IPv6 in brackets), not a name". */
const char *proxy_url_strerror(enum proxy_url_error e);

/* arg with the password part of any "SCHEME://USER:PASSWORD@" replaced by
 * "***" (from the first ':' after "://" to the last '@'), into out of
 * size n (cut short when it does not fit). Returns 1 when something was
 * redacted, else 0 (out then holds arg as it is). */
int proxy_url_redact(const char *arg, char *out, size_t n);

#endif
