// EventBridge: one per run. Subscribes once to the run's events hub and hands every event to
// each sink (ZipSession, TraceCollector, …) synchronously and cheaply; sinks only buffer. The run
// never waits on a sink: the subscription is bounded (the hub counts what it drops), a sink that
// throws is counted and skipped, and finishing is bounded by a deadline after which whatever a
// sink still holds counts as dropped.
import type { NetworkEvent } from '@actorflow/network';
import type { EventSubscription, ExecutionOutcome, NetworkEventHub } from './run.ts';
import type { BridgeSink, SinkReport } from './sink.ts';

/** What a run's bridge delivered and lost, per sink; recorded in the run's history. */
export interface BridgeReport {
  /** Events the bridge received from the hub. */
  received: number;
  /** Events the hub dropped because the bridge fell behind (its bounded subscription buffer). */
  hubDropped: number;
  /** Sink calls that threw (each is contained and counted). */
  sinkErrors: number;
  /** Sum of every sink's `dropped`, plus `hubDropped`. */
  dropped: number;
  /** The finish deadline passed before every sink was done. */
  timedOut: boolean;
  sinks: Record<string, SinkReport>;
}

export interface EventBridgeOptions {
  sinks: BridgeSink[];
  /** Events the hub may hold for the bridge before dropping (the subscription's bufferSize). */
  bufferSize?: number;
  /** Upper bound of `finish()`: after it, sinks abandon what they hold. */
  finishTimeoutMs: number;
  /** Called with the first error of each sink (for logging); never with more than one per sink. */
  onSinkError?: (sink: string, error: unknown) => void;
}

export class EventBridge {
  readonly #sinks: BridgeSink[];
  readonly #bufferSize: number;
  readonly #finishTimeoutMs: number;
  readonly #onSinkError: EventBridgeOptions['onSinkError'];
  readonly #failedOnce = new Set<string>();
  #hub: NetworkEventHub | undefined;
  #subscription: EventSubscription | undefined;
  #received = 0;
  #sinkErrors = 0;
  #timedOut = false;
  #shutdownSeen: (() => void) | undefined;
  readonly #shutdown: Promise<void>;
  #finished: Promise<BridgeReport> | undefined;

  constructor(options: EventBridgeOptions) {
    this.#sinks = options.sinks;
    this.#bufferSize = options.bufferSize ?? 10_000;
    this.#finishTimeoutMs = options.finishTimeoutMs;
    this.#onSinkError = options.onSinkError;
    this.#shutdown = new Promise<void>((resolve) => {
      this.#shutdownSeen = resolve;
    });
  }

  /** Subscribes to a run's events hub (once). */
  attach(hub: NetworkEventHub): void {
    if (this.#subscription) throw new Error('EventBridge.attach: already attached to a hub');
    this.#hub = hub;
    this.#subscription = hub.subscribe(this.listener, { bufferSize: this.#bufferSize });
  }

  /** The hub listener: dispatches one event to every sink. Synchronous; never throws. */
  readonly listener = (event: NetworkEvent): void => {
    this.#received++;
    for (const sink of this.#sinks) {
      try {
        sink.event(event);
      } catch (err) {
        this.#sinkFailed(sink.name, err);
      }
    }
    if (event._type === 'NetworkShutdown') this.#shutdownSeen?.();
  };

  #sinkFailed(name: string, err: unknown): void {
    this.#sinkErrors++;
    if (this.#failedOnce.has(name)) return;
    this.#failedOnce.add(name);
    this.#onSinkError?.(name, err);
  }

  /**
   * The run ended. Waits (briefly) for the hub to deliver the run's last events, then lets every
   * sink flush and complete, within the finish deadline. Idempotent; resolves with the report.
   */
  finish(outcome: ExecutionOutcome): Promise<BridgeReport> {
    this.#finished ??= this.#finish(outcome);
    return this.#finished;
  }

  async #finish(outcome: ExecutionOutcome): Promise<BridgeReport> {
    const deadline = Date.now() + this.#finishTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), this.#finishTimeoutMs);
      timer.unref();
    });
    // The hub delivers asynchronously: let it hand over the run's last events (it may have
    // dropped NetworkShutdown itself when the bridge fell behind), within a short grace.
    if (this.#subscription) {
      const grace = new Promise<void>((resolve) => setTimeout(resolve, Math.min(1000, Math.max(0, deadline - Date.now()))).unref());
      const caughtUp = this.#hub?.flushed ? this.#hub.flushed() : this.#shutdown;
      await Promise.race([caughtUp, grace]);
    }
    this.#subscription?.unsubscribe();
    const finishing = Promise.allSettled(this.#sinks.map(async (sink) => {
      try {
        await sink.finish(outcome);
      } catch (err) {
        this.#sinkFailed(sink.name, err);
      }
    }));
    if ((await Promise.race([finishing, expired])) === 'expired') {
      this.#timedOut = true;
      for (const sink of this.#sinks) {
        try {
          sink.abandon();
        } catch (err) {
          this.#sinkFailed(sink.name, err);
        }
      }
    }
    clearTimeout(timer);
    return this.report();
  }

  report(): BridgeReport {
    const sinks: Record<string, SinkReport> = {};
    const hubDropped = this.#subscription?.dropped ?? 0;
    let dropped = hubDropped;
    for (const sink of this.#sinks) {
      let r: SinkReport;
      try {
        r = sink.report();
      } catch (err) {
        r = { delivered: 0, dropped: 0, lastError: `report failed: ${(err as Error).message}` };
      }
      sinks[sink.name] = r;
      dropped += r.dropped;
    }
    return { received: this.#received, hubDropped, sinkErrors: this.#sinkErrors, dropped, timedOut: this.#timedOut, sinks };
  }
}
