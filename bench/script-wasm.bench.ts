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
import { WasmEngine } from '../script/src/wasm/index.ts';
import { machine, report } from './lib.ts';
import { coldStart, idleRssPerNode, perMessage } from './script-lib.ts';

const QUICK = process.argv.includes('--quick');
const BENCH = 'script-wasm.bench.ts';
const CALLS = QUICK ? 2_000 : 50_000;
const ROUNDS = QUICK ? 1 : 5;
const COLD_STARTS = QUICK ? 3 : 15;
const IDLE_NODES = QUICK ? 10 : 100;
const LIMITS = { timeoutMs: 1000, memoryMb: 16, maxOutputBytes: 1 << 20 };
const plugin = (name: string) => fileURLToPath(new URL(`../script/plugins/build/${name}.wasm`, import.meta.url));

function createEngine(name: string, nodeId: string): WasmEngine {
  return new WasmEngine({ nodeId, source: { file: plugin(name) }, isolation: 'sandbox', limits: LIMITS, config: { factor: 2 } });
}

const multiplyNode = (nodeId: string) => createEngine('multiply', nodeId);
const counts = { calls: CALLS, rounds: ROUNDS, warmup: 5_000 };

console.log(`WebAssembly script actors — ${QUICK ? 'quick smoke run' : 'full run'} on ${machine()}`);
const noop = await perMessage(createEngine('noop', 'overhead-noop'), (i) => ({ in: { id: i, value: i } }), counts);
report({ bench: BENCH, metric: 'overhead', value: noop.wall, unit: 'µs/msg', target: '<=50' });
report({ bench: BENCH, metric: 'overhead_cpu', value: noop.cpu, unit: 'µs/msg', target: 'report' });
const multiply = await perMessage(multiplyNode('overhead-multiply'), (i) => ({ value: i }), counts);
report({ bench: BENCH, metric: 'per_message_multiply', value: multiply.wall, unit: 'µs/msg', target: 'report' });
report({ bench: BENCH, metric: 'per_message_multiply_cpu', value: multiply.cpu, unit: 'µs/msg', target: 'report' });
report({ bench: BENCH, metric: 'cold_start', value: await coldStart(multiplyNode, () => ({ value: 1 }), COLD_STARTS), unit: 'ms', target: 'report' });
// (cold starts above loaded the shared parts: SDK, compiled module, watchdog)
report({ bench: BENCH, metric: 'idle_rss', value: await idleRssPerNode(multiplyNode, () => ({ value: 1 }), IDLE_NODES), unit: 'MB/node', target: 'report' });
