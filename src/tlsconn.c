/*
 * tlsconn.c - see tlsconn.h. Verification runs in SSL_VERIFY_NONE mode so
 * the handshake completes whatever the certificate says; the verify result
 * is read afterwards and the name is checked separately with
 * X509_check_host (which refuses names with embedded NUL bytes).
 */
#include "smtpprobe/tlsconn.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "smtpprobe/addr.h"
#include "smtpprobe/sanitize.h"

SSL_CTX *tls_ctx_new(const char *ca_file, char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (!ctx) {
		snprintf(err, errlen, "cannot create a TLS context");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
	/* DANE (RFC 7671) is switched on per connection, for hosts with
	 * usable TLSA records; the context only makes it possible. */
	if (SSL_CTX_dane_enable(ctx) <= 0) {
		snprintf(err, errlen, "cannot enable DANE in the TLS context");
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
				  SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (ca_file && ca_file[0]) {
		if (SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1) {
			snprintf(err, errlen,
				 "cannot load CA certificates from the file");
			SSL_CTX_free(ctx);
			return NULL;
		}
	} else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
		snprintf(err, errlen, "cannot load the system trust store");
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

SSL *tls_new(SSL_CTX *ctx, int fd, const char *host)
{
	SSL *ssl = SSL_new(ctx);

	if (!ssl)
		return NULL;
	if (SSL_set_fd(ssl, fd) != 1) {
		SSL_free(ssl);
		return NULL;
	}
	if (host && !addr_is_ip_literal(host))
		SSL_set_tlsext_host_name(ssl, host);
	SSL_set_connect_state(ssl);
	return ssl;
}

int tls_dane_setup(SSL *ssl, const struct dane_host *d, const char *base,
		   const char *const *names, size_t nnames)
{
	int added = 0;

	if (SSL_dane_enable(ssl, base) <= 0)
		return -1;
	/* DANE-EE (3) binds the key, not a name (RFC 7672 3.1.1); DANE-TA
	 * still needs one of the reference names (3.2.2). */
	SSL_dane_set_flags(ssl, DANE_FLAG_NO_DANE_EE_NAMECHECKS);
	SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	for (size_t i = 0; i < nnames; i++)
		if (names[i] && names[i][0] && strcasecmp(names[i], base) != 0)
			SSL_add1_host(ssl, names[i]);
	for (size_t i = 0; i < d->nrecords; i++) {
		const struct dane_record *r = &d->records[i];

		if (r->usage != 2 && r->usage != 3)
			continue; /* PKIX-TA/EE are not for SMTP (3.1.3) */
		/* 0: unusable (OpenSSL knows better), -1: bad data. */
		if (SSL_dane_tlsa_add(
			ssl, (uint8_t)r->usage, (uint8_t)r->selector,
			(uint8_t)r->matching, r->data, r->len) > 0)
			added++;
	}
	ERR_clear_error();
	return added > 0 ? 0 : -1;
}

/* The PKIX facts of a DANE handshake: with DANE on, OpenSSL's verify
 * result is the DANE one, so the chain is checked once more against the
 * trust store, for the reports and for MTA-STS. */
static long pkix_result(SSL *ssl, X509 *leaf)
{
	X509_STORE_CTX *vc = X509_STORE_CTX_new();
	STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
	long res = X509_V_ERR_UNSPECIFIED;

	if (!vc)
		return res;
	if (X509_STORE_CTX_init(vc,
				SSL_CTX_get_cert_store(SSL_get_SSL_CTX(ssl)),
				leaf, chain) == 1) {
		X509_STORE_CTX_set_default(vc, "ssl_server");
		res = X509_verify_cert(vc) == 1 ? X509_V_OK
						: X509_STORE_CTX_get_error(vc);
	}
	X509_STORE_CTX_free(vc);
	ERR_clear_error();
	return res;
}

static void dane_collect(SSL *ssl, struct tls_info *ti)
{
	uint8_t u = 0, sel = 0, m = 0;
	const unsigned char *data = NULL;
	size_t dlen = 0;
	int depth;

	ti->dane_verify_result = SSL_get_verify_result(ssl);
	depth = SSL_get0_dane_authority(ssl, NULL, NULL);
	ti->dane_depth = depth;
	ti->dane_ok = ti->dane_verify_result == X509_V_OK && depth >= 0;
	ti->dane_usage = ti->dane_selector = ti->dane_matching = -1;
	if (SSL_get0_dane_tlsa(ssl, &u, &sel, &m, &data, &dlen) >= 0) {
		ti->dane_usage = u;
		ti->dane_selector = sel;
		ti->dane_matching = m;
	}
}

static char *name_text(X509_NAME *name)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *out = NULL;
	long len;

	if (!b)
		return NULL;
	/* RFC 2253 form; multi-byte and control characters left as they
	 * are, so the sanitiser (not OpenSSL's escaping) decides what is
	 * printable and escapes it the same way as server text. */
	X509_NAME_print_ex(b, name, 0,
			   XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB &
			       ~ASN1_STRFLGS_ESC_CTRL);
	len = BIO_get_mem_data(b, &data);
	if (len >= 0)
		out = sanitize_dup(data, (size_t)len);
	BIO_free(b);
	return out;
}

static char *time_text(const ASN1_TIME *t)
{
	struct tm tm;
	char buf[64];

	if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
		return NULL;
	strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
	return strdup(buf);
}

void tls_collect(SSL *ssl, const char *host, struct tls_info *ti)
{
	X509 *cert = SSL_get1_peer_certificate(ssl);
	const SSL_CIPHER *c = SSL_get_current_cipher(ssl);

	ti->established = 1;
	snprintf(ti->version, sizeof ti->version, "%s", SSL_get_version(ssl));
	snprintf(ti->cipher, sizeof ti->cipher, "%s",
		 c ? SSL_CIPHER_get_name(c) : "");
	ti->verify_result = SSL_get_verify_result(ssl);
	if (ti->dane)
		dane_collect(ssl, ti);
	if (!cert) {
		ti->chain_ok = 0;
		ti->name_ok = 0;
		ti->verify_error = strdup("the server sent no certificate");
		return;
	}
	if (ti->dane)
		ti->verify_result = pkix_result(ssl, cert);
	ti->chain_ok = ti->verify_result == X509_V_OK;
	if (addr_is_ip_literal(host))
		ti->name_ok = X509_check_ip_asc(cert, host, 0) == 1;
	else
		ti->name_ok =
		    X509_check_host(cert, host, 0,
				    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS,
				    NULL) == 1;
	ti->subject = name_text(X509_get_subject_name(cert));
	ti->issuer = name_text(X509_get_issuer_name(cert));
	ti->not_after = time_text(X509_get0_notAfter(cert));
	if (!ti->chain_ok || !ti->name_ok) {
		char buf[600];
		const char *why =
		    ti->chain_ok
			? NULL
			: X509_verify_cert_error_string(ti->verify_result);

		snprintf(buf, sizeof buf, "%s%s%s", why ? why : "",
			 why && !ti->name_ok ? "; " : "",
			 ti->name_ok ? ""
				     : "certificate does not name the host");
		ti->verify_error = sanitize_dup(buf, strlen(buf));
	}
	X509_free(cert);
}

void tls_error_text(char *buf, size_t n)
{
	unsigned long e = ERR_peek_last_error();
	const char *reason = e ? ERR_reason_error_string(e) : NULL;

	snprintf(buf, n, "%s", reason ? reason : "handshake failed");
	ERR_clear_error();
}
