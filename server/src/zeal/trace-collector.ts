// TraceCollector: one Zeal trace session per run over HTTP. Opens the session, turns the run's
// activity and events into trace rows (see trace-events.ts), sends them in batches of `batchSize`
// (and after `flushIntervalMs` of quiet), then `/complete` with the five summary numbers. Zeal
// being down, slow or answering errors never reaches the run: rows wait in a bounded buffer,
// failed requests are retried with backoff, and what is lost is counted.
import type { NetworkEvent } from '@actorflow/network';
import type { NodeActivity } from './node-activity.ts';
import type { TraceTuning } from './config.ts';
import { BoundedQueue } from './bounded-queue.ts';
import type { ZealRestClient } from './rest-client.ts';
import { backoffDelay, ZealRequestError } from './rest-client.ts';
import { clip, nodeCounts, type BridgedRun, type ExecutionOutcome } from './run.ts';
import type { BridgeSink, SinkReport } from './sink.ts';
import { activityRows, eventRow, materialize, type PendingTraceRow } from './trace-events.ts';
import type { TraceCompletion } from './wire.ts';

export interface TraceReport extends SinkReport {
  /** Zeal's trace session id (`fts_…`), or null when none could be opened. */
  sessionId: string | null;
  /** Rows produced from the run's events. */
  rows: number;
  /** Failure, log and drop events beyond the per-window cap, summarised instead of sent one by one. */
  suppressed: number;
  /** HTTP requests made for this run (session, batches, completion; retries included). */
  requests: number;
  /** `/events` requests that carried rows (one per batch). */
  batches: number;
  completed: boolean;
}

type SessionState = 'opening' | 'open' | 'failed';

/** Log / output rows sent per (event type, node, port) and window; the rest are summarised. */
const PER_WINDOW = 10;

export class TraceCollector implements BridgeSink {
  readonly name = 'trace';
  readonly #client: ZealRestClient;
  readonly #run: BridgedRun;
  readonly #tuning: TraceTuning;
  readonly #buffer: BoundedQueue<PendingTraceRow>;
  /** Per window: rows of each (event type, node, port) so far, and those held back. */
  #perKey = new Map<string, number>();
  #suppressedNow = new Map<string, { count: number; at: number; nodeId: string }>();
  #rowsOut: PendingTraceRow[] = [];
  #state: SessionState = 'opening';
  #sessionId: string | null = null;
  #inflight = 0;
  #lastSendAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #finishing = false;
  #abandoned = false;
  #drained: (() => void) | undefined;
  #stats = { rows: 0, suppressed: 0, delivered: 0, dropped: 0, requests: 0, batches: 0, completed: false };
  #lastError: string | undefined;
  /** Messages the run's nodes sent (what the summary reports as data processed). */
  #messages = 0;
  #seen = new Map<string, { firings: number; failures: number; messagesOut: number }>();

  constructor(client: ZealRestClient, run: BridgedRun, tuning: TraceTuning) {
    this.#client = client;
    this.#run = run;
    this.#tuning = tuning;
    this.#buffer = new BoundedQueue(tuning.bufferSize);
    this.#timer = setInterval(() => this.#onTimer(), tuning.flushIntervalMs);
    this.#timer.unref();
    void this.#openSession();
  }

