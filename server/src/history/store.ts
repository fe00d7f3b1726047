// HistoryStore: the run history in SQLite (Node's built-in node:sqlite). Runs, their graph and
// input, status and timings, per-node stats, errors, results, a bounded event log, and the
// idempotency keys that map a client's retry onto the run it already started.
//
// A graph is stored once however many runs use it (runs refer to it by content hash), so running
// the same workflow again and again costs one row per run, not one graph per run.
//
// Records hold plain JSON already (the engine converts message values); event logs and run
// input may hold any message value and are converted here.
//
// Durability: WAL journal with synchronous=NORMAL. A committed write survives the process being
// killed (kill -9); only an operating-system crash can lose the last few commits. Writes are
// group-committed by a writer thread (see WriteBatcher), so the event loop never waits for the
// disk; callers await the promise before acknowledging anything. WAL checkpoints run on a
// thread of their own (Checkpointer), off the commits' path. Both threads start with the first
// write (each costs a start of Node, which a server's cold start need not wait for). Reads use
// this thread's own connection (WAL: readers see every committed write).
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { RunPayload, RunRecord, RunSource, RunStatus, StoredEvent } from '../run-record.ts';
import { toJsonText } from '../json-values.ts';
import { migrate } from './schema.ts';
import { Checkpointer } from './checkpointer.ts';
import { WriteBatcher } from './write-batcher.ts';
import type { SqlValue, Write } from './write-statements.ts';

export interface ListFilter {
  status?: readonly RunStatus[];
  source?: RunSource;
  workflowId?: string;
  /** Page size. */
  limit: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
}

export interface ListPage {
  runs: RunRecord[];
  /** Pass as `cursor` to get the next (older) page; null on the last page. */
  nextCursor: string | null;
}

export interface RetentionPolicy {
  /** Finished runs older than this are deleted (0 = no age limit). */
  maxAgeMs: number;
  /** At most this many finished runs are kept (0 = no count limit). */
  maxRuns: number;
}

/** A client's Idempotency-Key, scoped to the credential that sent it. */
export interface IdempotencyKey {
  scope: string;
  key: string;
  /** Hash of the request body: the same key with a different body is a client error. */
  requestHash: string;
}

interface RunRow {
  seq: number;
  id: string;
  workflow_id: string | null;
  graph_name: string | null;
  source: string;
  status: string;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  metadata: string;
  results: string | null;
  stats: string | null;
  errors: string;
  error: string | null;
  events_dropped: number;
  webhook: string | null;
  integrations: string | null;
}

const RECORD_COLUMNS = 'seq, id, workflow_id, graph_name, source, status, created_at, started_at, finished_at, metadata, results, stats, errors, error, events_dropped, webhook, integrations';

function parseJson<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

function jsonOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

function toRecord(row: RunRow): RunRecord {
  return {
    id: row.id,
    workflowId: row.workflow_id,
    graphName: row.graph_name,
    source: row.source as RunSource,
    status: row.status as RunStatus,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    results: parseJson(row.results),
    stats: parseJson(row.stats),
    errors: JSON.parse(row.errors) as RunRecord['errors'],
    error: parseJson(row.error),
    eventsDropped: row.events_dropped,
    webhook: parseJson(row.webhook),
    integrations: parseJson(row.integrations) ?? {},
  };
}

/** A run's event log as stored: the events kept, and how many were dropped beyond the limit. */
export interface StoredEventLog {
  events: readonly StoredEvent[];
  dropped: number;
}

const saveEvents = (id: string, log: StoredEventLog): Write[number] => ['saveEvents', [id, toJsonText(log.events), log.dropped]];

const encodeCursor = (seq: number) => Buffer.from(`seq:${seq}`).toString('base64url');

function decodeCursor(cursor: string): number | undefined {
  const m = /^seq:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString());
  return m ? Number(m[1]) : undefined;
}

/** True when `cursor` is one this store handed out. */
export function isValidCursor(cursor: string): boolean {
  return decodeCursor(cursor) !== undefined;
}

export class HistoryStore {
  readonly path: string;
  readonly #db: DatabaseSync;
  /** The database file the threads open. */
  readonly #file: string;
  /** The writer and checkpointer threads, started by the first write (a start has no use for them). */
  #threads: { writes: WriteBatcher; checkpoints: Checkpointer } | undefined;
  readonly #stmt: Record<'get' | 'payload' | 'events' | 'exists' | 'key', StatementSync>;
  #closed = false;

