// Python script actors (script/src/python/): what a sandboxed CPython host per node costs.
//
//   node bench/script-python.bench.ts            # full run (~1 min)
//   node bench/script-python.bench.ts --quick    # smoke run
//
// 1. Per-message overhead at steady state: engine.call round trips of a small JSON payload
//    ({in: {id, value}} -> {out: {id, value + 1}}, state carried) through the framed protocol, per
//    isolation level; the script's own work is negligible, so this is the engine's overhead.
//    Target (issue 5): <= 150 µs for the process sandbox.
// 2. Cold start per isolation level (prlimit only, unshare, bwrap, docker): create + start() + the
//    first call's answer, median of several nodes. Measured and reported, no target.
// 3. Memory per idle node: the RSS of every process an idle node keeps (the interpreter and its
//    sandbox helpers: bwrap's two processes, unshare, or Docker's shim and init), with several idle
//    nodes running at once. Reported, no target. (Docker's daemon itself is not counted.)
// Levels this machine lacks (no bwrap, no Docker engine) are skipped with the reason.
import { readdirSync, readFileSync } from 'node:fs';
import { dockerStatus, DEFAULT_PYTHON_IMAGE } from '../script/src/docker/index.ts';
import { createPythonEngineFactory, detectSandbox, type PythonEngine, type PythonIsolationLevel } from '../script/src/python/index.ts';
import { report } from './lib.ts';
import { coldStart, perMessage, withIdleNodes } from './script-lib.ts';

const QUICK = process.argv.includes('--quick');
const BENCH = 'script-python.bench.ts';
const CALLS = QUICK ? 500 : 20_000;
const ROUNDS = QUICK ? 1 : 5;
const COLD_STARTS = QUICK ? 2 : 7;
const IDLE_NODES = QUICK ? 2 : 10;
const CODE = 'def process(inputs, state, config):\n    item = inputs["in"]\n    state["n"] = state.get("n", 0) + 1\n    return {"out": {"id": item["id"], "value": item["value"] + 1}}\n';
const LIMITS = { timeoutMs: 5000, memoryMb: 128, maxOutputBytes: 1 << 20 };

function nodeOf(level: PythonIsolationLevel): (nodeId: string) => PythonEngine {
  const factory = createPythonEngineFactory(level === 'docker' ? {} : { sandbox: level });
  return (nodeId) => factory.create({ nodeId: `${level}-${nodeId}`, isolation: level === 'docker' ? 'docker' : 'sandbox', limits: LIMITS, config: {}, source: { code: CODE } });
}

const inputs = (i: number) => ({ in: { id: i, value: i } });

/** Processes that make up idle nodes: the interpreters and their sandbox helpers. */
const SANDBOX_COMMANDS = /^(python3(\.\d+)?|bwrap|unshare|docker-init|containerd-shim.*)$/;

/** pid -> RSS (kB) of the running processes whose command is one of SANDBOX_COMMANDS. */
function sandboxProcesses(): Map<number, number> {
  const found = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const name = /^Name:\s+(\S+)/m.exec(status)?.[1] ?? '';
      if (SANDBOX_COMMANDS.test(name)) found.set(Number(entry), Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0));
    } catch { /* exited */ }
  }
  return found;
}

/** RSS per idle node: every sandbox process that appeared while IDLE_NODES nodes started (host + helpers). */
function idleMemory(level: PythonIsolationLevel): Promise<number> {
  const before = sandboxProcesses();
  return withIdleNodes(nodeOf(level), inputs, IDLE_NODES, () => {
    let totalKb = 0;
    for (const [pid, rss] of sandboxProcesses()) if (!before.has(pid)) totalKb += rss;
    return totalKb / 1024 / IDLE_NODES;
  });
}

const support = await detectSandbox();
const docker = await dockerStatus(DEFAULT_PYTHON_IMAGE);
const levels: PythonIsolationLevel[] = [];
for (const level of ['prlimit', 'unshare', 'bwrap'] as const) {
  if (support.available[level]) levels.push(level);
  else console.log(`# ${level}: not available here (${support.notes.join('; ')})`);
}
if (docker.available && docker.image?.present) levels.push('docker');
else console.log(`# docker: skipped (${docker.available ? `image ${DEFAULT_PYTHON_IMAGE} not built` : docker.reason})`);

console.log(`Python script actors — ${QUICK ? 'quick smoke run' : 'full run'}; sandbox 'auto' picks ${support.best}`);
console.log('level     | overhead µs/msg | cold start ms | idle RSS MB/node');
console.log('----------|-----------------|---------------|-----------------');
for (const level of levels) {
  const overhead = await perMessage(nodeOf(level)('overhead'), inputs, { calls: CALLS, rounds: ROUNDS, warmup: 200 });
  const cold = await coldStart(nodeOf(level), inputs, COLD_STARTS);
  const memory = await idleMemory(level);
  console.log(`${level.padEnd(9)} | ${overhead.wall.toFixed(1).padStart(15)} | ${cold.toFixed(1).padStart(13)} | ${memory.toFixed(1).padStart(15)}`);
  report({ bench: BENCH, metric: `overhead_${level}`, value: overhead.wall, unit: 'µs/msg', target: level === 'docker' ? 'report' : '<=150' });
  report({ bench: BENCH, metric: `overhead_cpu_${level}`, value: overhead.cpu, unit: 'µs/msg', target: 'report' });
  report({ bench: BENCH, metric: `cold_start_${level}`, value: cold, unit: 'ms', target: 'report' });
  report({ bench: BENCH, metric: `idle_rss_${level}`, value: memory, unit: 'MB/node', target: 'report' });
}
