/*
 * record.h - the run record: everything that happened, filled in as it
 * happens (DNS answers, connections, every line sent and received), then
 * annotated by the interpreter and rendered by the reporters.
 *
 * Sanitising has one owner, sanitize.c, and one rule here: reply lines
 * are kept raw (struct reply, bytes as received; a reporter sanitises
 * them on the way out), and every other string in the record is stored
 * in its one sanitised form, made where it enters: notes and sent lines
 * (record_note, record_event, probe_add_step), host names and CNAMEs
 * (dns_answer.c), certificate fields (tlsconn.c), failure details
 * (session.c). words.c builds its sentences from those and from its own
 * text. The reporters check record strings once more on the way out
 * (report_clean_dup), which leaves a clean string as it is.
 */
#ifndef SMTPPROBE_RECORD_H
#define SMTPPROBE_RECORD_H

#include <stddef.h>

#include "smtpprobe/bounds.h"
#include "smtpprobe/codes.h"
#include "smtpprobe/config.h"
#include "smtpprobe/policy_text.h"
#include "smtpprobe/reply.h"
#include "smtpprobe/socks5.h"
#include "smtpprobe/types.h"

#define ADDR_STR_MAX 64 /* textual IPv4/IPv6 address, with room */

enum dns_status {
	DNS_OK,
	DNS_NXDOMAIN,
	DNS_NODATA,
	DNS_NULL_MX,
	DNS_SERVFAIL,
	DNS_TIMEOUT,
	DNS_ERROR,
	DNS_NOT_ASKED, /* a batch line that is no target: nothing asked */
	DNS__COUNT
};
const char *dns_status_name(enum dns_status s);

/* Findings about one mail host, from DNS. */
#define MXF_CNAME	 0x01 /* the exchange name is an alias (RFC 2181 10.3) */
#define MXF_IP_LITERAL	 0x02 /* the exchange is an IP address, not a name */
#define MXF_NO_ADDRESS	 0x04 /* no A/AAAA: a dangling MX */
#define MXF_PRIVATE	 0x08 /* an address is loopback, private or unspecified */
#define MXF_ADDRS_CAPPED 0x10
#define MXF_FROM_SERVER	 0x20 /* given with --server, not from DNS */
#define MXF_IMPLICIT	 0x40 /* the domain itself (no MX records) */

struct mail_host {
	int preference;
	int addr_ad;	/* every address answer was DNSSEC-authenticated */
	char *name;	/* sanitised exchange name, no trailing dot */
	char *cname;	/* canonical name when MXF_CNAME, else NULL */
	unsigned flags; /* MXF_* */
	enum local_error addr_error; /* why there is no address, if none */
	size_t naddrs;
	char addrs[ADDRS_PER_HOST_CAP][ADDR_STR_MAX];
	int families[ADDRS_PER_HOST_CAP]; /* AF_INET / AF_INET6 */
};

/* DNS-wide findings. */
#define DNSF_NULL_MX_MIXED 0x01 /* "MX 0 ." beside other MX records */
#define DNSF_MX_CAPPED	   0x02 /* more MX records than MX_HOSTS_CAP */
#define DNSF_MALFORMED	   0x04 /* an answer did not parse */

struct dns_result {
	enum dns_status status;
	enum local_error error; /* LE_DNS_* when status is not DNS_OK */
	int implicit_mx;
	unsigned flags;	 /* DNSF_* */
	size_t mx_total; /* MX records in the answer, before the cap */
	int mx_ad;	 /* the MX answer was DNSSEC-authenticated (AD) */
	size_t nhosts;
	struct mail_host hosts[MX_HOSTS_CAP];
	long elapsed_ms;
};

enum tls_mode { TLSM_NONE, TLSM_STARTTLS, TLSM_IMPLICIT };
const char *tls_mode_name(enum tls_mode m);

