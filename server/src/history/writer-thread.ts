// The history's writer thread: it owns the SQLite connection that writes, so commits never block
// the server's event loop. The checkpointer thread copies committed pages from the WAL into the
// database file all along; this connection checkpoints only once the WAL passes `restartPages`,
// to let it start over, and finds it mostly copied: a commit rarely waits for the disk. It
// receives batches of writes (statements by name, with their parameters), commits each batch in
// one transaction and answers how many rows each write changed and which failed. A failing
// write is rolled back on its own (savepoint); the rest of its batch still commits.
import { parentPort, workerData } from 'node:worker_threads';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { WRITE_STATEMENTS, type StatementName, type WriteBatch, type WriteResult } from './write-statements.ts';

const { path, restartPages } = workerData as { path: string; restartPages: number };
const db = new DatabaseSync(path);
db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA wal_autocheckpoint = ${restartPages};`);
const statements = Object.fromEntries(Object.entries(WRITE_STATEMENTS).map(([name, sql]) => [name, db.prepare(sql)])) as Record<StatementName, StatementSync>;

function commit(batch: WriteBatch): WriteResult {
  const result: WriteResult = { id: batch.id, changes: [], failures: [] };
  try {
    db.exec('BEGIN');
    batch.writes.forEach((write, index) => {
      db.exec('SAVEPOINT w');
      try {
        let changes = 0;
        for (const [name, params] of write) changes += Number(statements[name].run(...params).changes);
        db.exec('RELEASE w');
        result.changes.push(changes);
      } catch (err) {
        db.exec('ROLLBACK TO w; RELEASE w');
        result.changes.push(0);
        result.failures.push({ index, message: (err as Error).message });
      }
    });
    db.exec('COMMIT');
  } catch (err) {
    if (db.isTransaction) db.exec('ROLLBACK');
    return { id: batch.id, changes: [], failures: [], error: (err as Error).message };
  }
  return result;
}

parentPort!.on('message', (message: WriteBatch | 'close') => {
  if (message === 'close') {
    db.close();
    parentPort!.close();
    return;
  }
  parentPort!.postMessage(commit(message));
});
