# Shared settings of the smtpprobe lab; sourced by lab-up.sh, lab-down.sh,
# run.sh, demo.sh and bench/bench.sh. Everything the lab creates lives in
# the network namespace $LAB_NS and under the state directory $LAB_DIR.
# shellcheck shell=bash disable=SC2034

LAB_NS=${SMTPPROBE_LAB_NS:-smtpprobe-lab}
LAB_DIR=${SMTPPROBE_LAB_DIR:-/run/smtpprobe-lab}
LAB_ZONE=lab.test
# The Exim binary (scripts/install-deps.sh unpacks it; not installed).
LAB_EXIM_BIN=${SMTPPROBE_LAB_EXIM:-/var/cache/smtpprobe/exim/usr/sbin/exim4}

# Test hosts: aliases on the namespace's own loopback (nothing else exists
# in the namespace, so no packet can leave it).
LAB_RESOLVER=127.0.0.53     # unbound, recursive and validating (the namespace's resolv.conf)
LAB_AUTH=127.0.0.54         # knot, authoritative for ".", lab.test, broken.test, insecure.test
LAB_DEADDNS=127.0.0.55      # a "resolver" behind nftables DROP (DNS timeout)
LAB_MX1=127.0.1.1           # Postfix: 25 STARTTLS, 465 implicit TLS, 587 TLS+AUTH
LAB_GREY=127.0.1.2          # Postfix: 450 4.2.0 greylisting at RCPT
LAB_DENY=127.0.1.3          # Postfix: 554 at connect
LAB_PLAIN=127.0.1.4         # Postfix: no STARTTLS
LAB_DROP=127.0.1.5          # Postfix behind nftables DROP on port 25; 587 answers
LAB_RESET=127.0.1.6         # Postfix behind nftables REJECT with tcp reset
LAB_BACKUP=127.0.1.7        # Postfix: a backup MX that accepts
LAB_EVERYONE=127.0.1.8      # Postfix: refuses this client at every RCPT (postmaster too)
LAB_LISTED=127.0.1.9        # Postfix: reject_rbl_client with the lab's own block list
LAB_CATCHALL=127.0.1.10     # Postfix: accepts any local part (a catch-all domain)
LAB_DEAD=127.0.1.11         # nothing: nftables DROPs every TCP segment to it
LAB_NOPTR=127.0.1.12        # Postfix as LAB_EVERYONE; its client is 127.0.0.7 (no PTR)
LAB_BADPTR=127.0.1.13       # Postfix as LAB_EVERYONE; its client is 127.0.0.8, whose PTR
                            # names ghost.lab.test (no address: no FCrDNS)
LAB_EXIM=127.0.1.14         # Exim: names the client in its EHLO reply ("Hello ... [ip]")
LAB_SINK=127.0.5.1          # Postfix's smtp-sink: accepts every recipient, as fast as it can
                            # (batch scenarios and the throughput bench, bench/throughput.sh)
LAB_CLIENT_NOPTR=127.0.0.7
LAB_CLIENT_BADPTR=127.0.0.8
LAB_SLOW=127.0.2.1          # Postfix for the benchmark (delayed path)
LAB_SLOW_DNS=127.0.2.53     # unbound for the benchmark (delayed path)
LAB_RESOLVER_NOVAL=127.0.0.56 # a second unbound: iterator only, never sets AD
LAB_WEB=127.0.3.1           # nginx: 443 with a lab-CA certificate for every mta-sts.* name
LAB_WEB_BADCERT=127.0.3.2   # nginx: 443 with a self-signed certificate
LAB_WEB_NONE=127.0.3.3      # nothing listens on 443 (connection refused)
LAB_SLOW_WEB=127.0.2.80     # nginx: the benchmark's MTA-STS policy host (delayed path)
LAB_PROXY=127.0.6.1         # danted: SOCKS5 on $LAB_PROXY_PORT, no authentication; its
                            # rules block CONNECT to $LAB_DENY:25 (REP 0x02)
LAB_PROXY_OUT=127.0.6.2     # danted's external address: the client the servers see through it
LAB_PROXY_PORT=1080

