// What each node did during one window, from the network's statistics (`net.stats()`) rather
// than from per-message events: the bridge never asks the network to build an event per message
// or per firing (which would slow every run it follows), yet sees every firing, failure and
// message as a count. Which connections carried messages is derived from the graph: an edge was
// active when its source sent messages (in this window or the one before) and its target received.
import type { Graph, GraphEdge } from '@actorflow/network';

/** The per-node counters the bridge reads (a subset of the network's NodeStats). */
export interface NodeCounters {
  firings: number;
  failures: number;
  messagesIn: number;
  messagesOut: number;
  busyMs: number;
}

/** The network statistics the bridge reads. */
export interface StatsSnapshot {
  nodes: Record<string, NodeCounters>;
  /** Messages delivered over connections. */
  messages: number;
}

/** One node's activity during a window (deltas of its counters). */
export interface NodeActivity extends NodeCounters {
  actorId: string;
  /** Edges that brought it messages during the window. */
  inputs: GraphEdge[];
  /** Edges it sent messages over during the window. */
  outputs: GraphEdge[];
}

const ZERO: NodeCounters = { firings: 0, failures: 0, messagesIn: 0, messagesOut: 0, busyMs: 0 };

function delta(now: number, before: number): number {
  // A node replaced by a live edit starts its counters again.
  return now >= before ? now - before : now;
}

export class ActivityTracker {
  readonly #graph: Graph;
  #last = new Map<string, NodeCounters>();
  #sentBefore = new Set<string>();
  /** Messages delivered, as of the last window. */
  messages = 0;

  constructor(graph: Graph) {
    this.#graph = graph;
  }

  /** The activity of every node whose counters moved since the previous call. */
  next(stats: StatsSnapshot): NodeActivity[] {
    const changed = new Map<string, NodeActivity>();
    for (const [actorId, now] of Object.entries(stats.nodes)) {
      const before = this.#last.get(actorId) ?? ZERO;
      if (now.firings === before.firings && now.failures === before.failures && now.messagesIn === before.messagesIn
        && now.messagesOut === before.messagesOut && now.busyMs === before.busyMs) continue;
      changed.set(actorId, {
        actorId, firings: delta(now.firings, before.firings), failures: delta(now.failures, before.failures),
        messagesIn: delta(now.messagesIn, before.messagesIn), messagesOut: delta(now.messagesOut, before.messagesOut),
        busyMs: Math.max(0, delta(now.busyMs, before.busyMs)), inputs: [], outputs: [],
      });
      this.#last.set(actorId, { firings: now.firings, failures: now.failures, messagesIn: now.messagesIn, messagesOut: now.messagesOut, busyMs: now.busyMs });
    }
    this.messages = stats.messages;
    if (changed.size === 0) {
      this.#sentBefore.clear();
      return [];
    }
    const sentNow = new Set<string>();
    for (const a of changed.values()) if (a.messagesOut > 0) sentNow.add(a.actorId);
    for (const edge of this.#graph.edges) {
      const tgt = changed.get(edge.tgt.node);
      if (!tgt || tgt.messagesIn === 0) continue;
      if (!sentNow.has(edge.src.node) && !this.#sentBefore.has(edge.src.node)) continue;
      tgt.inputs.push(edge);
      changed.get(edge.src.node)?.outputs.push(edge);
    }
    this.#sentBefore = sentNow;
    return [...changed.values()];
  }
}
