import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Network } from '@actorflow/network';
import { graph, testRegistry } from './helpers.ts';

describe('subgraphs', () => {
  it('a graph with exported ports runs as a component inside another graph', async () => {
    const registry = await testRegistry();
    const addTwo = graph({
      nodes: { first: 'test/AddOne', second: 'test/AddOne' },
      edges: ['first.out -> second.in'],
      inports: { in: 'first.in' },
      outports: { out: 'second.out' },
    }, 'AddTwo');
    registry.registerGraph('math/AddTwo', addTwo, { description: 'Adds two' });
    const outer = graph({
      nodes: { a: 'math/AddTwo', b: 'math/AddTwo' },
      edges: ['a.out -> b.in'],
      iips: [[1, 'a.in']],
      outports: { out: 'b.out' },
    });
    const net = await Network.create(outer, { registry });
    const result = await net.run();
    assert.deepEqual(result.results.out, [5]);
    assert.deepEqual(net.nodes().sort(), ['a/first', 'a/second', 'b/first', 'b/second']);
    const info = registry.info('math/AddTwo');
    assert.deepEqual(info.inports.map((p) => p.name), ['in']);
    assert.deepEqual(info.outports.map((p) => p.name), ['out']);
    assert.equal(info.kind, 'subgraph');
  });

  it('keeps the subgraph IIPs, and nests', async () => {
    const registry = await testRegistry();
    registry.registerGraph('case/Inner', graph({
      nodes: { k: 'core/Kick' }, iips: [['from-inner', 'k.data']], inports: { go: 'k.in' }, outports: { out: 'k.out' },
    }, 'Inner'));
    registry.registerGraph('case/Outer', graph({ nodes: { i: 'case/Inner' }, inports: { go: 'i.go' }, outports: { out: 'i.out' } }, 'Outer'));
    const g = graph({ nodes: { o: 'case/Outer' }, iips: [['bang', 'o.go']], outports: { out: 'o.out' } });
    const result = await (await Network.create(g, { registry })).run();
    assert.deepEqual(result.results.out, ['from-inner']);
  });
});
