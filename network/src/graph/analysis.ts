// Structural analysis of a graph: cycles (feedback loops are legal: reported, not rejected),
// orphans, entry and exit nodes, and, given a registry, port type mismatches. Linear in the size
// of the graph (Tarjan's strongly connected components, one breadth-first pass).
import type { ComponentRegistry } from '../actor/registry.ts';
import { inferType, type PortType } from '../port-types.ts';
import { formatRef, type Graph } from './graph.ts';
import { PortResolver, typeMismatch, type NodePorts } from './ports.ts';
import type { GraphEdge, GraphInitial } from './types.ts';

export interface TypeMismatch {
  /** The connection, or the IIP whose value does not fit. */
  edge: GraphEdge | GraphInitial;
  from: PortType;
  to: PortType;
  message: string;
}

export interface GraphAnalysis {
  /** Every feedback loop: each strongly connected component with a cycle, its nodes in graph order. */
  cycles: string[][];
  /** `isolated` and `unreachable` together, in graph order. */
  orphans: string[];
  /** Nodes with no connection, IIP or exported port at all. */
  isolated: string[];
  /** Connected nodes no entry node leads to (e.g. a loop nothing feeds). */
  unreachable: string[];
  /** Nodes with no incoming connection, or fed by an IIP or an exported inport. */
  entryNodes: string[];
  /** Nodes with no outgoing connection, or exposed by an exported outport. */
  exitNodes: string[];
  /** Connections and IIPs whose types do not fit (only with a registry; untyped ports always fit). */
  typeMismatches: TypeMismatch[];
}

/** Analyses the graph's structure; with a registry, also the types on each connection and IIP. */
export function analyzeGraph(graph: Graph, registry?: ComponentRegistry): GraphAnalysis {
  const ids = [...graph.nodes.keys()];
  const order = new Map(ids.map((id, i) => [id, i]));
  const successors: number[][] = ids.map(() => []);
  const hasIn = new Uint8Array(ids.length);
  const hasOut = new Uint8Array(ids.length);
  const fed = new Uint8Array(ids.length); // IIP or exported inport
  const exposed = new Uint8Array(ids.length); // exported outport
  const selfLoop = new Uint8Array(ids.length);
  for (const e of graph.edges) {
    const s = order.get(e.src.node);
    const t = order.get(e.tgt.node);
    if (s === undefined || t === undefined) continue;
    successors[s].push(t);
    hasOut[s] = 1;
    hasIn[t] = 1;
    if (s === t) selfLoop[s] = 1;
  }
  const mark = (flags: Uint8Array, id: string) => {
    const i = order.get(id);
    if (i !== undefined) flags[i] = 1;
  };
  for (const iip of graph.initials) mark(fed, iip.tgt.node);
  for (const p of graph.inports.values()) mark(fed, p.node);
  for (const p of graph.outports.values()) mark(exposed, p.node);

  const entries: number[] = [];
  const exits: number[] = [];
  const isolated: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    if (!hasIn[i] || fed[i]) entries.push(i);
    if (!hasOut[i] || exposed[i]) exits.push(i);
    if (!hasIn[i] && !hasOut[i] && !fed[i] && !exposed[i]) isolated.push(i);
  }
  const reached = reachable(successors, entries);
  const unreachable = ids.map((_, i) => i).filter((i) => !reached[i]);
  const orphanSet = new Set([...isolated, ...unreachable]);
  const cycles = stronglyConnected(successors)
    .filter((scc) => scc.length > 1 || selfLoop[scc[0]])
    .map((scc) => scc.sort((a, b) => a - b))
    .sort((a, b) => a[0] - b[0])
    .map((scc) => scc.map((i) => ids[i]));
  const name = (i: number) => ids[i];
  return {
    cycles,
    orphans: ids.filter((_, i) => orphanSet.has(i)),
    isolated: isolated.map(name),
    unreachable: unreachable.map(name),
    entryNodes: entries.map(name),
    exitNodes: exits.map(name),
    typeMismatches: registry ? typeMismatches(graph, registry) : [],
  };
}

/** Nodes reachable from `starts` (breadth first). */
function reachable(successors: number[][], starts: number[]): Uint8Array {
  const seen = new Uint8Array(successors.length);
  const queue = [...starts];
  for (const s of starts) seen[s] = 1;
  for (let head = 0; head < queue.length; head++) {
    for (const t of successors[queue[head]]) {
      if (!seen[t]) {
        seen[t] = 1;
        queue.push(t);
      }
    }
  }
  return seen;
}

/** Tarjan's strongly connected components, iterative (no recursion limit on long chains). */
function stronglyConnected(successors: number[][]): number[][] {
  const n = successors.length;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const components: number[][] = [];
  let counter = 0;
  const frames: { v: number; next: number }[] = [];
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    frames.push({ v: root, next: 0 });
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (frames.length > 0) {
      const frame = frames[frames.length - 1];
      const { v } = frame;
      if (frame.next < successors[v].length) {
        const w = successors[v][frame.next++];
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          frames.push({ v: w, next: 0 });
        } else if (onStack[w]) {
          low[v] = Math.min(low[v], index[w]);
        }
        continue;
      }
      frames.pop();
      if (frames.length > 0) {
        const parent = frames[frames.length - 1].v;
        low[parent] = Math.min(low[parent], low[v]);
      }
      if (low[v] === index[v]) {
        const component: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          component.push(w);
        } while (w !== v);
        components.push(component);
      }
    }
  }
  return components;
}

/** Connections and IIPs whose port types do not fit, by the components' declared types. */
function typeMismatches(graph: Graph, registry: ComponentRegistry): TypeMismatch[] {
  const resolver = new PortResolver(registry);
  const ports = new Map<string, NodePorts | undefined>();
  const portsOf = (id: string) => {
    if (!ports.has(id)) {
      const node = graph.nodes.get(id);
      ports.set(id, node ? resolver.node(graph, node).ports : undefined);
    }
    return ports.get(id);
  };
  const out: TypeMismatch[] = [];
  for (const edge of graph.edges) {
    const from = portsOf(edge.src.node)?.outports.get(edge.src.port)?.type;
    const to = portsOf(edge.tgt.node)?.inports.get(edge.tgt.port)?.type;
    const message = from && to && typeMismatch(from, to, `connection ${formatRef(edge.src)} -> ${formatRef(edge.tgt)}`);
    if (from && to && message) out.push({ edge, from, to, message });
  }
  for (const iip of graph.initials) {
    const from = inferType(iip.data);
    const to = portsOf(iip.tgt.node)?.inports.get(iip.tgt.port)?.type;
    const message = to && typeMismatch(from, to, `IIP into ${formatRef(iip.tgt)}`);
    if (to && message) out.push({ edge: iip, from, to, message });
  }
  return out;
}
