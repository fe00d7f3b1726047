import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ActorflowError } from '../src/errors.ts';
import { Graph } from '../src/graph/graph.ts';
import { GraphHistory } from '../src/graph/history.ts';
import { toGraphJson } from '../src/graph/json.ts';
import type { GraphChangeType } from '../src/graph/types.ts';

function fixture(maxHistory?: number) {
  const g = new Graph({ name: 'h' });
  g.addNode('a', 'x/A', { x: 1 });
  g.addNode('b', 'x/B');
  g.addNode('c', 'x/C');
  g.addEdge({ node: 'a', port: 'out' }, { node: 'b', port: 'in' }, { capacity: 2 });
  g.addEdge({ node: 'b', port: 'out' }, { node: 'c', port: 'in' });
  g.addInitial(1, { node: 'a', port: 'in' });
  g.addInitial(2, { node: 'a', port: 'in' });
  g.addInport('start', 'a', 'in', { x: 0 });
  g.addOutport('end', 'c', 'out');
  g.addGroup('first', ['a', 'b'], { color: 'red' });
  g.addGroup('second', ['c']);
  const history = new GraphHistory(g, maxHistory === undefined ? {} : { maxHistory });
  // Nodes and exported ports are maps (compared regardless of order); edges, IIPs and groups are lists.
  return { g, history, snapshot: () => toGraphJson(g) };
}

/** One edit per change type: each must be undone exactly and redone exactly. */
const edits: [GraphChangeType, (g: Graph) => void][] = [
  ['AddNode', (g) => g.addNode('d', 'x/D', { label: 'D' })],
  ['RemoveNode', (g) => g.removeNode('c')],
  ['RenameNode', (g) => g.renameNode('a', 'alpha')],
  ['ChangeNode', (g) => g.setNodeMetadata('a', { x: null, label: 'A' })],
  ['AddConnection', (g) => g.addEdge({ node: 'a', port: 'err' }, { node: 'c', port: 'in' }, {}, 0)],
  ['RemoveConnection', (g) => g.removeEdge({ node: 'a', port: 'out' }, { node: 'b', port: 'in' })],
  ['ChangeConnection', (g) => g.setEdgeMetadata({ node: 'a', port: 'out' }, { node: 'b', port: 'in' }, { capacity: null, policy: 'error' })],
  ['AddInitial', (g) => g.addInitial(0, { node: 'a', port: 'in' }, {}, 0)],
  ['RemoveInitial', (g) => g.removeInitialEntry(g.initials[0])],
  ['AddInport', (g) => g.addInport('go', 'b', 'in', {}, 1)],
  ['RemoveInport', (g) => g.removeInport('start')],
  ['RenameInport', (g) => g.renameInport('start', 'begin')],
  ['ChangeInport', (g) => g.setInportMetadata('start', { x: null, y: 1 })],
  ['AddOutport', (g) => g.addOutport('more', 'b', 'out')],
  ['RemoveOutport', (g) => g.removeOutport('end')],
  ['RenameOutport', (g) => g.renameOutport('end', 'finish')],
  ['ChangeOutport', (g) => g.setOutportMetadata('end', { description: 'done' })],
  ['AddGroup', (g) => g.addGroup('third', ['a'])],
  ['RemoveGroup', (g) => g.removeGroup('first')],
  ['RenameGroup', (g) => g.renameGroup('first', 'primary')],
  ['ChangeGroup', (g) => g.setGroupMetadata('first', { color: null, thread: 'io' })],
  ['ChangeGroupMembers', (g) => g.setGroupMembers('first', ['b', 'c', 'a'])],
  ['ChangeProperties', (g) => g.setProperties({ name: null, version: '2' })],
];

describe('GraphHistory: undo and redo of every change type', () => {
  for (const [type, edit] of edits) {
    it(`undoes and redoes ${type} exactly`, () => {
      const { g, history, snapshot } = fixture();
      const before = snapshot();
      const seen: GraphChangeType[] = [];
      g.on((c) => seen.push(c._type));
      edit(g);
      assert.ok(seen.includes(type), `the edit emits ${type}`);
      const after = snapshot();
      assert.notDeepEqual(after, before);
      assert.equal(history.undo(), true);
      assert.deepEqual(snapshot(), before);
      assert.equal(history.redo(), true);
      assert.deepEqual(snapshot(), after);
      assert.equal(history.undo(), true);
      assert.deepEqual(snapshot(), before);
    });
  }
});

