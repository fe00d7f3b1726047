// Traces over HTTP against the Zeal stand-in: the session, the batches, the completion, and what
// happens when Zeal is down, killed, refusing or slow (the run never notices; drops are counted).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Graph, type ComponentRegistry } from '@actorflow/network';
import { resolveZealConfig, type ZealConfigOverrides } from '../src/zeal/config.ts';
import { ZealIntegration } from '../src/zeal/integration.ts';
import { runFollowed, traceOf } from './support/zeal-standin/harness.ts';
import { linearWorkflow, testRegistry, ZealStandIn } from './support/zeal-standin/index.ts';

let registry: ComponentRegistry;
before(async () => {
  registry = await testRegistry();
});

const FAST_RETRY: ZealConfigOverrides = { registerTemplates: false, finishTimeoutMs: 8000, windowMs: 20, trace: { retryBaseMs: 20, retryMaxMs: 100, flushIntervalMs: 50 } };

/** Tracing only (no ZIP URL): ZEAL_URL points at the stand-in's REST port. */
function tracer(zeal: ZealStandIn, overrides: ZealConfigOverrides = FAST_RETRY, extra: Record<string, string> = {}): ZealIntegration {
  const config = resolveZealConfig({ ZEAL_URL: zeal.restUrl, ...extra }, { ...FAST_RETRY, ...overrides });
  config.zipUrl = undefined; // traces only: the stand-in's socket port is not REST port + 1
  const integration = new ZealIntegration({ config, registry });
  integration.start();
  return integration;
}

function plainGraph(count: number): Graph {
  const g = new Graph({ name: 'plain' }, { caseSensitive: true });
  g.addNode('emit', 'test/Emit', { count });
  g.addNode('double', 'test/Double');
  g.addNode('sink', 'test/Sink');
  g.addEdge({ node: 'emit', port: 'out' }, { node: 'double', port: 'in' });
  g.addEdge({ node: 'double', port: 'out' }, { node: 'sink', port: 'in' });
  return g;
}

