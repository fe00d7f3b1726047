// Feedback loops with bounded channels can deadlock: every node of a cycle waits for room in the
// next one's full inbox. When the scheduler has nothing to run, this finds nodes whose wait can
// never end — waits that lead only to other stuck nodes — and lets them go on once, past capacity.
import type { Channel } from './channel.ts';
import { NodeRunner } from './node-runner.ts';
import type { Scheduler } from './scheduler.ts';

/** A node is stuck when it is blocked (won't fire) or its async firing awaits a full channel. */
function waits(runner: NodeRunner, blocked: ReadonlySet<NodeRunner>): Channel[] {
  if (blocked.has(runner)) return runner.fullOutputs();
  return runner.busy && runner.drainWait?.full ? [runner.drainWait] : [];
}

/** Releases deadlocked nodes; returns true if it found any. */
export function breakDeadlock(blocked: Set<NodeRunner>, drainWaiting: ReadonlySet<NodeRunner>, scheduler: Scheduler): boolean {
  const stuck = new Set<NodeRunner>();
  for (const r of blocked) stuck.add(r);
  for (const r of drainWaiting) if (waits(r, blocked).length > 0) stuck.add(r);
  if (stuck.size === 0) return false;
  // A stuck node is live if every channel it waits on has a consumer that will drain it: one that
  // is not stuck (running, queued, busy with real work, or another thread), or a live stuck one.
  const live = new Set<NodeRunner>();
  for (let changed = true; changed;) {
    changed = false;
    for (const r of stuck) {
      if (live.has(r)) continue;
      const free = waits(r, blocked).every((c) => !(c.consumer instanceof NodeRunner) || !stuck.has(c.consumer) || live.has(c.consumer));
      if (free) {
        live.add(r);
        changed = true;
      }
    }
  }
  let released = false;
  for (const r of stuck) {
    if (live.has(r)) continue;
    released = true;
    if (blocked.has(r)) {
      blocked.delete(r);
      r.forced = true;
      scheduler.enqueue(r);
    } else r.drainWait?.forceRelease();
  }
  return released;
}
