// @ts-check
// The history's checkpointer thread. Every `intervalMs` it copies the pages committed to the
// write-ahead log into the database file and flushes it (a PASSIVE checkpoint: it never waits
// for or blocks the writer), so the disk flushes happen here, not in a commit. Under steady
// writes such a pass never quite catches up, and only the writer's own checkpoint (at
// `restartPages`) lets the log start over: once the log is past that size, this thread stands
// back for a few ticks, so the writer's checkpoint finds the lock free and little left to copy.
// On 'close' it checkpoints everything and truncates the log. A failed pass is retried at the
// next tick. Plain JavaScript, type-checked through JSDoc, for the reason writer-thread.mjs gives.
import { parentPort, workerData } from 'node:worker_threads';
import { DatabaseSync } from 'node:sqlite';

const { path, intervalMs, restartPages } = /** @type {{ path: string; intervalMs: number; restartPages: number }} */ (workerData);
const db = new DatabaseSync(path);
db.exec('PRAGMA busy_timeout = 5000;');

const statements = { PASSIVE: db.prepare('PRAGMA wal_checkpoint(PASSIVE)'), TRUNCATE: db.prepare('PRAGMA wal_checkpoint(TRUNCATE)') };

/**
 * Runs a checkpoint; returns the pages in the log (0 if it failed).
 * @param {keyof typeof statements} mode
 * @returns {number}
 */
function checkpoint(mode) {
  try {
    const { log } = /** @type {{ log: number }} */ (statements[mode].get());
    return log;
  } catch (err) {
    process.emitWarning(`history checkpoint failed: ${/** @type {Error} */ (err).message}`);
    return 0;
  }
}

/** Ticks left standing back. */
let pause = 0;
const timer = setInterval(() => {
  if (pause > 0) pause--;
  else if (checkpoint('PASSIVE') > restartPages) pause = 5;
}, intervalMs);

const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);
port.on('message', (/** @type {'close'} */ message) => {
  if (message !== 'close') return;
  clearInterval(timer);
  checkpoint('TRUNCATE');
  db.close();
  port.close();
});
