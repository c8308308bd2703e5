#!/usr/bin/env bash
# Make sure Debian's Chromium is there for the browser test (tests/e2e/test_docs_browser.py).
# As root with apt-get it installs the `chromium` package; otherwise it says what to
# install and leaves it to you: the browser test then fails with the same message.
# Never downloads a browser build of its own.
set -euo pipefail

CHROMIUM="${EO_CHROMIUM:-/usr/bin/chromium}"

if [ -x "$CHROMIUM" ]; then
  exit 0
fi

if [ "$CHROMIUM" = /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "ensure-chromium: $CHROMIUM is missing; installing Debian's chromium package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
  if [ -x "$CHROMIUM" ]; then
    echo "ensure-chromium: $("$CHROMIUM" --version 2>/dev/null || echo chromium) installed"
    exit 0
  fi
  echo "ensure-chromium: apt-get finished but $CHROMIUM is still missing" >&2
  exit 1
fi

cat >&2 <<MSG
ensure-chromium: $CHROMIUM is missing, so the browser test will fail.
  Install Debian's Chromium:   sudo apt-get update && sudo apt-get install -y chromium
  (or point EO_CHROMIUM at a Chromium binary). No browser is downloaded by the tests.
MSG
exit 0
