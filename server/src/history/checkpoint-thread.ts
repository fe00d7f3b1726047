// The history's checkpointer thread: every `intervalMs` it copies the pages committed to the
// write-ahead log into the database file and flushes it (a PASSIVE checkpoint: it never waits
// for or blocks the writer). The disk flushes happen here, not in a commit. The writer's own
// checkpoint, which bounds the log and lets it start over, then has little left to copy.
// On 'close' it checkpoints everything and truncates the log. A failed pass is retried at the
// next tick (the log only grows meanwhile, up to the writer's bound).
import { parentPort, workerData } from 'node:worker_threads';
import { DatabaseSync } from 'node:sqlite';

const { path, intervalMs } = workerData as { path: string; intervalMs: number };
const db = new DatabaseSync(path);
db.exec('PRAGMA busy_timeout = 5000;');

function checkpoint(mode: 'PASSIVE' | 'TRUNCATE'): void {
  try {
    db.exec(`PRAGMA wal_checkpoint(${mode})`);
  } catch (err) {
    process.emitWarning(`history checkpoint failed: ${(err as Error).message}`);
  }
}

const timer = setInterval(() => checkpoint('PASSIVE'), intervalMs);

parentPort!.on('message', (message: 'close') => {
  if (message !== 'close') return;
  clearInterval(timer);
  checkpoint('TRUNCATE');
  db.close();
  parentPort!.close();
});
