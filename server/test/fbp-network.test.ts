// The FBP network protocol: graphs run on the server's engine, live edits, status, data events,
// sampling, runtime:packet in and out, failures and stopping.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Graph } from '@actorflow/network';
import { startServer, type TestServer } from './support/server.ts';
import { FbpClient, is, type Frame } from './fbp-conformance/client.ts';

interface GraphSpec {
  nodes: Record<string, string | [string, Record<string, unknown>]>;
  edges?: [string, string][];
  iips?: [unknown, string][];
  inports?: Record<string, string>;
  outports?: Record<string, string>;
}

const ref = (spec: string) => {
  const [node, port] = spec.split('.');
  return { node, port };
};

describe('FBP network protocol', () => {
  let s: TestServer;
  let c: FbpClient;

  before(async () => {
    s = await startServer({ shutdownGraceMs: 30_000 });
    c = await FbpClient.connect(`${s.url.replace('http', 'ws')}/`);
  });
  after(async () => {
    await c.close();
    await s.close();
    assert.deepEqual(c.invalid, [], 'every frame the server sent is valid against the fbp-protocol schemas');
  });

  /** Builds a graph over the protocol; resolves once every edit was acknowledged. */
  async function build(id: string, spec: GraphSpec): Promise<void> {
    const ok = async (command: string, payload: Record<string, unknown>) => {
      const reply = await c.request('graph', command, { ...payload, graph: id });
      assert.notEqual(reply.command, 'error', JSON.stringify(reply.payload));
    };
    await ok('clear', { id, name: id });
    for (const [node, def] of Object.entries(spec.nodes)) {
      const [component, metadata] = typeof def === 'string' ? [def, {}] : def;
      await ok('addnode', { id: node, component, metadata });
    }
    for (const [src, tgt] of spec.edges ?? []) await ok('addedge', { src: ref(src), tgt: ref(tgt) });
    for (const [data, tgt] of spec.iips ?? []) await ok('addinitial', { src: { data }, tgt: ref(tgt) });
    for (const [name, inner] of Object.entries(spec.inports ?? {})) await ok('addinport', { public: name, ...ref(inner) });
    for (const [name, inner] of Object.entries(spec.outports ?? {})) await ok('addoutport', { public: name, ...ref(inner) });
  }

  const status = async (graph: string) => (await c.request('network', 'getstatus', { graph })).payload;
  const idle = (graph: string, from: number) => c.next(is('network', 'status', (p) => p.graph === graph && p.running === false && p.started === true), from);

  it('starts a graph as a run of the server engine (source fbp) and shows its packets with NoFlo edge ids', async () => {
    await build('hello', { nodes: { Hello: 'core/Repeat', World: 'core/Drop' }, edges: [['Hello.out', 'World.in']], iips: [['Hello, world!', 'Hello.in']] });
    const from = c.frames.length;
    const started = await c.request('network', 'start', { graph: 'hello' });
    assert.equal(started.command, 'started');
    assert.equal(started.payload.started, true);
    const iip = await c.next(is('network', 'data', (p) => p.graph === 'hello' && !p.src), from);
    assert.deepEqual(iip.payload, { id: 'DATA -> IN Hello()', graph: 'hello', tgt: { node: 'Hello', port: 'in' }, data: 'Hello, world!' });
    const data = await c.next(is('network', 'data', (p) => p.graph === 'hello' && p.src), from);
    assert.deepEqual(data.payload, { id: 'Hello() OUT -> IN World()', graph: 'hello', src: { node: 'Hello', port: 'out' }, tgt: { node: 'World', port: 'in' }, data: 'Hello, world!' });
    await idle('hello', from);
    const runs = [...s.app.actorflow.engine.active()].filter((e) => e.source === 'fbp' && e.workflowId === 'hello');
    assert.equal(runs.length, 1, 'one engine run for the started network');
    assert.equal(runs[0].network!.graph, s.app.fbp.graphs.get('hello')!.graph, 'the run executes the very Graph the protocol edits');
  });

  it('answers a second network:start with started, without starting a second run', async () => {
    const again = await c.request('network', 'start', { graph: 'hello' });
    assert.equal(again.command, 'started');
    assert.equal([...s.app.actorflow.engine.active()].filter((e) => e.workflowId === 'hello').length, 1);
  });

  it('distinguishes started from running, reports idle, and stays started until stopped', async () => {
    assert.deepEqual(await status('hello'), { graph: 'hello', running: false, started: true });
    const id = [...s.app.actorflow.engine.active()].find((e) => e.workflowId === 'hello')!.id;
    const stopped = await c.request('network', 'stop', { graph: 'hello' });
    assert.equal(stopped.command, 'stopped');
    assert.equal(stopped.payload.started, false);
    assert.equal(stopped.payload.running, false);
    assert.equal(typeof stopped.payload.uptime, 'number');
    assert.deepEqual(await status('hello'), { graph: 'hello', running: false, started: false });
    const record = s.app.actorflow.engine.record(id)!;
    assert.equal(record.source, 'fbp');
    assert.equal(record.status, 'Cancelled');
    assert.equal(record.error?.code, 'STOPPED');
    const again = await c.request('network', 'stop', { graph: 'hello' });
    assert.deepEqual({ ...again.payload, time: undefined }, { graph: 'hello', running: false, started: false, time: undefined }, 'stopping a stopped network answers stopped');
  });

  it('reports running while a packet is being processed', async () => {
    await build('busy', { nodes: { W: ['test/Wait', { ms: 60_000 }], D: 'core/Drop' }, edges: [['W.out', 'D.in']], inports: { in: 'W.in' } });
    const from = c.frames.length;
    await c.request('network', 'start', { graph: 'busy' });
    await idle('busy', from);
    const sent = await c.request('runtime', 'packet', { graph: 'busy', port: 'in', event: 'data', payload: 1 });
    assert.deepEqual(sent.payload, { port: 'in', event: 'data', graph: 'busy', payload: 1 });
    assert.deepEqual(await status('busy'), { graph: 'busy', running: true, started: true });
    const stopped = await c.request('network', 'stop', { graph: 'busy' });
    assert.deepEqual({ running: stopped.payload.running, started: stopped.payload.started }, { running: false, started: false });
  });

  it('takes runtime:packet into exported inports and sends what reaches exported outports back as runtime:packet', async () => {
    await build('upper', { nodes: { U: 'test/Upper' }, inports: { text: 'U.in' }, outports: { result: 'U.out' } });
    await c.request('network', 'start', { graph: 'upper' });
    const from = c.frames.length;
    await c.request('runtime', 'packet', { graph: 'upper', port: 'text', event: 'data', payload: 'hello' });
    const out = await c.next(is('runtime', 'packet', (p) => p.graph === 'upper'), from);
    assert.deepEqual(out.payload, { port: 'result', event: 'data', graph: 'upper', payload: 'HELLO' });
    const wrongPort = await c.request('runtime', 'packet', { graph: 'upper', port: 'nope', event: 'data', payload: 1 });
    assert.equal(wrongPort.payload.message, "graph 'upper' has no exported inport 'nope'; exported inports: text");
    const group = await c.request('runtime', 'packet', { graph: 'upper', port: 'text', event: 'begingroup', payload: 'g' });
    assert.match(group.payload.message, /'begingroup' is not supported: Actorflow has no bracket packets/);
    await c.request('network', 'stop', { graph: 'upper' });
    const notRunning = await c.request('runtime', 'packet', { graph: 'upper', port: 'text', event: 'data', payload: 'x' });
    assert.match(notRunning.payload.message, /graph 'upper' is not running; start it with network:start first/);
  });

  it('applies graph edits to the running network at once', async () => {
    await build('live', { nodes: { In: 'core/Repeat' }, inports: { in: 'In.in' } });
    await c.request('network', 'start', { graph: 'live' });
    // Extend the running network: In -> Up, exported as `out`.
    for (const [command, payload] of [
      ['addnode', { id: 'Up', component: 'test/Upper' }],
      ['addedge', { src: ref('In.out'), tgt: ref('Up.in') }],
      ['addoutport', { public: 'out', node: 'Up', port: 'out' }],
    ] as const) {
      const reply = await c.request('graph', command, { ...payload, graph: 'live' });
      assert.equal(reply.command, command);
    }
    const from = c.frames.length;
    await c.request('runtime', 'packet', { graph: 'live', port: 'in', event: 'data', payload: 'edited' });
    const out = await c.next(is('runtime', 'packet', (p) => p.graph === 'live'), from);
    assert.equal(out.payload.payload, 'EDITED');
    // An IIP added while running is delivered at once and shown like the ones delivered at start.
    const iipFrom = c.frames.length;
    await c.request('graph', 'addinitial', { src: { data: 'late' }, tgt: ref('In.in'), graph: 'live' });
    const shown = await c.next(is('network', 'data', (p) => p.id === 'DATA -> IN In()'), iipFrom);
    assert.equal(shown.payload.data, 'late');
    assert.equal((await c.next(is('runtime', 'packet', (p) => p.graph === 'live'), iipFrom)).payload.payload, 'LATE');
    await c.request('network', 'stop', { graph: 'live' });
  });

  it('reports an edit the running network cannot follow with network:error, the graph keeping it', async () => {
    await build('threads', { nodes: { A: 'core/Repeat' }, inports: { in: 'A.in' } });
    await c.request('network', 'start', { graph: 'threads' });
    const from = c.frames.length;
    const id = c.send('graph', 'addnode', { id: 'T', component: 'core/Repeat', metadata: { thread: 'worker' }, graph: 'threads' });
    const error = await c.next((f) => f.responseTo === id && f.command === 'error', from);
    assert.equal(error.protocol, 'network');
    assert.equal(error.payload.graph, 'threads');
    assert.match(error.payload.message, /^the running network could not apply graph:addnode \(.*thread.*\); the graph has the change: restart the network/);
    assert.ok(c.replies(id).some((f) => f.command === 'addnode'), 'the edit itself was echoed');
    assert.ok(s.app.fbp.graphs.get('threads')!.graph.nodes.has('T'));
    await c.request('network', 'stop', { graph: 'threads' });
  });

  it('summarises packets over 64 KiB and hides the packets of secure edges', async () => {
    await build('sizes', { nodes: { A: 'core/Repeat', B: 'core/Repeat', C: 'core/Drop' }, edges: [['A.out', 'B.in'], ['B.out', 'C.in']], inports: { in: 'A.in' } });
    await c.request('graph', 'changeedge', { src: ref('B.out'), tgt: ref('C.in'), metadata: { secure: true }, graph: 'sizes' });
    await c.request('network', 'start', { graph: 'sizes' });
    const from = c.frames.length;
    await c.request('runtime', 'packet', { graph: 'sizes', port: 'in', event: 'data', payload: 'x'.repeat(70_000) });
    const big = await c.next(is('network', 'data', (p) => p.id === 'A() OUT -> IN B()'), from);
    assert.match(big.payload.data, /^\[packet of 700\d\d bytes not shown\]$/);
    const secure = await c.next(is('network', 'data', (p) => p.id === 'B() OUT -> IN C()'), from);
    assert.equal(secure.payload.data, 'DATA');
    await c.request('network', 'stop', { graph: 'sizes' });
  });

  it('shows packets inside a subgraph with the subgraph node in `subgraph`', async () => {
    const inner = new Graph({ name: 'pair' });
    inner.addNode('First', 'core/Repeat');
    inner.addNode('Second', 'core/Repeat');
    inner.addEdge({ node: 'First', port: 'out' }, { node: 'Second', port: 'in' });
    inner.addInport('in', 'First', 'in');
    inner.addOutport('out', 'Second', 'out');
    s.app.actorflow.registry.registerGraph('test/Pair', inner);
    await build('nested', { nodes: { P: 'test/Pair', D: 'core/Drop' }, edges: [['P.out', 'D.in']], iips: [['deep', 'P.in']] });
    const from = c.frames.length;
    await c.request('network', 'start', { graph: 'nested' });
    const insideFrame = await c.next(is('network', 'data', (p) => p.graph === 'nested' && Array.isArray(p.subgraph)), from);
    assert.deepEqual(insideFrame.payload, {
      id: 'First() OUT -> IN Second()', graph: 'nested', subgraph: ['P'],
      src: { node: 'First', port: 'out' }, tgt: { node: 'Second', port: 'in' }, data: 'deep',
    });
    await c.request('network', 'stop', { graph: 'nested' });
  });

  it('samples network:data so a busy network cannot flood a client, the first packets of each edge always shown', async () => {
    await build('flood', { nodes: { B: ['test/Burst', { count: 3000 }], D: 'core/Drop' }, edges: [['B.out', 'D.in']], iips: [[1, 'B.in']] });
    const from = c.frames.length;
    const started = Date.now();
    await c.request('network', 'start', { graph: 'flood' });
    await idle('flood', from);
    const seconds = (Date.now() - started) / 1000;
    const shown = c.frames.slice(from).filter((f) => f.command === 'data' && f.payload.id === 'B() OUT -> IN D()');
    assert.ok(shown.length >= 20, `the burst of 20 gets through (${shown.length})`);
    assert.ok(shown.length <= 21 + Math.ceil(seconds * 10), `${shown.length} data frames for 3000 packets in ${seconds} s`);
    assert.deepEqual(shown.slice(0, 3).map((f: Frame) => f.payload.data.i), [0, 1, 2]);
    await c.request('network', 'stop', { graph: 'flood' });
  });

  it('shows only the edges chosen with network:edges', async () => {
    await build('chosen', { nodes: { A: 'core/Repeat', B: 'core/Repeat', C: 'core/Drop' }, edges: [['A.out', 'B.in'], ['B.out', 'C.in']], iips: [['x', 'A.in']] });
    c.send('network', 'edges', { graph: 'chosen', edges: [{ src: ref('B.out'), tgt: ref('C.in') }] });
    const reply = await c.next(is('network', 'edges', (p) => p.graph === 'chosen'));
    assert.deepEqual(reply.payload, { graph: 'chosen', edges: [{ src: ref('B.out'), tgt: ref('C.in') }] });
    const from = c.frames.length;
    await c.request('network', 'start', { graph: 'chosen' });
    await idle('chosen', from);
    const ids = c.frames.slice(from).filter((f) => f.command === 'data').map((f) => f.payload.id);
    assert.deepEqual(ids, ['B() OUT -> IN C()']);
    await c.request('network', 'stop', { graph: 'chosen' });
  });

  it('reports a failing process, then the network failing and stopping', async () => {
    await build('failing', { nodes: { F: 'test/Fail' }, iips: [[7, 'F.in']] });
    const from = c.frames.length;
    await c.request('network', 'start', { graph: 'failing' });
    const processError = await c.next(is('network', 'processerror', (p) => p.graph === 'failing'), from);
    assert.equal(processError.payload.id, 'F');
    assert.match(processError.payload.error, /^cannot handle 7/);
    const error = await c.next(is('network', 'error', (p) => p.graph === 'failing'), from);
    assert.match(error.payload.message, /node 'F' \(test\/Fail\) failed: cannot handle 7/);
    const stopped = await c.next(is('network', 'stopped', (p) => p.graph === 'failing'), from);
    assert.equal(stopped.payload.started, false);
    assert.deepEqual(await status('failing'), { graph: 'failing', running: false, started: false });
  });

  it('refuses to start an invalid graph, listing its problems', async () => {
    await build('invalid', { nodes: { U: 'test/Upper' }, iips: [[42, 'U.in']] });
    const reply = await c.request('network', 'start', { graph: 'invalid' });
    assert.equal(reply.protocol, 'network');
    assert.equal(reply.command, 'error');
    assert.match(reply.payload.message, /^network:start: the graph has 1 problem: .*IIP 42 -> U\.in: integer does not fit string \(give a string value\)$/);
    assert.deepEqual(await status('invalid'), { graph: 'invalid', running: false, started: false });
  });

  it('stops the running network of a graph that is cleared', async () => {
    await build('cleared', { nodes: { W: ['test/Wait', { ms: 60_000 }] }, iips: [[1, 'W.in']] });
    const from = c.frames.length;
    await c.request('network', 'start', { graph: 'cleared' });
    await c.request('graph', 'clear', { id: 'cleared' });
    await c.next(is('network', 'stopped', (p) => p.graph === 'cleared'), from);
    assert.deepEqual(await status('cleared'), { graph: 'cleared', running: false, started: false });
  });

  it('stops FBP networks at shutdown without waiting for the grace period', async () => {
    const other = await startServer({ shutdownGraceMs: 30_000 });
    const client = await FbpClient.connect(`${other.url.replace('http', 'ws')}/fbp`);
    await client.request('graph', 'clear', { id: 'g' });
    await client.request('graph', 'addnode', { id: 'W', component: 'test/Wait', metadata: { ms: 60_000 }, graph: 'g' });
    await client.request('graph', 'addinitial', { src: { data: 1 }, tgt: ref('W.in'), graph: 'g' });
    await client.request('network', 'start', { graph: 'g' });
    const closing = Date.now();
    await other.close();
    assert.ok(Date.now() - closing < 15_000, 'closed well within the 30 s grace period');
    assert.deepEqual(client.invalid, []);
    await client.close();
  });
});

