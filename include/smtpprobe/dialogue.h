/*
 * dialogue.h - the SMTP client state machine, pure: a reply goes in, the
 * next action comes out. It never does I/O, never reads a clock, and has
 * no code path that produces DATA or BDAT.
 *
 * Sequence: banner, EHLO (HELO on 500/502), STARTTLS and EHLO again with
 * capabilities forgotten, AUTH PLAIN or LOGIN (only inside TLS whose
 * certificate verified, unless insecure), MAIL FROM, RCPT TO for the
 * target and then for each extra recipient (all in one write with MAIL
 * when PIPELINING is offered, else one at a time), RSET, QUIT. The
 * target's reply decides; the extra recipients' replies are only
 * recorded, and are never a reason to stop early. On implicit TLS (465)
 * the dialogue starts in the handshake and waits for dlg_tls_ready.
 */
#ifndef SMTPPROBE_DIALOGUE_H
#define SMTPPROBE_DIALOGUE_H

#include <stddef.h>
#include <stdint.h>

#include "smtpprobe/bounds.h"
#include "smtpprobe/codes.h"
#include "smtpprobe/reply.h"
#include "smtpprobe/types.h"

/* The ladder, weakest first: never < auto < require < verify. */
enum starttls_mode {
	STARTTLS_AUTO,	  /* use it when offered, else go on in clear */
	STARTTLS_REQUIRE, /* TLS or fail; any certificate */
	STARTTLS_NEVER,	  /* stay in clear */
	STARTTLS_VERIFY	  /* TLS with a verified certificate, or fail */
};

/* The targets after the first (a batch group) and the control and
 * catch-all recipients. */
#define DLG_EXTRA_RCPT_MAX (GROUP_TARGETS_MAX - 1 + 2)

struct dialogue_config {
	const char *helo;      /* EHLO/HELO argument */
	const char *mail_from; /* reverse-path without <>; "" = null sender */
	const char *rcpt; /* forward-path without <>; NULL = domain probe */
	/* Further RCPT TOs in the same transaction (the control recipient,
	 * the catch-all test): asked after the target, never deciding. */
	const char *extra_rcpt[DLG_EXTRA_RCPT_MAX];
	enum rcpt_role extra_role[DLG_EXTRA_RCPT_MAX];
	int extra_target[DLG_EXTRA_RCPT_MAX]; /* RCPT_TARGET: which (1...) */
	size_t nextra;
	enum starttls_mode starttls;
	int implicit_tls;      /* the connection starts inside TLS (465) */
	const char *auth_user; /* NULL: no AUTH */
	const char *auth_pass;
	int insecure;	   /* AUTH even when the certificate did not verify */
	int need_smtputf8; /* an address has a non-ASCII local part */
	/* Once the outcome is decided: may QUIT go without waiting for its
	 * 221 (and without RSET before it)? As Postfix's client does by
	 * default (smtp_skip_quit_response): asked when the dialogue ends;
	 * NULL means always wait. */
	int (*quit_unawaited)(void *arg);
	void *quit_arg;
	/* Called on every state change when set (a debug trace): machine is
	 * "dialogue", from and to are dlg_state_name()s. */
	void (*trace)(void *arg, const char *machine, const char *from,
		      const char *to);
	void *trace_arg;
};

/* EHLO capabilities (RFC 5321 4.1.1.1 and the extensions' RFCs). */
#define CAP_PIPELINING		0x001
#define CAP_STARTTLS		0x002
#define CAP_SIZE		0x004
#define CAP_8BITMIME		0x008
#define CAP_SMTPUTF8		0x010
#define CAP_ENHANCEDSTATUSCODES 0x020
#define CAP_CHUNKING		0x040
#define CAP_DSN			0x080
#define CAP_AUTH		0x100

#define AUTH_MECH_PLAIN	   0x01
#define AUTH_MECH_LOGIN	   0x02
#define AUTH_MECH_CRAM_MD5 0x04
#define AUTH_MECH_XOAUTH2  0x08
#define AUTH_MECH_OTHER	   0x10

/* Capability parsing notes. */
#define CAPF_SIZE_INVALID 0x1 /* SIZE with a non-numeric or huge value */
#define CAPF_DUPLICATE	  0x2 /* a keyword offered twice */
#define CAPF_MANY_MECHS	  0x4 /* more AUTH mechanisms than we count */

struct capabilities {
	unsigned flags;	     /* CAP_* */
	unsigned auth_mechs; /* AUTH_MECH_* */
	unsigned notes;	     /* CAPF_* */
	uint64_t size;	     /* SIZE limit; 0 = none given or no limit */
	unsigned nmechs;     /* AUTH mechanisms listed (capped count) */
};

/* Parse an EHLO reply's keyword lines (all lines after the first). */
void caps_parse(struct capabilities *c, const struct reply *r);

