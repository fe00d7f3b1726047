// The live channel when Zeal misbehaves: down at start, killed mid-run, refusing the workflow,
// failing auth. The run completes normally every time, the bridge recovers, counts are reported.
// Also: a sink that throws or hangs never reaches the run, and a workflow re-published mid-run
// is applied to the running graph.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Graph, Network, type ComponentRegistry, type NetworkEvent } from '@actorflow/network';
import { resolveZealConfig, type ZealConfigOverrides } from '../src/zeal/config.ts';
import { EventBridge } from '../src/zeal/event-bridge.ts';
import { ZealIntegration } from '../src/zeal/integration.ts';
import { outcomeOf } from '../src/zeal/run.ts';
import type { BridgeSink } from '../src/zeal/sink.ts';
import { runFollowed, zipOf } from './support/zeal-standin/harness.ts';
import { linearWorkflow, testRegistry, zealConnection, ZealObserver, ZealStandIn, zealGraph, zealNode } from './support/zeal-standin/index.ts';

let registry: ComponentRegistry;
before(async () => {
  registry = await testRegistry();
});

const QUICK: ZealConfigOverrides = { registerTemplates: false, finishTimeoutMs: 8000, windowMs: 20, zip: { reconnectBaseMs: 20, reconnectMaxMs: 100 } };

function live(zeal: ZealStandIn, overrides: ZealConfigOverrides = QUICK): ZealIntegration {
  const integration = new ZealIntegration({ config: resolveZealConfig({ ZEAL_ZIP_URL: zeal.zipUrl }, { ...QUICK, ...overrides }), registry });
  integration.start();
  return integration;
}

/** emit → delay (ms) → sink, as a Zeal workflow: the run stays busy for a while. */
function slowWorkflow(id: string, delay: number) {
  return { id, name: 'Slow', graphs: [zealGraph('main', [
    zealNode('emit', 'test/Emit', { values: { count: 3 } }),
    zealNode('delay', 'core/Delay', { values: { delay } }),
    zealNode('sink', 'test/Sink'),
  ], [zealConnection('c-1', 'emit', 'out', 'delay', 'in'), zealConnection('c-2', 'delay', 'out', 'sink', 'in')])] };
}

describe('the live channel when Zeal misbehaves', () => {
  let zeal: ZealStandIn;

  before(async () => {
    zeal = await ZealStandIn.start([{ id: 'wf-down', name: 'Down' }, { id: 'wf-kill', name: 'Killed' }, { id: 'wf-auth', name: 'Auth' }]);
  });
  after(async () => {
    await zeal.close();
  });

  it('holds the events while Zeal is down at the start, and delivers them once it is back', async () => {
    await zeal.stop();
    const integration = live(zeal);
    try {
      const run = await runFollowed(integration, registry, linearWorkflow('wf-down', 3));
      assert.equal(run.result.status, 'completed');
      await zeal.restart();
      const report = await run.finished;
      const zip = zipOf(report);
      assert.equal(zip.acknowledged, zip.queued);
      assert.equal(report.dropped, 0);
      const types = zeal.runtimeEvents().map((m) => (m.payload as { type: string }).type);
      assert.equal(types[0], 'execution.started');
      assert.equal(types.at(-1), 'execution.completed');
    } finally {
      integration.close();
    }
  });

  it('survives Zeal being killed mid-run: the run completes, the connection comes back, what was lost is counted', async () => {
    const integration = live(zeal);
    try {
      const before = zeal.messages.length;
      const running = runFollowed(integration, registry, slowWorkflow('wf-kill', 150));
      await zeal.waitFor('the run\'s first node event', () => zeal.messages.slice(before).find((m) => (m.payload as { type?: string })?.type === 'node.executing'));
      await zeal.stop();
      const run = await running;
      assert.equal(run.result.status, 'completed');
      await zeal.restart();
      const report = await run.finished;
      const zip = zipOf(report);
      // Every event has an outcome: acknowledged, or counted (dropped includes those lost in flight).
      assert.equal(zip.acknowledged + zip.rejected + zip.dropped - zip.framesDropped, zip.queued);
      assert.equal(zip.rejected, 0);
      const conn = integration.status().connections.find((c) => c.workflowId === 'wf-kill')!;
      assert.equal(conn.state, 'ready');
      assert.ok(conn.connects >= 2, 'reconnected and authenticated again');
      // The end of the run reached Zeal after the restart.
      assert.ok(zeal.runtimeEvents().some((m) => (m.payload as { type: string }).type === 'execution.completed' && (m.payload as { workflowId: string }).workflowId === 'wf-kill'));
      // And the next run is delivered in full.
      const next = await runFollowed(integration, registry, linearWorkflow('wf-kill', 2));
      const nextReport = await next.finished;
      assert.equal(nextReport.dropped, 0);
      assert.equal(zipOf(nextReport).acknowledged, zipOf(nextReport).queued);
    } finally {
      integration.close();
    }
  });

  it('stops sending for a workflow Zeal does not know (WORKFLOW_NOT_FOUND), counting the run\'s events as dropped', async () => {
    const integration = live(zeal);
    try {
      const run = await runFollowed(integration, registry, linearWorkflow('wf-unknown', 2));
      assert.equal(run.result.status, 'completed');
      const report = await run.finished;
      const zip = zipOf(report);
      assert.equal(zip.connection, 'rejected');
      assert.equal(zip.acknowledged, 0);
      assert.equal(zip.dropped, zip.queued);
      assert.match(zip.lastError ?? '', /WORKFLOW_NOT_FOUND: Workflow wf-unknown not found/);
      assert.equal(zeal.messages.filter((m) => m.event === 'auth' && (m.payload as { workflowId: string }).workflowId === 'wf-unknown').length, 1, 'no retry storm');
    } finally {
      integration.close();
    }
  });

  it('retries auth after AUTH_ERROR and then delivers', async () => {
    zeal.faults = { authThrows: true };
    const integration = live(zeal);
    try {
      const conn = integration.connection('wf-auth')!;
      await zeal.waitFor('a refused auth', () => zeal.messages.find((m) => m.event === 'auth' && m.reply === 'AUTH_ERROR'));
      zeal.faults = {};
      await conn.ready();
      const run = await runFollowed(integration, registry, linearWorkflow('wf-auth', 2));
      const report = await run.finished;
      assert.equal(report.dropped, 0);
      assert.ok(conn.stats().authFailures >= 1);
    } finally {
      zeal.faults = {};
      integration.close();
    }
  });
});

