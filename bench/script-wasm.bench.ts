// WebAssembly script actors (script/src/wasm/, Extism in-thread with the watchdog): what they cost.
// Needs the plugins built (script/scripts/build.sh, run by scripts/setup.sh).
//
//   node bench/script-wasm.bench.ts            # full run (~30 s)
//   node bench/script-wasm.bench.ts --quick    # smoke run
//
// 1. Per-message overhead at steady state with a small JSON payload ({in: {id, value}}): the
//    `noop` plugin reads its input and returns a constant result, so this is the host's cost
//    (ActorContext encoding, Extism's input/output copies, ActorResult decoding, the watchdog).
//    Target (issue 5): <= 50 µs. Also reported: the `multiply` example (AssemblyScript JSON
//    parsing included), i.e. what a small real plugin costs per message, and the process CPU
//    time per message of both (meaningful when other processes load the machine).
// 2. Cold start per node: create + start() (module prepared and compiled once per plugin, then
//    instantiated per node) + the first call's answer; median of several nodes. Reported.
// 3. Memory per idle node: process RSS growth per started, idle node. Reported.
import { fileURLToPath } from 'node:url';
import type { ScriptCall } from '../script/src/engine.ts';
import { WasmEngine } from '../script/src/wasm/index.ts';
import { machine, median, report } from './lib.ts';

const QUICK = process.argv.includes('--quick');
const BENCH = 'script-wasm.bench.ts';
const CALLS = QUICK ? 2_000 : 50_000;
const ROUNDS = QUICK ? 1 : 5;
const COLD_STARTS = QUICK ? 3 : 15;
const IDLE_NODES = QUICK ? 10 : 100;
const LIMITS = { timeoutMs: 1000, memoryMb: 16, maxOutputBytes: 1 << 20 };
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const signal = new AbortController().signal;
const plugin = (name: string) => fileURLToPath(new URL(`../script/plugins/build/${name}.wasm`, import.meta.url));

function createEngine(name: string, nodeId: string): WasmEngine {
  return new WasmEngine({ nodeId, source: { file: plugin(name) }, isolation: 'sandbox', limits: LIMITS, config: { factor: 2 } });
}

function call(engine: WasmEngine, inputs: Record<string, unknown>, state: unknown): Promise<{ state: unknown }> {
  const request: ScriptCall = { inputs, state, emit() {}, log: quiet, signal };
  return engine.call(request);
}

/** µs per call, wall clock and process CPU time (medians over rounds, after a warm-up). */
async function perMessage(name: string, input: (i: number) => Record<string, unknown>): Promise<{ wall: number; cpu: number }> {
  const engine = createEngine(name, `overhead-${name}`);
  try {
    let state: unknown = {};
    for (let i = 0; i < 5_000; i++) state = (await call(engine, input(i), state)).state;
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const started = performance.now();
      const cpuStarted = process.cpuUsage();
      for (let i = 0; i < CALLS; i++) state = (await call(engine, input(i), state)).state;
      const used = process.cpuUsage(cpuStarted);
      wall.push(((performance.now() - started) * 1000) / CALLS);
      cpu.push((used.user + used.system) / CALLS);
    }
    return { wall: median(wall), cpu: median(cpu) };
  } finally {
    await engine.dispose();
  }
}

async function coldStart(): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < COLD_STARTS; i++) {
    const started = performance.now();
    const engine = createEngine('multiply', `cold-${i}`);
    await engine.start();
    await call(engine, { value: 1 }, {});
    times.push(performance.now() - started);
    await engine.dispose();
  }
  return median(times);
}

async function idleMemory(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  await coldStart(); // the shared parts (SDK, compiled module, watchdog) are not per node
  gc?.();
  const before = process.memoryUsage().rss;
  const engines = Array.from({ length: IDLE_NODES }, (_, i) => createEngine('multiply', `idle-${i}`));
  try {
    for (const engine of engines) await call(engine, { value: 1 }, {});
    gc?.();
    return (process.memoryUsage().rss - before) / 1024 / 1024 / IDLE_NODES;
  } finally {
    await Promise.all(engines.map((engine) => engine.dispose()));
  }
}

console.log(`WebAssembly script actors — ${QUICK ? 'quick smoke run' : 'full run'} on ${machine()}`);
const noop = await perMessage('noop', (i) => ({ in: { id: i, value: i } }));
report({ bench: BENCH, metric: 'overhead', value: noop.wall, unit: 'µs/msg', target: '<=50' });
report({ bench: BENCH, metric: 'overhead_cpu', value: noop.cpu, unit: 'µs/msg', target: 'report' });
const multiply = await perMessage('multiply', (i) => ({ value: i }));
report({ bench: BENCH, metric: 'per_message_multiply', value: multiply.wall, unit: 'µs/msg', target: 'report' });
report({ bench: BENCH, metric: 'per_message_multiply_cpu', value: multiply.cpu, unit: 'µs/msg', target: 'report' });
report({ bench: BENCH, metric: 'cold_start', value: await coldStart(), unit: 'ms', target: 'report' });
report({ bench: BENCH, metric: 'idle_rss', value: await idleMemory(), unit: 'MB/node', target: 'report' });
