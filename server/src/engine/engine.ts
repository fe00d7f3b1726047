// ExecutionEngine: THE one place where graphs run. REST, WebSocket, the CLI, the Zeal bridge and
// the FBP protocol all submit runs here. One Network per run; at most `maxConcurrentRuns` run at
// once and the rest wait in a bounded FIFO queue; each run has a timeout; cancellation aborts the
// network (every actor's signal); every state change is persisted before it is announced; each
// terminal event goes to the run's webhook.
//
// Hook API for other parts of the server:
//   engine.onExecution((execution) => { ... })   every new run, before it starts
//   execution.onStatus((status, execution) => { ... })   Running (network set), then the end
//   execution.network.events.subscribe(listener, { types, nodes, sample })
//   await engine.submit({ graph, input, metadata, source: 'zeal' })
import { randomUUID } from 'node:crypto';
import { Graph, Network, toGraphJson, type ComponentRegistry, type NetworkEventType, type RunResult, NETWORK_EVENT_TYPES } from '@actorflow/network';
import type { FastifyBaseLogger } from 'fastify';
import { ApiError, invalidRequest } from '../errors.ts';
import type { HistoryStore, IdempotencyKey } from '../history/store.ts';
import { toPlain } from '../json-values.ts';
import { type RunError, type RunRecord, type RunSource, type RunStatus } from '../run-record.ts';
import { terminalEvent } from '../views.ts';
import { EventLog } from './event-log.ts';
import { Execution } from './execution.ts';
import { intakeGraph, intakeNetwork, inputProblems, type GraphLimits } from './graph-intake.ts';
import { RunQueue } from './run-queue.ts';
import { WebhookDispatcher, type WebhookOptions, type WebhookTarget } from './webhooks.ts';

export interface EngineOptions {
  registry: ComponentRegistry;
  history: HistoryStore;
  logger: FastifyBaseLogger;
  limits: GraphLimits;
  maxConcurrentRuns: number;
  maxQueuedRuns: number;
  /** Default per-run timeout. */
  runTimeoutMs: number;
  /** Largest per-run timeout a request may ask for. */
  maxRunTimeoutMs: number;
  /** Events kept per run in the history. */
  eventLogLimit: number;
  /** Event types kept in the history (default: all but MessageSent). */
  eventLogTypes?: readonly string[];
  webhooks: Omit<WebhookOptions, 'logger'>;
  /** Called with the outcome of each webhook event (for metrics). */
  onWebhookResult?: (delivered: boolean) => void;
  /** Environment graphs may read through `env_vars`. Default: process.env without ACTORFLOW_* and ZEAL_* (server settings and secrets). */
  env?: Record<string, string | undefined>;
}

export interface SubmitRequest {
  /** A graph document (JSON object, JSON or `.fbp` text) or a Graph. */
  graph: unknown;
  /** Values for the graph's exported inports. */
  input?: Record<string, unknown>;
  /** Reflow's execution metadata (execution_id, workflow_id, webhook_url, webhook_headers, timeout_ms, …). */
  metadata?: Record<string, unknown>;
  source: RunSource;
  /** The client's Idempotency-Key: a repeat of the same request returns the run it started. */
  idempotency?: IdempotencyKey;
  /** Where graph and input sit in the caller's request, for problem paths. Default `$.graph_json`, `$.input`. */
  paths?: { graph: string; input: string };
  /**
   * A long-lived run (the FBP protocol's networks): it does not end when its network goes idle —
   * it takes input through `execution.network.send()` until cancelled, timed out or failed.
   * Shutdown cancels it at once (there is nothing it would finish).
   */
  keepAlive?: boolean;
  /**
   * The caller tells its client about the run only once it has ended (a `?wait=true` request): a
   * run that starts at once is then recorded in the history when it ends, in one write instead of
   * two, unless `acknowledge()` records it earlier. A crash before that leaves no record of a run
   * nobody was told about. Not with an Idempotency-Key (the key is recorded at acceptance).
   */
  recordAtEnd?: boolean;
}

export interface Submission {
  id: string;
  status: RunStatus;
  /** True when an Idempotency-Key matched an earlier request: no new run was started. */
  replayed: boolean;
  /** The live run while it is queued or running. */
  execution: Execution | undefined;
}

export type ExecutionListener = (execution: Execution) => void;


