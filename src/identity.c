/*
 * identity.c - see identity.h. Reply lines are raw server bytes: only a
 * bracketed literal that inet_pton accepts is ever taken from them. PTR
 * and address answers are parsed by c-ares (every length checked there).
 */
#include "smtpprobe/identity.h"

#include <ares.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "smtpprobe/dns_answer.h"
#include "smtpprobe/sanitize.h"

int identity_find_echoed(const struct reply *r, const char *skip, char *out,
			 size_t n)
{
	for (size_t i = 0; r && i < r->nlines; i++) {
		const char *t = r->lines[i].text;
		size_t tl = r->lines[i].len;

		for (size_t b = 0; b < tl; b++) {
			char ip[ADDR_STR_MAX];
			unsigned char bin[16];
			size_t e = b + 1;

			if (t[b] != '[')
				continue;
			while (e < tl && t[e] != ']' && e - b <= ADDR_STR_MAX)
				e++;
			if (e >= tl || t[e] != ']' || e - b - 1 >= sizeof ip)
				continue;
			memcpy(ip, t + b + 1, e - b - 1);
			ip[e - b - 1] = '\0';
			/* "IPv6:2001:db8::1", as RFC 5321 4.1.3 writes it. */
			const char *a =
			    strncasecmp(ip, "IPv6:", 5) == 0 ? ip + 5 : ip;
			if ((inet_pton(AF_INET, a, bin) == 1 ||
			     inet_pton(AF_INET6, a, bin) == 1) &&
			    (!skip || strcmp(a, skip) != 0)) {
				snprintf(out, n, "%s", a);
				return 1;
			}
		}
	}
	return 0;
}

/* The EHLO (or HELO) reply first: Exim names the client there; then the
 * banner, then the deciding reply (a 554 that cites the address). */
static void probe_echoed(struct probe *p)
{
	static const enum stage order[] = {STAGE_EHLO, STAGE_HELO,
					   STAGE_BANNER};

	for (size_t o = 0; o < sizeof order / sizeof order[0]; o++)
		for (size_t k = 0; k < p->nsteps; k++)
			if (p->steps[k].stage == order[o] &&
			    identity_find_echoed(p->steps[k].reply, p->address,
						 p->echoed, sizeof p->echoed))
				return;
	if (p->deciding_step >= 0 && (size_t)p->deciding_step < p->nsteps)
		identity_find_echoed(p->steps[p->deciding_step].reply,
				     p->address, p->echoed, sizeof p->echoed);
}

static int family_of(const char *ip)
{
	unsigned char bin[16];

	if (inet_pton(AF_INET, ip, bin) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, ip, bin) == 1)
		return AF_INET6;
	return 0;
}

static void add_egress(struct run_record *rec, const char *ip, int echoed,
		       int proxy)
{
	int fam = family_of(ip);

	if (!fam || rec->negress >= EGRESS_CAP)
		return;
	for (size_t i = 0; i < rec->negress; i++)
		if (strcmp(rec->egress[i].address, ip) == 0)
			return;
	struct egress *e = &rec->egress[rec->negress++];
	memset(e, 0, sizeof *e);
	snprintf(e->address, sizeof e->address, "%s", ip);
	e->family = fam;
	e->echoed = echoed;
	e->proxy = proxy && !echoed;
	e->fcrdns = -1;
}

/* "ip:port" or "[ip]:port" to "ip". */
static void local_ip(const char *la, char *out, size_t n)
{
	const char *colon = strrchr(la, ':');
	size_t len;

	out[0] = '\0';
	if (!colon)
		return;
	if (la[0] == '[') {
		la++;
		colon = strrchr(la, ']');
		if (!colon)
			return;
	}
	len = (size_t)(colon - la);
	if (len < n) {
		memcpy(out, la, len);
		out[len] = '\0';
	}
}

/* The address the servers saw this probe come from, as far as this side
 * knows it: through a proxy the proxy's BND.ADDR (the socket's own
 * address only reaches the proxy), else the socket's own address. */
