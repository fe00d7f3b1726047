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

/** The nodes of one scheduler that wait for room in a full channel. */
export class Waits {
  /** Nodes with queued input that won't fire until a downstream channel has room. */
  readonly blocked = new Set<NodeRunner>();
  /** Nodes whose async firing awaits a drain promise of a full channel. */
  readonly draining = new Set<NodeRunner>();

  /** A node with queued input is (no longer) waiting for a full downstream channel. */
  setBlocked(runner: NodeRunner, blocked: boolean): void {
    if (blocked) this.blocked.add(runner);
    else this.blocked.delete(runner);
  }

  /** A node handed out (or no longer has) a drain promise of a full channel. */
  setDrainWait(runner: NodeRunner, channel: Channel | null): void {
    if (channel) this.draining.add(runner);
    else this.draining.delete(runner);
  }

  /** Forgets a removed node. */
  delete(runner: NodeRunner): void {
    this.blocked.delete(runner);
    this.draining.delete(runner);
  }

  /** Releases deadlocked nodes; returns true if it found any. Call when the scheduler is quiet. */
  breakDeadlock(scheduler: Scheduler): boolean {
    if (this.blocked.size === 0 && this.draining.size === 0) return false;
    return breakDeadlock(this.blocked, this.draining, scheduler);
  }
}

function breakDeadlock(blocked: Set<NodeRunner>, drainWaiting: ReadonlySet<NodeRunner>, scheduler: Scheduler): boolean {
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
