/*
 * fuzz_dialogue.c - the SMTP state machine (dialogue.h) driven by a
 * fuzzed server: the input's bytes go through a real reply_parser, every
 * complete reply into dlg_on_reply, whatever the state (the machine must
 * cope with replies in any order, even those the session would refuse as
 * unsolicited). DA_START_TLS is answered with dlg_tls_ready, as the unit
 * tests' fake transport does; the bytes after it stand for the server
 * inside TLS. A malformed reply ends the dialogue as the session does:
 * protocol error, dlg_quit, close on the answer.
 *
 * Byte 0 chooses the configuration:
 *   bits 0-1  --starttls auto / require / never / verify
 *   bit 2     AUTH credentials configured
 *   bit 3     domain probe (no RCPT)
 *   bit 4     implicit TLS (port 465)
 *   bit 5     the target needs SMTPUTF8
 *   bit 6     a non-null sender
 *   bit 7     byte 2 chooses a canned greeting and EHLO reply that is
 *             put before the rest: bit 0 PIPELINING, 1 STARTTLS, 2 AUTH
 *             PLAIN LOGIN, 3 AUTH LOGIN only, 4 SMTPUTF8, 5 a 354 banner,
 *             6 a HELO fallback (EHLO answered 502), 7 CHUNKING
 * Byte 1: bit 0 the certificate fails verification (bit 1 picks which
 * check: the chain or the name), bit 2 --insecure.
 *
 * Invariants: no command's wire text starts with DATA or BDAT (any
 * case); every wire text is one line ending in CRLF with no other CR, LF
 * or NUL; no shown text holds the password, its base64, or the base64 of
 * the AUTH PLAIN message; credentials only go out inside TLS, and only
 * over a verified certificate unless --insecure; nothing but QUIT goes
 * out in clear under --starttls require or verify once capabilities are
 * known, and nothing but QUIT over an unverified certificate under
 * verify or with credentials (without --insecure); an action has at most two commands; DA_CLOSE leaves the
 * machine done with an outcome decided. The same stream fed whole and
 * one byte at a time gives the same commands and outcome (row 17).
 */
#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "smtpprobe/dialogue.h"
#include "smtpprobe/reply.h"

#define USER	  "fuzz-user@example.org"
#define PASS	  "s3cr3t-Pa55-w0rd!"
#define MAX_STEPS 4096

struct secrets {
	char pass_b64[128];
	char plain_b64[256];
};

static void tape_int(struct tape *t, int v)
{
	tape_put(t, &v, sizeof v);
}

static void make_secrets(struct secrets *s)
{
	unsigned char plain[128];
	size_t ul = strlen(USER), pl = strlen(PASS);

	FUZZ_CHECK(base64_encode(s->pass_b64, sizeof s->pass_b64,
				 (const unsigned char *)PASS, pl) > 0);
	plain[0] = '\0';
	memcpy(plain + 1, USER, ul);
	plain[1 + ul] = '\0';
	memcpy(plain + 2 + ul, PASS, pl);
	FUZZ_CHECK(base64_encode(s->plain_b64, sizeof s->plain_b64, plain,
				 ul + pl + 2) > 0);
}

static int mentions_secret(const char *t, const struct secrets *s)
{
	return strstr(t, PASS) || strstr(t, s->pass_b64) ||
	       strstr(t, s->plain_b64);
}

