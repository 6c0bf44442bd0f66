/*
 * session.c - see session.h.
 *
 * Replies are matched to the commands that asked for them in order: every
 * command sent opens a step, every reply closes the oldest open step. A
 * reply that arrives with nothing open, or bytes still buffered when the
 * last due reply is complete, are unsolicited: a protocol error, and after
 * "220" to STARTTLS an injection attempt (curl CVE-2021-22947). The TLS
 * handshake then never starts, so no pre-TLS byte is ever trusted.
 *
 * Each wait has a deadline set when the wait begins (connect, handshake,
 * a command sent); partial reads do not extend it, so a server dripping
 * one byte at a time is cut off like a silent one.
 */
#include "smtpprobe/session.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include "smtpprobe/bounds.h"
#include "smtpprobe/dialogue.h"
#include "smtpprobe/net.h"
#include "smtpprobe/reply.h"
#include "smtpprobe/sanitize.h"
#include "smtpprobe/socks5.h"
#include "smtpprobe/policy_dns.h"
#include "smtpprobe/recipients.h"
#include "smtpprobe/tlsconn.h"

/* The longest pipelined write fits the output buffer. */
_Static_assert(SESSION_OUT_MAX >= DLG_CMDS_MAX * DLG_WIRE_MAX,
	       "SESSION_OUT_MAX holds the longest pipelined write");
_Static_assert(SESSION_OPEN_MAX >= DLG_CMDS_MAX,
	       "SESSION_OPEN_MAX holds every command of one write");

enum sess_state {
	SS_IDLE,
	SS_CONNECTING,
	SS_PROXY, /* --proxy: the SOCKS5 handshake, inside the connect step */
	SS_HANDSHAKE,
	SS_DIALOGUE,
	SS_DONE,
	SS__COUNT
};

static const char *const sess_state_names[SS__COUNT] = {
    [SS_IDLE] = "idle",		[SS_CONNECTING] = "connecting",
    [SS_PROXY] = "proxy",	[SS_HANDSHAKE] = "handshake",
    [SS_DIALOGUE] = "dialogue", [SS_DONE] = "done",
};

#define TLS_GREETING_TEXT                                                      \
	"the server sent TLS bytes instead of a greeting: this port expects "  \
	"implicit TLS (as on 465), not STARTTLS"

struct session {
	const struct session_env *env;
	int idx;
	struct probe *probe;
	const char *host; /* name checked against the certificate */
	int fd;
	SSL *ssl;
	/* What OpenSSL asked for, per operation, so that the operation that
	 * asked is the one retried when the socket is ready. */
	int hs_wants_write; /* the handshake waits for POLLOUT */
	int rd_wants_write; /* SSL_read waits for POLLOUT (renegotiation) */
	int wr_wants_read;  /* SSL_write waits for POLLIN */
	enum sess_state state;
	long deadline;
	long started;  /* connect start, for connect_ms */
	int cur_step;  /* connect or TLS step in progress */
	int drop_rest; /* ignore the rest of this read (after fail_quit) */
	/* After a malformed reply, the replies still due to the commands
	 * pipelined behind it: each is recorded on its own step, none goes
	 * to the dialogue, which has ended (QUIT's reply comes after). */
	int skip_due;
	int close_after_flush; /* QUIT is going out; then close */
	int open[SESSION_OPEN_MAX];
	size_t nopen;
	char out[SESSION_OUT_MAX];
	size_t outlen, outoff;
	struct reply_parser rp;
	struct dialogue dlg;
	struct dialogue_config dcfg;
	/* DANE: the host's TLSA records, when a DANE sender uses them; and
	 * whether this probe judges as one (--tls-policy enforce). */
	const struct dane_host *dane;
	int dane_enforce;
	int dane_unauthenticated; /* OpenSSL took no record: TLS is enough */
	/* --proxy: the SOCKS5 handshake (its struct holds the password until
	 * it is sent) and when the proxy's connection was up. */
	int via_proxy;
	struct socks5 s5;
	long proxy_started;
};

/* The only way the session's state changes; traced when asked. */
static void set_state(struct session *s, enum sess_state st)
{
	if (s->dcfg.trace && s->state != st)
		s->dcfg.trace(s->dcfg.trace_arg, "session",
			      sess_state_names[s->state], sess_state_names[st]);
	s->state = st;
}

static void finish(struct session *s, long now);
static void fail(struct session *s, long now, int step, enum outcome o,
		 enum local_error e, const char *detail);
static void perform(struct session *s, const struct dlg_action *a, long now);

static int in_tls(const struct session *s)
{
	return s->ssl != NULL && s->state == SS_DIALOGUE;
}

/* SMTPPROBE_TRACE_STATES: every state change of both machines on
 * stderr (stdout may be carrying the JSON document). */
static void trace_state(void *arg, const char *machine, const char *from,
			const char *to)
{
	const struct session *s = arg;

	fprintf(stderr, "smtpprobe: trace: #%d %s: %s -> %s\n", s->idx + 1,
		machine, from, to);
}

/* A host whose TLSA records count (signed all the way, usable): a DANE
 * sender insists on TLS and on a certificate that matches them, as
 * --starttls verify does with PKIX (RFC 7672 2.2). --starttls never
 * is the user's word against it, and stands. */
static void dane_config(struct session *s)
{
	const struct config *cfg = s->env->cfg;
	const struct dane_host *d;

	if (cfg->tls_policy == TLSP_OFF)
		return;
	d = policy_dane_of(s->env->rec, s->probe);
	if (!d || (!d->applies && !d->encrypt_only))
		return;
	s->dane = d;
	if (cfg->tls_policy != TLSP_ENFORCE ||
	    s->dcfg.starttls == STARTTLS_NEVER)
		return;
	s->dane_enforce = 1;
	if (d->status == DANE_USABLE)
		s->dcfg.starttls = STARTTLS_VERIFY;
	else if (d->encrypt_only && s->dcfg.starttls == STARTTLS_AUTO)
		s->dcfg.starttls = STARTTLS_REQUIRE; /* TLS, any certificate */
}

/* The dialogue asks, once its outcome is decided. */
static int quit_unawaited(void *arg)
{
	const struct session *s = arg;

	return s->env->others_pending &&
	       !s->env->others_pending(s->env->pending_arg, s);
}

struct session *session_new(const struct session_env *env, int probe)
{
	struct session *s = calloc(1, sizeof *s);
	const struct config *cfg = env->cfg;

