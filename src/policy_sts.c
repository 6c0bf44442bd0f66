/*
 * policy_sts.c - see policy_sts.h. TXT answers are parsed by c-ares
 * (ares_parse_txt_ext, every length checked there), joined per record
 * and bounded here, then read by policy_text.c's parsers.
 */
#include "smtpprobe/policy_sts.h"

#include <ares.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "smtpprobe/dns_answer.h"
#include "smtpprobe/policy_dns.h"
#include "smtpprobe/sanitize.h"

const char *mta_sts_status_name(enum mta_sts_status s)
{
	switch (s) {
	case MTASTS_OK: return "ok";
	case MTASTS_INVALID: return "invalid";
	case MTASTS_FETCH_ERROR: return "fetch_error";
	default: return "none";
	}
}

const char *tls_rpt_status_name(enum tls_rpt_status s)
{
	switch (s) {
	case TLSRPT_OK: return "ok";
	case TLSRPT_INVALID: return "invalid";
	default: return "none";
	}
}

const char *probe_sts_name(enum probe_sts s)
{
	switch (s) {
	case PSTS_MATCHED: return "matched";
	case PSTS_MX_NOT_LISTED: return "mx_not_listed";
	case PSTS_CERT_INVALID: return "cert_invalid";
	case PSTS_NO_TLS: return "no_tls";
	default: return "not_applicable";
	}
}

static char *clean(const char *s, size_t len)
{
	return sanitize_dup(s, len);
}

/* The TXT records of an answer, each joined from its strings (RFC 7208
 * 3.3 style) into buf; calls take() per record until it returns
 * nonzero. Records longer than POLICY_TXT_MAX are handed over cut, with
 * cut set. */
static void each_txt(const unsigned char *abuf, int alen,
		     int (*take)(void *arg, const char *txt, size_t len,
				 int cut),
		     void *arg)
{
	struct ares_txt_ext *txt = NULL;
	char buf[POLICY_TXT_MAX + 1];
	size_t len = 0;
	int cut = 0, open = 0;

	if (ares_parse_txt_reply_ext(abuf, alen, &txt) != ARES_SUCCESS)
		return;
	for (struct ares_txt_ext *t = txt; t; t = t->next) {
		if (t->record_start && open) {
			if (take(arg, buf, len, cut))
				break;
			len = 0, cut = 0;
		}
		open = 1;
		size_t n = t->length;
		if (n > POLICY_TXT_MAX - len) {
			n = POLICY_TXT_MAX - len;
			cut = 1;
		}
		memcpy(buf + len, t->txt, n);
		len += n;
		buf[len] = '\0';
		if (!t->next)
			take(arg, buf, len, cut);
	}
	ares_free_data(txt);
}

/* ---- _mta-sts.DOMAIN TXT ---- */

static int take_sts_record(void *arg, const char *txt, size_t len, int cut)
{
	struct mta_sts_info *m = arg;
	struct sts_txt t;
	int rc;

	/* Records that are not MTA-STS are discarded first (RFC 8461 3.1),
	 * whatever their length; only an MTA-STS record over the cap is
	 * invalid. */
	if (cut && strncmp(txt, "v=STSv1", 7) != 0)
		return 0;
	rc = cut ? -1 : sts_parse_txt(txt, len, &t);
	if (rc == 1)
		return 0;
	m->nrecords++;
	if (m->nrecords == 1) {
		m->txt = clean(txt, len);
		if (rc == 0)
			snprintf(m->id, sizeof m->id, "%s", t.id);
		else
			m->error =
			    strdup(cut ? "the record is too long" : t.error);
	}
	return 0;
}

void policy_sts_take_txt(struct run_record *rec, int status,
			 const unsigned char *abuf, int alen, long now_ms)
{
	struct mta_sts_info *m = &rec->policy.sts;

	m->txt_status = status;
	if (status == ARES_SUCCESS && abuf)
		each_txt(abuf, alen, take_sts_record, m);
	if (m->nrecords > 1) {
		free(m->error);
		m->error = strdup("more than one v=STSv1 record: a sender "
				  "takes none of them (RFC 8461 3.1)");
	}
	if (m->nrecords == 0)
		m->status = MTASTS_NONE;
	else if (m->error)
		m->status = MTASTS_INVALID;
	record_note(rec, now_ms, -1, 0, "DNS TXT _mta-sts.%s: %s%s%s%s%s",
		    rec->target->domain,
		    status == ARES_SUCCESS || m->nrecords
			? (m->txt ? m->txt : "no v=STSv1 record")
			: dns_status_word(status),
		    m->nrecords > 1 ? " (and more)" : "",
		    m->error ? ": INVALID, " : "", m->error ? m->error : "",
		    m->nrecords == 0 ? ": no MTA-STS policy" : "");
}

/* ---- mta-sts.DOMAIN A / AAAA ---- */