static int source_ip(const struct run_record *rec, const struct probe *p,
		     char *ip, size_t n)
{
	int proxied = rec->cfg && rec->cfg->proxy.host[0];

	ip[0] = '\0';
	if (proxied && p->proxy_bound[0])
		local_ip(p->proxy_bound, ip, n);
	else if (!proxied)
		local_ip(p->local_address, ip, n);
	/* Proxies that do not say (RFC 1928 lets BND.ADDR be anything)
	 * answer 0.0.0.0 or ::: no address at all. */
	if (strcmp(ip, "0.0.0.0") == 0 || strcmp(ip, "::") == 0)
		ip[0] = '\0';
	return proxied;
}

void identity_update(struct run_record *rec)
{
	char ip[SOCKS5_BOUND_MAX];

	for (size_t i = 0; i < rec->nprobes; i++) {
		struct probe *p = &rec->probes[i];
		if (!p->echoed[0])
			probe_echoed(p);
		if (p->echoed[0])
			add_egress(rec, p->echoed, 1, 0);
	}
	for (size_t i = 0; i < rec->nprobes; i++) {
		int proxied = source_ip(rec, &rec->probes[i], ip, sizeof ip);
		int fam = family_of(ip);
		if (fam && !dns_is_private(fam, ip))
			add_egress(rec, ip, 0, proxied);
	}
}

void identity_collect(struct run_record *rec)
{
	char ip[SOCKS5_BOUND_MAX];

	identity_update(rec);
	/* Private and loopback local addresses say nothing about who the
	 * receiver sees, unless nothing else is known. */
	for (size_t i = 0; rec->negress == 0 && i < rec->nprobes; i++) {
		int proxied = source_ip(rec, &rec->probes[i], ip, sizeof ip);
		if (family_of(ip))
			add_egress(rec, ip, 0, proxied);
	}
}

/* The labels of ip reversed (IPv4 octets, IPv6 nibbles: RFC 1035 3.5,
 * RFC 3596 2.5, and the same for block lists, RFC 5782 2.1 and 2.4),
 * then suffix4 or suffix6 by its family; -1 when ip is not an address or
 * the name does not fit n or a DNS name. */
static int reversed_name(const char *ip, const char *suffix4,
			 const char *suffix6, char *out, size_t n)
{
	unsigned char b[16];
	size_t len = 0;
	int w;

	if (inet_pton(AF_INET, ip, b) == 1) {
		w = snprintf(out, n, "%u.%u.%u.%u.%s", b[3], b[2], b[1], b[0],
			     suffix4);
		return w < 0 || (size_t)w >= n || (size_t)w > DNS_NAME_MAX ? -1
									   : 0;
	}
	if (inet_pton(AF_INET6, ip, b) != 1 || n == 0)
		return -1;
	out[0] = '\0';
	for (int i = 15; i >= 0; i--)
		len = text_appendf(out, n, len, "%x.%x.", b[i] & 15, b[i] >> 4);
	len = text_appendf(out, n, len, "%s", suffix6);
	return len + 1 >= n || len > DNS_NAME_MAX ? -1 : 0;
}

int identity_ptr_name(const char *ip, char *out, size_t n)
{
	return reversed_name(ip, "in-addr.arpa", "ip6.arpa", out, n);
}

int identity_take_ptr(struct run_record *rec, size_t i, int status,
		      const unsigned char *abuf, int alen, long now_ms)
{
	struct egress *e = &rec->egress[i];
	struct hostent *he = NULL;
	unsigned char bin[16];

	e->ptr_status = status;
	if (status == ARES_SUCCESS && abuf &&
	    inet_pton(e->family, e->address, bin) == 1 &&
	    ares_parse_ptr_reply(abuf, alen, bin, e->family == AF_INET ? 4 : 16,
				 e->family, &he) == ARES_SUCCESS &&
	    he && he->h_name) {
		char *name = sanitize_dup(he->h_name, strlen(he->h_name));
		if (name && dns_valid_hostname(name))
			e->ptr = name;
		else
			free(name);
	}
	if (he)
		ares_free_hostent(he);
	record_note(rec, now_ms, -1, 0, "DNS PTR %s: %s", e->address,
		    e->ptr		     ? e->ptr
		    : status == ARES_SUCCESS ? "no valid name"
					     : dns_status_word(status));
	if (!e->ptr && (status == ARES_ENOTFOUND || status == ARES_ENODATA ||
			status == ARES_SUCCESS))
		e->fcrdns = 0;
	return e->ptr != NULL;
}

