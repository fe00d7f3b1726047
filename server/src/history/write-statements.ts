// The statements the history's writer thread runs, by name, and the messages it exchanges with
// the store. A "write" is a list of statements applied atomically (all or none).

export const WRITE_STATEMENTS = {
  insertGraph: 'INSERT INTO graphs (hash, graph) VALUES (?, ?) ON CONFLICT(hash) DO NOTHING',
  insertRun: `INSERT INTO runs (id, workflow_id, graph_name, source, status, created_at, started_at, finished_at, metadata, graph_hash, input, results, stats, errors, error, events_dropped, webhook)
              VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  insertKey: 'INSERT INTO idempotency_keys (scope, key, request_hash, run_id) VALUES (?, ?, ?, ?)',
  updateRun: 'UPDATE runs SET status = ?, started_at = ?, finished_at = ?, results = ?, stats = ?, errors = ?, error = ?, events_dropped = ?, webhook = ? WHERE id = ?',
  annotateRun: `UPDATE runs SET integrations = json_set(COALESCE(integrations, '{}'), '$.' || ?, json(?)) WHERE id = ?`,
  saveEvents: 'INSERT INTO run_events (run_id, events, dropped) VALUES (?, ?, ?) ON CONFLICT(run_id) DO UPDATE SET events = excluded.events, dropped = excluded.dropped',
  pruneByAge: `DELETE FROM runs WHERE status IN ('Completed', 'Failed', 'Cancelled') AND finished_at < ?`,
  pruneByCount: `DELETE FROM runs WHERE status IN ('Completed', 'Failed', 'Cancelled') AND seq <= (
                   SELECT seq FROM runs WHERE status IN ('Completed', 'Failed', 'Cancelled') ORDER BY seq DESC LIMIT 1 OFFSET ?)`,
  pruneGraphs: 'DELETE FROM graphs WHERE NOT EXISTS (SELECT 1 FROM runs WHERE runs.graph_hash = graphs.hash)',
} as const;

export type StatementName = keyof typeof WRITE_STATEMENTS;

/** What the writer thread (writer-thread.mjs) starts with. */
export interface WriterThreadData {
  path: string;
  /** WAL pages past which the writer checkpoints (see Checkpointer). */
  restartPages: number;
  statements: Record<StatementName, string>;
}

export type SqlValue = string | number | null;

/** Statements applied atomically. */
export type Write = [StatementName, SqlValue[]][];

export interface WriteBatch {
  id: number;
  writes: Write[];
}

export interface WriteResult {
  id: number;
  /** Rows changed by each write (in order). */
  changes: number[];
  /** Writes that failed (rolled back on their own). */
  failures: { index: number; message: string }[];
  /** The whole batch failed (nothing committed). */
  error?: string;
}
