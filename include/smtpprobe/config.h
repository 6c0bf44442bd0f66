/*
 * config.h - what the command line asked for, validated. Filled by cli.c,
 * read by everything else; nothing changes it after parsing.
 */
#ifndef SMTPPROBE_CONFIG_H
#define SMTPPROBE_CONFIG_H

#include "smtpprobe/bounds.h"
#include "smtpprobe/dialogue.h"
#include "smtpprobe/proxy_url.h"

enum family_pref { FAMILY_ANY, FAMILY_V4, FAMILY_V6 };

/* --tls-policy: judge as a sender that honours DANE and MTA-STS
 * (enforce), look them up and only report (report), or neither (off). */
enum tls_policy_mode { TLSP_ENFORCE, TLSP_REPORT, TLSP_OFF };

/* The port policy, named once: 25 is MX delivery (server to server), the
 * default; 465 is implicit TLS (submissions, RFC 8314); every other port
 * speaks SMTP in clear and upgrades with STARTTLS. */
#define PORT_MX		  25
#define PORT_IMPLICIT_TLS 465

static inline int port_is_implicit_tls(int port)
{
	return port == PORT_IMPLICIT_TLS;
}

/* One thing to probe: ADDRESS (local@domain) or DOMAIN. A run probes one
 * target (run_probe takes it apart from the config), so that one loop can
 * later drive many. */
struct probe_target {
	char given[PATH_MAX_OCTETS + 1]; /* as given (sanitised for display) */
	char local[LOCAL_PART_MAX + 1];	 /* "" for a DOMAIN probe */
	char domain[DOMAIN_MAX + 1];	 /* A-label (IDN converted) form */
	char rcpt[PATH_MAX_OCTETS + 1];	 /* local@domain as sent, or "" */
	int is_address;
	int need_smtputf8; /* non-ASCII local part */
};

struct config {
	/* What to probe, in order: targets[0..ntargets). The command line
	 * names one, kept in target (targets points at it); a driver of
	 * many (a batch) points targets at its own list. The config is
	 * never copied. */
	const struct probe_target *targets;
	size_t ntargets;
	struct probe_target target;
	int from_smtputf8; /* the --from address has a non-ASCII local part */

	int ports[PORTS_CAP];
	int nports;
	char server[DOMAIN_MAX + 1]; /* -s HOST, "" = MX lookup */
	int server_port;	     /* -s HOST:PORT, 0 = --port */
	enum starttls_mode starttls;
	enum tls_policy_mode tls_policy;
	char from[PATH_MAX_OCTETS + 1]; /* "" = null sender */
	char helo[DOMAIN_MAX + 1];
	char dns_servers[512]; /* as for ares_set_servers_ports_csv */
	/* --dnsbl: block-list zones for the egress addresses ("none": 0) */
	char dnsbl[DNSBL_ZONES_CAP][DOMAIN_MAX + 1];
	int ndnsbl;
	int no_control; /* --no-control: no RCPT TO:<postmaster@DOMAIN> */
	int catch_all;	/* --catch-all: a RCPT TO with a random local part */
	enum family_pref family;
	int concurrency; /* --concurrency: connections open at once in all */
	int per_host;	 /* --per-host: at once to one mail host address */
	int timeout_s;
	int retry_greylist_s; /* 0 = do not retry */
	char ca_file[4096];   /* "" = system store */
	char auth_user[256];  /* "" = no AUTH */
	char auth_pass[256];  /* never printed */
	int insecure;	      /* --insecure: AUTH over an unverified cert */
	/* --proxy: every SMTP session and the MTA-STS fetch go through this
	 * SOCKS5 proxy; proxy.host "" = direct. The password (with
	 * proxy.user) comes from SMTPPROBE_PROXY_PASSWORD or the prompt and
	 * is never printed. */
	struct proxy_url proxy;
	char proxy_pass[256];
	int trace_states; /* SMTPPROBE_TRACE_STATES: state changes */
	int verbose;
	int json;
	int color;
	char batch[4096]; /* --batch FILE ("-": standard input) */
	int do_batch;
	char explain[1024]; /* --explain argument */
	int do_explain;

	/* For the transcript header: argv with secrets removed. */
	char cmdline[2048];
};

#endif