describe('FBP networks and the engine run slots', () => {
  it('holds a started network in the run queue while every slot is taken, and starts it when one frees', async () => {
    const s = await startServer({ maxConcurrentRuns: 1 });
    const c = await FbpClient.connect(`${s.url.replace('http', 'ws')}/`);
    try {
      for (const id of ['first', 'second']) {
        await c.request('graph', 'clear', { id });
        await c.request('graph', 'addnode', { id: 'R', component: 'core/Repeat', graph: id });
        await c.request('graph', 'addinport', { public: 'in', node: 'R', port: 'in', graph: id });
      }
      assert.equal((await c.request('network', 'start', { graph: 'first' })).command, 'started');
      const from = c.frames.length;
      c.send('network', 'start', { graph: 'second' });
      const queued = await c.request('network', 'getstatus', { graph: 'second' });
      assert.deepEqual(queued.payload, { graph: 'second', running: false, started: true });
      assert.equal(c.frames.slice(from).filter((f) => f.command === 'started').length, 0, 'not started while queued');
      const refused = await c.request('runtime', 'packet', { graph: 'second', port: 'in', event: 'data', payload: 1 });
      assert.match(refused.payload.message, /graph 'second' is waiting for a free run slot \(ACTORFLOW_MAX_CONCURRENT_RUNS\)/);
      await c.request('network', 'stop', { graph: 'first' });
      const started = await c.next(is('network', 'started', (p) => p.graph === 'second'), from);
      assert.equal(started.payload.started, true);
      await c.request('network', 'stop', { graph: 'second' });
    } finally {
      await c.close();
      await s.close();
    }
    assert.deepEqual(c.invalid, []);
  });
});
