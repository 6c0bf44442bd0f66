/*
 * sts_fetch_drive.c - one MTA-STS policy fetch (src/sts_fetch.c) in a
 * minimal poll loop of its own, the result printed as one JSON object.
 * Built for tests/integration/test_sts_fetch.py only; not installed.
 *
 *   sts_fetch_drive --domain D --addr A [--addr B ...] [--ca-file F]
 *                   [--timeout-ms N] [--abort-after-ms N]
 *                   [--proxy IPV4:PORT [--proxy-user U]]
 *
 * --proxy fetches through that SOCKS5 proxy (sts_fetch_set_proxy), as
 * smtpprobe --proxy does; the --proxy-user's password comes from
 * SMTPPROBE_PROXY_PASSWORD.
 * --abort-after-ms calls sts_fetch_abort after N ms, as the run's
 * deadline would. Besides the result, the JSON says how many loop turns
 * the fetch took ("turns": a spinning loop shows there) and the most
 * threads the process had at any turn ("max_threads": libcurl must start
 * none). Exit 0 with a result, 2 when sts_fetch_new refuses (the JSON
 * then holds "refused"), 1 on a usage error.
 */
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "smtpprobe/sts_fetch.h"

static long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "Threads:" of /proc/self/status; 0 when unreadable. */
static int thread_count(void)
{
	FILE *fp = fopen("/proc/self/status", "r");
	char line[256];
	int n = 0;

	if (!fp)
		return 0;
	while (fgets(line, sizeof line, fp))
		if (sscanf(line, "Threads: %d", &n) == 1)
			break;
	fclose(fp);
	return n;
}

static int usage(void)
{
	fprintf(stderr, "usage: sts_fetch_drive --domain D --addr A [--addr "
			"B ...] [--ca-file F] [--timeout-ms N] "
			"[--abort-after-ms N] [--proxy IPV4:PORT "
			"[--proxy-user U]]\n");
	return 1;
}

static char *hex(const char *p, size_t n)
{
	char *out = malloc(n * 2 + 1);

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", (unsigned char)p[i]);
	out[n * 2] = '\0';
	return out;
}

static void print_json(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT);

	if (s)
		puts(s);
	free(s);
	json_decref(o);
}

int main(int argc, char **argv)
{
	const char *domain = NULL, *ca = NULL, *addrs[STS_ADDRS_CAP + 1];
	const char *proxy = NULL, *proxy_user = NULL;
	long timeout_ms = 5000, abort_after = -1, t0;
	size_t naddrs = 0;
	char err[256] = "";
	int turns = 0, max_threads = 0;
	struct sts_fetch *f;

	for (int i = 1; i < argc; i++) {
		if (i + 1 >= argc)
			return usage();
		if (strcmp(argv[i], "--domain") == 0)
			domain = argv[++i];
		else if (strcmp(argv[i], "--addr") == 0) {
			if (naddrs == STS_ADDRS_CAP + 1)
				return usage();
			addrs[naddrs++] = argv[++i];
		} else if (strcmp(argv[i], "--ca-file") == 0)
			ca = argv[++i];
		else if (strcmp(argv[i], "--timeout-ms") == 0)
			timeout_ms = strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--abort-after-ms") == 0)
			abort_after = strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--proxy") == 0)
			proxy = argv[++i];
		else if (strcmp(argv[i], "--proxy-user") == 0)
			proxy_user = argv[++i];
		else
			return usage();
	}
	if (sts_fetch_global_init() != 0) {
		fprintf(stderr, "sts_fetch_drive: curl_global_init failed\n");
		return 1;
	}
	t0 = mono_ms();
	f = sts_fetch_new(domain, addrs, naddrs, ca, timeout_ms, err,
			  sizeof err);
	if (f && proxy) {
		char ip[64];
		const char *colon = strrchr(proxy, ':');
		size_t n = colon ? (size_t)(colon - proxy) : 0;
		snprintf(ip, sizeof ip, "%.*s", (int)n, proxy);
		if (!colon ||
		    sts_fetch_set_proxy(f, ip, AF_INET, atoi(colon + 1),
					proxy_user,
					getenv("SMTPPROBE_PROXY_PASSWORD"), err,
					sizeof err) < 0) {
			sts_fetch_free(f);
			f = NULL;
		}
	}
	if (!f) {
		print_json(json_pack("{ss}", "refused", err));
		sts_fetch_global_cleanup();
		return 2;
	}
	while (!sts_fetch_done(f)) {
		struct pollfd pfds[STS_SOCKETS_CAP];
		int n = sts_fetch_pollfds(f, pfds, STS_SOCKETS_CAP);
		long t = sts_fetch_timeout_ms(f);

		if (abort_after >= 0) {
			long left = t0 + abort_after - mono_ms();
			if (left < 0)
				left = 0;
			if (t < 0 || left < t)
				t = left;
		}
		/* sts_fetch_timeout_ms is never -1 before done; bound it
		 * anyway. */
		if (t < 0 || t > 1000)
			t = 1000;
		poll(pfds, (nfds_t)n, (int)t);
		sts_fetch_process(f, pfds, n);
		turns++;
		if (thread_count() > max_threads)
			max_threads = thread_count();
		if (abort_after >= 0 && mono_ms() - t0 >= abort_after)
			sts_fetch_abort(f);
	}

	const struct sts_fetch_result *r = sts_fetch_result(f);
	json_t *o = json_object();
	json_object_set_new(o, "status",
			    json_string(sts_fetch_status_name(r->status)));
	json_object_set_new(o, "tls",
			    json_string(sts_tls_failure_name(r->tls)));
	json_object_set_new(o, "tls_verify_code",
			    json_integer(r->tls_verify_code));
	json_object_set_new(o, "http_status", json_integer(r->http_status));
	json_object_set_new(o, "connected", json_boolean(r->connected));
	json_object_set_new(o, "content_type", json_string(r->content_type));
	json_object_set_new(o, "location", json_string(r->location));
	json_object_set_new(o, "size", json_integer((json_int_t)r->size));
	if (r->body) {
		char *h = hex(r->body, r->size);
		json_object_set_new(o, "body_hex",
				    h ? json_string(h) : json_null());
		json_object_set_new(o, "body_terminated",
				    json_boolean(r->body[r->size] == '\0'));
		free(h);
	} else {
		json_object_set_new(o, "body_hex", json_null());
	}
	json_object_set_new(o, "error", json_string(r->error));
	json_object_set_new(o, "request", json_string(r->request));
	json_object_set_new(o, "remote_ip", json_string(r->remote_ip));
	json_object_set_new(o, "attempts", json_integer(r->attempts));
	json_object_set_new(o, "elapsed_ms", json_integer(r->elapsed_ms));
	json_object_set_new(o, "turns", json_integer(turns));
	json_object_set_new(o, "max_threads", json_integer(max_threads));
	json_object_set_new(o, "pollfds_after_done",
			    json_integer(sts_fetch_pollfds(f, NULL, 0)));
	json_object_set_new(o, "timeout_after_done",
			    json_integer(sts_fetch_timeout_ms(f)));
	print_json(o);
	sts_fetch_free(f);
	sts_fetch_global_cleanup();
	return 0;
}
