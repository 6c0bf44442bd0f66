#!/bin/bash
# Take the smtpprobe lab down (needs root): stop every daemon lab-up.sh
# started, by the PID it recorded (and only if that PID is still inside the
# lab's namespace), delete the namespace, /etc/netns/NAME and the state
# directory. Idempotent: taking down a lab that is not up does nothing.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lab-env.sh
. "$here/lab-env.sh"
export PATH="$PATH:/usr/sbin:/sbin"

lab_require_root "lab-down.sh: needs root"

# The benchmark's helpers record their PIDs here too; stop those first,
# then nginx and Postfix (their masters stop their children), Dovecot,
# both unbound instances, knot.
order="delay nginx postfix dovecot unbound-noval unbound knot"
pids=()
names=()
if [ -d "$LAB_DIR/pids" ]; then
	for f in "$LAB_DIR"/pids/*.pid; do
		[ -f "$f" ] || continue
		n=$(basename "$f" .pid)
		case " $order " in *" $n "*) ;; *) order="$n $order" ;; esac
	done
	for n in $order; do
		f="$LAB_DIR/pids/$n.pid"
		[ -f "$f" ] || continue
		pid=$(tr -dc '0-9' <"$f")
		if lab_pid_ours "$pid"; then
			# danted forks its workers into its own process group
			# (start_daemon's setsid), and an I/O worker with a session
			# in progress outlives its mother's TERM: the group's
			# members inside the namespace go too, each by its PID.
			members=""
			[ "$n" = danted ] && members=$(ps -o pid= -g "$pid" 2>/dev/null)
			kill -TERM "$pid" 2>/dev/null && pids+=("$pid") && names+=("$n")
			for m in $members; do
				[ "$m" != "$pid" ] && lab_pid_ours "$m" &&
					kill -TERM "$m" 2>/dev/null && pids+=("$m") && names+=("$n worker")
			done
		fi
		rm -f "$f"
	done
fi

# Wait up to 5 s for each to go, then KILL the stragglers (still by PID).
for i in "${!pids[@]}"; do
	pid=${pids[$i]}
	for _ in $(seq 1 50); do
		[ -d "/proc/$pid" ] || break
		sleep 0.1
	done
	if lab_pid_ours "$pid"; then
		lab_log "${names[$i]} ($pid) did not stop on TERM; sending KILL"
		kill -KILL "$pid" 2>/dev/null || true
	fi
done

if lab_ns_exists; then
	# Postfix's children leave with their master; wait briefly for them.
	for _ in $(seq 1 30); do
		[ -z "$(ip netns pids "$LAB_NS" 2>/dev/null)" ] && break
		sleep 0.1
	done
	left=$(ip netns pids "$LAB_NS" 2>/dev/null | tr '\n' ' ')
	if [ -n "$left" ]; then
		lab_log "processes still in namespace $LAB_NS (not started by the lab, left alone): $left"
	fi
	ip netns exec "$LAB_NS" nft delete table inet smtpprobe_lab 2>/dev/null || true
	ip netns del "$LAB_NS"
fi
rm -rf "/etc/netns/$LAB_NS"
rmdir /etc/netns 2>/dev/null || true
case "$LAB_DIR" in
/ | /run | /tmp | /var | /etc | "") lab_log "refusing to remove $LAB_DIR" ;;
*) rm -rf "$LAB_DIR" ;;
esac
lab_log "down"
exit 0
