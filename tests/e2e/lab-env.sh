# Shared settings of the smtpprobe lab; sourced by lab-up.sh, lab-down.sh,
# run.sh, demo.sh and bench/bench.sh. Everything the lab creates lives in
# the network namespace $LAB_NS and under the state directory $LAB_DIR.
# shellcheck shell=bash disable=SC2034

LAB_NS=${SMTPPROBE_LAB_NS:-smtpprobe-lab}
LAB_DIR=${SMTPPROBE_LAB_DIR:-/run/smtpprobe-lab}
LAB_ZONE=lab.test

# Test hosts: aliases on the namespace's own loopback (nothing else exists
# in the namespace, so no packet can leave it).
LAB_RESOLVER=127.0.0.53     # unbound, recursive (the namespace's resolv.conf)
LAB_AUTH=127.0.0.54         # knot, authoritative for lab.test and broken.test
LAB_DEADDNS=127.0.0.55      # a "resolver" behind nftables DROP (DNS timeout)
LAB_MX1=127.0.1.1           # Postfix: 25 STARTTLS, 465 implicit TLS, 587 TLS+AUTH
LAB_GREY=127.0.1.2          # Postfix: 450 4.2.0 greylisting at RCPT
LAB_DENY=127.0.1.3          # Postfix: 554 at connect
LAB_PLAIN=127.0.1.4         # Postfix: no STARTTLS
LAB_DROP=127.0.1.5          # Postfix behind nftables DROP on port 25
LAB_RESET=127.0.1.6         # Postfix behind nftables REJECT with tcp reset
LAB_BACKUP=127.0.1.7        # Postfix: a backup MX that accepts
LAB_SLOW=127.0.2.1          # Postfix for the benchmark (delayed path)
LAB_SLOW_DNS=127.0.2.53     # unbound for the benchmark (delayed path)

LAB_ALIASES="$LAB_RESOLVER $LAB_AUTH $LAB_DEADDNS $LAB_MX1 $LAB_GREY $LAB_DENY $LAB_PLAIN \
$LAB_DROP $LAB_RESET $LAB_BACKUP $LAB_SLOW $LAB_SLOW_DNS"

# The SASL test user on port 587 (a lab-only secret).
LAB_AUTH_USER=alice
LAB_AUTH_PASSWORD=${SMTPPROBE_LAB_PASSWORD:-lab-Secret-7f3c9e}

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