LAB_ALIASES="$LAB_RESOLVER $LAB_AUTH $LAB_DEADDNS $LAB_MX1 $LAB_GREY $LAB_DENY $LAB_PLAIN \
$LAB_DROP $LAB_RESET $LAB_BACKUP $LAB_EVERYONE $LAB_LISTED $LAB_CATCHALL $LAB_DEAD $LAB_NOPTR $LAB_BADPTR $LAB_EXIM \
$LAB_CLIENT_NOPTR $LAB_CLIENT_BADPTR $LAB_SLOW $LAB_SLOW_DNS $LAB_RESOLVER_NOVAL \
$LAB_WEB $LAB_WEB_BADCERT $LAB_WEB_NONE $LAB_SLOW_WEB $LAB_SINK $LAB_PROXY $LAB_PROXY_OUT"

# DNSSEC: knot signs ".", lab.test and _25._tcp.dane-bogus-mx.lab.test
# (one ECDSA P-256 key each, made at bring-up); the root's DS for lab.test
# matches, lab.test's DS for _25._tcp.dane-bogus-mx does not (bogus).
# unbound on $LAB_RESOLVER validates from the root key (trust anchor
# written at bring-up), so secure answers carry AD; $LAB_RESOLVER_NOVAL
# does not validate. broken.test: SERVFAIL (zone configured, not loaded).
# insecure.test: unsigned, delegated without DS (insecure):
#   insecure.test MX 10 mx.insecure.test; mx.insecure.test A 127.0.1.1;
#   _25._tcp.mx.insecure.test TLSA 3 1 1 <server SPKI> (DANE must not apply)
#
# DANE fixtures in lab.test (secure; TLSA records from the lab's
# certificates at bring-up: "server" = SHA-256 of the server key's SPKI,
# "CA" = SHA-256 of the CA certificate; $LAB_DIR/pki/tlsa-digests has both):
#   dane-ok       MX 10 dane-ee        dane-ee A 127.0.1.1, TLSA 3 1 1 server (one record: no rollover)
#   dane-two      MX 10 dane-two-mx    A 127.0.1.1, TLSA 3 1 1 server + 3 1 1 random (rollover)
#   dane-ta       MX 10 dane-ta-mx     A 127.0.1.1, TLSA 2 0 1 CA (Postfix sends the CA in its chain)
#   dane-bad      MX 10 dane-wrong     A 127.0.1.1, TLSA 3 1 1 random (mismatch)
#   dane-notls    MX 10 dane-plain     A 127.0.1.4 (no STARTTLS), TLSA 3 1 1 server
#   dane-pkix     MX 10 dane-pkix-mx   A 127.0.1.1, TLSA 1 1 1 server + 0 0 1 CA (unusable for SMTP)
#   dane-fallback MX 10 dane-wrong, MX 20 dane-ee (first fails DANE, second passes)
#   dane-cname    MX 10 dane-alias     dane-alias CNAME dane-ee (TLSA at the target's name)
#   dane-bogus    MX 10 dane-bogus-mx  A 127.0.1.1 (secure); _25._tcp.dane-bogus-mx TLSA bogus (SERVFAIL)
# Every one of these MX hosts (and mx.insecure.test) is in the server
# certificate's SANs.
LAB_DANE_HOSTS="dane-ee.$LAB_ZONE dane-two-mx.$LAB_ZONE dane-ta-mx.$LAB_ZONE dane-wrong.$LAB_ZONE \
dane-plain.$LAB_ZONE dane-pkix-mx.$LAB_ZONE dane-alias.$LAB_ZONE dane-bogus-mx.$LAB_ZONE mx.insecure.test \
slowdane.$LAB_ZONE"
LAB_DANE_DOMAINS="dane-ok.$LAB_ZONE dane-two.$LAB_ZONE dane-ta.$LAB_ZONE dane-bad.$LAB_ZONE \
dane-notls.$LAB_ZONE dane-pkix.$LAB_ZONE dane-fallback.$LAB_ZONE dane-cname.$LAB_ZONE \
dane-bogus.$LAB_ZONE insecure.test"

