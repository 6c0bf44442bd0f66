/*
 * test_dialogue.c - proves the SMTP state machine (dialogue.h) sends
 * exactly the commands a careful client would, and decides the outcome a
 * sending MTA would see, for each scripted server behaviour of tests/hostile-inputs.md
 * rows 3, 5, 19 and 21-26 and the promises of smtpprobe(1), SECURITY: never DATA or BDAT,
 * STARTTLS forgets earlier capabilities, credentials only inside TLS and
 * never shown, SMTPUTF8 only when offered, 421 closes at once. A fake
 * transport feeds each scripted reply through a real reply_parser into
 * dlg_on_reply and collects every command; DA_START_TLS is answered with
 * dlg_tls_ready (no real TLS). Also proves caps_parse stays bounded and
 * range-checked, and base64_encode against RFC 4648's vectors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "smtpprobe/dialogue.h"

/* ---- the fake transport ---- */

#define MAX_CMDS 32
#define TLS_MARK "<TLS>"

struct harness {
	struct dialogue_config cfg;
	struct dialogue d;
	char wire[MAX_CMDS][DLG_WIRE_MAX]; /* without the CRLF */
	char shown[MAX_CMDS][DLG_WIRE_MAX];
	enum stage stage[MAX_CMDS];
	enum rcpt_role role[MAX_CMDS];
	size_t ncmds;
	size_t batch[MAX_CMDS]; /* commands per DA_SEND */
	size_t nbatches;
	int closed;
	enum dlg_kind last;
	enum local_error verify; /* what the fake handshake reports */
};

static void harness_init(struct harness *h)
{
	memset(h, 0, sizeof *h);
	h->cfg.helo = "probe.test";
	h->cfg.mail_from = "";
	h->cfg.rcpt = "a@b.test";
	h->cfg.starttls = STARTTLS_AUTO;
}

static void perform(struct harness *h, const struct dlg_action *a);

/* On implicit TLS the handshake comes first, before the greeting. */
static void start(struct harness *h)
{
	dlg_init(&h->d, &h->cfg);
	if (h->cfg.implicit_tls) {
		assert_int_equal(h->d.state, DS_HANDSHAKE);
		perform(h, dlg_tls_ready(&h->d, h->verify));
		assert_int_equal(h->last, DA_WAIT);
		assert_int_equal(h->d.state, DS_BANNER);
	}
}

static void log_line(struct harness *h, const char *wire, const char *shown,
		     enum stage st)
{
	assert_true(h->ncmds < MAX_CMDS);
	snprintf(h->wire[h->ncmds], DLG_WIRE_MAX, "%s", wire);
	snprintf(h->shown[h->ncmds], DLG_WIRE_MAX, "%s", shown);
	h->stage[h->ncmds++] = st;
}

static void log_command(struct harness *h, const struct dlg_command *c)
{
	size_t n = strlen(c->wire);

	/* Exactly one line, ending in CRLF; never DATA or BDAT. */
	assert_true(n >= 2);
	assert_memory_equal(c->wire + n - 2, "\r\n", 2);
	assert_null(memchr(c->wire, '\r', n - 2));
	assert_null(memchr(c->wire, '\n', n - 2));
	assert_int_not_equal(strncasecmp(c->wire, "DATA", 4), 0);
	assert_int_not_equal(strncasecmp(c->wire, "BDAT", 4), 0);
	assert_null(strchr(c->shown, '\r'));
	assert_null(strchr(c->shown, '\n'));
	log_line(h, c->wire, c->shown, c->stage);
	h->wire[h->ncmds - 1][n - 2] = '\0';
	h->role[h->ncmds - 1] = c->role;
	/* Only a RCPT TO has a role. */
	assert_int_equal(c->stage == STAGE_RCPT, c->role != RCPT_NONE);
}

static void perform(struct harness *h, const struct dlg_action *a)
{
	h->last = a->kind;
	switch (a->kind) {
	case DA_WAIT: assert_int_equal(a->ncmds, 0); break;
	case DA_SEND:
		assert_true(a->ncmds >= 1 && a->ncmds <= DLG_CMDS_MAX);
		h->batch[h->nbatches++] = a->ncmds;
		for (size_t i = 0; i < a->ncmds; i++)
			log_command(h, &a->cmds[i]);
		break;
	case DA_START_TLS:
		assert_int_equal(a->ncmds, 0);
		log_line(h, TLS_MARK, TLS_MARK, STAGE_TLS);
		perform(h, dlg_tls_ready(&h->d, h->verify));
		break;
	case DA_CLOSE: h->closed = 1; break;
	case DA_SEND_CLOSE:
		/* Only QUIT goes without waiting for its reply. */
		assert_int_equal(a->ncmds, 1);
		assert_string_equal(a->cmds[0].wire, "QUIT\r\n");
		h->batch[h->nbatches++] = a->ncmds;
		log_command(h, &a->cmds[0]);
		h->closed = 1;
		break;
	}
}

/* Feed one scripted server write; it may hold several replies. */
static void server_says(struct harness *h, const char *bytes)
{
	struct reply_parser p;
	size_t len = strlen(bytes), off = 0;

	rp_init(&p);
	while (off < len) {
		enum rp_status st;
		struct reply *r;

		assert_false(h->closed);
		off += rp_feed(&p, bytes + off, len - off, &st);
		if (st == RP_MORE)
			break;
		assert_int_equal(st, RP_REPLY);
		r = rp_take(&p);
		perform(h, dlg_on_reply(&h->d, r));
		reply_free(r);
	}
	assert_false(rp_pending(&p));
	rp_reset(&p);
}

/* Run a NULL-terminated script from a fresh dialogue. */
static void run_script(struct harness *h, const char *const *script)
{
	start(h);
	for (size_t i = 0; script[i]; i++)
		server_says(h, script[i]);
}

/* The commands sent, in order, are exactly want (NULL-terminated). */
static void assert_cmds(const struct harness *h, const char *const *want)
{
	size_t n = 0;

	for (; want[n]; n++) {
		if (n >= h->ncmds)
			fail_msg("command %zu: wanted \"%s\", none sent", n,
				 want[n]);
		if (strcmp(h->wire[n], want[n]) != 0)
			fail_msg("command %zu: wanted \"%s\", sent \"%s\"", n,
				 want[n], h->wire[n]);
	}
	if (h->ncmds != n)
		fail_msg("%zu commands sent, wanted %zu; extra \"%s\"",
			 h->ncmds, n, h->wire[n]);
}

static void assert_outcome(const struct harness *h, enum outcome o,
			   enum stage at, enum local_error e)
{
	assert_string_equal(outcome_name(h->d.outcome), outcome_name(o));
	assert_string_equal(stage_name(h->d.decided_at), stage_name(at));
	assert_int_equal(h->d.error, e);
}

/* The script ended the dialogue properly: closed, state done. */
static void assert_closed(const struct harness *h)
{
	assert_true(h->closed);
	assert_int_equal(h->last, DA_CLOSE);
	assert_int_equal(h->d.state, DS_DONE);
}

/* Ended by QUIT sent without waiting for its reply. */
static void assert_quit_closed(const struct harness *h)
{
	assert_true(h->closed);
	assert_int_equal(h->last, DA_SEND_CLOSE);
	assert_int_equal(h->d.state, DS_DONE);
	assert_int_equal(h->d.pending, 0);
}

static int sent_anywhere(const struct harness *h, const char *needle)
{
	for (size_t i = 0; i < h->ncmds; i++)
		if (strstr(h->wire[i], needle) || strstr(h->shown[i], needle))
			return 1;
	return 0;
}

#define CMDS(...)   ((const char *const[]){__VA_ARGS__, NULL})
#define SCRIPT(...) ((const char *const[]){__VA_ARGS__, NULL})

#define BANNER	   "220 mx.test ESMTP\r\n"
#define EHLO_PLAIN "250-mx.test\r\n250-SIZE 10240000\r\n250 8BITMIME\r\n"
#define EHLO_PIPE  "250-mx.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n"
#define EHLO_TLS   "250-mx.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n"
#define OK	   "250 2.0.0 Ok\r\n"
#define BYE	   "221 2.0.0 Bye\r\n"

#define USER	  "alice"
#define PASS	  "s3cr3t-PW"
#define PLAIN_B64 "AGFsaWNlAHMzY3IzdC1QVw==" /* "\0alice\0s3cr3t-PW" */
#define USER_B64  "YWxpY2U="
#define PASS_B64  "czNjcjN0LVBX"

/* ---- the ordinary paths ---- */

static void test_plain_no_starttls(void **state)
{
	struct harness h;

	(void)state;
	harness_init(&h);
	run_script(&h, SCRIPT(BANNER, EHLO_PLAIN, "250 2.1.0 Ok\r\n",
			      "250 2.1.5 Ok\r\n", OK, BYE));
	assert_cmds(&h, CMDS("EHLO probe.test", "MAIL FROM:<>",
			     "RCPT TO:<a@b.test>", "RSET", "QUIT"));
	assert_outcome(&h, OUTCOME_ACCEPTED, STAGE_RCPT, LE_NONE);
	assert_true(h.d.cleartext);
	assert_false(h.d.tls_active);
	for (size_t i = 0; i < h.nbatches; i++)
		assert_int_equal(h.batch[i], 1);
	assert_int_equal(h.stage[0], STAGE_EHLO);
	assert_int_equal(h.stage[1], STAGE_MAIL);
	assert_int_equal(h.stage[2], STAGE_RCPT);
	assert_int_equal(h.stage[3], STAGE_RSET);
	assert_int_equal(h.stage[4], STAGE_QUIT);
	assert_closed(&h);
}

