// What the script benchmarks (script-js, script-wasm, script-python) measure the same way: the
// per-message cost of engine.call at steady state, a node's cold start, and many idle nodes.
import type { ScriptEngine } from '../script/src/engine.ts';
import { median } from './lib.ts';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const signal = new AbortController().signal;

/** Inputs of the i-th call. */
export type Inputs = (i: number) => Record<string, unknown>;

/** One call as the script actor makes it; returns the state for the next one. */
export async function callOnce(engine: ScriptEngine, inputs: Record<string, unknown>, state: unknown): Promise<unknown> {
  return (await engine.call({ inputs, state, emit() {}, log: quiet, signal })).state;
}

/**
 * µs per call, wall clock and process CPU time: the medians over `rounds` of `calls` calls in a
 * row (state carried), after `warmup` calls. CPU time stays meaningful when other processes share
 * the cores. The engine is disposed afterwards.
 */
export async function perMessage(engine: ScriptEngine, inputs: Inputs, counts: { calls: number; rounds: number; warmup: number }): Promise<{ wall: number; cpu: number }> {
  try {
    let state: unknown = {};
    for (let i = 0; i < counts.warmup; i++) state = await callOnce(engine, inputs(i), state);
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let round = 0; round < counts.rounds; round++) {
      const started = performance.now();
      const cpuStarted = process.cpuUsage();
      for (let i = 0; i < counts.calls; i++) state = await callOnce(engine, inputs(i), state);
      const used = process.cpuUsage(cpuStarted);
      wall.push(((performance.now() - started) * 1000) / counts.calls);
      cpu.push((used.user + used.system) / counts.calls);
    }
    return { wall: median(wall), cpu: median(cpu) };
  } finally {
    await engine.dispose();
  }
}

/** Median ms from creating a node to its first call's answer (start() included), over `count` nodes. */
export async function coldStart(create: (nodeId: string) => ScriptEngine, inputs: Inputs, count: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const engine = create(`cold-${i}`);
    await engine.start();
    await callOnce(engine, inputs(0), {});
    times.push(performance.now() - started);
    await engine.dispose();
  }
  return median(times);
}

/** Starts `count` nodes (each answers one call), measures while they sit idle, disposes them. */
export async function withIdleNodes<T>(create: (nodeId: string) => ScriptEngine, inputs: Inputs, count: number, measure: () => T): Promise<T> {
  const engines = Array.from({ length: count }, (_, i) => create(`idle-${i}`));
  try {
    for (const engine of engines) await callOnce(engine, inputs(0), {});
    return measure();
  } finally {
    await Promise.all(engines.map((engine) => engine.dispose()));
  }
}

/** Process RSS growth per node while `count` nodes sit idle (for engines living in this process). */
export async function idleRssPerNode(create: (nodeId: string) => ScriptEngine, inputs: Inputs, count: number): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage().rss;
  return withIdleNodes(create, inputs, count, () => {
    gc?.();
    return (process.memoryUsage().rss - before) / 1024 / 1024 / count;
  });
}
