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
	python3 openssl ca-certificates bind9-dnsutils \
	valgrind clang clang-format >/dev/null
echo "install-deps.sh: build and test dependencies are installed"
