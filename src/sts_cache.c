/*
 * sts_cache.c - see sts_cache.h. A ring of copies, searched from the
 * newest: a batch has few policy domains under way at once.
 */
#include "smtpprobe/sts_cache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtpprobe/bounds.h"
#include "smtpprobe/policy_text.h"

struct entry {
	char domain[DOMAIN_MAX + 1];
	char id[STS_ID_MAX + 1];
	struct sts_fetch_result r; /* r.body: the entry's own copy */
	int used;
};

struct sts_cache {
	struct entry e[STS_CACHE_MAX];
	size_t next; /* the slot the next put takes */
};

struct sts_cache *sts_cache_new(void)
{
	return calloc(1, sizeof(struct sts_cache));
}

void sts_cache_free(struct sts_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < STS_CACHE_MAX; i++)
		free(c->e[i].r.body);
	free(c);
}

const struct sts_fetch_result *sts_cache_get(const struct sts_cache *c,
					     const char *domain, const char *id)
{
	for (size_t k = 0; c && k < STS_CACHE_MAX; k++) {
		const struct entry *e =
		    &c->e[(c->next + STS_CACHE_MAX - 1 - k) % STS_CACHE_MAX];
		if (e->used && strcmp(e->domain, domain) == 0 &&
		    strcmp(e->id, id) == 0)
			return &e->r;
	}
	return NULL;
}

void sts_cache_put(struct sts_cache *c, const char *domain, const char *id,
		   const struct sts_fetch_result *r)
{
	struct entry *e;
	char *body = NULL;

	if (!c || strlen(domain) > DOMAIN_MAX || strlen(id) > STS_ID_MAX)
		return;
	if (r->body) {
		body = malloc(r->size + 1);
		if (!body)
			return;
		memcpy(body, r->body, r->size);
		body[r->size] = '\0';
	}
	e = &c->e[c->next];
	c->next = (c->next + 1) % STS_CACHE_MAX;
	free(e->r.body);
	snprintf(e->domain, sizeof e->domain, "%s", domain);
	snprintf(e->id, sizeof e->id, "%s", id);
	e->r = *r;
	e->r.body = body;
	e->used = 1;
}
