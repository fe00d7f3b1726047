// Crash recovery and graceful shutdown, with the real server in a child process and its SQLite
// history on disk.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HistoryStore } from '../src/history/store.ts';
import { api, spawnServer, type ServerProcess } from './support/process.ts';
import { graph } from './support/graphs.ts';

/** A run of core components that lasts `ms`. */
const delayGraph = (ms: number) => graph({ d: { component: 'core/Delay', metadata: { delay: ms } } }, [['tick', 'd.in', 'iip']], { outports: { out: 'd.out' } }, 'delay');

async function untilStatus(url: string, id: string, status: string): Promise<void> {
  for (;;) {
    const r = await api(url, 'GET', `/workflows/${id}`);
    if (r.body.data?.status === status) return;
    await new Promise((res) => setTimeout(res, 10));
  }
}

describe('crash recovery and shutdown', () => {
  let dir: string;
  let db: string;
  let server: ServerProcess | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'af-recovery-'));
    db = join(dir, 'history.db');
  });
  afterEach(async () => {
    if (server && server.proc.exitCode === null && server.proc.signalCode === null) {
      server.proc.kill('SIGKILL');
      await server.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('after kill -9 mid-run, a restart marks the runs in flight Failed (interrupted) and keeps everything acknowledged', async () => {
    server = await spawnServer({ ACTORFLOW_DB: db, ACTORFLOW_MAX_CONCURRENT_RUNS: '3' });
    const done = await api(server.url, 'POST', '/workflows?wait=true', { graph_json: delayGraph(1), metadata: { execution_id: 'finished-run' } });
    assert.equal(done.body.data.status, 'Completed');
    // A synchronous request whose wait ran out: its 202 acknowledges the run, so it is recorded.
    const waited = await api(server.url, 'POST', '/workflows?wait=true&timeout=50', { graph_json: delayGraph(60_000), metadata: { execution_id: 'waited-run' } });
    assert.equal(waited.status, 202);
    const running = (await api(server.url, 'POST', '/workflows', { graph_json: delayGraph(60_000), metadata: { execution_id: 'running-run' } })).body.data.execution_id;
    await untilStatus(server.url, running, 'Running');
    // A synchronous request still waiting: nobody has been told about its run yet.
    void api(server.url, 'POST', '/workflows?wait=true', { graph_json: delayGraph(60_000), metadata: { execution_id: 'unanswered-run' } }).catch(() => {});
    await untilStatus(server.url, 'unanswered-run', 'Running');
    const queued = await api(server.url, 'POST', '/workflows', { graph_json: delayGraph(60_000), metadata: { execution_id: 'queued-run' } });
    assert.equal(queued.status, 202);
    server.proc.kill('SIGKILL');
    assert.equal(await server.exited, 'SIGKILL');

    server = await spawnServer({ ACTORFLOW_DB: db });
    for (const id of ['waited-run', 'running-run', 'queued-run']) {
      const r: Record<string, any> = (await api(server.url, 'GET', `/workflows/${id}`)).body.data;
      assert.equal(r.status, 'Failed', id);
      assert.equal(r.error.code, 'INTERRUPTED');
      assert.match(r.error.message, /interrupted/);
      assert.ok(r.finished_at);
    }
    const kept = (await api(server.url, 'GET', '/workflows/finished-run')).body.data;
    assert.equal(kept.status, 'Completed');
    assert.deepEqual(kept.result.results, { out: ['tick'] });
    const listed = (await api(server.url, 'GET', '/workflows')).body.data.executions.map((e: { id: string }) => e.id);
    assert.deepEqual(listed, ['queued-run', 'running-run', 'waited-run', 'finished-run']);
    assert.equal((await api(server.url, 'GET', '/workflows/unanswered-run')).status, 404);
    assert.match(server.output(), /marked runs interrupted by the previous process as Failed/);
  });

  it('on SIGTERM stops accepting, lets running runs finish within the grace period, cancels the rest and flushes the history', async () => {
    server = await spawnServer({ ACTORFLOW_DB: db, ACTORFLOW_MAX_CONCURRENT_RUNS: '2', ACTORFLOW_SHUTDOWN_GRACE_MS: '1500' });
    const post = async (ms: number, id: string) => (await api(server!.url, 'POST', '/workflows', { graph_json: delayGraph(ms), metadata: { execution_id: id } })).body.data.execution_id;
    await post(400, 'short');
    await post(60_000, 'long');
    await post(10, 'waiting');
    await untilStatus(server.url, 'long', 'Running');
    const started = Date.now();
    server.proc.kill('SIGTERM');
    assert.equal(await server.exited, 0);
    const took = Date.now() - started;
    assert.ok(took >= 300 && took < 5000, `shutdown took ${took} ms`);
    const history = new HistoryStore(db);
    try {
      assert.equal(history.get('short')!.status, 'Completed');
      const long = history.get('long')!;
      assert.equal(long.status, 'Cancelled');
      assert.equal(long.error!.code, 'SHUTDOWN');
      const waiting = history.get('waiting')!;
      assert.equal(waiting.status, 'Cancelled');
      assert.equal(waiting.startedAt, null);
      assert.deepEqual(history.recoverInterrupted(), [], 'nothing was left Queued or Running');
    } finally {
      await history.close();
    }
  });
});
