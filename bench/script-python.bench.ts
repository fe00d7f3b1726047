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
import type { ScriptCall } from '../script/src/engine.ts';
import { createPythonEngineFactory, detectSandbox, type PythonEngine, type PythonIsolationLevel } from '../script/src/python/index.ts';

const QUICK = process.argv.includes('--quick');
const BENCH = 'script-python.bench.ts';
const CALLS = QUICK ? 500 : 20_000;
const ROUNDS = QUICK ? 1 : 5;
const COLD_STARTS = QUICK ? 2 : 7;
const IDLE_NODES = QUICK ? 2 : 10;
const CODE = 'def process(inputs, state, config):\n    item = inputs["in"]\n    state["n"] = state.get("n", 0) + 1\n    return {"out": {"id": item["id"], "value": item["value"] + 1}}\n';
const LIMITS = { timeoutMs: 5000, memoryMb: 128, maxOutputBytes: 1 << 20 };
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

function result(metric: string, value: number, unit: string, target: string): void {
  console.log(`RESULT ${JSON.stringify({ bench: BENCH, metric, value: Math.round(value * 100) / 100, unit, target })}`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function createEngine(level: PythonIsolationLevel, nodeId: string): PythonEngine {
  const factory = createPythonEngineFactory(level === 'docker' ? {} : { sandbox: level });
  return factory.create({ nodeId, isolation: level === 'docker' ? 'docker' : 'sandbox', limits: LIMITS, config: {}, source: { code: CODE } });
}

function call(engine: PythonEngine, i: number, state: unknown): Promise<{ state: unknown }> {
  const request: ScriptCall = { inputs: { in: { id: i, value: i } }, state, emit() {}, log: quiet, signal: new AbortController().signal };
  return engine.call(request);
}

async function overhead(level: PythonIsolationLevel): Promise<number> {
  const engine = createEngine(level, `bench-${level}`);
  try {
    let state: unknown = {};
    for (let i = 0; i < 200; i++) state = (await call(engine, i, state)).state;   // warm up
    const rounds: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const started = performance.now();
      for (let i = 0; i < CALLS; i++) state = (await call(engine, i, state)).state;
      rounds.push(((performance.now() - started) * 1000) / CALLS);
    }
    return median(rounds);
  } finally {
    await engine.dispose();
  }
}

async function coldStart(level: PythonIsolationLevel): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < COLD_STARTS; i++) {
    const started = performance.now();
    const engine = createEngine(level, `cold-${level}-${i}`);
    await engine.start();
    await call(engine, 0, {});
    times.push(performance.now() - started);
    await engine.dispose();
  }
  return median(times);
}

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
async function idleMemory(level: PythonIsolationLevel): Promise<number> {
  const before = sandboxProcesses();
  const engines = Array.from({ length: IDLE_NODES }, (_, i) => createEngine(level, `idle-${level}-${i}`));
  try {
    for (const engine of engines) await call(engine, 0, {});
    let totalKb = 0;
    for (const [pid, rss] of sandboxProcesses()) if (!before.has(pid)) totalKb += rss;
    return totalKb / 1024 / IDLE_NODES;
  } finally {
    await Promise.all(engines.map((engine) => engine.dispose()));
  }
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
  const perMessage = await overhead(level);
  const cold = await coldStart(level);
  const memory = await idleMemory(level);
  console.log(`${level.padEnd(9)} | ${perMessage.toFixed(1).padStart(15)} | ${cold.toFixed(1).padStart(13)} | ${memory.toFixed(1).padStart(15)}`);
  result(`overhead_${level}`, perMessage, 'µs/msg', level === 'docker' ? 'report' : '<=150');
  result(`cold_start_${level}`, cold, 'ms', 'report');
  result(`idle_rss_${level}`, memory, 'MB/node', 'report');
}