	if (!s)
		return NULL;
	s->env = env;
	s->idx = probe;
	s->probe = &env->rec->probes[probe];
	s->host = env->rec->dns.hosts[s->probe->host].name;
	s->fd = -1;
	s->deadline = LONG_MAX;
	s->cur_step = -1;
	rp_init(&s->rp);
	s->dcfg.helo = cfg->helo;
	s->dcfg.mail_from = cfg->from;
	s->dcfg.rcpt =
	    env->rec->target->is_address ? env->rec->target->rcpt : NULL;
	s->dcfg.starttls = cfg->starttls;
	s->dcfg.implicit_tls = port_is_implicit_tls(s->probe->port);
	s->dcfg.auth_user = cfg->auth_user[0] ? cfg->auth_user : NULL;
	s->dcfg.auth_pass = cfg->auth_pass;
	s->dcfg.insecure = cfg->insecure;
	s->dcfg.need_smtputf8 =
	    cfg->from_smtputf8 || env->rec->target->need_smtputf8;
	s->dcfg.quit_unawaited = quit_unawaited;
	s->dcfg.quit_arg = s;
	if (cfg->trace_states) {
		s->dcfg.trace = trace_state;
		s->dcfg.trace_arg = s;
	}
	recipients_configure(env->rec, s->probe, &s->dcfg);
	dane_config(s);
	dlg_init(&s->dlg, &s->dcfg);
	s->via_proxy = cfg->proxy.host[0] != '\0';
	s->probe->tls.mode = s->dcfg.implicit_tls ? TLSM_IMPLICIT : TLSM_NONE;
	return s;
}

void session_free(struct session *s)
{
	if (!s)
		return;
	if (s->ssl)
		SSL_free(s->ssl);
	if (s->fd >= 0)
		close(s->fd);
	rp_reset(&s->rp);
	socks5_wipe(&s->s5);
	/* The output buffer and the dialogue may hold AUTH credentials;
	 * explicit_bzero is not optimised away before free(). */
	explicit_bzero(s, sizeof *s);
	free(s);
}

int session_fd(const struct session *s)
{
	return s->fd;
}

long session_deadline(const struct session *s)
{
	return s->state == SS_DONE ? LONG_MAX : s->deadline;
}

int session_done(const struct session *s)
{
	return s->state == SS_DONE;
}

int session_probe(const struct session *s)
{
	return s->idx;
}

short session_events(const struct session *s)
{
	switch (s->state) {
	case SS_CONNECTING: return POLLOUT;
	case SS_PROXY: {
		const unsigned char *o;
		return socks5_pending_out(&s->s5, &o) ? POLLOUT : POLLIN;
	}
	case SS_HANDSHAKE: return s->hs_wants_write ? POLLOUT : POLLIN;
	case SS_DIALOGUE: {
		int out = s->outoff < s->outlen && !s->wr_wants_read;
		return (short)(POLLIN |
			       (out || s->rd_wants_write ? POLLOUT : 0));
	}
	default: return 0;
	}
}

static long timeout_ms(const struct session *s)
{
	return (long)s->env->cfg->timeout_s * 1000;
}

static void note(struct session *s, long now, const char *msg)
{
	record_note(s->env->rec, now, s->idx, in_tls(s), "%s", msg);
}

/* Give a step a local error, with a note that reports it. */
static void mark_step(struct session *s, long now, int step, enum local_error e)
{
	struct step *sp = &s->probe->steps[step];
	const struct local_error_info *li = codes_local(e);

	sp->error = e;
	sp->event = record_note(s->env->rec, now, s->idx, in_tls(s), "%s",
				li ? li->name : "error");
}

/* A protocol error on a connection that still works: decide, then say
 * QUIT politely and close on the answer (or its timeout). What else is
 * in this read is dropped, not matched to the QUIT. override: a whole
 * reply more than the commands asked for proves the stream shifted, and
 * overturns an outcome a reply decided (dlg_protocol_error). */
static void fail_quit(struct session *s, long now, int step, enum local_error e,
		      const char *detail, int override)
{
	struct probe *p = s->probe;
	const struct local_error_info *li = codes_local(e);

	if (s->dlg.state == DS_QUIT || step < 0) {
		fail(s, now, step, OUTCOME_PROTOCOL_ERROR, e, detail);
		return;
	}
	if (p->steps[step].error == LE_NONE) {
		p->steps[step].error = e;
		p->steps[step].detail = sanitize_dup(detail, strlen(detail));
		p->steps[step].event =
		    record_note(s->env->rec, now, s->idx, in_tls(s), "%s: %s",
				li ? li->name : "error", detail);
	}
	if (p->steps[step].reply_ms < 0)
		p->steps[step].reply_ms = now;
	if (dlg_protocol_error(&s->dlg, p->steps[step].stage, e, override))
		p->deciding_step = step;
	rp_reset(&s->rp);
	if (e == LE_PROTO_MALFORMED && s->nopen > 1 && s->open[0] == step) {
		/* A whole malformed line: the lines still frame, so the
		 * replies behind it are each its own command's, and QUIT's
		 * comes after them. */
		memmove(s->open, s->open + 1, --s->nopen * sizeof s->open[0]);
		s->skip_due = (int)s->nopen;
	} else {
		s->nopen = 0; /* replies still due will never be matched */
		s->drop_rest = 1;
	}
	perform(s, dlg_quit(&s->dlg), now);
}

/* A failure that ends the probe: mark the step, decide, close. */
static void fail(struct session *s, long now, int step, enum outcome o,
		 enum local_error e, const char *detail)
{
	struct probe *p = s->probe;
	enum stage st = STAGE_CONNECT;

	if (step < 0) {
		st = s->nopen ? p->steps[s->open[0]].stage : STAGE_CONNECT;
		step = s->nopen ? s->open[0] : -1;
	}
	if (step >= 0) {
		struct step *sp = &p->steps[step];
		st = sp->stage;
		if (sp->error == LE_NONE) {
			sp->error = e;
			if (detail && !sp->detail)
				sp->detail =
				    sanitize_dup(detail, strlen(detail));
		}
		if (sp->reply_ms < 0)
			sp->reply_ms = now;
	}
	if (s->dlg.outcome == OUTCOME_NONE && step >= 0)
		p->deciding_step = step;
	dlg_abort(&s->dlg, o, st, e);
	const struct local_error_info *li = codes_local(e);
	int ev = record_note(s->env->rec, now, s->idx, in_tls(s), "%s%s%s",
			     li ? li->name : "error", detail ? ": " : "",
			     detail ? detail : "");
	if (step >= 0 && p->steps[step].event < 0)
		p->steps[step].event = ev;
	finish(s, now);
}

static void finish(struct session *s, long now)
{
	struct probe *p = s->probe;

	if (s->state == SS_DONE)
		return;
	if (s->dlg.outcome == OUTCOME_NONE)
		dlg_abort(&s->dlg, OUTCOME_PROTOCOL_ERROR, STAGE_QUIT,
			  LE_CONN_CLOSED);
	p->outcome = s->dlg.outcome;
	if (s->dlg.cleartext)
		p->flags |= PROBEF_CLEARTEXT;
	if (s->dlg.helo_fallback)
		p->flags |= PROBEF_HELO;
	if (s->dlg.smtputf8_missing)
		p->flags |= PROBEF_SMTPUTF8_MISSING;
	if (s->dlg.starttls_refused)
		p->flags |= PROBEF_STARTTLS_REFUSED;
	p->caps = s->dlg.caps.flags;
	if (s->ssl) {
		SSL_free(s->ssl);
		s->ssl = NULL;
	}
	if (s->fd >= 0) {
		close(s->fd);
		s->fd = -1;
		record_note(s->env->rec, now, s->idx, 0,
			    "connection closed (%s)", outcome_name(p->outcome));
	}
	set_state(s, SS_DONE);
}

