// `actorflow run <graph>`: runs a graph here, through the same ExecutionEngine as the server
// (history in memory), with a live progress line on a terminal, actor log lines as they happen,
// and a summary. Ctrl-C cancels the run (exit 130).
import pino from 'pino';
import type { NetworkEvent } from '@actorflow/network';
import { defaultConfig } from '../config.ts';
import { ExecutionEngine } from '../engine/engine.ts';
import type { Execution } from '../engine/execution.ts';
import { ApiError } from '../errors.ts';
import { HistoryStore } from '../history/store.ts';
import { createRegistry } from '../registry.ts';
import type { RunRecord } from '../run-record.ts';
import { formatProblems, readGraphFile, short, table, UsageError } from './output.ts';

function parseInputs(pairs: readonly string[] = []): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--input '${pair}': expected port=value`);
    const text = pair.slice(eq + 1);
    let value: unknown = text;
    try {
      value = JSON.parse(text);
    } catch {
      // not JSON: the text itself
    }
    input[pair.slice(0, eq)] = value;
  }
  return input;
}

/** The live display: a progress line on a terminal, actor log lines everywhere (stderr). */
class Progress {
  readonly #tty = process.stderr.isTTY;
  #firings = 0;
  #outputs = 0;
  #failures = 0;
  #timer: NodeJS.Timeout | null = null;
  #line = false;

  constructor(exec: Execution) {
    exec.onStatus((status) => {
      if (status !== 'Running' || !exec.network) return;
      const net = exec.network;
      const started = Date.now();
      net.events.subscribe((e) => this.#event(e), { types: ['ActorStarted', 'ActorFailed', 'NetworkOutput', 'ActorLog'] });
      if (this.#tty) {
        this.#timer = setInterval(() => this.#draw(`${((Date.now() - started) / 1000).toFixed(1)}s  firings ${this.#firings}  messages ${net.stats().messages}  outputs ${this.#outputs}  failures ${this.#failures}`), 100);
        this.#timer.unref();
      }
    });
  }

  #event(e: NetworkEvent): void {
    switch (e._type) {
      case 'ActorStarted':
        this.#firings++;
        break;
      case 'NetworkOutput':
        this.#outputs++;
        break;
      case 'ActorFailed':
        this.#failures++;
        this.#print(`[${e.actorId}] failed: ${e.error.message}${e.willRetry ? ' (retrying)' : ''}`);
        break;
      case 'ActorLog':
        this.#print(`[${e.actorId}] ${e.level === 'info' ? '' : `${e.level}: `}${e.message}`);
        break;
    }
  }

  #draw(text: string): void {
    process.stderr.write(`\r\x1b[2K${text}`);
    this.#line = true;
  }

  #print(text: string): void {
    if (this.#line) process.stderr.write('\r\x1b[2K');
    this.#line = false;
    process.stderr.write(`${text}\n`);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    if (this.#line) process.stderr.write('\r\x1b[2K');
  }
}

function summary(file: string, r: RunRecord): string {
  const duration = r.startedAt !== null && r.finishedAt !== null ? `${r.finishedAt - r.startedAt} ms` : 'not started';
  const lines = [`${r.graphName ?? file}: ${r.status} in ${duration}${r.error ? ` — ${r.error.code}: ${r.error.message}` : ''}`];
  const results = Object.entries(r.results ?? {});
  if (results.length) {
    lines.push('results:');
    for (const [port, values] of results) lines.push(`  ${port}: ${values.length === 1 ? short(values[0]) : `${values.length} values ${short(values)}`}`);
  }
  const nodes = Object.entries(r.stats?.nodes ?? {});
  if (nodes.length) {
    lines.push('nodes:');
    lines.push(table([['  node', 'component', 'firings', 'in', 'out', 'failures', 'busy ms'], ...nodes.map(([id, n]) => [
      `  ${id}`, n.component, String(n.firings), String(n.messagesIn), String(n.messagesOut), String(n.failures), n.busyMs.toFixed(1),
    ])]));
  }
  if (r.errors.length) {
    lines.push('errors:');
    for (const e of r.errors) lines.push(`  ${e.actorId || 'network'}${e.component ? ` (${e.component})` : ''}: ${e.error.message}${e.handled ? ' (handled by its error port)' : ''}`);
  }
  return lines.join('\n');
}

export async function runCommand(positionals: string[], options: { input?: string[]; timeout?: string; json?: boolean }): Promise<number> {
  const [file] = positionals;
  const source = readGraphFile(file);
  const input = parseInputs(options.input);
  const defaults = defaultConfig();
  const timeoutMs = options.timeout === undefined ? defaults.runTimeoutMs : Number(options.timeout);
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) throw new UsageError(`--timeout '${options.timeout}': expected a positive number of milliseconds`);
  const history = new HistoryStore(':memory:');
  const engine = new ExecutionEngine({
    registry: await createRegistry(), history, logger: pino({ level: 'warn' }, pino.destination(2)),
    limits: { maxNodes: defaults.maxNodes, maxEdges: defaults.maxEdges, maxIipBytes: defaults.maxIipBytes },
    maxConcurrentRuns: 1, maxQueuedRuns: 1, runTimeoutMs: timeoutMs, maxRunTimeoutMs: timeoutMs, eventLogLimit: 0,
    webhooks: { attempts: 1, backoffMs: 1, maxBackoffMs: 1, timeoutMs: 1 },
    env: process.env,
  });
  let exec: Execution;
  try {
    const submission = await engine.submit({ graph: source, input, source: 'cli', paths: { graph: '$', input: '--input' } });
    exec = submission.execution!;
  } catch (err) {
    await history.close();
    if (!(err instanceof ApiError)) throw err;
    process.stderr.write(`${file}: ${err.message}\n${err.problems ? formatProblems(err.problems) : err.hint}\n`);
    return 1;
  }
  const progress = new Progress(exec);
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
    void engine.cancel(exec.id, { code: 'CANCELLED', message: 'interrupted (Ctrl-C)' }).catch(() => undefined);
  };
  process.once('SIGINT', onSigint);
  const record = await exec.finished;
  process.off('SIGINT', onSigint);
  progress.stop();
  await history.close();
  process.stdout.write(`${options.json ? JSON.stringify(record, null, 2) : summary(file!, record)}\n`);
  if (record.status === 'Completed') return 0;
  return interrupted ? 130 : 1;
}
