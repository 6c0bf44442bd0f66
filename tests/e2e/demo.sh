#!/bin/bash
# Demo (needs root): bring the lab up - real Postfix, Dovecot, knot, unbound
# and nftables inside the network namespace smtpprobe-lab, nothing reaching
# outside this machine - and show `smtpprobe -v` against it: one recipient
# accepted, one rejected. The lab stays up afterwards so you can try more;
# the script ends by saying how to take it down.
#
#   tests/e2e/demo.sh [path/to/smtpprobe]   (default: build/smtpprobe, built if missing)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lab-env.sh
. "$here/lab-env.sh"
export PATH="$PATH:/usr/sbin:/sbin"

if [ "$(id -u)" -ne 0 ]; then
	echo "demo.sh: needs root (it creates a network namespace and starts mail and DNS servers in it)" >&2
	exit 1
fi
bin=${1:-${SMTPPROBE_BIN:-$root/build/smtpprobe}}
case "$bin" in /*) ;; *) bin="$PWD/$bin" ;; esac
if [ ! -x "$bin" ]; then
	echo "== building smtpprobe"
	cmake -S "$root" -B "$root/build" >/dev/null
	cmake --build "$root/build" -j"$(nproc)" >/dev/null
	bin=$root/build/smtpprobe
fi

echo "== bringing the lab up (namespace $LAB_NS)"
"$here/lab-up.sh"

show() {
	echo
	echo "== \$ smtpprobe $*"
	echo
	set +e
	ip netns exec "$LAB_NS" "$bin" "$@"
	echo "(exit status $?)"
	set -e
}

ca=$LAB_DIR/pki/ca.pem
show -v --ca-file "$ca" "alice@ok.$LAB_ZONE"
show -v --ca-file "$ca" "nobody@ok.$LAB_ZONE"

cat <<EOF

== the lab is still up. Try more, e.g.:
  ip netns exec $LAB_NS $bin --ca-file $ca alice@fallback.$LAB_ZONE    # MX 10 refused, MX 20 accepts
  ip netns exec $LAB_NS $bin --ca-file $ca alice@greylist.$LAB_ZONE    # 450 4.2.0 greylisted
  ip netns exec $LAB_NS $bin --ca-file $ca -t 3 alice@dropped.$LAB_ZONE # a firewall drops port 25
  ip netns exec $LAB_NS $bin --ca-file $ca --json alice@denied.$LAB_ZONE
(the domains are in $LAB_DIR/knot/$LAB_ZONE.zone; Postfix logs to $LAB_DIR/log/postfix.log)

== take it down with:
  $here/lab-down.sh
EOF
