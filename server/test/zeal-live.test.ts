// The live channel (ZIP over Socket.IO) against the Zeal stand-in: what Zeal receives, validates
// and broadcasts to the editor when Actorflow runs a Zeal workflow.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { io, type Socket } from 'socket.io-client';
import { defineActor, type ComponentRegistry } from '@actorflow/network';
import { resolveZealConfig, type ZealConfigOverrides } from '../src/zeal/config.ts';
import { ZealIntegration } from '../src/zeal/integration.ts';
import { runFollowed, zipOf } from './support/zeal-standin/harness.ts';
import { linearWorkflow, testRegistry, ZealObserver, ZealStandIn, zealConnection, zealGraph, zealNode } from './support/zeal-standin/index.ts';

let registry: ComponentRegistry;

before(async () => {
  registry = await testRegistry();
});

function integrationFor(zeal: ZealStandIn, settings: Record<string, string> = {}, overrides: ZealConfigOverrides = {}): ZealIntegration {
  const config = resolveZealConfig({ ZEAL_ZIP_URL: zeal.zipUrl, ...settings }, { registerTemplates: false, finishTimeoutMs: 5000, windowMs: 20, ...overrides });
  const integration = new ZealIntegration({ config, registry });
  integration.start();
  return integration;
}

/** Converts a Zeal workflow, runs it on a real Network followed by the bridge, returns the report. */
async function runWorkflow(integration: ZealIntegration, workflow: object) {
  const run = await runFollowed(integration, registry, workflow);
  return { result: run.result, report: await run.finished, id: run.id };
}

describe('ZIP live events for a run of a Zeal workflow', () => {
  let zeal: ZealStandIn;
  let observer: ZealObserver;
  let integration: ZealIntegration;
  let run: Awaited<ReturnType<typeof runWorkflow>>;

  before(async () => {
    const workflow = linearWorkflow('wf-live', 3);
    zeal = await ZealStandIn.start([{ id: 'wf-live', name: 'Linear', graphs: workflow.graphs }]);
    observer = await ZealObserver.join(zeal.zipUrl, 'wf-live');
    integration = integrationFor(zeal);
    run = await runWorkflow(integration, workflow);
    await observer.waitFor('execution.completed', (o) => o.payload?.type === 'execution.completed');
  });

  after(async () => {
    integration.close();
    observer.close();
    await zeal.close();
  });

  it('authenticates with {type:"auth", workflowId} before sending any runtime event', () => {
    const mine = zeal.messages.filter((m) => m.event === 'auth' && (m.payload as { metadata?: { runtime?: string } }).metadata?.runtime === 'actorflow');
    assert.equal(mine.length, 1);
    assert.deepEqual((mine[0].payload as Record<string, unknown>).type, 'auth');
    assert.equal((mine[0].payload as Record<string, unknown>).workflowId, 'wf-live');
    const firstEvent = zeal.messages.findIndex((m) => m.event === 'runtime.event');
    assert.ok(zeal.messages.indexOf(mine[0]) < firstEvent);
  });

  it('sends only events Zeal validates: every runtime.event is acknowledged', () => {
    const events = zeal.runtimeEvents();
    assert.ok(events.length >= 6, `sent ${events.length} events`);
    assert.deepEqual(events.filter((m) => m.reply !== 'acknowledged').map((m) => m.reply), []);
    assert.equal(zipOf(run.report).acknowledged, events.length);
    assert.equal(run.report.dropped, 0);
  });

  it('uses ISO string timestamps, the workflow id, type-specific fields under data, and never an object in the top-level error', () => {
    for (const { payload } of zeal.runtimeEvents()) {
      const e = payload as Record<string, unknown>;
      assert.equal(typeof e.timestamp, 'string');
      assert.ok(!Number.isNaN(Date.parse(e.timestamp as string)) && (e.timestamp as string).endsWith('Z'));
      assert.equal(e.workflowId, 'wf-live');
      assert.ok(e.error === undefined || typeof e.error === 'string');
      if (String(e.type).startsWith('node.') || String(e.type).startsWith('execution.')) assert.equal(typeof e.data, 'object');
    }
  });

  it('puts Zeal connection ids in inputConnections and outputConnections, as the editor receives them', () => {
    const executing = observer.zipEvents('node.executing');
    const completed = observer.zipEvents('node.completed');
    assert.deepEqual(executing.find((e) => e.nodeId === 'double')?.inputConnections, ['c-emit-double']);
    assert.deepEqual(executing.find((e) => e.nodeId === 'sink')?.inputConnections, ['c-double-sink']);
    assert.deepEqual(completed.find((e) => e.nodeId === 'double')?.outputConnections, ['c-double-sink']);
    assert.deepEqual(completed.find((e) => e.nodeId === 'sink')?.outputConnections, []);
    // A source node (it emits from run(), it never fires) shows as executing, then sending on its connection.
    assert.deepEqual(executing.find((e) => e.nodeId === 'emit')?.inputConnections, []);
    assert.deepEqual(completed.find((e) => e.nodeId === 'emit')?.outputConnections, ['c-emit-double']);
    for (const e of completed) assert.ok(Number.isInteger(e.duration));
  });

  it('opens with execution.started carrying the session id and closes with execution.completed carrying duration, nodesExecuted and summary', () => {
    const [started] = observer.zipEvents('execution.started');
    const [completed] = observer.zipEvents('execution.completed');
    assert.equal(started.sessionId, run.id);
    assert.equal(started.workflowName, 'Linear');
    assert.equal(started.metadata.runId, run.id);
    assert.equal(completed.sessionId, run.id);
    assert.equal(completed.nodesExecuted, 3);
    assert.deepEqual(completed.summary, { successCount: 3, errorCount: 0, warningCount: 0 });
    assert.ok(Number.isInteger(completed.duration));
    const types = observer.zipEvents().map((e) => e.type);
    assert.equal(types[0], 'execution.started');
    assert.equal(types.at(-1), 'execution.completed');
  });

  it('ignores its own events echoed back as zip.event', () => {
    const stats = integration.status().connections.find((c) => c.workflowId === 'wf-live')!;
    assert.equal(stats.echoes, zeal.runtimeEvents().length);
  });

  it('keeps every message far below Engine.IO\'s 1 MB limit', () => {
    for (const m of zeal.messages) assert.ok(m.bytes < 1_000_000, `${m.event} of ${m.bytes} bytes`);
  });
});

