// EventBridge: one per run. Feeds every sink (ZipSession, TraceCollector, …) without ever slowing
// the run: node activity comes from the network's statistics once per window (so the network is
// never asked to build an event per message or firing), and only low-volume events (failures,
// logs, drops, streams) are subscribed to, with a bounded buffer whose drops the hub counts. A
// sink that throws is counted and skipped; finishing is bounded by a deadline after which
// whatever a sink still holds counts as dropped.
import type { Graph, NetworkEvent, NetworkEventType } from '@actorflow/network';
import { ActivityTracker, type StatsSnapshot } from './node-activity.ts';
import type { EventSubscription, ExecutionOutcome, NetworkEventHub } from './run.ts';
import type { BridgeSink, SinkReport } from './sink.ts';

/** What a run's bridge delivered and lost, per sink; recorded in the run's history. */
export interface BridgeReport {
  /** Events the bridge received from the hub. */
  received: number;
  /** Activity windows handed to the sinks. */
  windows: number;
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

/** The run the bridge follows. */
export interface BridgeSource {
  hub: NetworkEventHub;
  /** The running graph (edits apply live). */
  graph: Graph;
  /** The network's statistics now (`net.stats()`). */
  stats: () => StatsSnapshot;
  /** Nodes whose byte streams are forwarded chunk by chunk (they make the network build MessageSent events). */
  streamNodes?: readonly string[];
}

export interface EventBridgeOptions {
  sinks: BridgeSink[];
  /** Events the hub may hold for the bridge before dropping them (the subscriptions' bufferSize). */
  bufferSize?: number;
  /** Length of an activity window. */
  windowMs: number;
  /** Upper bound of `finish()`: after it, sinks abandon what they hold. */
  finishTimeoutMs: number;
  /** Called with the first error of each sink (for logging); never with more than one per sink. */
  onSinkError?: (sink: string, error: unknown) => void;
}

/** The events the bridge subscribes to: none is emitted per message or per firing. */
export const BRIDGE_EVENT_TYPES: readonly NetworkEventType[] = [
  'NetworkStarted', 'NetworkShutdown', 'ActorFailed', 'ActorLog', 'MessageDropped', 'StreamOpened', 'StreamClosed', 'StreamError',
];
const STREAM_EVENT_TYPES: readonly NetworkEventType[] = ['MessageSent', 'StreamOpened', 'StreamClosed', 'StreamError'];

export class EventBridge {
  readonly #sinks: BridgeSink[];
  readonly #options: EventBridgeOptions;
  readonly #failedOnce = new Set<string>();
  #source: BridgeSource | undefined;
  #tracker: ActivityTracker | undefined;
  #streamNodes = new Set<string>();
  #subscriptions: EventSubscription[] = [];
  #timer: NodeJS.Timeout | undefined;
  #received = 0;
  #windows = 0;
  #sinkErrors = 0;
  #timedOut = false;
  #finished: Promise<BridgeReport> | undefined;

  constructor(options: EventBridgeOptions) {
    this.#sinks = options.sinks;
    this.#options = options;
  }

  /** Starts following a run (once). */
  attach(source: BridgeSource): void {
    if (this.#source) throw new Error('EventBridge.attach: already following a run');
    this.#source = source;
    this.#tracker = new ActivityTracker(source.graph);
    const bufferSize = this.#options.bufferSize ?? 10_000;
    this.#subscriptions.push(source.hub.subscribe(this.#onEvent, { types: [...BRIDGE_EVENT_TYPES], bufferSize }));
    if (source.streamNodes?.length) {
      // One subscriber keeps a stream's chunks in order with its close.
      this.#streamNodes = new Set(source.streamNodes);
      this.#subscriptions.push(source.hub.subscribe(this.#onStreamEvent, { types: [...STREAM_EVENT_TYPES], nodes: [...source.streamNodes], bufferSize }));
    }
    this.#timer = setInterval(() => this.#window(), this.#options.windowMs);
    this.#timer.unref();
  }

  readonly #onEvent = (event: NetworkEvent): void => {
    if (this.#streamNodes.size > 0 && (event._type === 'StreamOpened' || event._type === 'StreamClosed' || event._type === 'StreamError') && this.#streamNodes.has(event.actorId)) return;
    this.#dispatch(event);
  };

  readonly #onStreamEvent = (event: NetworkEvent): void => {
    if (event._type === 'MessageSent' && !this.#streamNodes.has(event.fromActor)) return;
    this.#dispatch(event);
  };

  #dispatch(event: NetworkEvent): void {
    this.#received++;
    for (const sink of this.#sinks) {
      try {
        sink.event(event);
      } catch (err) {
        this.#sinkFailed(sink.name, err);
      }
    }
  }

  /** Hands the window's node activity to every sink. */
  #window(stats?: StatsSnapshot): void {
    if (!this.#source || !this.#tracker) return;
    let nodes;
    try {
      nodes = this.#tracker.next(stats ?? this.#source.stats());
    } catch (err) {
      this.#sinkFailed('activity', err);
      return;
    }
    if (nodes.length === 0) return;
    this.#windows++;
    const at = Date.now();
    for (const sink of this.#sinks) {
      try {
        sink.activity(nodes, at);
      } catch (err) {
        this.#sinkFailed(sink.name, err);
      }
    }
  }

  #sinkFailed(name: string, err: unknown): void {
    this.#sinkErrors++;
    if (this.#failedOnce.has(name)) return;
    this.#failedOnce.add(name);
    this.#options.onSinkError?.(name, err);
  }

  /** Messages the network delivered, as of the last window. */
  get messages(): number {
    return this.#tracker?.messages ?? 0;
  }

  /**
   * The run ended. Lets the hub hand over the run's last events (briefly), takes the last window
   * of activity (from `finalStats` when given, else the network's stats), then lets every sink
   * flush and complete within the finish deadline. Idempotent; resolves with the report.
   */
  finish(outcome: ExecutionOutcome, finalStats?: StatsSnapshot): Promise<BridgeReport> {
    this.#finished ??= this.#finish(outcome, finalStats);
    return this.#finished;
  }

  async #finish(outcome: ExecutionOutcome, finalStats?: StatsSnapshot): Promise<BridgeReport> {
    const deadline = Date.now() + this.#options.finishTimeoutMs;
    clearInterval(this.#timer);
    if (this.#source) {
      const flushed = this.#source.hub.flushed?.();
      if (flushed) await Promise.race([flushed, new Promise<void>((resolve) => setTimeout(resolve, Math.min(1000, this.#options.finishTimeoutMs)).unref())]);
      this.#window(finalStats);
    }
    for (const sub of this.#subscriptions) sub.unsubscribe();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), Math.max(0, deadline - Date.now()));
      timer.unref();
    });
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
    let hubDropped = 0;
    for (const sub of this.#subscriptions) hubDropped += sub.dropped;
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
    return { received: this.#received, windows: this.#windows, hubDropped, sinkErrors: this.#sinkErrors, dropped, timedOut: this.#timedOut, sinks };
  }
}
