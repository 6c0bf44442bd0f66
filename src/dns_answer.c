/*
 * dns_answer.c - see dns_answer.h.
 *
 * Outcomes as RFC 5321 5.1 has them: MX records sorted by preference (ties
 * shuffled); no MX records at all (NODATA) means the domain itself is the
 * mail host (implicit MX); NXDOMAIN, SERVFAIL and timeouts stop the run
 * with no fallback; "MX 0 ." is a null MX (RFC 7505).
 */
#include "smtpprobe/dns_answer.h"

#include <ares.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "smtpprobe/dns_raw.h"

#include "smtpprobe/addr.h"
#include "smtpprobe/sanitize.h"

/* ---- classification ---- */

static void set_dns_failure(struct dns_result *d, int status)
{

	switch (status) {
	case ARES_ENOTFOUND:
		d->status = DNS_NXDOMAIN, d->error = LE_DNS_NXDOMAIN;
		break;
	case ARES_ENODATA:
		d->status = DNS_NODATA, d->error = LE_DNS_NODATA;
		break;
	case ARES_ESERVFAIL:
		d->status = DNS_SERVFAIL, d->error = LE_DNS_SERVFAIL;
		break;
	case ARES_ETIMEOUT:
	case ARES_ECANCELLED:
	case ARES_EDESTRUCTION:
		d->status = DNS_TIMEOUT, d->error = LE_DNS_TIMEOUT;
		break;
	case ARES_EREFUSED:
		d->status = DNS_ERROR, d->error = LE_DNS_REFUSED;
		break;
	case ARES_ECONNREFUSED:
		d->status = DNS_ERROR, d->error = LE_DNS_NO_SERVER;
		break;
	case ARES_ENOTIMP:
		d->status = DNS_ERROR, d->error = LE_DNS_NOT_IMPLEMENTED;
		break;
	case ARES_EBADNAME:
		d->status = DNS_ERROR, d->error = LE_DNS_BAD_NAME;
		break;
	case ARES_EFILE:
	case ARES_ENOTINITIALIZED:
		d->status = DNS_ERROR, d->error = LE_DNS_CONFIG;
		break;
	case ARES_ENOMEM:
		d->status = DNS_ERROR, d->error = LE_DNS_NO_MEMORY;
		break;
	case ARES_EBADRESP:
	case ARES_EFORMERR:
		d->status = DNS_ERROR, d->error = LE_DNS_MALFORMED;
		d->flags |= DNSF_MALFORMED;
		break;
	default: d->status = DNS_ERROR, d->error = LE_DNS_ERROR; break;
	}
}

/* A parse of an answer that fails on a name (a compression pointer past
 * the end or in a loop) is a malformed answer: the name we asked for was
 * validated before it was sent. */
static int parse_status(int status)
{
	return status == ARES_EBADNAME ? ARES_EBADRESP : status;
}

const char *dns_status_word(int status)
{
	switch (status) {
	case ARES_SUCCESS: return "ok";
	case ARES_ENOTFOUND: return "NXDOMAIN";
	case ARES_ENODATA: return "no data";
	case ARES_ESERVFAIL: return "SERVFAIL";
	case ARES_ETIMEOUT: return "timed out";
	case ARES_ECANCELLED: return "cancelled at the run deadline";
	case ARES_EREFUSED: return "REFUSED";
	case ARES_EBADRESP: return "malformed answer";
	default: return ares_strerror(status);
	}
}

int dns_is_private(int family, const char *ip)
{
	unsigned char a[16];

	if (inet_pton(family, ip, a) != 1)
		return 0;
	if (family == AF_INET)
		return a[0] == 127 || a[0] == 10 || a[0] == 0 ||
		       (a[0] == 172 && (a[1] & 0xf0) == 16) ||
		       (a[0] == 192 && a[1] == 168) ||
		       (a[0] == 169 && a[1] == 254);
	static const unsigned char zero[16];
	if (memcmp(a, zero, 15) == 0 && (a[15] == 0 || a[15] == 1))
		return 1; /* :: and ::1 */
	return (a[0] & 0xfe) == 0xfc || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80);
}

/* ---- addresses ---- */

/* The answer carried AD (RFC 4035 3.2.3): authenticated data, or an
 * authenticated denial (NODATA, NXDOMAIN). */
