#!/usr/bin/env -S node --no-node-snapshot --max-semi-space-size=8
// The `actorflow` executable. The shebang's Node flags: --no-node-snapshot, which isolated-vm
// needs for JavaScript script nodes; --max-semi-space-size=8 (MB), a young generation small
// enough that its collections pause for a few ms: under load (20 connections posting runs) it
// takes the server's p99 latency from 22-26 ms to 16-19 ms for a few % of throughput; message
// throughput in graphs is unchanged (BENCHMARKS.md). Plain JavaScript on purpose: it
// turns on Node's on-disk compile cache before the first TypeScript module loads, so a start
// after the first takes parsed, type-stripped code from the cache and never loads the type
// stripper (~130 ms). The cache stays this thread's: NODE_COMPILE_CACHE in the environment would
// share it with worker threads (each would start ~140 ms sooner), but with it isolated-vm aborted
// the process now and then (an assertion in its IsolateEnvironment; 3 runs in 12 of
// script/test/script-actor.test.ts, none without). Then it runs the command: bundled (server/dist,
// see dist.mjs) while the bundle matches the sources, else from the sources (src/cli/commands.ts).
import { enableCompileCache } from 'node:module';

enableCompileCache();
const { useBundle } = await import('./dist.mjs');
const { main } = await import(useBundle() ?? '../src/cli/commands.ts');
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
}, (err) => {
  process.stderr.write(`actorflow: ${err?.stack ?? String(err)}\n`);
  process.exitCode = 1;
});
