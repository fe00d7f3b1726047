// The watchdog: one worker thread per process that stops WebAssembly calls running on the main
// thread past their deadline. A plugin's code checks its interrupt words at every function entry
// and loop head (rewrite.ts); the watchdog writes the running call's token into word 0 once the
// deadline passes, the check sees word 0 == word 1 and traps.
//
// Arming costs the calling thread a few atomic stores: the worker is woken only when it must
// re-read an earlier deadline, and sleeps otherwise.
//
// Control words (Int32): [0] sequence (odd while a call runs), [1] id of the interrupt words of the
// running call; Float64 at byte 8: deadline (epoch ms), at byte 16: what the worker sleeps until.
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const control = new Int32Array(workerData, 0, 2);
const times = new Float64Array(workerData, 8, 2);
const words = new Map();
const now = () => performance.timeOrigin + performance.now();
parentPort.on('message', (m) => { if (m.add) words.set(m.id, new Int32Array(m.buffer)); else words.delete(m.id); });
parentPort.postMessage('ready');
async function sleep(seq, ms) {
  const r = Atomics.waitAsync(control, 0, seq, ms);
  if (r.async) await r.value;
}
(async () => {
  for (;;) {
    const seq = Atomics.load(control, 0);
    if ((seq & 1) === 0) { times[1] = Infinity; await sleep(seq); continue; }
    const id = Atomics.load(control, 1);
    const until = times[0];
    if (Atomics.load(control, 0) !== seq) continue;
    const remaining = until - now();
    if (remaining > 0) { times[1] = until; await sleep(seq, remaining); continue; }
    const target = words.get(id);
    if (!target) { await sleep(seq, 1); continue; } // its registration message is still queued
    Atomics.store(target, 0, seq);
    times[1] = Infinity;
    await sleep(seq);
  }
})();
`;

/** Interrupt words of one plugin instance, registered with the watchdog ([0] tripped token, [1] call token, [2..] for the engine). */
export interface InterruptWords {
  readonly id: number;
  readonly words: Int32Array;
}

class Watchdog {
  readonly #control = new SharedArrayBuffer(24);
  readonly #sequence = new Int32Array(this.#control, 0, 2);
  readonly #times = new Float64Array(this.#control, 8, 2);
  #worker: Worker | undefined;
  #ready: Promise<void> | undefined;
  #nextId = 1;

  /** Starts the watchdog thread (once) and resolves when it watches: a deadline can only be kept after that. */
  ready(): Promise<void> {
    this.#thread();
    return this.#ready!;
  }

  /** Registers a plugin instance's interrupt memory (its exported shared buffer). */
  register(buffer: SharedArrayBuffer): InterruptWords {
    const id = this.#nextId++;
    this.#thread().postMessage({ add: true, id, buffer });
    return { id, words: new Int32Array(buffer, 0, 4) };
  }

  unregister(target: InterruptWords): void {
    this.#worker?.postMessage({ add: false, id: target.id });
  }

  /**
   * Starts a deadline for the synchronous WebAssembly about to run with `target`'s interrupt words;
   * returns the call's token. Calls on one thread run one at a time: call disarm() when it returns.
   */
  arm(target: InterruptWords, timeoutMs: number): number {
    const deadline = performance.timeOrigin + performance.now() + timeoutMs;
    Atomics.store(this.#sequence, 1, target.id);
    this.#times[0] = deadline;
    const token = Atomics.add(this.#sequence, 0, 1) + 1;
    Atomics.store(target.words, 1, token);
    if (deadline < this.#times[1]) Atomics.notify(this.#sequence, 0);
    return token;
  }

  disarm(): void {
    Atomics.add(this.#sequence, 0, 1);
  }

  /** Whether the watchdog stopped the call with this token. */
  tripped(target: InterruptWords, token: number): boolean {
    return Atomics.load(target.words, 0) === token;
  }

  #thread(): Worker {
    if (!this.#worker) {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: this.#control, name: 'actorflow wasm watchdog' });
      worker.on('error', (error) => console.error('actorflow: the wasm watchdog failed:', error));
      this.#ready = new Promise<void>((resolve) => worker.once('message', () => {
        worker.unref(); // from now on it never keeps the process alive: while WebAssembly runs, the main thread does
        resolve();
      }));
      this.#worker = worker;
    }
    return this.#worker;
  }
}

/** The process's watchdog. */
export const watchdog = new Watchdog();
