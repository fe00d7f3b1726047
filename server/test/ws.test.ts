import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from './support/server.ts';
import { graph, upperGraph, waitGraph } from './support/graphs.ts';
import { WsClient } from './support/ws-client.ts';

describe('WebSocket /ws', () => {
  let s: TestServer;
  let ws: WsClient;
  before(async () => {
    s = await startServer();
    ws = await WsClient.connect(s.wsUrl);
  });
  after(async () => {
    await ws.close();
    await s.close();
  });

  it('starts a run, streams its network events and pushes the terminal workflow_event when it happens', async () => {
    ws.send({ type: 'start_workflow', data: { graph_json: upperGraph(), input: { text: 'live' } }, subscribe: true, request_id: 'r1' });
    const started = await ws.next((f) => f.type === 'workflow_started' && f.request_id === 'r1', 'workflow_started');
    assert.equal(started.success, true);
    const id = started.execution_id;
    const ack = await ws.type('subscription_ack', id);
    assert.equal(ack.success, true);
    const done = await ws.type('workflow_event', id);
    assert.equal(done.event_type, 'Completed');
    assert.deepEqual(done.data.result.results, { result: ['LIVE'] });
    const events = ws.frames.filter((f) => f.type === 'network_event' && f.execution_id === id).map((f) => f.event._type);
    assert.equal(events[0], 'NetworkStarted');
    assert.ok(events.includes('MessageSent') && events.includes('NetworkShutdown'), events.join());
    const doneAt = ws.frames.indexOf(done);
    assert.ok(ws.frames.findIndex((f) => f.type === 'network_event' && f.execution_id === id && f.event._type === 'NetworkShutdown') < doneAt, 'events come before the terminal event');
  });

  it('subscribes to a run started over REST, with per-subscription filters by event type and node', async () => {
    const g = graph({ a: 'core/Repeat', b: 'core/Repeat', c: 'core/Repeat' }, [['a.out', 'b.in'], ['b.out', 'c.in']], { inports: { in: 'a.in' }, outports: { out: 'c.out' } });
    const { body } = await s.request('POST', '/workflows', { graph_json: waitGraph(200) });
    const slow = body.data.execution_id;
    const other = await WsClient.connect(s.wsUrl);
    try {
      other.send({ type: 'subscribe_workflow', execution_id: slow, filters: { types: ['NetworkShutdown'] } });
      await other.type('subscription_ack', slow);
      await other.type('workflow_event', slow);
      assert.deepEqual(other.frames.filter((f) => f.type === 'network_event').map((f) => f.event._type), ['NetworkShutdown']);
      other.send({ type: 'start_workflow', data: { graph_json: g, input: { in: 1 } }, subscribe: { types: ['ActorCompleted'], nodes: ['b'] } });
      const id = (await other.type('workflow_started')).execution_id;
      await other.type('workflow_event', id);
      const seen = other.frames.filter((f) => f.type === 'network_event' && f.execution_id === id).map((f) => `${f.event._type}:${f.event.actorId}`);
      assert.deepEqual(seen, ['ActorCompleted:b']);
    } finally {
      await other.close();
    }
  });

  it('samples per-message events when asked', async () => {
    const g = graph({ src: { component: 'test/Burst', metadata: { count: 200 } }, sink: 'core/Drop' }, [['go', 'src.in', 'iip'], ['src.out', 'sink.in']]);
    ws.send({ type: 'start_workflow', data: { graph_json: g }, subscribe: { types: ['MessageSent'], sample: 0.1 } });
    const id = (await ws.type('workflow_started')).execution_id;
    await ws.type('workflow_event', id);
    const sent = ws.frames.filter((f) => f.type === 'network_event' && f.execution_id === id).length;
    assert.ok(sent >= 15 && sent <= 25, `about 1 in 10 of 200 messages, got ${sent}`);
  });

  it('replays the terminal state when subscribing to a finished run', async () => {
    const { body } = await s.request('POST', '/workflows?wait=true', { graph_json: upperGraph(), input: { text: 'old' } });
    const late = await WsClient.connect(s.wsUrl);
    try {
      late.send({ type: 'subscribe_workflow', execution_id: body.data.id });
      const ack = await late.type('subscription_ack', body.data.id);
      assert.equal(ack.status, 'Completed');
      const replay = await late.type('workflow_event', body.data.id);
      assert.equal(replay.event_type, 'Completed');
      assert.deepEqual(replay.data.result.results.result, ['OLD']);
    } finally {
      await late.close();
    }
  });

  it('cancels a run and tells every subscriber it was Cancelled', async () => {
    ws.send({ type: 'start_workflow', data: { graph_json: waitGraph() }, subscribe: true });
    const id = (await ws.type('workflow_started')).execution_id;
    await ws.next((f) => f.type === 'network_event' && f.execution_id === id && f.event._type === 'NetworkStarted', 'NetworkStarted');
    ws.send({ type: 'cancel_workflow', execution_id: id });
    const cancelled = await ws.type('workflow_cancelled', id);
    assert.equal(cancelled.status, 'Cancelled');
    const terminal = await ws.type('workflow_event', id);
    assert.equal(terminal.event_type, 'Cancelled');
  });

  it('answers bad frames with precise errors and keeps the connection', async () => {
    const errors = () => ws.frames.filter((f) => f.type === 'error' || f.type === 'workflow_error');
    const before = errors().length;
    ws.send('{nope');
    ws.send({ hello: 1 });
    ws.send({ type: 'dance' });
    ws.send({ type: 'subscribe_workflow', execution_id: 'missing-run' });
    ws.send({ type: 'subscribe_workflow' });
    ws.send({ type: 'start_workflow', data: { graph_json: graph({ a: 'core/Nope' }) } });
    await ws.next(() => errors().length >= before + 6, 'six errors');
    const got = errors().slice(before);
    assert.deepEqual(got.map((f) => f.code), ['INVALID_JSON', 'INVALID_REQUEST', 'INVALID_REQUEST', 'NOT_FOUND', 'INVALID_REQUEST', 'INVALID_GRAPH']);
    assert.equal(got[5].type, 'workflow_error');
    assert.equal(got[4].problems[0].path, '$.execution_id');
    assert.equal(got[5].problems[0].path, '$.data.graph_json.processes.a.component');
    assert.ok(got.every((f) => f.success === false && f.hint));
    ws.send({ type: 'start_workflow', data: { graph_json: upperGraph(), input: { text: 'ok' } } });
    assert.equal((await ws.type('workflow_started')).success, true);
  });
});

