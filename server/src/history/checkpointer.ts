// Checkpointer: runs the history's WAL checkpoints on their own thread (checkpoint-thread.mjs),
// off the writer's commit path. With every checkpoint in the writer, one commit in ~40 waited
// 10-30 ms for a checkpoint's disk flush under load (and every run in its batch with it); with
// this thread, one or two in a thousand.
import { Worker } from 'node:worker_threads';

/** How often committed pages move from the log into the database file. */
const CHECKPOINT_INTERVAL_MS = 20;
/** Pages (4 KB) in the WAL past which the writer checkpoints so the log starts over (8 MB). */
export const WAL_RESTART_PAGES = 2048;

export class Checkpointer {
  readonly #worker: Worker;
  /** Settles when the thread has ended (closed, or crashed: the log then only grows until restart). */
  readonly #exited: Promise<unknown>;
  #closed = false;

  constructor(path: string, intervalMs = CHECKPOINT_INTERVAL_MS) {
    this.#worker = new Worker(new URL('./checkpoint-thread.mjs', import.meta.url), { workerData: { path, intervalMs, restartPages: WAL_RESTART_PAGES } });
    this.#exited = new Promise((resolve) => this.#worker.once('exit', resolve));
    this.#worker.on('error', (err) => process.emitWarning(`history checkpointer stopped: ${err.message}`));
    this.#worker.unref();
  }

  /** Checkpoints everything, truncates the log and stops the thread. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#worker.ref();
    this.#worker.postMessage('close');
    await this.#exited;
  }
}
