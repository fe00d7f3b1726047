// EventHub: the one subscribable stream of a network's events. Subscribers filter by type and
// node and sample high-volume events; delivery is asynchronous and bounded per subscriber, so a
// slow subscriber drops (and counts) events instead of slowing the network.
import { NETWORK_EVENT_TYPES, type NetworkEvent, type NetworkEventType } from './events.ts';

export interface SubscribeOptions {
  /** Only these event types (default: all). */
  types?: readonly NetworkEventType[];
  /** Only events about these actors (actorId, fromActor or toActor). Network-level events always pass. */
  nodes?: readonly string[];
  /**
   * Keep a fraction (0..1] of events: one number applies to the per-message and per-firing events
   * (MessageSent, ActorStarted, ActorCompleted, NetworkOutput); an object sets it per type.
   */
  sample?: number | Partial<Record<NetworkEventType, number>>;
  /** Events buffered for this subscriber before new ones are dropped. Default 10,000. */
  bufferSize?: number;
}

export type EventListener = (event: NetworkEvent) => void | Promise<void>;

/** What subscribers watch: types, and for types watched only for some nodes, those nodes. */
export interface EventInterest {
  wants: Record<NetworkEventType, boolean>;
  nodes: Partial<Record<NetworkEventType, string[]>>;
}

/** Where runtime parts send events: the hub on the main thread, a forwarder in worker threads. */
export interface EventSink {
  /** Per type: whether anyone listens (checked before building an event). */
  readonly wants: Readonly<Record<NetworkEventType, boolean>>;
  /** Whether anyone listens to events of `type` about actor `node`. */
  watches(type: NetworkEventType, node: string): boolean;
  emit(event: NetworkEvent): void;
}

/** A live subscription. */
export interface Subscription {
  /** Events dropped because the subscriber fell behind. */
  readonly dropped: number;
  /** Events delivered so far. */
  readonly delivered: number;
  unsubscribe(): void;
}

const HIGH_VOLUME: readonly NetworkEventType[] = ['MessageSent', 'ActorStarted', 'ActorCompleted', 'NetworkOutput'];

function eventNodes(e: NetworkEvent): string[] | null {
  if ('actorId' in e) return [e.actorId];
  if ('fromActor' in e) return [e.fromActor, e.toActor];
  return null;
}

class Subscriber implements Subscription {
  dropped = 0;
  delivered = 0;
  readonly #hub: EventHub;
  readonly #listener: EventListener;
  readonly types: ReadonlySet<NetworkEventType>;
  readonly nodes: ReadonlySet<string> | null;
  readonly #every: Partial<Record<NetworkEventType, number>> = {};
  readonly #seen: Partial<Record<NetworkEventType, number>> = {};
  readonly #bufferSize: number;
  #queue: NetworkEvent[] = [];
  #flushing = false;
  #closed = false;

  constructor(hub: EventHub, listener: EventListener, options: SubscribeOptions) {
    this.#hub = hub;
    this.#listener = listener;
    this.types = new Set(options.types ?? NETWORK_EVENT_TYPES);
    this.nodes = options.nodes ? new Set(options.nodes) : null;
    this.#bufferSize = options.bufferSize ?? 10_000;
    const sample = options.sample;
    if (sample !== undefined) {
      const rates: Partial<Record<NetworkEventType, number>> =
        typeof sample === 'number' ? Object.fromEntries(HIGH_VOLUME.map((t) => [t, sample])) : sample;
      for (const [type, rate] of Object.entries(rates) as [NetworkEventType, number][]) {
        if (!(rate > 0 && rate <= 1)) throw new RangeError(`sample rate for ${type} must be in (0, 1], got ${rate}`);
        this.#every[type] = Math.max(1, Math.round(1 / rate));
      }
    }
  }

