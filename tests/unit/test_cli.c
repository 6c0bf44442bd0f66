/*
 * test_cli.c - cli.c: argv to config. Each option is parsed and checked,
 * every failure gives the right exit status and exactly one message line
 * (plus the --help hint for usage errors) with user input escaped, and the
 * command line kept for the transcript never holds a secret.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smtpprobe/cli.h"
#include "smtpprobe/version.h"

#define MAXARGS	   32
#define USAGE_HINT "Try 'smtpprobe --help'.\n"

static struct config cfg;
static char errbuf[4096];

/* cli_parse on "smtpprobe" + the NULL-terminated arguments; what it wrote
 * to err lands in errbuf. */
static int parse_v(const char *first, va_list ap)
{
	char *argv[MAXARGS + 1];
	int argc = 0, rc;
	char *buf = NULL;
	size_t len = 0;
	FILE *err;

	argv[argc++] = (char *)"smtpprobe";
	for (const char *a = first; a && argc < MAXARGS;
	     a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	argv[argc] = NULL;
	err = open_memstream(&buf, &len);
	assert_non_null(err);
	optind = 0; /* glibc: full re-initialisation */
	rc = cli_parse(argc, argv, &cfg, err);
	fclose(err);
	snprintf(errbuf, sizeof errbuf, "%s", buf ? buf : "");
	free(buf);
	return rc;
}

static int parse(const char *first, ...)
{
	va_list ap;
	int rc;

	va_start(ap, first);
	rc = parse_v(first, ap);
	va_end(ap);
	return rc;
}

static int count_char(const char *s, char c)
{
	int n = 0;

	for (; *s; s++)
		n += *s == c;
	return n;
}

/* The error output: "smtpprobe: ..." on one line, no raw control bytes,
 * and for a usage error the hint on a second. */
static void assert_message(int status)
{
	const char *nl = strchr(errbuf, '\n');

	assert_non_null(nl);
	assert_memory_equal(errbuf, "smtpprobe: ", 11);
	for (const char *p = errbuf; *p; p++)
		assert_true(*p == '\n' ||
			    ((unsigned char)*p >= 0x20 && *p != 0x7f));
	if (status == CLI_EXIT_USAGE) {
		assert_int_equal(count_char(errbuf, '\n'), 2);
		assert_string_equal(nl + 1, USAGE_HINT);
	} else {
		assert_int_equal(count_char(errbuf, '\n'), 1);
		assert_string_equal(nl + 1, "");
	}
}

#define assert_fails(status, ...)                                              \
	do {                                                                   \
		assert_int_equal(parse(__VA_ARGS__, NULL), status);            \
		assert_message(status);                                        \
	} while (0)

#define assert_ok(...)                                                         \
	do {                                                                   \
		assert_int_equal(parse(__VA_ARGS__, NULL), 0);                 \
		assert_string_equal(errbuf, "");                               \
	} while (0)

static int setup(void **state)
{
	(void)state;
	setenv("NO_COLOR", "1", 1);
	unsetenv(CLI_PASSWORD_ENV);
	return 0;
}

/* ---- defaults and the target ------------------------------------------- */

static void test_defaults(void **state)
{
	(void)state;
	assert_ok("user@example.com");
	assert_int_equal(cfg.nports, 1);
	assert_int_equal(cfg.ports[0], 25);
	assert_int_equal(cfg.starttls, STARTTLS_AUTO);
	assert_string_equal(cfg.from, "");
	assert_true(cfg.helo[0] != '\0');
	assert_int_equal(cfg.timeout_s, 10);
	assert_int_equal(cfg.family, FAMILY_ANY);
	assert_string_equal(cfg.server, "");
	assert_int_equal(cfg.server_port, 0);
	assert_string_equal(cfg.dns_servers, "");
	assert_string_equal(cfg.ca_file, "");
	assert_string_equal(cfg.auth_user, "");
	assert_string_equal(cfg.auth_pass, "");
	assert_int_equal(cfg.verbose, 0);
	assert_int_equal(cfg.json, 0);
	assert_int_equal(cfg.color, 0); /* NO_COLOR is set */
	assert_int_equal(cfg.do_explain, 0);
	assert_int_equal(cfg.do_batch, 0);
	assert_int_equal(cfg.concurrency, 32);
	assert_int_equal(cfg.per_host, 2);
	assert_int_equal(cfg.target.is_address, 1);
	assert_int_equal(cfg.target.need_smtputf8, 0);
	assert_string_equal(cfg.target.given, "user@example.com");
	assert_string_equal(cfg.target.local, "user");
	assert_string_equal(cfg.target.domain, "example.com");
	assert_string_equal(cfg.target.rcpt, "user@example.com");
	/* The targets list holds the one target of the command line. */
	assert_int_equal(cfg.ntargets, 1);
	assert_ptr_equal(cfg.targets, &cfg.target);
	assert_string_equal(cfg.cmdline, "smtpprobe user@example.com");
}

static void test_domain_target(void **state)
{
	(void)state;
	assert_ok("Example.COM.");
	assert_int_equal(cfg.target.is_address, 0);
	assert_string_equal(cfg.target.domain, "Example.COM");
	assert_string_equal(cfg.target.rcpt, "");
	assert_string_equal(cfg.target.local, "");
}

static void test_idn_target(void **state)
{
	(void)state;
	assert_ok("user@b\xc3\xbc"
		  "cher.example");
	assert_string_equal(cfg.target.given, "user@b\xc3\xbc"
					"cher.example");
	assert_string_equal(cfg.target.domain, "xn--bcher-kva.example");
	assert_string_equal(cfg.target.rcpt, "user@xn--bcher-kva.example");
	assert_ok("jos\xc3\xa9@example.com");
	assert_int_equal(cfg.target.need_smtputf8, 1);
}

static void test_bad_address(void **state)
{
	(void)state;
	assert_fails(65, "a\r\nDATA@x.test");
	/* The CR LF shows as escapes on the one line. */
	assert_non_null(strstr(errbuf, "a\\x0d\\x0aDATA@x.test"));
	assert_non_null(strstr(errbuf, "bad address"));
	assert_fails(65, "user@-x.test");
	assert_fails(65, "user@[192.0.2.1]");
	assert_non_null(strstr(errbuf, "not supported"));
	assert_fails(65, "bad_domain.example");
	assert_non_null(strstr(errbuf, "bad domain"));
	assert_fails(65, "\x1b]0;owned\x07@x.test");
	assert_null(strchr(errbuf, '\x1b'));
}

static void test_positional(void **state)
{
	(void)state;
	assert_fails(64, "-v");
	assert_non_null(strstr(errbuf, "missing ADDRESS or DOMAIN"));
	assert_fails(64, "a@example.com", "b@example.com");
	/* GNU getopt permutes: options may follow the target; "--" ends them.
	 */
	assert_ok("user@example.com", "-v");
	assert_int_equal(cfg.verbose, 1);
	assert_ok("-v", "--", "user@example.com");
	assert_string_equal(cfg.target.rcpt, "user@example.com");
}

/* ---- --port ------------------------------------------------------------ */

static void test_ports(void **state)
{
	(void)state;
	assert_ok("-p", "25,587,465", "example.com");
	assert_int_equal(cfg.nports, 3);
	assert_int_equal(cfg.ports[0], 25);
	assert_int_equal(cfg.ports[1], 587);
	assert_int_equal(cfg.ports[2], 465);
	assert_ok("--port=587", "example.com");
	assert_int_equal(cfg.nports, 1);
	assert_int_equal(cfg.ports[0], 587);
	assert_ok("--port", "1,65535", "example.com");
	assert_int_equal(cfg.ports[1], 65535);
	/* A later --port replaces an earlier one. */
	assert_ok("-p", "25", "-p", "2525", "example.com");
	assert_int_equal(cfg.nports, 1);
	assert_int_equal(cfg.ports[0], 2525);
	assert_ok("-p", "1,2,3,4,5,6,7,8", "example.com");
	assert_int_equal(cfg.nports, PORTS_CAP);
}

static void test_bad_ports(void **state)
{
	static const char *const bad[] = {
	    "0",   "70000", "25,", "a",	   ",25", "25,,587", "",
	    "+25", " 25",   "25 ", "0x19", "-1",  "1000000", "25;587",
	};

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_fails(64, "-p", bad[i], "example.com");
		assert_non_null(strstr(errbuf, "--port"));
	}
	assert_fails(64, "-p", "25,587,25", "example.com");
	assert_non_null(strstr(errbuf, "twice"));
	assert_fails(64, "-p", "1,2,3,4,5,6,7,8,9", "example.com");
	assert_non_null(strstr(errbuf, "at most 8"));
	assert_fails(64, "-p", "25\r\n", "example.com");
}

