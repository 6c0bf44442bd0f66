/*
 * group.c - see group.h. A view keeps, of each probe's steps, all but the
 * other targets' RCPT TOs, renumbers the steps (and the transcript events
 * that point at them), and decides the probe's outcome for its target:
 * the group's first target decided the dialogue's own outcome, so the
 * others take theirs from their own reply, or from the failure that left
 * them without one.
 */
#include "smtpprobe/group.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* What a view shows for another target's RCPT TO. */
#define OTHER_RCPT_SHOWN "RCPT TO:<another target of this batch transaction>"

static int other_target(const struct step *s, size_t j)
{
	return s->stage == STAGE_RCPT && s->role == RCPT_TARGET &&
	       (size_t)s->target != j;
}

static enum outcome outcome_of_code(int code)
{
	switch (code / 100) {
	case 2: return OUTCOME_ACCEPTED;
	case 4: return OUTCOME_TEMPFAIL;
	case 5: return OUTCOME_REJECTED;
	default: return OUTCOME_PROTOCOL_ERROR;
	}
}

/* Target j's RCPT TO in p (the group's probe), or -1. */
static int own_rcpt(const struct probe *p, size_t j)
{
	for (size_t i = 0; i < p->nsteps; i++)
		if (p->steps[i].stage == STAGE_RCPT &&
		    p->steps[i].role == RCPT_TARGET &&
		    (size_t)p->steps[i].target == j)
			return (int)i;
	return -1;
}

/* What ended a dialogue that left later RCPT TOs unanswered, after the
 * first target's reply: a reply that closes the connection (421), else
 * the first local failure since. */
static int ending_step(const struct probe *p)
{
	int from = own_rcpt(p, 0);

	if (from < 0)
		return -1;
	for (size_t i = p->nsteps; i-- > (size_t)from + 1;)
		if (p->steps[i].reply && p->steps[i].reply->code == 421)
			return (int)i;
	for (size_t i = (size_t)from + 1; i < p->nsteps; i++)
		if (p->steps[i].error != LE_NONE)
			return (int)i;
	return -1;
}

/* An own reply that is no answer about the target: the server closing
 * the connection (421) after an earlier recipient's reply. */
static int no_answer(const struct step *s)
{
	return !s->reply || s->reply->code == 421;
}

/* Did the group's dialogue on p decide by its first target's reply?
 * Then the others decide by their own; else (a connect, TLS or MAIL
 * failure, a broken exchange) the decision is every target's. */
static int decided_by_first(const struct probe *p)
{
	int d = p->deciding_step;
	const struct step *ds = d >= 0 ? &p->steps[d] : NULL;

	return ds && ds->stage == STAGE_RCPT && ds->role == RCPT_TARGET &&
	       ds->target == 0;
}

/* Target j's outcome in probe q (a view's copy of p; map: p's step
 * index to q's, -1 for a step left out; end: the step that ended p's
 * dialogue when j's RCPT went unanswered, else -1). */
static void decide_for(struct probe *q, const struct probe *p, size_t j,
		       const int *map, int end)
{
	int d = p->deciding_step;
	int r = own_rcpt(p, j);

	q->deciding_step = d >= 0 ? map[d] : -1;
	if (j == 0 || !decided_by_first(p))
		return;
	if (r >= 0 && !no_answer(&p->steps[r])) {
		q->deciding_step = map[r];
		q->outcome = outcome_of_code(p->steps[r].reply->code);
		return;
	}
	q->flags |= PROBEF_UNANSWERED;
	if (r >= 0 && p->steps[r].reply) { /* its own 421 */
		q->deciding_step = map[r];
		q->outcome = OUTCOME_TEMPFAIL;
		return;
	}
	if (end < 0) { /* nothing says why: not asked */
		q->outcome = OUTCOME_SKIPPED;
		q->deciding_step = r >= 0 ? map[r] : -1;
		return;
	}
	const struct step *e = &p->steps[end];
	q->deciding_step = map[end];
	if (e->reply)
		q->outcome = outcome_of_code(e->reply->code);
	else if (e->error == LE_REPLY_TIMEOUT || e->error == LE_RUN_DEADLINE)
		q->outcome = OUTCOME_TIMEOUT;
	else
		q->outcome = OUTCOME_PROTOCOL_ERROR;
}

static int view_probe(struct probe *q, const struct probe *p, size_t j,
		      int *map)
{
	size_t n = 0;
	int r = own_rcpt(p, j), end = -1;

	/* Unanswered after the first target's reply: the step that ended
	 * the dialogue stays in the view, whoever's it was. */
	if (j > 0 && decided_by_first(p) && (r < 0 || no_answer(&p->steps[r])))
		end = ending_step(p);
	*q = *p;
	q->steps = calloc(p->nsteps ? p->nsteps : 1, sizeof *q->steps);
	if (!q->steps)
		return -1;
	for (size_t i = 0; i < p->nsteps; i++) {
		if (other_target(&p->steps[i], j) && (int)i != end) {
			map[i] = -1;
			continue;
		}
		map[i] = (int)n;
		q->steps[n] = p->steps[i];
		/* Another target's step, kept for the reply that ended the
		 * dialogue: not its address, and not one of this target's
		 * recipients. */
		if (other_target(&p->steps[i], j)) {
			q->steps[n].sent = (char *)OTHER_RCPT_SHOWN;
			q->steps[n].role = RCPT_NONE;
		}
		n++;
	}
	q->nsteps = q->capsteps = n;
	decide_for(q, p, j, map, end);
	return 0;
}

