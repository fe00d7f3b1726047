// Building and starting a 1,000-node graph takes < 100 ms (issue 2): graph JSON -> Network.create
// (read, validate, plan, instantiate) -> start (setup hooks, IIPs). Median of runs.
//   node bench/network-build.bench.ts [--quick]
import { ComponentRegistry, Network, registerCoreComponents } from '@actorflow/network';
import { args, median, report } from './lib.ts';

const opts = args({ quick: false, nodes: 1000, runs: 15 });
const nodes = opts.nodes as number;
const registry = new ComponentRegistry();
await registerCoreComponents(registry);

/** A Reflow-form document: a chain of Repeat nodes with fan-out every 10th node, and IIPs. */
function documentOf(n: number): unknown {
  const processes: Record<string, unknown> = {};
  const connections: unknown[] = [];
  const edge = (nodeId: string, portId: string) => ({ nodeId, portId, portName: portId, expose: false, portType: { type: 'any' } });
  for (let i = 0; i < n; i++) processes[`n${i}`] = { id: `n${i}`, component: i % 10 === 0 ? 'core/Counter' : 'core/Repeat', metadata: { x: i, y: 0 } };
  for (let i = 1; i < n; i++) {
    const from = (i - 1) % 10 === 0 ? 'count' : 'out';
    connections.push({ from: edge(`n${i - 1}`, from), to: edge(`n${i}`, 'in') });
  }
  connections.push({ from: edge('', ''), to: { ...edge('n0', 'in'), index: 0 }, data: 'go' });
  return { caseSensitive: false, properties: { name: `chain-${n}` }, processes, connections, inports: {}, outports: {}, groups: [] };
}

const doc = JSON.stringify(documentOf(nodes));
const times: number[] = [];
const runs = opts.quick ? 3 : (opts.runs as number);
for (let r = 0; r < runs + 2; r++) {
  const t0 = performance.now();
  const net = await Network.create(JSON.parse(doc), { registry });
  await net.start();
  const dt = performance.now() - t0;
  if (r >= 2) times.push(dt); // two warm-up rounds
  await net.whenIdle();
  await net.stop();
}
const ms = median(times);
report({ bench: 'network-build', metric: `build + start a ${nodes.toLocaleString('en-US')}-node graph (from JSON text)`, value: Math.round(ms * 10) / 10, unit: 'ms', target: '< 100', pass: ms < 100 });
