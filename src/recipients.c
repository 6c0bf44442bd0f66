/*
 * recipients.c - see recipients.h.
 */
#include "smtpprobe/recipients.h"

#include "smtpprobe/addr.h"
#include "smtpprobe/reasoning.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define CATCH_ALL_LOCAL_LEN 16

/* local@domain into out when it fits a forward-path; else "". */
static void make_address(char *out, size_t n, const char *local,
			 const char *domain)
{
	int len = snprintf(out, n, "%s@%s", local, domain);

	if (len < 0 || (size_t)len >= n || (size_t)len > ADDR_PATH_MAX)
		out[0] = '\0';
}

/* 16 letters and digits, a letter first (some MTAs frown on a leading
 * digit); 0 on success. */
static int random_local(char out[CATCH_ALL_LOCAL_LEN + 1])
{
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char raw[CATCH_ALL_LOCAL_LEN];

	if (RAND_bytes(raw, sizeof raw) != 1)
		return -1;
	for (size_t i = 0; i < sizeof raw; i++)
		out[i] = alnum[raw[i] % (i == 0 ? 26 : sizeof alnum - 1)];
	out[CATCH_ALL_LOCAL_LEN] = '\0';
	return 0;
}

void recipients_prepare(struct run_record *rec)
{
	const struct probe_target *t = rec->target;
	const struct config *cfg = rec->cfg;
	char local[CATCH_ALL_LOCAL_LEN + 1];

	rec->control_rcpt[0] = rec->catch_all_rcpt[0] = '\0';
	if (!t || !cfg)
		return;
	/* The local part "postmaster" is case-insensitive (RFC 5321 4.5.1):
	 * a target that is the postmaster needs no control. */
	if (t->is_address && !cfg->no_control &&
	    strcasecmp(t->local, "postmaster") != 0) {
		make_address(rec->control_rcpt, sizeof rec->control_rcpt,
			     "postmaster", t->domain);
		if (!rec->control_rcpt[0])
			record_note(rec, 0, -1, 0,
				    "postmaster@%s is too long for a "
				    "forward-path: no control recipient",
				    t->domain);
	}
	if (!cfg->catch_all)
		return;
	if (random_local(local) != 0) {
		record_note(rec, 0, -1, 0,
			    "no random bytes for the catch-all test: not "
			    "asked");
		return;
	}
	make_address(rec->catch_all_rcpt, sizeof rec->catch_all_rcpt, local,
		     t->domain);
	if (!rec->catch_all_rcpt[0])
		record_note(rec, 0, -1, 0,
			    "a random local part at %s is too long for a "
			    "forward-path: the catch-all test is not asked",
			    t->domain);
}

/* name ends in the whole labels of suffix (case-insensitive; a trailing
 * dot on name is ignored). */
static int has_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), k = strlen(suffix);

	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n < k || strncasecmp(name + n - k, suffix, k) != 0)
		return 0;
	return n == k || name[n - k - 1] == '.';
}

const char *recipients_big_provider(const char *host)
{
	static const struct {
		const char *suffix, *provider;
	} t[] = {
	    {"google.com", "Google"},	  {"googlemail.com", "Google"},
	    {"outlook.com", "Microsoft"}, {"hotmail.com", "Microsoft"},
	    {"yahoodns.net", "Yahoo"},	  {"yahoo.com", "Yahoo"},
	};

	for (size_t i = 0; host && i < sizeof t / sizeof t[0]; i++)
		if (has_suffix(host, t[i].suffix))
			return t[i].provider;
	return NULL;
}

/* The big provider behind probe p's host (its name or its CNAME). */
static const char *probe_provider(const struct run_record *rec,
				  const struct probe *p)
{
	const struct mail_host *h;
	const char *v;

	if (p->host >= rec->dns.nhosts)
		return NULL;
	h = &rec->dns.hosts[p->host];
	v = recipients_big_provider(h->name);
	return v ? v : recipients_big_provider(h->cname);
}

void recipients_configure(const struct run_record *rec, const struct probe *p,
			  struct dialogue_config *dc)
{
	dc->nextra = 0;
	/* The control right after the first target, so that a transaction's
	 * recipient limit meets the other targets of a group first. */
	if (rec->control_rcpt[0]) {
		dc->extra_rcpt[dc->nextra] = rec->control_rcpt;
		dc->extra_role[dc->nextra++] = RCPT_CONTROL;
	}
	for (size_t i = 0; i < rec->nmore && i < GROUP_TARGETS_MAX - 1; i++) {
		dc->extra_rcpt[dc->nextra] = rec->more[i]->rcpt;
		dc->extra_target[dc->nextra] = (int)i + 1;
		dc->extra_role[dc->nextra++] = RCPT_TARGET;
	}
	if (rec->catch_all_rcpt[0] && !probe_provider(rec, p)) {
		dc->extra_rcpt[dc->nextra] = rec->catch_all_rcpt;
		dc->extra_role[dc->nextra++] = RCPT_CATCH_ALL;
	}
}

const char *recipients_address(const struct run_record *rec,
			       enum rcpt_role role)
{
	switch (role) {
	case RCPT_TARGET: return rec->target ? rec->target->rcpt : "";
	case RCPT_CONTROL: return rec->control_rcpt;
	case RCPT_CATCH_ALL: return rec->catch_all_rcpt;
	default: return "";
	}
}

int recipients_step(const struct probe *p, enum rcpt_role role)
{
	for (size_t k = 0; k < p->nsteps; k++)
		if (p->steps[k].stage == STAGE_RCPT &&
		    p->steps[k].role == role && p->steps[k].reply)
			return (int)k;
	return -1;
}

