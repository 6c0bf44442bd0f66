/*
 * cli.c - see cli.h. One handler per option, each checking its value
 * completely where it enters; rules that involve several options (the
 * contradictions, the positional argument, defaults) run once getopt is
 * done. Every message that quotes the user goes through show(), which
 * sanitises and shortens it: argv may hold escape sequences.
 */
#include "smtpprobe/cli.h"

#include "smtpprobe/dns_answer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "smtpprobe/addr.h"
#include "smtpprobe/report.h"
#include "smtpprobe/sanitize.h"

#define PROG		    "smtpprobe"
#define MAILNAME_PATH	    "/etc/mailname"
#define DEFAULT_TIMEOUT	    10
#define DEFAULT_CONCURRENCY 32
#define DEFAULT_PER_HOST    2

/* Longest piece of user input quoted in a message (input octets), and a
 * buffer that always holds its sanitised form plus "...". */
#define SHOW_MAX  80
#define SHOW_SIZE (SANITIZE_SIZE(SHOW_MAX) + 3)
/* Longest single argument copied into the command line for the ticket. */
#define CMDLINE_ARG_MAX 512

enum {
	OPT_STARTTLS = 256,
	OPT_HELO,
	OPT_DNS_SERVER,
	OPT_CA_FILE,
	OPT_AUTH,
	OPT_JSON,
	OPT_NO_COLOR,
	OPT_EXPLAIN,
	OPT_RETRY_GREYLIST,
	OPT_INSECURE,
	OPT_TLS_POLICY,
	OPT_DNSBL,
	OPT_CATCH_ALL,
	OPT_NO_CONTROL,
	OPT_BATCH,
	OPT_CONCURRENCY,
	OPT_PER_HOST,
	OPT_PROXY,
};

/* Leading ':' so that getopt reports a missing argument as ':' and prints
 * nothing itself (with opterr = 0): every message is ours, one line. */
static const char short_opts[] = ":p:s:f:t:46vhV";

