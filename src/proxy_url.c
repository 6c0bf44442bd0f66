/*
 * proxy_url.c - see proxy_url.h.
 */
#include "smtpprobe/proxy_url.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

static const char *const errors[PU__COUNT] = {
    [PU_OK] = "no error",
    [PU_SCHEME] = "expected socks5://[USER@]HOST[:PORT]",
    [PU_SCHEME_SOCKS5H] =
	"socks5h:// lets the proxy resolve names, but smtpprobe resolves "
	"the mail hosts itself and gives the proxy addresses: use socks5://",
    [PU_PASSWORD] = "a password does not go in the URL (it would show in "
		    "ps and shell history): give USER@ only and set "
		    "SMTPPROBE_PROXY_PASSWORD, or answer the prompt",
    [PU_BAD_USER] = "the USER part is empty, badly %-encoded, or holds a "
		    "control character",
    [PU_USER_TOO_LONG] = "the USER part is longer than 255 octets",
    [PU_HOST_NAME] = "the proxy HOST must be an IP address (IPv6 in "
		     "brackets), not a name: smtpprobe does not look it up",
    [PU_BAD_HOST] = "the proxy HOST is not an IPv4 address or a "
		    "bracketed IPv6 address",
    [PU_BAD_PORT] = "the proxy PORT must be a number from 1 to 65535",
    [PU_TRAILING] = "nothing may follow HOST:PORT (no path or query)",
};

const char *proxy_url_strerror(enum proxy_url_error e)
{
	return (unsigned)e < PU__COUNT ? errors[e] : "bad proxy URL";
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode s[0..n) into out (PROXY_USER_MAX + 1 octets). */
static enum proxy_url_error decode_user(const char *s, size_t n, char *out)
{
	size_t len = 0;

	if (n == 0)
		return PU_BAD_USER;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			int hi =
			    i + 1 < n ? hexval((unsigned char)s[i + 1]) : -1;
			int lo =
			    i + 2 < n ? hexval((unsigned char)s[i + 2]) : -1;
			if (hi < 0 || lo < 0)
				return PU_BAD_USER;
			c = hi * 16 + lo;
			i += 2;
		}
		if (c < 0x20 || c == 0x7f)
			return PU_BAD_USER;
		if (len >= PROXY_USER_MAX)
			return PU_USER_TOO_LONG;
		out[len++] = (char)c;
	}
	out[len] = '\0';
	return PU_OK;
}

static int unreserved(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr("-._~", c));
}

/* RFC 3986's unreserved characters as they are, the rest as %XX. */
static size_t encode_user(const char *user, char *out, size_t n)
{
	size_t len = 0;

	for (const unsigned char *p = (const unsigned char *)user; *p; p++) {
		if (len + 4 > n)
			break;
		if (unreserved(*p))
			out[len++] = (char)*p;
		else
			len +=
			    (size_t)snprintf(out + len, n - len, "%%%02X", *p);
	}
	out[len] = '\0';
	return len;
}

static int parse_port(const char *s, size_t n, int *port)
{
	long v = 0;

	if (n == 0 || n > 5)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	*port = (int)v;
	return 0;
}

/* Does s[0..n) look like a host name rather than a broken address? */
static int looks_like_name(const char *s, size_t n)
{
	int alpha = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    c == '-' || c >= 0x80)
			alpha = 1;
		else if (!(c >= '0' && c <= '9') && c != '.' && c != '_')
			return 0;
	}
	return alpha;
}

static enum proxy_url_error parse_hostport(const char *s, size_t n,
					   struct proxy_url *out)
{
	const char *port = NULL, *host = s;
	size_t hlen = n, plen = 0;
	unsigned char bin[16];

