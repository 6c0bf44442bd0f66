/*
 * sts_fetch.c - see sts_fetch.h. One attempt per address, in order: an
 * easy handle in a multi handle of its own, given that one address, the
 * connect timeout a fair share of the time left. An attempt that reached
 * nobody (refused, or no TCP connection in its time) gives way to the
 * next address; any other outcome is the result. libcurl is not handed
 * the whole list because libcurl 7.88 stalls moving on: after the first
 * address's connect timeout it starts the next one only on the next
 * curl_multi_perform, and with the socket interface that call never
 * comes (no socket, no timer: the fetch waits for its overall timeout).
 *
 * The socket and timer callbacks only record what libcurl wants (the fds
 * and what for, the timer's expiry on CLOCK_MONOTONIC), and
 * sts_fetch_process hands poll()'s results back through
 * curl_multi_socket_action. What the answer means is decided once, when
 * libcurl says the last attempt is done (classify).
 */
#include "smtpprobe/sts_fetch.h"

#include <arpa/inet.h>
/* Plain prototypes: the calls below go through the table of libcurl's
 * functions that sts_fetch_global_init loads (typecheck-gcc.h's macros
 * would wrap the names). */
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>
#include <dlfcn.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "smtpprobe/dns_answer.h"
#include "smtpprobe/sanitize.h"
#include "smtpprobe/version.h"

#define STS_PORT 443
#define NEVER	 LONG_MAX

struct sts_addr {
	int family;
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} a;
};

struct sts_fetch {
	/* The current attempt. */
	CURLM *multi;
	CURL *easy;
	struct curl_slist *resolve;
	size_t cur;	  /* its address */
	unsigned attempt; /* how many were started */
	struct {
		curl_socket_t fd;
		int what; /* CURL_POLL_IN, _OUT or _INOUT */
	} socks[STS_SOCKETS_CAP];
	int nsocks;
	long timer_at; /* libcurl's timer, monotonic ms; NEVER when off */
	long started, end, deadline; /* end: started + the timeout */
	int done, attached;
	/* Why the write callback stopped the transfer, if it did. */
	int too_big, big_headers, bad_status, bad_type, oom;
	int resolve_refused, addr_refused;
	struct sts_addr addrs[STS_ADDRS_CAP];
	char addr_text[STS_ADDRS_CAP][INET6_ADDRSTRLEN];
	size_t naddrs;
	char domain[DNS_NAME_MAX + 1];
	char *ca_file;
	/* sts_fetch_set_proxy: the SOCKS5 proxy libcurl connects to instead
	 * (its address checked as the attempt's would be), and its login;
	 * the password is wiped when the fetch is freed. */
	int proxied;
	int proxy_lookup_due; /* the proxy's literal is looked up first */
	struct sockaddr_storage proxy_sa;
	char proxy_url[64];
	char *proxy_user, *proxy_pass;
	char *body;
	size_t len, cap;
	size_t dropped; /* a redirect's body, read and not kept */
	size_t header_bytes;
	char url[DNS_NAME_MAX + 48];
	char errbuf[CURL_ERROR_SIZE];
	struct sts_fetch_result res;
};

static long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- libcurl, loaded by the first fetch ----
 *
 * libcurl and the libraries it links (LDAP, Kerberos, SSH, HTTP/2, ...)
 * cost every process some 4 MB of resident memory and a millisecond of
 * relocations at start; most runs never fetch a policy. So the library is
 * opened (dlopen, the soname the headers were built for) by the first
 * fetch, and its functions are called through this table; the headers
 * still give every call its type. libcurl's state is the process's: one
 * table, here. */
#define CURL_FUNCTIONS(X)                                                      \
	X(curl_global_init)                                                    \
	X(curl_global_cleanup)                                                 \
	X(curl_version_info)                                                   \
	X(curl_easy_init)                                                      \
	X(curl_easy_cleanup)                                                   \
	X(curl_easy_setopt)                                                    \
	X(curl_easy_getinfo)                                                   \
	X(curl_easy_header)                                                    \
	X(curl_easy_strerror)                                                  \
	X(curl_multi_init)                                                     \
	X(curl_multi_cleanup)                                                  \
	X(curl_multi_add_handle)                                               \
	X(curl_multi_remove_handle)                                            \
	X(curl_multi_setopt)                                                   \
	X(curl_multi_socket_action)                                            \
	X(curl_multi_info_read)                                                \
	X(curl_multi_timeout)                                                  \
	X(curl_slist_append)                                                   \
	X(curl_slist_free_all)

#define CURL_SONAME "libcurl.so.4"

static struct {
	void *dl;
	int ready; /* curl_global_init succeeded */
#define CURL_SLOT(f) __typeof__(f) *p_##f;
	CURL_FUNCTIONS(CURL_SLOT)
#undef CURL_SLOT
} lc;