void policy_sts_take_addrs(struct run_record *rec, int family, int status,
			   const unsigned char *abuf, int alen, long now_ms)
{
	struct mta_sts_info *m = &rec->policy.sts;
	struct hostent *he = NULL;
	int st = status;

	(void)now_ms;
	m->addr_answers++;
	if (status != ARES_SUCCESS || !abuf)
		return;
	st = family == AF_INET
		 ? ares_parse_a_reply(abuf, alen, &he, NULL, NULL)
		 : ares_parse_aaaa_reply(abuf, alen, &he, NULL, NULL);
	if (st != ARES_SUCCESS || !he)
		return;
	for (char **a = he->h_addr_list; *a && m->naddrs < STS_ADDRS_CAP; a++)
		inet_ntop(family, *a, m->addrs[m->naddrs++], ADDR_STR_MAX);
	ares_free_hostent(he);
}

int policy_sts_should_fetch(struct run_record *rec, long now_ms)
{
	struct mta_sts_info *m = &rec->policy.sts;

	if (!m->asked || m->nrecords != 1 || m->error)
		return 0;
	if (m->naddrs == 0) {
		m->status = MTASTS_FETCH_ERROR;
		m->error = strdup("mta-sts.DOMAIN has no address (A or "
				  "AAAA): the policy cannot be fetched");
		record_note(rec, now_ms, -1, 0,
			    "MTA-STS: mta-sts.%s has no address: no policy "
			    "to fetch",
			    rec->target->domain);
		return 0;
	}
	return 1;
}

/* ---- the fetch ---- */

static void fetch_error(struct mta_sts_info *m,
			const struct sts_fetch_result *r)
{
	char buf[STS_LOCATION_MAX + STS_ERROR_MAX + 96];

	switch (r->status) {
	case STS_FETCH_REDIRECT:
		snprintf(buf, sizeof buf,
			 "HTTP %ld redirect to %s, which a sender does not "
			 "follow (RFC 8461 3.3)",
			 r->http_status, r->location[0] ? r->location : "?");
		break;
	case STS_FETCH_HTTP_STATUS:
		snprintf(buf, sizeof buf,
			 "HTTP %ld: only 200 serves a policy (RFC 8461 3.3)",
			 r->http_status);
		break;
	case STS_FETCH_CONTENT_TYPE:
		snprintf(buf, sizeof buf,
			 "served as \"%s\", not text/plain (RFC 8461 3.2)",
			 r->content_type);
		break;
	case STS_FETCH_TOO_BIG:
		snprintf(buf, sizeof buf,
			 "larger than %d bytes: a sender stops reading",
			 STS_POLICY_MAX);
		break;
	case STS_FETCH_TLS:
		snprintf(buf, sizeof buf,
			 "the policy host's certificate does not verify (%s): "
			 "%s",
			 sts_tls_failure_name(r->tls), r->error);
		break;
	case STS_FETCH_CONNECT:
		snprintf(buf, sizeof buf, "nothing answers on port 443: %s",
			 r->error);
		break;
	case STS_FETCH_TIMEOUT:
		snprintf(buf, sizeof buf, "the fetch timed out%s",
			 r->connected ? " after connecting" : "");
		break;
	default:
		snprintf(buf, sizeof buf, "the fetch failed: %s", r->error);
		break;
	}
	m->error = clean(buf, strlen(buf));
}

void policy_sts_take_fetch(struct run_record *rec,
			   const struct sts_fetch_result *r, const char *err,
			   long now_ms)
{
	struct mta_sts_info *m = &rec->policy.sts;

	m->fetched = 1;
	if (!r) {
		m->status = MTASTS_FETCH_ERROR;
		m->error = clean(err, strlen(err));
		return;
	}
	m->fetch_status = sts_fetch_status_name(r->status);
	snprintf(m->request, sizeof m->request, "%s", r->request);
	m->http_status = r->http_status;
	snprintf(m->content_type, sizeof m->content_type, "%s",
		 r->content_type);
	snprintf(m->location, sizeof m->location, "%s", r->location);
	snprintf(m->remote_ip, sizeof m->remote_ip, "%s", r->remote_ip);
	m->size = r->size;
	m->elapsed_ms = r->elapsed_ms;
	record_note(rec, now_ms, -1, 0,
		    "HTTPS %s%s%s: %s, status %ld%s%s, %zu bytes, %ld ms",
		    r->request, r->remote_ip[0] ? " from " : "", r->remote_ip,
		    m->fetch_status, r->http_status,
		    r->content_type[0] ? ", " : "", r->content_type, r->size,
		    r->elapsed_ms);
	if (r->status != STS_FETCH_OK) {
		m->status = MTASTS_FETCH_ERROR;
		fetch_error(m, r);
		record_note(rec, now_ms, -1, 0, "MTA-STS: no policy: %s",
			    m->error ? m->error : "?");
		return;
	}
	if (sts_parse_policy(r->body, r->size, &m->policy) < 0) {
		m->status = MTASTS_INVALID;
		m->error = clean(m->policy.error, strlen(m->policy.error));
		record_note(rec, now_ms, -1, 0, "MTA-STS: policy INVALID: %s",
			    m->error ? m->error : "?");
		return;
	}
	m->have_policy = 1;
	m->status = MTASTS_OK;
	char list[512];
	size_t len = 0;
	list[0] = '\0';
	for (size_t i = 0; i < m->policy.nmx; i++)
		len = text_appendf(list, sizeof list, len, "%s%s",
				   i ? ", " : "", m->policy.mx[i]);
	record_note(rec, now_ms, -1, 0,
		    "MTA-STS policy: mode %s, max_age %ld, mx %s%s",
		    sts_mode_name(m->policy.mode), m->policy.max_age, list,
		    m->policy.lf_only ? " (lines end in LF, not CRLF as RFC "
					"8461 3.2 writes them; senders accept "
					"both)"
				      : "");
}