/** `promise`'s value, or undefined once `ms` have passed (the timer is cleared either way). */
function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Variables of the server's own settings and secrets (never visible to graphs). */
const SERVER_SETTINGS = /^(ACTORFLOW|ZEAL)_/;

/** The environment without the server's own settings and secrets. */
function graphEnvironment(env: Record<string, string | undefined>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !SERVER_SETTINGS.test(k)));
}

/** Request metadata as stored: webhook header values are secrets and never persisted. */
function storedMetadata(metadata: Record<string, unknown>): Record<string, unknown> {
  const headers = metadata.webhook_headers;
  if (!headers || typeof headers !== 'object') return metadata;
  return { ...metadata, webhook_headers: Object.fromEntries(Object.keys(headers).map((k) => [k, '[redacted]'])) };
}

function outcome(result: RunResult, exec: Execution): { status: RunStatus; error: RunError | null } {
  switch (result.status) {
    case 'completed':
      return { status: 'Completed', error: null };
    case 'cancelled':
      return { status: 'Cancelled', error: exec.cancelReason ?? { code: 'CANCELLED', message: 'the run was cancelled' } };
    case 'timeout':
      return { status: 'Failed', error: { code: 'RUN_TIMEOUT', message: `the run did not finish within its timeout of ${exec.timeoutMs} ms` } };
    case 'failed': {
      const cause = result.errors.find((e) => !e.handled);
      if (cause?.actorId) return { status: 'Failed', error: { code: 'ACTOR_FAILED', message: `node '${cause.actorId}' (${cause.component}) failed: ${cause.error.message}` } };
      return { status: 'Failed', error: { code: 'NETWORK_FAILED', message: `the network failed: ${cause?.error.message ?? 'unknown error'}` } };
    }
  }
}

export class ExecutionEngine {
  readonly #o: EngineOptions;
  readonly #log: FastifyBaseLogger;
  readonly #env: Record<string, string | undefined>;
  readonly #active = new Map<string, Execution>();
  readonly #queue = new RunQueue<Execution>();
  readonly #pendingKeys = new Map<string, { requestHash: string; id: string }>();
  readonly #listeners = new Set<ExecutionListener>();
  readonly #webhooks: WebhookDispatcher;
  readonly #logTypes: NetworkEventType[];
  #running = 0;
  #shutdown: Promise<void> | null = null;

