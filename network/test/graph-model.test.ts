import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GraphError } from '../src/errors.ts';
import { Graph } from '../src/graph/graph.ts';
import type { GraphChange } from '../src/graph/types.ts';

/** A graph with every kind of item, and the changes it emits from now on. */
function fixture() {
  const g = new Graph({ name: 'demo' });
  g.addNode('read', 'fs/Read', { x: 1 });
  g.addNode('split', 'text/Split');
  g.addNode('show', 'core/Output');
  g.addEdge({ node: 'read', port: 'OUT' }, { node: 'split', port: 'in' }, { capacity: 8 });
  g.addEdge({ node: 'split', port: 'out', index: 0 }, { node: 'show', port: 'in' });
  g.addInitial('a.txt', { node: 'read', port: 'in' });
  g.addInitial('b.txt', { node: 'read', port: 'in' });
  g.addInport('file', 'read', 'in');
  g.addOutport('lines', 'show', 'out');
  g.addGroup('io', ['read', 'show']);
  const changes: GraphChange[] = [];
  g.on((c) => changes.push(c));
  return { g, changes, types: () => changes.map((c) => c._type) };
}

describe('Graph mutations and their events', () => {
  it('adds a node and emits AddNode', () => {
    const { g, changes } = fixture();
    const node = g.addNode('extra', 'core/Repeat', { label: 'R' });
    assert.deepEqual(changes, [{ _type: 'AddNode', node }]);
    assert.equal(g.getNode('extra'), node);
  });

  it('lower-cases port names unless the graph is case sensitive; node ids keep their case', () => {
    const { g } = fixture();
    assert.deepEqual(g.edges[0].src, { node: 'read', port: 'out' });
    const cs = new Graph({}, { caseSensitive: true });
    cs.addNode('A', 'x/X');
    cs.addNode('B', 'x/X');
    assert.deepEqual(cs.addEdge({ node: 'A', port: 'Out' }, { node: 'B', port: 'In' }).src, { node: 'A', port: 'Out' });
  });

  it('emits AddConnection / ChangeConnection / RemoveConnection (with the position it had)', () => {
    const { g, changes, types } = fixture();
    const edge = g.addEdge({ node: 'read', port: 'error' }, { node: 'show', port: 'in' });
    g.setEdgeMetadata(edge.src, edge.tgt, { route: 5 });
    g.removeEdge({ node: 'read', port: 'out' }, { node: 'split', port: 'in' });
    assert.deepEqual(types(), ['AddConnection', 'ChangeConnection', 'RemoveConnection']);
    assert.deepEqual(changes[1], { _type: 'ChangeConnection', edge, old_metadata: {}, new_metadata: { route: 5 } });
    assert.equal((changes[2] as { index: number }).index, 0);
  });

  it('inserts an edge or IIP at a given position', () => {
    const { g } = fixture();
    g.addEdge({ node: 'read', port: 'error' }, { node: 'show', port: 'in' }, {}, 0);
    assert.equal(g.edges[0].src.port, 'error');
    g.addInitial('first', { node: 'read', port: 'in' }, {}, 0);
    assert.deepEqual(g.initials.map((i) => i.data), ['first', 'a.txt', 'b.txt']);
  });

  it('emits AddInitial / RemoveInitial; removeInitial drops every IIP of the port, removeInitialEntry exactly one', () => {
    const { g, types, changes } = fixture();
    g.removeInitialEntry(g.initials[1]);
    assert.deepEqual(g.initials.map((i) => i.data), ['a.txt']);
    assert.equal((changes[0] as { index: number }).index, 1);
    g.addInitial('c.txt', { node: 'read', port: 'IN' });
    g.removeInitial({ node: 'read', port: 'in' });
    assert.deepEqual(g.initials, []);
    assert.deepEqual(types(), ['RemoveInitial', 'AddInitial', 'StartTransaction', 'RemoveInitial', 'RemoveInitial', 'EndTransaction']);
  });

  it('routes a graph-level IIP to the inner port its exported inport names', () => {
    const { g } = fixture();
    const iip = g.addGraphInitial(42, 'FILE');
    assert.deepEqual(iip.tgt, { node: 'read', port: 'in' });
  });

  it('emits the exported-port events: add, rename, change metadata, remove', () => {
    const { g, types, changes } = fixture();
    g.addInport('start', 'split', 'in', { x: 1 });
    g.renameInport('start', 'begin');
    g.setInportMetadata('begin', { x: null, y: 2 });
    g.removeInport('begin');
    g.renameOutport('lines', 'result');
    g.setOutportMetadata('result', { description: 'lines' });
    g.removeOutport('result');
    assert.deepEqual(types(), ['AddInport', 'RenameInport', 'ChangeInport', 'RemoveInport', 'RenameOutport', 'ChangeOutport', 'RemoveOutport']);
    assert.deepEqual(changes[2], { _type: 'ChangeInport', name: 'begin', old_metadata: { x: 1 }, new_metadata: { y: 2 } });
  });

  it('emits the group events: add, rename, members, metadata, remove', () => {
    const { g, types } = fixture();
    g.addGroup('all', ['read']);
    g.addToGroup('all', 'split');
    g.removeFromGroup('all', 'read');
    g.setGroupMembers('all', ['show', 'split']);
    g.renameGroup('all', 'every');
    g.setGroupMetadata('every', { thread: 'io' });
    g.removeGroup('every');
    assert.deepEqual(types(), ['AddGroup', 'ChangeGroupMembers', 'ChangeGroupMembers', 'ChangeGroupMembers', 'RenameGroup', 'ChangeGroup', 'RemoveGroup']);
  });

  it('merges node metadata: new keys added, existing replaced, null removes', () => {
    const { g, changes } = fixture();
    g.setNodeMetadata('read', { label: 'Reader', x: null });
    assert.deepEqual(g.getNode('read')!.metadata, { label: 'Reader' });
    assert.deepEqual(changes, [{ _type: 'ChangeNode', node: 'read', old_metadata: { x: 1 }, new_metadata: { label: 'Reader' } }]);
  });

  it('merges graph properties and reports the values before and after', () => {
    const { g, changes } = fixture();
    g.setProperties({ description: 'reads files', name: null });
    assert.deepEqual(g.properties, { description: 'reads files' });
    assert.deepEqual(changes, [{ _type: 'ChangeProperties', new: { description: 'reads files' }, before: { name: 'demo' } }]);
  });
});