describe('ZIP live events under load and failure', () => {
  let zeal: ZealStandIn;
  let observer: ZealObserver;
  let integration: ZealIntegration;

  before(async () => {
    zeal = await ZealStandIn.start([{ id: 'wf-busy', name: 'Busy' }, { id: 'wf-fail', name: 'Failing' }, { id: 'wf-stream', name: 'Streams' }]);
    observer = await ZealObserver.join(zeal.zipUrl, 'wf-busy');
    integration = integrationFor(zeal);
  });

  after(async () => {
    integration.close();
    observer.close();
    await zeal.close();
  });

  it('coalesces a node firing thousands of times into a few node events per window', async () => {
    const { report } = await runWorkflow(integration, linearWorkflow('wf-busy', 5000));
    const doubles = zeal.runtimeEvents().filter((m) => (m.payload as { nodeId?: string }).nodeId === 'double');
    assert.ok(doubles.length < 200, `${doubles.length} events for 5000 firings`);
    const sent = doubles.filter((m) => (m.payload as { type: string }).type === 'node.completed')
      .reduce((n, m) => n + ((m.payload as { metadata: { messagesOut: number } }).metadata.messagesOut), 0);
    assert.equal(sent, 5000, 'every message the node sent is accounted for');
    assert.ok(zipOf(report).coalesced > 4000);
    assert.equal(report.dropped, 0);
  });

  it('reports a failing node with node.failed (error under data) and the run with execution.failed', async () => {
    const failing = { id: 'wf-fail', name: 'Failing', graphs: [zealGraph('main', [
      zealNode('emit', 'test/Emit', { values: { count: 3 } }),
      zealNode('fail', 'test/FailOn', { values: { failOn: 1 } }),
    ], [zealConnection('c-1', 'emit', 'out', 'fail', 'in')])] };
    const watcher = await ZealObserver.join(zeal.zipUrl, 'wf-fail');
    try {
      const { result } = await runWorkflow(integration, failing);
      assert.equal(result.status, 'failed');
      const failed = await watcher.waitFor('node.failed', (o) => o.payload?.type === 'node.failed');
      assert.equal(failed.payload.nodeId, 'fail');
      assert.equal(failed.payload.error.message, 'boom on 1');
      assert.equal(failed.payload.error.code, 'BOOM');
      const end = await watcher.waitFor('execution.failed', (o) => o.payload?.type === 'execution.failed');
      assert.equal(end.payload.error.nodeId, 'fail');
      assert.match(end.payload.error.message, /boom on 1/);
      const rejected = zeal.runtimeEvents().filter((m) => m.reply !== 'acknowledged');
      assert.deepEqual(rejected, []);
    } finally {
      watcher.close();
    }
  });

  it('sends stream.opened / stream.closed events and binary frames in Zeal\'s frame format', async () => {
    const streaming = { id: 'wf-stream', name: 'Streams', graphs: [zealGraph('main', [
      zealNode('emit', 'test/Emit', { values: { count: 1 } }),
      zealNode('bytes', 'test/Bytes', { values: { chunks: 3, size: 4 } }),
      zealNode('sink', 'test/Sink'),
    ], [zealConnection('c-1', 'emit', 'out', 'bytes', 'in'), zealConnection('c-2', 'bytes', 'bytes', 'sink', 'in')])] };
    const watcher = await ZealObserver.join(zeal.zipUrl, 'wf-stream');
    try {
      await runWorkflow(integration, streaming);
      const closed = await watcher.waitFor('stream.closed', (o) => o.payload?.type === 'stream.closed');
      const opened = watcher.zipEvents('stream.opened')[0];
      assert.equal(opened.nodeId, 'bytes');
      assert.equal(opened.port, 'bytes');
      assert.equal(typeof opened.streamId, 'number');
      assert.equal(opened.contentType, 'application/octet-stream');
      assert.equal(closed.payload.streamId, opened.streamId);
      assert.equal(closed.payload.totalBytes, 12);
      await watcher.waitFor('end frame', (o) => o.event === 'stream.frame.parsed' && o.payload.type === 'end');
      const parsed = watcher.received.filter((o) => o.event === 'stream.frame.parsed').map((o) => o.payload);
      assert.deepEqual(parsed.map((p) => p.type), ['begin', 'data', 'data', 'data', 'end']);
      assert.ok(parsed.every((p) => p.streamId === opened.streamId));
      assert.equal(parsed[0].metadata.content_type, 'application/octet-stream');
      assert.deepEqual(parsed.filter((p) => p.type === 'data').map((p) => p.payloadSize), [4, 4, 4]);
    } finally {
      watcher.close();
    }
  });
});