describe('a traced run', () => {
  let zeal: ZealStandIn;
  let integration: ZealIntegration;

  before(async () => {
    zeal = await ZealStandIn.start();
    integration = tracer(zeal);
  });
  after(async () => {
    integration.close();
    await zeal.close();
  });

  it('opens a session with the execution id, sends rows Zeal validates, then completes with all five summary numbers', async () => {
    const run = await runFollowed(integration, registry, linearWorkflow('wf-trace', 3), { id: 'exec-trace-1' });
    const report = await run.finished;
    const trace = traceOf(report);
    const session = zeal.traces.get(trace.sessionId!)!;
    assert.ok(session, 'the session exists in Zeal');
    assert.deepEqual({ workflowId: session.request.workflowId, executionId: session.request.executionId }, { workflowId: 'wf-trace', executionId: 'exec-trace-1' });
    assert.equal(session.status, 'completed');
    assert.deepEqual(session.completion, {
      status: 'success',
      summary: { totalNodes: 3, successfulNodes: 3, failedNodes: 0, totalDuration: session.completion!.summary!.totalDuration, totalDataProcessed: session.completion!.summary!.totalDataProcessed },
    });
    assert.ok(Number.isInteger(session.completion!.summary!.totalDuration));
    assert.equal(trace.completed, true);
    assert.equal(trace.delivered, session.events.length);
    assert.equal(report.dropped, 0);
    // Every /events and /complete request was accepted (a 4xx/5xx would show here).
    assert.deepEqual(zeal.requests.filter((r) => r.status !== 200).map((r) => `${r.path} ${r.status}`), []);
  });

  it('sends epoch-ms numeric timestamps, whole-millisecond durations and data.size / data.type on every row, with Zeal node and port ids', async () => {
    const run = await runFollowed(integration, registry, linearWorkflow('wf-trace', 3));
    const report = await run.finished;
    const rows = zeal.traces.get(traceOf(report).sessionId!)!.events;
    assert.ok(rows.length > 0);
    for (const row of rows) {
      assert.equal(typeof row.timestamp, 'number');
      assert.ok(row.timestamp > 1_600_000_000_000 && row.timestamp < 4_000_000_000_000);
      assert.equal(typeof row.data.size, 'number');
      assert.equal(typeof row.data.type, 'string');
      if (row.duration !== undefined) assert.ok(Number.isInteger(row.duration));
    }
    const input = rows.find((r) => r.nodeId === 'double' && r.eventType === 'input')!;
    assert.equal(input.portId, 'in');
    assert.equal(input.data.type, 'lifecycle');
    const output = rows.find((r) => r.nodeId === 'double' && r.eventType === 'output')!;
    assert.equal(output.portId, 'out');
    assert.deepEqual((output.data.preview as { to: unknown }).to, [{ node: 'sink', port: 'in' }]);
    const fired = rows.filter((r) => r.nodeId === 'double' && r.eventType === 'input').reduce((n, r) => n + (r.data.preview as { firings: number }).firings, 0);
    assert.equal(fired, 3, 'every firing is counted');
  });

  it('sends at most 50 rows per request and one request per 50 rows when busy', async () => {
    const before = zeal.requests.length;
    const run = await runFollowed(integration, registry, plainGraph(20_000));
    const report = await run.finished;
    const trace = traceOf(report);
    const mine = zeal.requests.slice(before).filter((r) => r.path.endsWith('/events'));
    assert.ok(mine.every((r) => (r.body as { events: unknown[] }).events.length <= 50));
    assert.equal(mine.length, trace.batches);
    assert.ok(trace.requests <= Math.ceil(trace.rows / 50) + 3, `${trace.requests} requests for ${trace.rows} rows`);
    // 40,000 messages and 40,000 firings become a few rows per window: activity is traced per window.
    assert.equal(run.result.stats.messages, 40_000);
    assert.ok(report.windows > 0);
    assert.ok(trace.rows * 50 < run.result.stats.messages, `${trace.rows} rows for ${run.result.stats.messages} messages`);
  });

  it('reports a failed run with status error, the failing node and its error', async () => {
    const g = plainGraph(3);
    g.addNode('fail', 'test/FailOn', { failOn: 2 });
    g.removeEdge({ node: 'double', port: 'out' }, { node: 'sink', port: 'in' });
    g.addEdge({ node: 'double', port: 'out' }, { node: 'fail', port: 'in' });
    const run = await runFollowed(integration, registry, g);
    assert.equal(run.result.status, 'failed');
    const report = await run.finished;
    const session = zeal.traces.get(traceOf(report).sessionId!)!;
    assert.equal(session.completion!.status, 'error');
    assert.equal(session.completion!.error!.nodeId, 'fail');
    assert.match(session.completion!.error!.message, /boom on 2/);
    assert.equal(session.completion!.summary!.failedNodes, 1);
    const row = session.events.find((r) => r.eventType === 'error')!;
    assert.equal(row.nodeId, 'fail');
    assert.deepEqual({ message: row.error!.message, code: row.error!.code }, { message: 'boom on 2', code: 'BOOM' });
  });

  it('sends the API key as a bearer token when ZEAL_API_KEY is set', async () => {
    zeal.faults = { apiKey: 'k-123' };
    const keyed = tracer(zeal, FAST_RETRY, { ZEAL_API_KEY: 'k-123' });
    try {
      const run = await runFollowed(keyed, registry, plainGraph(2));
      const report = await run.finished;
      assert.equal(traceOf(report).completed, true);
      const sent = zeal.requests.filter((r) => r.path.startsWith('/api/zip/traces')).at(-1)!;
      assert.equal(sent.headers.authorization, 'Bearer k-123');
    } finally {
      keyed.close();
      zeal.faults = {};
    }
  });
});

