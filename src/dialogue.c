/*
 * dialogue.c - see dialogue.h. One handler per state; set_state() is the
 * only way the state changes, and set_outcome() the only way the outcome
 * does. The outcome is set once, by the first reply or event that decides
 * it; later replies (RSET, QUIT) do not change it. The one exception is a
 * provable shift of the reply stream (dlg_protocol_error with override).
 */
#include "smtpprobe/dialogue.h"

#include "smtpprobe/bounds.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const state_names[DS__COUNT] = {
    [DS_BANNER] = "banner",	  [DS_EHLO] = "ehlo",
    [DS_HELO] = "helo",		  [DS_STARTTLS] = "starttls",
    [DS_HANDSHAKE] = "handshake", [DS_AUTH] = "auth",
    [DS_AUTH_USER] = "auth-user", [DS_AUTH_PASS] = "auth-pass",
    [DS_MAIL] = "mail",		  [DS_RCPT] = "rcpt",
    [DS_RSET] = "rset",		  [DS_QUIT] = "quit",
    [DS_DONE] = "done",
};

const char *dlg_state_name(enum dlg_state s)
{
	return (unsigned)s < DS__COUNT ? state_names[s] : "?";
}

int dlg_needs_verified_tls(const struct dialogue_config *cfg)
{
	return cfg->starttls == STARTTLS_VERIFY ||
	       (cfg->auth_user && !cfg->insecure);
}

/* TLS of any kind is a must: "require", "verify", or credentials. */
static int needs_tls(const struct dialogue_config *cfg)
{
	return cfg->starttls == STARTTLS_REQUIRE ||
	       cfg->starttls == STARTTLS_VERIFY || cfg->auth_user;
}

static void set_state(struct dialogue *d, enum dlg_state s)
{
	if (d->cfg && d->cfg->trace && d->state != s)
		d->cfg->trace(d->cfg->trace_arg, "dialogue",
			      dlg_state_name(d->state), dlg_state_name(s));
	d->state = s;
}

/* An outcome a reply's class decided: the only kind a shifted reply
 * stream can have got wrong. A local decision (a certificate that did
 * not verify, no STARTTLS, no SMTPUTF8) stands whatever follows. */
static int decided_by_reply(const struct dialogue *d)
{
	return (d->outcome == OUTCOME_ACCEPTED ||
		d->outcome == OUTCOME_REJECTED ||
		d->outcome == OUTCOME_TEMPFAIL) &&
	       d->error == LE_NONE;
}

/* The one writer of the outcome: o decided at stage at for reason e.
 * Nothing changes once decided, unless override (a provable shift of the
 * replies) replaces a decision that a reply made. Returns 1 when the
 * outcome changed. */
static int set_outcome(struct dialogue *d, enum outcome o, enum stage at,
		       enum local_error e, int override)
{
	if (d->outcome != OUTCOME_NONE && !(override && decided_by_reply(d)))
		return 0;
	d->outcome = o;
	d->decided_at = at;
	d->error = e;
	return 1;
}

size_t base64_encode(char *out, size_t outsz, const unsigned char *in,
		     size_t len)
{
	static const char tbl[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t need = (len + 2) / 3 * 4, o = 0;

	if (need + 1 > outsz)
		return 0;
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)in[i] << 16;
		if (i + 1 < len)
			v |= (unsigned)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		out[o++] = tbl[(v >> 18) & 63];
		out[o++] = tbl[(v >> 12) & 63];
		out[o++] = i + 1 < len ? tbl[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < len ? tbl[v & 63] : '=';
	}
	out[o] = '\0';
	return o;
}

/* ---- capabilities ---- */

static int keyword_is(const char *t, size_t len, const char *kw, size_t *rest)
{
	size_t n = strlen(kw);

	if (len < n || strncasecmp(t, kw, n) != 0)
		return 0;
	if (len > n && t[n] != ' ' && t[n] != '=')
		return 0;
	*rest = n;
	return 1;
}