struct tls_info {
	enum tls_mode mode;
	int established;
	char version[16];
	char cipher[64];
	int chain_ok;	    /* the chain verified against the trust store */
	int name_ok;	    /* the certificate names the host */
	long verify_result; /* X509_V_* */
	char *verify_error; /* sanitised text, NULL when verified */
	char *subject;	    /* sanitised */
	char *issuer;	    /* sanitised */
	char *not_after;    /* "2027-01-01 00:00:00 UTC" */
	/* DANE, when the host had usable TLSA records: */
	int dane;	/* the handshake was checked against them */
	int dane_ok;	/* a record matched (DANE-TA: and a name) */
	int dane_depth; /* where in the chain it matched, -1 none */
	int dane_usage, dane_selector, dane_matching; /* what matched */
	long dane_verify_result; /* X509_V_* of the DANE check */
};

/* ---- TLS policy: DANE (RFC 7672) ---- */

enum dnssec_state {
	DNSSEC_INDETERMINATE, /* not asked, or the lookup failed */
	DNSSEC_SECURE,	      /* every answer on the way carried AD */
	DNSSEC_INSECURE,      /* an answer on the way was not signed */
	DNSSEC_BOGUS	      /* the resolver said validation failed */
};
const char *dnssec_state_name(enum dnssec_state s);

enum dane_status {
	DANE_NONE,	  /* no TLSA records */
	DANE_USABLE,	  /* records a sender uses: usage 2 or 3 */
	DANE_UNUSABLE,	  /* records, but none a sender may use */
	DANE_LOOKUP_ERROR /* the TLSA lookup failed */
};
const char *dane_status_name(enum dane_status s);

struct dane_record {
	unsigned usage, selector, matching;
	size_t len;
	unsigned char *data;
};

/* One TLSA name looked up: _PORT._tcp.HOST (and for a CNAME'd host the
 * target's name first, RFC 7672 2.2.2). */
struct dane_host {
	size_t host; /* index into dns.hosts */
	int port;
	char *name; /* the TLSA name whose answer counts (sanitised) */
	enum dnssec_state dnssec; /* of the whole chain: MX, address, TLSA */
	enum dane_status status;
	int applies;	  /* a DANE sender uses the records (all secure) */
	int encrypt_only; /* signed records, none usable: a DANE sender
			     insists on TLS, unauthenticated (RFC 7672 2.2) */
	int unvalidated;  /* records seen, but the resolver does not
			     validate: DANE cannot be judged */
	size_t nrecords;
	size_t total; /* TLSA records in the answer, before the cap */
	struct dane_record records[TLSA_RECORDS_CAP];
};

#define DANE_HOSTS_CAP (MX_HOSTS_CAP * PORTS_CAP)

/* ---- TLS policy: MTA-STS (RFC 8461) and TLS-RPT (RFC 8460) ---- */

enum mta_sts_status {
	MTASTS_NONE,	   /* no v=STSv1 record (or not looked up) */
	MTASTS_OK,	   /* record and policy valid */
	MTASTS_INVALID,	   /* the record or the policy breaks the RFC */
	MTASTS_FETCH_ERROR /* a record, but the policy could not be had */
};
const char *mta_sts_status_name(enum mta_sts_status s);

struct mta_sts_info {
	enum mta_sts_status status;
	int asked;	 /* looked up at all */
	int txt_status;	 /* c-ares status of the TXT lookup */
	size_t nrecords; /* v=STSv1 records (exactly one is valid) */
	char *txt;	 /* the v=STSv1 record, sanitised; NULL */
	char id[STS_ID_MAX + 1];
	int have_policy; /* policy parsed and valid */
	struct sts_policy policy;
	char *error; /* what is wrong (sanitised), NULL */
	/* mta-sts.DOMAIN's addresses, from c-ares */
	size_t naddrs;
	char addrs[STS_ADDRS_CAP][ADDR_STR_MAX];
	int addr_answers; /* A and AAAA answers in */
	/* The fetch, as it went. */
	int fetched;
	const char *fetch_status; /* sts_fetch_status_name, or NULL */
	char request[DNS_NAME_MAX + 64];
	long http_status;
	char content_type[STS_CONTENT_TYPE_MAX + 1];
	char location[STS_LOCATION_MAX + 1];
	char remote_ip[64];
	size_t size;
	long elapsed_ms;
};