  /** A temporary directory holding an ':memory:' history, removed on close. */
  readonly #scratch: string | null;
  /** Hashes of graphs known to be stored (most recent 1000). */
  readonly #storedGraphs = new Set<string>();

  /**
   * Opens (creating if needed) the history database at `path`. ':memory:' keeps nothing: the
   * history lives in a temporary file (the writer thread needs a file to share) deleted on close.
   */
  constructor(path: string) {
    this.path = path;
    this.#scratch = path === ':memory:' ? mkdtempSync(join(tmpdir(), 'actorflow-history-')) : null;
    const file = this.#scratch ? join(this.#scratch, 'history.db') : path;
    if (!this.#scratch) mkdirSync(dirname(file), { recursive: true });
    this.#db = new DatabaseSync(file);
    this.#db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;');
    try {
      migrate(this.#db, path);
    } catch (err) {
      this.#db.close();
      throw err;
    }
    this.#file = file;
    const db = this.#db;
    this.#stmt = {
      get: db.prepare(`SELECT ${RECORD_COLUMNS} FROM runs WHERE id = ?`),
      payload: db.prepare('SELECT graphs.graph AS graph, runs.input AS input FROM runs JOIN graphs ON graphs.hash = runs.graph_hash WHERE runs.id = ?'),
      events: db.prepare('SELECT events, dropped FROM run_events WHERE run_id = ?'),
      exists: db.prepare('SELECT 1 AS found FROM runs WHERE id = ?'),
      key: db.prepare('SELECT request_hash, run_id FROM idempotency_keys WHERE scope = ? AND key = ?'),
    };
  }

  /** Where writes go: the writer thread (started now, with the checkpointer, if not yet). */
  get #writes(): WriteBatcher {
    if (!this.#threads && this.#closed) throw new Error('history store is closed');
    this.#threads ??= { writes: new WriteBatcher(this.#file), checkpoints: new Checkpointer(this.#file) };
    return this.#threads.writes;
  }

  /** The mutable columns of a run, in updateRun's order (id last). */
  #mutable(record: RunRecord): SqlValue[] {
    return [record.status, record.startedAt, record.finishedAt, jsonOrNull(record.results), jsonOrNull(record.stats),
      JSON.stringify(record.errors), jsonOrNull(record.error), record.eventsDropped, jsonOrNull(record.webhook), record.id];
  }

