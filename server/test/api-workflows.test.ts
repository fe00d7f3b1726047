import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startServer, type TestServer } from './support/server.ts';
import { graph, upperGraph, waitGraph } from './support/graphs.ts';

async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('REST API: runs', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer({ maxConcurrentRuns: 4 });
  });
  after(() => s.close());

  const statusOf = async (id: string) => (await s.request('GET', `/workflows/${id}`)).body.data.status as string;

  it('accepts a run with 202, delivers input to exported inports and reports the true final status with results', async () => {
    const res = await s.request('POST', '/workflows', { graph_json: upperGraph(), input: { text: 'hello' }, metadata: { workflow_id: 'wf-1' } });
    assert.equal(res.status, 202);
    assert.equal(res.body.success, true);
    assert.equal(res.body.error, null);
    assert.equal(typeof res.body.timestamp, 'number');
    assert.ok(['Queued', 'Running'].includes(res.body.data.status), res.body.data.status);
    const id = res.body.data.execution_id as string;
    assert.equal(res.headers.get('location'), `/workflows/${id}`);
    const done = await until(async () => {
      const r = await s.request('GET', `/workflows/${id}`);
      return r.body.data.status === 'Completed' ? r.body.data : undefined;
    }, 'the run to complete');
    assert.deepEqual(done.result.results, { result: ['HELLO'] });
    assert.equal(done.result.success, true);
    assert.equal(done.result.execution_id, id);
    assert.equal(done.workflow_id, 'wf-1');
    assert.equal(done.source, 'rest');
    assert.equal(done.stats.nodes.up.firings, 1);
    assert.equal(done.stats.nodes.up.component, 'test/Upper');
    assert.ok(Date.parse(done.started_at) >= Date.parse(done.created_at));
    assert.ok(done.duration_ms >= 0);
  });

  it('answers a synchronous run (?wait=true) with the finished execution', async () => {
    const res = await s.request('POST', '/workflows?wait=true', { graph_json: upperGraph(), input: { text: 'sync' } });
    assert.equal(res.status, 200);
    assert.equal(res.body.data.status, 'Completed');
    assert.deepEqual(res.body.data.result.results.result, ['SYNC']);
  });

  it('answers 202 with the current status when ?wait=true times out, and the run goes on', async () => {
    const res = await s.request('POST', '/workflows?wait=true&timeout=50', { graph_json: waitGraph(300) });
    assert.equal(res.status, 202);
    assert.equal(res.body.data.status, 'Running');
    assert.match(res.body.data.message, /still Running after 50 ms/);
    await until(async () => ((await statusOf(res.body.data.execution_id)) === 'Completed' ? true : undefined), 'completion');
  });

  it('marks a run whose actor throws Failed, with the actor error and its node', async () => {
    const res = await s.request('POST', '/workflows?wait=true', { graph_json: graph({ f: 'test/Fail' }, [[42, 'f.in', 'iip']]) });
    assert.equal(res.body.data.status, 'Failed');
    assert.equal(res.body.data.error.code, 'ACTOR_FAILED');
    assert.match(res.body.data.error.message, /node 'f' \(test\/Fail\) failed: cannot handle 42/);
    assert.equal(res.body.data.errors[0].actorId, 'f');
    assert.equal(res.body.data.result.success, false);
    assert.ok(res.body.data.result.errors.length >= 1);
  });

  it('keeps a run going when the failing actor has its error port connected', async () => {
    const g = graph({ f: 'test/Fail', sink: 'core/Repeat' }, [[7, 'f.in', 'iip'], ['f.error', 'sink.in']], { outports: { errors: 'sink.out' } });
    const res = await s.request('POST', '/workflows?wait=true', { graph_json: g });
    assert.equal(res.body.data.status, 'Completed');
    assert.match(res.body.data.result.results.errors[0].message, /cannot handle 7/);
    assert.equal(res.body.data.errors[0].handled, true);
  });

  it('cancels a running run by stopping its actors, and refuses to cancel it twice', async () => {
    const { body } = await s.request('POST', '/workflows', { graph_json: waitGraph() });
    const id = body.data.execution_id;
    await until(async () => ((await statusOf(id)) === 'Running' ? true : undefined), 'the run to start');
    const started = Date.now();
    const cancel = await s.request('POST', `/workflows/${id}/cancel`);
    assert.equal(cancel.status, 200);
    assert.equal(cancel.body.data.status, 'Cancelled');
    assert.ok(Date.now() - started < 2000, 'the waiting actor was stopped promptly');
    const record = (await s.request('GET', `/workflows/${id}`)).body.data;
    assert.equal(record.status, 'Cancelled');
    assert.equal(record.error.code, 'CANCELLED');
    const again = await s.request('POST', `/workflows/${id}/cancel`);
    assert.equal(again.status, 409);
    assert.equal(again.body.code, 'RUN_FINISHED');
    assert.equal((await s.request('POST', '/workflows/no-such-run/cancel')).status, 404);
  });

  it('fails a run that exceeds its timeout with RUN_TIMEOUT', async () => {
    const res = await s.request('POST', '/workflows?wait=true', { graph_json: waitGraph(), metadata: { timeout_ms: 100 } });
    assert.equal(res.body.data.status, 'Failed');
    assert.equal(res.body.data.error.code, 'RUN_TIMEOUT');
  });

  it('uses a client-chosen execution id (Reflow metadata) and refuses to reuse it', async () => {
    const first = await s.request('POST', '/workflows?wait=true', { graph_json: upperGraph(), input: { text: 'a' }, metadata: { execution_id: 'my-run-1' } });
    assert.equal(first.body.data.id, 'my-run-1');
    const again = await s.request('POST', '/workflows', { graph_json: upperGraph(), metadata: { execution_id: 'my-run-1' } });
    assert.equal(again.status, 409);
    assert.equal(again.body.code, 'EXECUTION_EXISTS');
  });

  it('makes retries safe with Idempotency-Key: same key and body, same run; other body, 422', async () => {
    const body = { graph_json: upperGraph(), input: { text: 'once' } };
    const first = await s.request('POST', '/workflows', body, { 'idempotency-key': 'key-1' });
    const second = await s.request('POST', '/workflows?wait=true', body, { 'idempotency-key': 'key-1' });
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    assert.equal(second.body.data.id, first.body.data.execution_id);
    assert.deepEqual(second.body.data.result.results.result, ['ONCE']);
    const other = await s.request('POST', '/workflows', { ...body, input: { text: 'twice' } }, { 'idempotency-key': 'key-1' });
    assert.equal(other.status, 422);
    assert.equal(other.body.code, 'IDEMPOTENCY_KEY_REUSED');
    const listed = (await s.request('GET', '/workflows?limit=500')).body.data.executions.filter((e: { id: string }) => e.id === first.body.data.execution_id);
    assert.equal(listed.length, 1);
  });

  it('lists runs newest first, filtered by status, with cursor pagination', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await s.request('POST', '/workflows?wait=true', { graph_json: upperGraph(), input: { text: `p${i}` }, metadata: { workflow_id: 'paged' } })).body.data.id);
    const page1 = await s.request('GET', '/workflows?workflow_id=paged&limit=2');
    assert.deepEqual(page1.body.data.executions.map((e: { id: string }) => e.id), [ids[2], ids[1]]);
    const page2 = await s.request('GET', `/workflows?workflow_id=paged&limit=2&cursor=${page1.body.data.next_cursor}`);
    assert.deepEqual(page2.body.data.executions.map((e: { id: string }) => e.id), [ids[0]]);
    assert.equal(page2.body.data.next_cursor, null);
    const failed = await s.request('GET', '/workflows?status=Failed,Cancelled&limit=500');
    assert.ok(failed.body.data.executions.length > 0);
    assert.ok(failed.body.data.executions.every((e: { status: string }) => e.status === 'Failed' || e.status === 'Cancelled'));
  });

  it('serves the stored event log of a run, filtered by type', async () => {
    const { body } = await s.request('POST', '/workflows?wait=true', { graph_json: upperGraph(), input: { text: 'ev' } });
    const id = body.data.id;
    const all = (await s.request('GET', `/workflows/${id}/events`)).body.data;
    const types = all.events.map((e: { event: { _type: string } }) => e.event._type);
    assert.equal(types[0], 'NetworkStarted');
    assert.equal(types[types.length - 1], 'NetworkShutdown');
    assert.ok(types.includes('NetworkOutput'));
    assert.ok(!types.includes('MessageSent'), 'per-message events are not stored by default');
    assert.equal(all.dropped, 0);
    const outputs = (await s.request('GET', `/workflows/${id}/events?types=NetworkOutput`)).body.data.events;
    assert.deepEqual(outputs.map((e: { event: { port: string; message: unknown } }) => [e.event.port, e.event.message]), [['result', 'EV']]);
  });

  it('returns the graph and input a run was submitted with on request', async () => {
    const g = upperGraph();
    const { body } = await s.request('POST', '/workflows?wait=true', { graph_json: g, input: { text: 'inc' } });
    const full = (await s.request('GET', `/workflows/${body.data.id}?include=graph,input`)).body.data;
    assert.deepEqual(full.graph, g);
    assert.deepEqual(full.input, { text: 'inc' });
  });

  it('lists components with their ports and config schemas', async () => {
    const res = await s.request('GET', '/components');
    const repeat = res.body.data.components.find((c: { name: string }) => c.name === 'core/Repeat');
    assert.equal(repeat.kind, 'actor');
    assert.deepEqual(repeat.inports.map((p: { name: string }) => p.name), ['in']);
    const delay = res.body.data.components.find((c: { name: string }) => c.name === 'core/Delay');
    assert.equal(delay.config.properties.delay.default, 100);
    const core = await s.request('GET', '/components?category=core');
    assert.ok(core.body.data.components.every((c: { category: string }) => c.category === 'core'));
  });

  it('validates graphs without running them (JSON and .fbp), listing every problem with its path', async () => {
    const ok = await s.request('POST', '/graphs/validate', upperGraph());
    assert.equal(ok.body.data.valid, true);
    assert.deepEqual(ok.body.data.summary.inports, ['text']);
    const bad = await s.request('POST', '/graphs/validate', graph({ a: 'core/Repaet', b: 'core/Repeat' }, [['b.nope', 'a.in']]));
    assert.equal(bad.status, 200);
    assert.equal(bad.body.data.valid, false);
    const paths = bad.body.data.problems.map((p: { path: string }) => p.path);
    assert.ok(paths.includes('$.processes.a.component'), paths.join());
    assert.ok(bad.body.data.problems.some((p: { hint: string }) => /core\/Repeat/.test(p.hint)));
    const fbp = await s.request('POST', '/graphs/validate', "'hi' -> IN a(core/Repeat) OUT -> IN b(core/Output)", { 'content-type': 'text/plain' });
    assert.equal(fbp.body.data.valid, true, JSON.stringify(fbp.body.data.problems));
    assert.equal(fbp.body.data.summary.nodes, 2);
  });
});

