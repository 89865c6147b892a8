#!/usr/bin/env bash
# Debian's chromium for the browser tests (tests/web/browser). Idempotent: quiet and quick
# when it is already installed. Playwright's own browser download is never used; the tests
# launch /usr/bin/chromium (VERACITY_CHROMIUM overrides the path).
set -euo pipefail
CHROMIUM="${VERACITY_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
echo "installing chromium (Debian package) for the browser tests" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
"$CHROMIUM" --version >&2
