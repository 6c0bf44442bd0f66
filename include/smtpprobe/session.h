/*
 * session.h - one live connection: socket, TLS, reply parser, dialogue and
 * deadline, for one probe (host x address x port). The loop asks which
 * events it wants and when its deadline is, and hands it what poll() saw.
 * Everything that happens is written into the probe record as it happens;
 * the session dies with its connection, the probe record outlives it.
 */
#ifndef SMTPPROBE_SESSION_H
#define SMTPPROBE_SESSION_H

#include <openssl/ssl.h>

#include "smtpprobe/config.h"
#include "smtpprobe/record.h"

struct session;

struct session_env {
	const struct config *cfg;
	struct run_record *rec;
	SSL_CTX *ssl_ctx;
	/* Does anything of the run besides session s still wait (another
	 * session, a lookup, the policy fetch)? When not, s sends QUIT and
	 * closes without its reply. NULL: always wait for it. */
	int (*others_pending)(void *arg, const struct session *s);
	void *pending_arg;
};

/* A session for rec->probes[probe]; NULL when out of memory. */
struct session *session_new(const struct session_env *env, int probe);
void session_free(struct session *s);

/* Open the connection (non-blocking connect). */
void session_start(struct session *s, long now_ms);
/* poll() events wanted (0 when done), the fd, and the deadline (ms since
 * the run started; LONG_MAX when none). */
short session_events(const struct session *s);
int session_fd(const struct session *s);
long session_deadline(const struct session *s);
/* What poll() reported for the fd. */
void session_handle(struct session *s, short revents, long now_ms);
/* Turn an expired deadline into a timeout step. */
void session_check_timeout(struct session *s, long now_ms);
/* Stop now: the run's deadline. */
void session_abort(struct session *s, long now_ms);
int session_done(const struct session *s);
/* The index into rec->probes this session fills. */
int session_probe(const struct session *s);

#endif