static void test_sender_and_size(void **state)
{
	struct harness h;

	(void)state;
	harness_init(&h);
	h.cfg.mail_from = "me@probe.test";
	run_script(&h, SCRIPT(BANNER, EHLO_PLAIN, OK));
	assert_cmds(&h, CMDS("EHLO probe.test", "MAIL FROM:<me@probe.test>",
			     "RCPT TO:<a@b.test>"));
	assert_int_equal(h.d.caps.size, 10240000);
	assert_true(h.d.caps.flags & CAP_8BITMIME);
}

static void test_helo_fallback(void **state)
{
	static const char *const refusals[] = {
	    "502 5.5.1 Command not implemented\r\n",
	    "500 5.5.2 Syntax error\r\n",
	};
	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct harness h;

		harness_init(&h);
		run_script(&h, SCRIPT(BANNER, refusals[i], "250 mx.test\r\n",
				      OK, OK, OK, BYE));
		assert_cmds(&h, CMDS("EHLO probe.test", "HELO probe.test",
				     "MAIL FROM:<>", "RCPT TO:<a@b.test>",
				     "RSET", "QUIT"));
		assert_true(h.d.helo_fallback);
		assert_true(h.d.cleartext);
		assert_outcome(&h, OUTCOME_ACCEPTED, STAGE_RCPT, LE_NONE);
		assert_closed(&h);
	}
}

static void test_helo_odd_replies(void **state)
{
	static const struct {
		const char *reply;
		enum outcome o;
	} t[] = {
	    {"354 go ahead\r\n", OUTCOME_PROTOCOL_ERROR},
	    {"220 again\r\n", OUTCOME_PROTOCOL_ERROR},
	    {"501 5.5.2 bad HELO\r\n", OUTCOME_REJECTED},
	    {"450 4.7.1 later\r\n", OUTCOME_TEMPFAIL},
	};
	(void)state;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct harness h;

		harness_init(&h);
		run_script(&h, SCRIPT(BANNER, "502 no\r\n", t[i].reply, BYE));
		assert_cmds(&h,
			    CMDS("EHLO probe.test", "HELO probe.test", "QUIT"));
		assert_outcome(&h, t[i].o, STAGE_HELO,
			       t[i].o == OUTCOME_PROTOCOL_ERROR
				   ? LE_PROTO_UNEXPECTED
				   : LE_NONE);
		assert_closed(&h);
	}
}

static void test_starttls_forgets_caps(void **state)
{
	struct harness h;

	(void)state;
	harness_init(&h);
	run_script(&h, SCRIPT(BANNER, EHLO_TLS, "220 2.0.0 Ready\r\n",
			      EHLO_PLAIN, OK, OK, OK, BYE));
	/* PIPELINING was offered only before TLS: MAIL and RCPT apart. */
	assert_cmds(&h, CMDS("EHLO probe.test", "STARTTLS", TLS_MARK,
			     "EHLO probe.test", "MAIL FROM:<>",
			     "RCPT TO:<a@b.test>", "RSET", "QUIT"));
	for (size_t i = 0; i < h.nbatches; i++)
		assert_int_equal(h.batch[i], 1);
	assert_false(h.d.caps.flags & CAP_PIPELINING);
	assert_false(h.d.caps.flags & CAP_STARTTLS);
	assert_true(h.d.tls_active);
	assert_false(h.d.cleartext);
	assert_outcome(&h, OUTCOME_ACCEPTED, STAGE_RCPT, LE_NONE);
	assert_closed(&h);
}

static void test_starttls_once(void **state)
{
	struct harness h;

	(void)state;
	/* The post-TLS EHLO offers STARTTLS again: not sent twice. */
	harness_init(&h);
	run_script(&h, SCRIPT(BANNER, EHLO_TLS, "220 go\r\n", EHLO_TLS));
	assert_cmds(&h, CMDS("EHLO probe.test", "STARTTLS", TLS_MARK,
			     "EHLO probe.test", "MAIL FROM:<>",
			     "RCPT TO:<a@b.test>"));
	assert_int_equal(h.batch[h.nbatches - 1], 2);
}

static void test_pipelining(void **state)
{
	struct harness h;

	(void)state;
	harness_init(&h);
	start(&h);
	server_says(&h, BANNER);
	server_says(&h, EHLO_PIPE);
	assert_int_equal(h.d.act.kind, DA_SEND);
	assert_int_equal(h.d.act.ncmds, 2);
	assert_int_equal(h.d.act.cmds[0].stage, STAGE_MAIL);
	assert_int_equal(h.d.act.cmds[1].stage, STAGE_RCPT);
	assert_true(h.d.rcpt_pipelined);
	assert_int_equal(h.d.pending, 2);
	server_says(&h, "250 2.1.0 Ok\r\n");
	assert_int_equal(h.last, DA_WAIT);
	assert_int_equal(h.d.pending, 1);
	server_says(&h, "250 2.1.5 Ok\r\n");
	server_says(&h, OK);
	server_says(&h, BYE);
	assert_cmds(&h, CMDS("EHLO probe.test", "MAIL FROM:<>",
			     "RCPT TO:<a@b.test>", "RSET", "QUIT"));
	/* EHLO; MAIL+RCPT; RSET+QUIT (QUIT may end a pipelined group). */
	assert_int_equal(h.nbatches, 3);
	assert_int_equal(h.batch[1], 2);
	assert_int_equal(h.batch[2], 2);
	assert_outcome(&h, OUTCOME_ACCEPTED, STAGE_RCPT, LE_NONE);
	assert_closed(&h);
}

static void test_pipelined_replies_in_one_read(void **state)
{
	struct harness h;

	(void)state;
	harness_init(&h);
	run_script(&h, SCRIPT(BANNER, EHLO_PIPE,
			      "250 2.1.0 Ok\r\n550 5.1.1 No such user\r\n", OK,
			      BYE));
	assert_cmds(&h, CMDS("EHLO probe.test", "MAIL FROM:<>",
			     "RCPT TO:<a@b.test>", "RSET", "QUIT"));
	assert_outcome(&h, OUTCOME_REJECTED, STAGE_RCPT, LE_NONE);
	assert_closed(&h);
}

/* ---- the greeting (tests/hostile-inputs.md row 21) ---- */

static void test_banners(void **state)
{
	static const struct {
		const char *banner;
		int quit; /* QUIT sent, else closed at once */
		enum outcome o;
		enum local_error e;
	} t[] = {
	    {"554 5.7.1 No SMTP service here\r\n", 1, OUTCOME_REJECTED,
	     LE_NONE},
	    {"554-multi\r\n554 line\r\n", 1, OUTCOME_REJECTED, LE_NONE},
	    {"521 5.3.2 does not accept mail\r\n", 0, OUTCOME_REJECTED,
	     LE_NONE},
	    {"421 4.3.2 Service not available\r\n", 0, OUTCOME_TEMPFAIL,
	     LE_NONE},
	    {"221 2.0.0 Bye\r\n", 1, OUTCOME_PROTOCOL_ERROR,
	     LE_PROTO_UNEXPECTED},
	    {"354 go ahead\r\n", 1, OUTCOME_PROTOCOL_ERROR,
	     LE_PROTO_UNEXPECTED},
	    {"530 5.7.0 Authentication required\r\n", 1, OUTCOME_PROTOCOL_ERROR,
	     LE_PROTO_UNEXPECTED},
	    {"250 hello\r\n", 1, OUTCOME_PROTOCOL_ERROR, LE_PROTO_UNEXPECTED},
	    /* Other 4xx/5xx greetings: what a sending MTA would make of it. */
	    {"450 4.7.1 try later\r\n", 1, OUTCOME_TEMPFAIL, LE_NONE},
	    {"550 5.7.1 blocked using zen.spamhaus.org\r\n", 1,
	     OUTCOME_REJECTED, LE_NONE},
	    {"334 VXNlcm5hbWU6\r\n", 1, OUTCOME_PROTOCOL_ERROR,
	     LE_PROTO_UNEXPECTED},
	};
	(void)state;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct harness h;

		print_message("banner case %zu\n", i);
		harness_init(&h);
		start(&h);
		server_says(&h, t[i].banner);
		if (t[i].quit) {
			assert_cmds(&h, CMDS("QUIT"));
			assert_false(h.closed);
			server_says(&h, BYE);
		} else {
			assert_int_equal(h.ncmds, 0);
		}
		assert_outcome(&h, t[i].o, STAGE_BANNER, t[i].e);
		assert_closed(&h);
	}
}

/* ---- rejections and temporary failures ---- */

static void test_ehlo_rejected(void **state)
{
	struct harness h;

	(void)state;
	harness_init(&h);
	run_script(&h, SCRIPT(BANNER, "550 5.7.1 Go away\r\n", BYE));
	assert_cmds(&h, CMDS("EHLO probe.test", "QUIT"));
	assert_outcome(&h, OUTCOME_REJECTED, STAGE_EHLO, LE_NONE);
	assert_closed(&h);
}

static void test_mail_rejected(void **state)
{
	struct harness h;

	(void)state;
	harness_init(&h);
	run_script(&h, SCRIPT(BANNER, EHLO_PLAIN,
			      "550 5.7.1 Sender rejected\r\n", BYE));
	assert_cmds(&h, CMDS("EHLO probe.test", "MAIL FROM:<>", "QUIT"));
	assert_outcome(&h, OUTCOME_REJECTED, STAGE_MAIL, LE_NONE);
	assert_closed(&h);
}

