import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { HistoryStore } from '../src/history/store.ts';
import type { RunRecord } from '../src/run-record.ts';

function record(id: string, patch: Partial<RunRecord> = {}): RunRecord {
  return {
    id, workflowId: 'wf', graphName: 'g', source: 'rest', status: 'Queued', createdAt: 1000, startedAt: null, finishedAt: null,
    metadata: { workflow_id: 'wf' }, results: null, stats: null, errors: [], error: null, eventsDropped: 0, webhook: null, integrations: {}, ...patch,
  };
}

const payload = { graph: { processes: {} }, input: { in: 1 } };

describe('HistoryStore', () => {
  let dir: string;
  let path: string;
  let store: HistoryStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'af-history-'));
    path = join(dir, 'nested', 'history.db');
    store = new HistoryStore(path);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores a run with its graph and input and reads every field back', async () => {
    await store.insert(record('r1'), payload);
    const done = record('r1', {
      status: 'Completed', startedAt: 1001, finishedAt: 1005, results: { out: [1, 'two', { three: 3 }] },
      stats: { nodes: {}, connections: [], messages: 2, dropped: 0, outputs: 3 }, webhook: { url: 'http://x', delivered: 1, failed: 0, attempts: 1, lastError: null },
    });
    await store.update(done);
    assert.deepEqual(store.get('r1'), done);
    assert.deepEqual(store.payload('r1'), payload);
    assert.equal(store.exists('r1'), true);
    assert.equal(store.get('nope'), undefined);
  });

  it('records a finished run with its event log in one write (a run recorded only once it ended)', async () => {
    const done = record('r1', { status: 'Completed', startedAt: 1001, finishedAt: 1005, results: { out: [1] } });
    const log = { events: [{ seq: 0, event: { _type: 'NetworkStarted', timestamp: 1001 } }], dropped: 2 };
    await store.insert(done, payload, undefined, log);
    assert.deepEqual(store.get('r1'), done);
    assert.deepEqual(store.payload('r1'), payload);
    assert.deepEqual(store.events('r1'), log);
  });

  it('stores message values in events and input that plain JSON cannot hold (bigint, binary, errors) in their plain form', async () => {
    await store.insert(record('r1'), { graph: {}, input: { in: 10n ** 30n } });
    await store.update(record('r1'), { events: [{ seq: 0, event: { _type: 'NetworkOutput', timestamp: 1, message: [new Uint8Array([1, 2, 3]), new Error('boom')] } }], dropped: 0 });
    assert.deepEqual(store.payload('r1')!.input, { in: '1000000000000000000000000000000' });
    assert.deepEqual(store.events('r1').events[0].event.message, ['AQID', { message: 'boom', name: 'Error' }]);
  });

  it('commits writes acknowledged in the same tick, visible to another connection', async () => {
    await Promise.all([store.insert(record('a'), payload), store.insert(record('b'), payload), store.insert(record('c'), payload)]);
    const other = new DatabaseSync(path);
    try {
      assert.equal((other.prepare('SELECT COUNT(*) AS n FROM runs').get() as { n: number }).n, 3);
    } finally {
      other.close();
    }
  });

  it('rejects only the failing write of a batch and commits the others', async () => {
    await store.insert(record('dup'), payload);
    const results = await Promise.allSettled([store.insert(record('dup'), payload), store.insert(record('fresh'), payload)]);
    assert.equal(results[0].status, 'rejected');
    assert.equal(results[1].status, 'fulfilled');
    assert.equal(store.exists('fresh'), true);
  });

  it('lists runs newest first, filtered by status, source and workflow, with a stable cursor', async () => {
    for (let i = 0; i < 7; i++) {
      await store.insert(record(`r${i}`, { status: i % 2 ? 'Completed' : 'Failed', source: i < 3 ? 'ws' : 'rest', workflowId: `wf${i % 3}` }), payload);
    }
    const first = store.list({ limit: 3 });
    assert.deepEqual(first.runs.map((r) => r.id), ['r6', 'r5', 'r4']);
    await store.insert(record('r7'), payload); // an insert between pages does not shift the next page
    const second = store.list({ limit: 3, cursor: first.nextCursor! });
    assert.deepEqual(second.runs.map((r) => r.id), ['r3', 'r2', 'r1']);
    const last = store.list({ limit: 3, cursor: second.nextCursor! });
    assert.deepEqual(last.runs.map((r) => r.id), ['r0']);
    assert.equal(last.nextCursor, null);
    assert.deepEqual(store.list({ limit: 10, status: ['Completed'] }).runs.map((r) => r.id), ['r5', 'r3', 'r1']);
    assert.deepEqual(store.list({ limit: 10, source: 'ws' }).runs.map((r) => r.id), ['r2', 'r1', 'r0']);
    assert.deepEqual(store.list({ limit: 10, workflowId: 'wf1' }).runs.map((r) => r.id), ['r4', 'r1']);
  });

  it('keeps and replaces the event log of a run', async () => {
    await store.insert(record('r1'), payload);
    assert.deepEqual(store.events('r1'), { events: [], dropped: 0 });
    await store.update(record('r1'), { events: [{ seq: 0, event: { _type: 'NetworkStarted', timestamp: 1 } }], dropped: 0 });
    await store.update(record('r1'), { events: [{ seq: 0, event: { _type: 'NetworkStarted', timestamp: 1 } }, { seq: 5, event: { _type: 'NetworkShutdown', timestamp: 2 } }], dropped: 4 });
    assert.deepEqual(store.events('r1'), { events: [{ seq: 0, event: { _type: 'NetworkStarted', timestamp: 1 } }, { seq: 5, event: { _type: 'NetworkShutdown', timestamp: 2 } }], dropped: 4 });
  });

  it('maps an idempotency key, scoped to its credential, to the run it started', async () => {
    await store.insert(record('r1'), payload, { scope: 'key-a', key: 'k1', requestHash: 'h1' });
    assert.deepEqual(store.idempotencyKey('key-a', 'k1'), { runId: 'r1', requestHash: 'h1' });
    assert.equal(store.idempotencyKey('key-b', 'k1'), undefined);
  });

  it('marks runs left Queued or Running by a dead process as Failed (interrupted), and nothing else', async () => {
    await store.insert(record('queued'), payload);
    await store.insert(record('running', { status: 'Running', startedAt: 1001 }), payload);
    await store.insert(record('done', { status: 'Completed', finishedAt: 1002 }), payload);
    assert.deepEqual(store.recoverInterrupted(5000).sort(), ['queued', 'running']);
    for (const id of ['queued', 'running']) {
      const r = store.get(id)!;
      assert.equal(r.status, 'Failed');
      assert.equal(r.finishedAt, 5000);
      assert.equal(r.error?.code, 'INTERRUPTED');
      assert.match(r.error!.message, /interrupted/);
    }
    assert.equal(store.get('done')!.status, 'Completed');
    assert.deepEqual(store.recoverInterrupted(), []);
  });

  it('prunes finished runs by age and by count, with their events and keys, never active ones', async () => {
    for (let i = 0; i < 6; i++) {
      await store.insert(record(`old${i}`, { status: 'Completed', finishedAt: 1000 + i }), payload, { scope: 's', key: `k${i}`, requestHash: 'h' });
      await store.update(record(`old${i}`, { status: 'Completed', finishedAt: 1000 + i }), { events: [], dropped: 0 });
    }
    await store.insert(record('active', { status: 'Running' }), payload);
    assert.equal(await store.prune({ maxAgeMs: 100, maxRuns: 0 }, 1103), 3); // finished before 1003
    assert.deepEqual(store.list({ limit: 10 }).runs.map((r) => r.id), ['active', 'old5', 'old4', 'old3']);
    assert.equal(await store.prune({ maxAgeMs: 0, maxRuns: 1 }, 1103), 2);
    assert.deepEqual(store.list({ limit: 10 }).runs.map((r) => r.id), ['active', 'old5']);
    assert.equal(store.idempotencyKey('s', 'k0'), undefined);
    assert.equal(store.idempotencyKey('s', 'k5')?.runId, 'old5');
  });

  it('keeps everything across a reopen', async () => {
    await store.insert(record('r1', { status: 'Completed', results: { out: [42] } }), payload);
    await store.close();
    store = new HistoryStore(path);
    assert.deepEqual(store.get('r1')!.results, { out: [42] });
  });

  it('keeps its write-ahead log bounded under a stream of writes and empties it on close', async () => {
    const big = { graph: { processes: {} }, input: { blob: 'x'.repeat(32 * 1024) } };
    let largestWal = 0;
    for (let batch = 0; batch < 80; batch++) {
      await Promise.all(Array.from({ length: 25 }, (_, i) => store.insert(record(`r${batch}-${i}`), big)));
      largestWal = Math.max(largestWal, statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0);
    }
    // ~64 MB went through the log. The writer starts it over past 2048 pages (8 MB), give or take
    // what it wrote while the checkpointer thread held the checkpoint lock (more on a busy machine).
    assert.ok(largestWal < 24 * 2 ** 20, `the WAL grew to ${largestWal} bytes`);
    await store.close();
    assert.equal(statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0, 0);
    store = new HistoryStore(path);
    assert.equal(store.list({ limit: 2000 }).runs.length, 2000);
  });

  it('refuses a database written by a newer version of the server', async () => {
    await store.close();
    const db = new DatabaseSync(path);
    db.exec('PRAGMA user_version = 99');
    db.close();
    assert.throws(() => new HistoryStore(path), /schema version 99, newer than this server/);
    store = new HistoryStore(':memory:');
  });

  it('keeps what integrations report about a run, by integration, next to the run', async () => {
    await store.insert(record('r1'), payload);
    await store.annotate('r1', 'zeal', { delivered: 10, dropped: 2 });
    await store.annotate('r1', 'other', { ok: true });
    assert.deepEqual(store.get('r1')!.integrations, { zeal: { delivered: 10, dropped: 2 }, other: { ok: true } });
    await assert.rejects(store.annotate('r1', 'bad name', {}), /must be an identifier/);
  });
});