enum tls_rpt_status { TLSRPT_NONE, TLSRPT_OK, TLSRPT_INVALID };
const char *tls_rpt_status_name(enum tls_rpt_status s);

struct tls_rpt_info {
	enum tls_rpt_status status;
	int asked;
	int txt_status;
	char *record; /* sanitised, NULL */
	struct tlsrpt rpt;
	char *error; /* sanitised, NULL */
};

struct tls_policy {
	enum tls_policy_mode mode;
	int resolver_validates; /* 1, 0, or -1 when it could not be asked */
	size_t ndane;
	struct dane_host dane[DANE_HOSTS_CAP];
	struct mta_sts_info sts;
	struct tls_rpt_info rpt;
};

/* ---- who the receiver thinks you are ---- */

#define EGRESS_CAP 4 /* distinct sending addresses looked into */

enum dnsbl_status {
	DNSBL_PENDING,
	DNSBL_LISTED,
	DNSBL_NOT_LISTED,
	DNSBL_REFUSED, /* the list refused to answer (e.g. a public resolver) */
	DNSBL_ERROR
};
const char *dnsbl_status_name(enum dnsbl_status s);

#define DNSBL_CODES_CAP 4

struct dnsbl_result {
	int asked;
	enum dnsbl_status status;
	size_t ncodes;
	char codes[DNSBL_CODES_CAP][16]; /* "127.0.0.2" */
};

struct egress {
	char address[ADDR_STR_MAX];
	int family;	/* AF_INET / AF_INET6 */
	int echoed;	/* a server named it (else: a local address) */
	int proxy;	/* the --proxy's BND.ADDR (when not echoed) */
	int ptr_asked;	/* the PTR question went out */
	int ptr_status; /* c-ares status of the PTR answer */
	char *ptr;	/* the PTR name (sanitised), NULL if none */
	int fcrdns;	/* the PTR name resolves back: 1, 0, -1 unknown */
	struct dnsbl_result dnsbl[DNSBL_ZONES_CAP]; /* per cfg->dnsbl zone */
};

struct helo_info {
	int fqdn;	 /* a fully qualified domain name */
	int resolves;	 /* it has A/AAAA: 1, 0, -1 not asked or failed */
	int matches_ptr; /* it is an egress address's PTR: 1, 0, -1 */
	int asked, answers, found, failed;
	int judged; /* identity_finish ran: the fields above are facts */
};

/* ---- is port 25 blocked on this side? ---- */

/* When every port-25 connect timed out, the same addresses are tried on
 * the submission ports, connect only (no SMTP): these never count as a
 * probe, only as evidence about the path. */
#define CONNECT_CHECK_ADDRS_CAP 8
#define CONNECT_CHECKS_CAP	(CONNECT_CHECK_ADDRS_CAP * 2)

enum check_result {
	CHECK_PENDING,
	CHECK_CONNECTED,
	CHECK_REFUSED,
	CHECK_TIMEOUT,
	CHECK_ERROR
};
const char *check_result_name(enum check_result r);

struct connect_check {
	char address[ADDR_STR_MAX];
	int family;
	int port;
	enum check_result result;
	long at_ms;	 /* when it started, since run start */
	long connect_ms; /* how long it took to connect, -1 if it did not */
	int err;	 /* errno for CHECK_ERROR / CHECK_REFUSED */
};

/* One command and its reply, or one local event (connect, TLS). */
struct step {
	enum stage stage;
	enum rcpt_role role; /* a RCPT TO: whose (target, control...) */
	int target;	     /* RCPT_TARGET in a batch group: which (0...) */
	long at_ms;	     /* when it was sent or started, since run start */
	long reply_ms;	     /* when the reply (or failure) came, -1 if none */
	char *sent;	     /* what was sent, secrets redacted; NULL if none */
	int tls;	     /* inside TLS */
	struct reply *reply; /* NULL if none */
	enum local_error error; /* LE_NONE, or what failed locally */
	char *detail;		/* sanitised detail for a local failure */
	int event;		/* the EV_NOTE reporting that failure, or -1 */
	/* Filled by the interpreter: */
	enum category category;
	const char *explanation;
	const char *remediation;
};

