// The FBP trace protocol: recording a network's events and dumping them as a Flowtrace that the
// flowtrace tools (npm flowtrace, `flowtrace-show`) read.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { startServer, type TestServer } from './support/server.ts';
import { FbpClient, is } from './fbp-conformance/client.ts';

const run = promisify(execFile);
const flowtraceShow = join(dirname(createRequire(import.meta.url).resolve('flowtrace/package.json')), 'bin', 'flowtrace-show');

describe('FBP trace protocol', () => {
  let s: TestServer;
  let c: FbpClient;
  let dir: string;

  before(async () => {
    s = await startServer();
    c = await FbpClient.connect(`${s.url.replace('http', 'ws')}/`);
    dir = await mkdtemp(join(tmpdir(), 'af-flowtrace-'));
    await c.request('graph', 'clear', { id: 'traced', name: 'traced' });
    await c.request('graph', 'addnode', { id: 'Hello', component: 'core/Repeat', graph: 'traced' });
    await c.request('graph', 'addnode', { id: 'World', component: 'core/Drop', graph: 'traced' });
    await c.request('graph', 'addedge', { src: { node: 'Hello', port: 'out' }, tgt: { node: 'World', port: 'in' }, graph: 'traced' });
    await c.request('graph', 'addinitial', { src: { data: { hello: 1 } }, tgt: { node: 'Hello', port: 'in' }, graph: 'traced' });
  });
  after(async () => {
    await c.close();
    await s.close();
    await rm(dir, { recursive: true, force: true });
    assert.deepEqual(c.invalid, [], 'every frame the server sent is valid against the fbp-protocol schemas');
  });

  it('refuses stop, clear and dump before a trace was started', async () => {
    const reply = await c.request('trace', 'dump', { graph: 'traced', type: 'flowtrace.json' });
    assert.equal(reply.protocol, 'trace');
    assert.equal(reply.payload.message, "trace:dump: graph 'traced' has no trace; start one with trace:start");
  });

  it('records a run from trace:start and dumps a Flowtrace that flowtrace-show renders', async () => {
    const started = await c.request('trace', 'start', { graph: 'traced', buffersize: 50 });
    assert.deepEqual(started.payload, { graph: 'traced', buffersize: 50 });
    const from = c.frames.length;
    await c.request('network', 'start', { graph: 'traced' });
    await c.next(is('network', 'status', (p) => p.graph === 'traced' && !p.running), from);
    const dump = await c.request('trace', 'dump', { graph: 'traced', type: 'flowtrace.json' });
    assert.equal(dump.payload.type, 'flowtrace.json');
    assert.equal(typeof dump.payload.flowtrace, 'string', 'a Flowtrace document, as JSON text (the schema says string)');
    const trace = JSON.parse(dump.payload.flowtrace);
    assert.equal(trace.header.main, 'traced');
    assert.deepEqual(Object.keys(trace.header.graphs), ['traced']);
    assert.equal(trace.header.metadata.type, 'actorflow');
    assert.deepEqual(trace.events.map((e: { command: string }) => e.command), ['started', 'data', 'data']);
    assert.ok(trace.events.every((e: { protocol: string; graph: string; time: string }) => e.protocol === 'network' && e.graph === 'traced' && !Number.isNaN(Date.parse(e.time))));

    const file = join(dir, 'trace.json');
    await writeFile(file, dump.payload.flowtrace);
    const { stdout } = await run(process.execPath, [flowtraceShow, file]);
    // flowtrace-show renders packet events; for other events (started) it prints `null` when its
    // output is not a terminal (its renderer returns null and strips colours from it).
    assert.deepEqual(stdout.trim().split('\n').filter((line) => line !== 'null'), [
      '-> IN Hello DATA {"hello":1}',
      'Hello OUT -> IN World DATA {"hello":1}',
    ]);
  });

  it('keeps only the latest events within buffersize, stops recording on trace:stop and empties on trace:clear', async () => {
    await c.request('network', 'stop', { graph: 'traced' });
    let trace = JSON.parse((await c.request('trace', 'dump', { graph: 'traced', type: 'flowtrace.json' })).payload.flowtrace);
    assert.equal(trace.events.at(-1).command, 'stopped');
    assert.deepEqual((await c.request('trace', 'stop', { graph: 'traced' })).payload, { graph: 'traced' });
    await c.request('network', 'start', { graph: 'traced' });
    await c.request('network', 'stop', { graph: 'traced' });
    trace = JSON.parse((await c.request('trace', 'dump', { graph: 'traced', type: 'flowtrace.json' })).payload.flowtrace);
    assert.equal(trace.events.length, 4, 'the second run was not recorded');
    assert.deepEqual((await c.request('trace', 'clear', { graph: 'traced' })).payload, { graph: 'traced' });
    trace = JSON.parse((await c.request('trace', 'dump', { graph: 'traced', type: 'flowtrace.json' })).payload.flowtrace);
    assert.deepEqual(trace.events, []);

    await c.request('trace', 'start', { graph: 'traced', buffersize: 2 });
    await c.request('network', 'start', { graph: 'traced' });
    await c.request('network', 'stop', { graph: 'traced' });
    trace = JSON.parse((await c.request('trace', 'dump', { graph: 'traced', type: 'flowtrace.json' })).payload.flowtrace);
    assert.deepEqual(trace.events.map((e: { command: string }) => e.command), ['data', 'stopped']);
  });

  it('records every packet, also those sampled out of the clients\' network:data', async () => {
    await c.request('graph', 'clear', { id: 'busy' });
    await c.request('graph', 'addnode', { id: 'B', component: 'test/Burst', metadata: { count: 100 }, graph: 'busy' });
    await c.request('graph', 'addnode', { id: 'D', component: 'core/Drop', graph: 'busy' });
    await c.request('graph', 'addedge', { src: { node: 'B', port: 'out' }, tgt: { node: 'D', port: 'in' }, graph: 'busy' });
    await c.request('graph', 'addinitial', { src: { data: 1 }, tgt: { node: 'B', port: 'in' }, graph: 'busy' });
    await c.request('trace', 'start', { graph: 'busy', buffersize: 1000 });
    const from = c.frames.length;
    await c.request('network', 'start', { graph: 'busy' });
    await c.next(is('network', 'status', (p) => p.graph === 'busy' && !p.running), from);
    const shown = c.frames.slice(from).filter((f) => f.command === 'data' && f.payload.id === 'B() OUT -> IN D()').length;
    const trace = JSON.parse((await c.request('trace', 'dump', { graph: 'busy', type: 'flowtrace.json' })).payload.flowtrace);
    const traced = trace.events.filter((e: { command: string; payload: { id: string } }) => e.command === 'data' && e.payload.id === 'B() OUT -> IN D()').length;
    assert.equal(traced, 100);
    assert.ok(shown < 100, `clients got a sample (${shown})`);
    await c.request('network', 'stop', { graph: 'busy' });
  });
});
