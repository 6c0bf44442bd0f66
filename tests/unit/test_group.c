/*
 * test_group.c - a batch group's record seen by each of its targets
 * (group.c): the steps a view keeps, the outcome it decides for its
 * target, the "too many recipients" and "never answered" cases, and that
 * a view's interpretation is its own (the group's record is unchanged).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "smtpprobe/group.h"
#include "smtpprobe/interpreter.h"
#include "smtpprobe/record.h"
#include "smtpprobe/reply.h"

static struct config cfg;
static struct probe_target targets[3];
static const struct probe_target *more[2] = {&targets[1], &targets[2]};

static void set_target(struct probe_target *t, const char *local)
{
	memset(t, 0, sizeof *t);
	snprintf(t->local, sizeof t->local, "%s", local);
	snprintf(t->domain, sizeof t->domain, "example.test");
	snprintf(t->rcpt, sizeof t->rcpt, "%s@example.test", local);
	snprintf(t->given, sizeof t->given, "%s", t->rcpt);
	t->is_address = 1;
}

/* A group of three at one MX host: the record as the run leaves it. */
static struct probe *setup(struct run_record *rec)
{
	memset(&cfg, 0, sizeof cfg);
	cfg.ports[0] = 25;
	cfg.nports = 1;
	cfg.tls_policy = TLSP_OFF;
	set_target(&targets[0], "alice");
	set_target(&targets[1], "bob");
	set_target(&targets[2], "carol");
	record_init(rec, &cfg, &targets[0]);
	rec->more = more;
	rec->nmore = 2;
	rec->dns.status = DNS_OK;
	rec->dns.hosts[0].name = strdup("mx.example.test");
	rec->dns.hosts[0].preference = 10;
	rec->dns.hosts[0].naddrs = 1;
	snprintf(rec->dns.hosts[0].addrs[0], ADDR_STR_MAX, "192.0.2.1");
	rec->dns.nhosts = 1;
	struct probe *p = record_add_probe(rec, 0, "192.0.2.1", AF_INET, 25);
	assert_non_null(p);
	p->connect_ms = 1;
	return p;
}

static int step(struct probe *p, enum stage st, enum rcpt_role role, int target,
		const char *sent, const char *wire)
{
	int i = probe_add_step(p, st, 1, sent, 0);
	enum rp_error e;

	assert_true(i >= 0);
	p->steps[i].role = role;
	p->steps[i].target = target;
	if (wire) {
		p->steps[i].reply = reply_parse_text(wire, &e);
		assert_non_null(p->steps[i].reply);
	}
	return i;
}

/* Target j's RCPT TO, answered wire (NULL: never answered). */
static int rcpt(struct probe *p, int j, const char *wire)
{
	char sent[PATH_MAX_OCTETS + 16];

	snprintf(sent, sizeof sent, "RCPT TO:<%s>", targets[j].rcpt);
	return step(p, STAGE_RCPT, RCPT_TARGET, j, sent, wire);
}

/* The dialogue up to MAIL FROM, accepted. */
static void greeted(struct probe *p)
{
	step(p, STAGE_CONNECT, RCPT_NONE, 0, NULL, NULL);
	step(p, STAGE_BANNER, RCPT_NONE, 0, NULL, "220 mx.example.test ESMTP");
	step(p, STAGE_EHLO, RCPT_NONE, 0, "EHLO probe.test",
	     "250-mx.example.test\r\n250 PIPELINING");
	step(p, STAGE_MAIL, RCPT_NONE, 0, "MAIL FROM:<>", "250 2.1.0 Ok");
}

static int rcpts_of(const struct probe *p, enum rcpt_role role)
{
	int n = 0;

	for (size_t i = 0; i < p->nsteps; i++)
		n +=
		    p->steps[i].stage == STAGE_RCPT && p->steps[i].role == role;
	return n;
}

static void test_each_target_its_own_reply(void **state)
{
	struct run_record rec, v;
	struct probe *p = setup(&rec);

	(void)state;
	greeted(p);
	int r0 = rcpt(p, 0, "250 2.1.5 Ok");
	rcpt(p, 1, "550 5.1.1 <bob@example.test>: User unknown");
	rcpt(p, 2, "450 4.2.1 Mailbox busy");
	step(p, STAGE_RCPT, RCPT_CONTROL, 0,
	     "RCPT TO:<postmaster@example.test>", "250 2.1.5 Ok");
	p->outcome = OUTCOME_ACCEPTED; /* the first target decided */
	p->deciding_step = r0;
	size_t steps = p->nsteps;

	static const enum outcome want[3] = {OUTCOME_ACCEPTED, OUTCOME_REJECTED,
					     OUTCOME_TEMPFAIL};
	static const enum verdict_outcome verdict[3] = {
	    VERDICT_ACCEPTED, VERDICT_REJECTED, VERDICT_TEMPFAIL};
	for (size_t j = 0; j < 3; j++) {
		assert_int_equal(group_view(&rec, j, &targets[j], &v), 0);
		assert_ptr_equal(v.target, &targets[j]);
		assert_int_equal(v.nmore, 0);
		const struct probe *q = &v.probes[0];
		/* The shared steps, its own RCPT, the control's. */
		assert_int_equal(q->nsteps, steps - 2);
		assert_int_equal(rcpts_of(q, RCPT_TARGET), 1);
		assert_int_equal(rcpts_of(q, RCPT_CONTROL), 1);
		assert_int_equal(q->outcome, want[j]);
		const struct step *d = probe_deciding_step(q);
		assert_non_null(d);
		assert_int_equal(d->stage, STAGE_RCPT);
		assert_int_equal(d->target, (int)j);
		assert_false(q->flags & PROBEF_UNANSWERED);
		interpret_record(&v);
		assert_int_equal(v.overall.outcome, verdict[j]);
		assert_false(group_too_many(&v));
		assert_false(group_unanswered(&v));
		group_view_free(&v);
	}
	/* The group's own record is as it was. */
	assert_int_equal(p->nsteps, steps);
	assert_int_equal(p->outcome, OUTCOME_ACCEPTED);
	assert_int_equal(rec.nfindings, 0);
	record_free(&rec);
}

