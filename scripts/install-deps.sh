#!/bin/sh
# Install what smtpprobe needs to build and test on Debian 12 (run as root).
# Idempotent: apt-get skips what is already there.
set -eu

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps.sh: run as root (it calls apt-get)" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
	build-essential cmake pkg-config \
	libc-ares-dev libssl-dev libjansson-dev libidn2-dev libcmocka-dev \
	libcurl4-openssl-dev \
	python3 python3-jsonschema openssl ca-certificates bind9-dnsutils util-linux \
	valgrind clang clang-format >/dev/null

# The end-to-end lab (tests/e2e) and the benchmark (bench/) run their own
# Postfix, Dovecot, knot, unbound, nginx and danted inside a network namespace
# (tests/e2e/reference.sh also uses curl and Postfix's posttls-finger). The
# packages' own system services must neither start nor touch this host's
# mail or DNS: Postfix gets no configuration, no service is started while
# installing (a policy-rc.d of our own, removed afterwards), and the ones
# this run installed are disabled.
lab_services=""
for p in postfix dovecot-core knot unbound nginx; do
	dpkg -s "$p" >/dev/null 2>&1 || lab_services="$lab_services ${p%-core}"
done
# dante-server: the lab's SOCKS5 proxy (smtpprobe --proxy); its service
# is danted.
dpkg -s dante-server >/dev/null 2>&1 || lab_services="$lab_services danted"
echo "postfix postfix/main_mailer_type select No configuration" |
	debconf-set-selections
own_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	own_policy=1
fi
rc=0
apt-get install -y -qq --no-install-recommends \
	postfix dovecot-core knot unbound nginx-light dante-server curl nftables iproute2 iptables \
	swaks libnet-ssleay-perl libio-socket-inet6-perl libnet-dns-perl \
	time hyperfine libidn12 libgnutls-dane0 libdb5.3 libnsl2 libpcre2-8-0 \
	>/dev/null || rc=$?
[ "$own_policy" -eq 0 ] || rm -f /usr/sbin/policy-rc.d
[ "$rc" -eq 0 ] || exit "$rc"
if [ -d /run/systemd/system ]; then
	for s in $lab_services; do
		systemctl disable --now "$s" >/dev/null 2>&1 || true
	done
fi
# Exim for the lab, beside Postfix: Debian's exim4 packages conflict with
# postfix (both are a mail-transport-agent), so the daemon package is only
# downloaded from the archive and unpacked under /var/cache, never
# installed; the lab runs that binary with a configuration of its own.
# It wants its compiled-in user to exist.
exim_root=/var/cache/smtpprobe/exim
if [ ! -x "$exim_root/usr/sbin/exim4" ]; then
	tmp=$(mktemp -d)
	# apt's download sandbox user must be able to write there.
	chown _apt "$tmp" 2>/dev/null || true
	(cd "$tmp" && apt-get download exim4-daemon-light >/dev/null)
	mkdir -p "$exim_root"
	dpkg-deb -x "$tmp"/exim4-daemon-light_*.deb "$exim_root"
	rm -rf "$tmp"
fi
id Debian-exim >/dev/null 2>&1 ||
	useradd --system --no-create-home --home-dir /nonexistent \
		--shell /usr/sbin/nologin Debian-exim
echo "install-deps.sh: build and test dependencies are installed"