/* curl.h makes these three macros that check the argument count. */
#undef curl_easy_setopt
#undef curl_easy_getinfo
#undef curl_multi_setopt
#define curl_global_init	 (*lc.p_curl_global_init)
#define curl_global_cleanup	 (*lc.p_curl_global_cleanup)
#define curl_version_info	 (*lc.p_curl_version_info)
#define curl_easy_init		 (*lc.p_curl_easy_init)
#define curl_easy_cleanup	 (*lc.p_curl_easy_cleanup)
#define curl_easy_setopt	 (*lc.p_curl_easy_setopt)
#define curl_easy_getinfo	 (*lc.p_curl_easy_getinfo)
#define curl_easy_header	 (*lc.p_curl_easy_header)
#define curl_easy_strerror	 (*lc.p_curl_easy_strerror)
#define curl_multi_init		 (*lc.p_curl_multi_init)
#define curl_multi_cleanup	 (*lc.p_curl_multi_cleanup)
#define curl_multi_add_handle	 (*lc.p_curl_multi_add_handle)
#define curl_multi_remove_handle (*lc.p_curl_multi_remove_handle)
#define curl_multi_setopt	 (*lc.p_curl_multi_setopt)
#define curl_multi_socket_action (*lc.p_curl_multi_socket_action)
#define curl_multi_info_read	 (*lc.p_curl_multi_info_read)
#define curl_multi_timeout	 (*lc.p_curl_multi_timeout)
#define curl_slist_append	 (*lc.p_curl_slist_append)
#define curl_slist_free_all	 (*lc.p_curl_slist_free_all)

static int load_curl(void)
{
	const curl_version_info_data *v;

	lc.dl = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!lc.dl)
		return -1;
