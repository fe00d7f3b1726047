// @actorflow/network/testing: the terse graph builder users write actor tests with.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Network } from '@actorflow/network';
import { graphOf, portRef } from '@actorflow/network/testing';
import { testRegistry } from './helpers.ts';

describe('graphOf', () => {
  it('builds nodes, edges, exported ports and groups from a sketch, and the graph runs', async () => {
    const g = graphOf({
      nodes: { a: 'test/AddOne', b: ['test/AddOne', { add: 10 }] },
      edges: [['a.out -> b.in', { capacity: 4 }]],
      inports: { in: 'a.in' },
      outports: { result: 'b.out' },
      groups: [{ name: 'pair', nodes: ['a', 'b'] }],
    }, 'sketch');
    assert.equal(g.name, 'sketch');
    assert.deepEqual(g.getNode('b')?.metadata, { add: 10 });
    assert.equal(g.edges[0].metadata.capacity, 4);
    assert.deepEqual(g.getGroup('pair')?.nodes, ['a', 'b']);
    const net = await Network.create(g, { registry: await testRegistry() });
    assert.deepEqual((await net.run({ input: { in: 5 } })).results.result, [16]);
  });

  it('sends IIPs', async () => {
    const net = await Network.create(graphOf({ nodes: { a: 'test/AddOne' }, iips: [[1, 'a.in']], outports: { out: 'a.out' } }), { registry: await testRegistry() });
    assert.deepEqual((await net.run()).results.out, [2]);
  });

  it('reads indexed ports', () => {
    assert.deepEqual(portRef(' split.out[2] '), { node: 'split', port: 'out', index: 2 });
  });

  it('says how to write a port or an edge it cannot read', () => {
    assert.throws(() => portRef('split'), /bad port reference 'split': write node.port or node.port\[index\]/);
    assert.throws(() => graphOf({ nodes: { a: 'x' }, edges: ['a.out'] }), /bad edge 'a.out': write 'node.port -> node.port'/);
  });
});