/* ---- _smtp._tls.DOMAIN TXT ---- */

static int take_rpt_record(void *arg, const char *txt, size_t len, int cut)
{
	struct tls_rpt_info *t = arg;
	struct tlsrpt r;
	int rc;

	if (cut && strncmp(txt, "v=TLSRPTv1", 10) != 0)
		return 0; /* not TLS-RPT, however long */
	rc = cut ? -1 : tlsrpt_parse_txt(txt, len, &r);
	if (rc == 1)
		return 0;
	if (t->record) { /* RFC 8460 3: more than one is no record */
		t->status = TLSRPT_INVALID;
		free(t->error);
		t->error = strdup("more than one v=TLSRPTv1 record");
		return 1;
	}
	t->record = clean(txt, len);
	if (rc == 0) {
		t->rpt = r;
		t->status = TLSRPT_OK;
	} else {
		t->status = TLSRPT_INVALID;
		t->error = strdup(cut ? "the record is too long" : r.error);
	}
	return 0;
}

void policy_rpt_take_txt(struct run_record *rec, int status,
			 const unsigned char *abuf, int alen, long now_ms)
{
	struct tls_rpt_info *t = &rec->policy.rpt;

	t->txt_status = status;
	if (status == ARES_SUCCESS && abuf)
		each_txt(abuf, alen, take_rpt_record, t);
	record_note(rec, now_ms, -1, 0, "DNS TXT _smtp._tls.%s: %s%s%s",
		    rec->target->domain,
		    t->record ? t->record
		    : status == ARES_SUCCESS || status == ARES_ENODATA ||
			    status == ARES_ENOTFOUND
			? "no v=TLSRPTv1 record"
			: dns_status_word(status),
		    t->error ? ": INVALID, " : "", t->error ? t->error : "");
}

/* ---- judging the probes ---- */

enum probe_sts policy_sts_probe(const struct run_record *rec,
				const struct probe *p)
{
	const struct mta_sts_info *m = &rec->policy.sts;
	const struct dane_host *d = policy_dane_of(rec, p);

	if (rec->policy.mode == TLSP_OFF || !m->have_policy ||
	    m->policy.mode == STS_MODE_NONE || p->host >= rec->dns.nhosts)
		return PSTS_NOT_APPLICABLE;
	/* A host named with --server is not an MX host: the policy's mx
	 * list is about the domain's MX records (RFC 8461 4.1). */
	if (rec->dns.hosts[p->host].flags & MXF_FROM_SERVER)
		return PSTS_NOT_APPLICABLE;
	/* DANE, where it applies, takes precedence (RFC 8461 2). */
	if (d && d->applies && d->status == DANE_USABLE)
		return PSTS_NOT_APPLICABLE;
	if (!sts_policy_lists(&m->policy, rec->dns.hosts[p->host].name))
		return PSTS_MX_NOT_LISTED;
	if (p->tls.established)
		return p->tls.chain_ok && p->tls.name_ok ? PSTS_MATCHED
							 : PSTS_CERT_INVALID;
	if (probe_greeted(p) || p->tls.mode != TLSM_NONE)
		return PSTS_NO_TLS;
	return PSTS_NOT_APPLICABLE; /* never got as far as TLS */
}

void policy_sts_judge(struct run_record *rec)
{
	const struct mta_sts_info *m = &rec->policy.sts;

	if (rec->policy.mode != TLSP_ENFORCE || !m->have_policy ||
	    m->policy.mode != STS_MODE_ENFORCE)
		return;
	for (size_t i = 0; i < rec->nprobes; i++) {
		struct probe *p = &rec->probes[i];
		enum probe_sts s = policy_sts_probe(rec, p);

		if (s != PSTS_MX_NOT_LISTED && s != PSTS_CERT_INVALID &&
		    s != PSTS_NO_TLS)
			continue;
		/* A probe that failed on its own before TLS keeps its
		 * outcome: the policy changes nothing there. */
		if (s == PSTS_MX_NOT_LISTED && p->outcome != OUTCOME_ACCEPTED &&
		    p->outcome != OUTCOME_REJECTED &&
		    p->outcome != OUTCOME_TEMPFAIL)
			continue;
		/* The steps stay what the server did; the outcome is what
		 * a sender that honours the policy makes of it. */
		p->outcome = OUTCOME_TLS_ERROR;
		p->policy_failed = 1;
	}
}
