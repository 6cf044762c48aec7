#!/usr/bin/env bash
# Browser tests drive Debian's Chromium through Playwright (never a downloaded browser) and check
# every page they visit with axe-core (npm's `axe-core`, kept in .cache/npm-axe, git-ignored).
# Installs what is missing when we can; otherwise says so.
set -euo pipefail
cd "$(dirname "$0")/.."

AXE_DIR=".cache/npm-axe"
if [ ! -f "$AXE_DIR/node_modules/axe-core/axe.min.js" ]; then
  if command -v npm >/dev/null 2>&1; then
    echo "Installing axe-core (npm) into $AXE_DIR for the accessibility checks of the browser tests..."
    mkdir -p "$AXE_DIR"
    npm install --prefix "$AXE_DIR" --no-audit --no-fund --no-save --silent axe-core@4
  else
    echo "npm is not installed: the browser tests' accessibility checks need axe-core (npm install axe-core@4);" >&2
    echo "they fail with STRETCH_REQUIRE_BROWSER=1 and are skipped otherwise." >&2
  fi
fi

if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
else
  echo "chromium is not installed and cannot be installed here (needs root and apt-get):" >&2
  echo "browser tests will be skipped unless STRETCH_REQUIRE_BROWSER=1, which makes them fail." >&2
fi