/* ---- connecting ---- */

/* The connection to the proxy failed: the mail host was never tried. */
static void proxy_connect_failed(struct session *s, long now, int err)
{
	const struct proxy_url *px = &s->env->cfg->proxy;
	char why[160];

	snprintf(why, sizeof why,
		 px->family == AF_INET6 ? "the proxy [%s]:%d: %s"
					: "the proxy %s:%d: %s",
		 px->host, px->port, strerror(err));
	if (err == ETIMEDOUT)
		fail(s, now, s->cur_step, OUTCOME_TIMEOUT, LE_PROXY_TIMEOUT,
		     why);
	else
		fail(s, now, s->cur_step, OUTCOME_UNREACHABLE,
		     err == ECONNREFUSED ? LE_PROXY_REFUSED
					 : LE_PROXY_UNREACHABLE,
		     why);
}

static void connect_failed(struct session *s, long now, int err)
{
	enum outcome o;
	enum local_error e;

	if (s->via_proxy) {
		proxy_connect_failed(s, now, err);
		return;
	}
	switch (err) {
	case ECONNREFUSED: o = OUTCOME_REFUSED, e = LE_CONN_REFUSED; break;
	case ECONNRESET: o = OUTCOME_REFUSED, e = LE_CONN_RESET; break;
	case ETIMEDOUT: o = OUTCOME_TIMEOUT, e = LE_CONN_TIMEOUT; break;
	case ENETUNREACH:
	case EHOSTUNREACH:
	case ENETDOWN:
	case EHOSTDOWN: o = OUTCOME_UNREACHABLE, e = LE_CONN_UNREACHABLE; break;
	case EADDRNOTAVAIL:
		o = OUTCOME_UNREACHABLE, e = LE_CONN_NO_SOURCE_ADDRESS;
		break;
	case EAFNOSUPPORT:
		o = OUTCOME_UNREACHABLE, e = LE_CONN_FAMILY_UNSUPPORTED;
		break;
	case EACCES:
	case EPERM: o = OUTCOME_UNREACHABLE, e = LE_CONN_FORBIDDEN; break;
	case EMFILE:
	case ENFILE:
	case ENOBUFS:
	case ENOMEM: o = OUTCOME_UNREACHABLE, e = LE_CONN_NO_RESOURCES; break;
	default: o = OUTCOME_UNREACHABLE, e = LE_CONN_ERROR; break;
	}
	fail(s, now, s->cur_step, o, e, strerror(err));
}

static int open_step(struct session *s, enum stage st, long now,
		     const char *sent)
{
	int i = probe_add_step(s->probe, st, now, sent, in_tls(s));

	if (i >= 0 && s->nopen < SESSION_OPEN_MAX)
		s->open[s->nopen++] = i;
	if (sent)
		record_event(s->env->rec, now, s->idx, EV_SENT, in_tls(s), i,
			     sent);
	s->deadline = now + timeout_ms(s);
	return i;
}

static void start_tls(struct session *s, long now);
static void drive_handshake(struct session *s, long now);

/* The socket's own address, "ip:port" or "[ip]:port". */
static void note_local_address(struct session *s)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	char ip[ADDR_STR_MAX] = "?";
	int port = 0;
	struct probe *p = s->probe;

	if (getsockname(s->fd, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET) {
			struct sockaddr_in *in = (struct sockaddr_in *)&ss;
			inet_ntop(AF_INET, &in->sin_addr, ip, sizeof ip);
			port = ntohs(in->sin_port);
		} else if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
			inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof ip);
			port = ntohs(in6->sin6_port);
		}
	}
	snprintf(p->local_address, sizeof p->local_address,
		 ss.ss_family == AF_INET6 ? "[%s]:%d" : "%s:%d", ip, port);
}

/* The connection to the mail host is up, direct or through the proxy:
 * the greeting (or the TLS handshake) comes next. */
static void open_dialogue(struct session *s, long now)
{
	struct probe *p = s->probe;

	if (s->cur_step >= 0) /* -1 only when out of memory */
		p->steps[s->cur_step].reply_ms = now;
	if (s->dcfg.implicit_tls) {
		start_tls(s, now);
		/* The client speaks first in TLS: send the ClientHello. */
		if (s->state == SS_HANDSHAKE)
			drive_handshake(s, now);
		return;
	}
	set_state(s, SS_DIALOGUE);
	open_step(s, STAGE_BANNER, now, NULL);
}

/* ---- the SOCKS5 proxy (--proxy) ---- */

/* "ip:port" or "[ip]:port" of the proxy. */
static const char *proxy_where(const struct session *s, char *buf, size_t n)
{
	const struct proxy_url *px = &s->env->cfg->proxy;

	snprintf(buf, n, px->family == AF_INET6 ? "[%s]:%d" : "%s:%d", px->host,
		 px->port);
	return buf;
}

/* What the handshake was doing, for the messages. */
static const char *s5_step_words(enum socks5_state st)
{
	switch (st) {
	case S5_GREETING: return "the method selection";
	case S5_AUTH: return "the username/password authentication";
	case S5_CONNECT: return "CONNECT";
	default: return "the handshake";
	}
}

/* The codec moved on from before: trace it, and say what the proxy
 * chose. Remembers the last step that was still under way. */
static void s5_changed(struct session *s, long now, enum socks5_state before)
{
	enum socks5_state st = socks5_state(&s->s5);
	struct probe *p = s->probe;

	if (st == before)
		return;
	if (s->dcfg.trace)
		s->dcfg.trace(s->dcfg.trace_arg, "socks5",
			      socks5_state_name(before), socks5_state_name(st));
	if (st == S5_AUTH) {
		char user[SANITIZE_SIZE(PROXY_USER_MAX)];
		const char *u = s->env->cfg->proxy.user;
		sanitize_buf(user, sizeof user, u, strlen(u));
		record_note(s->env->rec, now, s->idx, 0,
			    "SOCKS5: the proxy chose username/password (RFC "
			    "1929): sending the user %s and the password (not "
			    "shown)",
			    user);
	} else if (st == S5_CONNECT) {
		record_note(
		    s->env->rec, now, s->idx, 0,
		    "SOCKS5: %s; CONNECT %s%s%s:%d",
		    before == S5_AUTH
			? "the proxy accepted the user name and password"
			: "the proxy wants no authentication",
		    p->family == AF_INET6 ? "[" : "", p->address,
		    p->family == AF_INET6 ? "]" : "", p->port);
	}
}

/* The handshake failed: each way is its own error, with what RFC 1928
 * (or 1929) says the proxy meant. */
