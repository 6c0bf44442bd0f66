/*
 * report_json.c - the --json document: exactly one JSON value on the
 * output, then a newline. The fields of smtpprobe-json(5) are all there, with
 * the names and types it fixes; extra fields (DNS findings, certificate facts,
 * local error names, per-port verdicts) only add to them.
 *
 * Every string handed to jansson is sanitised text, hence valid UTF-8
 * with no control characters: a consumer can print any field as it is.
 * Absent values are null, never "" or 0, so "no reply" and "empty reply"
 * stay distinct. Any allocation failure abandons the document: half a
 * document would be worse than none.
 */
#include "smtpprobe/report.h"

#include "smtpprobe/codes.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtpprobe/identity.h"
#include "smtpprobe/policy_dns.h"
#include "smtpprobe/policy_sts.h"
#include "smtpprobe/recipients.h"
#include "smtpprobe/reach.h"
#include "smtpprobe/sanitize.h"

/* jansson's *_set_new and *_append_new take the value even when they
 * fail (and fail on NULL), so each call is one check; errors are or-ed
 * together and looked at once per object. */
static int set(json_t *o, const char *key, json_t *v)
{
	return json_object_set_new(o, key, v) < 0;
}

static int push(json_t *a, json_t *v)
{
	return json_array_append_new(a, v) < 0;
}

