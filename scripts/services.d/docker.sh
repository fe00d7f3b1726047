#!/usr/bin/env bash
# Docker engine for `isolation: "docker"` script actors (idempotent; about 1 s when already running).
#  1. installs Debian's docker.io when dockerd is missing (root + apt only);
#  2. starts dockerd WITHOUT a bridge or iptables rules (containers get only `lo`; the tests use
#     NetworkMode none) unless the daemon socket already answers;
#  3. builds the local Python image (no registry here): script/docker/build-image.sh.
# Where Docker cannot exist (not root, no apt, no dockerd), it says so and exits 0: the Docker
# tests then skip with the same reason.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../apt.sh"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SOCK=/var/run/docker.sock
LOG=/var/log/actorflow-dockerd.log

say() { echo "actorflow: docker: $*" >&2; }
engine_up() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

if ! command -v dockerd >/dev/null 2>&1; then
  if ! can_apt; then
    say "dockerd is not installed and cannot be installed here (needs root + apt); Docker tests will skip"
    exit 0
  fi
  say "installing docker.io"
  apt_install docker.io
fi

if ! engine_up; then
  if [ "$(id -u)" != 0 ]; then
    say "dockerd is not running and only root can start it; Docker tests will skip"
    exit 0
  fi
  # A dockerd killed earlier (e.g. the previous session ended) leaves its pid file and socket behind.
  if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
    rm -f /var/run/docker.pid "$SOCK"
  fi
  say "starting dockerd (no bridge, no iptables; log: $LOG)"
  nohup dockerd --bridge=none --iptables=false --ip-masq=false --ip-forward=false >"$LOG" 2>&1 </dev/null &
  for _ in $(seq 1 300); do engine_up && break; sleep 0.1; done
  engine_up || { say "dockerd did not come up within 30 s; see $LOG"; tail -20 "$LOG" >&2; exit 1; }
fi

# dockerd must not change the host's forwarding policy (deps.md §5); put it back if it did.
if command -v iptables >/dev/null 2>&1 && iptables -S FORWARD 2>/dev/null | grep -q -- '-P FORWARD DROP'; then
  iptables -P FORWARD ACCEPT || true
fi

"$ROOT/script/docker/build-image.sh"