/* Notes on a probe, beside its outcome. */
#define PROBEF_CLEARTEXT	0x01 /* went on without TLS (auto) */
#define PROBEF_HELO		0x02 /* EHLO refused, HELO used */
#define PROBEF_LONG_LINE	0x04 /* a reply line over 512 octets */
#define PROBEF_BARE_LF		0x08
#define PROBEF_SMTPUTF8_MISSING 0x10
#define PROBEF_STARTTLS_REFUSED 0x20 /* offered, refused, went on in clear */
#define PROBEF_QUIT_UNAWAITED	0x40 /* QUIT sent, its 221 not waited for */
/* A group view only (group.h): the target's RCPT TO got no reply, the
 * dialogue having ended before (a 421, a close) after an earlier target's. */
#define PROBEF_UNANSWERED 0x80

struct probe {
	size_t host; /* index into dns.hosts */
	char address[ADDR_STR_MAX];
	int family;
	int port;
	char local_address[ADDR_STR_MAX + 8]; /* "ip:port" once connected */
	enum outcome outcome;
	int deciding_step; /* index into steps, -1 if none */
	long connect_ms;   /* connect duration, -1 if not connected */
	unsigned flags;	   /* PROBEF_* */
	unsigned caps;	   /* CAP_* last seen */
	struct tls_info tls;
	int policy_failed; /* an MTA-STS policy made the outcome tls_error */
	char echoed[ADDR_STR_MAX]; /* the client address the server named */
	/* --proxy: the SOCKS5 handshake's time (-1 until the tunnel is
	 * open) and the proxy's BND.ADDR:BND.PORT, the address it connected
	 * to the mail host from ("" until then). */
	long proxy_ms;
	char proxy_bound[SOCKS5_BOUND_MAX];
	size_t nsteps, capsteps;
	struct step *steps;
};

/* The transcript is a time-ordered list of events. */
enum event_kind {
	EV_NOTE, /* the probe's own note: DNS, connect, TLS details */
	EV_SENT, /* a command line as sent (redacted) */
	EV_REPLY /* a reply: lines printed from the step's reply */
};

struct event {
	long t_ms;
	int probe; /* index into probes, -1 for DNS / run notes */
	enum event_kind kind;
	int tls;
	int step;   /* for EV_REPLY and EV_SENT */
	char *text; /* sanitised; for EV_NOTE and EV_SENT */
};

/* Why a verdict is what it is: the words come from words.c. */
enum verdict_reason {
	VR_NONE,
	VR_ACCEPTED,	   /* the deciding probe's RCPT (MAIL) got 2xx */
	VR_REJECTED,	   /* a 5xx decided, at the deciding step's stage */
	VR_TEMPFAIL,	   /* no decision; the best probe got 4xx */
	VR_PROTOCOL,	   /* no decision; the best probe broke SMTP */
	VR_TLS,		   /* no decision; the best probe failed TLS */
	VR_SILENT,	   /* no decision; the host connected, then silence */
	VR_UNREACHABLE,	   /* no host could be reached */
	VR_DNS,		   /* the MX lookup failed: error says how */
	VR_NULL_MX,	   /* the domain accepts no mail (RFC 7505) */
	VR_NO_ADDRESS,	   /* no MX host has an address */
	VR_ADDRESS_LOOKUP, /* the hosts' address lookups failed: error */
	VR_FINDING,	   /* findings[finding] says it best */
	VR_BAD_ADDRESS,	   /* a batch line that is no target */
	VR__COUNT
};
const char *verdict_reason_name(enum verdict_reason r);

struct verdict {
	int port; /* 0 for the overall verdict */
	enum verdict_outcome outcome;
	int exit_status;
	int deciding_probe; /* -1 if none */
	enum verdict_reason reason;
	int finding;		/* for VR_FINDING, an index into findings */
	enum local_error error; /* for VR_DNS and VR_ADDRESS_LOOKUP */
	const char *detail;	/* for VR_BAD_ADDRESS: why (static text) */
	/* Rendered from the above by words.c, once, for every report. */
	char summary[512];
	char remediation[512];
};

