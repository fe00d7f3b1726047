#!/usr/bin/env bash
# Builds the example and fixture WebAssembly plugins from their AssemblyScript sources
# (script/plugins/*.ts -> script/plugins/build/*.wasm). Idempotent: a plugin is rebuilt only when
# its source, the shared ABI library or the compiler is newer than its .wasm. Run by scripts/setup.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../plugins"
asc=../../node_modules/.bin/asc
if [ ! -x "$asc" ]; then
  # A production install (no devDependencies) needs no example plugins; the tests say what is missing.
  echo "script: skipping the example WebAssembly plugins: AssemblyScript is not installed (it is a devDependency)" >&2
  exit 0
fi
mkdir -p build
newest_dep=$(ls -t lib/*.ts ../scripts/build.sh ../../node_modules/assemblyscript/package.json | head -1)
for src in *.ts; do
  out="build/${src%.ts}.wasm"
  if [ -f "$out" ] && [ "$out" -nt "$src" ] && [ "$out" -nt "$newest_dep" ]; then continue; fi
  echo "script: building plugins/$out" >&2
  tmp="$out.$$.tmp" # several checkouts' setups may build at once: each writes its own file, then renames
  "$asc" "$src" --outFile "$tmp" --use abort=lib/actor/actorAbort --optimize
  mv "$tmp" "$out"
done
