#!/bin/bash
# Bring up the smtpprobe lab (needs root): a network namespace with its own
# loopback, knot (authoritative for ".", lab.test and the other test
# zones, DNSSEC-signed), two unbound instances in front of knot (one
# validating, one not), Dovecot (SASL only), one Postfix instance serving
# several test hosts on 127.0.x.y aliases and ::1, nginx serving the
# MTA-STS policies, Exim, danted (a SOCKS5 proxy), and nftables rules that DROP one host and REJECT
# another with a TCP reset. Every daemon runs with its own
# configuration under $SMTPPROBE_LAB_DIR (default /run/smtpprobe-lab); every
# PID it starts is recorded in $SMTPPROBE_LAB_DIR/pids and stopped by
# lab-down.sh. Idempotent: a lab that is already up is left as it is; a
# half-built one is taken down and built again.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lab-env.sh
. "$here/lab-env.sh"

lab_require_root "lab-up.sh: needs root (network namespaces, nftables, daemons)"

missing=""
for tool in ip nft openssl knotd keymgr unbound dovecot postfix postconf nginx danted python3; do
	command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] ||
		missing="$missing $tool"
done
if [ -n "$missing" ]; then
	echo "lab-up.sh: missing:$missing" >&2
	echo "  install: apt-get install postfix dovecot-core knot unbound nginx-light dante-server nftables openssl iproute2 python3" >&2
	exit 1
fi
if ! [ -x "$LAB_EXIM_BIN" ] || ! id Debian-exim >/dev/null 2>&1; then
	echo "lab-up.sh: no Exim at $LAB_EXIM_BIN (or no Debian-exim user): run scripts/install-deps.sh" >&2
	exit 1
fi
export PATH="$PATH:/usr/sbin:/sbin"

