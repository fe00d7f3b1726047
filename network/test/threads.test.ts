import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineActor, Network, ValidationError, type NetworkEvent } from '@actorflow/network';
import { graph, testRegistry } from './helpers.ts';

const registry = await testRegistry();

describe('worker threads', () => {
  it('runs nodes placed by metadata in worker threads, across batched links, in order', async () => {
    const g = graph({
      nodes: {
        src: 'test/Source',
        a: ['test/AddOne', { thread: 'w1' }],
        b: ['test/AddOne', { thread: 'w1' }],
        c: ['test/AddOne', { thread: 'w2' }],
        d: 'test/AddOne',
      },
      edges: ['src.out -> a.in', 'a.out -> b.in', 'b.out -> c.in', 'c.out -> d.in'],
      inports: { count: 'src.count' },
      outports: { out: 'd.out', mid: 'b.out' },
    });
    const net = await Network.create(g, { registry, resultLimit: 20_000 });
    const result = await net.run({ input: { count: 20_000 } });
    assert.equal(result.status, 'completed');
    assert.deepEqual(result.results.out, Array.from({ length: 20_000 }, (_, i) => i + 4));
    assert.equal((result.results.mid as number[]).length, 20_000, 'exported outports of worker nodes reach the caller');
    assert.equal(result.stats.nodes.a.thread, 'w1');
    assert.equal(result.stats.nodes.c.thread, 'w2');
    assert.equal(result.stats.nodes.c.firings, 20_000);
    assert.equal(result.stats.messages, 4 * 20_000, 'each connection counted once, wherever it runs');
    assert.equal(result.stats.connections.length, 4);
    assert.ok(result.stats.connections.every((c) => c.delivered === 20_000));
  });

  it('places a whole group by its metadata, and forwards worker events', async () => {
    const g = graph({
      nodes: { a: 'core/Repeat', b: 'test/AddOne' },
      edges: ['a.out -> b.in'],
      iips: [[41, 'a.in']],
      outports: { out: 'b.out' },
      groups: [{ name: 'heavy', nodes: ['a', 'b'], metadata: { thread: 'pool' } }],
    });
    const net = await Network.create(g, { registry });
    const events: NetworkEvent[] = [];
    net.events.subscribe((e) => void events.push(e), { types: ['ActorCompleted', 'MessageSent'] });
    const result = await net.run();
    await net.events.flushed();
    assert.deepEqual(result.results.out, [42]);
    assert.equal(result.stats.nodes.b.thread, 'pool');
    assert.ok(events.some((e) => e._type === 'MessageSent' && e.fromActor === 'a' && e.toActor === 'b'));
    assert.equal(events.filter((e) => e._type === 'ActorCompleted').length, 2);
  });

  it('a worker that runs out of memory fails its actors, not the process; the rest of the network finishes', async () => {
    const g = graph({
      nodes: { hog: ['test/MemoryHog', { thread: 'doomed' }], ok: 'test/AddOne' },
      iips: [['go', 'hog.in'], [1, 'ok.in']],
      outports: { ok: 'ok.out' },
    });
    const net = await Network.create(g, { registry, onError: 'continue', threads: { maxMemoryMb: 32 } });
    const failed: NetworkEvent[] = [];
    net.events.subscribe((e) => void failed.push(e), { types: ['ActorFailed'] });
    const result = await net.run({ timeoutMs: 20_000 });
    await net.events.flushed();
    assert.equal(result.status, 'completed');
    assert.deepEqual(result.results.ok, [2]);
    assert.equal(result.errors[0].actorId, 'hog');
    assert.equal(result.errors[0].error.code, 'THREAD_OUT_OF_MEMORY');
    assert.ok(failed.some((e) => e._type === 'ActorFailed' && e.phase === 'thread'));
  });

  it('refuses to place an in-process component in a thread, saying how to fix it', async () => {
    const reg = await testRegistry();
    reg.register(defineActor({ name: 'case/Local', inports: { in: {} }, process() {} }));
    const g = graph({ nodes: { l: ['case/Local', { thread: 'w' }] } });
    await assert.rejects(Network.create(g, { registry: reg }), (err: unknown) => {
      assert.ok(err instanceof ValidationError);
      assert.equal(err.problems[0].path, '$.processes.l.metadata.thread');
      assert.match(err.problems[0].hint, /registerModule/);
      return true;
    });
  });

  it('stops worker threads promptly', async () => {
    const g = graph({ nodes: { t: ['test/Ticker', { thread: 'w' }] } });
    const net = await Network.create(g, { registry });
    await net.start();
    const t0 = performance.now();
    await net.stop();
    assert.ok(performance.now() - t0 < 1000);
    assert.equal(net.status, 'stopped');
  });

  it('a message that cannot cross threads fails its sender with a clear error; the rest still flows', async () => {
    const g = graph({
      nodes: { u: 'test/Unsendable', far: ['core/Repeat', { thread: 'w' }] },
      edges: ['u.out -> far.in'],
      iips: [['plain', 'u.in']],
      outports: { out: 'far.out' },
    });
    const result = await (await Network.create(g, { registry, onError: 'continue' })).run();
    assert.deepEqual(result.results.out, ['plain']);
    assert.equal(result.errors[0].actorId, 'u');
    assert.equal(result.errors[0].error.code, 'UNSENDABLE_MESSAGE');
    assert.match(result.errors[0].error.message, /u\.out -> far\.in cannot cross threads/);
  });
});