#define CURL_LOAD(f)                                                           \
	if (!(*(void **)&lc.p_##f = dlsym(lc.dl, #f)))                         \
		goto fail;
	CURL_FUNCTIONS(CURL_LOAD)
#undef CURL_LOAD
	/* The options used need 7.85 (CURLOPT_PROTOCOLS_STR), as the build
	 * did: an older library at run time is refused, not half used. */
	v = curl_version_info(CURLVERSION_NOW);
	if (!v || v->version_num < 0x075500)
		goto fail;
	return 0;
fail:
	dlclose(lc.dl);
	memset(&lc, 0, sizeof lc);
	return -1;
}

int sts_fetch_global_init(void)
{
	if (lc.ready)
		return 0;
	if (!lc.dl && load_curl() < 0)
		return -1;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;
	lc.ready = 1;
	return 0;
}

void sts_fetch_global_cleanup(void)
{
	if (lc.ready)
		curl_global_cleanup();
	/* The library stays mapped: OpenSSL's exit handlers may still run
	 * code it registered. */
	lc.ready = 0;
}

const char *sts_fetch_status_name(enum sts_fetch_status s)
{
	switch (s) {
	case STS_FETCH_PENDING: return "pending";
	case STS_FETCH_OK: return "ok";
	case STS_FETCH_CONNECT: return "connect";
	case STS_FETCH_TLS: return "tls";
	case STS_FETCH_REDIRECT: return "redirect";
	case STS_FETCH_HTTP_STATUS: return "http_status";
	case STS_FETCH_CONTENT_TYPE: return "content_type";
	case STS_FETCH_TOO_BIG: return "too_big";
	case STS_FETCH_TIMEOUT: return "timeout";
	case STS_FETCH_ERROR: return "error";
	}
	return "error";
}

const char *sts_tls_failure_name(enum sts_tls_failure t)
{
	switch (t) {
	case STS_TLS_NONE: return "none";
	case STS_TLS_UNTRUSTED: return "untrusted";
	case STS_TLS_EXPIRED: return "expired";
	case STS_TLS_NAME: return "name";
	case STS_TLS_CHAIN: return "chain";
	case STS_TLS_HANDSHAKE: return "handshake";
	}
	return "handshake";
}

/* ---- the arguments, checked before libcurl sees them ---- */

/* An LDH host name (no '_', no trailing dot: it goes into a URL and
 * CURLOPT_RESOLVE), short enough for "mta-sts." in front. */
static int domain_ok(const char *d)
{
	size_t len = strlen(d);

	return len > 0 && len + 8 <= DNS_NAME_MAX && d[len - 1] != '.' &&
	       !strchr(d, '_') && dns_valid_hostname(d);
}

static void fail_arg(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail_arg(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Parse the addresses into f->addrs (and their text, as given). -1
 * (with err) when one is no numeric address. */
static int take_addrs(struct sts_fetch *f, const char *const *addrs,
		      size_t naddrs, char *err, size_t errlen)
{
	for (size_t i = 0; i < naddrs; i++) {
		struct sts_addr *a = &f->addrs[i];
		const char *s = addrs[i];

		if (s && inet_pton(AF_INET, s, &a->a.v4) == 1)
			a->family = AF_INET;
		else if (s && inet_pton(AF_INET6, s, &a->a.v6) == 1)
			a->family = AF_INET6;
		else {
			fail_arg(err, errlen,
				 "address %zu of mta-sts.%s is not a numeric "
				 "IPv4 or IPv6 address",
				 i + 1, f->domain);
			return -1;
		}
		/* inet_pton took it, so it fits: INET6_ADDRSTRLEN is the
		 * longest form it reads. */
		snprintf(f->addr_text[i], sizeof f->addr_text[i], "%s", s);
	}
	f->naddrs = naddrs;
	return 0;
}

/* ---- libcurl's callbacks: they record, nothing more ---- */

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *data,
		     void *sockp)
{
	struct sts_fetch *f = data;
	int i;

	(void)easy;
	(void)sockp;
	for (i = 0; i < f->nsocks; i++)
		if (f->socks[i].fd == fd)
			break;
	if (what == CURL_POLL_REMOVE) {
		if (i < f->nsocks)
			f->socks[i] = f->socks[--f->nsocks];
		return 0;
	}
	if (i == f->nsocks) {
		if (f->nsocks == STS_SOCKETS_CAP)
			return 0; /* unwatched: the timeout still ends it */
		f->nsocks++;
	}
	f->socks[i].fd = fd;
	f->socks[i].what = what;
	return 0;
}

static int on_timer(CURLM *multi, long timeout_ms, void *data)
{
	struct sts_fetch *f = data;

	(void)multi;
	f->timer_at = timeout_ms < 0 ? NEVER : mono_ms() + timeout_ms;
	return 0;
}

/* libcurl is about to resolve a name itself: CURLOPT_RESOLVE did not
 * cover it. Refuse, so that its resolver (a thread) never starts. The
 * one exception is the proxy: libcurl asks this before it looks at the
 * name, even for the IP literal a proxy always is here, which it then
 * converts without a resolver; that lookup comes first, before the SOCKS
 * handshake resolves the host name (from the pinned entry). */
static int on_resolver_start(void *resolver_state, void *reserved, void *data)
{
	struct sts_fetch *f = data;

	(void)resolver_state;
	(void)reserved;
	if (f->proxy_lookup_due) {
		f->proxy_lookup_due = 0;
		return 0;
	}
	f->resolve_refused = 1;
	return 1;
}

/* Is sa the current attempt's address, port 443? */
static int addr_is_ours(const struct sts_fetch *f, const struct sockaddr *sa,
			socklen_t salen)
{
	const struct sts_addr *a = &f->addrs[f->cur];

	if (sa->sa_family != a->family)
		return 0;
	if (a->family == AF_INET && salen >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const void *)sa;
		return ntohs(in->sin_port) == STS_PORT &&
		       memcmp(&in->sin_addr, &a->a.v4, sizeof a->a.v4) == 0;
	}
	if (a->family == AF_INET6 && salen >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const void *)sa;
		return ntohs(in6->sin6_port) == STS_PORT &&
		       memcmp(&in6->sin6_addr, &a->a.v6, sizeof a->a.v6) == 0;
	}
	return 0;
}

/* Is sa the proxy's address and port? */
static int addr_is_proxy(const struct sts_fetch *f, const struct sockaddr *sa,
			 socklen_t salen)
{
	const struct sockaddr_storage *p = &f->proxy_sa;

	if (!f->proxied || sa->sa_family != p->ss_family)
		return 0;
	if (p->ss_family == AF_INET && salen >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *a = (const void *)sa;
		const struct sockaddr_in *b = (const void *)p;
		return a->sin_port == b->sin_port &&
		       memcmp(&a->sin_addr, &b->sin_addr, sizeof a->sin_addr) ==
			   0;
	}
	if (p->ss_family == AF_INET6 && salen >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *a = (const void *)sa;
		const struct sockaddr_in6 *b = (const void *)p;
		return a->sin6_port == b->sin6_port &&
		       memcmp(&a->sin6_addr, &b->sin6_addr,
			      sizeof a->sin6_addr) == 0;
	}
	return 0;
}

/* Connect to the attempt's address only (through a proxy: to the proxy
 * only), whatever libcurl thinks. */
static curl_socket_t on_open_socket(void *data, curlsocktype purpose,
				    struct curl_sockaddr *addr)
{
	struct sts_fetch *f = data;