static void test_too_many_recipients(void **state)
{
	struct run_record rec, v;
	struct probe *p = setup(&rec);

	(void)state;
	greeted(p);
	int r0 = rcpt(p, 0, "250 2.1.5 Ok");
	rcpt(p, 1, "452 4.5.3 Error: too many recipients");
	rcpt(p, 2, "452 4.2.2 Mailbox full");
	p->outcome = OUTCOME_ACCEPTED;
	p->deciding_step = r0;
	assert_int_equal(group_view(&rec, 1, &targets[1], &v), 0);
	interpret_record(&v);
	assert_int_equal(v.overall.outcome, VERDICT_TEMPFAIL);
	assert_true(group_too_many(&v)); /* the transaction's limit */
	group_view_free(&v);
	/* A 452 about the mailbox is that mailbox's answer. */
	assert_int_equal(group_view(&rec, 2, &targets[2], &v), 0);
	interpret_record(&v);
	assert_false(group_too_many(&v));
	group_view_free(&v);
	record_free(&rec);
}

static void test_first_target_too_many_is_its_answer(void **state)
{
	struct run_record rec, v;
	struct probe *p = setup(&rec);

	(void)state;
	greeted(p);
	int r0 = rcpt(p, 0, "452 4.5.3 Error: too many recipients");
	p->outcome = OUTCOME_TEMPFAIL;
	p->deciding_step = r0;
	assert_int_equal(group_view(&rec, 0, &targets[0], &v), 0);
	interpret_record(&v);
	assert_false(group_too_many(&v)); /* nobody was asked before it */
	group_view_free(&v);
	record_free(&rec);
}

static void test_unanswered_after_421(void **state)
{
	struct run_record rec, v;
	struct probe *p = setup(&rec);

	(void)state;
	greeted(p);
	int r0 = rcpt(p, 0, "250 2.1.5 Ok");
	rcpt(p, 1, "421 4.7.0 mx.example.test closing: too many errors");
	rcpt(p, 2, NULL);
	p->outcome = OUTCOME_ACCEPTED;
	p->deciding_step = r0;
	/* bob's own reply was the 421: the server closing, not an answer
	 * about bob, who is worth another connection too. */
	assert_int_equal(group_view(&rec, 1, &targets[1], &v), 0);
	assert_int_equal(v.probes[0].outcome, OUTCOME_TEMPFAIL);
	assert_true(v.probes[0].flags & PROBEF_UNANSWERED);
	assert_int_equal(probe_deciding_step(&v.probes[0])->target, 1);
	interpret_record(&v);
	assert_true(group_unanswered(&v));
	group_view_free(&v);
	/* carol was never answered: the 421 that ended it stays in her
	 * view and decides, and she is worth another connection. */
	assert_int_equal(group_view(&rec, 2, &targets[2], &v), 0);
	const struct probe *q = &v.probes[0];
	assert_true(q->flags & PROBEF_UNANSWERED);
	assert_int_equal(q->outcome, OUTCOME_TEMPFAIL);
	assert_int_equal(probe_deciding_step(q)->reply->code, 421);
	/* bob's step stays for its 421, but not as carol's recipient, and
	 * without bob's address. */
	assert_int_equal(rcpts_of(q, RCPT_TARGET), 1);
	for (size_t i = 0; i < q->nsteps; i++)
		assert_null(q->steps[i].sent ? strstr(q->steps[i].sent, "bob@")
					     : NULL);
	interpret_record(&v);
	assert_true(group_unanswered(&v));
	group_view_free(&v);
	record_free(&rec);
}

static void test_shared_failure_is_everyones(void **state)
{
	struct run_record rec, v;
	struct probe *p = setup(&rec);

	(void)state;
	step(p, STAGE_CONNECT, RCPT_NONE, 0, NULL, NULL);
	step(p, STAGE_BANNER, RCPT_NONE, 0, NULL, "220 mx.example.test ESMTP");
	step(p, STAGE_EHLO, RCPT_NONE, 0, "EHLO probe.test",
	     "250-mx.example.test\r\n250 PIPELINING");
	int m = step(p, STAGE_MAIL, RCPT_NONE, 0, "MAIL FROM:<>",
		     "553 5.7.1 Sender rejected");
	rcpt(p, 0, "503 5.5.1 Error: need MAIL command");
	rcpt(p, 1, "503 5.5.1 Error: need MAIL command");
	p->outcome = OUTCOME_REJECTED;
	p->deciding_step = m;
	for (size_t j = 0; j < 2; j++) {
		assert_int_equal(group_view(&rec, j, &targets[j], &v), 0);
		assert_int_equal(v.probes[0].outcome, OUTCOME_REJECTED);
		assert_int_equal(probe_deciding_step(&v.probes[0])->stage,
				 STAGE_MAIL);
		assert_false(v.probes[0].flags & PROBEF_UNANSWERED);
		group_view_free(&v);
	}
	record_free(&rec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_each_target_its_own_reply),
	    cmocka_unit_test(test_too_many_recipients),
	    cmocka_unit_test(test_first_target_too_many_is_its_answer),
	    cmocka_unit_test(test_unanswered_after_421),
	    cmocka_unit_test(test_shared_failure_is_everyones),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
