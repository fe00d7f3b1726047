#!/usr/bin/env bash
# Installs bubblewrap (Debian's `bubblewrap`): the filesystem/network sandbox of Python script actors.
# Idempotent and instant when installed. Without root or apt, prints why and leaves the Python
# engine on its fallback (unshare or plain prlimit limits).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../apt.sh"
command -v bwrap >/dev/null 2>&1 && exit 0
if ! can_apt; then
  echo "actorflow: bubblewrap not installed and cannot install it here (needs root + apt); Python actors fall back to unshare/prlimit" >&2
  exit 0
fi
echo "actorflow: installing bubblewrap" >&2
apt_install bubblewrap