	if (n > 0 && s[n - 1] == '/')
		n--; /* "socks5://127.0.0.1:1080/" */
	if (memchr(s, '/', n) || memchr(s, '?', n) || memchr(s, '#', n))
		return PU_TRAILING;
	if (n > 0 && s[0] == '[') {
		const char *close = memchr(s, ']', n);
		if (!close)
			return PU_BAD_HOST;
		host = s + 1;
		hlen = (size_t)(close - host);
		size_t rest = n - (size_t)(close + 1 - s);
		if (rest > 0) {
			if (close[1] != ':')
				return PU_TRAILING;
			port = close + 2, plen = rest - 1;
		}
		if (hlen == 0 || hlen >= sizeof out->host)
			return PU_BAD_HOST;
		memcpy(out->host, host, hlen);
		out->host[hlen] = '\0';
		if (inet_pton(AF_INET6, out->host, bin) != 1)
			return PU_BAD_HOST;
		out->family = AF_INET6;
	} else {
		const char *colon = memchr(s, ':', n);
		if (colon) {
			hlen = (size_t)(colon - s);
			port = colon + 1, plen = n - hlen - 1;
			if (memchr(port, ':', plen))
				return PU_BAD_HOST; /* IPv6 without brackets */
		} else {
			hlen = n;
		}
		if (hlen == 0)
			return PU_BAD_HOST;
		if (hlen >= sizeof out->host)
			return looks_like_name(s, hlen) ? PU_HOST_NAME
							: PU_BAD_HOST;
		memcpy(out->host, s, hlen);
		out->host[hlen] = '\0';
		if (inet_pton(AF_INET, out->host, bin) != 1)
			return looks_like_name(s, hlen) ? PU_HOST_NAME
							: PU_BAD_HOST;
		out->family = AF_INET;
	}
	out->port = PROXY_DEFAULT_PORT;
	if (port && parse_port(port, plen, &out->port) < 0)
		return PU_BAD_PORT;
	return PU_OK;
}

enum proxy_url_error proxy_url_parse(const char *url, struct proxy_url *out)
{
	static const char scheme[] = "socks5://", scheme_h[] = "socks5h://";
	const char *rest, *at;
	enum proxy_url_error e;
	size_t len;

	memset(out, 0, sizeof *out);
	if (strncasecmp(url, scheme_h, sizeof scheme_h - 1) == 0)
		return PU_SCHEME_SOCKS5H;
	if (strncasecmp(url, scheme, sizeof scheme - 1) != 0)
		return PU_SCHEME;
	rest = url + sizeof scheme - 1;
	at = strrchr(rest, '@');
	if (at) {
		size_t ulen = (size_t)(at - rest);
		if (memchr(rest, ':', ulen))
			return PU_PASSWORD;
		if (memchr(rest, '/', ulen))
			return PU_TRAILING;
		e = decode_user(rest, ulen, out->user);
		if (e != PU_OK) {
			memset(out, 0, sizeof *out);
			return e;
		}
		rest = at + 1;
	}
	e = parse_hostport(rest, strlen(rest), out);
	if (e != PU_OK) {
		memset(out, 0, sizeof *out);
		return e;
	}
	len = (size_t)snprintf(out->shown, sizeof out->shown, "socks5://");
	if (out->user[0]) {
		len += encode_user(out->user, out->shown + len,
				   sizeof out->shown - len - 1);
		out->shown[len++] = '@';
		out->shown[len] = '\0';
	}
	snprintf(out->shown + len, sizeof out->shown - len,
		 out->family == AF_INET6 ? "[%s]:%d" : "%s:%d", out->host,
		 out->port);
	return PU_OK;
}

int proxy_url_redact(const char *arg, char *out, size_t n)
{
	const char *sep = strstr(arg, "://");
	const char *at = sep ? strrchr(sep + 3, '@') : NULL;
	const char *colon = NULL;

	if (n == 0)
		return 0;
	if (at)
		colon = memchr(sep + 3, ':', (size_t)(at - (sep + 3)));
	if (!colon) {
		snprintf(out, n, "%s", arg);
		return 0;
	}
	snprintf(out, n, "%.*s:***%s", (int)(colon - arg), arg, at);
	return 1;
}