describe('REST API: queue and concurrency', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer({ maxConcurrentRuns: 1, maxQueuedRuns: 2 });
  });
  after(() => s.close());

  it('runs at most maxConcurrentRuns at once, queues the rest, refuses beyond the queue, and cancels queued runs without starting them', async () => {
    const submit = async () => (await s.request('POST', '/workflows', { graph_json: waitGraph() })).body.data.execution_id as string;
    const running = await submit();
    const queued = [await submit(), await submit()];
    const full = await s.request('POST', '/workflows', { graph_json: waitGraph() });
    assert.equal(full.status, 503);
    assert.equal(full.body.code, 'QUEUE_FULL');
    assert.equal(full.headers.get('retry-after'), '1');
    const health = (await s.request('GET', '/health')).body.data.runs;
    assert.deepEqual(health, { queued: 2, running: 1 });
    assert.equal((await s.request('GET', `/workflows/${queued[0]}`)).body.data.status, 'Queued');
    for (const id of queued) assert.equal((await s.request('POST', `/workflows/${id}/cancel`)).body.data.status, 'Cancelled');
    const cancelled = (await s.request('GET', `/workflows/${queued[1]}`)).body.data;
    assert.equal(cancelled.started_at, null);
    assert.equal((await s.request('POST', `/workflows/${running}/cancel`)).body.data.status, 'Cancelled');
  });
});