static void test_mail_tempfail_pipelined(void **state)
{
	struct harness h;

	(void)state;
	harness_init(&h);
	start(&h);
	server_says(&h, BANNER);
	server_says(&h, EHLO_PIPE);
	server_says(&h, "451 4.3.0 Try again later\r\n");
	/* The pipelined RCPT's reply is still due: nothing sent yet. */
	assert_int_equal(h.last, DA_WAIT);
	assert_int_equal(h.ncmds, 3);
	server_says(&h, "503 5.5.1 Need MAIL first\r\n");
	server_says(&h, BYE);
	assert_cmds(&h, CMDS("EHLO probe.test", "MAIL FROM:<>",
			     "RCPT TO:<a@b.test>", "QUIT"));
	/* The RCPT reply does not change what MAIL decided. */
	assert_outcome(&h, OUTCOME_TEMPFAIL, STAGE_MAIL, LE_NONE);
	assert_closed(&h);
}

static void test_rcpt_replies(void **state)
{
	static const struct {
		const char *reply;
		enum outcome o;
	} t[] = {
	    {"250 2.1.5 Ok\r\n", OUTCOME_ACCEPTED},
	    {"251 2.1.5 User not local; will forward\r\n", OUTCOME_ACCEPTED},
	    {"252 2.1.5 Cannot VRFY, but will accept\r\n", OUTCOME_ACCEPTED},
	    {"550 5.1.1 <a@b.test>: User unknown\r\n", OUTCOME_REJECTED},
	    {"554 5.7.1 Relay access denied\r\n", OUTCOME_REJECTED},
	    {"450 4.2.0 Greylisted\r\n", OUTCOME_TEMPFAIL},
	    {"452 4.2.2 Over quota\r\n", OUTCOME_TEMPFAIL},
	};
	(void)state;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct harness h;

		print_message("rcpt case %zu\n", i);
		harness_init(&h);
		run_script(&h,
			   SCRIPT(BANNER, EHLO_PLAIN, OK, t[i].reply, OK, BYE));
		assert_cmds(&h, CMDS("EHLO probe.test", "MAIL FROM:<>",
				     "RCPT TO:<a@b.test>", "RSET", "QUIT"));
		assert_outcome(&h, t[i].o, STAGE_RCPT, LE_NONE);
		assert_closed(&h);
	}
}

/* The control and catch-all recipients follow the target in the same
 * transaction: pipelined with MAIL when offered, one at a time when not.
 * The target's reply decides whatever the others get. */
static void extra_rcpts(struct harness *h)
{
	h->cfg.extra_rcpt[0] = "postmaster@b.test";
	h->cfg.extra_role[0] = RCPT_CONTROL;
	h->cfg.extra_rcpt[1] = "x7k2q9m4p1r8s5t3@b.test";
	h->cfg.extra_role[1] = RCPT_CATCH_ALL;
	h->cfg.nextra = 2;
}

static void test_extra_rcpts(void **state)
{
	static const struct {
		const char *target, *control, *catch_all;
		enum outcome o;
	} t[] = {
	    {"250 2.1.5 Ok\r\n", "250 2.1.5 Ok\r\n", "250 2.1.5 Ok\r\n",
	     OUTCOME_ACCEPTED},
	    {"550 5.1.1 no such user\r\n", "250 2.1.5 Ok\r\n",
	     "550 5.1.1 no such user\r\n", OUTCOME_REJECTED},
	    {"554 5.7.1 blocked\r\n", "554 5.7.1 blocked\r\n",
	     "554 5.7.1 blocked\r\n", OUTCOME_REJECTED},
	    {"450 4.7.1 later\r\n", "550 5.1.1 no\r\n", "250 2.1.5 Ok\r\n",
	     OUTCOME_TEMPFAIL},
	    {"250 2.1.5 Ok\r\n", "550 5.1.1 no\r\n", "452 4.5.3 too many\r\n",
	     OUTCOME_ACCEPTED},
	};
	static const char *const want[] = {"EHLO probe.test",
					   "MAIL FROM:<>",
					   "RCPT TO:<a@b.test>",
					   "RCPT TO:<postmaster@b.test>",
					   "RCPT TO:<x7k2q9m4p1r8s5t3@b.test>",
					   "RSET",
					   "QUIT",
					   NULL};
	static const enum rcpt_role roles[] = {
	    RCPT_NONE,	    RCPT_NONE, RCPT_TARGET, RCPT_CONTROL,
	    RCPT_CATCH_ALL, RCPT_NONE, RCPT_NONE};
	(void)state;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		for (int pipe = 0; pipe <= 1; pipe++) {
			struct harness h;

			print_message("extra case %zu, pipelining %d\n", i,
				      pipe);
			harness_init(&h);
			extra_rcpts(&h);
			run_script(&h, SCRIPT(BANNER,
					      pipe ? EHLO_PIPE : EHLO_PLAIN, OK,
					      t[i].target, t[i].control,
					      t[i].catch_all, OK, BYE));
			assert_cmds(&h, want);
			for (size_t k = 0; k < h.ncmds; k++)
				assert_int_equal(h.role[k], roles[k]);
			assert_outcome(&h, t[i].o, STAGE_RCPT, LE_NONE);
			assert_closed(&h);
			if (pipe) /* MAIL and three RCPTs in one write */
				assert_int_equal(h.batch[1], 4);
			else
				assert_int_equal(h.nbatches, 7);
		}
	}
}

/* MAIL refused with three RCPTs pipelined behind it: every reply due is
 * read before QUIT (no RSET: there is no transaction), and MAIL's
 * refusal decides. */
static void test_extra_rcpts_mail_refused(void **state)
{
	struct harness h;

	(void)state;
	harness_init(&h);
	extra_rcpts(&h);
	start(&h);
	server_says(&h, BANNER);
	server_says(&h, EHLO_PIPE);
	assert_int_equal(h.d.pending, 4);
	server_says(&h, "550 5.7.1 sender refused\r\n");
	assert_int_equal(h.last, DA_WAIT);
	server_says(&h, "503 5.5.1 need MAIL\r\n");
	assert_int_equal(h.last, DA_WAIT);
	server_says(&h, "503 5.5.1 need MAIL\r\n");
	assert_int_equal(h.last, DA_WAIT);
	server_says(&h, "503 5.5.1 need MAIL\r\n");
	assert_int_equal(h.last, DA_SEND);
	server_says(&h, BYE);
	assert_cmds(&h,
		    CMDS("EHLO probe.test", "MAIL FROM:<>",
			 "RCPT TO:<a@b.test>", "RCPT TO:<postmaster@b.test>",
			 "RCPT TO:<x7k2q9m4p1r8s5t3@b.test>", "QUIT"));
	assert_outcome(&h, OUTCOME_REJECTED, STAGE_MAIL, LE_NONE);
	assert_closed(&h);
}

/* A 354 to an extra recipient changes nothing that was decided, but the
 * dialogue stops there (QUIT, never DATA); a 421 to one closes at once. */
static void test_extra_rcpt_odd_replies(void **state)
{
	struct harness h;

	(void)state;
	harness_init(&h);
	extra_rcpts(&h);
	run_script(&h, SCRIPT(BANNER, EHLO_PLAIN, OK, "250 2.1.5 Ok\r\n",
			      "354 go ahead\r\n", BYE));
	assert_cmds(&h, CMDS("EHLO probe.test", "MAIL FROM:<>",
			     "RCPT TO:<a@b.test>",
			     "RCPT TO:<postmaster@b.test>", "QUIT"));
	assert_outcome(&h, OUTCOME_ACCEPTED, STAGE_RCPT, LE_NONE);
	assert_closed(&h);

	harness_init(&h);
	extra_rcpts(&h);
	run_script(&h, SCRIPT(BANNER, EHLO_PLAIN, OK, "550 5.1.1 no\r\n",
			      "421 4.7.0 too many errors\r\n", NULL));
	assert_cmds(&h,
		    CMDS("EHLO probe.test", "MAIL FROM:<>",
			 "RCPT TO:<a@b.test>", "RCPT TO:<postmaster@b.test>"));
	assert_outcome(&h, OUTCOME_REJECTED, STAGE_RCPT, LE_NONE);
	assert_closed(&h);
}

/* A domain probe with the catch-all test: MAIL decides; the random
 * recipient is asked after it, then RSET. */
static void test_domain_catch_all(void **state)
{
	struct harness h;

	(void)state;
	harness_init(&h);
	h.cfg.rcpt = NULL;
	h.cfg.extra_rcpt[0] = "x7k2q9m4p1r8s5t3@b.test";
	h.cfg.extra_role[0] = RCPT_CATCH_ALL;
	h.cfg.nextra = 1;
	run_script(&h,
		   SCRIPT(BANNER, EHLO_PLAIN, OK, "550 5.1.1 no\r\n", OK, BYE));
	assert_cmds(&h,
		    CMDS("EHLO probe.test", "MAIL FROM:<>",
			 "RCPT TO:<x7k2q9m4p1r8s5t3@b.test>", "RSET", "QUIT"));
	assert_outcome(&h, OUTCOME_ACCEPTED, STAGE_MAIL, LE_NONE);
	assert_closed(&h);
}

/* Nothing else of the run waits: once the outcome is decided, QUIT goes
 * alone (no RSET) and the connection closes without its 221. The
 * question is asked only then; answered "wait", the ending is as before. */
static int asked, answer;
static int quit_unawaited_cb(void *arg)
{
	(void)arg;
	asked++;
	return answer;
}

