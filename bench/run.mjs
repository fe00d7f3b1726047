#!/usr/bin/env node
// Runs the benchmarks under bench/ one after another, each in a fresh process, and collects their
// RESULT lines into bench/results/<time>.json (and latest.json). BENCHMARKS.md records the numbers.
//
//   npm run bench                      every *.bench.ts
//   npm run bench -- network server    only files whose name contains one of the words
//   npm run bench -- --quick           smoke run (small counts)
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const argv = process.argv.slice(2);
const passThrough = argv.filter((a) => a.startsWith('--'));
const words = argv.filter((a) => !a.startsWith('--'));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => words.length === 0 || words.some((w) => f.includes(w)))
  .sort();
if (files.length === 0) {
  console.error(`no benchmark matches ${words.join(', ')}; available: ${readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).join(', ')}`);
  process.exit(2);
}

const started = new Date();
const machine = `${os.cpus().length}x ${os.cpus()[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}, Node ${process.version}`;
console.log(`Actorflow benchmarks — ${started.toISOString()} — ${machine} — load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
const results = [];
let failed = 0;
for (const file of files) {
  console.log(`── ${file}`);
  const t0 = Date.now();
  const run = spawnSync(process.execPath, ['--expose-gc', `${dir}${file}`, ...passThrough], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  for (const line of run.stdout.split('\n')) {
    if (line.startsWith('RESULT ')) results.push({ file, ...JSON.parse(line.slice(7)) });
    else if (line.trim()) console.log(`   ${line}`);
  }
  if (run.status !== 0) {
    failed++;
    console.log(`   ✗ exited with ${run.status}`);
  }
  console.log(`   (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
}
const missed = results.filter((r) => r.pass === false);
console.log(`${results.length} results, ${results.filter((r) => r.pass === true).length} targets met, ${missed.length} missed${failed ? `, ${failed} benchmark(s) failed to run` : ''}`);
for (const r of missed) console.log(`  missed: ${r.bench}: ${r.metric} = ${r.value} ${r.unit} (target ${r.target})`);
mkdirSync(`${dir}results`, { recursive: true });
const record = JSON.stringify({ started: started.toISOString(), machine, load: os.loadavg(), results }, null, 2);
writeFileSync(`${dir}results/${started.toISOString().replace(/[:.]/g, '-')}.json`, record);
writeFileSync(`${dir}results/latest.json`, record);
process.exit(failed ? 1 : 0);
