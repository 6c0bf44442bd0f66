/*
 * record.c - construction and destruction of the run record. The record
 * owns every string in it; record_free() releases them all.
 */
#include "smtpprobe/record.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtpprobe/sanitize.h"

static const char *const dns_names[DNS__COUNT] = {
    [DNS_OK] = "ok",
    [DNS_NXDOMAIN] = "nxdomain",
    [DNS_NODATA] = "nodata",
    [DNS_NULL_MX] = "null_mx",
    [DNS_SERVFAIL] = "servfail",
    [DNS_TIMEOUT] = "timeout",
    [DNS_ERROR] = "error",
    [DNS_NOT_ASKED] = "not_asked",
};

const char *dns_status_name(enum dns_status s)
{
	return (unsigned)s < DNS__COUNT ? dns_names[s] : "error";
}

const char *tls_mode_name(enum tls_mode m)
{
	switch (m) {
	case TLSM_STARTTLS: return "starttls";
	case TLSM_IMPLICIT: return "implicit";
	default: return "none";
	}
}

void record_init(struct run_record *rec, const struct config *cfg,
		 const struct probe_target *target)
{
	memset(rec, 0, sizeof *rec);
	rec->cfg = cfg;
	rec->target = target;
	rec->overall.deciding_probe = -1;
}

static void free_probe(struct probe *p)
{
	for (size_t i = 0; i < p->nsteps; i++) {
		free(p->steps[i].sent);
		free(p->steps[i].detail);
		reply_free(p->steps[i].reply);
	}
	free(p->steps);
	free(p->tls.verify_error);
	free(p->tls.subject);
	free(p->tls.issuer);
	free(p->tls.not_after);
}

void record_free(struct run_record *rec)
{
	for (size_t i = 0; i < rec->dns.nhosts; i++) {
		free(rec->dns.hosts[i].name);
		free(rec->dns.hosts[i].cname);
	}
	for (size_t i = 0; i < rec->negress; i++)
		free(rec->egress[i].ptr);
	free(rec->policy.sts.txt);
	free(rec->policy.sts.error);
	free(rec->policy.rpt.record);
	free(rec->policy.rpt.error);
	for (size_t i = 0; i < rec->policy.ndane; i++) {
		struct dane_host *d = &rec->policy.dane[i];
		free(d->name);
		for (size_t k = 0; k < d->nrecords; k++)
			free(d->records[k].data);
	}
	for (size_t i = 0; i < rec->nprobes; i++)
		free_probe(&rec->probes[i]);
	free(rec->probes);
	for (size_t i = 0; i < rec->nevents; i++)
		free(rec->events[i].text);
	free(rec->events);
	memset(rec, 0, sizeof *rec);
}

int record_event(struct run_record *rec, long t_ms, int probe,
		 enum event_kind kind, int tls, int step, const char *text)
{
	struct event *e;

	if (rec->nevents == rec->capevents) {
		size_t cap = rec->capevents ? rec->capevents * 2 : 64;
		struct event *ne = realloc(rec->events, cap * sizeof *ne);
		if (!ne)
			return -1;
		rec->events = ne;
		rec->capevents = cap;
	}
	e = &rec->events[rec->nevents];
	e->t_ms = t_ms;
	e->probe = probe;
	e->kind = kind;
	e->tls = tls;
	e->step = step;
	e->text = text ? sanitize_dup(text, strlen(text)) : NULL;
	return (int)rec->nevents++;
}

int record_note(struct run_record *rec, long t_ms, int probe, int tls,
		const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return record_event(rec, t_ms, probe, EV_NOTE, tls, -1, buf);
}

int record_reserve_probes(struct run_record *rec, size_t n)
{
	if (rec->probes)
		return n <= rec->capprobes ? 0 : -1;
	rec->probes = calloc(n ? n : 1, sizeof *rec->probes);
	if (!rec->probes)
		return -1;
	rec->capprobes = n ? n : 1;
	return 0;
}

struct probe *record_add_probe(struct run_record *rec, size_t host,
			       const char *address, int family, int port)
{
	/* Sized once, so probe pointers stay valid while sessions hold
	 * them: as reserved, else for the most there can be. */
	static const size_t max = MX_HOSTS_CAP * ADDRS_PER_HOST_CAP * PORTS_CAP;
	struct probe *p;

	if (!rec->probes && record_reserve_probes(rec, max) < 0)
		return NULL;
	if (rec->nprobes >= rec->capprobes)
		return NULL;
	p = &rec->probes[rec->nprobes++];
	memset(p, 0, sizeof *p);
	p->host = host;
	snprintf(p->address, sizeof p->address, "%s", address);
	p->family = family;
	p->port = port;
	p->deciding_step = -1;
	p->connect_ms = -1;
	p->proxy_ms = -1;
	return p;
}

int probe_greeted(const struct probe *p)
{
	for (size_t i = 0; i < p->nsteps; i++)
		if ((p->steps[i].stage == STAGE_EHLO ||
		     p->steps[i].stage == STAGE_HELO) &&
		    p->steps[i].reply && p->steps[i].reply->code / 100 == 2)
			return 1;
	return 0;
}

const struct step *probe_deciding_step(const struct probe *p)
{
	if (p->deciding_step >= 0 && (size_t)p->deciding_step < p->nsteps)
		return &p->steps[p->deciding_step];
	return NULL;
}

const struct step *probe_shown_step(const struct probe *p)
{
	const struct step *d = probe_deciding_step(p);

	if (d)
		return d;
	for (size_t i = p->nsteps; i-- > 0;) {
		const struct step *s = &p->steps[i];

		if (s->error != LE_NONE ||
		    (s->reply &&
		     reply_class_of(s->reply->code) >= CLASS_TRANSIENT))
			return s;
	}
	return NULL;
}

int probe_add_step(struct probe *p, enum stage st, long at_ms, const char *sent,
		   int tls)
{
	struct step *s;

	if (p->nsteps == p->capsteps) {
		size_t cap = p->capsteps ? p->capsteps * 2 : 8;
		struct step *ns = realloc(p->steps, cap * sizeof *ns);
		if (!ns)
			return -1;
		p->steps = ns;
		p->capsteps = cap;
	}
	s = &p->steps[p->nsteps];
	memset(s, 0, sizeof *s);
	s->stage = st;
	s->at_ms = at_ms;
	s->reply_ms = -1;
	s->event = -1;
	s->tls = tls;
	s->sent = sent ? sanitize_dup(sent, strlen(sent)) : NULL;
	s->category = CAT_UNKNOWN;
	return (int)p->nsteps++;
}

/* Append to buf (size cap, len used) and return the new length, never
 * past cap - 1: snprintf returns what it would have written, so adding
 * that up blindly walks off the end (found by fuzz_dns). */
size_t text_appendf(char *buf, size_t cap, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (len + 1 >= cap)
		return len;
	va_start(ap, fmt);
	n = vsnprintf(buf + len, cap - len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return len;
	return len + (size_t)n < cap ? len + (size_t)n : cap - 1;
}
