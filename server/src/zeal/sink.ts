// The contract between the EventBridge and what it feeds (ZipSession, TraceCollector, …).
import type { NetworkEvent } from '@actorflow/network';
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
 * A destination of one run's events. `event` runs on the run's event stream and must only buffer:
 * it never blocks, never awaits and never throws on purpose (the bridge contains it if it does).
 */
export interface BridgeSink {
  readonly name: string;
  event(event: NetworkEvent): void;
  /** The run ended: flush and complete. Resolves when done (the bridge bounds the wait). */
  finish(outcome: ExecutionOutcome): Promise<void>;
  /** Gives up on whatever is still pending (the finish deadline passed); counts it as dropped. */
  abandon(): void;
  report(): SinkReport;
}