static int answer_ad(const unsigned char *abuf, int alen)
{
	struct dns_header_facts h;

	if (!abuf || alen <= 0 || dns_read_header(abuf, (size_t)alen, &h) < 0)
		return 0;
	return h.ad && (h.rcode == 0 || h.rcode == 3);
}

void dns_host_done(struct run_record *rec, const struct dns_scratch *sc,
		   size_t h)
{
	struct mail_host *mh = &rec->dns.hosts[h];
	size_t n = 0;
	/* Alternate the families, IPv6 first, up to the cap. */
	for (size_t i = 0; i < ADDRS_PER_HOST_CAP && n < ADDRS_PER_HOST_CAP;
	     i++) {
		for (int f = 0; f < 2 && n < ADDRS_PER_HOST_CAP; f++) {
			if (i >= sc->naddrs[h][f])
				continue;
			memcpy(mh->addrs[n], sc->addrs[h][f][i], ADDR_STR_MAX);
			mh->families[n] = f == 0 ? AF_INET6 : AF_INET;
			if (dns_is_private(mh->families[n], mh->addrs[n]))
				mh->flags |= MXF_PRIVATE;
			n++;
		}
	}
	if (sc->naddrs[h][0] + sc->naddrs[h][1] > n)
		mh->flags |= MXF_ADDRS_CAPPED;
	/* Secure when every family asked was answered with AD. */
	mh->addr_ad = (sc->asked[h][0] || sc->asked[h][1]) &&
		      (!sc->asked[h][0] || sc->ad[h][0]) &&
		      (!sc->asked[h][1] || sc->ad[h][1]);
	mh->naddrs = n;
	if (n == 0) {
		int s6 = sc->status[h][0], s4 = sc->status[h][1];
		mh->flags |= MXF_NO_ADDRESS;
		if (s4 == ARES_ESERVFAIL || s6 == ARES_ESERVFAIL)
			mh->addr_error = LE_DNS_SERVFAIL;
		else if (s4 == ARES_ETIMEOUT || s6 == ARES_ETIMEOUT ||
			 s4 == ARES_ECANCELLED || s6 == ARES_ECANCELLED)
			mh->addr_error = LE_DNS_TIMEOUT;
		else
			mh->addr_error = LE_DNS_NO_ADDRESS;
	}
}

void dns_take_addrs(struct run_record *rec, struct dns_scratch *sc, size_t h,
		    int family, int status, const unsigned char *abuf, int alen,
		    long now_ms)
{
	struct mail_host *mh = &rec->dns.hosts[h];
	int f = family == AF_INET6 ? 0 : 1;
	struct hostent *he = NULL;
	char list[ADDRS_PER_HOST_CAP * (ADDR_STR_MAX + 2)] = "";
	size_t len = 0;

	sc->asked[h][f] = 1;
	sc->ad[h][f] = answer_ad(abuf, alen);
	if (status == ARES_SUCCESS && !abuf)
		status = ARES_EBADRESP;
	if (status == ARES_SUCCESS) {
		if (family == AF_INET)
			status =
			    ares_parse_a_reply(abuf, alen, &he, NULL, NULL);
		else
			status =
			    ares_parse_aaaa_reply(abuf, alen, &he, NULL, NULL);
		status = parse_status(status);
	}
	if (status == ARES_SUCCESS && he) {
		for (char **a = he->h_addr_list; *a; a++) {
			if (sc->naddrs[h][f] >= ADDRS_PER_HOST_CAP)
				break;
			char *dst = sc->addrs[h][f][sc->naddrs[h][f]++];
			inet_ntop(family, *a, dst, ADDR_STR_MAX);
			len = text_appendf(list, sizeof list, len, "%s%s",
					   len ? " " : "", dst);
		}
		/* The answer's canonical name differs: the exchange is an
		 * alias, which RFC 2181 10.3 forbids for MX targets. */
		if (he->h_name && strcasecmp(he->h_name, mh->name) != 0 &&
		    !(mh->flags & (MXF_FROM_SERVER | MXF_IMPLICIT)) &&
		    !mh->cname) {
			mh->flags |= MXF_CNAME;
			mh->cname =
			    sanitize_dup(he->h_name, strlen(he->h_name));
		}
		ares_free_hostent(he);
	}
	sc->status[h][f] = status;
	record_note(rec, now_ms, -1, 0, "DNS %s %s: %s%s",
		    family == AF_INET ? "A" : "AAAA", mh->name,
		    status == ARES_SUCCESS ? list : dns_status_word(status),
		    sc->ad[h][f] ? " (DNSSEC: AD)" : "");
}

