/*
 * fuzz_tlsrpt.c - the TLS-RPT TXT record (policy_text.c,
 * tlsrpt_parse_txt) on any bytes, in a buffer of exactly their size.
 *
 * Invariants: never a read outside the buffer; a valid record has 1 to
 * TLSRPT_RUA_CAP URIs, each mailto: or https:, printable ASCII without
 * spaces, at most TLSRPT_URI_MAX long, and each one a piece of the
 * input; an invalid record has an error.
 */
#include <strings.h>

#include "fuzz.h"
#include "smtpprobe/policy_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlsrpt *t = malloc(sizeof *t);
	char *s = malloc(size ? size : 1);
	int rc;

	FUZZ_CHECK(t != NULL && s != NULL);
	memcpy(s, data, size);
	rc = tlsrpt_parse_txt(s, size, t);
	FUZZ_CHECK(rc >= -1 && rc <= 1);
	if (rc == 0) {
		FUZZ_CHECK(t->error == NULL);
		FUZZ_CHECK(t->nrua >= 1 && t->nrua <= TLSRPT_RUA_CAP);
		for (size_t i = 0; i < t->nrua; i++) {
			const char *u = t->rua[i];
			size_t l = strlen(u);
			FUZZ_CHECK(l <= TLSRPT_URI_MAX);
			FUZZ_CHECK(strncasecmp(u, "mailto:", 7) == 0 ||
				   strncasecmp(u, "https:", 6) == 0);
			for (size_t k = 0; k < l; k++)
				FUZZ_CHECK(u[k] > 0x20 && u[k] < 0x7f);
			FUZZ_CHECK(fuzz_contains(s, size, u, l));
		}
	} else if (rc == -1) {
		FUZZ_CHECK(t->error != NULL);
	}
	free(s);
	free(t);
	return 0;
}
