// Server cold start: from spawning `actorflow serve` to its first answered request (GET /health)
// < 500 ms (issue 3). A fresh process each time, history on disk; median of runs. Also shown: the
// start to the first answered run (POST /workflows?wait=true with the 3-node graph, sent as soon
// as /health answered), which waits for the component library as well. Both are probed with
// hand-written HTTP requests (see rawRequest).
//   node bench/server-coldstart.bench.ts [--quick] [--runs 10]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { args, machine, median, report } from './lib.ts';
import { CLI, SERVER_NODE_FLAGS, freePort, rawRequest, threeNodeGraph, waitForHealth } from './server-lib.ts';

const opts = args({ quick: false, runs: 10 });
const runs = opts.quick ? 3 : (opts.runs as number);
console.log(`server-coldstart on ${machine()}: ${runs} starts`);

const run = JSON.stringify({ graph_json: threeNodeGraph(), input: { in: 'hello' } });
const answered: number[] = [];
const ranFirst: number[] = [];
for (let i = 0; i < runs; i++) {
  const dir = mkdtempSync(join(tmpdir(), 'af-cold-'));
  const port = await freePort();
  const t0 = performance.now();
  const proc = spawn(process.execPath, [...SERVER_NODE_FLAGS, CLI, 'serve'], {
    env: { ...process.env, ACTORFLOW_PORT: String(port), ACTORFLOW_DB: join(dir, 'history.db'), ACTORFLOW_LOG_LEVEL: 'warn' },
    stdio: 'ignore',
  });
  await waitForHealth(`http://127.0.0.1:${port}`, proc);
  answered.push(performance.now() - t0);
  const result = await rawRequest(port, 'POST', '/workflows?wait=true', run);
  if (result?.status !== 200 || !result.body.includes('"Completed"')) throw new Error(`the first run did not complete: ${result?.status} ${result?.body}`);
  ranFirst.push(performance.now() - t0);
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await exited;
  rmSync(dir, { recursive: true, force: true });
}
console.log(`first answer (ms): ${answered.map((t) => Math.round(t)).join(', ')}`);
console.log(`first run answered (ms): ${ranFirst.map((t) => Math.round(t)).join(', ')}`);
const ms = median(answered);
report({ bench: 'server-coldstart', metric: 'process start to first answered request, median', value: Math.round(ms), unit: 'ms', target: '< 500', pass: ms < 500 });
report({ bench: 'server-coldstart', metric: 'process start to first answered run, median', value: Math.round(median(ranFirst)), unit: 'ms' });