static void proxy_failed(struct session *s, long now, enum socks5_state at)
{
	enum socks5_error e = socks5_error(&s->s5);
	int rep = socks5_reply_code(&s->s5);
	enum outcome o = OUTCOME_UNREACHABLE;
	enum local_error le;
	char why[320], where[PROXY_HOST_MAX + 16];

	switch (e) {
	case S5E_CLOSED: le = LE_PROXY_CLOSED; break;
	case S5E_GARBAGE: le = LE_PROXY_GARBAGE; break;
	case S5E_NO_ACCEPTABLE_METHOD: le = LE_PROXY_NO_METHOD; break;
	case S5E_METHOD_UNSUPPORTED: le = LE_PROXY_METHOD_UNSUPPORTED; break;
	case S5E_AUTH_FAILED: le = LE_PROXY_AUTH_FAILED; break;
	case S5E_BAD_ADDRESS_TYPE: le = LE_PROXY_BAD_ADDRESS_TYPE; break;
	case S5E_REPLY:
		switch (rep) {
		case 0x01: le = LE_PROXY_GENERAL_FAILURE; break;
		case 0x02: le = LE_PROXY_FORBIDDEN; break;
		case 0x03: le = LE_PROXY_NET_UNREACHABLE; break;
		case 0x04: le = LE_PROXY_HOST_UNREACHABLE; break;
		case 0x05:
			le = LE_PROXY_TARGET_REFUSED;
			o = OUTCOME_REFUSED; /* the mail host answered */
			break;
		case 0x06: le = LE_PROXY_TTL_EXPIRED; break;
		case 0x07: le = LE_PROXY_COMMAND_UNSUPPORTED; break;
		case 0x08: le = LE_PROXY_ATYP_UNSUPPORTED; break;
		default: le = LE_PROXY_UNASSIGNED_REPLY; break;
		}
		break;
	default: le = LE_PROXY_GENERAL_FAILURE; break; /* cannot happen */
	}
	proxy_where(s, where, sizeof where);
	if (e == S5E_REPLY)
		snprintf(why, sizeof why,
			 "the proxy %s answered CONNECT with "
			 "REP 0x%02x (%s): %s",
			 where, rep & 0xff, socks5_reply_name(rep),
			 socks5_reply_meaning(rep));
	else
		snprintf(why, sizeof why, "the proxy %s, during %s: %s", where,
			 s5_step_words(at), socks5_error_name(e));
	socks5_wipe(&s->s5);
	fail(s, now, s->cur_step, o, le, why);
}

/* The connection to the proxy broke during the handshake. */
static void proxy_lost(struct session *s, long now, enum socks5_state at,
		       int err)
{
	char why[200], where[PROXY_HOST_MAX + 16];

	socks5_wipe(&s->s5);
	snprintf(why, sizeof why, "the proxy %s, during %s: %s",
		 proxy_where(s, where, sizeof where), s5_step_words(at),
		 strerror(err));
	fail(s, now, s->cur_step, OUTCOME_UNREACHABLE, LE_PROXY_CLOSED, why);
}

/* The tunnel is open: from here on the socket carries SMTP (or TLS)
 * to the mail host, as a direct connection would. */
static void tunnel_open(struct session *s, long now)
{
	struct probe *p = s->probe;

	snprintf(p->proxy_bound, sizeof p->proxy_bound, "%s",
		 socks5_bound(&s->s5));
	socks5_wipe(&s->s5);
	p->proxy_ms = now - s->proxy_started;
	p->connect_ms = now - s->started;
	record_note(s->env->rec, now, s->idx, 0,
		    "SOCKS5: the proxy connected to %s [%s]:%d in %ld ms, "
		    "from %s (BND.ADDR): the mail host sees the proxy's "
		    "address, not this host's",
		    s->host, p->address, p->port, p->proxy_ms,
		    p->proxy_bound[0] ? p->proxy_bound : "?");
	open_dialogue(s, now);
}

/* Write what the handshake has to say, read what the proxy answered.
 * Reads peek first and take only what the codec consumed, so that the
 * first bytes of the SMTP stream (or of TLS) stay in the socket for the
 * dialogue, as on a direct connection. */
static void proxy_io(struct session *s, long now)
{
	unsigned char buf[SOCKS5_BOUND_MAX];

	for (int rounds = 0; rounds < 8 && s->state == SS_PROXY; rounds++) {
		enum socks5_state before = socks5_state(&s->s5);
		const unsigned char *o;
		size_t n = socks5_pending_out(&s->s5, &o);
		ssize_t r;

		if (before == S5_DONE) {
			tunnel_open(s, now);
			return;
		}
		if (n > 0) {
			r = send(s->fd, o, n, MSG_NOSIGNAL);
			if (r < 0) {
				if (errno == EAGAIN || errno == EWOULDBLOCK ||
				    errno == EINTR)
					return;
				proxy_lost(s, now, before, errno);
				return;
			}
			socks5_sent(&s->s5, (size_t)r);
			if ((size_t)r < n)
				return;
			continue;
		}
		r = recv(s->fd, buf, sizeof buf, MSG_PEEK);
		if (r < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				return;
			if (errno == ECONNRESET) {
				socks5_closed(&s->s5);
				proxy_failed(s, now, before);
			} else {
				proxy_lost(s, now, before, errno);
			}
			return;
		}
		if (r == 0) {
			socks5_closed(&s->s5);
			proxy_failed(s, now, before);
			return;
		}
		size_t used = socks5_feed(&s->s5, buf, (size_t)r);
		if (used > 0 && recv(s->fd, buf, used, 0) != (ssize_t)used) {
			proxy_lost(s, now, before, errno ? errno : EIO);
			return;
		}
		s5_changed(s, now, before);
		if (socks5_state(&s->s5) == S5_FAILED) {
			proxy_failed(s, now, before);
			return;
		}
		if (used == 0 && socks5_state(&s->s5) == before &&
		    !socks5_pending_out(&s->s5, &o))
			return; /* nothing moved: wait for poll */
	}
	/* Done on the last round: nothing more may come (implicit TLS waits
	 * for the ClientHello), so do not wait for poll. */
	if (s->state == SS_PROXY && socks5_state(&s->s5) == S5_DONE)
		tunnel_open(s, now);
}

static void proxy_start(struct session *s, long now)
{
	const struct config *cfg = s->env->cfg;
	const char *user = cfg->proxy.user[0] ? cfg->proxy.user : NULL;
	struct probe *p = s->probe;

	s->proxy_started = now;
	set_state(s, SS_PROXY);
	s->deadline = now + timeout_ms(s); /* the handshake's own wait */
	if (socks5_init(&s->s5, p->address, p->port, user,
			user ? cfg->proxy_pass : NULL) < 0) {
		char why[96];
		snprintf(why, sizeof why, "cannot build the SOCKS5 request: %s",
			 socks5_error_name(socks5_error(&s->s5)));
		socks5_wipe(&s->s5);
		fail(s, now, s->cur_step, OUTCOME_UNREACHABLE,
		     LE_PROXY_GENERAL_FAILURE, why);
		return;
	}
	note(s, now,
	     user ? "SOCKS5: offering username/password (RFC 1929) only"
		  : "SOCKS5: offering no authentication only");
	proxy_io(s, now);
}