/* ---- --server ------------------------------------------------------------ */

static void test_server(void **state)
{
	(void)state;
	assert_ok("-s", "smtp.example.com:587", "user@example.org");
	assert_string_equal(cfg.server, "smtp.example.com");
	assert_int_equal(cfg.server_port, 587);
	/* ...which is then the one port probed and given a verdict. */
	assert_int_equal(cfg.nports, 1);
	assert_int_equal(cfg.ports[0], 587);
	assert_ok("--server", "smtp.example.com", "user@example.org");
	assert_string_equal(cfg.server, "smtp.example.com");
	assert_int_equal(cfg.server_port, 0);
	assert_ok("-s", "[2001:db8::25]:2525", "example.org");
	assert_string_equal(cfg.server, "2001:db8::25");
	assert_int_equal(cfg.server_port, 2525);
	assert_ok("-s", "2001:db8::25", "example.org");
	assert_string_equal(cfg.server, "2001:db8::25");
	assert_int_equal(cfg.server_port, 0);
	assert_ok("-s", "[::1]", "example.org");
	assert_string_equal(cfg.server, "::1");
	assert_ok("-s", "192.0.2.25", "example.org");
	assert_string_equal(cfg.server, "192.0.2.25");
	assert_ok("-s", "192.0.2.25:25", "example.org");
	assert_string_equal(cfg.server, "192.0.2.25");
	assert_int_equal(cfg.server_port, 25);
	assert_ok("-s",
		  "mx.b\xc3\xbc"
		  "cher.example",
		  "example.org");
	assert_string_equal(cfg.server, "mx.xn--bcher-kva.example");
}

