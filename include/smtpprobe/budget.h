/*
 * budget.h - how many connections may be open at once: in all
 * (--concurrency) and to one mail host address (--per-host); and a host
 * that said "slow down" (421, or a 4xx about rate) is left alone for a
 * while, doubling each time it says so again (bounded), instead of being
 * asked again at once. One budget serves every run of a process.
 *
 * Pure: no I/O, no clock of its own (now is given, in milliseconds of
 * one monotonic clock), bounded memory (a host is forgotten once it has
 * nothing open and no pause pending).
 */
#ifndef SMTPPROBE_BUDGET_H
#define SMTPPROBE_BUDGET_H

#include <stddef.h>

/* The pause after a host's first "slow down", and the longest. */
#define BACKOFF_FIRST_MS 1000
#define BACKOFF_MAX_MS	 32000

struct budget;

/* total, per_host >= 1; pauses: whether "slow down" pauses a host (a
 * batch), or only counts. NULL when out of memory. */
struct budget *budget_new(int total, int per_host, int pauses);
void budget_free(struct budget *b);

/* May one more connection to addr be opened now? */
int budget_may_open(const struct budget *b, const char *addr, long now);
/* It was opened (after budget_may_open said yes), or closed. 0, or -1
 * when out of memory (the connection is then not counted per host). */
int budget_open(struct budget *b, const char *addr);
void budget_close(struct budget *b, const char *addr, long now);

/* addr said "slow down" at now: no new connection to it until the pause
 * ends. Returns the pause in milliseconds (0 when pauses are off). */
long budget_pause(struct budget *b, const char *addr, long now);
/* addr accepted a transaction: its next pause starts from the first. */
void budget_relax(struct budget *b, const char *addr, long now);

/* When the earliest pause still running ends (an absolute time), or -1
 * when no host is paused. */
long budget_next_wake(struct budget *b, long now);

size_t budget_open_total(const struct budget *b);
/* Connections open to addr now, and pauses it has been given so far. */
int budget_open_to(const struct budget *b, const char *addr);
unsigned budget_pauses(const struct budget *b);

#endif