static void test_quit_unawaited(void **state)
{
	struct harness h;

	(void)state;
	for (answer = 0; answer <= 1; answer++) {
		harness_init(&h);
		h.cfg.quit_unawaited = quit_unawaited_cb;
		asked = 0;
		run_script(&h, answer ? SCRIPT(BANNER, EHLO_PIPE, OK,
					       "250 2.1.5 Ok\r\n")
				      : SCRIPT(BANNER, EHLO_PIPE, OK,
					       "250 2.1.5 Ok\r\n", OK, BYE));
		if (answer)
			assert_cmds(&h, CMDS("EHLO probe.test", "MAIL FROM:<>",
					     "RCPT TO:<a@b.test>", "QUIT"));
		else
			assert_cmds(&h, CMDS("EHLO probe.test", "MAIL FROM:<>",
					     "RCPT TO:<a@b.test>", "RSET",
					     "QUIT"));
		assert_int_equal(asked, 1);
		assert_int_equal(h.d.quit_unawaited, answer);
		assert_outcome(&h, OUTCOME_ACCEPTED, STAGE_RCPT, LE_NONE);
		if (answer)
			assert_quit_closed(&h);
		else
			assert_closed(&h);
	}
	/* A refusal at the greeting: QUIT, and no wait either. */
	harness_init(&h);
	h.cfg.quit_unawaited = quit_unawaited_cb;
	answer = 1;
	asked = 0;
	run_script(&h, SCRIPT("554 5.7.1 go away\r\n"));
	assert_cmds(&h, CMDS("QUIT"));
	assert_outcome(&h, OUTCOME_REJECTED, STAGE_BANNER, LE_NONE);
	assert_int_equal(asked, 1);
	assert_quit_closed(&h);
	/* The control recipient's reply is still read before QUIT. */
	harness_init(&h);
	extra_rcpts(&h);
	h.cfg.quit_unawaited = quit_unawaited_cb;
	asked = 0;
	run_script(&h, SCRIPT(BANNER, EHLO_PIPE, OK, "550 5.1.1 no\r\n",
			      "250 2.1.5 Ok\r\n", "550 5.1.1 no\r\n"));
	assert_cmds(&h, CMDS("EHLO probe.test", "MAIL FROM:<>",
			     "RCPT TO:<a@b.test>", "RCPT TO:<postmaster@b.test>",
			     "RCPT TO:<x7k2q9m4p1r8s5t3@b.test>", "QUIT"));
	assert_outcome(&h, OUTCOME_REJECTED, STAGE_RCPT, LE_NONE);
	assert_quit_closed(&h);
}

/* The first 2xx/5xx to RCPT decides; whatever RSET gets afterwards (a
 * refusal, a demand for AUTH, even 354) does not change the verdict. A
 * 421 to RSET closes at once, without QUIT. */
static void test_rset_refused_keeps_verdict(void **state)
{
	static const char *const odd[] = {
	    "500 5.5.1 unrecognized\r\n", "501 5.5.4 syntax\r\n",
	    "530 5.7.0 authenticate first\r\n", "354 go ahead\r\n",
	    "550 5.1.1 <a@b.test>: User unknown\r\n", "220 hello\r\n",
	    "421 4.3.2 shutting down\r\n"};
	static const char *const rcpt[] = {OK, "550 5.1.1 no\r\n",
					   "450 4.2.0 later\r\n"};
	static const enum outcome want[] = {OUTCOME_ACCEPTED, OUTCOME_REJECTED,
					    OUTCOME_TEMPFAIL};
	struct harness h;

	(void)state;
	for (size_t k = 0; k < sizeof rcpt / sizeof rcpt[0]; k++) {
		for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
			int is421 = strncmp(odd[i], "421", 3) == 0;

			harness_init(&h);
			run_script(&h, SCRIPT(BANNER, EHLO_PLAIN, OK, rcpt[k],
					      odd[i], is421 ? NULL : BYE));
			if (is421)
				assert_cmds(&h, CMDS("EHLO probe.test",
						     "MAIL FROM:<>",
						     "RCPT TO:<a@b.test>",
						     "RSET"));
			else
				assert_cmds(&h, CMDS("EHLO probe.test",
						     "MAIL FROM:<>",
						     "RCPT TO:<a@b.test>",
						     "RSET", "QUIT"));
			assert_outcome(&h, want[k], STAGE_RCPT, LE_NONE);
			assert_closed(&h);
		}
	}
	/* A domain probe: MAIL decides, RSET cannot undo it either. */
	harness_init(&h);
	h.cfg.rcpt = NULL;
	run_script(&h, SCRIPT(BANNER, EHLO_PLAIN, OK, "500 what\r\n", BYE));
	assert_cmds(&h, CMDS("EHLO probe.test", "MAIL FROM:<>", "RSET", "QUIT"));
	assert_outcome(&h, OUTCOME_ACCEPTED, STAGE_MAIL, LE_NONE);
	assert_closed(&h);
}

/* tests/hostile-inputs.md row 23: 354 to anything is never followed by DATA. */
static void test_354_never_data(void **state)
{
	const struct {
		const char *const *before; /* replies before the 354 */
		const char *const *cmds;
		enum stage at;
	} t[] = {
	    {SCRIPT(BANNER), CMDS("EHLO probe.test", "QUIT"), STAGE_EHLO},
	    {SCRIPT(BANNER, EHLO_TLS),
	     CMDS("EHLO probe.test", "STARTTLS", "QUIT"), STAGE_STARTTLS},
	    {SCRIPT(BANNER, EHLO_PLAIN),
	     CMDS("EHLO probe.test", "MAIL FROM:<>", "QUIT"), STAGE_MAIL},
	    {SCRIPT(BANNER, EHLO_PLAIN, OK),
	     CMDS("EHLO probe.test", "MAIL FROM:<>", "RCPT TO:<a@b.test>",
		  "QUIT"),
	     STAGE_RCPT},
	};
	(void)state;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct harness h;

		harness_init(&h);
		run_script(&h, t[i].before);
		server_says(&h, "354 End data with <CR><LF>.<CR><LF>\r\n");
		server_says(&h, BYE);
		assert_cmds(&h, t[i].cmds);
		assert_outcome(&h, OUTCOME_PROTOCOL_ERROR, t[i].at,
			       LE_PROTO_UNEXPECTED);
		assert_closed(&h);
	}
}

static void test_354_to_pipelined_mail(void **state)
{
	struct harness h;

	(void)state;
	harness_init(&h);
	run_script(&h, SCRIPT(BANNER, EHLO_PIPE, "354 go\r\n",
			      "250 2.1.5 Ok\r\n", BYE));
	assert_cmds(&h, CMDS("EHLO probe.test", "MAIL FROM:<>",
			     "RCPT TO:<a@b.test>", "QUIT"));
	assert_outcome(&h, OUTCOME_PROTOCOL_ERROR, STAGE_MAIL,
		       LE_PROTO_UNEXPECTED);
	assert_closed(&h);
}

/* tests/hostile-inputs.md row 24: 421 after any command closes at once. */
static void test_421_anywhere(void **state)
{
	const struct {
		const char *const *before;
		const char *const *cmds;
		enum outcome o;
		enum stage at;
	} t[] = {
	    {SCRIPT(BANNER), CMDS("EHLO probe.test"), OUTCOME_TEMPFAIL,
	     STAGE_EHLO},
	    {SCRIPT(BANNER, "502 no\r\n"),
	     CMDS("EHLO probe.test", "HELO probe.test"), OUTCOME_TEMPFAIL,
	     STAGE_HELO},
	    {SCRIPT(BANNER, EHLO_TLS), CMDS("EHLO probe.test", "STARTTLS"),
	     OUTCOME_TEMPFAIL, STAGE_STARTTLS},
	    {SCRIPT(BANNER, EHLO_PLAIN),
	     CMDS("EHLO probe.test", "MAIL FROM:<>"), OUTCOME_TEMPFAIL,
	     STAGE_MAIL},
	    {SCRIPT(BANNER, EHLO_PIPE),
	     CMDS("EHLO probe.test", "MAIL FROM:<>", "RCPT TO:<a@b.test>"),
	     OUTCOME_TEMPFAIL, STAGE_MAIL},
	    {SCRIPT(BANNER, EHLO_PLAIN, OK),
	     CMDS("EHLO probe.test", "MAIL FROM:<>", "RCPT TO:<a@b.test>"),
	     OUTCOME_TEMPFAIL, STAGE_RCPT},
	    /* Decided already: the 421 only closes. */
	    {SCRIPT(BANNER, EHLO_PLAIN, OK, OK),
	     CMDS("EHLO probe.test", "MAIL FROM:<>", "RCPT TO:<a@b.test>",
		  "RSET"),
	     OUTCOME_ACCEPTED, STAGE_RCPT},
	    {SCRIPT(BANNER, EHLO_PIPE, "451 4.3.0 later\r\n"),
	     CMDS("EHLO probe.test", "MAIL FROM:<>", "RCPT TO:<a@b.test>"),
	     OUTCOME_TEMPFAIL, STAGE_MAIL},
	};
	(void)state;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct harness h;

		print_message("421 case %zu\n", i);
		harness_init(&h);
		run_script(&h, t[i].before);
		server_says(&h, "421 4.4.2 mx.test closing connection\r\n");
		assert_cmds(&h, t[i].cmds);
		assert_outcome(&h, t[i].o, t[i].at, LE_NONE);
		assert_closed(&h);
	}
}

static void test_421_during_auth(void **state)
{
	struct harness h;

	(void)state;
	harness_init(&h);
	h.cfg.auth_user = USER;
	h.cfg.auth_pass = PASS;
	run_script(&h, SCRIPT(BANNER, EHLO_TLS, "220 go\r\n",
			      "250-mx\r\n250 AUTH LOGIN\r\n",
			      "421 4.7.0 too slow\r\n"));
	assert_cmds(&h, CMDS("EHLO probe.test", "STARTTLS", TLS_MARK,
			     "EHLO probe.test", "AUTH LOGIN"));
	assert_outcome(&h, OUTCOME_TEMPFAIL, STAGE_AUTH, LE_NONE);
	assert_closed(&h);
}

/* tests/hostile-inputs.md row 26: an odd reply to QUIT just closes. */
static void test_odd_quit_reply(void **state)
{
	struct harness h;

	(void)state;
	harness_init(&h);
	run_script(
	    &h, SCRIPT(BANNER, EHLO_PLAIN, OK, OK, OK, "500 5.5.1 what?\r\n"));
	assert_outcome(&h, OUTCOME_ACCEPTED, STAGE_RCPT, LE_NONE);
	assert_closed(&h);
}

