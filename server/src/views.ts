// How runs appear on the wire (REST responses, WebSocket frames, webhook bodies): snake_case
// resource fields as Reflow's server uses, ISO-8601 times, Reflow's `result` block. Objects that
// come from the runtime (node stats, actor errors, network events) keep the runtime's camelCase.
import type { RunPayload, RunRecord } from './run-record.ts';
import type { WorkflowEvent } from './engine/webhooks.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export interface ExecutionSummaryView {
  id: string;
  workflow_id: string | null;
  graph_name: string | null;
  source: string;
  status: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  error: { code: string; message: string } | null;
  error_count: number;
}

export function summaryView(r: RunRecord): ExecutionSummaryView {
  return {
    id: r.id,
    workflow_id: r.workflowId,
    graph_name: r.graphName,
    source: r.source,
    status: r.status,
    created_at: new Date(r.createdAt).toISOString(),
    started_at: iso(r.startedAt),
    finished_at: iso(r.finishedAt),
    duration_ms: r.startedAt !== null && r.finishedAt !== null ? r.finishedAt - r.startedAt : null,
    error: r.error,
    error_count: r.errors.length,
  };
}

/** The full view of a run; `payload` adds the graph and input it was submitted with. */
export function executionView(r: RunRecord, payload?: Partial<RunPayload>) {
  const finished = r.finishedAt !== null;
  return {
    ...summaryView(r),
    metadata: r.metadata,
    result: finished
      ? {
          success: r.status === 'Completed',
          execution_id: r.id,
          start_time: iso(r.startedAt),
          end_time: iso(r.finishedAt),
          results: r.results ?? {},
          errors: r.errors.length || r.error ? [...(r.error ? [r.error.message] : []), ...r.errors.map((e) => `${e.actorId || 'network'}: ${e.error.message}`)] : null,
          trace_session_id: null,
        }
      : null,
    stats: r.stats,
    errors: r.errors,
    events_dropped: r.eventsDropped,
    webhook: r.webhook && { url: r.webhook.url, delivered: r.webhook.delivered, failed: r.webhook.failed, attempts: r.webhook.attempts, last_error: r.webhook.lastError },
    integrations: r.integrations,
    ...(payload?.graph !== undefined ? { graph: payload.graph } : {}),
    ...(payload?.input !== undefined ? { input: payload.input } : {}),
  };
}

export type ExecutionView = ReturnType<typeof executionView>;

/** Reflow's WorkflowEvent for a run's terminal state (webhook body; WebSocket workflow_event data). */
export function terminalEvent(r: RunRecord): WorkflowEvent {
  return { workflow_id: r.workflowId, execution_id: r.id, event_type: r.status, timestamp: r.finishedAt ?? Date.now(), data: executionView(r) };
}
