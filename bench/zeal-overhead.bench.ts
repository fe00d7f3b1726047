// What connecting Zeal costs a run (issue #4): a run emitting ~100,000 network events, measured
// with the Zeal bridge following it (live events over Socket.IO and traces over HTTP, to the Zeal
// stand-in running as its own process, as Zeal would) versus not.
//
//   node bench/zeal-overhead.bench.ts            # 100,000 events, 31 interleaved rounds (--rounds N, --verbose: every sample)
//   node bench/zeal-overhead.bench.ts --quick    # smoke run
//
// The graph is source → double → sink. "A run emitting 100,000 events" has an ordinary subscriber
// to every event type (standing for a /ws watcher): the events are built either way, and the
// comparison is the bridge's own cost. The same comparison without that subscriber shows the
// bridge does not make the network build per-message events (it reads node activity from the
// network's statistics). Rounds interleave the four modes. Throughput is that of the median run:
// run times are bimodal (a full garbage collection lands in a few runs of either mode, at random,
// and doubles them), so the median is the stable figure; the throughput over all runs and that of
// the fastest runs are reported too.
// Targets: throughput with Zeal >= 90% of without; <= 1 trace HTTP request per 50 events.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ComponentRegistry, Network, defineActor, type Graph } from '@actorflow/network';
import { args, machine, median, report } from './lib.ts';
import { resolveZealConfig } from '../server/src/zeal/config.ts';
import { ZealIntegration } from '../server/src/zeal/integration.ts';
import { outcomeOf } from '../server/src/zeal/run.ts';
import { convertZealWorkflow } from '../server/src/zeal/converter.ts';
import type { TraceReport } from '../server/src/zeal/trace-collector.ts';
import type { ZipReport } from '../server/src/zeal/zip-session.ts';

const BENCH = 'zeal-overhead.bench.ts';
const opts = args({ events: 100_000, rounds: 31 });
const QUICK = opts.quick === true;
const TARGET_EVENTS = QUICK ? 20_000 : Number(opts.events);
const ROUNDS = QUICK ? 2 : Number(opts.rounds);
const EVENTS_PER_MESSAGE = 6; // MessageSent ×2, ActorStarted ×2, ActorCompleted ×2
const MESSAGES = Math.round(TARGET_EVENTS / EVENTS_PER_MESSAGE);

const registry = new ComponentRegistry();
registry.register(defineActor({
  name: 'bench/Source', outports: { out: { type: 'integer' } },
  config: { type: 'object', properties: { count: { type: 'integer', default: 10 } } },
  async run(ctx) {
    for (let i = 0; i < (ctx.config.count as number); i++) if (!ctx.emit('out', i)) await ctx.drained();
  },
}));
registry.register(defineActor({
  name: 'bench/Double', inports: { in: { type: 'number' } }, outports: { out: { type: 'number' } },
  process(input, ctx) {
    ctx.emit('out', (input.in as number) * 2);
  },
}));
registry.register(defineActor({ name: 'bench/Sink', inports: { in: {} }, process() {} }));

/** The workload as a Zeal workflow (so live events carry Zeal connection ids, as in production). */
const workflow = {
  id: 'wf-bench', name: 'Overhead', graphs: [{
    id: 'main', isMain: true,
    nodes: [
      { id: 'source', metadata: { templateId: 'actorflow/bench/Source', propertyValues: { count: MESSAGES } } },
      { id: 'double', metadata: { templateId: 'actorflow/bench/Double' } },
      { id: 'sink', metadata: { templateId: 'actorflow/bench/Sink' } },
    ],
    connections: [
      { id: 'c-1', source: { nodeId: 'source', portId: 'out' }, target: { nodeId: 'double', portId: 'in' } },
      { id: 'c-2', source: { nodeId: 'double', portId: 'out' }, target: { nodeId: 'sink', portId: 'in' } },
    ],
  }],
};