static void test_domain_probe(void **state)
{
	static const char *const ehlos[] = {EHLO_PLAIN, EHLO_PIPE};

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct harness h;

		harness_init(&h);
		h.cfg.rcpt = NULL;
		run_script(
		    &h, SCRIPT(BANNER, ehlos[i], "250 2.1.0 Ok\r\n", OK, BYE));
		assert_cmds(&h, CMDS("EHLO probe.test", "MAIL FROM:<>", "RSET",
				     "QUIT"));
		/* Without PIPELINING one command per write; with it, RSET
		 * and QUIT share the last one. */
		for (size_t k = 0; k < h.nbatches; k++)
			assert_int_equal(h.batch[k],
					 i == 1 && k == h.nbatches - 1 ? 2 : 1);
		assert_outcome(&h, OUTCOME_ACCEPTED, STAGE_MAIL, LE_NONE);
		assert_closed(&h);
	}
}

static void test_domain_probe_rejected(void **state)
{
	struct harness h;

	(void)state;
	harness_init(&h);
	h.cfg.rcpt = NULL;
	run_script(&h,
		   SCRIPT(BANNER, EHLO_PLAIN, "553 5.1.8 bad sender\r\n", BYE));
	assert_cmds(&h, CMDS("EHLO probe.test", "MAIL FROM:<>", "QUIT"));
	assert_outcome(&h, OUTCOME_REJECTED, STAGE_MAIL, LE_NONE);
	assert_closed(&h);
}

/* ---- STARTTLS policy (tests/hostile-inputs.md row 3) ---- */

static void test_require_not_offered(void **state)
{
	struct harness h;

	(void)state;
	harness_init(&h);
	h.cfg.starttls = STARTTLS_REQUIRE;
	run_script(&h, SCRIPT(BANNER, EHLO_PIPE, BYE));
	assert_cmds(&h, CMDS("EHLO probe.test", "QUIT"));
	assert_outcome(&h, OUTCOME_TLS_ERROR, STAGE_EHLO, LE_TLS_NOT_OFFERED);
	assert_closed(&h);
}

static void test_require_after_helo(void **state)
{
	struct harness h;

	(void)state;
	harness_init(&h);
	h.cfg.starttls = STARTTLS_REQUIRE;
	run_script(&h, SCRIPT(BANNER, "502 no\r\n", "250 hi\r\n", BYE));
	assert_cmds(&h, CMDS("EHLO probe.test", "HELO probe.test", "QUIT"));
	assert_outcome(&h, OUTCOME_TLS_ERROR, STAGE_HELO, LE_TLS_NOT_OFFERED);
	assert_closed(&h);
}

static void test_starttls_refused(void **state)
{
	static const char *const refusals[] = {
	    "454 4.7.0 TLS not available due to temporary reason\r\n",
	    "502 5.5.1 Not implemented\r\n",
	};
	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct harness h;

		/* require: the probe fails. */
		harness_init(&h);
		h.cfg.starttls = STARTTLS_REQUIRE;
		run_script(&h, SCRIPT(BANNER, EHLO_TLS, refusals[i], BYE));
		assert_cmds(&h, CMDS("EHLO probe.test", "STARTTLS", "QUIT"));
		assert_outcome(&h, OUTCOME_TLS_ERROR, STAGE_STARTTLS,
			       LE_TLS_REFUSED);
		assert_closed(&h);

		/* auto: on in clear, and the record says so. */
		harness_init(&h);
		run_script(
		    &h, SCRIPT(BANNER, EHLO_TLS, refusals[i], OK, OK, OK, BYE));
		assert_cmds(&h,
			    CMDS("EHLO probe.test", "STARTTLS", "MAIL FROM:<>",
				 "RCPT TO:<a@b.test>", "RSET", "QUIT"));
		assert_true(h.d.cleartext);
		assert_false(h.d.tls_active);
		assert_outcome(&h, OUTCOME_ACCEPTED, STAGE_RCPT, LE_NONE);
		assert_closed(&h);
	}
}

static void test_starttls_never(void **state)
{
	struct harness h;

	(void)state;
	harness_init(&h);
	h.cfg.starttls = STARTTLS_NEVER;
	run_script(&h, SCRIPT(BANNER, EHLO_TLS, OK, OK, OK, BYE));
	assert_cmds(&h, CMDS("EHLO probe.test", "MAIL FROM:<>",
			     "RCPT TO:<a@b.test>", "RSET", "QUIT"));
	assert_false(sent_anywhere(&h, "STARTTLS"));
	assert_closed(&h);
}

static void test_implicit_tls(void **state)
{
	struct harness h;

	(void)state;
	harness_init(&h);
	h.cfg.implicit_tls = 1;
	h.cfg.starttls = STARTTLS_REQUIRE;
	run_script(&h, SCRIPT(BANNER, EHLO_TLS, OK, OK, OK, BYE));
	assert_cmds(&h, CMDS("EHLO probe.test", "MAIL FROM:<>",
			     "RCPT TO:<a@b.test>", "RSET", "QUIT"));
	assert_false(h.d.cleartext);
	assert_outcome(&h, OUTCOME_ACCEPTED, STAGE_RCPT, LE_NONE);
	assert_closed(&h);

	/* An old server on 465: EHLO refused, HELO still tried. */
	harness_init(&h);
	h.cfg.implicit_tls = 1;
	run_script(&h,
		   SCRIPT(BANNER, "502 no\r\n", "250 hi\r\n", OK, OK, OK, BYE));
	assert_cmds(&h,
		    CMDS("EHLO probe.test", "HELO probe.test", "MAIL FROM:<>",
			 "RCPT TO:<a@b.test>", "RSET", "QUIT"));
	assert_outcome(&h, OUTCOME_ACCEPTED, STAGE_RCPT, LE_NONE);
}

static void test_reply_during_handshake(void **state)
{
	struct harness h;

	(void)state;
	harness_init(&h);
	start(&h);
	server_says(&h, BANNER);
	server_says(&h, EHLO_TLS);
	/* Answer STARTTLS by hand, without starting TLS. */
	{
		struct reply_parser p;
		enum rp_status st;
		struct reply *r;
		const struct dlg_action *a;

		rp_init(&p);
		rp_feed(&p, "220 go\r\n", 8, &st);
		r = rp_take(&p);
		a = dlg_on_reply(&h.d, r);
		assert_int_equal(a->kind, DA_START_TLS);
		assert_int_equal(h.d.state, DS_HANDSHAKE);
		a = dlg_on_reply(&h.d, r);
		assert_int_equal(a->kind, DA_CLOSE);
		reply_free(r);
		rp_reset(&p);
	}
	assert_outcome(&h, OUTCOME_PROTOCOL_ERROR, STAGE_TLS,
		       LE_PROTO_UNSOLICITED);
	assert_int_equal(h.d.state, DS_DONE);
}

/* ---- AUTH: only inside TLS, never shown ---- */

static void assert_no_secret_shown(const struct harness *h)
{
	for (size_t i = 0; i < h->ncmds; i++) {
		assert_null(strstr(h->shown[i], PASS));
		assert_null(strstr(h->shown[i], PLAIN_B64));
		assert_null(strstr(h->shown[i], "AHMzY3IzdC1QVw")); /* tail */
		assert_null(strstr(h->shown[i], PASS_B64));
		assert_null(strstr(h->shown[i], USER_B64));
	}
}

static void test_auth_plain(void **state)
{
	struct harness h;

	(void)state;
	harness_init(&h);
	h.cfg.auth_user = USER;
	h.cfg.auth_pass = PASS;
	run_script(&h, SCRIPT(BANNER, EHLO_TLS, "220 go\r\n",
			      "250-mx.test\r\n250 AUTH LOGIN PLAIN\r\n",
			      "235 2.7.0 Authentication successful\r\n", OK, OK,
			      OK, BYE));
	assert_cmds(&h,
		    CMDS("EHLO probe.test", "STARTTLS", TLS_MARK,
			 "EHLO probe.test", "AUTH PLAIN " PLAIN_B64,
			 "MAIL FROM:<>", "RCPT TO:<a@b.test>", "RSET", "QUIT"));
	assert_int_equal(h.stage[4], STAGE_AUTH);
	assert_true(strstr(h.shown[4], "redacted") != NULL);
	assert_no_secret_shown(&h);
	assert_outcome(&h, OUTCOME_ACCEPTED, STAGE_RCPT, LE_NONE);
	assert_closed(&h);
}

static void test_auth_login(void **state)
{
	struct harness h;

	(void)state;
	harness_init(&h);
	h.cfg.auth_user = USER;
	h.cfg.auth_pass = PASS;
	run_script(&h, SCRIPT(BANNER, EHLO_TLS, "220 go\r\n",
			      "250-mx.test\r\n250 AUTH LOGIN\r\n",
			      "334 VXNlcm5hbWU6\r\n", "334 UGFzc3dvcmQ6\r\n",
			      "235 2.7.0 Ok\r\n", OK, OK, OK, BYE));
	assert_cmds(&h,
		    CMDS("EHLO probe.test", "STARTTLS", TLS_MARK,
			 "EHLO probe.test", "AUTH LOGIN", USER_B64, PASS_B64,
			 "MAIL FROM:<>", "RCPT TO:<a@b.test>", "RSET", "QUIT"));
	assert_string_equal(h.shown[4], "AUTH LOGIN");
	assert_true(strstr(h.shown[5], "redacted") != NULL);
	assert_true(strstr(h.shown[6], "redacted") != NULL);
	assert_no_secret_shown(&h);
	assert_closed(&h);
}

