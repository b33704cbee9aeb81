#!/usr/bin/env bash
# Installs what the sample storefront's browser test needs (StorefrontBrowserTests in ServerlessRec.Cli.Tests):
# Debian's chromium (apt) and puppeteer-core, pinned by tests/browser/package.json + package-lock.json (npm ci).
# puppeteer-core drives the installed chromium and downloads no browser. Idempotent: does nothing when both are there.
# Run by .ci/run (bash .ci/install-browser.sh); the test fails, naming this script, when either is missing.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
browser_dir="$repo_root/tests/browser"
chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "install-browser: node and npm are required (Node.js 20 or later)" >&2
  exit 1
fi

if [ -x "$chromium" ]; then
  echo "install-browser: $("$chromium" --version 2>/dev/null | head -n 1) already installed"
else
  echo "install-browser: apt-get install -y chromium"
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then
    sudo_cmd="sudo"
  fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium
fi

if [ -f "$browser_dir/node_modules/puppeteer-core/package.json" ]; then
  echo "install-browser: puppeteer-core $(node -p "require('$browser_dir/node_modules/puppeteer-core/package.json').version") already installed"
else
  echo "install-browser: npm ci in tests/browser"
  # puppeteer-core has no install script that fetches a browser; the variable only keeps it that way.
  PUPPETEER_SKIP_DOWNLOAD=1 npm ci --prefix "$browser_dir" --no-audit --no-fund
fi
