// @ts-check
// The history's writer thread: it owns the SQLite connection that writes, so commits never block
// the server's event loop. The checkpointer thread copies committed pages from the WAL into the
// database file all along; this connection checkpoints only once the WAL passes `restartPages`,
// to let it start over, and finds it mostly copied: a commit rarely waits for the disk. It
// receives batches of writes (statements by name, with their parameters), commits each batch in
// one transaction and answers how many rows each write changed and which failed. A failing
// write is rolled back on its own (savepoint); the rest of its batch still commits. The SQL
// comes with the thread's data (write-statements.ts).
// Plain JavaScript, type-checked through JSDoc: a thread that loads TypeScript starts Node's type
// stripper first, 100-150 ms of CPU that the server's cold start would compete with.
import { parentPort, workerData } from 'node:worker_threads';
import { DatabaseSync } from 'node:sqlite';

/** @typedef {import('./write-statements.ts').WriteBatch} WriteBatch */
/** @typedef {import('./write-statements.ts').WriteResult} WriteResult */
/** @typedef {import('./write-statements.ts').WriterThreadData} WriterThreadData */

const { path, restartPages, statements: sql } = /** @type {WriterThreadData} */ (workerData);
const db = new DatabaseSync(path);
db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA wal_autocheckpoint = ${restartPages};`);
const statements = Object.fromEntries(Object.entries(sql).map(([name, text]) => [name, db.prepare(text)]));

/**
 * Commits one batch: each write inside its own savepoint.
 * @param {WriteBatch} batch
 * @returns {WriteResult}
 */
function commit(batch) {
  /** @type {WriteResult} */
  const result = { id: batch.id, changes: [], failures: [] };
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
        result.failures.push({ index, message: /** @type {Error} */ (err).message });
      }
    });
    db.exec('COMMIT');
  } catch (err) {
    if (db.isTransaction) db.exec('ROLLBACK');
    return { id: batch.id, changes: [], failures: [], error: /** @type {Error} */ (err).message };
  }
  return result;
}

const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);
port.on('message', (/** @type {WriteBatch | 'close'} */ message) => {
  if (message === 'close') {
    db.close();
    port.close();
    return;
  }
  port.postMessage(commit(message));
});
