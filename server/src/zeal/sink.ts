// The contract between the EventBridge and what it feeds (ZipSession, TraceCollector, …).
import type { NetworkEvent } from '@actorflow/network';
import type { NodeActivity } from './node-activity.ts';
import type { ExecutionOutcome } from './run.ts';

/** Counters every sink reports; sinks add their own fields. */
export interface SinkReport {
  /** Items the sink handed to its destination and saw accepted. */
  delivered: number;
  /** Items lost: buffers full, requests that failed for good, leftovers at the finish deadline. */
  dropped: number;
  /** The last error the sink met, if any. */
  lastError?: string;
  [key: string]: unknown;
}

/**
 * A destination of one run's activity. Its methods run on the run's event loop and must only
 * buffer: they never block, never await and never throw on purpose (the bridge contains them).
 */
export interface BridgeSink {
  readonly name: string;
  /** What each active node did during the last window (from the network's statistics). */
  activity(nodes: readonly NodeActivity[], at: number): void;
  /** A low-volume event: failures, logs, drops, streams (and stream chunks). */
  event(event: NetworkEvent): void;
  /** The run ended (its last activity already handed over): flush and complete. The bridge bounds the wait. */
  finish(outcome: ExecutionOutcome): Promise<void>;
  /** Gives up on whatever is still pending (the finish deadline passed); counts it as dropped. */
  abandon(): void;
  report(): SinkReport;
}
