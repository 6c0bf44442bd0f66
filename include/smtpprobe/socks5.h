/*
 * socks5.h - the client side of a SOCKS5 handshake (RFC 1928, with the
 * username/password sub-negotiation of RFC 1929), pure: bytes from the
 * proxy go in, bytes to send come out. It never does I/O, never reads a
 * clock and never allocates; the struct is fixed-size.
 *
 * Sequence: the greeting (one method offered), then the RFC 1929
 * sub-negotiation if the proxy chose it, then CONNECT to an IP address
 * (ATYP 1 or 4: we resolve the mail server ourselves and never hand the
 * proxy a name), then done. Each step's request is sent in full before
 * the step's reply is read: socks5_feed consumes nothing while
 * socks5_pending_out has bytes, so a caller with bytes left over writes
 * first and feeds the rest afterwards. The result does not depend on how
 * the proxy's bytes are split across reads.
 *
 * Methods: without credentials only 0x00 (no authentication) is offered;
 * with credentials only 0x02 (username/password). Offering both would let
 * a proxy pick "no authentication" when the user configured credentials,
 * which hides a misconfiguration; offering 0x02 alone means a proxy that
 * does not want credentials says 0xFF, and the probe says so. A password
 * is only ever sent to a proxy that chose 0x02.
 *
 * Secrets: the password is held in one buffer at a time; it is erased
 * (explicit_bzero) once the sub-negotiation request has been sent in
 * full, on every failure, and by socks5_wipe.
 */
#ifndef SMTPPROBE_SOCKS5_H
#define SMTPPROBE_SOCKS5_H

#include <stddef.h>

/* RFC 1929 2: ULEN and PLEN are one octet, the fields 1 to 255 octets. */
#define SOCKS5_CRED_MAX 255

/* The longest text socks5_bound can return: a domain BND.ADDR of 255
 * octets each escaped as \xHH, ":", five digits, NUL. */
#define SOCKS5_BOUND_MAX (255 * 4 + 1 + 5 + 1)

enum socks5_state {
	S5_GREETING, /* greeting to send, then the method selection to read */
	S5_AUTH,     /* RFC 1929 request to send, then its status to read */
	S5_CONNECT,  /* CONNECT request to send, then its reply to read */
	S5_DONE,     /* tunnel open: later bytes are the SMTP stream */
	S5_FAILED,
	S5__STATE_COUNT
};

enum socks5_error {
	S5E_NONE,
	S5E_CLOSED,  /* the proxy closed the connection mid-handshake */
	S5E_GARBAGE, /* not SOCKS5: a VER byte other than 5 (1 in RFC 1929) */
	S5E_NO_ACCEPTABLE_METHOD, /* method selection 0xFF (RFC 1928 3) */
	S5E_METHOD_UNSUPPORTED,	  /* the proxy chose a method not offered */
	S5E_AUTH_FAILED,	  /* RFC 1929 2: STATUS other than 0 */
	S5E_REPLY, /* CONNECT reply REP other than 0: see reply_code */
	S5E_BAD_ADDRESS_TYPE, /* reply ATYP not 1, 3, 4, or a 0-length name */
	S5E_TOO_LONG,	      /* socks5_init: user or password > 255 octets */
	S5E_BAD_ARGUMENT, /* socks5_init: not an IP literal, port not 1-65535,
			     empty user or password, password without user */
	S5E_ABORTED,	  /* socks5_wipe before the handshake ended */
	S5E__COUNT
};

struct socks5 {
	enum socks5_state state;
	enum socks5_error error;
	int rep; /* the CONNECT reply's REP byte, -1 until read */

	/* The request of the current step; out_off of out_len sent. The
	 * largest is the RFC 1929 request: 3 + 255 + 255 octets. */
	unsigned char out[3 + 2 * SOCKS5_CRED_MAX];
	size_t out_len, out_off;

	/* The RFC 1929 request, built at init, until the proxy chooses
	 * 0x02 (then moved to out) or the machine ends. */
	unsigned char cred[3 + 2 * SOCKS5_CRED_MAX];
	size_t cred_len;

	unsigned char method; /* the one method offered */

	/* The destination, as CONNECT sends it. */
	unsigned char atyp; /* 1 or 4 */
	unsigned char dst[16];
	unsigned char dst_port[2];

	/* The reply being read: at most VER REP RSV ATYP LEN, 255 octets of
	 * name, PORT (RFC 1928 6). */
	unsigned char in[4 + 1 + 255 + 2];
	size_t in_len;

	char bound[SOCKS5_BOUND_MAX];
};

/* Prepare a handshake to dst_ip (an IPv4 or IPv6 literal, no brackets)
 * port dst_port, with user and pass (both non-empty) or user NULL for no
 * authentication. Returns 0, or -1 with the machine in S5_FAILED and
 * socks5_error saying why (S5E_TOO_LONG, S5E_BAD_ARGUMENT). */
int socks5_init(struct socks5 *s, const char *dst_ip, int dst_port,
		const char *user, const char *pass);

/* Bytes to write now; returns their count (0: nothing to write) and sets
 * *out to them. Valid until the next call on s. */
size_t socks5_pending_out(const struct socks5 *s, const unsigned char **out);

/* n of the pending bytes were written (more than pending counts as all). */
void socks5_sent(struct socks5 *s, size_t n);

/* Bytes read from the proxy. Returns how many were consumed: all of them
 * while the current reply is incomplete; fewer when a reply completed and
 * the next step has a request to send (feed the rest after sending it),
 * when the handshake is done (the rest is the SMTP stream, the caller's),
 * or when it failed (consumption stops at the offending byte). 0 while
 * there are bytes to send and in S5_DONE or S5_FAILED. */
size_t socks5_feed(struct socks5 *s, const unsigned char *in, size_t n);

/* The proxy closed the connection: S5_FAILED with S5E_CLOSED, unless
 * done or failed already. */
void socks5_closed(struct socks5 *s);

/* Erase every copy of the password (and the whole struct's buffers);
 * before S5_DONE the machine ends in S5_FAILED with S5E_ABORTED. */
void socks5_wipe(struct socks5 *s);

enum socks5_state socks5_state(const struct socks5 *s);
enum socks5_error socks5_error(const struct socks5 *s);

/* The CONNECT reply's REP byte, or -1 if none was read. */
int socks5_reply_code(const struct socks5 *s);

/* In S5_DONE, the proxy's BND.ADDR:BND.PORT as printable ASCII
 * ("192.0.2.1:1080", "[2001:db8::1]:1080", "proxy.example:1080"; bytes of
 * a name outside 0x21-0x7e and the backslash are escaped as \xHH);
 * otherwise "". */
const char *socks5_bound(const struct socks5 *s);

/* Stable machine names (JSON) and readable ones. */
const char *socks5_state_name(enum socks5_state st);
const char *socks5_error_name(enum socks5_error e);

/* REP (RFC 1928 6): a stable name ("succeeded", "general_failure", ...,
 * "unassigned" for 0x09-0xFF, "none" for -1) and one sentence on what it
 * means for an SMTP probe through the proxy. */
const char *socks5_reply_name(int rep);
const char *socks5_reply_meaning(int rep);

#endif