static void test_auth_failed(void **state)
{
	static const char *const fails[] = {
	    "535 5.7.8 Authentication credentials invalid\r\n",
	    "534 5.7.9 Authentication mechanism is too weak\r\n",
	};
	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct harness h;

		harness_init(&h);
		h.cfg.auth_user = USER;
		h.cfg.auth_pass = PASS;
		run_script(&h, SCRIPT(BANNER, EHLO_TLS, "220 go\r\n",
				      "250-mx\r\n250 AUTH PLAIN\r\n", fails[i],
				      BYE));
		assert_cmds(&h, CMDS("EHLO probe.test", "STARTTLS", TLS_MARK,
				     "EHLO probe.test", "AUTH PLAIN " PLAIN_B64,
				     "QUIT"));
		assert_outcome(&h, OUTCOME_REJECTED, STAGE_AUTH, LE_NONE);
		assert_closed(&h);
	}

	/* AUTH LOGIN refused after the password. */
	struct harness h;

	harness_init(&h);
	h.cfg.auth_user = USER;
	h.cfg.auth_pass = PASS;
	run_script(&h, SCRIPT(BANNER, EHLO_TLS, "220 go\r\n",
			      "250-mx\r\n250 AUTH LOGIN\r\n", "334 x\r\n",
			      "334 y\r\n", "535 5.7.8 no\r\n", BYE));
	assert_outcome(&h, OUTCOME_REJECTED, STAGE_AUTH, LE_NONE);
	assert_string_equal(h.wire[h.ncmds - 1], "QUIT");
	assert_closed(&h);
}

static void test_auth_without_tls(void **state)
{
	const char *const *const scripts[] = {
	    /* No STARTTLS offered at all, AUTH offered in clear. */
	    SCRIPT(BANNER, "250-mx\r\n250 AUTH PLAIN LOGIN\r\n", BYE),
	    /* STARTTLS refused under "auto". */
	    SCRIPT(BANNER, "250-mx\r\n250-STARTTLS\r\n250 AUTH PLAIN\r\n",
		   "454 4.7.0 no TLS\r\n", BYE),
	    /* EHLO refused; HELO has no STARTTLS. */
	    SCRIPT(BANNER, "502 no\r\n", "250 hi\r\n", BYE),
	};
	(void)state;
	for (size_t i = 0; i < 3; i++) {
		struct harness h;

		harness_init(&h);
		h.cfg.auth_user = USER;
		h.cfg.auth_pass = PASS;
		run_script(&h, scripts[i]);
		assert_string_equal(outcome_name(h.d.outcome), "tls_error");
		assert_false(sent_anywhere(&h, "AUTH"));
		assert_false(sent_anywhere(&h, "MAIL"));
		assert_false(sent_anywhere(&h, PASS));
		assert_false(sent_anywhere(&h, PASS_B64));
		assert_false(sent_anywhere(&h, "AGFsaWNl"));
		assert_string_equal(h.wire[h.ncmds - 1], "QUIT");
		assert_closed(&h);
	}
}

static void test_auth_unavailable(void **state)
{
	struct harness h;

	(void)state;
	harness_init(&h);
	h.cfg.auth_user = USER;
	h.cfg.auth_pass = PASS;
	run_script(&h, SCRIPT(BANNER, EHLO_TLS, "220 go\r\n",
			      "250-mx\r\n250 AUTH CRAM-MD5 GSSAPI\r\n", BYE));
	assert_cmds(&h, CMDS("EHLO probe.test", "STARTTLS", TLS_MARK,
			     "EHLO probe.test", "QUIT"));
	assert_outcome(&h, OUTCOME_REJECTED, STAGE_AUTH, LE_AUTH_UNAVAILABLE);
	assert_closed(&h);
}

static void test_auth_implicit_tls(void **state)
{
	struct harness h;

	(void)state;
	harness_init(&h);
	h.cfg.implicit_tls = 1;
	h.cfg.auth_user = USER;
	h.cfg.auth_pass = PASS;
	run_script(&h, SCRIPT(BANNER, "250-mx\r\n250 AUTH PLAIN\r\n",
			      "235 ok\r\n", OK, OK, OK, BYE));
	assert_cmds(&h,
		    CMDS("EHLO probe.test", "AUTH PLAIN " PLAIN_B64,
			 "MAIL FROM:<>", "RCPT TO:<a@b.test>", "RSET", "QUIT"));
	assert_no_secret_shown(&h);
}

/* ---- credentials only over a verified certificate (issue 8) ---- */

/* Each certificate failure, on STARTTLS and on implicit TLS: no AUTH, no
 * EHLO inside the unverified session either, tls_error at the TLS
 * stage with the check that failed; QUIT ends it. */
static void test_unverified_certificate(void **state)
{
	static const enum local_error why[] = {
	    LE_TLS_SELF_SIGNED, LE_TLS_UNKNOWN_CA, LE_TLS_NAME,
	    LE_TLS_CERT_EXPIRED};
	struct harness h;

	(void)state;
	for (size_t i = 0; i < sizeof why / sizeof why[0]; i++) {
		harness_init(&h);
		h.cfg.auth_user = USER;
		h.cfg.auth_pass = PASS;
		h.verify = why[i];
		run_script(&h, SCRIPT(BANNER, EHLO_TLS, "220 go\r\n", BYE));
		assert_cmds(&h, CMDS("EHLO probe.test", "STARTTLS", TLS_MARK,
				     "QUIT"));
		assert_outcome(&h, OUTCOME_TLS_ERROR, STAGE_TLS, why[i]);
		assert_false(sent_anywhere(&h, "AUTH"));
		assert_false(sent_anywhere(&h, PLAIN_B64));
		assert_false(sent_anywhere(&h, PASS_B64));
		assert_closed(&h);

		/* Implicit TLS: the greeting is read, then QUIT. */
		harness_init(&h);
		h.cfg.implicit_tls = 1;
		h.cfg.auth_user = USER;
		h.cfg.auth_pass = PASS;
		h.verify = why[i];
		run_script(&h, SCRIPT(BANNER, BYE));
		assert_cmds(&h, CMDS("QUIT"));
		assert_outcome(&h, OUTCOME_TLS_ERROR, STAGE_TLS, why[i]);
		assert_closed(&h);

		/* --insecure: exactly that changes, AUTH goes. */
		harness_init(&h);
		h.cfg.auth_user = USER;
		h.cfg.auth_pass = PASS;
		h.cfg.insecure = 1;
		h.verify = why[i];
		run_script(&h, SCRIPT(BANNER, EHLO_TLS, "220 go\r\n",
				      "250-mx\r\n250 AUTH PLAIN\r\n",
				      "235 ok\r\n", OK, OK, OK, BYE));
		assert_cmds(&h,
			    CMDS("EHLO probe.test", "STARTTLS", TLS_MARK,
				 "EHLO probe.test", "AUTH PLAIN " PLAIN_B64,
				 "MAIL FROM:<>", "RCPT TO:<a@b.test>", "RSET",
				 "QUIT"));
		assert_outcome(&h, OUTCOME_ACCEPTED, STAGE_RCPT, LE_NONE);
		assert_no_secret_shown(&h);
	}
	/* Without credentials an unverified certificate stays a fact
	 * (opportunistic TLS, as MTAs do): the probe goes on. */
	harness_init(&h);
	h.verify = LE_TLS_SELF_SIGNED;
	run_script(&h, SCRIPT(BANNER, EHLO_TLS, "220 go\r\n", EHLO_PIPE, OK,
			      OK, OK, BYE));
	assert_outcome(&h, OUTCOME_ACCEPTED, STAGE_RCPT, LE_NONE);
	assert_true(h.d.tls_active);
	assert_int_equal(h.d.tls_verify, LE_TLS_SELF_SIGNED);
}

