/*
 * policy_dns.c - see policy_dns.h. The answers are parsed by dns_raw.c
 * (every length checked there); here they are judged, and the TLSA
 * records that count are copied into the record.
 */
#include "smtpprobe/policy_dns.h"

#include <ares.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtpprobe/dns_answer.h"
#include "smtpprobe/sanitize.h"

static const char *const dnssec_names[] = {
    [DNSSEC_INDETERMINATE] = "indeterminate",
    [DNSSEC_SECURE] = "secure",
    [DNSSEC_INSECURE] = "insecure",
    [DNSSEC_BOGUS] = "bogus",
};

static const char *const dane_status_names[] = {
    [DANE_NONE] = "none",
    [DANE_USABLE] = "usable",
    [DANE_UNUSABLE] = "unusable",
    [DANE_LOOKUP_ERROR] = "lookup_error",
};

const char *dnssec_state_name(enum dnssec_state s)
{
	return (unsigned)s <= DNSSEC_BOGUS ? dnssec_names[s] : "indeterminate";
}

const char *dane_status_name(enum dane_status s)
{
	return (unsigned)s <= DANE_LOOKUP_ERROR ? dane_status_names[s]
						: "lookup_error";
}

int policy_tlsa_name(char *out, size_t n, int port, const char *name)
{
	int w = snprintf(out, n, "_%d._tcp.%s", port, name);

	return w < 0 || (size_t)w >= n || (size_t)w > DNS_NAME_MAX ? -1 : 0;
}

int policy_add_dane(struct run_record *rec, size_t h, int port)
{
	struct tls_policy *tp = &rec->policy;
	struct dane_host *d;
	char name[DOMAIN_MAX + 16];

	if (tp->ndane >= DANE_HOSTS_CAP ||
	    policy_tlsa_name(name, sizeof name, port, rec->dns.hosts[h].name) <
		0)
		return -1;
	d = &tp->dane[tp->ndane];
	memset(d, 0, sizeof *d);
	d->host = h;
	d->port = port;
	d->name = sanitize_dup(name, strlen(name));
	if (!d->name)
		return -1;
	return (int)tp->ndane++;
}

/* A usable record (RFC 7672 3.1): DANE-TA or DANE-EE, a selector and a
 * matching type OpenSSL knows, and data not cut by the cap. */
static int usable(const struct tlsa_record *r, size_t cap_len)
{
	return (r->usage == 2 || r->usage == 3) && r->selector <= 1 &&
	       r->matching <= 2 && r->len < cap_len &&
	       (r->matching != 1 || r->len == 32) &&
	       (r->matching != 2 || r->len == 64) && r->len > 0;
}

void policy_record_text(const struct dane_record *r, char *out, size_t n,
			size_t hex_max)
{
	size_t len = 0;

	len = text_appendf(out, n, 0, "%u %u %u ", r->usage, r->selector,
			   r->matching);
	for (size_t i = 0; i < r->len; i++) {
		if (hex_max && 2 * i >= hex_max) {
			text_appendf(out, n, len, "...");
			return;
		}
		len = text_appendf(out, n, len, "%02x", r->data[i]);
	}
}

static int answered_ok(int status)
{
	return status == ARES_SUCCESS || status == ARES_ENODATA ||
	       status == ARES_ENOTFOUND;
}

