// One run as the engine tracks it while it is queued or running. Other parts of the server
// (REST, WebSocket hub, metrics, the Zeal bridge, the FBP protocol) observe it through this
// object: its status changes, and — once it is Running — its Network, whose `events` hub they
// subscribe to. Only the engine changes it.
import type { Graph, Network } from '@actorflow/network';
import { isTerminal, type RunError, type RunPayload, type RunRecord, type RunSource, type RunStatus } from '../run-record.ts';
import type { EventLog } from './event-log.ts';
import type { WebhookTarget } from './webhooks.ts';

export type StatusListener = (status: RunStatus, execution: Execution) => void;

export class Execution {
  readonly id: string;
  readonly source: RunSource;
  readonly graph: Graph;
  /** Values for exported inports, delivered once the network has started. */
  readonly input: Record<string, unknown>;
  readonly timeoutMs: number;
  readonly webhook: WebhookTarget | null;
  readonly eventLog: EventLog;
  /** A long-lived run: it stays up when its network goes idle (see SubmitRequest.keepAlive). */
  readonly keepAlive: boolean;
  /** Aborted to cancel the run; its reason says why. */
  readonly abort = new AbortController();
  /** Resolves with the final record once the run has finished and its record is persisted. */
  readonly finished: Promise<RunRecord>;
  /** Why the run is being cancelled, once it is. */
  cancelReason: RunError | null = null;
  readonly #record: RunRecord;
  /** Graph and input of a run not recorded yet (see deferRecording). */
  #unrecorded: RunPayload | null = null;
  #network: Network | undefined;
  #listeners: StatusListener[] = [];
  #resolveFinished!: (record: RunRecord) => void;

  constructor(init: { record: RunRecord; graph: Graph; input: Record<string, unknown>; timeoutMs: number; webhook: WebhookTarget | null; eventLog: EventLog; network?: Network; keepAlive?: boolean }) {
    this.#record = init.record;
    this.id = init.record.id;
    this.source = init.record.source;
    this.graph = init.graph;
    this.input = init.input;
    this.timeoutMs = init.timeoutMs;
    this.webhook = init.webhook;
    this.eventLog = init.eventLog;
    this.keepAlive = init.keepAlive ?? false;
    this.#network = init.network;
    this.finished = new Promise((resolve) => {
      this.#resolveFinished = resolve;
    });
  }

  get status(): RunStatus {
    return this.#record.status;
  }

  get workflowId(): string | null {
    return this.#record.workflowId;
  }

  /** The run's network: set before the status becomes Running, kept after it finished. */
  get network(): Network | undefined {
    return this.#network;
  }

  /** The current record (a snapshot copy). */
  record(): RunRecord {
    return { ...this.#record };
  }

  /**
   * Calls `listener` on every status change (Running, then Completed | Failed | Cancelled), in
   * order, synchronously. When it is called with Running, `network` is set and has not emitted
   * any event yet, so subscribing then sees the whole run. Returns the unsubscribe function.
   */
  onStatus(listener: StatusListener): () => void {
    this.#listeners.push(listener);
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  // ------------------------------------------------------------------ engine side

  /**
   * @internal The engine records this run later (its caller acknowledges it only once it has
   * ended, SubmitRequest.recordAtEnd): it keeps what is to be recorded with it.
   */
  deferRecording(payload: RunPayload): void {
    this.#unrecorded = payload;
  }

  /** @internal What is left to record of a deferred run (once: the next call returns null). */
  takeUnrecorded(): RunPayload | null {
    const payload = this.#unrecorded;
    this.#unrecorded = null;
    return payload;
  }

  /** @internal The engine attaches the network it built for the run. */
  attach(network: Network): void {
    this.#network = network;
  }

  /** @internal The engine records a change (status, timings, results, …) without notifying. */
  patch(patch: Partial<RunRecord>): void {
    Object.assign(this.#record, patch);
  }

  /** @internal The engine announces the current status to every listener; a throwing listener is reported, not fatal. */
  notify(onListenerError: (err: unknown) => void): void {
    const status = this.#record.status;
    for (const listener of [...this.#listeners]) {
      try {
        listener(status, this);
      } catch (err) {
        onListenerError(err);
      }
    }
    if (isTerminal(status)) {
      this.#listeners = [];
      this.#resolveFinished(this.record());
    }
  }
}
