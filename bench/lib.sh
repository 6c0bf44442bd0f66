# Shared start of the bench scripts (sourced): the lab's settings, root,
# and the binary to measure.
#   bench_init NAME [BINARY]   sets root, e2e and bin; NAME is for messages
# shellcheck shell=bash
bench_init() {
	local name=$1
	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	e2e=$root/tests/e2e
	# shellcheck source-path=SCRIPTDIR source=../tests/e2e/lab-env.sh
	. "$e2e/lab-env.sh"
	export PATH="$PATH:/usr/sbin:/sbin"
	if [ "$(id -u)" -ne 0 ]; then
		echo "$name: needs root (it uses the lab's network namespace)" >&2
		exit 1
	fi
	bin=${2:-${SMTPPROBE_BIN:-$root/build/smtpprobe}}
	case "$bin" in /*) ;; *) bin="$PWD/$bin" ;; esac
	[ -x "$bin" ] || { echo "$name: no binary at $bin" >&2; exit 1; }
}
