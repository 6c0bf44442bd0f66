#!/bin/bash
# run-fuzzers.sh - build every libFuzzer harness of tests/fuzz with clang
# (libFuzzer + ASan + UBSan), run each for SECONDS on its corpus, merge
# what it found back into tests/fuzz/corpus/<harness>/ (minimised), and
# print per harness: executions, exec/s, coverage, and any crash file.
#
#   tests/fuzz/run-fuzzers.sh [SECONDS] [HARNESS...]
#
# SECONDS defaults to 60; 0 only rebuilds and re-minimises the corpus.
# HARNESS defaults to all (fuzz_reply, ...).
# Environment:
#   FUZZ_BUILD   build directory (default: build-fuzz in the source tree)
#   FUZZ_JOBS    harnesses run at once (default 1)
#   FUZZ_MERGE   0 to leave the committed corpus untouched (default 1)
#   FUZZ_MAX_FILES  corpus size above which the merge keeps only inputs
#                that add coverage edges, not hit counts (default 200)
#   CC           clang to use (default clang-14, else clang)
#
# Fuzzing runs with -fork=1 -ignore_crashes=1, so one crash does not end a
# run and a crashing regression seed in the corpus does not stop it from
# starting. Crash, timeout and OOM inputs land in $FUZZ_BUILD/artifacts/.
# The corpus keeps every hand-made seed ("s-*") and regression input
# ("regress-*"); the fuzzer's own finds (named by SHA-1) are re-minimised
# with -merge=1 against them on every run, by edges alone when by features
# they would pass FUZZ_MAX_FILES. Exit status: 0 if no harness
# crashed, 1 if one did, 2 on a build failure.
set -euo pipefail

SECONDS_EACH=${1:-60}
shift || true
cd "$(dirname "$0")/../.."
SRC=$(pwd)
FUZZ_DIR=$SRC/tests/fuzz
BUILD=${FUZZ_BUILD:-$SRC/build-fuzz}
JOBS=${FUZZ_JOBS:-1}
MERGE=${FUZZ_MERGE:-1}
MAX_FILES=${FUZZ_MAX_FILES:-200}
ALL="fuzz_reply fuzz_caps fuzz_addr fuzz_sanitize fuzz_explain fuzz_dialogue fuzz_dns
	fuzz_tlsa fuzz_sts fuzz_tlsrpt fuzz_policy_dns fuzz_bounce fuzz_identity fuzz_socks5
	fuzz_batch_reader"
HARNESSES=${*:-$ALL}

if [ -z "${CC:-}" ]; then
	CC=$(command -v clang-14 || command -v clang || true)
fi
[ -n "$CC" ] || { echo "run-fuzzers: clang not found" >&2; exit 2; }
case "$SECONDS_EACH" in
''|*[!0-9]*) echo "usage: $0 [SECONDS] [HARNESS...]" >&2; exit 2 ;;
esac

# Per harness: the largest input worth trying, and its dictionary.
max_len() {
	case $1 in
	fuzz_reply) echo 20000 ;;     # past REPLY_BYTES_CAP (16384)
	fuzz_addr) echo 1200 ;;       # past ADDR_INPUT_MAX (1024)
	fuzz_dialogue | fuzz_caps | fuzz_dns | fuzz_policy_dns | fuzz_identity) echo 8192 ;;
	fuzz_tlsa) echo 70000 ;;     # past TLSA_DATA_MAX, up to a TCP answer
	fuzz_sts) echo 70000 ;;      # past the 64 KiB policy limit
	fuzz_bounce) echo 65536 ;;   # many MIME parts, past BOUNCE_DIAG_MAX
	fuzz_batch_reader) echo 8192 ;; # lines past BATCH_LINE_MAX (1024)
	*) echo 4096 ;;
	esac
}
dict() {
	case $1 in
	fuzz_reply | fuzz_caps | fuzz_dialogue | fuzz_explain) echo smtp ;;
	fuzz_addr) echo addr ;;
	fuzz_sanitize) echo sanitize ;;
	fuzz_dns) echo dns ;;
	fuzz_tlsa | fuzz_policy_dns) echo tlsa ;;
	fuzz_sts | fuzz_tlsrpt) echo policy ;;
	fuzz_bounce) echo bounce ;;
	fuzz_identity) echo identity ;;
	fuzz_socks5) echo socks5 ;;
	fuzz_batch_reader) echo batch ;;
	esac
}

