import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FLOW, Network, type NetworkEvent } from '@actorflow/network';
import { graph, testRegistry } from './helpers.ts';

const registry = await testRegistry();
const run = async (spec: Parameters<typeof graph>[0]) => (await Network.create(graph(spec), { registry })).run();

describe('core components', () => {
  it('core/Repeat forwards every packet unchanged', async () => {
    const result = await run({ nodes: { r: 'core/Repeat' }, iips: [[1, 'r.in'], [{ a: 1 }, 'r.in']], outports: { out: 'r.out' } });
    assert.deepEqual(result.results.out, [1, { a: 1 }]);
  });

  it('core/Drop swallows everything', async () => {
    const result = await run({ nodes: { d: 'core/Drop' }, iips: [[1, 'd.in'], [2, 'd.in']] });
    assert.equal(result.status, 'completed');
    assert.equal(result.stats.nodes.d.firings, 2);
  });

  it('core/Output logs each packet as an ActorLog event and forwards it', async () => {
    const net = await Network.create(graph({ nodes: { o: 'core/Output' }, iips: [[{ n: 1 }, 'o.in']], outports: { out: 'o.out' } }), { registry });
    const logs: NetworkEvent[] = [];
    net.events.subscribe((e) => void logs.push(e), { types: ['ActorLog'] });
    const result = await net.run();
    await net.events.flushed();
    assert.deepEqual(result.results.out, [{ n: 1 }]);
    assert.equal((logs[0] as { message: string }).message, '{"n":1}');
  });

  it('core/Kick sends the sticky data value on every trigger, a bang without data', async () => {
    const withData = await run({ nodes: { k: 'core/Kick' }, iips: [['payload', 'k.data'], ['go', 'k.in'], ['go', 'k.in']], outports: { out: 'k.out' } });
    assert.deepEqual(withData.results.out, ['payload', 'payload']);
    const bang = await run({ nodes: { k: 'core/Kick' }, iips: [['go', 'k.in']], outports: { out: 'k.out' } });
    assert.equal(bang.results.out[0], FLOW);
  });

  it('core/Delay forwards after the configured delay, and the delay port overrides it', async () => {
    const t0 = Date.now();
    const result = await run({ nodes: { d: ['core/Delay', { delay: 30 }] }, iips: [['late', 'd.in']], outports: { out: 'd.out' } });
    assert.deepEqual(result.results.out, ['late']);
    assert.ok(Date.now() - t0 >= 25);
    const quick = await run({ nodes: { d: ['core/Delay', { delay: 10_000 }] }, iips: [[1, 'd.delay'], ['now', 'd.in']], outports: { out: 'd.out' } });
    assert.deepEqual(quick.results.out, ['now']);
  });

  it('core/Delay rejects a negative delay when the graph is loaded', async () => {
    await assert.rejects(Network.create(graph({ nodes: { d: ['core/Delay', { delay: -5 }] } }), { registry }), (err: Error & { problems?: { path: string }[] }) => {
      assert.equal(err.problems?.[0].path, '$.processes.d.metadata.delay');
      return true;
    });
  });

  it('core/Merge forwards from every connection', async () => {
    const result = await run({
      nodes: { a: 'core/Repeat', b: 'core/Repeat', m: 'core/Merge' },
      edges: ['a.out -> m.in[0]', 'b.out -> m.in[1]'],
      iips: [['from a', 'a.in'], ['from b', 'b.in']],
      outports: { out: 'm.out' },
    });
    assert.deepEqual([...(result.results.out as string[])].sort(), ['from a', 'from b']);
  });

  it('core/Split sends each element of an array, and passes anything else through', async () => {
    const result = await run({ nodes: { s: 'core/Split' }, iips: [[[1, 2, 3], 's.in'], ['x', 's.in']], outports: { out: 's.out' } });
    assert.deepEqual(result.results.out, [1, 2, 3, 'x']);
  });

  it('core/Split respects backpressure on a huge array', async () => {
    const result = await run({
      nodes: { s: 'core/Split', slow: ['test/Slow', { ms: 0 }] },
      edges: [['s.out -> slow.in', { capacity: 8 }]],
      iips: [[Array.from({ length: 200 }, (_, i) => i), 's.in']],
    });
    assert.equal(result.stats.nodes.slow.firings, 200);
    assert.ok(result.stats.nodes.slow.peakQueued <= 8);
  });

  it('core/Counter counts per node and resets', async () => {
    const result = await run({ nodes: { c: 'core/Counter' }, iips: [['x', 'c.in'], ['x', 'c.in'], [null, 'c.reset'], ['x', 'c.in']], outports: { count: 'c.count' } });
    assert.deepEqual(result.results.count, [1, 2, 1]);
  });
});
