#!/bin/bash
# End-to-end tests (needs root): bring the lab up (unless it already is),
# run every scenario of scenarios.py against the real smtpprobe binary, and
# take the lab down again, whatever happens (trap).
#
#   tests/e2e/run.sh [path/to/smtpprobe]     (default: $SMTPPROBE_BIN or build/smtpprobe)
#
# Prints `ok NAME`, `FAIL NAME: why` or `skip NAME: why` per scenario and a
# final `e2e: N passed, M failed[, K skipped]` line (nothing after it); exits
# 0 only if every scenario passed.
# SMTPPROBE_LAB_KEEP=1 leaves the lab up afterwards (for debugging).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lab-env.sh
. "$here/lab-env.sh"
export PATH="$PATH:/usr/sbin:/sbin"

bin=${1:-${SMTPPROBE_BIN:-$root/build/smtpprobe}}
case "$bin" in /*) ;; *) bin="$PWD/$bin" ;; esac

fail_setup() {
	echo "FAIL e2e.setup: $*"
	echo "e2e: 0 passed, 1 failed"
	exit 1
}

[ "$(id -u)" -eq 0 ] || fail_setup "needs root (network namespace, nftables, daemons)"
[ -x "$bin" ] || fail_setup "no smtpprobe binary at $bin (build it, or pass its path)"

teardown() {
	if [ "${SMTPPROBE_LAB_KEEP:-0}" = 1 ]; then
		echo "# lab left up (SMTPPROBE_LAB_KEEP=1): $here/lab-down.sh takes it down"
	else
		"$here/lab-down.sh" >/dev/null 2>&1 || echo "# warning: lab-down.sh failed"
	fi
}
trap teardown EXIT
trap 'exit 130' INT TERM

start=$(date +%s)
echo "# e2e: $bin against the lab (namespace $LAB_NS, state $LAB_DIR)"
if ! "$here/lab-up.sh"; then
	fail_setup "lab-up.sh failed (see above)"
fi

echo "# lab up in $(($(date +%s) - start)) s"
# What the reference tools (posttls-finger, curl, dig) say of the TLS-policy
# fixtures: the DANE scenarios hold smtpprobe's results against it.
if ! "$here/reference.sh" >/dev/null; then
	fail_setup "reference.sh failed"
fi
/usr/bin/python3 "$here/scenarios.py" --binary "$bin" --ns "$LAB_NS" --lab-dir "$LAB_DIR" \
	--password "$LAB_AUTH_PASSWORD"
exit $?
