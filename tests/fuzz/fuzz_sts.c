/*
 * fuzz_sts.c - the MTA-STS text formats (policy_text.c): byte 0 picks
 * the parser (even: the _mta-sts TXT record; odd: the policy file, then
 * every host named after a NUL in the input matched against it); the
 * rest is the text, in a buffer of exactly its size.
 *
 * Invariants: never a read outside the buffer; a valid TXT record has an
 * id of 1 to 32 letters and digits and no error; an invalid one has an
 * error; a valid policy has a mode, max_age in range, at most STS_MX_CAP
 * patterns, each lower case and valid as a pattern, and mx unless the
 * mode is none; a pattern without "*." matches only the same name; a
 * policy lists a host exactly when one of its patterns matches it.
 */
#include "fuzz.h"
#include "smtpprobe/policy_text.h"

static void txt(const char *s, size_t n)
{
	struct sts_txt t;
	int rc = sts_parse_txt(s, n, &t);

	FUZZ_CHECK(rc >= -1 && rc <= 1);
	if (rc == 0) {
		size_t l = strlen(t.id);
		FUZZ_CHECK(t.error == NULL && l >= 1 && l <= STS_ID_MAX);
		for (size_t i = 0; i < l; i++)
			FUZZ_CHECK((t.id[i] >= '0' && t.id[i] <= '9') ||
				   (t.id[i] >= 'a' && t.id[i] <= 'z') ||
				   (t.id[i] >= 'A' && t.id[i] <= 'Z'));
	} else if (rc == -1) {
		FUZZ_CHECK(t.error != NULL);
	}
}

static void policy(const char *s, size_t n)
{
	struct sts_policy *p = malloc(sizeof *p);
	const char *nul = memchr(s, '\0', n);
	size_t body = nul ? (size_t)(nul - s) : n;
	int rc;

	FUZZ_CHECK(p != NULL);
	rc = sts_parse_policy(s, body, p);
	FUZZ_CHECK(rc == 0 || rc == -1);
	if (rc == 0) {
		FUZZ_CHECK(p->error == NULL);
		FUZZ_CHECK(p->max_age >= 0 && p->max_age <= STS_MAX_AGE_MAX);
		FUZZ_CHECK(p->nmx <= STS_MX_CAP);
		FUZZ_CHECK(p->mode == STS_MODE_NONE || p->nmx > 0);
		for (size_t i = 0; i < p->nmx; i++) {
			const char *m = p->mx[i];
			size_t l = strlen(m);
			FUZZ_CHECK(l > 0 && l <= DOMAIN_MAX);
			for (size_t k = 0; k < l; k++)
				FUZZ_CHECK(!(m[k] >= 'A' && m[k] <= 'Z'));
			/* A pattern always matches a name it stands for. */
			if (m[0] != '*')
				FUZZ_CHECK(sts_mx_matches(m, m));
			else if (l > 2)
				FUZZ_CHECK(!sts_mx_matches(m, m + 2));
		}
	} else {
		FUZZ_CHECK(p->error != NULL);
	}
	/* Hosts after the NUL, NUL-separated, each matched. */
	for (size_t o = body + 1; nul && o < n;) {
		char host[DOMAIN_MAX + 1];
		const char *end = memchr(s + o, '\0', n - o);
		size_t l = end ? (size_t)(end - (s + o)) : n - o;
		size_t c = l < DOMAIN_MAX ? l : DOMAIN_MAX;
		int any = 0;

		memcpy(host, s + o, c);
		host[c] = '\0';
		for (size_t i = 0; rc == 0 && i < p->nmx; i++)
			any |= sts_mx_matches(p->mx[i], host);
		FUZZ_CHECK(rc != 0 || sts_policy_lists(p, host) == any);
		o += l + 1;
	}
	free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size < 1)
		return 0;
	s = malloc(size - 1 ? size - 1 : 1);
	FUZZ_CHECK(s != NULL);
	memcpy(s, data + 1, size - 1);
	if (data[0] & 1)
		policy(s, size - 1);
	else
		txt(s, size - 1);
	free(s);
	return 0;
}
