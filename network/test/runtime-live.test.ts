import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Network, type NetworkEvent } from '@actorflow/network';
import { graph, testRegistry, until } from './helpers.ts';

const registry = await testRegistry();

describe('live graph edits', () => {
  it('adds a node and a connection to a running network; both start working at once', async () => {
    const g = graph({ nodes: { in: 'core/Repeat' }, inports: { in: 'in.in' }, outports: { direct: 'in.out' } });
    const net = await Network.create(g, { registry });
    await net.start();
    net.send('in', 1);
    await net.whenIdle();
    g.addNode('plus', 'test/AddOne', { add: 100 });
    g.addEdge({ node: 'in', port: 'out' }, { node: 'plus', port: 'in' });
    g.addOutport('plus', 'plus', 'out');
    net.send('in', 2);
    await net.whenIdle();
    await net.stop();
    assert.deepEqual(net.results(), { direct: [1, 2], plus: [102] });
  });

  it('removes a connection and a node while running; queued messages are dropped and counted', async () => {
    const g = graph({
      nodes: { src: 'test/Source', slow: ['test/Slow', { ms: 20 }], fast: 'core/Repeat' },
      edges: ['src.out -> slow.in', 'src.out -> fast.in'],
      inports: { count: 'src.count' },
      outports: { fast: 'fast.out', slow: 'slow.out' },
    });
    const net = await Network.create(g, { registry });
    await net.start();
    net.send('count', 5);
    await new Promise((r) => setTimeout(r, 5));
    g.removeNode('slow');
    await net.whenIdle();
    await net.stop();
    assert.deepEqual(net.results().fast, [0, 1, 2, 3, 4]);
    assert.ok((net.results().slow as unknown[]).length <= 1);
    assert.ok(net.stats().dropped >= 3, `dropped ${net.stats().dropped}`);
    assert.equal(net.stats().nodes.slow, undefined);
  });

  it('an IIP added while running is delivered immediately', async () => {
    const g = graph({ nodes: { r: 'core/Repeat' }, outports: { out: 'r.out' } });
    const net = await Network.create(g, { registry });
    await net.start();
    g.addInitial('late', { node: 'r', port: 'in' });
    await net.whenIdle();
    await net.stop();
    assert.deepEqual(net.results().out, ['late']);
  });

  it('reports NetworkActive then NetworkIdle again when work arrives after idle', async () => {
    const g = graph({ nodes: { r: 'core/Repeat' }, inports: { in: 'r.in' } });
    const net = await Network.create(g, { registry });
    const types: string[] = [];
    net.events.subscribe((e) => void types.push(e._type), { types: ['NetworkIdle', 'NetworkActive'] });
    await net.start();
    await net.whenIdle();
    net.send('in', 'x');
    await new Promise((r) => setTimeout(r, 5));
    await net.whenIdle();
    await net.stop();
    await net.events.flushed();
    assert.deepEqual(types, ['NetworkIdle', 'NetworkActive', 'NetworkIdle']);
  });

  it('follows a node rename: the runner takes the new id and later edits use it', async () => {
    const g = graph({ nodes: { a: 'core/Repeat', b: 'test/AddOne' }, edges: ['a.out -> b.in'], inports: { in: 'a.in' }, outports: { out: 'b.out' } });
    const net = await Network.create(g, { registry });
    await net.start();
    g.renameNode('b', 'plus');
    net.send('in', 1);
    await net.whenIdle();
    g.addNode('c', 'test/AddOne', { add: 10 });
    g.addEdge({ node: 'plus', port: 'out' }, { node: 'c', port: 'in' });
    g.addOutport('more', 'c', 'out');
    net.send('in', 2);
    await net.whenIdle();
    await net.stop();
    assert.deepEqual(net.results(), { out: [2, 3], more: [13] });
    assert.ok(net.nodes().includes('plus') && !net.nodes().includes('b'));
  });

  it('reports an edit the running network cannot follow as LiveEditFailed, and keeps running', async () => {
    const g = graph({ nodes: { r: 'core/Repeat' }, inports: { in: 'r.in' }, outports: { out: 'r.out' } });
    const net = await Network.create(g, { registry });
    const failed: NetworkEvent[] = [];
    net.events.subscribe((e) => void failed.push(e), { types: ['LiveEditFailed'] });
    await net.start();
    g.addNode('ghost', 'core/Nope');
    net.send('in', 'still works');
    await net.whenIdle();
    await net.stop();
    await net.events.flushed();
    assert.deepEqual(net.results().out, ['still works']);
    assert.equal(failed.length, 1);
    assert.match((failed[0] as { error: { message: string } }).error.message, /unknown component 'core\/Nope'/);
    assert.equal(net.liveEditFailures()[0].change, 'AddNode');
    assert.equal(net.errors().length, 0, 'not an actor failure');
  });

  it('runs until stopped when asked (long-lived networks), taking input meanwhile', async () => {
    const g = graph({ nodes: { r: 'core/Repeat' }, inports: { in: 'r.in' }, outports: { out: 'r.out' } });
    const net = await Network.create(g, { registry });
    const ac = new AbortController();
    const running = net.run({ input: { in: 'first' }, untilStopped: true, signal: ac.signal });
    await net.whenStarted();
    await until(() => net.results().out.length === 1 && net.status === 'idle');
    net.send('in', 'second');
    await net.whenIdle();
    ac.abort();
    const result = await running;
    assert.equal(result.status, 'cancelled');
    assert.deepEqual(result.results.out, ['first', 'second']);
  });
});