	if (purpose != CURLSOCKTYPE_IPCXN ||
	    !(f->proxied ? addr_is_proxy(f, &addr->addr, addr->addrlen)
			 : addr_is_ours(f, &addr->addr, addr->addrlen))) {
		f->addr_refused = 1;
		return CURL_SOCKET_BAD;
	}
	return socket(addr->family, addr->socktype, addr->protocol);
}

/* "text/plain", alone or with parameters, in any case. */
static int is_text_plain(const char *ct)
{
	if (!ct || strncasecmp(ct, "text/plain", 10) != 0)
		return 0;
	ct += 10;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}

static size_t on_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct sts_fetch *f = arg;
	size_t n = size * nmemb;
	long code = 0;
	char *ct = NULL;

	/* Not the policy: stop reading at the first byte, except that a
	 * redirect's body is read (and dropped, up to the same cap) so that
	 * libcurl completes the transfer and works out where it points. */
	curl_easy_getinfo(f->easy, CURLINFO_RESPONSE_CODE, &code);
	if (code >= 300 && code <= 399 && n <= STS_POLICY_MAX - f->dropped) {
		f->dropped += n;
		return n;
	}
	if (code != 200) {
		f->bad_status = 1;
		return 0;
	}
	curl_easy_getinfo(f->easy, CURLINFO_CONTENT_TYPE, &ct);
	if (!is_text_plain(ct)) {
		f->bad_type = 1;
		return 0;
	}
	if (n > STS_POLICY_MAX - f->len) {
		f->too_big = 1;
		return 0;
	}
	if (f->len + n + 1 > f->cap) {
		size_t cap = f->cap ? f->cap : 4096;
		char *p;

		while (cap < f->len + n + 1)
			cap *= 2;
		if (cap > STS_POLICY_MAX + 1)
			cap = STS_POLICY_MAX + 1;
		p = realloc(f->body, cap);
		if (!p) {
			f->oom = 1;
			return 0;
		}
		f->body = p;
		f->cap = cap;
	}
	memcpy(f->body + f->len, data, n);
	f->len += n;
	f->body[f->len] = '\0';
	return n;
}

/* libcurl keeps every header line (for curl_easy_header): bound them. */
static size_t on_header(char *data, size_t size, size_t nmemb, void *arg)
{
	struct sts_fetch *f = arg;
	size_t n = size * nmemb;

	(void)data;
	if (n > STS_HEADER_BYTES_MAX - f->header_bytes) {
		f->big_headers = 1;
		return 0;
	}
	f->header_bytes += n;
	return n;
}

/* ---- setting up ---- */

#define SET(opt, val)                                                          \
	do {                                                                   \
		if (curl_easy_setopt(e, opt, val) != CURLE_OK) {               \
			fail_arg(err, errlen, "libcurl refused %s", #opt);     \
			return -1;                                             \
		}                                                              \
	} while (0)

static int set_options(struct sts_fetch *f, long total_ms, long connect_ms,
		       char *err, size_t errlen)
{
	CURL *e = f->easy;

	SET(CURLOPT_URL, f->url);
	SET(CURLOPT_RESOLVE, f->resolve);
	SET(CURLOPT_RESOLVER_START_FUNCTION, on_resolver_start);
	SET(CURLOPT_RESOLVER_START_DATA, f);
	SET(CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
	SET(CURLOPT_OPENSOCKETDATA, f);
	SET(CURLOPT_PROTOCOLS_STR, "https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_MAXREDIRS, 0L);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (f->ca_file) {
		/* This file only, as tlsconn.c does: not /etc/ssl/certs too. */
		SET(CURLOPT_CAINFO, f->ca_file);
		SET(CURLOPT_CAPATH, (char *)NULL);
	}
	SET(CURLOPT_TIMEOUT_MS, total_ms);
	SET(CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_NOPROGRESS, 1L);
	if (f->proxied) {
		/* socks5://: libcurl resolves the name itself, which
		 * CURLOPT_RESOLVE pins, and hands the proxy the address. */
		SET(CURLOPT_PROXY, f->proxy_url);
		SET(CURLOPT_NOPROXY, (char *)NULL);
		/* With a user RFC 1929, else no authentication; libcurl
		 * offers "no authentication" beside RFC 1929 whatever this
		 * says (the SMTP sessions offer one method only, socks5.h),
		 * and this keeps GSSAPI out. */
		SET(CURLOPT_SOCKS5_AUTH,
		    f->proxy_user ? (long)CURLAUTH_BASIC : (long)CURLAUTH_NONE);
		if (f->proxy_user) {
			SET(CURLOPT_PROXYUSERNAME, f->proxy_user);
			SET(CURLOPT_PROXYPASSWORD, f->proxy_pass);
		}
	} else {
		SET(CURLOPT_PROXY, ""); /* never one from the environment */
	}
	SET(CURLOPT_USERAGENT, "smtpprobe/" SMTPPROBE_VERSION);
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)STS_POLICY_MAX);
	SET(CURLOPT_WRITEFUNCTION, on_write);
	SET(CURLOPT_WRITEDATA, f);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, f);
	SET(CURLOPT_ERRORBUFFER, f->errbuf);
	/* One request: the connection goes when it is done. */
	SET(CURLOPT_FORBID_REUSE, 1L);
	return 0;
}

