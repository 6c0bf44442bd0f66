/*
 * budget.c - see budget.h. Hosts live in a small chained hash table,
 * keyed by the address text; one that has nothing open and whose pause
 * is over and reset is dropped, so the table holds at most the hosts
 * with a connection open or a pause pending.
 */
#include "smtpprobe/budget.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtpprobe/record.h"

#define BUCKETS 1024

struct host {
	struct host *next;
	char addr[ADDR_STR_MAX];
	int open;
	long paused_until; /* 0: not paused */
	long backoff_ms;   /* the next pause; 0: the first */
};

struct budget {
	int total, per_host, pauses;
	size_t open;
	unsigned npauses;
	long wake; /* the earliest pause's end when last looked, -1 none */
	struct host *buckets[BUCKETS];
};

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h & (BUCKETS - 1);
}

static struct host *find(const struct budget *b, const char *addr)
{
	for (struct host *h = b->buckets[hash(addr)]; h; h = h->next)
		if (strcmp(h->addr, addr) == 0)
			return h;
	return NULL;
}

static struct host *get(struct budget *b, const char *addr)
{
	struct host *h = find(b, addr);
	uint32_t k;

	if (h)
		return h;
	h = calloc(1, sizeof *h);
	if (!h)
		return NULL;
	snprintf(h->addr, sizeof h->addr, "%s", addr);
	k = hash(h->addr);
	h->next = b->buckets[k];
	b->buckets[k] = h;
	return h;
}

/* Forget a host with nothing left to remember. */
static void maybe_drop(struct budget *b, struct host *h, long now)
{
	struct host **pp;

	if (h->open > 0 || h->backoff_ms > 0 || h->paused_until > now)
		return;
	for (pp = &b->buckets[hash(h->addr)]; *pp && *pp != h;)
		pp = &(*pp)->next;
	if (*pp)
		*pp = h->next;
	free(h);
}

struct budget *budget_new(int total, int per_host, int pauses)
{
	struct budget *b = calloc(1, sizeof *b);

	if (!b)
		return NULL;
	b->total = total > 0 ? total : 1;
	b->per_host = per_host > 0 ? per_host : 1;
	b->pauses = pauses;
	b->wake = -1;
	return b;
}

void budget_free(struct budget *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < BUCKETS; i++) {
		struct host *h = b->buckets[i];
		while (h) {
			struct host *next = h->next;
			free(h);
			h = next;
		}
	}
	free(b);
}

int budget_may_open(const struct budget *b, const char *addr, long now)
{
	const struct host *h;

	if (b->open >= (size_t)b->total)
		return 0;
	h = find(b, addr);
	if (!h)
		return 1;
	return h->open < b->per_host &&
	       (!h->paused_until || h->paused_until <= now);
}

int budget_open(struct budget *b, const char *addr)
{
	struct host *h = get(b, addr);

	b->open++;
	if (!h)
		return -1;
	h->open++;
	return 0;
}

void budget_close(struct budget *b, const char *addr, long now)
{
	struct host *h = find(b, addr);

	if (b->open > 0)
		b->open--;
	if (!h)
		return;
	if (h->open > 0)
		h->open--;
	maybe_drop(b, h, now);
}

long budget_pause(struct budget *b, const char *addr, long now)
{
	struct host *h;
	long ms;

	b->npauses++;
	if (!b->pauses || !(h = get(b, addr)))
		return 0;
	ms = h->backoff_ms ? h->backoff_ms : BACKOFF_FIRST_MS;
	/* One pause at a time: a second "slow down" from a connection
	 * opened before the pause does not double it again. */
	if (h->paused_until > now)
		return h->paused_until - now;
	h->paused_until = now + ms;
	h->backoff_ms = ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : ms * 2;
	if (b->wake < 0 || h->paused_until < b->wake)
		b->wake = h->paused_until;
	return ms;
}

void budget_relax(struct budget *b, const char *addr, long now)
{
	struct host *h = find(b, addr);

	if (!h)
		return;
	/* A pause still running stays; the one after it starts over. */
	h->backoff_ms = 0;
	maybe_drop(b, h, now);
}

long budget_next_wake(struct budget *b, long now)
{
	long best = -1;

	/* Asked by every run held back, every turn: the table is walked
	 * only when the pause remembered has ended. */
	if (b->wake < 0 || b->wake > now)
		return b->wake;
	for (size_t i = 0; i < BUCKETS; i++)
		for (const struct host *h = b->buckets[i]; h; h = h->next)
			if (h->paused_until > now &&
			    (best < 0 || h->paused_until < best))
				best = h->paused_until;
	b->wake = best;
	return best;
}

size_t budget_open_total(const struct budget *b)
{
	return b->open;
}

int budget_open_to(const struct budget *b, const char *addr)
{
	const struct host *h = find(b, addr);

	return h ? h->open : 0;
}

unsigned budget_pauses(const struct budget *b)
{
	return b->npauses;
}
