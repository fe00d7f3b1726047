#!/usr/bin/env bash
# Builds the example and fixture WebAssembly plugins from their AssemblyScript sources
# (script/plugins/*.ts -> script/plugins/build/*.wasm). Idempotent: a plugin is rebuilt only when
# its source, the shared ABI library or the compiler is newer than its .wasm. Run by scripts/setup.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../plugins"
asc=../../node_modules/.bin/asc
if [ ! -x "$asc" ]; then
  echo "script/scripts/build.sh: AssemblyScript is not installed (npm install first)" >&2
  exit 1
fi
mkdir -p build
newest_dep=$(ls -t lib/*.ts ../scripts/build.sh ../../node_modules/assemblyscript/package.json | head -1)
for src in *.ts; do
  out="build/${src%.ts}.wasm"
  if [ -f "$out" ] && [ "$out" -nt "$src" ] && [ "$out" -nt "$newest_dep" ]; then continue; fi
  echo "script: building plugins/$out" >&2
  "$asc" "$src" --outFile "$out.tmp" --use abort=lib/actor/actorAbort --optimize
  mv "$out.tmp" "$out"
done
