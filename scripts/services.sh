#!/usr/bin/env bash
# Installs and starts the system services the test suite uses (idempotent).
# Each package that needs one ships scripts/services.d/<name>.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
for svc in scripts/services.d/*.sh; do [ -f "$svc" ] && bash "$svc"; done
exit 0