static void end_attempt(struct sts_fetch *f)
{
	if (f->attached)
		curl_multi_remove_handle(f->multi, f->easy);
	f->attached = 0;
	if (f->easy)
		curl_easy_cleanup(f->easy);
	if (f->multi)
		curl_multi_cleanup(f->multi);
	curl_slist_free_all(f->resolve);
	f->easy = NULL;
	f->multi = NULL;
	f->resolve = NULL;
	f->nsocks = 0;
	f->timer_at = NEVER;
}

/* Start the attempt at address f->cur: connect within the time left
 * shared among the addresses still to try, the whole transfer within
 * the time left. Only arms libcurl's timer (at 0): sts_fetch_process
 * starts the connection. -1 with err when libcurl cannot be set up. */
static int start_attempt(struct sts_fetch *f, char *err, size_t errlen)
{
	char entry[DNS_NAME_MAX + 32 + INET6_ADDRSTRLEN];
	long left = f->end - mono_ms(), connect_ms;

	if (left < 1)
		left = 1;
	connect_ms = left / (long)(f->naddrs - f->cur);
	if (connect_ms < 1)
		connect_ms = 1;
	snprintf(entry, sizeof entry,
		 f->addrs[f->cur].family == AF_INET6 ? "mta-sts.%s:%d:[%s]"
						     : "mta-sts.%s:%d:%s",
		 f->domain, STS_PORT, f->addr_text[f->cur]);
	f->too_big = f->big_headers = f->bad_status = f->bad_type = 0;
	f->oom = f->resolve_refused = f->addr_refused = 0;
	f->proxy_lookup_due = f->proxied;
	f->len = f->dropped = f->header_bytes = 0;
	f->errbuf[0] = '\0';
	f->attempt++;
	f->resolve = curl_slist_append(NULL, entry);
	f->easy = curl_easy_init();
	f->multi = curl_multi_init();
	if (!f->resolve || !f->easy || !f->multi) {
		fail_arg(err, errlen, "cannot set up libcurl");
		return -1;
	}
	if (set_options(f, left, connect_ms, err, errlen) < 0)
		return -1;
	if (curl_multi_setopt(f->multi, CURLMOPT_SOCKETFUNCTION, on_socket) !=
		CURLM_OK ||
	    curl_multi_setopt(f->multi, CURLMOPT_SOCKETDATA, f) != CURLM_OK ||
	    curl_multi_setopt(f->multi, CURLMOPT_TIMERFUNCTION, on_timer) !=
		CURLM_OK ||
	    curl_multi_setopt(f->multi, CURLMOPT_TIMERDATA, f) != CURLM_OK ||
	    curl_multi_add_handle(f->multi, f->easy) != CURLM_OK) {
		fail_arg(err, errlen, "cannot set up libcurl");
		return -1;
	}
	f->attached = 1;
	return 0;
}

struct sts_fetch *sts_fetch_new(const char *domain, const char *const *addrs,
				size_t naddrs, const char *ca_file,
				long timeout_ms, char *err, size_t errlen)
{
	struct sts_fetch *f;

	if (!domain || !domain_ok(domain)) {
		fail_arg(err, errlen, "not a host name for an MTA-STS fetch");
		return NULL;
	}
	if (naddrs == 0 || !addrs) {
		fail_arg(err, errlen,
			 "no address for mta-sts.%s: libcurl would resolve "
			 "the name itself",
			 domain);
		return NULL;
	}
	if (naddrs > STS_ADDRS_CAP) {
		fail_arg(err, errlen, "more than %d addresses for mta-sts.%s",
			 STS_ADDRS_CAP, domain);
		return NULL;
	}
	if (timeout_ms < 1 || timeout_ms > (long)TIMEOUT_MAX * 1000) {
		fail_arg(err, errlen, "timeout out of range");
		return NULL;
	}
	f = calloc(1, sizeof *f);
	if (!f) {
		fail_arg(err, errlen, "out of memory");
		return NULL;
	}
	f->timer_at = NEVER;
	f->started = mono_ms();
	f->end = f->started + timeout_ms;
	f->deadline = f->end + STS_FETCH_GRACE_MS;
	snprintf(f->domain, sizeof f->domain, "%s", domain);
	snprintf(f->url, sizeof f->url,
		 "https://mta-sts.%s/.well-known/mta-sts.txt", domain);
	snprintf(f->res.request, sizeof f->res.request, "GET %s", f->url);
	if (take_addrs(f, addrs, naddrs, err, errlen) < 0) {
		free(f);
		return NULL;
	}
	/* "" is the system store too, as in tls_ctx_new. */
	if (ca_file && ca_file[0] && !(f->ca_file = strdup(ca_file))) {
		fail_arg(err, errlen, "out of memory");
		free(f);
		return NULL;
	}
	if (start_attempt(f, err, errlen) < 0) {
		sts_fetch_free(f);
		return NULL;
	}
	return f;
}