/* What the reasoning across probes found (reasoning.c). */
enum finding_kind {
	FIND_PORT25_BLOCKED,   /* port 25 times out everywhere, others answer */
	FIND_ALL_UNREACHABLE,  /* every host refused or did not answer */
	FIND_FAMILY_BROKEN,    /* IPv6 fails where IPv4 works, or the reverse */
	FIND_EGRESS_LISTED,    /* every host cites a blocklist or reputation */
	FIND_INCONSISTENT_MX,  /* accepted on one MX, unknown on another */
	FIND_GREYLISTED,       /* deferred on purpose; a retry will pass */
	FIND_NULL_MX_MIXED,    /* "MX 0 ." beside other MX records */
	FIND_MX_CNAME,	       /* an MX names an alias (RFC 2181 10.3) */
	FIND_MX_IP_LITERAL,    /* an MX names an address */
	FIND_MX_DANGLING,      /* an MX host without A/AAAA */
	FIND_MX_PRIVATE,       /* an MX host at a private/loopback address */
	FIND_CLEARTEXT,	       /* a host offers no TLS */
	FIND_TLS_UNVERIFIED,   /* a certificate that does not verify */
	FIND_RETRIED,	       /* --retry-greylist retried the probe */
	FIND_STARTTLS_REFUSED, /* STARTTLS offered, then refused: in clear */
	FIND_RSET_REFUSED,     /* RSET got no 2xx after the verdict was in */
	FIND_QUIT_REFUSED,     /* QUIT got no 2xx */
	FIND_SILENT_AFTER_CONNECT, /* connected (maybe TLS), then silence */
	FIND_AUTH_WITHHELD, /* credentials not sent: certificate unverified */
	FIND_INSECURE_AUTH, /* --insecure: credentials may go unverified */
	FIND_DANE_MISMATCH, /* the certificate matches no usable TLSA record */
	FIND_DANE_NO_STARTTLS,	 /* usable TLSA records, but no TLS */
	FIND_DANE_UNVALIDATED,	 /* TLSA seen; the resolver does not validate */
	FIND_DANE_LOOKUP_ERROR,	 /* the TLSA lookup failed where it counts */
	FIND_DANE_UNUSABLE,	 /* TLSA records, none usable for SMTP */
	FIND_DANE_NO_ROLLOVER,	 /* one DANE-EE record and nothing beside it */
	FIND_STS_MX_NOT_LISTED,	 /* MTA-STS: the MX host is not in the policy */
	FIND_STS_CERT_INVALID,	 /* MTA-STS: its certificate does not verify */
	FIND_STS_NO_TLS,	 /* MTA-STS: it offers no working TLS */
	FIND_STS_INVALID,	 /* the TXT record or the policy is broken */
	FIND_STS_FETCH_ERROR,	 /* a TXT record, but no policy to be had */
	FIND_TLSRPT_MISSING,	 /* DANE or MTA-STS without a TLS-RPT record */
	FIND_TLSRPT_INVALID,	 /* a TLS-RPT record that breaks RFC 8460 */
	FIND_EGRESS_NO_PTR,	 /* a sending address without reverse DNS */
	FIND_EGRESS_FCRDNS,	 /* its PTR name does not resolve back to it */
	FIND_HELO_NOT_FQDN,	 /* the HELO name is not a full domain name */
	FIND_HELO_UNRESOLVED,	 /* the HELO name has no A/AAAA */
	FIND_HELO_MISMATCH,	 /* the HELO name is not the egress's PTR */
	FIND_DNSBL_LISTED,	 /* an egress address is on a --dnsbl list */
	FIND_REJECTS_EVERYONE,	 /* postmaster refused as the target was */
	FIND_POSTMASTER_REFUSED, /* the target accepted, postmaster not */
	FIND_CATCH_ALL,		 /* a random local part accepted too */
	FIND_CATCH_ALL_SKIPPED,	 /* --catch-all not tried at a big provider */
	FIND_PROXY_FAILED,	 /* --proxy: every probe ended at the proxy */
	FIND__COUNT
};
const char *finding_name(enum finding_kind k);

#define FINDINGS_MAX 16

/* A finding: its kind and the facts its words are built from (what does
 * not apply is -1, 0 or ""). */
