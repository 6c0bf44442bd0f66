#!/bin/sh
# The whole test suite: install dependencies (when root), then build twice
# - a normal build and an AddressSanitizer+UBSan build - and run the unit
# and integration tests of both through ctest.
set -eu
cd "$(dirname "$0")/.."

if [ "$(id -u)" -eq 0 ]; then
	scripts/install-deps.sh
fi

jobs=$(nproc 2>/dev/null || echo 2)

# Every tool the checks need is installed above; a missing one is a
# failure, never a silent skip.
for tool in clang-format /usr/bin/python3 cmake; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "run-tests.sh: $tool is missing (scripts/install-deps.sh installs it)" >&2
		exit 1
	fi
done

echo "== format check"
clang-format --dry-run --Werror src/*.c src/*.h include/smtpprobe/*.h

echo "== normal build"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure

echo "== AddressSanitizer + UBSan build"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSMTPPROBE_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ctest --test-dir build-asan --output-on-failure

echo "== end to end: real Postfix, Dovecot, knot, unbound and nftables in a network namespace"
if [ "$(id -u)" -eq 0 ]; then
	tests/e2e/run.sh build/smtpprobe
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		tests/e2e/run.sh build-asan/smtpprobe
	echo "== end to end once more under valgrind memcheck (errors or definite leaks fail)"
	SMTPPROBE_REAL_BIN="$PWD/build/smtpprobe" SMTPPROBE_E2E_SLACK=3 \
		tests/e2e/run.sh "$PWD/tests/e2e/valgrind-probe.sh"
else
	echo "e2e: skipped (the lab needs root)"
fi