/* --starttls verify: TLS and a verified certificate, or tls_error. */
static void test_starttls_verify_mode(void **state)
{
	struct harness h;

	(void)state;
	harness_init(&h);
	h.cfg.starttls = STARTTLS_VERIFY;
	run_script(&h, SCRIPT(BANNER, EHLO_TLS, "220 go\r\n", EHLO_PIPE, OK,
			      OK, OK, BYE));
	assert_outcome(&h, OUTCOME_ACCEPTED, STAGE_RCPT, LE_NONE);

	harness_init(&h);
	h.cfg.starttls = STARTTLS_VERIFY;
	h.verify = LE_TLS_NAME;
	run_script(&h, SCRIPT(BANNER, EHLO_TLS, "220 go\r\n", BYE));
	assert_cmds(&h,
		    CMDS("EHLO probe.test", "STARTTLS", TLS_MARK, "QUIT"));
	assert_outcome(&h, OUTCOME_TLS_ERROR, STAGE_TLS, LE_TLS_NAME);
	assert_closed(&h);

	/* Not offered, or refused: no envelope in clear. */
	harness_init(&h);
	h.cfg.starttls = STARTTLS_VERIFY;
	run_script(&h, SCRIPT(BANNER, EHLO_PIPE, BYE));
	assert_cmds(&h, CMDS("EHLO probe.test", "QUIT"));
	assert_outcome(&h, OUTCOME_TLS_ERROR, STAGE_EHLO, LE_TLS_NOT_OFFERED);

	harness_init(&h);
	h.cfg.starttls = STARTTLS_VERIFY;
	run_script(&h, SCRIPT(BANNER, EHLO_TLS, "454 4.7.0 no\r\n", BYE));
	assert_cmds(&h, CMDS("EHLO probe.test", "STARTTLS", "QUIT"));
	assert_outcome(&h, OUTCOME_TLS_ERROR, STAGE_STARTTLS, LE_TLS_REFUSED);
	assert_false(h.d.starttls_refused); /* it failed, it did not go on */

	/* Implicit TLS under verify. */
	harness_init(&h);
	h.cfg.starttls = STARTTLS_VERIFY;
	h.cfg.implicit_tls = 1;
	h.verify = LE_TLS_UNKNOWN_CA;
	run_script(&h, SCRIPT(BANNER, BYE));
	assert_cmds(&h, CMDS("QUIT"));
	assert_outcome(&h, OUTCOME_TLS_ERROR, STAGE_TLS, LE_TLS_UNKNOWN_CA);

	/* A shift of the reply stream after that (a whole extra reply)
	 * cannot rewrite a local decision: the certificate still failed. */
	assert_int_equal(dlg_protocol_error(&h.d, STAGE_BANNER,
					    LE_PROTO_UNSOLICITED, 1),
			 0);
	assert_outcome(&h, OUTCOME_TLS_ERROR, STAGE_TLS, LE_TLS_UNKNOWN_CA);

	/* ...while it does overturn what a reply decided. */
	harness_init(&h);
	run_script(&h, SCRIPT(BANNER, EHLO_PLAIN, OK, OK));
	assert_outcome(&h, OUTCOME_ACCEPTED, STAGE_RCPT, LE_NONE);
	assert_int_equal(dlg_protocol_error(&h.d, STAGE_RSET,
					    LE_PROTO_UNSOLICITED, 1),
			 1);
	assert_outcome(&h, OUTCOME_PROTOCOL_ERROR, STAGE_RSET,
		       LE_PROTO_UNSOLICITED);
	/* Without override a decided outcome stays. */
	harness_init(&h);
	run_script(&h, SCRIPT(BANNER, EHLO_PLAIN, OK, OK));
	assert_int_equal(dlg_protocol_error(&h.d, STAGE_RSET,
					    LE_PROTO_MALFORMED, 0),
			 0);
	assert_outcome(&h, OUTCOME_ACCEPTED, STAGE_RCPT, LE_NONE);

	/* A 421 greeting after the failed check: close, no QUIT. */
	harness_init(&h);
	h.cfg.starttls = STARTTLS_VERIFY;
	h.cfg.implicit_tls = 1;
	h.verify = LE_TLS_UNKNOWN_CA;
	run_script(&h, SCRIPT("421 busy\r\n"));
	assert_int_equal(h.ncmds, 0);
	assert_outcome(&h, OUTCOME_TLS_ERROR, STAGE_TLS, LE_TLS_UNKNOWN_CA);
	assert_closed(&h);
}

/* STARTTLS offered, then refused, under auto: on in clear, and the
 * dialogue says it was refused (not merely absent). */
static void test_starttls_refused_auto(void **state)
{
	static const char *const refusals[] = {
	    "454 4.7.0 TLS not available\r\n", "502 5.5.1 no\r\n",
	    "554 5.7.0 no TLS for you\r\n"};
	struct harness h;

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		harness_init(&h);
		run_script(&h, SCRIPT(BANNER, EHLO_TLS, refusals[i], OK, OK,
				      OK, BYE));
		assert_cmds(&h, CMDS("EHLO probe.test", "STARTTLS",
				     "MAIL FROM:<>", "RCPT TO:<a@b.test>",
				     "RSET", "QUIT"));
		assert_outcome(&h, OUTCOME_ACCEPTED, STAGE_RCPT, LE_NONE);
		assert_true(h.d.starttls_refused);
		assert_true(h.d.cleartext);
	}
	/* Not offered at all is not "refused". */
	harness_init(&h);
	run_script(&h, SCRIPT(BANNER, EHLO_PIPE, OK, OK, OK, BYE));
	assert_false(h.d.starttls_refused);
	assert_true(h.d.cleartext);
}

/* ---- the state trace ---- */

struct trace_log {
	char line[64][48];
	size_t n;
};

static void record_trace(void *arg, const char *machine, const char *from,
			 const char *to)
{
	struct trace_log *t = arg;

	assert_string_equal(machine, "dialogue");
	assert_true(t->n < 64);
	snprintf(t->line[t->n++], sizeof t->line[0], "%s>%s", from, to);
}

/* Every change of state is traced, each from the state the last one
 * went to, and none without a change. */
static void test_state_trace(void **state)
{
	static const char *const want[] = {
	    "banner>ehlo",	"ehlo>starttls",    "starttls>handshake",
	    "handshake>ehlo",	"ehlo>auth",	    "auth>mail",
	    "mail>rcpt",	"rcpt>rset",	    "rset>quit",
	    "quit>done"};
	struct trace_log t = {0};
	struct harness h;

	(void)state;
	harness_init(&h);
	h.cfg.auth_user = USER;
	h.cfg.auth_pass = PASS;
	h.cfg.trace = record_trace;
	h.cfg.trace_arg = &t;
	run_script(&h, SCRIPT(BANNER, EHLO_TLS, "220 go\r\n",
			      "250-mx\r\n250 AUTH PLAIN\r\n", "235 ok\r\n",
			      OK, OK, OK, BYE));
	assert_closed(&h);
	assert_int_equal(t.n, sizeof want / sizeof want[0]);
	for (size_t i = 0; i < t.n; i++)
		assert_string_equal(t.line[i], want[i]);
}

/* ---- SMTPUTF8 (tests/hostile-inputs.md row 40) ---- */

static void test_smtputf8(void **state)
{
	struct harness h;

	(void)state;
	harness_init(&h);
	h.cfg.need_smtputf8 = 1;
	h.cfg.rcpt = "j\xc3\xb6rg@b.test";
	run_script(&h, SCRIPT(BANNER, EHLO_PLAIN, BYE));
	assert_cmds(&h, CMDS("EHLO probe.test", "QUIT"));
	assert_true(h.d.smtputf8_missing);
	assert_outcome(&h, OUTCOME_REJECTED, STAGE_MAIL,
		       LE_SMTPUTF8_UNAVAILABLE);
	assert_closed(&h);

	harness_init(&h);
	h.cfg.need_smtputf8 = 1;
	h.cfg.rcpt = "j\xc3\xb6rg@b.test";
	run_script(
	    &h, SCRIPT(BANNER, "250-mx\r\n250 SMTPUTF8\r\n", OK, OK, OK, BYE));
	assert_cmds(&h, CMDS("EHLO probe.test", "MAIL FROM:<> SMTPUTF8",
			     "RCPT TO:<j\xc3\xb6rg@b.test>", "RSET", "QUIT"));
	assert_false(h.d.smtputf8_missing);
	assert_outcome(&h, OUTCOME_ACCEPTED, STAGE_RCPT, LE_NONE);
	assert_closed(&h);
}

/* ---- the rest of the API ---- */

static void test_unsolicited_after_close(void **state)
{
	struct harness h;
	struct reply r = {.code = 250};

	(void)state;
	harness_init(&h);
	start(&h);
	server_says(&h, "521 no\r\n");
	assert_closed(&h);
	assert_int_equal(dlg_on_reply(&h.d, &r)->kind, DA_CLOSE);
	/* The first decision stands. */
	assert_outcome(&h, OUTCOME_REJECTED, STAGE_BANNER, LE_NONE);
}

static void test_abort(void **state)
{
	struct harness h;

	(void)state;
	harness_init(&h);
	start(&h);
	server_says(&h, BANNER);
	dlg_abort(&h.d, OUTCOME_TIMEOUT, STAGE_EHLO, LE_REPLY_TIMEOUT);
	assert_outcome(&h, OUTCOME_TIMEOUT, STAGE_EHLO, LE_REPLY_TIMEOUT);
	assert_int_equal(h.d.state, DS_DONE);
	dlg_abort(&h.d, OUTCOME_UNREACHABLE, STAGE_CONNECT, LE_CONN_RESET);
	assert_outcome(&h, OUTCOME_TIMEOUT, STAGE_EHLO, LE_REPLY_TIMEOUT);

	/* After a decision, an abort keeps it. */
	harness_init(&h);
	run_script(&h, SCRIPT(BANNER, EHLO_PLAIN, OK, OK));
	dlg_abort(&h.d, OUTCOME_TIMEOUT, STAGE_RSET, LE_REPLY_TIMEOUT);
	assert_outcome(&h, OUTCOME_ACCEPTED, STAGE_RCPT, LE_NONE);
}

static void test_state_names(void **state)
{
	(void)state;
	for (int s = 0; s < DS__COUNT; s++) {
		assert_non_null(dlg_state_name((enum dlg_state)s));
		assert_string_not_equal(dlg_state_name((enum dlg_state)s), "?");
	}
	assert_string_equal(dlg_state_name(DS__COUNT), "?");
}

/* ---- caps_parse (tests/hostile-inputs.md row 19) ---- */

static struct reply *parse(const char *s)
{
	struct reply_parser p;
	enum rp_status st;
	struct reply *r;

	rp_init(&p);
	assert_int_equal(rp_feed(&p, s, strlen(s), &st), strlen(s));
	assert_int_equal(st, RP_REPLY);
	r = rp_take(&p);
	rp_reset(&p);
	return r;
}

static void caps_of(struct capabilities *c, const char *ehlo)
{
	struct reply *r = parse(ehlo);

	memset(c, 0xa5, sizeof *c); /* caps_parse must clear it */
	caps_parse(c, r);
	reply_free(r);
}

