// Public types of the runtime: options, status, results and statistics of a Network.
import type { ComponentRegistry } from '../actor/registry.ts';
import type { PortRef } from '../graph/types.ts';
import type { ErrorInfo } from './events.ts';

/** What a full connection does when one more message arrives. */
export type OverflowPolicy = 'block' | 'drop-oldest' | 'error';

/** What a failed actor (with no connected `error` port) does to the run. */
export type ErrorPolicy = 'stop' | 'continue';

/** Per-node retry policy (`metadata.retry` on a node). */
export interface RetryPolicy {
  /** Total attempts including the first (default 1: no retry). */
  attempts: number;
  /** Delay before the first retry, doubled each time (default 100 ms). */
  backoffMs?: number;
  /** Upper bound of the delay (default 10 s). */
  maxBackoffMs?: number;
  /** Randomise each delay by ±this fraction (0..1, default 0.2). */
  jitter?: number;
}

export interface ThreadOptions {
  /** Heap limit of each worker thread in MB (V8 old generation). Default 512. */
  maxMemoryMb?: number;
  /** Messages in flight on one cross-thread connection before the sender waits. Default 8192. */
  window?: number;
  /** Largest batch one cross-thread post carries. Default 256. */
  batch?: number;
}

export interface NetworkOptions {
  registry: ComponentRegistry;
  /** Network id (used in events and logs). Default: a random UUID. */
  id?: string;
  /** Default inbox capacity of a connection, in messages. Default 256. */
  capacity?: number;
  /** Default overflow policy of connections. Default 'block'. */
  policy?: OverflowPolicy;
  /** What an unhandled actor failure does. Default 'stop'. */
  onError?: ErrorPolicy;
  /** Environment used to resolve `env_vars`. Default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Values kept per exported outport for `results()`. Default 10,000 (later ones are counted, not kept). */
  resultLimit?: number;
  /** Measure each firing's duration for stats (adds two clock reads per firing). Default true. */
  timing?: boolean;
  /** Follow edits of the Graph while running (live rewiring). Default true. */
  live?: boolean;
  /** How long stop() waits for busy actors and teardown hooks before abandoning them. Default 1000 ms. */
  stopGraceMs?: number;
  threads?: ThreadOptions;
}

export type NetworkStatus = 'created' | 'starting' | 'running' | 'idle' | 'stopping' | 'stopped' | 'failed';

export interface RunOptions {
  /** Values delivered to exported inports once the network has started: `{ port: value }`. */
  input?: Record<string, unknown>;
  /** Aborting cancels the run. */
  signal?: AbortSignal;
  /** Cancel the run after this long. */
  timeoutMs?: number;
  /** Rerun the whole network from scratch up to this many times when it fails. Default 0. */
  retries?: number;
  /**
   * Keep the network up when it goes idle (taking more input through `send()`) until the run is
   * cancelled, times out or fails — for long-lived networks (the FBP protocol's). Default false.
   */
  untilStopped?: boolean;
}

/** An actor failure as recorded by the network. */
export interface ActorErrorRecord {
  actorId: string;
  component: string;
  error: ErrorInfo;
  timestamp: number;
  /** Routed to a connected `error` outport (does not fail the run). */
  handled: boolean;
}

export interface NodeStats {
  component: string;
  /** Firings started. */
  firings: number;
  failures: number;
  messagesIn: number;
  messagesOut: number;
  /** Total time spent in firings (0 when timing is off). */
  busyMs: number;
  /** Messages waiting in the node's inboxes. */
  queued: number;
  /** The most messages ever waiting in the node's inboxes at once. */
  peakQueued: number;
  /** Where the node runs: 'main' or the worker thread's name. */
  thread: string;
}

/** One connection's traffic. */
export interface ConnectionStats {
  src: PortRef;
  tgt: PortRef;
  /** Messages delivered into the connection. */
  delivered: number;
  dropped: number;
  /** Messages waiting in it now. */
  queued: number;
  capacity: number;
}

export interface NetworkStats {
  nodes: Record<string, NodeStats>;
  /** Every connection between actors (subgraphs flattened), with its traffic. */
  connections: ConnectionStats[];
  /** Messages delivered over connections. */
  messages: number;
  /** Messages dropped (drop-oldest overflow, removed connections). */
  dropped: number;
  /** Values that reached exported outports. */
  outputs: number;
}

export interface RunResult {
  status: 'completed' | 'failed' | 'cancelled' | 'timeout';
  /** Values that reached each exported outport, in order. */
  results: Record<string, unknown[]>;
  errors: ActorErrorRecord[];
  stats: NetworkStats;
  startedAt: number;
  finishedAt: number;
  durationMs: number;
  /** How many times the whole network ran (1 + retries used). */
  attempts: number;
}

export type { ComponentRegistry };
