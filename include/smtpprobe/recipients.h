/*
 * recipients.h - second opinions on what the target's reply means: the
 * control recipient postmaster@DOMAIN, which RFC 5321 4.5.1 requires a
 * server to accept, and (with --catch-all) a random local part at the
 * domain. Both go in the same transaction as the target, after it, and
 * never decide the probe's outcome: they decide what the outcome means.
 *
 *   target refused, postmaster refused alike -> rejects_everyone: the
 *       refusal is about the sender (address, HELO, reputation) or the
 *       server, not this mailbox;
 *   postmaster refused (5xx) for any other reason -> postmaster_refused
 *       (a domain without one, RFC 5321 4.5.1 broken);
 * and nothing at all unless MAIL FROM was accepted.
 *   target (or, for a DOMAIN, MAIL) accepted, random local part accepted
 *       -> catch_all: an "accepted" proves little about the mailbox.
 *
 * Google, Microsoft and Yahoo do not answer a random local part truthfully
 * (they accept at RCPT and bounce later, or refuse by reputation), so the
 * catch-all test is not asked of their hosts, and a finding says so.
 */
#ifndef SMTPPROBE_RECIPIENTS_H
#define SMTPPROBE_RECIPIENTS_H

#include "smtpprobe/dialogue.h"
#include "smtpprobe/record.h"

/* Before the sessions: the control and catch-all addresses of this run
 * (rec->control_rcpt, rec->catch_all_rcpt), by the options and target.
 * The catch-all local part is 16 random letters and digits. */
void recipients_prepare(struct run_record *rec);

/* The extra RCPT TOs for probe p (none at a big provider's host for the
 * catch-all test). */
void recipients_configure(const struct run_record *rec, const struct probe *p,
			  struct dialogue_config *dc);

/* The address a RCPT of this role asked for ("" when none). */
const char *recipients_address(const struct run_record *rec,
			       enum rcpt_role role);

/* "Google", "Microsoft", "Yahoo" when host (an MX name) is theirs, else
 * NULL. */
const char *recipients_big_provider(const char *host);

/* The step of probe p that asked for role's recipient and got a reply,
 * or -1. */
int recipients_step(const struct probe *p, enum rcpt_role role);

/* The findings above; rejects_everyone becomes the verdict's reason when
 * it is about the deciding probe and nothing stronger was concluded. */
void recipients_reason(struct run_record *rec);

#endif