describe('a workflow updated in Zeal while it runs', () => {
  it('applies the published graph to the running network and reports the new nodes with their Zeal ids', async () => {
    const v1 = slowWorkflow('wf-upd', 100);
    const zeal = await ZealStandIn.start([{ id: 'wf-upd', name: 'Updated', graphs: v1.graphs }]);
    const integration = live(zeal);
    const observer = await ZealObserver.join(zeal.zipUrl, 'wf-upd');
    try {
      await integration.connection('wf-upd')!.ready();
      const { graph } = integration.convert(v1);
      const net = await Network.create(graph, { registry });
      const observed = integration.observe({ id: 'run-upd', source: 'zeal', graph: net.graph, events: net.events, stats: () => net.stats(), metadata: { zeal: { workflowId: 'wf-upd' } } })!;
      const running = net.run();
      const v2 = slowWorkflow('wf-upd', 100);
      v2.graphs[0].nodes.push(zealNode('tap', 'test/Sink'));
      v2.graphs[0].connections.push(zealConnection('c-tap', 'delay', 'out', 'tap', 'in'));
      zeal.publish('wf-upd', v2.graphs);
      await observer.waitFor('the published workflow', (o) => o.payload?.type === 'workflow.published');
      const result = await running;
      assert.equal(result.status, 'completed');
      assert.ok(net.graph.nodes.has('tap'), 'the new node was added to the live graph');
      assert.ok(net.graph.getEdge({ node: 'delay', port: 'out' }, { node: 'tap', port: 'in' }));
      await observed.finish(outcomeOf(result), result.stats);
      const tapped = observer.zipEvents('node.executing').find((e) => e.nodeId === 'tap');
      assert.deepEqual(tapped?.inputConnections, ['c-tap']);
    } finally {
      observer.close();
      integration.close();
      await zeal.close();
    }
  });
});

describe('the EventBridge', () => {
  function sink(name: string, behaviour: Partial<BridgeSink>): BridgeSink {
    return { name, activity() {}, event() {}, async finish() {}, abandon() {}, report: () => ({ delivered: 0, dropped: 0 }), ...behaviour };
  }

  /** emit (100) → chatty (an ActorLog event per message) → sink. */
  async function run(bridge: EventBridge) {
    const g = new Graph({}, { caseSensitive: true });
    g.addNode('emit', 'test/Emit', { count: 100 });
    g.addNode('chatty', 'test/Chatty');
    g.addNode('sink', 'test/Sink');
    g.addEdge({ node: 'emit', port: 'out' }, { node: 'chatty', port: 'in' });
    g.addEdge({ node: 'chatty', port: 'out' }, { node: 'sink', port: 'in' });
    const net = await Network.create(g, { registry });
    bridge.attach({ hub: net.events, graph: net.graph, stats: () => net.stats() });
    const result = await net.run();
    return { result, report: await bridge.finish(outcomeOf(result), result.stats) };
  }

  it('contains a sink that throws: the run completes, the other sinks get every event, the errors are counted', async () => {
    const seen: NetworkEvent[] = [];
    const failures: string[] = [];
    const bridge = new EventBridge({
      sinks: [sink('broken', { event() { throw new Error('sink bug'); } }), sink('good', { event: (e) => void seen.push(e) })],
      windowMs: 10, finishTimeoutMs: 1000, onSinkError: (name) => failures.push(name),
    });
    const { result, report } = await run(bridge);
    assert.equal(result.status, 'completed');
    assert.equal(seen.length, report.received);
    assert.equal(report.sinkErrors, report.received);
    assert.deepEqual(failures, ['broken'], 'logged once');
  });

  it('gives up on a sink that does not finish by the deadline, which then counts what it held as dropped', async () => {
    let abandoned = false;
    const bridge = new EventBridge({
      sinks: [sink('stuck', { finish: () => new Promise(() => {}), abandon: () => void (abandoned = true), report: () => ({ delivered: 0, dropped: abandoned ? 7 : 0 }) })],
      windowMs: 10, finishTimeoutMs: 100,
    });
    const { result, report } = await run(bridge);
    assert.equal(result.status, 'completed');
    assert.equal(report.timedOut, true);
    assert.equal(abandoned, true);
    assert.equal(report.dropped, 7);
  });

  it('counts what the hub dropped when the bridge fell behind its bounded buffer', async () => {
    const bridge = new EventBridge({ sinks: [sink('any', {})], bufferSize: 10, windowMs: 10, finishTimeoutMs: 1000 });
    const { result, report } = await run(bridge);
    assert.equal(result.status, 'completed');
    assert.ok(report.hubDropped > 0);
    assert.equal(report.dropped, report.hubDropped);
  });
});
