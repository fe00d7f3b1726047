#!/usr/bin/env -S node --no-node-snapshot
// The `actorflow` executable. (The shebang passes --no-node-snapshot, which isolated-vm needs for
// JavaScript script nodes; ./run sets it through NODE_OPTIONS.) Plain JavaScript on purpose: it
// turns on Node's on-disk compile cache before the first TypeScript module loads, so a start
// after the first takes parsed, type-stripped code from the cache and never loads the type
// stripper (~130 ms). Then it runs the command (src/cli/commands.ts).
import { enableCompileCache } from 'node:module';

enableCompileCache();
const { main } = await import('../src/cli/commands.ts');
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
}, (err) => {
  process.stderr.write(`actorflow: ${err?.stack ?? String(err)}\n`);
  process.exitCode = 1;
});
