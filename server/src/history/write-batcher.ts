// Group commit through the writer thread: writes queued during one turn of the event loop go to
// the thread as one batch, committed in a single transaction, and each writer's promise settles
// once its own write is committed (with the number of rows it changed). The event loop never
// waits for the disk.
import { Worker } from 'node:worker_threads';
import { WAL_RESTART_PAGES } from './checkpointer.ts';
import { WRITE_STATEMENTS, type Write, type WriterThreadData, type WriteResult } from './write-statements.ts';

interface Pending {
  resolve: (changes: number) => void;
  reject: (err: unknown) => void;
}

export class WriteBatcher {
  readonly #worker: Worker;
  /** Settles when the thread has ended (closed, or died: then every write fails with the cause). */
  readonly #exited: Promise<unknown>;
  #queued: { write: Write; pending: Pending }[] = [];
  readonly #inFlight = new Map<number, Pending[]>();
  #scheduled: NodeJS.Immediate | null = null;
  #nextId = 1;
  #closed = false;
  #drained: (() => void)[] = [];
  #failure: Error | null = null;

  constructor(path: string) {
    const workerData: WriterThreadData = { path, restartPages: WAL_RESTART_PAGES, statements: WRITE_STATEMENTS };
    this.#worker = new Worker(new URL('./writer-thread.mjs', import.meta.url), { workerData });
    this.#exited = new Promise((resolve) => this.#worker.once('exit', resolve));
    this.#worker.on('message', (result: WriteResult) => this.#settle(result));
    this.#worker.on('error', (err) => this.#fail(err));
    this.#worker.unref();
  }

  /** Queues a write; resolves with the rows it changed once committed, rejects if it failed. */
  write(write: Write): Promise<number> {
    if (this.#closed) return Promise.reject(new Error('history store is closed'));
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#queued.push({ write, pending: { resolve, reject } });
      this.#scheduled ??= setImmediate(() => this.#send());
    });
  }

  /** Writes not yet committed. */
  get pending(): number {
    let n = this.#queued.length;
    for (const batch of this.#inFlight.values()) n += batch.length;
    return n;
  }

  #send(): void {
    this.#scheduled = null;
    const queued = this.#queued;
    if (queued.length === 0) return;
    this.#queued = [];
    const id = this.#nextId++;
    this.#inFlight.set(id, queued.map((q) => q.pending));
    this.#worker.ref(); // keep the process alive until the batch is committed
    this.#worker.postMessage({ id, writes: queued.map((q) => q.write) });
  }

  #settle(result: WriteResult): void {
    const batch = this.#inFlight.get(result.id);
    if (!batch) return;
    this.#inFlight.delete(result.id);
    const failed = new Map(result.failures.map((f) => [f.index, f.message]));
    batch.forEach((p, i) => {
      if (result.error !== undefined) p.reject(new Error(`history write failed: ${result.error}`));
      else if (failed.has(i)) p.reject(new Error(failed.get(i)));
      else p.resolve(result.changes[i]);
    });
    if (this.#inFlight.size === 0) {
      this.#worker.unref();
      if (this.#queued.length === 0) for (const done of this.#drained.splice(0)) done();
    }
  }

  #fail(err: Error): void {
    this.#failure = err;
    for (const batch of this.#inFlight.values()) for (const p of batch) p.reject(err);
    this.#inFlight.clear();
    for (const q of this.#queued.splice(0)) q.pending.reject(err);
    for (const done of this.#drained.splice(0)) done();
  }

  /** Resolves once everything queued so far is committed. */
  flush(): Promise<void> {
    if (this.#scheduled) {
      clearImmediate(this.#scheduled);
      this.#send();
    }
    if (this.#inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drained.push(resolve));
  }

  /** Commits what is queued, refuses further writes and stops the thread. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.flush();
    this.#closed = true;
    this.#worker.ref();
    this.#worker.postMessage('close');
    await this.#exited;
  }
}