static void parse_size(struct capabilities *c, const char *t, size_t len)
{
	uint64_t v = 0;
	size_t i = 0;

	while (i < len && t[i] == ' ')
		i++;
	if (i == len)
		return; /* "SIZE" alone: no fixed limit */
	for (; i < len; i++) {
		if (t[i] < '0' || t[i] > '9' || v > (UINT64_MAX - 9) / 10) {
			c->notes |= CAPF_SIZE_INVALID;
			c->size = 0;
			return;
		}
		v = v * 10 + (uint64_t)(t[i] - '0');
	}
	c->size = v;
}

static void parse_auth(struct capabilities *c, const char *t, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t start;

		while (i < len && (t[i] == ' ' || t[i] == '='))
			i++;
		start = i;
		while (i < len && t[i] != ' ')
			i++;
		if (i == start)
			break;
		if (c->nmechs >= AUTH_MECHS_CAP) {
			c->notes |= CAPF_MANY_MECHS;
			return;
		}
		c->nmechs++;
		size_t n = i - start;
		if (n == 5 && strncasecmp(t + start, "PLAIN", 5) == 0)
			c->auth_mechs |= AUTH_MECH_PLAIN;
		else if (n == 5 && strncasecmp(t + start, "LOGIN", 5) == 0)
			c->auth_mechs |= AUTH_MECH_LOGIN;
		else if (n == 8 && strncasecmp(t + start, "CRAM-MD5", 8) == 0)
			c->auth_mechs |= AUTH_MECH_CRAM_MD5;
		else if (n == 7 && strncasecmp(t + start, "XOAUTH2", 7) == 0)
			c->auth_mechs |= AUTH_MECH_XOAUTH2;
		else
			c->auth_mechs |= AUTH_MECH_OTHER;
	}
}

void caps_parse(struct capabilities *c, const struct reply *r)
{
	static const struct {
		const char *kw;
		unsigned flag;
	} simple[] = {
	    {"PIPELINING", CAP_PIPELINING},
	    {"STARTTLS", CAP_STARTTLS},
	    {"8BITMIME", CAP_8BITMIME},
	    {"SMTPUTF8", CAP_SMTPUTF8},
	    {"ENHANCEDSTATUSCODES", CAP_ENHANCEDSTATUSCODES},
	    {"CHUNKING", CAP_CHUNKING},
	    {"DSN", CAP_DSN},
	};

	memset(c, 0, sizeof *c);
	for (size_t i = 1; i < r->nlines; i++) {
		const char *t = r->lines[i].text;
		size_t len = r->lines[i].len, rest;

		for (size_t k = 0; k < sizeof simple / sizeof simple[0]; k++) {
			if (keyword_is(t, len, simple[k].kw, &rest)) {
				if (c->flags & simple[k].flag)
					c->notes |= CAPF_DUPLICATE;
				c->flags |= simple[k].flag;
			}
		}
		if (keyword_is(t, len, "SIZE", &rest)) {
			if (c->flags & CAP_SIZE)
				c->notes |= CAPF_DUPLICATE;
			c->flags |= CAP_SIZE;
			parse_size(c, t + rest, len - rest);
		} else if (keyword_is(t, len, "AUTH", &rest)) {
			c->flags |= CAP_AUTH;
			parse_auth(c, t + rest, len - rest);
		}
	}
}

/* ---- actions ---- */

/* Every new action starts from wiped buffers: the previous one may have
 * carried AUTH credentials. */
static struct dlg_action *act(struct dialogue *d, enum dlg_kind k)
{
	/* The last action's commands may hold a secret (AUTH). */
	explicit_bzero(d->act.cmds, d->act.ncmds * sizeof d->act.cmds[0]);
	d->act.kind = k;
	d->act.ncmds = 0;
	return &d->act;
}

/* Append the command head arg tail (arg and tail may be NULL); shown ==
 * NULL means "show what is sent". Built without a run-time format string
 * so that every format is checked at compile time. */