static json_t *done(json_t *o, int err)
{
	if (err) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* A record string (sanitised when stored, checked again), or null. */
static json_t *jstr(const char *s)
{
	char *c;
	json_t *j;

	if (!s)
		return json_null();
	c = report_clean_dup(s);
	if (!c)
		return NULL;
	j = json_string(c);
	free(c);
	return j;
}

/* As jstr, but "" is absent too. */
static json_t *jstr_opt(const char *s)
{
	return s && *s ? jstr(s) : json_null();
}

/* Untrusted bytes from the network (may hold NUL). */
static json_t *jraw(const char *s, size_t len)
{
	char *c = sanitize_dup(s, len);
	json_t *j;

	if (!c)
		return NULL;
	j = json_string(c);
	free(c);
	return j;
}

static json_t *local_name(enum local_error e)
{
	return e == LE_NONE ? json_null() : json_string(codes_local_name(e));
}

/* ---- dns ---- */

static json_t *json_host(const struct mail_host *h)
{
	json_t *o = json_object(), *addrs = json_array();
	int err = !o || !addrs;

	for (size_t i = 0; !err && i < h->naddrs && i < ADDRS_PER_HOST_CAP; i++)
		err |= push(addrs, jstr(h->addrs[i]));
	if (!o) {
		json_decref(addrs);
		return NULL;
	}
	err |= set(o, "preference", json_integer(h->preference));
	err |= set(o, "host", jstr(h->name ? h->name : ""));
	err |= set(o, "addresses", addrs);
	err |= set(o, "cname", jstr((h->flags & MXF_CNAME) ? h->cname : NULL));
	err |= set(o, "ip_literal", json_boolean(h->flags & MXF_IP_LITERAL));
	err |= set(o, "dangling", json_boolean(h->flags & MXF_NO_ADDRESS));
	err |= set(o, "address_error", local_name(h->addr_error));
	err |= set(o, "private_address", json_boolean(h->flags & MXF_PRIVATE));
	err |= set(o, "addresses_capped",
		   json_boolean(h->flags & MXF_ADDRS_CAPPED));
	err |= set(o, "from_server", json_boolean(h->flags & MXF_FROM_SERVER));
	err |= set(o, "implicit", json_boolean(h->flags & MXF_IMPLICIT));
	return done(o, err);
}

static json_t *json_dns(const struct dns_result *d)
{
	json_t *o = json_object(), *mx = json_array();
	int err = !o || !mx;

	for (size_t i = 0; !err && i < d->nhosts && i < MX_HOSTS_CAP; i++)
		err |= push(mx, json_host(&d->hosts[i]));
	if (!o) {
		json_decref(mx);
		return NULL;
	}
	err |= set(o, "status", json_string(dns_status_name(d->status)));
	err |= set(o, "implicit_mx", json_boolean(d->implicit_mx));
	err |= set(o, "mx", mx);
	err |= set(o, "error", local_name(d->error));
	err |= set(o, "mx_total", json_integer((json_int_t)d->mx_total));
	err |= set(o, "mx_capped", json_boolean(d->flags & DNSF_MX_CAPPED));
	err |= set(o, "null_mx_mixed",
		   json_boolean(d->flags & DNSF_NULL_MX_MIXED));
	err |= set(o, "malformed", json_boolean(d->flags & DNSF_MALFORMED));
	err |= set(o, "elapsed_ms", json_integer(d->elapsed_ms));
	return done(o, err);
}

/* ---- probes ---- */

static json_t *json_tls(const struct run_record *rec, const struct probe *p)
{
	const struct tls_info *t = &p->tls;
	json_t *o = json_object();
	int err = !o;
	char match[64];

	if (!o)
		return NULL;
	err |= set(o, "mode", json_string(tls_mode_name(t->mode)));
	err |= set(o, "established", json_boolean(t->established));
	err |= set(o, "version", jstr_opt(t->version));
	err |= set(o, "cipher", jstr_opt(t->cipher));
	err |= set(o, "verified",
		   json_boolean(t->established && t->chain_ok && t->name_ok));
	err |= set(o, "verify_error", jstr(t->verify_error));
	err |= set(o, "chain_trusted", json_boolean(t->chain_ok));
	err |= set(o, "name_matches", json_boolean(t->name_ok));
	err |= set(o, "subject", jstr(t->subject));
	err |= set(o, "issuer", jstr(t->issuer));
	err |= set(o, "not_after", jstr(t->not_after));
	err |= set(o, "dane",
		   json_string(probe_dane_name(policy_probe_dane(rec, p))));
	snprintf(match, sizeof match, "%d %d %d at depth %d", t->dane_usage,
		 t->dane_selector, t->dane_matching, t->dane_depth);
	err |= set(o, "dane_match",
		   t->dane && t->dane_ok ? json_string(match) : json_null());
	err |= set(o, "mta_sts",
		   json_string(probe_sts_name(policy_sts_probe(rec, p))));
	err |= set(o, "policy_failed", json_boolean(p->policy_failed));
	return done(o, err);
}

static json_t *json_reply(const struct reply *r)
{
	json_t *o, *lines;
	int err;

	if (!r)
		return json_null();
	o = json_object();
	lines = json_array();
	err = !o || !lines;
	for (size_t i = 0; !err && i < r->nlines; i++)
		err |= push(lines, jraw(r->lines[i].text, r->lines[i].len));
	if (!o) {
		json_decref(lines);
		return NULL;
	}
	err |= set(o, "code", r->code ? json_integer(r->code) : json_null());
	err |= set(o, "enhanced", jstr_opt(r->enhanced));
	err |= set(o, "lines", lines);
	err |= set(o, "long_line", json_boolean(r->flags & REPLY_F_LONG_LINE));
	err |= set(o, "bare_lf", json_boolean(r->flags & REPLY_F_BARE_LF));
	err |= set(o, "nul", json_boolean(r->flags & REPLY_F_NUL));
	err |= set(o, "enhanced_ignored",
		   json_boolean(r->flags & REPLY_F_ENH_IGNORED));
	return done(o, err);
}

static json_t *json_step(const struct step *s)
{
	json_t *o = json_object();
	int err = !o;

	if (!o)
		return NULL;
	err |= set(o, "at_ms", json_integer(s->at_ms));
	err |= set(o, "stage", json_string(stage_name(s->stage)));
	err |= set(o, "sent", jstr(s->sent));
	err |= set(o, "reply", json_reply(s->reply));
	err |= set(o, "category", json_string(category_name(s->category)));
	err |= set(o, "explanation", jstr(s->explanation));
	err |= set(o, "remediation", jstr(s->remediation));
	err |= set(o, "reply_ms",
		   s->reply_ms >= 0 ? json_integer(s->reply_ms) : json_null());
	err |= set(o, "tls", json_boolean(s->tls));
	err |= set(o, "role",
		   s->role != RCPT_NONE ? json_string(rcpt_role_name(s->role))
					: json_null());
	if (s->error != LE_NONE) {
		err |= set(o, "error", local_name(s->error));
		err |= set(o, "detail", jstr(s->detail));
	}
	return done(o, err);
}

static json_t *json_notes(const struct probe *p)
{
	static const struct {
		unsigned flag;
		const char *name;
	} names[] = {
	    {PROBEF_CLEARTEXT, "cleartext"},
	    {PROBEF_HELO, "helo_fallback"},
	    {PROBEF_LONG_LINE, "long_line"},
	    {PROBEF_BARE_LF, "bare_lf"},
	    {PROBEF_SMTPUTF8_MISSING, "smtputf8_missing"},
	    {PROBEF_STARTTLS_REFUSED, "starttls_refused"},
	    {PROBEF_QUIT_UNAWAITED, "quit_unawaited"},
	};
	json_t *a = json_array();
	int err = !a;

	for (size_t i = 0; !err && i < sizeof names / sizeof names[0]; i++)
		if (p->flags & names[i].flag)
			err |= push(a, json_string(names[i].name));
	return done(a, err);
}

static json_t *json_caps(unsigned caps)
{
	static const struct {
		unsigned flag;
		const char *name;
	} names[] = {
	    {CAP_PIPELINING, "PIPELINING"},
	    {CAP_STARTTLS, "STARTTLS"},
	    {CAP_SIZE, "SIZE"},
	    {CAP_8BITMIME, "8BITMIME"},
	    {CAP_SMTPUTF8, "SMTPUTF8"},
	    {CAP_ENHANCEDSTATUSCODES, "ENHANCEDSTATUSCODES"},
	    {CAP_CHUNKING, "CHUNKING"},
	    {CAP_DSN, "DSN"},
	    {CAP_AUTH, "AUTH"},
	};
	json_t *a = json_array();
	int err = !a;

	for (size_t i = 0; !err && i < sizeof names / sizeof names[0]; i++)
		if (caps & names[i].flag)
			err |= push(a, json_string(names[i].name));
	return done(a, err);
}

/* One entry per RCPT TO sent, in order: whose, and what it got. */
static json_t *json_recipients(const struct run_record *rec,
			       const struct probe *p)
{
	json_t *a = json_array();
	int err = !a;

	for (size_t i = 0; !err && i < p->nsteps; i++) {
		const struct step *s = &p->steps[i];
		const struct reply *r = s->reply;
		json_t *o;

		if (s->stage != STAGE_RCPT || s->role == RCPT_NONE)
			continue;
		o = json_object();
		err |= !o;
		if (!o)
			break;
		err |=
		    set(o, "address", jstr(recipients_address(rec, s->role)));
		err |= set(o, "role", json_string(rcpt_role_name(s->role)));
		err |= set(o, "code",
			   r && r->code ? json_integer(r->code) : json_null());
		err |=
		    set(o, "enhanced",
			r && r->enhanced[0] ? jstr(r->enhanced) : json_null());
		err |= set(o, "category",
			   r ? json_string(category_name(s->category))
			     : json_null());
		err |= set(o, "step", json_integer((json_int_t)i));
		err |= push(a, o);
	}
	return done(a, err);
}

/* The probe's SOCKS5 tunnel; null for a direct connection. */
static json_t *json_probe_proxy(const struct run_record *rec,
				const struct probe *p)
{
	json_t *o;
	int err;

	if (!rec->cfg || !rec->cfg->proxy.host[0])
		return json_null();
	o = json_object();
	if (!o)
		return NULL;
	err = set(o, "bound_address", jstr_opt(p->proxy_bound));
	err |= set(o, "handshake_ms",
		   p->proxy_ms >= 0 ? json_integer(p->proxy_ms) : json_null());
	return done(o, err);
}

static json_t *json_probe(const struct run_record *rec, const struct probe *p)
{
	json_t *o = json_object(), *steps = json_array();
	const char *host = "";
	int err = !o || !steps;

	for (size_t i = 0; !err && i < p->nsteps; i++)
		err |= push(steps, json_step(&p->steps[i]));
	if (!o) {
		json_decref(steps);
		return NULL;
	}
	if (p->host < rec->dns.nhosts && rec->dns.hosts[p->host].name)
		host = rec->dns.hosts[p->host].name;
	err |= set(o, "host", jstr(host));
	err |= set(o, "address", jstr(p->address));
	err |= set(o, "port", json_integer(p->port));
	err |= set(o, "outcome", json_string(outcome_name(p->outcome)));
	err |= set(o, "tls", json_tls(rec, p));
	err |= set(o, "steps", steps);
	err |= set(o, "local_address", jstr_opt(p->local_address));
	err |=
	    set(o, "connect_ms",
		p->connect_ms >= 0 ? json_integer(p->connect_ms) : json_null());
	err |= set(o, "deciding_step",
		   p->deciding_step >= 0 ? json_integer(p->deciding_step)
					 : json_null());
	err |= set(o, "notes", json_notes(p));
	err |= set(o, "echoed_address", jstr_opt(p->echoed));
	err |= set(o, "proxy", json_probe_proxy(rec, p));
	err |= set(o, "recipients", json_recipients(rec, p));
	err |= set(o, "capabilities", json_caps(p->caps));
	return done(o, err);
}

/* ---- the TLS policy ---- */

static json_t *json_dane_host(const struct run_record *rec,
			      const struct dane_host *d)
{
	json_t *o = json_object(), *recs = json_array();
	int err = !o || !recs;

	for (size_t i = 0; !err && i < d->nrecords; i++) {
		const struct dane_record *r = &d->records[i];
		json_t *jr = json_object();
		char *hex = malloc(2 * r->len + 1);

		err |= !jr || !hex;
		for (size_t k = 0; hex && k < r->len; k++)
			snprintf(hex + 2 * k, 3, "%02x", r->data[k]);
		if (hex)
			hex[2 * r->len] = '\0';
		if (jr) {
			err |= set(jr, "usage", json_integer(r->usage));
			err |= set(jr, "selector", json_integer(r->selector));
			err |= set(jr, "matching", json_integer(r->matching));
			err |= set(jr, "data", hex ? json_string(hex) : NULL);
			err |= push(recs, jr);
		}
		free(hex);
	}
	if (!o) {
		json_decref(recs);
		return NULL;
	}
	err |= set(o, "host", jstr(rec->dns.hosts[d->host].name));
	err |= set(o, "port", json_integer(d->port));
	err |= set(o, "name", jstr(d->name));
	err |= set(o, "dnssec", json_string(dnssec_state_name(d->dnssec)));
	err |= set(o, "status", json_string(dane_status_name(d->status)));
	err |= set(o, "applies", json_boolean(d->applies));
	err |= set(o, "records", recs);
	err |= set(o, "records_total", json_integer((json_int_t)d->total));
	return done(o, err);
}

static json_t *json_sts_fetch(const struct mta_sts_info *m)
{
	json_t *o;
	int err;

	if (!m->fetched || !m->fetch_status)
		return json_null();
	o = json_object();
	if (!o)
		return NULL;
	err = set(o, "request", jstr_opt(m->request));
	err |= set(o, "result", json_string(m->fetch_status));
	err |= set(o, "http_status",
		   m->http_status ? json_integer(m->http_status) : json_null());
	err |= set(o, "content_type", jstr_opt(m->content_type));
	err |= set(o, "location", jstr_opt(m->location));
	err |= set(o, "size", json_integer((json_int_t)m->size));
	err |= set(o, "remote_ip", jstr_opt(m->remote_ip));
	err |= set(o, "elapsed_ms", json_integer(m->elapsed_ms));
	return done(o, err);
}

static json_t *json_mta_sts(const struct mta_sts_info *m)
{
	json_t *o = json_object(), *mx = json_array();
	int err = !o || !mx;

	for (size_t i = 0; !err && m->have_policy && i < m->policy.nmx; i++)
		err |= push(mx, jstr(m->policy.mx[i]));
	if (!o) {
		json_decref(mx);
		return NULL;
	}
	err |= set(o, "status", json_string(mta_sts_status_name(m->status)));
	err |= set(o, "txt", jstr(m->txt));
	err |= set(o, "id", jstr_opt(m->id));
	err |= set(o, "mode",
		   m->have_policy ? json_string(sts_mode_name(m->policy.mode))
				  : json_null());
	err |=
	    set(o, "max_age",
		m->have_policy ? json_integer(m->policy.max_age) : json_null());
	err |= set(o, "mx", mx);
	err |= set(o, "error", jstr(m->error));
	err |= set(o, "fetch", json_sts_fetch(m));
	return done(o, err);
}

static json_t *json_tls_rpt(const struct tls_rpt_info *t)
{
	json_t *o = json_object(), *rua = json_array();
	int err = !o || !rua;

	for (size_t i = 0; !err && t->status == TLSRPT_OK && i < t->rpt.nrua;
	     i++)
		err |= push(rua, jstr(t->rpt.rua[i]));
	if (!o) {
		json_decref(rua);
		return NULL;
	}
	err |= set(o, "status", json_string(tls_rpt_status_name(t->status)));
	err |= set(o, "record", jstr(t->record));
	err |= set(o, "rua", rua);
	err |= set(o, "error", jstr(t->error));
	return done(o, err);
}

static json_t *json_tls_policy(const struct run_record *rec)
{
	static const char *const modes[] = {"enforce", "report", "off"};
	const struct tls_policy *tp = &rec->policy;
	json_t *o = json_object(), *dane = json_array();
	int err = !o || !dane;

	for (size_t i = 0; !err && i < tp->ndane && i < DANE_HOSTS_CAP; i++)
		err |= push(dane, json_dane_host(rec, &tp->dane[i]));
	if (!o) {
		json_decref(dane);
		return NULL;
	}
	err |= set(o, "mode", json_string(modes[tp->mode % 3]));
	err |= set(o, "resolver_validates",
		   tp->resolver_validates < 0
		       ? json_null()
		       : json_boolean(tp->resolver_validates));
	err |= set(o, "dane", dane);
	err |= set(o, "mta_sts",
		   tp->sts.asked ? json_mta_sts(&tp->sts) : json_null());
	err |= set(o, "tls_rpt",
		   tp->rpt.asked ? json_tls_rpt(&tp->rpt) : json_null());
	return done(o, err);
}

/* ---- who the receiver thinks you are ---- */

static json_t *tri(int v)
{
	return v < 0 ? json_null() : json_boolean(v);
}

static json_t *json_dnsbl(const struct run_record *rec, const struct egress *e)
{
	json_t *a = json_array();
	int err = !a;

	for (int z = 0; !err && z < rec->cfg->ndnsbl && z < DNSBL_ZONES_CAP;
	     z++) {
		const struct dnsbl_result *d = &e->dnsbl[z];
		json_t *o, *codes;

		if (!d->asked)
			continue;
		o = json_object();
		codes = json_array();
		if (!o || !codes) {
			json_decref(o);
			json_decref(codes);
			err = 1;
			break;
		}
		for (size_t k = 0; k < d->ncodes; k++)
			err |= push(codes, jstr(d->codes[k]));
		err |= set(o, "zone", jstr(rec->cfg->dnsbl[z]));
		err |=
		    set(o, "status", json_string(dnsbl_status_name(d->status)));
		err |= set(o, "codes", codes);
		err |= set(o, "meaning",
			   d->ncodes ? jstr(identity_dnsbl_meaning(
					   rec->cfg->dnsbl[z], d->codes[0]))
				     : json_null());
		err |= push(a, o);
	}
	return done(a, err);
}

static json_t *json_egress(const struct run_record *rec)
{
	json_t *a = json_array();
	int err = !a;

	for (size_t i = 0; !err && i < rec->negress; i++) {
		const struct egress *e = &rec->egress[i];
		json_t *o = json_object();

		if (!o) {
			err = 1;
			break;
		}
		err |= set(o, "address", jstr(e->address));
		err |= set(o, "source",
			   json_string(e->echoed  ? "echoed"
				       : e->proxy ? "proxy"
						  : "local"));
		err |= set(o, "ptr", jstr(e->ptr));
		err |= set(o, "fcrdns", tri(e->fcrdns));
		err |= set(o, "dnsbl", json_dnsbl(rec, e));
		err |= push(a, o);
	}
	return done(a, err);
}

static json_t *json_helo(const struct run_record *rec)
{
	const struct helo_info *h = &rec->helo;
	json_t *o = json_object();
	int err = !o;

	if (!o)
		return NULL;
	err |= set(o, "name", jstr(rec->cfg ? rec->cfg->helo : ""));
	err |= set(o, "fqdn", json_boolean(h->fqdn));
	err |= set(o, "resolves", tri(h->resolves));
	err |= set(o, "matches_ptr", tri(h->matches_ptr));
	return done(o, err);
}

/* ---- verdicts and the document ---- */

static json_t *json_verdict(const struct verdict *v, int with_port)
{
	json_t *o = json_object();
	int err = !o;

	if (!o)
		return NULL;
	if (with_port)
		err |= set(o, "port", json_integer(v->port));
	err |= set(o, "outcome", json_string(verdict_outcome_name(v->outcome)));
	err |= set(o, "exit_status", json_integer(v->exit_status));
	err |= set(o, "reason", json_string(verdict_reason_name(v->reason)));
	err |= set(o, "finding",
		   v->reason == VR_FINDING ? json_integer(v->finding)
					   : json_null());
	err |= set(o, "summary", jstr(v->summary));
	err |= set(o, "remediation", jstr(v->remediation));
	err |= set(o, "deciding_probe",
		   v->deciding_probe >= 0 ? json_integer(v->deciding_probe)
					  : json_null());
	return done(o, err);
}

static json_t *int_or_null(int v, int none)
{
	return v == none ? json_null() : json_integer(v);
}

/* The connect-only checks on 587 and 465 (empty unless every port-25
 * connect timed out). */
static json_t *json_checks(const struct run_record *rec)
{
	json_t *a = json_array();
	int err = !a;

	for (size_t i = 0; !err && i < rec->nchecks; i++) {
		const struct connect_check *c = &rec->checks[i];
		json_t *o = json_object();

		err |= !o;
		if (!o)
			break;
		err |= set(o, "address", jstr(c->address));
		err |= set(o, "port", json_integer(c->port));
		err |=
		    set(o, "result", json_string(check_result_name(c->result)));
		err |= set(o, "connect_ms",
			   c->connect_ms >= 0 ? json_integer(c->connect_ms)
					      : json_null());
		err |=
		    set(o, "error",
			c->result == CHECK_ERROR || c->result == CHECK_REFUSED
			    ? jstr(strerror(c->err))
			    : json_null());
		err |= push(a, o);
	}
	return done(a, err);
}

/* A finding: its kind, its parameters as fields (null where they do not
 * apply), and the words rendered from them. */
static int finding_fields(json_t *o, const struct run_record *rec,
			  const struct finding *f)
{
	const char *host = NULL, *other = NULL;
	int err = 0;

	if (f->host >= 0 && (size_t)f->host < rec->dns.nhosts)
		host = rec->dns.hosts[f->host].name;
	if (f->other_probe >= 0 && (size_t)f->other_probe < rec->nprobes) {
		const struct probe *p = &rec->probes[f->other_probe];
		if (p->host < rec->dns.nhosts)
			other = rec->dns.hosts[p->host].name;
	}
	err |= set(o, "kind", json_string(finding_name(f->kind)));
	err |= set(o, "probe", int_or_null(f->probe, -1));
	err |= set(o, "other_probe", int_or_null(f->other_probe, -1));
	err |= set(o, "host", jstr(host));
	err |= set(o, "other_host", jstr(other));
	err |= set(o, "step", int_or_null(f->step, -1));
	err |= set(o, "other_step", int_or_null(f->step2, -1));
	err |= set(o, "port", int_or_null(f->port, 0));
	err |= set(o, "code", int_or_null(f->code, 0));
	err |= set(o, "family", int_or_null(f->family, 0));
	err |= set(o, "seconds", int_or_null(f->seconds, 0));
	if (f->kind == FIND_ALL_UNREACHABLE) {
		json_t *c = json_object();
		err |= !c;
		if (c) {
			err |= set(c, "refused",
				   json_integer((json_int_t)f->refused));
			err |= set(c, "timed_out",
				   json_integer((json_int_t)f->timed_out));
			err |=
			    set(c, "other", json_integer((json_int_t)f->other));
		}
		err |= set(o, "attempts", c);
	} else {
		err |= set(o, "attempts", json_null());
	}
	err |= set(o, "sessions",
		   f->kind == FIND_INSECURE_AUTH
		       ? json_integer((json_int_t)f->other)
		       : json_null());
	err |= set(o, "address", jstr_opt(f->address));
	err |= set(o, "text", jstr(f->text));
	err |= set(o, "remediation", jstr_opt(f->remediation));
	return err;
}

static json_t *json_findings(const struct run_record *rec)
{
	json_t *a = json_array();
	int err = !a;

	for (size_t i = 0; !err && i < rec->nfindings && i < FINDINGS_MAX;
	     i++) {
		json_t *f = json_object();
		err |= !f;
		if (!f)
			break;
		err |= finding_fields(f, rec, &rec->findings[i]);
		err |= push(a, done(f, 0));
	}
	return done(a, err);
}

/* --proxy, never its password; null for direct connections. */
static json_t *json_proxy(const struct config *cfg)
{
	const struct proxy_url *px = cfg ? &cfg->proxy : NULL;
	json_t *o;
	int err;

	if (!px || !px->host[0])
		return json_null();
	o = json_object();
	if (!o)
		return NULL;
	err = set(o, "url", jstr(px->shown));
	err |= set(o, "address", jstr(px->host));
	err |= set(o, "port", json_integer(px->port));
	err |= set(o, "auth",
		   json_string(px->user[0] ? "username_password" : "none"));
	err |= set(o, "user", jstr_opt(px->user));
	return done(o, err);
}

static json_t *json_document(const struct run_record *rec)
{
	const struct config *cfg = rec->cfg;
	json_t *o = json_object(), *probes = json_array(), *vs = json_array();
	int err = !o || !probes || !vs;

	for (size_t i = 0; !err && i < rec->nprobes; i++)
		err |= push(probes, json_probe(rec, &rec->probes[i]));
	for (size_t i = 0; !err && i < rec->nverdicts && i < PORTS_CAP; i++)
		err |= push(vs, json_verdict(&rec->verdicts[i], 1));
	if (!o) {
		json_decref(probes);
		json_decref(vs);
		return NULL;
	}
	err |= set(o, "smtpprobe", json_string(SMTPPROBE_VERSION));
	err |= set(o, "schema", json_integer(JSON_SCHEMA_VERSION));
	err |= set(o, "target", jstr(rec->target ? rec->target->given : ""));
	err |= set(o, "domain", jstr(rec->target ? rec->target->domain : ""));
	err |= set(o, "insecure",
		   json_boolean(cfg && cfg->insecure && cfg->auth_user[0]));
	err |= set(o, "proxy", json_proxy(cfg));
	err |= set(o, "dns", json_dns(&rec->dns));
	err |= set(o, "tls_policy", json_tls_policy(rec));
	err |= set(o, "egress", json_egress(rec));
	err |= set(o, "helo", json_helo(rec));
	err |= set(o, "connect_checks", json_checks(rec));
	err |= set(o, "probes", probes);
	err |= set(o, "verdict", json_verdict(&rec->overall, 0));
	err |= set(o, "verdicts", vs);
	err |= set(o, "findings", json_findings(rec));
	err |= set(o, "started", jstr_opt(rec->started_utc));
	err |= set(o, "elapsed_ms", json_integer(rec->elapsed_ms));
	err |= set(o, "deadline_hit", json_boolean(rec->deadline_hit));
	return done(o, err);
}

/* Write doc (NULL: it could not be built) and a newline; frees doc. */
static int emit(FILE *out, json_t *doc)
{
	int rc;

	if (!doc)
		return -1;
	rc = json_dumpf(doc, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (rc < 0 || fputc('\n', out) == EOF)
		return -1;
	return 0;
}

int report_json(FILE *out, const struct run_record *rec)
{
	return emit(out, json_document(rec));
}

int report_json_line(FILE *out, const struct run_record *rec,
		     unsigned long input_line)
{
	json_t *doc = json_document(rec);
	int rc;

	if (!doc)
		return -1;
	if (set(doc, "input_line", json_integer((json_int_t)input_line))) {
		json_decref(doc);
		return -1;
	}
	rc = json_dumpf(doc, out, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (rc < 0 || fputc('\n', out) == EOF)
		return -1;
	return 0;
}

/* ---- --explain --json ---- */

/* The explain object of smtpprobe-json(5), as a JSON value: code and
 * enhanced null when absent, "text" the sanitised reply text or null,
 * "stage", "recipient" and "remote_mta" what a wrapper or a bounce said,
 * or null. */
static json_t *explain_object(const struct explanation *e)
{
	const struct interpretation *in = &e->in;
	const char *stage = explain_stage_name(e->stage);
	json_t *o = json_object();
	int err = !o;

	if (!o)
		return NULL;
	err |= set(o, "code", e->code ? json_integer(e->code) : json_null());
	err |= set(o, "enhanced", jstr_opt(e->enhanced));
	err |=
	    set(o, "class",
		in->cls == CLASS_NONE ? json_null()
				      : json_string(reply_class_name(in->cls)));
	err |= set(o, "category", json_string(category_name(in->category)));
	err |= set(o, "explanation", jstr_opt(in->explanation));
	err |= set(o, "remediation", jstr_opt(in->remediation));
	err |= set(o, "text", jstr_opt(e->text));
	err |= set(o, "stage", stage ? json_string(stage) : json_null());
	err |= set(o, "recipient", jstr_opt(e->recipient));
	err |= set(o, "remote_mta", jstr_opt(e->remote_mta));
	{
		const struct codes_action *a =
		    codes_category_action(in->category);

		err |=
		    set(o, "who_acts", json_string(codes_actor_name(a->who)));
		err |= set(o, "first_step", json_string(a->first_step));
	}
	return done(o, err);
}

int report_explain_json(FILE *out, const struct explanation *e)
{
	return emit(out, explain_object(e));
}

/* --explain - --json: one explain object per failed recipient. */
int report_explain_json_list(FILE *out, const struct explanation *list,
			     size_t n)
{
	json_t *a = json_array();
	int err = !a;

	for (size_t i = 0; a && i < n; i++) {
		json_t *o = explain_object(&list[i]);
		err |= !o || json_array_append_new(a, o) != 0;
	}
	return emit(out, done(a, err));
}