static void connected(struct session *s, long now)
{
	struct probe *p = s->probe;
	char where[PROXY_HOST_MAX + 16];

	note_local_address(s);
	if (s->via_proxy) {
		record_note(s->env->rec, now, s->idx, 0,
			    "connected to the SOCKS5 proxy %s from %s in %ld "
			    "ms",
			    proxy_where(s, where, sizeof where),
			    p->local_address, now - s->started);
		proxy_start(s, now);
		return;
	}
	p->connect_ms = now - s->started;
	record_note(s->env->rec, now, s->idx, 0,
		    "connected to %s [%s]:%d from %s in %ld ms", s->host,
		    p->address, p->port, p->local_address, p->connect_ms);
	open_dialogue(s, now);
}

void session_start(struct session *s, long now)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	struct probe *p = s->probe;

	s->started = now;
	if (s->dane_enforce && s->dane->status == DANE_LOOKUP_ERROR) {
		/* A DANE sender does not connect: it defers (RFC 7672
		 * 2.1.1), and so does this probe. */
		char why[DOMAIN_MAX + 96];
		snprintf(why, sizeof why,
			 "the TLSA lookup of %s failed: a DANE sender defers "
			 "delivery to this host and does not connect",
			 s->dane->name);
		s->cur_step = probe_add_step(p, STAGE_TLS, now, NULL, 0);
		fail(s, now, s->cur_step, OUTCOME_TEMPFAIL, LE_DNS_TLSA_LOOKUP,
		     why);
		return;
	}
	s->cur_step = probe_add_step(p, STAGE_CONNECT, now, NULL, 0);
	set_state(s, SS_CONNECTING);
	s->deadline = now + timeout_ms(s);
	record_note(s->env->rec, now, s->idx, 0,
		    "connecting to %s [%s]:%d%s%s%s", s->host, p->address,
		    p->port, s->dcfg.implicit_tls ? " (implicit TLS)" : "",
		    s->via_proxy ? " through the SOCKS5 proxy " : "",
		    s->via_proxy ? s->env->cfg->proxy.shown : "");
	const struct proxy_url *px = &s->env->cfg->proxy;
	if (!(s->via_proxy
		  ? net_sockaddr(px->host, px->family, px->port, &ss, &sl)
		  : net_sockaddr(p->address, p->family, p->port, &ss, &sl))) {
		connect_failed(s, now, EAFNOSUPPORT);
		return;
	}
	int done;
	s->fd = net_connect(&ss, sl, &done);
	if (s->fd < 0)
		connect_failed(s, now, errno);
	else if (done)
		connected(s, now);
}

static void on_connect_ready(struct session *s, long now)
{
	int err = net_connect_error(s->fd);

	if (err)
		connect_failed(s, now, err);
	else
		connected(s, now);
}

/* ---- TLS ---- */

/* Hand the usable TLSA records to OpenSSL; the reference names for a
 * DANE-TA certificate are the TLSA base domain (the CNAME target when its
 * records are the ones used), the MX name, and the domain. */
static void dane_setup(struct session *s, long now)
{
	const struct run_record *rec = s->env->rec;
	const char *base = strstr(s->dane->name, "._tcp.");
	const char *names[2] = {s->host, rec->target->domain};

	base = base ? base + 6 : s->host;
	if (tls_dane_setup(s->ssl, s->dane, base, names, 2) == 0) {
		s->probe->tls.dane = 1;
		record_note(s->env->rec, now, s->idx, 0,
			    "DANE: the certificate must match a TLSA record "
			    "of %s",
			    s->dane->name);
	} else {
		/* No record OpenSSL can use: as with unusable records, a
		 * DANE sender insists on TLS but cannot authenticate it. The
		 * SSL is made anew, without DANE. */
		record_note(s->env->rec, now, s->idx, 0,
			    "DANE: OpenSSL took none of the TLSA records of "
			    "%s: TLS without authentication is what a DANE "
			    "sender asks then",
			    s->dane->name);
		SSL_free(s->ssl);
		s->ssl = tls_new(s->env->ssl_ctx, s->fd, s->host);
		s->dane_unauthenticated = 1;
	}
}

static void start_tls(struct session *s, long now)
{
	set_state(s, SS_HANDSHAKE);
	s->cur_step = probe_add_step(s->probe, STAGE_TLS, now, NULL, 0);
	s->deadline = now + timeout_ms(s);
	if (s->probe->tls.mode == TLSM_NONE)
		s->probe->tls.mode = TLSM_STARTTLS;
	rp_reset(&s->rp); /* TLS starts from an empty buffer */
	ERR_clear_error();
	s->ssl = tls_new(s->env->ssl_ctx, s->fd, s->host);
	if (!s->ssl) {
		fail(s, now, s->cur_step, OUTCOME_TLS_ERROR, LE_TLS_HANDSHAKE,
		     "cannot set up TLS");
		return;
	}
	if (s->dane && s->dane->status == DANE_USABLE)
		dane_setup(s, now);
	if (!s->ssl) {
		fail(s, now, s->cur_step, OUTCOME_TLS_ERROR, LE_TLS_HANDSHAKE,
		     "cannot set up TLS");
		return;
	}
	note(s, now,
	     s->dcfg.implicit_tls ? "TLS handshake started (implicit TLS)"
				  : "TLS handshake started (STARTTLS)");
}

/* Which certificate failure this is, from OpenSSL's verify result. */
static enum local_error verify_error_kind(const struct tls_info *ti)
{
	if (ti->chain_ok)
		return LE_TLS_NAME;
	switch (ti->verify_result) {
	case X509_V_ERR_CERT_HAS_EXPIRED: return LE_TLS_CERT_EXPIRED;
	case X509_V_ERR_CERT_NOT_YET_VALID: return LE_TLS_CERT_NOT_YET_VALID;
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN: return LE_TLS_SELF_SIGNED;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
		return LE_TLS_UNKNOWN_CA;
	case X509_V_ERR_CERT_CHAIN_TOO_LONG: return LE_TLS_CHAIN_TOO_LONG;
	default: return LE_TLS_VERIFY;
	}
}

static enum local_error dane_error_kind(const struct tls_info *ti)
{
	return ti->dane_verify_result == X509_V_ERR_HOSTNAME_MISMATCH
		   ? LE_TLS_DANE_NAME
		   : LE_TLS_DANE_MISMATCH;
}

static void dane_note(struct session *s, long now)
{
	const struct tls_info *ti = &s->probe->tls;

	if (ti->dane_ok)
		record_note(s->env->rec, now, s->idx, 1,
			    "DANE: TLSA %d %d %d matched at depth %d",
			    ti->dane_usage, ti->dane_selector,
			    ti->dane_matching, ti->dane_depth);
	else
		record_note(
		    s->env->rec, now, s->idx, 1,
		    "DANE: no TLSA record of %s matched: %s", s->dane->name,
		    X509_verify_cert_error_string(ti->dane_verify_result));
}