# ---------------------------------------------------------------- health
lab_healthy() {
	[ -f "$LAB_DIR/up" ] || return 1
	lab_ns_exists || return 1
	local f
	for f in "$LAB_DIR"/pids/*.pid; do
		[ -f "$f" ] || return 1
		lab_pid_ours "$(cat "$f")" || return 1
	done
	return 0
}

if lab_healthy; then
	lab_log "already up (namespace $LAB_NS, state $LAB_DIR)"
	exit 0
fi
if [ -e "$LAB_DIR" ] || lab_ns_exists; then
	lab_log "found a partial lab; taking it down first"
	"$here/lab-down.sh"
fi

started_ok=0
cleanup_on_failure() {
	if [ "$started_ok" -ne 1 ]; then
		lab_log "bring-up failed; the logs follow, then the lab is taken down"
		for f in "$LAB_DIR"/log/*; do
			[ -s "$f" ] || continue
			echo "---- $f (last lines)" >&2
			tail -n 15 "$f" >&2
		done
		# Leave nothing running behind a failed bring-up.
		"$here/lab-down.sh" || true
	fi
}
trap cleanup_on_failure EXIT

umask 022
mkdir -p "$LAB_DIR"/{pids,log,pki,knot/db,unbound,dovecot,postfix,postfix-data}
chmod 755 "$LAB_DIR"

# ---------------------------------------------------------------- namespace
lab_log "namespace $LAB_NS"
ip netns add "$LAB_NS"
lab_exec ip link set lo up
for a in $LAB_ALIASES; do
	lab_exec ip addr add "$a/32" dev lo
done
# A connection to a loopback alias comes from that alias itself, so a
# server would see (and echo) its own address as the client's. For the
# hosts that judge the client, the client is 127.0.0.1 instead, as a real
# sender's address differs from its receiver's.
for a in $LAB_EVERYONE $LAB_LISTED $LAB_EXIM; do
	lab_exec ip route replace local "$a" dev lo table local proto kernel \
		scope host src 127.0.0.1
done
# And two clients whose reverse DNS is wrong: none, and a PTR to a name
# without an address.
lab_exec ip route replace local "$LAB_NOPTR" dev lo table local proto kernel \
	scope host src "$LAB_CLIENT_NOPTR"
lab_exec ip route replace local "$LAB_BADPTR" dev lo table local proto kernel \
	scope host src "$LAB_CLIENT_BADPTR"
# ip netns exec bind-mounts /etc/netns/NAME/* over /etc/*.
mkdir -p "/etc/netns/$LAB_NS"
cat >"/etc/netns/$LAB_NS/resolv.conf" <<EOF
# smtpprobe lab: unbound inside namespace $LAB_NS
nameserver $LAB_RESOLVER
options timeout:2 attempts:1
EOF

# ---------------------------------------------------------------- PKI
lab_log "CA and server certificate"
pki=$LAB_DIR/pki
sans="DNS:mx1.$LAB_ZONE,DNS:grey.$LAB_ZONE,DNS:deny.$LAB_ZONE,DNS:plain.$LAB_ZONE"
sans="$sans,DNS:drop.$LAB_ZONE,DNS:reset.$LAB_ZONE,DNS:backup.$LAB_ZONE"
sans="$sans,DNS:everyonehost.$LAB_ZONE,DNS:listedhost.$LAB_ZONE,DNS:catchallhost.$LAB_ZONE"
sans="$sans,DNS:noptrhost.$LAB_ZONE,DNS:badptrhost.$LAB_ZONE,DNS:eximhost.$LAB_ZONE"
sans="$sans,DNS:mx6.$LAB_ZONE,DNS:dualhost.$LAB_ZONE,DNS:slow.$LAB_ZONE"
sans="$sans,DNS:implicit.$LAB_ZONE,IP:127.0.1.1,IP:::1"
# The DANE and MTA-STS MX hosts (misnamed.lab.test stays out on purpose).
for h in $LAB_DANE_HOSTS; do
	sans="$sans,DNS:$h"
done
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$pki/ca.key" -out "$pki/ca.pem" -days 30 \
	-subj "/CN=smtpprobe lab CA" \
	-addext "basicConstraints=critical,CA:TRUE" \
	-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
# A certificate from the lab CA: STEM (files $pki/STEM.{key,crt}), its
# CN, and its SANs (openssl's subjectAltName syntax).
issue_cert() {
	local stem=$1 cn=$2 san=$3
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$pki/$stem.key" -out "$pki/$stem.csr" \
		-subj "/CN=$cn" 2>/dev/null
	printf '%s\n' 'basicConstraints=CA:FALSE' 'keyUsage=critical,digitalSignature' \
		'extendedKeyUsage=serverAuth' "subjectAltName=$san" >"$pki/$stem.ext"
	openssl x509 -req -in "$pki/$stem.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" \
		-CAcreateserial -days 30 -extfile "$pki/$stem.ext" \
		-out "$pki/$stem.crt" 2>/dev/null
}
issue_cert server "mx1.$LAB_ZONE" "$sans"
cat "$pki/server.crt" "$pki/ca.pem" >"$pki/server-chain.pem"
chmod 644 "$pki/ca.pem" "$pki/server.crt" "$pki/server-chain.pem"
chmod 600 "$pki/server.key" "$pki/ca.key"

# The MTA-STS web server: a certificate from the lab CA for every
# mta-sts.DOMAIN name served on $LAB_WEB, and a self-signed one for
# mta-sts.sts-badcert.lab.test on $LAB_WEB_BADCERT.
websans=""
for d in $LAB_STS_DOMAINS; do
	[ "$d" = "sts-badcert.$LAB_ZONE" ] && continue
	websans="$websans${websans:+,}DNS:mta-sts.$d"
done
issue_cert web "mta-sts.sts-ok.$LAB_ZONE" "$websans"
cat "$pki/web.crt" "$pki/ca.pem" >"$pki/web-chain.pem"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$pki/webself.key" -out "$pki/webself.crt" -days 30 \
	-subj "/CN=mta-sts.sts-badcert.$LAB_ZONE" \
	-addext "subjectAltName=DNS:mta-sts.sts-badcert.$LAB_ZONE" 2>/dev/null
chmod 644 "$pki/web.crt" "$pki/web-chain.pem" "$pki/webself.crt"
chmod 600 "$pki/web.key" "$pki/webself.key"

# TLSA data: SHA-256 of the server's SubjectPublicKeyInfo (x 1 1) and of
# the CA certificate (x 0 1); random digests for "wrong" and "rollover".
sha256_hex() { openssl dgst -sha256 -r | cut -d' ' -f1; }
tlsa_server=$(openssl x509 -in "$pki/server.crt" -noout -pubkey |
	openssl pkey -pubin -outform DER | sha256_hex)
tlsa_ca=$(openssl x509 -in "$pki/ca.pem" -outform DER | sha256_hex)
tlsa_wrong=$(openssl rand -hex 32)
tlsa_random1=$(openssl rand -hex 32)
tlsa_random2=$(openssl rand -hex 32)
printf 'server-spki %s\nca-cert %s\n' "$tlsa_server" "$tlsa_ca" >"$pki/tlsa-digests"

# Start a foreground daemon inside the namespace and record its PID.
# setsid and ip netns exec both exec, so $! is the daemon itself.
start_daemon() {
	local name=$1
	shift
	setsid ip netns exec "$LAB_NS" "$@" </dev/null >>"$LAB_DIR/log/$name.out" 2>&1 &
	echo $! >"$LAB_DIR/pids/$name.pid"
}

# Wait until CHECK succeeds (a command), at most ~10 s.
wait_for() {
	local what=$1
	shift
	local _ f
	for _ in $(seq 1 100); do
		if "$@" >/dev/null 2>&1; then
			return 0
		fi
		for f in "$LAB_DIR"/pids/*.pid; do
			[ -f "$f" ] || continue
			if ! [ -d "/proc/$(cat "$f")" ]; then
				lab_log "$(basename "$f" .pid) died while waiting for $what"
				return 1
			fi
		done
		sleep 0.1
	done
	lab_log "timed out waiting for $what"
	return 1
}

# TCP ports answering inside the namespace (one python for all of them:
# starting an interpreter per port would cost more than the daemons do).
ports_open() {
	lab_exec python3 - "$@" <<'PY'
import socket, sys, time
todo = list(sys.argv[1:])
end = time.monotonic() + 10
while todo and time.monotonic() < end:
    a = todo[0]
    host, port = a.rsplit(":", 1)
    try:
        socket.create_connection((host, int(port)), timeout=1).close()
        todo.pop(0)
    except OSError:
        time.sleep(0.05)
if todo:
    sys.exit("not answering: " + " ".join(todo))
PY
}

# A DNS answer inside the namespace.
dns_answers() {
	lab_exec python3 - "$1" "$2" <<'PY'
import socket, struct, sys
server, name = sys.argv[1], sys.argv[2]
q = struct.pack(">HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0)
for label in name.rstrip(".").split("."):
    q += bytes([len(label)]) + label.encode()
q += b"\0" + struct.pack(">HH", 15, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1)
s.sendto(q, (server, 53))
r = s.recv(4096)
rcode = r[3] & 15
ancount = struct.unpack(">H", r[6:8])[0]
sys.exit(0 if rcode == 0 and ancount > 0 else 1)
PY
}

# ---------------------------------------------------------------- MTA-STS data
# Policy files (served by nginx below) and the DNS records of every MTA-STS
# domain (appended to lab.test's zone by sts_zone_records).
www=$LAB_DIR/www
sts_policy() { # DOMAIN MODE MX [lf]: write DOMAIN's policy file
	local dir="$www/$1/.well-known" eol=$'\r\n'
	[ "${4:-}" = lf ] && eol=$'\n'
	mkdir -p "$dir"
	printf 'version: STSv1%smode: %s%smx: %s%smax_age: 86400%s' \
		"$eol" "$2" "$eol" "$3" "$eol" "$eol" >"$dir/mta-sts.txt"
}
sts_policy "sts-ok.$LAB_ZONE" enforce "mx1.$LAB_ZONE"
sts_policy "sts-notlisted.$LAB_ZONE" enforce "other.$LAB_ZONE"
sts_policy "sts-wild.$LAB_ZONE" enforce "*.$LAB_ZONE" lf
sts_policy "sts-testing.$LAB_ZONE" testing "other.$LAB_ZONE"
sts_policy "sts-ctype.$LAB_ZONE" enforce "mx1.$LAB_ZONE"
sts_policy "sts-badcert.$LAB_ZONE" enforce "mx1.$LAB_ZONE"
sts_policy "sts-badtxt.$LAB_ZONE" enforce "mx1.$LAB_ZONE"
sts_policy "sts-mxbadcert.$LAB_ZONE" enforce "misnamed.$LAB_ZONE"
sts_policy "sts-notls.$LAB_ZONE" enforce "plain.$LAB_ZONE"
sts_policy "sts-dane.$LAB_ZONE" enforce "dane-ee.$LAB_ZONE"
sts_policy "benchpol.$LAB_ZONE" enforce "slowdane.$LAB_ZONE"
mkdir -p "$www/sts-404.$LAB_ZONE" "$www/sts-redirect.$LAB_ZONE"
chmod -R a+rX "$www"

sts_zone_records() {
	local d name mx web id
	echo "; MTA-STS and TLS-RPT"
	for d in $LAB_STS_DOMAINS; do
		name=${d%".$LAB_ZONE"}
		case $name in
		sts-mxbadcert) mx=misnamed ;;
		sts-notls) mx=plain ;;
		sts-dane) mx=dane-ee ;;
		benchpol) mx=slowdane ;;
		*) mx=mx1 ;;
		esac
		case $name in
		sts-badcert) web=$LAB_WEB_BADCERT ;;
		sts-no443) web=$LAB_WEB_NONE ;;
		benchpol) web=$LAB_SLOW_WEB ;;
		*) web=$LAB_WEB ;;
		esac
		id="id=20261201T000000;"
		[ "$name" = sts-badtxt ] && id="id=not-valid!"
		echo "$name MX 10 $mx"
		echo "mta-sts.$name A $web"
		echo "_mta-sts.$name TXT \"v=STSv1; $id\""
	done
	echo '_smtp._tls.sts-ok TXT "v=TLSRPTv1; rua=mailto:tlsrpt@'"$LAB_ZONE"'"'
	echo '_smtp._tls.benchpol TXT "v=TLSRPTv1; rua=mailto:tlsrpt@'"$LAB_ZONE"'"'
	echo '_smtp._tls.sts-dane TXT "v=TLSRPTv1; rua=mailto:tlsrpt@'"$LAB_ZONE"'"'
	echo '_smtp._tls.sts-wild TXT "v=TLSRPTv1; rua=ftp://example.invalid/x"'
}

# ---------------------------------------------------------------- knot
# knot serves the root zone ".", lab.test, broken.test (configured, no zone
# file: SERVFAIL), insecure.test (unsigned, delegated without DS) and
# _25._tcp.dane-bogus-mx.lab.test (signed, but lab.test's DS for it does
# not match its key: bogus). ".", lab.test and the bogus child are signed by
# knot itself (dnssec-signing, a manual policy with one CSK each); the keys
# are made here with keymgr before knot starts, so the DS records of the
# parents and unbound's trust anchor are known when the zone files are
# written.
lab_log "knot (authoritative, DNSSEC-signed, $LAB_AUTH)"
kn=$LAB_DIR/knot
bogus_zone=_25._tcp.dane-bogus-mx.$LAB_ZONE
cat >"$kn/knot.conf" <<EOF
server:
    rundir: "$kn"
    listen: $LAB_AUTH@53
    background-workers: 1
    udp-workers: 1
    tcp-workers: 1
log:
  - target: "$LAB_DIR/log/knot.log"
    any: info
database:
    storage: "$kn/db"
policy:
  - id: lab
    algorithm: ecdsap256sha256
    single-type-signing: on
    manual: on
    nsec3: off
    dnskey-ttl: 3600
    zone-max-ttl: 3600
    rrsig-lifetime: 30d
    rrsig-refresh: 7d
template:
  - id: default
    storage: "$kn"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
  - id: signed
    storage: "$kn"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    dnssec-signing: on
    dnssec-policy: lab
zone:
  - domain: .
    file: "root.zone"
    template: signed
  - domain: $LAB_ZONE
    file: "$LAB_ZONE.zone"
    template: signed
  - domain: $bogus_zone
    file: "$bogus_zone.zone"
    template: signed
  - domain: insecure.test
    file: "insecure.test.zone"
  - domain: broken.test
    file: "broken.test.zone"
EOF
# One CSK (ECDSA P-256) per signed zone; DS records (SHA-256) from keymgr.
zone_ds() {
	keymgr -c "$kn/knot.conf" "$1" generate algorithm=ecdsap256sha256 ksk=yes zsk=yes >/dev/null
	keymgr -c "$kn/knot.conf" "$1" ds | awk '$5 == 2'
}
root_ds=$(zone_ds .)
lab_ds=$(zone_ds "$LAB_ZONE.")
bogus_ds=$(zone_ds "$bogus_zone.")
if [ -z "$root_ds" ] || [ -z "$lab_ds" ] || [ -z "$bogus_ds" ]; then
	lab_log "keymgr made no DS records"
	exit 1
fi
printf '%s\n' "$root_ds" >"$LAB_DIR/unbound/root.ds"
# The bogus child's DS keeps its key tag and algorithm but not its digest.
bogus_ds_wrong=$(printf '%s\n' "$bogus_ds" | awk -v d="$tlsa_random2" '{ $6 = d; print }')

cat >"$kn/root.zone" <<EOF
\$ORIGIN .
\$TTL 3600
@               SOA  ns.$LAB_ZONE. hostmaster.$LAB_ZONE. 1 3600 600 86400 3600
@               NS   ns.$LAB_ZONE.
$LAB_ZONE.        NS   ns.$LAB_ZONE.
ns.$LAB_ZONE.     A    $LAB_AUTH
$lab_ds
broken.test.    NS   ns.$LAB_ZONE.
insecure.test.  NS   ns.$LAB_ZONE.
EOF

cat >"$kn/insecure.test.zone" <<EOF
\$ORIGIN insecure.test.
\$TTL 3600
@            SOA  ns.$LAB_ZONE. hostmaster.$LAB_ZONE. 1 3600 600 86400 3600
@            NS   ns.$LAB_ZONE.
@            MX   10 mx
mx           A    $LAB_MX1
_25._tcp.mx  TLSA 3 1 1 $tlsa_server
EOF

cat >"$kn/$bogus_zone.zone" <<EOF
\$ORIGIN $bogus_zone.
\$TTL 3600
@            SOA  ns.$LAB_ZONE. hostmaster.$LAB_ZONE. 1 3600 600 86400 3600
@            NS   ns.$LAB_ZONE.
@            TLSA 3 1 1 $tlsa_server
EOF

cat >"$kn/$LAB_ZONE.zone" <<EOF
\$ORIGIN $LAB_ZONE.
\$TTL 3600
@            SOA  ns.$LAB_ZONE. hostmaster.$LAB_ZONE. 1 3600 600 86400 3600
@            NS   ns
ns           A    $LAB_AUTH
; the test hosts
mx1          A    $LAB_MX1
grey         A    $LAB_GREY
deny         A    $LAB_DENY
plain        A    $LAB_PLAIN
drop         A    $LAB_DROP
reset        A    $LAB_RESET
backup       A    $LAB_BACKUP
everyonehost A    $LAB_EVERYONE
listedhost   A    $LAB_LISTED
catchallhost A    $LAB_CATCHALL
deadhost     A    $LAB_DEAD
noptrhost    A    $LAB_NOPTR
badptrhost   A    $LAB_BADPTR
eximhost     A    $LAB_EXIM
sinkhost     A    $LAB_SINK
mx6          AAAA ::1
dualhost     A    $LAB_MX1
dualhost     AAAA ::1
slow         A    $LAB_SLOW
misnamed     A    $LAB_MX1
; the test domains
ok           MX   10 mx1
greylist     MX   10 grey
denied       MX   10 deny
notls        MX   10 plain
dropped      MX   10 drop
refused      MX   10 reset
fallback     MX   10 reset
fallback     MX   20 backup
three        MX   10 drop
three        MX   20 backup
three        MX   30 mx1
nullmx       MX   0 .
everyone     MX   10 everyonehost
listed       MX   10 listedhost
catchall     MX   10 catchallhost
dead         MX   10 deadhost
noptr        MX   10 noptrhost
badptr       MX   10 badptrhost
exim         MX   10 eximhost
sink         MX   10 sinkhost
; the lab's own block lists (RFC 5782 layout): bl lists the namespace's
; client address with two codes; refuse answers every query as Spamhaus
; does one that came through a public resolver
1.0.0.127.bl A    127.0.0.2
1.0.0.127.bl A    127.0.0.10
1.0.0.127.bl TXT  "listed in the smtpprobe lab block list"
*.refuse     A    127.255.255.254
implicit     A    $LAB_MX1
dangling     MX   10 ghost
halfdangling MX   10 ghost
halfdangling MX   20 mx1
v6           MX   10 mx6
dual         MX   10 dualhost
empty        TXT  "no mail here"
bench        MX   10 slow
mismatch     MX   10 misnamed
; DANE (TLSA records computed from the lab's certificates at bring-up)
dane-ok      MX   10 dane-ee
dane-ee      A    $LAB_MX1
_25._tcp.dane-ee TLSA 3 1 1 $tlsa_server
slowdane     A    $LAB_SLOW
_25._tcp.slowdane TLSA 3 1 1 $tlsa_server
dane-two     MX   10 dane-two-mx
dane-two-mx  A    $LAB_MX1
_25._tcp.dane-two-mx TLSA 3 1 1 $tlsa_server
_25._tcp.dane-two-mx TLSA 3 1 1 $tlsa_random1
dane-ta      MX   10 dane-ta-mx
dane-ta-mx   A    $LAB_MX1
_25._tcp.dane-ta-mx TLSA 2 0 1 $tlsa_ca
dane-bad     MX   10 dane-wrong
dane-wrong   A    $LAB_MX1
_25._tcp.dane-wrong TLSA 3 1 1 $tlsa_wrong
dane-notls   MX   10 dane-plain
dane-plain   A    $LAB_PLAIN
_25._tcp.dane-plain TLSA 3 1 1 $tlsa_server
dane-pkix    MX   10 dane-pkix-mx
dane-pkix-mx A    $LAB_MX1
_25._tcp.dane-pkix-mx TLSA 1 1 1 $tlsa_server
_25._tcp.dane-pkix-mx TLSA 0 0 1 $tlsa_ca
dane-fallback MX  10 dane-wrong
dane-fallback MX  20 dane-ee
dane-cname   MX   10 dane-alias
dane-alias   CNAME dane-ee
dane-bogus   MX   10 dane-bogus-mx
dane-bogus-mx A   $LAB_MX1
; _25._tcp.dane-bogus-mx is a signed zone of its own whose DS here is wrong
_25._tcp.dane-bogus-mx NS ns
$bogus_ds_wrong
EOF
sts_zone_records >>"$kn/$LAB_ZONE.zone"
start_daemon knot knotd -c "$LAB_DIR/knot/knot.conf"
wait_for "knot" dns_answers "$LAB_AUTH" "ok.$LAB_ZONE"

# ---------------------------------------------------------------- unbound
# Two instances with the same stubs to knot: the namespace's resolver
# validates from the root key (AD on secure answers, SERVFAIL on bogus);
# the second one only iterates (AD never set).
unbound_conf() { # NAME MODULES INTERFACE...
	local name=$1 modules=$2 a
	shift 2
	cat <<EOF
server:
    username: ""
    chroot: ""
    directory: "$LAB_DIR/$name"
    pidfile: ""
    use-syslog: no
    logfile: "$LAB_DIR/log/$name.log"
    verbosity: 1
    num-threads: 1
    so-reuseport: no
EOF
	for a in "$@"; do
		echo "    interface: $a"
	done
	cat <<EOF
    port: 53
    access-control: 127.0.0.0/8 allow
    access-control: ::1/128 allow
    do-not-query-localhost: no
    module-config: "$modules"
EOF
	if [ "$modules" != iterator ]; then
		cat <<EOF
    # The root key knot signs with (its DS, written at bring-up).
    trust-anchor-file: "$LAB_DIR/unbound/root.ds"
    val-log-level: 2
    # Extended DNS Errors (RFC 8914): a SERVFAIL for a signature that
    # does not validate says so (EDE 6, DNSSEC Bogus).
    ede: yes
    # A bogus answer is not kept longer than a SERVFAIL scenario needs.
    val-bogus-ttl: 5
EOF
	fi
	cat <<EOF
    # .test is an RFC 6761 name unbound answers itself by default.
    local-zone: "test." nodefault
    # 127.in-addr.arpa is unbound's own (1.0.0.127 is localhost): the
    # lab's client with a PTR that does not resolve back. 127.0.0.7 has
    # none.
    local-data-ptr: "$LAB_CLIENT_BADPTR ghost.$LAB_ZONE"
    qname-minimisation: no
    # A failing answer is not kept: every SERVFAIL scenario asks again.
    infra-keep-probing: yes
    infra-host-ttl: 5
    serve-expired: no
# Everything goes to knot; there is nothing outside: a name knot is not
# authoritative for ends in its root zone's NXDOMAIN.
stub-zone:
    name: "."
    stub-addr: $LAB_AUTH
stub-zone:
    name: "$LAB_ZONE."
    stub-addr: $LAB_AUTH
stub-zone:
    name: "broken.test."
    stub-addr: $LAB_AUTH
stub-zone:
    name: "insecure.test."
    stub-addr: $LAB_AUTH
remote-control:
    control-enable: no
EOF
}
lab_log "unbound (validating, $LAB_RESOLVER and ::1; iterator only, $LAB_RESOLVER_NOVAL)"
mkdir -p "$LAB_DIR/unbound-noval"
unbound_conf unbound "validator iterator" "$LAB_RESOLVER" ::1 "$LAB_SLOW_DNS" \
	>"$LAB_DIR/unbound/unbound.conf"
unbound_conf unbound-noval iterator "$LAB_RESOLVER_NOVAL" >"$LAB_DIR/unbound-noval/unbound.conf"
unbound-checkconf "$LAB_DIR/unbound/unbound.conf" >/dev/null
unbound-checkconf "$LAB_DIR/unbound-noval/unbound.conf" >/dev/null
start_daemon unbound unbound -d -c "$LAB_DIR/unbound/unbound.conf"
start_daemon unbound-noval unbound -d -c "$LAB_DIR/unbound-noval/unbound.conf"
wait_for "unbound" dns_answers "$LAB_RESOLVER" "ok.$LAB_ZONE"
wait_for "unbound-noval" dns_answers "$LAB_RESOLVER_NOVAL" "ok.$LAB_ZONE"

# ---------------------------------------------------------------- dovecot
lab_log "dovecot (SASL for Postfix)"
dv=$LAB_DIR/dovecot
printf '%s:{PLAIN}%s\n' "$LAB_AUTH_USER" "$LAB_AUTH_PASSWORD" >"$dv/users"
chown root:dovecot "$dv/users"
chmod 640 "$dv/users"
cat >"$dv/dovecot.conf" <<EOF
# SASL only: no IMAP/POP3/LMTP listeners.
protocols =
base_dir = $dv/run
state_dir = $dv/state
log_path = $LAB_DIR/log/dovecot.log
info_log_path = $LAB_DIR/log/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
auth_verbose = yes
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%n $dv/users
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=/nonexistent
}
service auth {
  unix_listener $dv/auth-postfix {
    mode = 0660
    user = postfix
    group = postfix
  }
}
# No auth penalty: Dovecot would delay every AUTH from an address after a
# failure (the wrong-password scenario), by up to 15 s. The auth process
# runs as dovecot and cannot open this socket, so the penalty is disabled.
service anvil {
  chroot =
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
EOF
mkdir -p "$dv/run" "$dv/state"
start_daemon dovecot dovecot -F -c "$dv/dovecot.conf"
wait_for "dovecot" test -S "$dv/auth-postfix"

# ---------------------------------------------------------------- postfix
lab_log "postfix (test hosts on 127.0.1.x, 127.0.2.x and ::1)"
pf=$LAB_DIR/postfix
q=$LAB_DIR/postfix-queue
cat >"$pf/main.cf" <<EOF
# smtpprobe lab: a Postfix instance of its own; never touches /etc/postfix.
compatibility_level = 3.6
queue_directory = $q
data_directory = $LAB_DIR/postfix-data
mail_owner = postfix
setgid_group = postdrop
myhostname = mx1.$LAB_ZONE
mydomain = $LAB_ZONE
myorigin = \$myhostname
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
relayhost =
inet_interfaces = all
inet_protocols = all
mynetworks = 127.0.0.0/8 [::1]/128
smtpd_banner = \$myhostname ESMTP smtpprobe lab
biff = no
# Logging without syslog: postlogd writes this file.
maillog_file = $LAB_DIR/log/postfix.log
maillog_file_prefixes = $LAB_DIR
# Every lab domain is a virtual mailbox domain; only alice and postmaster exist.
virtual_mailbox_domains = regexp:$pf/domains
virtual_mailbox_maps = regexp:$pf/mailboxes
virtual_transport = discard
# TLS (STARTTLS offered everywhere unless a service says otherwise)
smtpd_tls_chain_files = $LAB_DIR/pki/server.key, $LAB_DIR/pki/server-chain.pem
smtpd_tls_security_level = may
smtpd_tls_loglevel = 1
# SASL through Dovecot (enabled on 465 and 587 only)
smtpd_sasl_type = dovecot
smtpd_sasl_path = $LAB_DIR/dovecot/auth-postfix
smtpd_sasl_auth_enable = no
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
# No penalty sleeps: the tests make many failing sessions on purpose.
smtpd_error_sleep_time = 0
# Nor flow-control pauses: every probe opens a transaction and abandons it,
# so no delivery ever hands the cleanup service its tokens back, and after
# a few hundred runs each MAIL FROM would wait in_flow_delay (1 s).
in_flow_delay = 0s
smtpd_soft_error_limit = 100
smtpd_hard_error_limit = 200
smtpd_client_connection_count_limit = 0
smtpd_client_connection_rate_limit = 0
# Restriction lists used by master.cf services.
lab_grey_recipient = check_recipient_access regexp:$pf/greylist
lab_submission_recipient = permit_sasl_authenticated, reject
lab_listed_client = reject_rbl_client bl.$LAB_ZONE
EOF
cat >"$pf/mailboxes" <<EOF
/^(alice|postmaster)@/ ok
EOF
cat >"$pf/domains" <<EOF
/(^|\.)lab\.test\$/ ok
/(^|\.)insecure\.test\$/ ok
EOF
cat >"$pf/catchall" <<EOF
/./ ok
EOF
cat >"$pf/greylist" <<EOF
/./ 450 4.2.0 Greylisted, try again later
EOF
cat >"$pf/master.cf" <<EOF
# service              type  private unpriv chroot wakeup maxproc command
$LAB_MX1:smtp          inet  n       -       n       -       -       smtpd
$LAB_MX1:smtps         inet  n       -       n       -       -       smtpd
  -o smtpd_tls_wrappermode=yes
$LAB_MX1:submission    inet  n       -       n       -       -       smtpd
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_tls_auth_only=yes
  -o smtpd_recipient_restrictions=\$lab_submission_recipient
[::1]:smtp             inet  n       -       n       -       -       smtpd
  -o myhostname=mx6.$LAB_ZONE
$LAB_GREY:smtp         inet  n       -       n       -       -       smtpd
  -o myhostname=grey.$LAB_ZONE
  -o smtpd_recipient_restrictions=\$lab_grey_recipient
$LAB_DENY:smtp         inet  n       -       n       -       -       smtpd
  -o myhostname=deny.$LAB_ZONE
  -o smtpd_delay_reject=no
  -o smtpd_client_restrictions=reject
$LAB_PLAIN:smtp        inet  n       -       n       -       -       smtpd
  -o myhostname=plain.$LAB_ZONE
  -o smtpd_tls_security_level=none
$LAB_DROP:smtp         inet  n       -       n       -       -       smtpd
  -o myhostname=drop.$LAB_ZONE
$LAB_DROP:submission   inet  n       -       n       -       -       smtpd
  -o myhostname=drop.$LAB_ZONE
$LAB_RESET:smtp        inet  n       -       n       -       -       smtpd
  -o myhostname=reset.$LAB_ZONE
$LAB_BACKUP:smtp       inet  n       -       n       -       -       smtpd
  -o myhostname=backup.$LAB_ZONE
$LAB_EVERYONE:smtp     inet  n       -       n       -       -       smtpd
  -o myhostname=everyone.$LAB_ZONE
  -o smtpd_client_restrictions=reject
$LAB_LISTED:smtp       inet  n       -       n       -       -       smtpd
  -o myhostname=listed.$LAB_ZONE
  -o smtpd_client_restrictions=\$lab_listed_client
$LAB_CATCHALL:smtp     inet  n       -       n       -       -       smtpd
  -o myhostname=catchall.$LAB_ZONE
  -o virtual_mailbox_maps=regexp:$pf/catchall
$LAB_NOPTR:smtp        inet  n       -       n       -       -       smtpd
  -o myhostname=noptr.$LAB_ZONE
  -o smtpd_client_restrictions=reject
$LAB_BADPTR:smtp       inet  n       -       n       -       -       smtpd
  -o myhostname=badptr.$LAB_ZONE
  -o smtpd_client_restrictions=reject
$LAB_SLOW:smtp         inet  n       -       n       -       -       smtpd
  -o myhostname=slow.$LAB_ZONE
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
proxymap  unix  -       -       n       -       -       proxymap
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
mkdir -p "$q"
chown postfix:postfix "$LAB_DIR/postfix-data"
touch "$LAB_DIR/log/postfix.log"
lab_exec postfix -c "$pf" start >>"$LAB_DIR/log/postfix.out" 2>&1
wait_for "postfix master" test -s "$q/pid/master.pid"
tr -d ' \n' <"$q/pid/master.pid" >"$LAB_DIR/pids/postfix.pid"
if ! ports_open $LAB_MX1:25 $LAB_MX1:465 $LAB_MX1:587 ::1:25 $LAB_GREY:25 \
	$LAB_DENY:25 $LAB_PLAIN:25 $LAB_DROP:25 $LAB_RESET:25 $LAB_BACKUP:25 $LAB_SLOW:25 \
	$LAB_EVERYONE:25 $LAB_LISTED:25 $LAB_CATCHALL:25 $LAB_DROP:587 \
	$LAB_NOPTR:25 $LAB_BADPTR:25; then
	lab_log "postfix is not listening on every test host"
	exit 1
fi

# ---------------------------------------------------------------- nginx
# The MTA-STS policy host: one server block per mta-sts.DOMAIN name on
# $LAB_WEB:443 (lab-CA certificate), the self-signed one on
# $LAB_WEB_BADCERT:443; nothing on $LAB_WEB_NONE. A foreground master
# (daemon off) whose PID is recorded like every other daemon's.
lab_log "nginx (MTA-STS policies, $LAB_WEB and $LAB_WEB_BADCERT port 443)"
ng=$LAB_DIR/nginx
mkdir -p "$ng/tmp"
{
	cat <<EOF
daemon off;
master_process on;
worker_processes 1;
pid $ng/nginx.pid;
error_log $LAB_DIR/log/nginx-error.log info;
events { worker_connections 64; }
http {
    access_log $LAB_DIR/log/nginx-access.log;
    client_body_temp_path $ng/tmp/body;
    proxy_temp_path $ng/tmp/proxy;
    fastcgi_temp_path $ng/tmp/fastcgi;
    uwsgi_temp_path $ng/tmp/uwsgi;
    scgi_temp_path $ng/tmp/scgi;
    server_tokens off;
    types { }
    default_type text/plain;
    ssl_protocols TLSv1.2 TLSv1.3;
    # An unknown name on $LAB_WEB: no handshake.
    server {
        listen $LAB_WEB:443 ssl default_server;
        ssl_reject_handshake on;
    }
    server {
        listen $LAB_WEB_BADCERT:443 ssl default_server;
        server_name mta-sts.sts-badcert.$LAB_ZONE;
        ssl_certificate $LAB_DIR/pki/webself.crt;
        ssl_certificate_key $LAB_DIR/pki/webself.key;
        root $www/sts-badcert.$LAB_ZONE;
    }
EOF
	for d in $LAB_STS_DOMAINS; do
		case $d in sts-badcert.* | sts-no443.*) continue ;; esac
		listen=$LAB_WEB
		[ "$d" = "benchpol.$LAB_ZONE" ] && listen=$LAB_SLOW_WEB
		cat <<EOF
    server {
        listen $listen:443 ssl;
        server_name mta-sts.$d;
        ssl_certificate $LAB_DIR/pki/web-chain.pem;
        ssl_certificate_key $LAB_DIR/pki/web.key;
        root $www/$d;
EOF
		case $d in
		sts-redirect.*)
			echo "        location = /.well-known/mta-sts.txt { return 301 https://mta-sts.sts-ok.$LAB_ZONE/.well-known/mta-sts.txt; }"
			;;
		sts-ctype.*)
			echo "        location = /.well-known/mta-sts.txt { default_type text/html; }"
			;;
		esac
		echo "    }"
	done
	echo "}"
} >"$ng/nginx.conf"
nginx -t -q -e "$LAB_DIR/log/nginx-error.log" -p "$ng" -c "$ng/nginx.conf"
start_daemon nginx nginx -e "$LAB_DIR/log/nginx-error.log" -p "$ng" -c "$ng/nginx.conf"
if ! ports_open $LAB_WEB:443 $LAB_WEB_BADCERT:443 $LAB_SLOW_WEB:443; then
	lab_log "nginx is not listening on $LAB_WEB:443 and $LAB_WEB_BADCERT:443"
	exit 1
fi

# ---------------------------------------------------------------- exim
lab_log "exim (echoes the client address, $LAB_EXIM:25)"
ex=$LAB_DIR/exim
mkdir -p "$ex/spool" "$ex/log"
# Exim reads its key after giving up root: a copy of its own.
cp "$LAB_DIR/pki/server.key" "$LAB_DIR/pki/server-chain.pem" "$ex/"
cat >"$ex/exim.conf" <<EOF
# smtpprobe lab: an Exim of its own (the unpacked Debian binary); it only
# answers, never delivers or queues.
keep_environment =
primary_hostname = exim.$LAB_ZONE
local_interfaces = $LAB_EXIM
daemon_smtp_ports = 25
spool_directory = $ex/spool
log_file_path = $ex/log/%slog
host_lookup =
rfc1413_hosts =
tls_advertise_hosts = *
tls_certificate = $ex/server-chain.pem
tls_privatekey = $ex/server.key
acl_smtp_rcpt = acl_check_rcpt
begin acl
acl_check_rcpt:
  accept recipients = alice@exim.$LAB_ZONE : postmaster@exim.$LAB_ZONE
  deny message = Unrouteable address
EOF
# The configuration stays root's (Exim refuses one anybody else owns); what
# the daemon writes or reads after giving up root is its user's.
chown -R Debian-exim "$ex/spool" "$ex/log" "$ex/server.key" "$ex/server-chain.pem"
chmod 644 "$ex/exim.conf"
# -bdf: the daemon in the foreground, so that its PID is the one recorded.
start_daemon exim "$LAB_EXIM_BIN" -C "$ex/exim.conf" -bdf
if ! ports_open $LAB_EXIM:25; then
	lab_log "exim is not listening on $LAB_EXIM:25 (see $ex/log/)"
	exit 1
fi

# ---------------------------------------------------------------- smtp-sink
lab_log "smtp-sink (accepts everything, $LAB_SINK:25)"
# -u postfix: it gives up root after opening its socket; -m: as many
# sessions at once as the bench's highest --concurrency; backlog 1024.
start_daemon sink smtp-sink -u postfix -h sink.$LAB_ZONE -m 1024 "$LAB_SINK:25" 1024
if ! ports_open $LAB_SINK:25; then
	lab_log "smtp-sink is not listening on $LAB_SINK:25"
	exit 1
fi

# ---------------------------------------------------------------- danted
lab_log "danted (SOCKS5 on $LAB_PROXY:$LAB_PROXY_PORT, connecting out from $LAB_PROXY_OUT)"
dn=$LAB_DIR/danted
mkdir -p "$dn"
cat >"$dn/danted.conf" <<EOF
# smtpprobe lab: a SOCKS5 proxy (RFC 1928) for smtpprobe --proxy, without
# authentication; it relays inside the lab's loopback only.
logoutput: $LAB_DIR/log/danted.log
internal: $LAB_PROXY port = $LAB_PROXY_PORT
external: $LAB_PROXY_OUT
clientmethod: none
socksmethod: none
user.privileged: root
user.unprivileged: nobody
client pass {
	from: 127.0.0.0/8 to: $LAB_PROXY/32
	log: error connect disconnect
}
# The ruleset refuses one destination: CONNECT gets REP 0x02.
socks block {
	from: 127.0.0.0/8 to: $LAB_DENY/32 port = 25
	command: connect
	log: error connect
}
socks pass {
	from: 127.0.0.0/8 to: 127.0.0.0/8
	command: connect
	log: error connect disconnect
}
EOF
# In the foreground (no -D): its PID is the one recorded.
start_daemon danted danted -f "$dn/danted.conf" -p "$dn/danted.pid"
if ! ports_open $LAB_PROXY:$LAB_PROXY_PORT; then
	lab_log "danted is not listening on $LAB_PROXY:$LAB_PROXY_PORT (see $LAB_DIR/log/danted*)"
	exit 1
fi

# ---------------------------------------------------------------- nftables
lab_log "nftables (DROP $LAB_DROP:25, all TCP to $LAB_DEAD and $LAB_DEADDNS:53, REJECT with tcp reset $LAB_RESET:25)"
cat >"$LAB_DIR/nftables.conf" <<EOF
table inet smtpprobe_lab {
	chain input {
		type filter hook input priority 0; policy accept;
		ip daddr $LAB_DROP tcp dport 25 counter drop
		ip daddr $LAB_DEAD meta l4proto tcp counter drop
		ip daddr $LAB_RESET tcp dport 25 counter reject with tcp reset
		ip daddr $LAB_DEADDNS udp dport 53 counter drop
		ip daddr $LAB_DEADDNS tcp dport 53 counter drop
	}
}
EOF
lab_exec nft -f "$LAB_DIR/nftables.conf"

date -u +%Y-%m-%dT%H:%M:%SZ >"$LAB_DIR/up"
started_ok=1
lab_log "up: namespace $LAB_NS, state $LAB_DIR, CA $LAB_DIR/pki/ca.pem"