describe('Graph cascades', () => {
  it('removeNode removes its edges, IIPs, exported ports and group membership, in one transaction', () => {
    const { g, types } = fixture();
    g.removeNode('read');
    assert.deepEqual(types(), [
      'StartTransaction', 'RemoveConnection', 'RemoveInitial', 'RemoveInitial', 'RemoveInport', 'ChangeGroupMembers', 'RemoveNode', 'EndTransaction',
    ]);
    assert.equal(g.edges.length, 1);
    assert.deepEqual(g.initials, []);
    assert.equal(g.inports.size, 0);
    assert.deepEqual(g.getGroup('io')!.nodes, ['show']);
  });

  it('removeNode inside an open transaction joins it instead of opening its own', () => {
    const { g, types } = fixture();
    g.transaction('cleanup', () => g.removeNode('show'));
    const t = types();
    assert.equal(t.filter((x) => x === 'StartTransaction').length, 1);
    assert.deepEqual(t.at(-1), 'EndTransaction');
  });

  it('renameNode rewrites every reference: edges, IIPs, exported ports, groups', () => {
    const { g, changes } = fixture();
    g.renameNode('read', 'reader');
    assert.deepEqual(changes, [{ _type: 'RenameNode', old: 'read', new: 'reader' }]);
    assert.equal(g.getNode('read'), undefined);
    assert.equal(g.getNode('reader')!.id, 'reader');
    assert.equal(g.edges[0].src.node, 'reader');
    assert.ok(g.initials.every((i) => i.tgt.node === 'reader'));
    assert.equal(g.inports.get('file')!.node, 'reader');
    assert.deepEqual(g.getGroup('io')!.nodes, ['reader', 'show']);
  });
});

describe('Graph transactions', () => {
  it('brackets changes with Start/EndTransaction and closes the transaction when the body throws', () => {
    const { g, types } = fixture();
    assert.throws(() => g.transaction('t', () => {
      g.addNode('n', 'x/X');
      throw new Error('boom');
    }), /boom/);
    assert.deepEqual(types(), ['StartTransaction', 'AddNode', 'EndTransaction']);
  });

  it('refuses to end a transaction that is not open, or out of order', () => {
    const { g } = fixture();
    assert.throws(() => g.endTransaction(), (e: GraphError) => e.code === 'NO_TRANSACTION');
    g.startTransaction('outer');
    g.startTransaction('inner');
    assert.throws(() => g.endTransaction('outer'), (e: GraphError) => e.code === 'NO_TRANSACTION');
    g.endTransaction('inner');
    g.endTransaction('outer');
  });
});

describe('Graph mutation errors (strict API: a code and a hint)', () => {
  const cases: [string, (g: Graph) => unknown, string][] = [
    ['a duplicate node id', (g) => g.addNode('read', 'x/X'), 'DUPLICATE_NODE'],
    ['an empty node id', (g) => g.addNode('', 'x/X'), 'INVALID_ID'],
    ['an empty component', (g) => g.addNode('n', ''), 'INVALID_COMPONENT'],
    ['an edge from an unknown node', (g) => g.addEdge({ node: 'nope', port: 'out' }, { node: 'show', port: 'in' }), 'UNKNOWN_NODE'],
    ['a duplicate edge', (g) => g.addEdge({ node: 'read', port: 'out' }, { node: 'split', port: 'in' }), 'DUPLICATE_EDGE'],
    ['removing an unknown edge', (g) => g.removeEdge({ node: 'read', port: 'x' }, { node: 'split', port: 'in' }), 'UNKNOWN_EDGE'],
    ['removing IIPs of a port that has none', (g) => g.removeInitial({ node: 'show', port: 'in' }), 'UNKNOWN_INITIAL'],
    ['removing an IIP object that is not in the graph', (g) => g.removeInitialEntry({ data: 1, tgt: { node: 'read', port: 'in' }, metadata: {} }), 'UNKNOWN_INITIAL'],
    ['an exported port name taken (case-insensitively)', (g) => g.addInport('FILE', 'split', 'in'), 'DUPLICATE_PORT'],
    ['a graph IIP to an unknown exported inport', (g) => g.addGraphInitial(1, 'nope'), 'UNKNOWN_PORT'],
    ['a duplicate group', (g) => g.addGroup('io', []), 'DUPLICATE_GROUP'],
    ['members of an unknown group', (g) => g.setGroupMembers('nope', []), 'UNKNOWN_GROUP'],
    ['a group member that is not a node', (g) => g.setGroupMembers('io', ['ghost']), 'UNKNOWN_NODE'],
    ['renaming onto an existing node', (g) => g.renameNode('read', 'show'), 'DUPLICATE_NODE'],
  ];
  for (const [what, act, code] of cases) {
    it(`rejects ${what} with ${code}, changing nothing`, () => {
      const { g, changes } = fixture();
      assert.throws(() => act(g), (e: unknown) => e instanceof GraphError && e.code === code && e.hint.length > 0);
      assert.deepEqual(changes, []);
    });
  }
});