static void handshake_done(struct session *s, long now)
{
	struct tls_info *ti = &s->probe->tls;

	tls_collect(s->ssl, s->host, ti);
	if (s->cur_step >= 0)
		s->probe->steps[s->cur_step].reply_ms = now;
	set_state(s, SS_DIALOGUE);
	record_note(s->env->rec, now, s->idx, 1, "TLS established: %s, %s",
		    ti->version, ti->cipher);
	record_note(s->env->rec, now, s->idx, 1,
		    "certificate: subject %s; issuer %s; expires %s",
		    ti->subject ? ti->subject : "?",
		    ti->issuer ? ti->issuer : "?",
		    ti->not_after ? ti->not_after : "?");
	record_note(s->env->rec, now, s->idx, 1,
		    "chain trusted: %s; name matches %s: %s%s%s",
		    ti->chain_ok ? "yes" : "NO", s->host,
		    ti->name_ok ? "yes" : "NO", ti->verify_error ? " - " : "",
		    ti->verify_error ? ti->verify_error : "");
	if (ti->dane)
		dane_note(s, now);
	/* The handshake stands (opportunistic TLS, as MTAs do), but a
	 * certificate that does not verify explains the TLS step; under
	 * "verify", or with credentials to send, it also ends the probe.
	 * For a DANE sender, the TLSA match is what "verified" means. */
	enum local_error ve =
	    ti->chain_ok && ti->name_ok ? LE_NONE : verify_error_kind(ti);
	if (ti->dane && s->dane_enforce)
		ve = ti->dane_ok ? LE_NONE : dane_error_kind(ti);
	else if (s->dane_enforce && s->dane_unauthenticated &&
		 !s->dcfg.auth_user)
		ve = LE_NONE; /* a DANE sender takes any certificate here */
	if (ve != LE_NONE)
		mark_step(s, now, s->cur_step, ve);
	int step = s->cur_step;
	enum outcome before = s->dlg.outcome;
	if (s->dcfg.implicit_tls)
		open_step(s, STAGE_BANNER, now, NULL);
	const struct dlg_action *a = dlg_tls_ready(&s->dlg, ve);
	if (s->dlg.outcome != before) {
		s->probe->deciding_step = step;
		note(s, now,
		     s->dane_enforce && ti->dane
			 ? "the certificate matches no TLSA record: a DANE "
			   "sender ends here; the probe ends with QUIT"
		     : s->dcfg.auth_user && !s->dcfg.insecure
			 ? "the certificate did not verify: credentials are "
			   "not sent; the probe ends here with QUIT"
			 : "the certificate did not verify, which --starttls "
			   "verify requires: the probe ends here with QUIT");
	}
	perform(s, a, now);
}

static void drive_handshake(struct session *s, long now)
{
	int r = SSL_connect(s->ssl);
	char why[256];

	s->hs_wants_write = 0;
	if (r == 1) {
		handshake_done(s, now);
		return;
	}
	switch (SSL_get_error(s->ssl, r)) {
	case SSL_ERROR_WANT_READ: return;
	case SSL_ERROR_WANT_WRITE: s->hs_wants_write = 1; return;
	default: break;
	}
	unsigned long e = ERR_peek_last_error();
	int plain = s->dcfg.implicit_tls &&
		    ERR_GET_REASON(e) == SSL_R_WRONG_VERSION_NUMBER;
	tls_error_text(why, sizeof why);
	if (r == 0 || (e == 0 && errno == 0))
		snprintf(why, sizeof why,
			 "the server closed the connection "
			 "during the handshake");
	enum local_error le = LE_TLS_HANDSHAKE;
	int reason = ERR_GET_REASON(e);
	if (plain)
		le = LE_TLS_PLAINTEXT_ON_IMPLICIT;
	else if (reason == SSL_R_UNSUPPORTED_PROTOCOL ||
		 reason == SSL_R_NO_PROTOCOLS_AVAILABLE ||
		 reason == SSL_R_TLSV1_ALERT_PROTOCOL_VERSION)
		le = LE_TLS_NO_SHARED_PROTOCOL;
	else if (reason == SSL_R_NO_SHARED_CIPHER ||
		 reason == SSL_R_NO_CIPHERS_AVAILABLE)
		le = LE_TLS_NO_SHARED_CIPHER;
	else if (reason >= SSL_AD_REASON_OFFSET)
		le = LE_TLS_ALERT;
	fail(s, now, s->cur_step, OUTCOME_TLS_ERROR, le, why);
}

/* ---- the dialogue ---- */

/* Send what is buffered; returns -1 when the connection failed. */
static int flush_out(struct session *s, long now)
{
	while (s->outoff < s->outlen) {
		size_t n = s->outlen - s->outoff;
		ssize_t w;

		s->wr_wants_read = 0;
		if (s->ssl) {
			int r = SSL_write(s->ssl, s->out + s->outoff, (int)n);
			if (r <= 0) {
				int e = SSL_get_error(s->ssl, r);
				s->wr_wants_read = e == SSL_ERROR_WANT_READ;
				if (e == SSL_ERROR_WANT_READ ||
				    e == SSL_ERROR_WANT_WRITE)
					return 0;
				fail(s, now, -1, OUTCOME_PROTOCOL_ERROR,
				     LE_CONN_RESET, "TLS write failed");
				return -1;
			}
			w = r;
		} else {
			w = send(s->fd, s->out + s->outoff, n, MSG_NOSIGNAL);
			if (w < 0) {
				if (errno == EAGAIN || errno == EWOULDBLOCK ||
				    errno == EINTR)
					return 0;
				fail(s, now, -1, OUTCOME_PROTOCOL_ERROR,
				     LE_CONN_RESET, strerror(errno));
				return -1;
			}
		}
		s->outoff += (size_t)w;
	}
	explicit_bzero(s->out, s->outlen);
	s->outlen = s->outoff = 0;
	return 0;
}

/* Is anything waiting in the socket that nobody asked for? Used right
 * before the TLS handshake after STARTTLS. */
static int socket_has_bytes(int fd)
{
	char c;
	ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);

	return n > 0;
}

/* QUIT is out (all of it): close without waiting for the 221. Bytes
 * already in the socket are read and dropped first: a close with unread
 * data resets the connection, and the reset could overtake the QUIT. */
static void quit_sent(struct session *s, long now)
{
	char junk[SESSION_READ_CHUNK];

	for (int k = 0; k < SESSION_READ_ROUNDS; k++)
		if (recv(s->fd, junk, sizeof junk, MSG_DONTWAIT) <= 0)
			break;
	note(s, now,
	     "QUIT sent; its reply is not awaited, as nothing else of the run "
	     "is (Postfix's client does the same: smtp_skip_quit_response)");
	s->probe->flags |= PROBEF_QUIT_UNAWAITED;
	finish(s, now);
}

