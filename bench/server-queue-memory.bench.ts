// 10,000 queued runs hold < 200 MB (issue 3). Concurrency 1 and a blocker keep every submitted
// run (a 3-node graph with input) queued; we report the server's resident memory growth, read
// from its own /metrics (process_resident_memory_bytes), and its absolute RSS.
//   node bench/server-queue-memory.bench.ts [--quick] [--runs 10000]
import { args, machine, report } from './lib.ts';
import { delayGraph, post, startServer, threeNodeGraph } from './server-lib.ts';

const opts = args({ quick: false, runs: 10_000 });
const runs = opts.quick ? 1000 : (opts.runs as number);
console.log(`server-queue-memory on ${machine()}: ${runs} queued runs`);

async function rss(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^process_resident_memory_bytes (\d+)/m.exec(text)![1]);
}

const server = await startServer({ ACTORFLOW_MAX_CONCURRENT_RUNS: '1', ACTORFLOW_MAX_QUEUED_RUNS: String(runs + 100) });
try {
  await post(server.url, '/workflows', { graph_json: delayGraph(600_000), metadata: { execution_id: 'blocker' } });
  // warm up the code paths, then measure from a settled baseline
  for (let i = 0; i < 50; i++) await post(server.url, '/workflows', { graph_json: threeNodeGraph(), input: { in: i } });
  const before = await rss(server.url);
  const t0 = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: 20 }, async () => {
    while (next < runs) {
      const i = next++;
      const res = await post(server.url, '/workflows', { graph_json: threeNodeGraph(), input: { in: { n: i, text: `run ${i}` } } });
      if (!res.success) throw new Error(JSON.stringify(res));
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  const health = (await (await fetch(`${server.url}/health`)).json()) as { data: { runs: { queued: number } } };
  const after = await rss(server.url);
  console.log(`queued ${health.data.runs.queued} runs in ${seconds.toFixed(1)} s (${Math.round(runs / seconds)} submissions/s)`);
  const grownMb = (after - before) / 2 ** 20;
  report({ bench: 'server-queue-memory', metric: `RSS growth holding ${runs.toLocaleString('en-US')} queued runs`, value: Math.round(grownMb * 10) / 10, unit: 'MB', target: '< 200', pass: grownMb < 200 });
  report({ bench: 'server-queue-memory', metric: 'server RSS with them queued', value: Math.round(after / 2 ** 20), unit: 'MB' });
  report({ bench: 'server-queue-memory', metric: 'memory per queued run', value: Math.round((after - before) / runs), unit: 'bytes' });
} finally {
  await server.stop();
}
