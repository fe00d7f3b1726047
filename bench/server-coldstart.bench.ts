// Server cold start: from spawning `actorflow serve` to its first answered request (GET /health)
// < 500 ms (issue 3). A fresh process each time, history on disk; median of runs.
//   node bench/server-coldstart.bench.ts [--quick] [--runs 10]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { args, machine, median, report } from './lib.ts';
import { CLI, SERVER_NODE_FLAGS, freePort, waitForHealth } from './server-lib.ts';

const opts = args({ quick: false, runs: 10 });
const runs = opts.quick ? 3 : (opts.runs as number);
console.log(`server-coldstart on ${machine()}: ${runs} starts`);

const times: number[] = [];
for (let i = 0; i < runs; i++) {
  const dir = mkdtempSync(join(tmpdir(), 'af-cold-'));
  const port = await freePort();
  const t0 = performance.now();
  const proc = spawn(process.execPath, [...SERVER_NODE_FLAGS, CLI, 'serve'], {
    env: { ...process.env, ACTORFLOW_PORT: String(port), ACTORFLOW_DB: join(dir, 'history.db'), ACTORFLOW_LOG_LEVEL: 'warn' },
    stdio: 'ignore',
  });
  await waitForHealth(`http://127.0.0.1:${port}`, proc);
  times.push(performance.now() - t0);
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await exited;
  rmSync(dir, { recursive: true, force: true });
}
console.log(`starts (ms): ${times.map((t) => Math.round(t)).join(', ')}`);
const ms = median(times);
report({ bench: 'server-coldstart', metric: 'process start to first answered request, median', value: Math.round(ms), unit: 'ms', target: '< 500', pass: ms < 500 });
