// Group commit for SQLite: writes queued during one turn of the event loop are committed together
// in a single transaction on the next turn, and each writer's promise settles once its own
// statement is committed. One transaction per batch instead of per statement is what lets the
// history keep up with thousands of runs per second while every acknowledged write is durable.
import type { DatabaseSync } from 'node:sqlite';

interface PendingWrite {
  run: () => void;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class WriteBatcher {
  readonly #db: DatabaseSync;
  #pending: PendingWrite[] = [];
  #scheduled: NodeJS.Immediate | null = null;
  #closed = false;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /** Queues a write; resolves once it is committed, rejects if its statement failed. */
  write(run: () => void): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('history store is closed'));
    return new Promise((resolve, reject) => {
      this.#pending.push({ run, resolve, reject });
      this.#scheduled ??= setImmediate(() => this.flush());
    });
  }

  /** Writes waiting to be committed. */
  get pending(): number {
    return this.#pending.length;
  }

  /** Commits every queued write now. */
  flush(): void {
    if (this.#scheduled) clearImmediate(this.#scheduled);
    this.#scheduled = null;
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    const failures = new Map<PendingWrite, unknown>();
    try {
      this.#db.exec('BEGIN');
      for (const w of batch) {
        // A failing statement is rolled back on its own; the rest of the batch still commits.
        try {
          w.run();
        } catch (err) {
          failures.set(w, err);
        }
      }
      this.#db.exec('COMMIT');
    } catch (err) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      for (const w of batch) w.reject(err);
      return;
    }
    for (const w of batch) {
      if (failures.has(w)) w.reject(failures.get(w));
      else w.resolve();
    }
  }

  /** Commits what is queued and refuses further writes. */
  close(): void {
    this.flush();
    this.#closed = true;
  }
}