static void add_cmd(struct dialogue *d, enum stage st, const char *shown,
		    const char *head, const char *arg, const char *tail)
{
	struct dlg_command *c = &d->act.cmds[d->act.ncmds++];
	int n;

	c->stage = st;
	c->role = RCPT_NONE;
	c->target = 0;
	n = snprintf(c->wire, sizeof c->wire - 2, "%s%s%s", head,
		     arg ? arg : "", tail ? tail : "");
	if (n < 0 || (size_t)n >= sizeof c->wire - 2)
		n = (int)sizeof c->wire - 3; /* inputs are bounded; belt */
	if (shown)
		snprintf(c->shown, sizeof c->shown, "%s", shown);
	else
		memcpy(c->shown, c->wire, (size_t)n + 1);
	memcpy(c->wire + n, "\r\n", 3);
	d->act.kind = DA_SEND;
	d->pending++;
}

/* The stage a state belongs to. */
static enum stage stage_of(enum dlg_state s)
{
	switch (s) {
	case DS_BANNER: return STAGE_BANNER;
	case DS_EHLO: return STAGE_EHLO;
	case DS_HELO: return STAGE_HELO;
	case DS_STARTTLS: return STAGE_STARTTLS;
	case DS_HANDSHAKE: return STAGE_TLS;
	case DS_AUTH:
	case DS_AUTH_USER:
	case DS_AUTH_PASS: return STAGE_AUTH;
	case DS_MAIL: return STAGE_MAIL;
	case DS_RCPT: return STAGE_RCPT;
	case DS_RSET: return STAGE_RSET;
	default: return STAGE_QUIT;
	}
}

/* A reply (or the dialogue's own rule) decided, at the current state. */
static void decide(struct dialogue *d, enum outcome o, enum local_error e)
{
	set_outcome(d, o, stage_of(d->state), e, 0);
}

/* The outcome is decided and nothing else of the run waits: QUIT, and
 * close without its 221 (one round trip less, as Postfix's client). */
static int skip_quit_reply(const struct dialogue *d)
{
	/* Replies still due would be unread at the close, and a close with
	 * unread data resets the connection: QUIT might not even arrive. */
	return d->outcome != OUTCOME_NONE && d->pending == 0 &&
	       d->cfg->quit_unawaited &&
	       d->cfg->quit_unawaited(d->cfg->quit_arg);
}

static const struct dlg_action *send_quit_close(struct dialogue *d)
{
	act(d, DA_SEND_CLOSE);
	add_cmd(d, STAGE_QUIT, NULL, "QUIT", NULL, NULL);
	d->act.kind = DA_SEND_CLOSE;
	d->pending = 0;
	d->quit_unawaited = 1;
	set_state(d, DS_DONE);
	return &d->act;
}

static const struct dlg_action *send_quit(struct dialogue *d)
{
	if (skip_quit_reply(d))
		return send_quit_close(d);
	act(d, DA_SEND);
	set_state(d, DS_QUIT);
	add_cmd(d, STAGE_QUIT, NULL, "QUIT", NULL, NULL);
	return &d->act;
}

static const struct dlg_action *close_now(struct dialogue *d)
{
	set_state(d, DS_DONE);
	return act(d, DA_CLOSE);
}

/* The reply decided a failure: a 421 closes at once (RFC 5321 3.8),
 * anything else is answered with QUIT. */
static const struct dlg_action *fail_reply(struct dialogue *d, int code)
{
	enum reply_class cls = reply_class_of(code);

	if (cls == CLASS_TRANSIENT)
		decide(d, OUTCOME_TEMPFAIL, LE_NONE);
	else if (cls == CLASS_PERMANENT)
		decide(d, OUTCOME_REJECTED, LE_NONE);
	else
		decide(d, OUTCOME_PROTOCOL_ERROR, LE_PROTO_UNEXPECTED);
	if (code == 421)
		return close_now(d);
	return send_quit(d);
}

static const struct dlg_action *send_ehlo(struct dialogue *d)
{
	memset(&d->caps, 0, sizeof d->caps);
	act(d, DA_SEND);
	set_state(d, DS_EHLO);
	add_cmd(d, STAGE_EHLO, NULL, "EHLO ", d->cfg->helo, NULL);
	return &d->act;
}

/* The transaction is over: RSET it, then QUIT. With PIPELINING both go
 * in one write (RFC 2920 lets QUIT end a group), saving a round trip. */