describe('tracing when Zeal misbehaves', () => {
  let zeal: ZealStandIn;
  let integration: ZealIntegration;

  before(async () => {
    zeal = await ZealStandIn.start();
    integration = tracer(zeal);
  });
  after(async () => {
    integration.close();
    await zeal.close();
  });

  it('retries requests Zeal answers with 500 and loses nothing', async () => {
    zeal.faults = { restStatus: 500, restMatch: /\/events$/, restTimes: 2 };
    const run = await runFollowed(integration, registry, plainGraph(5));
    assert.equal(run.result.status, 'completed');
    const report = await run.finished;
    const trace = traceOf(report);
    assert.equal(trace.delivered, trace.rows);
    assert.equal(report.dropped, 0);
    assert.equal(trace.completed, true);
    assert.equal(trace.requests, trace.batches + 2 + 2, 'one session, batches, one completion, two retries');
    zeal.faults = {};
  });

  it('drops (and counts) rows Zeal refuses with 400, without retrying them, and still completes the session', async () => {
    zeal.faults = { restStatus: 400, restMatch: /\/events$/ };
    const run = await runFollowed(integration, registry, plainGraph(5));
    assert.equal(run.result.status, 'completed');
    const report = await run.finished;
    zeal.faults = {};
    const trace = traceOf(report);
    assert.equal(trace.delivered, 0);
    assert.equal(trace.dropped, trace.rows);
    assert.equal(report.dropped, trace.rows);
    assert.equal(trace.requests, trace.batches + 2, 'a 400 is not retried');
    assert.equal(trace.completed, true);
    assert.match(trace.lastError ?? '', /HTTP 400 VALIDATION_ERROR/);
  });

  it('counts everything as dropped against a HEAD Zeal whose dynamic routes answer 400, and the run is unaffected', async () => {
    zeal.faults = { routeParamsBug: true };
    const run = await runFollowed(integration, registry, plainGraph(5));
    assert.equal(run.result.status, 'completed');
    const report = await run.finished;
    zeal.faults = {};
    const trace = traceOf(report);
    assert.ok(trace.sessionId?.startsWith('fts_'));
    assert.deepEqual({ delivered: trace.delivered, dropped: trace.dropped, completed: trace.completed }, { delivered: 0, dropped: trace.rows, completed: false });
    assert.match(trace.lastError ?? '', /Missing sessionId parameter/);
  });

  it('never makes a run wait for a slow Zeal', async () => {
    zeal.faults = { delayMs: 400 };
    const before = zeal.requests.length;
    const run = await runFollowed(integration, registry, plainGraph(50));
    // The run is over while Zeal has not answered a single request yet.
    assert.equal(run.result.status, 'completed');
    assert.equal(zeal.requests.length, before);
    const report = await run.finished;
    zeal.faults = {};
    assert.equal(report.dropped, 0);
    assert.equal(traceOf(report).completed, true);
  });

  it('buffers while Zeal is down at the start of a run and delivers everything once it is back', async () => {
    await zeal.stop();
    const run = await runFollowed(integration, registry, plainGraph(20));
    assert.equal(run.result.status, 'completed');
    await zeal.restart();
    const report = await run.finished;
    const trace = traceOf(report);
    assert.equal(trace.completed, true);
    assert.equal(trace.delivered, trace.rows);
    assert.equal(zeal.traces.get(trace.sessionId!)!.events.length, trace.rows);
  });

  it('gives up at the finish deadline when Zeal stays down, counting every row as dropped', async () => {
    const quick = tracer(zeal, { ...FAST_RETRY, finishTimeoutMs: 300 });
    await zeal.stop();
    try {
      const run = await runFollowed(quick, registry, plainGraph(20));
      assert.equal(run.result.status, 'completed');
      const report = await run.finished;
      const trace = traceOf(report);
      assert.equal(report.timedOut, true);
      assert.deepEqual({ sessionId: trace.sessionId, dropped: trace.dropped, completed: trace.completed }, { sessionId: null, dropped: trace.rows, completed: false });
      assert.equal(report.dropped, trace.rows);
    } finally {
      quick.close();
      await zeal.restart();
    }
  });
});