describe('GraphHistory: steps and stacks', () => {
  it('undoes a cascading removeNode (edges, IIPs in order, exported ports, group membership) as one step', () => {
    const { g, history, snapshot } = fixture();
    const before = snapshot();
    g.removeNode('a');
    assert.equal(history.state().undoSize, 1);
    history.undo();
    assert.deepEqual(snapshot(), before);
    assert.deepEqual(g.initials.map((i) => i.data), [1, 2]);
  });

  it('undoes removeInitial of a port with several IIPs as one step, restoring their order', () => {
    const { g, history } = fixture();
    g.removeInitial({ node: 'a', port: 'in' });
    assert.equal(history.state().undoSize, 1);
    history.undo();
    assert.deepEqual(g.initials.map((i) => i.data), [1, 2]);
  });

  it('treats an explicit transaction as one step, undone in reverse order', () => {
    const { g, history, snapshot } = fixture();
    const before = snapshot();
    g.transaction('reshape', () => {
      g.addNode('d', 'x/D');
      g.addEdge({ node: 'c', port: 'out' }, { node: 'd', port: 'in' });
      g.renameNode('d', 'sink');
      g.transaction('nested', () => g.removeNode('b'));
    });
    assert.deepEqual(history.state(), { canUndo: true, canRedo: false, undoSize: 1, redoSize: 0 });
    history.undo();
    assert.deepEqual(snapshot(), before);
    history.redo();
    assert.deepEqual([...g.nodes.keys()].sort(), ['a', 'c', 'sink']);
  });

  it('reports its state and clears redo on a new change', () => {
    const { g, history } = fixture();
    assert.deepEqual(history.state(), { canUndo: false, canRedo: false, undoSize: 0, redoSize: 0 });
    g.addNode('d', 'x/D');
    g.addNode('e', 'x/E');
    history.undo();
    assert.deepEqual(history.state(), { canUndo: true, canRedo: true, undoSize: 1, redoSize: 1 });
    g.addNode('f', 'x/F');
    assert.deepEqual(history.state(), { canUndo: true, canRedo: false, undoSize: 2, redoSize: 0 });
    assert.equal(history.redo(), false);
  });

  it('does not record its own undo and redo as new history', () => {
    const { g, history } = fixture();
    g.addNode('d', 'x/D');
    history.undo();
    history.redo();
    history.undo();
    assert.deepEqual(history.state(), { canUndo: false, canRedo: true, undoSize: 0, redoSize: 1 });
  });

  it('applies undo through the graph API inside a transaction, so other listeners see ordinary changes', () => {
    const { g, history } = fixture();
    g.removeNode('c');
    const seen: GraphChangeType[] = [];
    g.on((c) => seen.push(c._type));
    history.undo();
    assert.deepEqual(seen, ['StartTransaction', 'AddNode', 'ChangeGroupMembers', 'AddOutport', 'AddConnection', 'EndTransaction']);
  });

  it('keeps at most maxHistory steps, dropping the oldest', () => {
    const { g, history } = fixture(2);
    for (const id of ['d', 'e', 'f']) g.addNode(id, 'x/X');
    assert.equal(history.state().undoSize, 2);
    history.undo();
    history.undo();
    assert.equal(history.undo(), false);
    assert.deepEqual([...g.nodes.keys()], ['a', 'b', 'c', 'd']);
  });

  it('records nothing with maxHistory 0, and rejects a negative one', () => {
    const { g, history } = fixture(0);
    g.addNode('d', 'x/D');
    assert.equal(history.canUndo, false);
    assert.throws(() => new GraphHistory(g, { maxHistory: -1 }), (e: ActorflowError) => e.code === 'INVALID_OPTION');
  });

  it('refuses to undo while a transaction is open', () => {
    const { g, history } = fixture();
    g.addNode('d', 'x/D');
    g.startTransaction('open');
    assert.throws(() => history.undo(), (e: ActorflowError) => e.code === 'TRANSACTION_OPEN');
    g.endTransaction('open');
    assert.equal(history.undo(), true);
  });

  it('reports a conflict and leaves the graph as it was when the graph was edited behind its back', () => {
    const { g, history, snapshot } = fixture();
    g.transaction('two', () => {
      g.addNode('d', 'x/D');
      g.addNode('e', 'x/E');
    });
    g.nodes.delete('d'); // behind the API: no event, so the history cannot know
    const before = snapshot();
    assert.throws(() => history.undo(), (e: ActorflowError) => e.code === 'HISTORY_CONFLICT' && /no node 'd'/.test(e.message));
    assert.deepEqual(snapshot(), before);
    assert.equal(history.state().undoSize, 1);
  });

  it('stops recording after dispose', () => {
    const { g, history } = fixture();
    history.dispose();
    g.addNode('d', 'x/D');
    assert.equal(history.canUndo, false);
  });
});
