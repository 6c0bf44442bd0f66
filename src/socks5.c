/*
 * socks5.c - see socks5.h. The proxy's replies are read one octet at a
 * time into s->in, each field checked as soon as it arrives, so that the
 * outcome and the count of octets consumed are the same however the
 * bytes are split; reply_len() says how long the reply in progress is,
 * as far as its octets so far tell.
 */
#include "smtpprobe/socks5.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#define SOCKS_VER	 0x05 /* RFC 1928 3 */
#define SUBNEG_VER	 0x01 /* RFC 1929 2 */
#define METHOD_NONE	 0x00
#define METHOD_USERPASS	 0x02
#define METHOD_NO_ACCEPT 0xff
#define CMD_CONNECT	 0x01 /* RFC 1928 4 */
#define ATYP_IPV4	 0x01
#define ATYP_DOMAIN	 0x03
#define ATYP_IPV6	 0x04

/* Erase the buffers that can hold the password. */
static void wipe_secrets(struct socks5 *s)
{
	explicit_bzero(s->cred, sizeof s->cred);
	s->cred_len = 0;
	if (s->method == METHOD_USERPASS && s->state == S5_AUTH) {
		explicit_bzero(s->out, sizeof s->out);
		s->out_len = s->out_off = 0;
	}
}

static void fail(struct socks5 *s, enum socks5_error e)
{
	wipe_secrets(s);
	/* Whatever was still to send must not be sent. */
	explicit_bzero(s->out, sizeof s->out);
	s->out_len = s->out_off = 0;
	s->state = S5_FAILED;
	s->error = e;
}

/* RFC 1928 3: VER, NMETHODS, METHODS. */
static void build_greeting(struct socks5 *s)
{
	s->out[0] = SOCKS_VER;
	s->out[1] = 1;
	s->out[2] = s->method;
	s->out_len = 3;
	s->out_off = 0;
}

/* RFC 1928 4: VER CMD RSV ATYP DST.ADDR DST.PORT. */
static void build_connect(struct socks5 *s)
{
	size_t alen = s->atyp == ATYP_IPV4 ? 4 : 16;

	s->out[0] = SOCKS_VER;
	s->out[1] = CMD_CONNECT;
	s->out[2] = 0x00;
	s->out[3] = s->atyp;
	memcpy(s->out + 4, s->dst, alen);
	memcpy(s->out + 4 + alen, s->dst_port, 2);
	s->out_len = 4 + alen + 2;
	s->out_off = 0;
}

int socks5_init(struct socks5 *s, const char *dst_ip, int dst_port,
		const char *user, const char *pass)
{
	size_t ulen = 0, plen = 0;

	memset(s, 0, sizeof *s);
	s->rep = -1;
	s->state = S5_GREETING;
	if (!dst_ip || dst_port < 1 || dst_port > 65535) {
		fail(s, S5E_BAD_ARGUMENT);
		return -1;
	}
	if (inet_pton(AF_INET, dst_ip, s->dst) == 1) {
		s->atyp = ATYP_IPV4;
	} else if (inet_pton(AF_INET6, dst_ip, s->dst) == 1) {
		s->atyp = ATYP_IPV6;
	} else {
		fail(s, S5E_BAD_ARGUMENT);
		return -1;
	}
	/* Network order (RFC 1928 4: DST.PORT "in network octet order"). */
	s->dst_port[0] = (unsigned char)(dst_port >> 8);
	s->dst_port[1] = (unsigned char)(dst_port & 0xff);

	if (user || pass) {
		if (!user || !pass) {
			fail(s, S5E_BAD_ARGUMENT);
			return -1;
		}
		ulen = strlen(user);
		plen = strlen(pass);
		if (ulen > SOCKS5_CRED_MAX || plen > SOCKS5_CRED_MAX) {
			fail(s, S5E_TOO_LONG);
			return -1;
		}
		/* RFC 1929 2: both fields are 1 to 255 octets. */
		if (ulen == 0 || plen == 0) {
			fail(s, S5E_BAD_ARGUMENT);
			return -1;
		}
		/* VER ULEN UNAME PLEN PASSWD. */
		s->cred[0] = SUBNEG_VER;
		s->cred[1] = (unsigned char)ulen;
		memcpy(s->cred + 2, user, ulen);
		s->cred[2 + ulen] = (unsigned char)plen;
		memcpy(s->cred + 3 + ulen, pass, plen);
		s->cred_len = 3 + ulen + plen;
		s->method = METHOD_USERPASS;
	} else {
		s->method = METHOD_NONE;
	}
	build_greeting(s);
	return 0;
}

size_t socks5_pending_out(const struct socks5 *s, const unsigned char **out)
{
	if (s->state == S5_DONE || s->state == S5_FAILED ||
	    s->out_off >= s->out_len) {
		*out = NULL;
		return 0;
	}
	*out = s->out + s->out_off;
	return s->out_len - s->out_off;
}

