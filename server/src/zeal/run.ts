// What the bridge knows about one run: its identities on both sides, its outcome, and the
// events hub it reads (the shape of `Network.events`).
import type { NetworkEvent, NetworkEventType, RunResult } from '@actorflow/network';
import type { ZealMapping } from './mapping.ts';

export interface EventSubscribeOptions {
  types?: NetworkEventType[];
  nodes?: string[];
  sample?: number | Partial<Record<NetworkEventType, number>>;
  bufferSize?: number;
}

export interface EventSubscription {
  /** Events the hub dropped because this listener fell behind. */
  readonly dropped: number;
  unsubscribe(): void;
}

/** A Network's `events` hub: asynchronous, in order, bounded per subscriber. */
export interface NetworkEventHub {
  subscribe(listener: (event: NetworkEvent) => void | Promise<void>, options?: EventSubscribeOptions): EventSubscription;
  /** Resolves once every subscriber has been handed everything emitted so far. */
  flushed?(): Promise<void>;
}

/** One run as both sides name it. */
export interface BridgedRun {
  /** The engine's execution id. */
  executionId: string;
  /** The execution id Zeal knows: its own when Zeal triggered the run, else ours. */
  zealExecutionId: string;
  /** `sessionId` of the ZIP execution.* events. */
  sessionId: string;
  workflowId: string;
  workflowName: string;
  /** What started the run ('zeal', 'rest', 'cli', …). */
  trigger: string;
  startedAt: number;
  /** Replaced when the workflow is updated while the run is live. */
  mapping: ZealMapping;
}

export type RunStatus = RunResult['status'];

/** How a run ended, as the sinks report it. */
export interface ExecutionOutcome {
  status: RunStatus;
  durationMs: number;
  error?: { message: string; code?: string; nodeId?: string; stack?: string };
  /** Per-node firings, failures and messages sent (the run's stats), when known. */
  nodes?: Record<string, NodeCounts>;
}

export interface NodeCounts {
  firings: number;
  failures: number;
  messagesOut?: number;
}

/** The outcome of a finished Network run. */
export function outcomeOf(result: RunResult): ExecutionOutcome {
  const outcome: ExecutionOutcome = { status: result.status, durationMs: result.durationMs, nodes: result.stats.nodes };
  const fatal = result.errors.find((e) => !e.handled) ?? result.errors[0];
  if (result.status === 'failed' && fatal) {
    outcome.error = { message: fatal.error.message, nodeId: fatal.actorId, ...(fatal.error.code ? { code: fatal.error.code } : {}), ...(fatal.error.stack ? { stack: fatal.error.stack } : {}) };
  } else if (result.status === 'cancelled') {
    outcome.error = { message: 'the run was cancelled', code: 'CANCELLED' };
  } else if (result.status === 'timeout') {
    outcome.error = { message: `the run timed out after ${Math.round(result.durationMs)} ms`, code: 'TIMEOUT' };
  } else if (result.status === 'failed') {
    outcome.error = { message: 'the run failed', code: 'RUN_FAILED' };
  }
  return outcome;
}

/**
 * Nodes that executed (fired, failed, or — sources — sent messages) and nodes that failed: from
 * the run's stats, else from what the sink saw.
 */
export function nodeCounts(outcome: ExecutionOutcome, seen: ReadonlyMap<string, NodeCounts>): { executed: number; failed: number } {
  const nodes = outcome.nodes ? Object.values(outcome.nodes) : [...seen.values()];
  let executed = 0;
  let failed = 0;
  for (const n of nodes) {
    if (n.firings > 0 || n.failures > 0 || (n.messagesOut ?? 0) > 0) executed++;
    if (n.failures > 0) failed++;
  }
  return { executed, failed };
}

/** Cuts a string to `max` characters, marking the cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