static void test_bad_server(void **state)
{
	static const char *const bad[] = {
	    "host:0",
	    "host:",
	    "host:70000",
	    "host:smtp",
	    "[2001:db8::1",
	    "[2001:db8::1]x",
	    "[mx.example.com]:25",
	    "[192.0.2.1]",
	    "bad host",
	    "host\r\nQUIT",
	    "-host.example",
	    "",
	    ":25",
	    "192.0.2.300",
	};

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_fails(64, "-s", bad[i], "example.org");
		assert_non_null(strstr(errbuf, "--server"));
	}
}

/* ---- other options ---------------------------------------------------------
 */

static void test_starttls(void **state)
{
	(void)state;
	assert_ok("--starttls", "require", "example.org");
	assert_int_equal(cfg.starttls, STARTTLS_REQUIRE);
	assert_ok("--starttls=never", "example.org");
	assert_int_equal(cfg.starttls, STARTTLS_NEVER);
	assert_ok("--starttls", "auto", "example.org");
	assert_int_equal(cfg.starttls, STARTTLS_AUTO);
	assert_ok("--starttls", "verify", "example.org");
	assert_int_equal(cfg.starttls, STARTTLS_VERIFY);
	assert_fails(64, "--starttls", "sometimes", "example.org");
	assert_fails(64, "--starttls", "NEVER", "example.org");
}

static void test_tls_policy(void **state)
{
	(void)state;
	assert_ok("example.org");
	assert_int_equal(cfg.tls_policy, TLSP_ENFORCE);
	assert_ok("--tls-policy", "report", "example.org");
	assert_int_equal(cfg.tls_policy, TLSP_REPORT);
	assert_ok("--tls-policy=off", "example.org");
	assert_int_equal(cfg.tls_policy, TLSP_OFF);
	assert_ok("--tls-policy", "enforce", "example.org");
	assert_int_equal(cfg.tls_policy, TLSP_ENFORCE);
	assert_fails(64, "--tls-policy", "strict", "example.org");
	assert_fails(64, "--tls-policy", "", "example.org");
	assert_fails(64, "--tls-policy", "example.org");
}

static void test_dnsbl(void **state)
{
	(void)state;
	assert_ok("example.org");
	assert_int_equal(cfg.ndnsbl, 3);
	assert_string_equal(cfg.dnsbl[0], "zen.spamhaus.org");
	assert_ok("--dnsbl", "none", "example.org");
	assert_int_equal(cfg.ndnsbl, 0);
	assert_ok("--dnsbl", "bl.example.test,dnsbl.example.net", "example.org");
	assert_int_equal(cfg.ndnsbl, 2);
	assert_string_equal(cfg.dnsbl[1], "dnsbl.example.net");
	assert_fails(64, "--dnsbl", "", "example.org");
	assert_fails(64, "--dnsbl", "a.b,,c.d", "example.org");
	assert_fails(64, "--dnsbl", "nodot", "example.org");
	assert_fails(64, "--dnsbl", "bad zone.test", "example.org");
	assert_fails(64, "--dnsbl", "a.t,b.t,c.t,d.t,e.t,f.t,g.t,h.t,i.t",
		     "example.org");
}

static void test_second_opinions(void **state)
{
	(void)state;
	assert_ok("a@example.org");
	assert_int_equal(cfg.no_control, 0);
	assert_int_equal(cfg.catch_all, 0);
	assert_ok("--no-control", "--catch-all", "a@example.org");
	assert_int_equal(cfg.no_control, 1);
	assert_int_equal(cfg.catch_all, 1);
	assert_fails(64, "--catch-all=yes", "a@example.org");
	assert_fails(64, "--no-control=1", "a@example.org");
}