# ---- build ----
build() {
	local san="-fsanitize=address,undefined -fno-sanitize-recover=all"
	# The version header CMake would generate, from the same project() line.
	local version
	version=$(sed -n 's/^project(smtpprobe VERSION \([0-9.]*\).*/\1/p' "$SRC/CMakeLists.txt")
	mkdir -p "$BUILD/include/smtpprobe"
	sed "s/@PROJECT_VERSION@/$version/" "$SRC/include/smtpprobe/version.h.in" \
		>"$BUILD/include/smtpprobe/version.h"
	local cflags="-std=c11 -g -O1 -fno-omit-frame-pointer
		-D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I$SRC/include -I$BUILD/include
		$(pkg-config --cflags libcares libidn2 jansson openssl libcurl)"
	local libs
	libs=$(pkg-config --libs libcares libidn2 jansson openssl libcurl)
	mkdir -p "$BUILD/obj"
	rm -f "$BUILD"/obj/*.o "$BUILD/libcore.a"
	echo "== building with $CC into $BUILD"
	for f in "$SRC"/src/*.c; do
		[ "$(basename "$f")" = main.c ] && continue
		# shellcheck disable=SC2086
		$CC $cflags $san -fsanitize=fuzzer-no-link -c "$f" \
			-o "$BUILD/obj/$(basename "$f" .c).o" || return 1
	done
	ar rcs "$BUILD/libcore.a" "$BUILD"/obj/*.o
	for h in $HARNESSES; do
		# shellcheck disable=SC2086
		$CC $cflags $san -fsanitize=fuzzer "$FUZZ_DIR/$h.c" \
			"$BUILD/libcore.a" $libs -o "$BUILD/$h" || return 1
	done
}
build || { echo "run-fuzzers: build failed" >&2; exit 2; }

# libFuzzer's merge: inputs of $2 are kept, those of $3 added when they
# bring something new. Extra flags follow.
merge_into() {
	local h=$1 keep=$2 work=$3
	shift 3
	"$BUILD/$h" -merge=1 -max_len="$(max_len "$h")" -timeout=10 \
		-rss_limit_mb=2048 "$@" "$keep" "$work" \
		>"$BUILD/logs/$h.merge.log" 2>&1
}

# ---- run one harness ----
run_one() {
	local h=$1 corpus=$FUZZ_DIR/corpus/$1 work=$BUILD/work/$1
	local art=$BUILD/artifacts/$1 log=$BUILD/logs/$1.log
	local d
	d=$(dict "$h")
	rm -rf "$work"
	mkdir -p "$work" "$art" "$BUILD/logs" "$corpus"
	cp -r "$corpus"/. "$work"/
	[ "$SECONDS_EACH" -gt 0 ] &&
	ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		"$BUILD/$h" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 \
		-ignore_ooms=1 -max_total_time="$SECONDS_EACH" -timeout=10 \
		-rss_limit_mb=2048 -max_len="$(max_len "$h")" \
		-dict="$FUZZ_DIR/dict/$d.dict" -artifact_prefix="$art/" \
		"$work" >"$log" 2>&1 || true
	if [ "$MERGE" = 1 ]; then
		# Keep the hand-made and regression inputs, add the fewest
		# finds that cover what the whole work corpus covers.
		local keep=$BUILD/merge/$h
		rm -rf "$keep"
		mkdir -p "$keep"
		find "$corpus" -maxdepth 1 -type f \( -name 's-*' -o \
			-name 'regress-*' \) -exec cp {} "$keep"/ \;
		local ok=1
		if ! merge_into "$h" "$keep" "$work"; then
			ok=0
		elif [ "$(find "$keep" -maxdepth 1 -type f | wc -l)" -gt \
			"$MAX_FILES" ]; then
			# Too many: keep only inputs that add an edge, not
			# merely a new hit count.
			rm -rf "$keep"
			mkdir -p "$keep"
			find "$corpus" -maxdepth 1 -type f \( -name 's-*' -o \
				-name 'regress-*' \) -exec cp {} "$keep"/ \;
			merge_into "$h" "$keep" "$work" -use_counters=0 || ok=0
		fi
		if [ "$ok" = 1 ]; then
			find "$corpus" -maxdepth 1 -type f -regextype posix-extended \
				-regex '.*/[0-9a-f]{40}' -delete
			find "$keep" -maxdepth 1 -type f -regextype posix-extended \
				-regex '.*/[0-9a-f]{40}' -exec cp {} "$corpus"/ \;
		else
			echo "run-fuzzers: $h: merge failed, corpus unchanged" \
				"(see $BUILD/logs/$h.merge.log)" >&2
		fi
	fi
}