static void check_command(const struct dialogue *d, const struct dlg_command *c,
			  const struct secrets *s, int caps_known)
{
	size_t n = strnlen(c->wire, sizeof c->wire);
	size_t m = strnlen(c->shown, sizeof c->shown);

	FUZZ_CHECK((unsigned)c->stage < STAGE__COUNT);
	/* One line, ending in CRLF. */
	FUZZ_CHECK(n < sizeof c->wire && n >= 3);
	FUZZ_CHECK(c->wire[n - 2] == '\r' && c->wire[n - 1] == '\n');
	FUZZ_CHECK(memchr(c->wire, '\r', n - 2) == NULL);
	FUZZ_CHECK(memchr(c->wire, '\n', n - 2) == NULL);
	/* Never a message. */
	FUZZ_CHECK(strncasecmp(c->wire, "DATA", 4) != 0);
	FUZZ_CHECK(strncasecmp(c->wire, "BDAT", 4) != 0);
	/* The record's copy: one line, no secret. */
	FUZZ_CHECK(m < sizeof c->shown);
	FUZZ_CHECK(memchr(c->shown, '\r', m) == NULL);
	FUZZ_CHECK(memchr(c->shown, '\n', m) == NULL);
	FUZZ_CHECK(!mentions_secret(c->shown, s));
	/* Credentials never travel in clear. */
	if (mentions_secret(c->wire, s) ||
	    strncasecmp(c->wire, "AUTH", 4) == 0) {
		FUZZ_CHECK(d->cfg->auth_user != NULL);
		FUZZ_CHECK(d->tls_active);
		FUZZ_CHECK(d->tls_verify == LE_NONE || d->cfg->insecure);
	}
	/* --starttls require/verify: once capabilities are known, only
	 * STARTTLS or QUIT may go out before TLS (no MAIL, RCPT, AUTH in
	 * clear). */
	if ((d->cfg->starttls == STARTTLS_REQUIRE ||
	     d->cfg->starttls == STARTTLS_VERIFY) &&
	    !d->tls_active && caps_known)
		FUZZ_CHECK(strncasecmp(c->wire, "STARTTLS", 8) == 0 ||
			   strncasecmp(c->wire, "QUIT", 4) == 0);
	/* Every RCPT TO says whose it is, and nothing else does. */
	FUZZ_CHECK((c->stage == STAGE_RCPT) == (c->role != RCPT_NONE));
	FUZZ_CHECK(c->role != RCPT_TARGET || d->cfg->rcpt != NULL);
	/* A certificate that had to verify and did not: QUIT, nothing
	 * else, not even EHLO. */
	if (d->tls_active && d->tls_verify != LE_NONE &&
	    dlg_needs_verified_tls(d->cfg))
		FUZZ_CHECK(strcmp(c->wire, "QUIT\r\n") == 0);
}

/* Check an action and write it to the tape; 1 when the dialogue is
 * over. */
static int take_action(struct dialogue *d, const struct dlg_action *a,
		       const struct secrets *s, struct tape *t)
{
	FUZZ_CHECK(a != NULL);
	FUZZ_CHECK(a->ncmds <= DLG_CMDS_MAX);
	tape_int(t, (int)a->kind);
	switch (a->kind) {
	case DA_SEND:
		FUZZ_CHECK(a->ncmds >= 1);
		for (size_t i = 0; i < a->ncmds; i++) {
			/* EHLO/HELO themselves come before capabilities. */
			int caps_known =
			    d->state != DS_EHLO && d->state != DS_HELO;
			check_command(d, &a->cmds[i], s, caps_known);
			tape_put(t, a->cmds[i].wire, strlen(a->cmds[i].wire));
			tape_int(t, (int)a->cmds[i].stage);
		}
		return 0;
	case DA_WAIT: FUZZ_CHECK(a->ncmds == 0); return 0;
	case DA_START_TLS:
		FUZZ_CHECK(a->ncmds == 0);
		FUZZ_CHECK(!d->tls_active);
		FUZZ_CHECK(d->cfg->starttls != STARTTLS_NEVER);
		return 0;
	case DA_CLOSE:
		FUZZ_CHECK(a->ncmds == 0);
		FUZZ_CHECK(d->state == DS_DONE);
		FUZZ_CHECK(d->outcome != OUTCOME_NONE);
		return 1;
	case DA_SEND_CLOSE:
		/* QUIT without waiting: only once decided, only QUIT. */
		FUZZ_CHECK(a->ncmds == 1);
		FUZZ_CHECK(strcmp(a->cmds[0].wire, "QUIT\r\n") == 0);
		FUZZ_CHECK(d->state == DS_DONE);
		FUZZ_CHECK(d->outcome != OUTCOME_NONE);
		FUZZ_CHECK(d->cfg->quit_unawaited != NULL);
		check_command(d, &a->cmds[0], s, 1);
		tape_put(t, a->cmds[0].wire, strlen(a->cmds[0].wire));
		return 1;
	}
	FUZZ_CHECK(0 && "unknown action kind");
	return 1;
}

