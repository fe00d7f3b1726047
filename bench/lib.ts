// Small helpers shared by the benchmark scripts: argument parsing, result lines, machine info.
import os from 'node:os';

/** `--key value`, `--key=value` and `--flag` (true). */
export function args(defaults: Record<string, string | number | boolean> = {}): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = { ...defaults };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    if (!argv[i].startsWith('--')) continue;
    const [k, inline] = argv[i].slice(2).split('=', 2);
    const v = inline ?? (argv[i + 1] && !argv[i + 1].startsWith('--') ? argv[++i] : 'true');
    out[k] = v === 'true' ? true : v === 'false' ? false : /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  }
  return out;
}

export interface Result {
  bench: string;
  metric: string;
  value: number;
  unit: string;
  target?: string;
  pass?: boolean;
  [extra: string]: unknown;
}

/** Prints a human line and the machine-readable `RESULT {json}` line. */
export function report(r: Result): void {
  const verdict = r.pass === undefined ? '' : r.pass ? '  ✓' : '  ✗';
  const shown = Number.isInteger(r.value) ? r.value.toLocaleString('en-US') : r.value.toPrecision(4);
  console.log(`${r.metric.padEnd(58)} ${shown.padStart(14)} ${r.unit.padEnd(8)} ${r.target ? `(target ${r.target})` : ''}${verdict}`);
  console.log(`RESULT ${JSON.stringify(r)}`);
}

export function machine(): string {
  return `${os.cpus().length}x ${os.cpus()[0]?.model.trim() ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

export function median(xs: number[]): number {
  const a = [...xs].sort((x, y) => x - y);
  const m = a.length >> 1;
  return a.length % 2 ? a[m] : (a[m - 1] + a[m]) / 2;
}

/** Forces a full GC (needs --expose-gc) and returns the heap in use. */
export function settledHeap(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}