struct finding {
	enum finding_kind kind;
	int probe;	 /* the probe it is about */
	int other_probe; /* a second probe (inconsistent_mx: the one that
			    rejects) */
	int host;	 /* a mail host (index into dns.hosts) */
	int step;	 /* a step of probe (the reply it rests on) */
	int step2;	 /* a second step of probe (rejects_everyone: the
			    control recipient's) */
	int port;	 /* a port (port25_blocked: the one that answered) */
	int code;	 /* a reply code (starttls/rset/quit_refused) */
	int family;	 /* 4 or 6: the family that failed */
	int seconds;	 /* a wait: the timeout, or the retry's delay */
	size_t refused, timed_out, other; /* connection attempts */
	char address[ADDR_STR_MAX];	  /* the egress address a server saw */
	int dane;			  /* an index into policy.dane */
	int zone;			  /* an index into cfg->dnsbl */
	/* Rendered from the above by words.c, once, for every report. */
	char text[512];
	char remediation[512];
};

/* This run is --retry-greylist's second attempt. */
struct retry_info {
	int retried;		   /* 0: a first attempt */
	int wait_s;		   /* how long after the first */
	char first_utc[32];	   /* when the first attempt started */
	char host[DOMAIN_MAX + 1]; /* the host that greylisted it */
};

struct run_record {
	const struct config *cfg;
	const struct probe_target *target; /* what this run probes */
	/* A batch group: more targets of target's domain, asked in the same
	 * transaction after it (the group's k-th target is more[k - 1]). */
	const struct probe_target *const *more;
	size_t nmore;
	struct retry_info retry;
	char started_utc[32]; /* "2026-11-22 05:01:02 UTC" */
	char resolvers[256];  /* the resolvers asked, for the header */
	struct dns_result dns;
	struct tls_policy policy;
	size_t negress;
	struct egress egress[EGRESS_CAP];
	struct helo_info helo;
	/* The extra recipients of an ADDRESS probe ("" when not asked). */
	char control_rcpt[PATH_MAX_OCTETS + 1];
	char catch_all_rcpt[PATH_MAX_OCTETS + 1];
	size_t nprobes, capprobes;
	struct probe *probes;
	size_t nchecks;
	struct connect_check checks[CONNECT_CHECKS_CAP];
	size_t nevents, capevents;
	struct event *events;
	size_t
	    view_events; /* a group view (group.h): its own events from here */
	int deadline_hit;
	struct verdict verdicts[PORTS_CAP];
	size_t nverdicts;
	struct verdict overall;
	size_t nfindings;
	struct finding findings[FINDINGS_MAX];
	long elapsed_ms;
};

void record_init(struct run_record *rec, const struct config *cfg,
		 const struct probe_target *target);
void record_free(struct run_record *rec);
/* Append; text is sanitised (copied) here. Returns the new index. */
int record_note(struct run_record *rec, long t_ms, int probe, int tls,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int record_event(struct run_record *rec, long t_ms, int probe,
		 enum event_kind kind, int tls, int step, const char *text);
struct probe *record_add_probe(struct run_record *rec, size_t host,
			       const char *address, int family, int port);
/* Room for exactly n probes, before the first record_add_probe (without
 * it, room for the most a run can have). Returns 0, or -1. */
int record_reserve_probes(struct run_record *rec, size_t n);
/* The probe got a 2xx EHLO (or HELO) reply: far enough to see whether
 * STARTTLS is offered. */
int probe_greeted(const struct probe *p);
/* The step that decided the probe's outcome, or NULL. */
const struct step *probe_deciding_step(const struct probe *p);
/* The step a report shows for a probe: the deciding one, else the last
 * that failed, else NULL. */
const struct step *probe_shown_step(const struct probe *p);
/* Append to buf (size cap, len used) and return the new length, never
 * past cap - 1 (snprintf returns what it would have written, so adding
 * that up blindly walks off the end). */
size_t text_appendf(char *buf, size_t cap, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Add a step to a probe; sent may be NULL. Returns its index. */
int probe_add_step(struct probe *p, enum stage st, long at_ms, const char *sent,
		   int tls);

#endif