async function startStandIn(): Promise<{ restUrl: string; zipUrl: string; stop(): Promise<void> }> {
  const entry = fileURLToPath(new URL('../server/test/support/zeal-standin/serve.ts', import.meta.url));
  const child = spawn(process.execPath, [entry, 'wf-bench'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = await once(createInterface({ input: child.stdout! }), 'line') as [string];
  const urls = JSON.parse(line) as { restUrl: string; zipUrl: string };
  return { ...urls, async stop() {
    child.kill('SIGTERM');
    await once(child, 'exit');
  } };
}

type Mode = 'bare' | 'bare+zeal' | 'plain' | 'plain+zeal';
const MODES: readonly Mode[] = ['plain', 'plain+zeal', 'bare', 'bare+zeal'];

interface Sample {
  ms: number;
  /** Events the run emitted (counted by the plain subscriber). */
  events: number;
  requests?: number;
  zipSent?: number;
  dropped?: number;
}

async function measure(graph: Graph, mode: Mode, integration: ZealIntegration): Promise<Sample> {
  const net = await Network.create(graph, { registry });
  let events = 0;
  const sub = mode.startsWith('plain') ? net.events.subscribe(() => {
    events++;
  }, { bufferSize: 1_000_000 }) : undefined;
  const observed = mode.endsWith('+zeal') ? integration.observe({ id: `bench-${Date.now()}`, source: 'bench', graph: net.graph, events: net.events, stats: () => net.stats() }) : undefined;
  const t0 = performance.now();
  const result = await net.run();
  const ms = performance.now() - t0;
  if (result.status !== 'completed') throw new Error(`run ${result.status}`);
  await net.events.flushed();
  sub?.unsubscribe();
  if (!observed) return { ms, events };
  const r = await observed.finish(outcomeOf(result), result.stats);
  const trace = r.sinks.trace as TraceReport;
  const zip = r.sinks.zip as ZipReport;
  return { ms, events, requests: trace.requests, zipSent: zip.sent, dropped: r.dropped };
}

const zeal = await startStandIn();
const config = resolveZealConfig({ ZEAL_URL: zeal.restUrl, ZEAL_ZIP_URL: zeal.zipUrl }, { registerTemplates: false });
const integration = new ZealIntegration({ config, registry });
integration.start();
await integration.connection('wf-bench')!.ready();
const fresh = () => convertZealWorkflow(workflow, { registry, resolver: integration.resolver, namespace: 'actorflow' }).graph;

console.log(`zeal-overhead: ${MESSAGES.toLocaleString('en-US')} messages (~${(MESSAGES * EVENTS_PER_MESSAGE).toLocaleString('en-US')} events) per run, ${ROUNDS} rounds; ${machine()}`);
for (let i = 0; i < (QUICK ? 1 : 5); i++) for (const mode of MODES) await measure(fresh(), mode, integration);
const samples = Object.fromEntries(MODES.map((m) => [m, [] as Sample[]])) as Record<Mode, Sample[]>;
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? MODES : [...MODES].reverse();
  for (const mode of order) samples[mode].push(await measure(fresh(), mode, integration));
}
integration.close();
await zeal.stop();

/** Messages per second of the median run. */
const rate = (mode: Mode) => median(samples[mode].map((x) => MESSAGES / (x.ms / 1000)));
/** Messages per second over all of a mode's runs. */
const overallRate = (mode: Mode) => (MESSAGES * samples[mode].length) / (samples[mode].reduce((sum, x) => sum + x.ms, 0) / 1000);
if (opts.verbose) for (const mode of MODES) console.error(mode, samples[mode].map((x) => x.ms.toFixed(1)).join(' '));
console.log('');
console.log(`${'mode'.padEnd(46)} ${'messages/s (median run)'.padStart(24)} ${'(all runs)'.padStart(12)}`);
for (const mode of MODES) console.log(`${mode.padEnd(46)} ${Math.round(rate(mode)).toLocaleString('en-US').padStart(24)} ${Math.round(overallRate(mode)).toLocaleString('en-US').padStart(12)}`);
console.log('');
const withEvents = rate('plain+zeal') / rate('plain');
const withoutEvents = rate('bare+zeal') / rate('bare');
const best = (mode: Mode) => Math.min(...samples[mode].map((x) => x.ms));
const bestRatio = best('plain') / best('plain+zeal');
const events = median(samples['plain+zeal'].map((s) => s.events));
const requests = median(samples['plain+zeal'].map((s) => s.requests!));
const dropped = Math.max(...MODES.filter((m) => m.endsWith('+zeal')).flatMap((m) => samples[m].map((s) => s.dropped!)));
report({ bench: BENCH, metric: 'events emitted per run', value: events, unit: 'events' });
report({ bench: BENCH, metric: 'throughput with Zeal / without (run emitting the events)', value: Number(withEvents.toFixed(3)), unit: 'ratio', target: '>= 0.90', pass: withEvents >= 0.9 });
report({ bench: BENCH, metric: 'throughput with Zeal / without, over all runs (run emitting the events)', value: Number((overallRate('plain+zeal') / overallRate('plain')).toFixed(3)), unit: 'ratio' });
report({ bench: BENCH, metric: 'throughput with Zeal / without, fastest runs (run emitting the events)', value: Number(bestRatio.toFixed(3)), unit: 'ratio' });
// Informational: without a subscriber the run is a few milliseconds, so the bridge's fixed per-run
// cost (opening the trace session, execution.started) weighs more than its per-event cost (none).
report({ bench: BENCH, metric: 'throughput with Zeal / without (no event subscriber)', value: Number(withoutEvents.toFixed(3)), unit: 'ratio' });
const per50 = (requests * 50) / events;
report({ bench: BENCH, metric: 'trace HTTP requests per 50 events', value: Number(per50.toFixed(4)), unit: 'requests', target: '<= 1', pass: per50 <= 1 });
report({ bench: BENCH, metric: 'trace HTTP requests per run', value: requests, unit: 'requests' });
report({ bench: BENCH, metric: 'ZIP messages per run', value: median(samples['plain+zeal'].map((s) => s.zipSent!)), unit: 'messages' });
report({ bench: BENCH, metric: 'events dropped by the bridge (worst run)', value: dropped, unit: 'events', target: '0', pass: dropped === 0 });