void policy_take_tlsa(struct run_record *rec, struct tlsa_lookup *l,
		      const char *name, int status, const unsigned char *abuf,
		      int alen, long now_ms)
{
	struct dns_header_facts h;
	char list[160] = "";

	l->done = 1;
	l->status = status;
	l->ede = -1;
	if (abuf && alen > 0 && dns_read_header(abuf, (size_t)alen, &h) == 0) {
		l->ad = h.ad && (h.rcode == 0 || h.rcode == 3);
		l->ede = dns_read_ede(abuf, (size_t)alen);
		if (h.rcode == 0 &&
		    (status == ARES_SUCCESS || status == ARES_ENODATA)) {
			l->ans = malloc(sizeof *l->ans);
			if (l->ans &&
			    dns_parse_tlsa(abuf, (size_t)alen, l->ans) < 0) {
				l->status = ARES_EBADRESP;
			}
		}
	}
	if (l->ans && l->ans->n > 0) {
		struct dane_record dr = {l->ans->rr[0].usage,
					 l->ans->rr[0].selector,
					 l->ans->rr[0].matching,
					 l->ans->rr[0].len, l->ans->rr[0].data};
		policy_record_text(&dr, list, sizeof list, 16);
	}
	record_note(rec, now_ms, -1, 0, "DNS TLSA %s: %s%s%s%s%s%s", name,
		    answered_ok(l->status)
			? (l->ans && l->ans->n ? "" : "no records")
			: dns_status_word(l->status),
		    l->ans && l->ans->n > 1 ? "first of several: " : "", list,
		    l->ad ? " (DNSSEC: AD, authenticated)"
			  : (answered_ok(l->status) ? " (no AD: not "
						      "authenticated)"
						    : ""),
		    EDE_IS_DNSSEC_FAILURE(l->ede) ? "; the resolver says "
						    "DNSSEC validation failed"
						  : "",
		    "");
	if (l->ans) {
		for (size_t i = 0; i < l->ans->n; i++) {
			const struct tlsa_record *r = &l->ans->rr[i];
			struct dane_record dr = {r->usage, r->selector,
						 r->matching, r->len,
						 (unsigned char *)r->data};
			char txt[200];

			policy_record_text(&dr, txt, sizeof txt, 96);
			record_note(rec, now_ms, -1, 0,
				    "  TLSA %s %s %s %s: %s", name,
				    tlsa_usage_name(r->usage),
				    tlsa_selector_name(r->selector),
				    tlsa_matching_name(r->matching), txt);
		}
	}
}

void policy_take_root(struct run_record *rec, struct policy_scratch *sc,
		      int status, const unsigned char *abuf, int alen,
		      long now_ms)
{
	struct dns_header_facts h;

	sc->root_done = 1;
	sc->root_status = status;
	if (abuf && alen > 0 && dns_read_header(abuf, (size_t)alen, &h) == 0)
		sc->root_ad = h.ad && h.rcode == 0;
	record_note(rec, now_ms, -1, 0,
		    "DNS SOA . (does the resolver validate DNSSEC?): %s%s",
		    status == ARES_SUCCESS ? "answered"
					   : dns_status_word(status),
		    status != ARES_SUCCESS ? ""
		    : sc->root_ad	   ? ", AD set: it validates"
					   : ", no AD: it does not validate");
}

/* Did any answer of the run carry AD? */
static int any_ad(const struct run_record *rec, const struct policy_scratch *sc)
{
	if (rec->dns.mx_ad > 0 || sc->root_ad)
		return 1;
	for (size_t i = 0; i < rec->dns.nhosts; i++)
		if (rec->dns.hosts[i].addr_ad > 0)
			return 1;
	for (size_t i = 0; i < rec->policy.ndane; i++)
		if (sc->orig[i].ad || sc->target[i].ad)
			return 1;
	return 0;
}

static void take_records(struct dane_host *d, const struct tlsa_answer *a)
{
	d->total = a->total;
	for (size_t i = 0; i < a->n && d->nrecords < TLSA_RECORDS_CAP; i++) {
		const struct tlsa_record *r = &a->rr[i];
		struct dane_record *o = &d->records[d->nrecords];

		o->data = malloc(r->len ? r->len : 1);
		if (!o->data)
			return;
		memcpy(o->data, r->data, r->len);
		o->len = r->len;
		o->usage = r->usage;
		o->selector = r->selector;
		o->matching = r->matching;
		d->nrecords++;
	}
}

static int has_records(const struct tlsa_lookup *l)
{
	return l->done && answered_ok(l->status) && l->ans && l->ans->n > 0;
}

/* Which lookup counts: the CNAME target's when it is secure and has
 * records, else the original name's (RFC 7672 2.2.2). */
static const struct tlsa_lookup *chosen(const struct policy_scratch *sc,
					size_t i, int *use_target)
{
	const struct tlsa_lookup *t = &sc->target[i];

	/* A target whose lookup failed decides: a DANE sender cannot know
	 * its records, and defers (RFC 7672 2.1.1), whatever the original
	 * name says. */
	*use_target = t->asked && (!t->done || !answered_ok(t->status) ||
				   (t->ad && has_records(t)));
	return *use_target ? t : &sc->orig[i];
}

