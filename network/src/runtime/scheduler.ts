// Scheduler: a run queue of nodes with work. It drains them synchronously, a batch per turn, and
// yields to the event loop every few milliseconds so timers and I/O keep flowing.

/** Something the scheduler can run: drains up to `budget` firings, then returns. */
export interface Runnable {
  /** True while in the run queue. */
  queued: boolean;
  drain(budget: number): void;
}

/** Firings one node may run per turn before the next node gets its turn. */
const BATCH = 64;
/** Longest stretch of synchronous work before yielding to the event loop. */
const SLICE_MS = 8;

export class Scheduler {
  #ready: Runnable[] = [];
  /** Run when the queue empties (cross-thread links send their partial batches then). */
  #atQuiet: Runnable[] = [];
  #head = 0;
  #active = false;
  #kicked = false;
  readonly #onQuiet: () => void;
  readonly #onWake: () => void;

  /** `onQuiet` runs whenever the run queue empties; `onWake` when work arrives while it was quiet. */
  constructor(onQuiet: () => void, onWake: () => void = () => {}) {
    this.#onQuiet = onQuiet;
    this.#onWake = onWake;
  }

  /** Whether the scheduler is running or about to run. */
  get busy(): boolean {
    return this.#active || this.#kicked || this.#head < this.#ready.length || this.#atQuiet.length > 0;
  }

  enqueue(node: Runnable): void {
    if (node.queued) return;
    node.queued = true;
    this.#ready.push(node);
    if (!this.#active && !this.#kicked) {
      this.#kicked = true;
      this.#onWake();
      queueMicrotask(this.#loop);
    }
  }

  /**
   * Runs `node` once the run queue has emptied (before the scheduler goes quiet) — for work worth
   * batching, like a link's partial batch. Kicks the scheduler if it is quiet.
   */
  whenQuiet(node: Runnable): void {
    if (this.#atQuiet.includes(node)) return;
    this.#atQuiet.push(node);
    if (!this.#active && !this.#kicked) {
      this.#kicked = true;
      this.#onWake();
      queueMicrotask(this.#loop);
    }
  }

  /** Drops every queued node (the network is stopping). */
  clear(): void {
    for (let i = this.#head; i < this.#ready.length; i++) this.#ready[i].queued = false;
    this.#ready = [];
    this.#head = 0;
    this.#atQuiet = [];
  }

  #loop = (): void => {
    this.#kicked = false;
    this.#active = true;
    const start = performance.now();
    let turns = 0;
    const ready = this.#ready;
    while (this.#head < ready.length || this.#releaseQuiet(ready)) {
      const node = ready[this.#head++];
      node.queued = false;
      node.drain(BATCH);
      if ((++turns & 31) === 0) {
        if (this.#head > 1024 && this.#head * 2 > ready.length) this.#compact();
        if (performance.now() - start > SLICE_MS) {
          this.#active = false;
          this.#kicked = true;
          setImmediate(this.#loop);
          return;
        }
      }
      if (this.#ready !== ready) break; // cleared while running
    }
    this.#ready.length = 0;
    this.#head = 0;
    this.#active = false;
    this.#onQuiet();
  };

  /** Moves the nodes waiting for quiet into the run queue; false when there were none. */
  #releaseQuiet(ready: Runnable[]): boolean {
    if (this.#atQuiet.length === 0 || this.#ready !== ready) return false;
    const waiting = this.#atQuiet;
    this.#atQuiet = [];
    for (const node of waiting) this.enqueue(node);
    return true;
  }

  #compact(): void {
    this.#ready.splice(0, this.#head);
    this.#head = 0;
  }
}
