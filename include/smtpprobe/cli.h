/*
 * cli.h - argv to a validated struct config, before any network I/O.
 *
 * Contract: cli_parse() either fills the whole config and returns 0, or
 * returns what main should exit with:
 *   CLI_EXIT_HELP / CLI_EXIT_VERSION  help or version printed to stdout;
 *                                     exit 0
 *   CLI_EXIT_USAGE (64)   bad option, bad option value, contradiction;
 *                         -s, --helo, --dns-server, --port values too
 *   CLI_EXIT_DATAERR (65) the ADDRESS/DOMAIN or the --from address is
 *                         malformed (sysexits EX_DATAERR)
 * On an error exactly one line "smtpprobe: <message>" goes to err, plus
 * "Try 'smtpprobe --help'." for usage errors. User input is echoed only
 * through sanitize_buf(), so argv bytes never reach a terminal raw.
 *
 * No DNS lookups and no password here: the default --helo comes from
 * gethostname() and /etc/mailname only, and the password is read by
 * cli_read_password(), which main calls after cli_parse(), so that parsing
 * stays testable without a terminal.
 */
#ifndef SMTPPROBE_CLI_H
#define SMTPPROBE_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "smtpprobe/config.h"

#define CLI_EXIT_HELP	 (-1)
#define CLI_EXIT_VERSION (-2)
#define CLI_EXIT_USAGE	 64
#define CLI_EXIT_DATAERR 65

/* Environment variable that holds the --auth password. */
#define CLI_PASSWORD_ENV "SMTPPROBE_PASSWORD"
/* Environment variable that holds the --proxy user's password. */
#define CLI_PROXY_PASSWORD_ENV "SMTPPROBE_PROXY_PASSWORD"

/* Parse argv into *cfg (zeroed first). Resets getopt (optind = 0), so it
 * may be called more than once; argv's pointer order may be permuted. */
int cli_parse(int argc, char **argv, struct config *cfg, FILE *err);

/*
 * With --auth (and not --explain): the password from SMTPPROBE_PASSWORD if
 * set and non-empty, else prompted for on /dev/tty with echo off (the
 * terminal is restored on every path, including SIGINT/SIGTERM/SIGHUP/
 * SIGQUIT/SIGTSTP during the prompt). Returns 0, or CLI_EXIT_USAGE after
 * one line to err when there is no way to get a password or it is too
 * long. Without --auth it does nothing and returns 0.
 *
 * The same for a --proxy URL with USER@: the proxy password from
 * SMTPPROBE_PROXY_PASSWORD, else prompted for; no terminal and no
 * variable is the same usage error.
 */
int cli_read_password(struct config *cfg, FILE *err);

/* One ADDRESS or DOMAIN (len octets of arg) as a target: 0, or an
 * addr_strerror() code. t->given is filled (sanitised) either way. */
int cli_make_target(const char *arg, size_t len, struct probe_target *t);

/* The --help text: usage, every option with its default, environment,
 * exit statuses. Kept in step with man/smtpprobe.1. */
void cli_usage(FILE *out);

/*
 * The default EHLO name (exposed for tests): hostname if it has a dot;
 * else the first line of the file at mailname_path if that is a dotted,
 * valid name; else hostname as it is. A hostname that is not a valid name
 * at all (a space, '_', a control byte) gives "localhost" rather than a
 * broken or injected EHLO line; --helo overrides all of this.
 */
void cli_default_helo(char *out, size_t outsz, const char *hostname,
		      const char *mailname_path);

#endif
