#!/usr/bin/env bash
# Make sure Debian's wrk is there for `make bench` (the HTTP load generator of P1).
# As root with apt-get it installs the `wrk` package; otherwise it says what to install
# (the benchmark then measures what it can without wrk and says what it skipped).
set -euo pipefail

if command -v wrk >/dev/null; then
  exit 0
fi

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "ensure-wrk: wrk is missing; installing Debian's wrk package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq wrk >/dev/null
  command -v wrk >/dev/null && exit 0
  echo "ensure-wrk: apt-get finished but wrk is still missing" >&2
  exit 1
fi

echo "ensure-wrk: wrk is missing: sudo apt-get update && sudo apt-get install -y wrk" >&2
exit 0
