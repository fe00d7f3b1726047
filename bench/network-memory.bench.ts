// Memory (issue 2 targets): 100,000 idle pass-through actors cost <= 1 KB of heap each; a 5M-message
// burst into a slow sink keeps RSS growth under 50 MB (backpressure bounds every queue).
//   node --expose-gc bench/network-memory.bench.ts [--quick]
import { ComponentRegistry, defineActor, Graph, Network, registerCoreComponents } from '@actorflow/network';
import { args, report, settledHeap } from './lib.ts';

const opts = args({ quick: false, actors: 100_000, burst: 5_000_000 });
const actors = opts.quick ? 10_000 : (opts.actors as number);
const burst = opts.quick ? 500_000 : (opts.burst as number);
const bench = 'network-memory';

const registry = new ComponentRegistry();
await registerCoreComponents(registry);

// ---- idle actors: a chain of core/Repeat, started, nothing flowing
{
  const before = settledHeap();
  const g = new Graph({ name: 'idle' });
  for (let i = 0; i < actors; i++) g.addNode(`n${i}`, 'core/Repeat');
  for (let i = 1; i < actors; i++) g.addEdge({ node: `n${i - 1}`, port: 'out' }, { node: `n${i}`, port: 'in' });
  const afterGraph = settledHeap();
  const net = await Network.create(g, { registry, live: false });
  await net.start();
  await net.whenIdle();
  const afterNet = settledHeap();
  const graphPer = (afterGraph - before) / actors;
  const netPer = (afterNet - afterGraph) / actors;
  report({ bench, metric: `heap per idle actor (runtime), ${actors.toLocaleString('en-US')} actors`, value: Math.round(netPer), unit: 'bytes', target: '<= 1024', pass: netPer <= 1024 });
  report({ bench, metric: 'heap per node of the graph model (for reference)', value: Math.round(graphPer), unit: 'bytes' });
  report({ bench, metric: 'heap per idle actor, runtime + graph model', value: Math.round(netPer + graphPer), unit: 'bytes' });
  await net.stop();
}

// ---- a burst into a slow sink
{
  const Burst = defineActor({
    name: 'bench/Burst', inports: { count: { type: 'integer' } }, outports: { out: {} },
    async process(input, ctx) {
      for (let i = 0; i < input.count!; i++) if (!ctx.emit('out', { i, payload: 'x'.repeat(16) })) await ctx.drained();
    },
  });
  const SlowSink = defineActor({
    name: 'bench/SlowSink', inports: { in: {} },
    state: () => ({ n: 0 }),
    async process(_input, ctx) {
      if (++ctx.state.n % 1000 === 0) await new Promise((r) => setImmediate(r));
    },
  });
  registry.register(Burst);
  registry.register(SlowSink);
  const g = new Graph({ name: 'burst' });
  g.addNode('src', 'bench/Burst');
  g.addNode('relay', 'core/Repeat');
  g.addNode('sink', 'bench/SlowSink');
  g.addEdge({ node: 'src', port: 'out' }, { node: 'relay', port: 'in' });
  g.addEdge({ node: 'relay', port: 'out' }, { node: 'sink', port: 'in' });
  g.addInitial(burst, { node: 'src', port: 'count' });
  settledHeap();
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const t0 = performance.now();
  const result = await (await Network.create(g, { registry })).run();
  clearInterval(timer);
  const seconds = (performance.now() - t0) / 1000;
  if (result.stats.nodes.sink.firings !== burst) throw new Error(`sink saw ${result.stats.nodes.sink.firings} of ${burst}`);
  const growth = (peak - rss0) / 2 ** 20;
  report({ bench, metric: `RSS growth, ${burst.toLocaleString('en-US')}-message burst into a slow sink`, value: Math.round(growth * 10) / 10, unit: 'MB', target: '< 50', pass: growth < 50 });
  report({ bench, metric: 'burst throughput (slow sink yields every 1000)', value: Math.round(burst / seconds), unit: 'msg/s' });
  report({ bench, metric: 'deepest inbox during the burst', value: Math.max(result.stats.nodes.relay.peakQueued, result.stats.nodes.sink.peakQueued), unit: 'msgs', target: '<= 256 + one firing' });
}