enum dlg_kind {
	DA_WAIT,      /* send nothing; more replies are due */
	DA_SEND,      /* send cmds[0..ncmds) in one write, then wait */
	DA_START_TLS, /* begin the TLS handshake, then call dlg_tls_ready */
	DA_CLOSE,     /* close the connection; the dialogue is over */
	DA_SEND_CLOSE /* send cmds (QUIT), then close without a reply */
};

#define DLG_WIRE_MAX 1024
/* The longest write: MAIL FROM and every RCPT TO, pipelined. */
#define DLG_CMDS_MAX (2 + DLG_EXTRA_RCPT_MAX)

struct dlg_command {
	enum stage stage;
	enum rcpt_role role;	  /* for a RCPT TO, whose; else RCPT_NONE */
	int target;		  /* RCPT_TARGET: which of a group (0...) */
	char wire[DLG_WIRE_MAX];  /* exact bytes, ending in CRLF */
	char shown[DLG_WIRE_MAX]; /* for the record: secrets redacted */
};

struct dlg_action {
	enum dlg_kind kind;
	size_t ncmds;
	struct dlg_command cmds[DLG_CMDS_MAX];
};

enum dlg_state {
	DS_BANNER,
	DS_EHLO,
	DS_HELO,
	DS_STARTTLS,
	DS_HANDSHAKE,
	DS_AUTH,
	DS_AUTH_USER,
	DS_AUTH_PASS,
	DS_MAIL,
	DS_RCPT,
	DS_RSET,
	DS_QUIT,
	DS_DONE,
	DS__COUNT
};

struct dialogue {
	const struct dialogue_config *cfg;
	enum dlg_state state;
	struct capabilities caps;
	int tls_active;
	enum local_error tls_verify; /* why the certificate did not verify */
	int pending;		     /* replies still due for what was sent */
	int rcpt_pipelined;	     /* RCPT went out with MAIL */
	int mail_ok;		     /* MAIL FROM got 2xx: a transaction */
	size_t rcpt_sent;	     /* RCPT TOs sent, target first */
	size_t rcpt_replied;	     /* their replies in */
	int rcpt_odd;		     /* a RCPT reply of no known class */
	int quit_pipelined;	     /* QUIT went out with RSET */
	int quit_unawaited;	     /* QUIT sent, its reply not awaited */
	int cleartext;		     /* continued without TLS under "auto" */
	int helo_fallback;	     /* EHLO failed, HELO used */
	int smtputf8_missing; /* needed SMTPUTF8, not offered: not sent */
	int starttls_refused; /* offered, then refused; went on in clear */
	enum outcome outcome; /* set once, by the reply that decides */
	enum stage decided_at;
	enum local_error error; /* a local reason for the outcome, if any */
	struct dlg_action act;
};

const char *dlg_state_name(enum dlg_state s);

void dlg_init(struct dialogue *d, const struct dialogue_config *cfg);
/* A complete reply arrived (the banner first). */
const struct dlg_action *dlg_on_reply(struct dialogue *d,
				      const struct reply *r);
/* The TLS handshake completed (after STARTTLS, or at once on implicit
 * TLS). verify is LE_NONE when the chain is trusted and the certificate
 * names the host, else the local error saying which check failed. When
 * the mode is "verify", or credentials are to be sent and insecure is not
 * set, an unverified certificate decides tls_error (at the TLS stage):
 * QUIT follows, now after STARTTLS, after the greeting on implicit TLS. */
const struct dlg_action *dlg_tls_ready(struct dialogue *d,
				       enum local_error verify);
/* Does this dialogue refuse to go on over an unverified certificate? */
int dlg_needs_verified_tls(const struct dialogue_config *cfg);
/* The stream broke the protocol but the connection is intact: send QUIT
 * (once) and close on whatever comes back. */
const struct dlg_action *dlg_quit(struct dialogue *d);
/* Stop now with this outcome (timeout, closed, TLS failure...): records
 * the outcome if none is set yet. */
void dlg_abort(struct dialogue *d, enum outcome o, enum stage at,
	       enum local_error e);
/* The stream broke the protocol at this stage (the session saw it: a
 * malformed reply, bytes nobody asked for). Decides protocol_error if
 * nothing is decided yet; a provable shift of the reply stream (a whole
 * reply more than the commands asked for, override != 0) replaces an
 * outcome a reply decided (accepted, rejected, tempfail), since that
 * reply may have answered another command; a local decision stands.
 * Returns 1 when the outcome changed. */
int dlg_protocol_error(struct dialogue *d, enum stage at, enum local_error e,
		       int override);

/* RFC 4648 base64 of in[0..len) into out (size outsz); returns the
 * length, or 0 if out is too small. */
size_t base64_encode(char *out, size_t outsz, const unsigned char *in,
		     size_t len);

#endif