static void test_caps_keywords(void **state)
{
	struct capabilities c;

	(void)state;
	caps_of(&c, "250-mx.test Hello\r\n250-PIPELINING\r\n250-8BITMIME\r\n"
		    "250-SMTPUTF8\r\n250-ENHANCEDSTATUSCODES\r\n"
		    "250-CHUNKING\r\n250-DSN\r\n250-STARTTLS\r\n"
		    "250 SIZE 10240000\r\n");
	assert_int_equal(c.flags, CAP_PIPELINING | CAP_8BITMIME | CAP_SMTPUTF8 |
				      CAP_ENHANCEDSTATUSCODES | CAP_CHUNKING |
				      CAP_DSN | CAP_STARTTLS | CAP_SIZE);
	assert_int_equal(c.size, 10240000);
	assert_int_equal(c.notes, 0);

	/* The greeting line is not a keyword; prefixes do not count. */
	caps_of(&c, "250-PIPELINING STARTTLS\r\n250-STARTTLSX\r\n"
		    "250-PIPELININGS\r\n250 X-STARTTLS\r\n");
	assert_int_equal(c.flags, 0);
	caps_of(&c, "250 mx.test\r\n");
	assert_int_equal(c.flags, 0);
	assert_int_equal(c.notes, 0);
}

static void test_caps_case_and_duplicates(void **state)
{
	struct capabilities c;

	(void)state;
	caps_of(&c, "250-mx\r\n250-pipelining\r\n250-PIPELINING\r\n"
		    "250 StartTLS\r\n");
	assert_int_equal(c.flags, CAP_PIPELINING | CAP_STARTTLS);
	assert_true(c.notes & CAPF_DUPLICATE);

	caps_of(&c, "250-mx\r\n250-SIZE 100\r\n250 size 200\r\n");
	assert_true(c.notes & CAPF_DUPLICATE);
	assert_true(c.flags & CAP_SIZE);
}

static void test_caps_size(void **state)
{
	static const struct {
		const char *line;
		int invalid;
		uint64_t size;
	} t[] = {
	    {"SIZE 10240000", 0, 10240000},
	    {"SIZE", 0, 0},
	    {"SIZE 0", 0, 0},
	    {"size 52428800", 0, 52428800},
	    {"SIZE 1e30", 1, 0},
	    {"SIZE -1", 1, 0},
	    {"SIZE +5", 1, 0},
	    {"SIZE 0x100", 1, 0},
	    {"SIZE 99999999999999999999999", 1, 0},
	    {"SIZE 18446744073709551616", 1, 0},
	    {"SIZE 10 MB", 1, 0},
	};
	(void)state;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct capabilities c;
		char buf[128];

		snprintf(buf, sizeof buf, "250-mx\r\n250 %s\r\n", t[i].line);
		caps_of(&c, buf);
		print_message("%s\n", t[i].line);
		assert_true(c.flags & CAP_SIZE);
		assert_int_equal(!!(c.notes & CAPF_SIZE_INVALID), t[i].invalid);
		assert_true(c.size == t[i].size);
	}
}

static void test_caps_auth(void **state)
{
	struct capabilities c;

	(void)state;
	caps_of(&c, "250-mx\r\n250 AUTH=LOGIN PLAIN\r\n");
	assert_true(c.flags & CAP_AUTH);
	assert_int_equal(c.auth_mechs, AUTH_MECH_LOGIN | AUTH_MECH_PLAIN);
	assert_int_equal(c.nmechs, 2);

	caps_of(&c, "250-mx\r\n250 auth plain login cram-md5 xoauth2 GSSAPI"
		    " SCRAM-SHA-256\r\n");
	assert_int_equal(c.auth_mechs, AUTH_MECH_PLAIN | AUTH_MECH_LOGIN |
					   AUTH_MECH_CRAM_MD5 |
					   AUTH_MECH_XOAUTH2 | AUTH_MECH_OTHER);
	assert_int_equal(c.nmechs, 6);

	caps_of(&c, "250-mx\r\n250 AUTH\r\n");
	assert_true(c.flags & CAP_AUTH);
	assert_int_equal(c.auth_mechs, 0);
	assert_int_equal(c.nmechs, 0);

	/* "PLAINX" and "LOGIN2" are other mechanisms, not PLAIN/LOGIN. */
	caps_of(&c, "250-mx\r\n250 AUTH PLAINX LOGIN2\r\n");
	assert_int_equal(c.auth_mechs, AUTH_MECH_OTHER);
}

/* "250-mx\r\n250 AUTH M0 M1 ... M(n-1) PLAIN\r\n" */
static char *many_mechs(size_t n)
{
	size_t sz = 64 + n * 8, o;
	char *s = malloc(sz);

	assert_non_null(s);
	o = (size_t)snprintf(s, sz, "250-mx\r\n250 AUTH");
	for (size_t i = 0; i < n; i++)
		o += (size_t)snprintf(s + o, sz - o, " M%zu", i);
	snprintf(s + o, sz - o, " PLAIN\r\n");
	return s;
}

static void test_caps_many_mechs(void **state)
{
	struct capabilities c;
	char *s;

	(void)state;
	s = many_mechs(63); /* 64 with PLAIN: all counted */
	caps_of(&c, s);
	assert_int_equal(c.nmechs, 64);
	assert_false(c.notes & CAPF_MANY_MECHS);
	assert_true(c.auth_mechs & AUTH_MECH_PLAIN);
	free(s);

	s = many_mechs(200);
	caps_of(&c, s);
	assert_int_equal(c.nmechs, 64);
	assert_true(c.notes & CAPF_MANY_MECHS);
	assert_true(c.flags & CAP_AUTH);
	free(s);

	/* The bound holds across several AUTH lines too. */
	caps_of(&c, "250-mx\r\n250-AUTH A B C D E F G H I J K L M N O P\r\n"
		    "250-AUTH A B C D E F G H I J K L M N O P\r\n"
		    "250-AUTH A B C D E F G H I J K L M N O P\r\n"
		    "250-AUTH A B C D E F G H I J K L M N O P\r\n"
		    "250 AUTH Q R S\r\n");
	assert_int_equal(c.nmechs, 64);
	assert_true(c.notes & CAPF_MANY_MECHS);
}

/* ---- base64 (RFC 4648 section 10) ---- */

static void test_base64(void **state)
{
	static const struct {
		const char *in;
		const char *out;
	} t[] = {
	    {"", ""},
	    {"f", "Zg=="},
	    {"fo", "Zm8="},
	    {"foo", "Zm9v"},
	    {"foob", "Zm9vYg=="},
	    {"fooba", "Zm9vYmE="},
	    {"foobar", "Zm9vYmFy"},
	};
	static const unsigned char bin[] = {0x00, 0xff, 0xfe, 0x3e, 0x3f};
	char out[32];

	(void)state;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		size_t n = base64_encode(out, sizeof out,
					 (const unsigned char *)t[i].in,
					 strlen(t[i].in));

		assert_int_equal(n, strlen(t[i].out));
		assert_string_equal(out, t[i].out);
	}
	assert_int_equal(base64_encode(out, sizeof out, bin, sizeof bin), 8);
	assert_string_equal(out, "AP/+Pj8=");
	/* Exactly enough room (4 + NUL), and one byte short. */
	assert_int_equal(base64_encode(out, 5, (const unsigned char *)"foo", 3),
			 4);
	assert_string_equal(out, "Zm9v");
	assert_int_equal(base64_encode(out, 4, (const unsigned char *)"foo", 3),
			 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain_no_starttls),
	    cmocka_unit_test(test_sender_and_size),
	    cmocka_unit_test(test_helo_fallback),
	    cmocka_unit_test(test_helo_odd_replies),
	    cmocka_unit_test(test_starttls_forgets_caps),
	    cmocka_unit_test(test_starttls_once),
	    cmocka_unit_test(test_pipelining),
	    cmocka_unit_test(test_pipelined_replies_in_one_read),
	    cmocka_unit_test(test_banners),
	    cmocka_unit_test(test_ehlo_rejected),
	    cmocka_unit_test(test_mail_rejected),
	    cmocka_unit_test(test_mail_tempfail_pipelined),
	    cmocka_unit_test(test_rcpt_replies),
	    cmocka_unit_test(test_extra_rcpts),
	    cmocka_unit_test(test_extra_rcpts_mail_refused),
	    cmocka_unit_test(test_extra_rcpt_odd_replies),
	    cmocka_unit_test(test_domain_catch_all),
	    cmocka_unit_test(test_quit_unawaited),
	    cmocka_unit_test(test_rset_refused_keeps_verdict),
	    cmocka_unit_test(test_unverified_certificate),
	    cmocka_unit_test(test_starttls_verify_mode),
	    cmocka_unit_test(test_starttls_refused_auto),
	    cmocka_unit_test(test_state_trace),
	    cmocka_unit_test(test_354_never_data),
	    cmocka_unit_test(test_354_to_pipelined_mail),
	    cmocka_unit_test(test_421_anywhere),
	    cmocka_unit_test(test_421_during_auth),
	    cmocka_unit_test(test_odd_quit_reply),
	    cmocka_unit_test(test_domain_probe),
	    cmocka_unit_test(test_domain_probe_rejected),
	    cmocka_unit_test(test_require_not_offered),
	    cmocka_unit_test(test_require_after_helo),
	    cmocka_unit_test(test_starttls_refused),
	    cmocka_unit_test(test_starttls_never),
	    cmocka_unit_test(test_implicit_tls),
	    cmocka_unit_test(test_reply_during_handshake),
	    cmocka_unit_test(test_auth_plain),
	    cmocka_unit_test(test_auth_login),
	    cmocka_unit_test(test_auth_failed),
	    cmocka_unit_test(test_auth_without_tls),
	    cmocka_unit_test(test_auth_unavailable),
	    cmocka_unit_test(test_auth_implicit_tls),
	    cmocka_unit_test(test_smtputf8),
	    cmocka_unit_test(test_unsolicited_after_close),
	    cmocka_unit_test(test_abort),
	    cmocka_unit_test(test_state_names),
	    cmocka_unit_test(test_caps_keywords),
	    cmocka_unit_test(test_caps_case_and_duplicates),
	    cmocka_unit_test(test_caps_size),
	    cmocka_unit_test(test_caps_auth),
	    cmocka_unit_test(test_caps_many_mechs),
	    cmocka_unit_test(test_base64),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