void socks5_sent(struct socks5 *s, size_t n)
{
	size_t left = s->out_len - s->out_off;

	if (s->state == S5_DONE || s->state == S5_FAILED)
		return;
	s->out_off += n < left ? n : left;
	/* The password has left: no copy stays behind. */
	if (s->state == S5_AUTH && s->out_off == s->out_len)
		explicit_bzero(s->out, sizeof s->out);
}

/* The length of the reply being read, as far as its first in_len octets
 * tell: for a CONNECT reply the address type (octet 3) and, for a name,
 * its length (octet 4) decide (RFC 1928 5, 6). */
static size_t reply_len(const struct socks5 *s)
{
	if (s->state != S5_CONNECT)
		return 2; /* RFC 1928 3, RFC 1929 2: VER and one octet */
	if (s->in_len < 4)
		return 4;
	switch (s->in[3]) {
	case ATYP_IPV4: return 4 + 4 + 2;
	case ATYP_IPV6: return 4 + 16 + 2;
	default: break;
	}
	if (s->in_len < 5)
		return 5;
	return 5 + (size_t)s->in[4] + 2;
}

/* Check the octet just added (s->in[s->in_len - 1]); 0 if it is
 * acceptable so far, else the machine has failed. */
static int check_octet(struct socks5 *s)
{
	size_t i = s->in_len - 1;
	unsigned char c = s->in[i];

	switch (s->state) {
	case S5_GREETING:
		if (i == 0 && c != SOCKS_VER) {
			fail(s, S5E_GARBAGE);
			return -1;
		}
		if (i == 1 && c == METHOD_NO_ACCEPT) {
			fail(s, S5E_NO_ACCEPTABLE_METHOD);
			return -1;
		}
		if (i == 1 && c != s->method) {
			fail(s, S5E_METHOD_UNSUPPORTED);
			return -1;
		}
		return 0;
	case S5_AUTH:
		if (i == 0 && c != SUBNEG_VER) {
			fail(s, S5E_GARBAGE);
			return -1;
		}
		/* RFC 1929 2: "A STATUS field of X'00' indicates success". */
		if (i == 1 && c != 0x00) {
			fail(s, S5E_AUTH_FAILED);
			return -1;
		}
		return 0;
	case S5_CONNECT:
		if (i == 0 && c != SOCKS_VER) {
			fail(s, S5E_GARBAGE);
			return -1;
		}
		if (i == 1) {
			s->rep = c;
			/* RFC 1928 6: on failure the server closes the
			 * connection "shortly after sending the reply";
			 * the rest of it says nothing we need. */
			if (c != 0x00) {
				fail(s, S5E_REPLY);
				return -1;
			}
		}
		/* Octet 2 is RSV: not checked, as it is reserved. */
		if (i == 3 && c != ATYP_IPV4 && c != ATYP_IPV6 &&
		    c != ATYP_DOMAIN) {
			fail(s, S5E_BAD_ADDRESS_TYPE);
			return -1;
		}
		if (i == 4 && s->in[3] == ATYP_DOMAIN && c == 0) {
			fail(s, S5E_BAD_ADDRESS_TYPE);
			return -1;
		}
		return 0;
	default: return -1;
	}
}

/* BND.ADDR:BND.PORT of the complete CONNECT reply, as text. */
static void format_bound(struct socks5 *s)
{
	const unsigned char *p;
	char addr[INET6_ADDRSTRLEN];
	size_t o = 0, alen;
	unsigned port;

	switch (s->in[3]) {
	case ATYP_IPV4:
		inet_ntop(AF_INET, s->in + 4, addr, sizeof addr);
		o = (size_t)snprintf(s->bound, sizeof s->bound, "%s", addr);
		p = s->in + 8;
		break;
	case ATYP_IPV6:
		inet_ntop(AF_INET6, s->in + 4, addr, sizeof addr);
		o = (size_t)snprintf(s->bound, sizeof s->bound, "[%s]", addr);
		p = s->in + 20;
		break;
	default:
		alen = s->in[4];
		for (size_t i = 0; i < alen; i++) {
			unsigned char c = s->in[5 + i];
			/* A name comes from the proxy: nothing it sends may
			 * reach a terminal or a report raw. */
			if (c > 0x20 && c < 0x7f && c != '\\')
				s->bound[o++] = (char)c;
			else
				o += (size_t)snprintf(s->bound + o,
						      sizeof s->bound - o,
						      "\\x%02x", c);
		}
		p = s->in + 5 + alen;
		break;
	}
	port = (unsigned)p[0] << 8 | p[1];
	snprintf(s->bound + o, sizeof s->bound - o, ":%u", port);
}

/* The reply in s->in is complete and acceptable: the next step. */
static void reply_done(struct socks5 *s)
{
	switch (s->state) {
	case S5_GREETING:
		if (s->method == METHOD_USERPASS) {
			memcpy(s->out, s->cred, s->cred_len);
			s->out_len = s->cred_len;
			s->out_off = 0;
			explicit_bzero(s->cred, sizeof s->cred);
			s->cred_len = 0;
			s->state = S5_AUTH;
		} else {
			build_connect(s);
			s->state = S5_CONNECT;
		}
		break;
	case S5_AUTH:
		build_connect(s);
		s->state = S5_CONNECT;
		break;
	case S5_CONNECT:
		format_bound(s);
		s->out_len = s->out_off = 0;
		s->state = S5_DONE;
		break;
	default: break;
	}
	s->in_len = 0;
}

