// The record of one run (an "execution"), as the engine keeps it, the history stores it and the
// API shows it. Status names are Reflow's.
import type { ActorErrorRecord, NetworkStats } from '@actorflow/network';

/** Queued → Running → Completed | Failed | Cancelled (a queued run may also be cancelled). */
export type RunStatus = 'Queued' | 'Running' | 'Completed' | 'Failed' | 'Cancelled';

export const RUN_STATUSES: readonly RunStatus[] = ['Queued', 'Running', 'Completed', 'Failed', 'Cancelled'];

export type TerminalStatus = Extract<RunStatus, 'Completed' | 'Failed' | 'Cancelled'>;

export function isTerminal(status: RunStatus): status is TerminalStatus {
  return status === 'Completed' || status === 'Failed' || status === 'Cancelled';
}

/** Who started a run. */
export type RunSource = 'rest' | 'ws' | 'zeal' | 'fbp' | 'cli';

export const RUN_SOURCES: readonly RunSource[] = ['rest', 'ws', 'zeal', 'fbp', 'cli'];

/** Why a run as a whole failed or was cancelled (actor failures are in `errors`). */
export interface RunError {
  /** RUN_TIMEOUT, INTERRUPTED, ACTOR_FAILED, NETWORK_FAILED, CANCELLED, SHUTDOWN, … */
  code: string;
  message: string;
}

/** Outcome of the webhook deliveries of a run. */
export interface WebhookState {
  url: string;
  /** Events delivered (2xx received). */
  delivered: number;
  /** Events given up on after every attempt failed. */
  failed: number;
  attempts: number;
  lastError: string | null;
}

/** Everything recorded about a run except its graph and input (stored, loaded on demand). */
export interface RunRecord {
  id: string;
  workflowId: string | null;
  graphName: string | null;
  source: RunSource;
  status: RunStatus;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  /** The request's metadata, secrets redacted. */
  metadata: Record<string, unknown>;
  /** Values that reached each exported outport. */
  results: Record<string, unknown[]> | null;
  stats: NetworkStats | null;
  errors: ActorErrorRecord[];
  error: RunError | null;
  /** Events left out of the stored event log (it keeps the first and last halves). */
  eventsDropped: number;
  webhook: WebhookState | null;
  /** What integrations reported about the run after it ended, by integration (e.g. `zeal`). */
  integrations: Record<string, unknown>;
}

/** The graph and input of a run, as submitted. */
export interface RunPayload {
  graph: unknown;
  input: Record<string, unknown>;
}

/** One stored event: its position in the run's event log and the network event itself. */
export interface StoredEvent {
  seq: number;
  event: { _type: string; timestamp: number; [key: string]: unknown };
}
