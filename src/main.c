/*
 * main.c - parse, run, interpret, report, exit with the verdict's status.
 * The only place that decides what goes to stdout and stderr.
 */
#include <ares.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "smtpprobe/batch.h"
#include "smtpprobe/bounce.h"
#include "smtpprobe/cli.h"
#include "smtpprobe/interpreter.h"
#include "smtpprobe/sts_fetch.h"
#include "smtpprobe/loop.h"
#include "smtpprobe/record.h"
#include "smtpprobe/report.h"
#include "smtpprobe/sanitize.h"

/* --explain -: a bounce message on stdin, each failed recipient
 * explained. */
static int do_explain_bounce(const struct config *cfg)
{
	char *buf = malloc(BOUNCE_MAX_BYTES + 1);
	size_t len = 0, n;
	struct bounce b;
	struct explanation *list;
	int rc = EX_OK;

	if (!buf) {
		fputs("smtpprobe: --explain -: out of memory\n", stderr);
		return EX_OSERR;
	}
	while (len <= BOUNCE_MAX_BYTES &&
	       (n = fread(buf + len, 1, BOUNCE_MAX_BYTES + 1 - len, stdin)) > 0)
		len += n;
	if (ferror(stdin)) {
		fprintf(stderr, "smtpprobe: --explain -: reading stdin: %s\n",
			strerror(errno));
		free(buf);
		return EX_IOERR;
	}
	if (bounce_parse(buf, len, &b) < 0) {
		free(buf);
		bounce_free(&b);
		fputs("smtpprobe: --explain -: out of memory\n", stderr);
		return EX_OSERR;
	}
	free(buf);
	if (b.truncated)
		fprintf(stderr,
			"smtpprobe: --explain -: the message is longer than %d "
			"bytes; only the first %d were read\n",
			BOUNCE_MAX_BYTES, BOUNCE_MAX_BYTES);
	if (b.n == 0) {
		fputs("smtpprobe: --explain -: no failed recipient found "
		      "(not a bounce this reader knows)\n",
		      stderr);
		bounce_free(&b);
		return EX_DATAERR;
	}
	list = calloc(b.n, sizeof *list);
	if (!list) {
		bounce_free(&b);
		fputs("smtpprobe: --explain -: out of memory\n", stderr);
		return EX_OSERR;
	}
	for (size_t i = 0; i < b.n; i++)
		explain_bounce(&b.rcpt[i], &list[i]);
	if (cfg->json) {
		if (report_explain_json_list(stdout, list, b.n) < 0)
			rc = EX_IOERR;
	} else {
		for (size_t i = 0; i < b.n; i++) {
			if (i)
				fputc('\n', stdout);
			report_explain(stdout, &list[i], cfg->color);
		}
	}
	for (size_t i = 0; i < b.n; i++)
		explanation_free(&list[i]);
	free(list);
	bounce_free(&b);
	return rc;
}

static int do_explain(const struct config *cfg)
{
	struct explanation e;
	char shown[256];

	if (strcmp(cfg->explain, "-") == 0)
		return do_explain_bounce(cfg);
	if (explain_parse(cfg->explain, &e) < 0) {
		sanitize_buf(shown, sizeof shown, cfg->explain,
			     strlen(cfg->explain));
		fprintf(stderr,
			"smtpprobe: --explain: no reply code, enhanced code "
			"or words in '%s'\n",
			shown);
		return EX_USAGE;
	}
	if (cfg->json)
		report_explain_json(stdout, &e);
	else
		report_explain(stdout, &e, cfg->color);
	explanation_free(&e);
	return EX_OK;
}

/* Resolve, probe and interpret into rec (retry: NULL, or what the first
 * attempt was). Returns 0, or an exit status after a one-line error on
 * stderr. */
static int probe_once(const struct config *cfg,
		      const struct probe_target *target, struct run_record *rec,
		      const struct retry_info *retry)
{
	char err[256];

	record_init(rec, cfg, target);
	if (retry)
		rec->retry = *retry;
	if (run_probe(cfg, rec, err, sizeof err) < 0) {
		fprintf(stderr, "smtpprobe: %s\n", err);
		return EX_USAGE;
	}
	interpret_record(rec);
	return 0;
}