static void perform(struct session *s, const struct dlg_action *a, long now)
{
	switch (a->kind) {
	case DA_WAIT: s->deadline = now + timeout_ms(s); return;
	case DA_SEND_CLOSE:
	case DA_SEND:
		for (size_t i = 0; i < a->ncmds; i++) {
			size_t len = strlen(a->cmds[i].wire);
			if (s->outlen + len > sizeof s->out)
				break; /* cannot happen: the write's commands
					  fit (the _Static_assert above) */
			memcpy(s->out + s->outlen, a->cmds[i].wire, len);
			s->outlen += len;
			int k = open_step(s, a->cmds[i].stage, now,
					  a->cmds[i].shown);
			if (k >= 0) {
				s->probe->steps[k].role = a->cmds[i].role;
				s->probe->steps[k].target = a->cmds[i].target;
			}
			if (a->cmds[i].role == RCPT_CONTROL)
				note(s, now,
				     "the control recipient: RFC 5321 requires "
				     "postmaster to be accepted; the target's "
				     "reply decides, this one says what it "
				     "means");
			else if (a->cmds[i].role == RCPT_CATCH_ALL)
				note(s, now,
				     "the catch-all test (--catch-all): a "
				     "random local part at the domain");
		}
		s->close_after_flush = a->kind == DA_SEND_CLOSE;
		if (flush_out(s, now) == 0 && s->close_after_flush &&
		    s->state == SS_DIALOGUE && s->outlen == 0)
			quit_sent(s, now);
		return;
	case DA_START_TLS:
		if (rp_pending(&s->rp) || socket_has_bytes(s->fd)) {
			fail(s, now, s->probe->nsteps - 1,
			     OUTCOME_PROTOCOL_ERROR, LE_PROTO_INJECTION,
			     "bytes after the 220 reply to STARTTLS were "
			     "discarded");
			return;
		}
		start_tls(s, now);
		if (s->state == SS_HANDSHAKE)
			drive_handshake(s, now);
		return;
	case DA_CLOSE: finish(s, now); return;
	}
}

static unsigned reply_probe_flags(const struct reply *r)
{
	unsigned f = 0;

	if (r->flags & REPLY_F_LONG_LINE)
		f |= PROBEF_LONG_LINE;
	if (r->flags & REPLY_F_BARE_LF)
		f |= PROBEF_BARE_LF;
	return f;
}

/* Do these bytes hold a whole reply? (A stray blank line or half a line
 * is a protocol error, but proves no shift.) */
static int whole_reply_in(const char *buf, size_t n)
{
	struct reply_parser p;
	enum rp_status st = RP_MORE;
	int whole;

	rp_init(&p);
	rp_feed(&p, buf, n, &st);
	whole = st == RP_REPLY;
	if (whole)
		reply_free(rp_take(&p));
	rp_reset(&p);
	return whole;
}

/* A complete reply; more bytes (rest[0..nrest)) may follow it in this
 * read. */
static void on_reply(struct session *s, struct reply *r, const char *rest,
		     size_t nrest, long now)
{
	struct probe *p = s->probe;
	enum outcome before = s->dlg.outcome;
	int step;

	if (s->nopen == 0) {
		int i = probe_add_step(p, STAGE_QUIT, now, NULL, in_tls(s));
		if (i >= 0) {
			p->steps[i].reply = r;
			p->steps[i].stage = p->nsteps > 1
						? p->steps[i - 1].stage
						: STAGE_BANNER;
			record_event(s->env->rec, now, s->idx, EV_REPLY,
				     in_tls(s), i, NULL);
		} else {
			reply_free(r);
		}
		fail_quit(s, now, i, LE_PROTO_UNSOLICITED,
			  "a reply arrived that no command asked for", 1);
		return;
	}
	step = s->open[0];
	memmove(s->open, s->open + 1, --s->nopen * sizeof s->open[0]);
	p->steps[step].reply = r;
	p->steps[step].reply_ms = now;
	p->flags |= reply_probe_flags(r);
	record_event(s->env->rec, now, s->idx, EV_REPLY, in_tls(s), step, NULL);
	if (s->skip_due > 0) { /* its command's, after the dialogue ended */
		s->skip_due--;
		return;
	}
	if (s->nopen == 0 && (nrest > 0 || rp_pending(&s->rp)) &&
	    s->dlg.state != DS_QUIT) {
		int starttls =
		    p->steps[step].stage == STAGE_STARTTLS && r->code == 220;
		if (s->dlg.outcome == OUTCOME_NONE)
			p->deciding_step = step;
		/* After STARTTLS only a handshake may follow: close. */
		if (starttls)
			fail(s, now, step, OUTCOME_PROTOCOL_ERROR,
			     LE_PROTO_INJECTION,
			     "bytes after the 220 reply to STARTTLS were "
			     "discarded");
		else
			fail_quit(s, now, step, LE_PROTO_UNSOLICITED,
				  "more data arrived than the commands asked "
				  "for",
				  whole_reply_in(rest, nrest));
		return;
	}
	const struct dlg_action *a = dlg_on_reply(&s->dlg, r);
	if (s->dlg.outcome != before) {
		p->deciding_step = step;
		/* The dialogue decided for a reason of its own (no STARTTLS
		 * under "require", a 354 where none belongs, no SMTPUTF8...):
		 * that reason, not the reply's class, explains the step. */
		if (s->dlg.error != LE_NONE)
			mark_step(s, now, step, s->dlg.error);
	}
	perform(s, a, now);
}

static void on_parse_error(struct session *s, long now)
{
	struct reply *partial = rp_take(&s->rp);
	int step = s->nopen ? s->open[0] : -1;
	enum local_error e;

	switch (s->rp.error) {
	case RPE_LINE_TOO_LONG: e = LE_PROTO_LINE_TOO_LONG; break;
	case RPE_TOO_MANY_LINES:
	case RPE_TOO_MANY_BYTES: e = LE_PROTO_TOO_MANY_LINES; break;
	default: e = LE_PROTO_MALFORMED; break;
	}
	if (step >= 0 && partial && partial->nlines > 0 &&
	    !s->probe->steps[step].reply) {
		s->probe->steps[step].reply = partial;
		record_event(s->env->rec, now, s->idx, EV_REPLY, in_tls(s),
			     step, NULL);
		partial = NULL;
	}
	/* A TLS record (0x16 0x03 ...) where a greeting belongs: the port
	 * speaks implicit TLS (RFC 8314), not SMTP with STARTTLS. */
	const struct reply *r = step >= 0 ? s->probe->steps[step].reply : NULL;
	int tls_bytes = r && r->nlines > 0 && r->lines[0].len > 1 &&
			(unsigned char)r->lines[0].text[0] == 0x16 &&
			(unsigned char)r->lines[0].text[1] == 0x03;
	reply_free(partial);
	if (tls_bytes)
		fail(s, now, step, OUTCOME_PROTOCOL_ERROR, LE_TLS_ON_PLAIN_PORT,
		     TLS_GREETING_TEXT);
	else if (e == LE_PROTO_MALFORMED) /* lines still frame: be polite */
		fail_quit(s, now, step, e, rp_error_text(s->rp.error), 0);
	else /* over a cap: the stream is not worth another byte */
		fail(s, now, step, OUTCOME_PROTOCOL_ERROR, e,
		     rp_error_text(s->rp.error));
}

