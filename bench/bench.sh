#!/bin/bash
# The smtpprobe benchmark (needs root; numbers printed, not a test).
#
#   bench/bench.sh [path/to/smtpprobe]     (default: $SMTPPROBE_BIN or build/smtpprobe)
#
# Uses the e2e lab (tests/e2e/lab-up.sh; brought up here if it is not, and
# taken down again at the end in that case). The kernel here has no
# sch_netem, so the 25 ms each way is added in user space: an iptables
# NFQUEUE rule in the namespace's mangle PREROUTING chain hands every packet
# to or from 127.0.2.0/24 (the benchmark's Postfix and unbound addresses) to
# nfqdelay.py, which holds it 25 ms. (PREROUTING, not OUTPUT: a packet held
# before the loopback device still counts against the sender's TCP Small
# Queues budget and would stall the next segment of the same flight.)
# Env: BENCH_RUNS (default 11), BENCH_DELAY_MS (25), BENCH_TIMEOUT (5).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
bench_init bench.sh "${1:-}"
runs=${BENCH_RUNS:-11}
delay=${BENCH_DELAY_MS:-25}
timeout=${BENCH_TIMEOUT:-5}
queue=7

ipt=""
for c in iptables-nft iptables-legacy iptables; do
	if command -v "$c" >/dev/null 2>&1; then ipt=$c; break; fi
done
[ -n "$ipt" ] || { echo "bench.sh: needs iptables (apt-get install iptables)" >&2; exit 1; }
for c in swaks /usr/bin/time; do
	command -v "$c" >/dev/null 2>&1 ||
		echo "bench.sh: $c not installed; its part is skipped (apt-get install swaks time hyperfine)" >&2
done

we_started_lab=0
if [ ! -f "$LAB_DIR/up" ]; then
	"$e2e/lab-up.sh"
	we_started_lab=1
fi
"$e2e/lab-up.sh" >/dev/null 2>&1 # idempotent: repairs a half-dead lab

bdir=$LAB_DIR/bench
mkdir -p "$bdir"
: >"$bdir/packets.log"
echo "nameserver $LAB_SLOW_DNS" >"$bdir/resolv.conf"

rules=(
	"PREROUTING -d 127.0.2.0/24 -j NFQUEUE --queue-num $queue --queue-bypass"
	"PREROUTING -s 127.0.2.0/24 -j NFQUEUE --queue-num $queue --queue-bypass"
)

cleanup() {
	for r in "${rules[@]}"; do
		# shellcheck disable=SC2086
		ip netns exec "$LAB_NS" "$ipt" -t mangle -D $r 2>/dev/null || true
	done
	if [ -f "$LAB_DIR/pids/delay.pid" ]; then
		pid=$(cat "$LAB_DIR/pids/delay.pid")
		if lab_pid_ours "$pid"; then
			kill -TERM "$pid" 2>/dev/null || true
			for _ in $(seq 1 30); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
		fi
		rm -f "$LAB_DIR/pids/delay.pid"
	fi
	if [ "$we_started_lab" -eq 1 ]; then
		"$e2e/lab-down.sh" >/dev/null 2>&1 || true
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The delayer, recorded with the lab's PIDs so lab-down.sh stops it too.
rm -f "$bdir/ready"
setsid ip netns exec "$LAB_NS" python3 "$here/nfqdelay.py" --queue "$queue" \
	--delay-ms "$delay" --log "$bdir/packets.log" --ready "$bdir/ready" \
	</dev/null >>"$LAB_DIR/log/delay.out" 2>&1 &
echo $! >"$LAB_DIR/pids/delay.pid"
for _ in $(seq 1 50); do [ -f "$bdir/ready" ] && break; sleep 0.1; done
[ -f "$bdir/ready" ] || { echo "bench.sh: nfqdelay.py did not start:" >&2; cat "$LAB_DIR/log/delay.out" >&2; exit 1; }
for r in "${rules[@]}"; do
	# shellcheck disable=SC2086
	ip netns exec "$LAB_NS" "$ipt" -t mangle -A $r
done

# Both tools resolve through the delayed unbound: a private mount namespace
# puts the benchmark's resolv.conf over the namespace's.
ip netns exec "$LAB_NS" unshare -m sh -c '
	mount --bind "$1" /etc/resolv.conf && shift && exec python3 "$@"' sh \
	"$bdir/resolv.conf" "$here/bench.py" --binary "$bin" --ca "$LAB_DIR/pki/ca.pem" \
	--packets "$bdir/packets.log" --runs "$runs" --timeout "$timeout" --delay-ms "$delay"