static void free_secret(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

int sts_fetch_set_proxy(struct sts_fetch *f, const char *ip, int family,
			int port, const char *user, const char *pass, char *err,
			size_t errlen)
{
	struct sockaddr_storage *ss = &f->proxy_sa;

	memset(ss, 0, sizeof *ss);
	if (port < 1 || port > 65535)
		goto bad;
	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;
		if (inet_pton(AF_INET, ip, &in->sin_addr) != 1)
			goto bad;
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		snprintf(f->proxy_url, sizeof f->proxy_url, "socks5://%s:%d",
			 ip, port);
	} else if (family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
		if (inet_pton(AF_INET6, ip, &in6->sin6_addr) != 1)
			goto bad;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		snprintf(f->proxy_url, sizeof f->proxy_url, "socks5://[%s]:%d",
			 ip, port);
	} else {
		goto bad;
	}
	free(f->proxy_user);
	free_secret(f->proxy_pass);
	f->proxy_user = f->proxy_pass = NULL;
	if (user && user[0] &&
	    (!(f->proxy_user = strdup(user)) ||
	     !(f->proxy_pass = strdup(pass ? pass : "")))) {
		fail_arg(err, errlen, "out of memory");
		return -1;
	}
	f->proxied = 1;
	/* The attempt that is set up already (no connection yet). */
	end_attempt(f);
	f->attempt--;
	return start_attempt(f, err, errlen);
bad:
	fail_arg(err, errlen, "not a proxy address");
	return -1;
}

void sts_fetch_free(struct sts_fetch *f)
{
	if (!f)
		return;
	end_attempt(f);
	free(f->proxy_user);
	free_secret(f->proxy_pass);
	free(f->ca_file);
	free(f->body);
	free(f);
}

/* ---- the outcome ---- */