static void test_from(void **state)
{
	(void)state;
	assert_ok("-f", "probe@example.net", "user@example.org");
	assert_string_equal(cfg.from, "probe@example.net");
	assert_ok("--from", "<>", "user@example.org");
	assert_string_equal(cfg.from, "");
	assert_ok("--from=", "user@example.org");
	assert_string_equal(cfg.from, "");
	assert_ok("-f",
		  "<probe@b\xc3\xbc"
		  "cher.example>",
		  "user@example.org");
	assert_string_equal(cfg.from, "probe@xn--bcher-kva.example");
	assert_ok("-f", "jos\xc3\xa9@example.net", "user@example.org");
	assert_int_equal(cfg.from_smtputf8, 1);
	assert_int_equal(cfg.target.need_smtputf8, 0);
	assert_fails(65, "-f", "a\r\nRCPT TO:<x@y.test>@x.test",
		     "user@example.org");
	assert_non_null(strstr(errbuf, "--from"));
	assert_fails(65, "-f", "example.net", "user@example.org");
	assert_fails(65, "-f", "a b@example.net", "user@example.org");
}

static void test_helo(void **state)
{
	(void)state;
	assert_ok("--helo", "probe.example.net", "example.org");
	assert_string_equal(cfg.helo, "probe.example.net");
	assert_ok("--helo", "[192.0.2.1]", "example.org");
	assert_string_equal(cfg.helo, "[192.0.2.1]");
	assert_fails(64, "--helo", "x\r\nQUIT", "example.org");
	assert_fails(64, "--helo", "two words", "example.org");
	assert_fails(64, "--helo", "", "example.org");
}

static void test_dns_server(void **state)
{
	static const char *const good[][2] = {
	    {"127.0.0.1", "127.0.0.1"},
	    {"127.0.0.1:5353", "127.0.0.1:5353"},
	    {"[::1]:5353", "[::1]:5353"},
	    {"::1", "::1"},
	    {"[::1]", "::1"}, /* c-ares 1.18 refuses "[::1]" alone */
	    {"192.0.2.53,[2001:db8::53]:53,2001:db8::54",
	     "192.0.2.53,[2001:db8::53]:53,2001:db8::54"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		assert_ok("--dns-server", good[i][0], "example.org");
		assert_string_equal(cfg.dns_servers, good[i][1]);
	}
	assert_ok("--dns-server", "192.0.2.1", "--dns-server", "192.0.2.2",
		  "example.org");
	assert_string_equal(cfg.dns_servers, "192.0.2.2");
}

static void test_bad_dns_server(void **state)
{
	static const char *const bad[] = {
	    "dns.example",  "127.0.0.1:0",    "127.0.0.1:",
	    "1.2.3",	    "[127.0.0.1]:53", "127.0.0.1,",
	    ",127.0.0.1",   "[::1]x",	      "",
	    "[::1]:",	    "::1:53:",	      "127.0.0.1 ",
	    "fe80::1%eth0", "[::1]:99999",
	};

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_fails(64, "--dns-server", bad[i], "example.org");
		assert_non_null(strstr(errbuf, "--dns-server"));
	}
}

static void test_family(void **state)
{
	(void)state;
	assert_ok("-4", "example.org");
	assert_int_equal(cfg.family, FAMILY_V4);
	assert_ok("-6", "example.org");
	assert_int_equal(cfg.family, FAMILY_V6);
	assert_ok("-4", "-4", "example.org");
	assert_int_equal(cfg.family, FAMILY_V4);
}

static void test_timeout(void **state)
{
	static const char *const bad[] = {"0",	 "301", "abc", "-5",
					  "10s", "",	"1e3"};

	(void)state;
	assert_ok("-t", "30", "example.org");
	assert_int_equal(cfg.timeout_s, 30);
	assert_ok("--timeout=1", "example.org");
	assert_int_equal(cfg.timeout_s, 1);
	assert_ok("--timeout", "300", "example.org");
	assert_int_equal(cfg.timeout_s, 300);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_fails(64, "-t", bad[i], "example.org");
}

static void test_ca_file(void **state)
{
	char path[] = "/tmp/test_cli_caXXXXXX";
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	assert_ok("--ca-file", path, "example.org");
	assert_string_equal(cfg.ca_file, path);
	unlink(path);
	assert_fails(64, "--ca-file", path, "example.org");
	assert_non_null(strstr(errbuf, "cannot read"));
	assert_fails(64, "--ca-file", "/", "example.org");
	assert_non_null(strstr(errbuf, "directory"));
}

static void test_flags(void **state)
{
	(void)state;
	assert_ok("-v", "--json", "--no-color", "example.org");
	assert_int_equal(cfg.verbose, 1);
	assert_int_equal(cfg.json, 1);
	assert_int_equal(cfg.color, 0);
	assert_ok("--verbose", "example.org");
	assert_int_equal(cfg.verbose, 1);
	/* Without a terminal on stdout there is no colour, NO_COLOR or not. */
	unsetenv("NO_COLOR");
	assert_ok("example.org");
	assert_int_equal(cfg.color, isatty(STDOUT_FILENO));
	assert_ok("--no-color", "example.org");
	assert_int_equal(cfg.color, 0);
	setenv("NO_COLOR", "1", 1);
}

