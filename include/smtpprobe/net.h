/*
 * net.h - small socket helpers shared by the sessions and the
 * connect-only checks.
 */
#ifndef SMTPPROBE_NET_H
#define SMTPPROBE_NET_H

#include <sys/socket.h>

/* The socket address of a textual IPv4 (family AF_INET) or IPv6
 * (AF_INET6) address and port; 1 on success, 0 when ip is not one. */
int net_sockaddr(const char *ip, int family, int port,
		 struct sockaddr_storage *ss, socklen_t *len);

/* A non-blocking, close-on-exec TCP socket connecting to ss: the fd (the
 * connect under way, or done when *done is set), or -1 with errno. */
int net_connect(const struct sockaddr_storage *ss, socklen_t len, int *done);

/* The result of a non-blocking connect once the socket is writable: 0,
 * or the errno it failed with. */
int net_connect_error(int fd);

#endif
