// How timed components (delay, throttle, debounce, batches, windows) wait: a node's deadline timer.
// Arming it keeps the network alive (ctx.keepAlive) until it fires or is cleared, so a run never
// ends while a node holds packets; packets keep arriving meanwhile and are handled as they come.
// When the network stops, a pending deadline fires at once, so what a node holds goes out first.
import type { ActorContext } from '@actorflow/network';

/** One pending call per node, at an epoch-ms time. */
export class Deadline {
  readonly #ctx: ActorContext<any>;
  #timer: NodeJS.Timeout | undefined;
  #due: (() => void) | undefined;
  #release: (() => void) | undefined;

  constructor(ctx: ActorContext<any>) {
    this.#ctx = ctx;
    ctx.signal.addEventListener('abort', () => this.#fire(), { once: true });
  }

  /** Whether a call is pending. */
  get armed(): boolean {
    return this.#due !== undefined;
  }

  /** Calls `due` at time `at` (epoch ms), replacing any pending call. */
  set(at: number, due: () => void): void {
    this.clear();
    this.#due = due;
    if (this.#ctx.signal.aborted) return this.#fire();
    void this.#ctx.keepAlive(new Promise<void>((resolve) => {
      this.#release = resolve;
      this.#timer = setTimeout(() => this.#fire(), Math.max(0, at - Date.now()));
    }));
  }

  /** Cancels the pending call, if any. */
  clear(): void {
    clearTimeout(this.#timer);
    this.#due = undefined;
    this.#settle();
  }

  #fire(): void {
    const due = this.#due;
    const release = this.#release; // `due` may arm the next call: settle only this one
    clearTimeout(this.#timer);
    this.#due = undefined;
    this.#release = undefined;
    try {
      due?.();
    } finally {
      release?.();
    }
  }

  #settle(): void {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }
}

const deadlines = new WeakMap<object, Deadline>();

/** The node's deadline timer (one per node). */
export function deadlineOf(ctx: ActorContext<any>): Deadline {
  let d = deadlines.get(ctx);
  if (!d) deadlines.set(ctx, (d = new Deadline(ctx)));
  return d;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal.addEventListener('abort', done, { once: true });
  });
}
