// The transform components in pipelines, through the public API (messages/s at steady state):
//   1. field steps + JSON Schema validation (no expressions): Transform → Transform → Validate
//   2. per-message expressions (sandboxed QuickJS): Map → Filter → Map
//   3. the operations pipeline over 100-item arrays: filter, map, sort, group, aggregate (items/s)
//   4. CSV: CsvParse of 1,000-row texts → Operations → CsvFormat (rows/s)
//   node bench/components-transform.bench.ts [--quick] [--runs 3]
import { ComponentRegistry, Graph, Network, registerCoreComponents, type Metadata } from '@actorflow/network';
import { registerComponents } from '@actorflow/components';
import { args, machine, median, report } from './lib.ts';

const opts = args({ quick: false, runs: 3 });
const bench = 'components-transform';
const runs = opts.quick ? 1 : Number(opts.runs);

const registry = new ComponentRegistry();
await registerCoreComponents(registry);
await registerComponents(registry);

/** A linear pipeline of [component, config] stages between exported `in` and `out`. */
function pipeline(stages: [string, Metadata, string?, string?][]): Graph {
  const g = new Graph({ name: 'bench' });
  stages.forEach(([component, config], i) => g.addNode(`s${i}`, component, config));
  for (let i = 1; i < stages.length; i++) g.addEdge({ node: `s${i - 1}`, port: stages[i - 1][3] ?? 'out' }, { node: `s${i}`, port: stages[i][2] ?? 'in' });
  g.addInport('in', 's0', stages[0][2] ?? 'in');
  g.addOutport('out', `s${stages.length - 1}`, stages[stages.length - 1][3] ?? 'out');
  return g;
}

/** Sends `count` packets (with backpressure) and returns the seconds until `expected` outputs arrived. */
async function measure(graph: Graph, make: (i: number) => unknown, count: number, expected = count): Promise<number> {
  const net = await Network.create(graph, { registry, timing: false, resultLimit: 0 });
  let seen = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  net.onOutput(() => {
    if (++seen === expected) done();
  });
  await net.start();
  const t0 = performance.now();
  for (let i = 0; i < count; i++) if (!net.send('in', make(i))) await net.drained('in');
  await finished;
  const seconds = (performance.now() - t0) / 1000;
  await net.stop();
  return seconds;
}

/** Runs a scenario `runs` times after a warm-up; `outputs(count)` is how many packets reach `out`. */
async function scenario(metric: string, unit: string, graph: () => Graph, make: (i: number) => unknown, count: number, perMessage = 1, outputs = (c: number) => c): Promise<void> {
  const warm = Math.min(count, 2000);
  await measure(graph(), make, warm, outputs(warm)); // JIT, QuickJS, compiled schemas
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) rates.push((count * perMessage) / await measure(graph(), make, count, outputs(count)));
  report({ bench, metric, value: Math.round(median(rates)), unit, runs });
}

console.log(`components-transform (${machine()})`);
const order = (i: number) => ({ id: i, customer: { first: 'ada', last: 'lovelace' }, items: [{ sku: 'a', qty: 2, price: 1.5 }], status: i % 3 ? 'open' : 'closed', note: '{"tag":"x"}' });
const n = (full: number) => (opts.quick ? Math.max(1000, full / 20) : full);

await scenario('field steps + validation (3 stages), msgs/s', 'msg/s', () => pipeline([
  ['transform/Transform', { operations: [{ op: 'set', path: 'seen', value: true }, { op: 'rename', path: 'customer.first', to: 'customer.given' }, { op: 'case', path: 'status', to: 'upper' }] }],
  ['transform/Transform', { operations: [{ op: 'parseJson', path: 'note' }, { op: 'delete', path: 'items' }] }],
  ['transform/Validate', { schema: { type: 'object', required: ['id', 'status'], properties: { id: { type: 'integer' }, status: { enum: ['OPEN', 'CLOSED'] } } } }, 'in', 'valid'],
]), order, n(200_000));

await scenario('expressions Map → Filter → Map (QuickJS), msgs/s', 'msg/s', () => pipeline([
  ['transform/Map', { expression: '({ id: data.id, total: data.items.reduce((s, x) => s + x.qty * x.price, 0), status: data.status })' }],
  ['transform/Filter', { expression: "data.status === 'open'" }],
  ['transform/Map', { expression: '({ ...data, vat: Math.round(data.total * 21) / 100 })' }],
]), order, n(60_000), 1, (c) => c - Math.ceil(c / 3)); // status is 'closed' for every third order

const ARRAY = 100;
await scenario(`operations pipeline over ${ARRAY}-item arrays (filter, map, sort, group, aggregate), items/s`, 'item/s', () => pipeline([
  ['transform/Operations', { operations: [
    { type: 'filter', expression: "item.status !== 'closed'" },
    { type: 'map', set: { total: 'item.qty * item.price' } },
    { type: 'sort', field: 'total', direction: 'desc' },
    { type: 'group', field: 'dept' },
    { type: 'aggregate', function: 'sum', field: 'total' },
  ] }],
]), (i) => Array.from({ length: ARRAY }, (_, k) => ({ id: i * ARRAY + k, dept: `d${k % 5}`, qty: k % 7, price: 1 + (k % 3), status: k % 4 ? 'open' : 'closed' })), n(2_000), ARRAY);

const ROWS = 1000;
const csv = ['sku,qty,price', ...Array.from({ length: ROWS }, (_, k) => `sku-${k},${k % 9},${(k % 50) / 4}`)].join('\n');
await scenario(`CSV ${ROWS}-row texts: parse → filter → format, rows/s`, 'row/s', () => pipeline([
  ['transform/CsvParse', { cast: true }],
  ['transform/Operations', { operations: [{ type: 'filter', expression: 'item.qty > 0' }] }],
  ['transform/CsvFormat', {}],
]), () => csv, n(200), ROWS);