int dns_take_literal(struct run_record *rec, size_t h, enum family_pref fam)
{
	struct mail_host *mh = &rec->dns.hosts[h];
	unsigned char a[16];
	int f;

	if (!addr_is_ip_literal(mh->name))
		return 0;
	f = inet_pton(AF_INET, mh->name, a) == 1 ? AF_INET : AF_INET6;
	if (!(mh->flags & MXF_FROM_SERVER)) {
		mh->flags |= MXF_IP_LITERAL | MXF_NO_ADDRESS;
		mh->addr_error = LE_DNS_NO_ADDRESS;
		return 1;
	}
	if ((f == AF_INET && fam == FAMILY_V6) ||
	    (f == AF_INET6 && fam == FAMILY_V4)) {
		mh->flags |= MXF_NO_ADDRESS;
		mh->addr_error = LE_DNS_NO_ADDRESS;
		return 1;
	}
	snprintf(mh->addrs[0], ADDR_STR_MAX, "%s", mh->name);
	mh->families[0] = f;
	mh->naddrs = 1;
	if (dns_is_private(f, mh->name))
		mh->flags |= MXF_PRIVATE;
	return 1;
}

/* ---- MX ---- */

/* A host name as DNS may carry it for a mail exchange: labels of 1 to 63
 * letters, digits, '-' or '_', dot-separated, at most 253 in all. c-ares
 * writes other bytes escaped with a backslash, which fails here too. */
int dns_valid_hostname(const char *name)
{
	size_t len = strlen(name), label = 0;

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > DNS_NAME_MAX)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == '.') {
			if (label == 0)
				return 0;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
		if (++label > DNS_LABEL_MAX)
			return 0;
	}
	return 1;
}

struct mail_host *dns_add_host(struct dns_result *d, const char *name,
			       int preference, unsigned flags)
{
	struct mail_host *mh;
	size_t len = strlen(name);

	if (d->nhosts >= MX_HOSTS_CAP)
		return NULL;
	mh = &d->hosts[d->nhosts++];
	memset(mh, 0, sizeof *mh);
	if (len > 0 && name[len - 1] == '.')
		len--;
	mh->name = sanitize_dup(name, len);
	mh->preference = preference;
	mh->flags = flags;
	return mh;
}

static int mx_cmp(const void *a, const void *b)
{
	const struct mail_host *x = a, *y = b;

	return (x->preference > y->preference) -
	       (x->preference < y->preference);
}

/* RFC 5321 5.1: equal preferences in random order. qsort keeps no
 * order among equals, so shuffle first, then sort by preference with
 * the shuffled position as the tie-break. */
static void sort_hosts(struct dns_result *d)
{
	for (size_t i = d->nhosts; i > 1; i--) {
		size_t j = (size_t)random() % i;
		struct mail_host t = d->hosts[i - 1];
		d->hosts[i - 1] = d->hosts[j];
		d->hosts[j] = t;
	}
	/* insertion sort: stable, and there are at most MX_HOSTS_CAP */
	for (size_t i = 1; i < d->nhosts; i++) {
		struct mail_host t = d->hosts[i];
		size_t k = i;
		while (k > 0 && mx_cmp(&d->hosts[k - 1], &t) > 0) {
			d->hosts[k] = d->hosts[k - 1];
			k--;
		}
		d->hosts[k] = t;
	}
}

static size_t take_mx_records(struct run_record *rec, const char *domain,
			      struct ares_mx_reply *mx, long now_ms)
{
	struct dns_result *d = &rec->dns;
	size_t nnull = 0, nbad = 0;
	char list[1024] = "";
	size_t len = 0;

