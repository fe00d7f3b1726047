// The FBP graph protocol: edits of the server's graph model, echoed to every client.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from './support/server.ts';
import { FbpClient, is, type Frame } from './fbp-conformance/client.ts';

describe('FBP graph protocol', () => {
  let s: TestServer;
  let a: FbpClient;
  let b: FbpClient;

  before(async () => {
    s = await startServer({ maxNodes: 6, maxIipBytes: 1024 });
    const url = s.url.replace('http', 'ws');
    a = await FbpClient.connect(`${url}/`);
    b = await FbpClient.connect(`${url}/fbp`);
  });
  after(async () => {
    await Promise.all([a.close(), b.close()]);
    await s.close();
    for (const c of [a, b]) assert.deepEqual(c.invalid, [], 'every frame the server sent is valid against the fbp-protocol schemas');
  });

  /** Sends a command and returns every frame answering it (once `last` arrives). */
  async function edit(command: string, payload: Record<string, unknown>, last = command): Promise<Frame[]> {
    const from = a.frames.length;
    const id = a.send('graph', command, payload);
    await a.next((f) => f.responseTo === id && (f.command === last || f.command === 'error'), from);
    return a.replies(id);
  }

  it('echoes each edit to every client, the sender getting it as the reply to its request', async () => {
    const [clear] = await edit('clear', { id: 'shared', name: 'Shared graph', main: true, baseDir: '/ignored' });
    assert.deepEqual(clear.payload, { id: 'shared', name: 'Shared graph', main: true });
    const [added] = await edit('addnode', { id: 'A', component: 'core/Repeat', graph: 'shared' });
    assert.deepEqual(added.payload, { id: 'A', component: 'core/Repeat', metadata: {}, graph: 'shared' });
    const seen = await b.next(is('graph', 'addnode', (p) => p.id === 'A'), 0);
    assert.deepEqual(seen.payload, added.payload);
    assert.equal(seen.responseTo, undefined, 'other clients get the change without responseTo');
  });

  it('keeps the FBP conventions: lower-cased ports, merged metadata, IIPs echoed with their data', async () => {
    await edit('addnode', { id: 'B', component: 'core/Repeat', metadata: { x: 10, label: 'b' }, graph: 'shared' });
    const [edge] = await edit('addedge', { src: { node: 'A', port: 'OUT' }, tgt: { node: 'B', port: 'In' }, metadata: { route: 3 }, graph: 'shared' });
    assert.deepEqual(edge.payload, { src: { node: 'A', port: 'out' }, tgt: { node: 'B', port: 'in' }, metadata: { route: 3 }, graph: 'shared' });
    const [changed] = await edit('changenode', { id: 'B', metadata: { y: 4, label: null }, graph: 'shared' });
    assert.deepEqual(changed.payload, { id: 'B', metadata: { x: 10, y: 4 }, graph: 'shared' });
    const [edgeChanged] = await edit('changeedge', { src: { node: 'A', port: 'out' }, tgt: { node: 'B', port: 'in' }, metadata: { secure: true }, graph: 'shared' });
    assert.deepEqual(edgeChanged.payload.metadata, { route: 3, secure: true });
    const [iip] = await edit('addinitial', { src: { data: { n: 1 } }, tgt: { node: 'A', port: 'IN' }, graph: 'shared' });
    assert.deepEqual(iip.payload, { src: { data: { n: 1 } }, tgt: { node: 'A', port: 'in' }, metadata: {}, graph: 'shared' });
    const graph = s.app.fbp.graphs.get('shared')!.graph;
    assert.deepEqual(graph.edges.map((e) => `${e.src.node}.${e.src.port}>${e.tgt.node}.${e.tgt.port}`), ['A.out>B.in']);
    assert.deepEqual(graph.initials.map((i) => i.data), [{ n: 1 }]);
  });

  it('announces exported ports with runtime:ports describing them from the registry', async () => {
    const from = a.frames.length;
    const [inport] = await edit('addinport', { public: 'IN', node: 'A', port: 'in', graph: 'shared' });
    assert.deepEqual(inport.payload, { public: 'in', node: 'A', port: 'in', graph: 'shared' }, 'no metadata key when none was given');
    const [outport] = await edit('addoutport', { public: 'out', node: 'B', port: 'out', metadata: { description: 'the result' }, graph: 'shared' });
    assert.deepEqual(outport.payload.metadata, { description: 'the result' });
    const ports = await a.next(is('runtime', 'ports', (p) => p.graph === 'shared' && p.outPorts.length === 1), from);
    assert.deepEqual(ports.payload, {
      graph: 'shared',
      inPorts: [{ id: 'in', type: 'all', required: false, addressable: false, description: 'Any packet' }],
      outPorts: [{ id: 'out', type: 'all', required: false, addressable: false, description: 'the result' }],
    });
    const [renamed] = await edit('renameinport', { from: 'in', to: 'input', graph: 'shared' });
    assert.deepEqual(renamed.payload, { from: 'in', to: 'input', graph: 'shared' });
  });

  it('removes a node after its edges, IIPs and exported ports, each announced', async () => {
    await edit('addnode', { id: 'C', component: 'core/Drop', graph: 'shared' });
    await edit('addedge', { src: { node: 'B', port: 'out' }, tgt: { node: 'C', port: 'in' }, graph: 'shared' });
    await edit('addgroup', { name: 'pair', nodes: ['A', 'B'], metadata: { description: 'two' }, graph: 'shared' });
    const frames = await edit('removenode', { id: 'B', graph: 'shared' }, 'removenode');
    // Each removal is preceded by the removed item's metadata, as NoFlo sends it (for fbp-graph's Journal).
    assert.deepEqual(frames.map((f) => f.command), [
      'changeedge', 'removeedge', 'changeedge', 'removeedge', 'removeoutport', 'changegroup', 'removegroup', 'addgroup', 'changenode', 'removenode',
    ]);
    assert.deepEqual(frames[0].payload, { src: { node: 'A', port: 'out' }, tgt: { node: 'B', port: 'in' }, metadata: { route: 3, secure: true }, graph: 'shared' });
    assert.deepEqual(frames[1].payload, { src: { node: 'A', port: 'out' }, tgt: { node: 'B', port: 'in' }, graph: 'shared' });
    assert.deepEqual(frames[7].payload, { name: 'pair', nodes: ['A'], metadata: { description: 'two' }, graph: 'shared' }, 'the group without B');
    assert.deepEqual(frames[8].payload, { id: 'B', metadata: { x: 10, y: 4 }, graph: 'shared' });
    assert.deepEqual(frames[9].payload, { id: 'B', graph: 'shared' });
    const [removedIip] = await edit('removeinitial', { tgt: { node: 'A', port: 'in' }, graph: 'shared' });
    assert.deepEqual(removedIip.payload, { src: { data: { n: 1 } }, tgt: { node: 'A', port: 'in' }, graph: 'shared' });
  });

  it('renames nodes and groups everywhere they are referenced', async () => {
    const [renamed] = await edit('renamenode', { from: 'A', to: 'First', graph: 'shared' });
    assert.deepEqual(renamed.payload, { from: 'A', to: 'First', graph: 'shared' });
    const graph = s.app.fbp.graphs.get('shared')!.graph;
    assert.equal(graph.inports.get('input')!.node, 'First');
    await edit('renamegroup', { from: 'pair', to: 'solo', graph: 'shared' });
    const [changed] = await edit('changegroup', { name: 'solo', metadata: { color: 1 }, graph: 'shared' });
    assert.deepEqual(changed.payload, { name: 'solo', metadata: { description: 'two', color: 1 }, graph: 'shared' });
    assert.deepEqual(graph.groups.map((g) => [g.name, g.nodes]), [['solo', ['First']]]);
    await edit('removegroup', { name: 'solo', graph: 'shared' });
    assert.equal(graph.groups.length, 0);
  });

  it('refuses edits the graph or the registry rule out, saying what exists', async () => {
    const [unknown] = await edit('addnode', { id: 'X', component: 'core/Repet', graph: 'shared' });
    assert.equal(unknown.command, 'error');
    assert.match(unknown.payload.message, /^Component core\/Repet not available; did you mean core\/Repeat/);
    const [port] = await edit('addedge', { src: { node: 'First', port: 'nope' }, tgt: { node: 'C', port: 'in' }, graph: 'shared' });
    assert.equal(port.payload.message, "node 'First' (core/Repeat) has no outport 'nope'; its outports: out");
    const [duplicate] = await edit('addnode', { id: 'C', component: 'core/Drop', graph: 'shared' });
    assert.match(duplicate.payload.message, /node 'C' already exists/);
    const [missingNode] = await edit('removenode', { id: 'Ghost', graph: 'shared' });
    assert.match(missingNode.payload.message, /no node 'Ghost'/);
    const [noGraph] = await edit('addnode', { id: 'X', component: 'core/Repeat' });
    assert.deepEqual(noGraph.payload, { message: 'No graph specified' });
    const [notFound] = await edit('addnode', { id: 'X', component: 'core/Repeat', graph: 'elsewhere' });
    assert.deepEqual(notFound.payload, { message: 'Requested graph not found' });
    assert.ok([unknown, port, duplicate, missingNode, noGraph, notFound].every((f) => f.protocol === 'graph'));
  });

  it("enforces the server's graph limits (nodes, IIP size)", async () => {
    await edit('clear', { id: 'limits' });
    for (let i = 0; i < 6; i++) await edit('addnode', { id: `n${i}`, component: 'core/Repeat', graph: 'limits' });
    const [tooMany] = await edit('addnode', { id: 'n6', component: 'core/Repeat', graph: 'limits' });
    assert.match(tooMany.payload.message, /already has 6 nodes, the server's limit \(ACTORFLOW_MAX_NODES\)/);
    const [tooBig] = await edit('addinitial', { src: { data: 'x'.repeat(2000) }, tgt: { node: 'n0', port: 'in' }, graph: 'limits' });
    assert.match(tooBig.payload.message, /initial packet is 2002 bytes of JSON; the server accepts at most 1024 \(ACTORFLOW_MAX_IIP_BYTES\)/);
  });

  it('replaces a graph on graph:clear with the same id', async () => {
    await edit('clear', { id: 'limits', name: 'again' });
    assert.equal(s.app.fbp.graphs.get('limits')!.graph.nodes.size, 0);
  });
});