static enum reply_class step_class(const struct probe *p, int k)
{
	return k >= 0 ? reply_class_of(p->steps[k].reply->code) : CLASS_NONE;
}

/* A reason for a refusal that says nothing about who sends: the mailbox
 * or the domain itself (an unknown postmaster is a domain without one),
 * the server's own state (greylisting every new sender, a full disk, a
 * service down), or a broken exchange. */
static int not_about_sender(enum category c)
{
	switch (c) {
	case CAT_MAILBOX_UNKNOWN:
	case CAT_MAILBOX_DISABLED:
	case CAT_MAILBOX_FULL:
	case CAT_BAD_ADDRESS:
	case CAT_DOMAIN_UNKNOWN:
	case CAT_GREYLISTED:
	case CAT_STORAGE:
	case CAT_SERVICE_UNAVAILABLE:
	case CAT_PROTOCOL: return 1;
	default: return 0;
	}
}

/* Refused alike: both 5xx or both 4xx, neither for a reason that is not
 * about the sender. */
static int refused_alike(const struct probe *p, int t, int c)
{
	enum reply_class tc = step_class(p, t), cc = step_class(p, c);

	if (t < 0 || c < 0 || tc != cc ||
	    (tc != CLASS_PERMANENT && tc != CLASS_TRANSIENT))
		return 0;
	return !not_about_sender(p->steps[t].category) &&
	       !not_about_sender(p->steps[c].category);
}

/* Postmaster refused for good, and not as part of refusing the sender:
 * RFC 5321 4.5.1 broken. A 4xx (greylisting keys on the recipient) or a
 * broken exchange proves nothing. */
static int postmaster_missing(const struct probe *p, int t, int c)
{
	enum category cat;

	if (c < 0 || step_class(p, c) != CLASS_PERMANENT ||
	    refused_alike(p, t, c))
		return 0;
	cat = p->steps[c].category;
	return cat != CAT_PROTOCOL && cat != CAT_SERVICE_UNAVAILABLE &&
	       cat != CAT_STORAGE && cat != CAT_GREYLISTED;
}

/* MAIL FROM got 2xx: only then are RCPT replies about recipients (after a
 * refused MAIL, pipelined RCPTs get "503 need MAIL"). */
static int mail_accepted(const struct probe *p)
{
	for (size_t k = 0; k < p->nsteps; k++)
		if (p->steps[k].stage == STAGE_MAIL && p->steps[k].reply)
			return reply_class_of(p->steps[k].reply->code) ==
			       CLASS_SUCCESS;
	return 0;
}

/* The target (or, for a DOMAIN, MAIL FROM) was accepted on p. */
static int target_accepted(const struct run_record *rec, const struct probe *p)
{
	if (rec->target && rec->target->is_address)
		return step_class(p, recipients_step(p, RCPT_TARGET)) ==
		       CLASS_SUCCESS;
	return p->outcome == OUTCOME_ACCEPTED;
}

static struct finding *probe_finding(struct run_record *rec,
				     enum finding_kind k, size_t i)
{
	struct finding *f = record_finding(rec, k);

	if (f) {
		f->probe = (int)i;
		f->host = (int)rec->probes[i].host;
	}
	return f;
}

/* One finding of each kind, about the deciding probe when it shows it,
 * else about the first probe that does. */
void recipients_reason(struct run_record *rec)
{
	int decider = rec->overall.deciding_probe;
	int everyone = 0, postmaster = 0, catch_all = 0, skipped = 0;

	for (size_t n = 0; n <= rec->nprobes; n++) {
		/* n == 0 is the deciding probe, then all in order. */
		size_t i = n == 0 ? (size_t)decider : n - 1;
		const struct probe *p;
		struct finding *f;
		int t, c, a;

		if ((n == 0 && decider < 0) || (n > 0 && (int)i == decider) ||
		    i >= rec->nprobes)
			continue;
		p = &rec->probes[i];
		/* Without a transaction nothing was asked of the recipients
		 * (the skipped catch-all test is still worth its note). */
		t = c = a = -1;
		if (mail_accepted(p)) {
			t = recipients_step(p, RCPT_TARGET);
			c = recipients_step(p, RCPT_CONTROL);
			a = recipients_step(p, RCPT_CATCH_ALL);
		}
		if (!everyone && refused_alike(p, t, c)) {
			everyone = 1;
			f = probe_finding(rec, FIND_REJECTS_EVERYONE, i);
			if (f) {
				f->step = t;
				f->step2 = c;
				f->code = p->steps[t].reply->code;
			}
			/* The target's refusal decided the run: what it
			 * means is the reason, unless something stronger
			 * (a blocked port, a listing...) already is. */
			if ((int)i == decider && p->deciding_step == t &&
			    rec->overall.reason != VR_FINDING)
				conclude(rec, f);
		}
		if (!postmaster && postmaster_missing(p, t, c)) {
			postmaster = 1;
			f = probe_finding(rec, FIND_POSTMASTER_REFUSED, i);
			if (f) {
				f->step = c;
				f->code = p->steps[c].reply->code;
			}
		}
		if (!catch_all && a >= 0 && step_class(p, a) == CLASS_SUCCESS &&
		    target_accepted(rec, p)) {
			catch_all = 1;
			f = probe_finding(rec, FIND_CATCH_ALL, i);
			if (f) {
				f->step = a;
				f->code = p->steps[a].reply->code;
			}
		}
		if (!skipped && rec->catch_all_rcpt[0] &&
		    probe_provider(rec, p) && p->connect_ms >= 0) {
			skipped = 1;
			probe_finding(rec, FIND_CATCH_ALL_SKIPPED, i);
		}
	}
}