describe('a byte stream with chunks bigger than a Socket.IO message may be', () => {
  it('splits each chunk into frames of at most 512 KiB, which Zeal takes without closing the connection', async () => {
    const zeal = await ZealStandIn.start([{ id: 'wf-big', name: 'Big' }]);
    const integration = integrationFor(zeal);
    try {
      const wf = { id: 'wf-big', name: 'Big', graphs: [zealGraph('main', [
        zealNode('emit', 'test/Emit', { values: { count: 1 } }),
        zealNode('bytes', 'test/Bytes', { values: { chunks: 2, size: 1_200_000 } }),
        zealNode('sink', 'test/Sink'),
      ], [zealConnection('c-1', 'emit', 'out', 'bytes', 'in'), zealConnection('c-2', 'bytes', 'bytes', 'sink', 'in')])] };
      const { report } = await runWorkflow(integration, wf);
      assert.equal(report.dropped, 0);
      const frames = zeal.messages.filter((m) => m.event === 'stream.frame');
      assert.equal(frames.length, 1 + 2 * 3 + 1, 'begin, three frames per chunk, end');
      assert.ok(frames.every((m) => m.bytes <= 512 * 1024 + 9 && m.reply === 'broadcast'));
      assert.equal(integration.status().connections[0].disconnects, 0);
    } finally {
      integration.close();
      await zeal.close();
    }
  });
});

