#!/usr/bin/env -S node --no-node-snapshot
// The `actorflow` executable. (The shebang passes --no-node-snapshot, which isolated-vm needs for
// JavaScript script nodes; ./run sets it through NODE_OPTIONS.) It turns on Node's on-disk
// compile cache before loading anything else, so every start after the first skips most of the
// parsing and type stripping; then it runs the command (commands.ts).
import { enableCompileCache } from 'node:module';

enableCompileCache();
const { main } = await import('./commands.ts');
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
}, (err: unknown) => {
  process.stderr.write(`actorflow: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