/* What the session does on a malformed reply while the connection still
 * works (session.c fail_quit): decide a protocol error, QUIT once, and
 * close on whatever answers it. The rest of that read is dropped, which
 * depends on how the bytes were split, so the stream ends here and a
 * "221" stands for the answer. Returns 1: the dialogue is over. */
static int protocol_error(struct dialogue *d, const struct secrets *s,
			  struct tape *t)
{
	static char bye_text[] = "bye";
	struct reply_line bye_line = {.text = bye_text, .len = 3};
	struct reply bye = {.code = 221, .nlines = 1, .lines = &bye_line};
	const struct dlg_action *a;

	if (d->outcome == OUTCOME_NONE) {
		d->outcome = OUTCOME_PROTOCOL_ERROR;
		d->error = LE_PROTO_MALFORMED;
		d->decided_at = STAGE_QUIT;
	}
	a = dlg_quit(d);
	if (take_action(d, a, s, t))
		return 1;
	FUZZ_CHECK(a->kind == DA_SEND && a->ncmds == 1);
	FUZZ_CHECK(strcmp(a->cmds[0].wire, "QUIT\r\n") == 0);
	a = dlg_on_reply(d, &bye);
	FUZZ_CHECK(take_action(d, a, s, t) == 1);
	return 1;
}

static void run(const struct dialogue_config *cfg, enum local_error verify,
		const uint8_t *data, size_t size, int bytewise,
		const struct secrets *s, struct tape *t)
{
	struct dialogue d;
	struct reply_parser p;
	size_t off = 0;
	int over = 0, steps = 0;

	dlg_init(&d, cfg);
	rp_init(&p);
	FUZZ_CHECK(d.outcome == OUTCOME_NONE);
	if (cfg->implicit_tls) { /* the handshake comes first */
		FUZZ_CHECK(d.state == DS_HANDSHAKE);
		over = take_action(&d, dlg_tls_ready(&d, verify), s, t);
		FUZZ_CHECK(!over && d.state == DS_BANNER);
	} else {
		FUZZ_CHECK(d.state == DS_BANNER);
	}
	while (off < size && !over && steps < MAX_STEPS) {
		size_t chunk = bytewise ? 1 : size - off, used = 0;

		while (used < chunk && !over) {
			enum rp_status st;
			const struct dlg_action *a;
			struct reply *r;
			size_t n = rp_feed(&p, (const char *)data + off + used,
					   chunk - used, &st);

			FUZZ_CHECK(n <= chunk - used);
			used += n;
			if (st == RP_MORE)
				break;
			r = rp_take(&p);
			if (st == RP_ERROR) {
				reply_free(r);
				tape_int(t, -1);
				over = protocol_error(&d, s, t);
				break;
			}
			steps++;
			tape_int(t, r->code);
			a = dlg_on_reply(&d, r);
			reply_free(r);
			over = take_action(&d, a, s, t);
			if (!over && a->kind == DA_START_TLS) {
				/* What follows stands for the server's words
				 * inside TLS. Refusing bytes that came with
				 * the 220 is the session's job (session.c),
				 * not modelled here: it depends on reads. */
				FUZZ_CHECK(d.state == DS_HANDSHAKE);
				a = dlg_tls_ready(&d, verify);
				FUZZ_CHECK(d.tls_active);
				over = take_action(&d, a, s, t);
			}
		}
		off += chunk;
	}
	if (!over) /* the server went silent: the step times out */
		dlg_abort(&d, OUTCOME_TIMEOUT, STAGE_QUIT, LE_NONE);
	FUZZ_CHECK(d.state == DS_DONE);
	FUZZ_CHECK(d.outcome != OUTCOME_NONE);
	FUZZ_CHECK((unsigned)d.outcome < OUTCOME__COUNT);
	FUZZ_CHECK((unsigned)d.decided_at < STAGE__COUNT);
	FUZZ_CHECK(dlg_state_name(d.state) != NULL);
	tape_int(t, (int)d.outcome);
	tape_int(t, (int)d.decided_at);
	tape_int(t, (int)d.error);
	tape_int(t, d.cleartext);
	tape_int(t, d.helo_fallback);
	tape_int(t, d.smtputf8_missing);
	rp_reset(&p);
}