void identity_take_forward(struct run_record *rec, size_t i, int status,
			   const unsigned char *abuf, int alen, long now_ms)
{
	struct egress *e = &rec->egress[i];
	struct hostent *he = NULL;
	int found = 0, st = status;

	if (status == ARES_SUCCESS && abuf) {
		st = e->family == AF_INET
			 ? ares_parse_a_reply(abuf, alen, &he, NULL, NULL)
			 : ares_parse_aaaa_reply(abuf, alen, &he, NULL, NULL);
		for (char **a = he && st == ARES_SUCCESS ? he->h_addr_list
							 : NULL;
		     a && *a; a++) {
			char ip[ADDR_STR_MAX];
			inet_ntop(e->family, *a, ip, sizeof ip);
			found |= strcmp(ip, e->address) == 0;
		}
		if (he)
			ares_free_hostent(he);
	}
	/* A lookup that failed (SERVFAIL, timeout) proves nothing. */
	if (st == ARES_SUCCESS || st == ARES_ENOTFOUND || st == ARES_ENODATA)
		e->fcrdns = found;
	record_note(rec, now_ms, -1, 0, "DNS %s %s: %s",
		    e->family == AF_INET ? "A" : "AAAA", e->ptr ? e->ptr : "?",
		    e->fcrdns == 1   ? "points back to the address (FCrDNS)"
		    : e->fcrdns == 0 ? "does NOT point back to the address"
				     : dns_status_word(st));
}

void identity_take_helo(struct run_record *rec, int family, int status,
			const unsigned char *abuf, int alen, long now_ms)
{
	struct helo_info *h = &rec->helo;
	struct hostent *he = NULL;

	(void)now_ms;
	h->answers++;
	if (status == ARES_SUCCESS && abuf &&
	    (family == AF_INET ? ares_parse_a_reply(abuf, alen, &he, NULL, NULL)
			       : ares_parse_aaaa_reply(abuf, alen, &he, NULL,
						       NULL)) == ARES_SUCCESS &&
	    he && he->h_addr_list[0])
		h->found = 1;
	else if (status != ARES_ENOTFOUND && status != ARES_ENODATA &&
		 status != ARES_SUCCESS)
		h->failed = 1;
	if (he)
		ares_free_hostent(he);
}

/* RFC 5321 2.3.5: a fully qualified name, two labels at least, not an
 * address literal, a top label that is not all digits. */
static int helo_is_fqdn(const char *name)
{
	const char *dot = strrchr(name, '.');

	if (!name[0] || name[0] == '[' || !dot || !dot[1] ||
	    !dns_valid_hostname(name) || family_of(name))
		return 0;
	if (strspn(dot + 1, "0123456789") == strlen(dot + 1))
		return 0;
	return strcasecmp(dot + 1, "localdomain") != 0 &&
	       strcasecmp(dot + 1, "local") != 0 &&
	       strcasecmp(dot + 1, "localhost") != 0;
}

void identity_finish(struct run_record *rec)
{
	struct helo_info *h = &rec->helo;
	const char *name = rec->cfg ? rec->cfg->helo : "";
	int any_ptr = 0;

	h->judged = 1;
	h->fqdn = helo_is_fqdn(name);
	h->resolves = !h->asked ? -1 : h->found ? 1 : h->failed ? -1 : 0;
	h->matches_ptr = -1;
	for (size_t i = 0; i < rec->negress; i++) {
		if (!rec->egress[i].ptr)
			continue;
		any_ptr = 1;
		if (strcasecmp(rec->egress[i].ptr, name) == 0)
			h->matches_ptr = 1;
	}
	if (any_ptr && h->matches_ptr != 1)
		h->matches_ptr = 0;
}

