#!/usr/bin/env bash
# Installs bubblewrap (Debian's `bubblewrap`): the filesystem/network sandbox of Python script actors.
# Idempotent and instant when installed. Without root or apt, prints why and leaves the Python
# engine on its fallback (unshare or plain prlimit limits).
set -euo pipefail
command -v bwrap >/dev/null 2>&1 && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "actorflow: bubblewrap not installed and cannot install it here (needs root + apt); Python actors fall back to unshare/prlimit" >&2
  exit 0
fi
echo "actorflow: installing bubblewrap" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends bubblewrap >/dev/null 2>&1 \
  || { apt-get update >/dev/null && apt-get install -y --no-install-recommends bubblewrap >/dev/null; }
