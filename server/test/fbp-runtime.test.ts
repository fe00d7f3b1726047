// The FBP endpoint: transport, runtime:getruntime, secrets and permissions, replies and bad input.
// Every frame the server sends is checked against the protocol's JSON schemas (fbp-protocol).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startServer, type TestServer } from './support/server.ts';
import { FbpClient, is } from './fbp-conformance/client.ts';

const SECRET = 'fbp-test-secret-0123456789';
const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function fbpUrl(s: TestServer, path = '/'): string {
  return `${s.url.replace('http', 'ws')}${path}`;
}

describe('FBP endpoint: transport and runtime protocol', () => {
  let s: TestServer;
  const clients: FbpClient[] = [];
  const connect = async (path = '/', secret: string | undefined = SECRET) => {
    const c = await FbpClient.connect(fbpUrl(s, path), secret === undefined ? {} : { secret });
    clients.push(c);
    return c;
  };

  before(async () => {
    s = await startServer({ fbpSecret: SECRET });
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await s.close();
    for (const c of clients) assert.deepEqual(c.invalid, [], 'every frame the server sent is valid against the fbp-protocol schemas');
  });

  it('accepts WebSocket connections at / and /fbp and echoes the noflo subprotocol', async () => {
    for (const path of ['/', '/fbp']) {
      const c = await connect(path);
      assert.equal(c.socket.protocol, 'noflo');
      const reply = await c.request('runtime', 'getruntime');
      assert.equal(reply.command, 'runtime');
    }
  });

  it('reports what the runtime is and, truthfully, what it can do', async () => {
    const c = await connect();
    const reply = await c.request('runtime', 'getruntime');
    const p = reply.payload;
    assert.equal(p.type, 'actorflow');
    assert.match(p.id, UUID4);
    assert.deepEqual(p.capabilities, p.allCapabilities);
    for (const cap of ['protocol:runtime', 'protocol:graph', 'protocol:component', 'protocol:network', 'protocol:trace', 'network:data', 'network:status', 'network:control', 'component:getsource']) {
      assert.ok(p.capabilities.includes(cap), cap);
    }
    assert.ok(!p.capabilities.includes('component:setsource'), 'no component:setsource unless configured');
    assert.ok(!p.capabilities.includes('network:persist'), 'graphs are not persisted: no network:persist');
  });

  it('answers every request with responseTo carrying its requestId', async () => {
    const c = await connect();
    const id = c.send('graph', 'clear', { id: 'resp', name: 'R' }, { requestId: 'my-request-42' });
    const reply = await c.next(is('graph', 'clear'));
    assert.equal(reply.responseTo, id);
    assert.equal(reply.responseTo, 'my-request-42');
  });

  it('takes the secret at the top level or in the payload and never sends it back', async () => {
    const c = await connect();
    const top = await c.request('graph', 'clear', { id: 'secret-top' }, { secretIn: 'top' });
    const inPayload = await c.request('graph', 'clear', { id: 'secret-payload' }, { secretIn: 'payload' });
    assert.equal(top.command, 'clear');
    assert.equal(inPayload.command, 'clear');
    const text = JSON.stringify(c.frames);
    assert.ok(!text.includes(SECRET), 'no frame carries the secret');
    assert.ok(c.frames.every((f) => !('secret' in f) && !(f.payload && typeof f.payload === 'object' && 'secret' in f.payload)));
  });

  it('without the right secret: getruntime lists no capabilities and every other command is refused with how to fix it', async () => {
    for (const secret of ['wrong-secret', undefined]) {
      const c = await connect('/', secret);
      const runtime = await c.request('runtime', 'getruntime', {}, { secretIn: secret ? 'top' : 'none' });
      assert.deepEqual(runtime.payload.capabilities, []);
      assert.ok(runtime.payload.allCapabilities.includes('protocol:graph'));
      const refused = await c.request('graph', 'clear', { id: 'nope' }, { secretIn: secret ? 'top' : 'none' });
      assert.equal(refused.protocol, 'graph');
      assert.equal(refused.command, 'error');
      assert.match(refused.payload.message, /^graph:clear is not permitted: send the runtime's secret \(ACTORFLOW_FBP_SECRET\)/);
      const network = await c.request('network', 'getstatus', { graph: 'x' }, { secretIn: secret ? 'top' : 'none' });
      assert.match(network.payload.message, /network:getstatus is not permitted/);
    }
  });

  it('does not broadcast graph changes to clients that never presented the secret', async () => {
    const outsider = await connect('/', undefined);
    const insider = await connect();
    await insider.request('graph', 'clear', { id: 'private' });
    await insider.request('graph', 'addnode', { id: 'A', component: 'core/Repeat', graph: 'private' });
    // A round trip on the outsider's own connection: anything broadcast before it has arrived.
    await outsider.request('runtime', 'getruntime', {}, { secretIn: 'none' });
    assert.deepEqual(outsider.frames.filter((f) => f.protocol === 'graph'), []);
  });

  it('answers bad frames with a precise error instead of closing or hanging', async () => {
    const c = await connect();
    const raw = (text: string) => {
      const from = c.frames.length;
      c.socket.send(text);
      return c.next((f) => f.command === 'error', from);
    };
    assert.match((await raw('{not json')).payload.message, /not valid JSON/);
    assert.match((await raw('[1,2]')).payload.message, /not a JSON object/);
    const unknownProtocol = await raw(JSON.stringify({ protocol: 'nope', command: 'x', payload: {}, secret: SECRET }));
    assert.equal(unknownProtocol.protocol, 'runtime');
    assert.match(unknownProtocol.payload.message, /unknown protocol "nope"; use one of runtime, graph, component, network, trace/);
    const unknownCommand = await c.request('graph', 'explode', { graph: 'x' });
    assert.match(unknownCommand.payload.message, /graph:explode is not a command .*graph commands: clear, addnode/);
    const badPayload = await c.request('graph', 'addnode', { id: 'A', graph: 'resp' });
    assert.equal(badPayload.command, 'error');
    assert.match(badPayload.payload.message, /graph:addnode: payload\.component is required; add 'component'/);
    const badType = await c.request('network', 'debug', { graph: 'resp', enable: 'yes' });
    assert.match(badType.payload.message, /payload\.enable must be boolean, got a string/);
    const binary = c.frames.length;
    c.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    assert.match((await c.next((f) => f.command === 'error', binary)).payload.message, /binary frames/);
    // Still serving afterwards.
    assert.equal((await c.request('runtime', 'getruntime')).command, 'runtime');
  });

  it('leaves the REST API and /ws where they were', async () => {
    const health = await s.request('GET', '/health');
    assert.equal(health.status, 200);
    const ws = new WebSocket(s.wsUrl);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.close();
  });
});

describe('FBP endpoint without a secret', () => {
  it('is guarded by the server\'s API keys (header or ?api_key=) when keys are configured', async () => {
    const key = 'k'.repeat(32);
    const s = await startServer({ apiKeys: [key] });
    try {
      await assert.rejects(FbpClient.connect(fbpUrl(s)), /HTTP 401/);
      const withQuery = await FbpClient.connect(`${fbpUrl(s)}?api_key=${key}`);
      const reply = await withQuery.request('runtime', 'getruntime');
      assert.ok(reply.payload.capabilities.includes('protocol:graph'));
      await withQuery.close();
      const withHeader = await FbpClient.connect(fbpUrl(s, '/fbp'), { headers: { authorization: `Bearer ${key}` } });
      assert.equal((await withHeader.request('runtime', 'getruntime')).command, 'runtime');
      await withHeader.close();
    } finally {
      await s.close();
    }
  });

  it('grants every capability on loopback with neither secret nor API keys', async () => {
    const s = await startServer();
    try {
      const c = await FbpClient.connect(fbpUrl(s));
      const reply = await c.request('runtime', 'getruntime');
      assert.deepEqual(reply.payload.capabilities, reply.payload.allCapabilities);
      await c.close();
    } finally {
      await s.close();
    }
  });
});

describe('FBP endpoint over plain HTTP', () => {
  it('answers 426 Upgrade Required saying it is the FBP WebSocket endpoint', async () => {
    const s = await startServer();
    try {
      for (const path of ['/', '/fbp']) {
        const res = await s.request('GET', path);
        assert.equal(res.status, 426);
        assert.equal(res.headers.get('upgrade'), 'websocket');
        assert.equal(res.body.code, 'UPGRADE_REQUIRED');
        assert.match(res.body.hint, /subprotocol `noflo`/);
      }
    } finally {
      await s.close();
    }
  });
});

describe('FBP endpoint under a flood of commands', () => {
  it('closes a connection with 1008 once 10,000 of its commands wait behind one that cannot finish', async () => {
    const s = await startServer();
    const c = await FbpClient.connect(fbpUrl(s));
    try {
      await c.request('graph', 'clear', { id: 'stuck' });
      await c.request('graph', 'addnode', { id: 'W', component: 'test/Wait', metadata: { ms: 60_000 }, graph: 'stuck' });
      await c.request('graph', 'addinport', { public: 'in', node: 'W', port: 'in', graph: 'stuck' });
      await c.request('network', 'start', { graph: 'stuck' });
      const closed = new Promise<{ code: number; reason: string }>((resolve) => c.socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
      // W holds one packet forever; the inport's inbox (256) fills, then packets wait for room.
      for (let i = 0; i < 10_300; i++) c.send('runtime', 'packet', { graph: 'stuck', port: 'in', event: 'data', payload: i });
      const { code, reason } = await closed;
      assert.equal(code, 1008);
      assert.equal(reason, 'more than 10000 commands waiting; wait for replies before sending more');
    } finally {
      await c.close();
      await s.close();
    }
  });
});
