// ActivityWindow: what each node did during one short window (firings started and completed,
// failures, messages per outgoing edge). Recording an event is a few field updates, so a node
// firing 100,000 times costs a sink nothing but counters; at the end of each window the sink
// turns each touched node's activity into a handful of Zeal messages or trace rows.
import type { ErrorInfo, NetworkEvent } from '@actorflow/network';

/** Messages one node sent over one edge during the window. */
export interface EdgeActivity {
  fromPort: string;
  toActor: string;
  toPort: string;
  count: number;
  bytes: number;
  /** Timestamp of the first message. */
  at: number;
  /** The first message, kept only when it is at most `keepValueBytes` big. */
  value: unknown;
  hasValue: boolean;
  /** Messages dropped on this edge (overflow, removed connection). */
  dropped: number;
  dropReason: string | undefined;
}

/** One node's activity during the window. */
export interface NodeActivity {
  actorId: string;
  /** Touched since the last drain. */
  inWindow: boolean;
  starts: number;
  startAt: number;
  /** Ports that triggered firings (undefined: the firing had no single port). */
  ports: (string | undefined)[];
  completes: number;
  completeAt: number;
  busyMs: number;
  outputSize: number;
  outputCount: number;
  failures: number;
  failAt: number;
  /** The window's first failure. */
  error: ErrorInfo | undefined;
  failure: { phase: string; handled: boolean; attempt: number } | undefined;
  edges: EdgeActivity[];
}

export class ActivityWindow {
  readonly #keepValueBytes: number;
  readonly #nodes = new Map<string, NodeActivity>();
  #touched: NodeActivity[] = [];

  /** `keepValueBytes`: keep each edge's first message when its size is at most this (0: never). */
  constructor(keepValueBytes = 0) {
    this.#keepValueBytes = keepValueBytes;
  }

  #node(actorId: string): NodeActivity {
    let a = this.#nodes.get(actorId);
    if (!a) {
      a = {
        actorId, inWindow: false, starts: 0, startAt: 0, ports: [], completes: 0, completeAt: 0, busyMs: 0, outputSize: 0, outputCount: 0,
        failures: 0, failAt: 0, error: undefined, failure: undefined, edges: [],
      };
      this.#nodes.set(actorId, a);
    }
    if (!a.inWindow) {
      a.inWindow = true;
      this.#touched.push(a);
    }
    return a;
  }

  #edge(a: NodeActivity, fromPort: string, toActor: string, toPort: string, at: number): EdgeActivity {
    const edges = a.edges;
    for (let i = 0; i < edges.length; i++) {
      const e = edges[i];
      if (e.toActor === toActor && e.toPort === toPort && e.fromPort === fromPort) return e;
    }
    const e: EdgeActivity = { fromPort, toActor, toPort, count: 0, bytes: 0, at, value: undefined, hasValue: false, dropped: 0, dropReason: undefined };
    edges.push(e);
    return e;
  }

  /** Records an activity event; returns false for events that are not node activity. */
  record(event: NetworkEvent): boolean {
    switch (event._type) {
      case 'ActorStarted': {
        const a = this.#node(event.actorId);
        if (a.starts++ === 0) a.startAt = event.timestamp;
        if (!a.ports.includes(event.port)) a.ports.push(event.port);
        return true;
      }
      case 'ActorCompleted': {
        const a = this.#node(event.actorId);
        if (a.completes++ === 0) a.completeAt = event.timestamp;
        a.busyMs += event.durationMs;
        a.outputSize += event.outputSize;
        a.outputCount += event.outputCount;
        return true;
      }
      case 'ActorFailed': {
        if (event.willRetry) return true;
        const a = this.#node(event.actorId);
        if (a.failures++ === 0) {
          a.failAt = event.timestamp;
          a.error = event.error;
          a.failure = { phase: event.phase, handled: event.handled, attempt: event.attempt };
        }
        return true;
      }
      case 'MessageSent': {
        const e = this.#edge(this.#node(event.fromActor), event.fromPort, event.toActor, event.toPort, event.timestamp);
        if (e.count++ === 0 && event.size <= this.#keepValueBytes) {
          e.value = event.message;
          e.hasValue = true;
        }
        e.bytes += event.size;
        return true;
      }
      case 'MessageDropped': {
        const e = this.#edge(this.#node(event.fromActor), event.fromPort, event.toActor, event.toPort, event.timestamp);
        e.dropped += event.count;
        e.dropReason ??= event.reason;
        return true;
      }
      default:
        return false;
    }
  }

  /** True when nothing was recorded since the last drain. */
  get empty(): boolean {
    return this.#touched.length === 0;
  }

  /** Hands each touched node's activity to `fn` (in first-touch order), then clears it. */
  drain(fn: (activity: NodeActivity) => void): void {
    const touched = this.#touched;
    this.#touched = [];
    for (const a of touched) {
      a.inWindow = false;
      try {
        fn(a);
      } finally {
        a.starts = a.completes = a.busyMs = a.outputSize = a.outputCount = a.failures = 0;
        a.ports.length = 0;
        a.edges.length = 0;
        a.error = undefined;
        a.failure = undefined;
      }
    }
  }
}
