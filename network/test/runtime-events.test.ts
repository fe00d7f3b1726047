import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Network, type NetworkEvent } from '@actorflow/network';
import { graph, testRegistry } from './helpers.ts';

const registry = await testRegistry();
const pipeline = () => graph({
  nodes: { src: 'test/Source', a: 'test/AddOne' },
  edges: ['src.out -> a.in'],
  iips: [[100, 'src.count']],
  outports: { out: 'a.out' },
});

describe('network events', () => {
  it("reports the lifecycle with Reflow's names and fields", async () => {
    const net = await Network.create(pipeline(), { registry });
    const events: NetworkEvent[] = [];
    net.events.subscribe((e) => void events.push(e), { types: ['NetworkStarted', 'NetworkIdle', 'NetworkShutdown', 'ActorCompleted'] });
    await net.run();
    await net.events.flushed();
    const types = events.map((e) => e._type);
    assert.equal(types[0], 'NetworkStarted');
    assert.ok(types.includes('NetworkIdle'));
    assert.equal(types.at(-1), 'NetworkShutdown');
    const completed = events.filter((e): e is Extract<NetworkEvent, { _type: 'ActorCompleted' }> => e._type === 'ActorCompleted');
    assert.equal(completed.filter((e) => e.actorId === 'a').length, 100);
    const one = completed.find((e) => e.actorId === 'a')!;
    assert.equal(one.outputCount, 1);
    assert.ok(one.outputSize > 0);
    assert.ok(one.durationMs >= 0);
    assert.equal(typeof one.timestamp, 'number');
  });

  it('MessageSent carries ports, size and the message', async () => {
    const net = await Network.create(pipeline(), { registry });
    const sent: Extract<NetworkEvent, { _type: 'MessageSent' }>[] = [];
    net.events.subscribe((e) => void sent.push(e as never), { types: ['MessageSent'] });
    await net.run();
    await net.events.flushed();
    assert.equal(sent.length, 100);
    assert.deepEqual({ ...sent[7], timestamp: 0 }, { _type: 'MessageSent', fromActor: 'src', fromPort: 'out', toActor: 'a', toPort: 'in', size: 1, message: 7, timestamp: 0 });
  });

  it('filters by node and samples per-message events', async () => {
    const net = await Network.create(pipeline(), { registry });
    const only: NetworkEvent[] = [];
    const sampled: NetworkEvent[] = [];
    net.events.subscribe((e) => void only.push(e), { types: ['ActorStarted'], nodes: ['src'] });
    net.events.subscribe((e) => void sampled.push(e), { types: ['MessageSent'], sample: 0.1 });
    await net.run();
    await net.events.flushed();
    assert.equal(only.length, 1);
    assert.equal(sampled.length, 10);
  });

  it('a slow subscriber drops (and counts) events instead of slowing the network', async () => {
    const net = await Network.create(pipeline(), { registry });
    const sub = net.events.subscribe(() => new Promise((r) => setTimeout(r, 50)), { types: ['MessageSent'], bufferSize: 10 });
    const t0 = performance.now();
    const result = await net.run();
    assert.equal(result.status, 'completed');
    assert.ok(performance.now() - t0 < 500, 'the run did not wait for the subscriber');
    assert.ok(sub.dropped >= 80, `dropped ${sub.dropped}`);
    sub.unsubscribe();
  });

  it('a throwing subscriber never reaches the network', async () => {
    const net = await Network.create(pipeline(), { registry });
    net.events.subscribe(() => { throw new Error('listener bug'); });
    const result = await net.run();
    await net.events.flushed();
    assert.equal(result.status, 'completed');
    assert.ok(net.events.listenerErrors > 0);
  });

  it('nobody listening: per-message events are never built', async () => {
    const net = await Network.create(pipeline(), { registry });
    assert.equal(net.events.wants.MessageSent, false);
    const sub = net.events.subscribe(() => {}, { types: ['MessageSent'] });
    assert.equal(net.events.wants.MessageSent, true);
    sub.unsubscribe();
    assert.equal(net.events.wants.MessageSent, false);
  });

  it('actor logs arrive as ActorLog events', async () => {
    const g = graph({ nodes: { o: 'core/Output' }, iips: [['hello', 'o.in']] });
    const net = await Network.create(g, { registry });
    const logs: NetworkEvent[] = [];
    net.events.subscribe((e) => void logs.push(e), { types: ['ActorLog'] });
    await net.run();
    await net.events.flushed();
    assert.deepEqual(logs.map((e) => [(e as { actorId: string }).actorId, (e as { level: string }).level, (e as { message: string }).message]), [['o', 'info', 'hello']]);
  });

  it('builds per-message events only for connections touching the nodes subscribers filter on', async () => {
    const g = graph({
      nodes: { src: 'test/Source', a: 'test/AddOne', b: 'test/AddOne' },
      edges: ['src.out -> a.in', 'a.out -> b.in'],
      iips: [[50, 'src.count']],
    });
    const net = await Network.create(g, { registry });
    const sent: Extract<NetworkEvent, { _type: 'MessageSent' }>[] = [];
    net.events.subscribe((e) => void sent.push(e as never), { types: ['MessageSent'], nodes: ['b'] });
    assert.equal(net.events.watches('MessageSent', 'b'), true);
    assert.equal(net.events.watches('MessageSent', 'src'), false);
    await net.run();
    await net.events.flushed();
    assert.equal(sent.length, 50);
    assert.ok(sent.every((e) => e.fromActor === 'a' && e.toActor === 'b'));
  });
});

