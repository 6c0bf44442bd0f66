/*
 * group.h - a batch group: up to GROUP_TARGETS_MAX targets of one domain
 * probed by one run: one DNS resolution, one connection per mail host
 * address and port, and every target's RCPT TO in one transaction
 * (pipelined when the server offers PIPELINING), the control and
 * catch-all recipients once. The group's record holds every step; each
 * target's document is a view of it that holds the steps every target
 * shares (connect, banner, EHLO, TLS, MAIL, RSET, QUIT, the control
 * recipient) and the target's own RCPT TO, with the probe outcomes as
 * that target's reply made them.
 *
 * A view copies the record's structs (probes, steps, events) but not the
 * strings and replies they point to: it lives no longer than the group's
 * record, is interpreted and reported like any record, and is released
 * with group_view_free, never record_free.
 */
#ifndef SMTPPROBE_GROUP_H
#define SMTPPROBE_GROUP_H

#include "smtpprobe/record.h"

/* Target j's view of group record m (target j is t: m->target for 0,
 * m->more[j - 1] after). Returns 0, or -1 when out of memory. */
int group_view(const struct run_record *m, size_t j,
	       const struct probe_target *t, struct run_record *out);
void group_view_free(struct run_record *v);

/* Did an interpreted view's verdict rest on a "too many recipients"
 * refusal (452, or 4.5.3) of its RCPT TO while an earlier recipient of
 * the same transaction was answered otherwise? Then the target deserves
 * a transaction (a connection) of its own, not that verdict. */
int group_too_many(const struct run_record *v);

/* Did an interpreted view's verdict rest on a dialogue that ended (a
 * 421, a close, a timeout) after an earlier target's reply and before
 * this target's? It was never really asked: worth another connection. */
int group_unanswered(const struct run_record *v);

#endif