  offer(event: NetworkEvent): void {
    if (this.#closed) return;
    if (this.nodes) {
      const nodes = eventNodes(event);
      if (nodes && !nodes.some((n) => this.nodes!.has(n))) return;
    }
    const every = this.#every[event._type];
    if (every !== undefined && every > 1) {
      const seen = (this.#seen[event._type] ?? 0) + 1;
      this.#seen[event._type] = seen;
      if ((seen - 1) % every !== 0) return;
    }
    if (this.#queue.length >= this.#bufferSize) {
      this.dropped++;
      return;
    }
    this.#queue.push(event);
    if (!this.#flushing) {
      this.#flushing = true;
      setImmediate(this.#flush);
    }
  }

  #flush = async (): Promise<void> => {
    while (this.#queue.length > 0 && !this.#closed) {
      const batch = this.#queue;
      this.#queue = [];
      for (let i = 0; i < batch.length; i++) {
        if (this.#closed) return;
        this.delivered++;
        try {
          const r = this.#listener(batch[i]);
          if (r && typeof (r as Promise<void>).then === 'function') await r;
        } catch (err) {
          this.#hub.onListenerError(err);
        }
      }
    }
    this.#flushing = false;
    this.#hub.onSubscriberIdle();
  };

  get idle(): boolean {
    return !this.#flushing || this.#closed;
  }

  unsubscribe(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue = [];
    this.#hub.remove(this);
  }
}

/** `wants` of a hub nobody subscribed to (copied: a spread is cheaper than building it per network). */
const NOTHING_WANTED = Object.freeze(Object.fromEntries(NETWORK_EVENT_TYPES.map((t) => [t, false])) as Record<NetworkEventType, boolean>);

export class EventHub implements EventSink {
  #subscribers: Subscriber[] = [];
  /** Per event type, the subscribers that take it (emit touches no one else). */
  #byType: Partial<Record<NetworkEventType, Subscriber[]>> = {};
  #idleWaiters: (() => void)[] = [];
  /**
   * For each event type, whether any subscriber wants it. The runtime checks this before building
   * an event, so unwatched per-message events cost nothing.
   */
  readonly wants: Record<NetworkEventType, boolean> = { ...NOTHING_WANTED };
  /** Listener exceptions (they never reach the network). */
  listenerErrors = 0;
  /** Per type: the nodes subscribers filter on, or null when some subscriber takes every node. */
  #watched = new Map<NetworkEventType, Set<string> | null>();
  #onInterestChange: (() => void) | null = null;

  /** Subscribes to events. The listener is called asynchronously, in order, one event at a time. */
  subscribe(listener: EventListener, options: SubscribeOptions = {}): Subscription {
    const sub = new Subscriber(this, listener, options);
    this.#subscribers.push(sub);
    this.#recompute();
    return sub;
  }

  /** An async iterator over events (ends when `signal` aborts). */
  async *stream(options: SubscribeOptions & { signal?: AbortSignal } = {}): AsyncGenerator<NetworkEvent> {
    const pending: NetworkEvent[] = [];
    let wake: (() => void) | null = null;
    const sub = this.subscribe((e) => {
      pending.push(e);
      wake?.();
    }, options);
    const onAbort = () => wake?.();
    options.signal?.addEventListener('abort', onAbort);
    try {
      while (!options.signal?.aborted) {
        if (pending.length > 0) {
          yield pending.shift()!;
          continue;
        }
        await new Promise<void>((r) => (wake = r));
        wake = null;
      }
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      sub.unsubscribe();
    }
  }

  /** Publishes an event to every interested subscriber. */
  emit(event: NetworkEvent): void {
    const subs = this.#byType[event._type];
    if (subs === undefined) return;
    for (let i = 0; i < subs.length; i++) subs[i].offer(event);
  }

  /** Resolves once every subscriber has been handed everything emitted so far. */
  flushed(): Promise<void> {
    if (this.#subscribers.every((s) => s.idle)) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Called (by the runtime) whenever the set of wanted types changes. */
  onInterestChange(callback: () => void): void {
    this.#onInterestChange = callback;
  }

  /** @internal */
  remove(sub: Subscriber): void {
    this.#subscribers = this.#subscribers.filter((s) => s !== sub);
    this.#recompute();
    this.onSubscriberIdle();
  }

  /** @internal */
  onSubscriberIdle(): void {
    if (this.#idleWaiters.length === 0 || !this.#subscribers.every((s) => s.idle)) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }

  /** @internal */
  onListenerError(_err: unknown): void {
    this.listenerErrors++;
  }

  /**
   * Whether anyone wants events of `type` about actor `node` (subscribers may filter by node:
   * the runtime then builds per-message events for the watched nodes only).
   */
  watches(type: NetworkEventType, node: string): boolean {
    if (!this.wants[type]) return false;
    const nodes = this.#watched.get(type);
    return nodes === null || nodes === undefined || nodes.has(node);
  }

  /** Which types (and, where filtered, which nodes) are watched: what worker threads need to know. */
  interest(): EventInterest {
    const nodes: EventInterest['nodes'] = {};
    for (const [t, set] of this.#watched) if (set !== null) nodes[t] = [...set];
    return { wants: { ...this.wants }, nodes };
  }

  #recompute(): void {
    const byType: Partial<Record<NetworkEventType, Subscriber[]>> = {};
    for (const sub of this.#subscribers) for (const t of sub.types) (byType[t] ??= []).push(sub);
    this.#byType = byType;
    this.#watched.clear();
    for (const t of NETWORK_EVENT_TYPES) {
      const subs = byType[t];
      this.wants[t] = subs !== undefined;
      if (subs === undefined) continue;
      if (subs.some((s) => s.nodes === null)) this.#watched.set(t, null);
      else this.#watched.set(t, new Set(subs.flatMap((s) => [...s.nodes!])));
    }
    this.#onInterestChange?.();
  }
}