# ---- report one harness ----
report_one() {
	local h=$1 log=$BUILD/logs/$1.log line execs secs cov ft crashes files
	files=$(find "$FUZZ_DIR/corpus/$h" -maxdepth 1 -type f | wc -l)
	if [ ! -f "$log" ]; then
		printf '%-14s corpus %4s files\n' "$h" "$files"
		return
	fi
	# fork mode prints "#N: cov: C ft: F corp: K exec/s E oom/timeout/crash:
	# o/t/c time: Ts job: J dft_time: D"
	line=$(grep -E '^#[0-9]+: cov: ' "$log" | tail -n 1 || true)
	execs=$(sed -nE 's/^#([0-9]+):.*/\1/p' <<<"$line")
	secs=$(sed -nE 's/.* time: ([0-9]+)s.*/\1/p' <<<"$line")
	cov=$(sed -nE 's/.* cov: ([0-9]+) .*/\1/p' <<<"$line")
	ft=$(sed -nE 's/.* ft: ([0-9]+) .*/\1/p' <<<"$line")
	crashes=$(sed -nE 's/.*oom\/timeout\/crash: ([0-9\/]+) .*/\1/p' <<<"$line")
	execs=${execs:-0} secs=${secs:-0}
	printf '%-14s execs %10s  exec/s %7s  cov %5s  ft %6s  oom/timeout/crash %-7s corpus %4s files  %ss\n' \
		"$h" "$execs" "$((secs > 0 ? execs / secs : 0))" "${cov:-?}" \
		"${ft:-?}" "${crashes:-?}" "$files" "$secs"
	find "$BUILD/artifacts/$h" -maxdepth 1 -type f \
		\( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
		-o -name 'oom-*' -o -name 'slow-unit-*' \) -newer "$BUILD/$h" \
		-printf '    %p\n' 2>/dev/null
}

if [ "$SECONDS_EACH" -gt 0 ]; then
	echo "== fuzzing each harness for ${SECONDS_EACH}s (${JOBS} at a time)"
else
	echo "== re-minimising each corpus (no fuzzing)"
	rm -f "$BUILD"/logs/fuzz_*[a-z].log
fi
running=0
for h in $HARNESSES; do
	run_one "$h" &
	running=$((running + 1))
	if [ "$running" -ge "$JOBS" ]; then
		wait -n || true
		running=$((running - 1))
	fi
done
wait

echo "== results (logs in $BUILD/logs)"
status=0
for h in $HARNESSES; do
	report_one "$h"
	if find "$BUILD/artifacts/$h" -maxdepth 1 -type f \
		\( -name 'crash-*' -o -name 'leak-*' \) -newer "$BUILD/$h" |
		grep -q .; then
		status=1
	fi
done
exit $status
