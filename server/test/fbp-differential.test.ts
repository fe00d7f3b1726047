// Differential test: the same scripted graph-protocol session against Actorflow and against NoFlo's
// reference runtime (noflo-nodejs), both on 127.0.0.1, must give the same graph-protocol replies.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from './support/server.ts';
import { FbpClient, type Frame } from './fbp-conformance/client.ts';
import { startNoflo, type NofloRuntime } from './fbp-conformance/noflo-reference.ts';

const SECRET = 'differential-secret-0123456789';
const G = 'diff';

/** One command and the graph frame that ends its reply (edits that cascade end with their own echo). */
type Step = [command: string, payload: Record<string, unknown>, last?: string];

const port = (node: string, name: string) => ({ node, port: name });

const SESSION: Step[] = [
  ['clear', { id: G, name: 'Differential', main: true }],
  ['addnode', { id: 'A', component: 'core/Repeat', metadata: { x: 1, y: 2 }, graph: G }],
  ['addnode', { id: 'B', component: 'core/Repeat', graph: G }],
  ['addnode', { id: 'C', component: 'core/Drop', graph: G }],
  ['addedge', { src: port('A', 'out'), tgt: port('B', 'in'), metadata: { route: 1 }, graph: G }],
  ['addedge', { src: port('B', 'out'), tgt: port('C', 'in'), graph: G }],
  ['changenode', { id: 'A', metadata: { label: 'first' }, graph: G }],
  ['changenode', { id: 'A', metadata: { x: null }, graph: G }],
  ['changenode', { id: 'A', metadata: {}, graph: G }],
  ['changeedge', { src: port('A', 'out'), tgt: port('B', 'in'), metadata: { route: 2 }, graph: G }],
  ['addinitial', { src: { data: 'hello' }, tgt: port('A', 'in'), graph: G }],
  ['addinitial', { src: { data: { n: 1 } }, tgt: port('B', 'in'), metadata: { route: 3 }, graph: G }],
  ['removeinitial', { tgt: port('B', 'in'), graph: G }],
  ['addinport', { public: 'input', node: 'A', port: 'in', graph: G }],
  ['addoutport', { public: 'output', node: 'B', port: 'out', metadata: { description: 'what B sends' }, graph: G }],
  ['renameinport', { from: 'input', to: 'entry', graph: G }],
  ['removeinport', { public: 'entry', graph: G }],
  ['addgroup', { name: 'pair', nodes: ['A', 'B'], metadata: { description: 'two nodes' }, graph: G }],
  ['renamegroup', { from: 'pair', to: 'duo', graph: G }],
  ['changegroup', { name: 'duo', metadata: { color: 'red' }, graph: G }],
  ['removegroup', { name: 'duo', graph: G }],
  ['renamenode', { from: 'B', to: 'Middle', graph: G }],
  ['removeedge', { src: port('A', 'out'), tgt: port('Middle', 'in'), graph: G }],
  ['removeoutport', { public: 'output', graph: G }],
  ['removenode', { id: 'C', graph: G }, 'removenode'],
  ['addnode', { id: 'X', component: 'core/Repeat' }],
  ['addnode', { id: 'X', component: 'core/Repeat', graph: 'no-such-graph' }],
];

/** Runs the session; returns, per step, the graph frames answering it (without responseTo or stack). */
async function play(url: string): Promise<{ replies: Frame[][]; client: FbpClient }> {
  const client = await FbpClient.connect(url, { secret: SECRET });
  const replies: Frame[][] = [];
  for (const [command, payload, last = command] of SESSION) {
    const from = client.frames.length;
    client.send('graph', command, payload, { secretIn: 'payload' });
    await client.next((f) => f.protocol === 'graph' && (f.command === last || f.command === 'error'), from);
    replies.push(client.frames.slice(from).filter((f) => f.protocol === 'graph').map((f) => {
      const { responseTo: _responseTo, ...frame } = f;
      if (frame.command !== 'error') return frame;
      const { stack: _stack, ...payload } = frame.payload as Record<string, unknown>;
      return { ...frame, payload };
    }));
  }
  return { replies, client };
}

describe('FBP differential test against noflo-nodejs', () => {
  let server: TestServer;
  let noflo: NofloRuntime;
  const clients: FbpClient[] = [];

  before(async () => {
    [server, noflo] = await Promise.all([startServer({ fbpSecret: SECRET }), startNoflo(SECRET)]);
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all([server?.close(), noflo?.close()]);
  });

  it('gives the same graph-protocol replies as NoFlo for the same scripted session', async () => {
    const ours = await play(`${server.url.replace('http', 'ws')}/`);
    const theirs = await play(noflo.url);
    clients.push(ours.client, theirs.client);
    for (let i = 0; i < SESSION.length; i++) {
      assert.deepEqual(ours.replies[i], theirs.replies[i], `step ${i} (graph:${SESSION[i][0]}): Actorflow and NoFlo differ`);
    }
    assert.deepEqual(ours.client.invalid, [], 'every frame Actorflow sent is valid against the fbp-protocol schemas');
  });
});