static void consume(struct session *s, const char *buf, size_t n, long now)
{
	size_t off = 0;

	/* A TLS record where a greeting belongs: say so at once, without
	 * waiting for a line end that TLS never sends. */
	if (n > 0 && (unsigned char)buf[0] == 0x16 && !rp_pending(&s->rp) &&
	    s->nopen == 1 &&
	    s->probe->steps[s->open[0]].stage == STAGE_BANNER &&
	    s->probe->steps[s->open[0]].reply == NULL) {
		fail(s, now, s->open[0], OUTCOME_PROTOCOL_ERROR,
		     LE_TLS_ON_PLAIN_PORT, TLS_GREETING_TEXT);
		return;
	}

	while (off < n && s->state == SS_DIALOGUE) {
		enum rp_status st;

		off += rp_feed(&s->rp, buf + off, n - off, &st);
		if (st == RP_REPLY)
			on_reply(s, rp_take(&s->rp), buf + off, n - off, now);
		else if (st == RP_ERROR)
			on_parse_error(s, now);
		else
			break;
		if (s->drop_rest) {
			s->drop_rest = 0;
			return;
		}
	}
}

/* The peer closed or the connection broke while reading. */
static void on_eof(struct session *s, long now, int reset)
{
	if (s->dlg.outcome != OUTCOME_NONE) {
		finish(s, now); /* after a decision, a close is fine */
		return;
	}
	if (rp_pending(&s->rp)) {
		struct reply *partial;

		rp_finish(&s->rp);
		partial = rp_take(&s->rp);
		int step = s->nopen ? s->open[0] : -1;
		if (step >= 0 && partial && partial->nlines > 0) {
			s->probe->steps[step].reply = partial;
			record_event(s->env->rec, now, s->idx, EV_REPLY,
				     in_tls(s), step, NULL);
			partial = NULL;
		}
		reply_free(partial);
		fail(s, now, step, OUTCOME_PROTOCOL_ERROR,
		     LE_PROTO_CLOSED_MID_REPLY, "closed mid-reply");
		return;
	}
	fail(s, now, -1, OUTCOME_PROTOCOL_ERROR,
	     reset ? LE_CONN_RESET : LE_CONN_CLOSED,
	     reset ? "connection reset by the server"
		   : "the server closed the connection");
}

static void read_some(struct session *s, long now)
{
	char buf[SESSION_READ_CHUNK];

	for (int rounds = 0;
	     rounds < SESSION_READ_ROUNDS && s->state == SS_DIALOGUE;
	     rounds++) {
		ssize_t n;

		if (s->ssl) {
			s->rd_wants_write = 0;
			int r = SSL_read(s->ssl, buf, sizeof buf);
			if (r <= 0) {
				int e = SSL_get_error(s->ssl, r);
				if (e == SSL_ERROR_WANT_READ)
					return;
				if (e == SSL_ERROR_WANT_WRITE) {
					s->rd_wants_write = 1;
					return;
				}
				on_eof(s, now,
				       e != SSL_ERROR_ZERO_RETURN &&
					   errno == ECONNRESET);
				return;
			}
			n = r;
		} else {
			n = recv(s->fd, buf, sizeof buf, 0);
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
				      errno == EINTR))
				return;
			if (n <= 0) {
				on_eof(s, now, n < 0);
				return;
			}
		}
		consume(s, buf, (size_t)n, now);
		if (!s->ssl)
			return; /* poll says when there is more */
	}
}

/* Acknowledge at once rather than after the delayed-ACK timer: servers
 * that hold a small reply until their previous segment is acknowledged
 * (Nagle; e.g. the EHLO reply right after a TLS 1.3 session ticket) would
 * otherwise cost the probe ~40 ms per turn. Linux clears the flag again
 * by itself, so it is set on every event. */
static void quick_ack(const struct session *s)
{
	int one = 1;

	if (s->fd >= 0)
		setsockopt(s->fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
}

void session_handle(struct session *s, short revents, long now)
{
	quick_ack(s);
	switch (s->state) {
	case SS_CONNECTING:
		if (revents & (POLLOUT | POLLERR | POLLHUP))
			on_connect_ready(s, now);
		return;
	case SS_PROXY:
		if (revents)
			proxy_io(s, now);
		return;
	case SS_HANDSHAKE:
		if (revents)
			drive_handshake(s, now);
		return;
	case SS_DIALOGUE:
		if ((revents & (POLLIN | POLLERR | POLLHUP)) ||
		    (s->rd_wants_write && (revents & POLLOUT)))
			read_some(s, now);
		if (s->state == SS_DIALOGUE && s->outoff < s->outlen &&
		    ((revents & POLLOUT) ||
		     (s->wr_wants_read && (revents & POLLIN))) &&
		    flush_out(s, now) == 0 && s->close_after_flush &&
		    s->state == SS_DIALOGUE && s->outlen == 0)
			quit_sent(s, now);
		return;
	default: return;
	}
}

void session_check_timeout(struct session *s, long now)
{
	if (s->state == SS_DONE || now < s->deadline)
		return;
	switch (s->state) {
	case SS_CONNECTING:
		fail(s, now, s->cur_step, OUTCOME_TIMEOUT,
		     s->via_proxy ? LE_PROXY_TIMEOUT : LE_CONN_TIMEOUT,
		     s->via_proxy ? "no answer from the SOCKS5 proxy to the "
				    "connection attempt"
				  : "no answer to the connection attempt");
		return;
	case SS_PROXY: {
		char why[160];
		snprintf(why, sizeof why,
			 "the SOCKS5 proxy did not finish %s in time",
			 s5_step_words(socks5_state(&s->s5)));
		socks5_wipe(&s->s5);
		fail(s, now, s->cur_step, OUTCOME_TIMEOUT, LE_PROXY_TIMEOUT,
		     why);
		return;
	}
	case SS_HANDSHAKE:
		fail(s, now, s->cur_step, OUTCOME_TIMEOUT, LE_TLS_TIMEOUT,
		     "the TLS handshake did not complete in time");
		return;
	default:
		if (s->dlg.outcome != OUTCOME_NONE) {
			finish(s, now); /* only RSET/QUIT were left */
			return;
		}
		/* A silent greeting on a STARTTLS port is also what a port
		 * expecting implicit TLS looks like. */
		int banner = s->nopen > 0 &&
			     s->probe->steps[s->open[0]].stage == STAGE_BANNER;
		fail(s, now, -1, OUTCOME_TIMEOUT, LE_REPLY_TIMEOUT,
		     banner && !s->dcfg.implicit_tls
			 ? "no greeting in time (a port that expects implicit "
			   "TLS, like 465, is silent too: try -p 465)"
			 : "no complete reply in time");
		return;
	}
}

void session_abort(struct session *s, long now)
{
	if (s->state == SS_DONE)
		return;
	if (s->state == SS_IDLE) { /* never started: finish() copies it */
		dlg_abort(&s->dlg, OUTCOME_SKIPPED, STAGE_CONNECT,
			  LE_RUN_DEADLINE);
		finish(s, now);
		return;
	}
	fail(s, now, s->state == SS_DIALOGUE ? -1 : s->cur_step,
	     OUTCOME_TIMEOUT, LE_RUN_DEADLINE, "the run's deadline passed");
}
