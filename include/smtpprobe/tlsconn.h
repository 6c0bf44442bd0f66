/*
 * tlsconn.h - the OpenSSL side of a connection: one client context per
 * run, one SSL per connection, and the certificate facts read after the
 * handshake. "Chain trusted" and "name matches" are separate facts: the
 * handshake never stops on a verification failure, so both can be
 * reported, and the probe decides what they mean. With DANE, the DANE
 * match and the PKIX chain are separate facts too.
 */
#ifndef SMTPPROBE_TLSCONN_H
#define SMTPPROBE_TLSCONN_H

#include <openssl/ssl.h>

#include "smtpprobe/record.h"

/* A client context trusting ca_file (PEM), or the system store when
 * ca_file is NULL or "". NULL on failure, with a reason in err. */
SSL_CTX *tls_ctx_new(const char *ca_file, char *err, size_t errlen);

/* An SSL for fd, with SNI set to host (unless host is an IP literal). */
SSL *tls_new(SSL_CTX *ctx, int fd, const char *host);

/* DANE for this handshake (before it starts): the usable records of d,
 * the TLSA base domain base, and the further reference names a DANE-TA
 * certificate may carry (the original MX name, the domain). Returns 0,
 * or -1 when no record could be added (the handshake then has no DANE).
 * Set ti->dane before tls_collect when this succeeded. */
int tls_dane_setup(SSL *ssl, const struct dane_host *d, const char *base,
		   const char *const *names, size_t nnames);

/* Version, cipher, subject, issuer, expiry; chain_ok from the verify
 * result; name_ok from checking host (a DNS name or an IP literal). */
void tls_collect(SSL *ssl, const char *host, struct tls_info *ti);

/* The reason of the last OpenSSL error on this thread, for a failed
 * handshake, as a short sanitised sentence in buf. */
void tls_error_text(char *buf, size_t n);

#endif