size_t socks5_feed(struct socks5 *s, const unsigned char *in, size_t n)
{
	size_t used = 0;

	while (used < n) {
		if (s->state == S5_DONE || s->state == S5_FAILED)
			break;
		/* Each reply answers a request sent in full. */
		if (s->out_off < s->out_len)
			break;
		s->in[s->in_len++] = in[used++];
		if (check_octet(s) != 0)
			break;
		if (s->in_len == reply_len(s))
			reply_done(s);
	}
	return used;
}

void socks5_closed(struct socks5 *s)
{
	if (s->state != S5_DONE && s->state != S5_FAILED)
		fail(s, S5E_CLOSED);
}

void socks5_wipe(struct socks5 *s)
{
	int done = s->state == S5_DONE, failed = s->state == S5_FAILED;
	enum socks5_error e = s->error;
	int rep = s->rep;
	char bound[SOCKS5_BOUND_MAX];

	memcpy(bound, s->bound, sizeof bound);
	explicit_bzero(s, sizeof *s);
	/* What the handshake found stays readable; only a handshake still
	 * under way is ended. */
	s->rep = rep;
	if (done) {
		memcpy(s->bound, bound, sizeof bound);
		s->state = S5_DONE;
	} else {
		s->state = S5_FAILED;
		s->error = failed ? e : S5E_ABORTED;
	}
}

enum socks5_state socks5_state(const struct socks5 *s)
{
	return s->state;
}

enum socks5_error socks5_error(const struct socks5 *s)
{
	return s->error;
}

int socks5_reply_code(const struct socks5 *s)
{
	return s->rep;
}

const char *socks5_bound(const struct socks5 *s)
{
	return s->state == S5_DONE ? s->bound : "";
}

const char *socks5_state_name(enum socks5_state st)
{
	static const char *const names[S5__STATE_COUNT] = {
	    [S5_GREETING] = "greeting", [S5_AUTH] = "auth",
	    [S5_CONNECT] = "connect",	[S5_DONE] = "done",
	    [S5_FAILED] = "failed",
	};
	return (unsigned)st < S5__STATE_COUNT ? names[st] : "?";
}

const char *socks5_error_name(enum socks5_error e)
{
	static const char *const names[S5E__COUNT] = {
	    [S5E_NONE] = "none",
	    [S5E_CLOSED] = "closed",
	    [S5E_GARBAGE] = "not_socks5",
	    [S5E_NO_ACCEPTABLE_METHOD] = "no_acceptable_method",
	    [S5E_METHOD_UNSUPPORTED] = "method_unsupported",
	    [S5E_AUTH_FAILED] = "auth_failed",
	    [S5E_REPLY] = "connect_failed",
	    [S5E_BAD_ADDRESS_TYPE] = "bad_address_type",
	    [S5E_TOO_LONG] = "credentials_too_long",
	    [S5E_BAD_ARGUMENT] = "bad_argument",
	    [S5E_ABORTED] = "aborted",
	};
	return (unsigned)e < S5E__COUNT ? names[e] : "?";
}

/* RFC 1928 6, the REP field. */
static const struct {
	const char *name, *meaning;
} replies[] = {
    {"succeeded", "The proxy connected to the mail server."},
    {"general_failure",
     "The proxy failed for a reason it did not say; the mail server was "
     "probably never reached."},
    {"not_allowed",
     "The proxy's rules forbid connecting to this destination; many "
     "proxies refuse port 25 outright, so this says nothing about the "
     "mail server."},
    {"network_unreachable",
     "The proxy has no route to the mail server's network (an IPv6 "
     "address through an IPv4-only proxy, for example)."},
    {"host_unreachable",
     "The mail server's host is unreachable from the proxy: no answer to "
     "the connection attempt, or an ICMP host unreachable."},
    {"connection_refused",
     "The mail server's host refused the proxy's connection: nothing "
     "listens on that port, or a firewall there rejects it."},
    {"ttl_expired",
     "The proxy's connection to the mail server timed out or its packets' "
     "TTL ran out on the way."},
    {"command_not_supported",
     "The proxy does not support CONNECT, so it cannot carry SMTP."},
    {"address_type_not_supported",
     "The proxy cannot connect to this kind of address (often IPv6)."},
};

const char *socks5_reply_name(int rep)
{
	if (rep < 0)
		return "none";
	if ((size_t)rep < sizeof replies / sizeof replies[0])
		return replies[rep].name;
	return "unassigned";
}

const char *socks5_reply_meaning(int rep)
{
	if (rep < 0)
		return "The proxy sent no reply to the connection request.";
	if ((size_t)rep < sizeof replies / sizeof replies[0])
		return replies[rep].meaning;
	return "The proxy answered with a reply code RFC 1928 does not "
	       "define; the connection to the mail server was not made.";
}