static void test_auth(void **state)
{
	(void)state;
	assert_ok("--auth", "alice", "-s", "smtp.example.com:587",
		  "alice@example.org");
	assert_string_equal(cfg.auth_user, "alice");
	assert_string_equal(cfg.auth_pass, "");
	assert_fails(64, "--auth", "", "example.org");
	assert_fails(64, "--auth", "al\nice", "example.org");
	assert_false(cfg.insecure);
}

static void test_insecure(void **state)
{
	(void)state;
	assert_ok("--auth", "alice", "--insecure", "-s", "smtp.example.com",
		  "alice@example.org");
	assert_true(cfg.insecure);
	/* Harmless without --auth; contradicts --starttls verify. */
	assert_ok("--insecure", "example.org");
	assert_true(cfg.insecure);
	assert_fails(64, "--insecure", "--starttls", "verify", "example.org");
	assert_non_null(strstr(errbuf, "--insecure"));
	assert_fails(64, "--starttls=verify", "--auth", "a", "--insecure",
		     "example.org");
	assert_fails(64, "--insecure=yes", "example.org");
	/* --auth under every mode but never. */
	assert_ok("--auth", "alice", "--starttls", "verify", "example.org");
	assert_ok("--auth", "alice", "--starttls", "require", "example.org");
	assert_fails(64, "--auth", "alice", "--starttls", "never",
		     "example.org");
}

static void test_explain(void **state)
{
	(void)state;
	assert_ok("--explain", "550 5.1.1 User unknown");
	assert_int_equal(cfg.do_explain, 1);
	assert_string_equal(cfg.explain, "550 5.1.1 User unknown");
	assert_ok("--json", "--explain=5.7.1");
	assert_int_equal(cfg.json, 1);
	assert_string_equal(cfg.explain, "5.7.1");
	assert_fails(64, "--explain", "550", "user@example.org");
	assert_non_null(strstr(errbuf, "--explain"));
	assert_fails(64, "--explain");
}

static void test_contradictions(void **state)
{
	(void)state;
	assert_fails(64, "-4", "-6", "example.org");
	assert_non_null(strstr(errbuf, "-4 and -6"));
	assert_fails(64, "--auth", "alice", "--starttls", "never",
		     "example.org");
	assert_non_null(strstr(errbuf, "--auth"));
	assert_fails(64, "-s", "smtp.example.com:587", "-p", "25",
		     "example.org");
}

static void test_help_version(void **state)
{
	(void)state;
	assert_int_equal(parse("--help", NULL), CLI_EXIT_HELP);
	assert_string_equal(errbuf, "");
	assert_int_equal(parse("-h", "user@example.org", NULL), CLI_EXIT_HELP);
	assert_int_equal(parse("-V", NULL), CLI_EXIT_VERSION);
	assert_int_equal(parse("--version", NULL), CLI_EXIT_VERSION);
	assert_string_equal(errbuf, "");
}

static void test_getopt_errors(void **state)
{
	(void)state;
	assert_fails(64, "--bogus", "example.org");
	assert_non_null(strstr(errbuf, "unknown option '--bogus'"));
	assert_fails(64, "-x", "example.org");
	assert_non_null(strstr(errbuf, "'-x'"));
	assert_fails(64, "--json=1", "example.org");
	assert_non_null(strstr(errbuf, "--json takes no argument"));
	assert_fails(64, "example.org", "-p");
	assert_non_null(strstr(errbuf, "-p/--port needs an argument"));
	assert_fails(64, "example.org", "--helo");
	assert_non_null(strstr(errbuf, "--helo needs an argument"));
	assert_fails(64, "--\x1b[31mred", "example.org");
	assert_null(strchr(errbuf, '\x1b'));
	assert_fails(64, "-\x1b", "example.org");
	assert_null(strchr(errbuf, '\x1b'));
	/* An unknown option's value is not echoed. */
	assert_fails(64, "--password=hunter2", "example.org");
	assert_null(strstr(errbuf, "hunter2"));
}

/* ---- the command line for the transcript ------------------------------ */

static void test_cmdline(void **state)
{
	(void)state;
	assert_ok("-v", "-p", "25,587", "--explain", "550 5.1.1 it's gone");
	assert_string_equal(
	    cfg.cmdline,
	    "smtpprobe -v -p 25,587 --explain '550 5.1.1 it'\\''s gone'");
	assert_fails(64, "--password", "hunter2", "user@example.org");
	assert_null(strstr(cfg.cmdline, "hunter2"));
	assert_non_null(strstr(cfg.cmdline, "--password ***"));
	assert_fails(64, "--passwd=hunter2", "user@example.org");
	assert_null(strstr(cfg.cmdline, "hunter2"));
	assert_non_null(strstr(cfg.cmdline, "--passwd=***"));
	assert_fails(65, "a\r\nb@x.test");
	assert_string_equal(cfg.cmdline, "smtpprobe 'a\\x0d\\x0ab@x.test'");
}

