/*
 * policy_sts.h - what MTA-STS (RFC 8461) and TLS-RPT (RFC 8460) mean for
 * the run, pure: the _mta-sts and _smtp._tls TXT answers, the addresses
 * of mta-sts.DOMAIN, the policy fetch's result (sts_fetch.c fetches; the
 * text formats are policy_text.c's), and then, per probe, what a sender
 * that honours the policy makes of the host it reached.
 *
 * The rules (RFC 8461):
 * - exactly one TXT record that starts "v=STSv1" (others are discarded),
 *   valid, or there is no policy (3.1); a policy that cannot be fetched
 *   or parsed means the same for a sender without a cached one (3.3);
 * - mode enforce: an MX host the policy does not list, or whose
 *   certificate does not verify for its name (PKIX), or that offers no
 *   TLS, gets no mail (4.1, 4.2, 5.1); mode testing: the same is
 *   reported, and mail goes as without a policy;
 * - a host that DANE protects is judged by DANE, not by the policy (2).
 */
#ifndef SMTPPROBE_POLICY_STS_H
#define SMTPPROBE_POLICY_STS_H

#include "smtpprobe/record.h"
#include "smtpprobe/sts_fetch.h"

/* The answers, as resolver.c gets them (status: c-ares's, after
 * dns_answer_status). */
void policy_sts_take_txt(struct run_record *rec, int status,
			 const unsigned char *abuf, int alen, long now_ms);
void policy_rpt_take_txt(struct run_record *rec, int status,
			 const unsigned char *abuf, int alen, long now_ms);
void policy_sts_take_addrs(struct run_record *rec, int family, int status,
			   const unsigned char *abuf, int alen, long now_ms);

/* Should the policy be fetched? Returns 1 with the addresses to use, 0
 * when there is nothing to fetch (no valid record: the state says why;
 * a record but no address: a fetch error is recorded here). */
int policy_sts_should_fetch(struct run_record *rec, long now_ms);

/* The fetch ended (or could not start: res NULL, why in err). */
void policy_sts_take_fetch(struct run_record *rec,
			   const struct sts_fetch_result *res, const char *err,
			   long now_ms);

/* What the policy makes of probe p. */
enum probe_sts {
	PSTS_NOT_APPLICABLE,
	PSTS_MATCHED,
	PSTS_MX_NOT_LISTED,
	PSTS_CERT_INVALID,
	PSTS_NO_TLS
};
enum probe_sts policy_sts_probe(const struct run_record *rec,
				const struct probe *p);
const char *probe_sts_name(enum probe_sts s);

/* Under --tls-policy enforce and a policy in mode enforce, every probe the
 * policy rules out becomes tls_error (policy_failed set): a sender that
 * honours it does not deliver there. Called before the verdicts. */
void policy_sts_judge(struct run_record *rec);

#endif
