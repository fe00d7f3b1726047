// Throughput of the message codec (network/src/messages/codec.ts): encode + decode of batches, the
// work the cross-thread link does per batch (encode on one thread, decode on the other).
//
//   node bench/messages-codec.bench.ts            # ~1 s per case, median of 5 runs
//   node bench/messages-codec.bench.ts --quick    # smoke run
//   node bench/messages-codec.bench.ts --case 2   # one case, in this process (prints {"rate": msgs/s})
//
// Cases: batches of 1, 64 and 256 `{id, value}` messages (the reference pipeline's payload), and a
// batch of 256 mixed messages (strings, nested objects, binary, Date, bigint, FLOW, an Error). For
// 256 `{id, value}` it also times encode and decode alone, the plain @msgpack/msgpack codec with
// default options (what row B6 of /work/shared/bench/RESULTS.md measured: 5.67M msgs/s across two
// threads, encode and decode running in parallel) and structuredClone (what postMessage does).
// Targets: encode and decode each at least B6's rate, so the codec is never the link's bottleneck
// (and a round trip on one thread at least half the B4/B5/B6 rate of its batch size), and our round
// trip at least 0.8x the plain library's (the cost of the extension types and checks).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Decoder, Encoder } from '@msgpack/msgpack';
import { FLOW, decodeMessages, encodeMessages } from '@actorflow/network';

const QUICK = process.argv.includes('--quick');
const RUN_MS = QUICK ? 40 : 1000;
const WARMUP_MS = QUICK ? 100 : 500;
const RUNS = QUICK ? 1 : 5;
const B6_MSGS_PER_S = 5.67e6;
const BENCH = 'messages-codec.bench.ts';

const idValue = (n: number) => Array.from({ length: n }, (_, i) => ({ id: i, value: i * 2 }));

function mixed(n: number): unknown[] {
  const kinds: ((i: number) => unknown)[] = [
    (i) => ({ id: i, name: `user-${i}`, tags: ['a', 'b'], score: i / 7, active: i % 2 === 0 }),
    (i) => ({ order: { id: i, lines: [{ sku: 'X-1', qty: 2 }, { sku: 'Y-2', qty: 1 }] }, note: 'naïve café ✓' }),
    (i) => new Uint8Array(32).fill(i & 0xff),
    (i) => new Date(1_700_000_000_000 + i),
    (i) => 2n ** 70n + BigInt(i),
    () => FLOW,
    (i) => `message number ${i} with some text`,
    (i) => [i, i + 0.5, null, true],
  ];
  const out = Array.from({ length: n }, (_, i) => kinds[i % kinds.length](i));
  out[n >> 1] = Object.assign(new Error('mixed batch error'), { code: 'E_BENCH' });
  return out;
}

interface Case {
  name: string;
  /** Messages handled per call of `run`. */
  messages: number;
  bytes: number;
  run: () => unknown;
  metric: string;
  target: string;
}

const plainEncoder = new Encoder();
const plainDecoder = new Decoder();

function roundTrip(name: string, batch: unknown[], metric: string, target: string): Case {
  const bytes = encodeMessages(batch);
  return { name, messages: batch.length, bytes: bytes.length, run: () => decodeMessages(encodeMessages(batch)), metric, target };
}

