// 1,000 WebSocket subscribers on one run all get every terminal event (issue 3). The run is held
// in the queue (behind a blocker, concurrency 1) until every client's subscription is
// acknowledged, then released; we count the clients that received the run's NetworkShutdown
// event and its Completed workflow_event, and how long after the run ended the last one arrived.
//   node bench/server-ws-fanout.bench.ts [--quick] [--clients 1000]
import WebSocket from 'ws';
import { args, machine, median, report } from './lib.ts';
import { delayGraph, post, startServer, threeNodeGraph } from './server-lib.ts';

const opts = args({ quick: false, clients: 1000 });
const clients = opts.quick ? 200 : (opts.clients as number);
console.log(`server-ws-fanout on ${machine()}: ${clients} subscribers`);

const server = await startServer({ ACTORFLOW_MAX_CONCURRENT_RUNS: '1' });
const sockets: WebSocket[] = [];
try {
  await post(server.url, '/workflows', { graph_json: delayGraph(600_000), metadata: { execution_id: 'blocker' } });
  await post(server.url, '/workflows', { graph_json: threeNodeGraph(), input: { in: 'fan-out' }, metadata: { execution_id: 'target' } });
  const wsUrl = server.url.replace('http', 'ws') + '/ws';
  const got = Array.from({ length: clients }, () => ({ shutdown: false, completed: false, at: 0 }));
  const t0 = performance.now();
  await Promise.all(got.map((state, i) => new Promise<void>((resolve, reject) => {
    const ws = new WebSocket(wsUrl);
    sockets[i] = ws;
    ws.on('error', reject);
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      if (frame.type === 'subscription_ack') resolve();
      else if (frame.type === 'network_event' && frame.event._type === 'NetworkShutdown') state.shutdown = true;
      else if (frame.type === 'workflow_event' && frame.event_type === 'Completed') {
        state.completed = true;
        state.at = Date.now();
      }
    });
    ws.on('open', () => ws.send(JSON.stringify({ type: 'subscribe_workflow', execution_id: 'target' })));
  })));
  console.log(`${clients} clients connected and subscribed in ${Math.round(performance.now() - t0)} ms`);
  await post(server.url, '/workflows/blocker/cancel', {});
  const deadline = Date.now() + 60_000;
  while (got.some((g) => !g.completed) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const record = (await (await fetch(`${server.url}/workflows/target`)).json()) as { data: { finished_at: string } };
  const finishedAt = Date.parse(record.data.finished_at);
  const lags = got.filter((g) => g.completed).map((g) => g.at - finishedAt);
  const complete = got.filter((g) => g.completed && g.shutdown).length;
  report({ bench: 'server-ws-fanout', metric: `subscribers that got NetworkShutdown and the Completed workflow_event (of ${clients})`, value: complete, unit: 'clients', target: `= ${clients}`, pass: complete === clients });
  report({ bench: 'server-ws-fanout', metric: 'terminal event delay after the run ended, median', value: median(lags), unit: 'ms' });
  report({ bench: 'server-ws-fanout', metric: 'terminal event delay after the run ended, last client', value: Math.max(...lags), unit: 'ms' });
} finally {
  for (const ws of sockets) ws?.terminate();
  await server.stop();
}
