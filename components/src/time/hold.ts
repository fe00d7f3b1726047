// How timed components (windows, batches, debounce, throttle, delay) wait without losing packets
// or blocking their input. A network finishes when nothing is in flight, and a bare timer does
// not count as in flight; an async firing does. So a timed node takes packets synchronously while
// more are queued, and only when its queue is empty does it hold the firing open until its next
// deadline (the run stays alive), acting at each deadline. Packets arriving during a hold wait in
// the inbox and are taken right after it: time is the time the node takes a packet.
import type { ActorContext, FireMode } from '@actorflow/network';

let behind = 0;

/**
 * A firing rule: one packet per firing, from the first of `ports` (in priority order) that has
 * one, recording how many packets stay queued behind it (see queuedBehind).
 */
export function oneAtATime(ports: readonly string[]): FireMode {
  return (queued) => {
    for (const port of ports) {
      if ((queued[port] ?? 0) > 0) {
        let total = -1;
        for (const p of ports) total += queued[p] ?? 0;
        behind = total;
        return [port];
      }
    }
    return false;
  };
}

/** Packets queued behind the one being processed; read it at the start of `process` (oneAtATime nodes). */
export function queuedBehind(): number {
  return behind;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
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

/**
 * Holds the current firing while the node has timed work: sleeps until `next()` (an epoch-ms
 * deadline), calls `due(now)`, and repeats until `next()` is undefined. When the network stops,
 * `due(Infinity)` runs once so whatever is held goes out before teardown.
 */
export async function holdOpen(ctx: ActorContext<any>, next: () => number | undefined, due: (now: number) => void): Promise<void> {
  for (let deadline = next(); deadline !== undefined; deadline = next()) {
    await sleep(deadline - Date.now(), ctx.signal);
    if (ctx.signal.aborted) {
      due(Infinity);
      return;
    }
    due(Date.now());
  }
}