static int greylisted(const struct run_record *rec, char *host, size_t n)
{
	for (size_t i = 0; i < rec->nfindings; i++) {
		if (rec->findings[i].kind != FIND_GREYLISTED ||
		    rec->overall.deciding_probe < 0)
			continue;
		const struct probe *p =
		    &rec->probes[rec->overall.deciding_probe];
		snprintf(host, n, "%s", rec->dns.hosts[p->host].name);
		return 1;
	}
	return 0;
}

/* Sleep the whole interval, whatever signals interrupt it. */
static void wait_seconds(int s)
{
	struct timespec ts = {s, 0};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int report(const struct config *cfg, struct run_record *rec)
{
	if (cfg->json) {
		if (report_json(stdout, rec) < 0) {
			fprintf(stderr, "smtpprobe: cannot build the JSON "
					"document\n");
			return EX_SOFTWARE;
		}
	} else if (cfg->verbose) {
		report_transcript(stdout, rec, cfg->color);
	} else {
		report_summary(stdout, rec, cfg->color);
	}
	return rec->overall.exit_status;
}

/* Probe one target (and retry it once when asked and greylisted). */
static int do_probe(const struct config *cfg, const struct probe_target *t)
{
	struct run_record rec;
	struct retry_info retry = {0};
	int status = probe_once(cfg, t, &rec, NULL);

	if (status == 0 && cfg->retry_greylist_s > 0 &&
	    greylisted(&rec, retry.host, sizeof retry.host)) {
		/* stderr: stdout may be carrying one JSON document. */
		fprintf(stderr,
			"smtpprobe: %s greylisted the probe; retrying once in "
			"%d s\n",
			retry.host, cfg->retry_greylist_s);
		retry.retried = 1;
		retry.wait_s = cfg->retry_greylist_s;
		snprintf(retry.first_utc, sizeof retry.first_utc, "%s",
			 rec.started_utc);
		record_free(&rec);
		wait_seconds(cfg->retry_greylist_s);
		status = probe_once(cfg, t, &rec, &retry);
	}
	if (status == 0)
		status = report(cfg, &rec);
	record_free(&rec);
	return status;
}

/* Everything after the allocation of the config, which main() owns. */
static int run_main(int argc, char **argv, struct config *cfg)
{
	int rc = cli_parse(argc, argv, cfg, stderr);

	if (rc == CLI_EXIT_HELP || rc == CLI_EXIT_VERSION)
		return EX_OK;
	if (rc != 0)
		return rc;
	if (cfg->do_explain)
		return do_explain(cfg);
	/* A peer that closes while OpenSSL writes an alert must be an
	 * EPIPE to report, not a signal that kills the probe silently. */
	signal(SIGPIPE, SIG_IGN);
	rc = cli_read_password(cfg, stderr);
	if (rc != 0)
		return rc;
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS) {
		fprintf(stderr, "smtpprobe: cannot initialise c-ares\n");
		return EX_SOFTWARE;
	}
	if (cfg->do_batch)
		rc = batch_run(cfg, stdout, stderr);
	else
		for (size_t i = 0; i < cfg->ntargets; i++)
			rc = do_probe(cfg, &cfg->targets[i]);
	ares_library_cleanup();
	if (fflush(stdout) != 0)
		return EX_IOERR;
	return rc;
}

int main(int argc, char **argv)
{
	struct config *cfgp = calloc(1, sizeof *cfgp);
	int rc;

	if (!cfgp) {
		fputs("smtpprobe: out of memory\n", stderr);
		return EX_OSERR;
	}
	rc = run_main(argc, argv, cfgp);
	sts_fetch_global_cleanup(); /* when a fetch set libcurl up */
	explicit_bzero(cfgp->auth_pass, sizeof cfgp->auth_pass);
	explicit_bzero(cfgp->proxy_pass, sizeof cfgp->proxy_pass);
	free(cfgp);
	return rc;
}
