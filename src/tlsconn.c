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
	if (!cert) {
		ti->chain_ok = 0;
		ti->name_ok = 0;
		ti->verify_error = strdup("the server sent no certificate");
		return;
	}
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
