/*
 * bounds.h - every limit smtpprobe puts on untrusted input, in one place.
 *
 * Each cap is checked where the bytes enter (reply parser, resolver,
 * scheduler). The man page's BOUNDS section lists the same numbers; change
 * both together.
 */
#ifndef SMTPPROBE_BOUNDS_H
#define SMTPPROBE_BOUNDS_H

/* --retry-greylist waits at most this long (greylisting delays are
 * minutes; an hour covers every common setting). */
#define RETRY_GREYLIST_MAX 3600

/* RFC 5321 4.5.3.1.5: a reply line is at most 512 octets including CRLF.
 * Longer lines are accepted up to REPLY_LINE_CAP and flagged. */
#define REPLY_LINE_RFC 512
#define REPLY_LINE_CAP 2048
/* Lines and bytes in one (multiline) reply before the reply is cut. */
#define REPLY_LINES_CAP 100
#define REPLY_BYTES_CAP 16384

/* Resolver: MX records kept per domain, addresses kept per host. */
#define MX_HOSTS_CAP	   16
#define ADDRS_PER_HOST_CAP 4

/* Connections open at once in one run. */
#define CONNECTIONS_CAP 32
/* Ports in one --port list. */
#define PORTS_CAP 8

/* The whole run ends after this many --timeout periods, whatever happens. */
#define RUN_DEADLINE_TIMEOUTS 12

/* RFC 5321 4.5.3.1: local part, domain, path (including < >). */
#define LOCAL_PART_MAX	64
#define DOMAIN_MAX	255
#define PATH_MAX_OCTETS 256

#endif
