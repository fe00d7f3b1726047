#!/usr/bin/env bash
# Bundles the actorflow command into server/dist when the bundle is missing or older than its
# sources (see bundle.mjs; server/bin/actorflow.mjs runs from the sources until then). Run by
# scripts/setup.sh.
set -euo pipefail
exec node "$(dirname "${BASH_SOURCE[0]}")/bundle.mjs" --if-stale
