/*
 * sts_fetch.h - the MTA-STS policy fetch (RFC 8461 3.3),
 * https://mta-sts.DOMAIN/.well-known/mta-sts.txt, through libcurl's
 * multi-socket interface, in the run's one poll loop: the loop asks for
 * the fds libcurl wants (sts_fetch_pollfds) and the time until its timer
 * (sts_fetch_timeout_ms), polls, and hands back what poll() saw
 * (sts_fetch_process), until sts_fetch_done.
 *
 * Never blocks and never resolves a name: the caller passes the
 * addresses of mta-sts.DOMAIN (resolved with c-ares), given to libcurl
 * through CURLOPT_RESOLVE; a resolver-start callback refuses any lookup
 * libcurl would still try (its threaded resolver is never started) and
 * an open-socket callback refuses any address but the one being tried.
 * HTTPS only, certificate and host name verified, no redirect followed,
 * no proxy, no cookies, no compression; status 200 and text/plain only;
 * at most STS_POLICY_MAX bytes; one overall timeout.
 *
 * The body is not parsed here (policy_text.h does that). Every string
 * the server controls (content type, Location, libcurl's error text) is
 * sanitised and bounded before it is kept. No globals of its own; the
 * process calls sts_fetch_global_init before the first fetch (a second
 * call does nothing).
 *
 * loop.c starts it beside the SMTP sessions once the resolver has the
 * record and the addresses; policy_sts.c reads the result.
 */
#ifndef SMTPPROBE_STS_FETCH_H
#define SMTPPROBE_STS_FETCH_H

#include <poll.h>
#include <stddef.h>

#include "smtpprobe/bounds.h"

enum sts_fetch_status {
	STS_FETCH_PENDING,
	STS_FETCH_OK,
	STS_FETCH_CONNECT,	/* the last address tried refused */
	STS_FETCH_TLS,		/* handshake failed or certificate not
				   verified: see tls */
	STS_FETCH_REDIRECT,	/* a 3xx, not followed: see location */
	STS_FETCH_HTTP_STATUS,	/* any other status but 200 */
	STS_FETCH_CONTENT_TYPE, /* 200 but not text/plain */
	STS_FETCH_TOO_BIG,	/* more than STS_POLICY_MAX bytes, or more
				   than STS_HEADER_BYTES_MAX of headers */
	STS_FETCH_TIMEOUT,	/* the fetch's timeout, or sts_fetch_abort
				   (connected: whether anyone answered) */
	STS_FETCH_ERROR		/* anything else: see error */
};

/* Why TLS failed, when status is STS_FETCH_TLS. */
enum sts_tls_failure {
	STS_TLS_NONE,
	STS_TLS_UNTRUSTED, /* the chain does not lead to a trusted CA
			      (self-signed, unknown issuer) */
	STS_TLS_EXPIRED,   /* expired or not yet valid */
	STS_TLS_NAME,	   /* valid chain, not for mta-sts.DOMAIN */
	STS_TLS_CHAIN,	   /* another certificate problem (see
			      tls_verify_code) */
	STS_TLS_HANDSHAKE  /* no TLS session at all */
};

struct sts_fetch_result {
	enum sts_fetch_status status;
	enum sts_tls_failure tls;
	long tls_verify_code; /* OpenSSL's X509_V_ERR_* for the chain; 0
				unless it named a problem */
	long http_status;     /* 0 when no status line was read */
	int connected;	      /* the last attempt made a TCP connection */
	char content_type[STS_CONTENT_TYPE_MAX + 1]; /* sanitised */
	char location[STS_LOCATION_MAX + 1];	     /* sanitised */
	size_t size;				     /* body bytes */
	/* The policy as received, NUL-terminated (it may hold NULs of its
	 * own: size counts), untrusted; only when status is OK, else NULL.
	 * Owned by the fetch. */
	char *body;
	char error[STS_ERROR_MAX + 1];	 /* one sanitised line; "" when OK */
	char request[DNS_NAME_MAX + 64]; /* "GET https://mta-sts.D/..." */
	char remote_ip[64];		 /* connected to; "" when none */
	int attempts;			 /* addresses tried */
	long elapsed_ms;
};

/* Before the first fetch (it is curl_global_init: call it before any
 * thread exists); later calls do nothing. 0 on success. Cleanup undoes
 * it, when it was done. */
int sts_fetch_global_init(void);
void sts_fetch_global_cleanup(void);

/* Start fetching the policy of domain (an A-label host name, no trailing
 * dot) from addrs[0..naddrs) (1 to STS_ADDRS_CAP numeric IPv4 or IPv6
 * addresses of mta-sts.DOMAIN), trusting ca_file (NULL or "": the
 * system store), within timeout_ms (1 to TIMEOUT_MAX seconds) in all. The
 * addresses are tried in order, one at a time, each with an equal share
 * of the time left to connect; the next is tried only when one reached
 * nobody (refused, or no TCP connection in its share): the first that
 * answers decides. Only sets things up: the first sts_fetch_process
 * starts the connection. NULL with a one-line reason in err when the
 * arguments are refused or libcurl cannot be set up. */
struct sts_fetch *sts_fetch_new(const char *domain, const char *const *addrs,
				size_t naddrs, const char *ca_file,
				long timeout_ms, char *err, size_t errlen);
void sts_fetch_free(struct sts_fetch *f);

/* Right after sts_fetch_new, before the first sts_fetch_process: fetch
 * through the SOCKS5 proxy at ip (a literal of family AF_INET or
 * AF_INET6) and port, with user and pass (RFC 1929) unless user is NULL
 * or "". libcurl is given socks5://, so the host name is still resolved
 * here (from the pinned addresses) and the proxy gets the address; the
 * only socket libcurl may open is the one to the proxy, and the result's
 * remote_ip is then the proxy's. libcurl offers "no authentication"
 * beside username/password. The password is copied, never logged,
 * and wiped by sts_fetch_free. 0, or -1 with a one-line reason in err
 * (the fetch must then be freed). */
int sts_fetch_set_proxy(struct sts_fetch *f, const char *ip, int family,
			int port, const char *user, const char *pass, char *err,
			size_t errlen);

/* Loop glue: add libcurl's sockets to pfds (at most max; it never has
 * more than STS_SOCKETS_CAP), returning how many (0 when done); then
 * hand back what poll() saw, the same pfds and n. sts_fetch_process also runs
 * libcurl's timer when it is due, so call it after every poll, even one that
 * timed out. */
int sts_fetch_pollfds(struct sts_fetch *f, struct pollfd *pfds, int max);
void sts_fetch_process(struct sts_fetch *f, const struct pollfd *pfds, int n);
/* Milliseconds until sts_fetch_process must run even if no fd is ready;
 * -1 when done. */
long sts_fetch_timeout_ms(const struct sts_fetch *f);

int sts_fetch_done(const struct sts_fetch *f);
/* The outcome; status is STS_FETCH_PENDING until done. */
const struct sts_fetch_result *sts_fetch_result(const struct sts_fetch *f);
/* The run's deadline: stop now; the result is STS_FETCH_TIMEOUT (a fetch
 * already done keeps its result). */
void sts_fetch_abort(struct sts_fetch *f);

const char *sts_fetch_status_name(enum sts_fetch_status s);
const char *sts_tls_failure_name(enum sts_tls_failure t);

#endif
