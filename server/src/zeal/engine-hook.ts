// Wires the Zeal bridge to the execution engine through the engine's public hook API: every run
// gets followed from Running to its end, and Zeal's Execute button submits runs with source 'zeal'.
// Typed structurally, so the bridge depends on the engine's documented shape, not its internals.
import type { Graph } from '@actorflow/network';
import type { BridgeReport } from './event-bridge.ts';
import type { RunLauncher, ZealIntegration } from './integration.ts';
import type { StatsSnapshot } from './node-activity.ts';
import type { ExecutionOutcome, NetworkEventHub, NodeCounts } from './run.ts';

/** What the bridge reads of a run's record. */
export interface EngineRunRecord {
  status: string;
  metadata: Record<string, unknown>;
  startedAt: number | null;
  finishedAt: number | null;
  stats: { nodes: Record<string, NodeCounts> } | null;
  errors: { actorId: string; handled: boolean; error: { message: string; code?: string; stack?: string } }[];
  error: { code: string; message: string } | null;
}

/** What the bridge uses of one engine execution. */
export interface EngineExecution {
  readonly id: string;
  readonly source: string;
  readonly graph: Graph;
  readonly network: { readonly graph: Graph; readonly events: NetworkEventHub; stats(): StatsSnapshot } | undefined;
  record(): EngineRunRecord;
  onStatus(listener: (status: string) => void): () => void;
}

/** What the bridge uses of the execution engine. */
export interface EngineHooks {
  onExecution(listener: (execution: EngineExecution) => void): () => void;
  submit(request: { graph: unknown; input?: Record<string, unknown>; metadata?: Record<string, unknown>; source: 'zeal' }): Promise<{ id: string }>;
}

/** How a finished run ended, from its record (engine statuses are Reflow's). */
export function outcomeOfRecord(record: EngineRunRecord): ExecutionOutcome {
  const finishedAt = record.finishedAt ?? Date.now();
  const durationMs = Math.max(0, finishedAt - (record.startedAt ?? finishedAt));
  const outcome: ExecutionOutcome = {
    status: record.status === 'Completed' ? 'completed' : record.status === 'Cancelled' ? 'cancelled' : record.error?.code === 'RUN_TIMEOUT' ? 'timeout' : 'failed',
    durationMs,
  };
  if (record.stats) outcome.nodes = record.stats.nodes;
  if (outcome.status !== 'completed') {
    const cause = record.errors.find((e) => !e.handled);
    outcome.error = { message: record.error?.message ?? cause?.error.message ?? `run ${record.status}`, code: record.error?.code ?? cause?.error.code ?? 'RUN_FAILED' };
    if (cause) outcome.error.nodeId = cause.actorId;
    if (cause?.error.stack) outcome.error.stack = cause.error.stack;
  }
  return outcome;
}

/** Submits Zeal-triggered runs to the engine (source 'zeal'). */
export function engineLauncher(engine: Pick<EngineHooks, 'submit'>): RunLauncher {
  return async ({ graph, input, metadata }) => {
    const { id } = await engine.submit({ graph, input, metadata, source: 'zeal' });
    return { id };
  };
}

const TERMINAL = new Set(['Completed', 'Failed', 'Cancelled']);

/**
 * Follows every run of the engine with the bridge. `onReport` receives each run's final bridge
 * report (to record what reached Zeal and what was dropped). Returns the unsubscribe function.
 */
export function followEngine(integration: ZealIntegration, engine: Pick<EngineHooks, 'onExecution'>, onReport?: (executionId: string, report: BridgeReport) => void): () => void {
  return engine.onExecution((execution) => {
    let followed: ReturnType<ZealIntegration['observe']>;
    const stop = execution.onStatus((status) => {
      const net = execution.network;
      if (status === 'Running' && !followed && net) {
        followed = integration.observe({
          id: execution.id, source: execution.source, metadata: execution.record().metadata,
          graph: net.graph, events: net.events, stats: () => net.stats(),
        });
      } else if (TERMINAL.has(status)) {
        stop();
        if (!followed) return;
        const record = execution.record();
        void followed.finish(outcomeOfRecord(record), net?.stats()).then((report) => onReport?.(execution.id, report));
      }
    });
  });
}
