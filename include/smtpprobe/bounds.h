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
/* The largest --concurrency and --per-host. */
#define CONCURRENCY_MAX 1000
/* Ports in one --port list. */
#define PORTS_CAP 8

/* The whole run ends after this many --timeout periods, whatever happens. */
#define RUN_DEADLINE_TIMEOUTS 12

/* RFC 5321 4.5.3.1: local part, domain, path (including < >). */
#define LOCAL_PART_MAX	64
#define DOMAIN_MAX	255
#define PATH_MAX_OCTETS 256

/* RFC 1035 2.3.4 / RFC 2181 11: a host name in text form (no trailing
 * dot) and one label. */
#define DNS_NAME_MAX  253
#define DNS_LABEL_MAX 63

/* --timeout: 1 to this many seconds. */
#define TIMEOUT_MAX 300

/* TLSA records kept from one answer, and the certificate association
 * data kept per record (a full certificate, matching type 0, can be a few
 * kilobytes; SHA-512 is 64 bytes). */
#define TLSA_RECORDS_CAP 16
#define TLSA_DATA_MAX	 4096

/* The EDNS0 UDP payload size asked for (RFC 6891; 1232 as the DNS flag
 * day of 2020 advised): room for signed answers without fragments. */
#define DNS_EDNS_SIZE 1232

/* The longest TXT record (its strings joined) read for MTA-STS or
 * TLS-RPT; a longer one is invalid. Real records are under 200 bytes. */
#define POLICY_TXT_MAX 1024

/* --dnsbl: block-list zones asked per egress address. */
#define DNSBL_ZONES_CAP 8

/* c-ares sockets polled at once (UDP and TCP to each resolver). */
#define DNS_SOCKETS_CAP 16

/* An enhanced status code as text, "5.123.456" plus room (RFC 3463:
 * class 1 digit, subject and detail up to 3 digits each). */
#define ENHANCED_SIZE 16

/* AUTH mechanisms counted in one EHLO AUTH line; more are noted. */
#define AUTH_MECHS_CAP 64
/* The AUTH PLAIN message before base64 (RFC 4616: authzid NUL authcid
 * NUL passwd), user name and password included. */
#define AUTH_PLAIN_RAW_MAX 600

/* A batch asks for up to this many targets of one domain in one
 * transaction (RFC 5321 4.5.3.1.8 makes servers take at least 100). */
#define GROUP_TARGETS_MAX 32

/* One session: commands awaiting a reply at once (pipelining sends MAIL
 * and every RCPT of the transaction), bytes buffered for sending (every
 * command of one write), bytes per read and reads per poll event (TLS
 * can hold records the socket no longer shows). */
#define SESSION_OPEN_MAX    (GROUP_TARGETS_MAX + 4)
#define SESSION_OUT_MAX	    ((GROUP_TARGETS_MAX + 4) * 1024)
#define SESSION_READ_CHUNK  4096
#define SESSION_READ_ROUNDS 16

/* MTA-STS policy fetch (RFC 8461 3.3): the policy file's size (far
 * above any real policy), the addresses of mta-sts.DOMAIN handed to libcurl,
 * libcurl's sockets polled at once, and the kept (sanitised) text of the
 * server's Content-Type, its Location and one error line; the response
 * headers' bytes (status line included) in all. The fetch
 * ends by itself this long after its timeout, should libcurl not. */
#define STS_POLICY_MAX	     65536
#define STS_ADDRS_CAP	     8
#define STS_SOCKETS_CAP	     8
#define STS_CONTENT_TYPE_MAX 128
#define STS_LOCATION_MAX     512
#define STS_HEADER_BYTES_MAX 32768
#define STS_ERROR_MAX	     256
#define STS_FETCH_GRACE_MS   1000

#endif
