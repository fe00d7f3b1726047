#!/usr/bin/env bash
# Installs the project's npm dependencies (once, and again whenever package-lock.json changes)
# and runs the build steps. Expects Node 24 on PATH (source scripts/node24.sh first).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
stamp=node_modules/.actorflow-installed
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "actorflow: installing npm dependencies" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
  touch "$stamp"
fi
for build in */scripts/build.sh; do [ -x "$build" ] && "$build"; done
exit 0
