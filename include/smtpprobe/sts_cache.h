/*
 * sts_cache.h - the MTA-STS policy fetches of a process, kept by domain
 * and policy id (RFC 8461 3.1: a sender fetches again only when the id
 * changes): the groups of one domain in a batch fetch its policy once.
 * Bounded (STS_CACHE_MAX results, the oldest go first); a fetch cut by
 * a run's deadline is not kept.
 */
#ifndef SMTPPROBE_STS_CACHE_H
#define SMTPPROBE_STS_CACHE_H

#include "smtpprobe/sts_fetch.h"

#define STS_CACHE_MAX 256

struct sts_cache;

struct sts_cache *sts_cache_new(void);
void sts_cache_free(struct sts_cache *c);

/* The result kept for domain and id, or NULL. Valid until the next
 * sts_cache_put. */
const struct sts_fetch_result *
sts_cache_get(const struct sts_cache *c, const char *domain, const char *id);
/* Keep a copy of r (its body too). */
void sts_cache_put(struct sts_cache *c, const char *domain, const char *id,
		   const struct sts_fetch_result *r);

#endif