  /**
   * Records a new run (and its idempotency key; and its event log, for a run recorded only once it
   * has ended); resolves once committed.
   */
  async insert(record: RunRecord, payload: RunPayload, idempotency?: IdempotencyKey, events?: StoredEventLog): Promise<void> {
    const graph = JSON.stringify(payload.graph);
    const hash = createHash('sha256').update(graph).digest('base64url');
    const write: Write = [];
    // A graph committed recently need not be sent to the writer again (pruning forgets them all).
    if (!this.#storedGraphs.has(hash)) write.push(['insertGraph', [hash, graph]]);
    write.push(
      ['insertRun', [record.id, record.workflowId, record.graphName, record.source, record.status, record.createdAt, record.startedAt, record.finishedAt,
        JSON.stringify(record.metadata), hash, toJsonText(payload.input), jsonOrNull(record.results), jsonOrNull(record.stats),
        JSON.stringify(record.errors), jsonOrNull(record.error), record.eventsDropped, jsonOrNull(record.webhook)]],
    );
    if (idempotency) write.push(['insertKey', [idempotency.scope, idempotency.key, idempotency.requestHash, record.id]]);
    if (events) write.push(saveEvents(record.id, events));
    await this.#writes.write(write);
    this.#rememberGraph(hash);
  }

  #rememberGraph(hash: string): void {
    if (this.#storedGraphs.size >= 1000) this.#storedGraphs.delete(this.#storedGraphs.values().next().value!);
    this.#storedGraphs.add(hash);
  }

  /** Saves a run's status, timings, results, stats and errors (and its event log, if given); resolves once committed. */
  async update(record: RunRecord, events?: StoredEventLog): Promise<void> {
    const write: Write = [['updateRun', this.#mutable(record)]];
    if (events) write.push(saveEvents(record.id, events));
    await this.#writes.write(write);
  }

  /**
   * Records what an integration reports about a run (under `integrations[name]`), e.g. the Zeal
   * bridge's delivered and dropped counts once the run ended; resolves once committed.
   */
  async annotate(id: string, name: string, report: unknown): Promise<void> {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) throw new Error(`annotate: integration name '${name}' must be an identifier`);
    await this.#writes.write([['annotateRun', [name, JSON.stringify(report), id]]]);
  }

  get(id: string): RunRecord | undefined {
    const row = this.#stmt.get.get(id) as RunRow | undefined;
    return row && toRecord(row);
  }

  exists(id: string): boolean {
    return this.#stmt.exists.get(id) !== undefined;
  }

  /** The graph and input a run was submitted with. */
  payload(id: string): RunPayload | undefined {
    const row = this.#stmt.payload.get(id) as { graph: string; input: string } | undefined;
    return row && { graph: JSON.parse(row.graph), input: JSON.parse(row.input) as Record<string, unknown> };
  }

  /** The stored event log of a run (empty if none was saved). */
  events(id: string): { events: StoredEvent[]; dropped: number } {
    const row = this.#stmt.events.get(id) as { events: string; dropped: number } | undefined;
    return row ? { events: JSON.parse(row.events) as StoredEvent[], dropped: row.dropped } : { events: [], dropped: 0 };
  }

  /** The run a (scope, key) pair started, with the hash of the request that started it. */
  idempotencyKey(scope: string, key: string): { runId: string; requestHash: string } | undefined {
    const row = this.#stmt.key.get(scope, key) as { request_hash: string; run_id: string } | undefined;
    return row && { runId: row.run_id, requestHash: row.request_hash };
  }

  /** Runs, newest first, filtered, one page at a time (keyset pagination: stable under inserts). */
  list(filter: ListFilter): ListPage {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.status?.length) {
      where.push(`status IN (${filter.status.map(() => '?').join(', ')})`);
      params.push(...filter.status);
    }
    if (filter.source) {
      where.push('source = ?');
      params.push(filter.source);
    }
    if (filter.workflowId) {
      where.push('workflow_id = ?');
      params.push(filter.workflowId);
    }
    const after = filter.cursor === undefined ? undefined : decodeCursor(filter.cursor);
    if (after !== undefined) {
      where.push('seq < ?');
      params.push(after);
    }
    const sql = `SELECT ${RECORD_COLUMNS} FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`;
    const rows = this.#db.prepare(sql).all(...params, filter.limit + 1) as unknown as RunRow[];
    const more = rows.length > filter.limit;
    const page = more ? rows.slice(0, filter.limit) : rows;
    return { runs: page.map(toRecord), nextCursor: more ? encodeCursor(page[page.length - 1].seq) : null };
  }

  /** Number of stored runs in each status. */
  countByStatus(): Partial<Record<RunStatus, number>> {
    const rows = this.#db.prepare('SELECT status, COUNT(*) AS n FROM runs GROUP BY status').all() as { status: RunStatus; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  /**
   * Crash recovery, run once at start: runs left Queued or Running by a process that died are
   * marked Failed with error INTERRUPTED. Returns their ids.
   */
  recoverInterrupted(now = Date.now()): string[] {
    const rows = this.#db.prepare(`SELECT id, status FROM runs WHERE status IN ('Queued', 'Running')`).all() as { id: string; status: RunStatus }[];
    if (rows.length === 0) return [];
    const error = toJsonText({ code: 'INTERRUPTED', message: 'interrupted: the server stopped while this run was queued or running' });
    this.#db.prepare(`UPDATE runs SET status = 'Failed', finished_at = ?, error = ? WHERE status IN ('Queued', 'Running')`).run(now, error);
    return rows.map((r) => r.id);
  }

  /** Deletes finished runs beyond the retention policy (with their events, keys and unused graphs). Returns how many. */
  async prune(policy: RetentionPolicy, now = Date.now()): Promise<number> {
    const write: Write = [];
    if (policy.maxAgeMs > 0) write.push(['pruneByAge', [now - policy.maxAgeMs]]);
    if (policy.maxRuns > 0) write.push(['pruneByCount', [policy.maxRuns]]);
    if (write.length === 0) return 0;
    const deleted = await this.#writes.write(write);
    if (deleted > 0) {
      this.#storedGraphs.clear();
      await this.#writes.write([['pruneGraphs', []]]);
    }
    return deleted;
  }

  /** Resolves once every queued write is committed. */
  flush(): Promise<void> {
    return this.#threads?.writes.flush() ?? Promise.resolve();
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Commits queued writes, stops the writer and checkpointer threads and closes the database. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#threads?.writes.close();
    await this.#threads?.checkpoints.close();
    this.#db.close();
    if (this.#scratch) rmSync(this.#scratch, { recursive: true, force: true });
  }
}
