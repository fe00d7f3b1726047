// The 10-stage pipeline through Actorflow's public API, against the reference adapters measured in
// the same run (issue 2 targets): in-process >= 0.5x inproc-fastchannel with loaded p99 < 1 ms at
// default capacity; across threads >= 0.5x split-workers. Each scenario runs in a fresh process.
//   node bench/network-pipeline.bench.ts [--quick] [--runs 3]
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { args, report } from './lib.ts';

const opts = args({ quick: false, runs: 3 });
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const harness = here('./harness/run-adapter.mjs');
const count = opts.quick ? ['--count', '200000', '--runs', '1'] : ['--runs', String(opts.runs)];

interface AdapterResult { rate_median: number; p50_us_median: number; p99_us_median: number; variant: string }

function measure(adapter: string): AdapterResult {
  const out = execFileSync(process.execPath, [harness, '--adapter', here(adapter), ...count], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const line = out.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`no RESULT from ${adapter}:\n${out}`);
  const r = JSON.parse(line.slice(7)) as AdapterResult;
  console.log(`  ${r.variant}: ${(r.rate_median / 1e6).toFixed(2)}M msg/s, p50 ${r.p50_us_median.toFixed(0)} µs, p99 ${r.p99_us_median.toFixed(0)} µs`);
  return r;
}

console.log('10-stage pipeline, msgs/s (median of runs), loaded latency');
const refInproc = measure('./harness/adapters/inproc-fastchannel.mjs');
const ours = measure('./adapter-inproc.mjs');
const refSplit = measure('./harness/adapters/split-workers.mjs');
const threads = measure('./adapter-threads.mjs');
const bench = 'network-pipeline';
const inprocRatio = ours.rate_median / refInproc.rate_median;
const threadsRatio = threads.rate_median / refSplit.rate_median;
report({ bench, metric: 'in-process msgs/s', value: Math.round(ours.rate_median), unit: 'msg/s', reference: Math.round(refInproc.rate_median) });
report({ bench, metric: 'in-process vs inproc-fastchannel (same run)', value: inprocRatio, unit: 'x', target: '>= 0.5', pass: inprocRatio >= 0.5 });
report({ bench, metric: 'in-process loaded p99 latency, default capacity 256', value: ours.p99_us_median / 1000, unit: 'ms', target: '< 1', pass: ours.p99_us_median < 1000 });
report({ bench, metric: 'threads msgs/s', value: Math.round(threads.rate_median), unit: 'msg/s', reference: Math.round(refSplit.rate_median) });
report({ bench, metric: 'threads vs split-workers msgpack (same run)', value: threadsRatio, unit: 'x', target: '>= 0.5', pass: threadsRatio >= 0.5 });
