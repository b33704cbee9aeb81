#!/usr/bin/env bash
# Installs the Azurite pinned in tests/azurite (package.json + package-lock.json) when it is missing.
# Idempotent: does nothing when node_modules already holds it. Run by .ci/run (bash .ci/install-azurite.sh);
# the Azurite fixture of ServerlessRec.Azure.Tests would otherwise run the same `npm ci` itself.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
azurite_dir="$repo_root/tests/azurite"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "install-azurite: node and npm are required (Node.js 20 or later)" >&2
  exit 1
fi

if [ -f "$azurite_dir/node_modules/azurite/dist/src/blob/main.js" ]; then
  echo "install-azurite: azurite $(node -p "require('$azurite_dir/node_modules/azurite/package.json').version") already installed"
else
  echo "install-azurite: npm ci in tests/azurite"
  npm ci --prefix "$azurite_dir" --no-audit --no-fund
fi
