// POST /workflows?wait=true with a 3-node graph under autocannon at 20 connections: runs/s and
// p99 latency (issue 3: >= 2,000 runs/s, p99 < 20 ms on this 2-core machine). The server runs in
// its own process with the embedded defaults (SQLite history on disk), logging at warn, no rate limit.
//   node bench/server-throughput.bench.ts [--quick] [--duration 10] [--connections 20]
import autocannon from 'autocannon';
import { args, machine, report } from './lib.ts';
import { startServer, threeNodeGraph } from './server-lib.ts';

const opts = args({ quick: false, duration: 10, connections: 20 });
const duration = opts.quick ? 3 : (opts.duration as number);
const connections = opts.connections as number;
console.log(`server-throughput on ${machine()}: ${connections} connections, ${duration} s`);

const server = await startServer();
const body = JSON.stringify({ graph_json: threeNodeGraph(), input: { in: { hello: 'world' } } });
const run = (seconds: number) => autocannon({
  url: `${server.url}/workflows?wait=true`, method: 'POST', headers: { 'content-type': 'application/json' }, body,
  connections, duration: seconds,
});
try {
  await run(opts.quick ? 1 : 3); // warm-up
  const result = await run(duration);
  const ok = result['2xx'];
  const runsPerSecond = ok / duration;
  console.log(`requests ${result.requests.total}, 2xx ${ok}, non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts}`);
  report({ bench: 'server-throughput', metric: 'POST /workflows?wait=true, 3-node graph: runs/s', value: Math.round(runsPerSecond), unit: 'runs/s', target: '>= 2000', pass: runsPerSecond >= 2000 });
  report({ bench: 'server-throughput', metric: 'latency p50', value: result.latency.p50, unit: 'ms' });
  report({ bench: 'server-throughput', metric: 'latency p99', value: result.latency.p99, unit: 'ms', target: '< 20', pass: result.latency.p99 < 20 });
  report({ bench: 'server-throughput', metric: 'failed requests (non-2xx + errors)', value: result.non2xx + result.errors, unit: 'requests', target: '0', pass: result.non2xx + result.errors === 0 });
} finally {
  await server.stop();
}