# MTA-STS fixtures (nginx on $LAB_WEB, policies at
# https://mta-sts.DOMAIN/.well-known/mta-sts.txt, version STSv1, max_age
# 86400, CRLF unless noted). Every DOMAIN has _mta-sts TXT
# "v=STSv1; id=20261201T000000;" and mta-sts.DOMAIN A $LAB_WEB unless noted:
#   sts-ok        MX 10 mx1        enforce, mx: mx1.lab.test; _smtp._tls TXT "v=TLSRPTv1; rua=mailto:tlsrpt@lab.test"
#   sts-notlisted MX 10 mx1        enforce, mx: other.lab.test; no TLS-RPT record
#   sts-wild      MX 10 mx1        enforce, mx: *.lab.test, LF line ends; _smtp._tls TXT malformed (rua=ftp://...)
#   sts-testing   MX 10 mx1        testing, mx: other.lab.test
#   sts-redirect  MX 10 mx1        301 to https://mta-sts.sts-ok.lab.test/.well-known/mta-sts.txt
#   sts-ctype     MX 10 mx1        a valid enforce policy served as text/html
#   sts-404       MX 10 mx1        404
#   sts-badcert   MX 10 mx1        mta-sts.sts-badcert A $LAB_WEB_BADCERT (self-signed; valid policy)
#   sts-no443     MX 10 mx1        mta-sts.sts-no443 A $LAB_WEB_NONE (nothing on 443)
#   sts-badtxt    MX 10 mx1        TXT "v=STSv1; id=not-valid!" (malformed id); valid policy
#   sts-mxbadcert MX 10 misnamed   enforce, mx: misnamed.lab.test (not in the certificate)
#   sts-notls     MX 10 plain      enforce, mx: plain.lab.test (no STARTTLS)
#   sts-dane      MX 10 dane-ee    enforce, mx: dane-ee.lab.test; TLS-RPT as sts-ok (DANE and MTA-STS)
# tests/e2e/reference.sh (with the lab up) writes $LAB_DIR/reference.json:
# what posttls-finger, curl and dig say about every fixture above.
LAB_STS_DOMAINS="sts-ok.$LAB_ZONE sts-notlisted.$LAB_ZONE sts-wild.$LAB_ZONE sts-testing.$LAB_ZONE \
sts-redirect.$LAB_ZONE sts-ctype.$LAB_ZONE sts-404.$LAB_ZONE sts-badcert.$LAB_ZONE \
sts-no443.$LAB_ZONE sts-badtxt.$LAB_ZONE sts-mxbadcert.$LAB_ZONE sts-notls.$LAB_ZONE \
sts-dane.$LAB_ZONE benchpol.$LAB_ZONE"
# benchpol (the benchmark's TLS-policy domain, bench/): MX 10 slowdane
# (A $LAB_SLOW, TLSA 3 1 1 of the server key), policy enforce, mx slowdane,
# mta-sts.benchpol A $LAB_SLOW_WEB: DANE and MTA-STS on the delayed path.

# The SASL test user on port 587 (a lab-only secret).
LAB_AUTH_USER=alice
LAB_AUTH_PASSWORD=${SMTPPROBE_LAB_PASSWORD:-lab-Secret-7f3c9e}

# Stop with MESSAGE (exit 1) unless running as root.
lab_require_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "$1" >&2
		exit 1
	fi
}

lab_log() { printf 'lab: %s\n' "$*" >&2; }

# Does the lab's namespace exist?
lab_ns_exists() { ip netns list 2>/dev/null | awk -v n="$LAB_NS" '$1 == n { f = 1 } END { exit !f }'; }

# Run a command inside the lab's namespace.
lab_exec() { ip netns exec "$LAB_NS" "$@"; }

# Is PID alive and inside our namespace? (Guards every kill against PID reuse.)
lab_pid_ours() {
	local pid=$1
	[ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
	[ "$(ip netns identify "$pid" 2>/dev/null)" = "$LAB_NS" ]
}