static const struct dlg_action *send_rset(struct dialogue *d)
{
	/* Not waiting for replies: RSET would only delay QUIT, which ends
	 * the transaction as well (RFC 5321 4.1.1.10). */
	if (skip_quit_reply(d))
		return send_quit_close(d);
	act(d, DA_SEND);
	set_state(d, DS_RSET);
	add_cmd(d, STAGE_RSET, NULL, "RSET", NULL, NULL);
	d->quit_pipelined = (d->caps.flags & CAP_PIPELINING) != 0;
	if (d->quit_pipelined)
		add_cmd(d, STAGE_QUIT, NULL, "QUIT", NULL, NULL);
	return &d->act;
}

/* The RCPT TOs of the transaction, target first: how many, and the i-th
 * with its role. */
static size_t rcpt_total(const struct dialogue *d)
{
	return (d->cfg->rcpt ? 1 : 0) + d->cfg->nextra;
}

static const char *rcpt_at(const struct dialogue *d, size_t i,
			   enum rcpt_role *role, int *target)
{
	*target = 0;
	if (d->cfg->rcpt) {
		if (i == 0) {
			*role = RCPT_TARGET;
			return d->cfg->rcpt;
		}
		i--;
	}
	*role = d->cfg->extra_role[i];
	if (*role == RCPT_TARGET)
		*target = d->cfg->extra_target[i];
	return d->cfg->extra_rcpt[i];
}

static void add_rcpt(struct dialogue *d)
{
	enum rcpt_role role;
	int target;
	const char *a = rcpt_at(d, d->rcpt_sent++, &role, &target);

	add_cmd(d, STAGE_RCPT, NULL, "RCPT TO:<", a, ">");
	d->act.cmds[d->act.ncmds - 1].role = role;
	d->act.cmds[d->act.ncmds - 1].target = target;
}

static const struct dlg_action *send_mail(struct dialogue *d)
{
	char line[DLG_WIRE_MAX];
	int utf8 = d->cfg->need_smtputf8;

	if (utf8 && !(d->caps.flags & CAP_SMTPUTF8)) {
		/* RFC 6531: an address with a UTF-8 local part may only be
		 * sent to a server that offers SMTPUTF8. */
		d->smtputf8_missing = 1;
		set_state(d, DS_MAIL);
		decide(d, OUTCOME_REJECTED, LE_SMTPUTF8_UNAVAILABLE);
		return send_quit(d);
	}
	snprintf(line, sizeof line, "MAIL FROM:<%s>%s", d->cfg->mail_from,
		 utf8 ? " SMTPUTF8" : "");
	act(d, DA_SEND);
	set_state(d, DS_MAIL);
	add_cmd(d, STAGE_MAIL, NULL, line, NULL, NULL);
	d->rcpt_pipelined = 0;
	if (rcpt_total(d) > 0 && (d->caps.flags & CAP_PIPELINING)) {
		while (d->rcpt_sent < rcpt_total(d))
			add_rcpt(d);
		d->rcpt_pipelined = 1;
	}
	return &d->act;
}

static const struct dlg_action *send_auth(struct dialogue *d)
{
	const struct dialogue_config *c = d->cfg;
	unsigned char raw[AUTH_PLAIN_RAW_MAX];
	char b64[DLG_WIRE_MAX];
	size_t ul = strlen(c->auth_user), pl = strlen(c->auth_pass);

	act(d, DA_SEND);
	set_state(d, DS_AUTH);
	if ((d->caps.auth_mechs & AUTH_MECH_PLAIN) &&
	    ul + pl + 2 <= sizeof raw) {
		/* RFC 4616: authzid NUL authcid NUL passwd */
		raw[0] = '\0';
		memcpy(raw + 1, c->auth_user, ul);
		raw[1 + ul] = '\0';
		memcpy(raw + 2 + ul, c->auth_pass, pl);
		size_t n = base64_encode(b64, sizeof b64, raw, ul + pl + 2);
		explicit_bzero(raw, sizeof raw);
		if (n > 0) {
			add_cmd(d, STAGE_AUTH,
				"AUTH PLAIN <credentials redacted>",
				"AUTH PLAIN ", b64, NULL);
			explicit_bzero(b64, sizeof b64);
			return &d->act;
		}
	}
	if (d->caps.auth_mechs & AUTH_MECH_LOGIN) {
		add_cmd(d, STAGE_AUTH, NULL, "AUTH LOGIN", NULL, NULL);
		return &d->act;
	}
	decide(d, OUTCOME_REJECTED, LE_AUTH_UNAVAILABLE);
	return send_quit(d);
}