int group_view(const struct run_record *m, size_t j,
	       const struct probe_target *t, struct run_record *out)
{
	int **maps = NULL;
	int *evmap = NULL;
	int rc = -1;

	*out = *m;
	out->target = t;
	out->more = NULL;
	out->nmore = 0;
	out->probes = NULL;
	out->events = NULL;
	out->nprobes = out->capprobes = out->nevents = out->capevents = 0;
	out->nfindings = out->nverdicts = 0;
	maps = calloc(m->nprobes ? m->nprobes : 1, sizeof *maps);
	evmap = calloc(m->nevents ? m->nevents : 1, sizeof *evmap);
	out->probes = calloc(m->nprobes ? m->nprobes : 1, sizeof *out->probes);
	out->events = calloc(m->nevents ? m->nevents : 1, sizeof *out->events);
	if (!maps || !evmap || !out->probes || !out->events)
		goto done;
	for (size_t i = 0; i < m->nprobes; i++) {
		maps[i] = calloc(m->probes[i].nsteps ? m->probes[i].nsteps : 1,
				 sizeof *maps[i]);
		if (!maps[i] ||
		    view_probe(&out->probes[i], &m->probes[i], j, maps[i]) < 0)
			goto done;
		out->nprobes = out->capprobes = i + 1;
	}
	/* The transcript's events, less those of the steps left out. */
	for (size_t e = 0; e < m->nevents; e++) {
		const struct event *ev = &m->events[e];
		int keep = 1;

		evmap[e] = -1;
		if (ev->kind != EV_NOTE && ev->probe >= 0 &&
		    (size_t)ev->probe < m->nprobes && ev->step >= 0 &&
		    (size_t)ev->step < m->probes[ev->probe].nsteps)
			keep = maps[ev->probe][ev->step] >= 0;
		if (!keep)
			continue;
		evmap[e] = (int)out->nevents;
		out->events[out->nevents] = *ev;
		if (ev->kind != EV_NOTE && ev->probe >= 0 &&
		    (size_t)ev->probe < m->nprobes && ev->step >= 0 &&
		    (size_t)ev->step < m->probes[ev->probe].nsteps)
			out->events[out->nevents].step =
			    maps[ev->probe][ev->step];
		out->nevents++;
	}
	out->capevents = out->nevents;
	for (size_t i = 0; i < out->nprobes; i++)
		for (size_t k = 0; k < out->probes[i].nsteps; k++) {
			struct step *s = &out->probes[i].steps[k];
			if (s->event >= 0 && (size_t)s->event < m->nevents)
				s->event = evmap[s->event];
		}
	/* Events the interpretation adds are the view's own: it frees the
	 * texts past this mark. */
	out->capevents = m->nevents ? m->nevents : 1;
	out->view_events = out->nevents;
	rc = 0;
done:
	for (size_t i = 0; maps && i < m->nprobes; i++)
		free(maps[i]);
	free(maps);
	free(evmap);
	if (rc < 0)
		group_view_free(out);
	return rc;
}

void group_view_free(struct run_record *v)
{
	for (size_t i = 0; i < v->nprobes; i++)
		free(v->probes[i].steps);
	free(v->probes);
	for (size_t e = v->view_events; e < v->nevents; e++)
		free(v->events[e].text);
	free(v->events);
	v->probes = NULL;
	v->events = NULL;
	v->nprobes = v->nevents = 0;
}

static int says_too_many(const struct reply *r)
{
	if (!r || r->code != 452)
		return 0;
	if (strcmp(r->enhanced, "4.5.3") == 0)
		return 1;
	for (size_t i = 0; i < r->nlines; i++) {
		const char *t = r->lines[i].text;
		for (; t && *t; t++)
			if (strncasecmp(t, "too many recipients", 19) == 0)
				return 1;
	}
	return 0;
}

int group_too_many(const struct run_record *v)
{
	int dp = v->overall.deciding_probe;
	const struct probe *p;
	const struct step *s;

	if (dp < 0 || (size_t)dp >= v->nprobes)
		return 0;
	p = &v->probes[dp];
	s = probe_deciding_step(p);
	if (!s || s->stage != STAGE_RCPT || s->role != RCPT_TARGET ||
	    !says_too_many(s->reply))
		return 0;
	/* Another recipient of the transaction answered first: the limit
	 * is the transaction's, not the target's. (In the view the other
	 * targets' steps are gone, so ask whether the target was not the
	 * first RCPT TO sent.) */
	return s->target > 0;
}

int group_unanswered(const struct run_record *v)
{
	int dp = v->overall.deciding_probe;

	return dp >= 0 && (size_t)dp < v->nprobes &&
	       (v->probes[dp].flags & PROBEF_UNANSWERED);
}