static void decide(struct run_record *rec, struct policy_scratch *sc, size_t i,
		   long now_ms)
{
	struct dane_host *d = &rec->policy.dane[i];
	const struct mail_host *mh = &rec->dns.hosts[d->host];
	int use_target, usable_n = 0;
	const struct tlsa_lookup *l = chosen(sc, i, &use_target);
	int chain_secure = rec->dns.mx_ad > 0 && mh->addr_ad > 0;

	if (use_target && mh->cname) {
		char name[DOMAIN_MAX + 16];
		if (policy_tlsa_name(name, sizeof name, d->port, mh->cname) ==
		    0) {
			free(d->name);
			d->name = sanitize_dup(name, strlen(name));
		}
	}
	if (!l->done || !answered_ok(l->status)) {
		d->status = DANE_LOOKUP_ERROR;
		d->dnssec = EDE_IS_DNSSEC_FAILURE(l->ede)
				? DNSSEC_BOGUS
				: DNSSEC_INDETERMINATE;
		/* Only where the addresses are signed does a sender ask for
		 * TLSA at all, and so defer when it cannot have the answer. */
		d->applies = chain_secure && rec->policy.resolver_validates > 0;
		return;
	}
	if (has_records(l))
		take_records(d, l->ans);
	for (size_t k = 0; l->ans && k < l->ans->n; k++)
		usable_n += usable(&l->ans->rr[k], TLSA_DATA_MAX);
	d->status = d->nrecords == 0 ? DANE_NONE
		    : usable_n	     ? DANE_USABLE
				     : DANE_UNUSABLE;
	d->dnssec = chain_secure && l->ad ? DNSSEC_SECURE : DNSSEC_INSECURE;
	if (rec->policy.resolver_validates <= 0) {
		d->dnssec = DNSSEC_INDETERMINATE;
		d->unvalidated = d->nrecords > 0;
	}
	d->applies = d->dnssec == DNSSEC_SECURE && d->status == DANE_USABLE;
	d->encrypt_only =
	    d->dnssec == DNSSEC_SECURE && d->status == DANE_UNUSABLE;
	if (d->nrecords > 0)
		record_note(rec, now_ms, -1, 0,
			    "DANE %s: %zu record%s (%d usable), DNSSEC %s: %s",
			    d->name, d->total, d->total == 1 ? "" : "s",
			    usable_n, dnssec_state_name(d->dnssec),
			    d->applies ? "a DANE sender requires a match"
			    : d->dnssec == DNSSEC_INSECURE
				? "not signed all the way, so a sender "
				  "ignores the records"
			    : d->dnssec == DNSSEC_INDETERMINATE
				? "the resolver does not validate: DANE "
				  "cannot be judged from here"
				: "no usable record: a sender ignores them");
}

void policy_dns_finish(struct run_record *rec, struct policy_scratch *sc,
		       long now_ms)
{
	struct tls_policy *tp = &rec->policy;

	if (tp->mode == TLSP_OFF) { /* nothing asked, nothing judged */
		tp->resolver_validates = -1;
		return;
	}
	if (any_ad(rec, sc))
		tp->resolver_validates = 1;
	else if (sc->root_done && sc->root_status == ARES_SUCCESS)
		tp->resolver_validates = 0;
	else
		tp->resolver_validates = -1;
	for (size_t i = 0; i < tp->ndane; i++)
		decide(rec, sc, i, now_ms);
	for (size_t i = 0; i < DANE_HOSTS_CAP; i++) {
		free(sc->orig[i].ans);
		free(sc->target[i].ans);
		sc->orig[i].ans = sc->target[i].ans = NULL;
	}
}

const struct dane_host *policy_dane_of(const struct run_record *rec,
				       const struct probe *p)
{
	for (size_t i = 0; i < rec->policy.ndane; i++)
		if (rec->policy.dane[i].host == p->host &&
		    rec->policy.dane[i].port == p->port)
			return &rec->policy.dane[i];
	return NULL;
}

const char *probe_dane_name(enum probe_dane d)
{
	switch (d) {
	case PDANE_MATCHED: return "matched";
	case PDANE_FAILED: return "failed";
	default: return "not_applicable";
	}
}

enum probe_dane policy_probe_dane(const struct run_record *rec,
				  const struct probe *p)
{
	const struct dane_host *d = policy_dane_of(rec, p);

	if (rec->policy.mode == TLSP_OFF || !d ||
	    (!d->applies && !d->encrypt_only))
		return PDANE_NOT_APPLICABLE;
	if (d->status == DANE_LOOKUP_ERROR)
		return PDANE_FAILED;
	if (p->tls.dane && p->tls.established)
		return p->tls.dane_ok ? PDANE_MATCHED : PDANE_FAILED;
	/* No handshake to check: no STARTTLS offered, or it failed. */
	return (!p->tls.established &&
		(probe_greeted(p) || p->tls.mode != TLSM_NONE))
		   ? PDANE_FAILED
		   : PDANE_NOT_APPLICABLE;
}