/* Capabilities are known (EHLO or HELO done, before or after TLS):
 * STARTTLS, AUTH or MAIL next. */
static const struct dlg_action *after_greeting(struct dialogue *d)
{
	const struct dialogue_config *c = d->cfg;

	if (!d->tls_active && c->starttls != STARTTLS_NEVER &&
	    (d->caps.flags & CAP_STARTTLS)) {
		act(d, DA_SEND);
		set_state(d, DS_STARTTLS);
		add_cmd(d, STAGE_STARTTLS, NULL, "STARTTLS", NULL, NULL);
		return &d->act;
	}
	/* Credentials never travel in clear. */
	if (!d->tls_active && needs_tls(c)) {
		decide(d, OUTCOME_TLS_ERROR, LE_TLS_NOT_OFFERED);
		return send_quit(d);
	}
	if (!d->tls_active)
		d->cleartext = 1;
	if (c->auth_user) {
		/* dlg_tls_ready has already ended an unverified session
		 * unless insecure; this is the last line of that defence. */
		if (d->tls_verify != LE_NONE && !c->insecure) {
			decide(d, OUTCOME_TLS_ERROR, d->tls_verify);
			return send_quit(d);
		}
		return send_auth(d);
	}
	return send_mail(d);
}

/* ---- one handler per state ---- */

static const struct dlg_action *on_banner(struct dialogue *d, int code)
{
	/* Implicit TLS whose certificate failed a check that mattered: the
	 * greeting only gets a QUIT. */
	if (d->outcome != OUTCOME_NONE)
		return code == 521 ? close_now(d) : send_quit(d);
	if (code == 220)
		return send_ehlo(d);
	if (code == 521) { /* RFC 7504: does not accept mail; just close */
		decide(d, OUTCOME_REJECTED, LE_NONE);
		return close_now(d);
	}
	if (code == 530 || code / 100 < 4) {
		/* 221, 354, 530, any 2xx/3xx but 220: not a greeting
		 * (RFC 5321 4.3.2 allows 220, 554 and 421). */
		decide(d, OUTCOME_PROTOCOL_ERROR, LE_PROTO_UNEXPECTED);
		return send_quit(d);
	}
	/* 554 (RFC 5321 3.1: QUIT only), and any other 4xx/5xx a server
	 * greets with: a sending MTA defers or gives up on that host. */
	return fail_reply(d, code);
}

static const struct dlg_action *on_ehlo(struct dialogue *d,
					const struct reply *r)
{
	if (r->code == 250) {
		caps_parse(&d->caps, r);
		return after_greeting(d);
	}
	/* Not after STARTTLS (that server spoke EHLO a moment ago), but on
	 * implicit TLS (465) EHLO is the first thing it hears. */
	if ((r->code == 500 || r->code == 502) &&
	    (!d->tls_active || d->cfg->implicit_tls)) {
		d->helo_fallback = 1;
		act(d, DA_SEND);
		set_state(d, DS_HELO);
		add_cmd(d, STAGE_HELO, NULL, "HELO ", d->cfg->helo, NULL);
		return &d->act;
	}
	return fail_reply(d, r->code);
}

static const struct dlg_action *on_helo(struct dialogue *d, int code)
{
	if (code == 250) {
		memset(&d->caps, 0, sizeof d->caps);
		return after_greeting(d);
	}
	return fail_reply(d, code);
}