  event(event: NetworkEvent): void {
    const pending = eventRow(event, this.#run.mapping);
    if (!pending) return;
    const key = `${event._type}\0${pending.row.nodeId}\0${pending.row.portId ?? ''}`;
    const n = (this.#perKey.get(key) ?? 0) + 1;
    this.#perKey.set(key, n);
    if (n <= PER_WINDOW) {
      this.#add(pending);
      return;
    }
    const held = this.#suppressedNow.get(key);
    if (held) held.count++;
    else this.#suppressedNow.set(key, { count: 1, at: event.timestamp, nodeId: pending.row.nodeId });
  }

  activity(nodes: readonly NodeActivity[], at: number): void {
    for (const a of nodes) {
      let n = this.#seen.get(a.actorId);
      if (!n) this.#seen.set(a.actorId, (n = { firings: 0, failures: 0, messagesOut: 0 }));
      n.firings += a.firings;
      n.failures += a.failures;
      n.messagesOut += a.messagesOut;
      this.#messages += a.messagesOut;
      activityRows(a, this.#run.mapping, at, this.#rowsOut);
    }
    for (const row of this.#rowsOut) this.#add(row);
    this.#rowsOut.length = 0;
    this.#closeWindow();
  }

  #add(pending: PendingTraceRow): void {
    this.#stats.rows++;
    if (this.#state === 'failed' || this.#abandoned) {
      this.#stats.dropped++;
      return;
    }
    if (this.#buffer.push(pending) !== undefined) this.#stats.dropped++;
  }

  /** Ends the per-window caps: summarises what they held back; sends full batches. */
  #closeWindow(): void {
    for (const [key, held] of this.#suppressedNow) {
      this.#stats.suppressed += held.count;
      this.#add({ row: { timestamp: held.at, nodeId: held.nodeId, eventType: 'log', data: { size: 0, type: 'suppressed', preview: { event: key.slice(0, key.indexOf('\0')), count: held.count } } } });
    }
    this.#suppressedNow.clear();
    this.#perKey.clear();
    if (this.#buffer.size >= this.#tuning.batchSize) this.#pump();
  }

  async #openSession(): Promise<void> {
    const body = {
      workflowId: this.#run.workflowId,
      executionId: this.#run.zealExecutionId,
      metadata: { trigger: this.#run.trigger, environment: 'actorflow', tags: ['actorflow', `run:${this.#run.executionId}`] },
    };
    for (let round = 1; !this.#abandoned; round++) {
      try {
        const res = await this.#request<{ sessionId?: unknown }>('/api/zip/traces/sessions', body);
        if (typeof res?.sessionId !== 'string' || res.sessionId === '') throw new Error(`Zeal answered without a sessionId: ${clip(JSON.stringify(res) ?? '', 200)}`);
        this.#sessionId = res.sessionId;
        this.#state = 'open';
        this.#pump();
        return;
      } catch (err) {
        this.#lastError = (err as Error).message;
        if (!(err instanceof ZealRequestError && err.retryable)) break;
      }
      // Zeal is down or failing: keep buffering (bounded) and try again later, until the run's
      // bridge reaches its finish deadline (abandon).
      await new Promise<void>((r) => setTimeout(r, backoffDelay(round, this.#tuning.retryBaseMs, this.#tuning.retryMaxMs)).unref());
    }
    this.#state = 'failed';
    this.#stats.dropped += this.#buffer.clear();
    this.#checkDrained();
  }

  #request<T>(path: string, body: unknown): Promise<T> {
    return this.#client.post<T>(path, body, { attempts: this.#tuning.attempts, onAttempt: () => this.#stats.requests++ });
  }

  #onTimer(): void {
    this.#closeWindow();
    if (Date.now() - this.#lastSendAt >= this.#tuning.flushIntervalMs) this.#pump(true);
  }

  /** Sends full batches while there is room in flight; a partial one when `partial` or finishing. */
  #pump(partial = false): void {
    if (this.#state !== 'open' || this.#abandoned) return;
    while (this.#inflight < this.#tuning.concurrency) {
      const size = this.#buffer.size;
      if (size === 0 || (size < this.#tuning.batchSize && !partial && !this.#finishing)) break;
      this.#sendBatch(this.#buffer.take(this.#tuning.batchSize));
    }
    this.#checkDrained();
  }

  #sendBatch(batch: PendingTraceRow[]): void {
    this.#inflight++;
    this.#stats.batches++;
    this.#lastSendAt = Date.now();
    const events = batch.map((p) => materialize(p, this.#tuning.previewBytes));
    this.#request(`/api/zip/traces/${encodeURIComponent(this.#sessionId!)}/events`, { events }).then(
      () => {
        this.#stats.delivered += batch.length;
      },
      (err: Error) => {
        this.#stats.dropped += batch.length;
        this.#lastError = err.message;
      },
    ).finally(() => {
      this.#inflight--;
      this.#pump();
    });
  }

  #checkDrained(): void {
    if (!this.#drained) return;
    const idle = this.#inflight === 0 && (this.#buffer.size === 0 || this.#state !== 'open');
    if (idle && this.#state !== 'opening') {
      const done = this.#drained;
      this.#drained = undefined;
      done();
    }
  }

  async finish(outcome: ExecutionOutcome): Promise<void> {
    this.#closeWindow();
    this.#finishing = true;
    clearInterval(this.#timer);
    await new Promise<void>((resolve) => {
      this.#drained = resolve;
      this.#pump();
      this.#checkDrained();
    });
    if (this.#state !== 'open' || this.#abandoned) return;
    try {
      await this.#request('/api/zip/traces/' + encodeURIComponent(this.#sessionId!) + '/complete', this.#completion(outcome));
      this.#stats.completed = true;
    } catch (err) {
      this.#lastError = (err as Error).message;
    }
  }

  #completion(outcome: ExecutionOutcome): TraceCompletion {
    const { executed, failed } = nodeCounts(outcome, this.#seen);
    const completion: TraceCompletion = {
      status: outcome.status === 'completed' ? 'success' : outcome.status === 'cancelled' ? 'cancelled' : 'error',
      summary: {
        totalNodes: this.#run.mapping.nodeCount,
        successfulNodes: executed - failed,
        failedNodes: failed,
        totalDuration: Math.round(outcome.durationMs),
        totalDataProcessed: this.#messages,
      },
    };
    if (outcome.error && outcome.status !== 'completed') {
      completion.error = { message: clip(outcome.error.message, 4096) };
      if (outcome.error.nodeId) completion.error.nodeId = this.#run.mapping.node(outcome.error.nodeId).nodeId;
      if (outcome.error.stack) completion.error.stack = clip(outcome.error.stack, 8192);
    }
    return completion;
  }

  abandon(): void {
    this.#abandoned = true;
    clearInterval(this.#timer);
    this.#stats.dropped += this.#buffer.clear();
    const done = this.#drained;
    this.#drained = undefined;
    done?.();
  }

  report(): TraceReport {
    const report: TraceReport = { sessionId: this.#sessionId, ...this.#stats };
    if (this.#lastError) report.lastError = this.#lastError;
    return report;
  }
}