static void test_cmdline_no_password(void **state)
{
	(void)state;
	setenv(CLI_PASSWORD_ENV, "s3cret-pw", 1);
	assert_ok("--auth", "alice", "alice@example.org");
	assert_int_equal(cli_read_password(&cfg, stderr), 0);
	assert_string_equal(cfg.auth_pass, "s3cret-pw");
	assert_null(strstr(cfg.cmdline, "s3cret"));
	unsetenv(CLI_PASSWORD_ENV);
}

static void test_cmdline_long(void **state)
{
	static char big[3000];

	(void)state;
	memset(big, 'a', sizeof big - 1);
	assert_fails(65, big);
	assert_true(strlen(cfg.cmdline) < sizeof cfg.cmdline);
	assert_non_null(strstr(cfg.cmdline, "..."));
}

/* ---- password ---------------------------------------------------------- */

static int read_password(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *err = open_memstream(&buf, &len);
	int rc;

	assert_non_null(err);
	rc = cli_read_password(&cfg, err);
	fclose(err);
	snprintf(errbuf, sizeof errbuf, "%s", buf ? buf : "");
	free(buf);
	return rc;
}

static void test_password(void **state)
{
	char big[400];
	int fd;

	(void)state;
	assert_ok("example.org");
	assert_int_equal(read_password(), 0);
	assert_string_equal(cfg.auth_pass, "");

	assert_ok("--auth", "bob", "example.org");
	setenv(CLI_PASSWORD_ENV, "pw", 1);
	assert_int_equal(read_password(), 0);
	assert_string_equal(cfg.auth_pass, "pw");

	memset(big, 'p', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	setenv(CLI_PASSWORD_ENV, big, 1);
	cfg.auth_pass[0] = '\0';
	assert_int_equal(read_password(), 64);
	assert_message(64);
	assert_string_equal(cfg.auth_pass, "");
	unsetenv(CLI_PASSWORD_ENV);

	/* Without a terminal there is nobody to ask. */
	fd = open("/dev/tty", O_RDWR | O_NOCTTY);
	if (fd >= 0) {
		close(fd);
		skip();
	}
	assert_int_equal(read_password(), 64);
	assert_message(64);
	assert_non_null(
	    strstr(errbuf,
		   "no password: set SMTPPROBE_PASSWORD or run on a terminal"));
}

/* ---- --proxy ----------------------------------------------------------- */

static void test_proxy(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *err;
	int fd;

	(void)state;
	assert_ok("example.org");
	assert_string_equal(cfg.proxy.host, "");
	assert_ok("--proxy", "socks5://127.0.0.1:1080", "example.org");
	assert_string_equal(cfg.proxy.host, "127.0.0.1");
	assert_int_equal(cfg.proxy.port, 1080);
	assert_string_equal(cfg.proxy.user, "");
	assert_ok("--proxy=socks5://bob@[::1]:9", "example.org");
	assert_string_equal(cfg.proxy.host, "::1");
	assert_string_equal(cfg.proxy.user, "bob");
	assert_string_equal(cfg.proxy.shown, "socks5://bob@[::1]:9");

	/* Each bad URL: one line, exit 64. */
	assert_fails(64, "--proxy", "socks5://proxy.example:1080", "x.org");
	assert_non_null(strstr(errbuf, "IP address"));
	assert_fails(64, "--proxy", "http://127.0.0.1:8080", "x.org");
	assert_fails(64, "--proxy", "socks5h://127.0.0.1:1080", "x.org");
	assert_fails(64, "--proxy", "socks5://127.0.0.1:0", "x.org");
	assert_fails(64, "--proxy", "socks5://127.0.0.1:1/x", "x.org");
	assert_fails(64, "--proxy");
	/* A password in the URL: refused, and never echoed or kept. */
	assert_fails(64, "--proxy", "socks5://bob:hunter2@127.0.0.1:1080",
		     "x.org");
	assert_null(strstr(errbuf, "hunter2"));
	assert_null(strstr(cfg.cmdline, "hunter2"));
	assert_fails(64, "--proxy=socks5://bob:hunter2@127.0.0.1", "x.org");
	assert_null(strstr(errbuf, "hunter2"));
	assert_null(strstr(cfg.cmdline, "hunter2"));
	assert_non_null(strstr(cfg.cmdline, "socks5://bob:***@127.0.0.1"));

	/* The password: from the environment, never in the command line. */
	setenv(CLI_PROXY_PASSWORD_ENV, "pr0xy-s3cret", 1);
	assert_ok("--proxy", "socks5://bob@127.0.0.1:1080", "example.org");
	assert_int_equal(cli_read_password(&cfg, stderr), 0);
	assert_string_equal(cfg.proxy_pass, "pr0xy-s3cret");
	assert_null(strstr(cfg.cmdline, "pr0xy"));
	assert_string_equal(cfg.auth_pass, "");
	/* Without USER nothing is read. */
	assert_ok("--proxy", "socks5://127.0.0.1:1080", "example.org");
	assert_int_equal(cli_read_password(&cfg, stderr), 0);
	assert_string_equal(cfg.proxy_pass, "");
	/* Longer than RFC 1929's 255. */
	char big[300];
	memset(big, 'p', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	setenv(CLI_PROXY_PASSWORD_ENV, big, 1);
	assert_ok("--proxy", "socks5://bob@127.0.0.1:1080", "example.org");
	err = open_memstream(&buf, &len);
	assert_int_equal(cli_read_password(&cfg, err), 64);
	fclose(err);
	assert_non_null(strstr(buf, CLI_PROXY_PASSWORD_ENV));
	free(buf);
	buf = NULL;
	unsetenv(CLI_PROXY_PASSWORD_ENV);

	/* Without a terminal there is nobody to ask. */
	fd = open("/dev/tty", O_RDWR | O_NOCTTY);
	if (fd >= 0) {
		close(fd);
		skip();
	}
	assert_ok("--proxy", "socks5://bob@127.0.0.1:1080", "example.org");
	err = open_memstream(&buf, &len);
	assert_int_equal(cli_read_password(&cfg, err), 64);
	fclose(err);
	assert_non_null(strstr(buf, "no proxy password: set "
				    "SMTPPROBE_PROXY_PASSWORD or run on a "
				    "terminal"));
	free(buf);
}

/* ---- default EHLO name ------------------------------------------------- */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_default_helo(void **state)
{
	char path[] = "/tmp/test_cli_mailnameXXXXXX";
	char out[DOMAIN_MAX + 1];
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	write_file(path, "mail.example.org\r\nsecond line\n");
	cli_default_helo(out, sizeof out, "box.example.net", path);
	assert_string_equal(out, "box.example.net");
	cli_default_helo(out, sizeof out, "box", path);
	assert_string_equal(out, "mail.example.org");
	write_file(path, "mailhost\n");
	cli_default_helo(out, sizeof out, "box", path);
	assert_string_equal(out, "box");
	write_file(path, "evil\r\nMAIL FROM:<x@y>.example\n");
	cli_default_helo(out, sizeof out, "box", path);
	assert_string_equal(out, "box");
	unlink(path);
	cli_default_helo(out, sizeof out, "box", path);
	assert_string_equal(out, "box");
	cli_default_helo(out, sizeof out, "bad_host", NULL);
	assert_string_equal(out, "localhost");
	cli_default_helo(out, sizeof out, "a\r\nQUIT", NULL);
	assert_string_equal(out, "localhost");
	cli_default_helo(out, sizeof out, "", NULL);
	assert_string_equal(out, "localhost");
}

/* ---- --help ------------------------------------------------------------ */

static char *usage_text(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	cli_usage(f);
	fclose(f);
	return buf;
}

static void test_usage(void **state)
{
	static const char *const opts[] = {
	    "-p, --port LIST",
	    "-s, --server HOST[:PORT]",
	    "--starttls MODE",
	    "-f, --from ADDR",
	    "--helo NAME",
	    "--dns-server ADDR[:PORT][,...]",
	    "-4",
	    "-6",
	    "-t, --timeout SECONDS",
	    "--ca-file FILE",
	    "--auth USER",
	    "--tls-policy MODE",
	    "--dnsbl LIST",
	    "--no-control",
	    "--catch-all",
	    "(default: enforce)",
	    "-v, --verbose",
	    "--json",
	    "--no-color",
	    "--explain ARG",
	    "-h, --help",
	    "-V, --version",
	    "SMTPPROBE_PASSWORD",
	    "NO_COLOR",
	    "smtpprobe [OPTIONS] ADDRESS",
	    "smtpprobe [OPTIONS] DOMAIN",
	    "smtpprobe --explain CODE|'REPLY'",
	    "smtpprobe --explain - < BOUNCE",
	    "(default: 25)",
	    "(default: auto)",
	    "(default: <>)",
	    "(default: 10)",
	    " 0  accepted",
	    "64  usage",
	    "65  bad address",
	    "68  no mail host",
	    "69  unreachable",
	    "75  temporary",
	    "76  protocol",
	    "77  rejected",
	};
	char *text = usage_text();
	const char *line;

	(void)state;
	for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
		if (!strstr(text, opts[i]))
			fail_msg("--help lacks \"%s\"", opts[i]);
	}
	/* Fits an 80-column terminal. */
	for (line = text; *line;) {
		size_t n = strcspn(line, "\n");

		assert_true(n <= 80);
		line += n + (line[n] == '\n');
	}
	free(text);
}

/* ---- --batch, --concurrency, --per-host --------------------------------- */

static void test_batch_options(void **state)
{
	(void)state;
	assert_ok("--batch", "-", "--concurrency", "100", "--per-host", "7");
	assert_int_equal(cfg.do_batch, 1);
	assert_string_equal(cfg.batch, "-");
	assert_int_equal(cfg.concurrency, 100);
	assert_int_equal(cfg.per_host, 7);
	assert_int_equal(cfg.ntargets, 0); /* the file holds them */
	assert_ok("--batch", "/dev/null", "--json");
	assert_int_equal(cfg.do_batch, 1);
	assert_ok("--concurrency", "1000", "a@example.com");
	assert_int_equal(cfg.concurrency, 1000);
	/* Bad counts and contradictions are usage errors (64). */
	assert_fails(CLI_EXIT_USAGE, "--concurrency", "0", "a@example.com");
	assert_fails(CLI_EXIT_USAGE, "--concurrency", "1001", "a@example.com");
	assert_fails(CLI_EXIT_USAGE, "--per-host", "-1", "a@example.com");
	assert_fails(CLI_EXIT_USAGE, "--per-host", "2x", "a@example.com");
	assert_fails(CLI_EXIT_USAGE, "--batch", "-", "a@example.com");
	assert_fails(CLI_EXIT_USAGE, "--batch", "-", "-v");
	assert_fails(CLI_EXIT_USAGE, "--batch", "-", "--retry-greylist", "60");
	assert_fails(CLI_EXIT_USAGE, "--batch", "-", "--explain", "550");
	assert_fails(CLI_EXIT_USAGE, "--batch", "");
	/* A file that cannot be read is the input's fault (65). */
	assert_fails(CLI_EXIT_DATAERR, "--batch", "/nonexistent/list.txt");
	assert_fails(CLI_EXIT_DATAERR, "--batch", "/");
}

#ifdef TEST_SOURCE_DIR
/* Every option the man page names appears in --help (examples, between
 * .EX and .EE, may quote other programs' options). */
static void test_usage_matches_man(void **state)
{
	char man[1 << 16], name[64], *text = usage_text();
	size_t len;
	FILE *f = fopen(TEST_SOURCE_DIR "/man/smtpprobe.1", "r");

	(void)state;
	assert_non_null(f);
	len = fread(man, 1, sizeof man - 1, f);
	fclose(f);
	man[len] = '\0';
	/* One version: the man page's title line carries the project's. */
	assert_non_null(strstr(man, "\"smtpprobe " SMTPPROBE_VERSION "\""));
	for (const char *p = man; (p = strstr(p, "\\-\\-"));) {
		size_t n = 2;
		const char *ex = man, *ee = NULL;

		/* Inside an example? The last .EX before p, and its .EE. */
		for (const char *q = man; (q = strstr(q, "\n.EX")) && q < p;
		     q++)
			ex = q;
		if (ex != man)
			ee = strstr(ex, "\n.EE");
		if (ex != man && (!ee || ee > p)) {
			p += 4;
			continue;
		}

		strcpy(name, "--");
		p += 4;
		while (n < sizeof name - 1) {
			if (*p >= 'a' && *p <= 'z') {
				name[n++] = *p++;
			} else if (p[0] == '\\' && p[1] == '-') {
				name[n++] = '-';
				p += 2;
			} else {
				break;
			}
		}
		name[n] = '\0';
		if (!strstr(text, name))
			fail_msg("--help lacks %s from the man page", name);
	}
	free(text);
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_batch_options),
	    cmocka_unit_test(test_domain_target),
	    cmocka_unit_test(test_idn_target),
	    cmocka_unit_test(test_bad_address),
	    cmocka_unit_test(test_positional),
	    cmocka_unit_test(test_ports),
	    cmocka_unit_test(test_bad_ports),
	    cmocka_unit_test(test_server),
	    cmocka_unit_test(test_bad_server),
	    cmocka_unit_test(test_starttls),
	    cmocka_unit_test(test_tls_policy),
	    cmocka_unit_test(test_dnsbl),
	    cmocka_unit_test(test_second_opinions),
	    cmocka_unit_test(test_from),
	    cmocka_unit_test(test_helo),
	    cmocka_unit_test(test_dns_server),
	    cmocka_unit_test(test_bad_dns_server),
	    cmocka_unit_test(test_family),
	    cmocka_unit_test(test_timeout),
	    cmocka_unit_test(test_ca_file),
	    cmocka_unit_test(test_flags),
	    cmocka_unit_test(test_auth),
	    cmocka_unit_test(test_insecure),
	    cmocka_unit_test(test_explain),
	    cmocka_unit_test(test_contradictions),
	    cmocka_unit_test(test_help_version),
	    cmocka_unit_test(test_getopt_errors),
	    cmocka_unit_test(test_cmdline),
	    cmocka_unit_test(test_cmdline_no_password),
	    cmocka_unit_test(test_cmdline_long),
	    cmocka_unit_test(test_default_helo),
	    cmocka_unit_test(test_usage),
#ifdef TEST_SOURCE_DIR
	    cmocka_unit_test(test_usage_matches_man),
#endif
	    cmocka_unit_test(test_password),
	    cmocka_unit_test(test_proxy),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