/* A canned greeting and EHLO reply, chosen by one byte. */
static size_t prologue(unsigned char sel, char *out, size_t cap)
{
	size_t n = 0;

#define PUT(s)                                                                 \
	do {                                                                   \
		size_t l_ = strlen(s);                                         \
		FUZZ_CHECK(n + l_ < cap);                                      \
		memcpy(out + n, s, l_);                                        \
		n += l_;                                                       \
	} while (0)
	PUT(sel & 0x20 ? "354 go ahead\r\n" : "220 mx.example.net ESMTP\r\n");
	if (sel & 0x40) {
		PUT("502 5.5.1 EHLO not implemented\r\n");
		PUT("250 mx.example.net\r\n");
	} else {
		PUT("250-mx.example.net\r\n");
		if (sel & 0x01)
			PUT("250-PIPELINING\r\n");
		if (sel & 0x02)
			PUT("250-STARTTLS\r\n");
		if (sel & 0x04)
			PUT("250-AUTH PLAIN LOGIN\r\n");
		if (sel & 0x08)
			PUT("250-AUTH LOGIN\r\n");
		if (sel & 0x10)
			PUT("250-SMTPUTF8\r\n");
		if (sel & 0x80)
			PUT("250-CHUNKING\r\n");
		PUT("250 8BITMIME\r\n");
	}
#undef PUT
	return n;
}

static int always(void *arg)
{
	(void)arg;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum starttls_mode modes[4] = {
	    STARTTLS_AUTO, STARTTLS_REQUIRE, STARTTLS_NEVER, STARTTLS_VERIFY};
	struct dialogue_config cfg;
	struct secrets s;
	struct tape whole = {0}, bytes = {0};
	unsigned char *stream;
	size_t slen = 0, skip = 1;
	unsigned char c, c1;
	enum local_error verify = LE_NONE;

	if (size < 1)
		return 0;
	c = data[0];
	c1 = size >= 2 ? data[1] : 0;
	skip = size >= 2 ? 2 : 1;
	if (c1 & 1)
		verify = c1 & 2 ? LE_TLS_NAME : LE_TLS_UNKNOWN_CA;
	memset(&cfg, 0, sizeof cfg);
	cfg.helo = "probe.example.org";
	cfg.mail_from = c & 0x40 ? "sender@example.org" : "";
	cfg.rcpt = c & 0x08 ? NULL : "rcpt@example.net";
	cfg.starttls = modes[c & 3];
	cfg.implicit_tls = !!(c & 0x10);
	cfg.auth_user = c & 0x04 ? USER : NULL;
	cfg.auth_pass = c & 0x04 ? PASS : NULL;
	cfg.need_smtputf8 = !!(c & 0x20);
	cfg.insecure = !!(c1 & 4);
	/* Nothing else of the run pending: QUIT without its reply. */
	if (c1 & 32)
		cfg.quit_unawaited = always;
	/* The control and catch-all recipients, as the session adds them. */
	if (c1 & 8) {
		cfg.extra_rcpt[cfg.nextra] = "postmaster@example.net";
		cfg.extra_role[cfg.nextra++] = RCPT_CONTROL;
	}
	if (c1 & 16) {
		cfg.extra_rcpt[cfg.nextra] = "q3x9z1k7m2w8v4b6@example.net";
		cfg.extra_role[cfg.nextra++] = RCPT_CATCH_ALL;
	}
	make_secrets(&s);

	stream = malloc(size + 512);
	FUZZ_CHECK(stream != NULL);
	if ((c & 0x80) && size >= 3) {
		slen = prologue(data[2], (char *)stream, 512);
		skip = 3;
	}
	memcpy(stream + slen, data + skip, size - skip);
	slen += size - skip;

	run(&cfg, verify, stream, slen, 0, &s, &whole);
	run(&cfg, verify, stream, slen, 1, &s, &bytes);
	FUZZ_CHECK(whole.len == bytes.len &&
		   memcmp(whole.buf, bytes.buf, whole.len) == 0);
	free(whole.buf);
	free(bytes.buf);
	free(stream);
	return 0;
}