describe('the Zeal stand-in refuses what Zeal refuses', () => {
  let zeal: ZealStandIn;
  let client: Socket;

  before(async () => {
    zeal = await ZealStandIn.start([{ id: 'wf-strict', name: 'Strict' }]);
    client = io(zeal.zipUrl, { path: '/zip/events', transports: ['websocket'], forceNew: true, reconnection: false });
    client.emit('auth', { type: 'auth', workflowId: 'wf-strict' });
    await zeal.waitFor('auth', () => zeal.messages.find((m) => m.event === 'auth' && m.reply === 'auth.success'));
  });
  after(async () => {
    client.close();
    await zeal.close();
  });

  const reply = async (payload: unknown) => {
    const before = zeal.messages.length;
    client.emit('runtime.event', payload);
    return (await zeal.waitFor('the reply', () => zeal.messages.slice(before).find((m) => m.event === 'runtime.event' && m.reply))).reply;
  };
  const at = new Date().toISOString();

  it('a numeric timestamp, the spec\'s event names, and an object in the top-level error', async () => {
    assert.equal(await reply({ type: 'node.completed', workflowId: 'wf-strict', timestamp: Date.now() }), 'VALIDATION_ERROR');
    assert.equal(await reply({ type: 'node.execution.start', workflowId: 'wf-strict', timestamp: at }), 'VALIDATION_ERROR');
    assert.equal(await reply({ type: 'node.failed', workflowId: 'wf-strict', timestamp: at, error: { message: 'x' } }), 'VALIDATION_ERROR');
    assert.equal(await reply({ type: 'node.failed', workflowId: 'wf-strict', timestamp: at, data: { error: { message: 'x' } } }), 'acknowledged');
  });

  it('closes the connection on a message over Engine.IO\'s 1,000,000 bytes', async () => {
    const gone = new Promise<string>((resolve) => client.once('disconnect', resolve));
    client.emit('runtime.event', { type: 'node.completed', workflowId: 'wf-strict', timestamp: at, data: { blob: 'x'.repeat(1_000_100) } });
    assert.equal(await gone, 'transport close');
  });
});

describe('live events for a node failing with a huge error', () => {
  it('clips the error so the message stays under 1 MB, and Zeal accepts it', async () => {
    const zeal = await ZealStandIn.start([{ id: 'wf-huge', name: 'Huge' }]);
    const integration = integrationFor(zeal);
    try {
      registry.register(defineActor({ name: 'test/Huge', inports: { in: {} }, process() { throw new Error('y'.repeat(3_000_000)); } }));
      const wf = { id: 'wf-huge', name: 'Huge', graphs: [zealGraph('main', [zealNode('emit', 'test/Emit', { values: { count: 1 } }), zealNode('huge', 'test/Huge')], [zealConnection('c-1', 'emit', 'out', 'huge', 'in')])] };
      const { result, report } = await runWorkflow(integration, wf);
      assert.equal(result.status, 'failed');
      assert.equal(report.dropped, 0);
      const failed = zeal.runtimeEvents().find((m) => (m.payload as { type: string }).type === 'node.failed')!;
      assert.equal(failed.reply, 'acknowledged');
      assert.ok(failed.bytes < 20_000, `${failed.bytes} bytes`);
    } finally {
      registry.unregister('test/Huge');
      integration.close();
      await zeal.close();
    }
  });
});

describe('live events when Zeal is slow to answer', () => {
  it('never makes the run wait: it ends before Zeal acknowledged anything, and everything is acknowledged later', async () => {
    const zeal = await ZealStandIn.start([{ id: 'wf-slow', name: 'Slow' }]);
    const integration = integrationFor(zeal);
    try {
      await integration.connection('wf-slow')!.ready();
      zeal.faults = { delayMs: 800 };
      const run = await runFollowed(integration, registry, linearWorkflow('wf-slow', 20));
      assert.equal(run.result.status, 'completed');
      assert.equal(zeal.runtimeEvents().filter((m) => m.reply).length, 0, 'no reply yet when the run ended');
      const report = await run.finished;
      assert.equal(zipOf(report).acknowledged, zipOf(report).queued);
      assert.equal(report.dropped, 0);
    } finally {
      integration.close();
      await zeal.close();
    }
  });
});