// Row B4/B5/B6 rates of /work/shared/bench/RESULTS.md (msgpack per object / batches of 64 / of 256,
// across two threads). Encoding and decoding one after another on one thread must reach half of it.
const inSeries = (rate: number, row: string) => `>= ${rate / 2} (${row} ${rate / 1e6}M msgs/s, encode and decode in series)`;
const batch256 = idValue(256);
const bytes256 = encodeMessages(batch256);
const cases: Case[] = [
  roundTrip('{id,value} x1 encode+decode', idValue(1), 'roundtrip_batch1_msgs_per_s', inSeries(0.497e6, 'B4')),
  roundTrip('{id,value} x64 encode+decode', idValue(64), 'roundtrip_batch64_msgs_per_s', inSeries(5.22e6, 'B5')),
  roundTrip('{id,value} x256 encode+decode', batch256, 'roundtrip_batch256_msgs_per_s', inSeries(B6_MSGS_PER_S, 'B6')),
  { name: '{id,value} x256 encode only', messages: 256, bytes: bytes256.length, run: () => encodeMessages(batch256), metric: 'encode_batch256_msgs_per_s', target: `>= ${B6_MSGS_PER_S} (B6)` },
  { name: '{id,value} x256 decode only', messages: 256, bytes: bytes256.length, run: () => decodeMessages(bytes256), metric: 'decode_batch256_msgs_per_s', target: `>= ${B6_MSGS_PER_S} (B6)` },
  roundTrip('mixed x256 encode+decode', mixed(256), 'roundtrip_mixed256_msgs_per_s', 'informational'),
  { name: 'baseline: plain msgpack x256', messages: 256, bytes: plainEncoder.encode(batch256).length, run: () => plainDecoder.decode(plainEncoder.encode(batch256)), metric: 'baseline_plain_msgpack_batch256_msgs_per_s', target: 'reference' },
  { name: 'baseline: structuredClone x256', messages: 256, bytes: NaN, run: () => structuredClone(batch256), metric: 'baseline_structured_clone_batch256_msgs_per_s', target: 'reference' },
];

/** Calls of `run` that take about RUN_MS, after WARMUP_MS of calls to let the JIT settle. */
function calibrate(run: () => unknown): number {
  for (const warm = performance.now(); performance.now() - warm < WARMUP_MS;) run();
  let calls = 1;
  for (;;) {
    const started = performance.now();
    for (let i = 0; i < calls; i++) run();
    const elapsed = performance.now() - started;
    if (elapsed >= RUN_MS / 4) return Math.max(1, Math.round((calls * RUN_MS) / elapsed));
    calls *= 2;
  }
}

/** Median messages per second of `c` over RUNS runs. */
function measure(c: Case): number {
  const calls = calibrate(c.run);
  const rates: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const started = performance.now();
    for (let i = 0; i < calls; i++) c.run();
    rates.push((calls * c.messages) / ((performance.now() - started) / 1000));
  }
  rates.sort((a, b) => a - b);
  return rates[rates.length >> 1];
}

// Each case runs in a fresh process (`--case i`), so the JIT state one case leaves behind (the
// msgpack code is shared by all of them) doesn't skew the next.
const caseArg = process.argv.indexOf('--case');
if (caseArg >= 0) {
  console.log(JSON.stringify({ rate: measure(cases[Number(process.argv[caseArg + 1])]) }));
} else {
  const rates = cases.map((_, i) => {
    const args = [fileURLToPath(import.meta.url), '--case', String(i), ...(QUICK ? ['--quick'] : [])];
    const output = execFileSync(process.execPath, args, { encoding: 'utf8' });
    return (JSON.parse(output.trim().split('\n').at(-1)!) as { rate: number }).rate;
  });
  report(rates);
}

function report(rates: number[]): void {
  const rows = [['case', 'msgs/s', 'ns/msg', 'bytes/msg']];
  cases.forEach((c, i) => rows.push([c.name, `${(rates[i] / 1e6).toFixed(2)}M`, (1e9 / rates[i]).toFixed(0), Number.isNaN(c.bytes) ? '-' : (c.bytes / c.messages).toFixed(1)]));
  const rateOf = (name: string) => rates[cases.findIndex((c) => c.name === name)];
  const ratio = rateOf('{id,value} x256 encode+decode') / rateOf('baseline: plain msgpack x256');

  const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => row[col].length)));
  console.log(`message codec throughput (${QUICK ? 'quick smoke run' : `median of ${RUNS} runs of ~${RUN_MS} ms`}, each case in a fresh process), Node ${process.version}`);
  for (const row of rows) console.log(row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]) : cell.padStart(widths[col]))).join('  '));
  console.log(`our round trip vs plain msgpack: ${ratio.toFixed(2)}x`);
  cases.forEach((c, i) => {
    console.log(`RESULT ${JSON.stringify({ bench: BENCH, metric: c.metric, value: Math.round(rates[i]), unit: 'msgs/s', target: c.target })}`);
  });
  console.log(`RESULT ${JSON.stringify({ bench: BENCH, metric: 'roundtrip_vs_plain_msgpack_batch256', value: Number(ratio.toFixed(3)), unit: 'ratio', target: '>= 0.8' })}`);
}