describe('WebSocket /ws: slow consumers', () => {
  it('drops and counts events for a client that does not read, then disconnects it with 4008, without slowing the run', async () => {
    const s = await startServer({ wsQueueLimit: 20, wsDropLimit: 200 });
    const slow = await WsClient.connect(s.wsUrl);
    const fast = await WsClient.connect(s.wsUrl);
    try {
      const g = graph({ src: { component: 'test/Burst', metadata: { count: 20_000 } }, sink: 'core/Drop' }, [['go', 'src.in', 'iip'], ['src.out', 'sink.in']]);
      const id = 'burst-run';
      slow.send({ type: 'start_workflow', data: { graph_json: g, metadata: { execution_id: id } }, subscribe: { types: ['MessageSent'] } });
      (slow.socket as unknown as { _socket: { pause(): void } })._socket.pause(); // stop reading
      while ((await s.request('GET', `/workflows/${id}`)).status === 404) await new Promise((r) => setTimeout(r, 5));
      fast.send({ type: 'subscribe_workflow', execution_id: id, filters: { types: ['NetworkShutdown'] } });
      const done = await fast.type('workflow_event', id);
      assert.equal(done.event_type, 'Completed');
      (slow.socket as unknown as { _socket: { resume(): void } })._socket.resume();
      await slow.closed();
      assert.equal(slow.closeCode, 4008);
      assert.match(slow.closeReason, /slow consumer: \d+ messages dropped/);
      const metrics = (await s.request('GET', '/metrics')).body as string;
      assert.match(metrics, /actorflow_ws_slow_disconnects_total 1/);
      assert.match(metrics, /actorflow_ws_dropped_messages_total [1-9]\d*/);
    } finally {
      await fast.close();
      await slow.close();
      await s.close();
    }
  });
});