static const struct dlg_action *on_starttls(struct dialogue *d, int code)
{
	if (code == 220) {
		set_state(d, DS_HANDSHAKE);
		return act(d, DA_START_TLS);
	}
	/* (A 421 never gets here: dlg_on_reply closes on it first.) */
	if (needs_tls(d->cfg) || code / 100 < 4) {
		decide(d,
		       code / 100 < 4 ? OUTCOME_PROTOCOL_ERROR
				      : OUTCOME_TLS_ERROR,
		       code / 100 < 4 ? LE_PROTO_UNEXPECTED : LE_TLS_REFUSED);
		return send_quit(d);
	}
	/* "auto": go on in clear, and the record says so loudly: offered,
	 * then refused, is also what a downgrade attack looks like. */
	d->cleartext = 1;
	d->starttls_refused = 1;
	return send_mail(d);
}

static const struct dlg_action *on_auth(struct dialogue *d, int code)
{
	unsigned char *u;
	char b64[DLG_WIRE_MAX];
	const char *secret;

	if (code == 235)
		return send_mail(d);
	if (code != 334 || d->state == DS_AUTH_PASS ||
	    !(d->caps.auth_mechs & AUTH_MECH_LOGIN) ||
	    (d->state == DS_AUTH && (d->caps.auth_mechs & AUTH_MECH_PLAIN)))
		return fail_reply(d, code);
	/* AUTH LOGIN: 334 asks for the user name, then the password. */
	secret = d->state == DS_AUTH ? d->cfg->auth_user : d->cfg->auth_pass;
	u = (unsigned char *)secret;
	if (base64_encode(b64, sizeof b64, u, strlen(secret)) == 0)
		return fail_reply(d, 501);
	act(d, DA_SEND);
	if (d->state == DS_AUTH) {
		set_state(d, DS_AUTH_USER);
		add_cmd(d, STAGE_AUTH, "<user name redacted>", b64, NULL, NULL);
	} else {
		set_state(d, DS_AUTH_PASS);
		add_cmd(d, STAGE_AUTH, "<password redacted>", b64, NULL, NULL);
	}
	explicit_bzero(b64, sizeof b64);
	return &d->act;
}

static enum outcome outcome_of_class(int code)
{
	switch (reply_class_of(code)) {
	case CLASS_SUCCESS: return OUTCOME_ACCEPTED;
	case CLASS_TRANSIENT: return OUTCOME_TEMPFAIL;
	case CLASS_PERMANENT: return OUTCOME_REJECTED;
	default: return OUTCOME_PROTOCOL_ERROR;
	}
}

static const struct dlg_action *on_mail(struct dialogue *d, int code)
{
	if (code / 100 == 2) {
		d->mail_ok = 1;
		if (!d->cfg->rcpt) /* domain probe: MAIL decides */
			decide(d, OUTCOME_ACCEPTED, LE_NONE);
		if (rcpt_total(d) == 0)
			return send_rset(d);
		set_state(d, DS_RCPT);
		if (d->rcpt_pipelined)
			return act(d, DA_WAIT);
		act(d, DA_SEND);
		add_rcpt(d);
		return &d->act;
	}
	if (d->rcpt_pipelined && code != 421) {
		/* The pipelined RCPTs' replies are still due; read them. */
		enum outcome o = outcome_of_class(code);
		decide(d, o,
		       o == OUTCOME_PROTOCOL_ERROR ? LE_PROTO_UNEXPECTED
						   : LE_NONE);
		set_state(d, DS_RCPT);
		return act(d, DA_WAIT);
	}
	return fail_reply(d, code);
}

/* A reply to a RCPT TO, in the order they were sent. The target's
 * decides (a 354 here is a protocol error: never DATA); the others are
 * recorded by the session and change nothing. When every reply due is
 * in: the next RCPT (without PIPELINING), else RSET; QUIT instead when
 * there is no transaction to reset or a reply made no sense. */