static const struct option long_opts[] = {
    {"port", required_argument, NULL, 'p'},
    {"server", required_argument, NULL, 's'},
    {"starttls", required_argument, NULL, OPT_STARTTLS},
    {"from", required_argument, NULL, 'f'},
    {"helo", required_argument, NULL, OPT_HELO},
    {"dns-server", required_argument, NULL, OPT_DNS_SERVER},
    {"timeout", required_argument, NULL, 't'},
    {"ca-file", required_argument, NULL, OPT_CA_FILE},
    {"auth", required_argument, NULL, OPT_AUTH},
    {"insecure", no_argument, NULL, OPT_INSECURE},
    {"proxy", required_argument, NULL, OPT_PROXY},
    {"tls-policy", required_argument, NULL, OPT_TLS_POLICY},
    {"dnsbl", required_argument, NULL, OPT_DNSBL},
    {"catch-all", no_argument, NULL, OPT_CATCH_ALL},
    {"no-control", no_argument, NULL, OPT_NO_CONTROL},
    {"batch", required_argument, NULL, OPT_BATCH},
    {"concurrency", required_argument, NULL, OPT_CONCURRENCY},
    {"per-host", required_argument, NULL, OPT_PER_HOST},
    {"verbose", no_argument, NULL, 'v'},
    {"json", no_argument, NULL, OPT_JSON},
    {"no-color", no_argument, NULL, OPT_NO_COLOR},
    {"explain", required_argument, NULL, OPT_EXPLAIN},
    {"retry-greylist", required_argument, NULL, OPT_RETRY_GREYLIST},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

/* What the option handlers share beyond the config itself. */
struct parse_state {
	struct config *cfg;
	FILE *err;
	int port_given;
	int helo_given;
	int no_color;
	int want_v4, want_v6;
};

/* ---- messages ---------------------------------------------------------- */

/* Sanitised copy of at most max input octets of s (cut at a character
 * boundary, "..." marking the cut). bufsz >= SANITIZE_SIZE(max) + 3. */
static const char *clean(char *buf, size_t bufsz, const char *s, size_t max)
{
	size_t len = strlen(s), n = len;

	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	n = sanitize_buf(buf, bufsz - 3, s, n);
	if (len > max)
		memcpy(buf + n, "...", 4);
	return buf;
}

static const char *show(char buf[static SHOW_SIZE], const char *s)
{
	return clean(buf, SHOW_SIZE, s, SHOW_MAX);
}

static void vsay(FILE *err, int usage, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
static int usage_error(FILE *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int data_error(FILE *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void vsay(FILE *err, int usage, const char *fmt, va_list ap)
{
	fputs(PROG ": ", err);
	vfprintf(err, fmt, ap);
	fputc('\n', err);
	if (usage)
		fputs("Try '" PROG " --help'.\n", err);
	fflush(err);
}

static int usage_error(FILE *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(err, 1, fmt, ap);
	va_end(ap);
	return CLI_EXIT_USAGE;
}

static int data_error(FILE *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(err, 0, fmt, ap);
	va_end(ap);
	return CLI_EXIT_DATAERR;
}

/* ---- small parsers ----------------------------------------------------- */

/* Decimal digits only (no sign, space or "0x"), within [min, max]. */
static int parse_uint(const char *s, size_t len, long min, long max, long *out)
{
	long v = 0;

	if (len == 0 || len > 6)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_port(const char *s, size_t len, int *port)
{
	long v;

	if (parse_uint(s, len, 1, 65535, &v) < 0)
		return -1;
	*port = (int)v;
	return 0;
}

/* Copy a string known (or checked here) to fit; -1 if it does not. */
static int copy_str(char *dst, size_t dstsz, const char *src)
{
	size_t n = strlen(src);

	if (n >= dstsz)
		return -1;
	memcpy(dst, src, n + 1);
	return 0;
}

/*
 * Split "HOST", "HOST:PORT", "[IPV6]", "[IPV6]:PORT", or a bare IPv6
 * literal: with two or more colons and no brackets the whole is the host,
 * since a port could not be told apart. Returns 0, -1 for a bad shape,
 * -2 for a bad port. *port is 0 when absent.
 */
static int split_hostport(const char *s, char *host, size_t hostsz, int *port,
			  int *bracketed)
{
	const char *p = NULL, *c;
	size_t hlen = strlen(s);

	*port = 0;
	*bracketed = s[0] == '[';
	if (*bracketed) {
		c = strchr(s, ']');
		if (!c || (c[1] != '\0' && c[1] != ':'))
			return -1;
		s++;
		hlen = (size_t)(c - s);
		p = c[1] == ':' ? c + 2 : NULL;
	} else if ((c = strchr(s, ':')) && !strchr(c + 1, ':')) {
		hlen = (size_t)(c - s);
		p = c + 1;
	}
	if (hlen == 0 || hlen >= hostsz)
		return -1;
	if (p && parse_port(p, strlen(p), port) < 0)
		return -2;
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	return 0;
}

/* ---- option handlers --------------------------------------------------- */

static int port_listed(const struct config *cfg, int port)
{
	for (int i = 0; i < cfg->nports; i++)
		if (cfg->ports[i] == port)
			return 1;
	return 0;
}

/* -p LIST: a later -p replaces an earlier one. */
static int opt_port(struct parse_state *st, const char *arg)
{
	struct config *cfg = st->cfg;
	const char *p = arg;
	char b[SHOW_SIZE];

	cfg->nports = 0;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		int port;

		if (parse_port(p, n, &port) < 0)
			return usage_error(st->err,
					   "bad --port '%s': use numbers from "
					   "1 to 65535, separated by commas",
					   show(b, arg));
		if (port_listed(cfg, port))
			return usage_error(
			    st->err, "port %d is given twice in --port", port);
		if (cfg->nports == PORTS_CAP)
			return usage_error(
			    st->err, "too many ports in --port: at most %d",
			    PORTS_CAP);
		cfg->ports[cfg->nports++] = port;
		if (!comma)
			break;
		p = comma + 1;
	}
	st->port_given = 1;
	return 0;
}

/* -s HOST[:PORT]: an IP literal is kept as it is, a name is checked and
 * converted to A-labels like the target's domain. */
static int opt_server(struct parse_state *st, const char *arg)
{
	struct config *cfg = st->cfg;
	char host[ADDR_INPUT_MAX + 1], b[SHOW_SIZE];
	int port, bracketed, rc;

	rc = split_hostport(arg, host, sizeof host, &port, &bracketed);
	if (rc == -2)
		return usage_error(
		    st->err,
		    "bad port in --server '%s': use a number from 1 to 65535",
		    show(b, arg));
	if (rc < 0)
		return usage_error(st->err,
				   "bad --server '%s': expected HOST, "
				   "HOST:PORT or [IPv6]:PORT",
				   show(b, arg));
	if (addr_ip_family(host) == AF_INET6 ||
	    (!bracketed && addr_ip_family(host) == AF_INET)) {
		copy_str(cfg->server, sizeof cfg->server, host); /* <= 45 */
	} else if (bracketed) {
		return usage_error(
		    st->err,
		    "bad --server '%s': only an IPv6 address goes in brackets",
		    show(b, arg));
	} else {
		rc = addr_parse_domain(host, strlen(host), cfg->server,
				       sizeof cfg->server);
		if (rc)
			return usage_error(st->err,
					   "bad --server host '%s': %s",
					   show(b, host), addr_strerror(rc));
	}
	cfg->server_port = port;
	return 0;
}

static int opt_starttls(struct parse_state *st, const char *arg)
{
	char b[SHOW_SIZE];

	if (strcmp(arg, "auto") == 0)
		st->cfg->starttls = STARTTLS_AUTO;
	else if (strcmp(arg, "require") == 0)
		st->cfg->starttls = STARTTLS_REQUIRE;
	else if (strcmp(arg, "never") == 0)
		st->cfg->starttls = STARTTLS_NEVER;
	else if (strcmp(arg, "verify") == 0)
		st->cfg->starttls = STARTTLS_VERIFY;
	else
		return usage_error(st->err,
				   "--starttls must be never, auto, require or "
				   "verify, not '%s'",
				   show(b, arg));
	return 0;
}

/* The block lists of a default run (README, smtpprobe(1)). */
static const char *const default_dnsbl[] = {
    "zen.spamhaus.org", "b.barracudacentral.org", "bl.spamcop.net"};

static int opt_dnsbl(struct parse_state *st, const char *arg)
{
	struct config *cfg = st->cfg;
	const char *p = arg;
	char b[SHOW_SIZE];

	cfg->ndnsbl = 0;
	if (strcmp(arg, "none") == 0)
		return 0;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		char *zone;

		if (cfg->ndnsbl >= DNSBL_ZONES_CAP)
			return usage_error(st->err,
					   "--dnsbl names more than %d zones",
					   DNSBL_ZONES_CAP);
		zone = cfg->dnsbl[cfg->ndnsbl];
		/* Room for "255.255.255.255." in front of the zone. */
		if (n == 0 || n + 16 > DNS_NAME_MAX)
			return usage_error(st->err, "bad --dnsbl zone in '%s'",
					   show(b, arg));
		memcpy(zone, p, n);
		zone[n] = '\0';
		if (!dns_valid_hostname(zone) || !strchr(zone, '.'))
			return usage_error(st->err,
					   "bad --dnsbl zone '%s': not a DNS "
					   "zone name",
					   show(b, zone));
		cfg->ndnsbl++;
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

static int opt_tls_policy(struct parse_state *st, const char *arg)
{
	char b[SHOW_SIZE];

	if (strcmp(arg, "enforce") == 0)
		st->cfg->tls_policy = TLSP_ENFORCE;
	else if (strcmp(arg, "report") == 0)
		st->cfg->tls_policy = TLSP_REPORT;
	else if (strcmp(arg, "off") == 0)
		st->cfg->tls_policy = TLSP_OFF;
	else
		return usage_error(st->err,
				   "--tls-policy must be enforce, report or "
				   "off, not '%s'",
				   show(b, arg));
	return 0;
}

/* -f: a malformed address is bad data (65), like a malformed target. */
static int opt_from(struct parse_state *st, const char *arg)
{
	struct mail_addr a;
	char b[SHOW_SIZE];
	int rc = addr_parse_sender(arg, strlen(arg), &a);

	if (rc)
		return data_error(st->err, "bad --from address '%s': %s",
				  show(b, arg), addr_strerror(rc));
	copy_str(st->cfg->from, sizeof st->cfg->from, a.path);
	st->cfg->from_smtputf8 = a.need_smtputf8;
	return 0;
}

static int opt_helo(struct parse_state *st, const char *arg)
{
	char b[SHOW_SIZE];
	char *helo = st->cfg->helo;
	int rc = addr_parse_helo(arg, strlen(arg), helo, sizeof st->cfg->helo);

	if (rc)
		return usage_error(st->err, "bad --helo name '%s': %s",
				   show(b, arg), addr_strerror(rc));
	st->helo_given = 1;
	return 0;
}

/* One resolver, rewritten in the form c-ares 1.18 accepts: it takes
 * "[v6]:port" but not "[v6]" alone, so a port-less IPv6 goes bare. */
static int dns_entry(const char *item, char *out, size_t outsz)
{
	char host[64];
	int port, bracketed, n;

	if (split_hostport(item, host, sizeof host, &port, &bracketed) < 0)
		return -1;
	if (addr_ip_family(host) == AF_INET6)
		n = port ? snprintf(out, outsz, "[%s]:%d", host, port)
			 : snprintf(out, outsz, "%s", host);
	else if (!bracketed && addr_ip_family(host) == AF_INET)
		n = port ? snprintf(out, outsz, "%s:%d", host, port)
			 : snprintf(out, outsz, "%s", host);
	else
		return -1;
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

/* --dns-server LIST: a later one replaces an earlier one, as --port. */
static int opt_dns_server(struct parse_state *st, const char *arg)
{
	char *list = st->cfg->dns_servers;
	size_t size = sizeof st->cfg->dns_servers, len = 0;
	const char *p = arg;
	char b[SHOW_SIZE];

	list[0] = '\0';
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		char item[80], entry[80];

		if (n == 0 || n >= sizeof item)
			goto bad;
		memcpy(item, p, n);
		item[n] = '\0';
		if (dns_entry(item, entry, sizeof entry) < 0)
			goto bad;
		n = strlen(entry);
		if (len + (len > 0) + n >= size)
			return usage_error(st->err,
					   "too many --dns-server addresses");
		if (len > 0)
			list[len++] = ',';
		memcpy(list + len, entry, n + 1);
		len += n;
		if (!comma)
			return 0;
		p = comma + 1;
	}
bad:
	list[0] = '\0';
	return usage_error(st->err,
			   "bad --dns-server '%s': give IPv4, IPv4:PORT, IPv6 "
			   "or [IPv6]:PORT addresses, separated by commas",
			   show(b, arg));
}

/* A whole number of seconds from 1 to max, for option name. */
static int opt_seconds(struct parse_state *st, const char *name,
		       const char *arg, long max, int *out)
{
	char b[SHOW_SIZE];
	long v;

	if (parse_uint(arg, strlen(arg), 1, max, &v) < 0)
		return usage_error(
		    st->err, "bad %s '%s': use whole seconds from 1 to %ld",
		    name, show(b, arg), max);
	*out = (int)v;
	return 0;
}

static int opt_timeout(struct parse_state *st, const char *arg)
{
	return opt_seconds(st, "--timeout", arg, TIMEOUT_MAX,
			   &st->cfg->timeout_s);
}

static int opt_retry_greylist(struct parse_state *st, const char *arg)
{
	return opt_seconds(st, "--retry-greylist", arg, RETRY_GREYLIST_MAX,
			   &st->cfg->retry_greylist_s);
}

/* Checked now, so that a typo is a usage error and not a TLS failure on
 * every host later. */
static int opt_ca_file(struct parse_state *st, const char *arg)
{
	char b[SHOW_SIZE];
	struct stat sb;

	if (strlen(arg) >= sizeof st->cfg->ca_file)
		return usage_error(st->err, "--ca-file name is too long");
	if (access(arg, R_OK) != 0)
		return usage_error(st->err, "cannot read --ca-file '%s': %s",
				   show(b, arg), strerror(errno));
	if (stat(arg, &sb) == 0 && S_ISDIR(sb.st_mode))
		return usage_error(
		    st->err, "--ca-file '%s' is a directory, not a PEM file",
		    show(b, arg));
	copy_str(st->cfg->ca_file, sizeof st->cfg->ca_file, arg);
	return 0;
}

/* The user name goes into AUTH PLAIN's NUL-separated message and a
 * transcript line: no control characters. */
static int opt_auth(struct parse_state *st, const char *arg)
{
	char b[SHOW_SIZE];

	if (arg[0] == '\0')
		return usage_error(st->err, "--auth needs a user name");
	if (strlen(arg) >= sizeof st->cfg->auth_user)
		return usage_error(st->err,
				   "--auth user name is longer than %zu bytes",
				   sizeof st->cfg->auth_user - 1);
	for (const unsigned char *p = (const unsigned char *)arg; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return usage_error(st->err,
					   "--auth user name '%s' contains a "
					   "control character",
					   show(b, arg));
	copy_str(st->cfg->auth_user, sizeof st->cfg->auth_user, arg);
	return 0;
}

/* --batch FILE: checked now (a file that cannot be read is the input's
 * fault, 65), read later by the batch, a line at a time. */
static int opt_batch(struct parse_state *st, const char *arg)
{
	char b[SHOW_SIZE];
	struct stat sb;

	if (arg[0] == '\0')
		return usage_error(st->err, "--batch needs a FILE (or - for "
					    "standard input)");
	if (strlen(arg) >= sizeof st->cfg->batch)
		return usage_error(st->err, "--batch file name is too long");
	if (strcmp(arg, "-") != 0) {
		if (access(arg, R_OK) != 0)
			return data_error(st->err,
					  "cannot read --batch file '%s': %s",
					  show(b, arg), strerror(errno));
		if (stat(arg, &sb) == 0 && S_ISDIR(sb.st_mode))
			return data_error(st->err,
					  "--batch '%s' is a directory, not "
					  "a file of targets",
					  show(b, arg));
	}
	copy_str(st->cfg->batch, sizeof st->cfg->batch, arg);
	st->cfg->do_batch = 1;
	return 0;
}

static int opt_count(struct parse_state *st, const char *name, const char *arg,
		     int *out)
{
	char b[SHOW_SIZE];
	long v;

	if (parse_uint(arg, strlen(arg), 1, CONCURRENCY_MAX, &v) < 0)
		return usage_error(st->err,
				   "bad %s '%s': use a whole number from 1 "
				   "to %d",
				   name, show(b, arg), CONCURRENCY_MAX);
	*out = (int)v;
	return 0;
}

/* --proxy socks5://[USER@]HOST[:PORT] (proxy_url.h). The message quotes
 * the URL with any password redacted. */
static int opt_proxy(struct parse_state *st, const char *arg)
{
	char b[SHOW_SIZE], red[SHOW_MAX * 2 + 8];
	enum proxy_url_error e = proxy_url_parse(arg, &st->cfg->proxy);

	if (e == PU_OK)
		return 0;
	proxy_url_redact(arg, red, sizeof red);
	return usage_error(st->err, "bad --proxy '%s': %s", show(b, red),
			   proxy_url_strerror(e));
}

static int opt_explain(struct parse_state *st, const char *arg)
{
	if (strlen(arg) >= sizeof st->cfg->explain)
		return usage_error(
		    st->err, "--explain argument is longer than %zu bytes",
		    sizeof st->cfg->explain - 1);
	copy_str(st->cfg->explain, sizeof st->cfg->explain, arg);
	st->cfg->do_explain = 1;
	return 0;
}

static const struct option *find_option(int val)
{
	for (const struct option *o = long_opts; o->name; o++)
		if (o->val == val)
			return o;
	return NULL;
}

/*
 * getopt's ':' and '?'. glibc sets optopt to 0 for an unknown or ambiguous
 * long option, to the option's value for a long option given an argument
 * it does not take, and to the character for an unknown short option.
 * Only the name is echoed: "--password=secret" must not show the value.
 */
static int opt_error(struct parse_state *st, int c, char **argv)
{
	const struct option *o = optopt ? find_option(optopt) : NULL;
	const char *cur = optind > 0 ? argv[optind - 1] : "";
	char name[SHOW_MAX + 1], b[SHOW_SIZE];

	if (c == ':' && o && o->val < 256)
		return usage_error(st->err, "option -%c/--%s needs an argument",
				   o->val, o->name);
	if (c == ':' && o)
		return usage_error(st->err, "option --%s needs an argument",
				   o->name);
	if (o)
		return usage_error(st->err, "option --%s takes no argument",
				   o->name);
	if (optopt == 0) {
		snprintf(name, sizeof name, "%.*s", (int)strcspn(cur, "="),
			 cur);
		return usage_error(st->err, "unknown option '%s'",
				   show(b, name));
	}
	name[0] = '-', name[1] = (char)optopt, name[2] = '\0';
	return usage_error(st->err, "unknown option '%s'", show(b, name));
}

static int handle_option(struct parse_state *st, int c, char **argv)
{
	switch (c) {
	case 'p': return opt_port(st, optarg);
	case 's': return opt_server(st, optarg);
	case OPT_STARTTLS: return opt_starttls(st, optarg);
	case 'f': return opt_from(st, optarg);
	case OPT_HELO: return opt_helo(st, optarg);
	case OPT_DNS_SERVER: return opt_dns_server(st, optarg);
	case '4': st->want_v4 = 1; return 0;
	case '6': st->want_v6 = 1; return 0;
	case 't': return opt_timeout(st, optarg);
	case OPT_CA_FILE: return opt_ca_file(st, optarg);
	case OPT_AUTH: return opt_auth(st, optarg);
	case OPT_INSECURE: st->cfg->insecure = 1; return 0;
	case OPT_PROXY: return opt_proxy(st, optarg);
	case OPT_TLS_POLICY: return opt_tls_policy(st, optarg);
	case OPT_DNSBL: return opt_dnsbl(st, optarg);
	case OPT_CATCH_ALL: st->cfg->catch_all = 1; return 0;
	case OPT_NO_CONTROL: st->cfg->no_control = 1; return 0;
	case OPT_BATCH: return opt_batch(st, optarg);
	case OPT_CONCURRENCY:
		return opt_count(st, "--concurrency", optarg,
				 &st->cfg->concurrency);
	case OPT_PER_HOST:
		return opt_count(st, "--per-host", optarg, &st->cfg->per_host);
	case 'v': st->cfg->verbose = 1; return 0;
	case OPT_JSON: st->cfg->json = 1; return 0;
	case OPT_NO_COLOR: st->no_color = 1; return 0;
	case OPT_EXPLAIN: return opt_explain(st, optarg);
	case OPT_RETRY_GREYLIST: return opt_retry_greylist(st, optarg);
	case 'h': cli_usage(stdout); return CLI_EXIT_HELP;
	case 'V':
		printf(PROG " %s\n", SMTPPROBE_VERSION);
		return CLI_EXIT_VERSION;
	default: return opt_error(st, c, argv);
	}
}

/* ---- after the options ------------------------------------------------- */

static int check_contradictions(struct parse_state *st)
{
	const struct config *cfg = st->cfg;

	if (cfg->do_batch && cfg->do_explain)
		return usage_error(st->err, "--batch probes a list; --explain "
					    "explains a reply: give one");
	if (cfg->do_batch && cfg->verbose)
		return usage_error(st->err,
				   "--batch writes one JSON document per "
				   "target; -v's transcript is for one target");
	if (cfg->do_batch && cfg->retry_greylist_s)
		return usage_error(st->err,
				   "--retry-greylist waits for one target; "
				   "it is not available with --batch");
	if (st->want_v4 && st->want_v6)
		return usage_error(
		    st->err,
		    "-4 and -6 contradict each other: give at most one");
	if (cfg->auth_user[0] && cfg->starttls == STARTTLS_NEVER)
		return usage_error(st->err, "--auth is only sent over TLS, "
					    "which --starttls never rules out");
	if (cfg->insecure && cfg->starttls == STARTTLS_VERIFY)
		return usage_error(st->err,
				   "--insecure accepts a certificate that "
				   "--starttls verify refuses: give one");
	/* Which would win is a guess either way, so make the user say it. */
	if (cfg->server_port && st->port_given)
		return usage_error(st->err,
				   "give the port in --server HOST:PORT or "
				   "with --port, not both");
	/* -s HOST:PORT is the port list: one place says which ports are
	 * probed, and the verdicts follow it. */
	if (cfg->server_port) {
		st->cfg->ports[0] = cfg->server_port;
		st->cfg->nports = 1;
	}
	return 0;
}

static int check_positional(struct parse_state *st, int argc, char **argv)
{
	int n = argc - optind;
	char b[SHOW_SIZE];

	if (st->cfg->do_explain && n > 0)
		return usage_error(
		    st->err, "--explain takes no ADDRESS or DOMAIN (got '%s')",
		    show(b, argv[optind]));
	if (st->cfg->do_batch && n > 0)
		return usage_error(st->err,
				   "--batch reads its targets from the file; "
				   "give no ADDRESS or DOMAIN (got '%s')",
				   show(b, argv[optind]));
	if (!st->cfg->do_explain && !st->cfg->do_batch && n == 0)
		return usage_error(st->err, "missing ADDRESS or DOMAIN");
	if (n > 1)
		return usage_error(st->err,
				   "give one ADDRESS or DOMAIN, not also '%s'",
				   show(b, argv[optind + 1]));
	return 0;
}

int cli_make_target(const char *arg, size_t len, struct probe_target *t)
{
	struct mail_addr a;
	int rc = addr_parse_target(arg, len, &a);

	memset(t, 0, sizeof *t);
	sanitize_buf(t->given, sizeof t->given, arg, len);
	if (rc)
		return rc;
	memcpy(t->local, a.local, sizeof t->local);
	memcpy(t->domain, a.domain, sizeof t->domain);
	copy_str(t->rcpt, sizeof t->rcpt, a.path);
	t->is_address = a.is_address;
	t->need_smtputf8 = a.need_smtputf8;
	return 0;
}

static int set_target(struct parse_state *st, const char *arg)
{
	struct config *cfg = st->cfg;
	char b[SHOW_SIZE];
	int rc = cli_make_target(arg, strlen(arg), &cfg->target);

	if (rc)
		return data_error(st->err, "bad %s '%s': %s",
				  strchr(arg, '@') ? "address" : "domain",
				  show(b, arg), addr_strerror(rc));
	cfg->targets = &cfg->target;
	cfg->ntargets = 1;
	return 0;
}

static void default_helo(struct config *cfg)
{
	char host[DOMAIN_MAX + 2];

	if (gethostname(host, sizeof host) != 0)
		host[0] = '\0';
	host[sizeof host - 1] = '\0'; /* truncation need not terminate */
	cli_default_helo(cfg->helo, sizeof cfg->helo, host, MAILNAME_PATH);
}

static void set_defaults(struct parse_state *st)
{
	struct config *cfg = st->cfg;
	const char *no_color = getenv("NO_COLOR");

	if (cfg->nports == 0)
		cfg->ports[cfg->nports++] = PORT_MX;
	if (!st->helo_given && !cfg->do_explain)
		default_helo(cfg);
	if (st->want_v4)
		cfg->family = FAMILY_V4;
	else if (st->want_v6)
		cfg->family = FAMILY_V6;
	cfg->color = !st->no_color && !no_color && isatty(STDOUT_FILENO);
	/* A debugging aid: every state change on stderr. */
	const char *trace = getenv("SMTPPROBE_TRACE_STATES");
	cfg->trace_states = trace && trace[0] && strcmp(trace, "0") != 0;
}

static int finish(struct parse_state *st, int argc, char **argv)
{
	int rc = check_contradictions(st);

	if (rc == 0)
		rc = check_positional(st, argc, argv);
	if (rc == 0 && !st->cfg->do_explain && !st->cfg->do_batch)
		rc = set_target(st, argv[optind]);
	if (rc == 0)
		set_defaults(st);
	return rc;
}

/* ---- the command line for the transcript header ------------------------ */

struct sbuf {
	char *s;
	size_t size, len;
	int full;
};

/* Whole pieces or nothing: once one does not fit, "..." ends the line. */
static void sb_add(struct sbuf *b, const char *s)
{
	size_t n = strlen(s);

	if (b->full)
		return;
	if (n + 4 > b->size - b->len) {
		memcpy(b->s + b->len, "...", 4);
		b->len += 3;
		b->full = 1;
		return;
	}
	memcpy(b->s + b->len, s, n + 1);
	b->len += n;
}

static int shell_safe(const char *s)
{
	if (*s == '\0')
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x80 && !(*p >= 'a' && *p <= 'z') &&
		    !(*p >= 'A' && *p <= 'Z') && !(*p >= '0' && *p <= '9') &&
		    !strchr("@%+=:,./_-", *p))
			return 0;
	return 1;
}

/* One argument, sanitised and single-quoted when a shell would need it,
 * so the line can be pasted back into a shell. */
static void sb_add_arg(struct sbuf *b, const char *arg)
{
	char clean_arg[SANITIZE_SIZE(CMDLINE_ARG_MAX) + 3];
	char quoted[sizeof clean_arg * 4 + 3];
	size_t q = 0;

	clean(clean_arg, sizeof clean_arg, arg, CMDLINE_ARG_MAX);
	sb_add(b, " ");
	if (shell_safe(clean_arg)) {
		sb_add(b, clean_arg);
		return;
	}
	quoted[q++] = '\'';
	for (const char *p = clean_arg; *p; p++) {
		if (*p == '\'') {
			memcpy(quoted + q, "'\\''", 4);
			q += 4;
		} else {
			quoted[q++] = *p;
		}
	}
	quoted[q++] = '\'';
	quoted[q] = '\0';
	sb_add(b, quoted);
}

/* There is no password option; this is for the day someone passes one
 * anyway (or an option of another tool by mistake). */
static int is_secret_option(const char *arg)
{
	return strncmp(arg, "--pass", 6) == 0;
}

static void build_cmdline(char *out, size_t outsz, int argc, char **argv)
{
	struct sbuf b = {out, outsz, 0, 0};
	char name[CMDLINE_ARG_MAX + 1];

	out[0] = '\0';
	sb_add(&b, PROG);
	for (int i = 1; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');

		/* A password typed into a URL anyway (--proxy refuses it,
		 * but the line is built before parsing). */
		if (proxy_url_redact(argv[i], name, sizeof name)) {
			sb_add_arg(&b, name);
		} else if (!is_secret_option(argv[i])) {
			sb_add_arg(&b, argv[i]);
		} else if (eq) {
			snprintf(name, sizeof name, "%.*s", (int)(eq - argv[i]),
				 argv[i]);
			sb_add_arg(&b, name);
			sb_add(&b, "=***");
		} else {
			sb_add_arg(&b, argv[i]);
			if (i + 1 < argc) {
				sb_add(&b, " ***");
				i++;
			}
		}
	}
}

/* ---- cli_parse --------------------------------------------------------- */

int cli_parse(int argc, char **argv, struct config *cfg, FILE *err)
{
	struct parse_state st = {.cfg = cfg, .err = err};
	int c, rc;

	memset(cfg, 0, sizeof *cfg);
	/* Before getopt, which permutes argv. */
	build_cmdline(cfg->cmdline, sizeof cfg->cmdline, argc, argv);
	cfg->starttls = STARTTLS_AUTO;
	cfg->tls_policy = TLSP_ENFORCE;
	for (size_t i = 0; i < sizeof default_dnsbl / sizeof default_dnsbl[0];
	     i++)
		snprintf(cfg->dnsbl[cfg->ndnsbl++], sizeof cfg->dnsbl[0], "%s",
			 default_dnsbl[i]);
	cfg->timeout_s = DEFAULT_TIMEOUT;
	cfg->family = FAMILY_ANY;
	cfg->concurrency = DEFAULT_CONCURRENCY;
	cfg->per_host = DEFAULT_PER_HOST;

	optind = 0; /* glibc: 0 re-initialises getopt fully, so we can rerun */
	opterr = 0;
	for (;;) {
		c = getopt_long(argc, argv, short_opts, long_opts, NULL);
		if (c == -1)
			break;
		rc = handle_option(&st, c, argv);
		if (rc)
			return rc;
	}
	return finish(&st, argc, argv);
}

/* ---- default EHLO name ------------------------------------------------- */

static int read_first_line(const char *path, char *buf, size_t bufsz)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -1;
	if (!fgets(buf, (int)bufsz, f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	n = strcspn(buf, "\r\n");
	if (buf[n] == '\0' && n == bufsz - 1)
		return -1; /* longer than any name */
	buf[n] = '\0';
	return 0;
}

/* A valid name that has a dot once normalised ("box." is not dotted). */
static int dotted_name(const char *s, char *out, size_t outsz)
{
	if (addr_parse_domain(s, strlen(s), out, outsz) != ADDR_OK)
		return 0;
	return strchr(out, '.') != NULL;
}

void cli_default_helo(char *out, size_t outsz, const char *hostname,
		      const char *mailname_path)
{
	char line[DOMAIN_MAX + 2];

	if (dotted_name(hostname, out, outsz))
		return;
	if (mailname_path &&
	    read_first_line(mailname_path, line, sizeof line) == 0 &&
	    dotted_name(line, out, outsz))
		return;
	if (addr_parse_domain(hostname, strlen(hostname), out, outsz) == 0)
		return;
	snprintf(out, outsz, "localhost");
}

/* ---- password ---------------------------------------------------------- */

/*
 * The prompt's terminal state lives in globals because a signal handler
 * can reach nothing else. The handler puts the terminal back, lets the
 * signal's previous disposition act (usually: the process dies), and if
 * the process is still there afterwards (SIGTSTP, then SIGCONT) turns the
 * echo off again for the rest of the line.
 */
static const int prompt_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP};
#define NSIGNALS (sizeof prompt_signals / sizeof prompt_signals[0])

static volatile sig_atomic_t tty_fd = -1;
static struct termios tty_saved, tty_quiet;
static struct sigaction saved_actions[NSIGNALS];
static int handler_installed[NSIGNALS];

static void on_prompt_signal(int sig)
{
	int saved_errno = errno;
	struct sigaction ours;
	sigset_t set;
	size_t i;

	for (i = 0; i < NSIGNALS && prompt_signals[i] != sig; i++)
		;
	if (i == NSIGNALS)
		return;
	tcsetattr(tty_fd, TCSANOW, &tty_saved);
	sigaction(sig, &saved_actions[i], &ours);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	sigaction(sig, &ours, NULL);
	tcsetattr(tty_fd, TCSANOW, &tty_quiet);
	errno = saved_errno;
}

static void install_prompt_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_prompt_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NSIGNALS; i++) {
		int sig = prompt_signals[i];

		handler_installed[i] = 0;
		if (sigaction(sig, NULL, &saved_actions[i]) != 0)
			continue;
		/* Leave an ignored signal ignored (nohup). */
		if (saved_actions[i].sa_handler == SIG_IGN)
			continue;
		handler_installed[i] = sigaction(sig, &sa, NULL) == 0;
	}
}

static void remove_prompt_handlers(void)
{
	for (size_t i = 0; i < NSIGNALS; i++)
		if (handler_installed[i])
			sigaction(prompt_signals[i], &saved_actions[i], NULL);
}

/* One line from fd, without its end. Returns its length, -1 on EOF before
 * anything or a read error, -2 when longer than size - 1 (the rest of the
 * line is consumed so it does not reach the shell). */
static ssize_t read_line(int fd, char *buf, size_t size)
{
	size_t n = 0;
	int too_long = 0, got = 0;
	char c;

	for (;;) {
		ssize_t r = read(fd, &c, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got = 1;
		if (c == '\n')
			break;
		if (n + 1 < size)
			buf[n++] = c;
		else
			too_long = 1;
	}
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	if (too_long)
		return -2;
	return got ? (ssize_t)n : -1;
}

/* prompt on the terminal fd, then one line with echo off into buf. */
static int prompt_secret(int fd, const char *prompt, char *buf, size_t size)
{
	ssize_t n;

	if (tcgetattr(fd, &tty_saved) != 0)
		return -1;
	tty_quiet = tty_saved;
	tty_quiet.c_lflag &= ~(tcflag_t)ECHO;
	tty_quiet.c_lflag |= ECHONL; /* the user still sees the Enter */

	tty_fd = fd;
	install_prompt_handlers();
	if (write(fd, prompt, strlen(prompt)) < 0 ||
	    tcsetattr(fd, TCSAFLUSH, &tty_quiet) != 0)
		n = -1;
	else
		n = read_line(fd, buf, size);
	tcsetattr(fd, TCSAFLUSH, &tty_saved);
	remove_prompt_handlers();
	tty_fd = -1;
	if (n < 0)
		explicit_bzero(buf, size);
	return n < 0 ? (int)n : 0;
}

/* One password: from the environment variable env when set and not
 * empty, else prompted for (prompt) on /dev/tty. what names it in the
 * messages. */
static int read_secret(const char *env, const char *what, const char *prompt,
		       char *buf, size_t size, FILE *err)
{
	const char *val = getenv(env);
	int fd, rc;

	if (val && val[0]) {
		if (strlen(val) >= size)
			return usage_error(err, "%s is longer than %zu bytes",
					   env, size - 1);
		memcpy(buf, val, strlen(val) + 1);
		return 0;
	}
	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return usage_error(err, "no %s: set %s or run on a terminal",
				   what, env);
	rc = prompt_secret(fd, prompt, buf, size);
	close(fd);
	if (rc == -2)
		return usage_error(err, "%s is longer than %zu bytes", what,
				   size - 1);
	if (rc < 0)
		return usage_error(err, "no %s: set %s or run on a terminal",
				   what, env);
	return 0;
}

int cli_read_password(struct config *cfg, FILE *err)
{
	char prompt[SANITIZE_SIZE(PROXY_SHOWN_MAX) + 48];
	char user[SANITIZE_SIZE(PROXY_SHOWN_MAX)];
	int rc;

	if (cfg->do_explain)
		return 0;
	if (cfg->auth_user[0]) {
		sanitize_buf(user, sizeof user, cfg->auth_user,
			     strlen(cfg->auth_user));
		snprintf(prompt, sizeof prompt, "Password for %s: ", user);
		rc = read_secret(CLI_PASSWORD_ENV, "password", prompt,
				 cfg->auth_pass, sizeof cfg->auth_pass, err);
		if (rc)
			return rc;
	}
	if (cfg->proxy.user[0]) {
		/* RFC 1929: PLEN is one octet, so at most 255. */
		sanitize_buf(user, sizeof user, cfg->proxy.shown,
			     strlen(cfg->proxy.shown));
		snprintf(prompt, sizeof prompt,
			 "Password for the proxy %s: ", user);
		rc = read_secret(CLI_PROXY_PASSWORD_ENV, "proxy password",
				 prompt, cfg->proxy_pass,
				 sizeof cfg->proxy_pass, err);
		if (rc)
			return rc;
		if (cfg->proxy_pass[0] == '\0')
			return usage_error(err, "the proxy password is empty "
						"(RFC 1929 needs 1 to 255 "
						"octets)");
	}
	return 0;
}

/* ---- --help ------------------------------------------------------------ */

/* One literal per printed line; clang-format would split them. */
/* clang-format off */
static const char usage_text[] =
	"Usage: smtpprobe [OPTIONS] ADDRESS\n"
	"       smtpprobe [OPTIONS] DOMAIN\n"
	"       smtpprobe [OPTIONS] --batch FILE|-\n"
	"       smtpprobe --explain CODE|'REPLY'\n"
	"       smtpprobe --explain - < BOUNCE\n"
	"\n"
	"Find where mail delivery to an address or domain breaks, and why.\n"
	"  ADDRESS   probe delivery to one mailbox (stops after RCPT TO)\n"
	"  DOMAIN    probe the domain's mail hosts (stops after MAIL FROM)\n"
	"  --batch   probe every ADDRESS or DOMAIN of a file, one JSON line each\n"
	"  --explain explain a reply offline: \"550\", \"5.7.1\", \"550 5.1.1 User unknown\"\n"
	"            (as pasted, with its MTA's wrapper); \"-\": a bounce message on stdin\n"
	"No message is ever delivered: smtpprobe never sends DATA or BDAT.\n"
	"\n"
	"Options:\n"
	"  -p, --port LIST          comma list of ports to probe on every host, at\n"
	"                           most 8; 465 is implicit TLS (RFC 8314), others use\n"
	"                           STARTTLS when offered (default: 25)\n"
	"  -s, --server HOST[:PORT] probe this host instead of the domain's MX hosts,\n"
	"                           e.g. a submission server; IPv6 as [ADDR]:PORT\n"
	"                           (default: MX lookup)\n"
	"      --starttls MODE      never (stay in clear), auto (use if offered),\n"
	"                           require (a host that cannot do TLS fails) or\n"
	"                           verify (a host whose certificate does not verify\n"
	"                           fails too) (default: auto)\n"
	"  -f, --from ADDR          reverse-path for MAIL FROM; <> is the null sender\n"
	"                           (default: <>)\n"
	"      --helo NAME          name sent in EHLO/HELO\n"
	"                           (default: this host's fully qualified name)\n"
	"      --dns-server ADDR[:PORT][,...]\n"
	"                           resolvers to ask instead of the system's\n"
	"                           (/etc/resolv.conf); IPv6 with a port as\n"
	"                           [ADDR]:PORT (default: system)\n"
	"  -4                       IPv4 only (default: IPv4 and IPv6)\n"
	"  -6                       IPv6 only (default: IPv4 and IPv6)\n"
	"  -t, --timeout SECONDS    limit for each step: a DNS query, a connect, a TLS\n"
	"                           handshake, each reply; 1 to 300 (default: 10)\n"
	"      --retry-greylist SECONDS  when greylisting defers the probe, wait\n"
	"                           SECONDS (1 to 3600) and probe once more\n"
	"                           (default: no retry)\n"
	"      --ca-file FILE       trust the CA certificates in this PEM file when\n"
	"                           verifying server certificates (default: system store)\n"
	"      --auth USER          authenticate as USER, only over TLS whose\n"
	"                           certificate verified; the password comes from\n"
	"                           SMTPPROBE_PASSWORD or a prompt on the terminal,\n"
	"                           never from the command line (default: no AUTH)\n"
	"      --insecure           send the --auth credentials even when the\n"
	"                           certificate does not verify (warned loudly);\n"
	"                           changes nothing without --auth\n"
	"      --proxy URL          connect through a SOCKS5 proxy (RFC 1928),\n"
	"                           URL socks5://[USER@]HOST[:PORT]: HOST an IP\n"
	"                           address (IPv6 in brackets), PORT 1080 if left\n"
	"                           out; DNS is still asked from here and the proxy\n"
	"                           is given addresses; with USER, the password\n"
	"                           (RFC 1929) comes from SMTPPROBE_PROXY_PASSWORD\n"
	"                           or a prompt, never the URL; the MTA-STS fetch\n"
	"                           goes through it too (default: direct)\n"
	"      --dnsbl LIST         comma list of DNS block-list zones to look the\n"
	"                           sending address up in, or none (default:\n"
	"                           zen.spamhaus.org,b.barracudacentral.org,\n"
	"                           bl.spamcop.net)\n"
	"      --no-control         do not also ask for postmaster@DOMAIN after an\n"
	"                           ADDRESS (RFC 5321 requires it to be accepted;\n"
	"                           refused as the target is, the refusal is about\n"
	"                           the sender, not the mailbox) (default: asked)\n"
	"      --catch-all          also ask for a random local part at the domain,\n"
	"                           to tell a domain that accepts any address from a\n"
	"                           real mailbox check; not asked of Google,\n"
	"                           Microsoft or Yahoo hosts (default: off)\n"
	"      --tls-policy MODE    enforce (judge as a sender that honours DANE\n"
	"                           and MTA-STS: a host they rule out fails),\n"
	"                           report (look them up, report what fails, judge\n"
	"                           as an opportunistic sender) or off (no lookups)\n"
	"                           (default: enforce)\n"
	"      --batch FILE         probe every ADDRESS or DOMAIN in FILE (one a\n"
	"                           line, # comments; - is stdin), many at once;\n"
	"                           one JSON document a line (NDJSON) per target as\n"
	"                           it finishes, with input_line (default: one target)\n"
	"      --concurrency N      connections open at once in all, 1 to 1000\n"
	"                           (default: 32)\n"
	"      --per-host N         connections open at once to one mail host\n"
	"                           address, 1 to 1000 (default: 2)\n"
	"  -v, --verbose            full transcript: every line sent and received,\n"
	"                           timestamped, each reply annotated (default: summary)\n"
	"      --json               one JSON document on stdout, nothing else there\n"
	"                           (default: human text)\n"
	"      --no-color           no ANSI colour (default: colour on a terminal)\n"
	"      --explain ARG        explain a code, an enhanced code or a whole reply\n"
	"                           line, with its category and remedy; no network;\n"
	"                           ARG \"-\" reads a bounce (DSN, Postfix, Exim,\n"
	"                           qmail, Exchange, Gmail; at most 1 MiB) from stdin\n"
	"                           and explains each failed recipient\n"
	"  -h, --help               show this help and exit\n"
	"  -V, --version            show the version and exit\n"
	"\n"
	"Environment:\n"
	"  SMTPPROBE_PASSWORD  password for --auth (if unset, prompted for)\n"
	"  SMTPPROBE_PROXY_PASSWORD  password for the --proxy USER (if unset,\n"
	"                      prompted for)\n"
	"  NO_COLOR            when set, no ANSI colour, as with --no-color\n"
	"  SMTPPROBE_TRACE_STATES  when set, every state change on stderr\n"
	"\n"
	"Exit status:\n"
	"   0  accepted      the recipient was accepted (DOMAIN: a host completed\n"
	"                    the dialogue through MAIL FROM); --batch: every target\n"
	"                    was probed, whatever the outcomes\n"
	"  64  usage         bad command line, or contradictory options\n"
	"  65  bad address   the address or domain is malformed; --batch: FILE\n"
	"                    cannot be read\n"
	"  68  no mail host  NXDOMAIN, null MX, no MX and no A/AAAA, or no MX host\n"
	"                    has an address\n"
	"  69  unreachable   no mail host could be reached, or TLS was required\n"
	"                    and failed\n"
	"  75  temporary     a 4xx reply decided it, or DNS SERVFAIL or timeout\n"
	"  76  protocol      the server broke the SMTP protocol\n"
	"  77  rejected      a 5xx reply decided it\n"
	"  74  i/o           --batch: reading the list or writing the results\n"
	"                    failed (quietly when the reader went away)\n"
	"\n"
	"See smtpprobe(1) for details.\n";
/* clang-format on */

void cli_usage(FILE *out)
{
	fputs(usage_text, out);
}