static void set_error(struct sts_fetch *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void set_error(struct sts_fetch *f, const char *fmt, ...)
{
	char raw[STS_ERROR_MAX + 1];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	sanitize_buf(f->res.error, sizeof f->res.error, raw, strlen(raw));
}

static void keep(char *out, size_t outsz, const char *in)
{
	if (in)
		sanitize_buf(out, outsz, in, strlen(in));
	else
		out[0] = '\0';
}

/* libcurl's own words, or its name for the code. */
static const char *curl_words(const struct sts_fetch *f, CURLcode rc)
{
	size_t n = strnlen(f->errbuf, sizeof f->errbuf);

	return n && n < sizeof f->errbuf ? f->errbuf : curl_easy_strerror(rc);
}

/* Why TLS failed. OpenSSL's verify result (X509_V_ERR_*, by number: this
 * file does not include OpenSSL for six names) tells the chain problems;
 * libcurl checks the host name itself, after a chain that verified, and
 * only its error text tells that one apart. */
static enum sts_tls_failure tls_failure(long verify, CURLcode rc,
					const char *words)
{
	switch (verify) {
	case 0: break;
	case 2:	 /* unable to get issuer certificate */
	case 18: /* self-signed certificate */
	case 19: /* self-signed certificate in chain */
	case 20: /* unable to get local issuer certificate */
	case 21: /* unable to verify the first certificate */
		return STS_TLS_UNTRUSTED;
	case 9: /* not yet valid */
	case 10: /* expired */ return STS_TLS_EXPIRED;
	default: return STS_TLS_CHAIN;
	}
	if (rc == CURLE_PEER_FAILED_VERIFICATION)
		return strstr(words, "host name") ? STS_TLS_NAME
						  : STS_TLS_CHAIN;
	return STS_TLS_HANDSHAKE;
}

static int is_tls_error(CURLcode rc)
{
	switch (rc) {
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_SHUTDOWN_FAILED:
	case CURLE_USE_SSL_FAILED: return 1;
	default: return 0;
	}
}

static void classify(struct sts_fetch *f, CURLcode rc)
{
	struct sts_fetch_result *r = &f->res;
	long code = r->http_status;

	if (code >= 300 && code <= 399) {
		r->status = STS_FETCH_REDIRECT;
		set_error(f, "HTTP status %ld (a redirect, not followed)",
			  code);
	} else if (code != 0 && code != 200) {
		r->status = STS_FETCH_HTTP_STATUS;
		set_error(f, "HTTP status %ld, not 200", code);
	} else if (f->big_headers) {
		r->status = STS_FETCH_TOO_BIG;
		set_error(f, "the response headers are larger than %d bytes",
			  STS_HEADER_BYTES_MAX);
	} else if (f->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		r->status = STS_FETCH_TOO_BIG;
		set_error(f, "the policy is larger than %d bytes",
			  STS_POLICY_MAX);
	} else if (f->oom) {
		r->status = STS_FETCH_ERROR;
		set_error(f, "out of memory");
	} else if (f->bad_type || (rc == CURLE_OK && code == 200 &&
				   !is_text_plain(r->content_type))) {
		r->status = STS_FETCH_CONTENT_TYPE;
		set_error(f, "content type is \"%s\", not text/plain",
			  r->content_type);
	} else if (rc == CURLE_OK && code == 200) {
		r->status = STS_FETCH_OK;
	} else if (f->resolve_refused || f->addr_refused) {
		r->status = STS_FETCH_ERROR;
		set_error(f, "libcurl wanted to %s: refused",
			  f->resolve_refused ? "resolve a name itself"
					     : "connect to another address");
	} else if (rc == CURLE_COULDNT_CONNECT) {
		r->status = STS_FETCH_CONNECT;
		set_error(f, "%s", curl_words(f, rc));
	} else if (rc == CURLE_OPERATION_TIMEDOUT) {
		r->status = STS_FETCH_TIMEOUT;
		set_error(f, "%s", curl_words(f, rc));
	} else if (is_tls_error(rc)) {
		r->status = STS_FETCH_TLS;
		r->tls = tls_failure(r->tls_verify_code, rc, curl_words(f, rc));
		set_error(f, "%s", curl_words(f, rc));
	} else {
		r->status = STS_FETCH_ERROR;
		set_error(f, "%s", curl_words(f, rc));
	}
}

/* libcurl fills in the local port when a TCP connection is made, and
 * not before (its connect time waits for TLS too). */
static int tcp_connected(const struct sts_fetch *f)
{
	long port = 0;

	return curl_easy_getinfo(f->easy, CURLINFO_LOCAL_PORT, &port) ==
		   CURLE_OK &&
	       port > 0;
}

/* Done: libcurl's handles (and with them its sockets) go now. */
static void detach(struct sts_fetch *f)
{
	end_attempt(f);
	f->done = 1;
	f->res.attempts = (int)f->attempt;
	f->res.elapsed_ms = mono_ms() - f->started;
}

static void finish(struct sts_fetch *f, CURLcode rc)
{
	struct sts_fetch_result *r = &f->res;
	struct curl_header *h = NULL;
	char *s = NULL;
	long l = 0;

	if (curl_easy_getinfo(f->easy, CURLINFO_RESPONSE_CODE, &l) == CURLE_OK)
		r->http_status = l;
	s = NULL;
	curl_easy_getinfo(f->easy, CURLINFO_CONTENT_TYPE, &s);
	keep(r->content_type, sizeof r->content_type, s);
	s = NULL;
	curl_easy_getinfo(f->easy, CURLINFO_REDIRECT_URL, &s);
	keep(r->location, sizeof r->location, s);
	/* libcurl works the URL out only for a transfer that completed; for
	 * one cut short, the header as sent. */
	if (!r->location[0] &&
	    curl_easy_header(f->easy, "Location", 0, CURLH_HEADER, -1, &h) ==
		CURLHE_OK)
		keep(r->location, sizeof r->location, h->value);
	s = NULL;
	curl_easy_getinfo(f->easy, CURLINFO_PRIMARY_IP, &s);
	keep(r->remote_ip, sizeof r->remote_ip, s);
	/* libcurl starts it at 1 (X509_V_ERR_UNSPECIFIED) and leaves it so
	 * when no chain was checked: that says nothing. */
	l = 0;
	if (curl_easy_getinfo(f->easy, CURLINFO_SSL_VERIFYRESULT, &l) ==
		CURLE_OK &&
	    l > 1)
		r->tls_verify_code = l;
	r->connected = tcp_connected(f);
	classify(f, rc);
	if (r->status == STS_FETCH_OK) {
		if (!f->body) { /* an empty policy: still a string */
			f->body = calloc(1, 1);
			if (!f->body) {
				r->status = STS_FETCH_ERROR;
				set_error(f, "out of memory");
			}
		}
		if (f->body)
			f->body[f->len] = '\0';
		r->body = f->body;
		r->size = f->len;
	}
	detach(f);
}

/* ---- loop glue ---- */

int sts_fetch_pollfds(struct sts_fetch *f, struct pollfd *pfds, int max)
{
	int n = 0;

	if (f->done)
		return 0;
	for (int i = 0; i < f->nsocks && n < max; i++, n++) {
		int w = f->socks[i].what;

		pfds[n].fd = f->socks[i].fd;
		pfds[n].events = (short)((w & CURL_POLL_IN ? POLLIN : 0) |
					 (w & CURL_POLL_OUT ? POLLOUT : 0));
		pfds[n].revents = 0;
	}
	return n;
}

/* After libcurl ran: its next timeout, from libcurl itself. The timer
 * callback alone is not enough: libcurl does not call it again for a
 * timer it already told, so one run a millisecond early (the two
 * clocks round apart) would lose it. */
static void sync_timer(struct sts_fetch *f)
{
	long ms = -1;

	if (f->done || curl_multi_timeout(f->multi, &ms) != CURLM_OK)
		return;
	f->timer_at = ms < 0 ? NEVER : mono_ms() + ms;
}

/* The attempt reached nobody: the next address may answer. */
static int reached_nobody(const struct sts_fetch *f, CURLcode rc)
{
	if (f->addr_refused || f->resolve_refused)
		return 0;
	return rc == CURLE_COULDNT_CONNECT ||
	       (rc == CURLE_OPERATION_TIMEDOUT && !tcp_connected(f));
}

static void drain(struct sts_fetch *f)
{
	char err[STS_ERROR_MAX + 1];
	CURLMsg *m;
	int left;

	while (!f->done && (m = curl_multi_info_read(f->multi, &left))) {
		CURLcode rc = m->data.result;

		if (m->msg != CURLMSG_DONE || m->easy_handle != f->easy)
			continue;
		if (!reached_nobody(f, rc) || f->cur + 1 == f->naddrs ||
		    mono_ms() >= f->end) {
			finish(f, rc);
			return;
		}
		end_attempt(f); /* m goes with it */
		f->cur++;
		if (start_attempt(f, err, sizeof err) < 0) {
			f->res.status = STS_FETCH_ERROR;
			set_error(f, "%s", err);
			detach(f);
		}
		return;
	}
}

void sts_fetch_process(struct sts_fetch *f, const struct pollfd *pfds, int n)
{
	unsigned attempt = f->attempt;
	int running;

	if (f->done)
		return;
	/* The fds are the attempt's that was current when they were asked
	 * for: none of them is handed to the next one. */
	for (int i = 0; i < n && !f->done && f->attempt == attempt; i++) {
		int mask = 0;

		if (pfds[i].revents & POLLIN)
			mask |= CURL_CSELECT_IN;
		if (pfds[i].revents & POLLOUT)
			mask |= CURL_CSELECT_OUT;
		if (pfds[i].revents & (POLLERR | POLLHUP | POLLNVAL))
			mask |= CURL_CSELECT_ERR;
		if (!mask)
			continue;
		curl_multi_socket_action(f->multi, pfds[i].fd, mask, &running);
		drain(f);
	}
	if (!f->done && f->timer_at != NEVER && mono_ms() >= f->timer_at) {
		/* A one-shot timer: libcurl sets the next one itself. */
		f->timer_at = NEVER;
		curl_multi_socket_action(f->multi, CURL_SOCKET_TIMEOUT, 0,
					 &running);
		drain(f);
	}
	sync_timer(f);
	if (!f->done && mono_ms() >= f->deadline) {
		/* libcurl's own timeout should have ended it by now. */
		f->res.status = STS_FETCH_TIMEOUT;
		set_error(f, "no result within the timeout");
		detach(f);
	}
}

long sts_fetch_timeout_ms(const struct sts_fetch *f)
{
	long now, at;

	if (f->done)
		return -1;
	now = mono_ms();
	at = f->timer_at < f->deadline ? f->timer_at : f->deadline;
	return at <= now ? 0 : at - now;
}

int sts_fetch_done(const struct sts_fetch *f)
{
	return f->done;
}

const struct sts_fetch_result *sts_fetch_result(const struct sts_fetch *f)
{
	return &f->res;
}

void sts_fetch_abort(struct sts_fetch *f)
{
	char *s = NULL;

	if (f->done)
		return;
	f->res.connected = tcp_connected(f);
	curl_easy_getinfo(f->easy, CURLINFO_PRIMARY_IP, &s);
	keep(f->res.remote_ip, sizeof f->res.remote_ip, s);
	f->res.status = STS_FETCH_TIMEOUT;
	set_error(f, "stopped at the run's deadline");
	detach(f);
}