describe('REST API: webhooks', () => {
  it("POSTs the terminal event with Reflow's X-Reflow-* headers and the run's own, retrying failures with backoff", async () => {
    const received: { headers: IncomingMessage['headers']; body: any }[] = [];
    let calls = 0;
    const hook = createServer((req, res) => {
      let text = '';
      req.on('data', (c) => (text += c));
      req.on('end', () => {
        calls++;
        if (calls === 1) {
          res.statusCode = 503;
          res.end();
          return;
        }
        received.push({ headers: req.headers, body: JSON.parse(text) });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const s = await startServer({ webhookBackoffMs: 10 });
    try {
      const port = (hook.address() as AddressInfo).port;
      const res = await s.request('POST', '/workflows?wait=true', {
        graph_json: upperGraph(), input: { text: 'hook' },
        metadata: { workflow_id: 'wf-hook', webhook_url: `http://127.0.0.1:${port}/hook`, webhook_headers: { 'x-secret': 's3cr3t' } },
      });
      const id = res.body.data.id;
      assert.deepEqual(res.body.data.metadata.webhook_headers, { 'x-secret': '[redacted]' });
      const record = await until(async () => {
        const r = (await s.request('GET', `/workflows/${id}`)).body.data;
        return r.webhook.delivered === 1 ? r : undefined;
      }, 'the webhook delivery');
      assert.equal(record.webhook.attempts, 2);
      assert.equal(received.length, 1);
      const { headers, body } = received[0];
      assert.equal(headers['x-reflow-event-type'], 'Completed');
      assert.equal(headers['x-reflow-execution-id'], id);
      assert.equal(headers['x-reflow-workflow-id'], 'wf-hook');
      assert.equal(headers['x-secret'], 's3cr3t');
      assert.equal(body.event_type, 'Completed');
      assert.equal(body.execution_id, id);
      assert.deepEqual(body.data.result.results.result, ['HOOK']);
    } finally {
      await s.close();
      hook.close();
    }
  });
});
