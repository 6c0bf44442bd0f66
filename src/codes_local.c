/*
 * codes_local.c - failures on this side or in the network (DNS, connect,
 * TLS, the protocol as the session sees it), indexed by enum local_error
 * so that codes_local() is O(1); test_codes checks that every value has
 * its entry.
 */
#include "smtpprobe/codes.h"

#include <stddef.h>
#include <stdlib.h>

#include "codes_table.h"

/* The data tables below are laid out by hand; clang-format would pull
 * them apart. */
/* clang-format off */


#define LE(e, n, c, x, r) [e] = { (e), (n), (c), (x), (r) }

static const struct local_error_info local_errors[LE__COUNT] = {
	LE(LE_DNS_NXDOMAIN, "nxdomain", CAT_DNS,
	   "The domain does not exist in DNS (NXDOMAIN): no name server "
	   "knows it.",
	   "Check the spelling of the domain; if it is new or just renewed, "
	   "check its registration and delegation with whois and the "
	   "parent zone's NS records."),
	LE(LE_DNS_NODATA, "nodata", CAT_DNS,
	   "The name exists but has no records of the type asked for "
	   "(NODATA).",
	   "Add the missing MX (or A/AAAA) records to the domain's zone."),
	LE(LE_DNS_SERVFAIL, "servfail", CAT_DNS,
	   "The resolver could not get an answer (SERVFAIL): the domain's "
	   "name servers are down, lame, or DNSSEC validation fails.",
	   "Query the domain's authoritative servers directly (dig +trace); "
	   "fix broken delegation or DNSSEC signatures, or retry later."),
	LE(LE_DNS_REFUSED, "dns_refused", CAT_DNS,
	   "The DNS server refused to answer (REFUSED): it does not serve "
	   "this client or this zone.",
	   "Use a resolver that allows your queries (--dns-server), or fix "
	   "the domain's delegation if an authoritative server refuses."),
	LE(LE_DNS_TIMEOUT, "dns_timeout", CAT_DNS,
	   "No DNS answer arrived within the timeout (c-ares ETIMEOUT; "
	   "ECANCELLED or EDESTRUCTION when the run's deadline cut the "
	   "query): the resolver or the domain's name servers did not "
	   "respond.",
	   "Check that the resolver is reachable (UDP/TCP port 53 not "
	   "blocked), try another with --dns-server, or raise --timeout."),
	LE(LE_DNS_MALFORMED, "dns_malformed", CAT_DNS,
	   "The DNS exchange was malformed: the answer could not be parsed "
	   "(c-ares EBADRESP), the server called the query malformed "
	   "(EFORMERR), or the name asked for is not a valid DNS name "
	   "(EBADNAME, e.g. an MX target with illegal characters).",
	   "For a bad name, the receiver must fix its MX record; otherwise "
	   "try another resolver with --dns-server, since a middlebox "
	   "mangling DNS is a likely cause."),
	LE(LE_DNS_NULL_MX, "null_mx", CAT_DNS,
	   "The domain publishes a null MX (RFC 7505): it states that it "
	   "accepts no mail at all.",
	   "The domain cannot receive mail by design; use another address, "
	   "or remove the null MX if the domain should receive mail."),
	LE(LE_DNS_NO_ADDRESS, "no_address", CAT_DNS,
	   "The MX host name has no A or AAAA record, so there is no address "
	   "to connect to.",
	   "Add address records for the MX host, or point the MX record at a "
	   "host that has them (an MX must not point to a CNAME or IP)."),
	LE(LE_DNS_NO_SERVER, "dns_no_server", CAT_DNS,
	   "No DNS resolver could be contacted: the configured resolvers "
	   "refused or did not exist (c-ares ECONNREFUSED, ENOSERVER).",
	   "Check the nameserver lines of /etc/resolv.conf (or "
	   "--dns-server) and that this host may reach them on port 53."),
	LE(LE_DNS_NOT_IMPLEMENTED, "dns_not_implemented", CAT_DNS,
	   "The DNS server does not implement this kind of query (NOTIMP).",
	   "Use a full recursive resolver with --dns-server; some home "
	   "routers and filtering proxies answer only A queries."),
	LE(LE_DNS_BAD_NAME, "dns_bad_name", CAT_DNS,
	   "The name to look up is not a valid DNS name (for example an MX "
	   "target with spaces or illegal characters).",
	   "The receiver must correct the record that contains the bad "
	   "name (usually its MX record)."),
	LE(LE_DNS_CONFIG, "dns_config", CAT_DNS,
	   "The resolver configuration could not be read (c-ares EFILE or "
	   "ENOTINITIALIZED).",
	   "Check that /etc/resolv.conf exists and is readable, or name a "
	   "resolver with --dns-server."),
	LE(LE_DNS_NO_MEMORY, "dns_no_memory", CAT_DNS,
	   "The DNS library ran out of memory.",
	   "Free memory on this host and retry."),
	LE(LE_DNS_ERROR, "dns_error", CAT_DNS,
	   "The DNS lookup failed for a less common reason, which the detail "
	   "names: no resolver could be contacted (c-ares ECONNREFUSED), the "
	   "resolver does not implement the query (ENOTIMP), no resolver is "
	   "configured or the configuration is unreadable (ENOSERVER, EFILE, "
	   "ENOTINITIALIZED), the answer ended early (EOF), or memory ran "
	   "out (ENOMEM).",
	   "Check /etc/resolv.conf (or --dns-server) and that this host can "
	   "reach the resolver on port 53; retry, and report the detail if it "
	   "is an internal error (EBADQUERY, EBADFAMILY, EBADFLAGS)."),
	LE(LE_CONN_REFUSED, "connection_refused", CAT_NETWORK,
	   "The host answered but refused the connection: nothing listens on "
	   "that port, or a firewall rejects it.",
	   "Check that the mail service runs and listens on that address and "
	   "port, and that no firewall rule rejects your source address."),
	LE(LE_CONN_TIMEOUT, "connection_timed_out", CAT_NETWORK,
	   "No answer to the connection attempt within the timeout: "
	   "something on the path silently drops packets, typically a "
	   "firewall (yours blocking outbound port 25, or the receiver's).",
	   "Try another port or network to see which side blocks (many ISPs "
	   "and clouds block outbound port 25); check the receiver's "
	   "firewall for your address."),
	LE(LE_CONN_UNREACHABLE, "unreachable", CAT_NETWORK,
	   "The address cannot be reached from here, as the detail says: no "
	   "route to the network or host (ENETUNREACH, EHOSTUNREACH, "
	   "EHOSTDOWN), the local interface is down (ENETDOWN), this host "
	   "has no source address of that family (EADDRNOTAVAIL), or the "
	   "family is disabled in the kernel (EAFNOSUPPORT). The usual case "
	   "is an IPv6 address tried from a host without IPv6 connectivity.",
	   "Check this host's routing and interfaces (ip route, ip addr); if "
	   "only IPv6 fails, use -4 until the IPv6 path is fixed."),
	LE(LE_CONN_RESET, "connection_reset", CAT_NETWORK,
	   "The connection was reset by the peer or by a device on the path.",
	   "Retry; if it repeats, look for a firewall or intrusion prevention "
	   "system resetting SMTP sessions, or a server that drops this "
	   "client on purpose."),
	LE(LE_CONN_CLOSED, "connection_closed", CAT_NETWORK,
	   "The server closed the connection without a reply.",
	   "Servers do this to clients they reject silently (blocklisted IP, "
	   "too many connections); retry later or from another IP to compare."),
	LE(LE_CONN_NO_SOURCE_ADDRESS, "no_source_address", CAT_NETWORK,
	   "This host has no usable source address of that family "
	   "(EADDRNOTAVAIL): typically no global IPv6 address while the MX "
	   "host has an AAAA record.",
	   "Use -4 until this host has IPv6 connectivity, or fix its address "
	   "configuration."),
	LE(LE_CONN_FAMILY_UNSUPPORTED, "family_unsupported", CAT_NETWORK,
	   "The address family is not supported on this host "
	   "(EAFNOSUPPORT): IPv6 is disabled in the kernel.",
	   "Use -4, or enable IPv6 on this host."),
	LE(LE_CONN_FORBIDDEN, "connection_forbidden", CAT_NETWORK,
	   "This host's own firewall or security policy forbade the "
	   "outgoing connection (EACCES/EPERM); nothing left the machine.",
	   "Check the local firewall (nftables, iptables, a container's "
	   "network policy) and SELinux/AppArmor rules for outbound "
	   "port 25."),
	LE(LE_CONN_NO_RESOURCES, "no_resources", CAT_NETWORK,
	   "The system ran out of sockets, file descriptors or buffers "
	   "(EMFILE, ENFILE, ENOBUFS).",
	   "Raise the open-file limit (ulimit -n) or probe fewer hosts at "
	   "once."),
	LE(LE_CONN_ERROR, "connection_error", CAT_NETWORK,
	   "The connection failed with a less common operating system error, "
	   "which the detail names: most often a local firewall or security "
	   "policy forbids the outgoing connection (EACCES, EPERM), or the "
	   "process ran out of sockets or buffers (EMFILE, ENFILE, ENOBUFS).",
	   "For EACCES/EPERM check this host's own firewall (nftables, "
	   "iptables) and SELinux/AppArmor rules for outbound port 25; for "
	   "resource errors raise the limits or probe fewer hosts at once."),
	LE(LE_REPLY_TIMEOUT, "reply_timeout", CAT_NETWORK,
	   "Connected, but the server did not send the expected reply within "
	   "the timeout.",
	   "Some servers delay the greeting or replies on purpose (tarpitting "
	   "suspected spammers); raise --timeout to see whether it answers "
	   "at all. A silent greeting can also mean the port expects "
	   "implicit TLS (like 465): try it with -p 465."),
	LE(LE_TLS_HANDSHAKE, "tls_handshake_failed", CAT_TLS,
	   "The TLS handshake failed; the detail gives OpenSSL's reason: no "
	   "protocol version in common (\"unsupported protocol\", a server "
	   "stuck at TLS 1.0/1.1), no cipher in common (\"no shared "
	   "cipher\"), or the server ended the handshake with an alert "
	   "(\"alert handshake failure\", \"alert internal error\").",
	   "The receiver must enable TLS 1.2 or 1.3 with current ciphers and "
	   "a valid certificate and key; an alert right after the hello often "
	   "means a broken certificate setup on the server."),
	LE(LE_TLS_TIMEOUT, "tls_timeout", CAT_TLS,
	   "The TLS handshake did not finish within the timeout.",
	   "Look for a middlebox that blocks or stalls TLS on this port, or "
	   "raise --timeout."),
	LE(LE_TLS_VERIFY, "tls_verify_failed", CAT_TLS,
	   "The server's certificate did not verify; the detail gives the "
	   "reason: expired (\"certificate has expired\"), not yet valid "
	   "(a clock is wrong on one side), self-signed, issued by a CA this "
	   "host does not trust or sent without its intermediate certificate "
	   "(\"unable to get local issuer certificate\"), or a chain longer "
	   "than the verifier accepts.",
	   "Renew an expired certificate; check the clocks for \"not yet "
	   "valid\"; serve the full chain (leaf plus intermediates) from a "
	   "public CA; for a private CA pass it with --ca-file."),
	LE(LE_TLS_NAME, "tls_name_mismatch", CAT_TLS,
	   "The certificate is valid but is not issued for the host name "
	   "connected to.",
	   "Put the MX host name in the certificate's subjectAltName, or "
	   "point the MX record at a name the certificate covers."),
	LE(LE_TLS_NOT_OFFERED, "starttls_not_offered", CAT_TLS,
	   "TLS was required, but the server does not offer STARTTLS.",
	   "Enable STARTTLS on the server, or check whether a firewall strips "
	   "STARTTLS from the EHLO reply."),
	LE(LE_TLS_REFUSED, "starttls_refused", CAT_TLS,
	   "The server announced STARTTLS but answered the command with an "
	   "error.",
	   "The server's TLS setup is broken (missing certificate or key); "
	   "its admin must check the mail server's log."),
	LE(LE_TLS_CERT_EXPIRED, "tls_cert_expired", CAT_TLS,
	   "The server's certificate has expired.",
	   "The receiver must renew the certificate (and automate renewal, "
	   "e.g. with ACME)."),
	LE(LE_TLS_CERT_NOT_YET_VALID, "tls_cert_not_yet_valid", CAT_TLS,
	   "The server's certificate is not valid yet: its start date is in "
	   "the future as seen from here.",
	   "Check this host's clock first (NTP); if it is right, the "
	   "server's certificate was issued with a wrong date."),
	LE(LE_TLS_SELF_SIGNED, "tls_self_signed", CAT_TLS,
	   "The server presents a self-signed certificate (or a chain ending "
	   "in a self-signed root this host does not trust).",
	   "The receiver should use a certificate from a public CA; to trust "
	   "a private one for this probe, pass it with --ca-file."),
	LE(LE_TLS_UNKNOWN_CA, "tls_unknown_ca", CAT_TLS,
	   "The certificate was issued by a CA this host does not trust, or "
	   "the server did not send the intermediate certificate that links "
	   "it to a trusted root.",
	   "The receiver must serve the full chain (leaf plus "
	   "intermediates); for a private CA pass it with --ca-file."),
	LE(LE_TLS_CHAIN_TOO_LONG, "tls_chain_too_long", CAT_TLS,
	   "The certificate chain is longer than the verifier accepts.",
	   "The receiver should serve a shorter chain from a public CA (drop "
	   "extra cross-signed certificates)."),
	LE(LE_TLS_NO_SHARED_PROTOCOL, "tls_no_shared_protocol", CAT_TLS,
	   "The two sides have no TLS version in common (typically a server "
	   "limited to TLS 1.0/1.1 against a client that requires 1.2).",
	   "The receiver must enable TLS 1.2 and 1.3."),
	LE(LE_TLS_NO_SHARED_CIPHER, "tls_no_shared_cipher", CAT_TLS,
	   "The two sides have no cipher suite in common.",
	   "The receiver must enable current cipher suites (AES-GCM, "
	   "ChaCha20-Poly1305) and a certificate type they can use."),
	LE(LE_TLS_ALERT, "tls_alert", CAT_TLS,
	   "The server aborted the handshake with a TLS alert (named in the "
	   "detail).",
	   "The alert names the server's complaint; a \"handshake failure\" "
	   "or \"internal error\" alert usually means a broken certificate "
	   "or key setup on the server."),
	LE(LE_TLS_ON_PLAIN_PORT, "tls_on_plain_port", CAT_TLS,
	   "The server sent TLS bytes where a plain SMTP greeting belongs: "
	   "the port speaks implicit TLS (as on 465), not STARTTLS.",
	   "Probe the port as implicit TLS (like 465), or configure it for "
	   "plain SMTP with STARTTLS."),
	LE(LE_TLS_PLAINTEXT_ON_IMPLICIT, "plaintext_on_implicit_tls", CAT_TLS,
	   "The port was expected to speak TLS from the start (implicit TLS, "
	   "like 465), but the server sent plain text (OpenSSL reports "
	   "\"wrong version number\").",
	   "Probe this port without implicit TLS (it speaks SMTP with "
	   "STARTTLS, like 25 and 587), or configure it for implicit TLS."),
	LE(LE_TLS_DANE_MISMATCH, "tls_dane_mismatch", CAT_TLS,
	   "The server's certificate matches none of the host's usable TLSA "
	   "records (DANE, RFC 7672): a sender that honours DANE ends the "
	   "connection here and tries the next MX host, or defers.",
	   "The receiver must publish TLSA records for the certificate the "
	   "server presents now (after a certificate or key change, publish "
	   "the new record first and keep the old one until the change is "
	   "done)."),
	LE(LE_TLS_DANE_NAME, "tls_dane_name_mismatch", CAT_TLS,
	   "The chain matches the host's DANE-TA (usage 2) TLSA record, but "
	   "the certificate names neither the MX host nor the domain, which "
	   "DANE-TA requires (RFC 7672 3.2.2).",
	   "The receiver must add the MX host name to the certificate, or "
	   "publish a DANE-EE (3 1 1) record, which needs no name."),
	LE(LE_DNS_TLSA_LOOKUP, "tlsa_lookup_failed", CAT_DNS,
	   "The TLSA lookup for this host failed (SERVFAIL: often a DNSSEC "
	   "signature that does not validate) although its address records "
	   "are signed: a sender that honours DANE defers delivery to it.",
	   "The receiver's DNS admin must fix the zone's signatures for the "
	   "_25._tcp TLSA name (check it with a DNSSEC debugger or "
	   "'delv'); the sender retries later."),
	LE(LE_PROTO_MALFORMED, "malformed_reply", CAT_PROTOCOL,
	   "The server sent something that is not a valid SMTP reply; when "
	   "the detail says TLS bytes came instead of a greeting, the port "
	   "expects implicit TLS (as on 465), not plain SMTP with STARTTLS.",
	   "For TLS bytes, probe the port as implicit TLS (-p 465 style); "
	   "otherwise check that the port runs an SMTP server and not "
	   "another service or a broken proxy."),
	LE(LE_PROTO_LINE_TOO_LONG, "line_too_long", CAT_PROTOCOL,
	   "A reply line was longer than the limit smtpprobe accepts.",
	   "The server or something in between is misbehaving; check for a "
	   "non-SMTP service on this port."),
	LE(LE_PROTO_TOO_MANY_LINES, "too_many_lines", CAT_PROTOCOL,
	   "A reply had more lines or bytes than smtpprobe accepts, so it was "
	   "cut.",
	   "The server sends an endless or oversized reply; its admin should "
	   "check what produces it."),
	LE(LE_PROTO_INJECTION, "starttls_injection", CAT_PROTOCOL,
	   "Extra bytes followed the server's 220 reply to STARTTLS before "
	   "TLS started; they were discarded as a possible injection attack.",
	   "Update or fix the server or middlebox that sends data after the "
	   "STARTTLS reply (a known attack pattern or a broken proxy)."),
	LE(LE_PROTO_UNSOLICITED, "unsolicited_data", CAT_PROTOCOL,
	   "The server sent data nobody asked for, for example before its "
	   "greeting or between replies.",
	   "A broken server or proxy is the likely cause; check what listens "
	   "on the port."),
	LE(LE_PROTO_UNEXPECTED, "unexpected_reply", CAT_PROTOCOL,
	   "The server sent a reply code that makes no sense at this step.",
	   "The server does not follow the protocol; report the transcript "
	   "to its admin."),
	LE(LE_PROTO_CLOSED_MID_REPLY, "closed_mid_reply", CAT_PROTOCOL,
	   "The connection closed in the middle of a multi-line reply.",
	   "The server crashed or a middlebox cut the session; retry and "
	   "compare."),
	LE(LE_RUN_DEADLINE, "run_deadline", CAT_NETWORK,
	   "The run's overall time limit ended this probe before it finished.",
	   "The hosts answer too slowly for the budget; raise --timeout or "
	   "probe fewer ports."),
	LE(LE_AUTH_UNAVAILABLE, "auth_unavailable", CAT_PROTOCOL,
	   "--auth was given, but the server offers no authentication "
	   "mechanism smtpprobe can use (PLAIN or LOGIN) at this point.",
	   "Many servers offer AUTH only after STARTTLS or only on the "
	   "submission ports: probe with -p 587,465 and check the server's "
	   "AUTH settings."),
	LE(LE_SMTPUTF8_UNAVAILABLE, "smtputf8_unavailable", CAT_PROTOCOL,
	   "The address has a non-ASCII local part, which needs the SMTPUTF8 "
	   "extension (RFC 6531), and the server does not offer it.",
	   "This server cannot take mail for the address as written: use an "
	   "ASCII alias of the mailbox, or the receiver must enable "
	   "SMTPUTF8."),
	LE(LE_PROXY_REFUSED, "proxy_refused", CAT_PROXY,
	   "The SOCKS5 proxy given with --proxy refused the connection: "
	   "nothing listens at that address and port. The mail host was "
	   "never tried.",
	   "Check the --proxy address and port, and that the proxy runs "
	   "(ss -ltn on its host)."),
	LE(LE_PROXY_UNREACHABLE, "proxy_unreachable", CAT_PROXY,
	   "The SOCKS5 proxy given with --proxy could not be reached from "
	   "here, as the detail says (no route, no source address of that "
	   "family, a local firewall). The mail host was never tried.",
	   "Check the --proxy address and this host's routing and firewall "
	   "towards it."),
	LE(LE_PROXY_TIMEOUT, "proxy_timeout", CAT_PROXY,
	   "The SOCKS5 proxy did not complete its part in time: either the "
	   "connection to it got no answer, or it accepted the connection "
	   "and then did not finish the SOCKS5 handshake (it may be waiting "
	   "on its own connection to the mail host, or not speak SOCKS5 at "
	   "all).",
	   "Check that the --proxy address is a SOCKS5 proxy and that it "
	   "answers (curl --socks5 ADDR:PORT to a known host); raise "
	   "--timeout if it is merely slow."),
	LE(LE_PROXY_CLOSED, "proxy_closed", CAT_PROXY,
	   "The SOCKS5 proxy closed (or reset) the connection in the middle "
	   "of the handshake, before the tunnel to the mail host was open.",
	   "Look at the proxy's log for why it dropped this client; check "
	   "that the --proxy port is the SOCKS5 one."),
	LE(LE_PROXY_GARBAGE, "proxy_garbage", CAT_PROXY,
	   "What answered at the --proxy address does not speak SOCKS5: its "
	   "reply had the wrong version byte (perhaps an HTTP proxy, SOCKS4, "
	   "or another service on that port).",
	   "Point --proxy at the SOCKS5 port of the proxy."),
	LE(LE_PROXY_NO_METHOD, "proxy_no_acceptable_method", CAT_PROXY,
	   "The SOCKS5 proxy accepts none of the authentication methods "
	   "offered (RFC 1928 reply 0xFF): without USER@ in --proxy only "
	   "\"no authentication\" is offered, with it only username/password "
	   "(RFC 1929).",
	   "Add USER@ to the --proxy URL if the proxy wants a login, or "
	   "remove it if the proxy wants none; a proxy that wants GSSAPI "
	   "cannot be used."),
	LE(LE_PROXY_METHOD_UNSUPPORTED, "proxy_method_unsupported", CAT_PROXY,
	   "The SOCKS5 proxy chose an authentication method that was not "
	   "offered, which RFC 1928 does not allow: the proxy is broken or "
	   "not a SOCKS5 proxy.",
	   "Use another proxy, or report the fault to whoever runs it."),
	LE(LE_PROXY_AUTH_FAILED, "proxy_auth_failed", CAT_PROXY,
	   "The SOCKS5 proxy refused the user name and password (RFC 1929 "
	   "status not 0). This is about the proxy login, not the mail "
	   "host.",
	   "Check the USER in --proxy and the password in "
	   "SMTPPROBE_PROXY_PASSWORD (or the one typed at the prompt)."),
	LE(LE_PROXY_BAD_ADDRESS_TYPE, "proxy_bad_address_type", CAT_PROXY,
	   "The SOCKS5 proxy's CONNECT reply carried an address of an "
	   "unknown type (RFC 1928 6): the reply cannot be read, so the "
	   "tunnel is not used.",
	   "Use another proxy, or report the fault to whoever runs it."),
	LE(LE_PROXY_GENERAL_FAILURE, "proxy_general_failure", CAT_PROXY,
	   "The SOCKS5 proxy answered CONNECT with \"general SOCKS server "
	   "failure\" (REP 0x01): it failed for a reason of its own, not "
	   "named.",
	   "Look at the proxy's log; retry later."),
	LE(LE_PROXY_FORBIDDEN, "proxy_forbidden", CAT_PROXY,
	   "The SOCKS5 proxy's rules do not allow this connection (REP "
	   "0x02, \"connection not allowed by ruleset\"): the proxy, not "
	   "the mail host, refused, typically because outbound port 25 or "
	   "this destination is not allowed for this client or user.",
	   "Ask whoever runs the proxy to allow this client (or user) to "
	   "reach the mail host's address and port."),
	LE(LE_PROXY_NET_UNREACHABLE, "proxy_network_unreachable", CAT_NETWORK,
	   "The SOCKS5 proxy has no route to the mail host's network (REP "
	   "0x03): the proxy's side cannot reach it, usually an IPv6 "
	   "address tried through a proxy without IPv6.",
	   "Probe with -4 (or -6) to use the family the proxy has, or use a "
	   "proxy with a route to the mail host."),
	LE(LE_PROXY_HOST_UNREACHABLE, "proxy_host_unreachable", CAT_NETWORK,
	   "The SOCKS5 proxy could not reach the mail host (REP 0x04, "
	   "\"host unreachable\"): its connection to the address timed out "
	   "or had no route. From the proxy's network the host is down or "
	   "filtered.",
	   "Compare with a probe without --proxy or through another proxy: "
	   "if only the proxy cannot reach it, its network (port 25 "
	   "blocked?) is the cause."),
	LE(LE_PROXY_TARGET_REFUSED, "proxy_connection_refused", CAT_NETWORK,
	   "The mail host refused the proxy's connection (REP 0x05, "
	   "\"connection refused\"): the proxy reached the host, and nothing "
	   "listens on that port there, or the host rejects the proxy's "
	   "address.",
	   "Check that the mail service listens on that address and port, "
	   "and whether the host's firewall rejects the proxy's address."),
	LE(LE_PROXY_TTL_EXPIRED, "proxy_ttl_expired", CAT_NETWORK,
	   "The SOCKS5 proxy reports that its connection to the mail host "
	   "expired on the way (REP 0x06, \"TTL expired\"): a routing loop or "
	   "a path too long from the proxy's network.",
	   "Retry later or through another proxy; the proxy's network must "
	   "fix the routing."),
	LE(LE_PROXY_COMMAND_UNSUPPORTED, "proxy_command_unsupported",
	   CAT_PROXY,
	   "The SOCKS5 proxy does not support CONNECT (REP 0x07, \"command "
	   "not supported\"), the one command the probe needs.",
	   "Use a proxy that allows CONNECT."),
	LE(LE_PROXY_ATYP_UNSUPPORTED, "proxy_address_type_unsupported",
	   CAT_PROXY,
	   "The SOCKS5 proxy does not take this kind of address (REP 0x08, "
	   "\"address type not supported\"): usually a proxy without IPv6 "
	   "given an IPv6 address. The probe never hands the proxy a name.",
	   "Probe with -4 (or -6) to give the proxy the family it takes."),
	LE(LE_PROXY_UNASSIGNED_REPLY, "proxy_unassigned_reply", CAT_PROXY,
	   "The SOCKS5 proxy answered CONNECT with a reply code RFC 1928 does "
	   "not assign (0x09 to 0xFF): the tunnel was not opened.",
	   "Look at the proxy's documentation or log for the code."),
};

/* clang-format on */

const struct local_error_info *codes_local(enum local_error e)
{
	if (e <= LE_NONE || e >= LE__COUNT || !local_errors[e].name)
		return NULL;
	return &local_errors[e];
}

const char *codes_local_name(enum local_error e)
{
	const struct local_error_info *li = codes_local(e);

	return li && li->name ? li->name : "local_error";
}
