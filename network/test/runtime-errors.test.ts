import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Network, type NetworkEvent } from '@actorflow/network';
import { graph, testRegistry } from './helpers.ts';

const registry = await testRegistry();

function collect(net: Network, types?: NetworkEvent['_type'][]): NetworkEvent[] {
  const events: NetworkEvent[] = [];
  net.events.subscribe((e) => void events.push(e), types ? { types } : {});
  return events;
}

describe('failures', () => {
  it('an actor that throws produces ActorFailed and, by default, fails the run with its message', async () => {
    const g = graph({ nodes: { f: 'test/Fail' }, iips: [['x', 'f.in']] });
    const net = await Network.create(g, { registry });
    const events = collect(net, ['ActorFailed']);
    const result = await net.run();
    await net.events.flushed();
    assert.equal(result.status, 'failed');
    assert.equal(result.errors.length, 1);
    assert.equal(result.errors[0].actorId, 'f');
    assert.match(result.errors[0].error.message, /boom on "x"/);
    assert.equal(events.length, 1);
    const failed = events[0] as Extract<NetworkEvent, { _type: 'ActorFailed' }>;
    assert.equal(failed.actorId, 'f');
    assert.equal(failed.handled, false);
    assert.match(failed.error.message, /boom/);
  });

  it('routes the error to a connected `error` port and keeps running (the run completes)', async () => {
    const g = graph({
      nodes: { f: ['test/Fail', { failOn: 2 }], errs: 'core/Repeat' },
      edges: ['f.error -> errs.in'],
      iips: [[1, 'f.in'], [2, 'f.in'], [3, 'f.in']],
      outports: { ok: 'f.out', errors: 'errs.out' },
    });
    const result = await (await Network.create(g, { registry })).run();
    assert.equal(result.status, 'completed');
    assert.deepEqual(result.results.ok, [1, 3]);
    const [err] = result.results.errors as Record<string, unknown>[];
    assert.equal(err.actorId, 'f');
    assert.equal(err.port, 'in');
    assert.deepEqual(err.input, { in: 2 });
    assert.match(String(err.message), /boom on 2/);
    assert.equal(result.errors[0].handled, true);
  });

  it("with onError 'continue' the other actors keep running and the errors are listed", async () => {
    const g = graph({
      nodes: { f: ['test/Fail', { failOn: 2 }] },
      iips: [[1, 'f.in'], [2, 'f.in'], [3, 'f.in']],
      outports: { ok: 'f.out' },
    });
    const result = await (await Network.create(g, { registry, onError: 'continue' })).run();
    assert.equal(result.status, 'completed');
    assert.deepEqual(result.results.ok, [1, 3]);
    assert.equal(result.errors.length, 1);
  });

  it('retries a failing firing with backoff, then succeeds', async () => {
    const g = graph({
      nodes: { flaky: ['test/Flaky', { failures: 2, retry: { attempts: 3, backoffMs: 1, jitter: 0 } }] },
      iips: [['payload', 'flaky.in']],
      outports: { out: 'flaky.out' },
    });
    const net = await Network.create(g, { registry });
    const events = collect(net, ['ActorFailed']);
    const result = await net.run();
    await net.events.flushed();
    assert.equal(result.status, 'completed');
    assert.deepEqual(result.results.out, ['payload']);
    assert.deepEqual(events.map((e) => [(e as { attempt: number }).attempt, (e as { willRetry: boolean }).willRetry]), [[1, true], [2, true]]);
  });

  it('gives up after the last attempt', async () => {
    const g = graph({ nodes: { flaky: ['test/Flaky', { failures: 5, retry: { attempts: 2, backoffMs: 1 } }] }, iips: [['x', 'flaky.in']] });
    const result = await (await Network.create(g, { registry })).run();
    assert.equal(result.status, 'failed');
    assert.match(result.errors[0].error.message, /attempt 2 failed/);
  });

  it('times out a firing that takes longer than metadata.timeoutMs', async () => {
    const g = graph({ nodes: { h: ['test/Hang', { timeoutMs: 20 }] }, iips: [['x', 'h.in']] });
    const started = Date.now();
    const result = await (await Network.create(g, { registry })).run();
    assert.equal(result.status, 'failed');
    assert.equal(result.errors[0].error.code, 'TIMEOUT');
    assert.ok(Date.now() - started < 1000);
  });

  it('reruns the whole network when asked to retry the run', async () => {
    let runs = 0;
    const g = graph({ nodes: { f: 'test/Fail' }, iips: [['x', 'f.in']] });
    const net = await Network.create(g, { registry });
    net.events.subscribe(() => void runs++, { types: ['NetworkStarted'] });
    const result = await net.run({ retries: 2 });
    await net.events.flushed();
    assert.equal(result.status, 'failed');
    assert.equal(result.attempts, 3);
    assert.equal(runs, 3);
  });

  it('a failing setup fails the start with the actor named', async () => {
    const { defineActor } = await import('@actorflow/network');
    const reg = await testRegistry();
    reg.register(defineActor({ name: 'case/BadSetup', inports: { in: {} }, setup() { throw new Error('cannot connect'); }, process() {} }));
    const net = await Network.create(graph({ nodes: { b: 'case/BadSetup' } }), { registry: reg });
    const result = await net.run();
    assert.equal(result.status, 'failed');
    assert.equal(result.errors[0].actorId, 'b');
    assert.match(result.errors[0].error.message, /cannot connect/);
  });
});

describe('cancellation', () => {
  it('stop() aborts every actor promptly (within 100 ms), even one stuck in a firing', async () => {
    const g = graph({ nodes: { h: 'test/Hang', t: 'test/Ticker' }, iips: [['x', 'h.in']] });
    const net = await Network.create(g, { registry });
    await net.start();
    await new Promise((r) => setTimeout(r, 10));
    const t0 = performance.now();
    await net.stop();
    assert.ok(performance.now() - t0 < 100, `stopped in ${performance.now() - t0} ms`);
    assert.equal(net.status, 'stopped');
    assert.equal(net.signal.aborted, true);
  });

  it('an aborted signal cancels a run; a timeout ends it with status timeout', async () => {
    const g = graph({ nodes: { t: 'test/Ticker' } });
    const ac = new AbortController();
    const running = (await Network.create(g, { registry })).run({ signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    assert.equal((await running).status, 'cancelled');
    const timed = await (await Network.create(g, { registry })).run({ timeoutMs: 20 });
    assert.equal(timed.status, 'timeout');
  });
});
