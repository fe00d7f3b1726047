// JavaScript script actors (script/src/javascript/, isolated-vm) and inline expressions
// (script/src/expression/, QuickJS): what they cost.
//
//   node bench/script-js.bench.ts            # full run (~30 s)
//   node bench/script-js.bench.ts --quick    # smoke run
//
// 1. Per-message overhead at steady state: engine.call round trips of a small JSON payload
//    ({in: {id, value}} -> {out: {id, value + 1}}, state carried), the script's own work being
//    negligible. Target (issue 5): <= 20 µs. Also reported: the process CPU time per message,
//    which stays meaningful when other processes load the machine.
// 2. Cold start per node: create + start() (isolate, context, compile, top-level code) + the first
//    call's answer; median of several nodes. Reported.
// 3. Memory per idle node: process RSS growth per started, idle node (isolates live outside the
//    Node heap, so RSS is what counts), with many nodes at once. Reported.
// 4. Inline expressions: cost of one evaluation of a compiled expression (`item.value * factor`),
//    of an uncompiled `evaluate`, and of a template. Reported (components evaluate per message).
import { createExpressionEngine } from '../script/src/expression/index.ts';
import { JavaScriptEngine } from '../script/src/javascript/index.ts';
import { machine, report } from './lib.ts';
import { coldStart, idleRssPerNode, perMessage } from './script-lib.ts';

const QUICK = process.argv.includes('--quick');
const BENCH = 'script-js.bench.ts';
const CALLS = QUICK ? 2_000 : 100_000;
const ROUNDS = QUICK ? 1 : 5;
const COLD_STARTS = QUICK ? 3 : 15;
const IDLE_NODES = QUICK ? 10 : 100;
const EVALUATIONS = QUICK ? 5_000 : 300_000;
const CODE = 'export default function ({ inputs, state }) {\n  state.n = (state.n ?? 0) + 1;\n  return { out: { id: inputs.in.id, value: inputs.in.value + 1 } };\n}\n';
const LIMITS = { timeoutMs: 1000, memoryMb: 32, maxOutputBytes: 1 << 20 };

function createEngine(nodeId: string): JavaScriptEngine {
  return new JavaScriptEngine({ nodeId, source: { code: CODE }, isolation: 'sandbox', limits: LIMITS, config: {} });
}

const inputs = (i: number) => ({ in: { id: i, value: i } });

async function expressions(): Promise<{ compiled: number; evaluate: number; template: number }> {
  const ex = await createExpressionEngine();
  try {
    const time = (fn: (i: number) => unknown): number => {
      for (let i = 0; i < 10_000; i++) fn(i);
      const started = performance.now();
      for (let i = 0; i < EVALUATIONS; i++) fn(i);
      return ((performance.now() - started) * 1000) / EVALUATIONS;
    };
    const compiled = ex.compile('item.value * factor');
    const template = ex.compileTemplate('#${id}: ${name}');
    return {
      compiled: time((i) => compiled({ item: { id: i, value: i }, factor: 2 })),
      evaluate: time((i) => ex.evaluate("amount > 100 && status === 'open'", { amount: i, status: 'open' })),
      template: time((i) => template({ id: i, name: 'n' })),
    };
  } finally {
    ex.dispose();
  }
}

console.log(`JavaScript script actors and expressions — ${QUICK ? 'quick smoke run' : 'full run'} on ${machine()}`);
const overhead = await perMessage(createEngine('overhead'), inputs, { calls: CALLS, rounds: ROUNDS, warmup: 5_000 });
report({ bench: BENCH, metric: 'overhead', value: overhead.wall, unit: 'µs/msg', target: '<=20' });
report({ bench: BENCH, metric: 'overhead_cpu', value: overhead.cpu, unit: 'µs/msg', target: 'report' });
report({ bench: BENCH, metric: 'cold_start', value: await coldStart(createEngine, inputs, COLD_STARTS), unit: 'ms', target: 'report' });
report({ bench: BENCH, metric: 'idle_rss', value: await idleRssPerNode(createEngine, inputs, IDLE_NODES), unit: 'MB/node', target: 'report' });
const ex = await expressions();
report({ bench: BENCH, metric: 'expression_compiled', value: ex.compiled, unit: 'µs/eval', target: 'report' });
report({ bench: BENCH, metric: 'expression_evaluate', value: ex.evaluate, unit: 'µs/eval', target: 'report' });
report({ bench: BENCH, metric: 'expression_template', value: ex.template, unit: 'µs/eval', target: 'report' });
