// The FBP component protocol: the registry with port metadata, component sources, and components
// made from source (script components) when the configuration allows it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildServer } from '../src/app.ts';
import { startServer, type TestServer } from './support/server.ts';
import { FbpClient, is, type Frame } from './fbp-conformance/client.ts';

const DOUBLE = `
export const metadata = {
  description: 'Doubles numbers',
  inports: { in: { type: 'number', description: 'A number' } },
  outports: { out: { type: 'number' } },
};
export default async function ({ inputs }) {
  return { out: inputs.in * 2 };
}
`;

async function list(c: FbpClient): Promise<{ components: Frame[]; ready: Frame }> {
  const from = c.frames.length;
  const id = c.send('component', 'list');
  const ready = await c.next((f) => f.command === 'componentsready' && f.responseTo === id, from);
  return { components: c.replies(id).filter((f) => f.command === 'component'), ready };
}

describe('FBP component protocol', () => {
  let s: TestServer;
  let c: FbpClient;

  before(async () => {
    s = await startServer();
    c = await FbpClient.connect(`${s.url.replace('http', 'ws')}/`);
  });
  after(async () => {
    await c.close();
    await s.close();
    assert.deepEqual(c.invalid, [], 'every frame the server sent is valid against the fbp-protocol schemas');
  });

  it('lists every registered component with its ports, then componentsready with the count', async () => {
    const { components, ready } = await list(c);
    assert.equal(ready.payload, s.app.actorflow.registry.names().length);
    assert.equal(components.length, ready.payload);
    const repeat = components.find((f) => f.payload.name === 'core/Repeat')!;
    assert.deepEqual(repeat.payload, {
      name: 'core/Repeat', description: 'Forwards every packet it receives, unchanged.', icon: 'arrow-right', subgraph: false,
      inPorts: [{ id: 'in', type: 'all', required: false, addressable: false, description: 'Any packet' }],
      outPorts: [{ id: 'out', type: 'all', required: false, addressable: false, description: 'The same packet' }],
    });
    const merge = components.find((f) => f.payload.name === 'core/Merge')!;
    assert.equal(merge.payload.inPorts[0].addressable, true);
    const upper = components.find((f) => f.payload.name === 'test/Upper')!;
    assert.equal(upper.payload.inPorts[0].type, 'string');
  });

  it('gives the source of a component loaded from a module, and of a graph as FBP JSON', async () => {
    const repeat = await c.request('component', 'getsource', { name: 'core/Repeat' });
    assert.equal(repeat.command, 'source');
    assert.equal(repeat.payload.name, 'Repeat');
    assert.equal(repeat.payload.library, 'core');
    assert.equal(repeat.payload.language, 'typescript');
    assert.match(repeat.payload.code, /name: 'core\/Repeat'/);
    await c.request('graph', 'clear', { id: 'mygraph' });
    await c.request('graph', 'addnode', { id: 'A', component: 'core/Repeat', graph: 'mygraph' });
    const graph = await c.request('component', 'getsource', { name: 'mygraph' });
    assert.equal(graph.payload.language, 'json');
    assert.deepEqual(JSON.parse(graph.payload.code).processes, { A: { component: 'core/Repeat', metadata: {} } });
  });

  it('answers an unknown component with the names that come close', async () => {
    const reply = await c.request('component', 'getsource', { name: 'core/Repaet' });
    assert.equal(reply.command, 'error');
    assert.match(reply.payload.message, /unknown component 'core\/Repaet'.*core\/Repeat/);
  });

  it('refuses component:source unless the configuration allows it, saying how', async () => {
    const reply = await c.request('component', 'source', { name: 'Double', library: 'mine', language: 'javascript', code: DOUBLE });
    assert.equal(reply.command, 'error');
    assert.match(reply.payload.message, /component:source is not permitted: this server does not create components from source \(set ACTORFLOW_FBP_SOURCE_LANGUAGES/);
    assert.ok(!s.app.actorflow.registry.has('mine/Double'));
  });
});

const TRIPLE = `from actorflow import actor

@actor(description="Triples numbers", inports=["in"], outports=["out"])
def triple(inputs, state, config):
    return {"out": inputs["in"] * 3}
`;

describe('FBP component:source with ACTORFLOW_FBP_SOURCE_LANGUAGES=javascript', () => {
  let s: TestServer;
  let c: FbpClient;

  before(async () => {
    s = await startServer({ fbpSourceLanguages: ['javascript'] });
    c = await FbpClient.connect(`${s.url.replace('http', 'ws')}/`);
  });
  after(async () => {
    await c.close();
    await s.close();
    assert.deepEqual(c.invalid, [], 'every frame the server sent is valid against the fbp-protocol schemas');
  });

  it('advertises component:setsource', async () => {
    const runtime = await c.request('runtime', 'getruntime');
    assert.ok(runtime.payload.capabilities.includes('component:setsource'));
  });

  it('creates a script component from source that graphs can use at once, and gives its source back', async () => {
    const created = await c.request('component', 'source', { name: 'Double', library: 'mine', language: 'javascript', code: DOUBLE });
    assert.equal(created.command, 'component', JSON.stringify(created.payload));
    assert.equal(created.payload.name, 'mine/Double');
    assert.deepEqual(created.payload.inPorts, [{ id: 'in', type: 'number', required: false, addressable: false, description: 'A number' }]);
    const source = await c.request('component', 'getsource', { name: 'mine/Double' });
    assert.deepEqual(source.payload, { name: 'Double', library: 'mine', language: 'javascript', code: DOUBLE });

    await c.request('graph', 'clear', { id: 'doubling' });
    await c.request('graph', 'addnode', { id: 'D', component: 'mine/Double', graph: 'doubling' });
    await c.request('graph', 'addinport', { public: 'in', node: 'D', port: 'in', graph: 'doubling' });
    await c.request('graph', 'addoutport', { public: 'out', node: 'D', port: 'out', graph: 'doubling' });
    const started = await c.request('network', 'start', { graph: 'doubling' });
    assert.equal(started.command, 'started', JSON.stringify(started.payload));
    const from = c.frames.length;
    await c.request('runtime', 'packet', { graph: 'doubling', port: 'in', event: 'data', payload: 21 });
    const out = await c.next(is('runtime', 'packet', (p) => p.graph === 'doubling'), from);
    assert.equal(out.payload.payload, 42);
    await c.request('network', 'stop', { graph: 'doubling' });
  });

  it('replaces a component it created, but never one that came with the server', async () => {
    const updated = await c.request('component', 'source', { name: 'Double', library: 'mine', language: 'javascript', code: DOUBLE.replace('Doubles numbers', 'Doubles numbers (v2)') });
    assert.equal(updated.payload.description, 'Doubles numbers (v2)');
    const builtIn = await c.request('component', 'source', { name: 'Repeat', library: 'core', language: 'javascript', code: DOUBLE });
    assert.equal(builtIn.payload.message, "component 'core/Repeat' came with the server and cannot be replaced over the protocol; choose another name or library");
  });

  it('reports code that does not compile, and languages it does not accept', async () => {
    const broken = await c.request('component', 'source', { name: 'Broken', library: 'mine', language: 'javascript', code: 'export default function ( {' });
    assert.equal(broken.command, 'error');
    assert.match(broken.payload.message, /^component:source: 'mine\/Broken' does not compile: /);
    assert.ok(!s.app.actorflow.registry.has('mine/Broken'));
    const python = await c.request('component', 'source', { name: 'Py', library: 'mine', language: 'python', code: 'x = 1' });
    assert.equal(python.payload.message, "component:source: language 'python' is not accepted; this server accepts javascript");
  });
});

describe('FBP component:source with ACTORFLOW_FBP_SOURCE_LANGUAGES=javascript,python', () => {
  it('creates a Python script component that runs in a graph', async () => {
    const s = await startServer({ fbpSourceLanguages: ['javascript', 'python'] });
    const c = await FbpClient.connect(`${s.url.replace('http', 'ws')}/`);
    try {
      const created = await c.request('component', 'source', { name: 'Triple', library: 'py', language: 'python', code: TRIPLE });
      assert.equal(created.command, 'component', JSON.stringify(created.payload));
      assert.equal(created.payload.description, 'Triples numbers');
      await c.request('graph', 'clear', { id: 'tripling' });
      await c.request('graph', 'addnode', { id: 'T', component: 'py/Triple', graph: 'tripling' });
      await c.request('graph', 'addinport', { public: 'in', node: 'T', port: 'in', graph: 'tripling' });
      await c.request('graph', 'addoutport', { public: 'out', node: 'T', port: 'out', graph: 'tripling' });
      assert.equal((await c.request('network', 'start', { graph: 'tripling' })).command, 'started');
      const from = c.frames.length;
      await c.request('runtime', 'packet', { graph: 'tripling', port: 'in', event: 'data', payload: 14 });
      const out = await c.next(is('runtime', 'packet', (p) => p.graph === 'tripling'), from);
      assert.equal(out.payload.payload, 42);
      await c.request('network', 'stop', { graph: 'tripling' });
    } finally {
      await c.close();
      await s.close();
    }
    assert.deepEqual(c.invalid, []);
  });
});

describe('FBP component:source configuration', () => {
  it('refuses to start a server configured with a language it cannot compile', async () => {
    await assert.rejects(buildServer({ config: { db: ':memory:', logLevel: 'silent', fbpSourceLanguages: ['cobol'] } }),
      /component:source languages cobol are not script languages; use some of javascript, python/);
  });
});
