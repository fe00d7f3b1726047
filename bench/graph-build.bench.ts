// Reading and validating a large graph document: the graph model's share of "building and
// starting a 1,000-node graph takes < 100 ms" (issue #2). The document is JSON text in Reflow's
// form, as the server receives it: 1,000 nodes (typed ports, config schemas with defaults, layout
// metadata, env_vars), 1,000 connections and 10 IIPs.
//
//   node bench/graph-build.bench.ts            # median of 31 runs after warm-up
//   node bench/graph-build.bench.ts --quick    # smoke run
//
// Phases timed separately: JSON.parse, readGraphJson (document → Graph, every problem collected),
// validateGraph (registry: components, ports, types, config schemas, env vars, runtime metadata),
// and loadGraph(text, { registry, env }) end to end; analyzeGraph and toGraphJson for reference.
// Target: load + validate in <= 10 ms, a tenth of the whole build-and-start budget.
import {
  ComponentRegistry, analyzeGraph, defineActor, loadGraph, readGraphJson, toGraphJson, validateGraph,
} from '@actorflow/network';

const QUICK = process.argv.includes('--quick');
const RUNS = QUICK ? 3 : 31;
const WARMUP = QUICK ? 1 : 10;
const BENCH = 'graph-build.bench.ts';
const NODES = 1000;
const PIPELINES = 10;

const registry = new ComponentRegistry();
registry.register(defineActor({
  name: 'bench/Source', outports: { out: { type: 'integer' } },
  config: { type: 'object', properties: { count: { type: 'integer', minimum: 0, default: 100 } } },
  async run(ctx) {
    ctx.emit('out', 1);
    await ctx.drained();
  },
}));
registry.register(defineActor({
  name: 'bench/Scale', inports: { in: { type: 'number', required: true } }, outports: { out: { type: 'number' }, error: { type: 'object' } },
  config: { type: 'object', properties: { factor: { type: 'number', default: 1 }, label: { type: 'string', default: '' }, round: { enum: ['none', 'floor', 'ceil'], default: 'none' } } },
  process(input, ctx) {
    ctx.emit('out', input.in! * (ctx.config.factor as number));
  },
}));
registry.register(defineActor({
  name: 'bench/Merge', inports: { in: { type: 'number', addressable: true } }, outports: { out: { type: 'number' } },
  process(input, ctx) {
    ctx.emit('out', input.in!);
  },
}));
registry.register(defineActor({
  name: 'bench/Sink', inports: { in: {} }, outports: {},
  config: { type: 'object', properties: { keep: { type: 'integer', default: 10 } } },
  process() {},
}));

/** 10 pipelines of 100 nodes (source → 98 × scale → merge), cross-linked: 990 + 10 connections. */
function documentText(): string {
  const processes: Record<string, unknown> = {};
  const connections: unknown[] = [];
  const end = (nodeId: string, portId: string, index?: number) => ({ portName: '', portId, nodeId, expose: false, portType: { type: 'any' }, ...(index === undefined ? {} : { index }) });
  const perPipeline = NODES / PIPELINES;
  for (let p = 0; p < PIPELINES; p++) {
    for (let i = 0; i < perPipeline; i++) {
      const id = `p${p}n${i}`;
      const component = i === 0 ? 'bench/Source' : i === perPipeline - 1 ? 'bench/Merge' : 'bench/Scale';
      const metadata: Record<string, unknown> = { x: i * 160, y: p * 120, label: id };
      if (component === 'bench/Scale') Object.assign(metadata, { factor: (i % 7) + 1, env_vars: { BENCH_REGION: 'optional:eu' } });
      if (i % 25 === 0) metadata.retry = { attempts: 3, backoffMs: 50 };
      processes[id] = { id, component, metadata };
      if (i > 0) {
        const port = component === 'bench/Merge' ? end(id, 'in', 0) : end(id, 'in');
        connections.push({ from: end(`p${p}n${i - 1}`, 'out'), to: port, metadata: i % 10 === 0 ? { capacity: 64 } : {} });
      }
    }
    // each merge also takes the previous pipeline's last scale output on slot 1
    connections.push({ from: end(`p${(p + PIPELINES - 1) % PIPELINES}n${perPipeline - 2}`, 'out'), to: end(`p${p}n${perPipeline - 1}`, 'in', 1), metadata: { policy: 'drop-oldest' } });
    connections.push({ from: end('', ''), to: end(`p${p}n1`, 'in'), data: p });
  }
  return JSON.stringify({
    caseSensitive: false,
    properties: { name: 'bench-1000', version: '1.0.0' },
    processes,
    connections,
    inports: {},
    outports: Object.fromEntries(Array.from({ length: PIPELINES }, (_, p) => [`out${p}`, { ...end(`p${p}n${perPipeline - 1}`, 'out'), portName: 'out', portId: `out${p}`, expose: true }])),
    groups: Array.from({ length: PIPELINES }, (_, p) => ({ id: `pipeline${p}`, nodes: Array.from({ length: perPipeline }, (_, i) => `p${p}n${i}`), metadata: {} })),
  });
}

const text = documentText();
const env = { BENCH_REGION: 'us' };
const doc = JSON.parse(text) as unknown;
const { graph, problems } = readGraphJson(doc);
const errors = [...problems, ...validateGraph(graph, registry, { env })].filter((p) => p.severity === 'error');
if (errors.length > 0 || graph.nodes.size !== NODES || graph.edges.length !== NODES) {
  throw new Error(`the generated graph is not what the bench expects: ${graph.nodes.size} nodes, ${graph.edges.length} edges, ${errors.length} errors ${JSON.stringify(errors.slice(0, 3))}`);
}

interface Phase { name: string; metric: string; target: string; run: () => unknown }
const phases: Phase[] = [
  { name: 'JSON.parse', metric: 'json_parse_ms', target: 'reference', run: () => JSON.parse(text) },
  { name: 'readGraphJson', metric: 'read_ms', target: 'informational', run: () => readGraphJson(doc) },
  { name: 'validateGraph', metric: 'validate_ms', target: 'informational', run: () => validateGraph(graph, registry, { env }) },
  { name: 'loadGraph(text, registry): parse+read+validate', metric: 'load_validate_1000_ms', target: '<= 10 (of the 100 ms build+start budget)', run: () => loadGraph(text, { registry, env }) },
  { name: 'analyzeGraph (with types)', metric: 'analyze_ms', target: 'informational', run: () => analyzeGraph(graph, registry) },
  { name: 'toGraphJson + JSON.stringify', metric: 'export_ms', target: 'informational', run: () => JSON.stringify(toGraphJson(graph)) },
];

/** Median milliseconds of one call, after warm-up. */
function measure(run: () => unknown): number {
  for (let i = 0; i < WARMUP; i++) run();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

const results = phases.map((phase) => ({ phase, ms: measure(phase.run) }));
const rows = [['phase', 'median ms'], ...results.map(({ phase, ms }) => [phase.name, ms.toFixed(2)])];
const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => row[col].length)));
console.log(`graph build: ${NODES} nodes, ${graph.edges.length} connections, ${graph.initials.length} IIPs, ${(text.length / 1024).toFixed(0)} KiB of JSON`);
console.log(`(${QUICK ? 'quick smoke run' : `median of ${RUNS} runs after ${WARMUP} warm-up runs`}), Node ${process.version}`);
for (const row of rows) console.log(row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]) : cell.padStart(widths[col]))).join('  '));
for (const { phase, ms } of results) {
  console.log(`RESULT ${JSON.stringify({ bench: BENCH, metric: phase.metric, value: Number(ms.toFixed(3)), unit: 'ms', target: phase.target })}`);
}