static const struct dlg_action *on_rcpt(struct dialogue *d, int code)
{
	size_t i = d->rcpt_replied++;
	enum outcome o = outcome_of_class(code);

	if (o == OUTCOME_PROTOCOL_ERROR)
		d->rcpt_odd = 1;
	if (d->cfg->rcpt && i == 0 && d->outcome == OUTCOME_NONE)
		decide(d, o,
		       o == OUTCOME_PROTOCOL_ERROR ? LE_PROTO_UNEXPECTED
						   : LE_NONE);
	if (d->pending > 0)
		return act(d, DA_WAIT);
	if (!d->mail_ok || d->rcpt_odd)
		return send_quit(d);
	if (d->rcpt_sent < rcpt_total(d)) {
		act(d, DA_SEND);
		add_rcpt(d);
		return &d->act;
	}
	/* MAIL was accepted, so a transaction is open: end it with RSET. */
	return send_rset(d);
}

/* The reply to RCPT TO (MAIL FROM for a domain) has decided, and RSET
 * cannot undo that: a server that refuses RSET (500, 530, even 354) is
 * odd, and the record says so, but a sending MTA would already have its
 * answer. Replies that are provably out of step (more replies than
 * commands) are caught by the session before they get here. */
static const struct dlg_action *on_rset(struct dialogue *d, int code)
{
	(void)code;
	if (d->quit_pipelined) {
		set_state(d, DS_QUIT);
		return act(d, DA_WAIT);
	}
	return send_quit(d);
}

void dlg_init(struct dialogue *d, const struct dialogue_config *cfg)
{
	memset(d, 0, sizeof *d);
	d->cfg = cfg;
	d->pending = 1; /* the greeting */
	d->decided_at = STAGE_CONNECT;
	d->tls_verify = LE_NONE;
	/* Implicit TLS: the handshake comes before the greeting. */
	set_state(d, cfg->implicit_tls ? DS_HANDSHAKE : DS_BANNER);
}

const struct dlg_action *dlg_on_reply(struct dialogue *d, const struct reply *r)
{
	int code = r->code;

	if (d->pending > 0)
		d->pending--;
	if (d->state != DS_DONE && code == 421 && d->state != DS_QUIT)
		return fail_reply(d, code);
	switch (d->state) {
	case DS_BANNER: return on_banner(d, code);
	case DS_EHLO: return on_ehlo(d, r);
	case DS_HELO: return on_helo(d, code);
	case DS_STARTTLS: return on_starttls(d, code);
	case DS_AUTH:
	case DS_AUTH_USER:
	case DS_AUTH_PASS: return on_auth(d, code);
	case DS_MAIL: return on_mail(d, code);
	case DS_RCPT: return on_rcpt(d, code);
	case DS_RSET: return on_rset(d, code);
	case DS_QUIT: return close_now(d);
	case DS_HANDSHAKE: /* a reply during the handshake: impossible */
	case DS_DONE:
	default:
		decide(d, OUTCOME_PROTOCOL_ERROR, LE_PROTO_UNSOLICITED);
		return close_now(d);
	}
}

const struct dlg_action *dlg_tls_ready(struct dialogue *d,
				       enum local_error verify)
{
	int greeted = !d->cfg->implicit_tls;

	if (d->state != DS_HANDSHAKE) { /* not asked for: a caller's bug */
		decide(d, OUTCOME_PROTOCOL_ERROR, LE_PROTO_UNEXPECTED);
		return close_now(d);
	}
	d->tls_active = 1;
	d->cleartext = 0;
	d->tls_verify = verify;
	if (verify != LE_NONE && dlg_needs_verified_tls(d->cfg))
		decide(d, OUTCOME_TLS_ERROR, verify); /* at STAGE_TLS */
	if (!greeted) {
		set_state(d, DS_BANNER);
		return act(d, DA_WAIT);
	}
	if (d->outcome != OUTCOME_NONE)
		return send_quit(d);
	return send_ehlo(d);
}

const struct dlg_action *dlg_quit(struct dialogue *d)
{
	if (d->state == DS_QUIT || d->state == DS_DONE)
		return close_now(d);
	return send_quit(d);
}

int dlg_protocol_error(struct dialogue *d, enum stage at, enum local_error e,
		       int override)
{
	return set_outcome(d, OUTCOME_PROTOCOL_ERROR, at, e, override);
}

void dlg_abort(struct dialogue *d, enum outcome o, enum stage at,
	       enum local_error e)
{
	set_outcome(d, o, at, e, 0);
	set_state(d, DS_DONE);
}
