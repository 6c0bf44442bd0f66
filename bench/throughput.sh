#!/bin/bash
# The batch benchmark (needs root; numbers printed, not a test).
#
#   bench/throughput.sh [path/to/smtpprobe]   (default: $SMTPPROBE_BIN or build/smtpprobe)
#
# Runs --batch inside the e2e lab's namespace against Postfix's smtp-sink
# (sink.lab.test MX sinkhost, $LAB_SINK:25; brought up here with the lab if
# it is not up, and taken down again in that case), on loopback, and prints:
#   - throughput: targets per second and CPU time per target (user + system,
#     from /usr/bin/time -v) at --concurrency 1, 10 and 100 (--per-host the
#     same: the sink is one address), and at 100 with the default
#     --per-host 2 (row "100/2");
#   - memory: peak RSS for 1,000 and for 100,000 targets at --concurrency
#     100, and their ratio (the target: at most 1.25).
# Every document of every run is counted and its verdict checked (all
# accepted). Env: TP_TARGETS (targets per throughput run, default 20000),
# TP_LONG (the long list, default 100000), TP_FLAGS (extra smtpprobe
# options, e.g. "--no-control").
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
bench_init throughput.sh "${1:-}"
[ -x /usr/bin/time ] || { echo "throughput.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
targets=${TP_TARGETS:-20000}
long=${TP_LONG:-100000}
flags=${TP_FLAGS:-}

we_started_lab=0
if [ ! -f "$LAB_DIR/up" ]; then
	"$e2e/lab-up.sh"
	we_started_lab=1
fi
work=$(mktemp -d /tmp/smtpprobe-tp.XXXXXX)
cleanup() {
	rm -rf "$work"
	if [ "$we_started_lab" = 1 ]; then "$e2e/lab-down.sh" || true; fi
}
trap cleanup EXIT

make_list() { # N FILE: N distinct targets at the sink's domain
	/usr/bin/python3 -c '
import sys
n = int(sys.argv[1])
with open(sys.argv[2], "w") as f:
    for i in range(n):
        f.write("user%d@sink.%s\n" % (i, sys.argv[3]))
' "$1" "$2" "$LAB_ZONE"
}

# One batch run: prints "wall_s user_s sys_s maxrss_kb docs accepted".
run_batch() { # FILE CONCURRENCY [PER_HOST (default: CONCURRENCY)]
	local list=$1 c=$2 ph=${3:-$2}
	# shellcheck disable=SC2086
	ip netns exec "$LAB_NS" /usr/bin/time -v -o "$work/time.txt" \
		"$bin" --batch "$list" --concurrency "$c" --per-host "$ph" \
		--helo bench.lab.test --timeout 10 $flags >"$work/out.ndjson" 2>"$work/err.txt" || {
		echo "throughput.sh: smtpprobe failed (exit $?):" >&2
		tail -n 5 "$work/err.txt" >&2
		exit 1
	}
	/usr/bin/python3 - "$work/time.txt" "$work/out.ndjson" <<'PY'
import json, re, sys
t = open(sys.argv[1]).read()
def field(name):
    return re.search(re.escape(name) + r": (.*)", t).group(1).strip()
wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss)")
secs = 0.0
for part in wall.split(":"):
    secs = secs * 60 + float(part)
docs = acc = 0
with open(sys.argv[2]) as f:
    for line in f:
        d = json.loads(line)
        docs += 1
        acc += d["verdict"]["outcome"] == "accepted"
print(secs, field("User time (seconds)"), field("System time (seconds)"),
      field("Maximum resident set size (kbytes)"), docs, acc)
PY
}

make_list "$targets" "$work/list.txt"
echo "smtpprobe batch throughput: $targets targets at sink.$LAB_ZONE (smtp-sink on loopback, namespace $LAB_NS)"
printf '%-12s %10s %10s %12s %10s %10s\n' conc/perhost wall_s targets/s cpu_us/target rss_MB accepted
for row in 1 10 100 100/2; do
	c=${row%/*} ph=${row#*/}
	n=$targets
	if [ "$c" = 1 ]; then
		n=$((targets / 10)) # serial: a tenth is enough to measure
		head -n "$n" "$work/list.txt" >"$work/list1.txt"
		read -r wall user sys rss docs acc < <(run_batch "$work/list1.txt" "$c")
	else
		read -r wall user sys rss docs acc < <(run_batch "$work/list.txt" "$c" "$ph")
	fi
	[ "$docs" = "$n" ] || { echo "throughput.sh: $docs documents for $n targets" >&2; exit 1; }
	/usr/bin/python3 -c '
import sys
c, n, wall, user, sys_, rss, acc = sys.argv[1:]
n, wall, cpu = int(n), float(wall), float(user) + float(sys_)
print("%-12s %10.2f %10.0f %12.1f %10.1f %6s/%d" % (c, wall, n / wall, cpu / n * 1e6,
      int(rss) / 1024, acc, n))
' "$row" "$n" "$wall" "$user" "$sys" "$rss" "$acc"
done

echo
echo "memory against list length at --concurrency 100 (target: ratio <= 1.25)"
make_list 1000 "$work/short.txt"
make_list "$long" "$work/long.txt"
read -r _ _ _ rss_short docs_s _ < <(run_batch "$work/short.txt" 100)
read -r _ _ _ rss_long docs_l _ < <(run_batch "$work/long.txt" 100)
[ "$docs_s" = 1000 ] && [ "$docs_l" = "$long" ] ||
	{ echo "throughput.sh: document counts $docs_s / $docs_l" >&2; exit 1; }
/usr/bin/python3 -c '
import sys
a, b, n = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
print("peak RSS: 1000 targets %.1f MB, %s targets %.1f MB, ratio %.3f (%s)"
      % (a / 1024, n, b / 1024, b / a, "ok" if b / a <= 1.25 else "OVER the 1.25 target"))
' "$rss_short" "$rss_long" "$long"
