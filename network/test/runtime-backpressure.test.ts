import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineActor, Network } from '@actorflow/network';
import { graph, testRegistry } from './helpers.ts';

const registry = await testRegistry();

/** A sink that records the deepest backlog its inbox ever reached. */
const Gauge = defineActor({
  name: 'case/Gauge', inports: { in: {} }, outports: { out: {} },
  state: () => ({ n: 0 }),
  async process(input, ctx) {
    ctx.state.n++;
    if (ctx.state.n % 50 === 0) await new Promise((r) => setTimeout(r, 1));
    ctx.emit('out', input.in);
  },
});
registry.register(Gauge);

describe('backpressure', () => {
  it('a fast source into a slow sink never queues more than the connection capacity', async () => {
    const g = graph({
      nodes: { src: 'test/Source', slow: 'case/Gauge' },
      edges: [['src.out -> slow.in', { capacity: 16 }]],
      iips: [[2000, 'src.count']],
    });
    const result = await (await Network.create(g, { registry })).run();
    assert.equal(result.status, 'completed');
    assert.equal(result.stats.nodes.slow.firings, 2000);
    const peak = result.stats.nodes.slow.peakQueued;
    assert.ok(peak <= 16, `inbox held ${peak} > capacity 16`);
    assert.ok(peak >= 8, 'the source was really faster than the sink');
  });

  it('blocks a synchronous producer after one firing until the consumer drains half the channel', async () => {
    const Burst = defineActor({
      name: 'case/Burst', inports: { in: {} }, outports: { out: {} },
      process(_input, ctx) {
        for (let i = 0; i < 10; i++) ctx.emit('out', i);
      },
    });
    const reg = await testRegistry();
    reg.register(Burst);
    reg.register(Gauge);
    const g = graph({
      nodes: { b: 'case/Burst', slow: 'case/Gauge' },
      edges: [['b.out -> slow.in', { capacity: 4 }]],
      iips: Array.from({ length: 20 }, (_, i) => [i, 'b.in'] as [unknown, string]),
    });
    const result = await (await Network.create(g, { registry: reg })).run();
    assert.equal(result.stats.nodes.slow.firings, 200);
    const peak = result.stats.nodes.slow.peakQueued;
    assert.ok(peak <= 4 + 10, `bounded by capacity + one firing's output, saw ${peak}`);
  });

  it("drop-oldest keeps the newest messages and counts the dropped ones", async () => {
    const g = graph({
      nodes: { b: 'test/Source', slow: ['test/Slow', { ms: 5 }] },
      edges: [['b.out -> slow.in', { capacity: 2, policy: 'drop-oldest' }]],
      iips: [[10, 'b.count']],
      outports: { out: 'slow.out' },
    });
    const result = await (await Network.create(g, { registry })).run();
    assert.equal(result.status, 'completed');
    const got = result.results.out as number[];
    assert.ok(got.length < 10, 'some were dropped');
    assert.equal(got.at(-1), 9, 'the newest survives');
    assert.equal(result.stats.dropped, 10 - got.length);
  });

  it("the 'error' policy fails the producer when the connection is full", async () => {
    const g = graph({
      nodes: { b: 'test/Source', slow: ['test/Slow', { ms: 5 }] },
      edges: [['b.out -> slow.in', { capacity: 2, policy: 'error' }]],
      iips: [[10, 'b.count']],
    });
    const result = await (await Network.create(g, { registry })).run();
    assert.equal(result.status, 'failed');
    assert.equal(result.errors[0].error.code, 'CHANNEL_FULL');
    assert.match(result.errors[0].error.message, /b\.out -> slow\.in is full \(capacity 2\)/);
  });

  it('a feedback loop that fills up does not deadlock', async () => {
    const Loop = defineActor({
      name: 'case/Loop', inports: { in: { type: 'integer' } }, outports: { next: {}, done: {} },
      process(input, ctx) {
        const n = input.in!;
        if (n >= 50) {
          ctx.emit('done', n);
          return;
        }
        for (let i = 0; i < 3; i++) ctx.emit('next', n + 1);
      },
    });
    const reg = await testRegistry();
    reg.register(Loop);
    const g = graph({
      nodes: { loop: 'case/Loop', back: 'core/Repeat' },
      edges: [['loop.next -> back.in', { capacity: 2 }], ['back.out -> loop.in', { capacity: 2 }]],
      iips: [[48, 'loop.in']],
      outports: { done: 'loop.done' },
    });
    const result = await (await Network.create(g, { registry: reg })).run({ timeoutMs: 5000 });
    assert.equal(result.status, 'completed');
    assert.equal((result.results.done as number[]).length, 9);
  });
});