  constructor(options: EngineOptions) {
    this.#o = options;
    this.#log = options.logger;
    this.#env = options.env ?? graphEnvironment(process.env);
    this.#webhooks = new WebhookDispatcher({ ...options.webhooks, logger: options.logger });
    this.#logTypes = options.eventLogLimit > 0 ? ((options.eventLogTypes ?? NETWORK_EVENT_TYPES.filter((t) => t !== 'MessageSent')) as NetworkEventType[]) : [];
    // The shutdown event ends every stored log (the engine waits for it before saving the log).
    if (this.#logTypes.length && !this.#logTypes.includes('NetworkShutdown')) this.#logTypes.push('NetworkShutdown');
  }

  /** Calls `listener` with every new run, before it starts. Returns the unsubscribe function. */
  onExecution(listener: ExecutionListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The live run (queued or running), if any. */
  get(id: string): Execution | undefined {
    return this.#active.get(id);
  }

  /** The record of a run: live, or from the history. */
  record(id: string): RunRecord | undefined {
    return this.#active.get(id)?.record() ?? this.#o.history.get(id);
  }

  /** Runs queued or running now. */
  active(): IterableIterator<Execution> {
    return this.#active.values();
  }

  counts(): { queued: number; running: number } {
    return { queued: this.#queue.size, running: this.#running };
  }

  /** True once shutdown began: no new runs are accepted. */
  get closing(): boolean {
    return this.#shutdown !== null;
  }

  /**
   * Validates a run request and, once it is recorded in the history, queues the run. Throws an
   * ApiError (INVALID_GRAPH, INVALID_REQUEST, EXECUTION_EXISTS, IDEMPOTENCY_KEY_REUSED,
   * QUEUE_FULL, SHUTTING_DOWN) without starting anything.
   */
  async submit(request: SubmitRequest): Promise<Submission> {
    if (this.#shutdown) throw new ApiError('SHUTTING_DOWN', 'the server is shutting down', 'retry against another instance or after the restart', { headers: { 'retry-after': '5' } });
    const metadata = request.metadata ?? {};
    const input = request.input ?? {};
    const paths = request.paths ?? { graph: '$.graph_json', input: '$.input' };

    const replay = request.idempotency && this.#replay(request.idempotency);
    if (replay) return replay;

    const chosen = typeof metadata.execution_id === 'string' ? metadata.execution_id : undefined;
    if (chosen !== undefined && (this.#active.has(chosen) || this.#o.history.exists(chosen))) {
      throw new ApiError('EXECUTION_EXISTS', `execution '${chosen}' already exists`, 'leave metadata.execution_id out to get a generated id, or choose an unused one');
    }
    const id = chosen ?? randomUUID();
    const timeoutMs = typeof metadata.timeout_ms === 'number' ? metadata.timeout_ms : this.#o.runTimeoutMs;
    // A run that can start at once gets its slot now and its network built (and validated) once.
    const startNow = this.#running < this.#o.maxConcurrentRuns && this.#queue.size === 0;
    if (startNow) this.#running++;
    let handedOver = false;
    try {
      const network = startNow ? await intakeNetwork(request.graph, { registry: this.#o.registry, id, env: this.#env }, this.#o.limits, paths.graph) : undefined;
      const graph = network?.graph ?? intakeGraph(request.graph, this.#o.registry, this.#o.limits, paths.graph, this.#env).graph;
      const problems = inputProblems(graph, input, this.#o.limits, paths.input);
      if (timeoutMs > this.#o.maxRunTimeoutMs) {
        problems.push({ code: 'TIMEOUT_TOO_LONG', path: '$.metadata.timeout_ms', message: `${timeoutMs} ms exceeds the server's maximum run timeout of ${this.#o.maxRunTimeoutMs} ms`, hint: `ask for at most ${this.#o.maxRunTimeoutMs} ms`, severity: 'error' });
      }
      if (problems.length) throw invalidRequest(problems);
      if (!startNow && this.#queue.size >= this.#o.maxQueuedRuns) {
        throw new ApiError('QUEUE_FULL', `${this.#queue.size} runs are already waiting (the limit is ${this.#o.maxQueuedRuns})`, 'retry later; the server owner can raise ACTORFLOW_MAX_QUEUED_RUNS or ACTORFLOW_MAX_CONCURRENT_RUNS', { headers: { 'retry-after': '1' } });
      }

      const webhook: WebhookTarget | null = typeof metadata.webhook_url === 'string'
        ? { url: metadata.webhook_url, headers: (metadata.webhook_headers as Record<string, string> | undefined) ?? {} }
        : null;
      const record: RunRecord = {
        id, workflowId: typeof metadata.workflow_id === 'string' ? metadata.workflow_id : null, graphName: graph.name || null,
        source: request.source, status: 'Queued', createdAt: Date.now(), startedAt: null, finishedAt: null,
        metadata: storedMetadata(metadata), results: null, stats: null, errors: [], error: null, eventsDropped: 0, integrations: {},
        webhook: webhook && { url: webhook.url, delivered: 0, failed: 0, attempts: 0, lastError: null },
      };
      const exec = new Execution({
        record, graph, input: Object.fromEntries(Object.entries(input).map(([k, v]) => [graph.portName(k), v])), timeoutMs, webhook,
        eventLog: new EventLog(this.#o.eventLogLimit), keepAlive: request.keepAlive === true, ...(network ? { network } : {}),
      });
      this.#active.set(id, exec);
      const key = request.idempotency && `${request.idempotency.scope}\n${request.idempotency.key}`;
      if (key) this.#pendingKeys.set(key, { requestHash: request.idempotency!.requestHash, id });
      const payload = { graph: request.graph instanceof Graph ? toGraphJson(request.graph) : request.graph, input };
      if (request.recordAtEnd && startNow && !request.idempotency) exec.deferRecording(payload);
      else {
        try {
          await this.#o.history.insert(record, payload, request.idempotency);
        } catch (err) {
          this.#active.delete(id);
          throw err;
        } finally {
          if (key) this.#pendingKeys.delete(key);
        }
      }
      for (const listener of this.#listeners) {
        try {
          listener(exec);
        } catch (err) {
          this.#log.error({ err, run_id: id }, 'an execution listener threw');
        }
      }
      handedOver = true;
      // The run starts on the next turn of the event loop: whoever submitted it can subscribe first.
      if (startNow) setImmediate(() => void this.#run(exec));
      else {
        this.#queue.push(exec);
        this.#pump();
      }
      return { id, status: exec.status, replayed: false, execution: exec };
    } finally {
      if (startNow && !handedOver) {
        this.#running--;
        this.#pump();
      }
    }
  }

  #replay(idempotency: IdempotencyKey): Submission | undefined {
    const found = this.#pendingKeys.get(`${idempotency.scope}\n${idempotency.key}`)
      ?? (() => {
        const stored = this.#o.history.idempotencyKey(idempotency.scope, idempotency.key);
        return stored && { requestHash: stored.requestHash, id: stored.runId };
      })();
    if (!found) return undefined;
    if (found.requestHash !== idempotency.requestHash) {
      throw new ApiError('IDEMPOTENCY_KEY_REUSED', `Idempotency-Key '${idempotency.key}' was already used for a different request (execution ${found.id})`, 'use a new key for a new request; resend exactly the same body to get the original run');
    }
    const exec = this.#active.get(found.id);
    const status = exec?.status ?? this.#o.history.get(found.id)?.status ?? 'Queued';
    return { id: found.id, status, replayed: true, execution: exec };
  }

  /**
   * Records a run submitted with `recordAtEnd` now, as it is: its caller is about to tell its
   * client the run was accepted. Resolves once committed; does nothing for any other run.
   */
  async acknowledge(id: string): Promise<void> {
    const exec = this.#active.get(id);
    const payload = exec?.takeUnrecorded();
    if (exec && payload) await this.#o.history.insert(exec.record(), payload);
  }

  /** Waits up to `timeoutMs` for a run to finish; resolves with its record then (or as it is). */
  async waitFor(id: string, timeoutMs: number): Promise<RunRecord | undefined> {
    const exec = this.#active.get(id);
    if (!exec) return this.#o.history.get(id);
    const done = await within(exec.finished, timeoutMs);
    return done ?? exec.record();
  }

  /**
   * Cancels a run: a queued run never starts; a running one has its network stopped (every
   * actor's signal aborted). Resolves with the final record once the run has ended — which may be
   * Completed if it finished first. Throws NOT_FOUND or RUN_FINISHED.
   */
  async cancel(id: string, reason: RunError = { code: 'CANCELLED', message: 'cancelled on request' }): Promise<RunRecord> {
    const exec = this.#active.get(id);
    if (!exec) {
      const stored = this.#o.history.get(id);
      if (!stored) throw new ApiError('NOT_FOUND', `execution '${id}' not found`, 'list executions with GET /workflows');
      throw new ApiError('RUN_FINISHED', `execution '${id}' already finished (${stored.status})`, 'only Queued or Running executions can be cancelled');
    }
    exec.cancelReason ??= reason;
    if (this.#queue.remove(exec)) {
      await this.#finish(exec, { status: 'Cancelled', error: exec.cancelReason, finishedAt: Date.now() });
    } else {
      exec.abort.abort(exec.cancelReason);
    }
    return exec.finished;
  }

  #pump(): void {
    while (this.#running < this.#o.maxConcurrentRuns) {
      const exec = this.#queue.shift();
      if (!exec) return;
      this.#running++;
      void this.#run(exec);
    }
  }

  async #run(exec: Execution): Promise<void> {
    // Log lines name the run (a child logger per run would cost more than the lines it writes).
    const run_id = exec.id;
    try {
      let net: Network;
      try {
        net = exec.network ?? await Network.create(exec.graph, { registry: this.#o.registry, id: exec.id, env: this.#env });
      } catch (err) {
        this.#log.warn({ run_id, err }, 'run could not start');
        await this.#finish(exec, { status: 'Failed', error: { code: 'NETWORK_FAILED', message: `the network could not be built: ${(err as Error).message}` }, finishedAt: Date.now() });
        return;
      }
      if (exec.abort.signal.aborted) {
        await this.#finish(exec, { status: 'Cancelled', error: exec.cancelReason, finishedAt: Date.now() });
        return;
      }
      exec.attach(net);
      const logSub = this.#logTypes.length === 0 ? null : net.events.subscribe((event) => {
        exec.eventLog.push(event);
      }, { types: this.#logTypes, bufferSize: 100_000 });
      // Running is announced, not persisted: the history records acceptance (unless deferred,
      // see recordAtEnd) and the end, and a run found Queued after a crash is marked interrupted
      // just like a Running one.
      exec.patch({ status: 'Running', startedAt: Date.now() });
      exec.notify((err) => this.#log.error({ run_id, err }, 'a status listener threw'));
      this.#log.debug({ run_id }, 'run started');

      let result: RunResult;
      try {
        const options = { input: exec.input, signal: exec.abort.signal, timeoutMs: exec.timeoutMs };
        result = await net.run({ ...options, untilStopped: exec.keepAlive });
      } catch (err) {
        // Network.run reports failures in its result; reaching here is a runtime bug.
        this.#log.error({ run_id, err }, 'network run threw');
        await this.#finish(exec, { status: 'Failed', error: { code: 'NETWORK_FAILED', message: (err as Error).message }, finishedAt: Date.now() });
        return;
      }
      // The stored log should end with NetworkShutdown, delivered asynchronously by the hub.
      if (logSub) {
        await within(net.events.flushed(), 100);
        logSub.unsubscribe();
      }
      await this.#finish(exec, {
        ...outcome(result, exec),
        startedAt: exec.record().startedAt ?? result.startedAt,
        finishedAt: result.finishedAt,
        results: toPlain(result.results) as RunRecord['results'],
        stats: result.stats,
        errors: toPlain(result.errors) as unknown as RunRecord['errors'],
      });
    } finally {
      this.#running--;
      this.#pump();
    }
  }

  /** Records the end of a run, persists it, then announces it (and sends the webhook). */
  async #finish(exec: Execution, patch: Partial<RunRecord>): Promise<void> {
    const run_id = exec.id;
    exec.patch({ ...patch, eventsDropped: exec.eventLog.dropped });
    const record = exec.record();
    try {
      const events = { events: exec.eventLog.entries(), dropped: exec.eventLog.dropped };
      const unrecorded = exec.takeUnrecorded();
      if (unrecorded) await this.#o.history.insert(record, unrecorded, undefined, events);
      else await this.#o.history.update(record, events);
    } catch (err) {
      this.#log.error({ run_id, err }, 'could not save the finished run to the history');
    }
    this.#active.delete(exec.id);
    exec.notify((err) => this.#log.error({ run_id, err }, 'a status listener threw'));
    this.#log.info({ run_id, status: record.status, duration_ms: record.startedAt !== null && record.finishedAt !== null ? record.finishedAt - record.startedAt : null, error: record.error?.code }, 'run finished');
    if (exec.webhook) void this.#sendWebhook(exec, exec.webhook, record, this.#log.child({ run_id }));
  }

  async #sendWebhook(exec: Execution, target: WebhookTarget, record: RunRecord, log: FastifyBaseLogger): Promise<void> {
    const result = await this.#webhooks.deliver(target, terminalEvent(record));
    this.#o.onWebhookResult?.(result.delivered);
    const state = { url: target.url, delivered: result.delivered ? 1 : 0, failed: result.delivered ? 0 : 1, attempts: result.attempts, lastError: result.lastError };
    exec.patch({ webhook: state });
    if (!this.#o.history.closed) this.#o.history.update(exec.record()).catch((err: unknown) => log.error({ err }, 'could not save the webhook outcome'));
  }

  /**
   * Graceful shutdown: accept no new runs, cancel queued ones, give running ones `graceMs` to
   * finish, cancel the rest, let webhooks in flight finish (within the same grace), flush the history.
   */
  shutdown(graceMs: number): Promise<void> {
    this.#shutdown ??= (async () => {
      const deadline = Date.now() + graceMs;
      const reason = (what: string): RunError => ({ code: 'SHUTDOWN', message: `cancelled: the server shut down while the run was ${what}` });
      await Promise.all([...this.#queue].map((exec) => this.cancel(exec.id, reason('queued'))));
      await Promise.all([...this.#active.values()].filter((exec) => exec.keepAlive).map((exec) => this.cancel(exec.id, reason('running'))));
      const running = [...this.#active.values()];
      if (running.length) {
        this.#log.info({ runs: running.length, grace_ms: graceMs }, 'shutdown: waiting for running runs');
        await within(Promise.all(running.map((e) => e.finished)), graceMs);
      }
      const left = [...this.#active.values()];
      if (left.length) this.#log.warn({ runs: left.length }, 'shutdown: cancelling runs still running after the grace period');
      await Promise.all(left.map((exec) => this.cancel(exec.id, reason('running'))));
      await this.#webhooks.drain(Math.max(0, deadline - Date.now()));
      await this.#o.history.flush();
    })();
    return this.#shutdown;
  }
}