/* ---- block lists ---- */

const char *dnsbl_status_name(enum dnsbl_status s)
{
	switch (s) {
	case DNSBL_LISTED: return "listed";
	case DNSBL_NOT_LISTED: return "not_listed";
	case DNSBL_REFUSED: return "refused";
	case DNSBL_ERROR: return "error";
	default: return "error"; /* asked, no answer in time */
	}
}

int identity_dnsbl_name(const char *ip, const char *zone, char *out, size_t n)
{
	return reversed_name(ip, zone, zone, out, n);
}

static int is_zone(const char *zone, const char *name)
{
	return strcasecmp(zone, name) == 0;
}

const char *identity_dnsbl_meaning(const char *zone, const char *code)
{
	unsigned a, b, c, d;

	if (sscanf(code, "%u.%u.%u.%u", &a, &b, &c, &d) != 4 || a != 127)
		return "an answer outside 127.0.0.0/8: not a listing code";
	if (b == 255 && c == 255)
		return "the list refused the query (typically asked through "
		       "a public or shared resolver; use your own)";
	if (is_zone(zone, "zen.spamhaus.org") && b == 0 && c == 0) {
		switch (d) {
		case 2: return "SBL: a known spam source or operation";
		case 3:
			return "CSS: Spamhaus's snowshoe / low-reputation "
			       "list";
		case 4:
		case 5:
		case 6:
		case 7:
			return "XBL: an infected or hijacked host (botnet, "
			       "open proxy)";
		case 9: return "DROP: a hijacked or criminal network";
		case 10:
		case 11:
			return "PBL: an end-user or dynamic address that "
			       "should not send mail directly";
		default: break;
		}
	}
	if (is_zone(zone, "b.barracudacentral.org") && d == 2)
		return "listed by Barracuda for poor reputation";
	if (is_zone(zone, "bl.spamcop.net") && d == 2)
		return "SpamCop: reported as a spam source recently";
	return "listed";
}

const char *identity_dnsbl_page(const char *zone)
{
	if (is_zone(zone, "zen.spamhaus.org"))
		return "https://check.spamhaus.org/";
	if (is_zone(zone, "b.barracudacentral.org"))
		return "https://www.barracudacentral.org/lookups";
	if (is_zone(zone, "bl.spamcop.net"))
		return "https://www.spamcop.net/bl.shtml";
	return NULL;
}

void identity_take_dnsbl(struct run_record *rec, size_t i, size_t z, int status,
			 const unsigned char *abuf, int alen, long now_ms)
{
	struct egress *e = &rec->egress[i];
	struct dnsbl_result *d = &e->dnsbl[z];
	struct hostent *he = NULL;
	int refused = 0, listed = 0;

	if (status == ARES_ENOTFOUND || status == ARES_ENODATA) {
		d->status = DNSBL_NOT_LISTED;
	} else if (status == ARES_SUCCESS && abuf &&
		   ares_parse_a_reply(abuf, alen, &he, NULL, NULL) ==
		       ARES_SUCCESS &&
		   he) {
		for (char **a = he->h_addr_list; *a; a++) {
			char ip[16];
			inet_ntop(AF_INET, *a, ip, sizeof ip);
			if (d->ncodes < DNSBL_CODES_CAP)
				snprintf(d->codes[d->ncodes++],
					 sizeof d->codes[0], "%s", ip);
			if (strncmp(ip, "127.255.255.", 12) == 0)
				refused = 1;
			else if (strncmp(ip, "127.", 4) == 0)
				listed = 1;
		}
		d->status = listed    ? DNSBL_LISTED
			    : refused ? DNSBL_REFUSED
				      : DNSBL_ERROR;
	} else {
		d->status = DNSBL_ERROR;
	}
	if (he)
		ares_free_hostent(he);
	record_note(rec, now_ms, -1, 0, "DNSBL %s in %s: %s%s%s", e->address,
		    rec->cfg->dnsbl[z], dnsbl_status_name(d->status),
		    d->ncodes ? " " : "", d->ncodes ? d->codes[0] : "");
}