	/* Keep the lowest preferences when there are more than the cap. */
	for (struct ares_mx_reply *m = mx; m; m = m->next) {
		d->mx_total++;
		if (m->host[0] == '\0' || strcmp(m->host, ".") == 0) {
			nnull++;
			continue;
		}
		if (!dns_valid_hostname(m->host)) {
			d->flags |= DNSF_MALFORMED;
			nbad++;
			/* record_note sanitises; the name is cut to 64. */
			record_note(rec, now_ms, -1, 0,
				    "DNS MX %s: the exchange name \"%.64s\" is "
				    "not a valid host name; skipped",
				    domain, m->host);
			continue;
		}
		if (d->nhosts < MX_HOSTS_CAP) {
			dns_add_host(d, m->host, m->priority, 0);
			continue;
		}
		d->flags |= DNSF_MX_CAPPED;
		size_t worst = 0;
		for (size_t i = 1; i < d->nhosts; i++)
			if (d->hosts[i].preference > d->hosts[worst].preference)
				worst = i;
		if (m->priority < d->hosts[worst].preference) {
			free(d->hosts[worst].name);
			d->hosts[worst].name =
			    sanitize_dup(m->host, strlen(m->host));
			d->hosts[worst].preference = m->priority;
		}
	}
	if (nnull > 0 && d->nhosts == 0) {
		d->status = DNS_NULL_MX;
		d->error = LE_DNS_NULL_MX;
		record_note(rec, now_ms, -1, 0,
			    "DNS MX %s: null MX (\"MX 0 .\", RFC 7505): the "
			    "domain accepts no mail",
			    domain);
		return 0;
	}
	if (d->nhosts == 0 && nbad > 0) {
		/* Records were there but none usable: a malformed answer,
		 * not "no MX" (which would mean implicit MX). */
		d->status = DNS_ERROR;
		d->error = LE_DNS_MALFORMED;
		return 0;
	}
	if (nnull > 0)
		d->flags |= DNSF_NULL_MX_MIXED;
	sort_hosts(d);
	for (size_t i = 0; i < d->nhosts; i++)
		len = text_appendf(list, sizeof list, len, "%s%d %s",
				   i ? ", " : "", d->hosts[i].preference,
				   d->hosts[i].name);
	record_note(rec, now_ms, -1, 0, "DNS MX %s: %s%s%s%s", domain, list,
		    d->mx_ad ? " (DNSSEC: AD)" : "",
		    d->flags & DNSF_MX_CAPPED ? " (more records than the cap "
						"were cut)"
					      : "",
		    d->flags & DNSF_NULL_MX_MIXED ? "; a null MX stands beside "
						    "other MX records"
						  : "");
	return d->nhosts;
}

size_t dns_take_mx(struct run_record *rec, const char *domain, int status,
		   const unsigned char *abuf, int alen, long now_ms)
{
	struct dns_result *d = &rec->dns;
	struct ares_mx_reply *mx = NULL;
	size_t n = 0;

	d->mx_ad = answer_ad(abuf, alen);
	if (status == ARES_SUCCESS && !abuf)
		status = ARES_EBADRESP;
	if (status == ARES_SUCCESS)
		status = parse_status(ares_parse_mx_reply(abuf, alen, &mx));
	if (status == ARES_SUCCESS && mx) {
		n = take_mx_records(rec, domain, mx, now_ms);
	} else if (status == ARES_ENODATA || (status == ARES_SUCCESS && !mx)) {
		d->implicit_mx = 1;
		record_note(rec, now_ms, -1, 0,
			    "DNS MX %s: no MX records; the domain itself is "
			    "the mail host (implicit MX, RFC 5321 5.1)",
			    domain);
		n = dns_add_host(d, domain, 0, MXF_IMPLICIT) ? 1 : 0;
	} else {
		set_dns_failure(d, status);
		record_note(rec, now_ms, -1, 0, "DNS MX %s: %s", domain,
			    dns_status_word(status));
	}
	if (mx)
		ares_free_data(mx);
	return n;
}

void dns_finish(struct dns_result *d)
{
	int any = 0;

	for (size_t i = 0; i < d->nhosts; i++)
		any |= d->hosts[i].naddrs > 0;
	if (d->status == DNS_OK && d->implicit_mx && !any) {
		d->status = DNS_NODATA;
		d->error = LE_DNS_NODATA;
	}
}
